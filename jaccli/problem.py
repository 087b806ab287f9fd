"""A problem before any engine sees it: the checked syntax trees, the variables, the columns, the points.

No SymPy or SymEngine here. Variables are scalars, vectors (`w:3`, components `w_1 ... w_3`) or
matrices (`W:2x3`, entries `W_1_1 ... W_2_3`, row-major); the columns of a result are the
components of the variables named by --wrt (all of them by default); a point gives every component
a value text, which the engine reads as an exact number.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from jaccli import bounds, suggest
from jaccli.errors import PointError, VariableError, quoted
from jaccli.functions import ARRAY_FUNCTIONS, ELEMENTWISE
from jaccli.structure import Group
from jaccli.syntax import NAME, RESERVED, _entries, _parse_tree, _Source, natural_key, split_top_level

CONSTANTS = ("pi", "e")
# Names that are functions in jac's language: never variables.
FUNCTION_NAMES = frozenset(ELEMENTWISE) | frozenset(ARRAY_FUNCTIONS)
_SIZE = re.compile(r"([0-9]+)(?:x([0-9]+))?\Z", re.ASCII)


class Kind(StrEnum):
    DERIVATIVE = "derivative"
    GRADIENT = "gradient"
    JACOBIAN = "jacobian"
    HESSIAN = "hessian"


@dataclass(frozen=True)
class Variable:
    """A declared variable: a scalar, a vector of n components, or an m x n matrix."""

    name: str
    shape: tuple[int, ...] = ()

    @property
    def size(self) -> int | None:
        """The number of components of a vector or matrix; None for a scalar."""
        if not self.shape:
            return None
        count = 1
        for extent in self.shape:
            count *= extent
        return count

    @property
    def components(self) -> tuple[str, ...]:
        if not self.shape:
            return (self.name,)
        if len(self.shape) == 1:
            return tuple(f"{self.name}_{i}" for i in range(1, self.shape[0] + 1))
        rows, columns = self.shape
        return tuple(f"{self.name}_{i}_{j}" for i in range(1, rows + 1) for j in range(1, columns + 1))

    def __str__(self) -> str:
        return self.name if not self.shape else f"{self.name}:{'x'.join(map(str, self.shape))}"


Entry = tuple[ast.expr, _Source]


@dataclass(frozen=True)
class Problem:
    """What to compute, SymPy-free: the functions as checked trees and everything that frames them."""

    kind: Kind
    texts: tuple[str, ...]  # the EXPR arguments as given
    entries: tuple[Entry, ...]  # one checked tree per top-level entry of the input
    variables: tuple[Variable, ...]
    columns: tuple[str, ...]  # the components differentiated by, in order
    column_groups: tuple[Group, ...]
    tokens: int  # names and numbers in the input: its size
    order: int = 1  # of a derivative

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(c for v in self.variables for c in v.components)


def read_entries(texts: Sequence[str]) -> tuple[tuple[Entry, ...], int]:
    """The checked trees of every top-level entry of every text, and the number of tokens."""
    entries: list[Entry] = []
    tokens = 0
    for text in texts:
        body, source = _parse_tree(text)
        tokens += len(source.names) + len(source.numbers)
        entries.extend((entry, source) for entry in _entries(body))
    return tuple(entries), tokens


def names_used(entries: Sequence[Entry]) -> list[str]:
    """The names used as values (not called as functions), in order of first use."""
    seen: dict[str, None] = {}
    for entry, source in entries:
        called = {id(node.func) for node in ast.walk(entry) if isinstance(node, ast.Call)}
        for node in ast.walk(entry):
            if isinstance(node, ast.Name) and id(node) not in called:
                seen.setdefault(source.names[int(node.id[1:])])
    return list(seen)


def discovered_variables(entries: Sequence[Entry]) -> tuple[Variable, ...]:
    """The variables of an input without --vars: its names in natural order (x2 before x10).

    Names jac gives another meaning (constants, reserved and function names) are left out here;
    the builder reports them in its own words when they are used.
    """
    names = [
        n
        for n in names_used(entries)
        if n not in CONSTANTS and n not in RESERVED and n not in FUNCTION_NAMES and NAME.match(n)
    ]
    bounds.check_count(bounds.VARIABLES, len(names), f"{len(names):,} variables")
    return tuple(Variable(n) for n in sorted(names, key=natural_key))


def parse_vars(text: str) -> tuple[Variable, ...]:
    """`x,y`, `w:3,x:3,b` (vectors of 3) or `W:2x3,x:3` (a 2x3 matrix)."""
    bounds.check_count(bounds.INPUT_CHARS, len(text), f"--vars of {len(text):,} characters")
    variables: list[Variable] = []
    seen: set[str] = set()
    count = 0
    for part in text.split(","):
        part = part.strip()
        name, colon, size_text = part.partition(":")
        name = name.strip()
        if not NAME.match(name):
            raise VariableError(
                f"--vars: '{quoted(part)}' is not a variable name (a letter, then letters, digits or _)"
            )
        if name in FUNCTION_NAMES or name in RESERVED:
            raise VariableError(f"--vars: '{name}' is the name of a function or a reserved name")
        shape: tuple[int, ...] = ()
        if colon:
            shape = _shape(part, size_text.strip())
        variable = Variable(name, shape)
        for component in variable.components + ((name,) if shape else ()):
            if component in seen:
                raise VariableError(f"--vars: '{component}' is declared twice")
            seen.add(component)
        count += variable.size or 1
        bounds.check_count(bounds.VARIABLES, count, f"--vars declares {count:,} variables")
        variables.append(variable)
    return tuple(variables)


def _shape(part: str, text: str) -> tuple[int, ...]:
    match = _SIZE.match(text)
    limit = bounds.VECTOR_SIZE
    if match is None or any(int(g) < 1 for g in match.groups() if g is not None):
        raise VariableError(
            f"--vars: '{quoted(part)}': a vector size is a whole number from 1 (w:3), a matrix size two of them "
            "(W:2x3), in ASCII digits"
        )
    if match.group(2) is None:
        n = int(match.group(1))
        bounds.check_count(limit, n, f"--vars: '{quoted(part)}' has {n:,} components")
        return (n,)
    m, n = int(match.group(1)), int(match.group(2))
    bounds.check_count(bounds.MATRIX_SIZE, m * n, f"--vars: '{quoted(part)}' has {m * n:,} entries")
    return (m, n)


def choose_columns(
    variables: Sequence[Variable], wrt: Sequence[str] | None
) -> tuple[tuple[str, ...], tuple[Group, ...]]:
    """The components to differentiate by, and their grouping by variable.

    All components in declaration order by default; with --wrt, those of the named variables (or
    single components, `w_2`) in the order named.
    """
    if not wrt:
        chosen: list[Variable] = list(variables)
    else:
        by_name = {v.name: v for v in variables}
        single = {c: Variable(c) for v in variables if v.shape for c in v.components}
        chosen = []
        for name in wrt:
            variable = by_name.get(name) or single.get(name)
            if variable is None:
                known = ", ".join(v.name for v in variables) or "none"
                raise VariableError(f"--wrt: '{quoted(name)}' is not a variable (variables: {known})")
            chosen.append(variable)
    columns: list[str] = []
    seen: set[str] = set()
    groups: list[Group] = []
    for variable in chosen:
        start = len(columns)
        for component in variable.components:
            if component in seen:
                raise VariableError(f"--wrt: '{component}' is named twice")
            seen.add(component)
            columns.append(component)
        groups.append(Group(variable.name, start, variable.size or 1, bool(variable.shape), variable.shape))
    return tuple(columns), tuple(groups)


def make_problem(
    kind: Kind,
    texts: Sequence[str],
    *,
    variables: str | Sequence[Variable] | None = None,
    wrt: str | Sequence[str] | None = None,
    var: str | None = None,
    order: int = 1,
) -> Problem:
    """Parse the texts and frame the problem: its variables and the columns of the result."""
    entries, tokens = read_entries(texts)
    if isinstance(variables, str):
        declared = parse_vars(variables)
    elif variables is None:
        declared = discovered_variables(entries)
    else:
        declared = tuple(variables)
    if kind is Kind.DERIVATIVE:
        columns, groups = _derivative_column(declared, var, order)
    else:
        names = [w.strip() for w in wrt.split(",")] if isinstance(wrt, str) else wrt
        columns, groups = choose_columns(declared, names)
    bounds.check_count(bounds.FUNCTIONS, len(entries), f"{len(entries):,} functions")
    return Problem(kind, tuple(texts), entries, declared, columns, groups, tokens, order)


def _derivative_column(
    variables: Sequence[Variable], var: str | None, order: int
) -> tuple[tuple[str, ...], tuple[Group, ...]]:
    if order < 1:
        raise VariableError(f"--order must be a whole number of at least 1, got {order}")
    if order > bounds.DERIVATIVE_ORDER.value:
        raise bounds.refuse(bounds.DERIVATIVE_ORDER, f"--order {order}")
    components = [c for v in variables for c in v.components]
    if var is None:
        if len(components) != 1:
            names = ", ".join(components) or "none"
            raise VariableError(f"diff needs --var to say which variable ({names})")
        (var,) = components
    elif var not in components:
        names = ", ".join(components) or "none"
        raise VariableError(f"--var: '{quoted(var)}' is not a scalar variable or component (variables: {names})")
    return (var,), (Group(var, 0, 1, False),)


def point_texts(text: str, variables: Sequence[Variable], option: str = "--at") -> list[tuple[str, str]]:
    """(component, value text) for every component: `5,-5` positionally, vectors and matrices
    flattened, or by name `x=5,y=-5`, `w=[1,2,3]`, `W=[[1,2],[3,4]]`."""
    bounds.check_count(bounds.INPUT_CHARS, len(text), f"a point of {len(text):,} characters")
    parts = split_top_level(text, option)
    components = [c for v in variables for c in v.components]
    if any("=" in p for p in parts):
        return _named(parts, variables, option)
    if len(parts) != len(components):
        names = ", ".join(components)
        plural = "s" if len(components) != 1 else ""
        expected = f"expected {len(components)} value{plural} ({quoted(names, 60)})"
        hint = suggest.bracketed_point(text)
        message = f"{option} '{quoted(text)}': {expected}, got {len(parts)}"
        raise PointError(f"{message}: {hint}" if hint else message)
    return list(zip(components, parts))


def _named(parts: Sequence[str], variables: Sequence[Variable], option: str) -> list[tuple[str, str]]:
    by_name = {v.name: v for v in variables}
    given: dict[str, list[tuple[str, str]]] = {}
    for part in parts:
        name, equals, value = part.partition("=")
        name = name.strip()
        if not equals:
            raise PointError(f"{option}: '{quoted(part)}' mixes positional and named values; write name=value")
        variable = by_name.get(name)
        if variable is None:
            raise PointError(f"{option}: unknown variable '{quoted(name)}' (variables: {', '.join(by_name) or 'none'})")
        if name in given:
            raise PointError(f"{option}: '{name}' is given twice")
        given[name] = list(zip(variable.components, _array_values(variable, value, option)))
    missing = [v.name for v in variables if v.name not in given]
    if missing:
        raise PointError(f"{option}: no value for {', '.join(missing)}")
    return [pair for v in variables for pair in given[v.name]]


def _array_values(variable: Variable, text: str, option: str) -> list[str]:
    """The value texts of one variable: one number, [a, b, c] for a vector, [[a, b], [c, d]] for a matrix."""
    name = variable.name
    inner = text.strip()
    if not variable.shape:
        return [text]
    if not (inner.startswith("[") and inner.endswith("]")):
        example = f"{name}=[1,2,...]" if len(variable.shape) == 1 else f"{name}=[[1,2,...],[3,4,...],...]"
        raise PointError(f"{option}: {name} ({'x'.join(map(str, variable.shape))}) takes a list, like {example}")
    items = split_top_level(inner[1:-1], option)
    if len(variable.shape) == 1:
        if len(items) != variable.shape[0]:
            raise PointError(f"{option}: {name} has {variable.shape[0]} components, got {len(items)} values")
        return items
    rows, columns = variable.shape
    if not any(item.strip().startswith("[") for item in items):
        raise PointError(
            f"{option}: {name} ({rows}x{columns}) is a matrix: give its {rows} rows, like "
            f"{name}=[[1,2,...],[3,4,...],...], got a flat list of {len(items)} values"
        )
    if len(items) != rows:
        raise PointError(f"{option}: {name} ({rows}x{columns}) has {rows} rows, got {len(items)}")
    values: list[str] = []
    for number, row in enumerate(items, 1):
        row = row.strip()
        if not (row.startswith("[") and row.endswith("]")):
            raise PointError(f"{option}: row {number} of {name} is a list of {columns} values, like [1,2,...]")
        entries = split_top_level(row[1:-1], option)
        if len(entries) != columns:
            raise PointError(
                f"{option}: row {number} of {name} ({rows}x{columns}) has {columns} entries, got {len(entries)}"
            )
        values.extend(entries)
    return values
