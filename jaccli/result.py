"""A computed result: the matrix by its nonzero entries, its structure, its values at points.

Layout is numerator layout: J[i][j] = d f_i / d theta_j, one row per function. A row holds only its
structurally nonzero entries (column -> expression): a diagonal Jacobian of 5,000-vectors is 5,000
entries, not 25 million. Every renderer reads this one object, so table, plain text, JSON and LaTeX
cannot disagree; `as_dict()` is the object `--json` prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jaccli.problem import Kind, Problem
from jaccli.structure import Group, Structure

if TYPE_CHECKING:
    from jaccli.engine.base import Engine
    from jaccli.optimisation import Curvature, Directional
    from jaccli.printer import Printer

Row = Mapping[int, Any]


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
    """The result at one point: exact values (None where undefined) and their numbers.

    `exact` and `numbers` hold the structural nonzeros of each row; a structural zero is exactly 0,
    except in a row whose function itself has no value at the point (log(x) at -1): every entry of
    such a row is undefined.
    """

    point: tuple[tuple[str, Any], ...]  # (component, exact value)
    exact: tuple[Mapping[int, Any | None], ...]
    numbers: tuple[Mapping[int, Any | None], ...]  # mpmath values
    undefined_rows: frozenset[int] = frozenset()
    columns: int = 0
    zero: Any = 0
    curvature: Curvature | None = None  # of a Hessian: eigenvalues, kind of critical point
    directional: Directional | None = None  # of a gradient: the derivative along --dir
    norm: Any | None = None  # of a gradient: |grad f| exactly, None where undefined

    def exact_at(self, i: int, j: int) -> Any | None:
        if i in self.undefined_rows:
            return None
        return self.exact[i].get(j, self.zero)

    def number_at(self, i: int, j: int) -> Any | None:
        if i in self.undefined_rows:
            return None
        return self.numbers[i].get(j, 0)

    @property
    def undefined(self) -> list[tuple[int, int]]:
        """The undefined entries, row by row (all of an undefined row)."""
        found: list[tuple[int, int]] = []
        for i, row in enumerate(self.exact):
            if i in self.undefined_rows:
                found.extend((i, j) for j in range(self.columns))
            else:
                found.extend((i, j) for j, v in row.items() if v is None)
        return found

    def row_exact(self, i: int) -> list[Any | None]:
        return [self.exact_at(i, j) for j in range(self.columns)]

    @property
    def gradient(self) -> list[Any | None]:
        return self.row_exact(0)


@dataclass(frozen=True)
class Result:
    kind: Kind
    problem: Problem
    engine: Engine
    printer: Printer = field(compare=False, repr=False)
    functions: tuple[Any, ...]  # the expressions f_i
    variables: tuple[str, ...]  # the columns, vector components expanded
    rows: tuple[str, ...]  # row labels
    entries: tuple[Row, ...]  # the nonzero entries of each row, by column
    structure: Structure
    case: Case
    row_groups: tuple[Group, ...] = ()  # the rows of each input entry (a Hessian: of each variable)
    column_groups: tuple[Group, ...] = ()  # the columns of each variable named by --wrt (or declared)
    evaluations: tuple[Evaluation, ...] = ()
    order: int = 1  # of a derivative
    function_shape: tuple[int, int] | None = None  # a matrix-valued function, flattened row-major
    sparse: bool = False  # JSON lists the nonzero entries instead of dense matrices

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.variables)

    @property
    def gradient_matrix_shape(self) -> tuple[int, int] | None:
        """W's shape, for a scalar function differentiated by one matrix variable W (its gradient is
        shown shaped like W); else None."""
        groups = self.column_groups
        if len(self.rows) != 1 or self.kind is Kind.HESSIAN or len(groups) != 1 or len(groups[0].shape) != 2:
            return None
        if self.row_groups and self.row_groups[0].vector:
            return None
        rows, columns = groups[0].shape
        return rows, columns

    @property
    def function_texts(self) -> tuple[str, ...]:
        return tuple(self.printer.text(f) for f in self.functions)

    def text(self, expr: Any | None) -> str:
        return "undefined" if expr is None else self.printer.text(expr)

    def entry(self, i: int, j: int) -> Any:
        return self.entries[i].get(j, self.engine.zero)

    def is_zero(self, i: int, j: int) -> bool:
        """A structural zero: f_i does not contain theta_j."""
        return j not in self.entries[i]

    @property
    def symbolic(self) -> list[list[str]]:
        """The dense matrix of entries as text (structural zeros are "0")."""
        n = len(self.variables)
        text = self.printer.text
        matrix = []
        for row in self.entries:
            line = ["0"] * n
            for j, e in row.items():
                line[j] = text(e)
            matrix.append(line)
        return matrix

    @property
    def value(self) -> list[list[int | float | str | None]] | None:
        """The values at the (first) point, as JSON writes them; None without a point."""
        if not self.evaluations:
            return None
        from jaccli.render.as_json import values

        return values(self, self.evaluations[0])

    @property
    def exact(self) -> list[list[str | None]] | None:
        if not self.evaluations:
            return None
        from jaccli.render.as_json import exact_texts

        return exact_texts(self, self.evaluations[0])

    def as_dict(self, index: int = 0, *, explain: bool = False) -> dict[str, Any]:
        """The object `--json` prints (for the point `index` when there are several)."""
        from jaccli.render.as_json import result_object

        evaluation = self.evaluations[index] if self.evaluations else None
        return result_object(self, evaluation, explain=explain)

    def with_evaluations(self, evaluations: Sequence[Evaluation]) -> Result:
        return replace(self, evaluations=tuple(evaluations))
