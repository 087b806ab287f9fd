"""grad, jacobian, diff and hessian: the commands that differentiate."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated, Any

import typer

from jaccli.cli.app import app
from jaccli.cli.options import (
    COMMAND_SETTINGS,
    DEFAULT_TIMEOUT,
    At,
    Explain,
    Format,
    FormatOpt,
    Json,
    NoColor,
    Plot,
    Points,
    Quiet,
    Timeout,
    Vars,
    Wrt,
    command,
    output_format,
    read_point_file,
    read_texts,
)
from jaccli.errors import JacError

if TYPE_CHECKING:
    import numpy as np

    from jaccli.render.points import Undefined
    from jaccli.result import Result


@dataclass(frozen=True)
class Request:
    """What a differentiating command was asked, option by option."""

    kind: str
    texts: Sequence[str]
    vars_: str | None = None
    wrt: str | None = None
    at: Sequence[str] = ()
    fmt: Format = Format.auto
    json_: bool = False
    no_color: bool = False
    timeout: float = DEFAULT_TIMEOUT
    explain: bool = False
    var: str | None = None
    order: int = 1
    points: str | None = None
    direction: str | None = None
    plot: str | None = None
    sparse: bool = False
    quiet: bool = False

    @classmethod
    def of(cls, kind: str, texts: Sequence[str], options: Mapping[str, Any]) -> Request:
        """The request of a command from its parameters (its `locals()`): those of them that are options here."""
        names = {f.name for f in fields(cls)} - {"kind", "texts"}
        given = {name: value for name, value in options.items() if name in names}
        given["at"] = given.get("at") or ()
        return cls(kind, texts, **given)


def _run(request: Request) -> None:
    """Options in, one call to the API, one render: all under the time bound."""
    chosen = output_format(request.fmt, request.json_, request.quiet, no_color=request.no_color)
    with command(request.timeout) as output:
        inputs = read_texts(request.texts)
        _check_options(request, chosen, inputs)
        from jaccli.api import solve
        from jaccli.cli import optimise
        from jaccli.pipeline import Context
        from jaccli.problem import Kind
        from jaccli.render import render

        if request.plot is not None:
            optimise.check_plot_target(request.plot)
        context = Context()
        result = solve(
            Kind(request.kind),
            inputs,
            vars=request.vars_,
            wrt=request.wrt,
            var=request.var,
            order=request.order,
            points=request.at,
            sparse=request.sparse,
            context=context,
        )
        if request.points is not None:
            many = read_point_file(request.points, result.problem.variables)
            # Many points stream out chunk by chunk (they may not fit in memory as text): lines
            # already written are whole and right; an error or the timeout cuts the rest (exit 2).
            _write_many(result, many, chosen, color=not request.no_color, explain=request.explain)
            return
        result = optimise.at_points(result, context, direction=request.direction, plot=request.plot)
        for evaluation in result.evaluations:
            undefined = evaluation.undefined
            for i, j in undefined[:_WARNED_ENTRIES]:
                output.warn(
                    f"entry [{i + 1},{j + 1}] (d{result.rows[i]}/d{result.variables[j]}) is undefined "
                    f"at {', '.join(f'{n}={result.text(v)}' for n, v in evaluation.point[:_WARNED_VALUES])}"
                    + (", ..." if len(evaluation.point) > _WARNED_VALUES else "")
                )
            if len(undefined) > _WARNED_ENTRIES:
                output.warn(f"{len(undefined) - _WARNED_ENTRIES:,} more entries are undefined at that point")
        render(result, chosen, output.stdout, color=not request.no_color, explain=request.explain)
    if request.plot is not None:
        typer.echo(f"jac: wrote {request.plot}", err=True)


_WARNED_ENTRIES = 20  # warnings about undefined entries at one point, before a count of the rest
_WARNED_VALUES = 12


def _check_options(request: Request, chosen: str, inputs: Sequence[str]) -> None:
    if request.points is not None:
        if request.at:
            raise JacError("give either --at or --points, not both")
        if request.points == "-" and "-" in request.texts:
            raise JacError("EXPR and --points cannot both read standard input")
        if chosen == "latex":
            raise JacError("--points writes JSON Lines (--json) or plain lines, not LaTeX")
        if request.sparse:
            raise JacError("--points writes every entry at every point; leave out --sparse")
        if request.direction is not None or request.plot is not None:
            raise JacError("--dir and --plot work at --at points, not with --points")
    if request.sparse and chosen not in ("json", "plain", "table"):
        raise JacError(f"--sparse changes the JSON output; it has no {chosen} form")


def _write_many(result: Result, many: np.ndarray, fmt: str, *, color: bool, explain: bool = False) -> None:
    """--points: the symbolic result once (not in JSON), then one line per point, chunk by chunk."""
    from jaccli.points import chunks
    from jaccli.render import render
    from jaccli.render.points import write_points

    if fmt not in ("json", "quiet"):
        render(result, fmt, sys.stdout, color=color, explain=explain)
    names = list(result.problem.components)
    _write_lines(lambda: write_points(result, names, chunks(result, many), fmt, sys.stdout), len(many))


def _write_lines(write: Callable[[], Undefined], count: int) -> None:
    """Write the lines of many points; warn once about undefined entries; a closed pipe ends quietly."""
    try:
        undefined = write()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped (| head): not an error of jac
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    if undefined.entries:
        typer.echo(
            f"jac: warning: {undefined.entries} undefined {'entry' if undefined.entries == 1 else 'entries'} "
            f"at {undefined.points} of {count} points "
            "(null in JSON, 'undefined' in text)",
            err=True,
        )


Sparse = Annotated[
    bool,
    typer.Option(
        "--sparse",
        help="JSON lists only the structurally nonzero entries, as [i, j, symbolic, value] (1-based), "
        "instead of dense matrices: for results too large to write whole.",
    ),
]


@app.command(context_settings=COMMAND_SETTINGS)
def grad(
    expr: Annotated[str, typer.Argument(help="One scalar function, e.g. 'x**2+y**2'; - reads standard input.")],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    points: Points = None,
    direction: Annotated[
        str | None,
        typer.Option(
            "--dir",
            help="Directional derivative along this vector at each --at point: grad f . v/|v|, "
            "written like a point (1,0 or x=1,y=0).",
            metavar="V",
        ),
    ] = None,
    plot: Plot = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    quiet: Quiet = False,
    no_color: NoColor = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    explain: Explain = False,
    sparse: Sparse = False,
) -> None:
    """Gradient of one scalar function, with the descent direction -grad f at a point.

    Example: jac grad "x^2+y^2" --at 5,-5
    """
    _run(Request.of("gradient", [expr], locals()))


@app.command(context_settings=COMMAND_SETTINGS)
def jacobian(
    exprs: Annotated[
        list[str], typer.Argument(help="Functions: 'f1, f2', '[f1, f2]' or several arguments; - reads standard input.")
    ],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    points: Points = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    quiet: Quiet = False,
    no_color: NoColor = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    explain: Explain = False,
    sparse: Sparse = False,
) -> None:
    """Jacobian of a vector function: J[i][j] = df_i/dtheta_j (numerator layout).

    Example: jac jacobian "x*y, x+y" --at 2,3
    """
    _run(Request.of("jacobian", exprs, locals()))


@app.command(context_settings=COMMAND_SETTINGS)
def diff(
    exprs: Annotated[list[str], typer.Argument(help="A function or a list of functions of one variable.")],
    var: Annotated[
        str | None, typer.Option("--var", help="The variable to differentiate by (needed when there are several).")
    ] = None,
    order: Annotated[int, typer.Option("--order", help="The order k of the derivative.")] = 1,
    vars_: Vars = None,
    at: At = None,
    points: Points = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    quiet: Quiet = False,
    no_color: NoColor = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    explain: Explain = False,
) -> None:
    """Derivative along one variable; for a list of functions, the column of their derivatives.

    Example: jac diff "2*x**2" --at 2
    """
    _run(Request.of("derivative", exprs, locals()))


@app.command(context_settings=COMMAND_SETTINGS)
def hessian(
    expr: Annotated[str, typer.Argument(help="One scalar function; - reads standard input.")],
    vars_: Vars = None,
    wrt: Wrt = None,
    at: At = None,
    points: Points = None,
    fmt: FormatOpt = Format.auto,
    json_: Json = False,
    quiet: Quiet = False,
    no_color: NoColor = False,
    timeout: Timeout = DEFAULT_TIMEOUT,
    explain: Explain = False,
    sparse: Sparse = False,
) -> None:
    """Matrix of second derivatives of one scalar function: H[i][j] = d2f/dtheta_i dtheta_j.

    Example: jac hessian "x**3 + x*y**2" --at 1,2
    """
    _run(Request.of("hessian", [expr], locals()))
