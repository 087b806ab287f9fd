"""The one pipeline: a problem, an engine, a result, its values at points.

text -> checked syntax tree (`jaccli.syntax`) -> problem (`jaccli.problem`, no engine) -> the
engine's expressions (`jaccli.build`) -> derivative rows (`jaccli.derive`) -> `Result`, with
exact values at points (`evaluate`). The Python API (`jaccli.api`) and every command go through here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from jaccli import bounds
from jaccli.build import Array, Builder, namespace
from jaccli.derive import Differentiator
from jaccli.engine import choose
from jaccli.engine.base import ADD, CALL, MUL, POW, Engine, children
from jaccli.errors import (
    DomainError,
    JacError,
    LimitError,
    ParseError,
    PointError,
    ShapeError,
    UnknownNameError,
    VariableError,
    quoted,
)
from jaccli.functions import Functions
from jaccli.printer import Printer
from jaccli.problem import Kind, Problem, point_texts
from jaccli.result import Case, Evaluation, Result
from jaccli.sizes import EXPONENTIAL, Sizes
from jaccli.structure import Group, classify
from jaccli.syntax import _parse_tree

_DECIMAL = re.compile(r"\s*([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,4}))?\s*\Z", re.ASCII)


class Context:
    """One engine with the builder, conventions, printer and evaluator that a result shares."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.engine = engine or choose()
        self.functions = Functions(self.engine)
        self.printer = Printer(self.engine)
        self.evaluator = self.functions.evaluator
        self.sizes = Sizes(self.engine)


def compute(problem: Problem, context: Context | None = None, *, sparse: bool = False) -> Result:
    """The derivative, gradient, Jacobian or Hessian the problem asks for."""
    context = context or Context()
    engine = context.engine
    builder = Builder(engine, namespace(engine, problem.variables, components=True), context.functions)
    functions, row_groups, function_shape, largest_digits = _functions(builder, problem)
    kind = problem.kind
    if kind in (Kind.GRADIENT, Kind.HESSIAN) and (len(functions) != 1 or row_groups[0].vector):
        command = "grad" if kind is Kind.GRADIENT else "hessian"
        instead = "jac jacobian" if kind is Kind.GRADIENT else "a Hessian per function"
        got = f"{len(functions)} functions"
        shape = row_groups[0].shape
        if len(shape) == 2:
            got = f"a {shape[0]}x{shape[1]} matrix of {got} (reduce it with sum(), trace() or det())"
        elif row_groups[0].vector:
            got = f"a vector of {got} (reduce it with sum() or dot())"
        raise ShapeError(f"{command} takes one scalar function, got {got}; use {instead}")
    columns = problem.columns
    if not columns:
        raise VariableError("there is nothing to differentiate by: f has no variables (declare them with --vars)")
    m = len(columns) if kind is Kind.HESSIAN else len(functions)
    _check_size(m, len(columns), sparse)
    symbols = [engine.symbol(c) for c in columns]
    differentiator = Differentiator(context.functions, symbols)
    if kind is Kind.DERIVATIVE:
        entries = [_nth_derivative(differentiator, f, problem.order) for f in functions]
    elif kind is Kind.HESSIAN:
        first = differentiator.gradient(functions[0])
        entries = [differentiator.gradient(first[i]) if i in first else {} for i in range(len(columns))]
        row_groups = problem.column_groups
    else:
        entries = [differentiator.gradient(f) for f in functions]
    nonzeros = sum(len(row) for row in entries)
    bounds.check_count(bounds.NONZERO_ENTRIES, nonzeros, f"a result with {nonzeros:,} nonzero entries")
    # Differentiating k times multiplies at most k + 1 of f's numbers together: when even that stays far
    # below the limit, the entries need no walk of their own.
    order = problem.order if kind is Kind.DERIVATIVE else 2 if kind is Kind.HESSIAN else 1
    if (order + 1) * (largest_digits + 2) > bounds.NUMBER_DIGITS.value:
        seen: set[Any] = set()
        for row in entries:
            for column, entry in row.items():
                context.sizes.check_numbers(entry, f"the derivative by {columns[column]}", seen)
    result = Result(
        kind=kind,
        problem=problem,
        engine=engine,
        printer=context.printer,
        functions=tuple(functions),
        variables=columns,
        rows=_row_labels(kind, columns, len(functions), row_groups, function_shape),
        entries=tuple(entries),
        structure=classify(entries, len(columns), row_groups, problem.column_groups),
        case=_case(problem, len(functions), row_groups),
        row_groups=row_groups,
        column_groups=problem.column_groups,
        order=problem.order,
        function_shape=function_shape,
        sparse=sparse,
    )
    from jaccli.closed_forms import with_closed_form

    return with_closed_form(result, builder)


