"""Options shared by the commands, reading EXPR arguments, and the one place errors become exits."""

from __future__ import annotations

import io
import math
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from types import FrameType
from typing import Annotated, Any, TextIO

import typer

from jaccli import alarm, guard
from jaccli.errors import JacError, JacTimeoutError, one_line, quoted
from jaccli.suggest import PLOT_INSTALL

# -h is --help everywhere. An EXPR such as "-x**2-y**2" or "-209*q**5" reaches the command as an argument,
# not as options: jaccli.cli.argv moves every word that is not exactly an option name after `--`.
COMMAND_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}

# What the help shows after an option or for an argument, where the declaration gives no metavar.
METAVARS = {
    "--vars": "NAMES",
    "--wrt": "NAMES",
    "--at": "POINT",
    "--points": "FILE",
    "--var": "NAME",
    "--order": "K",
    "--answer": "EXPR",
    "--answers": "FILE",
    "--tol": "NUMBER",
    "--file": "FILE",
    "--rate": "NUMBER",
    "--steps": "N",
    "--timeout": "SECONDS",
    "expr": "EXPR",
    "exprs": "EXPR",
    "kind": "KIND",
    "command": "COMMAND",
}


def metavar_of(command: str, param: Any) -> str | None:
    """The metavar of a parameter of `command`: from METAVARS, the choices of --format, or the name in capitals."""
    if param.param_type_name == "argument":
        return METAVARS.get(param.name, str(param.name).upper())
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return None
    long_names = [o for o in param.opts if o.startswith("--")]
    name = long_names[0] if long_names else param.opts[0]
    if name == "--format":
        from jaccli.cli.argv import FORMATS

        return "|".join(FORMATS.get(command, tuple(Format)))
    return METAVARS.get(name, name.lstrip("-").upper())


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
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print only the values (without a point: the symbolic entries), one matrix row per line, "
        "entries separated by one space, for $(...) and read -a in shell scripts.",
    ),
]
Plot = Annotated[
    str | None,
    typer.Option(
        "--plot",
        help="Write a contour picture of f (two variables) to FILE.png: level sets in grey, the gradient "
        f"in red, the descent direction in blue. Needs matplotlib: {PLOT_INSTALL}.",
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
NoColor = Annotated[
    bool, typer.Option("--no-color", help="No colour in the table (so does NO_COLOR; FORCE_COLOR forces colour).")
]
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 86_400.0
Timeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        help="Give up after this many seconds of wall time (exit 2); covers parsing, differentiation, "
        "evaluation and formatting.",
    ),
]


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
            raise JacError(f"no such option: {quoted(text.split('=')[0])}")
        result.append(read_stdin() if text == "-" else text)
    return result


