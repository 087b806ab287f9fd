"""Closed forms: a result over vector components folded back into the vector notation of the tables.

∂(w⊙x)/∂w is computed entry by entry as diag(x_1, x_2, x_3); the matrix-calculus tables write it
diag(x). A result is cut into blocks, one per (row group, column group): the rows of one input
entry, the columns of one variable. Each block is folded on its own (`0`, `I`, `-I`, `z*I`,
`diag(e)`, an outer product `u*v^T` such as `w*1^T`, a column `e` or `1`, a row `e^T` or `1^T`,
a scalar `e`), where `e` is the i-th entry
written with vector names: the components of index i are replaced by their vector, after complete
sums over the components have been recognised as `sum(v)` and `dot(a, b)`. A result is folded only
when every block folds; otherwise it has no closed form (None), never a wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from jaccli.printing import to_latex, to_text

if TYPE_CHECKING:
    from jaccli.parse import Variable
    from jaccli.structure import Group


class VectorSum(sp.Function):
    """sum(v): the sum of the components of a vector expression, kept unevaluated for printing."""

    nargs = 1

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        body = rf"\operatorname{{sum}}\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"


class VectorDot(sp.Function):
    """dot(a, b): the inner product of two vectors, kept unevaluated for printing."""

    nargs = 2

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        a, b = (printer._print(arg) for arg in self.args)
        return rf"{a}^{{T}} {b}" if exp is None else rf"\left({a}^{{T}} {b}\right)^{{{exp}}}"


_REDUCTIONS = (VectorSum, VectorDot)


@dataclass(frozen=True)
class ClosedForm:
    """The same closed form as jac's text (`diag(x)`, `[I, -I]`) and as LaTeX."""

    text: str
    latex: str


@dataclass(frozen=True)
class _Block:
    text: str
    latex: str


