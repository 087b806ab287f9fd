"""Closed forms against an independent check: the folded entry, parsed back as an element-wise
expression over the same vectors, must give every diagonal entry (or every entry of the row or
column) of the expanded matrix."""

from __future__ import annotations

import pytest
import sympy as sp

from jaccli import core, parse
from jaccli.closed_forms import Folder, VectorDot, VectorSum
from jaccli.printing import to_text

VARIABLES = parse.parse_vars("w:4,x:4,z")


def components(text: str) -> tuple[sp.Expr, ...]:
    """The folded text read back as jac's element-wise expression: one entry per component."""
    return parse.parse_functions([text], VARIABLES).functions


@pytest.mark.parametrize(
    ("expr", "wrt"),
    [
        ("sin(x^2)", "x"),
        ("w/x", "x"),
        ("exp(w*x) + w", "w"),
        ("sigmoid(w)*x", "w"),
        ("softplus(w - x)*z", "x"),
        ("log(1 + x**2)/z", "x"),
        ("tanh(w)**2", "w"),
    ],
)
def test_diag_closed_form_gives_every_diagonal_entry(expr, wrt):
    result = core.jacobian(parse.parse_functions([expr], VARIABLES), [wrt])
    closed = result.structure.closed_form
    assert closed is not None and closed.startswith("diag(") and closed.endswith(")")
    entries = components(closed[len("diag(") : -1])
    assert len(entries) == 4
    for i, entry in enumerate(entries):
        assert sp.simplify(entry - result.matrix[i, i]) == 0


@pytest.mark.parametrize(("expr", "wrt"), [("x*z**2", "z"), ("sin(x + z)", "z"), ("w/z", "z")])
def test_column_closed_form_gives_every_entry(expr, wrt):
    result = core.jacobian(parse.parse_functions([expr], VARIABLES), [wrt])
    entries = components(result.structure.closed_form)
    assert [sp.simplify(e - result.matrix[i, 0]) for i, e in enumerate(entries)] == [0] * 4


@pytest.mark.parametrize(("expr", "wrt"), [("dot(w, x)", "w"), ("sum(sin(x))", "x"), ("dot(w, x)**2", "x")])
def test_row_closed_form_gives_every_entry(expr, wrt):
    result = core.gradient(parse.parse_functions([expr], VARIABLES), [wrt])
    closed = result.structure.closed_form
    assert closed is not None and closed.endswith("^T")
    entries = components(closed[: -len("^T")])  # x, (cos(x)), 2*dot(w, x)*w: jac reads them back
    assert [sp.simplify(e - result.matrix[0, j]) for j, e in enumerate(entries)] == [0] * 4


def test_folder_recognises_complete_sums_only():
    folder = Folder(parse.parse_vars("w:3,x:3"))
    w1, w2, w3 = parse.Variable("w", 3).symbols
    x1, x2, x3 = parse.Variable("x", 3).symbols
    w, x = sp.Symbol("w", real=True), sp.Symbol("x", real=True)
    assert folder.reduce(w1 * x1 + w2 * x2 + w3 * x3) == VectorDot(w, x)
    assert folder.reduce(x1**2 + x2**2 + x3**2) == VectorSum(x**2)
    assert folder.reduce(2 * x1 + 2 * x2 + 2 * x3) == 2 * VectorSum(x)
    partial = w1 * x1 + w2 * x2
    assert folder.reduce(partial) == partial
    assert to_text(folder.reduce(sp.exp(x1 + x2 + x3) * w2)) == "w_2*exp(sum(x))"


def test_structure_of_a_plain_matrix_still_works_without_groups():
    matrix = sp.ImmutableMatrix([[1, 0], [0, 1]])
    assert core.detect_structure(matrix).kind == "identity"
    assert core.detect_structure(sp.ImmutableMatrix([[1, 2], [0, 3]])).kind == "upper_triangular"


def test_results_carry_their_groups():
    parsed = parse.parse_functions(["w*x, sum(w)"], parse.parse_vars("w:3,x:3,b"))
    result = core.jacobian(parsed, ["w", "b"])
    assert [(g.name, g.start, g.size, g.vector) for g in result.column_groups] == [
        ("w", 0, 3, True),
        ("b", 3, 1, False),
    ]
    assert [(g.start, g.size, g.vector) for g in result.row_groups] == [(0, 3, True), (3, 1, False)]
    assert result.structure.closed_form == "[diag(x), 0; 1^T, 0]"


def test_only_symbols_in_f_are_differentiated():
    # 200 functions of 2 symbols each: every other entry is the exact structural zero.
    parsed = parse.parse_functions(["w*x"], parse.parse_vars("w:200,x:200"))
    result = core.jacobian(parsed, ["w"])
    assert result.structure.nonzeros == 200
    assert result.matrix[3, 4] is sp.S.Zero
    assert result.structure.closed_form == "diag(x)"


def test_latex_of_powers_of_jac_functions_and_reductions():
    # LaTeX's printer hands the exponent of a power to the base's own method.
    result = core.gradient(parse.parse_functions(["sigmoid(z)**2 + sum(x)**2"], VARIABLES), ["z", "x"])
    assert result.structure.closed_form == "[(2 - 2*sigmoid(z))*sigmoid(z)**2, 2*sum(x)*1^T]"
    assert r"\sigma\left(z\right)^{2}" in sp.latex(result.matrix[0, 0])
    assert result.structure.closed_form_latex is not None
    assert r"\operatorname{sum}\left(x\right) \mathbf{1}^{T}" in result.structure.closed_form_latex


def test_outer_product_in_latex():
    result = core.jacobian(parse.parse_functions(["w*sum(x)"], VARIABLES), ["x"])
    assert result.structure.closed_form == "w*1^T"
    assert result.structure.closed_form_latex == r"w \mathbf{1}^{T}"
