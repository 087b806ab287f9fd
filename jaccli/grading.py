"""Grading a class: many answers to one problem (`jac check --answers`), read, checked and turned into rows.

The answers come as CSV with a header row that has an `answer` column, or as JSON Lines of objects
with an `answer` key; an `id` column (key) names each answer, and the other columns (keys) are
carried through to the rows unchanged. The input is read up to the limits `answer_file_bytes` and
`answers`. The problem is computed once (a `jaccli.check.Checker`), and each answer gets a row:
right, wrong, or unreadable (it cannot be read, or its check ran past the time allowed).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from jaccli import bounds
from jaccli.alarm import time_limit
from jaccli.check import Checker
from jaccli.errors import JacError, quoted
from jaccli.verdict import AnswerError, Verdict

JSON_SCALARS = (str, int, float, bool, type(None))


class AnswerFileError(JacError):
    """Answers that cannot be read as answers at all (exit 2, nothing on stdout)."""


@dataclass(frozen=True)
class Submission:
    """One answer as read: its number in the input (1-based), its id, its text, the other columns."""

    number: int
    id: Any  # the id column (a string) or key (any JSON scalar); the number when there is none
    answer: str | None  # None when there is no answer to read (see `problem`)
    extra: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # why the line gives no answer


@dataclass(frozen=True)
class Row:
    """The verdict on one answer, as a row of the grade sheet."""

    id: Any
    status: str  # right | wrong | unreadable
    score: float | int
    hint: str | None
    message: str
    extra: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "id": self.id,
            "status": self.status,
            "score": self.score,
            "hint": self.hint,
            "message": self.message,
            "extra": self.extra,
        }


# -- reading ----------------------------------------------------------------------------------------


def decode(data: bytes, source: str) -> str:
    """The bytes of the answers as text: UTF-8, a leading byte-order mark dropped."""
    limit = bounds.ANSWER_FILE_BYTES
    if len(data) > limit.value:
        raise bounds.refuse(limit, f"--answers {quoted(source)}: more than {limit.value:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        what = "standard input" if source == "-" else f"'{quoted(source, 200)}'"
        raise AnswerFileError(
            f"--answers: {what} is not valid UTF-8 (the byte 0x{data[error.start]:02X} at offset {error.start})"
        ) from None


def read_submissions(text: str, source: str) -> list[Submission]:
    """JSON Lines when the first thing in the text is `{`, else CSV with a header row."""
    stripped = text.lstrip()
    if not stripped:
        raise AnswerFileError(f"--answers {quoted(source)}: no answers (the input is empty)")
    submissions = list(_json_lines(text, source) if stripped.startswith("{") else _csv_rows(text, source))
    if not submissions:
        raise AnswerFileError(f"--answers {quoted(source)}: no answers (only a header row)")
    return submissions


def _count(number: int, source: str) -> None:
    bounds.check_count(
        bounds.ANSWERS, number, f"--answers {quoted(source)}: more than {bounds.ANSWERS.value:,} answers"
    )


def _csv_rows(text: str, source: str) -> Iterator[Submission]:
    previous = csv.field_size_limit()
    csv.field_size_limit(bounds.INPUT_CHARS.value + 1)  # a field as long as an argument may be
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except csv.Error as error:
            raise AnswerFileError(f"--answers {quoted(source)}: the header row is not CSV: {error}") from None
        names = [name.strip() for name in header]
        lowered = [name.lower() for name in names]
        if "answer" not in lowered:
            shown = ", ".join(quoted(n, 30) for n in names[:8]) or "nothing"
            raise AnswerFileError(
                f"--answers {quoted(source)}: the header row has no 'answer' column (it has: {shown}); "
                "write a header such as: id,answer"
            )
        duplicates = sorted({n for n in lowered if n and lowered.count(n) > 1})
        if duplicates:
            raise AnswerFileError(f"--answers {quoted(source)}: the header names the column '{duplicates[0]}' twice")
        answer_at = lowered.index("answer")
        id_at = lowered.index("id") if "id" in lowered else None
        number = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                where = f"--answers {quoted(source)} line {reader.line_num}"
                if "field limit" in str(error):
                    limit = bounds.INPUT_CHARS
                    raise bounds.refuse(limit, f"{where}: a field of more than {limit.value:,} characters") from None
                raise AnswerFileError(f"{where}: {error}") from None
            if not any(f.strip() for f in fields):
                continue  # a blank line
            number += 1
            _count(number, source)
            extra = {name: value for k, (name, value) in enumerate(zip(names, fields)) if k not in (answer_at, id_at)}
            identity: Any = fields[id_at] if id_at is not None and id_at < len(fields) else number
            problem = None
            if len(fields) != len(names):
                problem = f"line {reader.line_num} has {len(fields)} fields, the header {len(names)}"
            answer = fields[answer_at] if answer_at < len(fields) and problem is None else None
            yield Submission(number, identity, answer, extra, problem)
    finally:
        csv.field_size_limit(previous)


def _json_lines(text: str, source: str) -> Iterator[Submission]:
    number = 0
    for line_number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        number += 1
        _count(number, source)
        try:
            item = json.loads(line)
        except (ValueError, RecursionError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply or too long"
            yield Submission(number, number, None, {}, f"line {line_number} is not JSON ({reason})")
            continue
        if not isinstance(item, dict):
            yield Submission(number, number, None, {}, f"line {line_number} is not a JSON object")
            continue
        identity = item.get("id", number)
        if not isinstance(identity, JSON_SCALARS):
            identity = json.dumps(identity)
        extra = {k: v for k, v in item.items() if k not in ("id", "answer")}
        answer = item.get("answer")
        problem = None
        if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
            problem = f"line {line_number} has no 'answer' string" if answer is None else "'answer' is not a string"
            answer = None
        elif not isinstance(answer, str):
            answer = json.dumps(answer)  # 6 or 6.5 as written in JSON
        yield Submission(number, identity, answer, extra, problem)


# -- checking ---------------------------------------------------------------------------------------


class _AnswerOutOfTimeError(BaseException):  # not Exception: nothing on the way may catch it
    pass


def grade(
    checker: Checker,
    submissions: Sequence[Submission],
    seconds: float,
    renew: Callable[[float], None] = lambda seconds: None,
) -> Iterator[Row]:
    """One row per submission, in order. Each answer has `seconds` (`renew` moves the command's own
    bound before each one); the same answer text is checked once."""
    seen: dict[str, tuple[str, float | int, str | None, str]] = {}
    for submission in submissions:
        if submission.answer is None:
            yield Row(submission.id, "unreadable", 0, None, submission.problem or "no answer", submission.extra)
            continue
        found = seen.get(submission.answer)
        if found is None:
            renew(seconds + 1)
            found = _verdict(checker, submission.answer, seconds)
            seen[submission.answer] = found
        status, score, hint, message = found
        yield Row(submission.id, status, score, hint, message, submission.extra)


def _verdict(checker: Checker, text: str, seconds: float) -> tuple[str, float | int, str | None, str]:
    try:
        with time_limit(seconds, _AnswerOutOfTimeError):
            verdict: Verdict = checker.check_text(text)
    except _AnswerOutOfTimeError:
        return "unreadable", 0, None, f"not checked: its check ran past {seconds:g} s (--timeout)"
    except AnswerError as error:
        return "unreadable", 0, None, str(error)
    except JacError as error:  # a value too large to compute and the like: the answer cannot be used
        return "unreadable", 0, None, f"answer: {error}"
    return ("right" if verdict.passed else "wrong"), verdict.score, verdict.hint, verdict.message


def counts(rows: Sequence[Row]) -> str:
    """`3 answers: 1 right, 1 wrong, 1 unreadable`."""
    tally = {status: sum(r.status == status for r in rows) for status in ("right", "wrong", "unreadable")}
    plural = "" if len(rows) == 1 else "s"
    return f"{len(rows)} answer{plural}: " + ", ".join(f"{n} {status}" for status, n in tally.items())
