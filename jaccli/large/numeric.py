"""Floating-point values of big SymEngine results: at one point by a shared-subexpression walk,
at many points by SymEngine's Lambdify on NumPy arrays.

At one point, compiling is not repaid: `Lambdify(..., cse=True)` of a 100x100 neural-layer
Jacobian takes seconds and `subs` tens of seconds, while a walk that computes every distinct
subexpression once (the 100 pre-activations of a layer, not 10,000 copies of them) takes a fraction
of a second. An undefined value (log(0), 1/0, sqrt(-1), an overflow) is NaN, shown as undefined.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

NAN = float("nan")


def _safe(function: Callable[[float], float]) -> Callable[[float], float]:
    def apply(value: float) -> float:
        try:
            return function(value)
        except (ValueError, ZeroDivisionError, OverflowError):
            return NAN

    return apply


_FUNCTIONS: dict[str, Callable[[float], float]] = {
    name: _safe(function)
    for name, function in {
        "sin": math.sin,
        "cos": math.cos,
        "tan": math.tan,
        "sec": lambda v: 1 / math.cos(v),
        "csc": lambda v: 1 / math.sin(v),
        "cot": lambda v: 1 / math.tan(v),
        "asin": math.asin,
        "acos": math.acos,
        "atan": math.atan,
        "sinh": math.sinh,
        "cosh": math.cosh,
        "tanh": math.tanh,
        "asinh": math.asinh,
        "acosh": math.acosh,
        "atanh": math.atanh,
        "log": math.log,
    }.items()
}


def _power(base: float, exponent: float) -> float:
    try:
        value = base**exponent
    except (ZeroDivisionError, OverflowError):
        return NAN
    return value if isinstance(value, float) else NAN  # a negative base to a fractional power is complex


class PointEvaluator:
    """Values of SymEngine expressions at one point; shared subexpressions are computed once."""

    def __init__(self, point: Mapping[Any, float]) -> None:
        self.cache: dict[Any, float] = dict(point)

    def value(self, expr: Any) -> float:
        cache = self.cache
        if expr in cache:
            return cache[expr]
        # Post-order walk with an explicit stack: expressions may be deeper than Python's recursion limit.
        stack = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if node in cache:
                continue
            args = node.args
            if not ready and args:
                stack.append((node, True))
                stack.extend((a, False) for a in args if a not in cache)
                continue
            cache[node] = self._compute(node, [cache[a] for a in args])
        return cache[expr]

    def _compute(self, node: Any, args: Sequence[float]) -> float:
        kind = type(node).__name__
        if not args:
            try:
                return float(node)
            except (RuntimeError, TypeError, ValueError):  # a symbol without a value
                raise KeyError(str(node)) from None
        if node.is_Add:
            return math.fsum(args) if all(math.isfinite(a) for a in args) else sum(args)
        if node.is_Mul:
            return math.prod(args)
        if node.is_Pow:
            return _power(args[0], args[1])
        function = _FUNCTIONS.get(kind)
        if function is None:
            raise TypeError(f"no numeric value for {kind}")  # a bug: the builder admits only these
        return function(args[0])


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class Batch:
    """A big result compiled once by SymEngine's Lambdify (the `lambda` back end with common
    subexpressions shared), evaluated on a whole chunk of points at a time.

    LLVM compiles faster code, but its compile takes tens of seconds to minutes for a 100x100
    Jacobian; the `lambda` back end compiles in a fraction of that, which the point counts jac
    is used with (up to millions of points of a modest result) do not repay.
    """

    def __init__(self, se: Any, symbols: Sequence[Any], entries: Sequence[Any]) -> None:
        self.width = len(entries)
        self.function = se.Lambdify(list(symbols), list(entries), backend="lambda", cse=True)

    def __call__(self, points: Any) -> Any:
        import numpy as np

        with np.errstate(all="ignore"):
            values = np.asarray(self.function(points), dtype=float).reshape(points.shape[0], self.width)
        values[~np.isfinite(values)] = np.nan
        return values
