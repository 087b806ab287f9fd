"""Shell completion: answers to requests (zsh and fish get the help text as written, without loading rich;
bash's request variables are checked), and --install-completion writing its files whole or not at all.

Typer renders each candidate's help through rich markup before handing it to zsh or fish. jac's help is
plain text (the app sets `rich_markup_mode=None`), so that rendering only costs time on every TAB
(importing rich and its Markdown support is about a third of a request) and damages the text: `J[i][j]`
loses `[i][j]` as markup tags, and help longer than the console width is broken into lines, of which
fish shows only the first. These subclasses give the shells the help verbatim, on one line.

Typer keeps its completion classes in private modules; the tests that drive real shells check that
this still plugs in, and the scripts in `completions/` do not depend on it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer import _completion_classes as typer_completion
from typer import _completion_shared as typer_shared

from jaccli.errors import ExitStatus, quoted


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


class BashComplete(typer_completion.BashComplete):
    def get_completion_args(self) -> tuple[list[str], str]:
        # bash sets COMP_CWORD to the number of the word under the cursor; anything else is not a request
        # from bash, and is refused in one line rather than with a traceback
        word = os.environ.get("COMP_CWORD", "")
        if not (word.isascii() and word.isdigit()):
            _fail(f"COMP_CWORD must be the number of a word, as bash sets it; got '{quoted(word)}'")
        os.environ.setdefault("COMP_WORDS", "")
        return super().get_completion_args()


def register() -> None:
    """Answer completion requests with these classes (typer registers its own when the app is built)."""
    typer_completion.add_completion_class(BashComplete, BashComplete.name)
    typer_completion.add_completion_class(ZshComplete, ZshComplete.name)
    typer_completion.add_completion_class(FishComplete, FishComplete.name)


def _fail(message: str) -> None:
    typer.echo(f"jac: {message}", err=True)
    sys.exit(ExitStatus.BAD_INPUT)


def guard_install() -> None:
    """Let --install-completion (typer's option) write its files through `install` below."""
    from typer import completion as typer_options

    typer_options.install = install


def install(
    shell: str | None = None, prog_name: str | None = None, complete_var: str | None = None
) -> tuple[str, Path]:
    """typer's installation, with each file replaced whole or not at all (a full disk cannot leave half a
    ~/.bashrc) and a home folder that cannot be written reported in one line, exit 2."""
    from jaccli import files

    prog_name = prog_name or "jac"
    complete_var = complete_var or "_JAC_COMPLETE"
    if shell is None and not os.getenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
        shell = typer_shared._get_shell_name()
    if shell not in ("bash", "zsh", "fish"):
        return typer_shared.install(shell=shell, prog_name=prog_name, complete_var=complete_var)
    home = _home()
    script = typer_shared.get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell)
    if shell == "bash":
        target = home / ".bash_completions" / f"{prog_name}.sh"
        writes = [(home / ".bashrc", _with_line(home / ".bashrc", f"source '{target}'")), (target, script)]
    elif shell == "zsh":
        target = home / ".zfunc" / f"_{prog_name}"
        writes = [(home / ".zshrc", _zshrc(home / ".zshrc")), (target, script)]
    else:
        target = home / ".config" / "fish" / "completions" / f"{prog_name}.fish"
        writes = [(target, f"{script}\n")]
    for path, text in writes:
        if text is None:
            continue  # the start-up file has the line already
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with files.replacing(path) as stream:
                stream.write(text.encode())
        except OSError as error:
            _fail(f"--install-completion: cannot write '{quoted(str(path), 200)}': {error.strerror or error}")
    return shell, target


def _home() -> Path:
    text = os.environ.get("HOME")
    if text is not None and not os.path.isabs(text):
        _fail(f"--install-completion: HOME must be the path of your home folder, got '{quoted(text, 200)}'")
    try:
        home = Path.home()
    except RuntimeError:
        _fail("--install-completion: there is no home folder to install into (HOME is not set)")
    if not home.is_dir():
        _fail(f"--install-completion: the home folder '{quoted(str(home), 200)}' is not an existing folder")
    return home


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape") if path.is_file() else ""
    except OSError as error:
        _fail(f"--install-completion: cannot read '{quoted(str(path), 200)}': {error.strerror or error}")
    return ""


def _with_line(path: Path, line: str) -> str | None:
    """The start-up file with the line added at its end, or None when it has the line already."""
    content = _read(path)
    if line in content:
        return None
    return f"{content}\n{line}\n"


def _zshrc(path: Path) -> str | None:
    """~/.zshrc as typer's installation leaves it: the function folder on fpath, and a menu style."""
    content = _read(path)
    updated = content
    completion = "fpath+=~/.zfunc; autoload -Uz compinit; compinit"
    if completion not in updated:
        updated += f"\n{completion}\n"
    if "zstyle" not in updated:
        updated += "\nzstyle ':completion:*' menu select\n"
    return None if updated == content else f"{updated.strip()}\n"
