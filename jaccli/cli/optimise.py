"""The optimisation view's options for grad and hessian at points (--dir, --plot, the critical-point test),
and the picture shared with descend. Imported inside the commands: it loads SymPy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sympy as sp

from jaccli import core, optimisation, parse
from jaccli.core import Kind, Result
from jaccli.errors import JacError, PointError
from jaccli.parse import Parsed


def check_plot_target(plot: str) -> None:
    """Before any work: a file type the picture can have, and matplotlib installed."""
    from jaccli.render.picture import check_target

    check_target(Path(plot))


def at_points(
    result: Result,
    parsed: Parsed,
    points: Sequence[dict[sp.Symbol, sp.Expr]],
    wrt: Sequence[str] | None,
    *,
    direction: str | None,
    plot: str | None,
) -> Result:
    """The evaluated result with the directional derivative (grad --dir), the critical-point test
    (hessian at a point), and the picture written (grad --plot)."""
    if direction is not None:
        if not points:
            raise JacError("--dir needs --at: a directional derivative is taken at a point")
        result = optimisation.with_direction(result, parse_direction(direction, parsed, result))
    if result.kind is Kind.HESSIAN and points:
        result = optimisation.classify(result, core.evaluate(core.gradient(parsed, wrt), points))
    if plot is not None:
        plot_gradient(Path(plot), parsed, result)
    return result


def parse_direction(text: str, parsed: Parsed, result: Result) -> list[sp.Expr]:
    """--dir V in the gradient's columns, read like a point; the zero vector has no direction."""
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


def plot_gradient(target: Path, parsed: Parsed, result: Result) -> None:
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
        title=f"f = {picture.function_text(parsed.texts[0])} at {at}",
    )


def plot_symbols(parsed: Parsed) -> tuple[sp.Symbol, ...]:
    """The two variables of the picture; anything else has no contour plot."""
    symbols = tuple(s for v in parsed.variables for s in v.symbols)
    if len(symbols) != 2:
        names = ", ".join(s.name for s in symbols) or "none"
        raise JacError(f"--plot draws functions of two variables; f has {len(symbols)} ({names})")
    return symbols
