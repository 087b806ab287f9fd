"""Shared fixtures: jac run in-process as the command line runs it, or as an installed command.

`jac` and `jac_json` call the typer app in this process (fast: no interpreter start-up, no SymPy
import per call) and give back what a shell sees: the exit status, stdout and stderr apart. Tests
of what only a real process shows (start-up imports, signals, terminals, file descriptors, the
console script's exit) use `run_jac` and are marked `e2e`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

# The property tests draw the same examples on every run of the suite, so that a red run can be repeated
# and a green one stays green; JAC_FUZZ_EXAMPLES=N (see tests/test_fuzz.py) draws new ones, as many as asked.
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("JAC_FUZZ_EXAMPLES") else "suite")

JAC = shutil.which("jac", path=str(Path(sys.executable).parent)) or shutil.which("jac")


COLOUR_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE")


@pytest.fixture(autouse=True)
def _no_colour_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests see no NO_COLOR or FORCE_COLOR of the machine running them (tests set their own)."""
    for name in COLOUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def run_jac(
    *args: str,
    stdin: str | None = None,
    cwd: str | Path | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed jac in a process of its own; stdout and stderr are kept apart."""
    assert JAC is not None, "the jac command is not installed in this environment"
    environment = {k: v for k, v in os.environ.items() if k not in COLOUR_VARIABLES}
    environment.update(env or {})
    return subprocess.run(
        [JAC, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=environment,
        check=False,
    )


def invoke(
    *args: str, stdin: str | None = None, cwd: str | Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run jac in this process, through typer's test runner, and answer like subprocess.run would.

    An unexpected exception (a bug) becomes exit status 1 with its traceback on stderr, as the
    console script would end.
    """
    from jaccli.cli import app

    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, list(args), input=stdin, prog_name="jac", catch_exceptions=True)
    finally:
        os.chdir(previous)
    stderr = result.stderr
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    return subprocess.CompletedProcess(["jac", *args], code, result.stdout, stderr)


@pytest.fixture
def jac() -> Callable[..., subprocess.CompletedProcess[str]]:
    return invoke


@pytest.fixture
def jac_json() -> Callable[..., Any]:
    """Run jac with --json, insist on success, return the parsed object."""

    def run(*args: str) -> Any:
        done = invoke(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run
