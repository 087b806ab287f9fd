"""What a student sees for a layer, a loss by W and a matrix-valued function, in every format.

The command runs in-process as the command line runs it. Values are checked against NumPy
formulas written here (the layer's Jacobian diag(1 - tanh(Wx + b)²)W, the loss gradient
2(Wx - y)xᵀ, d(AB)_ij/dA_kl = δ_ik B_lj), never against jac's own output alone. The steps
`--explain` tells are checked the same way: each factor it names, read back by the independent
NumPy reader of tests/matrix_notation.py, and their product is the Jacobian or the gradient.
"""

# Matrices are capitals here, as in the formulas they check.
# ruff: noqa: N806

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
from matrix_notation import evaluate

from jaccli import api
from jaccli.errors import JacError

LAYER = ("jacobian", "tanh(W@x + b)", "--vars", "W:2x3,x:3,b:2", "--wrt", "x")
LOSS = ("grad", "sum((W@x - y)**2)", "--vars", "W:2x3,x:3,y:2", "--wrt", "W")


def point_text(values: dict[str, Any]) -> str:
    """`W=[[...],[...]],x=[...]` as a user types it."""
    parts = []
    for name, value in values.items():
        parts.append(f"{name}={json.dumps(np.asarray(value).tolist()).replace(' ', '')}")
    return ",".join(parts)


