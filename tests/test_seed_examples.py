"""The contract's own examples, through the installed command."""

from __future__ import annotations

import json


def test_derivative_of_2x_squared_at_two_points(jac_json):
    assert jac_json("diff", "2*x**2", "--at", "2")["value"] == [[8]]
    assert jac_json("diff", "2*x**2", "--at", "-4")["value"] == [[-16]]


def test_gradient_at_a_point_gives_the_descent_direction(jac_json):
    data = jac_json("grad", "x**2+y**2", "--at", "5,-5")
    assert data["value"] == [[10, -10]]
    assert data["gradient"] == [10, -10]
    assert data["descent"] == [-10, 10]
    assert abs(data["norm"] - 200**0.5) < 1e-12
    assert data["kind"] == "gradient"
    assert data["shape"] == [1, 2]
    assert data["variables"] == ["x", "y"]
    assert data["point"] == {"x": "5", "y": "-5"}
    assert data["exact"] == [["10", "-10"]]


def test_caret_is_power_and_juxtaposed_numbers_multiply(jac_json):
    data = jac_json("grad", "x^2+y^2+1", "--at", "5,-5")
    assert data["gradient"] == [10, -10]
    assert jac_json("grad", "2x + 3(y+1)")["symbolic"] == [["2", "3"]]


def test_elementwise_pair_is_diagonal_and_a_mixed_pair_is_not(jac_json):
    diagonal = jac_json("jacobian", "sin(x), cos(y)")
    assert diagonal["structure"]["diagonal"] is True
    assert diagonal["structure"]["kind"] == "diagonal"
    assert diagonal["symbolic"] == [["cos(x)", "0"], ["0", "-sin(y)"]]
    mixed = jac_json("jacobian", "x*y, x+y")
    assert mixed["structure"]["diagonal"] is False
    assert mixed["structure"]["kind"] == "dense"


def test_hessian_at_a_point(jac_json):
    assert jac_json("hessian", "x**3 + x*y**2", "--at", "1,2")["value"] == [[6, 4], [4, 2]]


def test_jacobian_takes_a_bracketed_list_or_several_arguments(jac_json):
    one = jac_json("jacobian", "[x*y, x+y]")
    several = jac_json("jacobian", "x*y", "x+y")
    assert one["symbolic"] == several["symbolic"] == [["y", "x"], ["1", "1"]]


def test_an_expression_starting_with_minus_is_not_an_option(jac):
    done = jac("grad", "-x**2-y**2", "--at", "1,2", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"] == [-2, -4]


def test_expression_from_standard_input(jac):
    done = jac("grad", "-", "--json", stdin="x*y\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["symbolic"] == [["y", "x"]]
