"""Closed forms: a result over vector and matrix entries written in the notation of matrix calculus.

The closed form is derived from the typed syntax tree of the input (`jaccli.matrix_calculus`),
never read off the entries: ∂(w*x)/∂w of 5,000-vectors is `diag(x)` because the tree says
w*x is element-wise, at a cost that does not grow with the vectors. The result is cut into
blocks, one per (row group, column group): the functions of one input entry (for a Hessian, the
gradient by one variable) and the components of one variable. Each block is derived on its own
(a scalar, a column, a row `g^T`, a matrix) and the blocks are joined as `[A, B; C, D]`. Every
block is checked against the entries at a random point before it is shown; a block that has no
closed form (the Jacobian of a matrix, a derivative by one component) or that fails the check
leaves the whole result without one (None), never with a guess.

For a scalar function differentiated by one matrix W, the gradient shaped like W (entry (i, j)
is ∂f/∂W_ij) gets its own closed form, `structure.gradient_matrix_closed_form`:
∂ sum((W@x - y)**2)/∂W is `2*(W@x - y)*x^T`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from jaccli.errors import JacError
from jaccli.matrix_calculus.algebra import Algebra
from jaccli.matrix_calculus.check import Checker
from jaccli.matrix_calculus.derive import Calculus
from jaccli.matrix_calculus.nodes import (
    SCALAR,
    Node,
    NotFoldedError,
    Shape,
    Zero,
    has_arrays,
    is_column,
    is_matrix,
)
from jaccli.matrix_calculus.notation import Notation
from jaccli.matrix_calculus.story import Step, Story
from jaccli.matrix_calculus.tree import Typer, shape_of, split_component
from jaccli.problem import Kind, Variable
from jaccli.structure import Group

if TYPE_CHECKING:
    from jaccli.build import Builder
    from jaccli.result import Result


MAX_BLOCKS = 64  # (input entries or Hessian rows) x variables


def with_closed_form(result: Result, builder: Builder) -> Result:
    """The result with its closed forms in its structure, where it has them."""
    if not any(v.shape for v in result.problem.variables):
        return result  # scalars only: the matrix itself is already its closed form
    folding = Folding(result, builder)
    closed = folding.attempt(folding.closed_form)
    gradient = folding.attempt(folding.gradient_matrix)
    if closed is None and gradient is None:
        return result
    steps = folding.story()
    structure = replace(
        result.structure,
        closed_form=closed[0] if closed else None,
        closed_form_latex=closed[1] if closed else None,
        gradient_matrix_closed_form=gradient[0] if gradient else None,
        gradient_matrix_closed_form_latex=gradient[1] if gradient else None,
        chain_rule=steps,
    )
    return replace(result, structure=structure)


class _Owners:
    """component name -> its vector's or matrix's name, read from the name (no table of every component)."""

    def __init__(self, variables: tuple[Variable, ...]) -> None:
        self.arrays = {v.name: v for v in variables if v.shape}

    def get(self, name: str, default: str | None = None) -> str | None:
        found = split_component(name, self.arrays) if "_" in name else None
        return default if found is None else found[0].name


class Folding:
    """The closed forms of one result."""

    def __init__(self, result: Result, builder: Builder) -> None:
        problem = result.problem
        self.result = result
        self.algebra = Algebra(builder.engine)
        self.calculus = Calculus(self.algebra, builder.functions, _Owners(problem.variables))  # type: ignore[arg-type]
        self.typer = Typer(self.algebra, problem.variables, builder.functions)
        self.checker = Checker(self.algebra, problem.variables)
        self.variables = {v.name: v for v in problem.variables}
        self._functions: list[Node] | None = None

    def attempt(self, derive: Callable[[], tuple[str, str] | None]) -> tuple[str, str] | None:
        try:
            return derive()
        except (NotFoldedError, JacError):
            return None

    @property
    def functions(self) -> list[Node]:
        if self._functions is None:
            self._functions = [self.typer.entry(tree, source) for tree, source in self.result.problem.entries]
        return self._functions

    # -- the Jacobian, block by block ---------------------------------------------------------------------

    def closed_form(self) -> tuple[str, str] | None:
        result = self.result
        if len(result.row_groups) * len(result.column_groups) > MAX_BLOCKS:
            return None  # written out block by block it would be no shorter than the matrix
        rows = self._row_functions()
        blocks = [[self._block(f, rg, cg) for cg in result.column_groups] for f, rg in rows]
        groups = [*result.row_groups, *result.column_groups]
        if not any(g.vector for g in groups) and not any(has_arrays(b) for line in blocks for b in line):
            return None
        text, latex = Notation(self.algebra), Notation(self.algebra, latex=True)
        if all(isinstance(b, Zero) for line in blocks for b in line):
            return "0", "0"
        if len(blocks) == 1 and len(blocks[0]) == 1:
            return text.text(blocks[0][0]), latex.text(blocks[0][0])
        body = "; ".join(", ".join(text.text(b) for b in line) for line in blocks)
        body_latex = r" \\ ".join(" & ".join(latex.text(b) for b in line) for line in blocks)
        return f"[{body}]", rf"\begin{{bmatrix}} {body_latex} \end{{bmatrix}}"

    def _row_functions(self) -> list[tuple[Node, Group]]:
        """The function of each row group: an input entry, or for a Hessian the gradient by one variable."""
        result = self.result
        if result.kind is not Kind.HESSIAN:
            if len(self.functions) != len(result.row_groups):
                raise NotFoldedError("the rows do not match the entries")
            return list(zip(self.functions, result.row_groups))
        (f,) = self.functions
        rows = []
        for group in result.row_groups:
            name, shape = self._target(group)
            if shape == SCALAR:
                rows.append((self.calculus.tangent(f, name), group))
            elif is_matrix(shape):
                raise NotFoldedError("the Hessian by a matrix is a tensor")
            else:
                rows.append((self.calculus.gradient(f, name, shape), group))
        return rows

    def _target(self, group: Group) -> tuple[str, Shape]:
        variable = self.variables.get(group.name)
        return group.name, SCALAR if variable is None else shape_of(variable)

    def _block(self, f: Node, rows: Group, columns: Group) -> Node:
        calculus = self.calculus
        name, shape = self._target(columns)
        if not calculus.depends(f, name):
            block: Node = Zero((rows.size if rows.vector else None, columns.size if columns.vector else None))
        elif shape == SCALAR:
            block = f
            for _ in range(self.result.order if self.result.kind is Kind.DERIVATIVE else 1):
                block = calculus.tangent(block, name)
        elif is_matrix(shape) or is_matrix(f.shape):
            raise NotFoldedError("a Jacobian by a matrix or of a matrix is a tensor")
        else:
            block = calculus.jacobian(f, name, shape[0] or 0)
        self._check(block, rows.size, columns.size, rows.start, columns.start, 1)
        return block

    def _check(self, block: Node, rows: int, columns: int, first_row: int, first_column: int, stride: int) -> None:
        """NotFoldedError unless the block has the block's shape and agrees with the entries."""
        entries = self.result.entries
        if _dimensions(block.shape) != (rows, columns):
            raise NotFoldedError(f"a block of shape {block.shape} for {rows} x {columns} entries")

        def entry(i: int, j: int) -> object:
            if stride == 1:
                return entries[first_row + i].get(first_column + j)
            return entries[first_row].get(first_column + i * stride + j)

        if not self.checker.agrees(block, rows, columns, entry):
            raise NotFoldedError("the closed form does not agree with the entries")

    # -- the gradient shaped like W ----------------------------------------------------------------------

    def gradient_matrix(self) -> tuple[str, str] | None:
        result = self.result
        if result.kind not in (Kind.GRADIENT, Kind.JACOBIAN) or len(result.column_groups) != 1:
            return None
        if len(self.functions) != 1 or self.functions[0].shape != SCALAR:
            return None
        (group,) = result.column_groups
        name, shape = self._target(group)
        if not is_matrix(shape):
            return None
        f = self.functions[0]
        gradient = self.calculus.gradient(f, name, shape) if self.calculus.depends(f, name) else Zero(shape)
        m, n = shape
        assert m is not None and n is not None
        self._check(gradient, m, n, 0, group.start, n)
        return Notation(self.algebra).text(gradient), Notation(self.algebra, latex=True).text(gradient)

    # -- the chain rule, step by step ---------------------------------------------------------------------

    def story(self) -> tuple[Step, ...]:
        """The steps of the matrix chain rule behind a closed form of one function by one variable."""
        result = self.result
        if result.kind not in (Kind.GRADIENT, Kind.JACOBIAN) or len(result.column_groups) != 1:
            return ()
        try:
            if len(self.functions) != 1:
                return ()
            (f,) = self.functions
            name, shape = self._target(result.column_groups[0])
            story = Story(self.calculus)
            if f.shape == SCALAR and shape != SCALAR:
                return story.backward(f, name, self.calculus.gradient(f, name, shape))
            if is_column(f.shape) and is_column(shape):
                return story.forward(f, name)
        except (NotFoldedError, JacError):
            pass
        return ()


def _dimensions(shape: Shape) -> tuple[int, int]:
    return (shape[0] or 1, shape[1] or 1)
