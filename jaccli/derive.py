"""Derivatives by reverse accumulation over the expression graph, with jac's rules, on any engine.

Differentiating every entry on its own costs a walk of the function per column: for a neural
layer that is n walks of the same n-term pre-activation per row, O(n^3) for the whole Jacobian.
Reverse accumulation walks each function's graph once, from the top down, handing every node's
adjoint (df/dnode) to its arguments by the chain rule, so a row costs as much as the function is
large. Only the columns a function contains receive a derivative: a row is a mapping from column
to its nonzero entry, and structural zeros are never built.

The rules are jac's conventions, the same on both engines: abs' = sign; sign, floor, ceiling and
heaviside have derivative 0 (no Dirac deltas); max(a, b)' by a = heaviside(a - b) (relu' =
heaviside, 1/2 at 0); sigmoid' = sigmoid*(1 - sigmoid); softplus' = sigmoid; cbrt' = 1/(3*cbrt**2);
0**g is 0 where it is defined, with derivative 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jaccli.engine.base import ADD, CALL, CONSTANT, MUL, NUMBER, POW, SYMBOL, Engine, children
from jaccli.functions import Functions


class Differentiator:
    """Gradients of expressions with respect to a fixed list of symbols (the columns)."""

    def __init__(self, functions: Functions, columns: Sequence[Any]) -> None:
        self.functions = functions
        self.engine: Engine = functions.engine
        self.index = {symbol: k for k, symbol in enumerate(columns)}
        self.depends: dict[Any, bool] = {}  # whether a node contains any column's symbol
        self.nodes: dict[Any, tuple[int, Any, Any]] = {}
        self.rules = _rules(self.engine, functions)

    def node(self, expr: Any) -> tuple[int, Any, Any]:
        found = self.nodes.get(expr)
        if found is None:
            found = self.engine.node(expr)
            self.nodes[expr] = found
        return found

    def _children(self, expr: Any) -> Sequence[Any]:
        return children(self.node(expr))

    def _order(self, root: Any) -> list[Any]:
        """The nodes that depend on a column, each before every node it uses, found in one walk.

        Whether a node depends on a column is remembered across calls: a subexpression shared by the
        rows of a Jacobian that contains no column is skipped at once by every later row.
        """
        depends = self.depends
        index = self.index
        children_of = self._children
        order: list[Any] = []
        seen: set[Any] = set()
        stack: list[tuple[Any, bool]] = [(root, False)]
        while stack:
            current, ready = stack.pop()
            if ready:
                if self.node(current)[0] == SYMBOL:
                    found = current in index
                else:
                    found = any(depends[c] for c in children_of(current))
                depends[current] = found
                if found:
                    order.append(current)
                continue
            if current in seen:
                continue
            seen.add(current)
            if depends.get(current) is False:
                continue
            stack.append((current, True))
            stack.extend((c, False) for c in children_of(current) if c not in seen and depends.get(c) is not False)
        order.reverse()
        return order

    def gradient(self, f: Any) -> dict[int, Any]:
        """The nonzero partial derivatives of f, by column index."""
        engine = self.engine
        order = self._order(f)
        if not order:
            return {}
        pending: dict[Any, list[Any]] = {f: [engine.one]}
        result: dict[int, Any] = {}
        depends = self.depends
        for current in order:
            terms = pending.pop(current, None)
            if not terms:
                continue
            adjoint = terms[0] if len(terms) == 1 else engine.add(terms)
            kind, a, b = self.node(current)
            if kind == SYMBOL:
                if adjoint != engine.zero:
                    result[self.index[current]] = adjoint
                continue
            for argument, partial in self._partials(current, kind, a, b):
                if depends[argument] and partial != engine.zero:
                    pending.setdefault(argument, []).append(engine.mul([adjoint, partial]))
        return dict(sorted(result.items()))

    def derivative(self, f: Any, column: int = 0) -> Any:
        """df/d(column) by forward accumulation: one column needs no adjoints, and the product rule applied
        from the bottom up keeps repeated derivatives (diff --order k) as sums of products, as compact as
        the engines' own differentiation, where adjoints would nest sums inside products at every order."""
        engine = self.engine
        order = self._order(f)
        if not order:
            return engine.zero
        target = next(symbol for symbol, index in self.index.items() if index == column)
        done: dict[Any, Any] = {}
        for current in reversed(order):  # every node after the nodes it uses
            kind, a, b = self.node(current)
            if kind == SYMBOL:
                done[current] = engine.one if current == target else engine.zero
                continue
            terms = []
            for argument, partial in self._partials(current, kind, a, b):
                inner = done.get(argument, engine.zero) if self.depends[argument] else engine.zero
                if inner != engine.zero and partial != engine.zero:
                    terms.append(partial if inner == engine.one else engine.mul([partial, inner]))
            done[current] = engine.add(terms) if terms else engine.zero
        return done[f]

    def _partials(self, current: Any, kind: int, a: Any, b: Any) -> list[tuple[Any, Any]]:
        engine = self.engine
        depends = self.depends
        if kind == ADD:
            return [(term, engine.one) for term in a]
        if kind == MUL:
            factors = list(a)
            return [
                (factor, engine.mul(factors[:k] + factors[k + 1 :]))
                for k, factor in enumerate(factors)
                if depends[factor]
            ]
        if kind == POW:
            base, exponent = a, b
            base_node = self.node(base)
            if base_node[0] == NUMBER and base_node[1] == 0:
                return []  # 0**g: 0 wherever it is defined
            parts = []
            if depends[base]:
                lowered = engine.pow(base, engine.add([exponent, engine.number(-1)]))
                parts.append((base, engine.mul([exponent, lowered])))
            if depends[exponent]:
                if base_node[0] == CONSTANT and base_node[1] == "e":
                    parts.append((exponent, current))
                else:
                    parts.append((exponent, engine.mul([current, self.functions.primitive("log", [base])])))
            return parts
        if kind == CALL:
            return list(zip(b, self.rules[a](current, b)))
        return []


