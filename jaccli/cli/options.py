"""Options shared by the commands, reading EXPR arguments, and the one place errors become exits."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer

from jaccli.errors import JacError

# An EXPR such as "-x**2-y**2" must reach the command as an argument, not be read as options;
# with no single-letter options defined, click passes such words through unchanged.
COMMAND_SETTINGS: dict[str, Any] = {"ignore_unknown_options": True}


class Format(StrEnum):
    auto = "auto"
    table = "table"
    plain = "plain"
    json = "json"
    latex = "latex"


Vars = Annotated[
    str | None,
    typer.Option(
        "--vars",
        help="Variables in column order, e.g. x,y or w:3,x:3,b (vectors of 3). "
        "Default: the names in the expression, in natural order.",
    ),
]
Wrt = Annotated[
    str | None, typer.Option("--wrt", help="Differentiate with respect to these variables only, e.g. w or x,y.")
]
At = Annotated[
    list[str] | None,
    typer.Option(
        "--at", help="Evaluate at this point: 5,-5 (all variables in order) or x=5,y=-5 or w=[1,2,3]. Repeatable."
    ),
]
Points = Annotated[
    str | None,
    typer.Option(
        "--points",
        help="Evaluate at many points: a file (or - for standard input) with one point per line, "
        "written as for --at; blank lines and # comments are skipped. With --json: one JSON object per line.",
    ),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", help="Output: table on a terminal, plain when piped (auto), json or latex.")
]
Json = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
Plot = Annotated[
    str | None,
    typer.Option(
        "--plot",
        help="Write a contour picture of f (two variables) to FILE.png: level sets in grey, the gradient "
        "in red, the descent direction in blue. Needs matplotlib: pip install 'jaccli[plot]'.",
        metavar="FILE.png",
    ),
]
Explain = Annotated[
    bool,
    typer.Option(
        "--explain",
        help="Add a plain-language account: the shape case, why the matrix is diagonal, which way is downhill.",
    ),
]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour in the table (NO_COLOR is honoured too).")]


# The KIND of `jac check`: one of the commands that differentiate. Listed here rather than imported
# from the checking module, which loads SymPy: completion runs on every TAB and must stay light.
CHECK_KINDS = {
    "grad": "gradient of one scalar function",
    "jacobian": "Jacobian of a vector function",
    "diff": "derivative along one variable",
    "hessian": "Hessian of one scalar function",
}


def complete_check_kind(incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of `jac check KIND`: the kinds that start with what is typed, with a word of help."""
    return [(kind, help_) for kind, help_ in CHECK_KINDS.items() if kind.startswith(incomplete)]


def read_texts(texts: Sequence[str]) -> list[str]:
    """EXPR of `-` is read from standard input; a word like --foo is a mistyped option, not an expression."""
    result = []
    for text in texts:
        if text.startswith("--") and len(text) > 2:
            raise JacError(f"no such option: {text.split('=')[0]}")
        result.append(sys.stdin.read() if text == "-" else text)
    return result


def read_point_file(path: str, variables: Sequence[Any]) -> Any:
    """The points of --points FILE (or - for standard input) as an (N, n) array."""
    from jaccli.errors import PointError
    from jaccli.points import read_points

    if path == "-":
        return read_points(sys.stdin, variables, "--points -")
    try:
        with open(path, encoding="utf-8") as stream:
            return read_points(stream, variables, f"--points {path}")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or error
        raise PointError(f"--points: cannot read '{path}': {reason}") from None


@contextmanager
def user_errors() -> Iterator[None]:
    """Expected errors end here: one line on stderr and their exit status. Bugs keep their traceback."""
    try:
        yield
    except JacError as error:
        typer.echo(f"jac: {error}", err=True)
        raise typer.Exit(error.exit_status) from None


def output_format(fmt: Format, json_: bool) -> str:
    """--json wins; auto is a table on a terminal and plain text when piped."""
    chosen = "json" if json_ else fmt.value
    if chosen == "auto":
        chosen = "table" if sys.stdout.isatty() else "plain"
    return chosen
