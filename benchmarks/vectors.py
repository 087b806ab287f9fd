"""How the element-wise Jacobian scales with the vector length: whole `jac` processes, timed.

    python benchmarks/vectors.py [--runs 7] [--jac PATH]

Runs `jac jacobian "w*x" --vars w:N,x:N --wrt w` for N = 3 and N = 200, with output piped (plain
text, as a script sees it) and as JSON (the whole 200x200 matrix), several times each, and prints
the median wall time and CPU time (user + system, of the jac process: steadier than wall time on a
busy machine) of each and the ratios N=200 / N=3. The goal is a ratio under 2: structure and
closed form come from the zero pattern, not from 40,000 SymPy entries built one by one.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def command(jac: str, n: int, *extra: str) -> list[str]:
    return [jac, "jacobian", "w*x", "--vars", f"w:{n},x:{n}", "--wrt", "w", *extra]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(argv: list[str], runs: int) -> tuple[float, float]:
    """(median wall time, median CPU time) of the command."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _children_cpu(), time.perf_counter()
        done = subprocess.run(argv, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(argv)}\n{done.stderr.decode()}")
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (the median is reported)")
    default = shutil.which("jac", path=str(Path(sys.executable).parent)) or shutil.which("jac")
    parser.add_argument("--jac", default=default, help="the jac executable to time")
    args = parser.parse_args()
    if not args.jac:
        sys.exit("jac is not installed next to this Python; pass --jac PATH")
    print(f"jac: {args.jac}, {args.runs} runs each, medians in seconds")
    print("output  time  w:3     w:200   ratio")
    for label, extra in (("plain", ()), ("json", ("--json",))):
        small = median_seconds(command(args.jac, 3, *extra), args.runs)
        large = median_seconds(command(args.jac, 200, *extra), args.runs)
        for kind, a, b in (("wall", small[0], large[0]), ("cpu", small[1], large[1])):
            print(f"{label:6}  {kind:4}  {a:6.3f}  {b:6.3f}  {b / a:5.2f}")


if __name__ == "__main__":
    main()
