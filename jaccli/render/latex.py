"""A bmatrix a student can paste into a write-up, after the closed form when there is one.

LaTeX is SymPy's printer: the result is converted to SymPy for it, whichever engine computed it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

import sympy as sp

from jaccli.engine.sympy_engine import to_sympy
from jaccli.problem import Kind
from jaccli.result import Result

_NAMES = {Kind.GRADIENT: r"\nabla f", Kind.JACOBIAN: "J", Kind.HESSIAN: "H"}


def latex(result: Result, expr: Any) -> str:
    return sp.latex(to_sympy(result.engine, expr, evaluate=False))


def bmatrix(result: Result, value: Callable[[int, int], Any | None]) -> str:
    m, n = result.shape
    body = r" \\ ".join(
        " & ".join(r"\text{undefined}" if (v := value(i, j)) is None else latex(result, v) for j in range(n))
        for i in range(m)
    )
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def write_latex(result: Result, out: TextIO, *, explain: bool = False) -> None:
    name = _NAMES.get(result.kind)
    if name is None:
        variable = sp.latex(sp.Symbol(result.variables[0]))
        k = "" if result.order == 1 else f"^{{{result.order}}}"
        name = rf"\frac{{d{k} f}}{{d {variable}{k}}}"
    closed = result.structure.closed_form_latex
    equals = f"{name} = " + (f"{closed} = " if closed else "")
    lines = [f"{equals}{bmatrix(result, result.entry)}"]
    for evaluation in result.evaluations:
        at = ", ".join(latex(result, v) for _, v in evaluation.point)
        lines.append(rf"{name}\big|_{{({at})}} = {bmatrix(result, evaluation.exact_at)}")
    if explain:
        from jaccli.render.explain import explanation

        lines += [f"% {line}" for line in explanation(result)]
    out.write("\n".join(lines) + "\n")
