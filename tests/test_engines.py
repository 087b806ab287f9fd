"""One jac at every size, on both engines.

Differential tests: the SymEngine and SymPy engines give the same values (and the same structure)
entry by entry; an entry computed alone and inside a large problem is the same text and the same
value; reverse accumulation equals each engine's own forward differentiation; printed entries
parse back. The oracles are independent of jac: SymEngine's and SymPy's own `diff`, and formulas
derived by hand (the layer's diag(1 - tanh^2) W) evaluated with NumPy.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys

import numpy as np
import pytest

import jaccli
from jaccli.api import solve
from jaccli.engine import engine
from jaccli.numeric import Evaluator
from jaccli.pipeline import Context
from jaccli.problem import Kind

UNARY = [
    "sin", "cos", "tanh", "exp", "atan", "sinh", "cosh", "log", "sqrt", "asinh", "sigmoid", "softplus", "abs",
    "relu", "cbrt",
]  # fmt: skip
ENGINES = ("symengine", "sympy")


def random_expression(rng: random.Random, names: list[str], depth: int = 3) -> str:
    """A random expression in jac's language over the given names."""
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.6:
            return rng.choice(names)
        return rng.choice(["2", "3", "1/2", "0.25", "pi", "e"])
    kind = rng.choice(["+", "-", "*", "/", "**", "f", "f", "max"])
    left = random_expression(rng, names, depth - 1)
    if kind == "f":
        name = rng.choice(UNARY)
        if name in ("log", "sqrt"):  # keep the argument positive at the random points
            return f"{name}(1 + ({left})**2)"
        return f"{name}({left})"
    if kind == "**":
        return f"({left})**{rng.choice(['2', '3'])}"
    right = random_expression(rng, names, depth - 1)
    if kind == "max":
        return f"max({left}, {right})"
    if kind == "/":
        return f"({left})/(2 + ({right})**2)"
    return f"({left}) {kind} ({right})"


def random_system(seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    names = [f"x_{k}" for k in range(1, rng.randint(2, 5) + 1)]
    functions = [random_expression(rng, names) for _ in range(rng.randint(1, 4))]
    return functions, names


def random_point(seed: int, count: int) -> str:
    rng = random.Random(1000 + seed)
    return ",".join(str(rng.randint(-20, 20) / 10) for _ in range(count))


def numbers(result: jaccli.Result) -> list[list[float | None]]:
    evaluation = result.evaluations[0]
    m, n = result.shape
    rows = []
    for i in range(m):
        row = []
        for j in range(n):
            value = evaluation.number_at(i, j)
            row.append(None if value is None else float(value))
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", range(40))
def test_both_engines_agree_entry_by_entry(seed: int) -> None:
    functions, names = random_system(seed)
    point = random_point(seed, len(names))
    results = [
        solve(Kind.JACOBIAN, functions, vars=",".join(names), points=[point], context=Context(engine(name)))
        for name in ENGINES
    ]
    fast, reference = results
    assert fast.shape == reference.shape and fast.variables == reference.variables
    assert [sorted(row) for row in fast.entries] == [sorted(row) for row in reference.entries]  # same zeros
    assert fast.structure.kind == reference.structure.kind
    for got_row, expected_row in zip(numbers(fast), numbers(reference)):
        for got, expected in zip(got_row, expected_row):
            assert (got is None) == (expected is None), functions
            if got is not None and expected is not None:
                assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), functions


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sec(acos(x))", None),  # cos(pi/2) is 0, not 1e-51: a pole, not a huge value
        ("sec(atan2(1, x))", None),
        ("tan(atan2(1, x))", None),
        ("csc(2*asin(x))", None),
        ("cot(acos(x))", 0),
        ("cos(acos(x))", 0),
        ("sin(2*atan(1 + x))", 1),
    ],
)
def test_trigonometric_poles_and_zeros_reached_through_an_inverse_function(
    engine_name: str, text: str, expected: int | None
) -> None:
    """At x = 0 the argument is a multiple of pi/2 only to the working precision; jac decides it."""
    result = solve(Kind.GRADIENT, [text], vars="x", points=["0"], context=Context(engine(engine_name)))
    value = Evaluator(result.engine, {"x": 0}).value(result.functions[0])
    assert value == expected if expected is not None else value is None


