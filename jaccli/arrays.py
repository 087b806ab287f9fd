"""The functions of whole vectors and matrices: sum, dot, transpose, trace, det, inv, diag, outer, norm.

They follow NumPy for 1-D and 2-D operands: the transpose of a vector is the vector, diag of a
vector is the diagonal matrix and diag of a matrix its diagonal, sum adds every entry, norm is the
Euclidean (Frobenius) norm. det and inv expand a square matrix symbolically (det by cofactors with
every minor computed once), so their size is limited by `det_size`.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jaccli import bounds, suggest
from jaccli.engine.base import ADD, MUL
from jaccli.errors import ShapeError

if TYPE_CHECKING:
    from jaccli.build import Builder, Value


def array_function(builder: Builder, name: str, args: Sequence[Value], node: ast.AST) -> Value:
    from jaccli.build import Array, shape_text

    engine = builder.engine

    def refuse(message: str, hint: str | None = None) -> ShapeError:
        error = builder.fail(message, node, ShapeError, hint)
        assert isinstance(error, ShapeError)
        return error

    def square(value: Value) -> Array:
        if not isinstance(value, Array) or len(value.shape) != 2 or value.shape[0] != value.shape[1]:
            raise refuse(f"{name}() takes a square matrix, got {shape_text(value)}")
        return value

    def vector(value: Value, what: str) -> Array:
        if not isinstance(value, Array):
            raise refuse(
                f"{name}() takes {what}", suggest.declare_sizes(builder.scalar_names(getattr(node, "args", [])))
            )
        if len(value.shape) != 1:
            raise refuse(f"{name}() takes {what}, got {shape_text(value)}")
        return value

    if name == "sum":
        (value,) = args
        if not isinstance(value, Array):
            raise refuse(
                "sum() takes a vector or a matrix",
                suggest.declare_sizes(builder.scalar_names(getattr(node, "args", []))),
            )
        return builder.combine(ADD, list(value.items))
    if name == "dot":
        left, right = (vector(a, "two vectors") for a in args)
        if left.shape != right.shape:
            raise refuse(f"dot() takes two vectors of one length, got {shape_text(left)} and {shape_text(right)}")
        return builder._dot(left.items, right.items)
    if name == "outer":
        left, right = (vector(a, "two vectors") for a in args)
        items = tuple(builder.combine(MUL, [a, b]) for a in left.items for b in right.items)
        return Array((left.shape[0], right.shape[0]), items, left.sources | right.sources)
    if name == "norm":
        (value,) = args
        if not isinstance(value, Array):
            raise refuse(f"norm() takes a vector or a matrix, got {shape_text(value)} (abs() is the size of a scalar)")
        squares = [builder.power(item, engine.number(2), node) for item in value.items]
        return builder.power(builder.combine(ADD, squares), engine.number(1, 2), node)
    (value,) = args
    if name == "transpose":
        if not isinstance(value, Array) or len(value.shape) == 1:
            return value
        m, n = value.shape
        return Array((n, m), tuple(value.items[i * n + j] for j in range(n) for i in range(m)), value.sources)
    if name == "diag":
        if not isinstance(value, Array):
            raise refuse(f"diag() takes a vector or a matrix, got {shape_text(value)}")
        if len(value.shape) == 1:
            n = value.shape[0]
            bounds.check_count(bounds.MATRIX_SIZE, n * n, f"diag() of a vector of {n:,} components")
            items = tuple(value.items[i] if i == j else engine.zero for i in range(n) for j in range(n))
            return Array((n, n), items, value.sources)
        m, n = value.shape
        return Array((min(m, n),), tuple(value.items[i * n + i] for i in range(min(m, n))), value.sources)
    matrix = square(value)
    n = matrix.shape[0]
    if name == "trace":
        return builder.combine(ADD, [matrix.items[i * n + i] for i in range(n)])
    bounds.check_count(bounds.DET_SIZE, n, f"{name}() of a {n}x{n} matrix")
    minors = _Minors(builder, matrix.items, n)
    determinant = minors.det(tuple(range(n)), tuple(range(n)))
    if name == "det":
        return determinant
    if engine.is_constant(determinant) and builder.evaluator.value(determinant) == 0:
        raise refuse("inv() of a singular matrix (its determinant is 0)")
    inverse_det = builder.reciprocal(determinant, node)
    everything = tuple(range(n))
    entries: list[Any] = []
    for i in range(n):
        for j in range(n):
            # (A^-1)_ij = (-1)^(i+j) M_ji / det A, M_ji the minor without row j and column i
            rows = tuple(k for k in everything if k != j)
            columns = tuple(k for k in everything if k != i)
            cofactor = minors.det(rows, columns) if n > 1 else engine.one
            if (i + j) % 2:
                cofactor = engine.negate(cofactor)
            entries.append(builder.combine(MUL, [cofactor, inverse_det]))
    return Array((n, n), tuple(entries), matrix.sources)


class _Minors:
    """Determinants of the square submatrices of one matrix, each computed once (Laplace expansion
    along the first row of the submatrix)."""

    def __init__(self, builder: Builder, items: Sequence[Any], n: int) -> None:
        self.builder = builder
        self.items = items
        self.n = n
        self.cache: dict[tuple[tuple[int, ...], tuple[int, ...]], Any] = {}

    def det(self, rows: tuple[int, ...], columns: tuple[int, ...]) -> Any:
        found = self.cache.get((rows, columns))
        if found is not None:
            return found
        builder, engine = self.builder, self.builder.engine
        if len(rows) == 1:
            result = self.items[rows[0] * self.n + columns[0]]
        else:
            terms = []
            first, rest = rows[0], rows[1:]
            for k, column in enumerate(columns):
                entry = self.items[first * self.n + column]
                if entry == engine.zero:
                    continue
                minor = self.det(rest, columns[:k] + columns[k + 1 :])
                term = builder.combine(MUL, [entry, minor])
                terms.append(engine.negate(term) if k % 2 else term)
            result = builder.combine(ADD, terms) if terms else engine.zero
        self.cache[(rows, columns)] = result
        return result
