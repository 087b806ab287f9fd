"""The typer application: one-line usage errors, --version, and the console-script entry point."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from jaccli import __version__
from jaccli.cli import coercion, completion
from jaccli.errors import ExitStatus, JacError, one_line


class JacGroup(TyperGroup):
    """Reports usage errors as one line on stderr, like every other error of jac."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        coercion.install(self)
        # A completion request is answered inside the parent's main, before any parsing, and exits there.
        if os.environ.get(kwargs.get("complete_var") or "_JAC_COMPLETE"):
            from jaccli.cli import completion

            completion.register()
        if not kwargs.pop("standalone_mode", True):
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        from jaccli.cli.options import check_arguments

        arguments = kwargs.get("args")
        if arguments is None and args:
            arguments = args[0]
        try:
            check_arguments(sys.argv[1:] if arguments is None else list(arguments))
        except JacError as error:
            typer.echo(f"jac: {error}", err=True)
            sys.exit(error.exit_status)
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            where = context.command_path if context is not None else "jac"
            typer.echo(f"{where}: {one_line(error.format_message())} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            sys.exit(ExitStatus.BAD_INPUT)
        sys.exit(code if isinstance(code, int) else ExitStatus.OK)


app = typer.Typer(
    name="jac",
    cls=JacGroup,
    help=(
        "The command-line Jacobian calculator: derivatives, gradients, Jacobians and Hessians, "
        "exact where the input is exact. Layout is numerator layout: J[i][j] = df_i/dtheta_j, "
        "row i is the gradient of f_i."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
completion.guard_install()


def _version(ctx: typer.Context, value: bool) -> None:
    # A completion request parses the line resiliently and runs eager callbacks too: printing the
    # version there would put "jac 0.1.0" among the candidates of `jac --version <TAB>`.
    if value and not ctx.resilient_parsing:
        typer.echo(f"jac {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Derivatives, gradients, Jacobians and Hessians from the shell."""


def run() -> None:
    """The console-script entry point.

    Each command's computation runs in a child process that jac kills at the deadline and caps in
    memory (jaccli.guard); --help, --version and completion requests run here. A finished run leaves
    through `os._exit` once its output is flushed: the interpreter's own teardown, freeing SymPy's and
    typer's objects one by one, takes about as long as everything jac does after importing SymPy (0.05
    to 0.15 s), and jac registers no exit handlers that it would skip. An unexpected exception (a bug)
    still ends with its traceback, exit 1.
    """
    from jaccli import guard

    guard.install_streams()
    try:
        app()
        status: object = 0
    except SystemExit as done:
        status = done.code
    except MemoryError:
        status = guard.refuse_memory()
    except BaseException:
        if not guard.in_child():
            raise
        import traceback

        traceback.print_exc()
        status = guard.bug_status()
    _leave(status)


def _leave(status: object) -> None:
    """Exit with SystemExit's meaning of `status` (None 0, an int, or a message and 1), without teardown."""
    from jaccli import guard

    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    guard.leave(status)
