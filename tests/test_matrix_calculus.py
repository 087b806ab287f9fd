"""Identities of matrix calculus: jac's closed forms and values against NumPy formulas written here.

The identities are those of the Matrix Cookbook (Petersen & Pedersen, sections 2.4-2.8: linear
and quadratic forms, traces, determinants, inverses, norms) and of Parr & Howard, "The Matrix
Calculus You Need For Deep Learning" (layers, activations and losses), plus the ones the
matrix notation names. For each: the values jac computes at a random point equal the NumPy
formula of the literature; the closed form is the text the literature writes; that text, read
back by an independent NumPy reader (tests/matrix_notation.py), gives the same values; and it has
a LaTeX form. Gradients by a matrix X are the gradient shaped like X (entry (i, j) = df/dX_ij).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from matrix_notation import evaluate_blocks

from jaccli import api
from jaccli.result import Result

VARS = "x:3,a:3,b:3,c:3,d:2,y:2,t,s,X:3x3,A:3x3,B:3x3,D:3x3,W:2x3,V:2x2,u:2"


@dataclass(frozen=True)
class Identity:
    kind: str  # "gradient", "jacobian", "hessian", or "matrix" (the gradient shaped like a matrix)
    expr: str
    wrt: str
    closed: str
    formula: Callable[[dict[str, Any]], Any]


def sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))


def row(v: Any) -> Any:
    return np.reshape(v, (1, -1))


IDENTITIES = [
    # -- the matrix notation's own list -----------------------------------------------------------
    Identity("jacobian", "W@x", "x", "W", lambda p: p["W"]),
    Identity("jacobian", "W@x + y", "y", "I", lambda p: np.eye(2)),
    Identity(
        "jacobian",
        "tanh(W@x + y)",
        "x",
        "diag(1 - tanh(W@x + y)**2)@W",
        lambda p: np.diag(1 - np.tanh(p["W"] @ p["x"] + p["y"]) ** 2) @ p["W"],
    ),
    Identity("gradient", "x@A@x", "x", "x^T@(A + A^T)", lambda p: row(p["x"] @ (p["A"] + p["A"].T))),
    Identity(
        "matrix", "sum((W@x - y)**2)", "W", "2*(W@x - y)*x^T", lambda p: 2 * np.outer(p["W"] @ p["x"] - p["y"], p["x"])
    ),
    Identity("matrix", "trace(A@X)", "X", "A^T", lambda p: p["A"].T),
    Identity("matrix", "det(X)", "X", "det(X)*inv(X)^T", lambda p: np.linalg.det(p["X"]) * np.linalg.inv(p["X"]).T),
    # -- the Matrix Cookbook, 2.4: linear and quadratic forms -------------------------------------------
    Identity("gradient", "dot(x, a)", "x", "a^T", lambda p: row(p["a"])),  # (69)
    Identity("jacobian", "A@x", "x", "A", lambda p: p["A"]),
    Identity("jacobian", "x@A", "x", "A^T", lambda p: p["A"].T),
    Identity("matrix", "a@X@b", "X", "a*b^T", lambda p: np.outer(p["a"], p["b"])),  # (70)
    Identity("matrix", "a@transpose(X)@b", "X", "b*a^T", lambda p: np.outer(p["b"], p["a"])),  # (71)
    Identity("matrix", "a@X@a", "X", "a*a^T", lambda p: np.outer(p["a"], p["a"])),  # (72)
    Identity(
        "matrix",
        "b@transpose(X)@X@c",
        "X",
        "X@(b*c^T + c*b^T)",
        lambda p: p["X"] @ (np.outer(p["b"], p["c"]) + np.outer(p["c"], p["b"])),
    ),  # (77)
    Identity(
        "matrix",
        "b@transpose(X)@D@X@c",
        "X",
        "D@X@c*b^T + D^T@X@b*c^T",
        lambda p: p["D"].T @ p["X"] @ np.outer(p["b"], p["c"]) + p["D"] @ p["X"] @ np.outer(p["c"], p["b"]),
    ),  # (82)
    Identity("gradient", "x@B@x", "x", "x^T@(B + B^T)", lambda p: row((p["B"] + p["B"].T) @ p["x"])),  # (81)
    Identity("gradient", "dot(x, x)", "x", "2*x^T", lambda p: row(2 * p["x"])),
    Identity(
        "gradient",
        "sum((A@x - b)**2)",
        "x",
        "2*(A@x - b)^T@A",
        lambda p: row(2 * p["A"].T @ (p["A"] @ p["x"] - p["b"])),
    ),  # (84)
    Identity("hessian", "x@A@x", "x", "A + A^T", lambda p: p["A"] + p["A"].T),
    Identity("hessian", "sum((A@x - b)**2)/2", "x", "A^T@A", lambda p: p["A"].T @ p["A"]),
    # -- 2.5: traces ------------------------------------------------------------------------------------------
    Identity("matrix", "trace(X)", "X", "I", lambda p: np.eye(3)),  # (99)
    Identity("matrix", "trace(A@X@B)", "X", "A^T@B^T", lambda p: p["A"].T @ p["B"].T),  # (101)
    Identity("matrix", "trace(transpose(X)@A)", "X", "A", lambda p: p["A"]),  # (103)
    Identity("matrix", "trace(X@X)", "X", "2*X^T", lambda p: 2 * p["X"].T),  # (106)
    Identity("matrix", "trace(transpose(X)@X)", "X", "2*X", lambda p: 2 * p["X"]),  # (111)
    Identity("matrix", "trace(transpose(X)@B@X)", "X", "(B + B^T)@X", lambda p: (p["B"] + p["B"].T) @ p["X"]),  # (108)
    Identity("matrix", "trace(X@B@transpose(X))", "X", "X@(B + B^T)", lambda p: p["X"] @ (p["B"] + p["B"].T)),  # (116)
    Identity("matrix", "trace(inv(X))", "X", "-inv(X)^T@inv(X)^T", lambda p: -np.linalg.inv(p["X"] @ p["X"]).T),
    # -- 2.1 and 2.2: determinants and inverses -------------------------------------------------------------
    Identity("matrix", "log(det(X))", "X", "inv(X)^T", lambda p: np.linalg.inv(p["X"]).T),  # (57)
    Identity(
        "matrix",
        "a@inv(X)@b",
        "X",
        "-inv(X)^T@a*b^T@inv(X)^T",
        lambda p: -np.linalg.inv(p["X"]).T @ np.outer(p["a"], p["b"]) @ np.linalg.inv(p["X"]).T,
    ),  # (61)
    # -- 2.6: norms ---------------------------------------------------------------------------------------
    Identity("gradient", "norm(x - a)**2", "x", "2*(x - a)^T", lambda p: row(2 * (p["x"] - p["a"]))),  # (131)
    Identity("gradient", "norm(x)", "x", "(1/norm(x))*x^T", lambda p: row(p["x"] / np.linalg.norm(p["x"]))),
    Identity("matrix", "norm(X)**2", "X", "2*X", lambda p: 2 * p["X"]),  # Frobenius
    Identity("matrix", "sum(X**2)", "X", "2*X", lambda p: 2 * p["X"]),
    Identity(
        "jacobian",
        "x/norm(x)",
        "x",
        "(1/norm(x))*I - (x*x^T)/norm(x)**3",
        lambda p: np.eye(3) / np.linalg.norm(p["x"]) - np.outer(p["x"], p["x"]) / np.linalg.norm(p["x"]) ** 3,
    ),
    # -- Parr & Howard: layers, activations, losses -----------------------------------------------------------
    Identity(
        "jacobian",
        "sigmoid(W@x + y)",
        "x",
        "diag(sigmoid(W@x + y)*(1 - sigmoid(W@x + y)))@W",
        lambda p: np.diag(sigmoid(p["W"] @ p["x"] + p["y"]) * (1 - sigmoid(p["W"] @ p["x"] + p["y"]))) @ p["W"],
    ),
    Identity(
        "jacobian",
        "sigmoid(W@x + y)",
        "y",
        "diag(sigmoid(W@x + y)*(1 - sigmoid(W@x + y)))",
        lambda p: np.diag(sigmoid(p["W"] @ p["x"] + p["y"]) * (1 - sigmoid(p["W"] @ p["x"] + p["y"]))),
    ),
    Identity(
        "jacobian",
        "max(0, W@x + y)",
        "x",
        "diag(heaviside(W@x + y))@W",
        lambda p: np.diag(np.heaviside(p["W"] @ p["x"] + p["y"], 0.5)) @ p["W"],
    ),
    Identity(
        "jacobian",
        "V@tanh(W@x + y)",
        "x",
        "V@diag(1 - tanh(W@x + y)**2)@W",
        lambda p: p["V"] @ np.diag(1 - np.tanh(p["W"] @ p["x"] + p["y"]) ** 2) @ p["W"],
    ),
    Identity(
        "gradient",
        "max(0, dot(a, x) + t)",
        "a",
        "heaviside(dot(a, x) + t)*x^T",
        lambda p: row(np.heaviside(p["a"] @ p["x"] + p["t"], 0.5) * p["x"]),
    ),
    Identity(
        "gradient",
        "(max(0, dot(a, x) + t) - s)**2",
        "a",
        "2*heaviside(dot(a, x) + t)*(max(0, dot(a, x) + t) - s)*x^T",
        lambda p: row(
            2 * (max(0.0, p["a"] @ p["x"] + p["t"]) - p["s"]) * np.heaviside(p["a"] @ p["x"] + p["t"], 0.5) * p["x"]
        ),
    ),
    Identity(
        "matrix",
        "sum((W@x + d - u)**2)",
        "W",
        "2*(W@x + d - u)*x^T",
        lambda p: 2 * np.outer(p["W"] @ p["x"] + p["d"] - p["u"], p["x"]),
    ),
    Identity(
        "gradient",
        "sum((W@x + d - u)**2)",
        "d",
        "2*(W@x + d - u)^T",
        lambda p: row(2 * (p["W"] @ p["x"] + p["d"] - p["u"])),
    ),
    Identity(
        "gradient",
        "softplus(-t*dot(a, x))",
        "a",
        "-t*sigmoid(-dot(a, x)*t)*x^T",
        lambda p: row(-p["t"] * sigmoid(-p["t"] * (p["a"] @ p["x"])) * p["x"]),
    ),  # the logistic loss log(1 + exp(-t a.x))
    Identity(
        "matrix",
        "sum(tanh(W@x))",
        "W",
        "(1 - tanh(W@x)**2)*x^T",
        lambda p: np.outer(1 - np.tanh(p["W"] @ p["x"]) ** 2, p["x"]),
    ),
    Identity("matrix", "dot(W@a, W@a)", "W", "2*W@a*a^T", lambda p: 2 * p["W"] @ np.outer(p["a"], p["a"])),
    Identity("matrix", "trace(X@A@transpose(X))", "X", "X@(A + A^T)", lambda p: p["X"] @ (p["A"] + p["A"].T)),
]


def random_point(seed: int) -> dict[str, Any]:
    """Values of every variable; X near 2I so that det(X) > 0 (log det) and X is well conditioned."""
    rng = np.random.default_rng(seed)

    def draw(*shape: int) -> Any:
        return np.round(rng.uniform(-1, 1, shape), 3)

    point: dict[str, Any] = {name: draw(3) for name in "xabc"}
    point.update(y=draw(2), d=draw(2), u=draw(2), t=float(draw(1)[0]), s=float(draw(1)[0]))
    point.update(X=np.round(2 * np.eye(3) + 0.3 * draw(3, 3), 3), A=draw(3, 3), B=draw(3, 3), D=draw(3, 3))
    point.update(W=draw(2, 3), V=draw(2, 2))
    return point


def compute(identity: Identity, point: dict[str, Any] | None) -> Result:
    at = None if point is None else {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in point.items()}
    if identity.kind == "jacobian":
        return api.jacobian(identity.expr, vars=VARS, wrt=identity.wrt, at=at)
    if identity.kind == "hessian":
        return api.hessian(identity.expr, vars=VARS, wrt=identity.wrt, at=at)
    return api.gradient(identity.expr, vars=VARS, wrt=identity.wrt, at=at)


def block_sizes(result: Result) -> tuple[list[int], list[int]]:
    return [g.size for g in result.row_groups], [g.size for g in result.column_groups]


@pytest.mark.parametrize("identity", IDENTITIES, ids=lambda i: f"{i.kind}:{i.expr}:{i.wrt}")
def test_identity_values_and_closed_form(identity: Identity) -> None:
    point = random_point(len(identity.expr))
    expected = np.asarray(identity.formula(point), dtype=float)
    result = compute(identity, point)
    structure = result.structure
    if identity.kind == "matrix":
        data = result.as_dict()["gradient_matrix"]
        got = np.asarray(data["value"], dtype=float)
        assert data["closed_form"] == identity.closed == structure.gradient_matrix_closed_form
        read_back = evaluate_blocks(identity.closed, point, [expected.shape[0]], [expected.shape[1]])
        assert structure.gradient_matrix_closed_form_latex
    else:
        got = np.asarray(result.value, dtype=float)
        assert structure.closed_form == identity.closed
        read_back = evaluate_blocks(identity.closed, point, *block_sizes(result))
        assert structure.closed_form_latex
    np.testing.assert_allclose(got, expected.reshape(got.shape), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(read_back, expected.reshape(got.shape), rtol=1e-9, atol=1e-12)


def test_there_are_more_than_25_identities_beyond_the_seven_of_the_notation() -> None:
    assert len(IDENTITIES) - 7 >= 25


# LaTeX of the literature's forms
LATEX = [
    ("jacobian", "tanh(W@x + y)", "x", r"\operatorname{diag}\left(1 - \tanh\left(W x + y\right)^{2}\right) W"),
    ("gradient", "x@A@x", "x", r"x^{T} \left(A + A^{T}\right)"),
    ("matrix", "sum((W@x - y)**2)", "W", r"2 \left(W x - y\right) x^{T}"),
    ("matrix", "det(X)", "X", r"\det\left(X\right) X^{-T}"),
    ("matrix", "trace(inv(X))", "X", r"-X^{-T} X^{-T}"),
    ("gradient", "max(0, dot(a, x) + t)", "a", r"\theta\left(a^{T} x + t\right) x^{T}"),
    ("jacobian", "a*x", "a", r"\operatorname{diag}\left(x\right)"),
    ("hessian", "sum(a)**2", "a", r"2 \mathbf{1} \mathbf{1}^{T}"),
    (
        "jacobian",
        "x/norm(x)",
        "x",
        r"\frac{1}{\left\lVert x \right\rVert} I - \frac{x x^{T}}{\left\lVert x \right\rVert^{3}}",
    ),
]


@pytest.mark.parametrize(("kind", "expr", "wrt", "latex"), LATEX)
def test_closed_forms_in_latex(kind: str, expr: str, wrt: str, latex: str) -> None:
    result = compute(Identity(kind, expr, wrt, "", lambda p: None), None)
    structure = result.structure
    got = structure.gradient_matrix_closed_form_latex if kind == "matrix" else structure.closed_form_latex
    assert got == latex
