"""Homework checks: is a given answer the computed derivative, as a function or at given points.

An entry is right when it equals the computed entry as a function on the domain of the problem.
Each entry is first compared at random points with 30-digit arithmetic (which finds a wrong entry
quickly, with a point to show); entries that agree there are then proved equal symbolically
where SymPy manages within a time limit. The verdict says which of the two decided.
"""

from __future__ import annotations

import math
import random
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from jaccli.answers import Answer
from jaccli.errors import JacError, ParseError, PointError, VariableError
from jaccli.numeric import Evaluator
from jaccli.problem import Kind
from jaccli.result import Result

SAMPLES = 50  # random points an entry must agree at
CANDIDATES = 40 * SAMPLES  # random draws allowed to find points where the function is defined
DIGITS = 30  # working precision of the random-point comparison
AGREEMENT = 1e-15  # relative difference below which two 30-digit values agree
PROOF_SECONDS = 2.0  # SymPy's attempt to prove one entry equal
PROOF_BUDGET = 10.0  # all proof attempts of one check together
DEFAULT_TOL = 1e-9  # absolute tolerance with --at
SEED = 20240601  # fixed, so that a check gives the same verdict and the same points every run
# Boxes the coordinates of random points are drawn from: around 0, positive (log, sqrt), the
# interval of asin/acos/atanh, and beyond 1 (acosh).
_BOXES = ((-3, 3), (-3, 3), (0, 3), (-1, 1), (1, 4))


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
    expected_value: float | int | None = None  # the values at the witness
    given_value: float | int | None = None

    @property
    def description(self) -> str:
        """`∂f/∂y: expected 2*y, given 3*y; at x = 0.5, y = 1.25: expected 2.5, given 3.75`."""
        text = f"{self.position}: expected {self.expected}, given {self.given}"
        if self.witness is None:
            return f"{text} (not shown equal at any point where both are defined)"
        where = ", ".join(f"{name} = {value}" for name, value in self.witness)
        return f"{text}; at {where}: expected {_shown(self.expected_value)}, given {_shown(self.given_value)}"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check."""

    passed: bool
    reason: str  # "equal", "equal at 50 random points", "wrong shape: ...", "1 of 2 entries differ"
    method: str  # "symbolic" | "random points" | "point" | "shape"
    expected_shape: tuple[int, int]
    given_shape: tuple[int, int]
    entries: tuple[EntryCheck, ...]
    result: Result | None = None
    answer: str = ""

    @property
    def wrong(self) -> tuple[EntryCheck, ...]:
        return tuple(e for e in self.entries if not e.equal)

    @property
    def message(self) -> str:
        """One line: the reason, and the first wrong entry."""
        wrong = self.wrong
        if not wrong:
            return self.reason
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        return f"{wrong[0].description}{more}"

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
                }
                for e in self.entries
            ],
        }


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


def _shape_name(result: Result) -> str:
    return {Kind.GRADIENT: "gradient", Kind.HESSIAN: "Hessian", Kind.JACOBIAN: "Jacobian"}.get(
        result.kind, "derivative" if result.shape[0] == 1 else "column of derivatives"
    )


def _fitted(result: Result, answer: Answer) -> tuple[tuple[Any, ...], ...] | None:
    """The answer as an m×n matrix, or None when its shape is not the expected one.

    A flat list fits a row (gradient, 1×n) or a column (derivative of a list, m×1) of its length.
    """
    m, n = result.shape
    if answer.shape == (m, n):
        return answer.rows
    if answer.flat and n == 1 and len(answer.entries) == m:
        return tuple((e,) for e in answer.entries)
    return None


def _shape_text(answer: Answer) -> str:
    p, q = answer.shape
    if answer.flat and p == 1 and q > 1:
        return f"a list of {q} entries"
    return f"{p}x{q}"


def check(
    result: Result, answer: Answer, points: Sequence[Sequence[tuple[str, Any]]] = (), tol: float = DEFAULT_TOL
) -> Verdict:
    """Compare the answer with the result: at the points within tol if any are given, else as functions."""
    m, n = result.shape
    rows = _fitted(result, answer)
    if rows is None:
        reason = f"wrong shape: expected {m}x{n} ({_shape_name(result)}), given {_shape_text(answer)}"
        return Verdict(False, reason, "shape", (m, n), answer.shape, (), result, answer.text)
    pairs = [(i, j, result.entry(i, j), rows[i][j]) for i in range(m) for j in range(n)]
    if points:
        entries = [_at_points(result, i, j, e, g, points, tol) for i, j, e, g in pairs]
        where = "; ".join(", ".join(f"{c} = {result.text(v)}" for c, v in p) for p in points)
        reason = f"equal at {where} (tolerance {tol:g})"
        method = "point"
    else:
        sampler = _Sampler(result)
        entries = [_as_functions(result, i, j, e, g, sampler) for i, j, e, g in pairs]
        numeric = [e for e in entries if e.method == "random points"]
        method = "random points" if numeric else "symbolic"
        reason = f"equal at {sampler.count} random points" if numeric else "equal"
    wrong = [e for e in entries if not e.equal]
    if wrong:
        reason = f"{len(wrong)} of {len(entries)} entries differ"
    return Verdict(not wrong, reason, method, (m, n), (m, n), tuple(entries), result, answer.text)


def _at_points(
    result: Result, i: int, j: int, expected: Any, given: Any, points: Sequence[Sequence[tuple[str, Any]]], tol: float
) -> EntryCheck:
    from jaccli.pipeline import Context, Substitution

    label = position(result, i, j)
    context = Context(result.engine)
    for point in points:
        substitute = Substitution(context, dict(point))
        want = _plain_or_none(context.evaluator.value(substitute(expected)))
        got = _plain_or_none(context.evaluator.value(substitute(given)))
        same = want == got if want is None or got is None else abs(float(want) - float(got)) <= tol
        if not same:
            witness = tuple((c, result.text(v)) for c, v in point)
            return EntryCheck(
                i + 1, j + 1, label, result.text(expected), result.text(given), False, "point", witness, want, got
            )
    return EntryCheck(i + 1, j + 1, label, result.text(expected), result.text(given), True, "point")


def _as_functions(result: Result, i: int, j: int, expected: Any, given: Any, sampler: _Sampler) -> EntryCheck:
    label = position(result, i, j)
    texts = (result.text(expected), result.text(given))
    if expected == given:
        return EntryCheck(i + 1, j + 1, label, *texts, True, "symbolic")
    difference = sampler.difference(expected, given)
    if difference is not None:
        witness, want, got = difference
        return EntryCheck(i + 1, j + 1, label, *texts, False, "random points", witness, want, got)
    proved = sampler.prove(expected, given)
    if not proved and not sampler.compared:
        # No point where both are defined: only a proof can say they are equal.
        return EntryCheck(i + 1, j + 1, label, *texts, False, "random points")
    return EntryCheck(i + 1, j + 1, label, *texts, True, "symbolic" if proved else "random points")


class _Sampler:
    """Random points where the functions are defined, and 30-digit values of expressions there."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.names = list(result.problem.components)
        self._points: list[tuple[tuple[Fraction, ...], Evaluator]] | None = None
        self.compared = 0  # points at which the last difference() compared values
        self.proof_seconds = 0.0

    @property
    def count(self) -> int:
        return len(self.points)

    @property
    def points(self) -> list[tuple[tuple[Fraction, ...], Evaluator]]:
        """Up to SAMPLES points where every function is defined, drawn with a fixed seed."""
        if self._points is None:
            draw = random.Random(SEED)
            found: list[tuple[tuple[Fraction, ...], Evaluator]] = []
            for _ in range(CANDIDATES):
                exact = tuple(_coordinate(draw) for _ in self.names)
                evaluator = Evaluator(self.result.engine, dict(zip(self.names, exact)), digits=DIGITS)
                if all(evaluator.value(f) is not None for f in self.result.functions):
                    found.append((exact, evaluator))
                    if len(found) == SAMPLES:
                        break
            self._points = found
        return self._points

    def difference(
        self, expected: Any, given: Any
    ) -> tuple[tuple[tuple[str, str], ...], float | int | None, float | int | None] | None:
        """A point where the expected value is defined and the given one differs or is undefined."""
        compared = 0
        for exact, evaluator in self.points:
            want, got = evaluator.value(expected), evaluator.value(given)
            if want is None:
                continue
            compared += 1
            if got is None or abs(want - got) > AGREEMENT * max(1, abs(want), abs(got)):
                witness = tuple((name, _decimal(v)) for name, v in zip(self.names, exact))
                return witness, _plain(want), None if got is None else _plain(got)
        self.compared = compared
        return None

    def prove(self, expected: Any, given: Any) -> bool:
        """SymPy's simplify of the difference, bounded in time; False when it cannot tell."""
        remaining = PROOF_BUDGET - self.proof_seconds
        if remaining <= 0:
            return False
        import sympy as sp

        from jaccli.engine.sympy_engine import to_sympy
        from jaccli.mathfns import elementary

        engine = self.result.engine
        started = time.monotonic()
        try:
            with _time_limit(min(PROOF_SECONDS, remaining)):
                difference = to_sympy(engine, expected) - to_sympy(engine, given)
                return bool(sp.simplify(elementary(difference)) == 0)
        except _OutOfTimeError:
            return False
        finally:
            self.proof_seconds += time.monotonic() - started


