"""Derivatives in the algebra: the chain rule through element-wise templates, products and functions.

Three rules, each the one the literature uses for its case:
- `adjoints(f)`: a scalar f by reverse accumulation, giving for every variable the gradient shaped
  like it (x-bar for a vector, W-bar for a matrix). The adjoint of A@B hands A-bar = C-bar@B^T and
  B-bar = A^T@C-bar to its factors; an element-wise node multiplies by its template's partial
  derivative (from jac's Differentiator); sum broadcasts, trace gives I, det gives det(X)*inv(X)^T.
- `jacobian(e, x)`: a column vector e by a vector x (numerator layout), forward: diag(g)@J for
  an element-wise operand, g*J (an outer product) for a scalar operand, A@J through a product.
  A scalar operand's Jacobian is its adjoint transposed.
- `tangent(e, t)`: anything by a scalar, the derivative of every entry.
Anything outside these (a Jacobian of a matrix, a derivative by one component of a vector) raises
NotFoldedError: a tensor or an index has no closed form in this notation.
"""

from __future__ import annotations

from typing import Any

from jaccli.derive import Differentiator
from jaccli.functions import Functions
from jaccli.matrix_calculus.algebra import Algebra
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
    Transpose,
    Var,
    Zero,
    is_column,
    is_matrix,
    is_row,
    walk,
)


