"""The contour picture of a function of two variables: its level sets (the rings) in grey with their values,
the ring through the point darker, the gradient at the point as a red arrow, the descent direction -grad f as
a blue arrow, a descent path in black, and the minimum where it is known.

matplotlib is an optional extra (the `plot` extra of the package), imported only here and only when a
picture is asked for, with the Agg backend so that no display is needed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import math
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jaccli import files, guard
from jaccli.errors import JacError, quoted
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


def check_target(target: str | Path) -> None:
    """Fail before any work: a file name of a type matplotlib writes, in a folder that exists, and
    matplotlib installed."""
    text = str(target)
    suffixes = ", ".join(SUFFIXES)
    if not text:
        raise JacError(f"--plot needs a file name: it must end in {suffixes}")
    name = os.path.basename(text)
    if name in ("", ".", "..") or os.path.isdir(text):
        raise JacError(
            f"--plot '{quoted(text, 200)}' is a folder, not a file name: the picture's name must end in {suffixes}"
        )
    if not name.lower().endswith(SUFFIXES):
        raise JacError(f"--plot '{quoted(text, 200)}': the file name must end in {suffixes}")
    folder = os.path.dirname(os.path.realpath(text))
    if not os.path.isdir(folder):
        raise JacError(f"--plot: cannot write '{quoted(text, 200)}': there is no folder '{quoted(folder, 200)}'")
    if importlib.util.find_spec("matplotlib") is None:
        raise JacError(f"--plot needs matplotlib, which is not installed; install it with: {INSTALL}")


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
    function: Callable[[Any, Any], Any],
    names: Sequence[str],
    point: Sequence[float],
    gradient: Sequence[float] | None,
    *,
    title: str,
    path: Sequence[Sequence[float]] | None = None,
    minimum: tuple[float, float] | None = None,
    minimum_exact: bool = False,
) -> None:
    """Write the picture to `target`, whole or not at all; `function` gives f on arrays of x and y (NaN
    where undefined), `gradient` None means it is undefined at the point. `minimum` is the minimum where
    it is known: exactly (`minimum_exact`, a quadratic's) or where a converged descent ended."""
    with _matplotlib_folder():
        plt = _pyplot()
        from matplotlib.lines import Line2D

        px, py = float(point[0]), float(point[1])
        trail = [(float(p[0]), float(p[1])) for p in path] if path else []
        norm = math.hypot(*gradient) if gradient is not None else 0.0
        direction = (gradient[0] / norm, gradient[1] / norm) if gradient is not None and 0 < norm < math.inf else None
        cx, cy, half = _frame((px, py), trail, minimum, direction)
        grid_x, grid_y, surface, at_point = _sample(function, (cx, cy, half), (px, py))

        figure, axes = plt.subplots(figsize=SIZE_INCHES, dpi=DPI)
        _rings(axes, grid_x, grid_y, surface, at_point)
        handles = [
            Line2D([], [], color=RING_COLOUR, label="level sets of f (labelled with f)"),
            Line2D([], [], color=POINT_RING_COLOUR, linewidth=1.8, label="level set through the point"),
        ]
        if trail:
            handles.append(_trail(axes, trail))
        if minimum is not None and abs(minimum[0] - cx) <= half and abs(minimum[1] - cy) <= half:
            handles.append(_minimum(axes, minimum, minimum_exact))
        if direction is not None:
            handles += _arrows(axes, (px, py), direction, ARROW_FRACTION * half)
        axes.plot([px], [py], color=PATH_COLOUR, marker="o", markersize=5, zorder=5)
        axes.set_xlim(cx - half, cx + half)
        axes.set_ylim(cy - half, cy + half)
        axes.set_aspect("equal")
        axes.set_xlabel(names[0])
        axes.set_ylabel(names[1])
        if gradient is None:
            title += "\n(∇f is undefined at the point: no arrows)"
        elif direction is None:
            title += "\n(∇f = 0 at the point: no arrows)"
        axes.set_title(title_lines(title), fontsize=10)
        axes.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
        figure.tight_layout()
        try:
            save(figure, target)
        finally:
            plt.close(figure)


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend, which needs no display."""
    try:
        import matplotlib
    except ImportError:
        raise JacError(f"--plot needs matplotlib, which is not installed; install it with: {INSTALL}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _frame(
    point: tuple[float, float],
    trail: list[tuple[float, float]],
    minimum: tuple[float, float] | None,
    direction: tuple[float, float] | None,
) -> tuple[float, float, float]:
    """The square window: the point, the path and the minimum it ends at, and room for the arrows of a path."""
    framed = [point, *trail, *([minimum] if minimum is not None and trail else [])]
    cx, cy, half = _window(framed)
    if not all(math.isfinite(v) for v in (cx - half, cx + half, cy - half, cy + half)):
        raise JacError("--plot: the point is too far out to draw: the window around it is beyond floating point")
    if direction is not None and trail:
        length = ARROW_FRACTION * half
        (px, py), (ux, uy) = point, direction
        tips = [(px + length * ux, py + length * uy), (px - length * ux, py - length * uy)]
        cx, cy, half = _window([*framed, *tips])
    return cx, cy, half


def _sample(
    function: Callable[[Any, Any], Any], window: tuple[float, float, float], point: tuple[float, float]
) -> tuple[Any, Any, Any, float]:
    """f on a grid over the window (masked where undefined or complex) and its value at the point."""
    import numpy as np

    cx, cy, half = window
    xs = np.linspace(cx - half, cx + half, GRID)
    ys = np.linspace(cy - half, cy + half, GRID)
    grid_x, grid_y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values: Any = np.broadcast_to(np.asarray(function(grid_x, grid_y)), grid_x.shape)
        if np.iscomplexobj(values):
            values = np.where(np.abs(values.imag) > 0, np.nan, values.real)
        surface = np.ma.masked_invalid(values.astype(float))
        at = function(np.array([point[0]]), np.array([point[1]]))
        at_point = float(np.asarray(at, dtype=complex).real.ravel()[0])
    return grid_x, grid_y, surface, at_point


def _rings(axes: Any, grid_x: Any, grid_y: Any, surface: Any, at_point: float) -> None:
    """The level sets in grey, labelled, and the one through the point darker in place of its close neighbours."""
    import numpy as np

    finite = surface.compressed()
    if not finite.size:
        return
    ordered = sorted(set(np.quantile(finite, np.linspace(0.02, 0.98, RINGS)).tolist()))
    if math.isfinite(at_point) and len(ordered) > 1:
        # the ring through the point, to which the gradient is perpendicular
        gap = float(np.median(np.diff(ordered)))
        ordered = sorted([v for v in ordered if abs(v - at_point) > gap / 2] + [at_point])
    if len(ordered) <= 1:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        others = [v for v in ordered if v != at_point]
        rings = axes.contour(
            grid_x, grid_y, surface, levels=others, colors=RING_COLOUR, linewidths=1.0, linestyles="solid"
        )
        axes.clabel(rings, others[::2], fontsize=7, fmt=_level_text, colors=RING_COLOUR)
        if at_point in ordered:
            ring = axes.contour(grid_x, grid_y, surface, levels=[at_point], colors=POINT_RING_COLOUR, linewidths=1.8)
            axes.clabel(ring, fontsize=8, fmt=_level_text, colors=POINT_RING_COLOUR)


def _trail(axes: Any, trail: list[tuple[float, float]]) -> Any:
    """The descent path in black, dotted at its steps (every k-th of a long one), x at its end; its legend entry."""
    from matplotlib.lines import Line2D

    trail_x, trail_y = zip(*trail)
    every = max(1, math.ceil(len(trail) / PATH_DOTS))
    axes.plot(trail_x, trail_y, color=PATH_COLOUR, marker=".", markersize=5, markevery=every, linewidth=1.0, zorder=3)
    axes.plot([trail_x[-1]], [trail_y[-1]], color=PATH_COLOUR, marker="x", markersize=9, zorder=3)
    dots = "a dot at every step" if every == 1 else f"a dot every {every} steps"
    return Line2D([], [], color=PATH_COLOUR, marker=".", label=f"descent path, {dots} (x: end)")


def _minimum(axes: Any, minimum: tuple[float, float], exact: bool) -> Any:
    """The minimum as a white star; its legend entry says whether it is exact or where a descent converged."""
    from matplotlib.lines import Line2D

    star: dict[str, Any] = {
        "color": PATH_COLOUR,
        "marker": MINIMUM_MARKER,
        "markerfacecolor": "white",
        "linestyle": "none",
    }
    axes.plot([minimum[0]], [minimum[1]], markersize=12, zorder=6, **star)
    which = "minimum" if exact else "minimum found by the descent"
    return Line2D([], [], markersize=10, label=which, **star)


def _arrows(axes: Any, point: tuple[float, float], direction: tuple[float, float], length: float) -> list[Any]:
    """The gradient (red) and the descent direction (blue) from the point, of one length; their legend entries."""
    from matplotlib.lines import Line2D

    (px, py), (ux, uy) = point, direction
    for sign, colour in ((1, GRADIENT_COLOUR), (-1, DESCENT_COLOUR)):
        axes.annotate(
            "",
            xy=(px + sign * length * ux, py + sign * length * uy),
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
    return [
        Line2D([], [], color=GRADIENT_COLOUR, linewidth=2.5, label="∇f (uphill)"),
        Line2D([], [], color=DESCENT_COLOUR, linewidth=2.5, label="−∇f (descent direction)"),
    ]


def save(figure: Any, target: Path) -> None:
    """Write the picture whole or not at all (jaccli.files), in the format its name says (`.png` alone
    is a hidden PNG file)."""
    kind = Path(target).name.lower().rsplit(".", 1)[-1]
    try:
        with files.replacing(target) as stream:
            figure.savefig(stream, format=kind)
    except OSError as error:
        raise JacError(f"--plot: cannot write '{quoted(str(target), 200)}': {error.strerror or error}") from None


@contextlib.contextmanager
def _matplotlib_folder() -> Iterator[None]:
    """A writable folder for matplotlib's configuration and font cache, and quiet logging.

    matplotlib keeps them under HOME. Where that folder cannot be written (a read-only or missing
    HOME), matplotlib would make a temporary folder, warn about it on stderr, and remove it at exit,
    which jac skips (it leaves through os._exit). jac makes that folder itself and removes it; the
    font cache is then built each time, which costs about a second.
    """
    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # no "building the font cache" chatter
    if _writable_folders():
        yield
        return
    try:
        folder = tempfile.mkdtemp(prefix="jac-matplotlib-")
    except OSError as error:
        raise JacError(
            f"--plot: matplotlib needs a writable folder and none could be made ({error.strerror or error}); "
            "set MPLCONFIGDIR to one"
        ) from None
    guard.remove_afterwards(folder)
    previous = os.environ.get("MPLCONFIGDIR")
    os.environ["MPLCONFIGDIR"] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if previous is None:
            os.environ.pop("MPLCONFIGDIR", None)
        else:
            os.environ["MPLCONFIGDIR"] = previous


def _writable_folders() -> bool:
    """Whether matplotlib's configuration and cache folders exist or can be made, and can be written."""
    try:
        chosen = os.environ.get("MPLCONFIGDIR")
        if chosen:
            folders = [Path(chosen)]
        elif sys.platform.startswith(("linux", "freebsd")):
            home = Path.home()
            if not home.is_dir() and not (os.environ.get("XDG_CONFIG_HOME") and os.environ.get("XDG_CACHE_HOME")):
                return False  # a missing home folder is not for jac to make
            config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
            cache = os.environ.get("XDG_CACHE_HOME") or str(home / ".cache")
            folders = [Path(config, "matplotlib"), Path(cache, "matplotlib")]
        else:
            return True  # elsewhere matplotlib's own fallback applies
        for folder in folders:
            folder = folder.resolve()
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                return False
    except (OSError, RuntimeError):  # RuntimeError: no home folder at all
        return False
    return True
