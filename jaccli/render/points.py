"""Many points out: one compact JSON object per line, or one plain line per point, chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from jaccli.problem import Kind
from jaccli.render.as_json import SCHEMA
from jaccli.result import Result


@dataclass
class Undefined:
    """How many entries were undefined (null), and at how many points."""

    entries: int = 0
    points: int = 0


def number_texts(column: np.ndarray, undefined: str = "null") -> list[str]:
    """Each number as JSON writes it: whole numbers as integers, NaN as null (vectorised)."""
    finite = np.isfinite(column)
    whole = finite & (np.abs(column) < 2.0**53)
    whole[whole] = np.floor(column[whole]) == column[whole]
    objects = column.astype(object)
    if whole.any():
        objects[whole] = column[whole].astype(np.int64).astype(object)
    texts = list(map(repr, objects.tolist()))
    for index in np.flatnonzero(~finite):
        texts[index] = undefined
    return texts


def write_points(
    result: Result, names: list[str], parts: Iterable[tuple[np.ndarray, np.ndarray]], fmt: str, out: TextIO
) -> Undefined:
    """JSON Lines (`point`, `value`, and `gradient`, `descent` for a gradient) or plain lines."""
    m, n = result.shape
    gradient = result.kind is Kind.GRADIENT
    undefined = Undefined()
    if fmt == "quiet":  # only the values (jaccli.render.quiet): no point, no gradient and descent
        from jaccli.render.quiet import template as quiet_template

        template, gradient = quiet_template(m, n), False
    elif fmt == "json":
        template = _json_template(len(names), m, n, gradient)
    else:
        template = _plain_template(names, m, n, gradient)
    missing = "null" if fmt == "json" else "undefined"
    for points, values in parts:
        bad = np.isnan(values)
        undefined.entries += int(bad.sum())
        undefined.points += int(bad.any(axis=1).sum())
        value_texts = [number_texts(values[:, k], missing) for k in range(values.shape[1])]
        columns = [] if fmt == "quiet" else [number_texts(points[:, k], missing) for k in range(points.shape[1])]
        columns += value_texts
        if gradient:
            if fmt == "json":
                columns += value_texts
            columns += [number_texts(-values[:, k], missing) for k in range(values.shape[1])]
        out.write("".join(template % row for row in zip(*columns)) if columns else "")
    return undefined


def _json_template(width: int, m: int, n: int, gradient: bool) -> str:
    def row(count: int) -> str:
        return "[" + ",".join(["%s"] * count) + "]"

    value = "[" + ",".join([row(n)] * m) + "]"
    text = f'{{"schema":{SCHEMA},"point":' + row(width) + ',"value":' + value
    if gradient:
        text += ',"gradient":' + row(n) + ',"descent":' + row(n)
    return text + "}\n"


def _plain_template(names: list[str], m: int, n: int, gradient: bool) -> str:
    point = ", ".join(f"{name.replace('%', '%%')} = %s" for name in names)
    if gradient:
        vector = "(" + ", ".join(["%s"] * n) + ")"
        return f"at {point}: ∇f = {vector}, descent -∇f = {vector}\n"
    matrix = "[" + ", ".join(["[" + ", ".join(["%s"] * n) + "]"] * m) + "]"
    return f"at {point}: {matrix}\n"
