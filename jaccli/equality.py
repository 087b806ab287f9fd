"""Deciding that two expressions are equal: multiplied out, proved by SymPy within a time limit, or
agreeing in value at a point to 20 significant digits (computed again at more digits where noise
from a cancellation could decide)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jaccli.alarm import time_limit
from jaccli.engine.base import ADD, CALL, MUL, NUMBER, POW, UNDEFINED, Engine, distinct_parts
from jaccli.errors import LimitError
from jaccli.numeric import Evaluator

EXPANDED_TERMS = 2_000  # a difference is multiplied out only when it has at most this many terms then
AGREEMENT = 10**-20  # relative difference of two 30-digit values below which they agree
RECHECK = 10**-6  # values closer than this (relative) are computed again at more digits before they differ
RECHECK_DIGITS = (60, 120, 240)
TINY = 10**-250  # a value this close to 0 cannot be told from a 0 that a cancellation gave


def prove_zero(
    engine: Engine, expected: Any, given: Any, seconds: float, general: dict[str, bool]
) -> tuple[str, str | None]:
    """("zero", None) when SymPy simplifies the difference to 0 (or to 0 wherever it is defined),
    ("nonzero", text) when it simplifies to something else, ("unknown", None) when it runs out of
    `seconds` or fails.

    First the difference in general form is tried: the arguments of its functions replaced by
    new variables (W_1_1*(1 - tanh(u)**2) - W_1_1/cosh(u)**2 with u = W_1_1*x_1 + ...). If that is
    0 for every value of the new variables, so is the difference (and the entries of a matrix
    answer often share one general form, whose proof `general` remembers by its key)."""
    import sympy as sp  # its import (once, some 0.4 s) is not part of the time of a proof

    from jaccli.engine.sympy_engine import to_sympy
    from jaccli.mathfns import elementary

    try:
        with time_limit(seconds, _ProofOutOfTimeError):
            difference = elementary(to_sympy(engine, expected) - to_sympy(engine, given))
            form, key = _general_form(sp, difference)
            if form is not None:
                if key not in general:
                    general[key] = _simplified(sp, form)[0] == "zero"
                if general[key]:
                    return "zero", None
            return _simplified(sp, difference)
    except _ProofOutOfTimeError:
        return "unknown", None
    except Exception:  # SymPy failing on an expression is no verdict, as running out of time is not
        return "unknown", None


def _simplified(sp: Any, difference: Any) -> tuple[str, str | None]:
    simplified = sp.simplify(difference)
    if simplified == 0:
        return "zero", None
    if isinstance(simplified, sp.Piecewise) and all(piece == 0 or piece is sp.nan for piece, _ in simplified.args):
        return "zero", None  # 0 wherever both are defined (the sampling checked where they are)
    return "nonzero", _brief(sp.sstr(simplified))


def _general_form(sp: Any, difference: Any) -> tuple[Any | None, str]:
    """The difference with every argument of a function that is not a lone variable or number replaced by
    a new real variable (None when there is none), and a key that is the same for general forms that
    differ only in the names of their variables."""
    arguments: dict[Any, None] = {}
    for node in sp.preorder_traversal(difference):
        if isinstance(node, sp.Function):
            arguments.update((a, None) for a in node.args if not (a.is_Symbol or a.is_Number))
    if not arguments:
        return None, ""
    general = difference.xreplace({a: sp.Dummy(real=True) for a in arguments})
    free = sorted(general.free_symbols, key=lambda symbol: (isinstance(symbol, sp.Dummy), str(symbol)))
    renamed = general.xreplace({symbol: sp.Symbol(f"v{k}", real=True) for k, symbol in enumerate(free)})
    return general, sp.srepr(renamed)


def agreement(want: Any, got: Any, again: Callable[[int], tuple[Any, Any] | None]) -> bool | None:
    """Whether two values agree (see `agree`). The evaluator keeps at least 10 significant digits through
    any cancellation (it computes again at more digits where terms cancel beyond that), but not always
    20: 1 - tanh(56)**2 at 30 digits cancels 48 of them. Values that differ by less than RECHECK are
    therefore computed `again` at 60, 120 and 240 digits, where such noise shrinks and a real
    difference stays; they agree if they agree at any of them."""
    same = agree(want, got)
    for digits in RECHECK_DIGITS:
        if same is not False or abs(want - got) > RECHECK * max(abs(want), abs(got)):
            break
        found = again(digits)
        if found is None:
            break
        want, got = found
        same = agree(want, got)
    return same


def values(evaluator: Evaluator, a: Any, b: Any) -> tuple[Any, Any] | None:
    """The values of a and b, or None where either has none or is too large to compute."""
    try:
        found = evaluator.value(a), evaluator.value(b)
    except LimitError:
        return None
    return None if None in found else found


def agree(want: Any, got: Any) -> bool | None:
    """Two 30-digit values that are the same number to 20 digits (relative), or both 0; None when one is 0
    and the other so small (below 10**-250) that the 0 may be a cancellation finer than 400 digits
    (1 - tanh(x)**2 at x = -500), so that the point cannot tell them apart."""
    if (want == 0) != (got == 0) and max(abs(want), abs(got)) < TINY:
        return None
    return bool(abs(want - got) <= AGREEMENT * max(abs(want), abs(got)))


def defined_everywhere(engine: Engine, expr: Any) -> bool:
    """Whether expr has a value at every real point: no division, root, logarithm or function with a
    restricted domain in it (then an identity of the engine cannot have changed where it is defined)."""
    restricted = {"tan", "sec", "csc", "cot", "asin", "acos", "acosh", "atanh", "log", "atan2"}
    for kind, a, b in distinct_parts(engine, expr):
        if kind == UNDEFINED or (kind == CALL and a in restricted):
            return False
        if kind == POW:
            exponent = engine.node(b)
            if not (exponent[0] == NUMBER and exponent[2] == 1 and exponent[1] >= 0) and engine.free_symbols(a):
                return False
    return True


def terms(engine: Engine, expr: Any) -> int:
    """How many terms expr would have multiplied out (function calls count as one), capped just above the limit."""
    cap = EXPANDED_TERMS + 1
    memo: dict[Any, int] = {}

    def count(e: Any, depth: int = 0) -> int:
        if e in memo:
            return memo[e]
        if depth > 200:
            return cap
        kind, a, b = engine.node(e)
        if kind == ADD:
            value = min(cap, sum(count(t, depth + 1) for t in a))
        elif kind == MUL:
            value = 1
            for factor in a:
                value = min(cap, value * count(factor, depth + 1))
        elif kind == POW:
            exponent = engine.node(b)
            base = count(a, depth + 1)
            if exponent[0] == NUMBER and exponent[2] == 1 and exponent[1] > 0 and base > 1:
                power = exponent[1]
                value = cap if power > EXPANDED_TERMS else min(cap, math.comb(base + power - 1, power))
            else:
                value = 1
        else:
            value = 1
        memo[e] = value
        return value

    return count(expr)


def _brief(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


class _ProofOutOfTimeError(BaseException):  # not Exception: SymPy must not catch it on the way out
    pass
