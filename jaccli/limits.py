"""The documented limits on input size, and the size checks that run before SymPy computes.

Some big-number work happens inside one C call that no signal can interrupt (an exact power, a
gcd), so the timeout alone cannot bound it: every number jac builds from constants, while parsing
and while putting a point's values in, is first estimated from its operands (`check_build`) and
refused when it would be too big. Every number that passes has at most NUMBER_DIGITS digits in its
numerator, denominator and integer part, so approximating it is cheap, and its exact text stays
under Python's own limit on converting integers to text (4,300 digits, even for the sum of squares
in a gradient's norm).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import sympy as sp

from jaccli.bounds import (
    ALL_LIMITS,
    DERIVATIVE_ORDER,
    DESCENT_STEPS,
    FUNCTION_TOKENS,
    FUNCTIONS,
    INPUT_CHARS,
    LITERAL_DIGITS,
    LITERAL_EXPONENT,
    MATRIX_ENTRIES,
    NAME_CHARS,
    NESTING_DEPTH,
    NUMBER_DIGITS,
    VARIABLES,
    VECTOR_SIZE,
    Limit,
    check_count,
    refuse,
)
from jaccli.mathfns import heaviside, sigmoid

__all__ = [
    "ALL_LIMITS",
    "DERIVATIVE_ORDER",
    "DESCENT_STEPS",
    "FUNCTIONS",
    "FUNCTION_TOKENS",
    "INPUT_CHARS",
    "LITERAL_DIGITS",
    "LITERAL_EXPONENT",
    "MATRIX_ENTRIES",
    "NAME_CHARS",
    "NESTING_DEPTH",
    "NUMBER_DIGITS",
    "VARIABLES",
    "VECTOR_SIZE",
    "Limit",
    "brief",
    "check_build",
    "check_count",
    "check_numbers",
    "check_power",
    "refuse",
    "size",
]


_LOG10_2 = math.log10(2)
_LOG10_E = math.log10(math.e)
# Functions whose value grows like exp of the argument.
_EXPONENTIAL = (sp.exp, sp.sinh, sp.cosh)
# Functions whose value stays bounded (or grows no faster than a logarithm) whatever the argument.
_BOUNDED = (sp.sin, sp.cos, sp.tanh, sp.atan, sp.asin, sp.acos, sp.sign, sp.Heaviside, sp.atan2, sigmoid, heaviside)
_LOGARITHMIC = (sp.log, sp.asinh, sp.acosh, sp.atanh)


def _integer_digits(n: int) -> float:
    return max(abs(n).bit_length(), 1) * _LOG10_2


def _approximate(value: sp.Expr) -> float:
    """|value| as a float (inf when it overflows); cheap, because every number built is bounded."""
    try:
        return abs(float(value.evalf(15)))
    except (TypeError, ValueError):  # a complex or undefined value: no size to speak of
        return 0.0
    except OverflowError:
        return math.inf


@lru_cache(maxsize=65_536)
def size(value: sp.Expr) -> float:
    """An upper estimate of the decimal digits needed to write a constant: the larger of the digits
    of its exact parts (numerators, denominators) and of its integer part."""
    if value.is_Rational:
        return max(_integer_digits(value.p), _integer_digits(value.q))
    if not value.args:
        return 1.0
    return _size_of(type(value), value.args)


def _size_of(func: type, args: Sequence[sp.Expr]) -> float:
    sizes = [size(a) for a in args]
    largest = max(sizes, default=1.0)
    if issubclass(func, sp.Pow):
        base, exponent = args
        if base.is_Rational and abs(base) in (0, 1):
            return 1.0
        return max(size(base), _LOG10_2) * _approximate(exponent)
    if issubclass(func, sp.Mul):
        return sum(sizes)
    if issubclass(func, sp.Add):
        # The exact sum of fractions can have the product of the distinct denominators.
        denominators = {a.as_coeff_Mul()[0].q for a in args}
        return largest + math.log10(len(args)) + sum(_integer_digits(q) for q in denominators if q != 1)
    if issubclass(func, _EXPONENTIAL):
        return _approximate(args[0]) * _LOG10_E + 1
    if issubclass(func, _BOUNDED):
        return 1.0
    if issubclass(func, _LOGARITHMIC):
        return 1 + math.log10(1 + 2.31 * largest)
    if issubclass(func, (sp.tan, sp.sec, sp.csc, sp.cot)):
        return 2 * largest + 1  # large only next to a pole
    return largest + 1


def check_build(func: type, args: Sequence[sp.Expr], shown: str | None = None) -> None:
    """Refuse to build func(*args) from constants when the number would have too many digits.

    Only constant parts are checked: the numbers a sum or a product combines, the numeric factor
    that a power distributes over (`(10**999*x)**5` computes 10**4995), a function of a constant.
    """
    if issubclass(func, (sp.Add, sp.Mul)):
        args = [a for a in args if a.is_number]
        if len(args) < 2:
            return
    elif issubclass(func, sp.Pow):
        base, exponent = args
        if not exponent.is_number:
            return
        if not base.is_number:
            factors = [a for a in base.args if a.is_number] if base.is_Mul else []
            if not factors:
                return
            base = sp.Mul(*factors)  # already combined inside the product: nothing new is computed
        args = [base, exponent]
    elif not args or not all(a.is_number for a in args):
        return
    estimate = _size_of(func, args)
    if estimate > NUMBER_DIGITS.value:
        what = shown or _shown(func, args)
        digits = f"{math.ceil(estimate):,}" if estimate < 1e15 else f"{estimate:.3g}"
        raise refuse(NUMBER_DIGITS, f"{what} could have about {digits} digits")


def check_numbers(expr: sp.Expr, what: str) -> None:
    """Refuse a computed expression (a derivative) holding a number with too many digits.

    Differentiating x**(10**999) five times multiplies five 1,000-digit numbers: that growth is
    linear and cheap, but the result could not be shown.
    """
    for number in expr.atoms(sp.Rational):
        digits = size(number)
        if digits > NUMBER_DIGITS.value:
            raise refuse(NUMBER_DIGITS, f"{what} holds a number of about {math.ceil(digits):,} digits")


def check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse a constant power whose value would have too many digits, before SymPy computes it."""
    check_build(sp.Pow, (base, exponent))


def _shown(func: type, args: Sequence[sp.Expr]) -> str:
    if issubclass(func, sp.Pow):
        return f"the power ({brief(args[0])})**({brief(args[1])})"
    if issubclass(func, (sp.Add, sp.Mul)):
        return f"a {'sum' if issubclass(func, sp.Add) else 'product'} of {len(args)} numbers"
    return f"the number {getattr(func, '__name__', 'f')}({', '.join(brief(a) for a in args)})"


def brief(value: sp.Expr) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:18]}...{text[-18:]}"
