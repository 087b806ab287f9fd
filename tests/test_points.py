"""--points: many points, one JSON object per line, through the installed command."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from jaccli.render.points import number_texts


def test_100000_points_of_a_jacobian_with_a_constant_entry(jac, tmp_path):
    draw = random.Random(7)
    points = [(draw.uniform(-10, 10), draw.uniform(-10, 10)) for _ in range(100_000)]
    path = tmp_path / "points.txt"
    path.write_text("".join(f"{x!r},{y!r}\n" for x, y in points))
    done = jac("jacobian", "[x*y, 2*x + 3]", "--points", str(path), "--json")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 100_000
    for index in [*draw.sample(range(100_000), 500), 0, 99_999]:
        x, y = points[index]
        record = json.loads(lines[index])
        assert record["point"] == [x, y]
        # Independent: d(xy)/dx = y, d(xy)/dy = x, d(2x+3)/dx = 2, d(2x+3)/dy = 0.
        assert record["value"] == [[y, x], [2, 0]]


def test_a_gradient_line_has_gradient_and_descent_and_skips_blank_and_comment_lines(jac):
    text = "# x, y\n5,-5\n\n  # another comment\npi/4, 1/3\nx=2, y=3\n"
    done = jac("grad", "x^2+y^2", "--points", "-", "--json", stdin=text)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["point"] for r in records] == [[5, -5], [math.pi / 4, 1 / 3], [2, 3]]
    assert records[0] == {
        "schema": 1,
        "point": [5, -5],
        "value": [[10, -10]],
        "gradient": [10, -10],
        "descent": [-10, 10],
    }
    assert records[1]["gradient"] == pytest.approx([math.pi / 2, 2 / 3])
    assert records[2]["descent"] == [-4, -6]
    # Compact: no spaces after separators.
    assert ", " not in done.stdout and ": " not in done.stdout


def test_the_values_agree_with_a_finite_difference(jac):
    draw = random.Random(3)
    points = [(draw.uniform(0.5, 3), draw.uniform(-2, 2)) for _ in range(200)]
    text = "".join(f"{x},{y}\n" for x, y in points)
    done = jac("grad", "log(x)*sin(y) + sigmoid(x*y)", "--points", "-", "--json", stdin=text)
    assert done.returncode == 0, done.stderr

    def f(x: float, y: float) -> float:
        return math.log(x) * math.sin(y) + 1 / (1 + math.exp(-x * y))

    h = 1e-6
    for (x, y), line in zip(points, done.stdout.splitlines()):
        gradient = json.loads(line)["gradient"]
        assert gradient[0] == pytest.approx((f(x + h, y) - f(x - h, y)) / (2 * h), rel=1e-5, abs=1e-6)
        assert gradient[1] == pytest.approx((f(x, y + h) - f(x, y - h)) / (2 * h), rel=1e-5, abs=1e-6)


def test_undefined_entries_are_null_with_one_warning_and_exit_0(jac):
    done = jac("diff", "sqrt(x), 3", "--points", "-", "--json", stdin="1\n0\n-1\n4\n")
    assert done.returncode == 0
    values = [json.loads(line)["value"] for line in done.stdout.splitlines()]
    assert values == [[[0.5], [0]], [[None], [0]], [[None], [0]], [[0.25], [0]]]
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 1 and "2 undefined entries at 2 of 4 points" in warnings[0]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("1,2\n3\n", 2, "expected 2 values"),
        ("1,2\n\n# c\n1,foo\n", 4, "foo"),
        ("1,2\n1e400,1\n", 2, "double-precision"),
        ("1,2\n__import__('os'),1\n", 2, ""),
        ("1,2\nx=1\n", 2, "no value for y"),
    ],
)
def test_a_bad_line_exits_2_naming_the_line_and_writes_nothing(jac, text, line, words):
    done = jac("grad", "x*y", "--points", "-", "--json", stdin=text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"line {line}:" in done.stderr and words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_plain_output_shows_the_result_once_then_one_line_per_point(jac):
    done = jac("jacobian", "x*y, x+y", "--points", "-", stdin="1,2\n0.5,-1\n")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0] == "f: R^2 -> R^2, Jacobian 2x2"
    assert lines[-2:] == ["at x = 1, y = 2: [[2, 1], [1, 1]]", "at x = 0.5, y = -1: [[-1, 0.5], [1, 1]]"]


def test_points_conflicts_and_missing_files(jac, tmp_path):
    assert jac("grad", "x*y", "--points", str(tmp_path / "none.txt")).returncode == 2
    assert jac("grad", "x*y", "--points", "-", "--at", "1,2", stdin="1,2\n").returncode == 2
    assert jac("grad", "x*y", "--points", "-", "--format", "latex", stdin="1,2\n").returncode == 2


def test_number_texts_write_whole_numbers_as_integers_and_nan_as_null():
    column = np.array([2.0, -0.0, 0.5, np.nan, 1e300, 2.0**60, -3.0])
    assert number_texts(column) == ["2", "0", "0.5", "null", "1e+300", "1.152921504606847e+18", "-3"]
    assert json.loads("[" + ",".join(number_texts(column)) + "]")[:3] == [2, 0, 0.5]
