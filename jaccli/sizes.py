"""The sizes of the numbers jac computes, estimated before any engine computes them.

Some big-number work happens inside one C call that no signal interrupts (an exact power, a gcd),
so every number built from constants, while parsing and while putting a point's values in, is
first estimated from its operands (`check_build`) and refused when it would have more than
NUMBER_DIGITS digits. Every number that passes is small enough to approximate cheaply, and its
exact text stays under Python's own limit on converting integers to text (4,300 digits). The same
checks run on both engines, through their node view.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from jaccli.bounds import NUMBER_DIGITS, refuse
from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, Engine, distinct_parts

_LOG10_2 = math.log10(2)
_LOG10_E = math.log10(math.e)
EXPONENTIAL = frozenset({"exp", "sinh", "cosh"})
_BOUNDED = frozenset({"sin", "cos", "tanh", "atan", "asin", "acos", "sign", "heaviside", "atan2", "sigmoid"})
_LOGARITHMIC = frozenset({"log", "asinh", "acosh", "atanh"})
_POLES = frozenset({"tan", "sec", "csc", "cot"})


def _integer_digits(n: int) -> float:
    return max(abs(n).bit_length(), 1) * _LOG10_2


class Sizes:
    """Digit estimates of constant expressions of one engine, remembered."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cache: dict[Any, float] = {}
        self._evaluator: Any = None

    def magnitude(self, expr: Any, *, signed: bool = False) -> float:
        """|expr| (or expr, signed) as a float (±inf when it overflows, 0 where it has no value)."""
        if self._evaluator is None:
            from jaccli.numeric import Evaluator

            self._evaluator = Evaluator(self.engine, digits=15)
        value = self._evaluator.value(expr)
        if value is None:
            return 0.0
        try:
            number = float(value)
        except OverflowError:
            number = math.inf if value > 0 else -math.inf
        return number if signed else abs(number)

    def size(self, expr: Any) -> float:
        """An upper estimate of the decimal digits needed to write a constant: the larger of the
        digits of its exact parts (numerators, denominators) and of its integer part."""
        found = self.cache.get(expr)
        if found is not None:
            return found
        kind, a, b = self.engine.node(expr)
        if kind == NUMBER:
            result = max(_integer_digits(a), _integer_digits(b))
        elif kind in (ADD, MUL):
            result = self.estimate(kind, None, a)
        elif kind == POW:
            result = self.estimate(POW, None, (a, b))
        elif kind == CALL:
            result = self.estimate(CALL, a, b)
        else:
            result = 1.0
        self.cache[expr] = result
        return result

    def estimate(self, kind: int, name: str | None, args: Sequence[Any]) -> float:
        """The digits of kind(args) (a sum, product, power or the function `name`) from its arguments."""
        sizes = [self.size(a) for a in args]
        largest = max(sizes, default=1.0)
        if kind == POW:
            base, exponent = args
            node = self.engine.node(base)
            if node[0] == NUMBER and abs(node[1]) in (0, 1) and node[2] == 1:
                return 1.0
            if node[0] == CONSTANT:  # e or pi: exp(-10000) and pi**(-50) are exact forms with tiny values
                power = self.magnitude(exponent, signed=True)
                return 1 + (self.size(exponent) if power <= 0 else math.log10(self.magnitude(base)) * power)
            return max(self.size(base), _LOG10_2) * self.magnitude(exponent)
        if kind == MUL:
            return sum(sizes)
        if kind == ADD:
            # The exact sum of fractions can have the product of the distinct denominators.
            denominators = {self._denominator(a) for a in args}
            return largest + math.log10(max(len(args), 1)) + sum(_integer_digits(q) for q in denominators if q != 1)
        if name in EXPONENTIAL:  # exp grows one way, sinh and cosh both; exp(-10000) is tiny
            growth = max(self.magnitude(args[0], signed=True), 0.0) if name == "exp" else self.magnitude(args[0])
            return growth * _LOG10_E + 1
        if name in _BOUNDED:
            return 1.0
        if name in _LOGARITHMIC:
            return 1 + math.log10(1 + 2.31 * largest)
        if name in _POLES:
            return 2 * largest + 1  # large only next to a pole
        return largest + 1

    def _denominator(self, expr: Any) -> int:
        kind, a, b = self.engine.node(expr)
        if kind == NUMBER:
            return int(b)
        if kind == MUL:
            for factor in a:
                node = self.engine.node(factor)
                if node[0] == NUMBER:
                    return int(node[2])
        return 1

    def check_build(self, kind: int, name: str | None, args: Sequence[Any], shown: str) -> None:
        """Refuse to build kind(args) from constants when the number would have too many digits."""
        estimate = self.estimate(kind, name, args)
        if estimate > NUMBER_DIGITS.value:
            if estimate == math.inf:  # its own count of digits is beyond a double (exp(x) at 10**400)
                raise refuse(NUMBER_DIGITS, f"{shown} could have more than 1e+308 digits")
            digits = f"{math.ceil(estimate):,}" if estimate < 1e15 else f"{estimate:.3g}"
            raise refuse(NUMBER_DIGITS, f"{shown} could have about {digits} digits")

    def check_numbers(self, expr: Any, what: str, seen: set[Any] | None = None) -> float:
        """Refuse a computed expression (a derivative) holding a number with too many digits; the
        digits of its largest number otherwise (of the numbers not seen before).

        Differentiating x**(10**999) five times multiplies five 1,000-digit numbers: that growth is
        linear and cheap, but the result could not be shown. `seen` shares the walk between entries.
        """
        largest = 0.0
        for kind, a, b in distinct_parts(self.engine, expr, seen):
            if kind == NUMBER:
                digits = max(_integer_digits(a), _integer_digits(b))
                if digits > NUMBER_DIGITS.value:
                    raise refuse(NUMBER_DIGITS, f"{what} holds a number of about {math.ceil(digits):,} digits")
                largest = max(largest, digits)
        return largest


def brief(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]}"
