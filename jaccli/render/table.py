"""The terminal view: a rich table with diagonal entries marked and structural zeros dimmed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jaccli.problem import Kind
from jaccli.render import facts
from jaccli.result import Result

DIAGONAL = "bold cyan"
ZERO = "dim"


def _matrix_table(result: Result, value: Callable[[int, int], Any | None]) -> Table:
    """The rows and columns in view (all of a small result, a corner of a large one)."""
    shown = facts.view(result)
    table = Table(header_style="bold")
    table.add_column("", style="bold")
    for j in shown.columns:
        table.add_column(result.variables[j], justify="center")
    if shown.more_columns:
        table.add_column(facts.ELLIPSIS, justify="center")
    square = result.shape[0] == result.shape[1] and result.shape[0] > 1
    for i in shown.rows:
        rendered = []
        for j in shown.columns:
            style = ZERO if result.is_zero(i, j) else DIAGONAL if square and i == j else ""
            rendered.append(Text(facts.cell_text(result, value(i, j), shown), style=style))
        if shown.more_columns:
            rendered.append(Text(facts.ELLIPSIS, style=ZERO))
        table.add_row(result.rows[i], *rendered)
    if shown.more_rows:
        width = len(shown.columns) + (1 if shown.more_columns else 0)
        table.add_row(facts.VERTICAL_ELLIPSIS, *(Text(facts.VERTICAL_ELLIPSIS, style=ZERO) for _ in range(width)))
    return table


def write_table(result: Result, out: TextIO, *, color: bool = True, explain: bool = False) -> None:
    console = Console(file=out, no_color=not color, highlight=False, soft_wrap=True)
    name = facts.matrix_name(result)
    shown = facts.view(result)
    console.print(Text(facts.case_line(result), style="bold"))
    for line in facts.function_lines(result):
        console.print(line)
    closed = facts.closed_form_line(result)
    if closed:
        console.print(Text(closed, style="bold"))
    console.print(Text(facts.layout_note(result), style="dim"))
    console.print(Text(name, style="bold"))
    if shown.summarised:
        console.print(Text(facts.summary_note(result, shown), style="dim"))
    console.print(_matrix_table(result, result.entry))
    square = result.shape[0] == result.shape[1] > 1
    marks = "bold cyan: diagonal, dim: structurally zero" if square else "dim: structurally zero"
    console.print(Text(f"structure: {result.structure.summary}", style="bold"), Text(f"({marks})", style="dim"))
    for evaluation in result.evaluations:
        console.print()
        console.print(Text(f"{name} at {facts.point_text(result, evaluation)}", style="bold"))
        console.print(_matrix_table(result, evaluation.exact_at))
        if result.kind is Kind.GRADIENT:
            for line in facts.gradient_lines(result, evaluation):
                console.print(line)
        if evaluation.directional is not None:
            for line in facts.directional_lines(result, evaluation.directional):
                console.print(line)
        if evaluation.curvature is not None:
            for line in facts.curvature_lines(result, evaluation.curvature):
                console.print(line)
    if explain:
        from jaccli.render.explain import explanation

        console.print()
        console.print(Text("what this means:", style="bold"))
        for line in explanation(result):
            console.print(Text(f"  {line}"))
