"""The optimisation view through the installed command: critical points, directional derivatives,
gradient descent. Every expected value is derived by hand in the comments, not taken from SymPy."""

from __future__ import annotations

import itertools
import json
import math

import mpmath
import pytest
from typer.testing import CliRunner

import jaccli
from jaccli import optimisation
from jaccli.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), prog_name="jac")


# --- jac hessian --at: eigenvalues and the second-derivative test -----------------------------------


@pytest.mark.parametrize(
    ("function", "point", "eigenvalues", "kind"),
    [
        # H = diag(2, 2), grad = (2x, 2y) = 0 at the origin: both curvatures up
        ("x**2+y**2", "0,0", [2, 2], "minimum"),
        # H = diag(-2, -2): both curvatures down
        ("-x**2-y**2", "0,0", [-2, -2], "maximum"),
        # H = diag(2, -2): up along x, down along y
        ("x**2-y**2", "0,0", [-2, 2], "saddle"),
        # H = diag(12x^2, 12y^2) = 0 at the origin, grad = (4x^3, 4y^3) = 0: the test says nothing
        ("x**4+y**4", "0,0", [0, 0], "degenerate"),
        # grad = (3x^2 - 3, 2y) vanishes at (+-1, 0); H = diag(6x, 2)
        ("x**3-3x+y**2", "1,0", [2, 6], "minimum"),
        ("x**3-3x+y**2", "-1,0", [-6, 2], "saddle"),
    ],
)
def test_hessian_classifies_critical_points(jac_json, function, point, eigenvalues, kind):
    data = jac_json("hessian", function, "--at", point)
    assert data["eigenvalues"] == eigenvalues
    assert data["critical_point"] == kind


def test_hessian_classification_is_spelled_out_in_the_table(jac):
    done = jac("hessian", "x**3-3x+y**2", "--at", "-1,0", "--format", "plain")
    assert done.returncode == 0, done.stderr
    assert "eigenvalues of H: -6, 2" in done.stdout
    assert "saddle point" in done.stdout
    done = jac("hessian", "x**4+y**4", "--at", "0,0", "--format", "table", "--no-color")
    assert "degenerate" in done.stdout and "inconclusive" in done.stdout


def test_a_point_that_is_not_critical_is_not_classified_but_shows_its_eigenvalues(jac, jac_json):
    # grad (x^2+y^2) at (1,0) is (2,0): not critical; H = diag(2, 2) everywhere
    data = jac_json("hessian", "x**2+y**2", "--at", "1,0")
    assert data["critical_point"] is None
    assert data["eigenvalues"] == [2, 2]
    plain = jac("hessian", "x**2+y**2", "--at", "1,0", "--format", "plain").stdout
    assert "not a critical point" in plain
    assert "eigenvalues of H: 2, 2" in plain


def test_without_a_point_the_hessian_has_no_eigenvalues(jac_json):
    data = jac_json("hessian", "x**2+y**2")
    assert data["eigenvalues"] is None and data["critical_point"] is None


def test_eigenvalues_of_a_coupled_hessian(jac_json):
    # f = x^2 + xy + y^2: H = [[2,1],[1,2]], eigenvalues 2 -+ 1 (vectors (1,-1) and (1,1))
    assert jac_json("hessian", "x**2+x*y+y**2", "--at", "0,0")["eigenvalues"] == [1, 3]
    # f = x^2 + 3xy + y^2: H = [[2,3],[3,2]], eigenvalues -1 and 5: a saddle although both squares are positive
    data = jac_json("hessian", "x**2+3*x*y+y**2", "--at", "0,0")
    assert data["eigenvalues"] == [-1, 5]
    assert data["critical_point"] == "saddle"


