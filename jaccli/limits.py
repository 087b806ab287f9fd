"""The documented limits on input size, and the size checks that run before SymPy computes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jaccli.errors import LimitError

if TYPE_CHECKING:
    from sympy import Expr


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    what: str


INPUT_CHARS = Limit("input_chars", 1_000_000, "characters in one argument or input")
FUNCTION_TOKENS = Limit("function_tokens", 2_000, "tokens in one function or list entry")
NESTING_DEPTH = Limit("nesting_depth", 100, "nesting depth of brackets, calls and operators")
LITERAL_DIGITS = Limit("literal_digits", 1_000, "digits in one number literal")
LITERAL_EXPONENT = Limit("literal_exponent", 1_000, "size of the exponent of a number literal like 1e300")
NUMBER_DIGITS = Limit("number_digits", 10_000, "digits of a number computed exactly")
FUNCTIONS = Limit("functions", 10_000, "functions in one list")
VECTOR_SIZE = Limit("vector_size", 10_000, "components of one vector variable")
DERIVATIVE_ORDER = Limit("derivative_order", 100, "order of a derivative")
DESCENT_STEPS = Limit("descent_steps", 1_000_000, "steps of gradient descent")

ALL_LIMITS = (
    INPUT_CHARS,
    FUNCTION_TOKENS,
    NESTING_DEPTH,
    LITERAL_DIGITS,
    LITERAL_EXPONENT,
    NUMBER_DIGITS,
    FUNCTIONS,
    VECTOR_SIZE,
    DERIVATIVE_ORDER,
    DESCENT_STEPS,
)


def refuse(limit: Limit, found: str) -> LimitError:
    return LimitError(limit.name, f"{found}; at most {limit.value:,} {limit.what} allowed")


def _log10_height(number: Expr) -> float:
    """log10 of the largest integer written in a constant expression (at least log10 2)."""
    height = math.log10(2)
    for atom in number.atoms():
        if atom.is_Rational:
            for part in (atom.p, atom.q):
                if part:
                    height = max(height, abs(part).bit_length() * math.log10(2))
    return height


def check_power(base: Expr, exponent: Expr) -> None:
    """Refuse a constant power whose exact value would have too many digits.

    SymPy evaluates powers of numbers eagerly, inside one big-integer call that no signal can
    interrupt, so the size is estimated from the operands before the power is built.
    """
    if base.free_symbols or exponent.free_symbols or not exponent.is_number:
        return
    if base.is_Rational and abs(base) in (0, 1):
        return
    size = abs(exponent.evalf(15))
    if not size.is_finite:
        return
    digits = float(size) * _log10_height(base)
    if digits > NUMBER_DIGITS.value:
        raise refuse(NUMBER_DIGITS, f"the power ({base})**({exponent}) would have about {digits:.3g} digits")
