"""Text to SymPy: a builder of SymPy objects from the checked syntax tree of `jaccli.syntax`.

No user text ever reaches eval, exec, sympify or parse_expr. `jaccli.syntax` tokenizes the text
and parses it with Python's ast under the size and nesting limits; every node is checked against
an allow-list here, while SymPy objects are built from the tree.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeAlias

import sympy as sp

from jaccli import limits, suggest
from jaccli.errors import (
    ArityError,
    DomainError,
    LimitError,
    ParseError,
    PointError,
    UnknownNameError,
    VariableError,
    quoted,
)
from jaccli.mathfns import FUNCTIONS, Builder
from jaccli.syntax import (
    NAME,
    RESERVED,
    Token,
    _check_brackets,
    _entries,
    _family,
    _parse_tokens,
    _parse_tree,
    _refusal,
    _Source,
    natural_key,
    split_top_level,
    tokenize,
)

CONSTANTS = {"pi": sp.pi, "e": sp.E}
REDUCERS = {"sum": (1, 1), "dot": (2, 2)}


@dataclass(frozen=True)
class Variable:
    """A declared variable: a scalar, or a vector whose components are name_1 ... name_n."""

    name: str
    size: int | None = None

    @property
    def components(self) -> tuple[str, ...]:
        if self.size is None:
            return (self.name,)
        return tuple(f"{self.name}_{i}" for i in range(1, self.size + 1))

    @property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(sp.Symbol(c, real=True) for c in self.components)

    def __str__(self) -> str:
        return self.name if self.size is None else f"{self.name}:{self.size}"


@dataclass(frozen=True)
class Vec:
    """An element-wise value: one expression per component, and the vector names it came from."""

    items: tuple[sp.Expr, ...]
    sources: frozenset[str] = field(default_factory=frozenset)


Value: TypeAlias = "sp.Expr | Vec"


@dataclass(frozen=True)
class Parsed:
    """Functions f_1 ... f_m and the variables, in column order."""

    functions: tuple[sp.Expr, ...]
    variables: tuple[Variable, ...]
    texts: tuple[str, ...]
    vector_valued: bool  # some input expression was element-wise over a vector
    # One per input entry, in order: None for a scalar function, n for an element-wise vector of n
    # functions. The rows of a Jacobian are grouped by these, to find blocks and closed forms.
    entry_sizes: tuple[int | None, ...] = ()


def _exact_number(token: Token) -> sp.Rational:
    text = token.text
    mantissa, _, exponent = text.lower().partition("e")
    digits = len(mantissa.replace(".", "").lstrip("0"))
    if digits > limits.LITERAL_DIGITS.value:
        raise limits.refuse(limits.LITERAL_DIGITS, f"a number literal with {digits:,} digits at column {token.column}")
    if exponent and abs(int(exponent)) > limits.LITERAL_EXPONENT.value:
        raise limits.refuse(limits.LITERAL_EXPONENT, f"the literal exponent e{int(exponent)} at column {token.column}")
    # Decimal text becomes an exact rational: 0.1 is 1/10, so results stay exact.
    whole, _, fraction = mantissa.partition(".")
    value = sp.Rational(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"), 10 ** len(fraction))
    if exponent:
        value = value * sp.Rational(10) ** int(exponent)
    return value


# Functions whose value grows like exp of the argument: their size is checked before SymPy builds them.
_EXPONENTIAL = {"exp": sp.exp, "sinh": sp.sinh, "cosh": sp.cosh}


class _Builder:
    """Builds SymPy values from a checked tree."""

    def __init__(self, source: _Source, namespace: dict[str, Value], discover: bool) -> None:
        self.source = source
        self.namespace = namespace
        self.discover = discover  # undeclared names become new scalar variables
        self.discovered: dict[str, sp.Symbol] = {}

    def fail(
        self, message: str, node: ast.AST, error: type[ParseError] = ParseError, hint: str | None = None
    ) -> ParseError:
        return error(message, self.source.column(getattr(node, "col_offset", 0)), hint=hint)

    def name_of(self, node: ast.Name) -> str:
        return self.source.names[int(node.id[1:])]

    def build(self, node: ast.AST) -> Value:
        if isinstance(node, ast.BinOp) and _family(node) is not None:
            return self._chain(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return self._lift(
                lambda a: self._power(a[0], a[1], node), [self.build(node.left), self.build(node.right)], node
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return value
            return self._lift(lambda a: -a[0], [value], node)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return _exact_number(self.source.numbers[node.col_offset])
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise self.fail(_refusal(node), node)

    def _chain(self, node: ast.BinOp) -> Value:
        """a + b - c or a * b / c, flattened so that long sums cost no recursion."""
        family = _family(node)
        operands: list[tuple[ast.operator, ast.AST]] = []
        current: ast.AST = node
        while isinstance(current, ast.BinOp) and _family(current) is family:
            operands.append((current.op, current.right))
            current = current.left
        first = ast.Add() if family is ast.Add else ast.Mult()
        operands.append((first, current))
        operands.reverse()
        values: list[Value] = []
        for op, operand in operands:
            value = self.build(operand)
            if isinstance(op, ast.Sub):
                value = self._lift(lambda a: -a[0], [value], operand)
            elif isinstance(op, ast.Div):
                value = self._lift(partial(self._reciprocal, node=operand), [value], operand)
            values.append(value)
        combine = sp.Add if family is ast.Add else sp.Mul

        def combined(args: list[sp.Expr]) -> sp.Expr:
            limits.check_build(combine, args)
            return combine(*args)

        return self._lift(combined, values, node)

    def _reciprocal(self, args: list[sp.Expr], node: ast.AST) -> sp.Expr:
        (value,) = args
        if value.is_zero:
            raise self.fail("division by zero", node, DomainError)
        return self._power(value, sp.Integer(-1), node)

    def _power(self, base: sp.Expr, exponent: sp.Expr, node: ast.AST) -> sp.Expr:
        if base.is_zero and exponent.is_negative:
            raise self.fail("division by zero (0 to a negative power)", node, DomainError)
        limits.check_power(base, exponent)
        result = sp.Pow(base, exponent)
        if result.is_number and result.evalf(30).has(sp.I):
            raise self.fail(
                "undefined: a power that is not a real number (for a real cube root use cbrt)", node, DomainError
            )
        return result

    def _lift(self, operation: Callable[[list[sp.Expr]], sp.Expr], args: Sequence[Value], node: ast.AST) -> Value:
        """Apply a scalar operation element-wise, broadcasting scalars over vectors."""
        vectors = [a for a in args if isinstance(a, Vec)]
        result: Value
        if not vectors:
            result = operation(list(args))
        else:
            lengths = {len(v.items) for v in vectors}
            sources = frozenset().union(*(v.sources for v in vectors))
            if len(lengths) > 1:
                described = ", ".join(f"{n} ({self._length_of(n)})" for n in sorted(sources))
                raise self.fail(f"element-wise operation on vectors of different lengths: {described}", node)
            size = lengths.pop()
            result = Vec(
                tuple(operation([a.items[i] if isinstance(a, Vec) else a for a in args]) for i in range(size)),
                sources,
            )
        return result

    def _length_of(self, name: str) -> int:
        value = self.namespace.get(name)
        return len(value.items) if isinstance(value, Vec) else 1

    def _name(self, node: ast.Name) -> Value:
        name = self.name_of(node)
        if name in self.namespace:
            return self.namespace[name]
        if name in FUNCTIONS or name in REDUCERS:
            raise self.fail(f"'{name}' is a function: write {name}(...)", node)
        if name in RESERVED:
            raise self.fail(f"unknown name '{name}': {RESERVED[name]}", node, UnknownNameError)
        if not NAME.match(name):
            raise self.fail(f"invalid name '{name}': names start with a letter", node, UnknownNameError)
        if self.discover:
            symbol = self.discovered.setdefault(name, sp.Symbol(name, real=True))
            return symbol
        declared = ", ".join(n for n, v in self.namespace.items() if isinstance(v, Vec) or v.is_Symbol)
        raise self.fail(f"unknown name '{name}' (declared variables: {declared or 'none'})", node, UnknownNameError)

    def _call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only named functions can be called", node)
        name = self.name_of(node.func)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"{name}() takes plain arguments only", node)
        if name in REDUCERS:
            return self._reduce(name, node)
        if name not in FUNCTIONS:
            if name in self.namespace or name in self.discovered:
                raise self.fail(f"'{name}' is not a function (write {name}*(...) to multiply)", node, UnknownNameError)
            hint = suggest.function_hint(name, [*FUNCTIONS, *REDUCERS])
            raise self.fail(f"unknown function '{name}'", node, UnknownNameError, hint)
        fewest, most, builder = FUNCTIONS[name]
        count = len(node.args)
        if count < fewest or (most is not None and count > most):
            expected = str(fewest) if fewest == most else f"{fewest} to {most}" if most else f"at least {fewest}"
            plural = "" if (most or fewest) == 1 else "s"
            raise self.fail(f"{name}() takes {expected} argument{plural}, got {count}", node, ArityError)
        args = [self.build(a) for a in node.args]
        return self._lift(lambda a: self._apply(name, builder, a, node), args, node)

    def _apply(self, name: str, builder: Builder, args: Sequence[sp.Expr], node: ast.AST) -> sp.Expr:
        if name in _EXPONENTIAL:
            limits.check_build(_EXPONENTIAL[name], args, f"{name}({limits.brief(args[0])})")
        try:
            result = builder(args)
        except (TypeError, ValueError):  # max(x, acos(2)): SymPy cannot order a complex constant
            raise self.fail("undefined: a function of a value that is not real", node, DomainError) from None
        if result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.fail("undefined: a function at a pole (such as log(0))", node, DomainError)
        if result.is_number and result.evalf(30).has(sp.I):
            raise self.fail("undefined: a constant that is not a real number", node, DomainError)
        return result

    def _names(self, nodes: Sequence[ast.AST]) -> list[str]:
        """The names of scalar variables among the nodes, as written (for a hint to declare their sizes)."""
        names = [self.name_of(n) for n in nodes if isinstance(n, ast.Name)]
        return [n for n in names if not isinstance(self.namespace.get(n), Vec) and n not in CONSTANTS]

    def _reduce(self, name: str, node: ast.Call) -> Value:
        fewest, _ = REDUCERS[name]
        if len(node.args) != fewest:
            raise self.fail(
                f"{name}() takes {fewest} argument{'s' if fewest > 1 else ''}, got {len(node.args)}", node, ArityError
            )
        args = [self.build(a) for a in node.args]
        if name == "sum":
            (value,) = args
            if not isinstance(value, Vec):
                raise self.fail("sum() takes a vector", node, hint=suggest.declare_sizes(self._names(node.args)))
            return sp.Add(*value.items)
        left, right = args
        if not (isinstance(left, Vec) and isinstance(right, Vec)):
            raise self.fail("dot() takes two vectors", node, hint=suggest.declare_sizes(self._names(node.args)))
        product = self._lift(lambda a: a[0] * a[1], [left, right], node)
        assert isinstance(product, Vec)
        return sp.Add(*product.items)


def _namespace(variables: Sequence[Variable] | None) -> dict[str, Value]:
    namespace: dict[str, Value] = dict(CONSTANTS)
    for variable in variables or ():
        symbols = variable.symbols
        if variable.size is None:
            namespace[variable.name] = symbols[0]
        else:
            namespace[variable.name] = Vec(symbols, frozenset({variable.name}))
    return namespace


def parse_functions(texts: Sequence[str], variables: Sequence[Variable] | None = None) -> Parsed:
    """Parse one or more function texts (each may be a list) over declared or discovered variables."""
    namespace = _namespace(variables)
    functions: list[sp.Expr] = []
    entry_sizes: list[int | None] = []
    vector_valued = False
    discovered: dict[str, sp.Symbol] = {}
    for text in texts:
        body, source = _parse_tree(text)
        builder = _Builder(source, namespace, discover=variables is None)
        builder.discovered = discovered
        for entry in _entries(body):
            value = builder.build(entry)
            items = value.items if isinstance(value, Vec) else (value,)
            vector_valued = vector_valued or isinstance(value, Vec)
            entry_sizes.append(len(items) if isinstance(value, Vec) else None)
            for item in items:
                # SymPy distributes a number over a sum, 10**999*(10**999*x + 1): the digits add up.
                limits.check_numbers(item, "the function")
                functions.append(item)
        limits.check_count(limits.FUNCTIONS, len(functions), f"{len(functions):,} functions")
        limits.check_count(limits.VARIABLES, len(discovered), f"{len(discovered):,} variables")
    if variables is None:
        variables = tuple(Variable(n) for n in sorted(discovered, key=natural_key))
    from jaccli.printing import to_text

    texts_out = tuple(to_text(f) for f in functions)
    return Parsed(tuple(functions), tuple(variables), texts_out, vector_valued, tuple(entry_sizes))


def parse_vars(text: str) -> tuple[Variable, ...]:
    """`x,y` or `w:3,x:3,b`."""
    limits.check_count(limits.INPUT_CHARS, len(text), f"--vars of {len(text):,} characters")
    variables: list[Variable] = []
    seen: set[str] = set()
    for part in text.split(","):
        part = part.strip()
        name, colon, size_text = part.partition(":")
        name = name.strip()
        if not NAME.match(name):
            raise VariableError(
                f"--vars: '{quoted(part)}' is not a variable name (a letter, then letters, digits or _)"
            )
        if name in FUNCTIONS or name in REDUCERS or name in RESERVED:
            raise VariableError(f"--vars: '{name}' is the name of a function or a reserved name")
        size: int | None = None
        if colon:
            if not size_text.strip().isdigit() or not 1 <= int(size_text) <= limits.VECTOR_SIZE.value:
                raise VariableError(
                    f"--vars: '{quoted(part)}': a vector size is a whole number from 1 to "
                    f"{limits.VECTOR_SIZE.value:,} (the limit {limits.VECTOR_SIZE.name})"
                )
            size = int(size_text)
        variable = Variable(name, size)
        for component in variable.components + ((name,) if size else ()):
            if component in seen:
                raise VariableError(f"--vars: '{component}' is declared twice")
            seen.add(component)
        variables.append(variable)
        limits.check_count(limits.VARIABLES, len(seen), f"--vars declares {len(seen):,} variables")
    return tuple(variables)


def parse_constant(text: str, what: str = "value") -> sp.Expr:
    """A number written as an expression (`pi/4`, `1/3`), checked to be a finite real number."""
    try:
        body, source = _parse_tree(text)
        value = _Builder(source, dict(CONSTANTS), discover=False).build(body)
    except (UnknownNameError, DomainError) as error:
        raise PointError(f"{what} '{quoted(text)}' is not a finite real number ({error})") from None
    except (ParseError, LimitError) as error:
        raise PointError(f"{what} '{quoted(text)}': {error}") from None
    if isinstance(value, Vec):
        raise PointError(f"{what} '{quoted(text)}' is not a number")
    return check_finite_real(value, f"{what} '{quoted(text)}'")


def check_finite_real(value: sp.Expr, what: str) -> sp.Expr:
    approximate = value.evalf(30)
    if not (approximate.is_real and approximate.is_finite and approximate.is_number):
        raise PointError(f"{what} is not a finite real number")
    return value


def parse_point(text: str, variables: Sequence[Variable]) -> dict[sp.Symbol, sp.Expr]:
    """`5,-5` (all components in order) or `x=5,y=-5` / `w=[1,2,3]` (by name)."""
    limits.check_count(limits.INPUT_CHARS, len(text), f"a point of {len(text):,} characters")
    parts = split_top_level(text)
    symbols = [s for v in variables for s in v.symbols]
    if any("=" in p for p in parts):
        return _named_point(parts, variables)
    if len(parts) != len(symbols):
        names = ", ".join(s.name for s in symbols)
        plural = "s" if len(symbols) != 1 else ""
        hint = suggest.bracketed_point(text)
        message = f"--at '{quoted(text)}': expected {len(symbols)} value{plural} ({names}), got {len(parts)}"
        raise PointError(f"{message}: {hint}" if hint else message)
    return {s: parse_constant(p, f"point value for {s.name}") for s, p in zip(symbols, parts)}


def _named_point(parts: Iterable[str], variables: Sequence[Variable]) -> dict[sp.Symbol, sp.Expr]:
    by_name = {v.name: v for v in variables}
    point: dict[sp.Symbol, sp.Expr] = {}
    for part in parts:
        name, equals, value_text = part.partition("=")
        name = name.strip()
        if not equals:
            raise PointError(f"--at: '{quoted(part)}' mixes positional and named values; write name=value")
        variable = by_name.get(name)
        if variable is None:
            raise PointError(f"--at: unknown variable '{quoted(name)}' (variables: {', '.join(by_name) or 'none'})")
        if variable.symbols[0] in point:
            raise PointError(f"--at: '{name}' is given twice")
        if variable.size is None:
            point[variable.symbols[0]] = parse_constant(value_text, f"point value for {name}")
            continue
        inner = value_text.strip()
        if not (inner.startswith("[") and inner.endswith("]")):
            raise PointError(f"--at: the vector {name} takes a list of {variable.size} values, like {name}=[1,2,...]")
        items = split_top_level(inner[1:-1])
        if len(items) != variable.size:
            raise PointError(f"--at: {name} has {variable.size} components, got {len(items)} values")
        for symbol, item in zip(variable.symbols, items):
            point[symbol] = parse_constant(item, f"point value for {symbol.name}")
    missing = [v.name for v in variables if v.symbols[0] not in point]
    if missing:
        raise PointError(f"--at: no value for {', '.join(missing)}")
    return point


@dataclass(frozen=True)
class Answer:
    """A matrix given as an answer. `flat` when written as a plain list: a row or a column, as expected."""

    rows: tuple[tuple[sp.Expr, ...], ...]
    flat: bool
    text: str

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])

    @property
    def entries(self) -> tuple[sp.Expr, ...]:
        return tuple(e for row in self.rows for e in row)


def parse_answer(text: str, variables: Sequence[Variable]) -> Answer:
    """An answer matrix, through the same safe parser as functions.

    `2x, 2y` or `[2x, 2y]` (a flat list), `[[y, x], [1, 1]]` or `y, x; 1, 1` or `[y, x; 1, 1]`
    (rows). A vector-valued entry such as `2*w` stands for its components. Names are the declared
    variables, their components (`w_1`) and the constants.
    """
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("empty answer")
    _check_brackets(tokens)
    tokens = _without_outer_brackets_around_rows(tokens)
    namespace = _namespace(variables)
    for variable in variables:
        if variable.size is not None:
            namespace.update(zip(variable.components, variable.symbols))
    segments = _split_rows(tokens)
    if len(segments) > 1:
        rows = [_answer_row(segment, namespace) for segment in segments]
        flat = False
    else:
        body, source = _parse_tokens(segments[0])
        builder = _Builder(source, namespace, discover=False)
        entries = _entries(body)
        nested = [isinstance(e, (ast.List, ast.Tuple)) for e in entries]
        if any(nested) and not all(nested):
            column = source.column(entries[nested.index(not nested[0])].col_offset)
            raise ParseError("mixes rows [..] and single entries in one matrix", column)
        if all(nested) and isinstance(body, (ast.List, ast.Tuple)):
            rows = [_built_entries(builder, _entries(e)) for e in entries]
            flat = False
        else:
            rows = [_built_entries(builder, entries)]
            flat = True
    widths = [len(row) for row in rows]
    for number, width in enumerate(widths, 1):
        if width != widths[0]:
            raise ParseError(f"the answer's row {number} has {width} entries, row 1 has {widths[0]}")
    return Answer(tuple(tuple(row) for row in rows), flat, text)


def _without_outer_brackets_around_rows(tokens: list[Token]) -> list[Token]:
    """`[y, x; 1, 1]` is the same matrix as `y, x; 1, 1`."""
    if len(tokens) < 2 or tokens[0].text != "[" or tokens[-1].text != "]":
        return tokens
    depth = 0
    semicolon = False
    for index, token in enumerate(tokens):
        if token.text in "([":
            depth += 1
        elif token.text in ")]":
            depth -= 1
            if depth == 0 and index != len(tokens) - 1:
                return tokens  # the first bracket closes early: [a, b], [c, d]
        elif token.text == ";" and depth == 1:
            semicolon = True
    return tokens[1:-1] if semicolon else tokens


def _split_rows(tokens: list[Token]) -> list[list[Token]]:
    segments: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.text in "([":
            depth += 1
        elif token.text in ")]":
            depth -= 1
        if token.text == ";" and depth == 0:
            if not segments[-1]:
                raise ParseError("an empty row before ';'", token.column)
            segments.append([])
        else:
            segments[-1].append(token)
    if not segments[-1]:
        raise ParseError("an empty row after the last ';'")
    return segments


def _answer_row(tokens: list[Token], namespace: dict[str, Value]) -> list[sp.Expr]:
    body, source = _parse_tokens(tokens)
    return _built_entries(_Builder(source, namespace, discover=False), _entries(body))


def _built_entries(builder: _Builder, entries: Sequence[ast.expr]) -> list[sp.Expr]:
    built: list[sp.Expr] = []
    for entry in entries:
        value = builder.build(entry)
        built.extend(value.items if isinstance(value, Vec) else (value,))
    if len(built) > limits.FUNCTIONS.value:
        raise limits.refuse(limits.FUNCTIONS, f"{len(built):,} entries in one row of an answer")
    return built
