"""Benchmark: `jac jacobian "[x*y, 2*x + 3]" --points FILE --json` against a hand-written NumPy script.

Run: python benchmarks/points.py [--points N] [--repeat K]
Both run as fresh processes (start-up included, as a shell script would see them) on the same
file of N random points; the outputs must be identical, byte for byte. Prints the best wall
time of each over K runs and the ratio jac / hand-written.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FUNCTION = "[x*y, 2*x + 3]"  # a 2×2 Jacobian [[y, x], [2, 0]] with constant entries


def best_time(command: list[str], output: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with output.open("w") as out:
            started = time.perf_counter()
            subprocess.run(command, stdout=out, check=True)
            times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    jac = shutil.which("jac", path=str(Path(sys.executable).parent)) or shutil.which("jac")
    if jac is None:
        sys.exit("jac is not installed next to this Python")
    draw = random.Random(1)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        points = work / "points.txt"
        with points.open("w") as out:
            for _ in range(args.points):
                out.write(f"{draw.uniform(-10, 10):.6f},{draw.randint(-100, 100)}\n")
        jac_out, hand_out = work / "jac.jsonl", work / "hand.jsonl"
        jac_time = best_time([jac, "jacobian", FUNCTION, "--points", str(points), "--json"], jac_out, args.repeat)
        hand_script = HERE / "handwritten_points.py"
        hand_time = best_time([sys.executable, str(hand_script), str(points)], hand_out, args.repeat)
        same = jac_out.read_bytes() == hand_out.read_bytes()
        lines = sum(1 for _ in jac_out.open())
    print(f"points: {args.points:,}  function: {FUNCTION}  best of {args.repeat}")
    print(f"jac --points --json : {jac_time:.3f} s  ({lines:,} lines)")
    print(f"hand-written NumPy  : {hand_time:.3f} s")
    print(f"ratio jac / hand-written: {jac_time / hand_time:.2f}x  (outputs identical: {same})")
    if not same:
        sys.exit("the outputs differ")


if __name__ == "__main__":
    main()
