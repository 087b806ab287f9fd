"""Shell completion: the generated scripts, the protocol behind them, and TAB in real bash, zsh and fish."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import typer
from conftest import JAC
from shells import (
    COMPLETIONS,
    ROOT,
    bash_compreply,
    bash_typed,
    fish_complete,
    shell_env,
    shell_or_skip,
    zsh_typed,
)
from typer.main import get_command

from jaccli.cli import app
from jaccli.cli.options import CHECK_KINDS, complete_check_kind
from jaccli.regenerate import completion_source, stale_files

COMMANDS = ["grad", "jacobian", "diff", "hessian"]
GRAD_OPTIONS = ["--vars", "--wrt", "--at", "--format", "--json", "--no-color", "--help"]
FORMATS = ["auto", "table", "plain", "json", "latex"]
KINDS = ["grad", "jacobian", "diff", "hessian"]  # what a user expects after `jac check `


def command_with_option(option: str, command: str | None = None) -> list[str]:
    """The words that start a command taking `option` (e.g. ["grad", "x"] for --points); skip if none has it."""
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name, cmd in group.commands.items():
        if command is not None and name != command:
            continue
        if any(option in param.opts for param in cmd.params):
            needs_expr = any(p.param_type_name == "argument" for p in cmd.params) and name != "check"
            return [name, "x"] if needs_expr else [name]
    pytest.skip(f"this version of jac has no {command or 'command with'} {option} option yet")


def has_command(name: str) -> None:
    group = get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    if name not in group.commands:
        pytest.skip(f"this version of jac has no `{name}` command yet")


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with a homework file, a points file and a subfolder, to complete file names in."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "homework.toml").write_text('[[problem]]\nkind = "grad"\n')
    (folder / "points.txt").write_text("1,2\n3,4\n")
    (folder / "plots").mkdir()
    return folder


# --- the generated files ---------------------------------------------------------------------------


def test_committed_scripts_and_reference_are_what_the_app_generates():
    stale = stale_files(ROOT)
    assert stale == [], f"stale generated files {stale}: run `python -m jaccli.regenerate` and commit them"


def test_zsh_autoload_file_is_the_completion_function_itself():
    text = (COMPLETIONS / "_jac").read_text()
    assert text.splitlines()[0] == "#compdef jac"
    # Typer's script for `source` defines a function and registers it; autoloaded, that would waste the first TAB.
    assert "\ncompdef " not in text
    assert "_JAC_COMPLETE=complete_zsh jac" in text
    assert "compdef _jac_completion jac" in (COMPLETIONS / "jac.zsh").read_text()


def test_show_completion_prints_the_committed_script_for_the_shell_it_detects():
    # `--show-completion zsh` ignores its argument and detects the shell; with detection failing it prints
    # nothing useful, so the committed files come from the source_<shell> protocol instead.
    assert completion_source("bash") in (COMPLETIONS / "jac.bash").read_text()
    assert completion_source("fish") in (COMPLETIONS / "jac.fish").read_text()


def test_check_kinds_complete_by_prefix_with_a_word_of_help():
    assert [kind for kind, _ in complete_check_kind("")] == KINDS == list(CHECK_KINDS)
    assert complete_check_kind("h") == [("hessian", "Hessian of one scalar function")]
    assert complete_check_kind("x") == []


def test_check_kinds_offered_are_the_kinds_jac_check_accepts():
    check = pytest.importorskip("jaccli.check", reason="this version of jac has no `check` command yet")
    assert set(CHECK_KINDS) == set(check.KINDS)


# --- the completion protocol through the installed jac ----------------------------------------------


def complete(env: dict[str, str], *, profile_imports: bool = False) -> subprocess.CompletedProcess[str]:
    """One completion request, as the shell scripts make it: the installed jac with the protocol's variables."""
    assert JAC is not None
    base = {k: v for k, v in os.environ.items() if not k.startswith(("_JAC_", "_TYPER_", "COMP_"))}
    if profile_imports:
        base["PYTHONPROFILEIMPORTTIME"] = "1"
    return subprocess.run([JAC], env={**base, **env}, capture_output=True, text=True, timeout=60, check=False)


def bash_request(line: str) -> dict[str, str]:
    words = line.split(" ")
    return {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}


def test_protocol_answers_through_the_one_line_error_wrapper():
    done = complete(bash_request("jac "))
    assert done.returncode == 0
    assert done.stdout.split() == COMMANDS
    assert done.stderr == ""


