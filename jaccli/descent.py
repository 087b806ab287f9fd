"""Gradient descent x <- x - rate * grad f(x), in floating point: the path, the loss going down, why it stopped.

f and grad f are compiled once (`jaccli.compiled`) and then called per step, so a step costs
microseconds, not a symbolic substitution.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import overload

import mpmath

from jaccli import bounds as limits
from jaccli.errors import JacError, PointError
from jaccli.numeric import Evaluator
from jaccli.result import Result

DEFAULT_RATE = 0.1
DEFAULT_STEPS = 100
DEFAULT_TOL = 1e-6
# |f| beyond this many times max(1, |f(start)|) counts as growing without bound.
DIVERGENCE_FACTOR = 1e8


class Reason(StrEnum):
    CONVERGED = "gradient norm below tol"
    STEP_LIMIT = "step limit reached"
    DIVERGED = "diverged"
    LEFT_DOMAIN = "left the domain"  # f or grad f has no real value at the next point (log of a negative ...)


@dataclass(frozen=True)
class Step:
    step: int
    point: tuple[float, ...]  # every component, in column order
    value: float  # f at the point
    gradient_norm: float  # |grad f| at the point


class Trail(Sequence[Step]):
    """The steps of a run, kept as compactly as the output allows.

    f and |grad f| of every step are kept as 8-byte floats (the sparkline and the summary need them);
    the points of every step too, unless `keep` is given: then only those of the first and last `keep`
    steps, which is all a table shows. A run of 1,000,000 steps in 20 variables then holds 16 MB, not
    the 2.4 GB of a million Step objects; JSON, which has every step, streams them as they are taken.
    """

    def __init__(self, width: int, keep: int | None = None) -> None:
        self.width = width
        self.keep = keep
        self.values = array("d")  # f at every step
        self.norms = array("d")  # |grad f| at every step
        self._points = array("d")  # every point, flat (keep None)
        self._head: list[tuple[float, ...]] = []
        self._tail: deque[tuple[float, ...]] = deque(maxlen=keep or 1)

    def append(self, step: Step) -> None:
        self.values.append(step.value)
        self.norms.append(step.gradient_norm)
        if self.keep is None:
            self._points.extend(step.point)
        elif len(self._head) < self.keep:
            self._head.append(step.point)
        else:
            self._tail.append(step.point)

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> Step: ...

    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...

    def __getitem__(self, index: int | slice) -> Step | list[Step]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        k = index + count if index < 0 else index
        if not 0 <= k < count:
            raise IndexError(index)
        return Step(k, self._point(k), self.values[k], self.norms[k])

    def _point(self, k: int) -> tuple[float, ...]:
        if self.keep is None:
            return tuple(self._points[k * self.width : (k + 1) * self.width])
        if k < len(self._head):
            return self._head[k]
        first_of_tail = len(self) - len(self._tail)
        if k >= first_of_tail:
            return self._tail[k - first_of_tail]
        raise LookupError(f"step {k}: only the points of the first and last {self.keep} steps are kept")


@dataclass(frozen=True)
class Descent:
    """One run of gradient descent from a start point."""

    function: str
    variables: tuple[str, ...]
    rate: float
    step_limit: int
    tol: float
    path: Trail  # path[0] is the start
    reason: Reason
    unfinished_step: int | None = None  # a step whose point had no finite value of f (not in the path)

    @property
    def converged(self) -> bool:
        return self.reason is Reason.CONVERGED

    @property
    def steps_taken(self) -> int:
        return self.path[-1].step


class _UndefinedError(Exception):
    """f or grad f has no finite real value at a point."""

    def __init__(self, overflow: bool) -> None:
        super().__init__()
        self.overflow = overflow


def compile_function(gradient: Result) -> Callable[[Sequence[float]], tuple[float, list[float]]]:
    """f and grad f at a point (a list of floats in column order), compiled once."""
    import numpy as np

    from jaccli.compiled import Compiled

    compiled = Compiled(gradient)

    def value_and_gradient(x: Sequence[float]) -> tuple[float, list[float]]:
        values, functions = compiled.values_and_functions(np.array([x], dtype=float))
        return float(functions[0, 0]), [float(v) for v in values[0]]

    return value_and_gradient


def check_settings(rate: float, steps: int, tol: float) -> None:
    if not (math.isfinite(rate) and rate > 0):
        raise JacError(f"--rate must be a positive number, got {rate:g}")
    if steps < 0:
        raise JacError(f"--steps must be a whole number of at least 0, got {steps}")
    if steps > limits.DESCENT_STEPS.value:
        raise limits.refuse(limits.DESCENT_STEPS, f"--steps {steps:,}")
    if not (math.isfinite(tol) and tol >= 0):
        raise JacError(f"--tol must be a number of at least 0, got {tol:g}")


def descend(
    gradient: Result,
    start: Sequence[float],
    *,
    rate: float = DEFAULT_RATE,
    steps: int = DEFAULT_STEPS,
    tol: float = DEFAULT_TOL,
    on_step: Callable[[Step], None] | None = None,
    keep: int | None = None,
) -> Descent:
    """Run x <- x - rate * grad f(x) from `start` for at most `steps` steps, stopping early when
    |grad f| < tol (converged), when |f| grows past DIVERGENCE_FACTOR times its start (diverged), or
    when f or grad f stops being a finite real number (diverged on overflow, else left the domain).

    Each step is handed to `on_step` as it is taken (step 0 once the start is known to be good); with
    `keep`, the path keeps the points of only the first and last `keep` steps (see Trail)."""
    check_settings(rate, steps, tol)
    value_and_gradient = compile_function(gradient)
    names = gradient.variables
    x = [float(v) for v in start]
    f, g = _start(gradient, value_and_gradient, x)
    bound = DIVERGENCE_FACTOR * max(1.0, abs(f))
    path = Trail(len(names), keep)

    def record(step: Step) -> None:
        path.append(step)
        if on_step is not None:
            on_step(step)

    norm = _norm(g)
    record(Step(0, tuple(x), f, norm))
    reason = Reason.STEP_LIMIT
    unfinished: int | None = None
    for k in range(1, steps + 1):
        if norm < tol:
            reason = Reason.CONVERGED
            break
        x = [xi - rate * gi for xi, gi in zip(x, g)]
        try:
            f, g = _evaluate(value_and_gradient, x)
        except _UndefinedError as undefined:
            reason = Reason.DIVERGED if undefined.overflow else Reason.LEFT_DOMAIN
            unfinished = k
            break
        norm = _norm(g)
        record(Step(k, tuple(x), f, norm))
        if abs(f) > bound:
            reason = Reason.DIVERGED
            break
    else:
        if norm < tol:
            reason = Reason.CONVERGED
    return Descent(gradient.function_texts[0], tuple(names), rate, steps, tol, path, reason, unfinished)


def _start(
    gradient: Result, value_and_gradient: Callable[[Sequence[float]], tuple[float, list[float]]], x: list[float]
) -> tuple[float, list[float]]:
    """f and grad f at the start point, or a PointError that says why descent cannot start there."""
    names = gradient.variables
    for name, value in zip(names, x):
        if not math.isfinite(value):
            exact = dict(gradient.evaluations[0].point).get(name) if gradient.evaluations else None
            number = None if exact is None else Evaluator(gradient.engine).value(exact)
            shown = str(value) if number is None else mpmath.nstr(number, 6)
            raise PointError(
                f"the start point's {name} = {shown} is too large for floating point, in which "
                "descent computes (at most about 1.8e308)"
            )
    try:
        return _evaluate(value_and_gradient, x)
    except _UndefinedError:
        where = ", ".join(f"{name}={v:g}" for name, v in zip(names, x))
        raise PointError(f"f or its gradient has no finite real value at the start point ({where})") from None


def _evaluate(
    value_and_gradient: Callable[[Sequence[float]], tuple[float, list[float]]], x: Sequence[float]
) -> tuple[float, list[float]]:
    if not all(math.isfinite(v) for v in x):
        raise _UndefinedError(overflow=True)
    f, g = value_and_gradient(x)
    if math.isnan(f) or any(math.isnan(v) for v in g):
        raise _UndefinedError(overflow=False)
    if math.isinf(f) or math.isinf(_norm(g)):
        raise _UndefinedError(overflow=True)
    return f, g


def _norm(gradient: Sequence[float]) -> float:
    try:
        return math.hypot(*gradient)
    except OverflowError:
        return math.inf
