"""A law of jac check: an answer changed on part of the domain is never right.

Random functions f of x and y; the answer is f's gradient, written by jac, plus a perturbation that
changes it only on part of the plane (a relu, heaviside or abs term shifted far from 0, a window
between two kinks) or everywhere by very little (a term scaled by 10**-6). With the symbolic proof,
and again as if every proof ran out of time (the sampled points alone decide), the verdict is never
"right". The unperturbed gradient, as the oracle that the generator is sound, is always right.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import jaccli
from jaccli import check

LEAVES = st.sampled_from(["x", "y", "2", "3", "(x + 1)", "(y - 2)"])
UNARY = ["sin", "cos", "atan", "tanh", "sigmoid"]


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    unary = st.builds(lambda f, a: f"{f}({a})", st.sampled_from(UNARY), children)
    binary = st.builds(lambda a, op, b: f"({a} {op} {b})", children, st.sampled_from(["+", "-", "*"]), children)
    return unary | binary


FUNCTIONS = st.recursive(LEAVES, _extend, max_leaves=5).filter(lambda f: "x" in f)
EXAMPLES = int(os.environ.get("JAC_FUZZ_EXAMPLES", "20"))  # more: JAC_FUZZ_EXAMPLES=N draws new ones
SHIFTS = st.sampled_from([10, 1000, 10**6, -10, -(10**4)])
PERTURBATIONS = st.one_of(
    st.builds(lambda c: f"relu(x - {c})", SHIFTS),
    st.builds(lambda c: f"relu({c} - x)", SHIFTS),
    st.builds(lambda c: f"heaviside(x - {c})*(1 + y**2)", SHIFTS),
    st.builds(lambda c: f"heaviside(x**3 - {c}**3)", SHIFTS),
    st.builds(lambda c: f"(abs(x - {c}) - (x - {c}))", SHIFTS),
    st.builds(lambda c: f"relu(x + y - {c})", SHIFTS),
    st.builds(lambda c: f"relu(x - {c})*relu({c} + 1/1000 - x)", SHIFTS),
    st.sampled_from(["1e-6*(x**2 + 1)", "1e-6*cos(y)**2 + 1e-6", "x/10**6"]),
)


def _gradient(f: str) -> list[str]:
    return jaccli.gradient(f, vars="x,y").symbolic[0]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FUNCTIONS, PERTURBATIONS)
def test_a_perturbed_gradient_is_never_right(f, perturbation):
    gx, gy = _gradient(f)
    assert check.check_texts("grad", [f], f"{gx}, {gy}", vars_="x,y").passed
    verdict = check.check_texts("grad", [f], f"{gx} + {perturbation}, {gy}", vars_="x,y")
    assert not verdict.passed, (f, perturbation)
    assert verdict.score == 0.5  # the other entry is right


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FUNCTIONS, PERTURBATIONS)
@example("atan(sigmoid(x))", "relu(-10000 - x)")  # sigmoid(x)**2 beyond x = -10000 was refused, not tiny
def test_without_a_proof_the_sampled_points_still_find_the_perturbation(f, perturbation):
    gx, gy = _gradient(f)
    prove = check.Checker._prove
    check.Checker._prove = lambda self, expected, given: ("unknown", None)  # type: ignore[method-assign]
    try:
        verdict = check.check_texts("grad", [f], f"{gx} + {perturbation}, {gy}", vars_="x,y")
    finally:
        check.Checker._prove = prove  # type: ignore[method-assign]
    assert not verdict.passed, (f, perturbation)
    (wrong,) = verdict.wrong
    assert wrong.witness is not None  # the point where the perturbation shows
