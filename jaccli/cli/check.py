"""jac check: compare a given answer with the computed derivative, one problem or a file of them."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from jaccli.cli.app import app
from jaccli.cli.options import (
    COMMAND_SETTINGS,
    DEFAULT_TIMEOUT,
    At,
    Format,
    FormatOpt,
    Json,
    NoColor,
    Timeout,
    Vars,
    Wrt,
    command,
    complete_check_kind,
    output_format,
    read_texts,
)
from jaccli.errors import ExitStatus, JacError, one_line, quoted
from jaccli.render.as_json import SCHEMA

if TYPE_CHECKING:
    from jaccli.check import ProblemResult, Verdict


@app.command(context_settings=COMMAND_SETTINGS)
def check(
    kind: Annotated[
        str | None,
        typer.Argument(help="grad, jacobian, diff or hessian.", show_default=False, autocompletion=complete_check_kind),
    ] = None,
    exprs: Annotated[
        list[str] | None, typer.Argument(help="The function(s), as for that command; - reads standard input.")
    ] = None,
    answer: Annotated[
        str | None,
        typer.Option(
            "--answer",
            help="The answer to check: '2x, 2y' or '[2x, 2y]' (a row or column), '[[y, x], [1, 1]]' or 'y, x; 1, 1'.",
        ),
    ] = None,
    vars_: Vars = None,
    wrt: Wrt = None,
    var: Annotated[str | None, typer.Option("--var", help="(diff) The variable to differentiate by.")] = None,
    order: Annotated[int, typer.Option("--order", help="(diff) The order of the derivative.")] = 1,
    at: At = None,
    tol: Annotated[
        float, typer.Option("--tol", help="With --at: the largest absolute difference still counted as equal.")
    ] = 1e-9,
    file: Annotated[
        str | None, typer.Option("--file", help="A TOML file of [[problem]] tables to check at once; - reads stdin.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit code tells.")] = False,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    no_color: NoColor = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
) -> None:
    """Check an answer: exit 0 if right, 1 if wrong (naming each wrong entry), 2 if it cannot be read.

    Example: jac check grad "x^2+y^2" --answer "2x, 2y"
    """
    chosen = output_format(fmt, json_, no_color=no_color)
    if file is not None:
        with command(timeout):
            if kind is not None or exprs or answer is not None:
                raise JacError("--file takes the problems from the file: give no KIND, EXPR or --answer with it")
            results = _run_file(file)
        if not quiet:
            _write_summary(results, chosen, color=not no_color)
        failed = any(r.status != "pass" for r in results)
        raise typer.Exit(ExitStatus.CHECK_FAILED if failed else ExitStatus.OK)
    with command(timeout):
        from jaccli.check import KINDS, check_texts

        if kind is None:
            raise JacError("jac check needs KIND EXPR... --answer ANSWER, or --file FILE")
        if kind not in KINDS:
            raise JacError(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
        if not exprs:
            raise JacError(f"jac check {kind} needs the function to differentiate")
        if answer is None:
            raise JacError("jac check needs --answer ANSWER")
        verdict = check_texts(
            kind, read_texts(exprs), answer, vars_=vars_, wrt=wrt, var=var, order=order, at=at or (), tol=tol
        )
    if not quiet:
        _write_verdict(verdict, chosen)
    raise typer.Exit(ExitStatus.OK if verdict.passed else ExitStatus.CHECK_FAILED)


def _run_file(file: str) -> list[ProblemResult]:
    from jaccli import bounds
    from jaccli.check import ProblemFileError, load_problems, run_problem

    limit = bounds.PROBLEM_FILE_BYTES
    source = "<stdin>" if file == "-" else file
    try:
        if file == "-":
            buffer = getattr(sys.stdin, "buffer", None)
            if buffer is None:  # a text stream without bytes underneath (an embedding program's)
                data = sys.stdin.read(limit.value + 1).encode("utf-8", "surrogateescape")
            else:
                data = _read_bounded(buffer, limit.value)
        else:
            with open(file, "rb") as stream:
                data = _read_bounded(stream, limit.value)
    except OSError as error:
        raise ProblemFileError(f"--file: cannot read '{quoted(file, 200)}': {error.strerror or error}") from None
    if len(data) > limit.value:
        raise bounds.refuse(limit, f"--file {quoted(source)}: more than {limit.value:,} bytes")
    try:
        text = data.decode("utf-8-sig")  # a Windows byte-order mark is dropped
    except UnicodeDecodeError as error:
        what = "standard input" if file == "-" else f"'{quoted(file, 200)}'"
        raise ProblemFileError(
            f"{what} is not valid UTF-8 (the byte 0x{data[error.start]:02X} at offset {error.start})"
        ) from None
    return [run_problem(problem) for problem in load_problems(text, source)]


def _read_bounded(stream: BinaryIO, limit: int) -> bytes:
    """At most limit + 1 bytes: enough to tell that a file (or /dev/zero) is over the limit."""
    parts = []
    left = limit + 1
    while left > 0 and (part := stream.read(min(left, 1 << 16))):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _write_verdict(verdict: Verdict, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps({"schema": SCHEMA} | verdict.as_dict(), ensure_ascii=False) + "\n")
        return
    if verdict.passed:
        sys.stdout.write(f"right: {verdict.reason}\n")
        return
    sys.stdout.write(verdict.reason + "\n" if verdict.method == "shape" else f"wrong: {verdict.reason}\n")
    for entry in verdict.wrong:
        sys.stdout.write(f"  {entry.description}\n")


def _write_summary(results: list[ProblemResult], fmt: str, *, color: bool) -> None:
    counts = {status: sum(r.status == status for r in results) for status in ("pass", "fail", "error")}
    if fmt == "json":
        report = {
            "schema": SCHEMA,
            "passed": counts["pass"],
            "failed": counts["fail"],
            "errors": counts["error"],
            "results": [{"name": r.name, "status": r.status, "message": r.message} for r in results],
        }
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return
    total = f"{counts['pass']} passed, {counts['fail']} failed, {counts['error']} errors"
    # Names and messages come from the file: printed as they are, one line each, never read as markup.
    names = [one_line(r.name) for r in results]
    messages = [one_line(r.message) for r in results]
    if fmt == "table":
        from rich.table import Table
        from rich.text import Text

        from jaccli.render.terminal import make_console

        styles = {"pass": "green", "fail": "red", "error": "yellow"}
        table = Table()
        for heading in ("problem", "verdict", "reason"):
            table.add_column(heading, overflow="fold")  # wrapped, never cut
        for r, name, message in zip(results, names, messages):
            table.add_row(Text(name), Text(r.status, style=styles[r.status]), Text(message))
        console = make_console(sys.stdout, color=color)
        console.print(table, soft_wrap=False)
        console.print(Text(total))
        return
    width = max(len(name) for name in names)
    for r, name, message in zip(results, names, messages):
        sys.stdout.write(f"{r.status.upper():<5}  {name:<{width}}  {message}\n")
    sys.stdout.write(total + "\n")
