"""A reader of closed forms for the tests: the printed text evaluated with NumPy, independently of jac.

The text is read as the literature writes it: vectors are columns (n x 1 arrays), `v^T` is the
transpose, `@` the matrix product, `u*v^T` an outer product by NumPy's broadcasting, `I` the
identity, a bare `1` the vector of ones (a scalar 1 broadcast to the block's shape), `1^T@M` a row
of ones times M, `[A, B; C, D]` a block matrix. Python's ast parses it (after `^T` becomes `.T`);
nothing is evaluated with eval.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


def _maximum(*args: Any) -> Any:
    result = args[0]
    for a in args[1:]:
        result = np.maximum(result, a)
    return result


def _minimum(*args: Any) -> Any:
    result = args[0]
    for a in args[1:]:
        result = np.minimum(result, a)
    return result


def _diag(a: Any) -> Any:
    a = np.asarray(a)
    if a.ndim == 2 and 1 in a.shape:
        return np.diag(a.ravel())
    return np.diag(a).reshape(-1, 1)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "atan": np.arctan,
    "abs": np.abs,
    "sign": np.sign,
    "heaviside": lambda a: np.heaviside(a, 0.5),
    "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
    "softplus": lambda a: np.logaddexp(0, a),
    "max": _maximum,
    "min": _minimum,
    "sum": lambda a: float(np.sum(a)),
    "dot": lambda a, b: float(np.sum(np.asarray(a) * np.asarray(b))),
    "trace": lambda a: float(np.trace(a)),
    "det": lambda a: float(np.linalg.det(a)),
    "inv": np.linalg.inv,
    "norm": lambda a: float(np.linalg.norm(np.ravel(a))),
    "diag": _diag,
}


def values_at(point: Mapping[str, Any]) -> dict[str, Any]:
    """Variables as the notation reads them: vectors as columns, matrices as 2-D arrays."""
    out: dict[str, Any] = {}
    for name, value in point.items():
        array = np.asarray(value, dtype=float)
        out[name] = array.reshape(-1, 1) if array.ndim == 1 else array if array.ndim == 2 else float(array)
    return out


def evaluate(text: str, point: Mapping[str, Any], shape: tuple[int, int]) -> Any:
    """The value of one block's closed form (no `[...; ...]`), broadcast to the block's shape."""
    source = re.sub(r"(?<![\w.])1\^T", "ONES_ROW", text).replace("^T", ".T")
    tree = ast.parse(source, mode="eval").body
    names = {**values_at(point), "I": np.eye(shape[0]), "ONES_ROW": np.float64(1.0)}
    value = _Reader(names).read(tree)
    return np.broadcast_to(np.asarray(value, dtype=float), shape)


def evaluate_blocks(text: str, point: Mapping[str, Any], rows: Sequence[int], columns: Sequence[int]) -> Any:
    """The value of a closed form `[A, B; C, D]` (or one block) with the given block sizes."""
    if not text.startswith("["):  # one block, or the zero of the whole matrix
        return evaluate(text, point, (sum(rows), sum(columns)))
    lines = _split(text[1:-1], ";")
    blocks = [
        [evaluate(piece, point, (r, c)) for piece, c in zip(_split(line, ","), columns, strict=True)]
        for line, r in zip(lines, rows, strict=True)
    ]
    return np.block(blocks)


def _split(text: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        depth += char in "(["
        depth -= char in ")]"
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


class _Reader:
    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names

    def read(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.names[node.id]
        if isinstance(node, ast.Attribute) and node.attr == "T":
            return np.transpose(self.read(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.read(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return FUNCTIONS[node.func.id](*(self.read(a) for a in node.args))
        if isinstance(node, ast.BinOp):
            left, right = self.read(node.left), self.read(node.right)
            return self._binary(node.op, left, right)
        raise AssertionError(f"a closed form with {ast.dump(node)}")

    @staticmethod
    def _binary(op: ast.operator, left: Any, right: Any) -> Any:
        if isinstance(op, ast.Add):
            return left + right
        if isinstance(op, ast.Sub):
            return left - right
        if isinstance(op, ast.Mult):
            return left * right
        if isinstance(op, ast.Div):
            return left / right
        if isinstance(op, ast.Pow):
            return np.power(left, right)
        assert isinstance(op, ast.MatMult)
        if np.ndim(left) == 0:  # 1^T@M: a row of ones
            left = left * np.ones((1, np.shape(right)[0]))
        if np.ndim(right) == 0:  # M@1: a column of ones
            right = right * np.ones((np.shape(left)[1], 1))
        return left @ right
