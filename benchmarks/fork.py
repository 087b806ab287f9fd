"""Benchmark: what running each command's computation in a child process costs.

Run: python benchmarks/fork.py [--runs N]
(1) The mechanism alone, in a Python that has imported what jac has imported when it forks (typer and
jac's command modules): three pipes, fork, the child's exit, the parent reading to the end and reaping.
(2) Whole commands as fresh processes, start-up included: `jac ...` (with its child) against the same
command run in the process itself (jaccli.guard.install_streams(children=False)), alternating, medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
JAC = shutil.which("jac", path=str(Path(PYTHON).parent)) or shutil.which("jac")
IN_PROCESS = (
    "import sys\n"
    "from jaccli import guard\n"
    "guard.install_streams(children=False)\n"
    "from jaccli.cli import app\n"
    "try:\n"
    "    app(prog_name='jac')\n"
    "    status = 0\n"
    "except SystemExit as done:\n"
    "    status = done.code or 0\n"
    "guard.leave(status)\n"
)
MECHANISM = (
    "import os, statistics, sys, time\n"
    "import jaccli.cli\n"
    "times = []\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    started = time.perf_counter()\n"
    "    pipes = [os.pipe() for _ in range(3)]\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        os._exit(0)\n"
    "    for r, w in pipes:\n"
    "        os.close(w)\n"
    "    for r, w in pipes:\n"
    "        while os.read(r, 65536):\n"
    "            pass\n"
    "        os.close(r)\n"
    "    os.waitpid(pid, 0)\n"
    "    times.append(time.perf_counter() - started)\n"
    "print(f'{statistics.median(times) * 1000:.2f}')\n"
)


def wall(argv: list[str], stdout: Path | None = None) -> float:
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        subprocess.run(argv, stdout=out, stdin=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started
    finally:
        if not isinstance(out, int):
            out.close()


def compare(args: list[str], runs: int, work: Path) -> tuple[float, float, bool]:
    """Medians of the child and the in-process runs, alternating after one warm-up each; same output?"""
    assert JAC is not None
    child_out, here_out = work / "child.out", work / "here.out"
    child = [JAC, *args]
    here = [PYTHON, "-c", IN_PROCESS, *args]
    wall(child, child_out)
    wall(here, here_out)
    times_child, times_here = [], []
    for _ in range(runs):
        times_child.append(wall(child, child_out))
        times_here.append(wall(here, here_out))
    same = child_out.read_bytes() == here_out.read_bytes()
    return statistics.median(times_child), statistics.median(times_here), same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    if JAC is None:
        sys.exit("jac is not installed next to this Python")
    mechanism = subprocess.run(
        [PYTHON, "-c", MECHANISM, "200"], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"fork, three pipes, exit and reap, from a parent with jac's light imports: {mechanism} ms (median of 200)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        points = work / "points.txt"
        points.write_text("".join(f"{i % 97 / 7:.6f},{i % 13 - 6}\n" for i in range(100_000)))
        cases = [
            ('jac grad "x**2+y**2" --at 5,-5', ["grad", "x**2+y**2", "--at", "5,-5"]),
            (
                'jac jacobian "[x*y, 2*x + 3]" --points FILE --json (100,000 points)',
                ["jacobian", "[x*y, 2*x + 3]", "--points", str(points), "--json"],
            ),
        ]
        for name, argv in cases:
            child, here, same = compare(argv, args.runs, work)
            print(
                f"{name}: with a child {child:.3f} s, in process {here:.3f} s, "
                f"difference {1000 * (child - here):+.1f} ms (medians of {args.runs}; same output: {same})"
            )


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    main()
