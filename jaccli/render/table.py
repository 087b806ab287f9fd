"""The terminal view: a rich table with the diagonal marked where it is special and structural zeros dimmed.

The legend under the matrix names only what the terminal shows: no colour words when colour is off
(NO_COLOR, --no-color), no styles at all when the output is not a terminal, no diagonal for a matrix
whose diagonal is not special (a dense Jacobian), no dim when nothing is structurally zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from jaccli.problem import Kind
from jaccli.render import facts
from jaccli.render.terminal import Shown, make_console, print_wrapped, shown
from jaccli.result import Result

DIAGONAL = "bold cyan"
DIAGONAL_NO_COLOUR = "bold"
ZERO = "dim"
# The structures in which the diagonal carries the matrix: what is off it is zero (or only on one side).
SPECIAL_DIAGONAL = frozenset({"identity", "scaled_identity", "diagonal", "lower_triangular", "upper_triangular"})


def diagonal_marked(result: Result) -> bool:
    """Whether the table marks the diagonal: a square matrix (larger than 1x1) whose diagonal is special."""
    m, n = result.shape
    return m == n > 1 and result.structure.kind in SPECIAL_DIAGONAL


def legend(result: Result, show: Shown) -> str | None:
    """`(bold cyan: diagonal, dim: structurally zero)`, only the parts the terminal shows; None for none."""
    if not show.styles:
        return None
    parts = []
    if diagonal_marked(result):
        parts.append(f"{DIAGONAL if show.colours else DIAGONAL_NO_COLOUR}: diagonal")
    if result.structure.nonzeros < result.structure.size:
        parts.append(f"{ZERO}: structurally zero")
    return f"({', '.join(parts)})" if parts else None


def _matrix_table(
    result: Result, value: Callable[[int, int], Any | None], *, colours: bool = True, at_point: bool = False
) -> Table:
    """The rows and columns in view (all of a small result, a corner of a large one), laid out by
    jaccli.render.facts (the result itself, or the gradient shaped like W); `value(row, column)`
    reads the result."""
    layout = facts.layout(result)
    shown_ = layout.view
    table = Table(header_style="bold")
    table.add_column("", style="bold")
    for j in shown_.columns:
        table.add_column(layout.column_labels[j], justify="center")
    if shown_.more_columns:
        table.add_column(facts.ELLIPSIS, justify="center")
    marked = diagonal_marked(result)
    diagonal = DIAGONAL if colours else DIAGONAL_NO_COLOUR
    for i in shown_.rows:
        rendered = []
        for j in shown_.columns:
            row, column = layout.position(i, j)
            style = ZERO if result.is_zero(row, column) else diagonal if marked and row == column else ""
            text = facts.cell_text(result, value(row, column), shown_, at_point=at_point)
            rendered.append(Text(text, style=style))
        if shown_.more_columns:
            rendered.append(Text(facts.ELLIPSIS, style=ZERO))
        table.add_row(layout.row_labels[i], *rendered)
    if shown_.more_rows:
        width = len(shown_.columns) + (1 if shown_.more_columns else 0)
        table.add_row(facts.VERTICAL_ELLIPSIS, *(Text(facts.VERTICAL_ELLIPSIS, style=ZERO) for _ in range(width)))
    return table


def _prose(console: Console, text: str, style: str = "") -> None:
    print_wrapped(console, text, style=style, hang="    ")


def fits(console: Console, table: Table) -> bool:
    """Whether the terminal is wide enough for every cell's longest word: a narrower table would cut
    or blank the digits of an entry."""
    from rich.measure import Measurement

    unbounded = console.options.update_width(1 << 20)  # measured without the terminal's width clamping it
    return console.width > 0 and Measurement.get(console, unbounded, table).minimum <= console.width


def write_table(result: Result, out: TextIO, *, color: bool = True, explain: bool = False) -> None:
    console = make_console(out, color=color)
    show = shown(console)
    tables = [_matrix_table(result, result.entry, colours=show.colours)]
    tables += [_matrix_table(result, e.exact_at, colours=show.colours, at_point=True) for e in result.evaluations]
    if not all(fits(console, table) for table in tables):
        # never hide digits of an answer: the plain layout has no width of its own
        import sys

        from jaccli.render.plain import write_plain

        print(
            f"jac: the terminal is {max(console.width, 0)} columns wide, too narrow for the table's entries: "
            "written in the plain layout",
            file=sys.stderr,
        )
        write_plain(result, out, explain=explain)
        return
    name = facts.matrix_name(result)
    view = facts.view(result)
    _prose(console, facts.case_line(result), "bold")
    for line in facts.function_lines(result):
        _prose(console, line)
    closed = facts.closed_form_line(result)
    if closed:
        _prose(console, closed, "bold")
    _prose(console, facts.layout_note(result), "dim")
    console.print(Text(name, style="bold"))
    if view.summarised:
        _prose(console, facts.summary_note(result, view), "dim")
    console.print(tables[0])
    marks = legend(result, show)
    structure = f"structure: {result.structure.summary}"
    console.print(Text(structure, style="bold"), *([Text(marks, style="dim")] if marks else []))
    for evaluation, table in zip(result.evaluations, tables[1:]):
        console.print()
        _prose(console, f"{name} at {facts.point_text(result, evaluation)}", "bold")
        console.print(table)
        lines: list[str] = []
        if result.kind is Kind.GRADIENT:
            lines += facts.gradient_lines(result, evaluation)
        if evaluation.directional is not None:
            lines += facts.directional_lines(result, evaluation.directional)
        if evaluation.curvature is not None:
            lines += facts.curvature_lines(result, evaluation.curvature)
        for line in lines:
            _prose(console, line)
    if explain:
        from jaccli.render.explain import explanation

        console.print()
        console.print(Text("what this means:", style="bold"))
        for line in explanation(result):
            print_wrapped(console, line, indent="  ", hang="  ")
