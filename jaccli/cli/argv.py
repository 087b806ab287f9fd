"""The command line as typed, read before click parses it: which words are options and which are expressions,
and the options that conflict or would be ignored.

click reads any word that begins with a minus sign as options, and a word such as `-209*q**5` as the
bundle of short options `-2 -0 -9 -* -q -* -* -5`: with `-q` and `-h` defined, an expression could turn
into --quiet or --help. Here a word is an option only when it is exactly one of the command's option
names (or `--name=value`); every other word is positional, and the line handed to click puts the
positionals after `--`, where click reads no options. The value of an option that takes one is the next
word whatever it looks like (`--answer -1045*q**4`, `--at -5,3`), as click itself would take it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import typer

from jaccli.errors import JacError
from jaccli.suggest import unknown_command, unknown_option

# A word that looks like a long option (`--foo`, `--foo=1`) rather than an expression such as `--x` (= x).
_LONG_OPTION = re.compile(r"--[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?:=.*)?\Z", re.S)


class UsageError(JacError):
    """A command line whose words cannot be used: an unknown command or option, options that conflict."""


@dataclass(frozen=True)
class Spec:
    """One option: the name its rules use (its long name), and whether it takes a value."""

    name: str
    takes_value: bool


@dataclass
class Line:
    """A command's words sorted out: the options in the order given (with their values) and the positionals."""

    command: str
    options: list[tuple[str, str | None]] = field(default_factory=list)  # (long name, value or None)
    words: list[str] = field(default_factory=list)  # the option words as typed, values included
    positionals: list[str] = field(default_factory=list)

    def given(self, name: str) -> bool:
        return any(option == name for option, _ in self.options)

    def value(self, name: str) -> str | None:
        """The last value given for the option (click keeps the last one too)."""
        values = [value for option, value in self.options if option == name]
        return values[-1] if values else None


def option_specs(command: Any) -> dict[str, Spec]:
    """Every spelling of every option of a click command (`-q`, `--quiet`, `--no-color`), help included."""
    context = typer.Context(command, **getattr(command, "context_settings", {}))
    specs: dict[str, Spec] = {}
    for param in command.get_params(context):
        if param.param_type_name != "option":
            continue
        spellings = [*param.opts, *getattr(param, "secondary_opts", [])]
        long_names = [s for s in spellings if s.startswith("--")]
        name = long_names[0] if long_names else spellings[0]
        takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for spelling in spellings:
            specs[spelling] = Spec(name, takes_value)
    return specs


def sort_words(command: str, specs: Mapping[str, Spec], words: Sequence[str]) -> Line:
    """Options (exactly a known name, or --name=value) with their values, and everything else as positionals."""
    line = Line(command)
    k = 0
    while k < len(words):
        word = words[k]
        if word == "--":
            line.positionals += words[k + 1 :]
            break
        name, equals, value = word.partition("=")
        spec = specs.get(word)
        if spec is not None:
            line.words.append(word)
            if spec.takes_value and k + 1 < len(words):
                line.words.append(words[k + 1])
                line.options.append((spec.name, words[k + 1]))
                k += 2
                continue
            line.options.append((spec.name, None))
        elif equals and word.startswith("--") and name in specs:
            line.words.append(word)
            line.options.append((specs[name].name, value))
        elif _LONG_OPTION.match(word):
            long_names = sorted({s for s in specs if s.startswith("--")})
            raise UsageError(f"{unknown_option(name, long_names)} (see 'jac {command} --help')")
        else:
            line.positionals.append(word)
        k += 1
    return line


