"""The installed jac on a pseudo-terminal: what a user sees in a terminal window, escape codes included."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

BIN = Path(sys.executable).parent
SGR = re.compile(r"\x1b\[([0-9;]*)m")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# SGR parameters that set a colour (foreground, background, 256-colour and true-colour forms, bright)
COLOUR_PARAMETERS = {*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108)}


def environment(**changes: str | None) -> dict[str, str]:
    """The environment with this installation's jac first on PATH, no colour settings unless given."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", TERM="xterm-256color")
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def in_terminal(*args: str, columns: int = 120, timeout: float = 60, **env: str | None) -> str:
    """Run `jac ARGS` with stdout and stderr on a pseudo-terminal of `columns` columns; what it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    process = subprocess.Popen(
        [str(BIN / "jac"), *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=environment(**env),
        start_new_session=True,
    )
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other end is closed: jac has finished
                    break
                if not chunk:
                    break
                output.extend(chunk)
            elif process.poll() is not None:
                break
    finally:
        process.kill()
        process.wait()
        os.close(master)
    return output.decode().replace("\r\n", "\n")


def colours(text: str) -> list[str]:
    """The escape sequences in `text` that set a colour (bold and dim are not colours)."""
    found = []
    for match in SGR.finditer(text):
        parameters = [int(p) for p in match.group(1).split(";") if p]
        if any(p in COLOUR_PARAMETERS for p in parameters):
            found.append(match.group(0))
    return found


def styles(text: str) -> list[str]:
    """Every SGR escape sequence other than a reset."""
    return [m.group(0) for m in SGR.finditer(text) if m.group(1) not in ("", "0")]


def visible(text: str) -> str:
    return ESCAPES.sub("", text)
