"""The contour picture of a function of two variables: its level sets (the rings) in grey with their values,
the ring through the point darker, the gradient at the point as a red arrow, the descent direction -grad f as
a blue arrow, a descent path in black, and the minimum where it is known.

matplotlib is an optional extra (the `plot` extra of the package), imported only here and only when a
picture is asked for, with the Agg backend so that no display is needed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from jaccli.errors import JacError
from jaccli.mathfns import elementary
from jaccli.suggest import PLOT_INSTALL

INSTALL = PLOT_INSTALL
SUFFIXES = (".png", ".svg", ".pdf")
GRADIENT_COLOUR = "red"
DESCENT_COLOUR = "blue"
PATH_COLOUR = "black"  # neither red nor blue, so the arrows keep their meaning
RING_COLOUR = "0.55"  # grey
POINT_RING_COLOUR = "0.15"  # the ring through the point: nearly black, still no colour
MINIMUM_MARKER = "*"
SIZE_INCHES = (7.0, 6.0)
DPI = 100  # 700 x 600 pixels
GRID = 301  # samples along each axis
RINGS = 14
ARROW_FRACTION = 0.35  # arrow length as a fraction of half the window: the direction matters, not the length
PATH_DOTS = 60  # a longer path shows a dot at every k-th step only, so that the dots stay apart
TITLE_CHARACTERS = 80  # a title line at fontsize 10 in a picture 7 inches wide
FUNCTION_CHARACTERS = 120  # a longer function is cut in the title


def check_target(target: Path) -> None:
    """Fail before any work: a file type matplotlib writes, and matplotlib itself."""
    if target.suffix.lower() not in SUFFIXES:
        raise JacError(f"--plot '{target}': the file name must end in {', '.join(SUFFIXES)}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise JacError(f"--plot needs matplotlib, which is not installed; install it with: {INSTALL}") from None


def _level_text(value: float) -> str:
    return f"{value:.3g}"


def _window(points: Sequence[tuple[float, float]]) -> tuple[float, float, float]:
    """Centre and half-width of a square window around the points: the point and its surroundings,
    or the whole descent path with a margin."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    if span == 0:
        cx, cy = xs[0], ys[0]
        return cx, cy, max(1.0, math.hypot(cx, cy))
    return (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2, 0.6 * span


def known_minimum(function: sp.Expr, symbols: Sequence[sp.Symbol]) -> tuple[float, float] | None:
    """The minimum of a quadratic f with a positive definite Hessian (the one point where grad f = 0), else None.

    Other functions have no minimum jac knows without searching: descend marks where a converged run ended.
    """
    x, y = symbols
    try:
        polynomial = sp.Poly(function, x, y)
    except sp.PolynomialError:
        return None
    if polynomial.total_degree() != 2 or not all(c.is_number for c in polynomial.coeffs()):
        return None
    hessian = sp.hessian(function, (x, y))
    if not (hessian[0, 0] > 0 and hessian.det() > 0):
        return None
    solution = sp.solve([sp.diff(function, x), sp.diff(function, y)], [x, y], dict=True)
    if len(solution) != 1:
        return None
    return float(solution[0][x]), float(solution[0][y])


def function_text(text: str) -> str:
    """f as a title shows it: a very long function is cut (the text output has all of it)."""
    return text if len(text) <= FUNCTION_CHARACTERS else text[: FUNCTION_CHARACTERS - 2] + " …"


def title_lines(title: str) -> str:
    """The title in lines that fit the picture, broken between words, never inside one."""
    import textwrap

    lines: list[str] = []
    for paragraph in title.split("\n"):
        lines += textwrap.wrap(paragraph, TITLE_CHARACTERS, break_long_words=False, break_on_hyphens=False) or [""]
    return "\n".join(lines)


def draw(
    target: Path,
    function: sp.Expr,
    symbols: Sequence[sp.Symbol],
    point: Sequence[float],
    gradient: Sequence[float] | None,
    *,
    title: str,
    path: Sequence[Sequence[float]] | None = None,
    minimum: tuple[float, float] | None = None,
) -> None:
    """Write the picture to `target`; `gradient` None means it is undefined at the point. `minimum` is a
    minimum found otherwise (the end of a converged descent); a quadratic's own is found here."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.lines import Line2D

    x_symbol, y_symbol = symbols
    px, py = float(point[0]), float(point[1])
    trail = [(float(p[0]), float(p[1])) for p in path] if path else []
    exact_minimum = known_minimum(function, symbols)
    minimum = exact_minimum or minimum
    framed = [(px, py), *trail, *([minimum] if minimum is not None and trail else [])]
    cx, cy, half = _window(framed)
    norm = math.hypot(*gradient) if gradient is not None else 0.0
    arrows = gradient is not None and norm > 0 and math.isfinite(norm)
    length = ARROW_FRACTION * half
    if arrows and trail and gradient is not None:  # widen the window of a path so that the arrows fit in it
        ux, uy = gradient[0] / norm, gradient[1] / norm
        tips = [(px + length * ux, py + length * uy), (px - length * ux, py - length * uy)]
        cx, cy, half = _window([*framed, *tips])
    xs = np.linspace(cx - half, cx + half, GRID)
    ys = np.linspace(cy - half, cy + half, GRID)
    grid_x, grid_y = np.meshgrid(xs, ys)
    compiled = sp.lambdify((x_symbol, y_symbol), elementary(function), modules="numpy", dummify=True)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values: Any = np.broadcast_to(np.asarray(compiled(grid_x, grid_y)), grid_x.shape)
        if np.iscomplexobj(values):
            values = np.where(np.abs(values.imag) > 0, np.nan, values.real)
        surface = np.ma.masked_invalid(values.astype(float))
        at_point = float(np.asarray(compiled(px, py), dtype=complex).real)

    figure, axes = plt.subplots(figsize=SIZE_INCHES, dpi=DPI)
    finite = surface.compressed()
    if finite.size:
        ordered = sorted(set(np.quantile(finite, np.linspace(0.02, 0.98, RINGS)).tolist()))
        if math.isfinite(at_point) and len(ordered) > 1:
            # the ring through the point, to which the gradient is perpendicular, in place of its close neighbours
            gap = float(np.median(np.diff(ordered)))
            ordered = sorted([v for v in ordered if abs(v - at_point) > gap / 2] + [at_point])
        if len(ordered) > 1:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                others = [v for v in ordered if v != at_point]
                rings = axes.contour(
                    grid_x, grid_y, surface, levels=others, colors=RING_COLOUR, linewidths=1.0, linestyles="solid"
                )
                axes.clabel(rings, others[::2], fontsize=7, fmt=_level_text, colors=RING_COLOUR)
                if at_point in ordered:
                    ring = axes.contour(
                        grid_x, grid_y, surface, levels=[at_point], colors=POINT_RING_COLOUR, linewidths=1.8
                    )
                    axes.clabel(ring, fontsize=8, fmt=_level_text, colors=POINT_RING_COLOUR)
    handles = [
        Line2D([], [], color=RING_COLOUR, label="level sets of f (labelled with f)"),
        Line2D([], [], color=POINT_RING_COLOUR, linewidth=1.8, label="level set through the point"),
    ]
    if trail:
        trail_x, trail_y = zip(*trail)
        every = max(1, math.ceil(len(trail) / PATH_DOTS))
        axes.plot(
            trail_x,
            trail_y,
            color=PATH_COLOUR,
            marker=".",
            markersize=5,
            markevery=every,
            linewidth=1.0,
            zorder=3,
        )
        axes.plot([trail_x[-1]], [trail_y[-1]], color=PATH_COLOUR, marker="x", markersize=9, zorder=3)
        dots = "a dot at every step" if every == 1 else f"a dot every {every} steps"
        handles.append(Line2D([], [], color=PATH_COLOUR, marker=".", label=f"descent path, {dots} (x: end)"))
    if minimum is not None and abs(minimum[0] - cx) <= half and abs(minimum[1] - cy) <= half:
        axes.plot(
            [minimum[0]],
            [minimum[1]],
            color=PATH_COLOUR,
            marker=MINIMUM_MARKER,
            markersize=12,
            markerfacecolor="white",
            linestyle="none",
            zorder=6,
        )
        which = "minimum" if exact_minimum is not None else "minimum found by the descent"
        handles.append(
            Line2D(
                [],
                [],
                color=PATH_COLOUR,
                marker=MINIMUM_MARKER,
                markerfacecolor="white",
                linestyle="none",
                markersize=10,
                label=which,
            )
        )
    if arrows and gradient is not None:
        ux, uy = gradient[0] / norm, gradient[1] / norm
        for sign, colour in ((1, GRADIENT_COLOUR), (-1, DESCENT_COLOUR)):
            tip = (px + sign * length * ux, py + sign * length * uy)
            axes.annotate(
                "",
                xy=tip,
                xytext=(px, py),
                arrowprops={
                    "arrowstyle": "-|>,head_width=0.45,head_length=0.9",
                    "color": colour,
                    "linewidth": 2.5,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
                annotation_clip=False,
                zorder=4,
            )
        handles.append(Line2D([], [], color=GRADIENT_COLOUR, linewidth=2.5, label="∇f (uphill)"))
        handles.append(Line2D([], [], color=DESCENT_COLOUR, linewidth=2.5, label="−∇f (descent direction)"))
    axes.plot([px], [py], color=PATH_COLOUR, marker="o", markersize=5, zorder=5)
    axes.set_xlim(cx - half, cx + half)
    axes.set_ylim(cy - half, cy + half)
    axes.set_aspect("equal")
    axes.set_xlabel(x_symbol.name)
    axes.set_ylabel(y_symbol.name)
    if gradient is None:
        title += "\n(∇f is undefined at the point: no arrows)"
    elif not arrows:
        title += "\n(∇f = 0 at the point: no arrows)"
    axes.set_title(title_lines(title), fontsize=10)
    axes.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    figure.tight_layout()
    try:
        figure.savefig(target)
    except OSError as error:
        raise JacError(f"--plot: cannot write '{target}': {error.strerror or error}") from None
    finally:
        plt.close(figure)
