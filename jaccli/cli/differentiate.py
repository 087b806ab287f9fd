"""grad, jacobian, diff and hessian: the commands that differentiate."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace
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

    from jaccli.cli.options import Output
    from jaccli.core import Result
    from jaccli.large.result import LargeResult
    from jaccli.parse import Variable
    from jaccli.render.points import Undefined


def _run(
    kind: str,
    texts: Sequence[str],
    *,
    vars_: str | None,
    wrt: str | None,
    at: Sequence[str] | None,
    fmt: Format,
    json_: bool,
    no_color: bool,
    timeout: float,
    explain: bool = False,
    var: str | None = None,
    order: int = 1,
    points: str | None = None,
    direction: str | None = None,
    plot: str | None = None,
    quiet: bool = False,
) -> None:
    """Parse, compute, evaluate, render: the path every command shares, all under the time bound."""
    chosen = output_format(fmt, json_, quiet, no_color=no_color)
    with command(timeout) as output:
        inputs = read_texts(texts)
        wrt_names = [w.strip() for w in wrt.split(",")] if wrt else None
        if points is not None:
            if at:
                raise JacError("give either --at or --points, not both")
            if points == "-" and "-" in texts:
                raise JacError("EXPR and --points cannot both read standard input")
            if chosen == "latex":
                raise JacError("--points writes JSON Lines (--json) or plain lines, not LaTeX")
        # --explain, --dir, --plot, LaTeX and the critical-point test of a Hessian at a point are the
        # SymPy path's; so is every small problem (jaccli.large decides)
        sympy_only = explain or direction is not None or plot is not None or chosen == "latex"
        large = not (sympy_only or (kind == "hessian" and at)) and _run_large(
            kind, inputs, chosen, output, vars_=vars_, wrt=wrt_names, at=at, var=var, order=order, points=points
        )
        if large:
            return
        from jaccli import core, parse
        from jaccli.cli import optimise
        from jaccli.render import render

        if plot is not None:
            optimise.check_plot_target(plot)

        variables = parse.parse_vars(vars_) if vars_ is not None else None
        parsed = parse.parse_functions(inputs, variables)
        if kind == "gradient":
            result = core.gradient(parsed, wrt_names)
        elif kind == "jacobian":
            result = core.jacobian(parsed, wrt_names)
        elif kind == "hessian":
            result = core.hessian(parsed, wrt_names)
        else:
            result = core.derivative(parsed, var, order)
        if points is not None:
            if direction is not None or plot is not None:
                raise JacError("--dir and --plot work at --at points, not with --points")
            many = read_point_file(points, parsed.variables)
        else:
            at_points = [parse.parse_point(p, parsed.variables) for p in at or ()]
            if at_points:
                result = core.evaluate(result, at_points)
            result = optimise.at_points(result, parsed, at_points, wrt_names, direction=direction, plot=plot)
        if points is not None:
            # Many points stream out chunk by chunk (they may not fit in memory as text): lines
            # already written are whole and right; an error or the timeout cuts the rest (exit 2).
            _write_many(result, parsed.variables, many, chosen, color=not no_color, explain=explain)
            return
        for evaluation in result.evaluations:
            for i, j in evaluation.undefined:
                output.warn(
                    f"entry [{i + 1},{j + 1}] (d{result.rows[i]}/d{result.variables[j]}) is undefined "
                    f"at {', '.join(f'{n}={v}' for n, v in evaluation.point)}"
                )
        render(result, chosen, output.stdout, color=not no_color, explain=explain)
    if plot is not None:
        typer.echo(f"jac: wrote {plot}", err=True)


def _run_large(
    kind: str,
    texts: Sequence[str],
    fmt: str,
    output: Output,
    *,
    vars_: str | None,
    wrt: Sequence[str] | None,
    at: Sequence[str] | None,
    var: str | None,
    order: int,
    points: str | None,
) -> bool:
    """A large system on SymEngine (see jaccli.large); False when it is for the SymPy path."""
    from jaccli import large

    result = large.attempt(kind, texts, vars_text=vars_, wrt=wrt, at=at, var=var, order=order)
    if result is None:
        return False
    from jaccli.render.large import render_large

    if points is not None:
        _write_many_large(result, points, fmt)
        return True

    for evaluation in result.evaluations:
        for i, j in evaluation.undefined:
            output.warn(
                f"entry [{i + 1},{j + 1}] (d{result.rows[i]}/d{result.variables[j]}) is undefined "
                f"at {', '.join(f'{n}={v}' for n, v in evaluation.point)}"
            )
    if fmt == "quiet":
        from jaccli.render.quiet import write_quiet_large

        write_quiet_large(result, output.stdout)
    else:
        render_large(result, fmt, output.stdout)
    return True


def _write_many(
    result: Result, variables: Sequence[Variable], many: np.ndarray, fmt: str, *, color: bool, explain: bool = False
) -> None:
    """--points: the symbolic result once (not in JSON), then one line per point, chunk by chunk."""
    from jaccli.points import chunks
    from jaccli.render import render
    from jaccli.render.points import write_points

    if fmt not in ("json", "quiet"):
        render(result, fmt, sys.stdout, color=color, explain=explain)
    names = [s.name for v in variables for s in v.symbols]
    _write_lines(lambda: write_points(result, names, chunks(result, variables, many), fmt, sys.stdout), len(many))


def _write_many_large(result: LargeResult, points: str, fmt: str) -> None:
    """--points for a large result: compiled by SymEngine, evaluated and written chunk by chunk."""
    import symengine as se

    from jaccli.core import Kind
    from jaccli.large.numeric import Batch
    from jaccli.parse import Variable
    from jaccli.points import CHUNK_NUMBERS, MAX_CHUNK_POINTS
    from jaccli.render.large import render_large
    from jaccli.render.points import write_points

    names = list(result.all_variables)
    many = read_point_file(points, [Variable(name) for name in names])
    m, n = result.shape
    batch = Batch(se, [se.Symbol(name) for name in names], [e for row in result.entries for e in row])
    size = max(1, min(MAX_CHUNK_POINTS, CHUNK_NUMBERS // (len(names) + m * n + 1)))
    parts = ((many[k : k + size], batch(many[k : k + size])) for k in range(0, many.shape[0], size))
    if fmt not in ("json", "quiet"):
        render_large(result, fmt, sys.stdout)
    # write_points reads only the shape and the kind of the result
    shape: Any = SimpleNamespace(shape=(m, n), kind=Kind(result.kind))
    _write_lines(lambda: write_points(shape, names, parts, fmt, sys.stdout), len(many))


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
) -> None:
    """Gradient of one scalar function, with the descent direction -grad f at a point.

    Example: jac grad "x^2+y^2" --at 5,-5
    """
    _run(
        "gradient",
        [expr],
        vars_=vars_,
        wrt=wrt,
        at=at,
        fmt=fmt,
        json_=json_,
        quiet=quiet,
        no_color=no_color,
        timeout=timeout,
        points=points,
        direction=direction,
        plot=plot,
        explain=explain,
    )


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
) -> None:
    """Jacobian of a vector function: J[i][j] = df_i/dtheta_j (numerator layout).

    Example: jac jacobian "x*y, x+y" --at 2,3
    """
    _run(
        "jacobian",
        exprs,
        vars_=vars_,
        wrt=wrt,
        at=at,
        fmt=fmt,
        json_=json_,
        quiet=quiet,
        no_color=no_color,
        timeout=timeout,
        points=points,
        explain=explain,
    )


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
    _run(
        "derivative",
        exprs,
        vars_=vars_,
        wrt=None,
        at=at,
        fmt=fmt,
        json_=json_,
        quiet=quiet,
        no_color=no_color,
        timeout=timeout,
        explain=explain,
        var=var,
        order=order,
        points=points,
    )


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
) -> None:
    """Matrix of second derivatives of one scalar function: H[i][j] = d2f/dtheta_i dtheta_j.

    Example: jac hessian "x**3 + x*y**2" --at 1,2
    """
    _run(
        "hessian",
        [expr],
        vars_=vars_,
        wrt=wrt,
        at=at,
        fmt=fmt,
        json_=json_,
        quiet=quiet,
        no_color=no_color,
        timeout=timeout,
        points=points,
        explain=explain,
    )
