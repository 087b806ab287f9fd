"""Closed forms of every kind of result, checked by values against NumPy and read back from their text.

The vector forms of the tables (Parr & Howard: element-wise operations, scalar expansion, sum and
dot reductions, outer products, Hessians) at w = (1, 2, 3), x = (4, 5, 6), z = 7, b = -1 or at
random points; derivatives, Hessians and block matrices; what has no closed form; the gradient
shaped like W in JSON; size-independent folding of 5,000-vectors; and a property test: every
closed form jac returns for random element-wise and matrix expressions, read back by an
independent NumPy reader (tests/matrix_notation.py), equals the entries jac computes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from matrix_notation import evaluate_blocks

from jaccli import api
from jaccli.build import Builder, namespace
from jaccli.closed_forms import Folding
from jaccli.functions import Functions
from jaccli.matrix_calculus.derive import Calculus
from jaccli.result import Result

W, X, Z = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), 7.0
AT = {"w": W.tolist(), "x": X.tolist(), "z": Z, "b": -1}
VECTORS = "w:3,x:3,z,b"


def sizes(result: Result) -> tuple[list[int], list[int]]:
    return [g.size for g in result.row_groups], [g.size for g in result.column_groups]


def assert_closed_form(result: Result, closed: str, expected: Any, point: dict[str, Any]) -> None:
    """jac's values equal the NumPy formula, the closed form is `closed`, and its text gives the same values."""
    expected = np.asarray(expected, dtype=float).reshape(result.shape)
    np.testing.assert_allclose(np.asarray(result.value, dtype=float), expected, rtol=1e-12)
    assert result.structure.closed_form == closed
    assert result.structure.closed_form_latex
    np.testing.assert_allclose(evaluate_blocks(closed, point, *sizes(result)), expected, rtol=1e-12)


# (expression, --wrt, closed form, the Jacobian at w, x, z, b as NumPy computes it)
TABLES: list[tuple[str, str, str, Callable[[], Any]]] = [
    # element-wise binary operations
    ("w + x", "w", "I", lambda: np.eye(3)),
    ("w + x", "x", "I", lambda: np.eye(3)),
    ("w - x", "x", "-I", lambda: -np.eye(3)),
    ("w * x", "w", "diag(x)", lambda: np.diag(X)),
    ("w * x", "x", "diag(w)", lambda: np.diag(W)),
    ("w / x", "w", "diag(1/x)", lambda: np.diag(1 / X)),
    ("w / x", "x", "diag(-w/x**2)", lambda: np.diag(-W / X**2)),
    ("sin(x^2)", "x", "diag(2*x*cos(x**2))", lambda: np.diag(2 * X * np.cos(X**2))),
    # vector-scalar operations
    ("x + z", "x", "I", lambda: np.eye(3)),
    ("x * z", "x", "z*I", lambda: Z * np.eye(3)),
    ("x / z", "x", "(1/z)*I", lambda: np.eye(3) / Z),
    ("x + z", "z", "1", lambda: np.ones((3, 1))),
    ("x - z", "z", "-1", lambda: -np.ones((3, 1))),
    ("x * z", "z", "x", lambda: X.reshape(3, 1)),
    ("x / z", "z", "-x/z**2", lambda: (-X / Z**2).reshape(3, 1)),
    # reductions: rows
    ("sum(x)", "x", "1^T", lambda: np.ones((1, 3))),
    ("sum(x*z)", "x", "z*1^T", lambda: Z * np.ones((1, 3))),
    ("sum(x*z)", "z", "sum(x)", lambda: [[X.sum()]]),
    ("sum(x**2)", "x", "2*x^T", lambda: [2 * X]),
    ("dot(w, x)", "w", "x^T", lambda: [X]),
    ("dot(w, x)", "x", "w^T", lambda: [W]),
    ("dot(w, x)", "w,x", "[x^T, w^T]", lambda: [np.concatenate([X, W])]),
    # outer products: entry (i, j) is u_i*v_j
    ("w*sum(x)", "x", "w*1^T", lambda: np.outer(W, np.ones(3))),
    ("w*dot(w,x)", "x", "w*w^T", lambda: np.outer(W, W)),
    ("sum(w)*x", "w", "x*1^T", lambda: np.outer(X, np.ones(3))),
    # d(w_i*(w.x))/dw_j = (w.x)[i = j] + w_i*x_j: a diagonal plus an outer product
    ("w*dot(w,x)", "w", "dot(w, x)*I + w*x^T", lambda: W @ X * np.eye(3) + np.outer(W, X)),
    # the whole Jacobian of an element-wise product: two diagonal blocks
    ("w*x", "w,x", "[diag(x), diag(w)]", lambda: np.hstack([np.diag(X), np.diag(W)])),
    ("[w*x, sum(w)]", "w,b", "[diag(x), 0; 1^T, 0]", lambda: [[4, 0, 0, 0], [0, 5, 0, 0], [0, 0, 6, 0], [1, 1, 1, 0]]),
]


