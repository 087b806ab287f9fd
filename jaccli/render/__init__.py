"""Result objects to text: a rich table, plain text, JSON or LaTeX, all read from the same Result."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from jaccli.result import Result

FORMATS = ("auto", "table", "plain", "json", "latex")


def render(result: Result, fmt: str, out: TextIO, *, color: bool = True, explain: bool = False) -> None:
    """Write the result in one format; `auto` has been resolved by the caller.

    With `explain`, the plain-language account of the result (jaccli.render.explain) comes too.
    """
    if fmt == "json":
        from jaccli.render.as_json import write_json

        write_json(result, out, explain=explain)
    elif fmt == "latex":
        from jaccli.render.latex import write_latex

        write_latex(result, out, explain=explain)
    elif fmt == "quiet":
        from jaccli.render.quiet import write_quiet

        write_quiet(result, out)
    elif fmt == "table":
        from jaccli.render.table import write_table

        write_table(result, out, color=color, explain=explain)
    else:
        from jaccli.render.plain import write_plain

        write_plain(result, out, explain=explain)
