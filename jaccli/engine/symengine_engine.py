"""The SymEngine engine: C++ expressions, fast to build, differentiate and walk at every size.

SymEngine has no sigmoid, softplus, heaviside or real cube root: those are its undefined
functions (`function_symbol`) of the same names, whose derivatives and values jac supplies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import symengine as se

from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL, UNDEFINED, Engine, Node

_OWN = ("heaviside", "sigmoid", "softplus", "cbrt")
_BUILTIN = {
    "sin": se.sin,
    "cos": se.cos,
    "tan": se.tan,
    "sec": se.sec,
    "csc": se.csc,
    "cot": se.cot,
    "asin": se.asin,
    "acos": se.acos,
    "atan": se.atan,
    "sinh": se.sinh,
    "cosh": se.cosh,
    "tanh": se.tanh,
    "asinh": se.asinh,
    "acosh": se.acosh,
    "atanh": se.atanh,
    "exp": se.exp,
    "log": se.log,
    "abs": se.Abs,
    "sign": se.sign,
    "floor": se.floor,
    "ceiling": se.ceiling,
}
_X, _Y = se.symbols("x y")
# type of the engine's function object -> jac name
_FUNCTION_NAMES: dict[type, str] = {type(f(_X)): name for name, f in _BUILTIN.items() if name != "exp"}
_FUNCTION_NAMES[type(se.atan2(_X, _Y))] = "atan2"
_FUNCTION_NAMES[type(se.Max(_X, _Y))] = "max"
_FUNCTION_NAMES[type(se.Min(_X, _Y))] = "min"
# No value jac gives: poles, NaN, infinities, complex numbers; floating-point numbers never arise from
# jac's exact input, and would not be exact if they did.
_UNDEFINED_TYPES = {
    type(se.zoo),
    type(se.nan),
    type(se.oo),
    type(-se.oo),
    type(se.I),
    type(se.Integer(2) + 3 * se.I),
    se.ComplexDouble,
    se.RealDouble,
}


def _split_power(n: int, q: int) -> tuple[int, int]:
    """(a, b) with n = a**q * b, a collecting the q-th powers of the primes below 1,000 that divide n."""
    outside, inside = 1, n
    if n.bit_length() > 4000 or q >= n.bit_length():
        return 1, n  # too long to factor here; or no q-th power above 1 divides n (2**q > n), and 2**q is not built
    for prime in _PRIMES:
        power = prime**q
        if power > inside:
            break
        while inside % power == 0:
            inside //= power
            outside *= prime
    return outside, inside


_PRIMES = [k for k in range(2, 1000) if all(k % d for d in range(2, int(k**0.5) + 1))]


class SymEngineEngine(Engine):
    name = "symengine"

    def __init__(self) -> None:
        self.zero = se.Integer(0)
        self.one = se.Integer(1)
        self.pi = se.pi
        self.e = se.E
        self.undefined = se.nan
        add, mul, power, symbol = type(_X + _Y), type(_X * _Y), type(_X**_Y), type(_X)
        integer, rational = se.Integer, se.Rational
        function_symbol = type(se.function_symbol("f", _X))
        kinds: dict[type, Any] = {
            add: self._add_node,
            mul: self._mul_node,
            power: self._pow_node,
            symbol: self._symbol_node,
            integer: self._integer_node,
            rational: self._rational_node,
            type(se.pi): lambda e: (CONSTANT, "pi", None),
            type(se.E): lambda e: (CONSTANT, "e", None),
            function_symbol: lambda e: (CALL, e.get_name(), e.args),
        }
        for kind, name in _FUNCTION_NAMES.items():
            kinds[kind] = lambda e, name=name: (CALL, name, e.args)
        for kind in _UNDEFINED_TYPES:
            kinds[kind] = lambda e: (UNDEFINED, str(e), None)
        self._kinds = kinds

    @staticmethod
    def _add_node(e: Any) -> Node:
        return (ADD, e.args, None)

    @staticmethod
    def _mul_node(e: Any) -> Node:
        return (MUL, e.args, None)

    @staticmethod
    def _pow_node(e: Any) -> Node:
        base, exponent = e.args
        return (POW, base, exponent)

    @staticmethod
    def _symbol_node(e: Any) -> Node:
        return (SYMBOL, e.name, None)

    @staticmethod
    def _integer_node(e: Any) -> Node:
        return (NUMBER, int(e), 1)

    @staticmethod
    def _rational_node(e: Any) -> Node:
        p, q = e.get_num_den()
        return (NUMBER, int(p), int(q))

    def symbol(self, name: str) -> Any:
        return se.Symbol(name)

    def number(self, numerator: int, denominator: int = 1) -> Any:
        if denominator == 1:
            return se.Integer(numerator)
        return se.Rational(numerator, denominator)

    def add(self, terms: Sequence[Any]) -> Any:
        return se.Add(*terms)

    def mul(self, factors: Sequence[Any]) -> Any:
        return se.Mul(*factors)

    def pow(self, base: Any, exponent: Any) -> Any:
        if isinstance(exponent, se.Rational) and not isinstance(exponent, se.Integer) and isinstance(base, se.Rational):
            return self._rational_root(base, exponent)
        return se.Pow(base, exponent)

    def _rational_root(self, base: Any, exponent: Any) -> Any:
        """(n/d)**(p/q) with the perfect q-th powers taken out of n and d, as SymPy writes it:
        sqrt(200) is 10*sqrt(2). SymEngine leaves sqrt(200) as it is."""
        p, q = (int(k) for k in exponent.get_num_den())
        n, d = (int(k) for k in base.get_num_den())
        if n <= 0:
            return se.Pow(base, exponent)
        outside_n, inside_n = _split_power(n, q)
        outside_d, inside_d = _split_power(d, q)
        if outside_n == outside_d == 1:
            return se.Pow(base, exponent)
        outside = se.Rational(outside_n, outside_d) ** p
        return outside * se.Pow(se.Rational(inside_n, inside_d), exponent)

    def primitive(self, name: str, args: Sequence[Any]) -> Any:
        if name in _OWN:
            return se.function_symbol(name, *args)
        if name == "max":
            return se.Max(*args)
        if name == "min":
            return se.Min(*args)
        if name == "atan2":
            return se.atan2(*args)
        return _BUILTIN[name](args[0])

    def node(self, expr: Any) -> Node:
        reader = self._kinds.get(type(expr))
        if reader is None:
            reader = self._reader(type(expr))
        return reader(expr)

    def _reader(self, kind: type) -> Any:
        """The reader of a subclass (One, Zero, Half ...) is its nearest known base's."""
        for base in kind.__mro__[1:]:
            reader = self._kinds.get(base)
            if reader is not None:
                self._kinds[kind] = reader
                return reader
        raise TypeError(f"jac has no reading of the SymEngine object {kind.__name__}")

    def substitute(self, expr: Any, mapping: Mapping[Any, Any]) -> Any:
        return expr.subs(dict(mapping))

    def expand(self, expr: Any) -> Any:
        return se.expand(expr)

    def compile(self, symbols: Sequence[Any], entries: Sequence[Any]) -> Any:
        import numpy as np

        function = se.Lambdify(list(symbols), list(entries), backend="lambda", cse=True)
        width = len(entries)

        def values(points: Any) -> Any:
            with np.errstate(all="ignore"):
                result = np.asarray(function(points), dtype=float).reshape(points.shape[0], width)
            result[~np.isfinite(result)] = np.nan
            return result

        return values