@pytest.mark.parametrize("n", [3, 4, 6])
def test_eigenvalues_of_a_tridiagonal_hessian_match_the_closed_form(jac_json, n):
    # f = sum x_i^2 + sum x_i x_{i+1}: H is tridiagonal with 2 on the diagonal and 1 beside it, whose
    # eigenvalues are 2 + 2 cos(k pi / (n+1)), k = 1..n. n = 3 is solved exactly, 4 and 6 numerically.
    terms = [f"x{i}**2" for i in range(1, n + 1)] + [f"x{i}*x{i + 1}" for i in range(1, n)]
    data = jac_json("hessian", " + ".join(terms), "--at", ",".join(["0"] * n))
    expected = sorted(2 + 2 * math.cos(k * math.pi / (n + 1)) for k in range(1, n + 1))
    assert data["eigenvalues"] == pytest.approx(expected, abs=1e-12)
    assert data["critical_point"] == "minimum"  # every 2 + 2cos(...) is positive for k in 1..n


def test_zero_and_both_signs_is_a_saddle_zero_and_one_sign_is_degenerate(jac_json):
    # x^2 - y^2 over (x, y, z): H = diag(2, -2, 0); up and down directions exist, so a saddle regardless of z
    data = jac_json("hessian", "x**2-y**2", "--vars", "x,y,z", "--at", "0,0,0")
    assert data["eigenvalues"] == [-2, 0, 2]
    assert data["critical_point"] == "saddle"
    # x^2 + y^4: H = diag(2, 0) at the origin; the second-order test cannot see y^4
    assert jac_json("hessian", "x**2+y**4", "--at", "0,0")["critical_point"] == "degenerate"


def test_numeric_eigenvalues_recognise_zero(jac_json):
    # (a+b+c+d)^2: H = 2 * ones(4, 4), of rank 1: eigenvalues 0, 0, 0, 8 (solved numerically at 4x4)
    data = jac_json("hessian", "(a+b+c+d)**2", "--at", "0,0,0,0")
    assert data["eigenvalues"] == pytest.approx([0, 0, 0, 8], abs=1e-12)
    assert data["critical_point"] == "degenerate"


def test_vector_variables_are_classified_by_their_components(jac_json):
    # sum((w-1)^2): grad 2(w-1) = 0 at w = (1,1,1), H = 2I
    data = jac_json("hessian", "sum((w-1)**2)", "--vars", "w:3", "--at", "w=[1,1,1]")
    assert data["eigenvalues"] == [2, 2, 2]
    assert data["critical_point"] == "minimum"


