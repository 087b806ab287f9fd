"""The verdict of a check, entry by entry, and the texts it shows: positions, shapes and values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from jaccli.answers import Answer
from jaccli.errors import JacError, ParseError
from jaccli.numeric import number
from jaccli.problem import Kind
from jaccli.result import Result


@dataclass(frozen=True)
class EntryCheck:
    """One entry of the answer against the computed one."""

    row: int  # 1-based
    column: int  # 1-based
    position: str  # ∂f/∂y, J[2,1] (∂f_2/∂x), H[1,2] ...
    expected: str
    given: str
    equal: bool
    method: str  # "symbolic" | "random points" | "point"
    witness: tuple[tuple[str, str], ...] | None = None  # a point where they differ
    expected_value: float | int | str | None = None  # the values at the witness (str: beyond a double)
    given_value: float | int | str | None = None
    note: str | None = None  # why it is wrong, where no values show it
    agreed: int = 0  # for "random points": the points it agreed at
    shown: tuple[str, str] | None = field(default=None, compare=False)  # the two values as the text writes them

    @property
    def description(self) -> str:
        """`∂f/∂y: expected 2*y, given 3*y; at x = 0.5, y = 1.25: expected 2.5, given 3.75`."""
        text = f"{self.position}: expected {self.expected}, given {self.given}"
        if self.witness is None:
            return f"{text} ({self.note or 'not shown equal at any point where both are defined'})"
        where = ", ".join(f"{name} = {value}" for name, value in self.witness)
        text = f"{text}; at {where}: "
        if self.note is not None:
            return text + self.note
        shown = self.shown or (_shown(self.expected_value), _shown(self.given_value))
        return text + f"expected {shown[0]}, given {shown[1]}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check."""

    passed: bool
    reason: str  # "equal", "equal at 50 random points", "wrong shape: ...", "1 of 2 entries differ"
    method: str  # "symbolic" | "random points" | "point" | "shape"
    expected_shape: tuple[int, int]
    given_shape: tuple[int, int]
    entries: tuple[EntryCheck, ...]
    result: Result | None = field(default=None, compare=False, repr=False)
    answer: str = ""
    hint: str | None = None  # "transposed" | "negated" | "shape" | None
    hint_text: str | None = None  # the hint as a sentence

    @property
    def wrong(self) -> tuple[EntryCheck, ...]:
        return tuple(e for e in self.entries if not e.equal)

    @property
    def score(self) -> float | int:
        """The share of the entries that are equal, 0 to 1 (0 for an answer of the wrong shape); 0 and 1 as integers."""
        if not self.entries:
            return 1 if self.passed else 0
        equal = sum(e.equal for e in self.entries)
        if equal in (0, len(self.entries)):
            return 1 if equal else 0
        return round(equal / len(self.entries), 6)

    @property
    def message(self) -> str:
        """One line: the reason or the first wrong entry, then the hint."""
        wrong = self.wrong
        if not wrong:
            text = self.reason
        else:
            more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
            text = f"{wrong[0].description}{more}"
        return f"{text}. {self.hint_text}" if self.hint_text else text

    def as_dict(self) -> dict[str, Any]:
        result = self.result
        about: dict[str, Any] = {}
        if result is not None:
            about = {
                "schema": 1,
                "kind": result.kind.value,
                "functions": list(result.function_texts),
                "variables": list(result.variables),
                "expected": result.symbolic,
                "answer": self.answer,
            }
        return about | {
            "status": "pass" if self.passed else "fail",
            "passed": self.passed,
            "score": self.score,
            "hint": self.hint,
            "reason": self.reason,
            "message": self.message,
            "method": self.method,
            "expected_shape": list(self.expected_shape),
            "given_shape": list(self.given_shape),
            "entries": [
                {
                    "row": e.row,
                    "column": e.column,
                    "position": e.position,
                    "expected": e.expected,
                    "given": e.given,
                    "equal": e.equal,
                    "method": e.method,
                    "witness": None if e.witness is None else dict(e.witness),
                    "expected_value": e.expected_value,
                    "given_value": e.given_value,
                    "note": e.note,
                }
                for e in self.entries
            ],
        }


