"""Problem files of `jac check --file`: [[problem]] tables of TOML, read key by key, and the check of each."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jaccli.alarm import time_limit
from jaccli.check import DEFAULT_TOL, KINDS, check_texts
from jaccli.errors import JacError
from jaccli.verdict import AnswerError, ProblemFileError, Verdict


@dataclass(frozen=True)
class Problem:
    name: str
    kind: str
    functions: tuple[str, ...]
    answer: str
    vars_: str | None = None
    wrt: str | None = None
    var: str | None = None
    order: int = 1
    at: tuple[str, ...] = ()
    tol: float = DEFAULT_TOL


@dataclass(frozen=True)
class ProblemResult:
    name: str
    status: str  # pass | fail | error
    message: str
    verdict: Verdict | None = None
    unreadable: bool = False  # the answer cannot be read: a failed problem, with the reason

    @property
    def score(self) -> float | int:
        return self.verdict.score if self.verdict is not None else 0

    @property
    def hint(self) -> str | None:
        return self.verdict.hint if self.verdict is not None else None


class _ProblemOutOfTimeError(BaseException):  # not Exception: nothing on the way may catch it
    pass


_PROBLEM_KEYS = {"name", "kind", "function", "functions", "vars", "wrt", "var", "order", "at", "answer", "tol"}


def load_problems(text: str, source: str) -> tuple[Problem, ...]:
    """The [[problem]] tables of a TOML file, checked key by key."""
    import tomllib

    from jaccli import bounds

    depth, line = toml_depth(text)
    if depth > bounds.NESTING_DEPTH.value:
        found = f"{source} line {line}: arrays or inline tables nested {depth} deep"
        raise bounds.refuse(bounds.NESTING_DEPTH, found)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProblemFileError(f"{source}: not valid TOML: {error}") from None
    except ValueError:  # Python refuses to read an integer of more than 4,300 digits
        raise ProblemFileError(f"{source}: not valid TOML: a whole number of more than 4,300 digits") from None
    extra = sorted(set(document) - {"problem"})
    if extra:
        raise ProblemFileError(f"{source}: unknown top-level key '{extra[0]}' (problems are [[problem]] tables)")
    tables = document.get("problem")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ProblemFileError(f"{source}: no [[problem]] tables")
    bounds.check_count(bounds.PROBLEMS, len(tables), f"{source}: {len(tables):,} problems")
    return tuple(_problem(table, number, source) for number, table in enumerate(tables, 1))


def toml_depth(text: str) -> tuple[int, int]:
    """How deep arrays and inline tables nest in TOML text, and the line where that depth is reached.

    Python's TOML reader recurses once per level and fails with a RecursionError on deep nesting;
    this scan, which skips strings and comments, lets the limit nesting_depth refuse it first.
    Table headers count too (`[a]` is 1, `[[a]]` 2), which never matters at the limit.
    """
    depth = deepest = 0
    line = deepest_line = 1
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if char == "\n":
            line += 1
        elif char == "#":
            end = text.find("\n", index)
            index = size if end < 0 else end
            continue
        elif char in "\"'":
            quote = text[index : index + 3] if text.startswith(char * 3, index) else char
            index += len(quote)
            while index < size and not text.startswith(quote, index):
                if text[index] == "\\" and char == '"':
                    index += 1
                elif text[index] == "\n":
                    if len(quote) == 1:
                        break  # an unterminated string: the TOML reader says so
                    line += 1
                index += 1
            index += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif char in "]}":
            depth = max(depth - 1, 0)
        index += 1
    return deepest, deepest_line


def _problem(table: dict[str, Any], number: int, source: str) -> Problem:
    name = table.get("name", f"problem {number}")
    where = f"{source}: problem {number}" + (f" ({name!r})" if "name" in table and isinstance(name, str) else "")

    def fail(key: str, message: str) -> ProblemFileError:
        return ProblemFileError(f"{where}: '{key}' {message}")

    def text(key: str, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise fail(key, "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(key, "must be a non-empty string")
        return value

    unknown = sorted(set(table) - _PROBLEM_KEYS)
    if unknown:
        raise fail(unknown[0], f"is not a key of a problem (keys: {', '.join(sorted(_PROBLEM_KEYS))})")
    if not isinstance(name, str):
        raise fail("name", "must be a string")
    kind = text("kind", required=True)
    assert kind is not None
    if kind not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    if ("function" in table) == ("functions" in table):
        raise fail("function", "or 'functions' (a list of strings) is needed, exactly one of them")
    functions = (text("function") or "",) if "function" in table else _listed(table["functions"], fail)
    order = table.get("order", 1)
    if not isinstance(order, int) or isinstance(order, bool):
        raise fail("order", "must be a whole number")
    at = table.get("at", ())
    if isinstance(at, str):
        at = (at,)
    if not isinstance(at, (list, tuple)) or not all(isinstance(p, str) and p.strip() for p in at):
        raise fail("at", 'must be a point like "5,-5" or a list of them')
    tol = _tolerance(table.get("tol", DEFAULT_TOL), fail)
    answer = table.get("answer")
    if answer is None:
        raise fail("answer", "is missing")
    if not isinstance(answer, str):
        raise fail("answer", "must be a string")
    return Problem(
        name=name,
        kind=kind,
        functions=functions,
        answer=answer,
        vars_=text("vars"),
        wrt=text("wrt"),
        var=text("var"),
        order=order,
        at=tuple(at),
        tol=tol,
    )


def _listed(listed: Any, fail: Callable[[str, str], ProblemFileError]) -> tuple[str, ...]:
    if not isinstance(listed, list) or not listed or not all(isinstance(f, str) and f.strip() for f in listed):
        raise fail("functions", "must be a non-empty list of strings")
    return tuple(listed)


def _tolerance(tol: Any, fail: Callable[[str, str], ProblemFileError]) -> float:
    try:
        value = float(tol) if isinstance(tol, (int, float)) and not isinstance(tol, bool) else None
    except OverflowError:  # a whole number of hundreds of digits
        value = math.inf
    if value is None or not 0 <= value < math.inf:
        raise fail("tol", "must be a finite number of at least 0")
    return value


def run_problem(problem: Problem, seconds: float | None = None) -> ProblemResult:
    """pass, fail (an answer that cannot be read fails, with the reason), or error (the problem's
    function or point cannot be used, or its check ran past `seconds`)."""
    try:
        with time_limit(seconds or math.inf, _ProblemOutOfTimeError):
            verdict = check_texts(
                problem.kind,
                problem.functions,
                problem.answer,
                vars_=problem.vars_,
                wrt=problem.wrt,
                var=problem.var,
                order=problem.order,
                at=problem.at,
                tol=problem.tol,
                seconds=seconds,
            )
    except _ProblemOutOfTimeError:
        return ProblemResult(problem.name, "error", f"ran out of time: more than {seconds:g} s (--timeout)")
    except AnswerError as error:
        return ProblemResult(problem.name, "fail", str(error), unreadable=True)
    except JacError as error:
        return ProblemResult(problem.name, "error", str(error))
    return ProblemResult(problem.name, "pass" if verdict.passed else "fail", verdict.message, verdict)
