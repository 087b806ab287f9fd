"""Answers to zsh and fish completion requests with the help text as written, and without loading rich.

Typer renders each candidate's help through rich markup before handing it to zsh or fish. jac's help is
plain text (the app sets `rich_markup_mode=None`), so that rendering only costs time on every TAB
(importing rich and its Markdown support is about a third of a request) and damages the text: `J[i][j]`
loses `[i][j]` as markup tags, and help longer than the console width is broken into lines, of which
fish shows only the first. These subclasses give the shells the help verbatim, on one line.

Typer keeps its completion classes in private modules; the tests that drive real shells check that
this still plugs in, and the scripts in `completions/` do not depend on it.
"""

from __future__ import annotations

from typing import Any

from typer import _completion_classes as typer_completion


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _zsh_escape(text: str) -> str:
    # The same escaping as typer's: the candidates end up inside `_arguments '*: :((...))'`.
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


class ZshComplete(typer_completion.ZshComplete):
    def format_completion(self, item: Any) -> str:
        if item.help:
            return f'"{_zsh_escape(item.value)}":"{_zsh_escape(_one_line(item.help))}"'
        return f'"{_zsh_escape(item.value)}"'


class FishComplete(typer_completion.FishComplete):
    def format_completion(self, item: Any) -> str:
        if item.help:
            return f"{item.value}\t{_one_line(item.help)}"
        return f"{item.value}"


def register() -> None:
    """Answer zsh and fish requests with these classes (typer registers its own when the app is built)."""
    typer_completion.add_completion_class(ZshComplete, ZshComplete.name)
    typer_completion.add_completion_class(FishComplete, FishComplete.name)
