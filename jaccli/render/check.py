"""The output of jac check: one verdict, the report of a problem file, the rows of many answers."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from jaccli.errors import one_line
from jaccli.render.as_json import SCHEMA

if TYPE_CHECKING:
    from jaccli.grading import Row
    from jaccli.problems import ProblemResult
    from jaccli.verdict import Verdict

SHOWN = 10  # wrong entries listed in text; JSON has them all
STYLES = {"pass": "green", "fail": "red", "error": "yellow", "right": "green", "wrong": "red", "unreadable": "yellow"}


def write_verdict(verdict: Verdict, fmt: str, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "json":
        out.write(json.dumps({"schema": SCHEMA} | verdict.as_dict(), ensure_ascii=False) + "\n")
        return
    if verdict.passed:
        out.write(f"right: {verdict.reason}\n")
        return
    out.write(verdict.reason + "\n" if verdict.method == "shape" else f"wrong: {verdict.reason}\n")
    wrong = verdict.wrong
    for entry in wrong[:SHOWN]:
        out.write(f"  {entry.description}\n")
    if len(wrong) > SHOWN:
        out.write(f"  ... and {len(wrong) - SHOWN} more (--json lists every entry)\n")
    if verdict.hint_text:
        out.write(f"hint: {verdict.hint_text}\n")


def write_report(results: Sequence[ProblemResult], fmt: str, *, color: bool, out: TextIO | None = None) -> None:
    """The report of jac check --file: one line per problem and the counts."""
    out = out or sys.stdout
    counts = {status: sum(r.status == status for r in results) for status in ("pass", "fail", "error")}
    if fmt == "json":
        report = {
            "schema": SCHEMA,
            "passed": counts["pass"],
            "failed": counts["fail"],
            "errors": counts["error"],
            "results": [
                {
                    "name": r.name,
                    "status": r.status,
                    "score": r.score,
                    "hint": r.hint,
                    "unreadable": r.unreadable,
                    "message": r.message,
                }
                for r in results
            ],
        }
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    total = f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors"
    # Names and messages come from the file: printed as they are, one line each, never read as markup.
    rows = [(one_line(r.name), r.status, one_line(r.message)) for r in results]
    if fmt == "table":
        _table(("problem", "verdict", "reason"), rows, 1, color=color, out=out, footer=total)
        return
    width = max(len(name) for name, _, _ in rows)
    for name, status, message in rows:
        out.write(f"{status.upper():<5}  {name:<{width}}  {message}\n")
    out.write(total + "\n")


def write_rows(rows: Sequence[Row], fmt: str, *, color: bool, out: TextIO | None = None) -> None:
    """The verdicts of jac check --answers: JSON Lines, or one line per answer."""
    out = out or sys.stdout
    if fmt == "json":
        for row in rows:
            out.write(json.dumps(row.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    lines = [(one_line(_text(r.id)), r.status, _score(r.score), r.hint or "-", one_line(r.message)) for r in rows]
    if fmt == "table":
        _table(("id", "verdict", "score", "hint", "message"), lines, 1, color=color, out=out)
        return
    widths = [max(len(line[k]) for line in lines) for k in range(4)]
    for line in lines:
        out.write("  ".join(f"{cell:<{widths[k]}}" for k, cell in enumerate(line[:4])) + f"  {line[4]}\n")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _score(score: float) -> str:
    return f"{score:.4g}"


def _table(
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    status_column: int,
    *,
    color: bool,
    out: TextIO,
    footer: str | None = None,
) -> None:
    from rich.table import Table
    from rich.text import Text

    from jaccli.render.terminal import make_console

    table = Table()
    for heading in headings:
        table.add_column(heading, overflow="fold")  # wrapped, never cut
    for row in rows:
        cells = [Text(cell) for cell in row]
        cells[status_column].stylize(STYLES.get(row[status_column], ""))
        table.add_row(*cells)
    console = make_console(out, color=color)
    console.print(table, soft_wrap=False)
    if footer is not None:
        console.print(Text(footer))
