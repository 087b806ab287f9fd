"""Expressions of any engine printed in jac's own language: every printed entry parses back.

The printer remembers what it printed, so a subexpression shared by a whole row of entries (a
layer's pre-activation) is written once and joined as a finished string. Sums list their terms by
degree, highest first, then in natural order of their text (x_2 before x_10), numbers last, and
start with a positive term when there is one (`1 - x`); products put the number first, then
symbols, then functions, then sums in parentheses, with negative powers below a `/`; e**u is
written exp(u) and u**(1/2) sqrt(u).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL, Engine
from jaccli.syntax import natural_key

_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4
_NUMBER_FACTOR, _INVERSE_FACTOR, _PLAIN_FACTOR = range(3)


def _order(text: str) -> str:
    """Natural order by the first characters: a term may be a whole pre-activation long."""
    return _prefix_order(text[:40])


@lru_cache(maxsize=1 << 16)
def _prefix_order(prefix: str) -> str:
    # a factor shared by a whole row of entries (the pre-activation) is ordered once
    return natural_key(prefix)


class Printer:
    """Text of the expressions of one engine, remembered across calls."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cache: dict[Any, tuple[str, int, int]] = {}  # expr -> (text, precedence, degree)
        # how an expression sits in a product or a sum, remembered: a row of entries shares its factors
        self.factors: dict[Any, tuple[Any, ...]] = {}
        self.terms: dict[Any, tuple[bool, int, str, str]] = {}

    def text(self, expr: Any) -> str:
        return self._print(expr)[0]

    def _print(self, expr: Any) -> tuple[str, int, int]:
        found = self.cache.get(expr)
        if found is None:
            found = self._compute(self.engine.node(expr))
            self.cache[expr] = found
        return found

    def _wrapped(self, expr: Any, level: int) -> str:
        """The text, in parentheses when it binds no tighter than `level`."""
        text, precedence, _ = self._print(expr)
        return f"({text})" if precedence <= level else text

    def _compute(self, node: tuple[int, Any, Any]) -> tuple[str, int, int]:
        kind, a, b = node
        if kind == NUMBER:
            if b == 1:
                return str(a), _ADD if a < 0 else _ATOM, 0
            return f"{a}/{b}", _ADD if a < 0 else _MUL, 0
        if kind == SYMBOL:
            return a, _ATOM, 1
        if kind == CONSTANT:
            return a, _ATOM, 0
        if kind == ADD:
            return self._add(a), _ADD, max(self._print(t)[2] for t in a)
        if kind == MUL:
            return self._mul(a)
        if kind == POW:
            return self._pow(a, b)
        if kind == CALL:
            return f"{a}({', '.join(self.text(x) for x in b)})", _ATOM, 1
        return str(a), _ATOM, 0  # an undefined value (never printed as an answer)

    def _add(self, terms: Any) -> str:
        printed = [self._term(term) for term in terms]
        printed.sort(key=lambda t: t[:3])
        texts = [t[3] for t in printed]
        if texts[0].startswith("-"):
            positive = next((k for k, t in enumerate(texts) if not t.startswith("-")), None)
            if positive is not None:
                texts.insert(0, texts.pop(positive))
        pieces = [texts[0]]
        for text in texts[1:]:
            pieces.append(f" - {text[1:]}" if text.startswith("-") else f" + {text}")
        return "".join(pieces)

    def _term(self, term: Any) -> tuple[bool, int, str, str]:
        """(is a number, -degree, order key, text): how a term is ordered in a sum."""
        found = self.terms.get(term)
        if found is None:
            text, _, degree = self._print(term)
            number = self.engine.node(term)[0] == NUMBER
            found = (number, -degree, _order(_without_coefficient(text)), text)
            self.terms[term] = found
        return found

    def _mul(self, factors: Any) -> tuple[str, int, int]:
        sign = ""
        coefficient: list[str] = []
        numerator: list[tuple[int, str, str]] = []
        denominator: list[tuple[str, int]] = []
        degree = 0
        for factor in factors:
            record = self._factor(factor)
            if record[0] == _NUMBER_FACTOR:
                _, top, negative, bottom = record
                if negative:
                    sign = "-"
                if top != 1:
                    coefficient.append(str(top))
                if bottom != 1:
                    denominator.append((str(bottom), _ATOM))
            elif record[0] == _INVERSE_FACTOR:
                denominator.append((record[1], record[2]))
            else:
                _, group, key, text, factor_degree = record
                degree += factor_degree
                numerator.append((group, key, text))
        numerator.sort(key=lambda t: t[:2])
        parts = coefficient + [t[2] for t in numerator]
        text = "*".join(parts) if parts else "1"
        if denominator:
            if len(denominator) == 1:
                below, precedence = denominator[0]
                text += "/" + (below if precedence > _MUL else f"({below})")
            else:
                text += "/(" + "*".join(t if p > _MUL else f"({t})" for t, p in denominator) + ")"
        return sign + text, _ADD if sign else _MUL, degree

    def _factor(self, factor: Any) -> tuple[Any, ...]:
        """How a factor is written in a product: a number (its size, sign and denominator), a power
        with a negative exponent (written below the /), or a factor above it (group, order, text)."""
        found = self.factors.get(factor)
        if found is not None:
            return found
        node = self.engine.node
        kind, a, b = node(factor)
        if kind == NUMBER:
            record: tuple[Any, ...] = (_NUMBER_FACTOR, abs(a), a < 0, b)
        elif kind == POW and node(b)[0] == NUMBER and node(b)[1] < 0:
            inverse, precedence, _ = self._print(self.engine.pow(a, self.engine.negate(b)))
            record = (_INVERSE_FACTOR, inverse, precedence)
        else:
            text, precedence, factor_degree = self._print(factor)
            group = 0 if kind in (SYMBOL, CONSTANT) or (kind == POW and node(a)[0] == SYMBOL) else 1
            if precedence <= _MUL:
                group, text = 2, f"({text})"
            record = (_PLAIN_FACTOR, group, _order(text), text, factor_degree)
        self.factors[factor] = record
        return record

    def _pow(self, base: Any, exponent: Any) -> tuple[str, int, int]:
        node = self.engine.node
        base_node = node(base)
        exponent_node = node(exponent)
        if base_node[0] == CONSTANT and base_node[1] == "e":
            return f"exp({self.text(exponent)})", _ATOM, 1
        if exponent_node[0] == NUMBER:
            p, q = exponent_node[1], exponent_node[2]
            if (p, q) == (1, 2):
                return f"sqrt({self.text(base)})", _ATOM, 1
            if p < 0:
                inverse, precedence, _ = self._print(self.engine.pow(base, self.engine.number(-p, q)))
                return "1/" + (inverse if precedence > _MUL else f"({inverse})"), _MUL, 0
            degree = self._print(base)[2] * p if q == 1 else 1
            return f"{self._wrapped(base, _POW)}**{self._wrapped(exponent, _POW)}", _POW, degree
        return f"{self._wrapped(base, _POW)}**{self._wrapped(exponent, _POW)}", _POW, 1


def _without_coefficient(text: str) -> str:
    """`3*x**2` -> `x**2`, `-x` -> `x`: terms are ordered by what they multiply."""
    text = text.lstrip("-")
    head, star, rest = text.partition("*")
    if star and head.replace("/", "").isdigit():
        return rest
    return text