def _coordinate(draw: random.Random) -> Fraction:
    """A random value with three decimals, never a whole number (0, 1 and -1 are special points)."""
    low, high = _BOXES[draw.randrange(len(_BOXES))]
    while True:
        thousandths = draw.randint(low * 1000, high * 1000)
        if thousandths % 1000:
            return Fraction(thousandths, 1000)


def _plain_or_none(value: Any | None) -> float | int | None:
    return None if value is None else _plain(value)


def _plain(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _decimal(value: Fraction) -> str:
    """A point value as the decimal it was drawn as (it parses back with --at)."""
    return f"{float(value):.3f}".rstrip("0")


def _shown(value: float | int | None) -> str:
    if value is None:
        return "undefined"
    return str(value) if isinstance(value, int) else f"{value:.10g}"


class _OutOfTimeError(BaseException):  # not Exception: SymPy must not catch it on the way out
    pass


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` by a timer signal.

    No limit outside the main thread. A timer already running (an overall time limit) that
    would fire first is left alone, and is restored with its remaining time afterwards.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    running, _ = signal.getitimer(signal.ITIMER_REAL)
    if running and running <= seconds:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _OutOfTimeError

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if running:
            signal.setitimer(signal.ITIMER_REAL, max(running - (time.monotonic() - started), 0.001))


KINDS = {"grad": "gradient", "jacobian": "jacobian", "diff": "derivative", "hessian": "hessian"}


class ProblemFileError(JacError):
    """A problem file that cannot be read as problems (exit 2, not a failed check)."""


class AnswerError(ParseError):
    """An answer that cannot be parsed (exit 2; an `error` entry in a problem file)."""


def check_texts(
    kind: str,
    functions: Sequence[str],
    answer: str,
    *,
    vars_: str | None = None,
    wrt: str | None = None,
    var: str | None = None,
    order: int = 1,
    at: Sequence[str] = (),
    tol: float = DEFAULT_TOL,
) -> Verdict:
    """A check from the words of the command line: KIND (grad|jacobian|diff|hessian), the functions, the answer."""
    from jaccli.answers import parse_answer
    from jaccli.api import solve
    from jaccli.build import Builder, namespace
    from jaccli.pipeline import Context, read_point

    if kind not in KINDS:
        raise VariableError(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
    if not tol >= 0 or tol == float("inf"):
        raise PointError(f"--tol must be a finite number of at least 0, got {tol}")
    context = Context()
    result = solve(Kind(KINDS[kind]), functions, vars=vars_, wrt=wrt, var=var, order=order, context=context)
    points = [read_point(context, result.problem, p) for p in at]
    builder = Builder(
        context.engine, namespace(context.engine, result.problem.variables, components=True), context.functions
    )
    try:
        given = parse_answer(answer, builder)
    except ParseError as error:
        raise AnswerError(f"answer: {error}") from None
    return check(result, given, points, tol)


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
    if "function" in table:
        functions: tuple[str, ...] = (text("function") or "",)
    else:
        listed = table["functions"]
        if not isinstance(listed, list) or not listed or not all(isinstance(f, str) and f.strip() for f in listed):
            raise fail("functions", "must be a non-empty list of strings")
        functions = tuple(listed)
    order = table.get("order", 1)
    if not isinstance(order, int) or isinstance(order, bool):
        raise fail("order", "must be a whole number")
    at = table.get("at", ())
    if isinstance(at, str):
        at = (at,)
    if not isinstance(at, (list, tuple)) or not all(isinstance(p, str) and p.strip() for p in at):
        raise fail("at", 'must be a point like "5,-5" or a list of them')
    tol = table.get("tol", DEFAULT_TOL)
    try:
        tol = float(tol) if isinstance(tol, (int, float)) and not isinstance(tol, bool) else None
    except OverflowError:  # a whole number of hundreds of digits
        tol = math.inf
    if tol is None or not 0 <= tol < math.inf:
        raise fail("tol", "must be a finite number of at least 0")
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


def run_problem(problem: Problem) -> ProblemResult:
    """pass, fail, or error (the problem's function, answer or point cannot be used)."""
    try:
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
        )
    except JacError as error:
        return ProblemResult(problem.name, "error", str(error))
    return ProblemResult(problem.name, "pass" if verdict.passed else "fail", verdict.message, verdict)
