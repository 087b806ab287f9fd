"""SymEngine objects built straight from the checked syntax tree, with no SymPy on the way.

The builder takes only what SymEngine computes the way jac's SymPy path does: arithmetic, exact
rational literals, `pi`, `e`, and the elementary functions of `ELEMENTARY`. Anything else (jac's own
functions such as sigmoid, piecewise functions such as abs or max, vector variables, constant
subexpressions that could be undefined or huge such as `log(0)` or `10**10**6`, every name the
SymPy builder refuses) raises `DeclineError`, and the input goes to the SymPy path, which computes it
or reports the error in its own words.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from jaccli import syntax

# name -> how many arguments; the SymEngine function is looked up when symengine is imported.
ELEMENTARY = {
    "sin": 1,
    "cos": 1,
    "tan": 1,
    "sec": 1,
    "csc": 1,
    "cot": 1,
    "asin": 1,
    "acos": 1,
    "atan": 1,
    "sinh": 1,
    "cosh": 1,
    "tanh": 1,
    "asinh": 1,
    "acosh": 1,
    "atanh": 1,
    "exp": 1,
    "log": 1,
    "ln": 1,
    "sqrt": 1,
}
CONSTANTS = ("pi", "e")
# Names with another meaning somewhere in jac (functions the SymPy path knows, reducers, reserved
# names): the builder never turns them into variables.
_NOT_VARIABLES = {
    *ELEMENTARY,
    *syntax.RESERVED,
    "atan2",
    "log2",
    "log10",
    "cbrt",
    "abs",
    "sign",
    "min",
    "max",
    "floor",
    "ceiling",
    "heaviside",
    "sigmoid",
    "relu",
    "softplus",
    "sum",
    "dot",
}
_CONSTANT_EXPONENT = 64
_CALLED = re.compile(r"\b_([0-9]+) \(")
# Literals with more digits than this go to the SymPy path, which checks them against the limits.
_LITERAL_DIGITS = 30


class DeclineError(Exception):
    """This input is for the SymPy path."""


class Tree(NamedTuple):
    """The checked syntax trees of the input: one entry per function, and the names they use."""

    entries: tuple[tuple[ast.expr, syntax._Source], ...]
    names: frozenset[str]  # every name used as a value (not as a function)
    tokens: int


def read_trees(texts: Sequence[str]) -> Tree:
    """Parse with the same tokenizer and limits as the SymPy path; a syntax error is the user's error."""
    entries: list[tuple[ast.expr, syntax._Source]] = []
    names: set[str] = set()
    tokens = 0
    for text in texts:
        body, source = syntax._parse_tree(text)
        tokens += len(source.names) + len(source.numbers)
        entries.extend((entry, source) for entry in syntax._entries(body))
        # A placeholder followed by "(" is a call (the tokenizer wrote `2(x)` as `2 * (x)`).
        called = {int(k) for k in _CALLED.findall(source.text)}
        names.update(name for k, name in enumerate(source.names) if k not in called)
    return Tree(tuple(entries), frozenset(names), tokens)


def variable_names(tree: Tree, declared: Sequence[str] | None) -> list[str]:
    """The variables: the declared ones, or the names in the input in natural order."""
    if declared is not None:
        for name in declared:
            if not syntax.NAME.match(name) or name in _NOT_VARIABLES:
                raise DeclineError(name)
        return list(declared)
    found = [n for n in tree.names if n not in CONSTANTS]
    for name in found:
        if not syntax.NAME.match(name) or name in _NOT_VARIABLES:
            raise DeclineError(name)
    return sorted(found, key=syntax.natural_key)


class Builder:
    """SymEngine values from checked trees, over a fixed set of variable symbols."""

    def __init__(self, se: Any, symbols: dict[str, Any]) -> None:
        self.se = se
        self.symbols = symbols
        self.functions = {name: getattr(se, "log" if name == "ln" else name) for name in ELEMENTARY}
        self.constants = {"pi": se.pi, "e": se.E}

    def build(self, node: ast.AST, source: syntax._Source) -> Any:
        se = self.se
        if isinstance(node, ast.BinOp) and syntax._family(node) is not None:
            return self._chain(node, source)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = self.build(node.left, source), self.build(node.right, source)
            if base.free_symbols or exponent.free_symbols:
                return se.Pow(base, exponent)
            if not (exponent.is_Rational and all(abs(int(k)) <= _CONSTANT_EXPONENT for k in exponent.get_num_den())):
                raise DeclineError("a big power of constants")  # the SymPy path checks its size
            return self._real_constant(se.Pow(base, exponent))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.build(node.operand, source)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return self._number(source.numbers[node.col_offset].text)
        if isinstance(node, ast.Name):
            name = source.names[int(node.id[1:])]
            if name in self.symbols:
                return self.symbols[name]
            if name in self.constants:
                return self.constants[name]
            raise DeclineError(name)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            name = source.names[int(node.func.id[1:])]
            if name not in self.functions or len(node.args) != ELEMENTARY[name]:
                raise DeclineError(name)
            (argument,) = (self.build(a, source) for a in node.args)
            value = self.functions[name](argument)
            return value if argument.free_symbols else self._real_constant(value)
        raise DeclineError(type(node).__name__)

    def _real_constant(self, value: Any) -> Any:
        """A constant subexpression, if it is a finite real number: log(0), acos(2) are the SymPy path's to refuse."""
        try:
            from jaccli.large.numeric import PointEvaluator

            number = PointEvaluator({}).value(value)
        except (KeyError, TypeError):  # zoo, I: no real value
            raise DeclineError("a constant that is not a finite real number") from None
        if not math.isfinite(number):
            raise DeclineError("a constant that is not a finite real number")
        return value

    def _chain(self, node: ast.BinOp, source: syntax._Source) -> Any:
        se = self.se
        family = syntax._family(node)
        operands: list[tuple[ast.operator, ast.AST]] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and syntax._family(current) is family:
            operands.append((current.op, current.right))
            current = current.left
        operands.append((ast.Add() if family is ast.Add else ast.Mult(), current))
        values = []
        for op, operand in reversed(operands):
            value = self.build(operand, source)
            if isinstance(op, ast.Sub):
                value = -value
            elif isinstance(op, ast.Div):
                if value == 0:
                    raise DeclineError("division by zero")  # the SymPy path reports it
                value = se.Pow(value, -1)
            values.append(value)
        return se.Add(*values) if family is ast.Add else se.Mul(*values)

    def _number(self, text: str) -> Any:
        """A decimal literal as an exact rational: 0.1 is 1/10."""
        mantissa, _, exponent = text.lower().partition("e")
        whole, _, fraction = mantissa.partition(".")
        if len((whole + fraction).lstrip("0")) > _LITERAL_DIGITS or len(exponent.lstrip("+-")) > 2:
            raise DeclineError("a long literal")
        numerator = int(whole or "0") * 10 ** len(fraction) + int(fraction or "0")
        power = int(exponent or "0") - len(fraction)
        if power >= 0:
            return self.se.Integer(numerator * 10**power)
        return self.se.Rational(numerator, 10**-power)