Rule = Callable[[Any, Sequence[Any]], list[Any]]


def _arithmetic(engine: Engine) -> tuple[Callable[..., Any], ...]:
    """Short names for the rules below: n(p, q) = p/q, add(*terms), mul(*factors), power(base, p, q) = base**(p/q)."""

    def n(p: int, q: int = 1) -> Any:
        return engine.number(p, q)

    def add(*terms: Any) -> Any:
        return engine.add(list(terms))

    def mul(*factors: Any) -> Any:
        return engine.mul(list(factors))

    def power(base: Any, p: int, q: int = 1) -> Any:
        return engine.pow(base, n(p, q))

    return n, add, mul, power


def _rules(engine: Engine, functions: Functions) -> dict[str, Rule]:
    """name -> the partial derivatives of name(args) by each argument."""
    f = functions.primitive
    one, zero = engine.one, engine.zero
    n, add, mul, power = _arithmetic(engine)

    def others(args: Sequence[Any], k: int, name: str) -> Any:
        rest = list(args[:k]) + list(args[k + 1 :])
        return rest[0] if len(rest) == 1 else f(name, rest)

    def extremum(name: str) -> Rule:
        def rule(node: Any, args: Sequence[Any]) -> list[Any]:
            if len(args) == 1:
                return [one]
            if name == "max":
                return [f("heaviside", [engine.subtract(a, others(args, k, name))]) for k, a in enumerate(args)]
            return [f("heaviside", [engine.subtract(others(args, k, name), a)]) for k, a in enumerate(args)]

        return rule

    def atan2(node: Any, args: Sequence[Any]) -> list[Any]:
        y, x = args
        below = power(add(power(x, 2), power(y, 2)), -1)
        return [mul(x, below), mul(n(-1), y, below)]

    constant_zero: Rule = lambda node, args: [zero]  # noqa: E731 - piecewise constant
    return {
        **_elementary_rules(engine, functions),
        "abs": lambda node, args: [f("sign", args)],
        "sign": constant_zero,
        "floor": constant_zero,
        "ceiling": constant_zero,
        "heaviside": constant_zero,
        "sigmoid": lambda node, args: [mul(node, add(one, mul(n(-1), node)))],
        "softplus": lambda node, args: [f("sigmoid", args)],
        "cbrt": lambda node, args: [mul(n(1, 3), power(node, -2))],
        "atan2": atan2,
        "max": extremum("max"),
        "min": extremum("min"),
    }


def _elementary_rules(engine: Engine, functions: Functions) -> dict[str, Rule]:
    """The trigonometric, hyperbolic, exponential and logarithmic functions' derivatives."""
    f = functions.primitive
    one = engine.one
    n, add, mul, power = _arithmetic(engine)

    def one_minus_square(a: Any) -> Any:
        return add(one, mul(n(-1), power(a, 2)))

    return {
        "sin": lambda node, args: [f("cos", args)],
        "cos": lambda node, args: [engine.negate(f("sin", args))],
        "tan": lambda node, args: [add(one, power(node, 2))],
        "sec": lambda node, args: [mul(node, f("tan", args))],
        "csc": lambda node, args: [mul(n(-1), node, f("cot", args))],
        "cot": lambda node, args: [add(n(-1), mul(n(-1), power(node, 2)))],
        "asin": lambda node, args: [power(one_minus_square(args[0]), -1, 2)],
        "acos": lambda node, args: [mul(n(-1), power(one_minus_square(args[0]), -1, 2))],
        "atan": lambda node, args: [power(add(one, power(args[0], 2)), -1)],
        "sinh": lambda node, args: [f("cosh", args)],
        "cosh": lambda node, args: [f("sinh", args)],
        "tanh": lambda node, args: [one_minus_square(node)],
        "asinh": lambda node, args: [power(add(power(args[0], 2), one), -1, 2)],
        "acosh": lambda node, args: [power(add(power(args[0], 2), n(-1)), -1, 2)],
        "atanh": lambda node, args: [power(one_minus_square(args[0]), -1)],
        "exp": lambda node, args: [node],
        "log": lambda node, args: [power(args[0], -1)],
    }
