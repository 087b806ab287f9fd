"""What a user reads: values at a point with their decimals, `schema` in every JSON object, the descend header,
and the messages that say what to write instead."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from jaccli.cli import app
from jaccli.suggest import closest, edit_distance

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), prog_name="jac", input=stdin)


# --- values at a point -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["plain", "table"])
def test_an_exact_value_that_is_not_an_integer_is_followed_by_its_decimal(fmt):
    out = invoke("jacobian", "sin(x), x**3/3 + y", "--at", "1,2/3", "--format", fmt, "--no-color").stdout
    assert "cos(1) ≈ 0.540302" in out
    assert "1 ≈" not in out  # integers stand alone
    point_part = out.split("at x = 1, y = 2/3")[1]
    assert "1" in point_part and "0.540302" in point_part


def test_rationals_and_huge_values_get_decimals_too():
    out = invoke("diff", "x**3/3", "--at", "2/3", "--format", "plain").stdout
    assert "4/9 ≈ 0.444444" in out
    out = invoke("diff", "exp(x)", "--at", "1000", "--format", "plain").stdout
    assert "exp(1000) ≈ 1.97007e+434" in out


@pytest.mark.parametrize(
    ("expression", "at", "decimal"),
    [
        ("exp(x)", "-10000", "exp(-10000) ≈ 1.13548e-4343"),  # the exact form is short; the value is no big number
        ("pi**x", "-5000", "log(pi)/pi**5000 ≈ 2.03864e-2486"),
        ("sigmoid(x)**2", "-10000", "2*sigmoid(-10000)**2*(1 - sigmoid(-10000)) ≈ 2.57865e-8686"),
    ],
)
def test_values_below_the_smallest_double_are_neither_zero_nor_refused(expression, at, decimal):
    assert decimal in invoke("diff", expression, "--at", at, "--format", "plain").stdout
    (value,) = json.loads(invoke("diff", expression, "--at", at, "--json").stdout)["value"][0]
    assert isinstance(value, str) and value == decimal.split(" ≈ ")[0]  # beyond a double: the exact form, never 0


def test_only_values_too_large_are_refused():
    assert "exp(4600) ≈ 5.68351e+1997" in invoke("diff", "exp(x)", "--at", "4600", "--format", "plain").stdout
    refused = invoke("diff", "exp(x)", "--at", "10000")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.startswith("jac: a power at the point could have about 4,344 digits: over the limit")


def test_the_symbolic_matrix_and_json_are_unchanged():
    out = invoke("grad", "x/3", "--format", "plain").stdout
    assert "1/3" in out and "≈" not in out
    data = json.loads(invoke("grad", "sin(x)", "--at", "1", "--json").stdout)
    assert data["exact"] == [["cos(1)"]] and data["value"] == [[pytest.approx(0.5403023058681398)]]


# --- schema in every JSON object ------------------------------------------------------------------------------

HOMEWORK = """
[[problem]]
name = "one"
kind = "grad"
function = "x^2"
answer = "2x"
"""


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("grad", "x^2+y^2", "--at", "5,-5", "--json"), None),
        (("jacobian", "x*y, x+y", "--at", "1,2", "--at", "3,4", "--json"), None),
        (("grad", "x^2+y^2", "--points", "-", "--json"), "1,2\n3,4\n"),
        (("jacobian", "x*y, x+y", "--points", "-", "--json"), "1,2\n"),
        (("check", "grad", "x^2", "--answer", "2x", "--json"), None),
        (("check", "grad", "x^2", "--answer", "3x", "--json"), None),
        (("check", "--file", "-", "--json"), HOMEWORK),
        (("descend", "x**2", "--at", "1", "--json"), None),
    ],
)
def test_every_json_object_has_schema_1(args, stdin):
    result = invoke(*args, stdin=stdin)
    assert result.exit_code in (0, 1), result.stderr
    lines = result.stdout.splitlines()
    assert lines
    for line in lines:
        data = json.loads(line)
        assert data["schema"] == 1
        assert next(iter(data)) == "schema"


# --- the descend header -------------------------------------------------------------------------------------


def test_the_descend_header_names_the_vector():
    out = invoke("descend", "x**2+y**2", "--at", "5,-5", "--rate", "0.25", "--steps", "2").stdout
    assert out.splitlines()[0] == "gradient descent on f = x**2 + y**2: θ ← θ - η·∇f(θ) with θ = (x, y), η = 0.25"
    out = invoke("descend", "sum(w**2)", "--vars", "w:30", "--at", "w=[" + ",".join(["1"] * 30) + "]").stdout
    assert "with θ = (w_1, w_2, w_3, w_4, w_5, …, w_30)," in out.splitlines()[0]


# --- messages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("grad", "arctan(x)"), "jac: unknown function 'arctan' at column 1: did you mean 'atan'?"),
        (("grad", "arcsin(x)"), "jac: unknown function 'arcsin' at column 1: did you mean 'asin'?"),
        (("grad", "2*arccos(x)"), "jac: unknown function 'arccos' at column 3: did you mean 'acos'?"),
        (("grad", "sqr(x)"), "jac: unknown function 'sqr' at column 1: did you mean 'sqrt'?"),
        (("grad", "sigmiod(x)"), "jac: unknown function 'sigmiod' at column 1: did you mean 'sigmoid'?"),
        (("grad", "Exp(x)"), "jac: unknown function 'Exp' at column 1: did you mean 'exp'?"),
        (
            ("grad", "dot(w, x)", "--vars", "w,x"),
            "jac: dot() takes two vectors at column 1: w and x are scalars; declare the size of a vector, "
            "e.g. --vars w:3,x:3",
        ),
        (
            ("grad", "sum(w)"),
            "jac: sum() takes a vector or a matrix at column 1: w is a scalar; "
            "declare the size of a vector, e.g. --vars w:3",
        ),
        (
            ("grad", "x^2+y^2", "--at", "(5,-5)"),
            "jac: --at '(5,-5)': expected 2 values (x, y), got 1: write the values without brackets: --at 5,-5",
        ),
        (
            ("grad", "x^2+y^2", "--format", "yaml"),
            "jac: --format 'yaml' is not a format of jac grad: use auto, table, plain, json or latex",
        ),
    ],
)
def test_mistakes_get_what_to_write_instead(args, message):
    result = invoke(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == message + "\n"


def test_a_close_name_is_suggested_instead_of_the_list_of_every_function():
    result = invoke("grad", "arctan(x)")
    assert "known functions" not in result.stderr and "softplus" not in result.stderr
    # with nothing close, the list is the help
    assert "known functions: abs, acos" in invoke("grad", "foobar(x)").stderr


def test_edit_distance_counts_swaps_as_one():
    assert edit_distance("cso", "cos") == 1
    assert edit_distance("sigmiod", "sigmoid") == 1
    assert edit_distance("relu", "relu") == 0
    assert edit_distance("x", "sinh") == 4


def test_closest_prefers_aliases_and_then_the_nearest_names():
    functions = ["atan", "atan2", "asin", "acos", "sin", "sinh", "sign", "cos", "exp"]
    assert closest("arctan", functions) == ["atan"]
    assert closest("arctan2", functions) == ["atan2"]
    assert closest("sinn", functions) == ["sign", "sin", "sinh"]
    assert closest("zzz", functions) == []
