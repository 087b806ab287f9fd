"""The matrix chain rule of a closed form, step by step, as data that --explain puts into words.

Read from the typed syntax tree with the rules that derive the closed form (`Calculus`), never
from the input's text: which part of the function each factor comes from.

- Forward, for the Jacobian of a vector function by a vector x: from the outside in, an
  element-wise step (`tanh(W@x + b)` by `W@x`: the diagonal factor `diag(1 - tanh(W@x + b)**2)`,
  diag(σ'(·)) of the element-wise nonlinearity) or a linear step (`W@x` by `x`: the matrix `W`),
  until x itself. The closed form is their product in that order.
- Backward, for the gradient of a scalar f by a matrix W or a vector x that enters f at one place,
  a product P (`W@x`): the error δ = ∂f/∂P (backpropagation's name for it), then the step into W
  (∂f/∂W = δ*x^T, an outer product shaped like W) or into x (∂f/∂x = δ^T@W).

Anything else (a variable used in two places, a product rule, a reduction in the way) has no
story: an empty tuple, and the explanation says only the closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

from jaccli.engine.base import CALL
from jaccli.matrix_calculus.derive import Calculus
from jaccli.matrix_calculus.nodes import (
    SCALAR,
    Elem,
    MatMul,
    Node,
    Shape,
    Transpose,
    Var,
    is_column,
    is_matrix,
    is_row,
    walk,
)
from jaccli.matrix_calculus.notation import Notation

ANY = "·"


@dataclass(frozen=True)
class Step:
    """One step of the matrix chain rule, its parts written in the notation of the closed forms.

    kind:
    - "elementwise": `outer` is element-wise in `inner` (entry i uses only entry i of it); its
      Jacobian by `inner` is the diagonal `factor`. `function` is the function applied entry by
      entry when `outer` is one call (`tanh`, `max(0, ·)`), `argument` what it is applied to.
    - "linear": `outer` is `factor`@`inner`, linear in `inner`; its Jacobian by `inner` is `factor`.
    - "error": the error δ = ∂f/∂`inner` = `factor`, shaped like `inner` (`shape`).
    - "outer": the matrix `inner` enters f only through `outer` = `left`^T@`inner`@`right` (`left`
      None for `inner`@`right`); ∂f/∂`inner` = `factor`, an outer product shaped like `inner`.
    - "pullback": the vector `inner` enters f only through `outer` = `left`@`inner`; ∂f/∂`inner`
      = `factor`, the error sent back through `left`.
    """

    kind: str
    outer: str
    inner: str
    factor: str
    function: str | None = None
    argument: str | None = None
    left: str | None = None
    right: str | None = None
    right_transposed: str | None = None
    shape: tuple[int, int] | None = None  # of `inner` (vectors n x 1)
    left_shape: tuple[int, int] | None = None  # of `left` as written (a row 1 x n)


class Story:
    """The steps of one derivative, in the algebra of a Calculus."""

    def __init__(self, calculus: Calculus) -> None:
        self.calculus = calculus
        self.algebra = calculus.algebra
        self.notation = Notation(calculus.algebra)

    def text(self, node: Node) -> str:
        return self.notation.text(node)

    # -- forward: a vector function by a vector ------------------------------------------------------

    def forward(self, f: Node, target: str) -> tuple[Step, ...]:
        calculus, algebra = self.calculus, self.algebra
        steps: list[Step] = []
        e = f
        while not (isinstance(e, Var) and e.name == target):
            if not is_column(e.shape):
                return ()
            if isinstance(e, Elem):
                found = [(arg, partial) for arg, partial in calculus.partials(e) if calculus.depends(arg, target)]
                if len(found) != 1 or found[0][0].shape != e.shape:
                    return ()
                arg, partial = found[0]
                factor = algebra.diag(algebra.elem(partial, e.shape))
                function, argument = self._call(e, arg)
                steps.append(Step("elementwise", self.text(e), self.text(arg), self.text(factor), function, argument))
                e = arg
            elif isinstance(e, MatMul):
                *matrices, last = e.factors
                if any(calculus.depends(m, target) for m in matrices):
                    return ()  # the product rule: two places
                matrix = algebra.chain(matrices)
                steps.append(Step("linear", self.text(e), self.text(last), self.text(matrix)))
                e = last
            else:
                return ()
        return tuple(steps)

    def _call(self, e: Elem, arg: Node) -> tuple[str | None, str | None]:
        """(`tanh`, `W@x + b`) when e is one function applied to an expression of arg; else (None, None)."""
        engine = self.algebra.engine
        kind, name, args = engine.node(e.template)
        if kind != CALL:
            return None, None
        symbol = self.algebra.symbol(arg)
        inside = [a for a in args if symbol in engine.free_symbols(a)]
        if len(inside) != 1:
            return None, None
        if len(args) == 1:
            return name, self.notation.template(inside[0])[0]
        shown = [ANY if a is inside[0] else self.notation.template(a)[0] for a in args]
        return f"{name}({', '.join(shown)})", self.notation.template(inside[0])[0]

    # -- backward: a scalar function by a matrix or a vector --------------------------------------------

    def backward(self, f: Node, target: str, gradient: Node) -> tuple[Step, ...]:
        """The steps to ∂f/∂target = `gradient` (shaped like the target), when the target is in one place."""
        if f.shape != SCALAR:
            return ()
        place = self._place(f, target)
        if place is None:
            return ()
        product, k = place
        algebra = self.algebra
        factors = product.factors
        variable = factors[k]
        left = algebra.chain(factors[:k]) if k else None
        right = algebra.chain(factors[k + 1 :]) if k < len(factors) - 1 else None
        steps: list[Step] = []
        if product != f:
            error = self.calculus.adjoint(f, product)
            rows, columns = product.shape
            shape = (rows or 1, columns or 1)
            steps.append(Step("error", "f", self.text(product), self.text(error), shape=shape))
        name = self.text(variable)
        if is_matrix(variable.shape):
            if right is None or not is_column(right.shape) or (left is not None and not is_row(left.shape)):
                return ()
            left_column = None if left is None else algebra.transpose(left)
            left_text = None if left_column is None else self.text(left_column)
            transposed = self.text(algebra.transpose(right))
            steps.append(
                Step(
                    "outer",
                    self.text(product),
                    name,
                    self.text(gradient),
                    left=left_text,
                    right=self.text(right),
                    right_transposed=transposed,
                    shape=_dimensions(variable.shape),
                    left_shape=None if left_column is None else _dimensions(left_column.shape),
                )
            )
            return tuple(steps)
        if right is not None or left is None:
            return ()
        row = self.text(algebra.transpose(gradient))
        shape = _dimensions(variable.shape)
        steps.append(
            Step(
                "pullback",
                self.text(product),
                name,
                row,
                left=self.text(left),
                shape=shape,
                left_shape=_dimensions(left.shape),
            )
        )
        return tuple(steps)

    def _place(self, f: Node, target: str) -> tuple[MatMul, int] | None:
        """(the product, the index of the target among its factors) when the target occurs once in f,
        as a factor of a product; else None."""
        places: list[tuple[Node, int]] = []
        for node in walk(f):
            for k, child in enumerate(node.children()):
                inside = child.arg if isinstance(child, Transpose) else child
                if isinstance(inside, Var) and inside.name == target:
                    places.append((node, k))
        if len(places) != 1:
            return None
        node, k = places[0]
        if not isinstance(node, MatMul) or not isinstance(node.factors[k], Var):
            return None
        return node, k


def _dimensions(shape: Shape) -> tuple[int, int]:
    return (shape[0] or 1, shape[1] or 1)
