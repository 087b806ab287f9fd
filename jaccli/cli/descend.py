"""descend: gradient descent from a point, the path and the loss going down."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jaccli.cli.app import app
from jaccli.cli.options import (
    COMMAND_SETTINGS,
    DEFAULT_TIMEOUT,
    Format,
    FormatOpt,
    Json,
    NoColor,
    Plot,
    Timeout,
    Vars,
    command,
    output_format,
    read_texts,
)

if TYPE_CHECKING:
    import sympy as sp

    from jaccli.descent import Descent
    from jaccli.parse import Parsed

# The defaults, repeated from jaccli.descent so that --help does not import SymPy to show them.
DEFAULT_RATE = "0.1"
DEFAULT_STEPS = 100
DEFAULT_TOL = "1e-6"


@app.command(context_settings=COMMAND_SETTINGS)
def descend(
    expr: Annotated[str, typer.Argument(help="One scalar function (the loss); - reads standard input.")],
    at: Annotated[
        str, typer.Option("--at", help="The start point: 5,-5 (all variables in order), x=5,y=-5 or w=[1,2,3].")
    ],
    rate: Annotated[
        str,
        typer.Option("--rate", help="The learning rate eta in x <- x - eta*grad f(x), e.g. 0.1 or 1/8."),
    ] = DEFAULT_RATE,
    steps: Annotated[int, typer.Option("--steps", help="At most this many steps.")] = DEFAULT_STEPS,
    tol: Annotated[str, typer.Option("--tol", help="Stop (converged) when |grad f| < tol.")] = DEFAULT_TOL,
    vars_: Vars = None,
    plot: Plot = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> None:
    """Gradient descent from a point: x <- x - rate*grad f(x), until |grad f| < tol, divergence or --steps.

    Example: jac descend "x**2+y**2" --at 5,-5 --rate 0.1 --steps 50
    """
    chosen = output_format(fmt, json_, no_color=no_color)
    with command(timeout) as output:
        from jaccli import parse
        from jaccli.cli.optimise import check_plot_target
        from jaccli.descent import descend as run_descent
        from jaccli.render.descent import render_descent

        if plot is not None:
            check_plot_target(plot)
        variables = parse.parse_vars(vars_) if vars_ is not None else None
        parsed = parse.parse_functions(read_texts([expr]), variables)
        start = parse.parse_point(at, parsed.variables)
        eta = float(parse.parse_constant(rate, "--rate"))
        tolerance = float(parse.parse_constant(tol, "--tol"))
        result = run_descent(parsed, start, rate=eta, steps=steps, tol=tolerance)
        if plot is not None:
            _plot_path(Path(plot), parsed, start, result)
        render_descent(result, chosen, output.stdout, color=not no_color)
    if plot is not None:
        typer.echo(f"jac: wrote {plot}", err=True)


def _plot_path(target: Path, parsed: Parsed, start: Mapping[sp.Symbol, sp.Expr], result: Descent) -> None:
    """The contour picture with the arrows at the start point and the whole path."""
    from jaccli import core
    from jaccli.cli.optimise import plot_symbols
    from jaccli.render import picture

    symbols = plot_symbols(parsed)
    gradient = core.evaluate(core.gradient(parsed), [start]).evaluations[0].gradient
    known = None if any(g is None for g in gradient) else [float(g) for g in gradient if g is not None]
    title = (
        f"gradient descent on f = {picture.function_text(parsed.texts[0])}, rate {result.rate:g}: "
        f"{result.steps_taken} steps, {result.reason.value}"
    )
    end = result.path[-1].point
    minimum = (float(end[0]), float(end[1])) if result.converged else None
    picture.draw(
        target,
        parsed.functions[0],
        symbols,
        result.path[0].point,
        known,
        title=title,
        path=[s.point for s in result.path],
        minimum=minimum,
    )
