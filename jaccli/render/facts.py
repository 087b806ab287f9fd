"""The words shared by the table and plain renderers: names, the case line, the point lines.

A large result is summarised on the terminal: a matrix with more than SUMMARY_ABOVE rows or
columns shows only its top-left CORNER x CORNER entries with an ellipsis, and long lists of
functions, point values and vectors are cut the same way. JSON always carries everything.

The gradient of a scalar function by one matrix W is shown shaped like W (entry (i, j) is
df/dW_i_j, rows labelled W_i_·, columns W_·_j) instead of the 1 x (m*n) row of numerator layout:
the same entries, in the shape a gradient step W <- W - eta*df/dW needs. `Layout` says which entry
of the result sits where in the matrix shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
ANY_INDEX = "·"  # W_1_· is row 1 of W, W_·_2 its column 2


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
    """The view of the matrix shown: the result, or the gradient shaped like W."""
    return layout(result).view


def view_of(m: int, n: int) -> View:
    more_rows, more_columns = m > SUMMARY_ABOVE, n > SUMMARY_ABOVE
    return View(range(CORNER if more_rows else m), range(CORNER if more_columns else n), more_rows, more_columns)


@dataclass(frozen=True)
class WeightGradient:
    """The gradient of a scalar function by one matrix W, shaped like W: entry (i, j) is df/dW_i_j."""

    name: str
    rows: int
    columns: int
    start: int  # the result's column of W_1_1

    def column(self, i: int, j: int) -> int:
        return self.start + i * self.columns + j

    @property
    def shape_text(self) -> str:
        return f"{self.rows}x{self.columns}"


def weight_gradient(result: Result) -> WeightGradient | None:
    """W, when the result is the gradient of a scalar function by the one matrix W; else None."""
    shape = result.gradient_matrix_shape
    if shape is None:
        return None
    group = result.column_groups[0]
    return WeightGradient(group.name, shape[0], shape[1], group.start)


@dataclass(frozen=True)
class Layout:
    """The matrix as shown: its labels, and which entry (row, column) of the result sits at (i, j)."""

    row_labels: Sequence[str]
    column_labels: Sequence[str]
    position: Callable[[int, int], tuple[int, int]]

    @property
    def view(self) -> View:
        return view_of(len(self.row_labels), len(self.column_labels))


def layout(result: Result) -> Layout:
    weights = weight_gradient(result)
    if weights is None:
        return Layout(result.rows, result.variables, lambda i, j: (i, j))
    name = weights.name
    return Layout(
        [f"{name}_{i}_{ANY_INDEX}" for i in range(1, weights.rows + 1)],
        [f"{name}_{ANY_INDEX}_{j}" for j in range(1, weights.columns + 1)],
        lambda i, j: (0, weights.column(i, j)),
    )


def summary_note(result: Result, shown: View) -> str:
    weights = weight_gradient(result)
    m, n = result.shape if weights is None else (weights.rows, weights.columns)
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
    """e.g. `closed form: J = diag(x)` (vector notation), when the result folds into one; by a matrix W
    the closed form of the gradient shaped like W (`closed form: ∂f/∂W = 2*(W@x - y)*x^T`)."""
    closed = closed_form(result)
    return None if closed is None else f"closed form: {matrix_name(result)} = {closed}"


def closed_form(result: Result) -> str | None:
    """The closed form of the matrix shown: the result's, or that of the gradient shaped like W."""
    structure = result.structure
    if weight_gradient(result) is not None:
        return structure.gradient_matrix_closed_form
    return structure.closed_form


def matrix_name(result: Result) -> str:
    weights = weight_gradient(result)
    if weights is not None:
        return f"∂f/∂{weights.name}"
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


def domain(result: Result) -> str:
    """R, R^n, or R^(m x n) when the columns are the entries of one matrix."""
    n = result.shape[1]
    groups = result.column_groups
    if result.kind is not Kind.HESSIAN and result.case.scalar_variable:
        return "R"
    if len(groups) == 1 and len(groups[0].shape) == 2 and groups[0].size == n:
        rows, columns = groups[0].shape
        return f"R^({rows}x{columns})"
    if result.kind is Kind.HESSIAN and n == 1:
        return "R"
    return f"R^{n}"


def codomain(result: Result) -> str:
    """R, R^m, or R^(m x p) for a matrix-valued function."""
    if result.kind is Kind.HESSIAN or result.case.scalar_function:
        return "R"
    if result.function_shape is not None:
        rows, columns = result.function_shape
        return f"R^({rows}x{columns})"
    return f"R^{result.shape[0]}"


