"""Large systems on SymEngine: derivatives of big function lists without SymPy's slow paths.

`attempt` looks at the checked syntax tree first, with neither SymPy nor SymEngine imported. A small
problem (fewer than `LARGE_ENTRIES` entries in the result and fewer than `LARGE_TOKENS` tokens
of input) or one that needs what only SymPy does (jac's own functions such as sigmoid, piecewise
functions, vector variables, LaTeX) returns None and goes to the SymPy path, which keeps exact
values and SymPy's forms. A large one is built in SymEngine straight from the tree, differentiated
there, printed from SymEngine and evaluated in floating point, and SymPy is never imported: for a
neural layer with n = 100, SymPy only building the parsed input takes longer than this whole path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from jaccli import syntax
from jaccli.errors import JacError
from jaccli.large.build import CONSTANTS, Builder, DeclineError, read_trees, variable_names
from jaccli.large.derive import Reverse
from jaccli.large.numeric import PointEvaluator, finite
from jaccli.large.text import Printer

LARGE_ENTRIES = 100
LARGE_TOKENS = 2_000
KINDS = ("gradient", "jacobian", "hessian", "derivative")
# A point value that is a plain decimal number needs no syntax tree (a layer's point has 10,000 of them).
_DECIMAL = re.compile(r"\s*(-?)([0-9]+\.?[0-9]*|\.[0-9]+)\s*\Z", re.ASCII)


@dataclass(frozen=True)
class Structure:
    """The same classification as the SymPy path's, by structural zeros."""

    kind: str
    diagonal: bool
    nonzeros: int
    size: int
    zero_mask: tuple[tuple[bool, ...], ...]
    closed_form: str | None = None

    @property
    def summary(self) -> str:
        return f"{self.kind.replace('_', ' ')}, {self.nonzeros} of {self.size} entries nonzero"


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
    variables: tuple[str, ...]
    rows: tuple[str, ...]
    matrix: Any  # a SymEngine DenseMatrix
    structure: Structure
    scalar_function: bool
    scalar_variable: bool
    evaluations: tuple[Evaluation, ...] = field(default=())
    order: int = 1
    printer: Printer = field(default_factory=Printer, compare=False)

    @property
    def shape(self) -> tuple[int, int]:
        rows, columns = self.matrix.shape
        return int(rows), int(columns)

    def symbolic(self) -> list[list[str]]:
        m, n = self.shape
        matrix = self.matrix
        text = self.printer.text
        return [[text(matrix[i, j]) for j in range(n)] for i in range(m)]


def _declared(vars_text: str | None) -> list[str] | None:
    if vars_text is None:
        return None
    names = [part.strip() for part in vars_text.split(",")]
    if any(":" in n for n in names) or len(set(names)) != len(names):
        raise DeclineError("vector variables")
    return names


def _columns(kind: str, variables: list[str], wrt: Sequence[str] | None, var: str | None) -> list[str]:
    if kind == "derivative":
        if var is None and len(variables) != 1:
            raise DeclineError("diff needs --var")
        chosen = [var] if var is not None else variables
    else:
        chosen = list(wrt) if wrt else variables
    if len(set(chosen)) != len(chosen) or any(c not in variables for c in chosen):
        raise DeclineError("--wrt or --var names")  # the SymPy path says which
    return chosen


def attempt(
    kind: str,
    texts: Sequence[str],
    *,
    vars_text: str | None = None,
    wrt: Sequence[str] | None = None,
    at: Sequence[str] | None = None,
    var: str | None = None,
    order: int = 1,
) -> LargeResult | None:
    """The result computed on SymEngine, or None when the SymPy path should compute it."""
    assert kind in KINDS
    try:
        tree = read_trees(texts)
        declared = _declared(vars_text)
        variables = variable_names(tree, declared)
        if declared is not None and tree.names - set(declared) - set(CONSTANTS):
            return None  # an undeclared name: the SymPy path reports it
        columns = _columns(kind, variables, wrt, var)
        m = len(tree.entries)
        if kind in ("gradient", "hessian") and m != 1:
            return None
        if not 1 <= order <= 100:
            return None
        entries = m if kind == "derivative" else len(columns) ** 2 if kind == "hessian" else m * len(columns)
        if entries < LARGE_ENTRIES and tree.tokens < LARGE_TOKENS:
            return None
        try:
            import symengine as se
        except ImportError:  # pragma: no cover - symengine is a dependency; without it SymPy still works
            return None
        symbols = {name: se.Symbol(name) for name in variables}
        builder = Builder(se, symbols)
        functions = [builder.build(entry, source) for entry, source in tree.entries]
        points = [_point(se, text, variables, symbols) for text in at or ()]
    except DeclineError:
        return None
    return _compute(se, kind, functions, variables, columns, symbols, points, order)


def _compute(
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
        matrix = se.DenseMatrix(m, 1, entries)
    else:
        reverse = Reverse(se, [symbols[c] for c in columns])
        rows_of = [reverse.gradient(f) for f in functions]
        if kind == "hessian":
            rows_of = [reverse.gradient(g) for g in rows_of[0]]
        matrix = se.DenseMatrix(len(rows_of), len(columns), [e for row in rows_of for e in row])
    scalar_function = m == 1
    if kind == "hessian":
        rows = tuple(columns)
    elif scalar_function:
        rows = ("f",)
    else:
        rows = tuple(f"f_{i}" for i in range(1, m + 1))
    evaluations = tuple(_evaluate(matrix, point, named) for named, point in points)
    printer = Printer()
    return LargeResult(
        printer=printer,
        kind=kind,
        functions=tuple(printer.text(f) for f in functions),
        variables=tuple(columns),
        rows=rows,
        matrix=matrix,
        structure=detect_structure(matrix),
        scalar_function=scalar_function,
        scalar_variable=kind == "derivative" or len(columns) == 1,
        evaluations=evaluations,
        order=order,
    )


def _evaluate(matrix: Any, point: dict[Any, float], named: tuple[tuple[str, str], ...]) -> Evaluation:
    evaluator = PointEvaluator(point)
    m, n = matrix.shape
    values = tuple(tuple(finite(evaluator.value(matrix[i, j])) for j in range(n)) for i in range(m))
    return Evaluation(named, values)


def _point(
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


def detect_structure(matrix: Any) -> Structure:
    """Structural zeros, diagonal, triangular, sparse or dense, as `jaccli.core.detect_structure`."""
    m, n = (int(s) for s in matrix.shape)
    entries = [[matrix[i, j] for j in range(n)] for i in range(m)]
    mask = tuple(tuple(e == 0 for e in row) for row in entries)
    nonzeros = sum(not z for row in mask for z in row)
    square = m == n
    off_diagonal_zero = square and all(mask[i][j] for i in range(m) for j in range(n) if i != j)

    def build(kind: str) -> Structure:
        return Structure(kind, off_diagonal_zero, nonzeros, m * n, mask)

    if nonzeros == 0:
        return build("zero")
    if not square or n == 1:
        return build("sparse" if nonzeros * 2 <= m * n else "dense")
    diagonal = [entries[i][i] for i in range(n)]
    if off_diagonal_zero:
        if all(d == 1 for d in diagonal):
            return build("identity")
        if all(d == diagonal[0] for d in diagonal) and diagonal[0] != 0:
            return build("scaled_identity")
        return build("diagonal")
    if all(mask[i][j] for i in range(n) for j in range(i + 1, n)):
        return build("lower_triangular")
    if all(mask[i][j] for i in range(n) for j in range(i)):
        return build("upper_triangular")
    return build("sparse" if nonzeros * 2 <= m * n else "dense")
