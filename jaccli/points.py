"""Many points at once: read them, compile the symbolic result once, evaluate it in chunks with NumPy.

Values here are double-precision floats (not the exact values of `--at`): the result is compiled
once (`jaccli.compiled`) and called on a whole chunk of points at a time.
Memory stays bounded: the points are held as one float array, the values of one chunk at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from jaccli import bounds
from jaccli.errors import JacError, PointError
from jaccli.problem import Variable, point_texts
from jaccli.result import Result

CHUNK_NUMBERS = 1 << 18  # numbers (point values and entries) evaluated and formatted per chunk
MAX_CHUNK_POINTS = 16_384
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
# A line of plain decimal numbers takes the fast path (float()); anything else (pi/4, x=1,y=2)
# goes through the safe parser, exactly as --at would read it.
_PLAIN_LINE = re.compile(rf"\s*{_NUMBER}\s*(?:,\s*{_NUMBER}\s*)*\Z", re.ASCII)
# Characters of plain decimal numbers: a line with any other (a letter, #, _) is read line by line.
_NOT_PLAIN = re.compile(r"[^0-9eE.+\-,\s]", re.ASCII)
READ_NUMBERS = 1 << 16  # numbers read and converted per block of lines
READ_CHARS = 1 << 22  # and at most about this many characters per block
_AT_PREFIX = re.compile(r"^--at(?: '[^']*')?:? ?")


def read_points(lines: Iterable[str], variables: Sequence[Variable], source: str) -> np.ndarray:
    """All points of the input as an (N, n) array, in column order; a bad line raises PointError.

    Blank lines and lines starting with # are skipped. Every line is read before anything is
    computed, so a bad line stops the command before it writes anything. Reading is bounded: a line
    of more than INPUT_CHARS characters (a file without line breaks, /dev/zero) is refused once that
    much is read, and so is an input of more than POINT_VALUES values.
    """
    symbols = [c for v in variables for c in v.components]
    width = len(symbols)
    block_rows = max(1, READ_NUMBERS // max(width, 1))
    blocks: list[np.ndarray] = []
    values = 0
    first = 1
    for batch in _batches(_bounded_lines(lines, source), block_rows):
        block = _plain_block(batch, width) if width else None
        if block is None:
            block = _read_lines(batch, first, symbols, variables, source)
        else:
            _check_finite(block, range(first, first + len(batch)), source)
        if block is not None:
            blocks.append(block)
            values += block.size
            last = first + len(batch) - 1
            bounds.check_count(bounds.POINT_VALUES, values, f"{source}: {values:,} values by line {last:,}")
        first += len(batch)
    if not blocks:
        return np.empty((0, width))
    return np.concatenate(blocks) if len(blocks) > 1 else blocks[0]


def _bounded_lines(lines: Iterable[str], source: str) -> Iterator[str]:
    """The lines, each read only up to INPUT_CHARS characters (and its line end)."""
    limit = bounds.INPUT_CHARS.value
    readline = getattr(lines, "readline", None)
    stream: Iterable[str] = lines if readline is None else iter(lambda: readline(limit + 1), "")
    for number, line in enumerate(stream, 1):
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith("\n")):
            raise bounds.refuse(bounds.INPUT_CHARS, f"{source} line {number}: more than {limit:,} characters")
        yield line


def _batches(lines: Iterator[str], rows: int) -> Iterator[list[str]]:
    """Lines in blocks of at most `rows` lines and about READ_CHARS characters."""
    batch: list[str] = []
    chars = 0
    for line in lines:
        batch.append(line)
        chars += len(line)
        if len(batch) >= rows or chars >= READ_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _read_lines(
    batch: Sequence[str], first: int, symbols: Sequence[str], variables: Sequence[Variable], source: str
) -> np.ndarray | None:
    """Lines one by one: blank and # lines skipped, plain numbers fast, anything else as --at reads it."""
    width = len(symbols)
    names = ", ".join(symbols)
    values: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(batch, first):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if _PLAIN_LINE.match(text):
            count = text.count(",") + 1
            if count != width:
                plural = "s" if width != 1 else ""
                raise PointError(f"{source} line {number}: expected {width} value{plural} ({names}), got {count}")
            values.extend(text.split(","))
        else:
            try:
                point = _point_values(text, variables)
            except JacError as error:
                raise PointError(f"{source} line {number}: {_AT_PREFIX.sub('', str(error))}") from None
            values.extend(repr(v) for v in point)
        numbers.append(number)
    if not numbers:
        return None
    return _block(values, len(numbers), numbers, width, source)


def _plain_block(batch: Sequence[str], width: int) -> np.ndarray | None:
    """A block of lines that are all plain decimal numbers, the right count on each, as one array.

    NumPy converts the whole block in one call. None when any line is something else (a blank
    line, a comment, an expression, a wrong count): then the block is read line by line.
    """
    joined = "".join(batch)
    if _NOT_PLAIN.search(joined) or any(line.count(",") != width - 1 for line in batch):
        return None
    # Each line gives exactly `width` texts, so the flat list lines up with the rows.
    texts = joined.rstrip("\n").replace("\n", ",").split(",")
    if len(texts) != len(batch) * width:
        return None
    try:
        return np.array(texts, dtype=float).reshape(len(batch), width)
    except ValueError:  # a blank line or a malformed number such as 1e or 1 2
        return None


def _block(values: list[str], rows: int, numbers: Sequence[int], width: int, source: str) -> np.ndarray:
    """Number texts as an (rows, width) array, converted by NumPy in one call; every value finite."""
    block = np.array(values, dtype=float).reshape(rows, width)
    _check_finite(block, numbers, source)
    return block


def _check_finite(block: np.ndarray, numbers: Sequence[int], source: str) -> None:
    finite = np.isfinite(block).all(axis=1)
    if not finite.all():
        number = numbers[int(np.flatnonzero(~finite)[0])]
        raise PointError(f"{source} line {number}: a value outside the range of double-precision numbers")


def _point_values(text: str, variables: Sequence[Variable]) -> list[float]:
    """A line that is not plain numbers (pi/4, x=1,y=2), read exactly as --at reads a point."""
    from jaccli.pipeline import Context, constant

    context = Context()
    values = []
    for component, value_text in point_texts(text, variables):
        value = context.evaluator.defined(constant(context, value_text.strip(), f"point value for {component}"))
        values.append(float(value))
    return values


def chunks(result: Result, points: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(points, values) chunk by chunk, in input order; an undefined value is NaN."""
    from jaccli.compiled import Compiled

    compiled = Compiled(result)
    m, n = result.shape
    size = max(1, min(MAX_CHUNK_POINTS, CHUNK_NUMBERS // (points.shape[1] + m * n + 1)))
    for start in range(0, points.shape[0], size):
        part = points[start : start + size]
        yield part, compiled(part)
