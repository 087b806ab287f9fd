"""The typer application: how the command line is read, usage and help, -h/-V, one-line usage errors, and the
console-script entry point."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from jaccli import __version__
from jaccli.cli import coercion, completion
from jaccli.errors import ExitStatus, JacError, one_line

HELP_OPTIONS = ["-h", "--help"]


def _version(ctx: typer.Context, value: bool) -> None:
    # A completion request parses the line resiliently and runs eager callbacks too: printing the
    # version there would put "jac 0.1.0" among the candidates of `jac --version <TAB>`.
    if value and not ctx.resilient_parsing:
        typer.echo(f"jac {__version__}")
        raise typer.Exit()


Version = Annotated[
    bool,
    typer.Option("-V", "--version", callback=_version, is_eager=True, help="Show the version and exit."),
]


class JacCommand(TyperCommand):
    """A command whose help shows real metavars (EXPR, POINT, NAMES) rather than Python types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jaccli.cli.options import metavar_of

        for param in self.params:
            if param.metavar is None:
                param.metavar = metavar_of(self.name or "", param)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and not getattr(param, "hidden", False):
                pieces.append(_argument_usage(param))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), getattr(param, "help", None) or ""))
            else:
                record = param.get_help_record(ctx)
                if record is not None:
                    options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


def _argument_name(param: Any) -> str:
    return f"{param.metavar}..." if param.nargs != 1 else str(param.metavar)


def _argument_usage(param: Any) -> str:
    name = _argument_name(param)
    return name if param.required else f"[{name}]"


class JacGroup(TyperGroup):
    """Reads the command line before click does (see jaccli.cli.argv) and reports usage errors as one line on
    stderr, like every other error of jac."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        coercion.install(self)
        # A completion request is answered inside the parent's main, before any parsing, and exits there.
        completing = bool(os.environ.get(kwargs.get("complete_var") or "_JAC_COMPLETE"))
        if completing:
            from jaccli.cli import completion

            completion.register()
        if not kwargs.pop("standalone_mode", True):
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        arguments = kwargs.pop("args", None)
        if arguments is None and args:
            arguments, args = args[0], args[1:]
        arguments = sys.argv[1:] if arguments is None else list(arguments)
        if not completing:
            arguments = self._read_line(arguments)
        try:
            code = super().main(arguments, *args, **{**kwargs, "standalone_mode": False})
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            where = context.command_path if context is not None else "jac"
            # typer's converters speak pydantic ("Value error, ..."); the user needs only the sentence
            message = one_line(error.format_message()).replace("Value error, ", "")
            typer.echo(f"{where}: {message} (see '{where} --help')", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            sys.exit(ExitStatus.BAD_INPUT)
        sys.exit(code if isinstance(code, int) else ExitStatus.OK)

    def _read_line(self, arguments: list[str]) -> list[str]:
        """The words for click (see jaccli.cli.argv); `jac` alone prints the usage and exits 0."""
        from jaccli.cli.argv import check_line
        from jaccli.cli.options import check_arguments

        if not arguments:
            from jaccli.cli.usage import usage

            typer.echo(usage(self))
            sys.exit(ExitStatus.OK)
        try:
            check_arguments(arguments)
            return check_line(self, arguments)
        except JacError as error:
            typer.echo(f"jac: {one_line(str(error))}", err=True)
            sys.exit(error.exit_status)


class JacTyper(typer.Typer):
    """Every command is a JacCommand, takes -h for --help and -V/--version, as jac itself does."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Callable[[Any], Any]:
        kwargs["context_settings"] = {"help_option_names": HELP_OPTIONS, **(kwargs.get("context_settings") or {})}
        register = super().command(*args, cls=cls or JacCommand, **kwargs)

        def decorator(function: Callable[..., Any]) -> Callable[..., Any]:
            register(_with_version_option(function))
            return function

        return decorator


def _with_version_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The function with one more keyword parameter, -V/--version, that it never sees (the option exits first)."""
    signature = inspect.signature(function, eval_str=True)

    @functools.wraps(function)
    def command(*args: Any, version: bool = False, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    version = inspect.Parameter("version", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Version)
    parameters = [*signature.parameters.values(), version]
    command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    return command


app = JacTyper(
    name="jac",
    cls=JacGroup,
    help=(
        "The command-line Jacobian calculator: derivatives, gradients, Jacobians and Hessians, "
        "exact where the input is exact. Layout is numerator layout: J[i][j] = df_i/dtheta_j, "
        "row i is the gradient of f_i."
    ),
    epilog="'jac help COMMAND' or 'jac COMMAND --help' shows the options of a command.",
    context_settings={"help_option_names": HELP_OPTIONS},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
completion.guard_install()


@app.callback()
def main(version: Version = False) -> None:
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