def _functions(
    builder: Builder, problem: Problem
) -> tuple[list[Any], tuple[Group, ...], tuple[int, int] | None, float]:
    functions: list[Any] = []
    groups: list[Group] = []
    shapes: list[tuple[int, ...]] = []
    for entry, source in problem.entries:
        value = builder.build(entry, source)
        start = len(functions)
        if isinstance(value, Array):
            functions.extend(value.items)
            shapes.append(value.shape)
            name = f"f_{start + 1}..f_{start + len(value.items)}"
            groups.append(Group(name, start, len(value.items), True, value.shape))
        else:
            functions.append(value)
            shapes.append(())
            groups.append(Group(f"f_{start + 1}", start, 1, False))
        bounds.check_count(bounds.FUNCTIONS, len(functions), f"{len(functions):,} functions")
    seen: set[Any] = set()
    sizes = Sizes(builder.engine)
    largest = 0.0
    for f in functions:
        # an engine distributes a number over a sum, 10**999*(10**999*x + 1): the digits add up
        largest = max(largest, sizes.check_numbers(f, "the function", seen))
    function_shape = shapes[0] if len(shapes) == 1 and len(shapes[0]) == 2 else None
    return functions, tuple(groups), function_shape, largest


def _check_size(rows: int, columns: int, sparse: bool) -> None:
    """Refuse a dense result too big to write, before any derivative is taken."""
    if sparse:
        return
    entries = rows * columns
    if entries > bounds.MATRIX_ENTRIES.value:
        error = bounds.refuse(bounds.MATRIX_ENTRIES, f"a {rows:,}x{columns:,} result ({entries:,} entries)")
        raise LimitError(error.limit, f"{error}; --sparse lists only its nonzero entries")


def _nth_derivative(differentiator: Differentiator, f: Any, order: int) -> dict[int, Any]:
    for _ in range(order):
        f = differentiator.derivative(f)
    return {} if f == differentiator.engine.zero else {0: f}


def _row_labels(
    kind: Kind, columns: Sequence[str], count: int, groups: Sequence[Group], shape: tuple[int, int] | None
) -> tuple[str, ...]:
    if kind is Kind.HESSIAN:
        return tuple(columns)
    if shape is not None:
        return tuple(f"f_{i}_{j}" for i in range(1, shape[0] + 1) for j in range(1, shape[1] + 1))
    if count == 1 and not groups[0].vector:
        return ("f",)
    return tuple(f"f_{i}" for i in range(1, count + 1))


def _case(problem: Problem, count: int, groups: Sequence[Group]) -> Case:
    scalar_function = count == 1 and not groups[0].vector
    scalars = {v.name for v in problem.variables if not v.shape}
    scalar_variable = problem.kind is Kind.DERIVATIVE or (len(problem.columns) == 1 and problem.columns[0] in scalars)
    rows = len(problem.columns) if problem.kind is Kind.HESSIAN else count
    return Case(rows, len(problem.columns), scalar_function, scalar_variable)


# -- points ------------------------------------------------------------------------------------------


def constant(context: Context, text: str, what: str) -> Any:
    """A number written as an expression (`pi/4`, `1/3`, `-2.5`), checked to be a finite real number."""
    engine = context.engine
    decimal = _DECIMAL.match(text)
    if decimal:  # a point of a layer has 10,000 plain numbers: no syntax tree for them
        sign, digits, exponent = decimal.groups()
        fraction = _fraction(digits, exponent)
        if fraction is not None:
            fraction = -fraction if sign == "-" else fraction
            return engine.number(fraction.numerator, fraction.denominator)
    try:
        body, source = _parse_tree(text)
        value = Builder(engine, {"pi": engine.pi, "e": engine.e}, context.functions).build(body, source)
    except (UnknownNameError, DomainError) as error:
        raise PointError(f"{what} '{quoted(text)}' is not a finite real number ({error})") from None
    except (ParseError, LimitError) as error:
        raise PointError(f"{what} '{quoted(text)}': {error}") from None
    if isinstance(value, Array):
        raise PointError(f"{what} '{quoted(text)}' is not a number")
    if context.evaluator.value(value) is None:
        raise PointError(f"{what} '{quoted(text)}' is not a finite real number")
    return value


