"""Closed forms printed in the notation of the matrix-calculus literature, as jac's text and as LaTeX.

Vectors are columns and `^T` transposes; `@` is the matrix product and `u*v^T` the outer
product; `diag(d)` is a diagonal matrix, `I` the identity, `1` the vector of ones. Inside an
element-wise expression the reductions read as in the input: `sum(x)`, `dot(w, x)`. The text
parses in NumPy's reading too, where a column is an n x 1 array: `2*(W@x - y)*x^T` is 2(Wx - y)xᵀ.
Element-wise parts are printed by jac's own printer (the same order of terms and factors as the
entries), with every vector or matrix operand written as one finished piece.
"""

from __future__ import annotations

from typing import Any

from jaccli.engine.base import ADD, SYMBOL
from jaccli.matrix_calculus.algebra import Algebra
from jaccli.matrix_calculus.latex import ADD_LEVEL, ATOM_LEVEL, MUL_LEVEL, LatexPrinter, latex_name
from jaccli.matrix_calculus.nodes import (
    SCALAR,
    Component,
    Diag,
    DiagOf,
    Elem,
    Inv,
    MatMul,
    Node,
    Reduce,
    Shape,
    Transpose,
    Var,
    Zero,
    is_column,
    is_row,
)
from jaccli.printer import Printer

Shown = tuple[str, int, int]  # text, precedence, degree (for the order of terms)


class _TemplatePrinter(Printer):
    """jac's printer, with the operands of a template written by the notation."""

    def __init__(self, notation: Notation) -> None:
        super().__init__(notation.algebra.engine)
        self.notation = notation

    def _compute(self, node: tuple[int, Any, Any]) -> tuple[str, int, int]:
        if node[0] == SYMBOL:
            operand = self.notation.operand(node[1])
            if operand is not None:
                return self.notation.show(operand)
        return super()._compute(node)


