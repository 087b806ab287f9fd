"""Large systems on SymEngine give the same answers as the SymPy path, and never import SymPy."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import pytest
import symengine as se
import sympy as sp
from conftest import run_jac

from jaccli import core, large, parse
from jaccli.large.build import Builder, read_trees
from jaccli.large.text import Printer

UNARY = ["sin", "cos", "tanh", "exp", "atan", "sinh", "cosh", "log", "sqrt", "asinh"]


def random_expression(rng: random.Random, names: list[str], depth: int = 3) -> str:
    """A random expression in jac's language over the given names."""
    if depth == 0 or rng.random() < 0.25:
        choice = rng.random()
        if choice < 0.6:
            return rng.choice(names)
        return rng.choice(["2", "3", "1/2", "0.25", "pi", "e"])
    kind = rng.choice(["+", "-", "*", "/", "**", "f", "f"])
    left = random_expression(rng, names, depth - 1)
    if kind == "f":
        name = rng.choice(UNARY)
        if name in ("log", "sqrt"):  # keep the argument positive at the random points
            return f"{name}(1 + ({left})**2)"
        return f"{name}({left})"
    if kind == "**":
        return f"({left})**{rng.choice(['2', '3'])}"
    right = random_expression(rng, names, depth - 1)
    if kind == "/":
        return f"({left})/(2 + ({right})**2)"
    return f"({left}) {kind} ({right})"


def random_system(seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    names = [f"x_{k}" for k in range(1, rng.randint(2, 5) + 1)]
    functions = [random_expression(rng, names) for _ in range(rng.randint(1, 4))]
    # every name appears, so that both paths find the same variables
    functions[0] = f"{functions[0]} + {' + '.join(names)}"
    return functions, names


@pytest.fixture
def always_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large, "LARGE_ENTRIES", 0)


def symengine_of(text: str, names: list[str]) -> se.Basic:
    """jac text parsed by the SymEngine builder (the test's way from SymPy's printed form to SymEngine)."""
    tree = read_trees([text])
    builder = Builder(se, {n: se.Symbol(n) for n in names})
    (entry,) = tree.entries
    return builder.build(*entry)


@pytest.mark.parametrize("seed", range(40))
def test_both_paths_agree_entry_by_entry(seed: int, always_large: None) -> None:
    functions, names = random_system(seed)
    text = ", ".join(functions)
    rng = random.Random(1000 + seed)
    point = ",".join(str(rng.randint(-20, 20) / 10) for _ in names)
    fast = large.attempt("jacobian", [text], at=[point])
    assert fast is not None, "the SymEngine path declined a system it takes"
    parsed = parse.parse_functions([text])
    slow = core.evaluate(core.jacobian(parsed), [parse.parse_point(point, parsed.variables)])
    assert fast.shape == slow.shape
    assert fast.variables == slow.variables
    m, n = fast.shape
    symbolic = fast.symbolic()
    for i in range(m):
        for j in range(n):
            # symbolically equal: SymPy's entry, printed and rebuilt in SymEngine, minus SymEngine's entry
            theirs = symengine_of(core_text(slow.matrix[i, j]), names)
            difference = se.expand(theirs - fast.entries[i][j])
            assert difference == 0 or abs(float(difference.subs(dict(zip_point(names, point))))) < 1e-9
            # the printed entry parses back (through the SymPy path's parser) to the same function
            reparsed = parse.parse_functions([symbolic[i][j]], parsed.variables).functions[0]
            assert sp.simplify(reparsed - slow.matrix[i, j]) == 0 or numeric_equal(reparsed, slow.matrix[i, j], names)
            # the same value at the point
            exact = core.to_number(slow.evaluations[0].values[i][j])
            value = fast.evaluations[0].values[i][j]
            assert (exact is None) == (value is None)
            if exact is not None and value is not None:
                assert value == pytest.approx(exact, rel=1e-9, abs=1e-9)


def core_text(expr: sp.Expr) -> str:
    from jaccli.printing import to_text

    return to_text(expr)


def zip_point(names: list[str], point: str) -> list[tuple[se.Symbol, float]]:
    return [(se.Symbol(n), float(v)) for n, v in zip(names, point.split(","))]


def numeric_equal(a: sp.Expr, b: sp.Expr, names: list[str]) -> bool:
    rng = random.Random(7)
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    for _ in range(3):
        values = {s: sp.Rational(rng.randint(-20, 20), 10) for s in symbols}
        if abs(complex((a - b).subs(values).evalf(30))) > 1e-12:
            return False
    return True


