"""Homework checks: is a given answer the computed derivative, as a function or at given points.

An entry is right only when it is shown equal to the computed one:

- as functions: identical once both are built, or their difference multiplied out is 0, or SymPy's
  simplify turns the difference into 0 within a time limit; the answer must also have a value at
  every sampled point where the entry has one. When the proof runs out of time, the entry is right
  only if it agrees at the sampled points (`jaccli.sampling`: random points at every scale and the
  branch changes of piecewise functions), with 30-digit values that must agree to 20 digits. A
  difference that SymPy simplifies to something other than 0 is never counted as equal. A point
  where they differ makes the entry wrong and is shown.
- at points (`--at`): the exact values are compared exactly (their difference is 0 as a number, or,
  where it is a number too close to 0 to tell at 400 digits, SymPy shows it is 0); an entry written
  with a decimal point or an exponent (a rounded number, see `jaccli.answers`) is compared within
  `tol`. Where the expected entry has no value, no answer is right.

A `Checker` holds one problem, parsed, differentiated and sampled once, and checks any number of
answers against it (`jac check --answers`), remembering the verdict of each entry it has seen.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from jaccli.answers import Answer
from jaccli.engine.base import ADD, CALL, MUL, NUMBER, POW, UNDEFINED, Engine
from jaccli.errors import JacError, LimitError, ParseError, PointError, VariableError
from jaccli.numeric import Evaluator, number
from jaccli.problem import Kind
from jaccli.result import Result
from jaccli.sampling import Point, Sampler, decimal_text

if TYPE_CHECKING:
    from jaccli.build import Builder
    from jaccli.pipeline import Context, Substitution

DEFAULT_TOL = 1e-9  # absolute tolerance for inexact numbers with --at
PROOF_SECONDS = 2.0  # SymPy's attempt to prove one entry equal
PROOF_BUDGET = 10.0  # all proof attempts of one answer together
AGREEING = 10  # points an entry must agree at to be right when the proof runs out of time
EXPANDED_TERMS = 2_000  # a difference is multiplied out only when it has at most this many terms then
AGREEMENT = 10**-20  # relative difference of two 30-digit values below which they agree
RECHECK = 10**-6  # values closer than this (relative) are computed again at more digits before they differ
RECHECK_DIGITS = (60, 120, 240)
TINY = 10**-250  # a value this close to 0 cannot be told from a 0 that a cancellation gave
HINT_POINTS = 12
GAP_POINTS = 5  # random points (besides those at branch changes) where the difference itself is computed
WITNESS_NAMES = 12  # a witness shows every coordinate up to this many variables, beyond that the entry's
KINDS = {"grad": "gradient", "jacobian": "jacobian", "diff": "derivative", "hessian": "hessian"}
HINTS = {
    "transposed": "The answer is the transpose of the expected matrix (denominator layout); jac uses numerator "
    "layout, J[i][j] = ∂f_i/∂θ_j.",
    "transposed_w": "The answer is the transpose of the gradient shaped like {w}: its entry (i, j) is ∂f/∂{w}_i_j.",
    "negated": "The answer is minus the expected one: every sign is flipped.",
    "negated_gradient": "The answer is minus the gradient: that is -∇f, the descent direction, not ∇f.",
}


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


def gradient_matrix_shape(result: Result) -> tuple[int, int] | None:
    """W's shape, for a scalar function differentiated by one matrix variable W; else None."""
    groups = result.column_groups
    if len(result.rows) != 1 or result.kind is Kind.HESSIAN or len(groups) != 1 or len(groups[0].shape) != 2:
        return None
    if result.row_groups and result.row_groups[0].vector:
        return None
    rows, columns = groups[0].shape
    return rows, columns


def _shape_name(result: Result) -> str:
    if gradient_matrix_shape(result) is not None:
        return "gradient shaped like " + result.column_groups[0].name
    return {Kind.GRADIENT: "gradient", Kind.HESSIAN: "Hessian", Kind.JACOBIAN: "Jacobian"}.get(
        result.kind, "derivative" if result.shape[0] == 1 else "column of derivatives"
    )


