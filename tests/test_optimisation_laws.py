"""Laws of the optimisation view, checked at random inputs against oracles independent of jac."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import jaccli
from jaccli import descent
from jaccli.cli.optimise import parse_direction
from jaccli.optimisation import directional
from jaccli.pipeline import Context

small = st.fractions(min_value=-3, max_value=3, max_denominator=20)
positive = st.fractions(min_value=Fraction(1, 10), max_value=5, max_denominator=20)


def f(x: float, y: float) -> float:
    return math.sin(x) * y + x**3 * math.exp(y / 3) + math.atan(x * y)


@settings(max_examples=40, deadline=None)
@given(px=small, py=small, vx=small, vy=small)
def test_directional_derivative_is_the_slope_along_the_unit_vector(px, py, vx, vy):
    if vx == 0 and vy == 0:
        return
    result = jaccli.gradient("sin(x)*y + x**3*exp(y/3) + atan(x*y)", at=[px, py])
    context = Context(result.engine)
    direction = parse_direction(f"{vx},{vy}", result, context)
    exact = directional(result.evaluations[0], direction, context).value
    assert exact is not None
    value = context.evaluator.defined(exact)
    length = math.hypot(vx, vy)
    ux, uy = float(vx) / length, float(vy) / length
    h = 1e-6
    x, y = float(px), float(py)
    central = (f(x + h * ux, y + h * uy) - f(x - h * ux, y - h * uy)) / (2 * h)
    assert math.isclose(float(value), central, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=40, deadline=None)
@given(a=positive, b=positive, share=st.fractions(min_value=-0.9, max_value=0.9), px=small, py=small, part=positive)
def test_descent_on_a_convex_quadratic_never_goes_up_below_the_critical_rate(a, b, share, px, py, part):
    # f = a x^2 + c xy + b y^2 with c^2 < 4ab: H = [[2a, c], [c, 2b]] is positive definite, and with a
    # rate below 2/lambda_max every step shrinks each eigencomponent, so f never increases.
    c = share * 2 * math.sqrt(float(a * b))
    c = Fraction(c).limit_denominator(1000)
    if c * c >= 4 * a * b:
        return
    trace, det = 2 * (a + b), 4 * a * b - c * c
    largest = (float(trace) + math.sqrt(max(0.0, float(trace) ** 2 - 4 * float(det)))) / 2  # 0 when a = b, c = 0
    rate = 2 / largest * float(part) / 5.2  # part <= 5, so rate < 2/lambda_max
    gradient = jaccli.gradient(f"({a})*x**2 + ({c})*x*y + ({b})*y**2")
    run = descent.descend(gradient, [float(px), float(py)], rate=rate, steps=60, tol=0)
    values = [s.value for s in run.path]
    assert all(later <= earlier * (1 + 1e-12) + 1e-300 for earlier, later in itertools.pairwise(values))
    assert run.reason in (descent.Reason.STEP_LIMIT, descent.Reason.CONVERGED)
