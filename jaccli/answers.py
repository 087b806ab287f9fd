"""Answers to check: a matrix written by a student, parsed by the same safe builder as functions.

`2x, 2y` or `[2x, 2y]` (a flat list), `[[y, x], [1, 1]]` or `y, x; 1, 1` or `[y, x; 1, 1]` (rows).
A vector- or matrix-valued entry such as `2*w` or `2*outer(W@x - y, x)` stands for its entries
(row-major). Names are the declared variables, their components (`w_1`, `W_1_2`) and the constants.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jaccli import bounds
from jaccli.build import Array, Builder
from jaccli.errors import ParseError
from jaccli.syntax import Token, _check_brackets, _entries, _parse_tokens, tokenize


@dataclass(frozen=True)
class Answer:
    """A matrix given as an answer. `flat` when written as a plain list: a row or a column, as expected.
    `shape` of a single matrix-valued entry (2*outer(u, v)) is kept as written."""

    rows: tuple[tuple[Any, ...], ...]
    flat: bool
    text: str

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])

    @property
    def entries(self) -> tuple[Any, ...]:
        return tuple(e for row in self.rows for e in row)


def parse_answer(text: str, builder: Builder) -> Answer:
    """The answer matrix over the builder's namespace (declared variables and their components)."""
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("empty answer")
    _check_brackets(tokens)
    tokens = _without_outer_brackets_around_rows(tokens)
    segments = _split_rows(tokens)
    if len(segments) > 1:
        rows = [_answer_row(segment, builder) for segment in segments]
        flat = False
    else:
        body, source = _parse_tokens(segments[0])
        builder.source = source
        entries = _entries(body)
        nested = [isinstance(e, (ast.List, ast.Tuple)) for e in entries]
        if any(nested) and not all(nested):
            column = source.column(entries[nested.index(not nested[0])].col_offset)
            raise ParseError("mixes rows [..] and single entries in one matrix", column)
        if all(nested) and isinstance(body, (ast.List, ast.Tuple)):
            rows = [_built_entries(builder, _entries(e), source) for e in entries]
            flat = False
        else:
            matrix = _single_matrix(builder, entries, source)
            if matrix is not None:
                rows, flat = matrix, False
            else:
                rows = [_built_entries(builder, entries, source)]
                flat = True
    widths = [len(row) for row in rows]
    for number, width in enumerate(widths, 1):
        if width != widths[0]:
            raise ParseError(f"the answer's row {number} has {width} entries, row 1 has {widths[0]}")
    return Answer(tuple(tuple(row) for row in rows), flat, text)


def _single_matrix(builder: Builder, entries: Sequence[ast.expr], source: Any) -> list[list[Any]] | None:
    """One entry whose value is a matrix (2*outer(u, v)) is that matrix, row by row."""
    if len(entries) != 1:
        return None
    value = builder.build(entries[0], source)
    if not isinstance(value, Array) or len(value.shape) != 2:
        return None
    return [list(value.row(i)) for i in range(value.shape[0])]


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


def _answer_row(tokens: list[Token], builder: Builder) -> list[Any]:
    body, source = _parse_tokens(tokens)
    return _built_entries(builder, _entries(body), source)


def _built_entries(builder: Builder, entries: Sequence[ast.expr], source: Any) -> list[Any]:
    built: list[Any] = []
    for entry in entries:
        value = builder.build(entry, source)
        built.extend(value.items if isinstance(value, Array) else (value,))
    if len(built) > bounds.FUNCTIONS.value:
        raise bounds.refuse(bounds.FUNCTIONS, f"{len(built):,} entries in one row of an answer")
    return built