def _shape_text(answer: Answer) -> str:
    p, q = answer.shape
    if answer.flat and p == 1 and q > 1:
        return f"a list of {q} entries"
    return f"{p}x{q}"


Matrix = tuple[tuple[Any, ...], ...]


def _fitted(result: Result, answer: Answer) -> tuple[Matrix, Matrix] | None:
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
    if gradient_matrix_shape(result) == answer.shape and not answer.flat:
        return (answer.entries,), (tuple(f for row in flags for f in row),)
    return None


class Checker:
    """One problem, computed once, and the answers checked against it."""

    def __init__(
        self,
        result: Result,
        context: Context,
        builder: Builder,
        points: Sequence[Sequence[tuple[str, Any]]] = (),
        tol: float = DEFAULT_TOL,
        seconds: float | None = None,
    ) -> None:
        if not tol >= 0 or tol == float("inf"):
            raise PointError(f"--tol must be a finite number of at least 0, got {tol}")
        self.result = result
        self.context = context
        self.builder = builder
        self.engine: Engine = result.engine
        self.points = [tuple(p) for p in points]
        self.tol = tol
        self.sampler = Sampler(self.engine, result.problem.components, result.functions)
        self._substitutions: list[Substitution] | None = None
        self._entries: dict[tuple[int, int, Any, bool], EntryCheck] = {}
        self._same: dict[tuple[Any, Any, bool], bool] = {}
        self._expanded: dict[Any, bool] = {}
        self._general: dict[str, bool] = {}  # general forms of differences (see _prove): proved 0 or not
        self.proof_seconds = 0.0  # spent on the current answer
        # proofs may take half of the time of one check, so that a check ends with a verdict
        self.proof_budget = PROOF_BUDGET if seconds is None else min(PROOF_BUDGET, seconds / 2)
        m, n = result.shape
        self.expected: Matrix = tuple(tuple(result.entry(i, j) for j in range(n)) for i in range(m))

    # -- answers ------------------------------------------------------------------------------------

    def parse(self, text: str) -> Answer:
        from jaccli.answers import parse_answer

        try:
            return parse_answer(text, self.builder)
        except JacError as error:  # syntax, unknown names, shapes, limits: the answer cannot be read
            raise AnswerError(f"answer: {error}") from None

    def check_text(self, text: str) -> Verdict:
        return self.check(self.parse(text))

    def check(self, answer: Answer) -> Verdict:
        """Compare the answer with the result: at the points if any are given, else as functions."""
        result = self.result
        m, n = result.shape
        self.proof_seconds = 0.0
        fitted = _fitted(result, answer)
        if fitted is None:
            hint = self._hint(answer, None)
            reason = f"wrong shape: expected {self._expected_shape_text()}, given {_shape_text(answer)}"
            return Verdict(
                False, reason, "shape", (m, n), answer.shape, (), result, answer.text, hint, self._hint_text(hint)
            )
        rows, flags = fitted
        entries = [self._entry(i, j, rows[i][j], flags[i][j]) for i in range(m) for j in range(n)]
        if self.points:
            where = "; ".join(", ".join(f"{c} = {result.text(v)}" for c, v in p) for p in self.points)
            inexact = any(f for row in flags for f in row)
            reason = f"equal at {where}" + (f" (tolerance {self.tol:g})" if inexact else "")
            method = "point"
        else:
            numeric = [e for e in entries if e.method == "random points"]
            method = "random points" if numeric else "symbolic"
            fewest = min((e.agreed for e in numeric), default=0)
            reason = f"equal at {fewest} points (not proved in time)" if numeric else "equal"
        self.sampler.forget()
        wrong = [e for e in entries if not e.equal]
        hint = None
        if wrong:
            reason = f"{len(wrong)} of {len(entries)} entries differ"
            hint = self._hint(answer, rows)
        return Verdict(
            not wrong, reason, method, (m, n), answer.shape, tuple(entries), result, answer.text, hint,
            self._hint_text(hint),
        )  # fmt: skip

    def _expected_shape_text(self) -> str:
        m, n = self.result.shape
        shape = gradient_matrix_shape(self.result)
        written = f"{shape[0]}x{shape[1]}" if shape is not None else f"{m}x{n}"
        return f"{written} ({_shape_name(self.result)})"

    def _entry(self, i: int, j: int, given: Any, inexact: bool) -> EntryCheck:
        key = (i, j, given, inexact)
        found = self._entries.get(key)
        if found is None:
            found = self._at_points(i, j, given, inexact) if self.points else self._as_functions(i, j, given)
            self._entries[key] = found
        return found

    # -- at points ----------------------------------------------------------------------------------

    @property
    def substitutions(self) -> list[Substitution]:
        if self._substitutions is None:
            from jaccli.pipeline import Substitution

            self._substitutions = [Substitution(self.context, dict(p)) for p in self.points]
        return self._substitutions

    def _at_points(self, i: int, j: int, given: Any, inexact: bool) -> EntryCheck:
        result = self.result
        expected = self.expected[i][j]
        texts = (position(result, i, j), result.text(expected), result.text(given))
        entry = EntryCheck(i + 1, j + 1, *texts, True, "point")
        for point, substitute in zip(self.points, self.substitutions):
            witness = tuple((c, result.text(v)) for c, v in point)
            outcome = self._compare_at(substitute, expected, given, inexact)
            if outcome is not None:
                want, got, note, shown = outcome
                return replace(
                    entry, equal=False, witness=witness, expected_value=want, given_value=got, note=note, shown=shown
                )
        return entry

    def _compare_at(
        self, substitute: Substitution, expected: Any, given: Any, inexact: bool
    ) -> tuple[Any, Any, str | None, tuple[str, str] | None] | None:
        """None where the values are equal, else (expected value, given value, a note or None, the values
        as text: exact forms where they are short)."""
        evaluator = self.context.evaluator
        want_exact = substitute(expected)
        want = evaluator.value(want_exact)
        if want is None:
            return None, None, "the expected entry is undefined there (no derivative), so no answer is right", None
        try:
            got_exact = substitute(given)
            got = evaluator.value(got_exact)
        except LimitError as error:
            return _plain(want), None, f"the answer's value there is too large to compute ({error})", None
        if got is None:
            return _plain(want), None, None, None
        if inexact:
            same = abs(want - got) <= self.tol
        else:
            difference = self.engine.subtract(want_exact, got_exact)
            same = evaluator.value(difference) == 0

            # a difference that is not 0 as a number but too small to tell (a cancellation finer than
            # 400 digits) is left to SymPy
            def again(digits: int) -> tuple[Any, Any] | None:
                return _values(Evaluator(self.engine, digits=digits), want_exact, got_exact)

            if not same and _agreement(want, got, again) is not False:
                same = self._prove(want_exact, got_exact)[0] == "zero"
        if same:
            return None
        texts = [self.result.text(want_exact), self.result.text(got_exact)]
        shown = _pair_text(want, got)
        if not inexact and all(len(t) <= 40 for t in texts) and texts[0] != texts[1]:
            shown = (texts[0], texts[1])
        return _plain(want), _plain(got), None, shown

    # -- as functions -------------------------------------------------------------------------------

    def _as_functions(self, i: int, j: int, given: Any) -> EntryCheck:
        result = self.result
        expected = self.expected[i][j]
        texts = (position(result, i, j), result.text(expected), result.text(given))
        entry = EntryCheck(i + 1, j + 1, *texts, True, "symbolic")
        if expected == given:
            return entry
        engine = self.engine
        difference = engine.subtract(expected, given)
        expanded = difference == engine.zero or self._expands_to_zero(difference)
        if expanded and _defined_everywhere(engine, given):
            return entry
        compared = 0
        for index, point in enumerate(self.sampler.points_for((expected, given))):
            evaluator = point.evaluator
            try:
                want = evaluator.value(expected)
                if want is None:
                    continue
                got = evaluator.value(given)
            except LimitError:  # a value too large to compute: no comparison here
                continue
            if got is None and point.kink:
                continue  # at a kink the derivative is a convention: an answer undefined there is not wrong
            agree = None if got is None else _agreement(want, got, partial(self._again, point, expected, given))
            if got is not None and agree is None:
                continue
            if got is None or not agree:
                witness = self._witness(point, (expected, given))
                got_value = None if got is None else _plain(got)
                shown = None if got is None else _pair_text(want, got)
                return replace(
                    entry, equal=False, method="random points", witness=witness,
                    expected_value=_plain(want), given_value=got_value, shown=shown,
                )  # fmt: skip
            if agree and (point.branch or index < GAP_POINTS):
                # 20 digits cannot see a term 10**-25 of the value (a window 10**-3 wide at x = 10**6 under
                # x**3): where such terms live, the difference itself is computed, and confirmed at more digits
                gap = self._gap(point, difference)
                if gap is not None:
                    witness = self._witness(point, (expected, given))
                    values = _number_text(want, 10), _number_text(got, 10)
                    note = f"expected {values[0]}, given {values[1]}: they differ by {_number_text(gap, 10)}"
                    return replace(
                        entry, equal=False, method="random points", witness=witness,
                        expected_value=_plain(want), given_value=_plain(got), note=note,
                    )  # fmt: skip
            compared += 1
        if expanded:
            return entry
        proof, simplified = self._prove(expected, given)
        if proof == "zero":
            return entry
        if proof == "nonzero":
            note = f"not shown equal: SymPy simplifies the difference to {simplified}, not 0"
            return replace(entry, equal=False, method="symbolic", note=note)
        if compared < AGREEING:
            note = f"not shown equal: no proof in time, and only {compared} points where both have a value"
            return replace(entry, equal=False, method="random points", note=note)
        return replace(entry, method="random points", agreed=compared)

    def _gap(self, point: Point, difference: Any) -> Any | None:
        """The difference at the point where it is a number other than 0 that stays the same at 60 and 120
        digits (noise after a cancellation changes with the digits, a true difference does not); else None."""
        try:
            if not point.evaluator.value(difference):
                return None
            found = [self.sampler.precise(point, digits).value(difference) for digits in RECHECK_DIGITS[:2]]
        except LimitError:
            return None
        low, high = found
        if not low or not high:
            return None
        return high if abs(high - low) <= RECHECK * abs(high) else None

    def _again(self, point: Point, expected: Any, given: Any, digits: int) -> tuple[Any, Any] | None:
        return _values(self.sampler.precise(point, digits), expected, given)

    def _witness(self, point: Point, expressions: Sequence[Any]) -> tuple[tuple[str, str], ...]:
        """The point's coordinates that the expressions depend on (all of them for a problem of a few
        variables): enough to see the values again with --at."""
        names = self.sampler.names
        if len(names) > WITNESS_NAMES:
            used = set().union(*(self.engine.free_symbols(e) for e in expressions))
            chosen = [k for k, name in enumerate(names) if self.engine.symbol(name) in used]
        else:
            chosen = list(range(len(names)))
        return tuple((names[k], decimal_text(point.values[k])) for k in chosen)

    def _expands_to_zero(self, difference: Any) -> bool:
        found = self._expanded.get(difference)
        if found is None:
            engine = self.engine
            found = _terms(engine, difference) <= EXPANDED_TERMS and engine.expand(difference) == engine.zero
            self._expanded[difference] = found
        return found

    def _prove(self, expected: Any, given: Any) -> tuple[str, str | None]:
        """("zero", None) when SymPy simplifies the difference to 0 (or to 0 wherever it is defined),
        ("nonzero", text) when it simplifies to something else, ("unknown", None) when it runs out of time.

        First the difference in general form is tried: the arguments of its functions replaced by
        new variables (W_1_1*(1 - tanh(u)**2) - W_1_1/cosh(u)**2 with u = W_1_1*x_1 + ...). If that is
        0 for every value of the new variables, so is the difference (and the entries of a matrix
        answer often share one general form, whose proof is then remembered)."""
        remaining = self.proof_budget - self.proof_seconds
        if remaining <= 0:
            return "unknown", None
        import sympy as sp  # its import (once, some 0.4 s) is not part of the time of a proof

        from jaccli.engine.sympy_engine import to_sympy
        from jaccli.mathfns import elementary

        started = time.monotonic()
        try:
            with time_limit(min(PROOF_SECONDS, remaining), _ProofOutOfTimeError):
                engine = self.engine
                difference = elementary(to_sympy(engine, expected) - to_sympy(engine, given))
                general, key = _general_form(sp, difference)
                if general is not None:
                    if key not in self._general:
                        self._general[key] = _simplified(sp, general)[0] == "zero"
                    if self._general[key]:
                        return "zero", None
                return _simplified(sp, difference)
        except _ProofOutOfTimeError:
            return "unknown", None
        except Exception:  # SymPy failing on an expression is no verdict, as running out of time is not
            return "unknown", None
        finally:
            self.proof_seconds += time.monotonic() - started

    # -- hints --------------------------------------------------------------------------------------

    def _hint(self, answer: Answer, fitted: Matrix | None) -> str | None:
        """transposed, negated or shape (a wrong shape that is not a transpose); None otherwise."""
        expected = self._natural_expected()
        transposed = tuple(zip(*expected))
        rows = answer.rows
        if (
            not answer.flat
            and len(rows) == len(transposed)
            and len(rows[0]) == len(transposed[0])
            and transposed != expected
            and self._all_same(transposed, rows)
            and not (len(rows) == len(expected) and len(rows[0]) == len(expected[0]) and self._all_same(expected, rows))
        ):
            return "transposed"
        if fitted is None:
            return "shape"
        engine = self.engine
        if any(e != engine.zero for row in self.expected for e in row):
            negated = tuple(tuple(engine.negate(e) for e in row) for row in self.expected)
            if self._all_same(negated, fitted):
                return "negated"
        return None

    def _natural_expected(self) -> Matrix:
        """The expected matrix as a student writes it: the gradient by a matrix W in W's shape."""
        shape = gradient_matrix_shape(self.result)
        if shape is None:
            return self.expected
        row = self.expected[0]
        return tuple(tuple(row[i * shape[1] : (i + 1) * shape[1]]) for i in range(shape[0]))

    def _hint_text(self, hint: str | None) -> str | None:
        if hint is None:
            return None
        if hint == "transposed" and gradient_matrix_shape(self.result) is not None:
            return HINTS["transposed_w"].format(w=self.result.column_groups[0].name)
        if hint == "shape":
            return None  # the reason says it already: "wrong shape: expected 2x2 (Jacobian), given 2x3"
        if hint == "negated" and self.result.kind is Kind.GRADIENT:
            return HINTS["negated_gradient"]
        return HINTS[hint]

    def _all_same(self, wanted: Matrix, given: Matrix) -> bool:
        return all(self._same_entry(w, g) for wrow, grow in zip(wanted, given) for w, g in zip(wrow, grow))

    def _same_entry(self, wanted: Any, given: Any) -> bool:
        """Equal at a glance (no proof): identical, or at the points, or at HINT_POINTS random points."""
        key = (wanted, given, bool(self.points))
        found = self._same.get(key)
        if found is not None:
            return found
        if wanted == given:
            found = True
        elif self.points:
            found = all(self._compare_at(s, wanted, given, False) is None for s in self.substitutions)
            found = found or all(self._compare_at(s, wanted, given, True) is None for s in self.substitutions)
        else:
            difference = self.engine.subtract(wanted, given)
            found = self._expands_to_zero(difference) or self._agrees(wanted, given)
        self._same[key] = found
        return found

    def _agrees(self, wanted: Any, given: Any) -> bool:
        agreed = 0
        for point in self.sampler.random_points[:HINT_POINTS]:
            try:
                want = point.evaluator.value(wanted)
                if want is None:
                    continue
                got = point.evaluator.value(given)
                if got is None or _agree(want, got) is False:
                    return False
            except LimitError:
                continue
            agreed += 1
        return agreed > 0


