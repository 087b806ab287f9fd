"""Every closed form is checked before jac shows it: its values at a random point against the entries'.

The closed form is evaluated with NumPy (`numbers`), the result's entries with jac's own evaluator
(`jaccli.numeric`, high precision). A small block is compared entry by entry; a big one on a
random sample of its columns and, in each, of its rows, among them the diagonal and the rows
where the column has structural nonzeros, so that zeros and nonzeros are both compared. Points
are tried in turn (mixed signs, then positive, then beyond 1) until one is inside the domain of
some sampled entry; a closed form that differs anywhere, or that no point could check, is not shown.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jaccli.matrix_calculus.algebra import Algebra
from jaccli.matrix_calculus.nodes import SCALAR, Node, NotFoldedError, Zero, is_column, is_matrix
from jaccli.matrix_calculus.numbers import Numbers, Values
from jaccli.matrix_calculus.tree import split_component
from jaccli.problem import Variable

EVERY = 40  # rows or columns compared one by one up to this many; beyond, a sample
SAMPLE = 8
RELATIVE = 1e-7
_RANGES = ((0.2, 0.9, True), (0.2, 0.9, False), (1.1, 2.0, False))

Entry = Callable[[int, int], Any]  # (i, j) of a block -> the result's expression, None for a structural 0


class Checker:
    """Compares closed forms with a result's entries at seeded random points."""

    def __init__(self, algebra: Algebra, variables: Sequence[Variable], seed: int = 20240613) -> None:
        self.algebra = algebra
        self.engine = algebra.engine
        self.variables = list(variables)
        self.arrays = {v.name: v for v in variables if v.shape}
        self.seed = seed
        self.points: list[tuple[dict[str, Any], Numbers]] = []
        self.entry_values: list[Values] = []  # the entries' values at each point, shared by every block
        self.random = random.Random(seed)
        self.mismatches: list[tuple[Node, float, float]] = []  # (closed form, its value, the entry's): a bug

    def _point(self, k: int) -> tuple[dict[str, Any], Numbers]:
        while len(self.points) <= k:
            low, high, signs = _RANGES[len(self.points)]
            generator = np.random.default_rng(self.seed + len(self.points))
            values: dict[str, Any] = {}
            for variable in self.variables:
                size = variable.size or 1
                drawn = np.round(generator.uniform(low, high, size), 4)
                if signs:
                    drawn = drawn * generator.choice([-1.0, 1.0], size)
                values[variable.name] = drawn.reshape(variable.shape) if variable.shape else float(drawn[0])
            self.points.append((values, Numbers(self.algebra, values)))
            self.entry_values.append(Values(self.engine, self._lookup(values)))
        return self.points[k]

    def _lookup(self, values: dict[str, Any]) -> Callable[[Any], float]:
        def lookup(symbol: Any) -> float:
            return self._component_value(values, self.engine.node(symbol)[1])

        return lookup

    def _component_value(self, values: dict[str, Any], name: str) -> float:
        value = values.get(name)
        if value is not None and not isinstance(value, np.ndarray):
            return float(value)
        found = split_component(name, self.arrays)
        if found is None:
            raise KeyError(name)
        variable, index = found
        return float(np.ravel(values[variable.name])[index])

    def agrees(self, node: Node, rows: int, columns: int, entry: Entry) -> bool:
        """Whether the closed form `node` (rows x columns as a block) equals the entries at a point."""
        if isinstance(node, Zero) and all(
            entry(i, j) is None for i in self._sample(rows) for j in self._sample(columns)
        ):
            return True  # zero where the entries are structural zeros (the tree and the entries agree)
        for k in range(len(_RANGES)):
            _, numbers = self._point(k)
            try:
                pairs = self._pairs(node, rows, columns, entry, numbers)
            except NotFoldedError:
                return False
            expected = self._expected(k, [e for _, e in pairs])
            compared = 0
            for (got, _), want in zip(pairs, expected):
                if want is None:
                    continue
                if not np.isfinite(got):
                    return False  # undefined where the entry is defined (det(X)*inv(X)^T at a singular X)
                if abs(got - want) > RELATIVE * (1 + abs(want)):
                    self.mismatches.append((node, got, want))
                    return False
                compared += 1
            if compared:
                return True
        return False

    def _pairs(self, node: Node, rows: int, columns: int, entry: Entry, numbers: Numbers) -> list[tuple[Any, Any]]:
        """(closed-form value, entry expression) for the compared entries."""
        shape = node.shape
        if shape == SCALAR:
            return [(float(numbers.value(node)), entry(0, 0))]
        if not is_matrix(shape):
            vector = np.ravel(numbers.value(node))
            if is_column(shape):
                return [(float(vector[i]), entry(i, 0)) for i in self._sample(rows)]
            return [(float(vector[j]), entry(0, j)) for j in self._sample(columns)]
        pairs = []
        shared = self._sample(rows)
        for j in self._sample(columns):
            unit = np.zeros(columns)
            unit[j] = 1.0
            values = np.ravel(numbers.apply(node, unit))
            for i in self._rows(shared, rows, j, entry):
                pairs.append((float(values[i]), entry(i, j)))
        return pairs

    def _sample(self, count: int) -> list[int]:
        if count <= EVERY:
            return list(range(count))
        chosen = set(self.random.sample(range(count), SAMPLE)) | {0, count - 1}
        return sorted(chosen)

    def _rows(self, shared: list[int], count: int, column: int, entry: Entry) -> list[int]:
        """The shared sample of rows, the diagonal, and a row where the column is not a structural zero."""
        if count <= EVERY:
            return shared
        rows = set(shared)
        if column < count:
            rows.add(column)
        if all(entry(i, column) is None for i in rows):
            rows.update(next(([i] for i in range(min(count, 200)) if entry(i, column) is not None), []))
        return sorted(rows)

    def _expected(self, k: int, expressions: Sequence[Any]) -> list[float | None]:
        """The entries' values at point k (0 for a structural zero, None where undefined)."""
        evaluate = self.entry_values[k].value
        expected: list[float | None] = []
        for expr in expressions:
            value = 0.0 if expr is None else float(evaluate(expr))
            expected.append(value if np.isfinite(value) else None)
        return expected