class Notation:
    """The text (latex=False) or the LaTeX (latex=True) of nodes of one algebra."""

    def __init__(self, algebra: Algebra, *, latex: bool = False) -> None:
        self.algebra = algebra
        self.is_latex = latex
        self.cache: dict[Node, Shown] = {}
        self.printer = _TemplatePrinter(Notation(algebra) if latex else self)
        self.latex_printer = LatexPrinter(self.printer, self._latex_operand) if latex else None

    def text(self, node: Node) -> str:
        return self.show(node)[0]

    def operand(self, name: str) -> Node | None:
        return self.algebra.by_symbol.get(self.algebra.engine.symbol(name))

    def _latex_operand(self, name: str) -> tuple[tuple[str, int], bool] | None:
        node = self.operand(name)
        if node is None:
            return None
        text, precedence, _ = self.show(node)
        return (text, precedence), node.shape != SCALAR

    def template(self, template: Any) -> Shown:
        if self.latex_printer is not None:
            text, precedence = self.latex_printer._show(template)
            return text, precedence, 1
        return self.printer._print(template)

    # -- pieces of notation -------------------------------------------------------------------------------

    def _wrap(self, text: str) -> str:
        return rf"\left({text}\right)" if self.is_latex else f"({text})"

    def _t(self, text: str) -> str:
        return text + ("^{T}" if self.is_latex else "^T")

    def _call(self, name: str, text: str) -> str:
        if not self.is_latex:
            return f"{name}({text})"
        names = {
            "sum": r"\operatorname{sum}",
            "trace": r"\operatorname{tr}",
            "det": r"\det",
            "diag": r"\operatorname{diag}",
        }
        if name == "norm":
            return rf"\left\lVert {text} \right\rVert"
        return rf"{names[name]}\left({text}\right)"

    def _ones(self, shape: Shape) -> str:
        one = r"\mathbf{1}" if self.is_latex else "1"
        if is_column(shape):
            return one
        if is_row(shape):
            return self._t(one)
        return f"{one} {self._t(one)}" if self.is_latex else f"{one}*{self._t(one)}"

    def _scaled(self, scale: Any, core: Shown) -> Shown:
        text, precedence, degree = core
        body = text if precedence >= MUL_LEVEL else self._wrap(text)
        if scale == self.algebra.one:
            return core
        if scale == self.algebra.engine.number(-1):
            return f"-{body}", ADD_LEVEL, degree
        scale_text = self.template(scale)[0]
        if self.algebra.engine.node(scale)[0] == ADD or (not self.is_latex and "/" in scale_text):
            scale_text = self._wrap(scale_text)
        joined = f"{scale_text} {body}" if self.is_latex else f"{scale_text}*{body}"
        degree += self.template(scale)[2]
        return joined, ADD_LEVEL if scale_text.startswith("-") else MUL_LEVEL, degree

    # -- nodes --------------------------------------------------------------------------------------------

    def show(self, node: Node) -> Shown:
        found = self.cache.get(node)
        if found is None:
            found = self._show(node)
            self.cache[node] = found
        return found

    def _show(self, node: Node) -> Shown:
        if isinstance(node, Zero):
            return "0", ATOM_LEVEL, 0
        if isinstance(node, (Var, Component)):
            return (latex_name(node.name) if self.is_latex else node.name), ATOM_LEVEL, 1
        if isinstance(node, Elem):
            return self._elem(node)
        if isinstance(node, MatMul):
            return self._product(node)
        if isinstance(node, Transpose):
            return self._transpose(node)
        if isinstance(node, Diag):
            value = self.algebra.filled(node.arg)
            if value is not None:
                return self._scaled(value, ("I", ATOM_LEVEL, 0))
            return self._call("diag", self.text(node.arg)), ATOM_LEVEL, self.show(node.arg)[2]
        if isinstance(node, DiagOf):
            return self._call("diag", self.text(node.arg)), ATOM_LEVEL, self.show(node.arg)[2]
        if isinstance(node, Reduce):
            degree = self.show(node.arg)[2] if node.name in ("sum", "trace") else 1
            return self._call(node.name, self.text(node.arg)), ATOM_LEVEL, degree
        if isinstance(node, Inv):
            if self.is_latex:
                return f"{self._atom(node.arg)}^{{-1}}", ATOM_LEVEL, 1
            return f"inv({self.text(node.arg)})", ATOM_LEVEL, 1
        raise TypeError(f"no notation for {type(node).__name__}")

    def _atom(self, node: Node) -> str:
        text, precedence, _ = self.show(node)
        return text if precedence == ATOM_LEVEL and " " not in text else self._wrap(text)

    def _elem(self, node: Elem) -> Shown:
        algebra = self.algebra
        value = algebra.filled(node)
        if value is not None:
            return self._scaled(value, (self._ones(node.shape), ATOM_LEVEL, 0))
        if is_row(node.shape):
            scale, core = algebra.split_scale(node)
            if core is not node and not isinstance(core, Elem):
                return self._scaled(scale, self.show(core))  # 2*(A@x - b)^T@A, c*x^T
            scale, core = algebra.split_scale(algebra.transpose(node))
            if algebra.is_ones(core):
                return self._scaled(scale, (self._ones(node.shape), ATOM_LEVEL, 0))
            text, precedence, degree = self.show(core)
            body = text if precedence == ATOM_LEVEL and not (self.is_latex and " " in text) else self._wrap(text)
            return self._scaled(scale, (self._t(body), ATOM_LEVEL, degree))
        scale, core = algebra.split_scale(node)
        if core is not node and not isinstance(core, Elem) and self.show(core)[1] <= MUL_LEVEL:
            return self._scaled(scale, self.show(core))  # 2*(W@x - y)*x^T, not 2*((W@x - y)*x^T)
        return self.template(node.template)

    def _product(self, node: MatMul) -> Shown:
        factors = node.factors
        degree = sum(self.show(f)[2] for f in factors)
        if node.shape == SCALAR and len(factors) == 2:
            u, v = self.algebra.transpose(factors[0]), factors[1]
            if self.is_latex:
                return f"{self._t(self._atom(u))} {self._atom(v)}", MUL_LEVEL, degree
            return f"dot({self.text(u)}, {self.text(v)})", ATOM_LEVEL, degree
        if all(self.algebra.is_ones(f) for f in factors):  # 1*1^T: multiplies like one symbol
            return self._ones(node.shape), ATOM_LEVEL, 0
        pieces = []
        for k, factor in enumerate(factors):
            text, precedence, _ = self.show(factor)
            if precedence < MUL_LEVEL or (precedence == MUL_LEVEL and (k > 0 or "/" in text)):
                text = self._wrap(text)  # (u/(u**2 + 1))*v^T rather than u/(u**2 + 1)*v^T
            if k == 0:
                pieces.append(text)
            elif self.is_latex:
                pieces.append(f" {text}")
            else:
                outer = is_column(factors[k - 1].shape) and is_row(factor.shape)
                pieces.append(("*" if outer else "@") + text)
        return "".join(pieces), MUL_LEVEL, degree

    def _transpose(self, node: Transpose) -> Shown:
        arg = node.arg
        if isinstance(arg, Inv):
            if self.is_latex:
                return f"{self._atom(arg.arg)}^{{-T}}", ATOM_LEVEL, 1
            return self._t(f"inv({self.text(arg.arg)})"), ATOM_LEVEL, 1
        text, precedence, degree = self.show(arg)
        return self._t(text if precedence == ATOM_LEVEL else self._wrap(text)), ATOM_LEVEL, degree
