"""The limits: documented in the README, named in their messages, and checked before SymPy computes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp
from typer.testing import CliRunner

from jaccli import core, limits, parse
from jaccli.cli import app
from jaccli.errors import JacError, LimitError, PointError

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
runner = CliRunner()


@pytest.mark.parametrize("limit", limits.ALL_LIMITS, ids=lambda limit: limit.name)
def test_every_limit_is_in_the_readme_table_with_its_value(limit):
    row = re.search(rf"^\| `{limit.name}` \| ([0-9,]+) \|", README, re.MULTILINE)
    assert row is not None, f"README has no row for {limit.name}"
    assert int(row.group(1).replace(",", "")) == limit.value


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("10**10**10", "number_digits"),
        ("(13/10)**6472416997", "number_digits"),
        ("(1/2)**(-10**9)", "number_digits"),
        ("2**2**2**2**2", "number_digits"),
        ("x*exp(10**5)", "number_digits"),
        ("sin(" * 101 + "x" + ")" * 101, "nesting_depth"),
        ("-" * 150 + "x", "nesting_depth"),
        ("x+" * 1500 + "x", "function_tokens"),
        ("9" * 1001, "literal_digits"),
        ("1e1001", "literal_exponent"),
        ("a" * 101, "name_chars"),
    ],
)
def test_refusals_name_their_limit(text, limit):
    with pytest.raises(LimitError) as caught:
        parse.parse_functions([text])
    assert caught.value.limit == limit
    assert f"over the limit {limit}" in str(caught.value)


def test_nesting_up_to_the_limit_is_accepted():
    depth = limits.NESTING_DEPTH.value
    parsed = parse.parse_functions(["sin(" * depth + "x" + ")" * depth])
    assert parsed.functions[0].has(sp.sin)


def test_a_long_sum_counts_as_one_level_and_its_gradient_is_right():
    terms = [f"x{i}" for i in range(600)]
    parsed = parse.parse_functions(["+".join(terms) + "+x0**2"])
    result = core.gradient(parsed)
    assert result.matrix[0, 0] == 1 + 2 * sp.Symbol("x0", real=True)
    assert all(result.matrix[0, j] == 1 for j in range(1, 600))


def test_a_symbolic_power_is_differentiated_but_its_huge_value_refused():
    parsed = parse.parse_functions(["(x**2+1)**(10**6)"])
    result = core.derivative(parsed)
    assert parsed.texts == ("(x**2 + 1)**1000000",)
    x = sp.Symbol("x", real=True)
    assert result.matrix[0, 0] == 2000000 * x * (x**2 + 1) ** 999999
    with pytest.raises(LimitError):
        core.evaluate(result, [parse.parse_point("1", parsed.variables)])
    # a point where the value is small stays exact
    assert core.evaluate(result, [parse.parse_point("0", parsed.variables)]).evaluations[0].values[0][0] == 0


def test_exact_values_stay_within_the_digit_limit_and_print():
    parsed = parse.parse_functions(["x**600"])
    result = core.evaluate(core.derivative(parsed), [parse.parse_point("10", parsed.variables)])
    assert result.evaluations[0].values[0][0] == 600 * sp.Integer(10) ** 599


def test_matrix_size_is_refused_before_differentiating():
    parsed = parse.parse_functions(["sum(w)"], parse.parse_vars("w:317"))
    with pytest.raises(LimitError, match="matrix_entries"):
        core.hessian(parsed)


@pytest.mark.parametrize("value", ["nan", "inf", "1/0", "log(0)", "sqrt(-1)", "oo", "exp(10**5)"])
def test_point_values_must_be_finite_real_numbers(value):
    variables = (parse.Variable("x"),)
    with pytest.raises(PointError, match="point value for x"):
        parse.parse_point(value, variables)


def test_invalid_utf8_in_an_expression_is_named():
    with pytest.raises(JacError, match=r"invalid UTF-8 \(the byte 0xFF\)"):
        parse.parse_functions(["x\udcff"])


def test_the_timeout_is_exit_2_with_nothing_on_stdout():
    result = runner.invoke(
        app,
        ["diff", "sin(x)*exp(x)*log(x)*tan(x)*atan(x)", "--order", "100", "--timeout", "0.5"],
        prog_name="jac",
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "jac: timed out after 0.5 s (use --timeout to allow more)\n"


def test_a_generous_timeout_changes_nothing():
    result = runner.invoke(app, ["grad", "x**2+y**2", "--at", "5,-5", "--json", "--timeout", "60"], prog_name="jac")
    assert result.exit_code == 0
    assert '"descent": [-10, 10]' in result.stdout


def test_standard_input_from_windows_is_accepted():
    result = runner.invoke(app, ["grad", "-", "--json"], input=b"\xef\xbb\xbfx**2 + y\r\n", prog_name="jac")
    assert result.exit_code == 0, result.stderr
    assert '"symbolic": [["2*x", "1"]]' in result.stdout


def test_invalid_utf8_on_standard_input_is_refused_with_its_offset():
    result = runner.invoke(app, ["grad", "-"], input=b"x+\xc3(", prog_name="jac")
    assert result.exit_code == 2
    assert result.stderr == "jac: standard input is not valid UTF-8 (the byte 0xC3 at offset 2)\n"


def test_greek_names_are_variables_with_real_derivatives():
    parsed = parse.parse_functions(["beta*gamma + lambda**2"])
    result = core.gradient(parsed)
    assert [v.name for v in parsed.variables] == ["beta", "gamma", "lambda"]
    assert all(entry != 0 for entry in result.matrix)
