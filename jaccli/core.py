"""Derivatives, gradients, Jacobians and Hessians as frozen results: the mathematics, no printing.

Layout is numerator layout: J[i][j] = d f_i / d theta_j, one row per function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import sympy as sp

from jaccli import limits
from jaccli.closed_forms import closed_form
from jaccli.errors import ShapeError, VariableError, quoted
from jaccli.mathfns import without_distributions
from jaccli.parse import Parsed, Variable
from jaccli.structure import Group, Structure, classify

if TYPE_CHECKING:
    from jaccli.optimisation import Curvature, Directional


class Kind(StrEnum):
    DERIVATIVE = "derivative"
    GRADIENT = "gradient"
    JACOBIAN = "jacobian"
    HESSIAN = "hessian"


@dataclass(frozen=True)
class Case:
    """Which of the four shape cases: scalar or vector function, of a scalar or vector variable."""

    rows: int
    columns: int
    scalar_function: bool
    scalar_variable: bool

    @property
    def name(self) -> str:
        if self.scalar_function and self.scalar_variable:
            return "derivative"
        if self.scalar_function:
            return "gradient"
        if self.scalar_variable:
            return "column of derivatives"
        return "Jacobian"


@dataclass(frozen=True)
class Evaluation:
    """The result at one point: exact values (None where undefined) and, for a gradient, the way down."""

    point: tuple[tuple[str, sp.Expr], ...]
    values: tuple[tuple[sp.Expr | None, ...], ...]
    curvature: Curvature | None = None  # of a Hessian: eigenvalues, kind of critical point (jac hessian --at)
    directional: Directional | None = None  # of a gradient: the derivative along --dir

    @property
    def undefined(self) -> tuple[tuple[int, int], ...]:
        return tuple((i, j) for i, row in enumerate(self.values) for j, v in enumerate(row) if v is None)

    @property
    def gradient(self) -> tuple[sp.Expr | None, ...]:
        return self.values[0]

    @property
    def descent_direction(self) -> tuple[sp.Expr | None, ...]:
        """-grad f: the direction in which f decreases fastest, which gradient descent follows."""
        return tuple(None if v is None else -v for v in self.gradient)

    @property
    def norm(self) -> sp.Expr | None:
        known = [v for v in self.gradient if v is not None]
        if len(known) < len(self.gradient):
            return None
        return sp.sqrt(sp.Add(*(v**2 for v in known)))

    @property
    def unit_descent(self) -> tuple[float, ...] | None:
        norm = self.norm
        if norm is None or norm.is_zero:
            return None
        size = float(norm)
        return tuple(-float(v) / size for v in self.gradient if v is not None)


@dataclass(frozen=True)
class Result:
    kind: Kind
    functions: tuple[str, ...]
    variables: tuple[str, ...]  # the columns, vector components expanded
    rows: tuple[str, ...]  # row labels
    matrix: sp.ImmutableMatrix
    structure: Structure
    case: Case
    evaluations: tuple[Evaluation, ...] = ()
    order: int = 1  # of a derivative
    row_groups: tuple[Group, ...] = ()  # the rows of each input entry (a Hessian: of each variable)
    column_groups: tuple[Group, ...] = ()  # the columns of each variable named by --wrt (or declared)

    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape


def columns(variables: Sequence[Variable], wrt: Sequence[str] | None) -> tuple[sp.Symbol, ...]:
    """The symbols to differentiate by: all components, or those of the --wrt names in that order."""
    if not wrt:
        return tuple(s for v in variables for s in v.symbols)
    by_name = {v.name: v.symbols for v in variables}
    by_name.update({s.name: (s,) for v in variables for s in v.symbols})
    chosen: list[sp.Symbol] = []
    for name in wrt:
        if name not in by_name:
            known = ", ".join(v.name for v in variables) or "none"
            raise VariableError(f"--wrt: '{quoted(name)}' is not a variable (variables: {known})")
        for symbol in by_name[name]:
            if symbol in chosen:
                raise VariableError(f"--wrt: '{symbol.name}' is named twice")
            chosen.append(symbol)
    return tuple(chosen)


def column_groups(variables: Sequence[Variable], wrt: Sequence[str] | None) -> tuple[Group, ...]:
    """The columns of `columns(variables, wrt)`, grouped by variable (a component named alone is its own group)."""
    by_name = {v.name: v for v in variables}
    chosen = [by_name[name] if name in by_name else Variable(name) for name in wrt] if wrt else list(variables)
    groups: list[Group] = []
    start = 0
    for variable in chosen:
        size = variable.size or 1
        groups.append(Group(variable.name, start, size, variable.size is not None))
        start += size
    return tuple(groups)


def _row_groups(parsed: Parsed) -> tuple[Group, ...]:
    sizes = parsed.entry_sizes or (None,) * len(parsed.functions)
    groups: list[Group] = []
    start = 0
    for size in sizes:
        rows = size or 1
        name = f"f_{start + 1}" if rows == 1 else f"f_{start + 1}..f_{start + rows}"
        groups.append(Group(name, start, rows, size is not None))
        start += rows
    return tuple(groups)


def _differentiate(expr: sp.Expr, symbol: sp.Symbol, order: int = 1) -> sp.Expr:
    if isinstance(expr, sp.Add) and len(expr.args) > 16:
        # Only the terms that contain the symbol: a gradient of a long sum stays linear in its length.
        terms = _terms_by_symbol(expr).get(symbol, ())
        result = sp.Add(*(sp.diff(t, symbol, order) for t in terms))
    else:
        result = sp.diff(expr, symbol, order)
    limits.check_numbers(result, f"the derivative by {symbol.name}")
    return without_distributions(result)


@lru_cache(maxsize=16)
def _terms_by_symbol(expr: sp.Add) -> dict[sp.Basic, tuple[sp.Expr, ...]]:
    index: dict[sp.Basic, list[sp.Expr]] = {}
    for term in expr.args:
        for symbol in term.free_symbols:
            index.setdefault(symbol, []).append(term)
    return {symbol: tuple(terms) for symbol, terms in index.items()}


def _partials(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """One row of first derivatives. A symbol that f does not contain gives a structural zero without
    asking SymPy: w_1*x_1 by 200 components is 2 derivatives and 198 zeros, not 200 derivatives."""
    free = expr.free_symbols
    return [_differentiate(expr, s) if s in free else sp.S.Zero for s in symbols]


def _case(kind: Kind, parsed: Parsed, symbols: Sequence[sp.Symbol]) -> Case:
    rows = len(parsed.functions)
    scalar_function = rows == 1 and not parsed.vector_valued
    scalar_symbols = {v.symbols[0] for v in parsed.variables if v.size is None}
    scalar_variable = len(symbols) == 1 and symbols[0] in scalar_symbols
    if kind is Kind.DERIVATIVE:
        scalar_variable = True
    return Case(rows, len(symbols), scalar_function, scalar_variable)


def gradient(parsed: Parsed, wrt: Sequence[str] | None = None) -> Result:
    _one_scalar_function(parsed, "grad", "jac jacobian")
    symbols = columns(parsed.variables, wrt)
    _check_entries(1, len(symbols))
    entries = [_partials(parsed.functions[0], symbols)]
    groups = column_groups(parsed.variables, wrt)
    return _result(Kind.GRADIENT, parsed, symbols, ("f",), entries, _row_groups(parsed), groups)


def jacobian(parsed: Parsed, wrt: Sequence[str] | None = None) -> Result:
    symbols = columns(parsed.variables, wrt)
    _check_entries(len(parsed.functions), len(symbols))
    entries = [_partials(f, symbols) for f in parsed.functions]
    groups = column_groups(parsed.variables, wrt)
    return _result(Kind.JACOBIAN, parsed, symbols, _row_labels(parsed), entries, _row_groups(parsed), groups)


def hessian(parsed: Parsed, wrt: Sequence[str] | None = None) -> Result:
    _one_scalar_function(parsed, "hessian", "a Hessian per function")
    symbols = columns(parsed.variables, wrt)
    _check_entries(len(symbols), len(symbols))
    entries = [_partials(g, symbols) for g in _partials(parsed.functions[0], symbols)]
    labels = tuple(s.name for s in symbols)
    groups = column_groups(parsed.variables, wrt)
    return _result(Kind.HESSIAN, parsed, symbols, labels, entries, groups, groups)


def derivative(parsed: Parsed, var: str | None = None, order: int = 1) -> Result:
    if order < 1:
        raise VariableError(f"--order must be a whole number of at least 1, got {order}")
    if order > limits.DERIVATIVE_ORDER.value:
        raise limits.refuse(limits.DERIVATIVE_ORDER, f"--order {order}")
    all_symbols = columns(parsed.variables, None)
    if var is None:
        if len(all_symbols) != 1:
            names = ", ".join(s.name for s in all_symbols) or "none"
            raise VariableError(f"diff needs --var to say which variable ({names})")
        (symbol,) = all_symbols
    else:
        matches = [s for s in all_symbols if s.name == var]
        if not matches:
            names = ", ".join(s.name for s in all_symbols) or "none"
            raise VariableError(f"--var: '{quoted(var)}' is not a scalar variable or component (variables: {names})")
        (symbol,) = matches
    entries = [[_differentiate(f, symbol, order) if symbol in f.free_symbols else sp.S.Zero] for f in parsed.functions]
    groups = (Group(symbol.name, 0, 1, False),)
    result = _result(Kind.DERIVATIVE, parsed, (symbol,), _row_labels(parsed), entries, _row_groups(parsed), groups)
    return replace(result, order=order)


def _check_entries(rows: int, columns: int) -> None:
    """Refuse a result matrix too big to compute and show, before any derivative is taken."""
    limits.check_count(limits.MATRIX_ENTRIES, rows * columns, f"a {rows}x{columns} result ({rows * columns:,} entries)")


def _one_scalar_function(parsed: Parsed, command: str, instead: str) -> None:
    if len(parsed.functions) != 1 or parsed.vector_valued:
        got = f"{len(parsed.functions)} functions"
        if parsed.vector_valued:
            got = f"an element-wise vector of {got} (reduce it with sum() or dot())"
        raise ShapeError(f"{command} takes one scalar function, got {got}; use {instead}")


def _row_labels(parsed: Parsed) -> tuple[str, ...]:
    if len(parsed.functions) == 1 and not parsed.vector_valued:
        return ("f",)
    return tuple(f"f_{i}" for i in range(1, len(parsed.functions) + 1))


def _result(
    kind: Kind,
    parsed: Parsed,
    symbols: Sequence[sp.Symbol],
    rows: tuple[str, ...],
    entries: list[list[sp.Expr]],
    row_groups: tuple[Group, ...],
    column_groups: tuple[Group, ...],
) -> Result:
    m, n = len(entries), len(symbols)
    matrix = sp.ImmutableMatrix(m, n, [e for row in entries for e in row])
    structure = detect_structure(matrix, row_groups, column_groups)
    folded = closed_form(entries, row_groups, column_groups, parsed.variables)
    if folded is not None:
        structure = replace(structure, closed_form=folded.text, closed_form_latex=folded.latex)
    return Result(
        kind=kind,
        functions=parsed.texts,
        variables=tuple(s.name for s in symbols),
        rows=rows,
        matrix=matrix,
        structure=structure,
        case=_case(kind, parsed, symbols),
        row_groups=row_groups,
        column_groups=column_groups,
    )


def detect_structure(
    matrix: sp.ImmutableMatrix, row_groups: Sequence[Group] = (), column_groups: Sequence[Group] = ()
) -> Structure:
    """Classify a SymPy matrix by its structural zeros (see jaccli.structure.classify)."""
    return classify(matrix.tolist(), row_groups, column_groups)


def evaluate(result: Result, points: Sequence[Mapping[sp.Symbol, sp.Expr]]) -> Result:
    """The same result with its values at each point, exact where the point is exact."""
    evaluations = []
    for point in points:
        values = _values_at(result.matrix.tolist(), point)
        named = tuple((s.name, v) for s, v in point.items())
        evaluations.append(Evaluation(named, values))
    return replace(result, evaluations=tuple(evaluations))


def _values_at(
    rows: Sequence[Sequence[sp.Basic]], point: Mapping[sp.Symbol, sp.Expr]
) -> tuple[tuple[sp.Expr | None, ...], ...]:
    cache: dict[sp.Basic, sp.Basic] = {}
    checked: dict[sp.Basic, sp.Expr | None] = {}  # a large result repeats its values (0 above all)

    def value_of(entry: sp.Basic) -> sp.Expr | None:
        value = substitute(entry, point, cache)
        if value not in checked:
            checked[value] = _defined(value)
        return checked[value]

    return tuple(tuple(value_of(entry) for entry in row) for row in rows)


def substitute(expr: sp.Basic, point: Mapping[sp.Symbol, sp.Expr], cache: dict[sp.Basic, sp.Basic]) -> sp.Basic:
    """expr with the point's values put in, rebuilt bottom-up so that every numeric power is size-checked."""
    if expr in cache:
        return cache[expr]
    if expr in point:
        value: sp.Basic = point[expr]
    elif not expr.args:
        value = expr
    else:
        args = [substitute(a, point, cache) for a in expr.args]
        if any(a.has(*_UNDEFINED) for a in args):
            # An undefined part (1/0 inside atan2, say) leaves the whole entry undefined; SymPy
            # itself may raise on such arguments ("Invalid NaN comparison").
            value = sp.nan
        else:
            limits.check_build(expr.func, args)
            try:
                value = expr.func(*args)
            except (TypeError, ValueError):  # max(2, atanh(2)): SymPy cannot order a complex value
                value = sp.nan
    cache[expr] = value
    return value


_UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)


def _defined(value: sp.Basic) -> sp.Expr | None:
    """The value if it is a finite real number, else None (log(0), 1/0, sqrt(-1) ...)."""
    if value.has(*_UNDEFINED, sp.I):
        return None
    try:
        approximate = value.evalf(30)
    except (TypeError, ValueError):  # heaviside of a complex value, say
        return None
    if not (approximate.is_number and approximate.is_real and approximate.is_finite):
        return None
    return value


def to_number(value: sp.Expr | None) -> int | float | None:
    """A JSON number: an int where the value is an exact integer, else a float; None if undefined."""
    if value is None:
        return None
    if value.is_Integer:
        return int(value)
    number = float(value.evalf(20))
    return number if number == number and abs(number) != float("inf") else None
