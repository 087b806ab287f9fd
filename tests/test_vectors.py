"""The identities of the matrix-calculus tables, through the installed command.

Parr & Howard, "The Matrix Calculus You Need For Deep Learning": element-wise binary operations,
vector-scalar operations, the sum reduction and the dot product. Every expected value below is
derived by hand at the point, never taken from jac: w = (1, 2, 3), x = (4, 5, 6), z = 7, b = -1.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

VECTORS = ("--vars", "w:3,x:3")
AT_WX = ("--at", "1,2,3,4,5,6")
SCALED = ("--vars", "x:3,z")
AT_XZ = ("--at", "x=[4,5,6],z=7")


def diagonal(*entries: object) -> list[list[object]]:
    return [[entries[i] if i == j else 0 for j in range(len(entries))] for i in range(len(entries))]


def exact(values: list[list[object]]) -> list[list[str]]:
    return [[str(v) for v in row] for row in values]


# (expression, --wrt, value at w=(1,2,3), x=(4,5,6), structure kind, closed form)
ELEMENTWISE = [
    ("w + x", "w", diagonal(1, 1, 1), "identity", "I"),
    ("w + x", "x", diagonal(1, 1, 1), "identity", "I"),
    ("w - x", "w", diagonal(1, 1, 1), "identity", "I"),
    ("w - x", "x", diagonal(-1, -1, -1), "scaled_identity", "-I"),
    ("w * x", "w", diagonal(4, 5, 6), "diagonal", "diag(x)"),
    ("w * x", "x", diagonal(1, 2, 3), "diagonal", "diag(w)"),
    ("w / x", "w", diagonal(Fraction(1, 4), Fraction(1, 5), Fraction(1, 6)), "diagonal", "diag(1/x)"),
    # d(w_i/x_i)/dx_i = -w_i/x_i**2: -1/16, -2/25, -3/36
    ("w / x", "x", diagonal(Fraction(-1, 16), Fraction(-2, 25), Fraction(-1, 12)), "diagonal", "diag(-w/x**2)"),
]


@pytest.mark.parametrize(("expr", "wrt", "value", "kind", "closed"), ELEMENTWISE)
def test_elementwise_binary_operations_have_diagonal_jacobians(jac_json, expr, wrt, value, kind, closed):
    data = jac_json("jacobian", expr, *VECTORS, "--wrt", wrt, *AT_WX)
    assert data["variables"] == [f"{wrt}_1", f"{wrt}_2", f"{wrt}_3"]
    assert data["shape"] == [3, 3]
    assert data["exact"] == exact(value)
    for got, expected in zip(data["value"], value):
        assert got == pytest.approx([float(v) for v in expected])
    assert data["structure"] == {"kind": kind, "diagonal": True, "nonzeros": 3, "closed_form": closed}


def test_the_contract_example_w_times_x(jac_json):
    data = jac_json("jacobian", "w*x", "--vars", "w:3,x:3", "--wrt", "w", "--at", "1,2,3,4,5,6")
    assert data["value"] == [[4, 0, 0], [0, 5, 0], [0, 0, 6]]
    assert data["structure"]["kind"] == "diagonal"
    assert data["structure"]["closed_form"] == "diag(x)"
    assert data["symbolic"] == [["x_1", "0", "0"], ["0", "x_2", "0"], ["0", "0", "x_3"]]


def test_identity_without_a_point(jac_json):
    data = jac_json("jacobian", "w + x", "--vars", "w:3,x:3", "--wrt", "x")
    assert data["symbolic"] == exact(diagonal(1, 1, 1))
    assert data["structure"]["kind"] == "identity"
    assert data["structure"]["closed_form"] == "I"
    assert data["value"] is None


def test_a_diagonal_result_folds_the_ith_entry_with_vector_names(jac_json):
    data = jac_json("jacobian", "sin(x^2)", "--vars", "x:3", "--at", "1,2,3")
    assert data["structure"]["closed_form"] == "diag(2*x*cos(x**2))"
    for got, expected in zip(data["value"], diagonal(*(2 * t * math.cos(t * t) for t in (1, 2, 3)))):
        assert got == pytest.approx(expected)


# (expression, --wrt, value at x=(4,5,6), z=7, shape, kind, closed form)
VECTOR_SCALAR = [
    ("x + z", "x", diagonal(1, 1, 1), "identity", "I"),
    ("x * z", "x", diagonal(7, 7, 7), "scaled_identity", "z*I"),
    ("x + z", "z", [[1], [1], [1]], "dense", "1"),
    ("x - z", "z", [[-1], [-1], [-1]], "dense", "-1"),
    ("x * z", "z", [[4], [5], [6]], "dense", "x"),
    # d(x_i/z)/dz = -x_i/z**2
    ("x / z", "z", [[Fraction(-4, 49)], [Fraction(-5, 49)], [Fraction(-6, 49)]], "dense", "-x/z**2"),
]


@pytest.mark.parametrize(("expr", "wrt", "value", "kind", "closed"), VECTOR_SCALAR)
def test_vector_scalar_operations(jac_json, expr, wrt, value, kind, closed):
    data = jac_json("jacobian", expr, *SCALED, "--wrt", wrt, *AT_XZ)
    assert data["exact"] == exact(value)
    assert data["structure"]["kind"] == kind
    assert data["structure"]["closed_form"] == closed


def test_sum_of_a_vector_is_a_row_of_ones(jac_json):
    data = jac_json("jacobian", "sum(x)", "--vars", "x:3")
    assert data["symbolic"] == [["1", "1", "1"]]
    assert data["shape"] == [1, 3]
    assert data["structure"]["closed_form"] == "1^T"


# (expression, --wrt, value at w=(1,2,3), x=(4,5,6), z=7, closed form)
REDUCTIONS = [
    ("sum(x*z)", "x", [[7, 7, 7]], "z*1^T"),
    ("sum(x*z)", "z", [[15]], "sum(x)"),
    ("sum(x**2)", "x", [[8, 10, 12]], "2*x^T"),
    ("dot(w, x)", "w", [[4, 5, 6]], "x^T"),
    ("dot(w, x)", "x", [[1, 2, 3]], "w^T"),
    ("dot(w, x)", "w,x", [[4, 5, 6, 1, 2, 3]], "[x^T, w^T]"),
]


@pytest.mark.parametrize(("expr", "wrt", "value", "closed"), REDUCTIONS)
def test_sum_and_dot_reductions(jac_json, expr, wrt, value, closed):
    data = jac_json("jacobian", expr, "--vars", "w:3,x:3,z", "--wrt", wrt, "--at", "1,2,3,4,5,6,7")
    assert data["value"] == value
    assert data["structure"]["closed_form"] == closed


def test_grad_of_a_dot_product_is_a_gradient_with_the_descent_direction(jac_json):
    data = jac_json("grad", "dot(w, x)", *VECTORS, "--wrt", "w", *AT_WX)
    assert data["kind"] == "gradient"
    assert data["gradient"] == [4, 5, 6]
    assert data["descent"] == [-4, -5, -6]
    assert data["norm"] == pytest.approx(77**0.5)


@pytest.mark.parametrize(
    ("b", "value"),
    [
        ("-1", [[4, 5, 6, 1, 2, 3, 1]]),  # w.x + b = 31 > 0: the gradient of w.x + b
        ("-40", [[0, 0, 0, 0, 0, 0, 0]]),  # w.x + b = -8 < 0: relu is flat
    ],
)
def test_a_neuron_max_0_dot_w_x_plus_b(jac_json, b, value):
    data = jac_json("grad", "max(0, dot(w,x)+b)", "--vars", "w:3,x:3,b", "--at", f"1,2,3,4,5,6,{b}")
    assert data["variables"] == ["w_1", "w_2", "w_3", "x_1", "x_2", "x_3", "b"]
    assert data["value"] == value
    step = "heaviside(dot(w, x) + b)"
    assert data["structure"]["closed_form"] == f"[{step}*x^T, {step}*w^T, {step}]"


def test_the_whole_jacobian_of_an_elementwise_product_is_two_diagonal_blocks(jac_json):
    data = jac_json("jacobian", "w*x", *VECTORS, *AT_WX)
    assert data["value"] == [row_w + row_x for row_w, row_x in zip(diagonal(4, 5, 6), diagonal(1, 2, 3))]
    assert data["structure"]["closed_form"] == "[diag(x), diag(w)]"


def test_block_diagonal_by_variable_group(jac_json):
    # f_i = w_i*(w_1+w_2) then x_i*(x_1+x_2): d/dw = [[2w_1+w_2, w_1], [w_2, w_1+2w_2]], and x alike.
    data = jac_json("jacobian", "[w*sum(w), x*sum(x)]", "--vars", "w:2,x:2", "--at", "1,2,3,4")
    assert data["value"] == [[4, 1, 0, 0], [2, 5, 0, 0], [0, 0, 10, 3], [0, 0, 4, 11]]
    structure = data["structure"]
    assert structure["kind"] == "block_diagonal"
    assert structure["blocks"] == ["w", "x"]
    assert structure["diagonal"] is False
    assert structure["nonzeros"] == 8


def test_hessian_of_a_dot_product_and_a_block_diagonal_hessian(jac_json):
    data = jac_json("hessian", "dot(w, x)", "--vars", "w:2,x:2")
    assert data["symbolic"] == exact([[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert data["structure"]["closed_form"] == "[0, I; I, 0]"
    blocks = jac_json("hessian", "sum(w)**2 + b**2", "--vars", "w:2,b")
    assert blocks["symbolic"] == exact([[2, 2, 0], [2, 2, 0], [0, 0, 2]])
    assert blocks["structure"]["kind"] == "block_diagonal"


def test_scalar_results_have_no_closed_form(jac_json):
    assert jac_json("grad", "x**2 + y**2")["structure"]["closed_form"] is None
    assert jac_json("jacobian", "sin(x), cos(y)")["structure"]["closed_form"] is None


def test_a_diagonal_plus_an_outer_product_is_a_sum_of_forms(jac_json):
    # d(w_i*(w.x))/dw_j = (w.x)*[i = j] + w_i*x_j: a diagonal plus an outer product.
    data = jac_json("jacobian", "w*dot(w,x)", *VECTORS, "--wrt", "w", *AT_WX)
    assert data["structure"]["closed_form"] == "dot(w, x)*I + w*x^T"
    assert data["value"] == [[36, 5, 6], [8, 42, 12], [12, 15, 50]]


# (expression, --wrt, value at w=(1,2,3), x=(4,5,6), closed form): entry (i, j) is u_i*v_j.
OUTER = [
    # d(w_i*(x_1+x_2+x_3))/dx_j = w_i
    ("w*sum(x)", "x", [[1, 1, 1], [2, 2, 2], [3, 3, 3]], "w*1^T"),
    # d(w_i*(w.x))/dx_j = w_i*w_j
    ("w*dot(w,x)", "x", [[1, 2, 3], [2, 4, 6], [3, 6, 9]], "w*w^T"),
    # d(sum(w)*x_i)/dw_j = x_i
    ("sum(w)*x", "w", [[4, 4, 4], [5, 5, 5], [6, 6, 6]], "x*1^T"),
]


@pytest.mark.parametrize(("expr", "wrt", "value", "closed"), OUTER)
def test_outer_products(jac_json, expr, wrt, value, closed):
    data = jac_json("jacobian", expr, *VECTORS, "--wrt", wrt, *AT_WX)
    assert data["value"] == value
    assert data["structure"]["closed_form"] == closed


def test_hessian_of_a_squared_sum_is_twice_the_matrix_of_ones(jac_json):
    data = jac_json("hessian", "sum(w)**2", "--vars", "w:3")
    assert data["symbolic"] == [["2"] * 3] * 3
    assert data["structure"]["closed_form"] == "2*1*1^T"


def test_closed_forms_in_latex(jac):
    done = jac("jacobian", "w*x", *VECTORS, "--wrt", "w", "--format", "latex")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith(r"J = \operatorname{diag}\left(x\right) = \begin{bmatrix} x_{1} & 0 & 0")
    identity = jac("jacobian", "w + x", *VECTORS, "--wrt", "x", "--format", "latex").stdout
    assert identity.startswith(r"J = I = \begin{bmatrix} 1 & 0 & 0")


def test_the_closed_form_comes_above_the_expanded_matrix(jac):
    for fmt in ("plain", "table"):
        done = jac("jacobian", "w*x", *VECTORS, "--wrt", "w", "--format", fmt, "--no-color")
        lines = done.stdout.splitlines()
        closed = lines.index("closed form: J = diag(x)")
        assert closed < next(i for i, line in enumerate(lines) if "w_1" in line and "w_2" in line)


def test_a_large_result_is_summarised_on_the_terminal_but_complete_in_json(jac):
    args = ("jacobian", "w*x", "--vars", "w:200,x:200", "--wrt", "w")
    for fmt in ("plain", "table"):
        done = jac(*args, "--format", fmt, "--no-color")
        assert done.returncode == 0, done.stderr
        out = done.stdout
        assert len(out.splitlines()) < 40
        assert "showing the top-left 5x5 corner of the 200x200 matrix" in out
        assert "closed form: J = diag(x)" in out
        assert "structure: diagonal, 200 of 40,000 entries nonzero" in out
        assert "…" in out and "w_5" in out and "w_6" not in out
    data = json.loads(jac(*args, "--json").stdout)
    assert data["shape"] == [200, 200]
    assert len(data["symbolic"]) == 200 and all(len(row) == 200 for row in data["symbolic"])
    assert data["symbolic"][199][199] == "x_200"
    assert data["symbolic"][0][199] == "0"


def test_the_summary_threshold_is_twelve(jac):
    whole = jac("jacobian", "w*x", "--vars", "w:12,x:12", "--wrt", "w", "--format", "plain").stdout
    assert "w_12" in whole and "f_12" in whole and "…" not in whole
    cut = jac("jacobian", "w*x", "--vars", "w:13,x:13", "--wrt", "w", "--format", "plain").stdout
    assert "w_13" not in cut.split("closed form")[1] and "…" in cut


def test_a_large_gradient_at_a_point_shortens_its_vectors(jac):
    point = "w=[" + ",".join(map(str, range(1, 101))) + "],x=[" + ",".join(["1"] * 100) + "]"
    done = jac("grad", "dot(w,x)", "--vars", "w:100,x:100", "--wrt", "x", "--at", point, "--format", "plain")
    assert done.returncode == 0, done.stderr
    assert "descent direction -∇f = (-1, -2, -3, -4, -5, …, -100)" in done.stdout


def test_declared_vectors_expand_into_components_in_vars_order(jac_json):
    data = jac_json("grad", "sum(w*x) + b", "--vars", "w:2,x:2,b", "--wrt", "x,b", "--at", "w=[3,4],x=[0,0],b=5")
    assert data["variables"] == ["x_1", "x_2", "b"]
    assert data["value"] == [[3, 4, 1]]
    assert data["point"] == {"w_1": "3", "w_2": "4", "x_1": "0", "x_2": "0", "b": "5"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("jacobian", "w*x", "--vars", "w:3,x:4"), "vectors of different lengths: w (3), x (4)"),
        (("jacobian", "w*x", "--vars", "w:0,x:3"), "a vector size is a whole number from 1"),
        (("jacobian", "w*x", "--vars", "w:3,x:3", "--at", "w=[1,2],x=[1,2,3]"), "w has 3 components, got 2"),
        (("jacobian", "w*x", "--vars", "w:3,x:3", "--at", "1,2,3"), "expected 6 values (w_1, w_2, w_3, x_1"),
        (("jacobian", "w*x", "--vars", "w:3,x:3", "--wrt", "v"), "--wrt: 'v' is not a variable"),
        (("grad", "w*x", "--vars", "w:3,x:3"), "got a vector of 3 functions"),
        (("grad", "dot(w, 2)", "--vars", "w:3"), "dot() takes two vectors"),
    ],
)
def test_vector_mistakes_are_one_line_and_exit_2(jac, args, fragment):
    done = jac(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert fragment in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
