"""--quiet: only the values, for shell scripts: one matrix row per line, entries separated by one space.

At a point, each value is a number as JSON writes it: an integer where the value is an exact integer,
else the nearest double in Python's shortest form (`0.5403023058681398`), and `undefined` where the
entry is undefined. Several points follow one another, m lines each. Without a point, the symbolic
entries are written in jac's language without spaces (`2*x+y`), so that no entry splits into two
words and each still parses back. Nothing else is written: no case line, no labels.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from jaccli.result import Evaluation, Result

UNDEFINED = "undefined"


def lines(rows: Iterable[Iterable[str]]) -> str:
    return "".join(" ".join(row) + "\n" for row in rows)


def symbol_word(text: str) -> str:
    """An entry as one word: jac's expressions mean the same without their spaces."""
    return "".join(text.split())


def number_word(value: int | float | str | None) -> str:
    if value is None:
        return UNDEFINED
    return str(value) if isinstance(value, (int, str)) else repr(value)


def _row_words(result: Result, evaluation: Evaluation, i: int, row: list[int | float | str | None]) -> list[str]:
    """A row of values; one beyond the range of a float is its decimal to 17 digits (never a null)."""
    from jaccli.render.facts import decimal

    words = []
    for j, value in enumerate(row):
        exact = evaluation.exact_at(i, j)
        words.append(decimal(result, exact, 17) if isinstance(value, str) and exact is not None else number_word(value))
    return words


def write_quiet(result: Result, out: TextIO) -> None:
    if not result.evaluations:
        out.write(lines([symbol_word(text) for text in row] for row in result.symbolic))
        return
    from jaccli.render.as_json import values

    for evaluation in result.evaluations:
        out.write(lines(_row_words(result, evaluation, i, row) for i, row in enumerate(values(result, evaluation))))


def template(m: int, n: int) -> str:
    """The %-template of one point's lines in --points (jaccli.render.points): m rows of n numbers."""
    return "".join(" ".join(["%s"] * n) + "\n" for _ in range(m))
