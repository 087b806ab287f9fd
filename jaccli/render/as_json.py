"""The JSON object of the contract, written with json.dumps (never through rich).

Numbers: an exact integer is a JSON integer (up to 2**63), any other value a float; a value beyond
the range of doubles (exp(710)) is written as the string of its exact form, never as a silent
null; null is an undefined entry. With `sparse`, the dense `symbolic`, `value` and `exact`
matrices give way to `entries`: [i, j, symbolic, value] for each structural nonzero (1-based,
row-major).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from jaccli.engine.base import NUMBER
from jaccli.numeric import to_float
from jaccli.problem import Kind

if TYPE_CHECKING:
    from jaccli.result import Evaluation, Result

SCHEMA = 1
_BIGGEST_INTEGER = 2**63


def json_number(result: Result, exact: Any | None, number: Any | None) -> int | float | str | None:
    """A value as JSON writes it (see the module's note)."""
    if exact is None or number is None:
        return None
    kind, p, q = result.engine.node(exact)
    if kind == NUMBER and q == 1 and abs(p) < _BIGGEST_INTEGER:
        return int(p)
    as_float = to_float(number)
    if as_float is None:
        return result.text(exact)
    return 0 if as_float == 0 else as_float


def values(result: Result, evaluation: Evaluation) -> list[list[int | float | str | None]]:
    m, n = result.shape
    matrix: list[list[int | float | str | None]] = []
    for i in range(m):
        if i in evaluation.undefined_rows:
            matrix.append([None] * n)
            continue
        line: list[int | float | str | None] = [0] * n
        numbers = evaluation.numbers[i]
        for j, exact in evaluation.exact[i].items():
            line[j] = json_number(result, exact, numbers.get(j))
        matrix.append(line)
    return matrix


def exact_texts(result: Result, evaluation: Evaluation) -> list[list[str | None]]:
    m, n = result.shape
    matrix: list[list[str | None]] = []
    for i in range(m):
        if i in evaluation.undefined_rows:
            matrix.append([None] * n)
            continue
        line: list[str | None] = ["0"] * n
        for j, exact in evaluation.exact[i].items():
            line[j] = None if exact is None else result.text(exact)
        matrix.append(line)
    return matrix


def _vector(result: Result, evaluation: Evaluation, negate: bool = False) -> list[int | float | str | None]:
    row = values(result, evaluation)[0]
    if not negate:
        return row
    return [None if v is None else (-v if not isinstance(v, str) else f"-({v})") for v in row]


def result_object(result: Result, evaluation: Evaluation | None, *, explain: bool = False) -> dict[str, Any]:
    """The contract's object: the symbolic result, and its values at one point (or nulls)."""
    data = _symbolic_part(result)
    if explain:
        from jaccli.render.explain import explanation

        data["explanation"] = explanation(result, [] if evaluation is None else [evaluation])
    if evaluation is not None:
        _add_point(data, result, evaluation)
    return data


def _symbolic_part(result: Result) -> dict[str, Any]:
    m, n = result.shape
    structure = result.structure
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "kind": result.kind.value,
        "functions": list(result.function_texts),
        "variables": list(result.variables),
        "shape": [m, n],
    }
    if result.function_shape is not None:
        data["function_shape"] = list(result.function_shape)
    if not result.sparse:
        data["symbolic"] = result.symbolic
    data["structure"] = {
        "kind": structure.kind,
        "diagonal": structure.diagonal,
        "nonzeros": structure.nonzeros,
        "closed_form": structure.closed_form,
    }
    if structure.blocks:
        data["structure"]["blocks"] = list(structure.blocks)
    if result.gradient_matrix_shape is not None:
        data["gradient_matrix"] = {
            "symbolic": gradient_matrix(result, [result.text(result.entry(0, j)) for j in range(n)]),
            "value": None,
            "closed_form": structure.gradient_matrix_closed_form,
        }
    data["point"] = None
    if result.sparse:
        data["entries"] = _entries(result, None)
    else:
        data["value"] = None
        data["exact"] = None
    if result.kind is Kind.HESSIAN:
        data["eigenvalues"] = None
        data["critical_point"] = None
    return data


def _add_point(data: dict[str, Any], result: Result, evaluation: Evaluation) -> None:
    """The keys of a point: values, and the gradient's, the direction's and the Hessian's own."""

    def number(exact: Any) -> int | float | str | None:
        return None if exact is None else json_number(result, exact, result_value(result, exact))

    data["point"] = {name: result.text(value) for name, value in evaluation.point}
    if result.sparse:
        data["entries"] = _entries(result, evaluation)
        data["undefined_rows"] = sorted(i + 1 for i in evaluation.undefined_rows)
    else:
        data["value"] = values(result, evaluation)
        data["exact"] = exact_texts(result, evaluation)
    if "gradient_matrix" in data:
        data["gradient_matrix"]["value"] = gradient_matrix(result, values(result, evaluation)[0])
    if result.kind is Kind.GRADIENT:
        data["gradient"] = _vector(result, evaluation)
        data["descent"] = _vector(result, evaluation, negate=True)
        data["norm"] = number(evaluation.norm)
    if evaluation.directional is not None:
        directional = evaluation.directional
        data["direction"] = [number(v) for v in directional.direction]
        data["directional"] = number(directional.value)
        data["angle_to_descent"] = directional.angle_to_descent
    if evaluation.curvature is not None:
        curvature = evaluation.curvature
        if curvature.eigenvalues is None:
            data["eigenvalues"] = None
        elif curvature.exact is not None:
            data["eigenvalues"] = [number(e) for e in curvature.exact]
        else:
            data["eigenvalues"] = list(curvature.eigenvalues)
        data["critical_point"] = None if curvature.critical_point is None else curvature.critical_point.value


def gradient_matrix(result: Result, row: list[Any]) -> list[list[Any]]:
    """One row of the result (the gradient by W's entries, row-major) in W's shape: entry (i, j) is df/dW_ij."""
    shape = result.gradient_matrix_shape
    assert shape is not None
    _, columns = shape
    return [row[i : i + columns] for i in range(0, len(row), columns)]


def result_value(result: Result, exact: Any) -> Any | None:
    from jaccli.numeric import Evaluator

    return Evaluator(result.engine).value(exact)


def _entries(result: Result, evaluation: Evaluation | None) -> list[list[Any]]:
    text = result.printer.text
    listed: list[list[Any]] = []
    for i, row in enumerate(result.entries):
        for j, entry in row.items():
            value = None
            if evaluation is not None and i not in evaluation.undefined_rows:
                value = json_number(result, evaluation.exact[i].get(j), evaluation.numbers[i].get(j))
            listed.append([i + 1, j + 1, text(entry), value])
    return listed


def write_json(result: Result, out: TextIO, *, explain: bool = False) -> None:
    """One object, or one object per line (JSON Lines) when there are several points."""
    evaluations: list[Evaluation | None] = list(result.evaluations) or [None]
    for evaluation in evaluations:
        out.write(json.dumps(result_object(result, evaluation, explain=explain), ensure_ascii=False) + "\n")
