"""The terminal's conventions in one place: NO_COLOR, FORCE_COLOR, --no-color, the width, and text that wraps
at word boundaries. rich is imported only when a console is made.

Precedence: `--no-color` and `NO_COLOR` (set and not empty) remove every colour; otherwise `FORCE_COLOR`
(set and not empty) gives colour, and the table, when the output is not a terminal. Bold and dim are
not colours: with NO_COLOR on a terminal the diagonal is still bold and structural zeros still dim.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console


def no_color() -> bool:
    """NO_COLOR is set to something (https://no-color.org): no colour anywhere."""
    return bool(os.environ.get("NO_COLOR"))


def force_color() -> bool:
    """FORCE_COLOR is set to something (https://force-color.org): colour even when piped."""
    return bool(os.environ.get("FORCE_COLOR"))


def colour_allowed(color_flag: bool = True) -> bool:
    """Colour unless --no-color (color_flag False) or NO_COLOR says otherwise."""
    return color_flag and not no_color()


def table_wanted(stream: TextIO, color_flag: bool = True) -> bool:
    """What `--format auto` means: a table on a terminal, or when colour is forced; plain text otherwise."""
    return stream.isatty() or (force_color() and colour_allowed(color_flag))


def make_console(out: TextIO, *, color: bool = True) -> Console:
    """A rich console for `out` that follows NO_COLOR, FORCE_COLOR and --no-color (`color` False)."""
    from rich.console import Console

    colour = colour_allowed(color)
    terminal = out.isatty() or (force_color() and colour)
    return Console(file=out, no_color=not colour, force_terminal=terminal, highlight=False, soft_wrap=True)


@dataclass(frozen=True)
class Shown:
    """What the console will show: styles at all (bold, dim), and colours among them."""

    styles: bool
    colours: bool


def shown(console: Console) -> Shown:
    styles = console.color_system is not None
    return Shown(styles, styles and not console.no_color)


def wrapped(text: str, width: int, *, indent: str = "", hang: str = "") -> Iterator[str]:
    """`text` in lines of at most `width` characters, broken at spaces only (a word longer than the line
    stays whole); the first line starts with `indent`, the others with `hang`."""
    if width <= len(hang) + 10:  # too narrow to be of use: one line, as the terminal shows it
        yield indent + text
        return
    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
    yield from lines or [indent]


def print_wrapped(console: Any, text: str, *, style: str = "", indent: str = "", hang: str = "") -> None:
    """Print prose on the console, wrapped at word boundaries to its width."""
    from rich.text import Text

    for line in wrapped(text, console.width, indent=indent, hang=hang):
        console.print(Text(line, style=style))
