"""Plain text for pipes and files: no colour codes, no hard wraps, columns aligned with spaces."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from jaccli.core import Kind, Result
from jaccli.printing import to_text
from jaccli.render import facts


def grid(header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Rows of cells under a header, each column as wide as its widest cell."""
    table = [["", *header]] + [[label, *cells] for label, cells in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]


def write_plain(result: Result, out: TextIO) -> None:
    name = facts.matrix_name(result)
    lines = [facts.case_line(result), *facts.function_lines(result), f"{name} ({facts.layout_note(result)}):"]
    symbolic = [to_text(result.matrix[i, j]) for i in range(result.shape[0]) for j in range(result.shape[1])]
    n = result.shape[1]
    lines += grid(result.variables, [(label, symbolic[i * n : (i + 1) * n]) for i, label in enumerate(result.rows)])
    lines.append(f"structure: {result.structure.summary}")
    for evaluation in result.evaluations:
        lines.append(f"at {facts.point_text(evaluation)}:")
        rows = [(label, [facts.entry_text(v) for v in row]) for label, row in zip(result.rows, evaluation.values)]
        lines += grid(result.variables, rows)
        if result.kind is Kind.GRADIENT:
            lines += facts.gradient_lines(evaluation)
        if evaluation.directional is not None:
            lines += facts.directional_lines(evaluation.directional)
        if evaluation.curvature is not None:
            lines += facts.curvature_lines(evaluation.curvature)
    out.write("\n".join(lines) + "\n")