def test_an_undefined_hessian_entry_leaves_the_eigenvalues_undefined(jac):
    # d2/dx2 log(x) = -1/x^2 is undefined at x = 0
    done = jac("hessian", "log(x)+y**2", "--at", "0,0", "--json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["eigenvalues"] is None and data["critical_point"] is None
    assert "undefined" in done.stderr


def test_curvature_signs_are_exact_where_floats_would_blur_them():
    # H = [[1, 1], [1, 1]] has eigenvalues 0 and 2; H = [[1+1e-40, 1], [1, 1]] a tiny positive one
    flat = jaccli.hessian("(x + y)**2/2", at="0,0").evaluations[0].curvature
    assert flat.signs == (0, 1) and flat.critical_point == "degenerate"
    tilted = jaccli.hessian("(1 + 1e-40)*x**2/2 + x*y + y**2/2", at="0,0").evaluations[0].curvature
    assert tilted.signs == (1, 1) and tilted.critical_point == "minimum"


def test_numeric_eigenvalues_settle_signs_near_zero_in_high_precision():
    # doubles see [[1, 1], [1, 1 + 1e-30]] as singular; 50 digits see a positive eigenvalue of 5e-31
    with mpmath.workdps(60):
        corner = mpmath.mpf(1) + mpmath.mpf("1e-30")
    values, signs = optimisation.numeric_eigenvalues([[1, 1], [1, corner]])
    assert signs == (1, 1)
    assert values[1] == pytest.approx(2)
    values, signs = optimisation.numeric_eigenvalues([[2, 0, 0], [0, -3, 0], [0, 0, 5]])
    assert values == (-3, 2, 5) and signs == (-1, 1, 1)


# --- jac grad --dir: the directional derivative ----------------------------------------------------


def test_directional_derivative_along_the_x_axis_is_the_x_slope(jac_json):
    # grad (x^2+y^2) at (5,-5) = (10,-10); along (1,0): 10. The descent direction (-10,10) is at 135 degrees.
    data = jac_json("grad", "x**2+y**2", "--at", "5,-5", "--dir", "1,0")
    assert data["directional"] == 10
    assert data["angle_to_descent"] == pytest.approx(135)
    assert data["direction"] == [1, 0]


@pytest.mark.parametrize(
    ("direction", "value", "angle"),
    [
        ("1,1", 0, 90),  # along a level set: (10 - 10)/sqrt(2)
        ("-1,1", -10 * math.sqrt(2), 0),  # the descent direction itself: -|grad f|
        ("3,-3", 10 * math.sqrt(2), 180),  # uphill: +|grad f|, whatever the length of v
        ("y=2,x=0", -10, 45),  # (10*0 - 10*2)/2; cos = (-grad f . v)/(|grad f| |v|) = 20/(10 sqrt(2) * 2)
    ],
)
def test_directional_derivative_and_angle(jac_json, direction, value, angle):
    data = jac_json("grad", "x**2+y**2", "--at", "5,-5", "--dir", direction)
    assert data["directional"] == pytest.approx(value, abs=1e-12)
    assert data["angle_to_descent"] == pytest.approx(angle, abs=1e-9)


def test_directional_derivative_agrees_with_a_finite_difference(jac_json):
    def f(x: float, y: float) -> float:
        return math.sin(x) * y + x**3 * math.exp(y / 3)

    x, y, vx, vy, h = 0.7, -1.3, 2.0, -1.0, 1e-5
    ux, uy = vx / math.hypot(vx, vy), vy / math.hypot(vx, vy)
    central = (f(x + h * ux, y + h * uy) - f(x - h * ux, y - h * uy)) / (2 * h)
    data = jac_json("grad", "sin(x)*y + x**3*exp(y/3)", "--at", "7/10,-13/10", "--dir", "2,-1")
    assert data["directional"] == pytest.approx(central, rel=1e-8)


def test_directional_derivative_in_the_table():
    result = invoke("grad", "x**2+y**2", "--at", "5,-5", "--dir", "1,0", "--format", "plain")
    assert result.exit_code == 0
    assert "directional derivative along v = (1, 0): ∇f·v/|v| = 10" in result.stdout
    assert "angle between v and the descent direction -∇f: 135°" in result.stdout


def test_direction_over_vector_variables(jac_json):
    # grad sum(w^2) = 2w = (2,4,6) at (1,2,3); along (0,0,1): 6
    data = jac_json("grad", "sum(w**2)", "--vars", "w:3", "--at", "w=[1,2,3]", "--dir", "w=[0,0,5]")
    assert data["directional"] == 6


def test_at_a_critical_point_there_is_no_angle(jac_json):
    data = jac_json("grad", "x**2+y**2", "--at", "0,0", "--dir", "1,2")
    assert data["directional"] == 0
    assert data["angle_to_descent"] is None


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("grad", "x**2+y**2", "--at", "5,-5", "--dir", "0,0"), "zero vector"),
        (("grad", "x**2+y**2", "--at", "5,-5", "--dir", "0*pi,0/3"), "zero vector"),
        (("grad", "x**2+y**2", "--at", "5,-5", "--dir", "1,2,3"), "--dir '1,2,3': expected 2 values"),
        (("grad", "x**2+y**2", "--at", "5,-5", "--dir", "1,log(0)"), "not a finite real number"),
        (("grad", "x**2+y**2", "--dir", "1,0"), "--dir needs --at"),
        (("grad", "x**2+y**2", "--points", "-", "--dir", "1,0"), "not with --points"),
    ],
)
def test_bad_directions_are_exit_2(args, fragment):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- jac descend ------------------------------------------------------------------------------------