def rewrite(group: Any, arguments: Sequence[str]) -> tuple[list[str], Line | None]:
    """The words to hand to click, and the command's words sorted out (None when no command is named)."""
    group_specs = option_specs(group)
    out: list[str] = []
    k = 0
    while k < len(arguments):
        word = arguments[k]
        if word in ("--install-completion", "--show-completion"):
            # typer's own eager options: they act and exit before any command is read (a shell's name may
            # follow, which is no command of jac's)
            return [*out, *arguments[k:]], None
        if word == "--" or word in group_specs:  # jac's own options: --version, --help ...
            out.append(word)
            k += 1
            continue
        if word.startswith("-"):
            long_names = sorted({s for s in group_specs if s.startswith("--")})
            raise UsageError(f"{unknown_option(word.partition('=')[0], long_names)} (see 'jac --help')")
        command = group.commands.get(word)
        if command is None:
            raise UsageError(unknown_command(word, _visible(group)))
        line = sort_words(word, option_specs(command), arguments[k + 1 :])
        out += [word, *line.words]
        if line.positionals:
            out += ["--", *line.positionals]
        return out, line
    return out, None


def _visible(group: Any) -> list[str]:
    return [name for name, command in group.commands.items() if not command.hidden]


# --- options that conflict or would be ignored ----------------------------------------------------------

# The formats each command can write; a command left out writes every one of jaccli.cli.options.Format.
FORMATS: dict[str, tuple[str, ...]] = {
    "check": ("auto", "table", "plain", "json"),
    "descend": ("auto", "table", "plain", "json"),
}
# Options that only say what to print: --quiet says "nothing but ...", so these conflict with it.
_SHAPES_OUTPUT = ("--json", "--format", "--explain", "--dir")
# check --file takes everything about the problems from the file.
_NOT_WITH_FILE = ("--answer", "--answers", "--vars", "--wrt", "--var", "--order", "--at", "--tol")


def conflicts(line: Line) -> str | None:
    """The one-line reason a command line cannot be run as typed, or None."""
    from jaccli.cli.options import Format

    command = line.command
    fmt = line.value("--format")
    if fmt is not None and fmt not in tuple(Format):
        known = FORMATS.get(command, tuple(Format))
        return f"--format {fmt!r} is not a format of jac {command}: use {', '.join(known[:-1])} or {known[-1]}"
    if line.given("--json") and fmt is not None and fmt != "json":
        return f"--json means --format json: give one of --json and --format {fmt}, not both"
    chosen = "json" if line.given("--json") else fmt
    allowed = FORMATS.get(command)
    if allowed is not None and chosen is not None and chosen not in allowed:
        usable = [f for f in allowed if f != "auto"]
        name = "LaTeX" if chosen == "latex" else chosen
        return f"{command} has no {name} output; use --format {', '.join(usable[:-1])} or {usable[-1]}"
    if line.given("--quiet"):
        others = [name for name in _SHAPES_OUTPUT if line.given(name)]
        if others:
            what = "nothing" if command == "check" else "only the values"
            return f"--quiet prints {what}; it cannot be combined with {others[0]}"
    if line.given("--explain") and line.given("--points") and chosen == "json":
        return "--points --json writes values only; --explain has nowhere to go (leave out one of them)"
    if command == "check":
        return _check_conflicts(line)
    return None


def _check_conflicts(line: Line) -> str | None:
    if line.given("--file"):
        extra = [name for name in _NOT_WITH_FILE if line.given(name)]
        if line.positionals or extra:
            what = extra[0] if extra else "KIND or EXPR"
            return f"--file takes the problems from the file: give no {what} with it"
        return None
    kind = line.positionals[0] if line.positionals else None
    if line.given("--answer") and line.given("--answers"):
        return "--answer checks one answer and --answers many: give one of them"
    if line.given("--tol") and not line.given("--at"):
        return "--tol applies to answers at a point: give --at too, or leave out --tol"
    if kind is not None and kind != "diff":
        for name in ("--var", "--order"):
            if line.given(name):
                return f"{name} is for jac check diff; jac check {kind} has no use for it"
    if kind == "diff" and line.given("--wrt"):
        return "--wrt is for grad, jacobian and hessian; jac check diff takes --var"
    return None


def check_line(group: Any, arguments: Sequence[str]) -> list[str]:
    """The words to hand to click; raises UsageError for a line that cannot be run as typed."""
    words, line = rewrite(group, arguments)
    if line is not None and not (line.given("--help") or line.given("--version")):
        reason = conflicts(line)
        if reason is not None:
            raise UsageError(reason)
    return words