def read_stdin() -> str:
    """Standard input as text: UTF-8, a leading byte-order mark dropped (a file saved by Windows
    Notepad); line ends and surrounding white space are white space to the parser."""
    from jaccli import bounds as limits  # no SymPy: standard input may hold a large system

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes underneath (an embedding program's)
        data = sys.stdin.read(limits.INPUT_CHARS.value + 1).encode("utf-8", "surrogateescape")
    else:
        data = stream.read(limits.INPUT_CHARS.value + 1)
    if len(data) > limits.INPUT_CHARS.value:
        raise limits.refuse(limits.INPUT_CHARS, f"standard input of more than {limits.INPUT_CHARS.value:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise JacError(
            f"standard input is not valid UTF-8 (the byte 0x{data[error.start]:02X} at offset {error.start})"
        ) from None


def check_arguments(arguments: Sequence[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape): refuse them by name."""
    for position, argument in enumerate(arguments, start=1):
        for offset, char in enumerate(argument):
            if "\udc80" <= char <= "\udcff":
                raise JacError(
                    f"argument {position} is not valid UTF-8 (the byte 0x{ord(char) - 0xDC00:02X} at character "
                    f"{offset + 1})"
                )


def read_point_file(path: str, variables: Sequence[Any]) -> Any:
    """The points of --points FILE (or - for standard input) as an (N, n) array.

    Once every point is read and checked, the rest of the command's stdout streams out as whole lines
    (a file of millions of points need not fit in memory as text)."""
    from jaccli.errors import PointError
    from jaccli.points import read_points

    if path == "-":
        # Streamed, not read whole; as for EXPR -, a leading byte-order mark is dropped, and bytes
        # that are not UTF-8 are named by the parser ("invalid UTF-8").
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:
            points = read_points(sys.stdin, variables, "--points -")
        else:
            stream = io.TextIOWrapper(buffer, "utf-8-sig", "surrogateescape")
            try:
                points = read_points(stream, variables, "--points -")
            finally:
                stream.detach()  # standard input stays open
    else:
        try:
            # a Windows byte-order mark is dropped; bytes that are not UTF-8 are named with their line
            with open(path, encoding="utf-8-sig", errors="surrogateescape") as stream:
                points = read_points(stream, variables, f"--points {path}")
        except OSError as error:
            reason = getattr(error, "strerror", None) or error
            raise PointError(f"--points: cannot read '{quoted(path)}': {reason}") from None
    guard.stream_lines()
    return points


@contextmanager
def user_errors() -> Iterator[None]:
    """Expected errors end here: one line on stderr and their exit status. Bugs keep their traceback."""
    try:
        yield
    except JacError as error:
        typer.echo(f"jac: {one_line(str(error))}", err=True)
        raise typer.Exit(error.exit_status) from None


class _Buffer(io.StringIO):
    """Output kept until the command has finished; it answers isatty() for the real stream, so
    that rich picks the same colours and width as it would for the terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def isatty(self) -> bool:
        return self.stream.isatty()


class Output:
    """What a command writes: stdout, shown only once the command has succeeded, and its warnings.

    In the child of a command (jaccli.guard) stdout goes straight to the parent, which holds it back;
    run in process, it is kept here. Warnings are kept in both cases, and written once the command
    has succeeded: an error is one line on stderr, with nothing before it.
    """

    def __init__(self, direct: bool = False) -> None:
        self.direct = direct
        self.stdout: TextIO = sys.stdout if direct else _Buffer(sys.stdout)
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@contextmanager
def command(timeout: float) -> Iterator[Output]:
    """Run a command's body: under the --timeout wall-clock bound and the memory limit, with its output
    held back.

    From the console script the rest of the command runs in a child process that the parent kills at
    the deadline, whatever C call it is in (jaccli.guard); in process, a SIGALRM timer interrupts Python
    code. On an expected error (a JacError, the timeout included) the user sees one line on stderr and
    nothing on stdout: never half a table.
    """
    with user_errors():
        if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
            raise JacError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT:,.0f}")
    guard.supervise(timeout)  # the parent never comes back from here: it relays the child and exits
    output = Output(direct=guard.in_child())
    with user_errors(), _time_bound(timeout):
        yield output
    for warning in output.warnings:
        typer.echo(f"jac: warning: {one_line(warning)}", err=True)
    if not output.direct:
        assert isinstance(output.stdout, _Buffer)
        sys.stdout.write(output.stdout.getvalue())
    sys.stdout.flush()


_bounded = False  # a command's in-process timer is running (_time_bound)


def renew_time_bound(seconds: float) -> None:
    """Give the running command `seconds` more from now, whatever it had left: jac check --file and
    --answers bound each problem or answer by --timeout, not the whole run. Both bounds move: the
    parent's deadline for the child and the in-process timer."""
    guard.renew_deadline(seconds)
    if _bounded:
        alarm.start(seconds)


class _Deadline(BaseException):
    """Raised by the timer. Not an Exception, so that no `except Exception` (SymPy has some) and no
    per-problem `except JacError` swallows it on the way out; the command turns it into a JacError."""


@contextmanager
def _time_bound(seconds: float) -> Iterator[None]:
    """Raise JacTimeoutError in the main thread when the wall-clock time is up.

    SIGALRM interrupts Python code between two bytecodes, not one long C call (such as one huge
    multiplication): run from the console script, the parent process is the bound that holds there,
    and this timer lets the child stop by itself, with its clean-up, where it can. The timer fires
    again until the block has ended (`jaccli.alarm`); a shorter limit inside (the proof time of jac
    check) saves and restores it.
    """
    if not alarm.available():
        yield  # no SIGALRM (Windows) or not the main thread: only the size limits apply
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if not alarm.cleaning_up(frame):
            raise _Deadline

    global _bounded
    previous = signal.getsignal(signal.SIGALRM)
    try:
        try:
            signal.signal(signal.SIGALRM, on_alarm)
            alarm.start(seconds)
            _bounded = True
            yield
        finally:
            _bounded = False
            alarm.stop()
    except _Deadline:
        # also when the timer fired on the way out, before it was stopped: the time is up either way
        raise JacTimeoutError(seconds) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


alarm.clean_up(_time_bound)


def output_format(fmt: Format, json_: bool, quiet: bool = False, *, no_color: bool = False) -> str:
    """The format to write: quiet, json, or auto resolved (a table on a terminal or when FORCE_COLOR is set,
    plain text when piped). Options that conflict were refused before (jaccli.cli.argv)."""
    from jaccli.render.terminal import table_wanted

    if quiet:
        return "quiet"
    chosen = "json" if json_ else fmt.value
    if chosen == "auto":
        chosen = "table" if table_wanted(sys.stdout, not no_color) else "plain"
    return chosen