def _simplified(sp: Any, difference: Any) -> tuple[str, str | None]:
    simplified = sp.simplify(difference)
    if simplified == 0:
        return "zero", None
    if isinstance(simplified, sp.Piecewise) and all(piece == 0 or piece is sp.nan for piece, _ in simplified.args):
        return "zero", None  # 0 wherever both are defined (the sampling checked where they are)
    return "nonzero", _brief(sp.sstr(simplified))


def _general_form(sp: Any, difference: Any) -> tuple[Any | None, str]:
    """The difference with every argument of a function that is not a lone variable or number replaced by
    a new real variable (None when there is none), and a key that is the same for general forms that
    differ only in the names of their variables."""
    arguments: dict[Any, None] = {}
    for node in sp.preorder_traversal(difference):
        if isinstance(node, sp.Function):
            arguments.update((a, None) for a in node.args if not (a.is_Symbol or a.is_Number))
    if not arguments:
        return None, ""
    general = difference.xreplace({a: sp.Dummy(real=True) for a in arguments})
    free = sorted(general.free_symbols, key=lambda symbol: (isinstance(symbol, sp.Dummy), str(symbol)))
    renamed = general.xreplace({symbol: sp.Symbol(f"v{k}", real=True) for k, symbol in enumerate(free)})
    return general, sp.srepr(renamed)


