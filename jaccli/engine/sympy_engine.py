"""The SymPy engine: the same interface in pure Python, and conversions of any result to SymPy.

Its symbols carry no assumptions, as SymEngine's do not, so that both engines simplify alike:
sqrt(x**2) stays as written on both (SymPy would write Abs(x) for a real x). max and min are jac's
own unevaluated functions here, because SymPy's Max and Min insist on comparable arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import sympy as sp

from jaccli import mathfns
from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL, UNDEFINED, Engine, Node


class JacMax(sp.Function):
    """max(a, b, ...), kept as written."""

    nargs = None


class JacMin(sp.Function):
    """min(a, b, ...), kept as written."""

    nargs = None


_BUILTIN: dict[str, Callable[..., Any]] = {
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "sec": sp.sec,
    "csc": sp.csc,
    "cot": sp.cot,
    "asin": sp.asin,
    "acos": sp.acos,
    "atan": sp.atan,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "tanh": sp.tanh,
    "asinh": sp.asinh,
    "acosh": sp.acosh,
    "atanh": sp.atanh,
    "exp": sp.exp,
    "log": sp.log,
    "abs": sp.Abs,
    "sign": sp.sign,
    "floor": sp.floor,
    "ceiling": sp.ceiling,
    "atan2": sp.atan2,
    "heaviside": mathfns.heaviside,
    "sigmoid": mathfns.sigmoid,
    "softplus": mathfns.softplus,
    "cbrt": mathfns.cbrt,
    "max": JacMax,
    "min": JacMin,
}
# SymPy's natural classes for the same functions, for conversions meant for SymPy's own algorithms.
_NATURAL: dict[str, Callable[..., Any]] = {**_BUILTIN, "max": sp.Max, "min": sp.Min}
_NAMES: dict[type, str] = {function: name for name, function in _BUILTIN.items() if isinstance(function, type)}
_NAMES.update({sp.Max: "max", sp.Min: "min", sp.Heaviside: "heaviside"})


def _call_node(name: str, expr: Any) -> Node:
    return (CALL, name, expr.args)


class SymPyEngine(Engine):
    name = "sympy"

    def __init__(self) -> None:
        self.zero = sp.S.Zero
        self.one = sp.S.One
        self.pi = sp.pi
        self.e = sp.E
        self.undefined = sp.nan
        self._readers: dict[type, Callable[[Any], Node]] = {}

    def symbol(self, name: str) -> Any:
        return sp.Symbol(name)

    def number(self, numerator: int, denominator: int = 1) -> Any:
        return sp.Rational(numerator, denominator)

    def add(self, terms: Sequence[Any]) -> Any:
        return sp.Add(*terms)

    def mul(self, factors: Sequence[Any]) -> Any:
        return sp.Mul(*factors)

    def pow(self, base: Any, exponent: Any) -> Any:
        return sp.Pow(base, exponent)

    def primitive(self, name: str, args: Sequence[Any]) -> Any:
        return _BUILTIN[name](*args)

    def node(self, expr: Any) -> Node:
        reader = self._readers.get(type(expr))
        if reader is None:
            reader = self._reader(type(expr))
            self._readers[type(expr)] = reader
        return reader(expr)

    def _reader(self, kind: type) -> Callable[[Any], Node]:
        if issubclass(kind, sp.Integer):
            return lambda e: (NUMBER, int(e.p), 1)
        if issubclass(kind, sp.Rational):
            return lambda e: (NUMBER, int(e.p), int(e.q))
        if issubclass(kind, sp.Symbol):
            return lambda e: (SYMBOL, e.name, None)
        if kind is type(sp.pi):
            return lambda e: (CONSTANT, "pi", None)
        if kind is type(sp.E):
            return lambda e: (CONSTANT, "e", None)
        if issubclass(kind, sp.Add):
            return lambda e: (ADD, e.args, None)
        if issubclass(kind, sp.Mul):
            return lambda e: (MUL, e.args, None)
        if issubclass(kind, sp.Pow):
            return lambda e: (POW, e.args[0], e.args[1])
        if kind in (type(sp.zoo), type(sp.nan), type(sp.oo), type(-sp.oo), type(sp.I)) or issubclass(kind, sp.Float):
            return lambda e: (UNDEFINED, str(e), None)
        for base in kind.__mro__:
            name = _NAMES.get(base)
            if name is not None:
                return partial(_call_node, name)
        raise TypeError(f"jac has no reading of the SymPy object {kind.__name__}")

    def substitute(self, expr: Any, mapping: Mapping[Any, Any]) -> Any:
        return expr.xreplace(dict(mapping))

    def expand(self, expr: Any) -> Any:
        return sp.expand(expr)

    def compile(self, symbols: Sequence[Any], entries: Sequence[Any]) -> Any:
        from functools import reduce

        import numpy as np

        def largest(*args: Any) -> Any:
            return reduce(np.maximum, args)

        def smallest(*args: Any) -> Any:
            return reduce(np.minimum, args)

        modules = [{"JacMax": largest, "JacMin": smallest}, "numpy"]
        function = sp.lambdify(list(symbols), list(entries), modules=modules, dummify=True, cse=True)
        width = len(entries)

        def values(points: Any) -> Any:
            result = np.empty((points.shape[0], width))
            with np.errstate(all="ignore"):
                for index, column in enumerate(function(*points.T)):
                    array: Any = np.asarray(column)
                    if np.iscomplexobj(array):
                        array = np.where(array.imag == 0, array.real, np.nan)
                    result[:, index] = array
            result[~np.isfinite(result)] = np.nan
            return result

        return values


def to_sympy(engine: Engine, expr: Any, *, real: bool = True, evaluate: bool = True) -> Any:
    """An expression of any engine as a SymPy expression with SymPy's own classes (Max, Min), for
    SymPy's algorithms (simplify, eigenvalues) and printers (LaTeX). `real` gives the symbols the
    real assumption; `evaluate=False` keeps the form as written."""
    done: dict[Any, Any] = {}
    symbols: dict[str, sp.Symbol] = {}

    def convert(e: Any) -> Any:
        found = done.get(e)
        if found is not None:
            return found
        kind, a, b = engine.node(e)
        if kind == NUMBER:
            value: Any = sp.Rational(a, b)
        elif kind == SYMBOL:
            value = symbols.setdefault(a, sp.Symbol(a, real=True) if real else sp.Symbol(a))
        elif kind == CONSTANT:
            value = sp.pi if a == "pi" else sp.E
        elif kind == ADD:
            value = sp.Add(*(convert(t) for t in a), evaluate=evaluate)
        elif kind == MUL:
            value = sp.Mul(*(convert(f) for f in a), evaluate=evaluate)
        elif kind == POW:
            value = sp.Pow(convert(a), convert(b), evaluate=evaluate)
        elif kind == CALL:
            value = _NATURAL[a](*(convert(x) for x in b), evaluate=evaluate)
        else:
            value = sp.nan
        done[e] = value
        return value

    return convert(expr)