def _fraction(digits: str, exponent: str | None) -> Fraction | None:
    whole, _, fraction = digits.partition(".")
    if len((whole + fraction).lstrip("0")) > bounds.LITERAL_DIGITS.value:
        return None  # the parser names the limit
    value = Fraction(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"), 10 ** len(fraction))
    if exponent:
        if abs(int(exponent)) > bounds.LITERAL_EXPONENT.value:
            return None
        value *= Fraction(10) ** int(exponent)
    return value


def read_point(context: Context, problem: Problem, text: str, option: str = "--at") -> list[tuple[str, Any]]:
    """The exact value of every component at a point written as for --at."""
    return [
        (c, constant(context, v.strip(), f"point value for {c}"))
        for c, v in point_texts(text, problem.variables, option)
    ]


class Substitution:
    """Expressions with a point's exact values put in, rebuilt bottom-up with jac's conventions and
    the size checks of `jaccli.sizes` (x**(10**9) at 2 is refused, not computed)."""

    def __init__(self, context: Context, values: dict[str, Any]) -> None:
        self.context = context
        self.engine = context.engine
        self.cache: dict[Any, Any] = {self.engine.symbol(name): value for name, value in values.items()}

    def __call__(self, expr: Any) -> Any:
        cache = self.cache
        found = cache.get(expr)
        if found is not None:
            return found
        engine, node = self.engine, self.engine.node
        stack: list[tuple[Any, Any]] = [(expr, None)]
        # every variable has a value, so every part built here is a constant: its size is checked
        while stack:
            current, parts = stack.pop()
            if current in cache:
                continue
            if parts is None:
                parts = node(current)
                missing = [c for c in children(parts) if c not in cache]
                if missing:
                    stack.append((current, parts))
                    stack.extend((c, None) for c in missing)
                    continue
            try:
                value = self._rebuilt(current, parts)
            except JacError:  # a number over the size limit: refused, not undefined
                raise
            except (ArithmeticError, RuntimeError, TypeError, ValueError):
                # an engine refusing to combine undefined parts (SymEngine: a complex number times a
                # pole): the whole is undefined
                value = engine.undefined
            cache[current] = value
        return cache[expr]

    def _rebuilt(self, current: Any, parts: tuple[int, Any, Any]) -> Any:
        """One node again, from its parts with the point's values in, checked in size."""
        engine, sizes, cache = self.engine, self.context.sizes, self.cache
        kind, a, b = parts
        if kind in (ADD, MUL):
            args = [cache[t] for t in a]
            sizes.check_build(kind, None, args, f"a {'sum' if kind == ADD else 'product'} at the point")
            return engine.add(args) if kind == ADD else engine.mul(args)
        if kind == POW:
            base, exponent = cache[a], cache[b]
            sizes.check_build(POW, None, (base, exponent), "a power at the point")
            return engine.pow(base, exponent)
        if kind == CALL:
            args = [cache[x] for x in b]
            if a in EXPONENTIAL:
                sizes.check_build(CALL, a, args, f"{a}() at the point")
            return self.context.functions.primitive(a, args)
        return current


def evaluate(result: Result, points: Sequence[Sequence[tuple[str, Any]]], context: Context) -> Result:
    """The result with its exact values at each point (component -> exact value)."""
    return result.with_evaluations([_evaluation(result, point, context) for point in points])


def _evaluation(result: Result, point: Sequence[tuple[str, Any]], context: Context) -> Evaluation:
    engine = context.engine
    values = dict(point)
    substitute = Substitution(context, values)
    evaluator = context.evaluator

    def undefined(f: Any) -> bool:
        return evaluator.value(substitute(f)) is None

    # outside the real domain of f_i, every entry of row i is undefined (log(x) at -1, acosh(x) at -8);
    # f is put in exactly, as its entries are, so that both share their parts (a layer's pre-activations)
    if result.kind is Kind.HESSIAN:
        undefined_rows = frozenset(range(len(result.rows))) if undefined(result.functions[0]) else frozenset()
    else:
        undefined_rows = frozenset(i for i, f in enumerate(result.functions) if undefined(f))
    exact_rows: list[dict[int, Any]] = []
    number_rows: list[dict[int, Any]] = []
    for i, row in enumerate(result.entries):
        exact: dict[int, Any] = {}
        numbers_row: dict[int, Any] = {}
        if i not in undefined_rows:
            for j, entry in row.items():
                value = substitute(entry)
                number = evaluator.value(value)
                exact[j] = None if number is None else value
                numbers_row[j] = number
        exact_rows.append(exact)
        number_rows.append(numbers_row)
    evaluation = Evaluation(
        point=tuple(point),
        exact=tuple(exact_rows),
        numbers=tuple(number_rows),
        undefined_rows=undefined_rows,
        columns=len(result.variables),
        zero=engine.zero,
    )
    if result.kind is Kind.GRADIENT:
        evaluation = replace(evaluation, norm=_norm(context, evaluation.gradient))
    return evaluation


def _norm(context: Context, gradient: Sequence[Any | None]) -> Any | None:
    if any(g is None for g in gradient):
        return None
    engine = context.engine
    squares = [engine.pow(g, engine.number(2)) for g in gradient if g is not None and g != engine.zero]
    return engine.pow(engine.add(squares), engine.number(1, 2)) if squares else engine.zero
