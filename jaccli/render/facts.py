"""The words shared by the table and plain renderers: names, the case line, the point lines."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from jaccli.core import Evaluation, Kind, Result
from jaccli.printing import to_text


def matrix_name(result: Result) -> str:
    if result.kind is Kind.GRADIENT:
        return "∇f"
    if result.kind is Kind.HESSIAN:
        return "H"
    if result.kind is Kind.JACOBIAN:
        return "J"
    variable = result.variables[0]
    if result.order == 1:
        return f"df/d{variable}"
    return f"d^{result.order}f/d{variable}^{result.order}"


def case_line(result: Result) -> str:
    """e.g. `f: R^2 -> R, gradient 1x2`."""
    m, n = result.shape
    case = result.case

    def space(size: int, scalar: bool) -> str:
        return "R" if scalar else f"R^{size}"

    if result.kind is Kind.HESSIAN:
        return f"f: {space(n, n == 1)} -> R, Hessian {n}x{n}"
    domain = space(n, case.scalar_variable)
    codomain = space(m, case.scalar_function)
    return f"f: {domain} -> {codomain}, {case.name} {m}x{n}"


def layout_note(result: Result) -> str:
    if result.kind is Kind.HESSIAN:
        return "H[i][j] = ∂²f/∂θ_i∂θ_j"
    return "numerator layout: J[i][j] = ∂f_i/∂θ_j, row i is the gradient of f_i"


def function_lines(result: Result) -> list[str]:
    if len(result.functions) == 1:
        return [f"f = {result.functions[0]}"]
    return [f"f_{i} = {text}" for i, text in enumerate(result.functions, 1)]


def entry_text(value: sp.Expr | None) -> str:
    return "undefined" if value is None else to_text(value)


def point_text(evaluation: Evaluation) -> str:
    return ", ".join(f"{name} = {to_text(value)}" for name, value in evaluation.point)


def vector_text(values: Sequence[sp.Expr | None]) -> str:
    return "(" + ", ".join(entry_text(v) for v in values) + ")"


def approximately(value: sp.Expr) -> str:
    """`10*sqrt(2) ≈ 14.1421` where the exact form is not a plain number."""
    exact = to_text(value)
    if value.is_Rational:
        return exact
    return f"{exact} ≈ {float(value.evalf(20)):.6g}"


def gradient_lines(evaluation: Evaluation) -> list[str]:
    """|∇f|, the descent direction -∇f, and its unit vector."""
    norm = evaluation.norm
    lines = [f"|∇f| = {'undefined' if norm is None else approximately(norm)}"]
    lines.append(f"descent direction -∇f = {vector_text(evaluation.descent_direction)}")
    unit = evaluation.unit_descent
    if unit is not None:
        lines.append("unit descent direction -∇f/|∇f| = (" + ", ".join(f"{u:.6g}" for u in unit) + ")")
    elif norm is not None:
        lines.append("∇f = 0 here: a critical point, no descent direction")
    return lines
