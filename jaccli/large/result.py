"""The SymEngine path's result: computing it, its structure, and its values at points."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from jaccli import syntax
from jaccli.errors import JacError
from jaccli.large.build import Builder, DeclineError
from jaccli.large.derive import Reverse
from jaccli.large.numeric import PointEvaluator, finite
from jaccli.large.text import Printer
from jaccli.structure import Structure, classify

# A point value that is a plain decimal number needs no syntax tree (a layer's point has 10,000 of them).
_DECIMAL = re.compile(r"\s*(-?)([0-9]+\.?[0-9]*|\.[0-9]+)\s*\Z", re.ASCII)


@dataclass(frozen=True)
class Evaluation:
    """Floating-point values at one point (None where undefined)."""

    point: tuple[tuple[str, str], ...]  # name, the value as given (exact)
    values: tuple[tuple[float | None, ...], ...]

    @property
    def undefined(self) -> tuple[tuple[int, int], ...]:
        return tuple((i, j) for i, row in enumerate(self.values) for j, v in enumerate(row) if v is None)

    @property
    def gradient(self) -> tuple[float | None, ...]:
        return self.values[0]

    @property
    def descent_direction(self) -> tuple[float | None, ...]:
        return tuple(None if v is None else -v for v in self.gradient)

    @property
    def norm(self) -> float | None:
        if any(v is None for v in self.gradient):
            return None
        return math.hypot(*(v for v in self.gradient if v is not None))

    @property
    def unit_descent(self) -> tuple[float, ...] | None:
        norm = self.norm
        if not norm:
            return None
        return tuple(-v / norm for v in self.gradient if v is not None)


@dataclass(frozen=True)
class LargeResult:
    kind: str
    functions: tuple[str, ...]
    variables: tuple[str, ...]  # the columns
    all_variables: tuple[str, ...]  # every variable, in the order a point gives them
    rows: tuple[str, ...]
    entries: tuple[tuple[Any, ...], ...]  # the matrix of SymEngine expressions, row by row
    structure: Structure
    scalar_function: bool
    scalar_variable: bool
    evaluations: tuple[Evaluation, ...] = field(default=())
    order: int = 1
    printer: Printer = field(default_factory=Printer, compare=False)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.entries), len(self.entries[0])

    def symbolic(self) -> list[list[str]]:
        text = self.printer.text
        return [[text(e) for e in row] for row in self.entries]


def compute(
    se: Any,
    kind: str,
    functions: list[Any],
    variables: list[str],
    columns: list[str],
    symbols: dict[str, Any],
    points: list[tuple[tuple[tuple[str, str], ...], dict[Any, float]]],
    order: int,
) -> LargeResult:
    m = len(functions)
    if kind == "derivative":
        symbol = symbols[columns[0]]
        entries = []
        for f in functions:
            for _ in range(order):
                f = f.diff(symbol)
            entries.append(f)
        rows_of = [[e] for e in entries]
    else:
        reverse = Reverse(se, [symbols[c] for c in columns])
        rows_of = [reverse.gradient(f) for f in functions]
        if kind == "hessian":
            rows_of = [reverse.gradient(g) for g in rows_of[0]]
    scalar_function = m == 1
    if kind == "hessian":
        rows = tuple(columns)
    elif scalar_function:
        rows = ("f",)
    else:
        rows = tuple(f"f_{i}" for i in range(1, m + 1))
    matrix = tuple(tuple(row) for row in rows_of)
    evaluations = tuple(_evaluate(matrix, point, named) for named, point in points)
    printer = Printer()
    return LargeResult(
        printer=printer,
        kind=kind,
        functions=tuple(printer.text(f) for f in functions),
        variables=tuple(columns),
        all_variables=tuple(variables),
        rows=rows,
        entries=matrix,
        structure=classify(matrix),
        scalar_function=scalar_function,
        scalar_variable=kind == "derivative" or len(columns) == 1,
        evaluations=evaluations,
        order=order,
    )


def _evaluate(
    matrix: tuple[tuple[Any, ...], ...], point: dict[Any, float], named: tuple[tuple[str, str], ...]
) -> Evaluation:
    evaluator = PointEvaluator(point)
    values = tuple(tuple(finite(evaluator.value(e)) for e in row) for row in matrix)
    return Evaluation(named, values)


def point(
    se: Any, text: str, variables: list[str], symbols: dict[str, Any]
) -> tuple[tuple[tuple[str, str], ...], dict[Any, float]]:
    """`5,-5` or `x=5,y=-5`; anything the SymPy path would refuse declines, so that it reports it."""
    try:
        parts = syntax.split_top_level(text)
    except JacError as error:  # the SymPy path reports it in its own words
        raise DeclineError("point") from error
    builder = Builder(se, {})
    given: dict[str, str] = {}
    if any("=" in p for p in parts):
        for part in parts:
            name, equals, value = part.partition("=")
            name = name.strip()
            if not equals or name not in symbols or name in given:
                raise DeclineError("point")
            given[name] = value
    elif len(parts) == len(variables):
        given = dict(zip(variables, parts))
    if set(given) != set(variables):
        raise DeclineError("point")
    named: list[tuple[str, str]] = []
    values: dict[Any, float] = {}
    printer = Printer()
    for name in variables:
        decimal = _DECIMAL.match(given[name])
        if decimal:
            value = builder._number(decimal.group(2))
            value = -value if decimal.group(1) else value
        else:
            try:
                body, source = syntax._parse_tree(given[name])
            except JacError as error:
                raise DeclineError("point") from error
            value = builder.build(body, source)
        number = finite(PointEvaluator({}).value(value))
        if number is None:
            raise DeclineError("point")
        named.append((name, printer.text(value)))
        values[symbols[name]] = number
    return tuple(named), values