def by_hand(gradient, start: list[float], rate: float, steps: int) -> list[list[float]]:
    """The iteration x <- x - rate * grad f(x), written out independently of jac."""
    points = [list(start)]
    for _ in range(steps):
        x = points[-1]
        points.append([xi - rate * gi for xi, gi in zip(x, gradient(x))])
    return points


def test_descent_on_the_bowl_reaches_the_origin(jac_json):
    data = jac_json("descend", "x**2+y**2", "--at", "5,-5", "--rate", "0.1", "--steps", "50")
    path = data["path"]
    assert path[0] == {"step": 0, "point": [5, -5], "value": 50, "gradient_norm": pytest.approx(200**0.5)}
    assert path[1]["point"] == pytest.approx([4, -4])  # (5,-5) - 0.1*(10,-10)
    assert path[1]["value"] == pytest.approx(32)
    assert [s["step"] for s in path] == list(range(51))
    assert math.hypot(*path[-1]["point"]) < 1e-3
    expected = by_hand(lambda p: [2 * p[0], 2 * p[1]], [5, -5], 0.1, 50)
    for step, point in zip(path, expected):
        assert step["point"] == pytest.approx(point, rel=1e-12, abs=1e-15)
        assert step["value"] == pytest.approx(point[0] ** 2 + point[1] ** 2, rel=1e-12, abs=1e-15)
    # |grad f| at step 50 is 2*sqrt(2)*5*0.8^50 ~ 2e-4, above the default tol 1e-6
    assert data["converged"] is False
    assert data["reason"] == "step limit reached"


def test_too_large_a_rate_diverges_and_says_so(jac):
    # x <- x - 1.5*2x = -2x: |x| doubles every step, f grows by 4
    done = jac("descend", "x**2+y**2", "--at", "5,-5", "--rate", "1.5", "--steps", "50", "--json")
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["converged"] is False
    assert data["reason"] == "diverged"
    path = data["path"]
    assert len(path) < 51
    assert path[1]["point"] == pytest.approx([-10, 10])
    assert all(b["value"] == pytest.approx(4 * a["value"]) for a, b in itertools.pairwise(path))
    plain = jac("descend", "x**2+y**2", "--at", "5,-5", "--rate", "1.5", "--steps", "50", "--format", "plain")
    assert "diverged" in plain.stdout


def test_descent_stops_when_the_gradient_is_small(jac_json):
    data = jac_json("descend", "x**2+y**2", "--at", "5,-5", "--rate", "1/4", "--steps", "1000", "--tol", "1e-6")
    # x <- x/2 each step: |grad f| = 2*sqrt(50)/2^k < 1e-6 first at k = 24
    assert data["converged"] is True
    assert data["reason"] == "gradient norm below tol"
    norms = [s["gradient_norm"] for s in data["path"]]
    assert norms[-1] < 1e-6 <= norms[-2]
    assert data["path"][-1]["step"] == 24


def test_descent_of_a_coupled_function_follows_the_hand_written_iteration(jac_json):
    # f = (x-1)^2 + 4(y+2)^2 + xy: grad = (2(x-1) + y, 8(y+2) + x)
    data = jac_json("descend", "(x-1)**2 + 4*(y+2)**2 + x*y", "--at", "3,1", "--rate", "0.05", "--steps", "40")
    expected = by_hand(lambda p: [2 * (p[0] - 1) + p[1], 8 * (p[1] + 2) + p[0]], [3, 1], 0.05, 40)
    assert [s["point"] for s in data["path"]] == [pytest.approx(p, rel=1e-12) for p in expected]


