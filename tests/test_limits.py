"""The limits: documented in the README, named in their messages, and checked before an engine computes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jaccli
from jaccli import bounds as limits
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
        jaccli.gradient(text, vars="x")
    assert caught.value.limit == limit
    assert f"over the limit {limit}" in str(caught.value)


def test_nesting_up_to_the_limit_is_accepted():
    depth = limits.NESTING_DEPTH.value
    result = jaccli.derivative("sin(" * depth + "x" + ")" * depth)
    assert result.function_texts[0].count("sin(") == depth


def test_a_long_sum_counts_as_one_level_and_its_gradient_is_right():
    terms = [f"x{i}" for i in range(600)]
    result = jaccli.gradient("+".join(terms) + "+x0**2")
    assert result.symbolic[0][0] == "2*x0 + 1"
    assert result.symbolic[0][1:] == ["1"] * 599


def test_a_symbolic_power_is_differentiated_but_its_huge_value_refused():
    result = jaccli.derivative("(x**2+1)**(10**6)")
    assert result.function_texts == ("(x**2 + 1)**1000000",)
    assert result.symbolic == [["2000000*x*(x**2 + 1)**999999"]]
    with pytest.raises(LimitError):
        jaccli.derivative("(x**2+1)**(10**6)", at="1")
    # a point where the value is small stays exact
    assert jaccli.derivative("(x**2+1)**(10**6)", at="0").value == [[0]]


def test_exact_values_stay_within_the_digit_limit_and_print():
    result = jaccli.derivative("x**600", at="10")
    assert result.exact == [[str(600 * 10**599)]]


def test_a_dense_result_over_the_limit_is_refused_before_differentiating_and_suggests_sparse():
    with pytest.raises(LimitError, match=r"matrix_entries.*--sparse"):
        jaccli.hessian("sum(w)", vars="w:1001")
    sparse = jaccli.hessian("sum(w**2)", vars="w:1001", sparse=True)
    assert sparse.structure.nonzeros == 1001 and sparse.structure.kind == "scaled_identity"


@pytest.mark.parametrize("value", ["nan", "inf", "1/0", "log(0)", "sqrt(-1)", "oo", "exp(10**5)"])
def test_point_values_must_be_finite_real_numbers(value):
    with pytest.raises(PointError, match="point value for x"):
        jaccli.derivative("x", at=value)


def test_invalid_utf8_in_an_expression_is_named():
    with pytest.raises(JacError, match=r"invalid UTF-8 \(the byte 0xFF\)"):
        jaccli.derivative("x\udcff")


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
    result = jaccli.gradient("beta*gamma + lambda**2")
    assert result.variables == ("beta", "gamma", "lambda")
    assert result.symbolic == [["gamma", "beta", "2*lambda"]]
