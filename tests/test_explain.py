"""--explain: the lecture's account of a result, for each of the four shape cases (and the Hessian)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from jaccli.cli import app

runner = CliRunner()


def explained(*args: str) -> str:
    result = runner.invoke(app, [*args, "--explain", "--format", "plain"], prog_name="jac")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.split("what this means:\n", 1)[1]


def test_derivative_case_says_slope_and_which_way_lowers_f():
    text = explained("diff", "2*x**2", "--at", "2")
    assert "a scalar function of a scalar variable, f: R -> R (the derivative case, 1x1)" in text
    assert "At x = 2 the slope is 8" in text
    assert "to lower f, decrease x" in text
    negative = explained("diff", "2*x**2", "--at", "-4")
    assert "the slope is -16" in negative and "increase x" in negative


def test_gradient_case_says_the_shape_and_why_minus_the_gradient_is_downhill():
    text = explained("grad", "x**2+y**2", "--at", "5,-5")
    assert "a scalar function of a vector θ = (x, y) of n = 2 components, f: R^2 -> R (the gradient case)" in text
    assert "1x2 in numerator layout" in text
    assert "∇f = (10, -10) points where f increases fastest" in text
    assert "-∇f = (-10, 10) is the way downhill" in text
    assert "θ ← θ - η∇f" in text


def test_gradient_at_a_critical_point_has_no_way_down():
    text = explained("grad", "x**2+y**2", "--at", "0,0")
    assert "∇f = 0: a critical point" in text
    assert "way downhill" not in text


def test_column_case_is_a_column_of_derivatives():
    text = explained("diff", "x**3, sin(x)")
    assert "a vector function of m = 2 components of one scalar variable x, f: R -> R^2" in text
    assert "2x1 column of the derivatives f_i'(x)" in text
    assert "downhill" not in text


def test_jacobian_case_says_row_i_is_the_gradient_of_f_i_and_why_it_is_diagonal():
    text = explained("jacobian", "w*x", "--vars", "w:3,x:3", "--wrt", "w")
    assert "f: R^3 -> R^3 (the Jacobian case), with m = 3 functions and n = 3 variables θ = (w_1 … w_3)" in text
    assert "J[i][j] = ∂f_i/∂θ_j (numerator layout): row i is the gradient of f_i" in text
    assert "J is diagonal because each f_i depends only on θ_i" in text
    assert "element-wise operation" in text
    assert "J = diag(x)" in text


def test_a_jacobian_that_is_not_diagonal_is_not_called_diagonal():
    text = explained("jacobian", "x*y, x+y")
    assert "the Jacobian case" in text
    assert "diagonal" not in text
    sparse = explained("jacobian", "x, x*y, x*y*z")
    assert "lower triangular: f_i depends only on θ_1 … θ_i" in sparse
    assert "3 of the 9 entries are structurally zero" in sparse


def test_identity_and_block_diagonal_are_named():
    assert "J = I" in explained("jacobian", "w + x", "--vars", "w:2,x:2", "--wrt", "x")
    blocks = explained("jacobian", "[w*sum(w), x*sum(x)]", "--vars", "w:2,x:2")
    assert "block diagonal by variable group (w, x)" in blocks


def test_hessian_is_the_jacobian_of_the_gradient():
    text = explained("hessian", "x**3 + x*y**2")
    assert "The Hessian is the Jacobian of the gradient" in text
    assert "H is 2x2" in text


def test_explain_in_json_and_latex_and_absent_without_the_flag():
    with_flag = runner.invoke(app, ["grad", "x*y", "--at", "1,2", "--json", "--explain"], prog_name="jac")
    data = json.loads(with_flag.stdout)
    assert any("the way downhill" in line for line in data["explanation"])
    without = json.loads(runner.invoke(app, ["grad", "x*y", "--json"], prog_name="jac").stdout)
    assert "explanation" not in without
    latex = runner.invoke(app, ["grad", "x*y", "--format", "latex", "--explain"], prog_name="jac").stdout
    assert latex.splitlines()[1].startswith("% Case: a scalar function of a vector")


def test_explain_in_the_table_keeps_the_brackets():
    result = runner.invoke(
        app, ["jacobian", "sin(x), cos(y)", "--format", "table", "--no-color", "--explain"], prog_name="jac"
    )
    assert result.exit_code == 0
    assert "J[i][j] = ∂f_i/∂θ_j (numerator layout)" in result.stdout


def test_a_wide_jacobian_of_an_elementwise_product_has_diagonal_blocks():
    text = explained("jacobian", "w*x", "--vars", "w:3,x:3")
    assert "Each block of columns (w, x) is diagonal: f_i depends only on the i-th components" in text
    assert "J = [diag(x), diag(w)]" in text
    assert "diagonal block" not in explained("jacobian", "w*sum(x)", "--vars", "w:3,x:3")
