"""The expressions of matrix calculus: scalars, column vectors, row vectors and matrices.

A shape is (rows, columns) where an absent dimension is None: a scalar is (None, None), a column
vector of n is (n, None), a row vector (None, n), a matrix (m, n). With that one rule the matrix
product needs no special cases: (m, k) @ (k, None) is a column, (None, k) @ (k, None) a scalar,
(n, None) @ (None, m) the outer product. Vectors are columns, as in the literature; a row is the
transpose of a column.

Element-wise expressions are `Elem` nodes: a scalar expression of the engine (the template) over
one symbol per operand that is not itself element-wise (a variable, a matrix product, a sum ...),
so that `tanh(W@x + b)` is the template tanh(p + b) with p standing for the product W@x. Operands
of a template have the template's shape or are scalars, which broadcast.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

Shape = tuple[int | None, int | None]
SCALAR: Shape = (None, None)


class NotFoldedError(Exception):
    """The derivative has no closed form in this algebra (a tensor, a single component ...)."""


def column(n: int) -> Shape:
    return (n, None)


def row(n: int) -> Shape:
    return (None, n)


def transposed(shape: Shape) -> Shape:
    return (shape[1], shape[0])


def product_shape(left: Shape, right: Shape) -> Shape:
    """The shape of left @ right; NotFoldedError when the inner sizes differ or an operand is a scalar."""
    if left == SCALAR or right == SCALAR or left[1] != right[0]:
        raise NotFoldedError(f"no matrix product of shapes {left} and {right}")
    return (left[0], right[1])


def is_column(shape: Shape) -> bool:
    return shape[0] is not None and shape[1] is None


def is_row(shape: Shape) -> bool:
    return shape[0] is None and shape[1] is not None


def is_matrix(shape: Shape) -> bool:
    return shape[0] is not None and shape[1] is not None


def entries(shape: Shape) -> int:
    return (shape[0] or 1) * (shape[1] or 1)


@dataclass(frozen=True)
class Node:
    shape: Shape

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True)
class Var(Node):
    """A declared variable: a scalar, a (column) vector or a matrix."""

    name: str


@dataclass(frozen=True)
class Component(Node):
    """One component of a declared vector or matrix, used by its name (w_2): a scalar."""

    name: str
    owner: str
    index: int  # in the owner's entries, row-major


@dataclass(frozen=True)
class Zero(Node):
    """The zero of a shape."""


@dataclass(frozen=True)
class Elem(Node):
    """An element-wise expression: `template` over the symbols of `args` (see the module's note)."""

    template: Any
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True)
class MatMul(Node):
    """A product of two or more vectors and matrices, flat: no factor is a MatMul."""

    factors: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.factors


@dataclass(frozen=True)
class Transpose(Node):
    """The transpose of a variable or an inverse (others are transposed where they are built)."""

    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class Diag(Node):
    """The diagonal matrix of a column vector; diag(1) is I."""

    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class DiagOf(Node):
    """The diagonal of a matrix, a column vector."""

    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class Reduce(Node):
    """A scalar of an array: sum, trace, det or norm (Euclidean, Frobenius for a matrix)."""

    name: str
    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class Inv(Node):
    """The inverse of a square matrix."""

    arg: Node

    def children(self) -> tuple[Node, ...]:
        return (self.arg,)


def walk(node: Node) -> Iterator[Node]:
    """Every node of the expression once, each after the nodes it is made of."""
    seen: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, ready = stack.pop()
        if ready:
            yield current
            continue
        if current in seen:
            continue
        seen.add(current)
        stack.append((current, True))
        stack.extend((child, False) for child in current.children() if child not in seen)


def has_arrays(node: Node) -> bool:
    """Whether a vector or a matrix occurs anywhere in the expression."""
    return any(part.shape != SCALAR for part in walk(node))