def _agreement(want: Any, got: Any, again: Callable[[int], tuple[Any, Any] | None]) -> bool | None:
    """Whether two values agree (see _agree). The evaluator keeps at least 10 significant digits through
    any cancellation (it computes again at more digits where terms cancel beyond that), but not always
    20: 1 - tanh(56)**2 at 30 digits cancels 48 of them. Values that differ by less than RECHECK are
    therefore computed `again` at 60, 120 and 240 digits, where such noise shrinks and a real
    difference stays; they agree if they agree at any of them."""
    agree = _agree(want, got)
    for digits in RECHECK_DIGITS:
        if agree is not False or abs(want - got) > RECHECK * max(abs(want), abs(got)):
            break
        values = again(digits)
        if values is None:
            break
        want, got = values
        agree = _agree(want, got)
    return agree


def _values(evaluator: Evaluator, a: Any, b: Any) -> tuple[Any, Any] | None:
    """The values of a and b, or None where either has none or is too large to compute."""
    try:
        found = evaluator.value(a), evaluator.value(b)
    except LimitError:
        return None
    return None if None in found else found


def _agree(want: Any, got: Any) -> bool | None:
    """Two 30-digit values that are the same number to 20 digits (relative), or both 0; None when one is 0
    and the other so small (below 10**-250) that the 0 may be a cancellation finer than 400 digits
    (1 - tanh(x)**2 at x = -500), so that the point cannot tell them apart."""
    if (want == 0) != (got == 0) and max(abs(want), abs(got)) < TINY:
        return None
    return bool(abs(want - got) <= AGREEMENT * max(abs(want), abs(got)))