@pytest.mark.parametrize(("expr", "wrt", "closed", "formula"), TABLES, ids=[f"{t[0]}:{t[1]}" for t in TABLES])
def test_the_forms_of_the_tables(expr: str, wrt: str, closed: str, formula: Callable[[], Any]) -> None:
    result = api.jacobian(expr, vars=VECTORS, wrt=wrt, at=AT)
    assert_closed_form(result, closed, formula(), AT)


@pytest.mark.parametrize(("b", "active"), [(-1, 1.0), (-40, 0.0)])
def test_a_neuron_max_0_dot_w_x_plus_b(b: int, active: float) -> None:
    # w.x + b = 31 (the gradient of w.x + b) or -8 (relu is flat)
    point = {"w": W.tolist(), "x": X.tolist(), "b": b}
    result = api.gradient("max(0, dot(w,x)+b)", vars="w:3,x:3,b", at=point)
    step = "heaviside(dot(w, x) + b)"
    assert_closed_form(result, f"[{step}*x^T, {step}*w^T, {step}]", [active * np.concatenate([X, W, [1]])], point)


def test_hessians_are_jacobians_of_the_gradient() -> None:
    point = {"w": [1, 2], "x": [3, 4]}
    assert_closed_form(
        api.hessian("dot(w, x)", vars="w:2,x:2", at=point), "[0, I; I, 0]", np.eye(4)[[2, 3, 0, 1]], point
    )
    point = {"w": [1, 2, 3]}
    assert_closed_form(api.hessian("sum(w)**2", vars="w:3", at=point), "2*1*1^T", 2 * np.ones((3, 3)), point)
    # sum(w**2) + sum(w)**2: 2I + 2*1*1^T
    point = {"w": [1, 2, 3], "b": 5}
    expected = np.zeros((4, 4))
    expected[:3, :3] = 2 * np.eye(3) + 2
    expected[3, 3] = 2
    result = api.hessian("sum(w**2) + sum(w)**2 + b**2", vars="w:3,b", at=point)
    assert_closed_form(result, "[2*1*1^T + 2*I, 0; 0, 2]", expected, point)


def test_derivatives_by_a_scalar_are_columns_of_every_order() -> None:
    point = {"x": [0.5, 1.0, 1.5], "z": 2}
    v = np.array(point["x"])
    first = api.derivative("sin(x*z)", var="z", vars="x:3,z", at=point)
    assert_closed_form(first, "x*cos(x*z)", (v * np.cos(2 * v)).reshape(3, 1), point)
    second = api.derivative("sin(x*z)", var="z", order=2, vars="x:3,z", at=point)
    assert_closed_form(second, "-x**2*sin(x*z)", (-(v**2) * np.sin(2 * v)).reshape(3, 1), point)


def test_a_scalar_function_of_vectors_by_a_scalar_folds_its_reductions() -> None:
    point = {"x": [1, 2, 3], "z": 2}
    result = api.gradient("sum(x)**2*z", vars="x:3,z", wrt="z", at=point)
    assert_closed_form(result, "sum(x)**2", [[36]], point)


# -- no closed form rather than a wrong one -------------------------------------------------------------


def test_scalar_results_have_no_closed_form() -> None:
    assert api.gradient("x**2 + y**2").structure.closed_form is None
    assert api.jacobian("sin(x), cos(y)").structure.closed_form is None
    assert api.gradient("z**2", vars="x:3,z", wrt="z").structure.closed_form is None


def test_the_jacobian_of_a_vector_by_a_matrix_is_a_tensor_without_closed_form() -> None:
    result = api.jacobian("W@x", vars="W:2x3,x:3", wrt="W")
    assert result.structure.closed_form is None
    assert result.structure.gradient_matrix_closed_form is None