def test_descent_over_vector_variables(jac_json):
    # sum((w-1)^2): w <- w - 0.1*2(w-1), so w - 1 shrinks by 0.8 per step towards (1,1,1)
    data = jac_json("descend", "sum((w-1)**2)", "--vars", "w:3", "--at", "w=[0,0,3]", "--steps", "60")
    assert data["variables"] == ["w_1", "w_2", "w_3"]
    expected = by_hand(lambda p: [2 * (c - 1) for c in p], [0, 0, 3], 0.1, 60)
    assert data["path"][-1]["point"] == pytest.approx(expected[-1], rel=1e-12)
    assert data["path"][-1]["point"] == pytest.approx([1, 1, 1], abs=1e-5)


def test_descent_that_leaves_the_domain_stops_there(jac_json):
    # f = log(x) + ... from x = 1 with rate 1: x <- 1 - 1/1 = 0, where log has no value
    data = jac_json("descend", "log(x)", "--at", "1", "--rate", "1")
    assert data["reason"] == "left the domain"
    assert data["converged"] is False
    assert len(data["path"]) == 1


def test_zero_steps_is_just_the_start(jac_json):
    data = jac_json("descend", "x**2", "--at", "3", "--steps", "0")
    assert data["path"] == [{"step": 0, "point": [3], "value": 9, "gradient_norm": 6}]
    assert data["reason"] == "step limit reached"


def test_descent_table_shows_steps_and_a_sparkline():
    result = invoke("descend", "x**2+y**2", "--at", "5,-5", "--steps", "5", "--format", "plain")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert any(line.split()[:4] == ["step", "point", "f", "|∇f|"] for line in lines)
    assert any(line.split()[:3] == ["1", "(4,", "-4)"] for line in lines)
    spark = next(line for line in lines if line.startswith("f: ")).removeprefix("f: ")
    assert len(spark) == 6 and spark[0] == "█" and spark[-1] == "▁"  # f falls from 50 to 50*0.64^5
    assert list(spark) == sorted(spark, reverse=True)


def test_a_long_descent_table_leaves_out_the_middle_but_json_does_not():
    plain = invoke("descend", "x**2", "--at", "1", "--steps", "100", "--format", "plain").stdout
    assert "steps in the middle not shown" in plain
    assert len(plain.splitlines()) < 40


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--rate", "0"), "--rate must be a positive number"),
        (("--rate", "-1"), "--rate must be a positive number"),
        (("--rate", "abc"), "--rate"),
        (("--steps", "-1"), "--steps"),
        (("--tol", "-1"), "--tol"),
        (("--steps", "10000000"), "descent_steps"),
        (("--format", "latex"), "descend has no LaTeX output"),
    ],
)
def test_bad_descent_settings_are_exit_2(args, fragment):
    result = invoke("descend", "x**2+y**2", "--at", "5,-5", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_descend_needs_a_start_and_a_start_with_a_value():
    missing = invoke("descend", "x**2")
    assert missing.exit_code == 2 and "--at" in missing.stderr
    undefined = invoke("descend", "log(x)", "--at", "-1")
    assert undefined.exit_code == 2 and undefined.stdout == ""
    assert "no finite real value at the start point" in undefined.stderr


def test_help_lists_descend_with_a_pasteable_example():
    assert "descend" in invoke("--help").stdout
    assert 'jac descend "x**2+y**2" --at 5,-5 --rate 0.1 --steps 50' in invoke("descend", "--help").stdout


def test_descend_help_does_not_import_sympy():
    import subprocess
    import sys

    code = (
        "import sys; from jaccli.cli import app\n"
        "try:\n"
        "    app(['descend', '--help'], prog_name='jac')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "assert 'sympy' not in sys.modules and 'matplotlib' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_descent_as_a_rich_table():
    result = invoke("descend", "x**2+y**2", "--at", "5,-5", "--rate", "1.5", "--format", "table", "--no-color")
    assert result.exit_code == 0
    out = result.stdout
    assert any("step" in line and "point" in line and "|∇f|" in line for line in out.splitlines())
    assert "(-10, 10)" in out
    assert "diverged at step 14" in out  # f = 50*4^k passes 10^8 * 50 first at k = 14
    assert "f: " in out and "█" in out
