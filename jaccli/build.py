"""Engine expressions from the checked syntax tree: scalars, vectors and matrices.

No user text ever reaches eval, exec, sympify or parse_expr: `jaccli.syntax` tokenizes the text and
parses it with Python's ast under the size and nesting limits, and every node is checked here
against an allow-list while the engine's objects are built.

A vector or a matrix is an `Array` of engine expressions. Arithmetic is element-wise on arrays of
one shape, with scalars broadcast; `@` is the matrix product with NumPy's rules for 1-D and 2-D
operands; sum, dot, transpose, trace, det, inv, diag, outer and norm work on whole arrays.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any, TypeAlias

from jaccli import bounds, suggest
from jaccli.engine.base import ADD, CALL, MUL, POW, UNDEFINED, Engine
from jaccli.errors import ArityError, DomainError, ParseError, ShapeError, UnknownNameError
from jaccli.functions import ARRAY_FUNCTIONS, ELEMENTWISE, Functions
from jaccli.problem import Variable
from jaccli.sizes import EXPONENTIAL, Sizes, brief
from jaccli.syntax import NAME, RESERVED, Token, _family, _refusal, _Source, chain


@dataclass(frozen=True)
class Array:
    """A vector (shape (n,)) or a matrix (shape (m, n)) of expressions, row-major."""

    shape: tuple[int, ...]
    items: tuple[Any, ...]
    sources: frozenset[str] = field(default_factory=frozenset)  # the declared arrays it is made of

    def row(self, i: int) -> tuple[Any, ...]:
        n = self.shape[1]
        return self.items[i * n : (i + 1) * n]

    def column(self, j: int) -> tuple[Any, ...]:
        return self.items[j :: self.shape[1]]


Value: TypeAlias = "Any | Array"


def shape_text(value: Value, text: str | None = None) -> str:
    """`W (2x3)`: the operand (as written, when `text` is given) and its shape."""
    if not isinstance(value, Array):
        return "a scalar"
    shown = "x".join(map(str, value.shape))
    if text is not None:
        return f"{text} ({shown})"
    names = ", ".join(sorted(value.sources))
    kind = "vector" if len(value.shape) == 1 else "matrix"
    return f"{names} ({shown})" if names else f"a {kind} ({shown})"


def exact_number(text: str, column: int) -> Fraction:
    """A decimal literal as an exact rational: 0.1 is 1/10, so results stay exact."""
    mantissa, _, exponent = text.lower().partition("e")
    digits = len(mantissa.replace(".", "").lstrip("0"))
    if digits > bounds.LITERAL_DIGITS.value:
        raise bounds.refuse(bounds.LITERAL_DIGITS, f"a number literal with {digits:,} digits at column {column}")
    if exponent and abs(int(exponent)) > bounds.LITERAL_EXPONENT.value:
        raise bounds.refuse(bounds.LITERAL_EXPONENT, f"the literal exponent e{int(exponent)} at column {column}")
    whole, _, fraction = mantissa.partition(".")
    value = Fraction(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"), 10 ** len(fraction))
    if exponent:
        value *= Fraction(10) ** int(exponent)
    return value


class Builder:
    """Builds engine values from checked trees over a namespace of variables and constants."""

    def __init__(self, engine: Engine, namespace: dict[str, Value], functions: Functions | None = None) -> None:
        self.engine = engine
        self.namespace = namespace
        self.functions = functions or Functions(engine)
        self.sizes = Sizes(engine)
        self.evaluator = self.functions.evaluator
        self.source: _Source | None = None

    # -- the tree -------------------------------------------------------------------------------

    def build(self, node: ast.AST, source: _Source) -> Value:
        self.source = source
        return self._build(node)

    def fail(
        self, message: str, node: ast.AST, error: type[ParseError] = ParseError, hint: str | None = None
    ) -> ParseError:
        assert self.source is not None
        return error(message, self.source.column(getattr(node, "col_offset", 0)), hint=hint)

    def scalar_names(self, nodes: Sequence[ast.AST]) -> list[str]:
        """The names of scalar variables among the nodes, as written (for a hint to declare their sizes)."""
        names = [self._name_of(n) for n in nodes if isinstance(n, ast.Name)]
        return [
            n
            for n in names
            if n in self.namespace and not isinstance(self.namespace[n], Array) and n not in ("pi", "e")
        ]

    def _name_of(self, node: ast.Name) -> str:
        assert self.source is not None
        return self.source.names[int(node.id[1:])]

    def _build(self, node: ast.AST) -> Value:
        if isinstance(node, ast.BinOp) and _family(node) is not None:
            return self._chain(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = self._build(node.left), self._build(node.right)
            return self._lift(lambda a: self.power(a[0], a[1], node), [base, exponent], node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            return self._matmul(self._build(node.left), self._build(node.right), node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self._build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return value
            return self._lift(lambda a: self.engine.negate(a[0]), [value], node)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            assert self.source is not None
            token: Token = self.source.numbers[node.col_offset]
            value = exact_number(token.text, token.column)
            return self.engine.number(value.numerator, value.denominator)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise self.fail(_refusal(node), node)

    def _chain(self, node: ast.BinOp) -> Value:
        """a + b - c or a * b / c, flattened so that long sums cost no recursion."""
        family = _family(node)
        operands = chain(node)
        values: list[Value] = []
        engine = self.engine
        for op, operand in operands:
            value = self._build(operand)
            if isinstance(op, ast.Sub):
                value = self._lift(lambda a: engine.negate(a[0]), [value], operand)
            elif isinstance(op, ast.Div):
                value = self._lift(partial(self._reciprocal_of, node=operand), [value], operand)
            values.append(value)
        kind = ADD if family is ast.Add else MUL
        return self._lift(lambda a: self.combine(kind, a), values, node)

    # -- scalar operations, with the size and domain checks of constants --------------------------

    def combine(self, kind: int, args: Sequence[Any]) -> Any:
        constants = [a for a in args if self.engine.is_constant(a)]
        if len(constants) > 1:
            what = f"a {'sum' if kind == ADD else 'product'} of {len(constants)} numbers"
            self.sizes.check_build(kind, None, constants, what)
        return self.engine.add(args) if kind == ADD else self.engine.mul(args)

    def _reciprocal_of(self, args: Sequence[Any], node: ast.AST) -> Any:
        return self.reciprocal(args[0], node)

    def reciprocal(self, value: Any, node: ast.AST) -> Any:
        if self.engine.is_constant(value) and self.evaluator.value(value) == 0:
            raise self.fail("division by zero", node, DomainError)
        return self.power(value, self.engine.number(-1), node)

    def power(self, base: Any, exponent: Any, node: ast.AST) -> Any:
        engine = self.engine
        if engine.is_constant(exponent):
            checked_base = base
            if not engine.is_constant(base):
                kind, factors, _ = engine.node(base)
                numbers = [f for f in factors if engine.is_constant(f)] if kind == MUL else []
                checked_base = engine.mul(numbers) if numbers else None
            if checked_base is not None:
                self.sizes.check_build(
                    POW,
                    None,
                    (checked_base, exponent),
                    f"the power ({_brief(engine, base)})**({_brief(engine, exponent)})",
                )
        if engine.is_constant(base) and engine.is_constant(exponent):
            base_value, exponent_value = self.evaluator.value(base), self.evaluator.value(exponent)
            if base_value == 0 and exponent_value is not None and exponent_value < 0:
                raise self.fail("division by zero (0 to a negative power)", node, DomainError)
        result = engine.pow(base, exponent)
        if engine.is_constant(result) and self.evaluator.value(result) is None:
            raise self.fail(
                "undefined: a power that is not a real number (for a real cube root use cbrt)", node, DomainError
            )
        return result

    def apply(self, name: str, args: Sequence[Any], node: ast.AST) -> Any:
        engine = self.engine
        if name in EXPONENTIAL and engine.is_constant(args[0]):
            self.sizes.check_build(CALL, name, args, f"{name}({_brief(engine, args[0])})")
        result = self.functions.apply(name, args)
        if engine.is_constant(result) and self.evaluator.value(result) is None:
            kind, what, _ = engine.node(result)
            if kind == UNDEFINED and what in ("zoo", "nan", "oo", "-oo"):
                raise self.fail("undefined: a function at a pole (such as log(0))", node, DomainError)
            if all(engine.is_constant(a) and self.evaluator.value(a) is not None for a in args):
                raise self.fail(f"undefined: {name}() of this constant is not a real number", node, DomainError)
            raise self.fail("undefined: a function of a value that is not real", node, DomainError)
        return result

    # -- arrays -----------------------------------------------------------------------------------

    def _lift(self, operation: Callable[[list[Any]], Any], args: Sequence[Value], node: ast.AST) -> Value:
        """Apply a scalar operation element-wise, broadcasting scalars over arrays of one shape."""
        arrays = [a for a in args if isinstance(a, Array)]
        if not arrays:
            return operation(list(args))
        shapes = {a.shape for a in arrays}
        sources = frozenset().union(*(a.sources for a in arrays))
        if len(shapes) > 1:
            texts = self._operand_texts(node, len(args))
            described = ", ".join(
                dict.fromkeys(
                    shape_text(a) if texts is None else shape_text(a, texts[k])
                    for k, a in enumerate(args)
                    if isinstance(a, Array)
                )
            )
            kinds = {len(s) for s in shapes}
            if kinds == {1}:
                message = f"element-wise operation on vectors of different lengths: {described}"
            else:
                message = f"element-wise operation on arrays of different shapes: {described}"
                if _family(node) is ast.Mult:
                    message += " (use @ for the matrix product)"
            raise self.fail(message, node, ShapeError)
        (shape,) = shapes
        count = len(arrays[0].items)
        items = tuple(operation([a.items[i] if isinstance(a, Array) else a for a in args]) for i in range(count))
        return Array(shape, items, sources)

    def _matmul(self, left: Value, right: Value, node: ast.AST) -> Value:
        """NumPy's @ for 1-D and 2-D operands."""
        if not (isinstance(left, Array) and isinstance(right, Array)):
            raise self.fail(
                f"@ multiplies vectors and matrices, got {shape_text(left)} @ {shape_text(right)} (use * for a scalar)",
                node,
                ShapeError,
            )
        inner_left = left.shape[-1]
        inner_right = right.shape[0]
        if inner_left != inner_right:
            assert isinstance(node, ast.BinOp)
            shown = (
                f"{shape_text(left, self.operand_text(node.left))} @ {shape_text(right, self.operand_text(node.right))}"
            )
            raise self.fail(
                f"@ needs matching inner sizes, got {shown}: {inner_left} ≠ {inner_right}", node, ShapeError
            )
        sources = left.sources | right.sources
        rows = [left.items] if len(left.shape) == 1 else [left.row(i) for i in range(left.shape[0])]
        columns = [right.items] if len(right.shape) == 1 else [right.column(j) for j in range(right.shape[1])]
        items = tuple(self._dot(row, column) for row in rows for column in columns)
        if len(left.shape) == 1 and len(right.shape) == 1:
            return items[0]
        if len(left.shape) == 1 or len(right.shape) == 1:
            return Array((len(items),), items, sources)
        return Array((len(rows), len(columns)), items, sources)

    def operand_text(self, node: ast.AST) -> str:
        """An operand as the user wrote it, names restored (`W @ x`), shortened, for a message."""
        assert self.source is not None
        names = self.source.names

        class Restore(ast.NodeTransformer):
            def visit_Name(self, name: ast.Name) -> ast.Name:
                return ast.copy_location(ast.Name(id=names[int(name.id[1:])], ctx=name.ctx), name)

        text = ast.unparse(Restore().visit(copy.deepcopy(node)))
        return brief(text.replace(" ** ", "**").replace(" @ ", "@"))  # as jac writes them: x**2, W@x

    def _operand_texts(self, node: ast.AST, count: int) -> list[str] | None:
        """The texts of the operands of an element-wise operation, one per argument; None if they do not pair up."""
        operands: list[ast.AST]
        if isinstance(node, ast.BinOp) and _family(node) is not None:
            operands = [operand for _, operand in chain(node)]
        elif isinstance(node, ast.BinOp):
            operands = [node.left, node.right]
        elif isinstance(node, ast.Call):
            operands = list(node.args)
        elif isinstance(node, ast.UnaryOp):
            operands = [node.operand]
        else:
            return None
        return [self.operand_text(o) for o in operands] if len(operands) == count else None

    def _dot(self, a: Sequence[Any], b: Sequence[Any]) -> Any:
        return self.combine(ADD, [self.combine(MUL, [x, y]) for x, y in zip(a, b)])

    # -- names and calls ------------------------------------------------------------------------------

    def _name(self, node: ast.Name) -> Value:
        name = self._name_of(node)
        if name in self.namespace:
            return self.namespace[name]
        if name in ELEMENTWISE or name in ARRAY_FUNCTIONS:
            raise self.fail(f"'{name}' is a function: write {name}(...)", node)
        if name in RESERVED:
            raise self.fail(f"unknown name '{name}': {RESERVED[name]}", node, UnknownNameError)
        if not NAME.match(name):
            raise self.fail(f"invalid name '{name}': names start with a letter", node, UnknownNameError)
        declared = ", ".join(
            n for n, v in self.namespace.items() if isinstance(v, Array) or not self.engine.is_constant(v)
        )
        if not declared:  # a value (a point, --rate): numbers and constants only
            raise self.fail(
                f"unknown name '{name}' (a value is a number: names other than pi and e are not allowed)",
                node,
                UnknownNameError,
            )
        raise self.fail(f"unknown name '{name}' (declared variables: {declared})", node, UnknownNameError)

    def _call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            raise self.fail("only named functions can be called", node)
        name = self._name_of(node.func)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"{name}() takes plain arguments only", node)
        count = len(node.args)
        if name in ARRAY_FUNCTIONS:
            wanted = ARRAY_FUNCTIONS[name]
            if count != wanted:
                plural = "s" if wanted > 1 else ""
                raise self.fail(f"{name}() takes {wanted} argument{plural}, got {count}", node, ArityError)
            from jaccli.arrays import array_function

            return array_function(self, name, [self._build(a) for a in node.args], node)
        if name not in ELEMENTWISE:
            if name in self.namespace:
                raise self.fail(f"'{name}' is not a function (write {name}*(...) to multiply)", node, UnknownNameError)
            hint = suggest.function_hint(name, [*ELEMENTWISE, *ARRAY_FUNCTIONS])
            raise self.fail(f"unknown function '{name}'", node, UnknownNameError, hint)
        fewest, most = ELEMENTWISE[name]
        if count < fewest or (most is not None and count > most):
            expected = str(fewest) if fewest == most else f"{fewest} to {most}" if most else f"at least {fewest}"
            plural = "" if (most or fewest) == 1 else "s"
            raise self.fail(f"{name}() takes {expected} argument{plural}, got {count}", node, ArityError)
        args = [self._build(a) for a in node.args]
        return self._lift(lambda a: self.apply(name, a, node), args, node)


def _brief(engine: Engine, expr: Any) -> str:
    from jaccli.printer import Printer

    return brief(Printer(engine).text(expr))


def namespace(engine: Engine, variables: Sequence[Variable], *, components: bool = False) -> dict[str, Value]:
    """The names an expression may use: pi and e (unless declared), the variables (vectors and
    matrices as arrays of their components) and, with `components`, each component by its name."""
    names: dict[str, Value] = {"pi": engine.pi, "e": engine.e}
    for variable in variables:
        symbols = tuple(engine.symbol(c) for c in variable.components)
        if not variable.shape:
            names[variable.name] = symbols[0]
            continue
        names[variable.name] = Array(variable.shape, symbols, frozenset({variable.name}))
        if components:
            names.update(zip(variable.components, symbols))
    return names
