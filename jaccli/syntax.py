"""Text to a checked syntax tree: the tokenizer, Python's ast under an allow-list, with no SymPy.

The tokenizer admits only numbers, ASCII names and arithmetic punctuation; it rewrites `^` to `**`,
inserts the multiplication in `2x`, `3(x+1)` and `(a)(b)`, and replaces every name by a placeholder
so that Python keywords (`lambda`) are ordinary variables. Python's ast then parses the result and
the size and nesting limits are checked. The builder (`jaccli.build`) walks the checked tree into
an engine's expressions; nothing ever runs eval, exec, sympify or parse_expr on user text.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from jaccli import bounds as limits
from jaccli.errors import ParseError, PointError, quoted

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    r"|(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|[-+*/^@(),\[\];])",
    re.ASCII,
)


NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z", re.ASCII)


# Names SymPy or Python give a meaning that jac does not: refused rather than silently turned
# into a symbol of the same name that the user did not mean.
RESERVED = {
    "I": "complex numbers are not supported",
    "j": None,
    "E": "write e for Euler's number",
    "nan": "not a number",
    "NaN": "not a number",
    "oo": "infinity is not a number jac accepts",
    "zoo": "complex infinity is not a number jac accepts",
    "inf": "infinity is not a number jac accepts",
    "infinity": "infinity is not a number jac accepts",
    "Infinity": "infinity is not a number jac accepts",
    "S": "SymPy's singleton registry is not available",
    "N": "SymPy's numeric evaluation is not available",
    "Symbol": "SymPy's constructors are not available",
}


del RESERVED["j"]


_HINTS = {
    "\x00": "NUL is never part of an expression",
    "\u2212": "use '-'",
    "\u00d7": "use '*'",
    "\u00b7": "use '*'",
    "\u00f7": "use '/'",
    "\u00b2": "write **2",
    "\u00b3": "write **3",
    "\ufeff": "a byte-order mark; delete it",
    "\u200b": "an invisible character; delete it",
    "\u200c": "an invisible character; delete it",
    "\u200d": "an invisible character; delete it",
    "\u2060": "an invisible character; delete it",
    "\u00a0": "a no-break space; use a plain space",
    "'": "strings are not expressions",
    '"': "strings are not expressions",
    ".": "attribute access is not allowed",
}


@dataclass(frozen=True)
class Token:
    kind: str  # "num" | "name" | "op"
    text: str
    column: int  # 1-based


_DIGIT_RUN = re.compile(r"[0-9]+")


def _counted(match: re.Match[str]) -> str:
    digits = match.group()
    return chr(len(digits)) + digits


def natural_key(name: str) -> str:
    """Sort key putting x2 before x10: each run of digits is preceded by its length (a character below
    every printable one), so that numbers compare by size and a number sorts before a letter."""
    return _DIGIT_RUN.sub(_counted, name)


def _describe(char: str) -> tuple[str, str | None]:
    """The message and the hint for a character jac does not accept."""
    if "\udc80" <= char <= "\udcff":
        # Python hands bytes that are not UTF-8 over as lone surrogates (surrogateescape).
        return f"invalid UTF-8 (the byte 0x{ord(char) - 0xDC00:02X})", None
    if char == "\x00":
        return "a NUL character", _HINTS[char]
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    if not char.isprintable() or ord(char) > 127:
        shown = f"{code} {name}".strip()
        if char.isprintable():
            shown = f"'{char}' ({shown})"
    else:
        shown = repr(char)
    hint = _HINTS.get(char)
    if hint is None and ord(char) > 127 and unicodedata.category(char).startswith("L"):
        hint = "only ASCII letters are allowed in names"
    return f"unexpected character {shown}", hint


def tokenize(text: str) -> list[Token]:
    if len(text) > limits.INPUT_CHARS.value:
        raise limits.refuse(limits.INPUT_CHARS, f"an input of {len(text):,} characters")
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            message, hint = _describe(text[position])
            raise ParseError(message, position + 1, hint=hint)
        kind = match.lastgroup
        assert kind is not None
        if kind == "name" and match.end() - position > limits.NAME_CHARS.value:
            raise limits.refuse(
                limits.NAME_CHARS, f"a name of {match.end() - position:,} characters at column {position + 1}"
            )
        if kind != "ws":
            tokens.append(Token(kind, match.group(), position + 1))
        position = match.end()
    return tokens


def _check_brackets(tokens: Sequence[Token]) -> None:
    """Balanced brackets, the nesting limit, and the size of each list entry.

    Runs before ast.parse, whose C parser fails with MemoryError or RecursionError on inputs
    nested a few thousand deep.
    """
    pairs = {")": "(", "]": "["}
    stack: list[Token] = []
    entry_tokens = 0
    for token in tokens:
        if token.text in "([":
            stack.append(token)
            if len(stack) > limits.NESTING_DEPTH.value:
                raise limits.refuse(limits.NESTING_DEPTH, f"brackets nested {len(stack)} deep at column {token.column}")
        elif token.text in ")]":
            if not stack or stack[-1].text != pairs[token.text]:
                raise ParseError(f"unmatched '{token.text}'", token.column)
            stack.pop()
        elif token.text in ",;" and (not stack or stack[-1].text == "["):
            entry_tokens = 0
            continue
        entry_tokens += 1
        if entry_tokens > limits.FUNCTION_TOKENS.value:
            raise limits.refuse(
                limits.FUNCTION_TOKENS,
                f"a function longer than {limits.FUNCTION_TOKENS.value:,} tokens (at column {token.column})",
            )
    if stack:
        raise ParseError(f"'{stack[-1].text}' is never closed", stack[-1].column)


@dataclass
class _Source:
    """Python source made from the tokens, with the way back to the user's text."""

    text: str
    columns: list[int]  # source offset -> column in the user's text
    names: list[str]  # placeholder _k -> the user's name
    numbers: dict[int, Token]  # source offset of a number -> its token

    def column(self, offset: int) -> int:
        if not self.columns:
            return 1
        return self.columns[min(max(offset, 0), len(self.columns) - 1)]


