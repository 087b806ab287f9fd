"""The JSON object of the contract, written with json.dumps (never through rich)."""

from __future__ import annotations

import json
from typing import Any, TextIO

import sympy as sp

from jaccli.core import Evaluation, Kind, Result, to_number
from jaccli.printing import to_text
from jaccli.render.schema import base_object


def result_object(result: Result, evaluation: Evaluation | None, *, explain: bool = False) -> dict[str, Any]:
    m, n = result.shape
    structure = result.structure
    entries = result.matrix.tolist()
    data = base_object(
        result.kind.value,
        result.functions,
        result.variables,
        (m, n),
        [[to_text(e) for e in row] for row in entries],
        structure,
    )
    if result.kind is Kind.HESSIAN:
        data["eigenvalues"] = None
        data["critical_point"] = None
    if structure.blocks:
        data["structure"]["blocks"] = list(structure.blocks)
    if explain:
        from jaccli.render.explain import explanation

        data["explanation"] = explanation(result, [] if evaluation is None else [evaluation])
    if evaluation is None:
        return data
    data["point"] = {name: to_text(value) for name, value in evaluation.point}
    data["value"] = [[to_number(v) for v in row] for row in evaluation.values]
    data["exact"] = [[None if v is None else to_text(v) for v in row] for row in evaluation.values]
    if result.kind is Kind.GRADIENT:
        data["gradient"] = [to_number(v) for v in evaluation.gradient]
        data["descent"] = [to_number(v) for v in evaluation.descent_direction]
        data["norm"] = to_number(evaluation.norm)
    if evaluation.directional is not None:
        directional = evaluation.directional
        data["direction"] = [to_number(v) for v in directional.direction]
        data["directional"] = to_number(directional.value)
        data["angle_to_descent"] = directional.angle_to_descent
    if evaluation.curvature is not None:
        curvature = evaluation.curvature
        eigenvalues = curvature.exact or curvature.eigenvalues
        data["eigenvalues"] = None if eigenvalues is None else [_number(v) for v in eigenvalues]
        data["critical_point"] = None if curvature.critical_point is None else curvature.critical_point.value
    return data


def _number(value: sp.Expr | float) -> int | float | None:
    return value if isinstance(value, float) else to_number(value)


def write_json(result: Result, out: TextIO, *, explain: bool = False) -> None:
    """One object, or one object per line (JSON Lines) when there are several points."""
    evaluations: list[Evaluation | None] = list(result.evaluations) or [None]
    for evaluation in evaluations:
        out.write(json.dumps(result_object(result, evaluation, explain=explain), ensure_ascii=False) + "\n")
