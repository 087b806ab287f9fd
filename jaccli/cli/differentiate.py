"""grad, jacobian, diff and hessian: the commands that differentiate."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jaccli.cli.app import app
from jaccli.cli.options import (
    COMMAND_SETTINGS,
    At,
    Format,
    FormatOpt,
    Json,
    NoColor,
    Plot,
    Vars,
    Wrt,
    output_format,
    read_texts,
    user_errors,
)
from jaccli.errors import JacError, PointError

if TYPE_CHECKING:
    import sympy as sp

    from jaccli.core import Result
    from jaccli.parse import Parsed


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
    direction: str | None = None,
    plot: str | None = None,
) -> None:
    """Parse, compute, evaluate, render: the path every command shares."""
    with user_errors():
        from jaccli import core, optimisation, parse
        from jaccli.render import render
        from jaccli.render.picture import check_target

        if plot is not None:
            check_target(Path(plot))

        variables = parse.parse_vars(vars_) if vars_ is not None else None
        parsed = parse.parse_functions(read_texts(texts), variables)
        wrt_names = [w.strip() for w in wrt.split(",")] if wrt else None
        if kind == "gradient":
            result = core.gradient(parsed, wrt_names)
        elif kind == "jacobian":
            result = core.jacobian(parsed, wrt_names)
        elif kind == "hessian":
            result = core.hessian(parsed, wrt_names)
        else:
            result = core.derivative(parsed, var, order)
        points = [parse.parse_point(p, parsed.variables) for p in at or ()]
        if points:
            result = core.evaluate(result, points)
        if direction is not None:
            if not points:
                raise JacError("--dir needs --at: a directional derivative is taken at a point")
            result = optimisation.with_direction(result, parse_direction(direction, parsed, result))
        if kind == "hessian" and points:
            result = optimisation.classify(result, core.evaluate(core.gradient(parsed, wrt_names), points))
        if plot is not None:
            _plot_gradient(Path(plot), parsed, result)
    for evaluation in result.evaluations:
        for i, j in evaluation.undefined:
            typer.echo(
                f"jac: warning: entry [{i + 1},{j + 1}] (d{result.rows[i]}/d{result.variables[j]}) is undefined "
                f"at {', '.join(f'{n}={v}' for n, v in evaluation.point)}",
                err=True,
            )
    render(result, output_format(fmt, json_), sys.stdout, color=not no_color)


@app.command(context_settings=COMMAND_SETTINGS)
def grad(
    expr: Annotated[str, typer.Argument(help="One scalar function, e.g. 'x**2+y**2'; - reads standard input.")],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    direction: Annotated[
        str | None,
        typer.Option(
            "--dir",
            help="Directional derivative along this vector at each --at point: grad f . v/|v|, "
            "written like a point (1,0 or x=1,y=0).",
            metavar="V",
        ),
    ] = None,
    plot: Plot = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
) -> None:
    """Gradient of one scalar function, with the descent direction -grad f at a point.

    Example: jac grad "x^2+y^2" --at 5,-5
    """
    _run(
        "gradient",
        [expr],
        vars_=vars_,
        wrt=wrt,
        at=at,
        fmt=fmt,
        json_=json_,
        no_color=no_color,
        direction=direction,
        plot=plot,
    )


def parse_direction(text: str, parsed: Parsed, result: Result) -> list[sp.Expr]:
    """--dir V in the gradient's columns, read like a point; the zero vector has no direction."""
    from jaccli import optimisation, parse

    columns = list(result.variables)
    if columns == [s.name for v in parsed.variables for s in v.symbols]:
        variables = parsed.variables
    else:  # --wrt: the direction lives in the chosen columns only
        variables = tuple(parse.Variable(name) for name in columns)
    try:
        values = parse.parse_point(text, variables)
    except PointError as error:
        message = str(error).replace("--at", "--dir").replace("point value", "--dir value")
        raise PointError(message) from None
    vector = [values[s] for v in variables for s in v.symbols]
    if all(optimisation.is_zero(c) for c in vector):
        raise PointError(f"--dir '{text}' is the zero vector, which has no direction")
    return vector


def _plot_gradient(target: Path, parsed: Parsed, result: Result) -> None:
    """The contour picture at the one --at point of a gradient of a function of two variables."""
    from jaccli.render import picture

    symbols = plot_symbols(parsed)
    if list(result.variables) != [s.name for s in symbols]:
        raise JacError("--plot draws the gradient in both variables; leave out --wrt")
    if len(result.evaluations) != 1:
        raise JacError(f"--plot draws one point; give exactly one --at (got {len(result.evaluations)})")
    evaluation = result.evaluations[0]
    point = dict(evaluation.point)
    gradient = evaluation.gradient
    known = None if any(g is None for g in gradient) else [float(g) for g in gradient if g is not None]
    at = ", ".join(f"{s.name} = {point[s.name]}" for s in symbols)
    picture.draw(
        target,
        parsed.functions[0],
        symbols,
        [float(point[s.name]) for s in symbols],
        known,
        title=f"f = {parsed.texts[0]} at {at}",
    )


def plot_symbols(parsed: Parsed) -> tuple[sp.Symbol, ...]:
    """The two variables of the picture; anything else has no contour plot."""
    symbols = tuple(s for v in parsed.variables for s in v.symbols)
    if len(symbols) != 2:
        names = ", ".join(s.name for s in symbols) or "none"
        raise JacError(f"--plot draws functions of two variables; f has {len(symbols)} ({names})")
    return symbols


@app.command(context_settings=COMMAND_SETTINGS)
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


@app.command(context_settings=COMMAND_SETTINGS)
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


@app.command(context_settings=COMMAND_SETTINGS)
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
