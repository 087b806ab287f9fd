"""Values of expressions at a point, in high precision, with jac's conventions on every engine.

An expression has a value at a point only where every part of it is a finite real number: a
logarithm of a number that is not positive, a square root or fractional power of a negative
number, acosh below 1, asin beyond [-1, 1], atanh at or beyond ±1, a division by zero, a pole of
tan, have none, and neither has anything built on them (None). Values are computed with mpmath at
DIGITS significant digits, on the expression's structure, so that both engines give the same
value for the same entry.

Zero is decided exactly where the expression is exact: a sum whose terms cancel to within
10**-(DIGITS - 10) of the largest of them is evaluated again at twice the precision, up to
MOST_DIGITS digits, and is 0 when it cancels there too (log2(8) - 3 is 0; 1 + 1e-41 - 1 is not);
so is sin or tan at a multiple of pi, and cos or cot at an odd multiple of pi/2, to that precision
(where csc and cot, or sec and tan, have a pole). The piecewise functions take that zero into
account: sign(0) is 0, heaviside(0) is 1/2, abs has the derivative sign, max and min of equal
values agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import mpmath

from jaccli.bounds import NUMBER_DIGITS, refuse
from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL, Engine

DIGITS = 50
MOST_DIGITS = 400  # a cancellation is confirmed at doubling precision up to this many digits
# A value with more decimal digits than NUMBER_DIGITS before its point is refused (exp(x) at 5,000,
# x**(10**9) at 2), as the exact path refuses it: mpmath would take minutes over exp(10**2000).
_LARGEST_BITS = int(NUMBER_DIGITS.value * math.log2(10))
# A tiny value is no large number (exp(-10000) is about 1e-4343), but one below 2**-_TINIEST_BITS (about
# 10**-200,000) has an exponent too long to compute with quickly and precisely: refused as well.
_TINIEST_BITS = 100 * _LARGEST_BITS


def context(digits: int = DIGITS) -> Any:
    """An mpmath context of its own, so that jac never changes mpmath's global precision."""
    ctx = mpmath.MPContext()
    ctx.dps = digits
    return ctx


