"""The words shared by the table and plain renderers: names, the case line, the point lines.

A large result is summarised on the terminal: a matrix with more than SUMMARY_ABOVE rows or
columns shows only its top-left CORNER x CORNER entries with an ellipsis, and long lists of
functions, point values and vectors are cut the same way. JSON always carries everything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from jaccli.core import Evaluation, Kind, Result
from jaccli.optimisation import CriticalPoint, Curvature, Directional
from jaccli.printing import to_text

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
    functions = result.functions
    if view(result).summarised:  # a sum over 200 components is one very long line
        functions = tuple(t if len(t) <= LONG_TEXT else f"{t[:LONG_TEXT]} {ELLIPSIS}" for t in functions)
    if len(functions) == 1:
        return [f"f = {functions[0]}"]
    lines = [f"f_{i} = {text}" for i, text in enumerate(functions, 1)]
    if len(lines) > SUMMARY_ABOVE:
        return [*lines[:CORNER], f"{ELLIPSIS} ({len(lines)} functions)", lines[-1]]
    return lines


def entry_text(value: sp.Expr | None) -> str:
    return "undefined" if value is None else to_text(value)


def cell_text(value: sp.Expr | None, shown: View, *, at_point: bool = False) -> str:
    """An entry in a matrix view: in full, or cut to LONG_CELL characters in the corner of a large one;
    at a point, a value that is not an integer with its decimal (never cut)."""
    text = entry_text(value)
    if shown.summarised and len(text) > LONG_CELL:
        text = f"{text[:LONG_CELL]} {ELLIPSIS}"
    if at_point and value is not None and value.is_number and not value.is_Integer:
        text = f"{text} ≈ {decimal(value)}"
    return text


def point_text(evaluation: Evaluation) -> str:
    return ", ".join(shortened([f"{name} = {to_text(value)}" for name, value in evaluation.point]))


def vector_text(values: Sequence[sp.Expr | None]) -> str:
    return "(" + ", ".join(shortened([entry_text(v) for v in values])) + ")"


def approximately(value: sp.Expr) -> str:
    """`10*sqrt(2) ≈ 14.1421`, `2/3 ≈ 0.666667` where the exact value is not an integer."""
    exact = to_text(value)
    if value.is_Integer:
        return exact
    return f"{exact} ≈ {decimal(value)}"


def decimal(value: sp.Expr, digits: int = 6) -> str:
    """The value to `digits` significant digits, also beyond the range of a float (exp(1000) ≈ 1.97007e+434)."""
    number = value.evalf(digits + 15)
    as_float = float(number)
    if math.isfinite(as_float) and (as_float != 0 or number.is_zero):
        return f"{as_float:.{digits}g}"
    return str(sp.Float(number, digits))


def gradient_lines(evaluation: Evaluation) -> list[str]:
    """|∇f|, the descent direction -∇f, and its unit vector."""
    norm = evaluation.norm
    lines = [f"|∇f| = {'undefined' if norm is None else approximately(norm)}"]
    lines.append(f"descent direction -∇f = {vector_text(evaluation.descent_direction)}")
    unit = evaluation.unit_descent
    if unit is not None:
        lines.append("unit descent direction -∇f/|∇f| = (" + ", ".join(shortened([f"{u:.6g}" for u in unit])) + ")")
    elif norm is not None:
        lines.append("∇f = 0 here: a critical point, no descent direction")
    return lines


def eigenvalue_text(curvature: Curvature) -> str:
    if curvature.eigenvalues is None:
        return "undefined (an entry of H is undefined here)"
    if curvature.exact is not None:
        return ", ".join(approximately(e) for e in curvature.exact)
    return ", ".join(f"{v:.6g}" for v in curvature.eigenvalues) + " (numeric)"


_VERDICTS = {
    CriticalPoint.MINIMUM: "a local minimum (every eigenvalue of H is positive)",
    CriticalPoint.MAXIMUM: "a local maximum (every eigenvalue of H is negative)",
    CriticalPoint.SADDLE: "a saddle point (H has positive and negative eigenvalues)",
    CriticalPoint.DEGENERATE: "degenerate: an eigenvalue of H is 0, so the second-derivative test is inconclusive",
}


def curvature_lines(curvature: Curvature) -> list[str]:
    """The eigenvalues of H and the second-derivative test at the point."""
    lines = [f"eigenvalues of H: {eigenvalue_text(curvature)}"]
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


def directional_lines(directional: Directional) -> list[str]:
    """∇f·v/|v| along --dir, and the angle between v and the descent direction."""
    v = vector_text(directional.direction)
    value = "undefined" if directional.value is None else approximately(directional.value)
    lines = [f"directional derivative along v = {v}: ∇f·v/|v| = {value}"]
    if directional.angle_to_descent is not None:
        lines.append(f"angle between v and the descent direction -∇f: {directional.angle_to_descent:.4g}°")
    elif directional.value is not None:
        lines.append("∇f = 0 here: f is flat to first order in every direction")
    return lines
