"""Colour and legends in a real terminal (a pseudo-terminal): NO_COLOR, FORCE_COLOR, --no-color, and legends
that describe only what is shown."""

from __future__ import annotations

import io
import re

import pytest
from conftest import run_jac
from terminal import colours, environment, in_terminal, styles, visible

import jaccli
from jaccli.render.table import diagonal_marked, legend, write_table
from jaccli.render.terminal import Shown

HOMEWORK = """
[[problem]]
name = "right"
kind = "grad"
function = "x^2"
answer = "2x"

[[problem]]
name = "wrong"
kind = "grad"
function = "x^2"
answer = "3x"
"""
DIAGONAL_LEGEND = "(bold cyan: diagonal, dim: structurally zero)"

pytestmark = pytest.mark.e2e


def test_a_terminal_gets_colour_and_the_legend_says_which():
    shown = in_terminal("jacobian", "sin(x), cos(y)", "--at", "0,0")
    assert colours(shown), "a diagonal matrix shows its diagonal in colour on a terminal"
    assert DIAGONAL_LEGEND in visible(shown)


@pytest.mark.parametrize("setting", [{"NO_COLOR": "1"}, {"NO_COLOR": "anything"}, {}])
def test_no_color_removes_every_colour_but_not_bold_and_dim(setting):
    args = ["jacobian", "sin(x), cos(y)", "--at", "0,0"] + ([] if setting else ["--no-color"])
    shown = in_terminal(*args, **setting)
    assert colours(shown) == []
    assert styles(shown), "bold and dim are not colours: the diagonal and the zeros stay marked"
    text = visible(shown)
    assert "(bold: diagonal, dim: structurally zero)" in text
    assert "cyan" not in text


def test_an_empty_no_color_is_not_set():
    assert colours(in_terminal("jacobian", "sin(x), cos(y)", NO_COLOR=""))


def test_no_color_reaches_descend_and_the_check_report(tmp_path):
    homework = tmp_path / "hw.toml"
    homework.write_text(HOMEWORK)
    for args in (("descend", "x**2", "--at", "1", "--steps", "200"), ("check", "--file", str(homework))):
        assert colours(in_terminal(*args)), f"{args[0]} has colour on a terminal"
        shown = in_terminal(*args, NO_COLOR="1")
        assert colours(shown) == [], args
        assert "right" in visible(shown) or "converged" in visible(shown)


def test_force_color_gives_the_table_in_colour_when_piped():
    done = run_jac("jacobian", "sin(x), cos(y)", env=environment(FORCE_COLOR="1"))
    assert done.returncode == 0
    assert colours(done.stdout)
    assert DIAGONAL_LEGEND in visible(done.stdout)
    # NO_COLOR and --no-color win over FORCE_COLOR: plain text, no escape codes at all
    for env, extra in (
        (environment(FORCE_COLOR="1", NO_COLOR="1"), ()),
        (environment(FORCE_COLOR="1"), ("--no-color",)),
    ):
        done = run_jac("jacobian", "sin(x), cos(y)", *extra, env=env)
        assert "\x1b[" not in done.stdout
        assert "structure: diagonal, 2 of 4 entries nonzero\n" in done.stdout


def test_a_dense_matrix_has_no_diagonal_highlight_or_legend():
    # x*sum(x) by x: sum(x)*I + x*1^T, every entry nonzero: the diagonal is nothing special
    shown = in_terminal("jacobian", "x*sum(x)", "--vars", "x:40")
    text = visible(shown)
    assert "structure: dense, 1,600 of 1,600 entries nonzero" in text
    assert "diagonal" not in text.split("structure:")[1].splitlines()[0]
    assert colours(shown) == []


def test_prose_wraps_at_word_boundaries_to_the_terminal_width():
    args = ("grad", "x**2+y**2", "--at", "5,-5", "--explain")
    wide = visible(in_terminal(*args, columns=200))
    narrow = visible(in_terminal(*args, columns=50))
    explained = narrow.split("what this means:\n")[1]
    assert all(len(line) <= 50 for line in explained.splitlines())
    # the same words in the same order: lines were broken between words, never inside one
    assert explained.split() == wide.split("what this means:\n")[1].split()
    assert "st\nep" not in narrow and "step." in explained


# --- the legend, in-process ---------------------------------------------------------------------------


def result_of(*texts: str, variables: str | None = None) -> jaccli.Result:
    return jaccli.jacobian(list(texts), vars=variables)


@pytest.mark.parametrize(
    ("texts", "shown", "expected"),
    [
        (["sin(x), cos(y)"], Shown(styles=True, colours=True), "(bold cyan: diagonal, dim: structurally zero)"),
        (["sin(x), cos(y)"], Shown(styles=True, colours=False), "(bold: diagonal, dim: structurally zero)"),
        (["sin(x), cos(y)"], Shown(styles=False, colours=False), None),
        (["x*y, x+y"], Shown(styles=True, colours=True), None),  # dense: nothing is marked
        (["x*y, y"], Shown(styles=True, colours=True), "(bold cyan: diagonal, dim: structurally zero)"),  # triangular
        (["x*y, y, x"], Shown(styles=True, colours=True), "(dim: structurally zero)"),  # not square
    ],
)
def test_the_legend_names_only_what_is_shown(texts, shown, expected):
    assert legend(result_of(*texts), shown) == expected


def test_a_dense_square_matrix_is_not_marked_on_its_diagonal():
    assert not diagonal_marked(result_of("x*y, x+y"))
    assert diagonal_marked(result_of("sin(x), cos(y)"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color_in_the_environment_reaches_the_table_renderer(monkeypatch):
    result = result_of("sin(x), cos(y)")
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    write_table(result, out)
    assert colours(out.getvalue()) == [] and styles(out.getvalue())
    monkeypatch.delenv("NO_COLOR")
    out = Terminal()
    write_table(result, out)
    assert re.search(r"\x1b\[[0-9;]*36", out.getvalue()), "cyan on a terminal by default"


# --- never a hidden digit: a table too narrow for its entries falls back to the plain layout ------------------


@pytest.mark.e2e
@pytest.mark.parametrize("columns", [10, 0])
def test_a_terminal_too_narrow_for_the_table_gets_the_plain_layout_and_is_told_so(columns):
    shown = visible(in_terminal("grad", "x**2+y**2", "--at", "5,-5", columns=columns, COLUMNS=str(columns)))
    assert f"the terminal is {columns} columns wide, too narrow for the table's entries" in shown
    assert "  f  2*x  2*y" in shown and "  f  10  -10" in shown  # every entry, in the plain layout


@pytest.mark.e2e
def test_a_long_value_wraps_in_the_table_with_every_character_kept():
    function = "exp(3)*log(10)*sin(x)*cos(x)*35*tan(x)**3*exp(x)*atan(x)"
    exact = jaccli.derivative(function, at="1").exact[0][0]
    shown = visible(in_terminal("diff", function, "--at", "1", columns=80))
    cells = "".join(line.strip("│ ").strip() for line in shown.split("df/dx at x = 1")[1].splitlines() if "│" in line)
    assert "".join(exact.split()) in "".join(cells.split())
