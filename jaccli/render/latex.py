"""A bmatrix a student can paste into a write-up, after the closed form when there is one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

import sympy as sp

from jaccli.core import Kind, Result

_NAMES = {Kind.GRADIENT: r"\nabla f", Kind.JACOBIAN: "J", Kind.HESSIAN: "H"}


def bmatrix(rows: Sequence[Sequence[sp.Expr | None]]) -> str:
    body = r" \\ ".join(" & ".join(r"\text{undefined}" if v is None else sp.latex(v) for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


def write_latex(result: Result, out: TextIO, *, explain: bool = False) -> None:
    name = _NAMES.get(result.kind)
    if name is None:
        variable = sp.latex(sp.Symbol(result.variables[0]))
        k = "" if result.order == 1 else f"^{{{result.order}}}"
        name = rf"\frac{{d{k} f}}{{d {variable}{k}}}"
    closed = result.structure.closed_form_latex
    equals = f"{name} = " + (f"{closed} = " if closed else "")
    lines = [f"{equals}{bmatrix(result.matrix.tolist())}"]
    for evaluation in result.evaluations:
        at = ", ".join(sp.latex(v) for _, v in evaluation.point)
        lines.append(rf"{name}\big|_{{({at})}} = {bmatrix(evaluation.values)}")
    if explain:
        from jaccli.render.explain import explanation

        lines += [f"% {line}" for line in explanation(result)]
    out.write("\n".join(lines) + "\n")
