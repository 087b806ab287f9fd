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
    import sympy as sp

    from jaccli.core import Result
    from jaccli.large.result import LargeResult

UNDEFINED = "undefined"


def lines(rows: Iterable[Iterable[str]]) -> str:
    return "".join(" ".join(row) + "\n" for row in rows)


def symbol_word(text: str) -> str:
    """An entry as one word: jac's expressions mean the same without their spaces."""
    return "".join(text.split())


def number_word(value: int | float | None) -> str:
    if value is None:
        return UNDEFINED
    return str(value) if isinstance(value, int) else repr(value)


def exact_word(value: sp.Expr | None) -> str:
    """The number of an exact value; beyond the range of a float, its decimal to 17 digits (never a null)."""
    from jaccli.core import to_number
    from jaccli.render.facts import decimal

    if value is None:
        return UNDEFINED
    number = to_number(value)
    if number is None or (number == 0 and not value.is_zero):
        return decimal(value, 17)
    return number_word(number)


def write_quiet(result: Result, out: TextIO) -> None:
    from jaccli.printing import to_text

    if not result.evaluations:
        out.write(lines([symbol_word(to_text(e)) for e in row] for row in result.matrix.tolist()))
        return
    for evaluation in result.evaluations:
        out.write(lines([exact_word(v) for v in row] for row in evaluation.values))


def write_quiet_large(result: LargeResult, out: TextIO) -> None:
    """The same for a result computed on SymEngine (floating-point values)."""
    if not result.evaluations:
        out.write(lines([symbol_word(text) for text in row] for row in result.symbolic()))
        return
    from jaccli.render.large import number

    for evaluation in result.evaluations:
        out.write(lines([number_word(number(v)) for v in row] for row in evaluation.values))


def template(m: int, n: int) -> str:
    """The %-template of one point's lines in --points (jaccli.render.points): m rows of n numbers."""
    return "".join(" ".join(["%s"] * n) + "\n" for _ in range(m))