@pytest.mark.parametrize("n", [3, 10])
def test_neural_layer_jacobian_matches_the_hand_derived_formula(n: int, always_large: None) -> None:
    """d tanh(W x + b)_i / d x_j = W_ij (1 - tanh(u_i)^2): an oracle independent of both paths."""
    rng = random.Random(n)
    text = ", ".join(
        "tanh(" + " + ".join(f"W_{i}_{j}*x_{j}" for j in range(1, n + 1)) + f" + b_{i})" for i in range(1, n + 1)
    )
    weights = [[rng.randint(-99, 99) / 100 for _ in range(n)] for _ in range(n)]
    b = [rng.randint(-99, 99) / 100 for _ in range(n)]
    x = [rng.randint(-99, 99) / 100 for _ in range(n)]
    # natural order of the names: W_1_1 ... W_n_n, b_1 ... b_n, x_1 ... x_n
    point = ",".join(str(v) for v in [*(w for row in weights for w in row), *b, *x])
    wrt = [f"x_{j}" for j in range(1, n + 1)]
    result = large.attempt("jacobian", [text], wrt=wrt, at=[point])
    assert result is not None
    for i in range(n):
        u = sum(weights[i][j] * x[j] for j in range(n)) + b[i]
        for j in range(n):
            expected = weights[i][j] * (1 - math.tanh(u) ** 2)
            assert result.evaluations[0].values[i][j] == pytest.approx(expected, rel=1e-12)
    assert result.structure.kind == "dense"


def test_reverse_accumulation_equals_forward_differentiation() -> None:
    from jaccli.large.derive import Reverse

    for seed in range(30):
        functions, names = random_system(seed)
        symbols = [se.Symbol(n) for n in names]
        built = [symengine_of(f, names) for f in functions]
        forward = se.DenseMatrix(len(built), 1, built).jacobian(se.DenseMatrix(len(symbols), 1, symbols))
        reverse = Reverse(se, symbols)
        for i, f in enumerate(built):
            for j, entry in enumerate(reverse.gradient(f)):
                assert se.expand(entry - forward[i, j]) == 0, (functions[i], names[j])


@pytest.mark.parametrize("seed", range(60))
def test_printed_expressions_parse_back_to_the_same_function(seed: int) -> None:
    functions, names = random_system(seed)
    printer = Printer()
    rng = random.Random(seed)
    for text in functions:
        expr = symengine_of(text, names)
        for target in [expr, expr.diff(se.Symbol(names[0]))]:
            printed = printer.text(target)
            again = symengine_of(printed, names)
            values = {se.Symbol(n): rng.randint(-15, 15) / 10 for n in names}
            a, b = float(target.subs(values)), float(again.subs(values))
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12), printed


def test_printer_writes_jac_names() -> None:
    x, y = se.symbols("x y")
    printer = Printer()
    assert printer.text(se.exp(x) * se.E) == "exp(1 + x)"
    assert printer.text(x / y) == "x/y"
    assert printer.text(-2 * x / (3 * y)) == "-2*x/(3*y)"
    assert printer.text(1 / se.sqrt(x)) == "1/sqrt(x)"
    assert printer.text(1 - se.tanh(x) ** 2) == "1 - tanh(x)**2"
    assert printer.text(x ** (-y)) == "x**(-y)"


def layer(n: int) -> str:
    return ", ".join(
        "tanh(" + " + ".join(f"W_{i}_{j}*x_{j}" for j in range(1, n + 1)) + f" + b_{i})" for i in range(1, n + 1)
    )