class ProblemFileError(JacError):
    """A problem file that cannot be read as problems (exit 2, not a failed check)."""


class AnswerError(ParseError):
    """An answer that cannot be read (exit 2 for one answer; `unreadable` among many)."""


def position(result: Result, i: int, j: int) -> str:
    """Where an entry sits, in the words of its kind (0-based i, j)."""
    variable = result.variables[j]
    if result.kind is Kind.GRADIENT:
        return f"∂f/∂{variable}"
    if result.kind is Kind.HESSIAN:
        first = result.variables[i]
        second = f"∂{first}²" if i == j else f"∂{first}∂{variable}"
        return f"H[{i + 1},{j + 1}] (∂²f/{second})"
    if result.kind is Kind.JACOBIAN:
        return f"J[{i + 1},{j + 1}] (∂{result.rows[i]}/∂{variable})"
    order = "" if result.order == 1 else f"^{result.order}"
    name = f"d{order}{result.rows[i]}/d{variable}{order}"
    return name if result.shape[0] == 1 else f"[{i + 1},1] ({name})"


def shape_name(result: Result) -> str:
    if result.gradient_matrix_shape is not None:
        return "gradient shaped like " + result.column_groups[0].name
    return {Kind.GRADIENT: "gradient", Kind.HESSIAN: "Hessian", Kind.JACOBIAN: "Jacobian"}.get(
        result.kind, "derivative" if result.shape[0] == 1 else "column of derivatives"
    )


def shape_text(answer: Answer) -> str:
    p, q = answer.shape
    if answer.flat and p == 1 and q > 1:
        return f"a list of {q} entries"
    return f"{p}x{q}"


Matrix = tuple[tuple[Any, ...], ...]


def fit_answer(result: Result, answer: Answer) -> tuple[Matrix, Matrix] | None:
    """The answer as the expected m×n matrix (and its inexact flags), or None when its shape does not fit.

    A flat list fits a row (gradient, 1×n) or a column (derivative of a list, m×1) of its length; for
    a gradient by one matrix W, a matrix of W's shape fits too (its entries row-major, as the columns).
    """
    m, n = result.shape
    flags = answer.inexact or tuple(tuple(False for _ in row) for row in answer.rows)
    if answer.shape == (m, n):
        return answer.rows, flags
    if answer.flat and n == 1 and len(answer.entries) == m:
        return tuple((e,) for e in answer.entries), tuple((f,) for row in flags for f in row)
    if result.gradient_matrix_shape == answer.shape and not answer.flat:
        return (answer.entries,), (tuple(f for row in flags for f in row),)
    return None


def plain(value: Any) -> float | int | str:
    """A value for JSON and text: an int where it is a whole number that a double holds, else a
    float, and beyond a double a decimal string."""
    shown = number(value)
    if isinstance(shown, float) and shown.is_integer() and abs(shown) < 2**53:
        return int(shown)
    assert shown is not None
    return shown


def pair_text(want: Any, got: Any, digits: Sequence[int] = (10, 15, 20, 25, 30)) -> tuple[str, str]:
    """Two different values to 10 significant digits, or to as many more as it takes to tell them apart
    (as numbers: 6 and 6.0 are not apart)."""
    texts = ("", "")
    for count in digits:
        texts = (number_text(want, count), number_text(got, count))
        if Fraction(texts[0]) != Fraction(texts[1]):
            break
    return texts


def number_text(value: Any, digits: int) -> str:
    import mpmath

    if value == int(value) and abs(value) < 10**digits:
        return str(int(value))
    return str(mpmath.nstr(value, digits, min_fixed=-4, max_fixed=digits))


def _shown(value: float | int | str | None) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) else f"{value:.10g}"
