"""The words shared by the table and plain renderers: names, the case line, the point lines.

A large result is summarised on the terminal: a matrix with more than SUMMARY_ABOVE rows or
columns shows only its top-left CORNER x CORNER entries with an ellipsis, and long lists of
functions, point values and vectors are cut the same way. JSON always carries everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath

from jaccli.engine.base import NUMBER
from jaccli.numeric import Evaluator, to_float
from jaccli.optimisation import CriticalPoint, Curvature, Directional
from jaccli.problem import Kind
from jaccli.result import Evaluation, Result

SUMMARY_ABOVE = 12  # rows or columns beyond which the terminal shows a corner of the matrix
CORNER = 5  # rows and columns of that corner
LONG_TEXT = 100  # characters of a function shown when the result is summarised
LONG_CELL = 40  # characters of an entry shown in the corner of a summarised matrix
ELLIPSIS = "…"
VERTICAL_ELLIPSIS = "⋮"


@dataclass(frozen=True)
class View:
    """Which rows and columns the terminal shows; all of them unless the result is large."""

    rows: range
    columns: range
    more_rows: bool
    more_columns: bool

    @property
    def summarised(self) -> bool:
        return self.more_rows or self.more_columns


def view(result: Result) -> View:
    m, n = result.shape
    more_rows, more_columns = m > SUMMARY_ABOVE, n > SUMMARY_ABOVE
    return View(range(CORNER if more_rows else m), range(CORNER if more_columns else n), more_rows, more_columns)


def summary_note(result: Result, shown: View) -> str:
    m, n = result.shape
    return (
        f"showing the top-left {len(shown.rows)}x{len(shown.columns)} corner of the {m}x{n} matrix "
        "(--json gives all of it)"
    )


def shortened(items: Sequence[str]) -> list[str]:
    """The items, or the first CORNER of them, an ellipsis and the last one when there are many."""
    if len(items) <= SUMMARY_ABOVE:
        return list(items)
    return [*items[:CORNER], ELLIPSIS, items[-1]]


def closed_form_line(result: Result) -> str | None:
    """e.g. `closed form: J = diag(x)` (vector notation), when the result folds into one."""
    closed = result.structure.closed_form
    return None if closed is None else f"closed form: {matrix_name(result)} = {closed}"


def matrix_name(result: Result) -> str:
    if result.kind is Kind.GRADIENT:
        return "∇f"
    if result.kind is Kind.HESSIAN:
        return "H"
    if result.kind is Kind.JACOBIAN:
        return "J"
    variable = result.variables[0]
    if result.order == 1:
        return f"df/d{variable}"
    return f"d^{result.order}f/d{variable}^{result.order}"


def case_line(result: Result) -> str:
    """e.g. `f: R^2 -> R, gradient 1x2`."""
    m, n = result.shape
    case = result.case

    def space(size: int, scalar: bool) -> str:
        return "R" if scalar else f"R^{size}"

    if result.kind is Kind.HESSIAN:
        return f"f: {space(n, n == 1)} -> R, Hessian {n}x{n}"
    domain = space(n, case.scalar_variable)
    codomain = space(m, case.scalar_function)
    return f"f: {domain} -> {codomain}, {case.name} {m}x{n}"


def layout_note(result: Result) -> str:
    if result.kind is Kind.HESSIAN:
        return "H[i][j] = ∂²f/∂θ_i∂θ_j"
    return "numerator layout: J[i][j] = ∂f_i/∂θ_j, row i is the gradient of f_i"


def function_lines(result: Result) -> list[str]:
    count = len(result.functions)
    names = ["f"] if count == 1 else [f"f_{i}" for i in range(1, count + 1)]
    shown = list(range(count)) if count <= SUMMARY_ABOVE else [*range(CORNER), count - 1]
    lines = []
    for k in shown:
        text = result.text(result.functions[k])
        if view(result).summarised and len(text) > LONG_TEXT:  # a sum over 200 components is one long line
            text = f"{text[:LONG_TEXT]} {ELLIPSIS}"
        lines.append(f"{names[k]} = {text}")
    if count > SUMMARY_ABOVE:
        return [*lines[:CORNER], f"{ELLIPSIS} ({count} functions)", lines[-1]]
    return lines


def cell_text(result: Result, value: Any | None, shown: View, *, at_point: bool = False) -> str:
    """An entry in a matrix view: in full, or cut to LONG_CELL characters in the corner of a large one;
    at a point, a value that is not an integer with its decimal (never cut)."""
    text = result.text(value)
    if shown.summarised and len(text) > LONG_CELL:
        text = f"{text[:LONG_CELL]} {ELLIPSIS}"
    if at_point and value is not None and not _integer(result, value):
        text = f"{text} ≈ {decimal(result, value)}"
    return text


def _integer(result: Result, value: Any) -> bool:
    kind, _, denominator = result.engine.node(value)
    return kind == NUMBER and denominator == 1


def point_text(result: Result, evaluation: Evaluation) -> str:
    return ", ".join(shortened([f"{name} = {result.text(value)}" for name, value in evaluation.point]))


def vector_text(result: Result, values: Sequence[Any | None]) -> str:
    return "(" + ", ".join(shortened([result.text(v) for v in values])) + ")"


def approximately(result: Result, value: Any) -> str:
    """`10*sqrt(2) ≈ 14.1421`, `2/3 ≈ 0.666667` where the exact value is not an integer."""
    exact = result.text(value)
    if _integer(result, value):
        return exact
    return f"{exact} ≈ {decimal(result, value)}"


def decimal(result: Result, value: Any, digits: int = 6) -> str:
    """The value to `digits` significant digits, also beyond the range of a float (exp(1000) ≈ 1.97007e+434)."""
    number = Evaluator(result.engine).value(value)
    if number is None:
        return "undefined"
    as_float = to_float(number)
    if as_float is not None and (as_float != 0 or number == 0):
        return f"{as_float:.{digits}g}"
    return mpmath.nstr(number, digits)


def descent_direction(result: Result, evaluation: Evaluation) -> list[Any | None]:
    """-grad f: the direction in which f decreases fastest, which gradient descent follows."""
    return [None if g is None else result.engine.negate(g) for g in evaluation.gradient]


def unit_descent(result: Result, evaluation: Evaluation) -> tuple[float, ...] | None:
    norm = evaluation.norm
    if norm is None:
        return None
    evaluator = Evaluator(result.engine)
    size = evaluator.value(norm)
    if not size:
        return None
    return tuple(-float(evaluator.defined(g)) / float(size) for g in evaluation.gradient)


def gradient_lines(result: Result, evaluation: Evaluation) -> list[str]:
    """|∇f|, the descent direction -∇f, and its unit vector."""
    norm = evaluation.norm
    lines = [f"|∇f| = {'undefined' if norm is None else approximately(result, norm)}"]
    lines.append(f"descent direction -∇f = {vector_text(result, descent_direction(result, evaluation))}")
    unit = unit_descent(result, evaluation)
    if unit is not None:
        lines.append("unit descent direction -∇f/|∇f| = (" + ", ".join(shortened([f"{u:.6g}" for u in unit])) + ")")
    elif norm is not None:
        lines.append("∇f = 0 here: a critical point, no descent direction")
    return lines


def eigenvalue_text(result: Result, curvature: Curvature) -> str:
    if curvature.eigenvalues is None:
        return "undefined (an entry of H is undefined here)"
    if curvature.exact is not None:
        return ", ".join(approximately(result, e) for e in curvature.exact)
    return ", ".join(f"{v:.6g}" for v in curvature.eigenvalues) + " (numeric)"


_VERDICTS = {
    CriticalPoint.MINIMUM: "a local minimum (every eigenvalue of H is positive)",
    CriticalPoint.MAXIMUM: "a local maximum (every eigenvalue of H is negative)",
    CriticalPoint.SADDLE: "a saddle point (H has positive and negative eigenvalues)",
    CriticalPoint.DEGENERATE: "degenerate: an eigenvalue of H is 0, so the second-derivative test is inconclusive",
}


def curvature_lines(result: Result, curvature: Curvature) -> list[str]:
    """The eigenvalues of H and the second-derivative test at the point."""
    lines = [f"eigenvalues of H: {eigenvalue_text(result, curvature)}"]
    kind = curvature.critical_point
    if curvature.gradient_zero is None:
        lines.append("∇f is undefined here: no classification")
    elif not curvature.gradient_zero:
        lines.append("∇f ≠ 0 here: not a critical point, so no classification")
    elif kind is None:
        lines.append("∇f = 0 here: a critical point, but H is undefined, so no classification")
    else:
        lines.append(f"∇f = 0 here: critical point: {_VERDICTS[kind]}")
    return lines


def directional_lines(result: Result, directional: Directional) -> list[str]:
    """∇f·v/|v| along --dir, and the angle between v and the descent direction."""
    v = vector_text(result, directional.direction)
    value = "undefined" if directional.value is None else approximately(result, directional.value)
    lines = [f"directional derivative along v = {v}: ∇f·v/|v| = {value}"]
    if directional.angle_to_descent is not None:
        lines.append(f"angle between v and the descent direction -∇f: {directional.angle_to_descent:.4g}°")
    elif directional.value is not None:
        lines.append("∇f = 0 here: f is flat to first order in every direction")
    return lines
