"""descend: gradient descent from a point, the path and the loss going down."""

from __future__ import annotations

import math
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
from jaccli.errors import JacError, quoted

if TYPE_CHECKING:
    from jaccli.descent import Descent
    from jaccli.pipeline import Context
    from jaccli.result import Result

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
        from jaccli.api import solve
        from jaccli.cli.optimise import check_plot_target
        from jaccli.descent import descend as run_descent
        from jaccli.errors import ShapeError
        from jaccli.pipeline import Context
        from jaccli.problem import Kind
        from jaccli.render.descent import KEEP_POINTS, JsonStream, render_descent

        if plot is not None:
            check_plot_target(plot)
        context = Context()
        try:
            gradient = solve(Kind.GRADIENT, read_texts([expr]), vars=vars_, points=[at], context=context)
        except ShapeError as error:
            raise ShapeError(str(error).replace("grad takes", "descend takes")) from None
        start = [float(context.evaluator.defined(v)) for _, v in gradient.evaluations[0].point]
        eta = _float_option(context, rate, "--rate")
        tolerance = _float_option(context, tol, "--tol")
        # JSON has every step, written as it is taken; a table shows the first and last ten steps; only
        # the picture needs every point kept
        stream = None
        if chosen == "json":
            stream = JsonStream(
                output.stdout, gradient.function_texts[0], list(gradient.variables), eta, steps, tolerance
            )
        keep = None if plot is not None else KEEP_POINTS
        on_step = stream.step if stream is not None else None
        result = run_descent(gradient, start, rate=eta, steps=steps, tol=tolerance, on_step=on_step, keep=keep)
        if plot is not None:
            _plot_path(Path(plot), gradient, result, context)
        if stream is not None:
            stream.finish(result)
        else:
            render_descent(result, chosen, output.stdout, color=not no_color)
    if plot is not None:
        typer.echo(f"jac: wrote {plot}", err=True)


def _float_option(context: Context, text: str, option: str) -> float:
    """--rate or --tol: a number written like a point value, within the range of floating point."""
    from jaccli.pipeline import constant

    value = context.evaluator.defined(constant(context, text, option))
    number = float(value)
    if value != 0 and number == 0:
        raise JacError(
            f"{option} '{quoted(text)}' is too small to compute with: it is 0 in floating point "
            "(the smallest positive number is about 5e-324)"
        )
    if not math.isfinite(number):
        raise JacError(
            f"{option} '{quoted(text)}' is too large to compute with: beyond the range of floating point "
            "(at most about 1.8e308)"
        )
    return number


def _plot_path(target: Path, gradient: Result, result: Descent, context: Context) -> None:
    """The contour picture with the arrows at the start point and the whole path."""
    from jaccli.cli.optimise import known_minimum, plot_names, surface
    from jaccli.render import picture

    names = plot_names(gradient)
    evaluation = gradient.evaluations[0]
    numbers = [evaluation.number_at(0, j) for j in range(len(names))]
    known = None if any(v is None for v in numbers) else [float(v or 0) for v in numbers]
    title = (
        f"gradient descent on f = {picture.function_text(gradient.function_texts[0])}, rate {result.rate:g}: "
        f"{result.steps_taken} steps, {result.reason.value}"
    )
    end = result.path[-1].point
    exact = known_minimum(gradient, context)
    minimum = exact or ((float(end[0]), float(end[1])) if result.converged else None)
    picture.draw(
        target,
        surface(gradient, names),
        names,
        result.path[0].point,
        known,
        title=title,
        path=[s.point for s in result.path],
        minimum=minimum,
        minimum_exact=exact is not None,
    )
