"""SymEngine expressions printed in jac's language, every distinct subexpression printed once.

A neural layer's Jacobian repeats each pre-activation in a whole row of entries; SymEngine's own
printer sorts and prints it again for every entry (15 MB of text for n = 100), where a printer
that remembers what it printed joins finished strings. Terms and factors are written in natural
order (numbers first), `E**u` as `exp(u)`, `u**(1/2)` as `sqrt(u)`, and negative powers as
division, so that the text reads like SymPy's and parses back with jac's parser.
"""

from __future__ import annotations

from typing import Any

from jaccli.syntax import natural_key

_ADD, _MUL, _POW, _ATOM = 1, 2, 3, 4


def _order(text: str) -> tuple[tuple[int, object], ...]:
    """Natural order by the first characters: a factor may be a whole pre-activation long."""
    return natural_key(text[:24])


class Printer:
    """Memoising printer: `text(expr)` and the precedence of what it printed."""

    def __init__(self) -> None:
        self.cache: dict[Any, tuple[str, int]] = {}

    def text(self, expr: Any) -> str:
        return self._print(expr)[0]

    def _print(self, expr: Any) -> tuple[str, int]:
        found = self.cache.get(expr)
        if found is None:
            found = self._compute(expr)
            self.cache[expr] = found
        return found

    def _wrapped(self, expr: Any, level: int) -> str:
        """The text, in parentheses when it binds more loosely than `level`."""
        text, precedence = self._print(expr)
        return f"({text})" if precedence <= level else text

    def _compute(self, expr: Any) -> tuple[str, int]:
        if expr.is_Add:
            return self._add(expr), _ADD
        if expr.is_Mul:
            return self._mul(expr)
        if expr.is_Pow:
            return self._pow(expr)
        if expr.is_Integer:
            value = int(expr)
            return str(value), _ADD if value < 0 else _ATOM
        if expr.is_Rational:
            numerator, denominator = (int(v) for v in expr.get_num_den())
            return f"{numerator}/{denominator}", _ADD if numerator < 0 else _MUL
        if expr.is_Symbol:
            return expr.name, _ATOM
        kind = type(expr).__name__
        if kind == "Exp1":
            return "e", _ATOM
        if kind == "Pi":
            return "pi", _ATOM
        if expr.is_Function:
            return f"{kind}({', '.join(self.text(a) for a in expr.args)})", _ATOM
        raise TypeError(f"cannot print {kind}")  # a bug: the builder admits nothing else

    def _add(self, expr: Any) -> str:
        terms = [(self._print(a)[0], a.is_Number) for a in expr.args]
        terms.sort(key=lambda t: (not t[1], _order(t[0].lstrip("-"))))
        pieces = [terms[0][0]]
        for text, _ in terms[1:]:
            pieces.append(f" - {text[1:]}" if text.startswith("-") else f" + {text}")
        return "".join(pieces)

    def _mul(self, expr: Any) -> tuple[str, int]:
        sign = ""
        numerator: list[str] = []
        denominator: list[tuple[str, int]] = []
        for factor in expr.args:
            if factor.is_Number:
                if factor.is_Rational and not factor.is_Integer:
                    top, bottom = (int(v) for v in factor.get_num_den())
                    denominator.append((str(bottom), _ATOM))
                else:
                    top = int(factor)
                if top < 0:
                    sign, top = "-", -top
                if top != 1:
                    numerator.append(str(top))
            elif factor.is_Pow and factor.args[1].is_Number and factor.args[1].is_negative:
                denominator.append(self._print(factor.args[0] ** -factor.args[1]))
            else:
                numerator.append(self._wrapped(factor, _ADD))
        numerator.sort(key=lambda t: (t.startswith("("), t[:24]))  # sums in parentheses last, as SymPy writes
        text = "*".join(numerator) if numerator else "1"
        if denominator:
            if len(denominator) == 1:
                below, precedence = denominator[0]
                text += "/" + (below if precedence > _MUL else f"({below})")
            else:
                text += "/(" + "*".join(t if p > _MUL else f"({t})" for t, p in sorted(denominator)) + ")"
        return sign + text, _ADD if sign else _MUL

    def _pow(self, expr: Any) -> tuple[str, int]:
        base, exponent = expr.args
        if type(base).__name__ == "Exp1":
            return f"exp({self.text(exponent)})", _ATOM
        if exponent.is_Rational and not exponent.is_Integer and exponent.get_num_den() == [1, 2]:
            return f"sqrt({self.text(base)})", _ATOM
        if exponent.is_Number and exponent.is_negative:
            below, precedence = self._print(base**-exponent)
            return "1/" + (below if precedence > _MUL else f"({below})"), _MUL
        return f"{self._wrapped(base, _POW)}**{self._wrapped(exponent, _POW)}", _POW
