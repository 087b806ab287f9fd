"""The structure of a matrix from its structural zeros: zero, identity, diagonal, triangular, block
diagonal, sparse or dense. No SymPy here: both the SymPy and the SymEngine paths classify with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


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
    zero_mask: tuple[tuple[bool, ...], ...]
    closed_form: str | None = None  # in vector notation: diag(x), I, x^T ... (jaccli.closed_forms)
    closed_form_latex: str | None = None
    blocks: tuple[str, ...] = ()  # the variable groups of a block_diagonal matrix

    @property
    def summary(self) -> str:
        words = self.kind.replace("_", " ")
        if self.blocks:
            words += f" ({', '.join(self.blocks)})"
        return f"{words}, {self.nonzeros} of {self.size} entries nonzero"


def classify(
    rows: Sequence[Sequence[Any]], row_groups: Sequence[Group] = (), column_groups: Sequence[Group] = ()
) -> Structure:
    """Classify by structural zeros: entries that are identically 0 as computed (f_i free of theta_j).

    Works on the zero pattern and on comparisons of the diagonal entries, never on simplification,
    so a 200x200 Jacobian costs a pass over its entries. Block diagonal means: as many row groups
    (the functions of one entry) as column groups (the components of one variable), of matching
    sizes, and every entry outside the blocks they pair up in order is zero.
    """
    m, n = len(rows), len(rows[0])
    mask = tuple(tuple(e == 0 for e in row) for row in rows)
    nonzeros = sum(not z for row in mask for z in row)
    square = m == n
    off_diagonal_zero = square and all(z for i, row in enumerate(mask) for j, z in enumerate(row) if i != j)

    def build(kind: str, blocks: tuple[str, ...] = ()) -> Structure:
        return Structure(kind, off_diagonal_zero, nonzeros, m * n, mask, blocks=blocks)

    if nonzeros == 0:
        return build("zero")
    if not square or n == 1:
        return build("sparse" if nonzeros * 2 <= m * n else "dense")
    diagonal = [rows[i][i] for i in range(n)]
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
    if _block_diagonal(mask, row_groups, column_groups):
        return build("block_diagonal", tuple(g.name for g in column_groups))
    return build("sparse" if nonzeros * 2 <= m * n else "dense")


def _block_diagonal(
    mask: Sequence[Sequence[bool]], row_groups: Sequence[Group], column_groups: Sequence[Group]
) -> bool:
    if len(row_groups) < 2 or len(row_groups) != len(column_groups):
        return False
    if any(r.size != c.size for r, c in zip(row_groups, column_groups)):
        return False
    owner = [k for k, group in enumerate(column_groups) for _ in range(group.size)]
    return all(
        mask[i][j]
        for k, rows in enumerate(row_groups)
        for i in range(rows.start, rows.stop)
        for j in range(len(owner))
        if owner[j] != k
    )
