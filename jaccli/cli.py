"""The `jac` command line: options in, one call to core, one call to render.

Nothing heavy is imported here: SymPy and rich load inside the commands, so `jac --help`,
`jac --version` and shell completion stay fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from jaccli import __version__
from jaccli.errors import ExitStatus, JacError

# An EXPR such as "-x**2-y**2" must reach the command as an argument, not be read as options;
# with no single-letter options defined, click passes such words through unchanged.
_COMMAND_SETTINGS: dict[str, Any] = {"ignore_unknown_options": True}


class Format(StrEnum):
    auto = "auto"
    table = "table"
    plain = "plain"
    json = "json"
    latex = "latex"


class JacGroup(TyperGroup):
    """Reports usage errors as one line on stderr, like every other error of jac."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.pop("standalone_mode", True):
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.TyperException as error:
            context = getattr(error, "ctx", None)
            where = context.command_path if context is not None else "jac"
            typer.echo(f"{where}: {error.format_message()} (see '{where} --help')", err=True)
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


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jac {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Derivatives, gradients, Jacobians and Hessians from the shell."""


Vars = Annotated[
    str | None,
    typer.Option(
        "--vars",
        help="Variables in column order, e.g. x,y or w:3,x:3,b (vectors of 3). "
        "Default: the names in the expression, in natural order.",
    ),
]
Wrt = Annotated[
    str | None, typer.Option("--wrt", help="Differentiate with respect to these variables only, e.g. w or x,y.")
]
At = Annotated[
    list[str] | None,
    typer.Option(
        "--at", help="Evaluate at this point: 5,-5 (all variables in order) or x=5,y=-5 or w=[1,2,3]. Repeatable."
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", help="Output: table on a terminal, plain when piped (auto), json or latex.")
]
Json = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour in the table (NO_COLOR is honoured too).")]


def _read_texts(texts: Sequence[str]) -> list[str]:
    """EXPR of `-` is read from standard input; a word like --foo is a mistyped option, not an expression."""
    result = []
    for text in texts:
        if text.startswith("--") and len(text) > 2:
            raise JacError(f"no such option: {text.split('=')[0]}")
        result.append(sys.stdin.read() if text == "-" else text)
    return result


def _run(
    kind: str,
    texts: Sequence[str],
    *,
    vars_: str | None,
    wrt: str | None,
    at: Sequence[str] | None,
    fmt: Format,
    json_: bool,
    no_color: bool,
    var: str | None = None,
    order: int = 1,
) -> None:
    """Parse, compute, evaluate, render: the path every command shares. Expected errors end here."""
    try:
        from jaccli import core, parse
        from jaccli.render import render

        variables = parse.parse_vars(vars_) if vars_ is not None else None
        parsed = parse.parse_functions(_read_texts(texts), variables)
        wrt_names = [w.strip() for w in wrt.split(",")] if wrt else None
        if kind == "gradient":
            result = core.gradient(parsed, wrt_names)
        elif kind == "jacobian":
            result = core.jacobian(parsed, wrt_names)
        elif kind == "hessian":
            result = core.hessian(parsed, wrt_names)
        else:
            result = core.derivative(parsed, var, order)
        if at:
            result = core.evaluate(result, [parse.parse_point(p, parsed.variables) for p in at])
    except JacError as error:
        typer.echo(f"jac: {error}", err=True)
        raise typer.Exit(error.exit_status) from None
    for evaluation in result.evaluations:
        for i, j in evaluation.undefined:
            typer.echo(
                f"jac: warning: entry [{i + 1},{j + 1}] (d{result.rows[i]}/d{result.variables[j]}) is undefined "
                f"at {', '.join(f'{n}={v}' for n, v in evaluation.point)}",
                err=True,
            )
    chosen = "json" if json_ else fmt.value
    if chosen == "auto":
        chosen = "table" if sys.stdout.isatty() else "plain"
    render(result, chosen, sys.stdout, color=not no_color)


@app.command(context_settings=_COMMAND_SETTINGS)
def grad(
    expr: Annotated[str, typer.Argument(help="One scalar function, e.g. 'x**2+y**2'; - reads standard input.")],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
) -> None:
    """Gradient of one scalar function, with the descent direction -grad f at a point.

    Example: jac grad "x^2+y^2" --at 5,-5
    """
    _run("gradient", [expr], vars_=vars_, wrt=wrt, at=at, fmt=fmt, json_=json_, no_color=no_color)


@app.command(context_settings=_COMMAND_SETTINGS)
def jacobian(
    exprs: Annotated[
        list[str], typer.Argument(help="Functions: 'f1, f2', '[f1, f2]' or several arguments; - reads standard input.")
    ],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
) -> None:
    """Jacobian of a vector function: J[i][j] = df_i/dtheta_j (numerator layout).

    Example: jac jacobian "x*y, x+y" --at 2,3
    """
    _run("jacobian", exprs, vars_=vars_, wrt=wrt, at=at, fmt=fmt, json_=json_, no_color=no_color)


@app.command(context_settings=_COMMAND_SETTINGS)
def diff(
    exprs: Annotated[list[str], typer.Argument(help="A function or a list of functions of one variable.")],
    var: Annotated[
        str | None, typer.Option("--var", help="The variable to differentiate by (needed when there are several).")
    ] = None,
    order: Annotated[int, typer.Option("--order", help="The order k of the derivative.")] = 1,
    vars_: Vars = None,
    at: At = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
) -> None:
    """Derivative along one variable; for a list of functions, the column of their derivatives.

    Example: jac diff "2*x**2" --at 2
    """
    _run(
        "derivative", exprs, vars_=vars_, wrt=None, at=at, fmt=fmt, json_=json_, no_color=no_color, var=var, order=order
    )


@app.command(context_settings=_COMMAND_SETTINGS)
def hessian(
    expr: Annotated[str, typer.Argument(help="One scalar function; - reads standard input.")],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
) -> None:
    """Matrix of second derivatives of one scalar function: H[i][j] = d2f/dtheta_i dtheta_j.

    Example: jac hessian "x**3 + x*y**2" --at 1,2
    """
    _run("hessian", [expr], vars_=vars_, wrt=wrt, at=at, fmt=fmt, json_=json_, no_color=no_color)


def run() -> None:
    """The console-script entry point."""
    app()
