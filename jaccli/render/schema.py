"""The keys every JSON result starts with, shared by the SymPy and SymEngine renderers (no SymPy here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jaccli.structure import Structure

SCHEMA = 1


def base_object(
    kind: str,
    functions: Sequence[str],
    variables: Sequence[str],
    shape: tuple[int, int],
    symbolic: list[list[str]],
    structure: Structure,
) -> dict[str, Any]:
    """The contract's stable keys, with `point`, `value` and `exact` null until a point fills them."""
    return {
        "schema": SCHEMA,
        "kind": kind,
        "functions": list(functions),
        "variables": list(variables),
        "shape": list(shape),
        "symbolic": symbolic,
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
