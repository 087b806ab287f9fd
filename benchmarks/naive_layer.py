"""The naive baseline for a neural layer: SymPy's Matrix.jacobian, then subs and evalf.

Usage: python benchmarks/naive_layer.py N POINT_FILE
POINT_FILE holds the values of W_1_1 ... W_N_N, b_1 ... b_N, x_1 ... x_N (comma-separated, in
that order). Prints the N x N Jacobian d tanh(W x + b) / dx at that point as one JSON list of rows.
This is the script a user would write first: default SymPy symbols, no tricks.
"""

from __future__ import annotations

import json
import sys

import sympy as sp


def main(n: int, point_file: str) -> None:
    weights = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"W_{i + 1}_{j + 1}"))
    bias = sp.Matrix([sp.Symbol(f"b_{i}") for i in range(1, n + 1)])
    x = sp.Matrix([sp.Symbol(f"x_{j}") for j in range(1, n + 1)])
    layer = (weights * x + bias).applyfunc(sp.tanh)
    jacobian = layer.jacobian(x)
    with open(point_file) as file:
        values = [float(v) for v in file.read().split(",")]
    names = [*weights, *bias, *x]
    at_point = jacobian.subs(dict(zip(names, values))).evalf()
    print(json.dumps([[float(at_point[i, j]) for j in range(n)] for i in range(n)]))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