def test_a_large_system_runs_without_importing_sympy() -> None:
    code = (
        "import sys\n"
        "from jaccli.cli import app\n"
        f"sys.stdin = __import__('io').StringIO({layer(12)!r})\n"
        "try:\n"
        "    app(['jacobian', '-', '--json'], prog_name='jac')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "assert 'sympy' not in sys.modules, 'sympy imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["shape"] == [12, 12 * 12 + 24]
    assert data["symbolic"][0][0] == "x_1*(1 - tanh(W_1_1*x_1 + W_1_2*x_2 + W_1_3*x_3 + W_1_4*x_4 + W_1_5*x_5 + " + (
        "W_1_6*x_6 + W_1_7*x_7 + W_1_8*x_8 + W_1_9*x_9 + W_1_10*x_10 + W_1_11*x_11 + W_1_12*x_12 + b_1)**2)"
    )
    assert data["structure"]["kind"] == "sparse"


def test_large_result_at_a_point_through_the_installed_command() -> None:
    n = 10
    names = [f"W_{i}_{j}" for i in range(1, n + 1) for j in range(1, n + 1)]
    names += [f"b_{i}" for i in range(1, n + 1)] + [f"x_{j}" for j in range(1, n + 1)]
    point = ",".join("1/10" if name.startswith("x") else "0" for name in names)
    wrt = ",".join(f"x_{j}" for j in range(1, n + 1))
    done = run_jac("jacobian", "-", "--wrt", wrt, "--at", point, "--json", stdin=layer(n))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["shape"] == [10, 10]
    assert data["value"] == [[0] * 10 for _ in range(10)]  # W = 0: every entry W_ij (1 - tanh^2) is 0
    assert data["exact"] is None  # floating point on this path
    assert data["point"]["x_3"] == "1/10"


def test_undefined_entries_of_a_large_result_are_null_with_a_warning() -> None:
    functions = ", ".join(f"log(x_{k})*x_{k + 1}" for k in range(1, 12))
    names = [f"x_{k}" for k in range(1, 13)]
    point = ",".join("0" if k == 1 else "1" for k in range(1, 13))
    done = run_jac("jacobian", functions, "--vars", ",".join(names), "--at", point, "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["value"][0][0] is None  # x_2 / x_1 at x_1 = 0
    assert data["value"][0][1] is None  # log(0)
    assert data["value"][1][2] == 0  # log(1)
    assert "entry [1,1] (df_1/dx_1) is undefined" in done.stderr


def test_what_only_sympy_does_stays_on_the_sympy_path() -> None:
    functions = ", ".join(f"sigmoid(x_{k})*x_{k + 1}" for k in range(1, 12))
    names = ",".join(f"x_{k}" for k in range(1, 13))
    done = run_jac("jacobian", functions, "--vars", names, "--at", ",".join("0" for _ in range(12)), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["exact"][0][1] == "1/2"  # exact: sigmoid(0) = 1/2 from the SymPy path
    assert "sigmoid" in data["symbolic"][0][0]


def test_a_bad_point_for_a_large_system_is_one_line_and_exit_2() -> None:
    done = run_jac("jacobian", "-", "--at", "1,2", stdin=layer(10))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "expected 120 values" in done.stderr


def test_small_problems_keep_exact_values() -> None:
    done = run_jac("grad", "x**2+y**2", "--at", "5,-5", "--json")
    data = json.loads(done.stdout)
    assert data["exact"] == [["10", "-10"]]
    assert data["norm"] == pytest.approx(10 * math.sqrt(2))


def test_many_points_of_a_large_result_match_its_values_at_each_point(tmp_path) -> None:
    n = 10
    draw = random.Random(5)
    lines = [",".join(str(draw.randint(-9, 9) / 10) for _ in range(n * n + 2 * n)) for _ in range(7)]
    lines[3] = lines[3].rsplit(",", 1)[0] + ",0"  # an ordinary point among them
    file = tmp_path / "points.txt"
    file.write_text("# weights, biases, inputs\n" + "\n".join(lines) + "\n")
    wrt = [f"x_{j}" for j in range(1, n + 1)]
    done = run_jac("jacobian", "-", "--wrt", ",".join(wrt), "--points", str(file), "--json", stdin=layer(n))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines):
        one = large.attempt("jacobian", [layer(n)], wrt=wrt, at=[line])
        assert one is not None
        assert row["point"] == pytest.approx([float(v) for v in line.split(",")])
        for got, expected in zip(row["value"], one.evaluations[0].values):
            assert got == pytest.approx(list(expected), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["gradient", "hessian", "derivative"])
def test_gradient_hessian_and_derivative_agree_with_the_sympy_path(kind: str, seed: int, always_large: None) -> None:
    functions, names = random_system(seed)
    text = functions[0]
    point = ",".join(str(random.Random(seed).randint(-20, 20) / 10) for _ in names)
    var = names[-1] if kind == "derivative" else None
    fast = large.attempt(kind, [text], at=[point], var=var, order=2 if kind == "derivative" else 1)
    assert fast is not None
    parsed = parse.parse_functions([text])
    if kind == "gradient":
        slow = core.gradient(parsed)
    elif kind == "hessian":
        slow = core.hessian(parsed)
    else:
        slow = core.derivative(parsed, var, 2)
    slow = core.evaluate(slow, [parse.parse_point(point, parsed.variables)])
    assert fast.shape == slow.shape and fast.rows == slow.rows and fast.variables == slow.variables
    for fast_row, slow_row in zip(fast.evaluations[0].values, slow.evaluations[0].values):
        for value, exact in zip(fast_row, slow_row):
            expected = core.to_number(exact)
            assert (value is None) == (expected is None)
            if value is not None and expected is not None:
                assert value == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if kind == "gradient":
        assert fast.evaluations[0].norm == pytest.approx(float(slow.evaluations[0].norm), rel=1e-9)
