"""The optimisation view's options at points: --dir (grad) and --plot (grad, descend)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from jaccli.errors import JacError, PointError
from jaccli.pipeline import Context, constant
from jaccli.problem import Kind, Variable, point_texts
from jaccli.result import Result


def check_plot_target(plot: str) -> None:
    """Before any work: a file type the picture can have, and matplotlib installed."""
    from jaccli.render.picture import check_target

    check_target(plot)


def at_points(result: Result, context: Context, *, direction: str | None, plot: str | None) -> Result:
    """The evaluated gradient with the directional derivative (--dir) and the picture written (--plot)."""
    if direction is not None:
        if not result.evaluations:
            raise JacError("--dir needs --at: a directional derivative is taken at a point")
        from jaccli.optimisation import with_direction

        result = with_direction(result, parse_direction(direction, result, context), context)
    if plot is not None:
        plot_gradient(Path(plot), result, context)
    return result


def parse_direction(text: str, result: Result, context: Context) -> list[Any]:
    """--dir V in the gradient's columns, read like a point; the zero vector has no direction."""
    variables = result.problem.variables
    if list(result.variables) != list(result.problem.components):  # --wrt: the chosen columns only
        variables = tuple(Variable(name) for name in result.variables)
    vector = [
        constant(context, value.strip(), f"--dir value for {c}") for c, value in point_texts(text, variables, "--dir")
    ]
    if all(context.evaluator.value(c) == 0 for c in vector):
        raise PointError(f"--dir '{text}' is the zero vector, which has no direction")
    return vector


def surface(result: Result, names: Sequence[str]) -> Callable[[Any, Any], Any]:
    """f as a NumPy function of two arrays (NaN where undefined), for the contour picture."""
    from jaccli.compiled import elementary

    engine = result.engine
    (function,) = elementary(engine, [result.functions[0]])
    compiled = engine.compile([engine.symbol(n) for n in names], [function])

    def values(xs: Any, ys: Any) -> Any:
        import numpy as np

        grid = np.column_stack([np.ravel(xs), np.ravel(ys)]).astype(float)
        return compiled(grid)[:, 0].reshape(np.shape(xs))

    return values


def plot_names(result: Result) -> tuple[str, str]:
    """The two variables of the picture; anything else has no contour plot."""
    names = result.problem.components
    if len(names) != 2:
        shown = ", ".join(names) or "none"
        raise JacError(f"--plot draws functions of two variables; f has {len(names)} ({shown})")
    return names[0], names[1]


def plot_gradient(target: Path, result: Result, context: Context) -> None:
    """The contour picture at the one --at point of a gradient of a function of two variables."""
    from jaccli.render import picture

    assert result.kind is Kind.GRADIENT
    names = plot_names(result)
    if list(result.variables) != list(names):
        raise JacError("--plot draws the gradient in both variables; leave out --wrt")
    if len(result.evaluations) != 1:
        raise JacError(f"--plot draws one point; give exactly one --at (got {len(result.evaluations)})")
    evaluation = result.evaluations[0]
    point = dict(evaluation.point)
    numbers = [evaluation.number_at(0, j) for j in range(2)]
    known = None if any(v is None for v in numbers) else [float(v or 0) for v in numbers]
    at = ", ".join(f"{n} = {result.text(point[n])}" for n in names)
    minimum = known_minimum(result, context)
    picture.draw(
        target,
        surface(result, names),
        names,
        [float(context.evaluator.defined(point[n])) for n in names],
        known,
        title=f"f = {picture.function_text(result.function_texts[0])} at {at}",
        minimum=minimum,
        minimum_exact=minimum is not None,
    )


def known_minimum(result: Result, context: Context) -> tuple[float, float] | None:
    """The minimum of a quadratic f of two variables with a positive definite Hessian (the one point
    where grad f = 0), else None: other functions have no minimum jac knows without searching."""
    from jaccli.derive import Differentiator
    from jaccli.pipeline import Substitution

    engine = context.engine
    names = plot_names(result)
    differentiator = Differentiator(context.functions, [engine.symbol(n) for n in names])
    gradient = differentiator.gradient(result.functions[0])
    second = [differentiator.gradient(gradient[j]) if j in gradient else {} for j in range(2)]
    entries = [[second[i].get(j, engine.zero) for j in range(2)] for i in range(2)]
    if not all(engine.is_constant(e) for row in entries for e in row):
        return None  # not a quadratic: the Hessian changes from point to point
    h = [[float(context.evaluator.value(e) or 0) for e in row] for row in entries]
    determinant = h[0][0] * h[1][1] - h[0][1] * h[1][0]
    if not (h[0][0] > 0 and determinant > 0):
        return None
    at_origin = Substitution(context, {n: engine.zero for n in names})
    g = [float(context.evaluator.value(at_origin(gradient[j])) or 0) if j in gradient else 0.0 for j in range(2)]
    # grad f(v) = g + H v = 0
    return (
        -(h[1][1] * g[0] - h[0][1] * g[1]) / determinant,
        -(-h[1][0] * g[0] + h[0][0] * g[1]) / determinant,
    )
