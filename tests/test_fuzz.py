"""Random, partly broken expressions through the parser and the commands: every outcome is a
result (exit 0) or a JacError (exit 2 with one line on stderr), never another exception.

Expressions come from a small grammar of jac's language (numbers of odd sizes, names, functions
with right and wrong argument counts, operators, lists) and are then mutated: tokens deleted,
inserted, duplicated or swapped, random characters (any Unicode) dropped in. JAC_FUZZ_EXAMPLES
sets the number of examples (the suite runs a small fixed number).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jaccli.api import solve
from jaccli.cli import app
from jaccli.errors import JacError
from jaccli.functions import ARRAY_FUNCTIONS, ELEMENTWISE
from jaccli.problem import Kind

EXAMPLES = int(os.environ.get("JAC_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
runner = CliRunner()

NAMES = ["x", "y", "z", "w", "beta", "lambda", "e", "pi", "I", "E", "nan", "oo", "S", "x1", "x10", "_x", "sum", "dot"]
NUMBERS = ["0", "1", "2", "10", "0.5", "1e3", "1e-3", "2.", ".5", "1e999", "10**999", "9" * 30, "13/10", "1/0"]
OPERATORS = ["+", "-", "*", "/", "**", "^"]
TOKENS = [
    *NAMES,
    *NUMBERS,
    *OPERATORS,
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    " ",
    "=",
    ".",
    "'",
    "@",
    "%",
    ":",
    *ELEMENTWISE,
    *ARRAY_FUNCTIONS,
]


def _leaf() -> st.SearchStrategy[str]:
    return st.sampled_from(NAMES + NUMBERS)


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    call = st.builds(
        lambda name, args: f"{name}({', '.join(args)})",
        st.sampled_from(sorted([*ELEMENTWISE, *ARRAY_FUNCTIONS])),
        st.lists(children, min_size=0, max_size=3),  # sometimes the wrong number of arguments
    )
    binary = st.builds(lambda a, op, b: f"({a}){op}({b})", children, st.sampled_from(OPERATORS), children)
    signed = st.builds(lambda sign, a: f"{sign}{a}", st.sampled_from(["-", "+", "--"]), children)
    juxtaposed = st.builds(lambda n, a: f"{n}({a})", st.sampled_from(["2", "3", "0.5"]), children)
    return st.one_of(call, binary, signed, juxtaposed)


expressions = st.recursive(_leaf(), _grow, max_leaves=8)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A grammatical expression, or a list of them, with a few random edits."""
    parts = draw(st.lists(expressions, min_size=1, max_size=3))
    text = ", ".join(parts) if len(parts) > 1 or draw(st.booleans()) else parts[0]
    if draw(st.booleans()):
        text = f"[{text}]"
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate", "unicode", "swap"]))
        if edit == "delete" and text:
            end = min(len(text), position + draw(st.integers(1, 3)))
            text = text[:position] + text[end:]
        elif edit == "insert":
            text = text[:position] + draw(st.sampled_from(TOKENS)) + text[position:]
        elif edit == "duplicate":
            end = min(len(text), position + draw(st.integers(1, 6)))
            text = text[:end] + text[position:end] + text[end:]
        elif edit == "unicode":
            text = text[:position] + draw(st.characters(codec=None)) + text[position:]
        elif edit == "swap" and position + 1 < len(text):
            text = text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text


POINT_VALUES = ["1", "-2", "1/3", "0", "pi/4", "10", "1e3", "nan", "x", "", "2^10"]
points = st.one_of(st.just(None), st.lists(st.sampled_from(POINT_VALUES), min_size=1, max_size=4).map(",".join))


@SETTINGS
@given(mutated())
def test_parser_returns_a_result_or_a_jac_error(text: str) -> None:
    try:
        result = solve(Kind.JACOBIAN, [text])
    except JacError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert result.functions and len(result.function_texts) == len(result.rows)


@SETTINGS
@given(
    mutated(),
    st.sampled_from(["grad", "jacobian", "diff", "hessian"]),
    points,
    st.sampled_from([None, "x", "x,y", "x,y,z,w", "w:2,x", "x,x"]),
    st.sampled_from(["plain", "json", "latex", "table"]),
)
def test_commands_exit_0_or_2_with_one_line(
    text: str, command: str, point: str | None, variables: str | None, fmt: str
) -> None:
    args = [command, text, "--format", fmt, "--timeout", "5"]
    if point is not None:
        args += ["--at", point]
    if variables is not None:
        args += ["--vars", variables]
    if command == "diff":
        args += ["--var", "x"]
    result = runner.invoke(app, args, prog_name="jac")
    event(f"exit {result.exit_code}")
    if result.exit_code == 0:
        assert result.stdout
        return
    assert result.exit_code == 2, (args, result.exception, result.stderr)
    assert result.stdout == "", args
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("jac"), (args, result.stderr)
    assert "Traceback" not in result.stderr