def _matrix_column_group(result: Result) -> str | None:
    """The matrix whose entries are all the columns, if there is one."""
    groups = result.column_groups
    if len(groups) == 1 and len(groups[0].shape) == 2 and groups[0].size == result.shape[1]:
        return groups[0].name
    return None


def flattening(result: Result) -> str | None:
    """How a matrix function or a matrix variable is laid out in the rows and columns; None if neither is."""
    matrix = _matrix_column_group(result)
    if result.kind is Kind.HESSIAN:
        return None if matrix is None else f"{matrix}'s entries are the rows and the columns, row-major"
    function = result.function_shape is not None
    if function and matrix:
        return f"f's entries are the rows and {matrix}'s the columns, row-major"
    if function:
        return "f's entries are the rows, row-major"
    if matrix:
        return f"{matrix}'s entries are the columns, row-major"
    return None


def case_line(result: Result) -> str:
    """e.g. `f: R^2 -> R, gradient 1x2`; `f: R^(2x3) -> R, gradient 1x6, shown 2x3 shaped like W`."""
    m, n = result.shape
    weights = weight_gradient(result)
    if result.kind is Kind.HESSIAN:
        line = f"f: {domain(result)} -> R, Hessian {n}x{n}"
    else:
        line = f"f: {domain(result)} -> {codomain(result)}, {result.case.name} {m}x{n}"
    if weights is not None:
        return f"{line}, shown {weights.shape_text} shaped like {weights.name}"
    how = flattening(result)
    return line if how is None else f"{line} ({how})"


def layout_note(result: Result) -> str:
    weights = weight_gradient(result)
    if weights is not None:
        name, (_, n) = weights.name, result.shape
        return (
            f"shaped like {name}: entry (i, j) is ∂f/∂{name}_i_j; in numerator layout the gradient ∇f is "
            f"the 1x{n} row of these entries, row by row"
        )
    if result.kind is Kind.HESSIAN:
        return "H[i][j] = ∂²f/∂θ_i∂θ_j"
    return "numerator layout: J[i][j] = ∂f_i/∂θ_j, row i is the gradient of f_i"


def function_lines(result: Result) -> list[str]:
    count = len(result.functions)
    if result.function_shape is not None and result.kind is not Kind.HESSIAN:
        names = list(result.rows)  # f_1_1 ... of a matrix-valued function
    else:
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


def nested_text(rows: Sequence[Sequence[str]]) -> str:
    """[[a, b], [c, d]]: a matrix as a point gives it (W=[[...], ...]), long rows and columns cut."""
    return "[" + ", ".join(shortened(["[" + ", ".join(shortened(row)) + "]" for row in rows])) + "]"


def gradient_text(result: Result, texts: Sequence[str]) -> str:
    """The gradient row's entries as a vector (a, b), or shaped like W, [[a, b], [c, d]]."""
    weights = weight_gradient(result)
    if weights is None:
        return "(" + ", ".join(shortened(texts)) + ")"
    chosen = texts[weights.start : weights.start + weights.rows * weights.columns]
    n = weights.columns
    return nested_text([chosen[k : k + n] for k in range(0, len(chosen), n)])


def gradient_value_text(result: Result, values: Sequence[Any | None]) -> str:
    return gradient_text(result, [result.text(v) for v in values])


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
    # + 0.0: the direction of a zero component is 0, not -0
    return tuple(-float(evaluator.defined(g)) / float(size) + 0.0 for g in evaluation.gradient)


def gradient_lines(result: Result, evaluation: Evaluation) -> list[str]:
    """|∇f|, the descent direction -∇f, and its unit vector (by a matrix W: |∂f/∂W|, shaped like W)."""
    norm = evaluation.norm
    name = "∇f" if weight_gradient(result) is None else matrix_name(result)
    size = f"|{name}|"
    lines = [f"{size} = {'undefined' if norm is None else approximately(result, norm)}"]
    if name != "∇f" and norm is not None:
        lines[0] += f" (the Frobenius norm: the length of the {result.shape[1]} entries)"
    lines.append(f"descent direction -{name} = {gradient_value_text(result, descent_direction(result, evaluation))}")
    unit = unit_descent(result, evaluation)
    if unit is not None:
        lines.append(f"unit descent direction -{name}/{size} = {gradient_text(result, [f'{u:.6g}' for u in unit])}")
    elif norm is not None:
        lines.append(f"{name} = 0 here: a critical point, no descent direction")
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
