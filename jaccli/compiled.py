"""A result compiled once into a numeric function of many points, for --points and gradient descent.

The engine compiles the structural nonzeros and the functions themselves (SymEngine's Lambdify, or
SymPy's lambdify over NumPy) after jac's own functions are written in elementary terms: sigmoid(u)
as 1/(1 + exp(-u)), softplus(u) as max(u, 0) + log(1 + exp(-abs(u))) (no overflow for large u),
heaviside(u) as (1 + sign(u))/2, cbrt(u) as sign(u)*abs(u)**(1/3).

Doubles can lose what the exact form keeps: x**2/(x**3)**(2/3) at 1e-200 underflows to 0/0. A
point whose double-precision values are not all finite is evaluated again in high precision
(`jaccli.numeric`), so that only a true undefined value is NaN; where f itself has no value at
a point, its whole row is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from jaccli.engine.base import ADD, CALL, MUL, POW, Engine
from jaccli.errors import LimitError
from jaccli.numeric import Evaluator

if TYPE_CHECKING:
    from jaccli.result import Result


def elementary(engine: Engine, expressions: Sequence[Any]) -> list[Any]:
    """The expressions with sigmoid, softplus, heaviside and cbrt written in elementary functions."""
    done: dict[Any, Any] = {}
    one, half = engine.one, engine.number(1, 2)

    def rewrite(expr: Any) -> Any:
        found = done.get(expr)
        if found is not None:
            return found
        kind, a, b = engine.node(expr)
        if kind in (ADD, MUL):
            args = [rewrite(t) for t in a]
            value = engine.add(args) if kind == ADD else engine.mul(args)
        elif kind == POW:
            value = engine.pow(rewrite(a), rewrite(b))
        elif kind == CALL:
            args = [rewrite(x) for x in b]
            value = _elementary_call(engine, a, args, one, half)
        else:
            value = expr
        done[expr] = value
        return value

    return [rewrite(e) for e in expressions]


def _elementary_call(engine: Engine, name: str, args: list[Any], one: Any, half: Any) -> Any:
    u = args[0]
    if name == "sigmoid":
        return engine.pow(engine.add([one, engine.primitive("exp", [engine.negate(u)])]), engine.number(-1))
    if name == "softplus":
        tail = engine.primitive(
            "log", [engine.add([one, engine.primitive("exp", [engine.negate(engine.primitive("abs", [u]))])])]
        )
        return engine.add([engine.primitive("max", [u, engine.zero]), tail])
    if name == "heaviside":
        return engine.mul([half, engine.add([one, engine.primitive("sign", [u])])])
    if name == "cbrt":
        return engine.mul(
            [engine.primitive("sign", [u]), engine.pow(engine.primitive("abs", [u]), engine.number(1, 3))]
        )
    return engine.primitive(name, args)


class Compiled:
    """The m x n result as one function of a chunk of points, returning an (N, m*n) array."""

    def __init__(self, result: Result) -> None:
        engine = result.engine
        self.engine = engine
        self.result = result
        self.names = list(result.problem.components)
        self.shape = result.shape
        self.positions = [(i, j) for i, row in enumerate(result.entries) for j in row]
        self.expressions = [result.entries[i][j] for i, j in self.positions]
        self.functions = list(result.functions)
        compiled = elementary(engine, self.expressions + self.functions)
        symbols = [engine.symbol(name) for name in self.names]
        self.function = engine.compile(symbols, compiled)
        self.rows = np.array([i for i, _ in self.positions], dtype=int)
        self.flat = np.array([i * self.shape[1] + j for i, j in self.positions], dtype=int)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        return self.values_and_functions(points)[0]

    def values_and_functions(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (N, m*n) values and the (N, number of functions) values of the functions themselves."""
        count = points.shape[0]
        m, n = self.shape
        k = len(self.expressions)
        computed = self.function(points) if (k + len(self.functions)) else np.empty((count, 0))
        suspect = np.flatnonzero(~np.isfinite(computed).all(axis=1))
        for index in suspect:  # doubles overflowed, underflowed or are truly undefined: ask mpmath
            computed[index] = self._precise(points[index])
        values = np.zeros((count, m * n))
        values[:, self.flat] = computed[:, :k]
        undefined_functions = np.isnan(computed[:, k:])
        if self.result.kind.value == "hessian":
            undefined_rows = np.repeat(undefined_functions[:, :1], m, axis=1)
        else:
            undefined_rows = undefined_functions
        if undefined_rows.any():
            mask = np.repeat(undefined_rows, n, axis=1)
            values[mask] = np.nan
        return values, computed[:, k:]

    def _precise(self, point: np.ndarray) -> np.ndarray:
        evaluator = Evaluator(self.engine, dict(zip(self.names, (float(v) for v in point))), digits=30)
        out = []
        for expr in self.expressions + self.functions:
            try:
                value = evaluator.value(expr)
            except LimitError:  # beyond the range of doubles by far: no number to write
                value = None
            number = float("nan")
            if value is not None:
                try:
                    number = float(value)
                except OverflowError:
                    number = float("nan")
            out.append(number if np.isfinite(number) else float("nan"))
        return np.array(out)
