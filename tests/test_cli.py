"""The command line through typer's CliRunner: exit codes, stdout and stderr kept apart."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from jaccli import __version__
from jaccli.cli import app

runner = CliRunner()
ANSI = re.compile(r"\x1b\[")


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), prog_name="jac", input=stdin)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"jac {__version__}"


def test_help_mentions_every_command_and_the_layout():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("grad", "jacobian", "diff", "hessian"):
        assert command in result.stdout
    assert "numerator layout" in result.stdout


def test_command_help_shows_a_pasteable_example():
    result = invoke("grad", "--help")
    assert result.exit_code == 0
    assert 'jac grad "x^2+y^2" --at 5,-5' in result.stdout


def test_plain_output_has_no_colour_codes_and_says_everything():
    result = invoke("grad", "x**2+y**2", "--at", "5,-5", "--format", "plain")
    assert result.exit_code == 0
    out = result.stdout
    assert not ANSI.search(out)
    assert "f: R^2 -> R, gradient 1x2" in out
    assert "descent direction -∇f = (-10, 10)" in out
    assert "|∇f| = 10*sqrt(2)" in out
    assert "unit descent direction -∇f/|∇f| = (-0.707107, 0.707107)" in out
    assert result.stderr == ""


def test_plain_output_does_not_hard_wrap_long_entries():
    # Ten columns (below the size at which a matrix is summarised), each entry a product of nine names.
    long = "*".join(f"x{i}" for i in range(10))
    result = invoke("grad", long, "--format", "plain")
    assert result.exit_code == 0
    assert any(len(line) > 200 for line in result.stdout.splitlines())


def test_table_marks_the_case_structure_and_values():
    result = invoke("jacobian", "sin(x), cos(y)", "--at", "0,0", "--format", "table", "--no-color")
    assert result.exit_code == 0
    out = result.stdout
    assert not ANSI.search(out)
    assert "f: R^2 -> R^2, Jacobian 2x2" in out
    assert "structure: diagonal, 2 of 4 entries nonzero" in out
    assert "-sin(y)" in out
    assert "J at x = 0, y = 0" in out


def test_table_in_colour_dims_structural_zeros():
    from rich.console import Console

    import jaccli
    from jaccli.render.table import ZERO, _matrix_table

    result = jaccli.jacobian("sin(x), cos(y)")
    table = _matrix_table(result, result.entry)
    zero_cell = table.columns[2]._cells[0]
    assert zero_cell.plain == "0" and zero_cell.style == ZERO
    console = Console(record=True, width=60)
    console.print(table)
    assert "cos(x)" in console.export_text()


def test_latex_is_a_bmatrix():
    result = invoke("hessian", "x**3 + x*y**2", "--at", "1,2", "--format", "latex")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == r"H = \begin{bmatrix} 6 x & 2 y \\ 2 y & 2 x \end{bmatrix}"
    assert lines[1].endswith(r"\begin{bmatrix} 6 & 4 \\ 4 & 2 \end{bmatrix}")


def test_several_points_give_json_lines():
    result = invoke("diff", "2*x**2", "--at", "2", "--at", "-4", "--json")
    assert result.exit_code == 0
    values = [json.loads(line)["value"] for line in result.stdout.splitlines()]
    assert values == [[[8]], [[-16]]]


def test_named_point_and_exact_values():
    result = invoke("grad", "sin(x)*y", "--at", "y=2,x=pi/4", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["exact"] == [["sqrt(2)", "sqrt(2)/2"]]
    assert data["point"] == {"x": "pi/4", "y": "2"}
    assert data["value"][0][0] == pytest.approx(2**0.5)


def test_fractions_stay_exact():
    data = json.loads(invoke("diff", "x**3/3", "--at", "2/3", "--json").stdout)
    assert data["exact"] == [["4/9"]]
    assert data["value"] == [[pytest.approx(4 / 9)]]


def test_undefined_entry_is_null_with_a_warning_and_exit_0():
    # d sqrt(x)/dx = 1/(2*sqrt(x)) is undefined at x = 0, where f itself is defined: one entry, one warning
    result = invoke("grad", "sqrt(x) + y", "--at", "0,1", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["value"] == [[None, 1]]
    assert data["gradient"] == [None, 1]
    assert data["norm"] is None
    assert "undefined" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_outside_the_domain_of_f_every_entry_of_its_row_is_undefined():
    # log(x) + y has no value at x = 0 or x = -1: neither has its gradient, not even df/dy = 1
    for point in ("0,1", "-1,1"):
        result = invoke("grad", "log(x) + y", "--at", point, "--json")
        assert result.exit_code == 0
        assert json.loads(result.stdout)["value"] == [[None, None]]
        assert len(result.stderr.strip().splitlines()) == 2


def test_undefined_entry_in_the_table():
    result = invoke("diff", "1/x", "--at", "0", "--format", "plain")
    assert result.exit_code == 0
    assert "undefined" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("grad", "x*y", "--at", "1,2,3"), "expected 2 values (x, y), got 3"),
        (("grad", "x*y", "--at", "x=1,z=2"), "unknown variable 'z'"),
        (("grad", "x*y", "--at", "1,log(0)"), "not a finite real number"),
        (("grad", "x*y", "--at", "1,sqrt(-1)"), "not a finite real number"),
        (("grad", "x*y", "--at", "1,t"), "not a finite real number"),
        (("grad", "sin(x"), "never closed"),
        (("grad", "x +* y"), "invalid syntax at column 4"),
        (("grad", "2x +"), "the expression ends too early at column 5"),
        (("grad", "foo(x)"), "unknown function 'foo' at column 1: known functions: abs"),
        (("grad", "atan2(x)"), "atan2() takes 2 arguments, got 1"),
        (("grad", "x, y"), "grad takes one scalar function"),
        (("grad", "x*y", "--wrt", "z"), "--wrt: 'z' is not a variable"),
        (("grad", "x*y", "--vars", "x"), "unknown name 'y'"),
        (("diff", "x*y"), "diff needs --var"),
        (("grad", ""), "empty expression"),
        (("grad", "x", "--bogus"), "--bogus"),
        (("jacobian", "x", "--bogus"), "no such option: --bogus"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args, fragment):
    result = invoke(*args)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_vars_sets_the_column_order_and_may_name_absent_variables():
    data = json.loads(invoke("grad", "x*y", "--vars", "y,x,z", "--json").stdout)
    assert data["variables"] == ["y", "x", "z"]
    assert data["symbolic"] == [["x", "y", "0"]]


def test_default_order_is_natural():
    data = json.loads(invoke("grad", "x10 + x2 + x1", "--json").stdout)
    assert data["variables"] == ["x1", "x2", "x10"]


def test_wrt_takes_a_subset_of_columns_but_the_point_covers_all_variables():
    data = json.loads(invoke("grad", "x**2*y", "--wrt", "y", "--at", "3,1", "--json").stdout)
    assert data["variables"] == ["y"]
    assert data["value"] == [[9]]


def test_diff_of_a_list_is_a_column_and_order_k_repeats():
    data = json.loads(invoke("diff", "x**3, sin(x)", "--order", "2", "--at", "0", "--json").stdout)
    assert data["shape"] == [2, 1]
    assert data["symbolic"] == [["6*x"], ["-sin(x)"]]
    assert data["value"] == [[0], [0]]


def test_diff_with_var_treats_others_as_constants():
    data = json.loads(invoke("diff", "x**2*y", "--var", "y", "--json").stdout)
    assert data["symbolic"] == [["x**2"]]


def test_e_and_pi_are_constants_unless_declared():
    data = json.loads(invoke("grad", "e**x + pi*x", "--json").stdout)
    assert data["variables"] == ["x"]
    assert data["symbolic"] == [["exp(x) + pi"]]
    declared = json.loads(invoke("grad", "e*x", "--vars", "e,x", "--json").stdout)
    assert declared["symbolic"] == [["x", "e"]]


def test_greek_names_including_lambda_are_variables():
    data = json.loads(invoke("grad", "lambda*theta + beta**2 + gamma", "--json").stdout)
    assert data["variables"] == ["beta", "gamma", "lambda", "theta"]
    assert data["symbolic"] == [["2*beta", "1", "theta", "lambda"]]


def test_symbolic_entries_parse_back_to_the_same_expression():
    expr = "sigmoid(x)*relu(y) + softplus(x*y) + abs(x) + cbrt(y) + max(x, y) + atan2(y, x) + log(x, 2)"
    first = json.loads(invoke("grad", expr, "--json").stdout)
    for entry in first["symbolic"][0]:
        again = json.loads(invoke("grad", entry, "--vars", "x,y", "--json").stdout)
        assert again["functions"] == [entry]
