"""Every `console` example of the README, run as a user would type it: the output must match character for
character (stdout and stderr together, as a terminal shows them when piped).

The examples of one block run in order in one fresh folder, so that a file one example writes (layer.txt)
is there for the next; `hw.toml` is the README's own ```toml block. An example that needs a tool other than
jac and the shell (jq) is skipped, by name, where that tool is not installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent
TOOLS = ("jq",)  # tools besides jac, the shell and coreutils that examples pipe into


@dataclass(frozen=True)
class Example:
    command: str
    output: str  # what the README shows under the command, a newline after each line


def console_blocks(text: str) -> list[list[Example]]:
    """The ```console blocks, each a list of `$ command` lines with the lines shown under them."""
    blocks = []
    for body in re.findall(r"^```console\n(.*?)^```$", text, re.S | re.M):
        examples: list[Example] = []
        command: str | None = None
        shown: list[str] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    examples.append(Example(command, "".join(f"{s}\n" for s in shown)))
                command, shown = line[2:], []
            else:
                shown.append(line)
        if command is not None:
            examples.append(Example(command, "".join(f"{s}\n" for s in shown)))
        blocks.append(examples)
    return blocks


def homework_file(text: str) -> str:
    """The README's example problem file (its ```toml block), which `jac check --file hw.toml` reads."""
    match = re.search(r"^```toml\n(.*?)^```$", text, re.S | re.M)
    assert match is not None, "the README has no ```toml block with the example hw.toml"
    return match.group(1)


BLOCKS = console_blocks(README)


def test_the_readme_has_its_examples():
    commands = [e.command for block in BLOCKS for e in block]
    assert len(commands) >= 35
    assert all(c.startswith(("jac ", "printf ", "python3 ", "cat ", "read ", "(ulimit -v ")) for c in commands), (
        commands
    )


def missing_tools(command: str) -> list[str]:
    return [tool for tool in TOOLS if re.search(rf"\|\s*{tool}\b", command) and shutil.which(tool) is None]


def environment() -> dict[str, str]:
    """The user's environment with this installation's jac first on PATH and no colour settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.mark.e2e
@pytest.mark.parametrize("block", BLOCKS, ids=[block[0].command[:60] for block in BLOCKS])
def test_readme_example_prints_what_the_readme_shows(block, tmp_path):
    (tmp_path / "hw.toml").write_text(homework_file(README), encoding="utf-8")
    skipped = []
    for example in block:
        missing = missing_tools(example.command)
        if missing:
            skipped.append(f"{example.command!r} (needs {', '.join(missing)})")
            continue
        done = subprocess.run(
            ["bash", "-c", example.command],
            cwd=tmp_path,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.stdout == example.output, f"$ {example.command}"
    if skipped:
        pytest.skip("not run, the tool is not installed: " + "; ".join(skipped))


def test_the_quick_start_shows_the_version_jac_prints():
    import jaccli

    shown = re.search(r"^jac --version +# jac (\S+)$", README, re.MULTILINE)
    assert shown is not None and shown.group(1) == jaccli.__version__