def random_integers(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {"W": rng.integers(-4, 5, (2, 3)), "x": rng.integers(-3, 4, 3), "y": rng.integers(-3, 4, 2)}


def plain(jac: Any, *args: str) -> str:
    done = jac(*args, "--format", "plain")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def grid_after(text: str, heading: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The header and the labelled rows of the plain-text grid printed after the line `heading`."""
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(heading)) + 1
    header = lines[start].split()
    rows = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        label, *cells = line.split()
        rows.append((label, cells))
    return header, rows


# -- a loss by W: the gradient shaped like W --------------------------------------------------------------


def test_plain_text_shows_the_gradient_by_w_shaped_like_w_with_its_closed_form_above(jac):
    values = {"W": [[1, 2, 3], [4, 5, 6]], "x": [1, 0, -1], "y": [1, 1]}
    text = plain(jac, *LOSS, "--at", point_text(values))
    lines = text.splitlines()
    assert lines[0] == "f: R^(2x3) -> R, gradient 1x6, shown 2x3 shaped like W"
    closed = lines.index("closed form: ∂f/∂W = 2*(W@x - y)*x^T")
    matrix = next(k for k, line in enumerate(lines) if line.startswith("∂f/∂W (shaped like W"))
    assert closed < matrix
    header, rows = grid_after(text, "∂f/∂W (shaped like W")
    assert header == ["W_·_1", "W_·_2", "W_·_3"]
    assert [label for label, _ in rows] == ["W_1_·", "W_2_·"]
    assert lines[matrix + 3].startswith("  W_2_·  2*x_1*(W_2_1*x_1 + W_2_2*x_2 + W_2_3*x_3 - y_2)  2*x_2*(")
    assert lines[matrix + 3].endswith("  2*x_3*(W_2_1*x_1 + W_2_2*x_2 + W_2_3*x_3 - y_2)")
    # the values, W-shaped: 2(Wx - y)x^T by hand is [[-6, 0, 6], [-6, 0, 6]]
    _, at_point = grid_after(text, "at W_1_1 = 1")
    assert at_point == [("W_1_·", ["-6", "0", "6"]), ("W_2_·", ["-6", "0", "6"])]
    assert "|∂f/∂W| = 12 (the Frobenius norm: the length of the 6 entries)" in lines
    assert "descent direction -∂f/∂W = [[6, 0, -6], [6, 0, -6]]" in lines
    assert "unit descent direction -∂f/∂W/|∂f/∂W| = [[0.5, 0, -0.5], [0.5, 0, -0.5]]" in lines
    assert "W_1_1 " not in lines[matrix + 1]  # no 1x6 row of W's entries as column labels


@pytest.mark.parametrize("seed", range(4))
def test_the_w_shaped_values_are_numpys_outer_product_of_the_error_and_x(jac, seed):
    values = random_integers(seed)
    W, x, y = (np.asarray(values[k]) for k in "Wxy")
    expected = 2 * np.outer(W @ x - y, x)
    text = plain(jac, *LOSS, "--at", point_text(values))
    _, rows = grid_after(text, "at W_1_1 = ")
    assert np.array_equal(np.array([[int(c) for c in cells] for _, cells in rows]), expected)
    norm = np.linalg.norm(expected)
    line = next(line for line in text.splitlines() if line.startswith("|∂f/∂W| = "))
    shown = float(line.split("≈ ")[1].split()[0]) if "≈" in line else float(line.split()[2])
    assert shown == pytest.approx(norm, rel=1e-5)
    descent = next(line for line in text.splitlines() if line.startswith("descent direction"))
    assert json.loads(descent.split(" = ", 1)[1]) == (-expected).tolist()


def test_the_table_shows_the_same_w_shaped_matrix(jac):
    values = {"W": [[1, 2, 3], [4, 5, 6]], "x": [1, 0, -1], "y": [1, 1]}
    done = jac(*LOSS, "--at", point_text(values), "--format", "table", "--no-color")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "closed form: ∂f/∂W = 2*(W@x - y)*x^T" in text
    assert text.index("closed form") < text.index("W_·_1")
    rows = [line for line in text.splitlines() if line.startswith("│ W_")]
    cells = [[c.strip() for c in row.strip("│").split("│")] for row in rows]
    assert ["W_1_·", "-6", "0", "6"] in cells and ["W_2_·", "-6", "0", "6"] in cells
    assert "descent direction -∂f/∂W = [[6, 0, -6], [6, 0, -6]]" in text


def test_json_of_the_loss_has_the_row_and_the_w_shaped_matrix_agreeing_with_numpy(jac_json):
    values = random_integers(7)
    W, x, y = (np.asarray(values[k]) for k in "Wxy")
    expected = 2 * np.outer(W @ x - y, x)
    data = jac_json(*LOSS, "--at", point_text(values))
    assert data["shape"] == [1, 6]
    assert data["value"] == [expected.ravel().tolist()]
    assert data["gradient_matrix"]["value"] == expected.tolist()
    assert data["gradient_matrix"]["closed_form"] == "2*(W@x - y)*x^T"
    assert data["descent"] == (-expected).ravel().tolist()
    assert "function_shape" not in data


def test_latex_writes_the_gradient_by_w_as_a_bmatrix_of_ws_shape(jac):
    values = random_integers(3)
    W, x, y = (np.asarray(values[k]) for k in "Wxy")
    expected = 2 * np.outer(W @ x - y, x)
    done = jac(*LOSS, "--at", point_text(values), "--format", "latex")
    assert done.returncode == 0, done.stderr
    symbolic, at_point = done.stdout.splitlines()
    assert symbolic.startswith(r"\frac{\partial f}{\partial W} = 2 \left(W x - y\right) x^{T} = \begin{bmatrix} ")
    assert symbolic.count(r" \\ ") == 1 and symbolic.count(" & ") == 4  # 2 rows of 3
    assert r"W_{1,1}" in symbolic and "W_{1 1}" not in symbolic
    body = at_point.split(r"\begin{bmatrix} ")[1].split(r" \end{bmatrix}")[0]
    shown = [[int(c) for c in row.split(" & ")] for row in body.split(r" \\ ")]
    assert shown == expected.tolist()


def test_explain_says_why_the_loss_gradient_is_an_outer_product_shaped_like_w(jac):
    text = plain(jac, *LOSS, "--explain").split("what this means:\n", 1)[1]
    assert "Case: a scalar function of the 2x3 matrix W, f: R^(2x3) -> R (the gradient case, by a matrix)." in text
    assert "as PyTorch (W.grad) and JAX do" in text
    assert "δ = ∂f/∂(W@x) = 2*(W@x - y): a column of 2, like W@x" in text
    assert "backpropagation calls it the error at W@x" in text
    assert "∂f/∂W_i_j = δ_i·x_j" in text
    assert "the outer product δ*x^T of the column δ and the row x^T: a 2x3 matrix, the shape of W" in text
    assert text.index("δ = ") < text.index("outer product") < text.index("So ∂f/∂W = 2*(W@x - y)*x^T.")
    assert "diagonal" not in text  # a gradient row has no diagonal block


def test_explain_of_the_loss_by_x_sends_the_error_back_through_w(jac):
    text = plain(jac, "grad", "sum((W@x - y)**2)", "--vars", "W:2x3,x:3,y:2", "--wrt", "x", "--explain")
    assert "∂f/∂x = δ^T@W, the error sent back through W" in text
    assert "So ∇f = 2*(W@x - y)^T@W." in text


# -- a layer ----------------------------------------------------------------------------------------------


def test_plain_text_of_a_layer_at_a_point_where_tanh_is_flat_is_w(jac):
    """At W@x + b = 0, tanh' = 1: by hand the Jacobian is W itself."""
    values = {"W": [[1, 2, 3], [4, 5, 6]], "x": [1, 0, -1], "b": [2, 2]}
    text = plain(jac, *LAYER, "--at", point_text(values))
    lines = text.splitlines()
    assert lines[0] == "f: R^3 -> R^2, Jacobian 2x3"
    assert lines[1:3] == [
        "f_1 = tanh(W_1_1*x_1 + W_1_2*x_2 + W_1_3*x_3 + b_1)",
        "f_2 = tanh(W_2_1*x_1 + W_2_2*x_2 + W_2_3*x_3 + b_2)",
    ]
    assert lines[3] == "closed form: J = diag(1 - tanh(W@x + b)**2)@W"
    header, rows = grid_after(text, "at W_1_1 = 1")
    assert header == ["x_1", "x_2", "x_3"]
    assert rows == [("f_1", ["1", "2", "3"]), ("f_2", ["4", "5", "6"])]


@pytest.mark.parametrize("seed", range(3))
def test_json_of_a_layer_agrees_with_numpy(jac_json, seed):
    rng = np.random.default_rng(seed)
    W, x, b = rng.integers(-2, 3, (2, 3)), rng.integers(-2, 3, 3), rng.integers(-2, 3, 2)
    data = jac_json(*LAYER, "--at", point_text({"W": W, "x": x, "b": b}))
    expected = np.diag(1 - np.tanh(W @ x + b) ** 2) @ W
    np.testing.assert_allclose(np.array(data["value"], dtype=float), expected, rtol=1e-12, atol=1e-15)
    assert data["structure"]["closed_form"] == "diag(1 - tanh(W@x + b)**2)@W"
    assert "gradient_matrix" not in data


def test_table_and_latex_of_a_layer(jac):
    done = jac(*LAYER, "--format", "table", "--no-color")
    assert done.returncode == 0, done.stderr
    assert "closed form: J = diag(1 - tanh(W@x + b)**2)@W" in done.stdout
    assert "f: R^3 -> R^2, Jacobian 2x3" in done.stdout
    latex = jac(*LAYER, "--format", "latex").stdout
    assert latex.startswith(
        r"J = \operatorname{diag}\left(1 - \tanh\left(W x + b\right)^{2}\right) W = \begin{bmatrix}"
    )
    assert r"W_{1,1} \left(1 - \tanh^{2}{\left(W_{1,1} x_{1}" in latex


def test_explain_tells_which_factor_of_a_layer_is_the_nonlinearity_and_which_the_linear_map(jac):
    text = plain(jac, *LAYER, "--explain").split("what this means:\n", 1)[1]
    nonlinearity = (
        "- tanh(W@x + b) applies tanh to each entry of W@x + b, so entry i depends only on entry i of W@x: "
        "its Jacobian by W@x is the diagonal matrix diag(1 - tanh(W@x + b)**2). This is the factor of the "
        "element-wise nonlinearity, diag(σ'(·)) with σ = tanh"
    )
    linear = "- W@x is linear in x, the linear map x ↦ W@x: its Jacobian by x is the matrix W itself."
    assert nonlinearity in text and linear in text
    assert text.index(nonlinearity) < text.index(linear) < text.index("So J = diag(1 - tanh(W@x + b)**2)@W.")
    json_lines = json.loads(jac(*LAYER, "--explain", "--json").stdout)["explanation"]
    assert linear in json_lines
    latex = jac(*LAYER, "--explain", "--format", "latex").stdout
    assert f"% {linear}" in latex


def test_explain_of_a_layer_by_its_bias_has_one_diagonal_factor(jac):
    text = plain(jac, "jacobian", "tanh(W@x + b)", "--vars", "W:2x3,x:3,b:2", "--wrt", "b", "--explain")
    assert "its Jacobian by b is the diagonal matrix diag(1 - tanh(W@x + b)**2)" in text
    assert "linear map" not in text
    relu = plain(jac, "jacobian", "relu(W@x + b)", "--vars", "W:2x3,x:3,b:2", "--wrt", "x", "--explain")
    assert "diag(σ'(·)) with σ = max(0, ·)" in relu
    assert "its Jacobian by W@x is the diagonal matrix diag(heaviside(W@x + b))" in relu


# -- the steps of the chain rule, checked against NumPy ----------------------------------------------------


STEP_VARS = "W:2x3,V:2x2,x:3,b:2,y:2"


def step_point(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    draw = lambda *shape: np.round(rng.uniform(-1, 1, shape), 3)  # noqa: E731
    return {"W": draw(2, 3), "V": draw(2, 2), "x": draw(3).reshape(-1, 1), "b": draw(2).reshape(-1, 1), "y": draw(2)}


def test_the_forward_steps_of_a_two_layer_network_multiply_to_its_jacobian():
    result = api.jacobian("sigmoid(V@tanh(W@x + b))", vars=STEP_VARS, wrt="x")
    steps = result.structure.chain_rule
    assert [(s.kind, s.inner) for s in steps] == [
        ("elementwise", "V@tanh(W@x + b)"),
        ("linear", "tanh(W@x + b)"),
        ("elementwise", "W@x"),
        ("linear", "x"),
    ]
    assert [s.function for s in steps] == ["sigmoid", None, "tanh", None]
    point = step_point(1)
    W, V, x, b = point["W"], point["V"], point["x"], point["b"]
    h = np.tanh(W @ x + b)
    s = 1 / (1 + np.exp(-(V @ h)))
    expected = np.diag((s * (1 - s)).ravel()) @ V @ np.diag((1 - h**2).ravel()) @ W
    sizes = [(2, 2), (2, 2), (2, 2), (2, 3)]
    factors = [evaluate(step.factor, point, size) for step, size in zip(steps, sizes, strict=True)]
    np.testing.assert_allclose(np.linalg.multi_dot(factors), expected, rtol=1e-9)


def test_the_error_step_is_the_gradient_by_the_product_and_the_last_step_the_gradient():
    point = step_point(2)
    W, x, y = point["W"], point["x"], point["y"].reshape(-1, 1)
    result = api.gradient("sum((W@x - y)**2)", vars=STEP_VARS, wrt="W")
    error, outer = result.structure.chain_rule
    assert (error.kind, error.inner, outer.kind, outer.right) == ("error", "W@x", "outer", "x")
    np.testing.assert_allclose(evaluate(error.factor, point | {"y": y}, (2, 1)), 2 * (W @ x - y), rtol=1e-9)
    np.testing.assert_allclose(evaluate(outer.factor, point | {"y": y}, (2, 3)), 2 * (W @ x - y) @ x.T, rtol=1e-9)


@pytest.mark.parametrize(
    ("kind", "expr", "wrt"),
    [
        ("jacobian", "tanh(W@x + V@tanh(W@x))", "x"),  # x on two paths
        ("jacobian", "tanh(W@x)*sum(x)", "x"),  # the product rule
        ("gradient", "x@transpose(W)@W@x", "W"),  # W in two places
        ("gradient", "sum(W**2)", "W"),  # no product
    ],
)
def test_no_steps_where_the_variable_takes_two_paths_or_no_product(kind, expr, wrt):
    result = getattr(api, kind)(expr, vars=STEP_VARS, wrt=wrt)
    closed = result.structure.closed_form or result.structure.gradient_matrix_closed_form
    assert closed is not None  # the closed form is there, told without steps
    assert result.structure.chain_rule == ()


def test_a_variable_used_twice_inside_one_element_wise_step_is_still_one_path():
    result = api.jacobian("tanh(V@(W@x) + y*(V@(W@x)))", vars=STEP_VARS, wrt="x")
    assert [s.kind for s in result.structure.chain_rule] == ["elementwise", "linear"]
    assert result.structure.chain_rule[1].factor == "V@W"


# -- a matrix-valued function ------------------------------------------------------------------------------


def test_a_matrix_valued_function_says_its_shape_and_names_its_entries(jac):
    text = plain(jac, "jacobian", "outer(u, v)", "--vars", "u:2,v:3")
    lines = text.splitlines()
    assert lines[0] == "f: R^5 -> R^(2x3), Jacobian 6x5 (f's entries are the rows, row-major)"
    assert lines[1:7] == [f"f_{i}_{j} = u_{i}*v_{j}" for i in (1, 2) for j in (1, 2, 3)]
    _, rows = grid_after(text, "J (numerator layout")
    assert [label for label, _ in rows] == ["f_1_1", "f_1_2", "f_1_3", "f_2_1", "f_2_2", "f_2_3"]
    explained = plain(jac, "jacobian", "outer(u, v)", "--vars", "u:2,v:3", "--explain")
    assert "Case: a matrix function, f: R^5 -> R^(2x3) (the Jacobian case)" in explained


def test_a_matrix_by_a_matrix_is_the_flat_four_index_derivative_numpy_gives(jac_json):
    rng = np.random.default_rng(5)
    A, B = rng.integers(-3, 4, (2, 3)), rng.integers(-3, 4, (3, 2))
    data = jac_json("jacobian", "A@B", "--vars", "A:2x3,B:3x2", "--wrt", "A", "--at", point_text({"A": A, "B": B}))
    assert data["function_shape"] == [2, 2]
    # d(AB)_ij / dA_kl = delta_ik B_lj, rows (i, j) and columns (k, l) row-major
    expected = np.einsum("ik,lj->ijkl", np.eye(2), B).reshape(4, 6)
    assert data["value"] == expected.tolist()
    done_case = data["functions"]
    assert len(done_case) == 4


def test_case_lines_name_matrix_domains(jac):
    by_matrix = plain(jac, "jacobian", "W@x", "--vars", "W:2x3,x:3", "--wrt", "W").splitlines()[0]
    assert by_matrix == "f: R^(2x3) -> R^2, Jacobian 2x6 (W's entries are the columns, row-major)"
    both = plain(jac, "jacobian", "A@B", "--vars", "A:2x2,B:2x2", "--wrt", "A").splitlines()[0]
    assert both == "f: R^(2x2) -> R^(2x2), Jacobian 4x4 (f's entries are the rows and A's the columns, row-major)"
    hessian = plain(jac, "hessian", "sum(X**3)", "--vars", "X:2x2").splitlines()[0]
    assert hessian == "f: R^(2x2) -> R, Hessian 4x4 (X's entries are the rows and the columns, row-major)"
    vectors = plain(jac, "jacobian", "w*x", "--vars", "w:3,x:3").splitlines()[0]
    assert vectors == "f: R^6 -> R^3, Jacobian 3x6"


# -- mistakes with shapes ------------------------------------------------------------------------------------


MISTAKES = [
    (("grad", "sum(W*x)", "--vars", "W:2x3,x:3"), ["W (2x3)", "x (3)", "use @ for the matrix product"]),
    (("grad", "sum(W + y)", "--vars", "W:2x3,y:2"), ["W (2x3)", "y (2)"]),
    (("grad", "sum(W@y)", "--vars", "W:2x3,y:2"), ["@ needs matching inner sizes", "W (2x3) @ y (2)", "3 ≠ 2"]),
    (("grad", "sum(x@W)", "--vars", "W:2x3,x:3"), ["x (3) @ W (2x3)", "3 ≠ 2"]),
    (("grad", "sum((W@x)*y)", "--vars", "W:2x3,x:3,y:3"), ["vectors of different lengths", "W@x (2)", "y (3)"]),
    (("grad", "sum(tanh(W@x)*W)", "--vars", "W:2x3,x:3"), ["tanh(W@x) (2)", "W (2x3)"]),
    (("grad", "det(W)", "--vars", "W:2x3"), ["det() takes a square matrix, got W (2x3)"]),
    (("grad", "sum(inv(W))", "--vars", "W:2x3"), ["inv() takes a square matrix, got W (2x3)"]),
    (("grad", "trace(W)", "--vars", "W:2x3"), ["trace() takes a square matrix, got W (2x3)"]),
    (
        ("grad", "sum(W@x)", "--vars", "W:2x3,x:3", "--at", "W=[[1,2,3],[4,5]],x=[1,0,-1]"),
        ["--at: row 2 of W (2x3) has 3 entries, got 2"],
    ),
    (
        ("grad", "sum(W@x)", "--vars", "W:2x3,x:3", "--at", "W=[1,2,3,4,5,6],x=[1,0,-1]"),
        ["W (2x3) is a matrix: give its 2 rows", "got a flat list of 6 values"],
    ),
    (
        ("grad", "sum(W@x)", "--vars", "W:2x3,x:3", "--at", "W=[[1,2,3],[4,5,6],[7,8,9]],x=[1,0,-1]"),
        ["W (2x3) has 2 rows, got 3"],
    ),
    (("grad", "inv(B)", "--vars", "B:2x2"), ["a 2x2 matrix of 4 functions", "trace() or det()"]),
    (("grad", "W@x", "--vars", "W:2x3,x:3"), ["a vector of 2 functions"]),
]


@pytest.mark.parametrize(("args", "words"), MISTAKES, ids=[" ".join(a[:2]) + " " + a[-1] for a, _ in MISTAKES])
def test_a_matrix_mistake_is_one_line_and_exit_2(jac, args, words):
    done = jac(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("jac: ") and done.stderr.count("\n") == 1, done.stderr
    for word in words:
        assert word in done.stderr


def test_an_element_wise_sum_of_a_matrix_and_a_vector_gives_no_product_hint(jac):
    assert "use @" not in jac("grad", "sum(W + y)", "--vars", "W:2x3,y:2").stderr


def test_a_zero_component_of_the_unit_descent_direction_is_0_not_minus_0(jac):
    text = plain(jac, "grad", "x**2 + y", "--at", "0,1")
    assert "unit descent direction -∇f/|∇f| = (0, -1)" in text
    assert not re.search(r"[(\[ ]-0[,)\]]", text)


# -- the steps of random expressions ---------------------------------------------------------------------------


def random_story(seed: int) -> tuple[Any, dict[str, Any], str]:
    """A random layer-like vector expression by u, or a random scalar by A or by u, at a random point."""
    from test_closed_forms import RANDOM_VARS, random_start

    expressions, point = random_start(seed)
    kind = seed % 3
    depth = 2 + seed % 2
    if kind == 0:
        return api.jacobian(expressions.vector(depth), vars=RANDOM_VARS, wrt="u", at=point), point, "forward"
    wrt = "A" if kind == 1 else "u"
    return api.gradient(expressions.scalar(depth), vars=RANDOM_VARS, wrt=wrt, at=point), point, wrt


def test_the_steps_of_random_expressions_compose_to_their_values():
    """Forward: the factors multiply to the Jacobian. Backward: the error δ, sent through the step's
    other factors, gives the gradient. Read back from the texts by NumPy, compared with jac's values."""
    told = 0
    for seed in range(90):
        try:
            result, point, how = random_story(seed)
        except JacError:
            continue  # an expression the generator got wrong
        steps = result.structure.chain_rule
        if not steps:
            continue
        told += 1
        if how == "forward":
            values = np.asarray(result.value, dtype=float)
            factors = [evaluate(step.factor, point, (3, 3)) for step in steps]
            product = factors[0] if len(factors) == 1 else np.linalg.multi_dot(factors)
            if np.all(np.isfinite(values)):
                np.testing.assert_allclose(product, values, rtol=1e-8, atol=1e-10)
            continue
        *errors, last = steps
        error = evaluate(errors[0].factor, point, errors[0].shape) if errors else np.ones((1, 1))
        if how == "A":
            values = np.asarray(result.as_dict()["gradient_matrix"]["value"], dtype=float)
            assert last.kind == "outer"
            right = evaluate(last.right, point, (3, 1))
            left = np.ones((1, 1)) if last.left is None else evaluate(last.left, point, last.left_shape)
            composed = (left @ error @ right.T) if last.left is None else float(error[0, 0]) * left @ right.T
        else:
            values = np.asarray(result.value, dtype=float)
            assert last.kind == "pullback"
            left = evaluate(last.left, point, last.left_shape)
            composed = error.T @ left if error.shape[0] > 1 else float(error[0, 0]) * left
        if np.all(np.isfinite(values)):
            np.testing.assert_allclose(np.reshape(composed, values.shape), values, rtol=1e-8, atol=1e-10)
    assert told >= 15
