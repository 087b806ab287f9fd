"""The hand-written NumPy baseline for a neural layer at many points.

Usage: python benchmarks/handwritten_layer_points.py N POINTS_FILE > OUT.jsonl
Each line of POINTS_FILE holds W_1_1 ... W_N_N, b_1 ... b_N, x_1 ... x_N. For each point it writes
the JSON line of `jac jacobian - --wrt x_1,...,x_N --points POINTS_FILE --json`: the point and
J = diag(1 - tanh(W x + b)^2) W, computed with NumPy for all points at once.
"""

from __future__ import annotations

import json
import sys

import numpy as np


def main(n: int, path: str) -> None:
    points = np.loadtxt(path, delimiter=",", ndmin=2)
    weights = points[:, : n * n].reshape(-1, n, n)
    bias = points[:, n * n : n * n + n]
    x = points[:, n * n + n :]
    slope = 1 - np.tanh(np.einsum("kij,kj->ki", weights, x) + bias) ** 2
    jacobian = slope[:, :, None] * weights
    out = sys.stdout
    for point, value in zip(points.tolist(), jacobian.tolist()):
        out.write(json.dumps({"schema": 1, "point": point, "value": value}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
