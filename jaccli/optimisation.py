"""The optimisation view at a point: the curvature of f (Hessian eigenvalues, the kind of critical point)
and the directional derivative along a vector. Mathematics only: no printing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import mpmath
import sympy as sp

from jaccli.core import Evaluation, Result

# Exact eigenvalues are attempted for matrices up to this size (triangular ones of any size):
# SymPy solves the characteristic polynomial in radicals quickly there, and slowly or not at all beyond.
EXACT_EIGENVALUES_UP_TO = 3
# Digits for the numeric eigenvalues and the sign decisions; the entries themselves are exact.
DIGITS = 50
# A numeric eigenvalue this small relative to the largest one is taken to be zero.
RELATIVE_ZERO = mpmath.mpf("1e-30")


class CriticalPoint(StrEnum):
    MINIMUM = "minimum"
    MAXIMUM = "maximum"
    SADDLE = "saddle"
    DEGENERATE = "degenerate"  # a zero eigenvalue and no eigenvalues of both signs: the test says nothing


@dataclass(frozen=True)
class Curvature:
    """The Hessian's eigenvalues at a point (ascending) and whether the gradient vanishes there."""

    eigenvalues: tuple[float, ...] | None  # None: an entry of H is undefined at the point
    exact: tuple[sp.Expr, ...] | None  # exact forms of the same eigenvalues, where SymPy finds them cheaply
    signs: tuple[int, ...] | None  # -1, 0 or 1 for each eigenvalue, decided exactly or at 50 digits
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

    direction: tuple[sp.Expr, ...]  # v as given (not normalised)
    value: sp.Expr | None  # None where the gradient is undefined
    angle_to_descent: float | None  # degrees between v and -grad f; None where grad f is 0 or undefined


def is_zero(value: sp.Expr) -> bool:
    """Exactly zero, or zero to 50 digits where SymPy cannot decide (cos(pi/5) - (1 + sqrt(5))/4)."""
    if value.is_zero is not None:
        return bool(value.is_zero)
    return bool(abs(value.evalf(DIGITS)) < sp.Float(10) ** (-(DIGITS - 10)))


def curvature(hessian_values: Sequence[Sequence[sp.Expr | None]], gradient: Sequence[sp.Expr | None]) -> Curvature:
    """Eigenvalues of the Hessian at a point and, if grad f is 0 there, what kind of critical point it is."""
    gradient_zero = None if any(g is None for g in gradient) else all(is_zero(g) for g in gradient if g is not None)
    if any(v is None for row in hessian_values for v in row):
        return Curvature(None, None, None, gradient_zero)
    matrix = sp.Matrix([[v for v in row] for row in hessian_values])
    exact = _exact_eigenvalues(matrix)
    if exact is not None:
        numbers = [e.evalf(DIGITS) for e in exact]
        signs = tuple(_exact_sign(e, n) for e, n in zip(exact, numbers))
        return Curvature(tuple(float(n) for n in numbers), tuple(exact), signs, gradient_zero)
    values = _numeric_eigenvalues(matrix)
    scale = max([mpmath.mpf(1), *(abs(v) for v in values)])
    signs = tuple(0 if abs(v) <= RELATIVE_ZERO * scale else (1 if v > 0 else -1) for v in values)
    return Curvature(tuple(float(v) for v in values), None, signs, gradient_zero)


def _exact_eigenvalues(matrix: sp.Matrix) -> list[sp.Expr] | None:
    n = matrix.shape[0]
    if matrix.is_lower or matrix.is_upper:
        values = [matrix[i, i] for i in range(n)]
    elif n <= EXACT_EIGENVALUES_UP_TO and (n <= 2 or all(v.is_Rational for v in matrix)):
        values = [value for value, times in matrix.eigenvals().items() for _ in range(times)]
        if any(v.has(sp.I, sp.CRootOf) for v in values):
            return None  # a real root written through complex radicals: the numbers say more
    else:
        return None
    return sorted(values, key=lambda v: v.evalf(DIGITS))


def _numeric_eigenvalues(matrix: sp.Matrix) -> list[mpmath.mpf]:
    with mpmath.workdps(DIGITS):
        numeric = mpmath.matrix([[mpmath.mpf(str(v.evalf(DIGITS))) for v in row] for row in matrix.tolist()])
        values, _ = mpmath.eigsy(numeric)  # H is real and symmetric: real eigenvalues
        return sorted(values[i] for i in range(matrix.shape[0]))


def _exact_sign(value: sp.Expr, number: sp.Expr) -> int:
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return 0 if is_zero(value) else (1 if number > 0 else -1)


def classify(hessian: Result, gradient: Result) -> Result:
    """The Hessian result with the curvature at each point; `gradient` is evaluated at the same points."""
    evaluations = tuple(
        replace(h, curvature=curvature(h.values, g.gradient)) for h, g in zip(hessian.evaluations, gradient.evaluations)
    )
    return replace(hessian, evaluations=evaluations)


def directional(evaluation: Evaluation, direction: Sequence[sp.Expr]) -> Directional:
    """grad f . v / |v| at the point, exact where the gradient is exact; v must not be the zero vector."""
    v = tuple(direction)
    length = sp.sqrt(sp.Add(*(c**2 for c in v)))
    gradient = evaluation.gradient
    if any(g is None for g in gradient):
        return Directional(v, None, None)
    value = sp.Add(*(g * c for g, c in zip(gradient, v) if g is not None)) / length
    norm = evaluation.norm
    if norm is None or is_zero(norm):
        return Directional(v, value, None)
    cosine = float((-value / norm).evalf(DIGITS))  # cos of the angle between v and -grad f
    return Directional(v, value, math.degrees(math.acos(max(-1.0, min(1.0, cosine)))))


def with_direction(gradient: Result, direction: Sequence[sp.Expr]) -> Result:
    """The gradient result with the directional derivative along `direction` at each point."""
    evaluations = tuple(replace(e, directional=directional(e, direction)) for e in gradient.evaluations)
    return replace(gradient, evaluations=evaluations)
