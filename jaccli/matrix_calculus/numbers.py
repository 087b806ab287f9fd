"""Values of nodes with NumPy at a point, without forming big structured matrices.

A vector is a 1-D array (a column and a row alike), a matrix a 2-D array. A matrix built from
vectors (diag(x) of 5,000 components, an outer product, I) is never formed: `apply(m, v)` gives
m@v from its structure, so a column of a 5,000 x 5,000 Jacobian costs a pass over 5,000 numbers.
Only matrices given as such (declared ones, and functions of them) are formed, up to DENSE entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL
from jaccli.matrix_calculus.algebra import Algebra
from jaccli.matrix_calculus.nodes import (
    SCALAR,
    Component,
    Diag,
    DiagOf,
    Elem,
    Inv,
    MatMul,
    Node,
    NotFoldedError,
    Reduce,
    Transpose,
    Var,
    Zero,
    entries,
    is_column,
    is_matrix,
    is_row,
)

DENSE = 4_000_000


def _reduce(function: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def apply(*args: Any) -> Any:
        result = args[0]
        for a in args[1:]:
            result = function(result, a)
        return result

    return apply


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "sec": lambda a: 1 / np.cos(a),
    "csc": lambda a: 1 / np.sin(a),
    "cot": lambda a: 1 / np.tan(a),
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "asinh": np.arcsinh,
    "acosh": np.arccosh,
    "atanh": np.arctanh,
    "exp": np.exp,
    "log": np.log,
    "abs": np.abs,
    "sign": np.sign,
    "floor": np.floor,
    "ceiling": np.ceil,
    "heaviside": lambda a: np.heaviside(a, 0.5),
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "softplus": lambda a: np.logaddexp(0, a),
    "cbrt": np.cbrt,
    "atan2": np.arctan2,
    "max": _reduce(np.maximum),
    "min": _reduce(np.minimum),
}


class Numbers:
    """Values of the nodes of one algebra at one point (variable name -> float or array)."""

    def __init__(self, algebra: Algebra, point: Mapping[str, Any]) -> None:
        self.algebra = algebra
        self.engine = algebra.engine
        self.point = point
        self.cache: dict[Node, Any] = {}

    def value(self, node: Node) -> Any:
        found = self.cache.get(node)
        if found is None:
            with np.errstate(all="ignore"):
                found = self._value(node)
            self.cache[node] = found
        return found

    def _value(self, node: Node) -> Any:
        if is_matrix(node.shape):
            return self.dense(node)
        if isinstance(node, Var):
            return self.point[node.name]
        if isinstance(node, Component):
            return np.ravel(self.point[node.owner])[node.index]
        if isinstance(node, Zero):
            return 0.0 if node.shape == SCALAR else np.zeros(entries(node.shape))
        if isinstance(node, Elem):
            return self._elem(node)
        if isinstance(node, MatMul):
            return self._product_value(node)
        if isinstance(node, Transpose):
            return self.value(node.arg)
        if isinstance(node, DiagOf):
            return self.dense(node.arg).diagonal().copy()
        if isinstance(node, Reduce):
            return self._reduce(node)
        raise NotFoldedError(f"no value of {type(node).__name__}")

    def _elem(self, node: Elem) -> Any:
        env = {self.algebra.symbol(arg): self.value(arg) for arg in node.args}
        result = template_value(self.engine, node.template, env)
        if node.shape == SCALAR:
            return float(result)
        rows, columns = node.shape
        size = (rows or 1, columns or 1) if is_matrix(node.shape) else (entries(node.shape),)
        return np.broadcast_to(np.asarray(result, dtype=float), size)

    def _product_value(self, node: MatMul) -> Any:
        factors = node.factors
        if is_row(node.shape):  # v^T@A@B = (B^T@A^T@v)^T
            return self.value(self.algebra.transpose(node))
        result = self.value(factors[-1]) if not is_matrix(factors[-1].shape) else None
        if result is None:
            raise NotFoldedError("a product ending in a matrix has no vector value")
        return self._apply_factors(factors[:-1], result)

    def _apply_factors(self, factors: tuple[Node, ...], vector: Any) -> Any:
        """factors[0] @ ... @ factors[-1] @ vector, right to left; vector may become a scalar and back."""
        result = vector
        for factor in reversed(factors):
            if is_matrix(factor.shape):
                result = self.apply(factor, result)
            elif is_row(factor.shape):
                result = float(np.dot(self.value(factor), result))
            else:
                result = self.value(factor) * result
        return result

    def _reduce(self, node: Reduce) -> float:
        if node.name == "sum":
            return float(np.sum(self.value(node.arg)))
        if node.name == "norm":
            return float(np.linalg.norm(np.ravel(self.value(node.arg))))
        matrix = self.dense(node.arg)
        return float(np.trace(matrix) if node.name == "trace" else np.linalg.det(matrix))

    def apply(self, node: Node, vector: Any) -> Any:
        """node@vector for a matrix node, from its structure."""
        with np.errstate(all="ignore"):
            if isinstance(node, Diag):
                return self.value(node.arg) * vector
            if isinstance(node, Zero):
                return np.zeros(node.shape[0] or 0)
            if isinstance(node, MatMul):
                return self._apply_factors(node.factors, vector)
            if isinstance(node, Elem):
                linear = self._linear_parts(node)
                if linear is not None:
                    total = np.zeros(node.shape[0] or 0)
                    for scale, part in linear:
                        total = total + scale * self.apply(part, vector)
                    return total
            return self.dense(node) @ vector

    def _linear_parts(self, node: Elem) -> list[tuple[float, Node]] | None:
        """[(c, M)] with node = sum of c*M, the c scalars; None where the template is not of that form."""
        algebra, engine = self.algebra, self.engine
        kind, a, _ = engine.node(node.template)
        terms = list(a) if kind == ADD else [node.template]
        parts = []
        for term in terms:
            scale, core = algebra.term_parts(term)
            if core is None or core.shape != node.shape:
                return None
            env = {algebra.symbol(arg): self.value(arg) for arg in node.args if arg.shape == SCALAR}
            parts.append((float(template_value(engine, scale, env)), core))
        return parts

    def dense(self, node: Node) -> Any:
        """A matrix node as a 2-D array (declared matrices and functions of them)."""
        if entries(node.shape) > DENSE:
            raise NotFoldedError("a matrix too big to form")
        found = self.cache.get(node)
        if found is not None:
            return found
        with np.errstate(all="ignore"):
            result = self._dense(node)
        self.cache[node] = result
        return result

    def _dense(self, node: Node) -> Any:
        if isinstance(node, Var):
            return self.point[node.name]
        if isinstance(node, Transpose):
            return self.dense(node.arg).T
        if isinstance(node, Inv):
            matrix = self.dense(node.arg)
            try:
                return np.linalg.inv(matrix)
            except np.linalg.LinAlgError:  # singular at this point: no value, as the entries have none
                return np.full(matrix.shape, np.nan)
        if isinstance(node, Elem):
            return self._elem(node)
        if isinstance(node, Diag):
            return np.diag(self.value(node.arg))
        if isinstance(node, Zero):
            return np.zeros((node.shape[0] or 0, node.shape[1] or 0))
        if isinstance(node, MatMul):
            result = self._as_2d(node.factors[0])
            for factor in node.factors[1:]:
                result = result @ self._as_2d(factor)
            return result
        raise NotFoldedError(f"no value of {type(node).__name__}")

    def _as_2d(self, node: Node) -> Any:
        if is_column(node.shape):
            return np.reshape(self.value(node), (-1, 1))
        if is_row(node.shape):
            return np.reshape(self.value(node), (1, -1))
        return self.dense(node)


def template_value(engine: Any, template: Any, env: Mapping[Any, Any]) -> Any:
    """The value of an engine expression with NumPy, its symbols given by env (floats or arrays)."""
    return Values(engine, env.__getitem__).value(template)


class Values:
    """Values of engine expressions with NumPy (floats or arrays), remembered across expressions.

    `lookup(symbol)` gives a symbol's value. Where jac's evaluator says undefined (log of a negative
    number, a fractional power of one) NumPy gives nan: the checks treat nan as undefined.
    """

    def __init__(self, engine: Any, lookup: Callable[[Any], Any]) -> None:
        self.engine = engine
        self.lookup = lookup
        self.done: dict[Any, Any] = {}

    def value(self, template: Any) -> Any:
        done, engine = self.done, self.engine
        stack: list[tuple[Any, bool]] = [(template, False)]
        with np.errstate(all="ignore"):
            while stack:
                expr, ready = stack.pop()
                if expr in done:
                    continue
                kind, a, b = engine.node(expr)
                children = list(a) if kind in (ADD, MUL) else [a, b] if kind == POW else list(b) if kind == CALL else []
                if not ready and any(c not in done for c in children):
                    stack.append((expr, True))
                    stack.extend((c, False) for c in children if c not in done)
                    continue
                done[expr] = self._compute(kind, a, b, expr, [done[c] for c in children])
        return done[template]

    def _compute(self, kind: int, a: Any, b: Any, expr: Any, args: list[Any]) -> Any:
        if kind == NUMBER:
            return a / b
        if kind == SYMBOL:
            return self.lookup(expr)
        if kind == CONSTANT:
            return np.pi if a == "pi" else np.e
        if kind == ADD:
            return sum(args[1:], args[0])
        if kind == MUL:
            value = args[0]
            for arg in args[1:]:
                value = value * arg
            return value
        if kind == POW:
            return np.power(np.asarray(args[0], dtype=float), args[1])
        if kind == CALL:
            return _FUNCTIONS[a](*args)
        return np.nan
