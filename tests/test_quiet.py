"""-q/--quiet: only the values, one matrix row per line, entries separated by one space, for shell scripts."""

from __future__ import annotations

import subprocess

import pytest
from conftest import JAC
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import jaccli
from jaccli.cli import app

runner = CliRunner()


def quiet(*args: str, stdin: str | None = None):
    result = runner.invoke(app, [*args, "--quiet"], prog_name="jac", input=stdin)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("grad", "x^2+y^2", "--at", "5,-5"), "10 -10\n"),
        (("diff", "2*x**2", "--at", "2"), "8\n"),
        (("jacobian", "x*y, x+y", "--at", "2,3"), "3 2\n1 1\n"),
        (("hessian", "x**3 + x*y**2", "--at", "1,2"), "6 4\n4 2\n"),
        (("diff", "[x**2, x**3]", "--at", "2"), "4\n12\n"),  # a column: one entry per line
        (("diff", "2*x**2", "--at", "2", "--at", "-4"), "8\n-16\n"),  # points one after another
        (("jacobian", "x*y, x+y", "--at", "2,3", "--at", "0,1"), "3 2\n1 1\n1 0\n1 1\n"),
        (("grad", "sin(x)", "--at", "1"), "0.5403023058681398\n"),  # the nearest double, as JSON writes it
        (("diff", "x**3/3", "--at", "2/3"), "0.4444444444444444\n"),
        (("diff", "exp(x)", "--at", "1000"), "1.970071114017047e+434\n"),  # beyond a float: never a null
    ],
)
def test_values_at_a_point_one_row_per_line(args, expected):
    assert quiet(*args).stdout == expected


def test_without_a_point_the_symbolic_entries_are_single_words_that_parse_back():
    out = quiet("jacobian", "x*y + sin(x), log(x, 2) + y", "--vars", "x,y").stdout
    rows = [line.split(" ") for line in out.splitlines()]
    assert rows == [["cos(x)+y", "x"], ["1/(x*log(2))", "1"]]
    for entry in (e for row in rows for e in row):
        jaccli.jacobian(entry, vars="x,y")  # a word jac reads back


def test_an_undefined_entry_is_the_word_undefined_with_the_warning_on_stderr():
    result = quiet("grad", "sqrt(x) + y", "--at", "0,1")
    assert result.stdout == "undefined 1\n"
    assert "undefined" in result.stderr


def test_many_points_give_the_same_lines_as_repeated_at():
    by_file = quiet("jacobian", "x*y, x+y", "--points", "-", stdin="2,3\n0,1\n").stdout
    assert by_file == "3 2\n1 1\n1 0\n1 1\n"
    assert quiet("grad", "x^2+y^2", "--points", "-", stdin="5,-5\n0.5,1\n").stdout == "10 -10\n1 2\n"


def test_a_large_system_on_symengine_is_quiet_too():
    # 10 functions of 10 variables: 100 entries, the SymEngine path
    names = [f"x{i}" for i in range(1, 11)]
    functions = ", ".join(f"{a}*{b}" for a, b in zip(names, names[1:] + names[:1]))
    out = quiet("jacobian", functions, "--at", ",".join(str(i) for i in range(1, 11))).stdout
    rows = [line.split(" ") for line in out.splitlines()]
    assert len(rows) == 10 and all(len(row) == 10 for row in rows)
    assert rows[0][:2] == ["2", "1"]  # d(x1*x2)/dx1 = x2 = 2, d/dx2 = x1 = 1
    symbolic = quiet("jacobian", functions).stdout.splitlines()
    assert symbolic[0].split(" ")[:3] == ["x2", "x1", "0"]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-50, 50), min_size=2, max_size=2),
    st.sampled_from(["x^2+y^2", "x*y - y^3", "sin(x)*y", "exp(x/10) + y/3"]),
)
def test_quiet_values_are_the_json_values(point, function):
    import json

    at = ",".join(map(str, point))
    data = json.loads(runner.invoke(app, ["grad", function, "--at", at, "--json"], prog_name="jac").stdout)
    words = quiet("grad", function, "--at", at).stdout.split()
    assert [json.loads(w) for w in words] == data["value"][0]


@pytest.mark.e2e
def test_a_shell_script_reads_the_values_with_read_a_and_command_substitution():
    assert JAC is not None
    script = f"""
        set -e
        read -r -a g <<< "$({JAC} grad "x^2+y^2" --at 5,-5 -q)"
        echo "${{#g[@]}} ${{g[0]}} ${{g[1]}}"
        {JAC} jacobian "x*y, x+y" --at 2,3 -q | while read -r -a row; do echo "row: ${{row[1]}}"; done
        slope=$({JAC} diff "-209*q**5" --at 1 -q)
        echo $((slope + 1))
    """
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "2 10 -10\nrow: 2\nrow: 1\n-1044\n"