def test_a_derivative_by_one_component_of_a_vector_has_no_closed_form() -> None:
    assert api.jacobian("w*x", vars="w:3,x:3", wrt="w_2").structure.closed_form is None
    assert api.jacobian("w*w_1", vars="w:3", wrt="w").structure.closed_form is None


def test_a_gradient_by_a_matrix_and_a_vector_has_no_row_closed_form_and_no_matrix_one() -> None:
    result = api.gradient("sum((W@x - y)**2)", vars="W:2x3,x:3,y:2", wrt="W,x")
    assert result.structure.closed_form is None
    assert result.structure.gradient_matrix_closed_form is None
    assert "gradient_matrix" not in result.as_dict()


def test_a_wrong_rule_is_caught_by_the_check_and_gives_no_closed_form(monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.jacobian("sin(x)", vars="x:3").structure.closed_form == "diag(cos(x))"
    right = Calculus.partials

    def doubled(self: Calculus, node: Any) -> list[tuple[Any, Any]]:
        engine = self.algebra.engine
        return [(arg, engine.mul([engine.number(2), p])) for arg, p in right(self, node)]

    monkeypatch.setattr(Calculus, "partials", doubled)
    assert api.jacobian("sin(x)", vars="x:3").structure.closed_form is None
    assert mismatches(api.jacobian("sin(x)", vars="x:3")) != []
    assert api.jacobian("w*x", vars="w:5000,x:5000", wrt="w", sparse=True).structure.closed_form is None
    assert (
        api.gradient("sum((W@x - y)**2)", vars="W:2x3,x:3,y:2", wrt="W").structure.gradient_matrix_closed_form is None
    )


def test_a_result_of_more_than_64_blocks_has_no_closed_form() -> None:
    def layer(n: int) -> Result:
        texts = ", ".join(f"tanh(dot(W{i}, x) + b{i})" for i in range(1, n + 1))
        names = [f"W{i}:3" for i in range(1, n + 1)] + ["x:3"] + [f"b{i}" for i in range(1, n + 1)]
        return api.jacobian(texts, vars=",".join(names))

    small = layer(3).structure.closed_form  # 3 functions x 7 variables: 21 blocks
    assert small is not None
    assert small.startswith("[(1 - tanh(dot(W1, x) + b1)**2)*x^T, 0, 0, (1 - tanh(dot(W1, x) + b1)**2)*W1^T,")
    assert layer(12).structure.closed_form is None  # 12 x 25 = 300 blocks


# -- the gradient shaped like W in JSON ----------------------------------------------------------------------


def test_json_gradient_matrix_has_ws_shape_with_and_without_a_point() -> None:
    point = {"W": [[1, 2, 3], [4, 5, 6]], "x": [1, 0, -1], "y": [1, 1]}
    data = api.gradient("sum((W@x - y)**2)", vars="W:2x3,x:3,y:2", wrt="W", at=point).as_dict()
    matrix = data["gradient_matrix"]
    # W@x - y = (-3, -3); 2*(W@x - y)*x^T
    assert matrix["value"] == [[-6, 0, 6], [-6, 0, 6]]
    assert matrix["closed_form"] == "2*(W@x - y)*x^T"
    assert matrix["symbolic"][1][2] == "2*x_3*(W_2_1*x_1 + W_2_2*x_2 + W_2_3*x_3 - y_2)"
    assert len(matrix["symbolic"]) == 2 and all(len(r) == 3 for r in matrix["symbolic"])
    assert data["gradient"] == [-6, 0, 6, -6, 0, 6]  # the row, W's entries row-major
    plain = api.gradient("trace(A@X)", vars="A:2x2,X:2x2", wrt="X").as_dict()
    assert plain["gradient_matrix"] == {
        "symbolic": [["A_1_1", "A_2_1"], ["A_1_2", "A_2_2"]],
        "value": None,
        "closed_form": "A^T",
    }
    json.dumps(plain)


def test_json_has_no_gradient_matrix_for_vectors_or_hessians() -> None:
    assert "gradient_matrix" not in api.gradient("dot(w, x)", vars="w:3,x:3", wrt="w").as_dict()
    assert "gradient_matrix" not in api.hessian("sum(X**2)", vars="X:2x2").as_dict()
    assert "gradient_matrix" not in api.jacobian("X@x", vars="X:2x2,x:2", wrt="X").as_dict()


# -- cost independent of the sizes ------------------------------------------------------------------------


def test_the_5000_vector_product_folds_to_diag_x() -> None:
    result = api.jacobian("w*x", vars="w:5000,x:5000", wrt="w", sparse=True)
    assert result.structure.closed_form == "diag(x)"
    assert result.structure.closed_form_latex == r"\operatorname{diag}\left(x\right)"
    assert result.structure.nonzeros == 5000


def test_a_layer_of_100_folds_to_diag_times_w() -> None:
    result = api.jacobian("tanh(W@x + b)", vars="W:100x100,x:100,b:100", wrt="x", sparse=True)
    assert result.structure.closed_form == "diag(1 - tanh(W@x + b)**2)@W"
    loss = api.gradient("sum((W@x - y)**2)", vars="W:60x40,x:40,y:60", wrt="W")
    assert loss.structure.gradient_matrix_closed_form == "2*(W@x - y)*x^T"


# -- the property: every closed form is right ----------------------------------------------------------------

SAFE = ["sin", "cos", "tanh", "exp", "sigmoid", "softplus", "atan"]
RANDOM_VARS = "a,b,u:3,v:3,A:3x3,B:3x3"


class Expressions:
    """Random expressions over scalars a, b, vectors u, v and matrices A, B, typed as they are built."""

    def __init__(self, draw: Callable[[int], int]) -> None:
        self.draw = draw  # draw(n): a whole number in [0, n)

    def pick(self, options: list[str]) -> str:
        return options[self.draw(len(options))]

    def scalar(self, depth: int) -> str:
        if depth <= 0:
            return self.pick(["a", "b", "2"])
        d = depth - 1
        return self.pick(
            [
                f"{self.pick(SAFE)}({self.scalar(d)})",
                f"({self.scalar(d)} {self.pick(['+', '-', '*'])} {self.scalar(d)})",
                f"sum({self.vector(d)})",
                f"dot({self.vector(d)}, {self.vector(d)})",
                f"trace({self.matrix(d)})",
                f"det({self.matrix(d)})",
                f"norm({self.vector(d)})",
                f"({self.vector(d)})@({self.matrix(d)})@({self.vector(d)})",
                f"({self.scalar(d)})**2",
                f"({self.scalar(d)})/(1 + ({self.scalar(d)})**2)",
            ]
        )

    def vector(self, depth: int) -> str:
        if depth <= 0:
            return self.pick(["u", "v"])
        d = depth - 1
        return self.pick(
            [
                f"{self.pick(SAFE)}({self.vector(d)})",
                f"({self.vector(d)} {self.pick(['+', '-', '*'])} {self.vector(d)})",
                f"({self.scalar(d)} {self.pick(['+', '-', '*'])} {self.vector(d)})",
                f"({self.matrix(d)})@({self.vector(d)})",
                f"({self.vector(d)})@({self.matrix(d)})",
                f"diag({self.matrix(d)})",
                f"({self.vector(d)})**2",
                f"({self.vector(d)})/(1 + ({self.vector(d)})**2)",
                f"max(0, {self.vector(d)})",
            ]
        )

    def matrix(self, depth: int) -> str:
        if depth <= 0:
            return self.pick(["A", "B"])
        d = depth - 1
        return self.pick(
            [
                f"transpose({self.matrix(d)})",
                f"({self.matrix(d)})@({self.matrix(d)})",
                f"({self.matrix(d)} {self.pick(['+', '-', '*'])} {self.matrix(d)})",
                f"({self.scalar(d)} * {self.matrix(d)})",
                f"outer({self.vector(d)}, {self.vector(d)})",
                f"diag({self.vector(d)})",
                f"{self.pick(SAFE)}({self.matrix(d)})",
            ]
        )


def random_start(seed: int) -> tuple[Expressions, dict[str, Any]]:
    """A grammar of random expressions and a random point of RANDOM_VARS, both from the seed."""
    rng = np.random.default_rng(seed)
    expressions = Expressions(lambda n: int(rng.integers(n)))
    point: dict[str, Any] = {"a": 0.7, "b": -0.4}
    for name in "uv":
        point[name] = np.round(rng.uniform(-1, 1, 3), 3).tolist()
    for name in "AB":
        point[name] = np.round(rng.uniform(-1, 1, (3, 3)), 3).tolist()
    return expressions, point


def random_problem(seed: int) -> tuple[Result, Result, dict[str, Any]]:
    """A random expression's result without and with a point: Jacobian, gradient, Hessian or W-gradient."""
    expressions, point = random_start(seed)
    kind = seed % 4
    depth = 2 + seed % 2
    if kind == 0:
        text, run = expressions.vector(depth), lambda at: api.jacobian(text, vars=RANDOM_VARS, wrt="a,u,v", at=at)
    elif kind == 1:
        text, run = expressions.scalar(depth), lambda at: api.gradient(text, vars=RANDOM_VARS, wrt="a,b,u,v", at=at)
    elif kind == 2:
        text, run = expressions.scalar(depth), lambda at: api.hessian(text, vars=RANDOM_VARS, wrt="a,u", at=at)
    else:
        text, run = expressions.scalar(depth), lambda at: api.gradient(text, vars=RANDOM_VARS, wrt="A", at=at)
    return run(None), run(point), point


def read_back(result: Result, point: dict[str, Any]) -> tuple[Any, Any] | None:
    """(the closed form's values read from its text, jac's values), or None without a closed form."""
    structure = result.structure
    if structure.gradient_matrix_closed_form is not None:
        values = np.asarray(result.as_dict()["gradient_matrix"]["value"], dtype=float)
        return evaluate_blocks(structure.gradient_matrix_closed_form, point, [3], [3]), values
    if structure.closed_form is None:
        return None
    return evaluate_blocks(structure.closed_form, point, *sizes(result)), np.asarray(result.value, dtype=float)


def mismatches(result: Result) -> list[Any]:
    """The closed forms that jac derived and its own check rejected: each one is a bug in the algebra."""
    engine = result.engine
    builder = Builder(engine, namespace(engine, result.problem.variables, components=True), Functions(engine))
    folding = Folding(result, builder)
    folding.attempt(folding.closed_form)
    folding.attempt(folding.gradient_matrix)
    return folding.checker.mismatches


@settings(max_examples=80, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(seed=st.integers(0, 2**31))
def test_every_closed_form_of_a_random_expression_equals_the_entries(seed: int) -> None:
    symbolic, at_point, point = random_problem(seed)
    assert mismatches(symbolic) == []
    assert symbolic.structure.closed_form == at_point.structure.closed_form
    compared = read_back(at_point, point)
    assume(compared is not None)
    assert compared is not None
    closed, entries = compared
    if np.all(np.isfinite(entries)):
        np.testing.assert_allclose(closed, entries, rtol=1e-8, atol=1e-10)


def test_most_random_expressions_fold() -> None:
    folded = 0
    for seed in range(40):
        _, result, point = random_problem(seed)
        folded += read_back(result, point) is not None
    assert folded >= 32


# -- the other engine, and start-up ---------------------------------------------------------------------------


def test_the_sympy_engine_gives_closed_forms_with_the_same_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAC_ENGINE", "sympy")
    for seed in range(12):
        _, result, point = random_problem(seed)
        compared = read_back(result, point)
        if compared is not None and np.all(np.isfinite(compared[1])):
            np.testing.assert_allclose(*compared, rtol=1e-8, atol=1e-10)
    point = {"W": [[1, 2, 3], [4, 5, 6]], "x": [1, 0, -1], "y": [1, 1]}
    result = api.gradient("sum((W@x - y)**2)", vars="W:2x3,x:3,y:2", wrt="W", at=point)
    assert result.structure.gradient_matrix_closed_form == "2*(W@x - y)*x^T"


@pytest.mark.e2e
def test_closed_forms_need_no_sympy() -> None:
    script = (
        "import sys\n"
        "from jaccli import api\n"
        "r = api.jacobian('tanh(W@x + b)', vars='W:3x3,x:3,b:3', wrt='x')\n"
        "g = api.gradient('det(X)', vars='X:3x3', wrt='X')\n"
        "print(r.structure.closed_form, g.structure.gradient_matrix_closed_form, 'sympy' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JAC_ENGINE"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env, check=True
    )
    assert done.stdout.split() == ["diag(1", "-", "tanh(W@x", "+", "b)**2)@W", "det(X)*inv(X)^T", "False"]