def test_protocol_completes_format_choices_and_command_prefixes():
    assert complete(bash_request("jac grad x --format ")).stdout.split() == FORMATS
    assert complete(bash_request("jac grad x --format j")).stdout.split() == ["json"]
    assert complete(bash_request("jac h")).stdout.split() == ["hessian"]


def test_version_is_not_printed_into_the_candidates():
    done = complete(bash_request("jac --version "))
    assert done.returncode == 0
    assert "jac 0" not in done.stdout
    assert done.stdout.split() == COMMANDS


def test_an_unknown_instruction_is_one_line_on_stderr_and_exit_1():
    done = complete({"_JAC_COMPLETE": "bogus"})
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.strip() == "Invalid completion instruction."


def test_fish_asks_whether_there_are_candidates_before_offering_files():
    base = {"_JAC_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "is-args"}
    assert complete({**base, "_TYPER_COMPLETE_ARGS": "jac grad x --format "}).returncode == 0
    no_candidates = complete({**base, "_TYPER_COMPLETE_ARGS": "jac grad "})
    assert (no_candidates.returncode, no_candidates.stdout, no_candidates.stderr) == (1, "", "")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (bash_request("jac "), "hessian"),
        (bash_request("jac grad x --format "), "latex"),
        ({"_JAC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "jac diff --"}, "--order"),
        (
            {
                "_JAC_COMPLETE": "complete_fish",
                "_TYPER_COMPLETE_FISH_ACTION": "get-args",
                "_TYPER_COMPLETE_ARGS": "jac hessian x --w",
            },
            "--wrt",
        ),
    ],
    ids=["bash-commands", "bash-format", "zsh-options", "fish-options"],
)
def test_a_completion_request_imports_neither_sympy_nor_rich(env, expected):
    done = complete(env, profile_imports=True)
    assert done.returncode == 0
    assert expected in done.stdout  # the request really ran
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "jaccli.cli" in imported  # the profile really covers the app
    assert [name for name in imported if name.split(".")[0] in ("sympy", "rich")] == []


# --- bash ------------------------------------------------------------------------------------------


def test_bash_completes_commands(tmp_path):
    assert bash_compreply(["jac", ""], home=tmp_path) == COMMANDS
    assert bash_compreply(["jac", "jac"], home=tmp_path) == ["jacobian"]


def test_bash_completes_the_options_of_a_command(tmp_path):
    assert bash_compreply(["jac", "grad", "--"], home=tmp_path) == GRAD_OPTIONS
    assert bash_compreply(["jac", "diff", "x**2", "--o"], home=tmp_path) == ["--order"]


def test_bash_completes_format_choices(tmp_path):
    assert bash_compreply(["jac", "grad", "x*y", "--format", ""], home=tmp_path) == FORMATS
    assert bash_compreply(["jac", "grad", "'x + y'", "--format", "p"], home=tmp_path) == ["plain"]


def test_bash_completes_check_kinds(tmp_path):
    has_command("check")
    assert bash_compreply(["jac", "check", ""], home=tmp_path) == KINDS


def test_bash_tab_in_an_interactive_shell(tmp_path, files):
    assert bash_typed("jac hes\t", cwd=files, home=tmp_path).buffer == "jac hessian "
    assert bash_typed("jac grad x --form\t", cwd=files, home=tmp_path).buffer == "jac grad x --format "


@pytest.mark.parametrize(
    ("option", "command", "stem", "name"),
    [("--file", "check", "home", "homework.toml"), ("--points", None, "poi", "points.txt")],
)
def test_bash_completes_file_names(tmp_path, files, option, command, stem, name):
    words = command_with_option(option, command)
    typed = bash_typed(f"jac {' '.join(words)} {option} {stem}\t", cwd=files, home=tmp_path)
    assert typed.buffer == f"jac {' '.join(words)} {option} {name} "


# --- zsh -------------------------------------------------------------------------------------------


def test_zsh_first_tab_completes_commands_from_fpath(tmp_path):
    # Exactly what a user types in a fresh clone: fpath=(completions $fpath); autoload -U compinit; compinit
    typed = zsh_typed("jac \t", fpath=Path("completions"), cwd=ROOT, home=tmp_path)
    listing = typed.screen.split("jac ", 1)[-1]
    for command in COMMANDS:
        assert f"{command} " in listing, typed.screen
    assert "Gradient of one scalar function" in listing


def test_zsh_and_fish_show_the_help_as_written(tmp_path):
    # Rendered as rich markup, "J[i][j]" would lose "[i][j]"; wrapped at 80 columns, fish would cut the help.
    typed = zsh_typed("jac jac\t", fpath=COMPLETIONS, cwd=tmp_path, home=tmp_path)
    assert typed.buffer == "jac jacobian "
    typed = zsh_typed("jac \t", fpath=COMPLETIONS, cwd=tmp_path, home=tmp_path)
    assert "Jacobian of a vector function: J[i][j] =" in typed.screen
    script = f"source {COMPLETIONS / 'jac.fish'}; complete -C 'jac grad --va'"
    env = shell_env(tmp_path)
    done = subprocess.run([shell_or_skip("fish"), "--no-config", "-c", script], capture_output=True, text=True, env=env)
    assert done.stdout.splitlines() == [
        "--vars\tVariables in column order, e.g. x,y or w:3,x:3,b (vectors of 3). "
        "Default: the names in the expression, in natural order."
    ]


def test_zsh_typers_sourcing_script_wastes_the_first_tab_when_autoloaded(tmp_path):
    # Why _jac differs from jac.zsh: the same harness, with Typer's script put in fpath as _jac, lists nothing.
    fpath = tmp_path / "functions"
    fpath.mkdir()
    (fpath / "_jac").write_text((COMPLETIONS / "jac.zsh").read_text())
    typed = zsh_typed("jac \t", fpath=fpath, cwd=tmp_path, home=tmp_path)
    assert "jacobian" not in typed.screen
    assert typed.buffer == "jac "
    # ... until the second TAB, which `jac --install-completion` users of zsh meet (README).
    assert "jacobian" in zsh_typed("jac \t\t", fpath=fpath, cwd=tmp_path, home=tmp_path).screen


def test_zsh_completes_options_and_format_choices(tmp_path, files):
    typed = zsh_typed("jac grad --\t", fpath=COMPLETIONS, cwd=files, home=tmp_path)
    for option in GRAD_OPTIONS:
        assert option in typed.screen
    assert (
        zsh_typed("jac grad x --form\t", fpath=COMPLETIONS, cwd=files, home=tmp_path).buffer == "jac grad x --format "
    )
    typed = zsh_typed("jac grad x --format \t", fpath=COMPLETIONS, cwd=files, home=tmp_path)
    listing = typed.screen.split("--format ", 1)[-1]
    for choice in FORMATS:
        assert choice in listing
    assert "homework.toml" not in typed.screen  # choices, not file names


def test_zsh_completes_check_kinds(tmp_path, files):
    has_command("check")
    typed = zsh_typed("jac check \t", fpath=COMPLETIONS, cwd=files, home=tmp_path)
    for kind in KINDS:
        assert kind in typed.screen


@pytest.mark.parametrize(
    ("option", "command", "stem", "name"),
    [("--file", "check", "home", "homework.toml"), ("--points", None, "poi", "points.txt")],
)
def test_zsh_completes_file_names(tmp_path, files, option, command, stem, name):
    words = command_with_option(option, command)
    typed = zsh_typed(f"jac {' '.join(words)} {option} {stem}\t", fpath=COMPLETIONS, cwd=files, home=tmp_path)
    assert typed.buffer == f"jac {' '.join(words)} {option} {name} "


# --- fish ------------------------------------------------------------------------------------------


def test_fish_completes_commands_and_options(tmp_path):
    assert sorted(fish_complete("jac ", home=tmp_path)) == sorted(COMMANDS)
    assert sorted(fish_complete("jac grad --", home=tmp_path)) == sorted(GRAD_OPTIONS)
    assert fish_complete("jac grad x --format ", home=tmp_path) == sorted(FORMATS)


def test_fish_completes_check_kinds(tmp_path):
    has_command("check")
    assert sorted(fish_complete("jac check ", home=tmp_path)) == sorted(KINDS)


@pytest.mark.parametrize(
    ("option", "command", "stem", "name"),
    [("--file", "check", "home", "homework.toml"), ("--points", None, "poi", "points.txt")],
)
def test_fish_completes_file_names(tmp_path, files, option, command, stem, name):
    words = command_with_option(option, command)
    assert fish_complete(f"jac {' '.join(words)} {option} {stem}", home=tmp_path, cwd=files) == [name]


# --- packaging -------------------------------------------------------------------------------------


def test_the_wheel_installs_the_scripts_where_shells_look(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("jaccli-*.whl")
    data = f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.data/data/share/"
    with zipfile.ZipFile(wheel) as archive:
        for installed, committed in [
            ("bash-completion/completions/jac", "jac.bash"),
            ("zsh/site-functions/_jac", "_jac"),
            ("fish/vendor_completions.d/jac.fish", "jac.fish"),
        ]:
            assert archive.read(data + installed).decode() == (COMPLETIONS / committed).read_text()
