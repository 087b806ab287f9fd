"""The hand-written NumPy baseline for benchmarks/points.py: the Jacobian of [x*y, 2*x + 3] at every point.

Usage: python benchmarks/handwritten_points.py POINTS_FILE > OUT.jsonl
It reads the points, computes J = [[y, x], [2, 0]] with NumPy and writes the same JSON lines as
`jac jacobian "[x*y, 2*x + 3]" --points POINTS_FILE --json`.
"""

from __future__ import annotations

import json
import sys

import numpy as np


def number(value: float) -> int | float | None:
    if value != value or abs(value) == float("inf"):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def main(path: str) -> None:
    points = np.loadtxt(path, delimiter=",", comments="#", ndmin=2)
    x, y = points[:, 0], points[:, 1]
    j11, j12 = y, x
    j21, j22 = np.full_like(x, 2.0), np.zeros_like(x)
    out = sys.stdout
    for row in zip(x.tolist(), y.tolist(), j11.tolist(), j12.tolist(), j21.tolist(), j22.tolist()):
        a, b, c, d, e, f = (number(v) for v in row)
        out.write(json.dumps({"schema": 1, "point": [a, b], "value": [[c, d], [e, f]]}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