def _defined_everywhere(engine: Engine, expr: Any) -> bool:
    """Whether expr has a value at every real point: no division, root, logarithm or function with a
    restricted domain in it (then an identity of the engine cannot have changed where it is defined)."""
    restricted = {"tan", "sec", "csc", "cot", "asin", "acos", "acosh", "atanh", "log", "atan2"}
    stack = [expr]
    seen: set[Any] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        kind, a, b = engine.node(current)
        if kind == UNDEFINED:
            return False
        if kind in (ADD, MUL):
            stack.extend(a)
        elif kind == POW:
            exponent = engine.node(b)
            if not (exponent[0] == NUMBER and exponent[2] == 1 and exponent[1] >= 0) and engine.free_symbols(a):
                return False
            stack.extend((a, b))
        elif kind == CALL:
            if a in restricted:
                return False
            stack.extend(b)
    return True


def _terms(engine: Engine, expr: Any) -> int:
    """How many terms expr would have multiplied out (function calls count as one), capped just above the limit."""
    cap = EXPANDED_TERMS + 1
    memo: dict[Any, int] = {}

    def count(e: Any, depth: int = 0) -> int:
        if e in memo:
            return memo[e]
        if depth > 200:
            return cap
        kind, a, b = engine.node(e)
        if kind == ADD:
            value = min(cap, sum(count(t, depth + 1) for t in a))
        elif kind == MUL:
            value = 1
            for factor in a:
                value = min(cap, value * count(factor, depth + 1))
        elif kind == POW:
            exponent = engine.node(b)
            base = count(a, depth + 1)
            if exponent[0] == NUMBER and exponent[2] == 1 and exponent[1] > 0 and base > 1:
                power = exponent[1]
                value = cap if power > EXPANDED_TERMS else min(cap, math.comb(base + power - 1, power))
            else:
                value = 1
        else:
            value = 1
        memo[e] = value
        return value

    return count(expr)


