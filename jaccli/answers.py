"""Answers to check: a matrix written by a student, parsed by the same safe builder as functions.

`2x, 2y` or `[2x, 2y]` (a flat list), `[[y, x], [1, 1]]` or `y, x; 1, 1` or `[y, x; 1, 1]` (rows).
A vector- or matrix-valued entry such as `2*w` or `2*outer(W@x - y, x)` stands for its entries
(row-major). Names are the declared variables, their components (`w_1`, `W_1_2`) and the constants.

An entry written with a decimal point or an exponent (`10.5`, `6.0`, `1e-3`) is *inexact*: a rounded
number, compared at a point within `--tol`; every other entry (`6`, `2/3`, `sqrt(2)`, `2*x`) is exact.
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
    inexact: tuple[tuple[bool, ...], ...] = ()  # per entry, as rows: written with a decimal point or exponent

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
    built: list[list[tuple[Any, bool]]]
    if len(segments) > 1:
        built = [_answer_row(segment, builder) for segment in segments]
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
            built = [_built_entries(builder, _entries(e), source) for e in entries]
            flat = False
        else:
            matrix = _single_matrix(builder, entries, source)
            if matrix is not None:
                built, flat = matrix, False
            else:
                built = [_built_entries(builder, entries, source)]
                flat = True
    widths = [len(row) for row in built]
    for number, width in enumerate(widths, 1):
        if width != widths[0]:
            raise ParseError(f"the answer's row {number} has {width} entries, row 1 has {widths[0]}")
    rows = tuple(tuple(value for value, _ in row) for row in built)
    inexact = tuple(tuple(rounded for _, rounded in row) for row in built)
    return Answer(rows, flat, text, inexact)


def _single_matrix(builder: Builder, entries: Sequence[ast.expr], source: Any) -> list[list[tuple[Any, bool]]] | None:
    """One entry whose value is a matrix (2*outer(u, v)) is that matrix, row by row."""
    if len(entries) != 1:
        return None
    value = builder.build(entries[0], source)
    if not isinstance(value, Array) or len(value.shape) != 2:
        return None
    rounded = _rounded(entries[0], source)
    return [[(item, rounded) for item in value.row(i)] for i in range(value.shape[0])]


def _rounded(node: ast.expr, source: Any) -> bool:
    """Whether the entry has a number written with a decimal point or an exponent (an inexact number)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Constant):
            token = source.numbers.get(child.col_offset)
            if token is not None and any(mark in token.text for mark in ".eE"):
                return True
    return False


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


def _answer_row(tokens: list[Token], builder: Builder) -> list[tuple[Any, bool]]:
    body, source = _parse_tokens(tokens)
    return _built_entries(builder, _entries(body), source)


def _built_entries(builder: Builder, entries: Sequence[ast.expr], source: Any) -> list[tuple[Any, bool]]:
    built: list[tuple[Any, bool]] = []
    for entry in entries:
        value = builder.build(entry, source)
        rounded = _rounded(entry, source)
        built.extend((item, rounded) for item in (value.items if isinstance(value, Array) else (value,)))
    if len(built) > bounds.FUNCTIONS.value:
        raise bounds.refuse(bounds.FUNCTIONS, f"{len(built):,} entries in one row of an answer")
    return built
