"""Plain text and JSON for results computed on SymEngine, written without importing SymPy or rich.

The words are those of `facts` and `plain`; the values are floating point, so JSON has `exact`
null and a number is an integer only where the float is a whole number. A result this large is
written as plain text on a terminal too: a rich table of thousands of long entries is neither
readable nor quick.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from jaccli.large.result import Evaluation, LargeResult
from jaccli.render.schema import base_object


def matrix_name(result: LargeResult) -> str:
    if result.kind == "gradient":
        return "∇f"
    if result.kind == "hessian":
        return "H"
    if result.kind == "jacobian":
        return "J"
    variable = result.variables[0]
    return f"df/d{variable}" if result.order == 1 else f"d^{result.order}f/d{variable}^{result.order}"


def case_line(result: LargeResult) -> str:
    m, n = result.shape
    if result.kind == "hessian":
        return f"f: {'R' if n == 1 else f'R^{n}'} -> R, Hessian {n}x{n}"
    domain = "R" if result.scalar_variable else f"R^{n}"
    codomain = "R" if result.scalar_function else f"R^{m}"
    if result.scalar_function:
        name = "derivative" if result.scalar_variable else "gradient"
    else:
        name = "column of derivatives" if result.scalar_variable else "Jacobian"
    return f"f: {domain} -> {codomain}, {name} {m}x{n}"


def layout_note(result: LargeResult) -> str:
    if result.kind == "hessian":
        return "H[i][j] = ∂²f/∂θ_i∂θ_j"
    return "numerator layout: J[i][j] = ∂f_i/∂θ_j, row i is the gradient of f_i"


def number(value: float | None) -> int | float | None:
    """A JSON number: whole floats as integers, None where undefined."""
    if value is None:
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def number_text(value: float | None) -> str:
    return "undefined" if value is None else f"{number(value)!r}"


def result_object(result: LargeResult, evaluation: Evaluation | None, symbolic: list[list[str]]) -> dict[str, Any]:
    m, n = result.shape
    structure = result.structure
    data = base_object(result.kind, result.functions, result.variables, (m, n), symbolic, structure)
    if evaluation is None:
        return data
    data["point"] = dict(evaluation.point)
    data["value"] = [[number(v) for v in row] for row in evaluation.values]
    if result.kind == "gradient":
        data["gradient"] = [number(v) for v in evaluation.gradient]
        data["descent"] = [number(v) for v in evaluation.descent_direction]
        data["norm"] = number(evaluation.norm)
    return data


def write_json(result: LargeResult, out: TextIO) -> None:
    symbolic = result.symbolic()
    evaluations: list[Evaluation | None] = list(result.evaluations) or [None]
    for evaluation in evaluations:
        out.write(json.dumps(result_object(result, evaluation, symbolic), ensure_ascii=False) + "\n")


def _grid(header: tuple[str, ...], rows: list[tuple[str, list[str]]]) -> list[str]:
    table = [["", *header]] + [[label, *cells] for label, cells in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]


def write_plain(result: LargeResult, out: TextIO) -> None:
    name = matrix_name(result)
    functions = result.functions
    lines = [case_line(result)]
    lines += [f"f = {functions[0]}"] if len(functions) == 1 else [f"f_{i} = {t}" for i, t in enumerate(functions, 1)]
    lines.append(f"{name} ({layout_note(result)}):")
    lines += _grid(result.variables, list(zip(result.rows, result.symbolic())))
    lines.append(f"structure: {result.structure.summary}")
    for evaluation in result.evaluations:
        lines.append(f"at {', '.join(f'{n} = {v}' for n, v in evaluation.point)} (floating point):")
        values = [[number_text(v) for v in row] for row in evaluation.values]
        lines += _grid(result.variables, list(zip(result.rows, values)))
        if result.kind == "gradient":
            norm = evaluation.norm
            lines.append(f"|∇f| ≈ {'undefined' if norm is None else f'{norm:.6g}'}")
            descent = ", ".join(number_text(v) for v in evaluation.descent_direction)
            lines.append(f"descent direction -∇f = ({descent})")
            unit = evaluation.unit_descent
            if unit is not None:
                lines.append("unit descent direction -∇f/|∇f| = (" + ", ".join(f"{u:.6g}" for u in unit) + ")")
            elif norm is not None:
                lines.append("∇f = 0 here: a critical point, no descent direction")
    out.write("\n".join(lines) + "\n")


def render_large(result: LargeResult, fmt: str, out: TextIO) -> None:
    """JSON, or plain text for every other format (LaTeX never reaches this path)."""
    if fmt == "json":
        write_json(result, out)
    else:
        write_plain(result, out)