class Evaluator:
    """Memoised values of expressions: constants, or expressions over the symbols of `point`."""

    def __init__(self, engine: Engine, point: Mapping[str, Any] | None = None, digits: int = DIGITS) -> None:
        self.engine = engine
        self.digits = digits
        self.ctx = context(digits)
        self.tolerance = self.ctx.mpf(10) ** -(digits - 10)
        self.point = {name: self._mpf(value) for name, value in (point or {}).items()}
        self.cache: dict[Any, Any] = {}
        self._deeper: dict[int, Evaluator] = {}  # the same point at more digits, for cancellations
        ctx = self.ctx
        self._unary: dict[str, Callable[[Any], Any]] = {
            "sin": self._sin,
            "cos": self._cos,
            "tan": lambda a: self._quotient(self._sin(a), self._cos(a)),
            "sec": lambda a: self._reciprocal(self._cos(a)),
            "csc": lambda a: self._reciprocal(self._sin(a)),
            "cot": lambda a: self._quotient(self._cos(a), self._sin(a)),
            "asin": lambda a: ctx.asin(a) if abs(a) <= 1 else None,
            "acos": lambda a: ctx.acos(a) if abs(a) <= 1 else None,
            "atan": ctx.atan,
            "sinh": lambda a: ctx.sinh(self._exponent(abs(a), "sinh", a)),
            "cosh": lambda a: ctx.cosh(self._exponent(abs(a), "cosh", a)),
            "tanh": ctx.tanh,
            "asinh": ctx.asinh,
            "acosh": lambda a: ctx.acosh(a) if a >= 1 else None,
            "atanh": lambda a: ctx.atanh(a) if abs(a) < 1 else None,
            "exp": lambda a: ctx.exp(self._exponent(a, "exp", a)),
            "log": lambda a: ctx.log(a) if a > 0 else None,
            "abs": abs,
            "sign": lambda a: ctx.mpf(0 if a == 0 else 1 if a > 0 else -1),
            "floor": self._floor,
            "ceiling": lambda a: -self._floor(-a),
            "heaviside": lambda a: ctx.mpf(0.5) if a == 0 else ctx.mpf(1 if a > 0 else 0),
            "sigmoid": lambda a: 1 / (1 + ctx.exp(-a)),
            "softplus": lambda a: ctx.log1p(ctx.exp(a)) if a < 0 else a + ctx.log1p(ctx.exp(-a)),
            "cbrt": lambda a: ctx.mpf(0) if a == 0 else ctx.sign(a) * ctx.cbrt(abs(a)),
        }

    def _mpf(self, value: Any) -> Any:
        if isinstance(value, Fraction):
            return self.ctx.mpf(value.numerator) / value.denominator
        return self.ctx.mpf(value)

    def value(self, expr: Any) -> Any | None:
        """The value as an mpf, or None where it is undefined."""
        cache = self.cache
        if expr in cache:
            return cache[expr]
        node = self.engine.node
        # Post-order with an explicit stack: expressions may be deeper than Python's recursion limit.
        stack: list[tuple[Any, Any]] = [(expr, None)]
        while stack:
            current, seen = stack.pop()
            if current in cache:
                continue
            parts = node(current) if seen is None else seen
            kind = parts[0]
            if kind in (ADD, MUL):
                children: Sequence[Any] = parts[1]
            elif kind == POW:
                children = (parts[1], parts[2])
            elif kind == CALL:
                children = parts[2]
            else:
                children = ()
            missing = [c for c in children if c not in cache]
            if seen is None and missing:
                stack.append((current, parts))
                stack.extend((c, None) for c in missing)
                continue
            value = self._compute(parts, [cache[c] for c in children], current)
            if value is not None and value and self.ctx.mag(value) > _LARGEST_BITS:
                raise refuse(NUMBER_DIGITS, f"a value at the point could have about {self._digits(value)} digits")
            cache[current] = value
        return cache[expr]

    def _digits(self, value: Any) -> str:
        return f"{math.ceil(int(self.ctx.mag(value)) / math.log2(10)):,}"

    def _exponent(self, growth: Any, name: str, a: Any) -> Any:
        """The argument a of exp, sinh or cosh, refused where the value would be too large to compute
        (`growth` is how far it grows: a for exp, |a| for sinh and cosh). A tiny value (exp(-10000)) is
        no large number: mpmath holds it as it holds 1e-4343, down to 2**-_TINIEST_BITS."""
        if not -_TINIEST_BITS < growth * math.log2(math.e) < _LARGEST_BITS:
            digits = _about(abs(growth) / self.ctx.log(10))
            raise refuse(NUMBER_DIGITS, f"{name}() at the point could have about {digits} digits")
        return a

    def defined(self, expr: Any) -> Any:
        """The value of an expression known to have one (a checked constant or point value)."""
        value = self.value(expr)
        if value is None:
            raise ValueError(f"no value where one was checked: {expr}")
        return value

    def _compute(self, parts: tuple[int, Any, Any], args: Sequence[Any], expr: Any) -> Any | None:
        kind = parts[0]
        if kind == NUMBER:
            return self.ctx.mpf(parts[1]) / parts[2] if parts[2] != 1 else self.ctx.mpf(parts[1])
        if kind == SYMBOL:
            return self.point[parts[1]]
        if kind == CONSTANT:
            return +self.ctx.pi if parts[1] == "pi" else self.ctx.e + 0
        if any(a is None for a in args):
            return None
        if kind == ADD:
            return self._sum(args, expr)
        if kind == MUL:
            product = self.ctx.mpf(1)
            for a in args:
                product *= a
            return self._finite(product)
        if kind == POW:
            return self._power(args[0], args[1], parts[2])
        if kind == CALL:
            return self._call(parts[1], args)
        return None  # UNDEFINED: a pole, nan, a complex number

    def _finite(self, value: Any) -> Any | None:
        return value if self.ctx.isfinite(value) else None

    def _sum(self, terms: Sequence[Any], expr: Any) -> Any | None:
        total = self.ctx.fsum(terms)
        largest = max(abs(t) for t in terms)
        if abs(total) <= self.tolerance * largest:
            if self.digits < MOST_DIGITS and largest:
                # cancellation to this precision: zero, or a value too small to see yet (1e-41 next to 1)
                closer = self._deeper_evaluator(min(2 * self.digits, MOST_DIGITS)).value(expr)
                return self.ctx.mpf(0) if closer is None or closer == 0 else +closer
            return self.ctx.mpf(0)  # the terms cancel: zero, as exactly as the expression is exact
        return self._finite(total)

    def _deeper_evaluator(self, digits: int) -> Evaluator:
        """One evaluator per precision at this point, so that its values are computed once."""
        found = self._deeper.get(digits)
        if found is None:
            found = self._deeper[digits] = Evaluator(self.engine, self.point, digits=digits)
        return found

    def clear(self) -> None:
        """Forget every value computed (the point stays)."""
        self.cache.clear()
        self._deeper.clear()

    def _power(self, base: Any, exponent: Any, exponent_expr: Any) -> Any | None:
        ctx = self.ctx
        kind, p, q = self.engine.node(exponent_expr)
        if kind == NUMBER and q == 1:
            if base == 0 and p < 0:
                return None
            if base != 0 and not -_TINIEST_BITS < p * ctx.log(abs(base), 2) < _LARGEST_BITS:  # 0.5**10000 is fine
                digits = _about(abs(p * ctx.log10(abs(base))))
                raise refuse(NUMBER_DIGITS, f"a power at the point could have about {digits} digits")
            return self._finite(base**p)
        if base < 0:
            return None  # a fractional power of a negative number is not real (cbrt is the real cube root)
        if base == 0:
            return ctx.mpf(0) if exponent > 0 else ctx.mpf(1) if exponent == 0 else None
        if not -_TINIEST_BITS < exponent * ctx.log(base, 2) < _LARGEST_BITS:
            digits = _about(abs(exponent * ctx.log10(base)))
            raise refuse(NUMBER_DIGITS, f"a power at the point could have about {digits} digits")
        return self._finite(ctx.power(base, exponent))

    def _call(self, name: str, args: Sequence[Any]) -> Any | None:
        ctx = self.ctx
        if name == "max":
            return max(args)
        if name == "min":
            return min(args)
        if name == "atan2":
            y, x = args
            return None if x == 0 and y == 0 else ctx.atan2(y, x)
        result = self._unary[name](args[0])
        return None if result is None else self._finite(result)

    def _multiple_of_pi(self, a: Any) -> bool:
        turns = a / self.ctx.pi
        return abs(turns - self.ctx.nint(turns)) <= self.tolerance * max(1, abs(turns))

    def _sin(self, a: Any) -> Any:
        return self.ctx.mpf(0) if self._multiple_of_pi(a) else self.ctx.sin(a)

    def _cos(self, a: Any) -> Any:
        return self.ctx.mpf(0) if self._multiple_of_pi(a - self.ctx.pi / 2) else self.ctx.cos(a)

    def _quotient(self, numerator: Any, denominator: Any) -> Any | None:
        """tan and cot: a pole where the denominator is zero (cos at pi/2 to the precision), else exact zeros kept."""
        if denominator == 0:
            return None
        return numerator if numerator == 0 else numerator / denominator

    def _reciprocal(self, a: Any | None) -> Any | None:
        return None if a is None or a == 0 else 1 / a

    def _floor(self, a: Any) -> Any:
        nearest = self.ctx.nint(a)
        if abs(a - nearest) <= self.tolerance * max(1, abs(a)):
            return nearest
        return self.ctx.floor(a)


def _about(digits: Any) -> str:
    """A count of digits for a message: 4,344, or 1.44e+1998 when it is itself beyond a double."""
    if digits < 10**15:
        return f"{math.ceil(digits):,}"
    return mpmath.nstr(digits, 3, min_fixed=0, max_fixed=0)


def to_float(value: Any | None) -> float | None:
    """A double, or None; a value beyond the range of doubles (larger than about 1.8e308, or a number
    other than 0 that rounds to 0.0, such as exp(-10000)) is not a float (see `number`)."""
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    if number in (float("inf"), float("-inf")) or (number == 0 and value != 0):
        return None
    return number


def number(value: Any | None, exact_text: str | None = None) -> int | float | str | None:
    """A value for JSON: an int where it is a whole number of an exact value, else a float, and where
    the value is beyond the range of a double, the exact form as a string (documented); None where undefined."""
    if value is None:
        return None
    as_float = to_float(value)
    if as_float is None:
        return exact_text if exact_text is not None else mpmath.nstr(value, 17)
    return as_float
