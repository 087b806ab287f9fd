"""What an engine provides: building expressions, and showing an expression as a node.

A node is a tuple whose first item is its kind:

    (NUMBER, p, q)          the rational p/q (q = 1 for an integer), exact
    (SYMBOL, name, None)    a variable
    (CONSTANT, name, None)  pi or e
    (ADD, terms, None)      a sum
    (MUL, factors, None)    a product
    (POW, base, exponent)   a power (exp(u) may be the power e**u, sqrt(u) the power u**(1/2))
    (CALL, name, args)      a function, by its jac name (sin, max, sigmoid, heaviside ...)
    (UNDEFINED, what, None) no value: a pole, not a number, a complex number

The engine's own constructors simplify as they always do (2*x*3 is 6*x); the conventions of jac
(special values, relu = max(0, u), log bases) are applied by the builder (`jaccli.build`), once for
both engines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

NUMBER, SYMBOL, CONSTANT, ADD, MUL, POW, CALL, UNDEFINED = range(8)

# Functions an engine represents, by their jac names, with how many arguments (None: one or more).
PRIMITIVES: dict[str, int | None] = {
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
    "abs": 1,
    "sign": 1,
    "floor": 1,
    "ceiling": 1,
    "heaviside": 1,
    "sigmoid": 1,
    "softplus": 1,
    "cbrt": 1,
    "atan2": 2,
    "max": None,
    "min": None,
}

Node = tuple[int, Any, Any]


def children(node: Node) -> Sequence[Any]:
    """The expressions a node is made of: the terms, factors, base and exponent, or arguments."""
    kind, a, b = node
    if kind in (ADD, MUL):
        return a
    if kind == POW:
        return (a, b)
    if kind == CALL:
        return b
    return ()


def distinct_parts(engine: Engine, expr: Any, seen: set[Any] | None = None) -> Iterator[Node]:
    """The nodes of expr and of all its parts, each distinct part once, depth first (`seen` may be
    shared between walks, so that parts common to many entries are visited once in all)."""
    seen = set() if seen is None else seen
    stack = [expr]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        parts = engine.node(current)
        yield parts
        stack.extend(children(parts))


class Engine(ABC):
    """Expressions of one computer-algebra library, behind the few operations jac needs."""

    name: str
    zero: Any
    one: Any
    pi: Any
    e: Any
    undefined: Any  # a value with no number (NaN): what an operation on undefined parts gives

    @abstractmethod
    def symbol(self, name: str) -> Any: ...

    @abstractmethod
    def number(self, numerator: int, denominator: int = 1) -> Any: ...

    @abstractmethod
    def add(self, terms: Sequence[Any]) -> Any: ...

    @abstractmethod
    def mul(self, factors: Sequence[Any]) -> Any: ...

    @abstractmethod
    def pow(self, base: Any, exponent: Any) -> Any: ...

    @abstractmethod
    def primitive(self, name: str, args: Sequence[Any]) -> Any:
        """The engine's function `name` (a key of PRIMITIVES) applied to args, as the engine simplifies it."""

    @abstractmethod
    def node(self, expr: Any) -> Node: ...

    @abstractmethod
    def substitute(self, expr: Any, mapping: Mapping[Any, Any]) -> Any:
        """expr with the given subexpressions (symbols) replaced, the engine simplifying as it goes."""

    @abstractmethod
    def expand(self, expr: Any) -> Any:
        """expr with products of sums multiplied out (not inside function arguments): an identity,
        used by jac check to see that two forms are equal without SymPy. The caller bounds its size."""

    @abstractmethod
    def compile(self, symbols: Sequence[Any], entries: Sequence[Any]) -> Any:
        """A function of an (N, len(symbols)) float array giving the (N, len(entries)) values; the
        entries are elementary (see jaccli.compiled), NaN where undefined."""

    def free_symbols(self, expr: Any) -> set[Any]:
        return set(expr.free_symbols)

    def is_constant(self, expr: Any) -> bool:
        return not expr.free_symbols

    def negate(self, expr: Any) -> Any:
        return self.mul([self.number(-1), expr])

    def subtract(self, a: Any, b: Any) -> Any:
        return self.add([a, self.negate(b)])

    def divide(self, a: Any, b: Any) -> Any:
        return self.mul([a, self.pow(b, self.number(-1))])
