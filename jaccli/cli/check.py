"""jac check: compare a given answer with the computed derivative; many answers to one problem; a file of problems."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, BinaryIO, NoReturn

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
    read_stdin,
    read_texts,
    renew_time_bound,
)
from jaccli.errors import ExitStatus, JacError, quoted

if TYPE_CHECKING:
    from jaccli.check import Checker
    from jaccli.grading import Row
    from jaccli.problems import ProblemResult
    from jaccli.verdict import Verdict


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
            help="The answer to check: '2x, 2y' or '[2x, 2y]' (a row or column), '[[y, x], [1, 1]]' or 'y, x; 1, 1'; "
            "- reads standard input.",
        ),
    ] = None,
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            help="Check many answers to the problem: a CSV file with a header row that has an 'answer' column "
            "(and 'id'), or JSON Lines of objects with 'answer' (and 'id'); - reads standard input.",
        ),
    ] = None,
    vars_: Vars = None,
    wrt: Wrt = None,
    var: Annotated[str | None, typer.Option("--var", help="(diff) The variable to differentiate by.")] = None,
    order: Annotated[int, typer.Option("--order", help="(diff) The order of the derivative.")] = 1,
    at: At = None,
    tol: Annotated[
        float,
        typer.Option(
            "--tol", help="With --at: the largest absolute difference still counted as equal, for inexact numbers."
        ),
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
        others = kind is not None or bool(exprs) or answer is not None or answers is not None
        _check_file(file, others, timeout, chosen, quiet=quiet, color=not no_color)
    rows: list[Row] | None = None
    verdict: Verdict | None = None
    with command(timeout):
        from jaccli.check import checker

        kind, functions = _problem_words(kind, exprs, answer, answers)
        prepared = checker(
            kind, functions, vars_=vars_, wrt=wrt, var=var, order=order, at=at or (), tol=tol, seconds=timeout
        )
        if answers is not None:
            rows = _grade(prepared, answers, timeout)
        else:
            assert answer is not None
            verdict = prepared.check_text(read_stdin().strip() if answer == "-" else answer)
    if rows is not None:
        _finish_rows(rows, chosen, quiet=quiet, color=not no_color)
    assert verdict is not None
    if not quiet:
        from jaccli.render.check import write_verdict

        write_verdict(verdict, chosen)
    raise typer.Exit(ExitStatus.OK if verdict.passed else ExitStatus.CHECK_FAILED)


def _problem_words(
    kind: str | None, exprs: list[str] | None, answer: str | None, answers: str | None
) -> tuple[str, list[str]]:
    """The kind and the functions of a check of one problem, its words checked (one line and exit 2 if not)."""
    from jaccli.check import KINDS

    if kind is None:
        raise JacError("jac check needs KIND EXPR... --answer ANSWER, --answers FILE, or --file FILE")
    if kind not in KINDS:
        raise JacError(f"unknown kind '{kind}': use one of {', '.join(KINDS)}")
    if not exprs:
        raise JacError(f"jac check {kind} needs the function to differentiate")
    if answer is None and answers is None:
        raise JacError("jac check needs --answer ANSWER (or --answers FILE for many)")
    if sum(word == "-" for word in (*exprs, answer, answers)) > 1:
        raise JacError("standard input can be read once: give - for only one of EXPR, --answer and --answers")
    return kind, read_texts(exprs)


def _check_file(file: str, others: bool, timeout: float, chosen: str, *, quiet: bool, color: bool) -> NoReturn:
    """jac check --file: every problem of the file, then the report; exit 1 if any is not right."""
    with command(timeout):
        if others:
            raise JacError("--file takes the problems from the file: give no KIND, EXPR or --answer with it")
        results = _run_file(file, timeout)
    if not quiet:
        from jaccli.render.check import write_report

        write_report(results, chosen, color=color)
    failed = any(r.status != "pass" for r in results)
    raise typer.Exit(ExitStatus.CHECK_FAILED if failed else ExitStatus.OK)


def _grade(prepared: Checker, source: str, timeout: float) -> list[Row]:
    from jaccli.grading import decode, grade, read_submissions

    data = _read_input(source, "--answers", _answer_limit())
    submissions = read_submissions(decode(data, source), source)
    rows = list(grade(prepared, submissions, timeout, renew_time_bound))
    renew_time_bound(timeout)  # writing the rows is bounded as a command is
    return rows


def _answer_limit() -> int:
    from jaccli import bounds

    return bounds.ANSWER_FILE_BYTES.value


def _finish_rows(rows: list[Row], fmt: str, *, quiet: bool, color: bool) -> NoReturn:
    from jaccli.grading import counts
    from jaccli.render.check import write_rows

    if not quiet:
        write_rows(rows, fmt, color=color)
        sys.stdout.flush()
        typer.echo(counts(rows), err=True)
    failed = any(r.status != "right" for r in rows)
    raise typer.Exit(ExitStatus.CHECK_FAILED if failed else ExitStatus.OK)


def _run_file(file: str, timeout: float) -> list[ProblemResult]:
    from jaccli import bounds
    from jaccli.problems import load_problems, run_problem
    from jaccli.verdict import ProblemFileError

    limit = bounds.PROBLEM_FILE_BYTES
    source = "<stdin>" if file == "-" else file
    data = _read_input(file, "--file", limit.value)
    if len(data) > limit.value:
        raise bounds.refuse(limit, f"--file {quoted(source)}: more than {limit.value:,} bytes")
    try:
        text = data.decode("utf-8-sig")  # a Windows byte-order mark is dropped
    except UnicodeDecodeError as error:
        what = "standard input" if file == "-" else f"'{quoted(file, 200)}'"
        raise ProblemFileError(
            f"{what} is not valid UTF-8 (the byte 0x{data[error.start]:02X} at offset {error.start})"
        ) from None
    results = []
    for problem in load_problems(text, source):
        renew_time_bound(timeout + 1)  # each problem has --timeout of its own
        results.append(run_problem(problem, timeout))
    renew_time_bound(timeout)
    return results


def _read_input(name: str, option: str, limit: int) -> bytes:
    """The bytes of a file (or of standard input for -), at most limit + 1 of them: enough to tell
    that a file (or /dev/zero) is over the limit."""
    from jaccli.verdict import ProblemFileError

    try:
        if name == "-":
            buffer = getattr(sys.stdin, "buffer", None)
            if buffer is None:  # a text stream without bytes underneath (an embedding program's)
                return sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
            return _read_bounded(buffer, limit)
        with open(name, "rb") as stream:
            return _read_bounded(stream, limit)
    except OSError as error:
        raise ProblemFileError(f"{option}: cannot read '{quoted(name, 200)}': {error.strerror or error}") from None


def _read_bounded(stream: BinaryIO, limit: int) -> bytes:
    parts = []
    left = limit + 1
    while left > 0 and (part := stream.read(min(left, 1 << 16))):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)
