"""Engine expressions as LaTeX, in the order jac's text printer writes them (terms and factors alike).

Used for the element-wise parts of closed forms (`\\operatorname{diag}\\left(1 - \\tanh^{...}\\right)`),
where every operand that is a vector or a matrix is given as a finished piece of LaTeX. A product
of two or more such operands is element-wise and written with \\odot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL
from jaccli.printer import Printer, _order, _without_coefficient

ADD_LEVEL, MUL_LEVEL, POW_LEVEL, ATOM_LEVEL = 1, 2, 3, 4

_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "sec": r"\sec",
    "csc": r"\csc",
    "cot": r"\cot",
    "asin": r"\operatorname{asin}",
    "acos": r"\operatorname{acos}",
    "atan": r"\operatorname{atan}",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "asinh": r"\operatorname{asinh}",
    "acosh": r"\operatorname{acosh}",
    "atanh": r"\operatorname{atanh}",
    "log": r"\log",
    "sign": r"\operatorname{sign}",
    "heaviside": r"\theta",
    "sigmoid": r"\sigma",
    "softplus": r"\operatorname{softplus}",
    "atan2": r"\operatorname{atan_{2}}",
    "max": r"\max",
    "min": r"\min",
}

Piece = tuple[str, int]


def latex_name(name: str) -> str:
    """w -> w, w_1 -> w_{1}, W_1_2 -> W_{1,2}."""
    head, underscore, rest = name.partition("_")
    return f"{head}_{{{rest.replace('_', ',')}}}" if underscore else name


def wrap(text: str) -> str:
    return rf"\left({text}\right)"


class LatexPrinter:
    """LaTeX of one engine's expressions; `operand(name)` gives the LaTeX of an operand symbol."""

    def __init__(self, text: Printer, operand: Callable[[str], tuple[Piece, bool] | None]) -> None:
        self.text = text
        self.engine = text.engine
        self.operand = operand
        self.cache: dict[Any, Piece] = {}
        self.arrays: dict[Any, bool] = {}

    def latex(self, expr: Any) -> str:
        return self._show(expr)[0]

    def _show(self, expr: Any) -> Piece:
        found = self.cache.get(expr)
        if found is None:
            found = self._compute(self.engine.node(expr))
            self.cache[expr] = found
        return found

    def _is_array(self, expr: Any) -> bool:
        found = self.arrays.get(expr)
        if found is None:
            found = False
            for symbol in self.engine.free_symbols(expr):
                given = self.operand(self.engine.node(symbol)[1])
                if given is not None and given[1]:
                    found = True
                    break
            self.arrays[expr] = found
        return found

    def _wrapped(self, expr: Any, level: int) -> str:
        text, precedence = self._show(expr)
        return wrap(text) if precedence <= level else text

    def _compute(self, node: tuple[int, Any, Any]) -> Piece:
        kind, a, b = node
        if kind == NUMBER:
            body = str(abs(a)) if b == 1 else rf"\frac{{{abs(a)}}}{{{b}}}"
            return ("-" + body, ADD_LEVEL) if a < 0 else (body, ATOM_LEVEL)
        if kind == SYMBOL:
            given = self.operand(a)
            return given[0] if given is not None else (latex_name(a), ATOM_LEVEL)
        if kind == CONSTANT:
            return (r"\pi" if a == "pi" else "e"), ATOM_LEVEL
        if kind == ADD:
            return self._add(a), ADD_LEVEL
        if kind == MUL:
            return self._mul(a)
        if kind == POW:
            return self._pow(a, b)
        if kind == CALL:
            return self._call(a, b), ATOM_LEVEL
        return r"\text{undefined}", ATOM_LEVEL

    def _add(self, terms: Any) -> str:
        keyed = []
        for term in terms:
            text, _, degree = self.text._print(term)
            number = self.engine.node(term)[0] == NUMBER
            keyed.append((number, -degree, _order(_without_coefficient(text)), self._show(term)[0]))
        keyed.sort(key=lambda t: t[:3])
        pieces = [k[3] for k in keyed]
        if pieces[0].startswith("-"):
            positive = next((k for k, t in enumerate(pieces) if not t.startswith("-")), None)
            if positive is not None:
                pieces.insert(0, pieces.pop(positive))
        out = [pieces[0]]
        out.extend(f" - {p[1:]}" if p.startswith("-") else f" + {p}" for p in pieces[1:])
        return "".join(out)

    def _mul(self, factors: Any) -> Piece:
        engine = self.engine
        sign, coefficient, denominator = "", [], []
        numerator: list[tuple[int, Any, str, bool]] = []
        for factor in factors:
            kind, a, b = engine.node(factor)
            if kind == NUMBER:
                sign = "-" if a < 0 else sign
                if abs(a) != 1:
                    coefficient.append(str(abs(a)))
                if b != 1:
                    denominator.append(str(b))
                continue
            if kind == POW and engine.node(b)[0] == NUMBER and engine.node(b)[1] < 0:
                denominator.append(self._show(engine.pow(a, engine.negate(b)))[0])
                continue
            group = 0 if kind in (SYMBOL, CONSTANT) or (kind == POW and engine.node(a)[0] == SYMBOL) else 1
            text = self._wrapped(factor, ADD_LEVEL)  # juxtaposed factors need no brackets
            if text.startswith(r"\left("):
                group = 2
            numerator.append((group, _order(self.text.text(factor)), text, self._is_array(factor)))
        numerator.sort(key=lambda t: t[:2])
        top = " ".join(coefficient)
        arrays = [t[2] for t in numerator if t[3]]
        scalars = [t[2] for t in numerator if not t[3]]
        body = " ".join(p for p in (top, " ".join(scalars), r" \odot ".join(arrays)) if p)
        if denominator:
            body = rf"\frac{{{body or '1'}}}{{{' '.join(denominator)}}}"
        return sign + (body or "1"), ADD_LEVEL if sign else MUL_LEVEL

    def _pow(self, base: Any, exponent: Any) -> Piece:
        engine = self.engine
        base_node, exponent_node = engine.node(base), engine.node(exponent)
        if base_node[0] == CONSTANT and base_node[1] == "e":
            return f"e^{{{self.latex(exponent)}}}", POW_LEVEL
        if exponent_node[0] == NUMBER:
            p, q = exponent_node[1], exponent_node[2]
            if (p, q) == (1, 2):
                return rf"\sqrt{{{self.latex(base)}}}", ATOM_LEVEL
            if p < 0:
                below = self._show(engine.pow(base, engine.number(-p, q)))[0]
                return rf"\frac{{1}}{{{below}}}", MUL_LEVEL
        return f"{self._wrapped(base, POW_LEVEL)}^{{{self.latex(exponent)}}}", POW_LEVEL

    def _call(self, name: str, args: Any) -> str:
        inner = ", ".join(self.latex(x) for x in args)
        if name == "abs":
            return rf"\left|{inner}\right|"
        if name == "floor":
            return rf"\left\lfloor{{{inner}}}\right\rfloor"
        if name == "ceiling":
            return rf"\left\lceil{{{inner}}}\right\rceil"
        if name == "cbrt":
            return rf"\sqrt[3]{{{inner}}}"
        if name == "exp":
            return f"e^{{{inner}}}"
        function = _FUNCTIONS.get(name) or rf"\operatorname{{{name}}}"
        return rf"{function}\left({inner}\right)"
