"""Every case of tests/hostile_corpus.toml through the installed jac: the documented exit, a short
message on stderr, nothing on stdout, no traceback, no file created, and no hang.

The subprocess gets the command's time bound plus one second (plus the interpreter's start-up) as
its own timeout: a hang detector, not a speed assertion. Where `prlimit` exists every case runs with
an address space of 4 GB, as a machine with little memory would give it, and must not die by a signal.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import JAC

CORPUS = Path(__file__).with_name("hostile_corpus.toml")
CASES: list[dict[str, Any]] = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]
REPEAT = re.compile(r"<<(.*?)\*(\d+)>>", re.DOTALL)
DEFAULT_TIMEOUT = 10.0
START_UP = 5.0  # Python, typer and SymPy loading on a busy machine, before the command's own clock starts
PRLIMIT = shutil.which("prlimit")


def expand(text: str, marker: Path) -> str:
    return REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), text).replace("{marker}", str(marker))


def time_bound(args: list[str]) -> float:
    if "--timeout" in args:
        return float(args[args.index("--timeout") + 1])
    return DEFAULT_TIMEOUT


def test_the_corpus_is_large_and_covers_every_category():
    categories = {case["category"] for case in CASES}
    assert len(CASES) >= 50
    assert {"code execution", "denial of service", "malformed", "unicode", "odd numbers", "special names"} <= categories
    assert {"arity", "variables and points", "check and points"} <= categories
    assert {"time bound", "memory", "bounded reading", "messages", "output streams", "markup"} <= categories
    assert "silent wrong values" in categories


@pytest.mark.e2e
@pytest.mark.parametrize(
    "case", CASES, ids=[f"{i}-{c['category']}-{(c['args'] or ['jac'])[0]}" for i, c in enumerate(CASES)]
)
def test_hostile_input(case: dict[str, Any], tmp_path: Path) -> None:
    assert JAC is not None
    marker = tmp_path / "pwned"
    encoding = case.get("encoding", "utf-8")
    args = [expand(a, marker) for a in case["args"]]
    stdin = expand(case["stdin"], marker).encode(encoding) if "stdin" in case else None
    created = set()
    files = {name: "" for name in case.get("create", ())} | case.get("files", {})
    for name, content in files.items():  # files the case needs: a point file, a home folder that is a file
        (tmp_path / name).write_text(content)
        created.add(tmp_path / name)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env |= {k: v.replace("{tmp}", str(tmp_path)) for k, v in case.get("env", {}).items()}
    timeout = time_bound(args) if "nan" not in args and "inf" not in args else DEFAULT_TIMEOUT
    command = [os.fsencode(JAC), *(a.encode(encoding) for a in args)]
    if "redirect" in case:  # >/dev/full, >&- or 2>&-, as a shell script would write it
        command = [b"sh", b"-c", f'exec "$0" "$@" {case["redirect"]}'.encode(), *command]
    if PRLIMIT is not None:
        command = [os.fsencode(PRLIMIT), b"--as=4000000000", *command]
    done = subprocess.run(
        command,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=max(timeout, 0.1) + 1 + START_UP,
        check=False,
    )
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode >= 0, f"killed by signal {-done.returncode}"
    assert done.returncode == case["exit"], (args, stderr)
    assert "Traceback" not in stderr
    assert case["stderr"] in stderr, stderr
    if case.get("redirect") == "2>&-":  # nothing can be said, and a success is still a success
        assert stderr == "" and (case["exit"] == 2 or case["stdout"] in stdout)
    elif case["exit"] == 2:
        assert stdout == ""
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("jac"), stderr
        assert len(lines[0]) < 400, lines[0]
    else:
        assert case["stdout"] in stdout
        if case.get("stdout_ascii"):
            assert done.stdout.isascii(), stdout
    assert set(tmp_path.iterdir()) == created