class Calculus:
    """Derivatives of the nodes of one algebra, remembered."""

    def __init__(self, algebra: Algebra, functions: Functions, owners: dict[str, str]) -> None:
        self.algebra = algebra
        self.functions = functions
        self.owners = owners  # component name -> its vector's or matrix's name
        self._leaves: dict[Node, frozenset[str]] = {}
        self._partials: dict[Elem, list[tuple[Node, Any]]] = {}
        self._adjoints: dict[Node, dict[str, Node]] = {}
        self._bars: dict[Node, dict[Node, Node]] = {}  # f -> every node's adjoint df/dnode
        self._jacobians: dict[tuple[Node, str], Node] = {}
        self._tangents: dict[tuple[Node, str], Node] = {}

    # -- what depends on what ----------------------------------------------------------------------------

    def leaves(self, node: Node) -> frozenset[str]:
        found = self._leaves.get(node)
        if found is not None:
            return found
        for part in walk(node):
            if part in self._leaves:
                continue
            if isinstance(part, Var):
                names = frozenset({part.name})
            elif isinstance(part, Component):
                names = frozenset({part.name, part.owner})
            else:
                names = frozenset().union(*(self._leaves[c] for c in part.children()))
            self._leaves[part] = names
        return self._leaves[node]

    def depends(self, node: Node, target: str) -> bool:
        names = self.leaves(node)
        return target in names or self.owners.get(target, "") in names

    def partials(self, node: Elem) -> list[tuple[Node, Any]]:
        """(operand, the template's partial derivative by it) for every operand."""
        found = self._partials.get(node)
        if found is None:
            symbols = [self.algebra.symbol(arg) for arg in node.args]
            gradient = Differentiator(self.functions, symbols).gradient(node.template)
            found = [(node.args[k], partial) for k, partial in gradient.items()]
            self._partials[node] = found
        return found

    # -- reverse: the gradient of a scalar, shaped like each variable ---------------------------------------

    def adjoints(self, f: Node) -> dict[str, Node]:
        """variable name -> df/dvariable in the variable's shape (components are not variables here)."""
        found = self._adjoints.get(f)
        if found is not None:
            return found
        if f.shape != SCALAR:
            raise NotFoldedError("the gradient of a function that is not a scalar")
        algebra = self.algebra
        order = list(walk(f))
        order.reverse()
        pending: dict[Node, list[Node]] = {f: [algebra.constant(algebra.one)]}
        result: dict[str, Node] = {}
        bars: dict[Node, Node] = {}
        for node in order:
            parts = pending.pop(node, None)
            if not parts:
                continue
            bar = algebra.add(parts, node.shape)
            bars[node] = bar
            if isinstance(bar, Zero) or not self.leaves(node):
                continue
            if isinstance(node, (Var, Component)):
                result[node.name] = bar
                continue
            for child, contribution in self._backward(node, bar):
                if self.leaves(child) and not isinstance(contribution, Zero):
                    pending.setdefault(child, []).append(contribution)
        self._adjoints[f] = result
        self._bars[f] = bars
        return result

    def adjoint(self, f: Node, node: Node) -> Node:
        """df/dnode shaped like the node (a part of the scalar f): backpropagation's error at the node."""
        self.adjoints(f)
        return self._bars[f].get(node, Zero(node.shape))

    def gradient(self, f: Node, target: str, shape: tuple[int | None, int | None]) -> Node:
        """df/dtarget shaped like the variable `target` (of that shape)."""
        adjoints = self.adjoints(f)
        if any(self.owners.get(name) == target for name in adjoints):
            raise NotFoldedError("a derivative through single components of the variable")
        return adjoints.get(target, Zero(shape))

    def _backward(self, node: Node, bar: Node) -> list[tuple[Node, Node]]:
        algebra = self.algebra
        if isinstance(node, Elem):
            out = []
            for arg, partial in self.partials(node):
                contribution = algebra.mul(bar, algebra.elem(partial, node.shape))
                if arg.shape == SCALAR and node.shape != SCALAR:
                    contribution = algebra.reduce("sum", contribution)
                out.append((arg, contribution))
            return out
        if isinstance(node, MatMul):
            return [(f, self._factor_adjoint(node, k, bar)) for k, f in enumerate(node.factors) if self.leaves(f)]
        if isinstance(node, Transpose):
            return [(node.arg, algebra.transpose(bar))]
        if isinstance(node, Diag):
            return [(node.arg, algebra.diag_of(bar))]
        if isinstance(node, DiagOf):
            return [(node.arg, algebra.diag(bar))]
        if isinstance(node, Inv):
            inverse_t = algebra.transpose(node)
            return [(node.arg, algebra.negate(algebra.chain([inverse_t, bar, inverse_t])))]
        if isinstance(node, Reduce):
            return [(node.arg, self._reduce_adjoint(node, bar))]
        raise NotFoldedError(f"no reverse rule for {type(node).__name__}")

    def _factor_adjoint(self, node: MatMul, k: int, bar: Node) -> Node:
        """The adjoint of factor k of a product: L^T @ bar @ R^T, L and R the factors on either side."""
        algebra = self.algebra
        factors = node.factors
        left = algebra.transpose(algebra.chain(factors[:k])) if k > 0 else None
        right = algebra.transpose(algebra.chain(factors[k + 1 :])) if k < len(factors) - 1 else None
        if bar.shape == SCALAR:
            parts = [p for p in (left, right) if p is not None]
            return algebra.mul(bar, algebra.chain(parts))
        result = bar
        if left is not None:
            result = algebra.matmul(left, result)
        if right is not None:
            result = algebra.matmul(result, right)
        return result

    def _reduce_adjoint(self, node: Reduce, bar: Node) -> Node:
        algebra, engine = self.algebra, self.algebra.engine
        arg, b = node.arg, algebra.template(bar)
        if node.name == "sum":
            return algebra.constant(b, arg.shape)
        if node.name == "trace":
            return algebra.diag(algebra.constant(b, (algebra.square_size(arg), None)))
        if node.name == "det":
            inverse_t = algebra.transpose(algebra.inverse(arg))
            return algebra.elem(engine.mul([b, algebra.symbol(node), algebra.template(inverse_t)]), arg.shape)
        norm = engine.pow(algebra.symbol(node), engine.number(-1))
        return algebra.elem(engine.mul([b, algebra.template(arg), norm]), arg.shape)

    # -- forward: the Jacobian of a column vector by a vector ------------------------------------------------

    def jacobian(self, e: Node, target: str, n: int) -> Node:
        """de/dx (numerator layout) for x the vector `target` of n components; e a scalar or a vector."""
        key = (e, target)
        found = self._jacobians.get(key)
        if found is None:
            found = self._jacobian(e, target, n)
            self._jacobians[key] = found
        return found

    def _jacobian(self, e: Node, target: str, n: int) -> Node:
        algebra = self.algebra
        if not self.depends(e, target):
            return Zero((e.shape[0], n))
        if e.shape == SCALAR:
            return algebra.transpose(self.gradient(e, target, (n, None)))
        if is_row(e.shape):
            return self.jacobian(algebra.transpose(e), target, n)
        if is_matrix(e.shape):
            raise NotFoldedError("the Jacobian of a matrix is a tensor")
        if isinstance(e, Var):
            return algebra.identity(n)
        if isinstance(e, Elem):
            terms = []
            for arg, partial in self.partials(e):
                if not self.depends(arg, target):
                    continue
                g = algebra.elem(partial, e.shape)
                inner = self.jacobian(arg, target, n)
                terms.append(algebra.matmul(g if arg.shape == SCALAR else algebra.diag(g), inner))
            return algebra.add(terms, (e.shape[0], n))
        if isinstance(e, MatMul):
            factors = e.factors
            terms = []
            for k, factor in enumerate(factors):
                if not self.depends(factor, target):
                    continue
                if k == len(factors) - 1:
                    term = self.jacobian(factor, target, n)
                else:
                    term = self.contract(factor, algebra.chain(factors[k + 1 :]), target, n)
                terms.append(algebra.matmul(algebra.chain(factors[:k]), term) if k else term)
            return algebra.add(terms, (e.shape[0], n))
        raise NotFoldedError(f"no Jacobian rule for {type(e).__name__}")

    def contract(self, m: Node, w: Node, target: str, n: int) -> Node:
        """d(m@w)/dx with the column w held fixed, for a matrix m."""
        algebra = self.algebra
        shape = (m.shape[0], n)
        if not self.depends(m, target):
            return Zero(shape)
        if isinstance(m, Diag):
            return algebra.matmul(algebra.diag(w), self.jacobian(m.arg, target, n))
        if isinstance(m, Inv):
            inner = self.contract(m.arg, algebra.matmul(m, w), target, n)
            return algebra.negate(algebra.matmul(m, inner))
        if isinstance(m, Transpose) and isinstance(m.arg, Inv):
            inner = self.contract(algebra.transpose(m.arg.arg), algebra.matmul(m, w), target, n)
            return algebra.negate(algebra.matmul(m, inner))
        if isinstance(m, Elem):
            return self._contract_elem(m, w, target, n)
        if isinstance(m, MatMul):
            return self._contract_product(m, w, target, n)
        raise NotFoldedError(f"no rule for the derivative of a {type(m).__name__} matrix")

    def _contract_elem(self, m: Elem, w: Node, target: str, n: int) -> Node:
        algebra = self.algebra
        terms = []
        for arg, partial in self.partials(m):
            if not self.depends(arg, target):
                continue
            g = algebra.elem(partial, m.shape)
            if arg.shape == SCALAR:
                terms.append(algebra.matmul(algebra.matmul(g, w), self.jacobian(arg, target, n)))
            elif algebra.varies(partial):
                raise NotFoldedError("an element-wise function of a matrix that depends on the vector")
            else:
                terms.append(algebra.scaled(partial, self.contract(arg, w, target, n)))
        return algebra.add(terms, (m.shape[0], n))

    def _contract_product(self, m: MatMul, w: Node, target: str, n: int) -> Node:
        algebra = self.algebra
        factors = m.factors
        terms = []
        for k, factor in enumerate(factors):
            if not self.depends(factor, target):
                continue
            rest = algebra.matmul(algebra.chain(factors[k + 1 :]), w) if k < len(factors) - 1 else w
            if is_matrix(factor.shape):
                term = self.contract(factor, rest, target, n)
            elif is_column(factor.shape):  # rest is a scalar
                term = algebra.mul(rest, self.jacobian(factor, target, n))
            else:  # a row times the column rest
                term = algebra.matmul(algebra.transpose(rest), self.jacobian(factor, target, n))
            terms.append(algebra.matmul(algebra.chain(factors[:k]), term) if k else term)
        return algebra.add(terms, (m.shape[0], n))

    # -- by a scalar: the derivative of every entry ---------------------------------------------------------

    def tangent(self, e: Node, target: str) -> Node:
        key = (e, target)
        found = self._tangents.get(key)
        if found is None:
            found = self._tangent(e, target)
            self._tangents[key] = found
        return found

    def _tangent(self, e: Node, target: str) -> Node:
        algebra = self.algebra
        if not self.depends(e, target):
            return Zero(e.shape)
        if isinstance(e, (Var, Component)):
            if e.name != target:
                raise NotFoldedError("a derivative by one component of a vector or matrix")
            return algebra.constant(algebra.one)
        if isinstance(e, Elem):
            terms = [
                algebra.mul(algebra.elem(partial, e.shape), self.tangent(arg, target))
                for arg, partial in self.partials(e)
                if self.depends(arg, target)
            ]
            return algebra.add(terms, e.shape)
        if isinstance(e, MatMul):
            factors = e.factors
            terms = [
                algebra.chain([*factors[:k], self.tangent(f, target), *factors[k + 1 :]])
                for k, f in enumerate(factors)
                if self.depends(f, target)
            ]
            return algebra.add(terms, e.shape)
        if isinstance(e, Transpose):
            return algebra.transpose(self.tangent(e.arg, target))
        if isinstance(e, Diag):
            return algebra.diag(self.tangent(e.arg, target))
        if isinstance(e, DiagOf):
            return algebra.diag_of(self.tangent(e.arg, target))
        if isinstance(e, Inv):
            return algebra.negate(algebra.chain([e, self.tangent(e.arg, target), e]))
        if isinstance(e, Reduce):
            return self._reduce_tangent(e, target)
        raise NotFoldedError(f"no derivative rule for {type(e).__name__}")

    def _reduce_tangent(self, e: Reduce, target: str) -> Node:
        algebra = self.algebra
        inner = self.tangent(e.arg, target)
        if e.name in ("sum", "trace"):
            return algebra.reduce(e.name, inner)
        if e.name == "det":
            return algebra.mul(e, algebra.reduce("trace", algebra.matmul(algebra.inverse(e.arg), inner)))
        # norm: the sum of a*da over the norm
        product = algebra.reduce("sum", algebra.mul(e.arg, inner))
        return algebra.lift(lambda t: algebra.engine.divide(t[0], t[1]), [product, e])
