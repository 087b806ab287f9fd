"""A bmatrix a student can paste into a write-up, after the closed form when there is one.

LaTeX is SymPy's printer: the result is converted to SymPy for it, whichever engine computed it.
The entries of a matrix variable are written W_{1,1} (SymPy alone would write W_{1 1}). The
gradient of a scalar function by one matrix W is written shaped like W, as
`\\frac{\\partial f}{\\partial W}`, the same matrix the table shows (jaccli.render.facts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

import sympy as sp

from jaccli.engine.sympy_engine import to_sympy
from jaccli.matrix_calculus.latex import latex_name
from jaccli.problem import Kind
from jaccli.render import facts
from jaccli.result import Result

_NAMES = {Kind.GRADIENT: r"\nabla f", Kind.JACOBIAN: "J", Kind.HESSIAN: "H"}


class _Latex:
    """The LaTeX of one result's expressions, with the names of its matrix entries."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.entries = frozenset(c for v in result.problem.variables if len(v.shape) == 2 for c in v.components)

    def __call__(self, expr: Any) -> str:
        converted = to_sympy(self.result.engine, expr, evaluate=False)
        names = {s: latex_name(s.name) for s in converted.free_symbols if s.name in self.entries}
        return sp.latex(converted, symbol_names=names) if names else sp.latex(converted)


def latex(result: Result, expr: Any) -> str:
    return _Latex(result)(expr)


def bmatrix(result: Result, value: Callable[[int, int], Any | None], printer: _Latex | None = None) -> str:
    """The matrix as the table lays it out (the result, or the gradient shaped like W);
    `value(row, column)` reads the result."""
    show = printer or _Latex(result)
    layout = facts.layout(result)
    m, n = len(layout.row_labels), len(layout.column_labels)

    def cell(i: int, j: int) -> str:
        v = value(*layout.position(i, j))
        return r"\text{undefined}" if v is None else show(v)

    body = r" \\ ".join(" & ".join(cell(i, j) for j in range(n)) for i in range(m))
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def write_latex(result: Result, out: TextIO, *, explain: bool = False) -> None:
    show = _Latex(result)
    weights = facts.weight_gradient(result)
    name = _NAMES.get(result.kind)
    closed = result.structure.closed_form_latex
    if weights is not None:
        name = rf"\frac{{\partial f}}{{\partial {weights.name}}}"
        closed = result.structure.gradient_matrix_closed_form_latex
    elif name is None:
        variable = sp.latex(sp.Symbol(result.variables[0]))
        k = "" if result.order == 1 else f"^{{{result.order}}}"
        name = rf"\frac{{d{k} f}}{{d {variable}{k}}}"
    equals = f"{name} = " + (f"{closed} = " if closed else "")
    lines = [f"{equals}{bmatrix(result, result.entry, show)}"]
    for evaluation in result.evaluations:
        at = ", ".join(show(v) for _, v in evaluation.point)
        lines.append(rf"{name}\big|_{{({at})}} = {bmatrix(result, evaluation.exact_at, show)}")
    if explain:
        from jaccli.render.explain import explanation

        lines += [f"% {line}" for line in explanation(result)]
    out.write("\n".join(lines) + "\n")
