"""The constructors of the algebra, each simplifying as it builds.

Element-wise expressions are built on engine templates (the engine simplifies 1*p, p + 0, p - p);
the rest follows the identities of the tables: I@A = A, 0@A = 0, diag(u)@v = u*v, 1^T@v = sum(v),
(A@B)^T = B^T@A^T, scalars move to the front of a product, a product with a scalar in its middle
(u*v^T@w) is that scalar times the rest, sum(u*v) = dot(u, v), terms with a common last factor are
factored (A@x + A^T@x = (A + A^T)@x) and diagonal terms are merged (diag(u) + diag(v) = diag(u + v)).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jaccli.engine.base import ADD, MUL, NUMBER, SYMBOL, Engine
from jaccli.matrix_calculus.nodes import (
    SCALAR,
    Component,
    Diag,
    DiagOf,
    Elem,
    Inv,
    MatMul,
    Node,
    NotFoldedError,
    Reduce,
    Shape,
    Transpose,
    Var,
    Zero,
    column,
    is_column,
    is_matrix,
    is_row,
    product_shape,
    transposed,
)


class Algebra:
    """Builds the nodes of one computation over one engine; every operand of a template has a symbol."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.one = engine.one
        self.zero = engine.zero
        self.by_symbol: dict[Any, Node] = {}
        self.symbols: dict[Node, Any] = {}

    # -- templates ---------------------------------------------------------------------------------

    def symbol(self, node: Node) -> Any:
        """The symbol that stands for a node in templates: a variable's own name, else @k."""
        found = self.symbols.get(node)
        if found is None:
            name = node.name if isinstance(node, (Var, Component)) else f"@{len(self.symbols)}"
            found = self.engine.symbol(name)
            self.symbols[node] = found
            self.by_symbol[found] = node
        return found

    def template(self, node: Node) -> Any:
        if isinstance(node, Elem):
            return node.template
        if isinstance(node, Zero):
            return self.zero
        return self.symbol(node)

    def operands(self, template: Any) -> tuple[Node, ...]:
        nodes = [self.by_symbol[s] for s in self.engine.free_symbols(template) if s in self.by_symbol]
        return tuple(sorted(nodes, key=lambda n: str(self.symbols[n])))

    def is_array_symbol(self, symbol: Any) -> bool:
        node = self.by_symbol.get(symbol)
        return node is not None and node.shape != SCALAR

    def varies(self, template: Any) -> bool:
        """Whether a template has an array operand: its entries differ from each other."""
        return any(self.is_array_symbol(s) for s in self.engine.free_symbols(template))

    def elem(self, template: Any, shape: Shape) -> Node:
        """The element-wise expression of a template, with the simplifications of the module's note."""
        engine = self.engine
        if template == self.zero:
            return Zero(shape)
        kind, a, _ = engine.node(template)
        if kind == SYMBOL:
            node = self.by_symbol.get(template)
            if node is not None and node.shape == shape:
                return node
        args = self.operands(template)
        if any(arg.shape not in (SCALAR, shape) for arg in args):
            raise NotFoldedError("an element-wise operation on arrays of different shapes")
        if kind == ADD and shape != SCALAR:
            merged = self._merge_terms(list(a), shape)
            if merged is not None:
                return merged
        return Elem(shape, template, args)

    def lift(self, operation: Callable[[list[Any]], Any], operands: Sequence[Node]) -> Node:
        """An element-wise operation on nodes of one shape, scalars broadcast."""
        shapes = {o.shape for o in operands if o.shape != SCALAR}
        if len(shapes) > 1:
            raise NotFoldedError(f"an element-wise operation on shapes {sorted(map(str, shapes))}")
        shape = shapes.pop() if shapes else SCALAR
        return self.elem(operation([self.template(o) for o in operands]), shape)

    def add(self, operands: Sequence[Node], shape: Shape) -> Node:
        kept = [o for o in operands if not isinstance(o, Zero)]
        if not kept:
            return Zero(shape)
        if len(kept) == 1:
            return kept[0]
        return self.lift(self.engine.add, kept)

    def mul(self, *operands: Node) -> Node:
        for o in operands:
            if isinstance(o, Zero):
                shapes = [p.shape for p in operands if p.shape != SCALAR]
                return Zero(shapes[0] if shapes else SCALAR)
        return self.lift(self.engine.mul, operands)

    def negate(self, node: Node) -> Node:
        return self.scaled(self.engine.number(-1), node)

    def constant(self, value: Any, shape: Shape = SCALAR) -> Node:
        """A number (an engine constant) filling a shape: 1 is the vector of ones, 1^T its row."""
        return self.elem(value, shape)

    def scaled(self, scale: Any, node: Node) -> Node:
        """The scalar template `scale` times a node."""
        if scale == self.one:
            return node
        if isinstance(node, Zero):
            return node
        if isinstance(node, Diag):
            return self.diag(self.scaled(scale, node.arg))
        return self.elem(self.engine.mul([scale, self.template(node)]), node.shape)

    def filled(self, node: Node) -> Any | None:
        """The value of every entry, when an array's entries are all one scalar (c*1, c*1^T); else None."""
        if isinstance(node, Elem) and node.shape != SCALAR and not self.varies(node.template):
            return node.template
        return None

    def split_scale(self, node: Node) -> tuple[Any, Node]:
        """(s, core) with node = s*core, s a scalar template and core free of scalar factors."""
        if isinstance(node, Diag):
            value = self.filled(node.arg)
            if value is not None:
                return value, self.identity(node.shape[0] or 0)
            return self.one, node
        if not isinstance(node, Elem) or node.shape == SCALAR:
            return self.one, node
        engine = self.engine
        kind, a, _ = engine.node(node.template)
        if kind == ADD:
            content = self._content(list(a))
            if content is not None:  # 2*p - 2*y, as SymPy writes 2*(p - y)
                core = engine.add([engine.mul([engine.pow(content, engine.number(-1)), t]) for t in a])
                return content, self.elem(core, node.shape)
        factors = list(a) if kind == MUL else [node.template]
        scalars = [f for f in factors if not self.varies(f)]
        arrays = [f for f in factors if self.varies(f)]
        if not arrays:
            return node.template, self.constant(self.one, node.shape)
        if not scalars:
            return self.one, node
        return engine.mul(scalars), self.elem(engine.mul(arrays), node.shape)

    def _content(self, terms: list[Any]) -> Any | None:
        """The number every term is a multiple of (2 for 2*p - 2*y), when it is not 1; else None."""
        engine = self.engine
        found = None
        for term in terms:
            kind, a, _ = engine.node(term)
            numbers = [f for f in a if engine.node(f)[0] == NUMBER] if kind == MUL else []
            if kind == NUMBER or len(numbers) != 1:
                return None
            p, q = engine.node(numbers[0])[1:]
            size = (abs(p), q)
            if found is not None and size != found:
                return None
            found = size
        if found is None or found == (1, 1):
            return None
        return engine.number(*found)

    # -- sums: merge diagonal terms, factor common last (or first) factors ------------------------------

    def _merge_terms(self, terms: list[Any], shape: Shape) -> Node | None:
        split = [self.term_parts(t) for t in terms]
        diagonal = [(s, core) for s, core in split if isinstance(core, Diag) and core.arg.shape != SCALAR]
        if len(diagonal) > 1:
            inner = self.add([self.scaled(s, core.arg) for s, core in diagonal], column(shape[0] or 0))
            rest = [t for t, (_, core) in zip(terms, split) if not isinstance(core, Diag)]
            return self.add([self.diag(inner), *(self.elem(t, shape) for t in rest)], shape)
        for side in (-1, 0):
            groups: dict[Node, list[int]] = {}
            for k, (_, core) in enumerate(split):
                if isinstance(core, MatMul):
                    groups.setdefault(core.factors[side], []).append(k)
            for common, members in groups.items():
                if len(members) < 2:
                    continue
                parts = []
                for k in members:
                    scale, core = split[k]
                    assert isinstance(core, MatMul)
                    others = core.factors[:-1] if side == -1 else core.factors[1:]
                    parts.append(self.scaled(scale, self.chain(others)))
                inner = self.add(parts, parts[0].shape)
                factored = self.matmul(inner, common) if side == -1 else self.matmul(common, inner)
                rest = [self.elem(t, shape) for k, t in enumerate(terms) if k not in members]
                return self.add([factored, *rest], shape)
        return None

    def term_parts(self, term: Any) -> tuple[Any, Node | None]:
        """(scale, core) of a term that is a scalar times one array operand; (term, None) otherwise."""
        engine = self.engine
        kind, a, _ = engine.node(term)
        factors = list(a) if kind == MUL else [term]
        arrays = [f for f in factors if self.varies(f)]
        if len(arrays) != 1 or engine.node(arrays[0])[0] != SYMBOL:
            return term, None
        scalars = [f for f in factors if not self.varies(f)]
        return engine.mul(scalars) if scalars else self.one, self.by_symbol[arrays[0]]

    # -- products ----------------------------------------------------------------------------------------

    def identity(self, n: int) -> Node:
        return Diag((n, n), self.constant(self.one, column(n)))

    def is_identity(self, node: Node) -> bool:
        return isinstance(node, Diag) and self.is_ones(node.arg)

    def is_ones(self, node: Node) -> bool:
        value = self.filled(node)  # never compare an engine object with None: SymEngine would import SymPy
        return value is not None and bool(value == self.one)

    def chain(self, factors: Sequence[Node]) -> Node:
        result = factors[0]
        for factor in factors[1:]:
            result = self.matmul(result, factor)
        return result

    def matmul(self, left: Node, right: Node) -> Node:
        shape = product_shape(left.shape, right.shape)
        if isinstance(left, Zero) or isinstance(right, Zero):
            return Zero(shape)
        left_scale, left_core = self.split_scale(left)
        right_scale, right_core = self.split_scale(right)
        core = self._product(left_core, right_core)
        return self.scaled(self.engine.mul([left_scale, right_scale]), core)

    def _product(self, left: Node, right: Node) -> Node:
        if self.is_identity(left):
            return right
        if self.is_identity(right):
            return left
        if isinstance(left, Diag) and isinstance(right, Diag):
            return self.diag(self.mul(left.arg, right.arg))
        if isinstance(left, Diag) and is_column(right.shape):
            return self.mul(left.arg, right)
        if isinstance(right, Diag) and is_row(left.shape):
            return self.transpose(self.mul(self.transpose(left), right.arg))
        if self.is_ones(left) and is_row(left.shape):
            if is_column(right.shape):
                return self.reduce("sum", right)
            if isinstance(right, Diag):
                return self.transpose(right.arg)
        if self.is_ones(right) and is_column(right.shape):
            if is_row(left.shape):
                return self.reduce("sum", self.transpose(left))
            if isinstance(left, Diag):
                return left.arg
        factors = [*_flat(left), *_flat(right)]
        return self._canonical(factors)

    def _canonical(self, factors: list[Node]) -> Node:
        """A flat product; a scalar part in its middle (u*v^T@w: v^T@w) moves out as a scalar factor."""
        pieces: list[list[Node]] = [[factors[0]]]
        for factor in factors[1:]:
            if pieces[-1][-1].shape[1] is None and factor.shape[0] is None:
                pieces.append([factor])  # column @ row: an outer product starts a new piece
            else:
                pieces[-1].append(factor)
        if len(pieces) == 1:
            return _product_node(factors)
        scalars = [p for p in pieces if p[0].shape[0] is None and p[-1].shape[1] is None]
        rest = [f for p in pieces if p not in scalars for f in p]
        scale = self.engine.mul([self.template(_product_node(p)) for p in scalars])
        core = _product_node(rest) if rest else self.constant(self.one)
        return self.scaled(scale, core)

    def transpose(self, node: Node) -> Node:
        shape = transposed(node.shape)
        if node.shape == SCALAR or isinstance(node, Diag):
            return node
        if isinstance(node, Transpose):
            return node.arg
        if isinstance(node, Zero):
            return Zero(shape)
        if isinstance(node, Elem):
            mapping = {self.symbol(arg): self.template(self.transpose(arg)) for arg in node.args if arg.shape != SCALAR}
            template = self.engine.substitute(node.template, mapping) if mapping else node.template
            return self.elem(template, shape)
        if isinstance(node, MatMul):
            return self.chain([self.transpose(f) for f in reversed(node.factors)])
        return Transpose(shape, node)

    # -- functions of arrays ------------------------------------------------------------------------------

    def diag(self, vector: Node) -> Node:
        """diag(v) of a column vector."""
        n = vector.shape[0] or 0
        if isinstance(vector, Zero):
            return Zero((n, n))
        return Diag((n, n), vector)

    def diag_of(self, matrix: Node) -> Node:
        """The diagonal of a matrix."""
        m, n = matrix.shape
        shape = column(min(m or 0, n or 0))
        if isinstance(matrix, Diag):
            return matrix.arg
        if isinstance(matrix, Zero):
            return Zero(shape)
        value = self.filled(matrix)
        if value is not None:
            return self.constant(value, shape)
        scale, core = self.split_scale(matrix)
        if core is not matrix:
            return self.scaled(scale, self.diag_of(core))
        if isinstance(matrix, MatMul) and len(matrix.factors) == 2 and is_column(matrix.factors[0].shape):
            u, v = matrix.factors
            return self.mul(u, self.transpose(v))
        return DiagOf(shape, matrix)

    def reduce(self, name: str, node: Node) -> Node:
        """sum, trace, det or norm of an array."""
        if node.shape == SCALAR:
            return node if name in ("sum", "trace", "det") else self.lift(lambda t: self._abs(t[0]), [node])
        if isinstance(node, Zero):
            return Zero(SCALAR)
        if name == "sum":
            return self._sum(node)
        if name == "trace":
            if isinstance(node, Diag):
                return self._sum(node.arg)
            scale, core = self.split_scale(node)
            if core is not node:
                return self.scaled(scale, self.reduce("trace", core))
            if isinstance(node, MatMul) and len(node.factors) == 2 and is_column(node.factors[0].shape):
                u, v = node.factors
                return self.matmul(v, u)  # trace(u*v^T) = v^T@u
        return Reduce(SCALAR, name, node)

    def _abs(self, template: Any) -> Any:
        return self.engine.primitive("abs", [template])

    def _sum(self, node: Node) -> Node:
        engine = self.engine
        count = (node.shape[0] or 1) * (node.shape[1] or 1)
        value = self.filled(node)
        if value is not None:
            return self.constant(engine.mul([engine.number(count), value]))
        if isinstance(node, Diag):
            return self._sum(node.arg)
        scale, core = self.split_scale(node)
        if core is not node:
            return self.scaled(scale, self._sum(core))
        if isinstance(node, Elem) and is_column(node.shape):
            kind, a, _ = engine.node(node.template)
            if kind == MUL and len(a) == 2 and all(engine.node(f)[0] == SYMBOL for f in a):
                u, v = (self.by_symbol[f] for f in a)
                return self.matmul(self.transpose(u), v)  # sum(u*v) = dot(u, v)
        return Reduce(SCALAR, "sum", node)

    def inverse(self, node: Node) -> Node:
        if self.is_identity(node):
            return node
        if isinstance(node, Diag):
            return self.diag(self.lift(lambda t: self.engine.pow(t[0], self.engine.number(-1)), [node.arg]))
        return Inv(node.shape, node)

    def square_size(self, node: Node) -> int:
        if not is_matrix(node.shape) or node.shape[0] != node.shape[1]:
            raise NotFoldedError("not a square matrix")
        return node.shape[0] or 0


def _flat(node: Node) -> tuple[Node, ...]:
    return node.factors if isinstance(node, MatMul) else (node,)


def _product_node(factors: Sequence[Node]) -> Node:
    if len(factors) == 1:
        return factors[0]
    shape = factors[0].shape
    for factor in factors[1:]:
        shape = product_shape(shape, factor.shape)
    return MatMul(shape, tuple(factors))