class Folder:
    """Folds expressions over the components of the declared vectors into expressions over the vectors."""

    def __init__(self, variables: Sequence[Variable]) -> None:
        self.component: dict[sp.Symbol, tuple[sp.Symbol, int]] = {}
        self.length: dict[sp.Symbol, int] = {}
        for variable in variables:
            if variable.size is None:
                continue
            vector = sp.Symbol(variable.name, real=True)
            self.length[vector] = variable.size
            for index, symbol in enumerate(variable.symbols, 1):
                self.component[symbol] = (vector, index)
        self._reduced: dict[sp.Basic, sp.Basic] = {}
        # In an outer product u*v^T, entry (i, j) has components of index i (from u) and of index j
        # (from v); those of index j stand for v's vector under a stand-in symbol of their own.
        self.transposed: dict[sp.Symbol, sp.Symbol] = {vector: sp.Dummy(vector.name) for vector in self.length}

    @property
    def has_vectors(self) -> bool:
        return bool(self.length)

    def loose(self, expr: sp.Basic) -> set[sp.Symbol]:
        """The vectors in a folded expression outside sum() and dot(): it varies with the index."""
        if isinstance(expr, _REDUCTIONS):
            return set()
        if expr.is_Symbol:
            return {expr} if expr in self.length else set()
        found: set[sp.Symbol] = set()
        for arg in expr.args:
            found |= self.loose(arg)
        return found

    def at_index(self, expr: sp.Basic, index: int) -> sp.Basic | None:
        """expr with every component of this index replaced by its vector; None if another index occurs."""
        reduced = self.reduce(expr)
        mapping: dict[sp.Basic, sp.Basic] = {}
        for symbol in reduced.free_symbols:
            if symbol in self.component:
                vector, k = self.component[symbol]
                if k != index:
                    return None
                mapping[symbol] = vector
        return reduced.xreplace(mapping) if mapping else reduced

    def at_indices(self, expr: sp.Basic, row: int, column: int) -> sp.Basic | None:
        """expr with components of index `row` replaced by their vector, of index `column` by its stand-in."""
        reduced = self.reduce(expr)
        mapping: dict[sp.Basic, sp.Basic] = {}
        for symbol in reduced.free_symbols:
            if symbol in self.component:
                vector, k = self.component[symbol]
                if k == row:
                    mapping[symbol] = vector
                elif k == column:
                    mapping[symbol] = self.transposed[vector]
                else:
                    return None
        return reduced.xreplace(mapping) if mapping else reduced

    def uniform(self, entries: Sequence[tuple[sp.Basic, int]]) -> sp.Basic | None:
        """The one folded expression that every (entry, index) pair gives, or None."""
        template: sp.Basic | None = None
        for expr, index in entries:
            folded = self.at_index(expr, index)
            if folded is None or (template is not None and folded != template):
                return None
            template = folded
        return template

    def reduce(self, expr: sp.Basic) -> sp.Basic:
        """expr with every complete sum over the components of a vector written as sum() or dot()."""
        if not expr.args:
            return expr
        cached = self._reduced.get(expr)
        if cached is not None:
            return cached
        args = [self.reduce(arg) for arg in expr.args]
        if isinstance(expr, sp.Add):
            args = self._reduce_terms(args)
            result = sp.Add(*args)
        else:
            result = expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr
        self._reduced[expr] = result
        return result

    def _reduce_terms(self, terms: list[sp.Basic]) -> list[sp.Basic]:
        groups: dict[sp.Basic, list[tuple[int, sp.Basic]]] = {}
        for term in terms:
            indexed = self._indexed_term(term)
            if indexed is not None:
                groups.setdefault(indexed[1], []).append((indexed[0], term))
        summed: set[sp.Basic] = set()
        sums: list[sp.Basic] = []
        for template, members in groups.items():
            lengths = {self.length[v] for v in self.loose(template)}
            if len(lengths) != 1:
                continue
            (n,) = lengths
            if sorted(index for index, _ in members) != list(range(1, n + 1)):
                continue
            summed.update(term for _, term in members)
            sums.append(self._sum_of(template))
        return [t for t in terms if t not in summed] + sums

    def _indexed_term(self, term: sp.Basic) -> tuple[int, sp.Basic] | None:
        """(i, template) when every component in the term has the same index i."""
        indices = {self.component[s][1] for s in term.free_symbols if s in self.component}
        if len(indices) != 1:
            return None
        (index,) = indices
        folded = self.at_index(term, index)
        return None if folded is None else (index, folded)

    def _sum_of(self, template: sp.Basic) -> sp.Basic:
        """sum(template), with the factors that do not vary taken out, and sum(a*b) written dot(a, b)."""
        scale, varying = self.split(template)
        if varying.is_Mul and len(varying.args) == 2 and all(a in self.length for a in varying.args):
            return scale * VectorDot(*varying.args)
        return scale * VectorSum(varying)

    def split(self, expr: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
        """(scalar factor, varying factor) of a folded product."""
        if not expr.is_Mul:
            return sp.S.One, expr
        fixed = [a for a in expr.args if not self.loose(a)]
        varying = [a for a in expr.args if self.loose(a)]
        return sp.Mul(*fixed), sp.Mul(*varying)


def _parenthesised(expr: sp.Basic) -> tuple[str, str]:
    """A scale factor as written before `*I` or `*x^T`: a sum or a quotient in parentheses."""
    text, latex = to_text(expr), to_latex(expr)
    if expr.is_Add:
        return f"({text})", rf"\left({latex}\right)"
    if "/" in text:
        return f"({text})", latex
    return text, latex


def _scaled(expr: sp.Basic, text: str, latex: str) -> _Block:
    """expr times a constant matrix or vector (I, 1, 1^T), written -I rather than -1*I."""
    if expr == 1:
        return _Block(text, latex)
    if expr == -1:
        return _Block(f"-{text}", f"-{latex}")
    scale_text, scale_latex = _parenthesised(expr)
    return _Block(f"{scale_text}*{text}", f"{scale_latex} {latex}")


def _outer(folder: Folder, entries: Sequence[Sequence[sp.Basic]]) -> _Block | None:
    """A block u*v^T (entry (i, j) = u_i*v_j times a common factor), e.g. w*1^T or w*w^T; else None."""
    m, n = len(entries), len(entries[0])
    template: sp.Basic | None = None
    for i in range(m):
        for j in range(n):
            if i != j:
                folded = folder.at_indices(entries[i][j], i + 1, j + 1)
                if folded is None or (template is not None and folded != template):
                    return None
                template = folded
    if template is None:
        return None
    stand_ins = set(folder.transposed.values())
    merged = template.xreplace({t: v for v, t in folder.transposed.items()})
    if any(folder.at_index(entries[i][i], i + 1) != merged for i in range(min(m, n))):
        return None  # the diagonal, where both indices meet, must follow the same rule
    fixed: list[sp.Basic] = []
    left: list[sp.Basic] = []
    right: list[sp.Basic] = []
    for factor in sp.Mul.make_args(template):
        by_row, by_column = bool(folder.loose(factor)), bool(factor.free_symbols & stand_ins)
        if by_row and by_column:
            return None
        (left if by_row else right if by_column else fixed).append(factor)
    u = sp.Mul(*left)
    v = sp.Mul(*right).xreplace({t: vector for vector, t in folder.transposed.items()})
    u_text, u_latex = ("1", r"\mathbf{1}") if u == 1 else _parenthesised(u)
    if v == 1:
        v_text, v_latex = "1^T", r"\mathbf{1}^{T}"
    elif v.is_Symbol:
        v_text, v_latex = f"{v}^T", f"{to_latex(v)}^{{T}}"
    else:
        v_text, v_latex = f"({to_text(v)})^T", rf"\left({to_latex(v)}\right)^{{T}}"
    return _scaled(sp.Mul(*fixed), f"{u_text}*{v_text}", f"{u_latex} {v_latex}")


def _block(folder: Folder, matrix: Sequence[Sequence[sp.Basic]], rows: Group, columns: Group) -> _Block | None:
    entries = [[matrix[i][j] for j in range(columns.start, columns.stop)] for i in range(rows.start, rows.stop)]
    if all(e == 0 for row in entries for e in row):
        return _Block("0", "0")
    if rows.vector and columns.vector:
        n = rows.size
        if columns.size != n or any(entries[i][j] != 0 for i in range(n) for j in range(n) if i != j):
            return _outer(folder, entries)
        template = folder.uniform([(entries[i][i], i + 1) for i in range(n)])
        if template is None:
            return None
        if not folder.loose(template):
            return _scaled(template, "I", "I")
        return _Block(f"diag({to_text(template)})", rf"\operatorname{{diag}}({to_latex(template)})")
    if rows.vector:
        template = folder.uniform([(row[0], i + 1) for i, row in enumerate(entries)])
        if template is None:
            return None
        if not folder.loose(template):
            return _scaled(template, "1", r"\mathbf{1}")
        return _Block(to_text(template), to_latex(template))
    if columns.vector:
        template = folder.uniform([(e, j + 1) for j, e in enumerate(entries[0])])
        if template is None:
            return None
        if not folder.loose(template):
            return _scaled(template, "1^T", r"\mathbf{1}^{T}")
        scale, varying = folder.split(template)
        if varying.is_Symbol:
            transposed = _Block(f"{varying}^T", f"{to_latex(varying)}^{{T}}")
        else:
            transposed = _Block(f"({to_text(varying)})^T", rf"\left({to_latex(varying)}\right)^{{T}}")
        return _scaled(scale, transposed.text, transposed.latex)
    folded = folder.reduce(entries[0][0])
    if any(s in folder.component for s in folded.free_symbols):
        return None
    return _Block(to_text(folded), to_latex(folded))


def closed_form(
    matrix: Sequence[Sequence[sp.Basic]],
    row_groups: Sequence[Group],
    column_groups: Sequence[Group],
    variables: Sequence[Variable],
) -> ClosedForm | None:
    """The result in vector notation, block by block; None when it has no vector or a block does not fold."""
    folder = Folder(variables)
    if not folder.has_vectors:
        return None
    if not any(g.vector for g in (*row_groups, *column_groups)) and not any(
        s in folder.component for row in matrix for e in row for s in e.free_symbols
    ):
        return None  # scalars only: the matrix itself is already its closed form
    blocks: list[list[_Block]] = []
    for rows in row_groups:
        line = []
        for columns in column_groups:
            block = _block(folder, matrix, rows, columns)
            if block is None:
                return None
            line.append(block)
        blocks.append(line)
    if all(b.text == "0" for line in blocks for b in line):
        return ClosedForm("0", "0")
    if len(blocks) == 1 and len(blocks[0]) == 1:
        return ClosedForm(blocks[0][0].text, blocks[0][0].latex)
    text = "[" + "; ".join(", ".join(b.text for b in line) for line in blocks) + "]"
    body = r" \\ ".join(" & ".join(b.latex for b in line) for line in blocks)
    return ClosedForm(text, rf"\begin{{bmatrix}} {body} \end{{bmatrix}}")
