"""Real shells for the completion tests: bash, zsh and fish, run with the installed `jac` first on PATH."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPLETIONS = ROOT / "completions"
BIN = Path(sys.executable).parent
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")
# Printed by a key binding after the TAB: what the command line holds then. The marker is split in the
# typed definition ("bu""ffer") so that the shell's echo of that definition never matches it.
BUFFER = re.compile(r"\[\[buffer:(.*?)\]\]")


def shell_or_skip(name: str) -> str:
    """The path of a shell; the test skips when it is not installed (CI installs bash, zsh and fish)."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed here (.ci/run installs it with apt-get)")
    return path


def shell_env(home: Path) -> dict[str, str]:
    """The test's environment with the installed jac first on PATH and a throwaway HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_JAC_", "_TYPER_", "COMP_"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HOME=str(home), TERM="xterm")
    env.pop("ZDOTDIR", None)
    return env


@dataclass
class Typed:
    buffer: str  # the command line after the keys were typed
    screen: str  # what the shell printed meanwhile (completion listings), without escape sequences


def type_keys(
    argv: Sequence[str], setup: Sequence[str], keys: str, *, cwd: Path, env: dict[str, str], timeout: float = 30
) -> Typed:
    """Start an interactive shell on a pseudo-terminal, run setup lines, type keys (with TABs), read the line.

    The setup must bind Ctrl-X to print `[[buffer:<the line>]]`; Ctrl-X is typed after the keys.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 200, 0, 0))
    process = subprocess.Popen(
        list(argv), stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
    )
    os.close(slave)
    output = bytearray()

    def read_until(pattern: re.Pattern[str]) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.search(output.decode(errors="replace"))
            if found:
                return found
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    output.extend(os.read(master, 65536))
                except OSError:
                    break
        raise AssertionError(f"the shell did not print {pattern.pattern!r}; it printed:\n{output.decode()}")

    try:
        for line in setup:
            os.write(master, line.encode() + b"\n")
        os.write(master, b"echo READY-$((40+2))\n")
        read_until(re.compile("READY-42"))
        start = len(output)
        os.write(master, keys.encode() + b"\x18")
        found = read_until(BUFFER)
        screen = ESCAPES.sub("", output[start:].decode(errors="replace"))
        return Typed(buffer=found.group(1), screen=screen)
    finally:
        process.kill()
        process.wait()
        os.close(master)


def zsh_typed(keys: str, *, fpath: Path, cwd: Path, home: Path) -> Typed:
    """Type keys into an interactive zsh without rc files whose compinit found `_jac` in fpath."""
    setup = [
        "PS1='%% '",
        f"fpath=({fpath} $fpath); autoload -U compinit; compinit -u -D",
        'dump-buffer() { print -r -- "[[bu""ffer:$BUFFER]]" }',
        "zle -N dump-buffer",
        "bindkey '^X' dump-buffer",
    ]
    return type_keys([shell_or_skip("zsh"), "-f", "-i"], setup, keys, cwd=cwd, env=shell_env(home))


def bash_typed(keys: str, *, cwd: Path, home: Path) -> Typed:
    """Type keys into an interactive bash without rc files that sourced completions/jac.bash."""
    setup = [
        "PS1='$ '",
        f"source {COMPLETIONS / 'jac.bash'}",
        """bind -x '"\\C-x": printf "[[bu""ffer:%s]]\\n" "$READLINE_LINE"'""",
    ]
    argv = [shell_or_skip("bash"), "--norc", "--noprofile", "-i"]
    return type_keys(argv, setup, keys, cwd=cwd, env=shell_env(home))


def bash_compreply(words: Sequence[str], *, home: Path, cwd: Path | None = None) -> list[str]:
    """Source jac.bash in bash, set COMP_WORDS/COMP_CWORD as readline would, call the function, read COMPREPLY.

    The last word is the one being completed (may be empty).
    """
    script = (
        f"source {COMPLETIONS / 'jac.bash'}\n"
        f"COMP_WORDS=({' '.join(_bash_quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        'complete -p jac >/dev/null || { echo "jac has no completion" >&2; exit 3; }\n'
        "_jac_completion jac\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    output = _run_script([shell_or_skip("bash"), "--norc", "--noprofile", "-c", script], home, cwd)
    return [line for line in output.splitlines() if line]


def _bash_quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def fish_complete(line: str, *, home: Path, cwd: Path | None = None) -> list[str]:
    """`complete -C LINE` in fish after `source completions/jac.fish`: the candidates, without descriptions."""
    script = f"source {COMPLETIONS / 'jac.fish'}; complete -C {_fish_quote(line)}"
    output = _run_script([shell_or_skip("fish"), "--no-config", "-c", script], home, cwd)
    return [line.split("\t")[0] for line in output.splitlines() if line]


def _run_script(argv: list[str], home: Path, cwd: Path | None) -> str:
    """Run a shell script non-interactively; it must succeed without a word on stderr."""
    done = subprocess.run(
        argv, capture_output=True, text=True, env=shell_env(home), cwd=cwd or home, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
