"""jac check: compare a given answer with the computed derivative, one problem or a file of them."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
)
from jaccli.errors import ExitStatus, JacError
from jaccli.render.schema import SCHEMA

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
    from jaccli.check import ProblemFileError, load_problems, run_problem

    if file == "-":
        text, source = read_stdin(), "<stdin>"
    else:
        try:
            text, source = Path(file).read_text(encoding="utf-8-sig"), file  # a Windows byte-order mark is dropped
        except (OSError, UnicodeDecodeError) as error:
            raise ProblemFileError(
                f"--file: cannot read '{file}': {getattr(error, 'strerror', None) or error}"
            ) from None
    return [run_problem(problem) for problem in load_problems(text, source)]


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
    if fmt == "table":
        from rich.table import Table

        from jaccli.render.terminal import make_console

        styles = {"pass": "green", "fail": "red", "error": "yellow"}
        table = Table("problem", "verdict", "reason")
        for r in results:
            table.add_row(r.name, f"[{styles[r.status]}]{r.status}[/]", r.message, style=None)
        console = make_console(sys.stdout, color=color)
        console.print(table, soft_wrap=False)
        console.print(total, highlight=False)
        return
    width = max(len(r.name) for r in results)
    for r in results:
        sys.stdout.write(f"{r.status.upper():<5}  {r.name:<{width}}  {r.message}\n")
    sys.stdout.write(total + "\n")
