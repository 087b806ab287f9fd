"""Plain text for pipes and files: no colour codes, no hard wraps, columns aligned with spaces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TextIO

from jaccli.problem import Kind
from jaccli.render import facts
from jaccli.result import Result


def grid(header: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Rows of cells under a header, each column as wide as its widest cell."""
    table = [["", *header]] + [[label, *cells] for label, cells in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(table[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]


def shown_grid(
    result: Result, shown: facts.View, value: Callable[[int, int], Any | None], *, at_point: bool = False
) -> list[str]:
    """The grid of the rows and columns in view, with an ellipsis where some are left out.

    `value(row, column)` reads the result; the layout (jaccli.render.facts) puts its entries in place.
    """
    layout = facts.layout(result)

    def cell(i: int, j: int) -> str:
        return facts.cell_text(result, value(*layout.position(i, j)), shown, at_point=at_point)

    header = [layout.column_labels[j] for j in shown.columns] + ([facts.ELLIPSIS] if shown.more_columns else [])
    rows = []
    for i in shown.rows:
        line = [cell(i, j) for j in shown.columns] + ([facts.ELLIPSIS] if shown.more_columns else [])
        rows.append((layout.row_labels[i], line))
    if shown.more_rows:
        rows.append((facts.VERTICAL_ELLIPSIS, [facts.VERTICAL_ELLIPSIS] * len(header)))
    return grid(header, rows)


def write_plain(result: Result, out: TextIO, *, explain: bool = False) -> None:
    name = facts.matrix_name(result)
    shown = facts.view(result)
    lines = [facts.case_line(result), *facts.function_lines(result)]
    closed = facts.closed_form_line(result)
    if closed:
        lines.append(closed)
    lines.append(f"{name} ({facts.layout_note(result)}):")
    if shown.summarised:
        lines.append(facts.summary_note(result, shown))
    lines += shown_grid(result, shown, result.entry)
    lines.append(f"structure: {result.structure.summary}")
    for evaluation in result.evaluations:
        lines.append(f"at {facts.point_text(result, evaluation)}:")
        lines += shown_grid(result, shown, evaluation.exact_at, at_point=True)
        if result.kind is Kind.GRADIENT:
            lines += facts.gradient_lines(result, evaluation)
        if evaluation.directional is not None:
            lines += facts.directional_lines(result, evaluation.directional)
        if evaluation.curvature is not None:
            lines += facts.curvature_lines(result, evaluation.curvature)
    if explain:
        from jaccli.render.explain import explanation

        lines += ["", "what this means:", *(f"  {line}" for line in explanation(result))]
    out.write("\n".join(lines) + "\n")
