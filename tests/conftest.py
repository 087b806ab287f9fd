"""Shared fixtures: the installed `jac` run as a shell script would run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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
    """Run the installed jac; stdout and stderr are kept apart. Without `env`, no colour settings."""
    assert JAC is not None, "the jac command is not installed in this environment"
    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in COLOUR_VARIABLES}
    return subprocess.run(
        [JAC, *args], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, check=False
    )


@pytest.fixture
def jac() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_jac


@pytest.fixture
def jac_json() -> Callable[..., Any]:
    """Run jac with --json, insist on success, return the parsed object."""

    def run(*args: str) -> Any:
        done = run_jac(*args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run
