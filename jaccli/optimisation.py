"""The optimisation view at a point: the curvature of f (Hessian eigenvalues, the kind of critical point)
and the directional derivative along a vector. Mathematics only: no printing.

Eigenvalues are exact where that is cheap: the diagonal of a triangular Hessian, the closed formula
of a symmetric 2x2 matrix, and SymPy's roots of a 3x3 matrix of rational numbers. Otherwise they
are numeric: LAPACK's symmetric eigensolver in double precision (NumPy), and mpmath's at 50 digits
only when an eigenvalue is so close to 0 relative to the largest that doubles cannot tell its sign.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from jaccli.problem import Kind

if TYPE_CHECKING:
    from jaccli.pipeline import Context
    from jaccli.result import Evaluation, Result

DIGITS = 50
# A double-precision eigenvalue this small relative to the largest cannot be trusted for its sign.
DOUBLE_DOUBT = 1e-9
# A 50-digit eigenvalue this small relative to the largest one is taken to be zero (entries carry 50 digits).
RELATIVE_ZERO = 1e-40


class CriticalPoint(StrEnum):
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    DEGENERATE = "degenerate"  # a zero eigenvalue and no eigenvalues of both signs: the test says nothing


@dataclass(frozen=True)
class Curvature:
    """The Hessian's eigenvalues at a point (ascending) and whether the gradient vanishes there."""

    eigenvalues: tuple[float, ...] | None  # None: an entry of H is undefined at the point
    exact: tuple[Any, ...] | None  # exact forms of the same eigenvalues, where they are cheap
    signs: tuple[int, ...] | None  # -1, 0 or 1 for each eigenvalue
    gradient_zero: bool | None  # None: the gradient is undefined at the point

    @property
    def critical_point(self) -> CriticalPoint | None:
        """The second-derivative test; None unless the point is critical and H is defined there."""
        if not self.gradient_zero or self.signs is None:
            return None
        if 1 in self.signs and -1 in self.signs:
            return CriticalPoint.SADDLE  # directions of both curvatures: a saddle, zero eigenvalues or not
        if 0 in self.signs:
            return CriticalPoint.DEGENERATE
        return CriticalPoint.MINIMUM if self.signs[0] == 1 else CriticalPoint.MAXIMUM


@dataclass(frozen=True)
class Directional:
    """The rate of change of f along a vector v: grad f . v / |v|, and how far v is from the way down."""

    direction: tuple[Any, ...]  # v as given (not normalised), exact
    value: Any | None  # None where the gradient is undefined
    angle_to_descent: float | None  # degrees between v and -grad f; None where grad f is 0 or undefined


def classify(hessian: Result, context: Context) -> Result:
    """The Hessian result with the curvature at each point."""
    from jaccli.derive import Differentiator
    from jaccli.pipeline import Substitution

    engine = context.engine
    differentiator = Differentiator(context.functions, [engine.symbol(c) for c in hessian.variables])
    gradient = differentiator.gradient(hessian.functions[0])
    evaluations = []
    for evaluation in hessian.evaluations:
        substitute = Substitution(context, dict(evaluation.point))
        values = [
            context.evaluator.value(substitute(gradient[j])) if j in gradient else 0
            for j in range(len(hessian.variables))
        ]
        gradient_zero = None if any(v is None for v in values) else all(v == 0 for v in values)
        curvature = _curvature(hessian, evaluation, context, gradient_zero)
        evaluations.append(replace(evaluation, curvature=curvature))
    return hessian.with_evaluations(evaluations)


def _curvature(hessian: Result, evaluation: Evaluation, context: Context, gradient_zero: bool | None) -> Curvature:
    n = len(hessian.variables)
    exact = [[evaluation.exact_at(i, j) for j in range(n)] for i in range(n)]
    if any(v is None for row in exact for v in row):
        return Curvature(None, None, None, gradient_zero)
    exact_values = _exact_eigenvalues(hessian, exact, context)
    if exact_values is not None:
        found = [context.evaluator.value(v) for v in exact_values]
        numbers = [x for x in found if x is not None]
        if len(numbers) == len(found):
            order = sorted(range(len(numbers)), key=lambda k: numbers[k])
            signs = tuple(_sign(numbers[k]) for k in order)
            return Curvature(
                tuple(float(numbers[k]) for k in order), tuple(exact_values[k] for k in order), signs, gradient_zero
            )
    matrix = [[evaluation.number_at(i, j) for j in range(n)] for i in range(n)]
    values, signs = numeric_eigenvalues(matrix)
    return Curvature(values, None, signs, gradient_zero)


