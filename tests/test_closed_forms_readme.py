"""The closed forms the README shows are the ones jac gives (through the Python API)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from jaccli import api
from jaccli.result import Result

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("### Closed forms in matrix notation") :]
SECTION = SECTION[: SECTION.index("\n## ")]
DEFAULT_VARS = re.search(r"\(`--vars ([^`]+)`\)", SECTION).group(1)  # type: ignore[union-attr]


def run(command: str) -> Result:
    """A jac command line (without `jac`) through the API."""
    kind, expr, *options = shlex.split(command)
    given = dict(zip(options[::2], options[1::2]))
    keywords = {"vars": given.get("--vars", DEFAULT_VARS)}
    if "--wrt" in given:
        keywords["wrt"] = given["--wrt"]
    calls = {"jacobian": api.jacobian, "grad": api.gradient, "hessian": api.hessian}
    return calls[kind](expr, **keywords)


TABLE_ROWS = re.findall(r"^\| `((?:jacobian|grad|hessian) [^`]+)` \| `([^`]+)` \|$", SECTION, re.MULTILINE)
CONSOLE = re.findall(r"^\$ jac (.+) --json \| jq -r \.structure\.closed_form\n(.+)$", README, re.MULTILINE)


def test_the_readme_has_the_examples() -> None:
    assert len(TABLE_ROWS) >= 14
    assert len(CONSOLE) >= 4


@pytest.mark.parametrize(("command", "closed"), TABLE_ROWS)
def test_readme_tables(command: str, closed: str) -> None:
    result = run(command)
    if "--wrt W" in command or "--wrt X" in command:
        assert result.structure.gradient_matrix_closed_form == closed
    else:
        assert result.structure.closed_form == closed


@pytest.mark.parametrize(("command", "closed"), CONSOLE)
def test_readme_console_examples(command: str, closed: str) -> None:
    assert run(command).structure.closed_form == closed
