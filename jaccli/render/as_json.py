"""The JSON object of the contract, written with json.dumps (never through rich)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from jaccli.core import Evaluation, Kind, Result, to_number
from jaccli.printing import to_text

SCHEMA = 1


def result_object(result: Result, evaluation: Evaluation | None, *, explain: bool = False) -> dict[str, Any]:
    m, n = result.shape
    structure = result.structure
    entries = result.matrix.tolist()
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": result.kind.value,
        "functions": list(result.functions),
        "variables": list(result.variables),
        "shape": [m, n],
        "symbolic": [[to_text(e) for e in row] for row in entries],
        "structure": {
            "kind": structure.kind,
            "diagonal": structure.diagonal,
            "nonzeros": structure.nonzeros,
            "closed_form": structure.closed_form,
        },
        "point": None,
        "value": None,
        "exact": None,
    }
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
    return data


def write_json(result: Result, out: TextIO, *, explain: bool = False) -> None:
    """One object, or one object per line (JSON Lines) when there are several points."""
    evaluations: list[Evaluation | None] = list(result.evaluations) or [None]
    for evaluation in evaluations:
        out.write(json.dumps(result_object(result, evaluation, explain=explain), ensure_ascii=False) + "\n")
