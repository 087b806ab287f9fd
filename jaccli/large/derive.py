"""Rows of a Jacobian by reverse accumulation over the expression graph, on SymEngine objects.

`DenseMatrix.jacobian` differentiates every entry on its own: for a neural layer that is n
differentiations of the same n-term pre-activation per row, O(n^3) for the whole n x n Jacobian.
Reverse accumulation walks each function's graph once, from the top down, handing every node's
adjoint (df/dnode) to its arguments by the chain rule, so a row costs as much as the function is
large: O(n^2) for the layer. The entries are the same canonical SymEngine sums of products that
forward differentiation gives (the tests compare the two on random systems).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Reverse:
    """Gradients of SymEngine expressions with respect to a fixed list of symbols."""

    def __init__(self, se: Any, symbols: Sequence[Any]) -> None:
        self.se = se
        self.symbols = list(symbols)
        self.wanted = set(symbols)
        self.depends: dict[Any, bool] = {}  # whether a node contains any wanted symbol
        self.rules: dict[str, Any] = {}  # function name -> its derivative at the dummy argument
        self.dummy = se.Symbol("_argument")  # a name no user variable can have

    def _depends(self, root: Any) -> bool:
        depends = self.depends
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node in depends:
                continue
            args = node.args
            if not ready and args:
                stack.append((node, True))
                stack.extend((a, False) for a in args if a not in depends)
                continue
            depends[node] = node in self.wanted or any(depends[a] for a in args)
        return depends[root]

    def _order(self, root: Any) -> list[Any]:
        """The nodes that depend on a wanted symbol, each after every node that uses it."""
        order: list[Any] = []
        seen: set[Any] = set()
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if ready:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if self.depends[a] and a not in seen)
        order.reverse()  # post-order reversed: users before what they use
        return order

    def _rule(self, node: Any) -> Any:
        name = type(node).__name__
        rule = self.rules.get(name)
        if rule is None:
            rule = getattr(self.se, name)(self.dummy).diff(self.dummy)
            self.rules[name] = rule
        return rule.subs({self.dummy: node.args[0]})

    def gradient(self, f: Any) -> list[Any]:
        se = self.se
        zero = se.Integer(0)
        if not self._depends(f):
            return [zero] * len(self.symbols)
        adjoint_terms: dict[Any, list[Any]] = {f: [se.Integer(1)]}
        adjoints: dict[Any, Any] = {}
        depends = self.depends
        for node in self._order(f):
            adjoint = se.Add(*adjoint_terms.pop(node))
            adjoints[node] = adjoint
            args = node.args
            if not args:
                continue
            parts: list[tuple[Any, Any]]
            if node.is_Add:
                parts = [(a, adjoint) for a in args if depends[a]]
            elif node.is_Mul:
                parts = [
                    (a, adjoint * se.Mul(*(b for k, b in enumerate(args) if k != i)))
                    for i, a in enumerate(args)
                    if depends[a]
                ]
            elif node.is_Pow:
                base, exponent = args
                parts = []
                if depends[base]:
                    parts.append((base, adjoint * exponent * se.Pow(base, exponent - 1)))
                if depends[exponent]:
                    parts.append((exponent, adjoint * node * se.log(base)))
            else:  # a function of one argument
                parts = [(args[0], adjoint * self._rule(node))]
            for argument, term in parts:
                adjoint_terms.setdefault(argument, []).append(term)
        return [adjoints.get(s, zero) for s in self.symbols]
