"""The errors jac expects, and the exit codes they map to."""

from __future__ import annotations

import unicodedata
from enum import IntEnum


def quoted(text: str, width: int = 40) -> str:
    """User text for a message: shortened to about `width` characters, invisible characters escaped."""
    shown = text if len(text) <= width else f"{text[: width // 2 - 2]}...{text[-(width // 2 - 2) :]}"
    return one_line(shown)


def one_line(message: str) -> str:
    """The message with control characters and line separators escaped, so that it stays one line."""
    return "".join(
        repr(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs") else char for char in message
    )


class ExitStatus(IntEnum):
    """Process exit codes of the contract."""

    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2


class JacError(ValueError):
    """A problem with the user's input; its message is one line meant for the user."""

    exit_status = ExitStatus.BAD_INPUT


class ParseError(JacError):
    """Text that is not an expression jac accepts."""

    def __init__(
        self, message: str, column: int | None = None, text: str | None = None, hint: str | None = None
    ) -> None:
        where = f" at column {column}" if column is not None else ""
        advice = f": {hint}" if hint else ""
        super().__init__(f"{message}{where}{advice}")
        self.column = column
        self.text = text


class UnknownNameError(ParseError):
    """A name that is neither a declared variable, a constant nor a known function."""


class ArityError(ParseError):
    """A function called with the wrong number of arguments."""


class DomainError(ParseError):
    """A constant part of an expression that has no value: 1/0, log(0)."""


class VariableError(JacError):
    """A bad --vars, --wrt or --var."""


class PointError(JacError):
    """A point that cannot be used: wrong count, unknown name, value that is not a finite real."""


class ShapeError(ParseError):
    """A function of the wrong shape: a gradient of a vector function, vectors of different lengths..."""


class JacTimeoutError(JacError):
    """The command ran past its --timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s (use --timeout to allow more)")
        self.seconds = seconds


class LimitError(JacError):
    """Input over one of the documented limits."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(message)
        self.limit = limit
