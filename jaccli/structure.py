"""The structure of a matrix from its structural zeros: zero, identity, diagonal, triangular, block
diagonal, sparse or dense. No engine here: a result is classified by the pattern of its nonzero entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jaccli.matrix_calculus.story import Step


@dataclass(frozen=True)
class Group:
    """Rows or columns that belong together: the components of one variable, or the functions of one entry.

    `vector` is true for a whole vector (its components in order), false for a scalar variable,
    a lone component chosen with --wrt, or a scalar function.
    """

    name: str
    start: int
    size: int
    vector: bool
    shape: tuple[int, ...] = ()  # of the variable or the function: () scalar, (n,) vector, (m, n) matrix

    @property
    def stop(self) -> int:
        return self.start + self.size


@dataclass(frozen=True)
class Structure:
    """What the matrix looks like: its kind, whether it is diagonal, how many entries are not zero."""

    kind: str  # zero|identity|scaled_identity|diagonal|lower_triangular|upper_triangular|block_diagonal|sparse|dense
    diagonal: bool
    nonzeros: int
    size: int
    closed_form: str | None = None  # in vector or matrix notation: diag(x), I, x^T ... (jaccli.closed_forms)
    closed_form_latex: str | None = None
    # of a scalar function by one matrix W: the gradient shaped like W (2*(W@x - y)*x^T)
    gradient_matrix_closed_form: str | None = None
    gradient_matrix_closed_form_latex: str | None = None
    blocks: tuple[str, ...] = ()  # the variable groups of a block_diagonal matrix
    chain_rule: tuple[Step, ...] = ()  # how the closed form comes about, step by step (for --explain)

    @property
    def summary(self) -> str:
        words = self.kind.replace("_", " ")
        if self.blocks:
            words += f" ({', '.join(self.blocks)})"
        return f"{words}, {self.nonzeros:,} of {self.size:,} entries nonzero"


def classify(
    rows: Sequence[Mapping[int, Any]],
    columns: int,
    row_groups: Sequence[Group] = (),
    column_groups: Sequence[Group] = (),
) -> Structure:
    """Classify by structural zeros: entries absent from the sparse rows (f_i free of theta_j).

    Works on the pattern of nonzero entries and on comparisons of the diagonal entries, never on
    simplification or on the zeros themselves, so a diagonal 5,000 x 5,000 Jacobian costs a pass
    over its 5,000 entries. Block diagonal means: as many row groups (the functions of one entry) as
    column groups (the components of one variable), of matching sizes, and every entry outside the
    blocks they pair up in order is zero.
    """
    m, n = len(rows), columns
    nonzeros = sum(len(row) for row in rows)
    square = m == n
    off_diagonal_zero = square and all(j == i for i, row in enumerate(rows) for j in row)

    def build(kind: str, blocks: tuple[str, ...] = ()) -> Structure:
        return Structure(kind, off_diagonal_zero, nonzeros, m * n, blocks=blocks)

    if nonzeros == 0:
        return build("zero")
    if not square or n == 1:
        return build("sparse" if nonzeros * 2 <= m * n else "dense")
    if off_diagonal_zero:
        diagonal = [rows[i].get(i, 0) for i in range(n)]
        if all(d == 1 for d in diagonal):
            return build("identity")
        if all(d == diagonal[0] for d in diagonal) and diagonal[0] != 0:
            return build("scaled_identity")
        return build("diagonal")
    if all(j <= i for i, row in enumerate(rows) for j in row):
        return build("lower_triangular")
    if all(j >= i for i, row in enumerate(rows) for j in row):
        return build("upper_triangular")
    if _block_diagonal(rows, row_groups, column_groups):
        return build("block_diagonal", tuple(g.name for g in column_groups))
    return build("sparse" if nonzeros * 2 <= m * n else "dense")


def _block_diagonal(
    rows: Sequence[Mapping[int, Any]], row_groups: Sequence[Group], column_groups: Sequence[Group]
) -> bool:
    if len(row_groups) < 2 or len(row_groups) != len(column_groups):
        return False
    if any(r.size != c.size for r, c in zip(row_groups, column_groups)):
        return False
    for rows_of, columns_of in zip(row_groups, column_groups):
        for i in range(rows_of.start, rows_of.stop):
            if any(not columns_of.start <= j < columns_of.stop for j in rows[i]):
                return False
    return True