def _to_source(tokens: Sequence[Token]) -> _Source:
    parts: list[str] = []
    columns: list[int] = []
    names: list[str] = []
    numbers: dict[int, Token] = {}
    length = 0

    def emit(piece: str, column: int) -> None:
        nonlocal length
        if parts:
            parts.append(" ")
            columns.append(column)
            length += 1
        parts.append(piece)
        columns.extend([column] * len(piece))
        length += len(piece)

    previous: Token | None = None
    for token in tokens:
        if previous is not None and (
            (previous.kind == "num" and (token.kind == "name" or token.text == "("))
            or (previous.text == ")" and token.text == "(")
        ):
            emit("*", token.column)
        if token.kind == "name":
            emit(f"_{len(names)}", token.column)
            names.append(token.text)
        elif token.kind == "num":
            numbers[length + (1 if parts else 0)] = token
            emit(token.text, token.column)
        elif token.text == "^":
            emit("**", token.column)
        elif token.text == ";":
            raise ParseError("';' separates matrix rows and is only allowed in an answer", token.column)
        else:
            emit(token.text, token.column)
        previous = token
    return _Source("".join(parts), columns, names, numbers)


_ADD_OPS = (ast.Add, ast.Sub)


_MUL_OPS = (ast.Mult, ast.Div)


def _family(node: ast.AST) -> type | None:
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, _ADD_OPS):
            return ast.Add
        if isinstance(node.op, _MUL_OPS):
            return ast.Mult
    return None


def chain(node: ast.BinOp) -> list[tuple[ast.operator, ast.AST]]:
    """The operands of a chain a + b - c or a * b / c, left to right, each with the operation that joins it
    (the first with + or *): one list however long the chain, where the tree nests it to the left."""
    family = _family(node)
    operands: list[tuple[ast.operator, ast.AST]] = []
    current: ast.AST = node
    while isinstance(current, ast.BinOp) and _family(current) is family:
        operands.append((current.op, current.right))
        current = current.left
    operands.append((ast.Add() if family is ast.Add else ast.Mult(), current))
    operands.reverse()
    return operands


def _check_depth(root: ast.AST, source: _Source) -> None:
    """Nesting depth of the operations in the tree (calls, operators, signs); names and numbers do
    not count, and a chain a+b+c or a*b/c counts once. Iterative: the tree may be deep."""
    stack: list[tuple[ast.AST, int, type | None]] = [(root, 0, None)]
    while stack:
        node, depth, chain = stack.pop()
        if isinstance(node, (ast.expr_context, ast.Name, ast.Constant)):
            continue
        if isinstance(node, (ast.Tuple, ast.List)):  # the list of functions is not an operation
            stack.extend((child, depth, None) for child in node.elts)
            continue
        family = _family(node)
        here = depth if family is not None and family is chain else depth + 1
        if here > limits.NESTING_DEPTH.value:
            column = source.column(getattr(node, "col_offset", 0))
            raise limits.refuse(limits.NESTING_DEPTH, f"operations nested {here} deep at column {column}")
        if isinstance(node, ast.BinOp):
            stack.append((node.left, here, family))
            stack.append((node.right, here, None))
        else:
            stack.extend((child, here, None) for child in ast.iter_child_nodes(node))


def _refusal(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return "only real number literals are allowed"
    if isinstance(node, ast.Attribute):
        return "attribute access is not allowed"
    if isinstance(node, ast.Lambda):
        return "lambdas are not allowed"
    if isinstance(node, ast.Compare):
        return "comparisons are not allowed"
    if isinstance(node, (ast.Tuple, ast.List)):
        return "a list is only allowed at the top level"
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__} is not allowed (use + - * / ** ^)"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__} is not allowed"
    return f"{type(node).__name__.lower()} is not allowed in an expression"


def _parse_tree(text: str) -> tuple[ast.expr, _Source]:
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("empty expression")
    _check_brackets(tokens)
    return _parse_tokens(tokens)


def _parse_tokens(tokens: Sequence[Token]) -> tuple[ast.expr, _Source]:
    source = _to_source(tokens)
    try:
        tree = ast.parse(source.text, mode="eval")
    except SyntaxError as error:
        if not error.offset or error.offset > len(source.text):  # Python reports 0 at the end of input
            last = tokens[-1]
            raise ParseError("the expression ends too early", last.column + len(last.text)) from None
        raise ParseError("invalid syntax", source.column(error.offset - 1)) from None
    except (RecursionError, MemoryError):
        raise limits.refuse(limits.NESTING_DEPTH, "expression nested too deeply") from None
    _check_depth(tree.body, source)
    return tree.body, source


def _entries(body: ast.expr) -> list[ast.expr]:
    """The entries of a top-level list or tuple, or the one expression."""
    if isinstance(body, (ast.Tuple, ast.List)):
        if not body.elts:
            raise ParseError("empty list")
        return list(body.elts)
    return [body]


def split_top_level(text: str, option: str = "--at") -> list[str]:
    """Split at commas outside brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if any(not p.strip() for p in parts):
        raise PointError(f"{option} '{quoted(text)}': an empty value")
    return parts
