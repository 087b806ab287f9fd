"""Verdicts of jac check that cannot be gamed: answers right or wrong by hand-derived reasoning, perturbations
that show only on part of the domain, exact comparisons at a point, and the hints for the classic mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from jaccli import check
from jaccli.sampling import Sampler


@pytest.fixture
def no_proof(monkeypatch):
    """As if every symbolic proof ran out of time: the sampled points alone decide."""
    monkeypatch.setattr(check.Checker, "_prove", lambda self, expected, given: ("unknown", None))


def verdict(kind: str, function: str, answer: str, **options) -> check.Verdict:
    return check.check_texts(kind, [function], answer, **options)


def report(jac, *args: str) -> tuple[int, dict]:
    done = jac("check", *args, "--json")
    assert done.stderr == ""
    return done.returncode, json.loads(done.stdout)


# -- verdicts that were once wrong ---------------------------------------------------------------


def test_a_relu_far_from_the_sampled_box_is_found_with_a_point_where_it_shows(jac):
    code, found = report(jac, "grad", "x^2", "--answer", "2x + relu(x - 10)")
    assert code == 1 and found["status"] == "fail" and found["score"] == 0
    (entry,) = found["entries"]
    x = Fraction(entry["witness"]["x"])
    assert x > 10  # where relu(x - 10) is not 0
    assert entry["expected_value"] == pytest.approx(float(2 * x))
    assert entry["given_value"] == pytest.approx(float(2 * x + x - 10))


@pytest.mark.parametrize(
    "perturbation",
    [
        "relu(x - 10**6)",  # far from 0 on one side
        "relu(-x - 10**6)",  # far from 0 on the other
        "heaviside(x**3 - 10**9)",  # a step where a cubic crosses 0: found by bisection along a line
        "abs(x - 5000) - (5000 - x)",  # 0 below 5000, 2(x - 5000) above
        "floor(x/10**7)",  # 0 on [0, 10**7), not below 0
        "max(x, 123456) - 123456",  # max of two arguments: where they are equal
        "relu(x - 10)*relu(10.000001 - x)",  # a window of 10**-6 between two kinks: its middle
        "5*(1 - sign(x - 10)**2)",  # one point: x = 10, where a kink is
        "x/10**6",  # everywhere, small
    ],
)
def test_perturbations_on_part_of_the_domain_are_wrong_even_without_a_proof(no_proof, perturbation):
    found = verdict("grad", "x^2 + sin(x)", f"2x + cos(x) + {perturbation}")
    assert not found.passed
    (entry,) = found.entries
    assert entry.witness is not None and entry.expected_value != entry.given_value


def test_a_difference_simplified_to_something_not_zero_is_never_equal():
    # 10**-30 * exp(-10**6 x**2) is too small to see beside 2x at any sampled point, but SymPy does not make it 0
    found = verdict("diff", "x^2", "2x + 1e-30*exp(-10**6*x**2)")
    assert not found.passed
    simplified = "-exp(-1000000*x**2)/1000000000000000000000000000000"
    assert found.message.endswith(f"(not shown equal: SymPy simplifies the difference to {simplified}, not 0)")


def test_a_difference_too_small_for_20_digits_is_computed_where_it_matters(no_proof):
    # 10**-20 of the value everywhere; and 2.5e-7 beside 4e18, in a window 10**-3 wide
    tiny = verdict("diff", "x^2", "2x + 1e-20*x")
    assert not tiny.passed and "they differ by -" in tiny.message
    window = verdict("diff", "x^4", "4x^3 + relu(x - 10**6)*relu(10**6 + 1/1000 - x)")
    assert not window.passed and "at x = 1000000.0005" in window.message


def test_answers_at_a_point_are_exact_unless_written_as_decimals(jac):
    close = jac("check", "grad", "x**2", "--at", "3", "--answer", "6.000000000000000000001", "--tol", "0")
    assert close.returncode == 1
    assert "expected 6, given 6.000000000000000000001" in close.stdout  # as many digits as tell them apart
    assert jac("check", "diff", "x**3", "--at", "10**8", "--answer", "3*x**2+1").returncode == 1
    assert jac("check", "diff", "x**3", "--at", "10**8", "--answer", "30000000000000000").returncode == 0
    # 2/3 exactly, or a decimal within --tol; an exact fraction close to 2/3 is not 2/3
    assert jac("check", "diff", "x^2", "--at", "1/3", "--answer", "2/3", "--tol", "0").returncode == 0
    assert jac("check", "diff", "x^2", "--at", "1/3", "--answer", "0.6666666667").returncode == 0
    assert jac("check", "diff", "x^2", "--at", "1/3", "--answer", "6666666667/10000000000").returncode == 1
    assert jac("check", "diff", "x^2", "--at", "1/3", "--answer", "0.66667").returncode == 1
    assert jac("check", "diff", "x^2", "--at", "1/3", "--answer", "0.66667", "--tol", "1e-4").returncode == 0
    # exact forms of one number: sqrt(2)/2 is cos(pi/4), log(8)/log(2) is 3
    assert jac("check", "diff", "sin(x)", "--at", "pi/4", "--answer", "sqrt(2)/2", "--tol", "0").returncode == 0
    assert jac("check", "diff", "x*log2(x)", "--at", "8", "--answer", "3 + 1/log(2)", "--tol", "0").returncode == 0


def test_an_answer_where_the_derivative_is_undefined_is_not_right_and_says_why(jac):
    done = jac("check", "diff", "log(x)", "--at", "0", "--answer", "5/x")
    assert done.returncode == 1
    assert "at x = 0: the expected entry is undefined there (no derivative), so no answer is right" in done.stdout


def test_huge_exact_values_at_a_point_are_compared_without_overflow(jac):
    assert jac("check", "diff", "x**200", "--at", "10**3", "--answer", "200*x**199").returncode == 0
    code, found = report(jac, "diff", "x**200", "--at", "10**3", "--answer", "200*x**199 + 1")
    assert code == 1
    (entry,) = found["entries"]
    assert entry["expected_value"] == "2.0e+599"  # beyond a double: a decimal string, never inf
    assert isinstance(entry["given_value"], str)


def test_an_answer_undefined_where_the_derivative_is_defined_is_wrong():
    found = verdict("diff", "x^2", "2*exp(log(x))")  # 2x only for x > 0
    assert not found.passed
    (entry,) = found.entries
    assert entry.given_value is None and Fraction(entry.witness[0][1]) < 0


def test_at_a_kink_the_derivative_is_a_convention(no_proof):
    # |x|' is sign(x), 0 at 0 by convention; x/|x| is undefined there and right everywhere else
    assert verdict("diff", "abs(x)", "x/abs(x)").passed
    assert verdict("diff", "relu(x)", "(sign(x) + 1)/2").passed
    # but a value at the kink other than the convention is wrong, where both have a value
    assert not verdict("diff", "relu(x)", "heaviside(x) + (1 - sign(x)**2)/2").passed


@pytest.mark.parametrize(
    ("kind", "function", "answer"),
    [
        ("diff", "sin(x)^2", "sin(2x)"),
        ("diff", "sigmoid(x)", "exp(-x)/(1+exp(-x))^2"),
        ("grad", "x^2*y + sin(x*y)", "y*(2x + cos(x*y)), x*(x + cos(x*y))"),
        ("diff", "tanh(x)", "1/cosh(x)^2"),
        ("diff", "log(x^2 + 1)", "2x/(x^2 + 1)"),
        ("diff", "atan(x)", "1/(1 + x^2)"),
        ("diff", "softplus(x)", "sigmoid(x)"),
    ],
)
def test_equal_forms_are_right_with_a_proof_and_without_one(monkeypatch, kind, function, answer):
    assert verdict(kind, function, answer).passed
    monkeypatch.setattr(check.Checker, "_prove", lambda self, expected, given: ("unknown", None))
    assert verdict(kind, function, answer).passed


# -- matrix notation and hints ---------------------------------------------------------------------

LEAST_SQUARES = ("sum((W@x - y)**2)", {"vars_": "W:2x3,x:3,y:2", "wrt": "W"})


@pytest.mark.parametrize("answer", ["2*outer(W@x - y, x)", "2*outer(W@x, x) - 2*outer(y, x)"])
def test_a_matrix_answer_is_compared_with_the_gradient_shaped_like_w(answer):
    # d/dW_ij sum_k (W_k . x - y_k)^2 = 2 (W_i . x - y_i) x_j: the outer product 2 (Wx - y) x^T, by hand
    found = verdict("grad", LEAST_SQUARES[0], answer, **LEAST_SQUARES[1])
    assert found.passed and found.score == 1 and found.hint is None


def test_the_transposed_matrix_answer_is_wrong_and_says_so(jac):
    code, found = report(jac, "grad", "sum((W@x - y)**2)", "--vars", "W:2x3,x:3,y:2", "--wrt", "W",
                         "--answer", "2*outer(x, W@x - y)")  # fmt: skip
    assert code == 1 and found["hint"] == "transposed"
    assert "transpose of the gradient shaped like W" in found["message"]
    # a square W: the shape fits, the entries do not
    square = verdict("grad", "sum((W@x - y)**2)", "2*outer(x, W@x - y)", vars_="W:3x3,x:3,y:3", wrt="W")
    assert not square.passed and square.hint == "transposed" and 0 < square.score < 1


@pytest.mark.parametrize(
    ("kind", "function", "answer", "hint", "score"),
    [
        ("jacobian", "x*y, x+y", "[[y, 1], [x, 1]]", "transposed", 0.5),  # J^T: the diagonal is right
        ("jacobian", "x*y, x+y, x-y", "[[y, 1, 1], [x, 1, -1]]", "transposed", 0),  # 3x2 given as 2x3
        ("grad", "x^2+y^2", "2x; 2y", "transposed", 0),  # a column: the denominator-layout gradient
        ("grad", "x^2+y^2", "-2x, -2y", "negated", 0),  # -∇f, the descent direction
        ("jacobian", "x*y, x+y", "[[-y, -x], [-1, -1]]", "negated", 0),
        ("grad", "x^2+y^2", "2x", "shape", 0),
        ("hessian", "x^3 + x*y^2", "6x, 2y; 2y, 2y", None, 0.75),  # symmetric: no transpose to blame
        ("grad", "x^2+y^2", "2x, 3y", None, 0.5),
    ],
)
def test_hints_for_the_classic_mistakes(kind, function, answer, hint, score):
    found = verdict(kind, function, answer)
    assert not found.passed
    assert (found.hint, found.score) == (hint, score)


def test_hints_are_sentences_in_the_text_and_words_in_json(jac):
    text = jac("check", "grad", "x^2+y^2", "--answer", "-2x, -2y")
    assert (
        text.stdout.splitlines()[-1]
        == "hint: The answer is minus the gradient: that is -∇f, the descent direction, not ∇f."
    )
    transposed = jac("check", "jacobian", "x*y, x+y", "--answer", "[[y, 1], [x, 1]]")
    assert "numerator layout, J[i][j] = ∂f_i/∂θ_j" in transposed.stdout.splitlines()[-1]
    code, at_point = report(jac, "grad", "x^2+y^2", "--at", "5,-5", "--answer", "-10, 10")
    assert (code, at_point["hint"], at_point["score"]) == (1, "negated", 0)
    code, right = report(jac, "grad", "x^2+y^2", "--answer", "2x, 2y")
    assert (code, right["hint"], right["score"]) == (0, None, 1)


# -- the points a verdict samples ------------------------------------------------------------------


def test_random_points_cover_every_scale_and_both_signs():
    from jaccli.engine import choose

    engine = choose()
    x = engine.symbol("x")
    points = Sampler(engine, ["x"], [x]).random_points
    values = [abs(p.values[0]) for p in points]
    assert min(values) < Fraction(1, 1000) and max(values) > 10**6
    assert any(p.values[0] < -1000 for p in points) and any(p.values[0] > 1000 for p in points)
    assert all(p.values[0] not in (0, 1, -1) for p in points)
    # only points of the domain of the functions: log(x) needs x > 0
    logs = Sampler(engine, ["x"], [engine.primitive("log", [x])]).random_points
    assert logs and all(p.values[0] > 0 for p in logs)


def test_branch_changes_are_found_exactly_when_linear_and_by_bisection_otherwise():
    from jaccli.engine import choose

    engine = choose()
    x, y = engine.symbol("x"), engine.symbol("y")
    sampler = Sampler(engine, ["x", "y"], [engine.add([x, y])])
    shifted = engine.primitive(
        "heaviside", [engine.add([x, engine.mul([engine.number(3), y]), engine.number(-(10**7))])]
    )
    kinks = [p for p in sampler.points_for([shifted]) if p.kink]
    assert kinks and all(p.values[0] + 3 * p.values[1] == 10**7 for p in kinks)
    cubic = engine.primitive("abs", [engine.add([engine.pow(x, engine.number(3)), engine.number(-(10**9))])])
    near = [p for p in sampler.points_for([cubic]) if abs(p.values[0] - 1000) < Fraction(1, 10**6)]
    assert near  # x**3 = 10**9 at x = 1000, found to within 10**-6 by bisection


@pytest.mark.e2e
def test_a_check_that_needs_no_proof_does_not_import_sympy():
    script = (
        "import sys\n"
        "from jaccli.check import check_texts\n"
        "right = check_texts('grad', ['x^2+y^2'], '2x, 2y')\n"
        "expanded = check_texts('grad', ['x^2+y^2'], '2*(x+1) - 2, y+y')\n"
        "wrong = check_texts('jacobian', ['x*y, x+y'], '[[y, 1], [x, 1]]')\n"
        "print(right.passed, expanded.passed, wrong.passed, wrong.hint, 'sympy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.split() == ["True", "True", "False", "transposed", "False"]
