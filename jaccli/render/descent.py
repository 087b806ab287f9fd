"""A gradient-descent run as a table, plain text or one JSON object, all read from the same Descent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from jaccli.descent import Descent, Reason, Step
from jaccli.render.as_json import SCHEMA

SPARK = "▁▂▃▄▅▆▇█"
SPARK_WIDTH = 60  # characters; a longer path is shown by its values at evenly spaced steps
# A longer path is shown in the table by its first and last steps; JSON always has every step.
SHOWN_HEAD = 10
SHOWN_TAIL = 10
# The points a table needs kept: the first and last ten of a long run, every one of a run of 21 steps.
KEEP_POINTS = SHOWN_HEAD + SHOWN_TAIL + 1
# Steps formatted per call of json.dumps when the path is streamed.
JSON_BATCH = 4_096


def sparkline(values: Sequence[float], width: int = SPARK_WIDTH) -> str:
    """One character per step (or per evenly spaced step), from ▁ at the lowest f to █ at the highest."""
    if len(values) > width:
        values = [values[round(i * (len(values) - 1) / (width - 1))] for i in range(width)]
    low, high = min(values), max(values)
    if high == low:
        return SPARK[0] * len(values)
    top = len(SPARK) - 1
    return "".join(SPARK[round((v - low) / (high - low) * top)] for v in values)


def number(value: float) -> str:
    return f"{value:.6g}"


def point_text(step: Step) -> str:
    return "(" + ", ".join(number(v) for v in step.point) + ")"


def _shown(path: Sequence[Step]) -> list[Step | None]:
    """The steps a table shows; None marks the steps left out in the middle."""
    if len(path) <= SHOWN_HEAD + SHOWN_TAIL + 1:
        return list(path[:])
    return [*path[:SHOWN_HEAD], None, *path[-SHOWN_TAIL:]]


def summary_lines(descent: Descent) -> list[str]:
    last = descent.path[-1]
    lines = []
    if len(descent.path) > SHOWN_HEAD + SHOWN_TAIL + 1:
        left_out = len(descent.path) - SHOWN_HEAD - SHOWN_TAIL
        lines.append(f"({left_out} steps in the middle not shown; --json has every step)")
    if descent.reason is Reason.CONVERGED:
        outcome = f"converged after {last.step} steps: |∇f| = {number(last.gradient_norm)} < tol {descent.tol:g}"
    elif descent.reason is Reason.STEP_LIMIT:
        outcome = f"not converged: step limit {descent.step_limit} reached, |∇f| = {number(last.gradient_norm)}"
    elif descent.reason is Reason.DIVERGED:
        outcome = (
            f"diverged at step {descent.unfinished_step or last.step}: f grows without bound"
            f" (rate {descent.rate:g} is too large for this function, or f has no minimum)"
        )
    else:
        outcome = f"stopped after step {last.step}: the next point leaves the domain of f (no real value there)"
    end = ", ".join(f"{n} = {number(v)}" for n, v in zip(descent.variables, last.point))
    return [*lines, outcome, f"end: {end}"]


def theta_text(variables: Sequence[str]) -> str:
    """θ = (x, y): the vector the descent moves, its components named (the first and last few of many)."""
    names = list(variables)
    if len(names) > SHOWN_HEAD + SHOWN_TAIL:
        names = [*names[:5], "…", names[-1]]
    return f"θ = ({', '.join(names)})"


def header_lines(descent: Descent) -> list[str]:
    start = descent.path[0]
    return [
        f"gradient descent on f = {descent.function}: θ ← θ - η·∇f(θ) with {theta_text(descent.variables)}, "
        f"η = {descent.rate:g}",
        f"from {', '.join(f'{n} = {number(v)}' for n, v in zip(descent.variables, start.point))}, "
        f"at most {descent.step_limit} steps, stop when |∇f| < {descent.tol:g}",
    ]


def rows(descent: Descent) -> list[tuple[str, str, str, str]]:
    shown = []
    for step in _shown(descent.path):
        if step is None:
            shown.append(("…", "…", "…", "…"))
        else:
            shown.append((str(step.step), point_text(step), number(step.value), number(step.gradient_norm)))
    return shown


HEADER = ("step", "point", "f", "|∇f|")


def write_plain(descent: Descent, out: TextIO) -> None:
    table = [HEADER, *rows(descent)]
    widths = [max(len(row[k]) for row in table) for k in range(len(HEADER))]
    lines = header_lines(descent)
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.append(f"f: {sparkline(descent.path.values)}")
    lines += summary_lines(descent)
    out.write("\n".join(lines) + "\n")


def write_table(descent: Descent, out: TextIO, *, color: bool = True) -> None:
    from rich.table import Table
    from rich.text import Text

    from jaccli.render.terminal import make_console, print_wrapped

    console = make_console(out, color=color)
    for line in header_lines(descent):
        print_wrapped(console, line, hang="    ")
    table = Table(header_style="bold")
    for name in HEADER:
        table.add_column(name, justify="left" if name == "point" else "right")
    for row in rows(descent):
        table.add_row(*row, style="dim" if row[0] == "…" else "")
    console.print(table)
    console.print(Text.assemble(("f: ", "bold"), sparkline(descent.path.values)))
    outcome_style = "bold green" if descent.converged else "bold yellow"
    for line in summary_lines(descent):
        print_wrapped(console, line, style=outcome_style if not line.startswith(("(", "end:")) else "", hang="    ")


def descent_object(descent: Descent) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "kind": "descent",
        "functions": [descent.function],
        "variables": list(descent.variables),
        "rate": descent.rate,
        "steps": descent.step_limit,
        "tol": descent.tol,
        "path": [_step_object(s) for s in descent.path],
        "steps_taken": descent.steps_taken,
        "converged": descent.converged,
        "reason": descent.reason.value,
    }


def _step_object(step: Step) -> dict[str, Any]:
    return {"step": step.step, "point": list(step.point), "value": step.value, "gradient_norm": step.gradient_norm}


class JsonStream:
    """The JSON object of a run written while it runs, each step as it is taken, so that the path need
    not be kept for it: the same text as json.dumps(descent_object(...)) writes."""

    def __init__(
        self, out: TextIO, function: str, variables: Sequence[str], rate: float, steps: int, tol: float
    ) -> None:
        self.out = out
        header = {
            "schema": SCHEMA,
            "kind": "descent",
            "functions": [function],
            "variables": list(variables),
            "rate": rate,
            "steps": steps,
            "tol": tol,
            "path": [],
        }
        self.prefix: str | None = json.dumps(header, ensure_ascii=False)[:-2]  # ends with "path": [
        self.batch: list[dict[str, Any]] = []

    def step(self, step: Step) -> None:
        self.batch.append(_step_object(step))
        if len(self.batch) >= JSON_BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        text = json.dumps(self.batch, ensure_ascii=False)[1:-1]
        if self.prefix is not None:
            self.out.write(self.prefix + text)
            self.prefix = None
        else:
            self.out.write(", " + text)
        self.batch = []

    def finish(self, descent: Descent) -> None:
        self._flush()
        ending = {"steps_taken": descent.steps_taken, "converged": descent.converged, "reason": descent.reason.value}
        self.out.write("], " + json.dumps(ending, ensure_ascii=False)[1:] + "\n")


def render_descent(descent: Descent, fmt: str, out: TextIO, *, color: bool = True) -> None:
    """Write the run in one format (json, table or plain); `auto` has been resolved by the caller."""
    if fmt == "json":
        out.write(json.dumps(descent_object(descent), ensure_ascii=False) + "\n")
    elif fmt == "table":
        write_table(descent, out, color=color)
    else:
        write_plain(descent, out)