def _plain(value: Any) -> float | int | str:
    """A value for JSON and text: an int where it is a whole number that a double holds, else a
    float, and beyond a double a decimal string."""
    shown = number(value)
    if isinstance(shown, float) and shown.is_integer() and abs(shown) < 2**53:
        return int(shown)
    assert shown is not None
    return shown


def _pair_text(want: Any, got: Any, digits: Sequence[int] = (10, 15, 20, 25, 30)) -> tuple[str, str]:
    """Two different values to 10 significant digits, or to as many more as it takes to tell them apart."""
    texts = ("", "")
    for count in digits:
        texts = (_number_text(want, count), _number_text(got, count))
        if texts[0] != texts[1]:
            break
    return texts


def _number_text(value: Any, digits: int) -> str:
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


def _brief(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# -- time limits ------------------------------------------------------------------------------------


class _ProofOutOfTimeError(BaseException):  # not Exception: SymPy must not catch it on the way out
    pass


@contextmanager
def time_limit(seconds: float, error: type[BaseException]) -> Iterator[None]:
    """Raise `error` in the block after `seconds`, by a timer signal (between two bytecodes).

    No limit outside the main thread. A timer already running (the command's, or an outer limit)
    that would fire first is left alone, and is restored with its remaining time afterwards; its
    own exception then leaves the block, not `error`.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    running, _ = signal.getitimer(signal.ITIMER_REAL)
    if running and running <= seconds:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise error

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


# -- from the words of the command line -------------------------------------------------------------


def checker(
    kind: str,
    functions: Sequence[str],
    *,
    vars_: str | None = None,
    wrt: str | None = None,
    var: str | None = None,
    order: int = 1,
    at: Sequence[str] = (),
    tol: float = DEFAULT_TOL,
    seconds: float | None = None,
) -> Checker:
    """The problem of KIND (grad|jacobian|diff|hessian) of the functions, computed once, ready for answers."""
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
    variables = result.problem.variables
    builder = Builder(context.engine, namespace(context.engine, variables, components=True), context.functions)
    return Checker(result, context, builder, points, tol, seconds)


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
    seconds: float | None = None,
) -> Verdict:
    """A check from the words of the command line: KIND (grad|jacobian|diff|hessian), the functions, the answer."""
    prepared = checker(kind, functions, vars_=vars_, wrt=wrt, var=var, order=order, at=at, tol=tol, seconds=seconds)
    return prepared.check_text(answer)


def check(
    result: Result, answer: Answer, points: Sequence[Sequence[tuple[str, Any]]] = (), tol: float = DEFAULT_TOL
) -> Verdict:
    """Compare a parsed answer with a result (at the points within tol if any are given, else as functions)."""
    from jaccli.build import Builder, namespace
    from jaccli.pipeline import Context

    context = Context(result.engine)
    variables = result.problem.variables
    builder = Builder(context.engine, namespace(context.engine, variables, components=True), context.functions)
    return Checker(result, context, builder, points, tol).check(answer)