def _sign(value: Any) -> int:
    return 0 if value == 0 else (1 if value > 0 else -1)


def _exact_eigenvalues(hessian: Result, exact: list[list[Any]], context: Context) -> list[Any] | None:
    engine = context.engine
    n = len(exact)
    zero = engine.zero
    if all(exact[i][j] == zero for i in range(n) for j in range(n) if i > j) or all(
        exact[i][j] == zero for i in range(n) for j in range(n) if i < j
    ):
        return [exact[i][i] for i in range(n)]
    if n == 2:
        # a symmetric 2x2 matrix [[a, b], [b, d]]: (a + d)/2 -+ sqrt(((a - d)/2)**2 + b**2)
        (a, b), (_, d) = exact
        half = engine.number(1, 2)
        middle = engine.mul([half, engine.add([a, d])])
        spread = engine.mul([half, engine.subtract(a, d)])
        root = engine.pow(engine.add([engine.pow(spread, engine.number(2)), engine.pow(b, engine.number(2))]), half)
        return [engine.subtract(middle, root), engine.add([middle, root])]
    if n == 3 and all(engine.node(v)[0] == 0 for row in exact for v in row):  # NUMBER: rational entries
        return _rational_3x3(exact, context)
    return None


def _rational_3x3(exact: list[list[Any]], context: Context) -> list[Any] | None:
    import sympy as sp

    from jaccli.engine.sympy_engine import to_sympy

    engine = context.engine
    matrix = sp.Matrix([[to_sympy(engine, v) for v in row] for row in exact])
    values = [value for value, times in matrix.eigenvals().items() for _ in range(times)]
    if any(v.has(sp.I, sp.CRootOf) for v in values):
        return None  # a real root written through complex radicals: the numbers say more
    from jaccli.engine import engine as engine_named
    from jaccli.engine.convert import convert

    return [convert(v, engine_named("sympy"), engine) for v in values]


def numeric_eigenvalues(matrix: Sequence[Sequence[Any | None]]) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Ascending eigenvalues of a real symmetric matrix, and their signs, decided at 50 digits when
    doubles cannot tell."""
    import numpy as np

    values = np.linalg.eigvalsh(np.array([[float(v or 0) for v in row] for row in matrix]))
    scale = max(1.0, float(np.max(np.abs(values)))) if len(values) else 1.0
    if all(abs(v) > DOUBLE_DOUBT * scale for v in values):
        return tuple(float(v) for v in values), tuple(1 if v > 0 else -1 for v in values)
    from jaccli.numeric import context

    ctx = context(DIGITS)
    precise, _ = ctx.eigsy(ctx.matrix([[ctx.mpf(v) for v in row] for row in matrix]))
    ordered = sorted(precise[i] for i in range(len(values)))
    big = max([ctx.mpf(1), *(abs(v) for v in ordered)])
    signs = tuple(0 if abs(v) <= RELATIVE_ZERO * big else (1 if v > 0 else -1) for v in ordered)
    return tuple(float(v) for v in ordered), signs


def directional(evaluation: Evaluation, direction: Sequence[Any], context: Context) -> Directional:
    """grad f . v / |v| at the point, exact where the gradient is exact; v must not be the zero vector."""
    engine = context.engine
    v = tuple(direction)
    two = engine.number(2)
    length = engine.pow(engine.add([engine.pow(c, two) for c in v]), engine.number(1, 2))
    gradient = evaluation.gradient
    if any(g is None for g in gradient):
        return Directional(v, None, None)
    value = engine.divide(engine.add([engine.mul([g, c]) for g, c in zip(gradient, v)]), length)
    norm = evaluation.norm
    norm_value = None if norm is None else context.evaluator.value(norm)
    if norm_value is None or norm_value == 0:
        return Directional(v, value, None)
    cosine = float(-context.evaluator.defined(value) / norm_value)  # cos of the angle between v and -grad f
    return Directional(v, value, math.degrees(math.acos(max(-1.0, min(1.0, cosine)))))


def with_direction(gradient: Result, direction: Sequence[Any], context: Context) -> Result:
    """The gradient result with the directional derivative along `direction` at each point."""
    assert gradient.kind is Kind.GRADIENT
    evaluations = [replace(e, directional=directional(e, direction, context)) for e in gradient.evaluations]
    return gradient.with_evaluations(evaluations)
