"""The man page jac.1: generated from the app (the staleness test of jaccli.regenerate covers it), complete,
and rendered by man without complaint. The wheel test in test_completion.py checks where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.main import get_command

from jaccli import __version__
from jaccli.cli import app
from jaccli.regenerate import man_page

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "man" / "jac.1"


def test_the_committed_man_page_is_what_the_app_generates():
    assert PAGE.read_text(encoding="utf-8") == man_page(), "run `python -m jaccli.regenerate` and commit man/jac.1"


def test_the_man_page_has_every_command_and_every_option():
    text = PAGE.read_text(encoding="utf-8")
    assert f'.TH JAC 1 "" "jac {__version__}"' in text
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name, command in group.commands.items():
        assert f'.SS "jac {name} ' in text, name
        section = text.split(f'.SS "jac {name} ')[1].split(".SS ")[0]
        for param in command.get_params(typer.Context(command, **command.context_settings)):
            for spelling in param.opts if param.param_type_name == "option" else ():
                assert "\\fB" + spelling.replace("-", "\\-") + "\\fR" in section, (name, spelling)
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "EXIT STATUS", "ENVIRONMENT", "EXAMPLES"):
        assert f"\n.SH {section}\n" in text
    assert "NO_COLOR" in text and "FORCE_COLOR" in text


@pytest.mark.e2e
def test_man_renders_the_page_without_warnings():
    groff = shutil.which("groff")
    if groff is None:
        pytest.skip("groff is not installed here")
    done = subprocess.run(
        [groff, "-man", "-Tutf8", "-ww", str(PAGE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    shown = re.sub(".\b", "", done.stdout).replace("\u2010", "-").replace("\u2212", "-")  # no overstrike, ASCII -
    assert "jac grad [OPTIONS] EXPR" in shown
    assert 'jac diff "-209*q**5" --at 1 -q' in shown
