"""The terminal view: a rich table with diagonal entries marked and structural zeros dimmed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

import sympy as sp
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jaccli.core import Kind, Result
from jaccli.render import facts

DIAGONAL = "bold cyan"
ZERO = "dim"


def _matrix_table(result: Result, cells: Sequence[Sequence[sp.Expr | None]]) -> Table:
    table = Table(header_style="bold")
    table.add_column("", style="bold")
    for name in result.variables:
        table.add_column(name, justify="center")
    mask = result.structure.zero_mask
    square = result.shape[0] == result.shape[1] and result.shape[0] > 1
    for i, (label, row) in enumerate(zip(result.rows, cells)):
        rendered = []
        for j, value in enumerate(row):
            style = ZERO if mask[i][j] else DIAGONAL if square and i == j else ""
            rendered.append(Text(facts.entry_text(value), style=style))
        table.add_row(label, *rendered)
    return table


def write_table(result: Result, out: TextIO, *, color: bool = True) -> None:
    console = Console(file=out, no_color=not color, highlight=False, soft_wrap=True)
    name = facts.matrix_name(result)
    console.print(Text(facts.case_line(result), style="bold"))
    for line in facts.function_lines(result):
        console.print(line)
    symbolic = [[result.matrix[i, j] for j in range(result.shape[1])] for i in range(result.shape[0])]
    console.print(Text(facts.layout_note(result), style="dim"))
    console.print(Text(name, style="bold"))
    console.print(_matrix_table(result, symbolic))
    square = result.shape[0] == result.shape[1] > 1
    marks = "bold cyan: diagonal, dim: structurally zero" if square else "dim: structurally zero"
    console.print(Text(f"structure: {result.structure.summary}", style="bold"), Text(f"({marks})", style="dim"))
    for evaluation in result.evaluations:
        console.print()
        console.print(Text(f"{name} at {facts.point_text(evaluation)}", style="bold"))
        console.print(_matrix_table(result, evaluation.values))
        if result.kind is Kind.GRADIENT:
            for line in facts.gradient_lines(evaluation):
                console.print(line)
        if evaluation.directional is not None:
            for line in facts.directional_lines(evaluation.directional):
                console.print(line)
        if evaluation.curvature is not None:
            for line in facts.curvature_lines(evaluation.curvature):
                console.print(line)
