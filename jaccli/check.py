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

import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from jaccli.answers import Answer
from jaccli.engine.base import Engine
from jaccli.equality import (
    EXPANDED_TERMS,
    RECHECK,
    RECHECK_DIGITS,
    agree,
    agreement,
    defined_everywhere,
    prove_zero,
    terms,
    values,
)
from jaccli.errors import JacError, LimitError, PointError, VariableError
from jaccli.numeric import Evaluator
from jaccli.problem import Kind
from jaccli.result import Result
from jaccli.sampling import Point, Sampler, decimal_text
from jaccli.verdict import (
    AnswerError,
    EntryCheck,
    Matrix,
    Verdict,
    fit_answer,
    number_text,
    pair_text,
    plain,
    position,
    shape_name,
    shape_text,
)

if TYPE_CHECKING:
    from jaccli.build import Builder
    from jaccli.pipeline import Context, Substitution

DEFAULT_TOL = 1e-9  # absolute tolerance for inexact numbers with --at
PROOF_SECONDS = 2.0  # SymPy's attempt to prove one entry equal
PROOF_BUDGET = 10.0  # all proof attempts of one answer together
AGREEING = 10  # points an entry must agree at to be right when the proof runs out of time
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
        fitted = fit_answer(result, answer)
        if fitted is None:
            hint = self._hint(answer, None)
            reason = f"wrong shape: expected {self._expected_shape_text()}, given {shape_text(answer)}"
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
        shape = self.result.gradient_matrix_shape
        written = f"{shape[0]}x{shape[1]}" if shape is not None else f"{m}x{n}"
        return f"{written} ({shape_name(self.result)})"

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
            return plain(want), None, f"the answer's value there is too large to compute ({error})", None
        if got is None:
            return plain(want), None, None, None
        if inexact:
            same = abs(want - got) <= self.tol
        else:
            difference = self.engine.subtract(want_exact, got_exact)
            same = evaluator.value(difference) == 0

            # a difference that is not 0 as a number but too small to tell (a cancellation finer than
            # 400 digits) is left to SymPy
            def again(digits: int) -> tuple[Any, Any] | None:
                return values(Evaluator(self.engine, digits=digits), want_exact, got_exact)

            if not same and agreement(want, got, again) is not False:
                same = self._prove(want_exact, got_exact)[0] == "zero"
        if same:
            return None
        texts = [self.result.text(want_exact), self.result.text(got_exact)]
        shown = pair_text(want, got)
        if not inexact and all(len(t) <= 40 for t in texts) and texts[0] != texts[1]:
            shown = (texts[0], texts[1])
        return plain(want), plain(got), None, shown

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
        if expanded and defined_everywhere(engine, given):
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
            agree = None if got is None else agreement(want, got, partial(self._again, point, expected, given))
            if got is not None and agree is None:
                continue
            if got is None or not agree:
                witness = self._witness(point, (expected, given))
                got_value = None if got is None else plain(got)
                shown = None if got is None else pair_text(want, got)
                return replace(
                    entry, equal=False, method="random points", witness=witness,
                    expected_value=plain(want), given_value=got_value, shown=shown,
                )  # fmt: skip
            if agree and (point.branch or index < GAP_POINTS):
                # 20 digits cannot see a term 10**-25 of the value (a window 10**-3 wide at x = 10**6 under
                # x**3): where such terms live, the difference itself is computed, and confirmed at more digits
                gap = self._gap(point, difference)
                if gap is not None:
                    witness = self._witness(point, (expected, given))
                    values = number_text(want, 10), number_text(got, 10)
                    note = f"expected {values[0]}, given {values[1]}: they differ by {number_text(gap, 10)}"
                    return replace(
                        entry, equal=False, method="random points", witness=witness,
                        expected_value=plain(want), given_value=plain(got), note=note,
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
        return values(self.sampler.precise(point, digits), expected, given)

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
            found = terms(engine, difference) <= EXPANDED_TERMS and engine.expand(difference) == engine.zero
            self._expanded[difference] = found
        return found

    def _prove(self, expected: Any, given: Any) -> tuple[str, str | None]:
        """("zero", None), ("nonzero", SymPy's simplified difference) or ("unknown", None), within what is
        left of the answer's proof budget (see equality.prove_zero)."""
        remaining = self.proof_budget - self.proof_seconds
        if remaining <= 0:
            return "unknown", None
        started = time.monotonic()
        try:
            return prove_zero(self.engine, expected, given, min(PROOF_SECONDS, remaining), self._general)
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
        shape = self.result.gradient_matrix_shape
        if shape is None:
            return self.expected
        row = self.expected[0]
        return tuple(tuple(row[i * shape[1] : (i + 1) * shape[1]]) for i in range(shape[0]))

    def _hint_text(self, hint: str | None) -> str | None:
        if hint is None:
            return None
        if hint == "transposed" and self.result.gradient_matrix_shape is not None:
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
                if got is None or agree(want, got) is False:
                    return False
            except LimitError:
                continue
            agreed += 1
        return agreed > 0


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
    from jaccli.pipeline import Context, read_point

    if kind not in KINDS:
        raise VariableError(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
    if not tol >= 0 or tol == float("inf"):
        raise PointError(f"--tol must be a finite number of at least 0, got {tol}")
    context = Context()
    result = solve(Kind(KINDS[kind]), functions, vars=vars_, wrt=wrt, var=var, order=order, context=context)
    points = [read_point(context, result.problem, p) for p in at]
    return Checker(result, context, _answer_builder(context, result), points, tol, seconds)


def check_texts(kind: str, functions: Sequence[str], answer: str, **options: Any) -> Verdict:
    """A check from the words of the command line: KIND (grad|jacobian|diff|hessian), the functions, the
    answer, and the keyword options of `checker`."""
    return checker(kind, functions, **options).check_text(answer)


def check(
    result: Result, answer: Answer, points: Sequence[Sequence[tuple[str, Any]]] = (), tol: float = DEFAULT_TOL
) -> Verdict:
    """Compare a parsed answer with a result (at the points within tol if any are given, else as functions)."""
    from jaccli.pipeline import Context

    context = Context(result.engine)
    return Checker(result, context, _answer_builder(context, result), points, tol).check(answer)


def _answer_builder(context: Context, result: Result) -> Builder:
    """Builds answers in the problem's names: its variables, and their components (W_1_2)."""
    from jaccli.build import Builder, namespace

    names = namespace(context.engine, result.problem.variables, components=True)
    return Builder(context.engine, names, context.functions)