@pytest.mark.parametrize("seed", range(20))
def test_an_entry_is_the_same_alone_and_inside_a_large_problem(seed: int) -> None:
    """The text and the value of an entry do not depend on what else is in the problem."""
    functions, names = random_system(seed)
    point = random_point(seed, len(names))
    alone = jaccli.jacobian(functions, vars=",".join(names), at=point)
    others = [f"tanh(y_{k}*x_1 + y_{k + 1})" for k in range(1, 121)]  # 120 more functions and variables
    extra = [f"y_{k}" for k in range(1, 122)]
    big_point = point + "," + ",".join(str((k % 7 - 3) / 4) for k in range(1, 122))
    inside = jaccli.jacobian(functions + others, vars=",".join(names + extra), at=big_point, wrt=",".join(names))
    m = len(alone.rows)
    assert inside.symbolic[:m] == alone.symbolic
    assert inside.exact[:m] == alone.exact
    assert inside.value[:m] == alone.value


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("n", [3, 12])
def test_neural_layer_jacobian_matches_the_hand_derived_formula(engine_name: str, n: int) -> None:
    """d tanh(W x + b)/dx = diag(1 - tanh(W x + b)^2) W, evaluated with NumPy: independent of jac."""
    rng = np.random.default_rng(n)
    weights = np.round(rng.uniform(-1, 1, (n, n)), 2)
    bias = np.round(rng.uniform(-1, 1, n), 2)
    x = np.round(rng.uniform(-1, 1, n), 2)
    point = (
        "W=[" + ",".join("[" + ",".join(map(repr, row)) + "]" for row in weights.tolist()) + "],"
        f"b=[{','.join(map(repr, bias.tolist()))}],x=[{','.join(map(repr, x.tolist()))}]"
    )
    context = Context(engine(engine_name))
    result = solve(
        Kind.JACOBIAN, ["tanh(W@x + b)"], vars=f"W:{n}x{n},b:{n},x:{n}", wrt="x", points=[point], context=context
    )
    expected = np.diag(1 - np.tanh(weights @ x + bias) ** 2) @ weights
    np.testing.assert_allclose(np.array(result.value, dtype=float), expected, rtol=1e-12, atol=1e-15)
    assert result.structure.kind == "dense"


def test_a_layer_in_vector_variables_and_in_scalar_names_is_the_same_jacobian() -> None:
    n = 5
    scalar = ", ".join(
        "tanh(" + " + ".join(f"W{i}_{j}*x_{j}" for j in range(1, n + 1)) + f" + b{i})" for i in range(1, n + 1)
    )
    vector = ", ".join(f"tanh(dot(W{i}, x) + b{i})" for i in range(1, n + 1))
    weights = [f"W{i}_{j}" for i in range(1, n + 1) for j in range(1, n + 1)]
    names = [*weights, *(f"b{i}" for i in range(1, n + 1)), *(f"x_{j}" for j in range(1, n + 1))]
    declared = ",".join([*(f"W{i}:{n}" for i in range(1, n + 1)), *(f"b{i}" for i in range(1, n + 1)), f"x:{n}"])
    point = ",".join(str((k % 11 - 5) / 10) for k in range(len(names)))
    by_vector = jaccli.jacobian(vector, vars=declared, wrt="x", at=point)
    by_name = jaccli.jacobian(scalar, vars=",".join(names), wrt=",".join(f"x_{j}" for j in range(1, n + 1)), at=point)
    assert by_vector.symbolic == by_name.symbolic
    assert by_vector.exact == by_name.exact
    assert by_vector.symbolic[0][0] == "W1_1*(1 - tanh(W1_1*x_1 + W1_2*x_2 + W1_3*x_3 + W1_4*x_4 + W1_5*x_5 + b1)**2)"


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("seed", range(25))
def test_reverse_accumulation_equals_the_engines_own_differentiation(engine_name: str, seed: int) -> None:
    functions, names = random_system(seed)
    context = Context(engine(engine_name))
    result = solve(Kind.JACOBIAN, functions, vars=",".join(names), context=context)
    rng = random.Random(seed)
    point = {n: rng.randint(-15, 15) / 10 for n in names}
    evaluator = Evaluator(result.engine, point)
    for i, f in enumerate(result.functions):
        if any(kink in functions[i] for kink in ("max", "relu", "abs")):
            continue  # at a tie the engines' own rules differ from jac's (heaviside(0) = 1/2)
        for j, name in enumerate(names):
            own = _own_derivative(engine_name, f, name, point)
            ours = evaluator.value(result.entry(i, j))
            if own is None or ours is None or not math.isfinite(own):
                continue  # a kink (abs, max) where the engine's own rule differs from jac's, or no value
            assert float(ours) == pytest.approx(own, rel=1e-9, abs=1e-9), (functions[i], name)


