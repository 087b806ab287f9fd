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
    from jaccli.build import Array, Builder, Value


def array_function(builder: Builder, name: str, args: Sequence[Value], node: ast.AST) -> Value:
    """name(*args) for one of the functions of whole arrays."""
    return getattr(_ArrayFunctions(builder, name, node), name)(*args)


class _ArrayFunctions:
    """The functions of whole arrays, for one call: its name and place are in every message."""

    def __init__(self, builder: Builder, name: str, node: ast.AST) -> None:
        self.builder = builder
        self.engine = builder.engine
        self.name = name
        self.node = node

    def refuse(self, message: str, hint: str | None = None) -> ShapeError:
        error = self.builder.fail(message, self.node, ShapeError, hint)
        assert isinstance(error, ShapeError)
        return error

    def _declare_hint(self) -> str | None:
        return suggest.declare_sizes(self.builder.scalar_names(getattr(self.node, "args", [])))

    def _vector(self, value: Value, what: str) -> Array:
        from jaccli.build import Array, shape_text

        if not isinstance(value, Array):
            raise self.refuse(f"{self.name}() takes {what}", self._declare_hint())
        if len(value.shape) != 1:
            raise self.refuse(f"{self.name}() takes {what}, got {shape_text(value)}")
        return value

    def _square(self, value: Value) -> Array:
        from jaccli.build import Array, shape_text

        if not isinstance(value, Array) or len(value.shape) != 2 or value.shape[0] != value.shape[1]:
            raise self.refuse(f"{self.name}() takes a square matrix, got {shape_text(value)}")
        return value

    def sum(self, value: Value) -> Value:
        from jaccli.build import Array

        if not isinstance(value, Array):
            raise self.refuse("sum() takes a vector or a matrix", self._declare_hint())
        return self.builder.combine(ADD, list(value.items))

    def dot(self, left: Value, right: Value) -> Value:
        from jaccli.build import shape_text

        a, b = self._vector(left, "two vectors"), self._vector(right, "two vectors")
        if a.shape != b.shape:
            raise self.refuse(f"dot() takes two vectors of one length, got {shape_text(a)} and {shape_text(b)}")
        return self.builder._dot(a.items, b.items)

    def outer(self, left: Value, right: Value) -> Value:
        from jaccli.build import Array

        a, b = self._vector(left, "two vectors"), self._vector(right, "two vectors")
        items = tuple(self.builder.combine(MUL, [u, v]) for u in a.items for v in b.items)
        return Array((a.shape[0], b.shape[0]), items, a.sources | b.sources)

    def norm(self, value: Value) -> Value:
        from jaccli.build import Array, shape_text

        if not isinstance(value, Array):
            raise self.refuse(
                f"norm() takes a vector or a matrix, got {shape_text(value)} (abs() is the size of a scalar)"
            )
        builder, number = self.builder, self.engine.number
        squares = [builder.power(item, number(2), self.node) for item in value.items]
        return builder.power(builder.combine(ADD, squares), number(1, 2), self.node)

    def transpose(self, value: Value) -> Value:
        from jaccli.build import Array

        if not isinstance(value, Array) or len(value.shape) == 1:
            return value
        m, n = value.shape
        return Array((n, m), tuple(value.items[i * n + j] for j in range(n) for i in range(m)), value.sources)

    def diag(self, value: Value) -> Value:
        from jaccli.build import Array, shape_text

        if not isinstance(value, Array):
            raise self.refuse(f"diag() takes a vector or a matrix, got {shape_text(value)}")
        if len(value.shape) == 1:
            n = value.shape[0]
            bounds.check_count(bounds.MATRIX_SIZE, n * n, f"diag() of a vector of {n:,} components")
            items = tuple(value.items[i] if i == j else self.engine.zero for i in range(n) for j in range(n))
            return Array((n, n), items, value.sources)
        m, n = value.shape
        return Array((min(m, n),), tuple(value.items[i * n + i] for i in range(min(m, n))), value.sources)

    def trace(self, value: Value) -> Value:
        matrix = self._square(value)
        n = matrix.shape[0]
        return self.builder.combine(ADD, [matrix.items[i * n + i] for i in range(n)])

    def _minors(self, value: Value) -> tuple[Array, _Minors, Any]:
        matrix = self._square(value)
        n = matrix.shape[0]
        bounds.check_count(bounds.DET_SIZE, n, f"{self.name}() of a {n}x{n} matrix")
        minors = _Minors(self.builder, matrix.items, n)
        return matrix, minors, minors.det(tuple(range(n)), tuple(range(n)))

    def det(self, value: Value) -> Value:
        return self._minors(value)[2]

    def inv(self, value: Value) -> Value:
        from jaccli.build import Array

        matrix, minors, determinant = self._minors(value)
        engine, n = self.engine, matrix.shape[0]
        if engine.is_constant(determinant) and self.builder.evaluator.value(determinant) == 0:
            raise self.refuse("inv() of a singular matrix (its determinant is 0)")
        inverse_det = self.builder.reciprocal(determinant, self.node)
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
                entries.append(self.builder.combine(MUL, [cofactor, inverse_det]))
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
