"""The checked syntax tree of an input, typed with the declared shapes into the algebra's nodes.

Nothing is expanded into components: `W@x` with W:5000x5000 is one node. Element-wise operations
go through the Builder's own scalar operations on templates (one symbol per vector or matrix), so
jac's conventions (relu = max(0, u), log bases, sqrt) are the same as in the computed entries.
What you type follows NumPy: `v@M` is the column M^T@v, `transpose(v)` of a vector is v,
`dot(u, v)` is u^T@v, `outer(u, v)` is u@v^T, `diag(v)` of a vector the diagonal matrix and of a
matrix its diagonal.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jaccli.build import Builder, exact_number
from jaccli.engine.base import ADD, MUL
from jaccli.functions import ELEMENTWISE, Functions
from jaccli.matrix_calculus.algebra import Algebra
from jaccli.matrix_calculus.nodes import (
    SCALAR,
    Component,
    Node,
    NotFoldedError,
    Shape,
    Var,
    column,
    is_column,
    is_matrix,
)
from jaccli.problem import Variable
from jaccli.syntax import _family, _Source, chain


def shape_of(variable: Variable) -> Shape:
    """A declared variable's shape in the algebra: vectors are columns."""
    if not variable.shape:
        return SCALAR
    if len(variable.shape) == 1:
        return column(variable.shape[0])
    return (variable.shape[0], variable.shape[1])


def split_component(name: str, arrays: Mapping[str, Variable]) -> tuple[Variable, int] | None:
    """(the vector or matrix, the row-major index) of a component name such as w_2 or W_1_3; else None."""
    for count in (1, 2):
        head, *indices = name.rsplit("_", count)
        variable = arrays.get(head)
        if variable is None or len(variable.shape) != count or len(indices) != count:
            continue
        if all(i.isdigit() and 1 <= int(i) <= extent for i, extent in zip(indices, variable.shape)):
            if count == 1:
                return variable, int(indices[0]) - 1
            return variable, (int(indices[0]) - 1) * variable.shape[1] + int(indices[1]) - 1
    return None


class Typer:
    """Turns checked trees into nodes over the declared variables."""

    def __init__(self, algebra: Algebra, variables: Sequence[Variable], functions: Functions) -> None:
        self.algebra = algebra
        engine = algebra.engine
        self.builder = Builder(engine, {}, functions)
        self.variables = {v.name: v for v in variables}
        self.arrays = {v.name: v for v in variables if v.shape}
        self.constants = {"pi": engine.pi, "e": engine.e}
        self.source: _Source | None = None

    def entry(self, tree: ast.AST, source: _Source) -> Node:
        self.source = source
        self.builder.source = source
        return self._type(tree)

    def _type(self, node: ast.AST) -> Node:
        algebra, builder = self.algebra, self.builder
        if isinstance(node, ast.BinOp) and _family(node) is not None:
            return self._chain(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = self._type(node.left), self._type(node.right)
            return algebra.lift(lambda t: builder.power(t[0], t[1], node), [base, exponent])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            return self._matmul(self._type(node.left), self._type(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self._type(node.operand)
            return value if isinstance(node.op, ast.UAdd) else algebra.negate(value)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            assert self.source is not None
            token = self.source.numbers[node.col_offset]
            number = exact_number(token.text, token.column)
            return algebra.constant(algebra.engine.number(number.numerator, number.denominator))
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node, self._name_text(node.func))
        raise NotFoldedError(f"no typing of {type(node).__name__}")

    def _chain(self, node: ast.BinOp) -> Node:
        family = _family(node)
        operands = chain(node)
        algebra, builder = self.algebra, self.builder
        values: list[Node] = []
        for op, operand in operands:
            value = self._type(operand)
            if isinstance(op, ast.Sub):
                value = algebra.negate(value)
            elif isinstance(op, ast.Div):
                value = algebra.lift(_reciprocal(builder, operand), [value])
            values.append(value)
        kind = ADD if family is ast.Add else MUL
        return algebra.lift(lambda t: builder.combine(kind, t), values)

    def _matmul(self, left: Node, right: Node) -> Node:
        """NumPy's @ for 1-D and 2-D operands, in column-vector notation."""
        algebra = self.algebra
        if is_column(left.shape) and is_column(right.shape):
            return algebra.matmul(algebra.transpose(left), right)
        if is_column(left.shape) and is_matrix(right.shape):
            return algebra.transpose(algebra.matmul(algebra.transpose(left), right))
        return algebra.matmul(left, right)

    def _name_text(self, node: ast.Name) -> str:
        assert self.source is not None
        return self.source.names[int(node.id[1:])]

    def _name(self, node: ast.Name) -> Node:
        name = self._name_text(node)
        variable = self.variables.get(name)
        if variable is not None:
            return Var(shape_of(variable), name)
        if name in self.constants:
            return self.algebra.constant(self.constants[name])
        found = split_component(name, self.arrays)
        if found is not None:
            return Component(SCALAR, name, found[0].name, found[1])
        raise NotFoldedError(f"the name {name} is not a variable")

    def _call(self, node: ast.Call, name: str) -> Node:
        algebra, builder = self.algebra, self.builder
        args = [self._type(a) for a in node.args]
        if name in ELEMENTWISE:
            return algebra.lift(lambda t: builder.apply(name, t, node), args)
        if name == "sum":
            return algebra.reduce("sum", args[0])
        if name == "dot":
            return algebra.matmul(algebra.transpose(args[0]), args[1])
        if name == "outer":
            return algebra.matmul(args[0], algebra.transpose(args[1]))
        if name == "transpose":
            return algebra.transpose(args[0]) if is_matrix(args[0].shape) else args[0]
        if name == "diag":
            return algebra.diag(args[0]) if is_column(args[0].shape) else algebra.diag_of(args[0])
        if name in ("trace", "det"):
            algebra.square_size(args[0])
            return algebra.reduce(name, args[0])
        if name == "norm":
            return algebra.reduce("norm", args[0])
        if name == "inv":
            algebra.square_size(args[0])
            return algebra.inverse(args[0])
        raise NotFoldedError(f"no typing of the function {name}")


def _reciprocal(builder: Builder, node: ast.AST) -> Callable[[list[Any]], Any]:
    return lambda t: builder.reciprocal(t[0], node)