def _own_derivative(engine_name: str, f: object, name: str, point: dict[str, float]) -> float | None:
    """The engine's own derivative, evaluated by the engine (SymEngine's and SymPy's diff)."""
    if engine_name == "symengine":
        import symengine as se

        derivative = f.diff(se.Symbol(name))  # type: ignore[attr-defined]
        if any(name in str(derivative) for name in ("Derivative", "sigmoid", "softplus", "cbrt")):
            return None  # jac's own functions are undefined functions to SymEngine
        try:
            value = complex(derivative.subs({se.Symbol(n): v for n, v in point.items()}).n())
        except (RuntimeError, TypeError, ValueError):
            return None
    else:
        import sympy as sp

        from jaccli.engine.sympy_engine import to_sympy
        from jaccli.mathfns import elementary

        natural = elementary(to_sympy(engine("sympy"), f))
        derivative = sp.diff(natural, sp.Symbol(name, real=True))
        if derivative.has(sp.DiracDelta, sp.Subs, sp.Derivative):
            return None
        try:
            value = complex(derivative.subs({sp.Symbol(n, real=True): v for n, v in point.items()}).evalf(30))
        except (TypeError, ValueError):
            return None
    return value.real if abs(value.imag) < 1e-12 else None


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize("seed", range(40))
def test_printed_entries_parse_back_to_the_same_function(engine_name: str, seed: int) -> None:
    functions, names = random_system(seed)
    context = Context(engine(engine_name))
    result = solve(Kind.JACOBIAN, functions, vars=",".join(names), context=context)
    rng = random.Random(seed)
    point = {n: rng.randint(-15, 15) / 10 for n in names}
    texts = [*result.function_texts, *(t for row in result.symbolic for t in row)]
    again = solve(Kind.JACOBIAN, texts, vars=",".join(names), context=context)
    originals = [
        *result.functions,
        *(result.entry(i, j) for i in range(result.shape[0]) for j in range(result.shape[1])),
    ]
    evaluator = Evaluator(result.engine, point)
    for original, parsed in zip(originals, again.functions):
        a, b = evaluator.value(original), evaluator.value(parsed)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert float(a) == pytest.approx(float(b), rel=1e-12, abs=1e-12)


def test_the_printer_writes_jac_names_and_reads_like_textbooks() -> None:
    cases = {
        "x/y": "x/y",
        "-2*x/(3*y)": "-2*x/(3*y)",
        "1/sqrt(x)": "1/sqrt(x)",
        "1 - tanh(x)**2": "1 - tanh(x)**2",
        "x**(-y)": "x**(-y)",
        "abs(x) + max(x, y) + heaviside(x)": "abs(x) + heaviside(x) + max(x, y)",
        "x_10 + x_2 + x_1": "x_1 + x_2 + x_10",
        "x**2 + 2*x + 1": "x**2 + 2*x + 1",
    }
    for engine_name in ENGINES:
        for text, printed in cases.items():
            names = sorted({n for n in ("x", "y", "x_1", "x_2", "x_10") if n in text.replace("exp", "")})
            result = solve(Kind.JACOBIAN, [text], vars=",".join(names), context=Context(engine(engine_name)))
            assert result.function_texts[0] == printed, (engine_name, text)


@pytest.mark.e2e
def test_a_large_vector_problem_runs_without_importing_sympy() -> None:
    code = (
        "import sys, json, jaccli\n"
        "r = jaccli.jacobian('tanh(w*x + b)', vars='w:300,x:300,b:300', wrt='w', at=','.join(['1/10'] * 900))\n"
        "print(json.dumps(r.as_dict()))\n"
        "assert 'sympy' not in sys.modules, 'sympy imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["shape"] == [300, 300]
    assert data["structure"]["kind"] == "diagonal"
    # d tanh(w_1 x_1 + b)/dw_1 = x_1 (1 - tanh(w_1 x_1 + b)^2) at 1/10: independent of jac
    assert data["value"][0][0] == pytest.approx(0.1 * (1 - math.tanh(0.01 + 0.1) ** 2), rel=1e-14)
    assert data["exact"][0][0] == "(1 - tanh(11/100)**2)/10"
