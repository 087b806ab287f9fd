"""The command line as typed: usage, -h/-V everywhere, jac help, words that begin with a minus sign, options
that conflict, and real metavars in the help."""

from __future__ import annotations

import json
import re

import pytest
import typer
from conftest import run_jac
from hypothesis import given
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from jaccli import __version__
from jaccli.cli import app
from jaccli.cli.argv import option_specs, rewrite, sort_words

runner = CliRunner()
GROUP = get_command(app)
assert isinstance(GROUP, typer.core.TyperGroup)
COMMANDS = [name for name, command in GROUP.commands.items() if not command.hidden]
SPECS = {name: option_specs(GROUP.commands[name]) for name in COMMANDS}
# Every short option of any command: the letters a word such as -209*q**5 could be misread as.
SHORT_OPTIONS = sorted({spelling for specs in SPECS.values() for spelling in specs if re.fullmatch(r"-\w", spelling)})
EXPR_COMMANDS = [name for name in COMMANDS if name != "help"]  # the commands that read expressions
VALUE_OPTIONS = sorted(
    (command, spelling) for command, specs in SPECS.items() for spelling, spec in specs.items() if spec.takes_value
)


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), prog_name="jac", input=stdin)


def test_the_short_options_include_help_version_and_quiet():
    assert {"-h", "-V", "-q"} <= set(SHORT_OPTIONS)
    for command in ("grad", "jacobian", "diff", "hessian", "check"):
        assert SPECS[command]["-q"].name == "--quiet"
    for command in COMMANDS:
        assert SPECS[command]["-h"].name == "--help" and SPECS[command]["-V"].name == "--version"


# --- usage, help, version ------------------------------------------------------------------------------


def test_jac_alone_prints_a_usage_of_several_lines_with_the_commands_and_exits_0():
    result = invoke()
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) > 10
    assert any(line.startswith("Usage: jac COMMAND") for line in lines)
    for command in COMMANDS:
        assert any(line.startswith(f"  {command} ") for line in lines), command
    assert 'jac grad "x^2+y^2" --at 5,-5' in result.stdout


@pytest.mark.e2e
def test_jac_alone_in_a_shell_is_exit_0_with_the_usage_on_stdout():
    done = run_jac()
    assert (done.returncode, done.stderr) == (0, "")
    assert "Commands:" in done.stdout and "\\n" not in done.stdout


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)])
def test_dash_h_is_help_and_dash_v_is_version_on_jac_and_every_command(command):
    long_help = invoke(*command, "--help")
    assert long_help.exit_code == 0 and "Usage: jac" in long_help.stdout
    assert invoke(*command, "-h").stdout == long_help.stdout
    for flag in ("-V", "--version"):
        result = invoke(*command, flag)
        assert (result.exit_code, result.stdout) == (0, f"jac {__version__}\n")
    if command:
        assert invoke("help", *command).stdout == long_help.stdout
    else:
        assert invoke("help").stdout == long_help.stdout


def test_help_of_an_unknown_command_suggests_the_closest():
    result = invoke("help", "gard")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "jac: no such command 'gard': did you mean 'grad'?\n"


def test_an_argument_exactly_dash_h_is_help_anywhere():
    assert invoke("grad", "x**2", "--at", "1", "-h").stdout.startswith("Usage: jac grad")
    assert invoke("check", "grad", "-h").stdout.startswith("Usage: jac check")


@pytest.mark.parametrize("args", [["(-h)"], ["--", "-h"], ["--", "(-h)"]])
def test_the_expression_minus_h_is_written_in_brackets_or_after_double_dash(args):
    result = invoke("grad", "--json", *args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["functions"] == ["-h"]


def test_an_unknown_command_or_option_names_the_closest():
    result = invoke("gard", "x")
    assert (result.exit_code, result.stderr) == (2, "jac: no such command 'gard': did you mean 'grad'?\n")
    result = invoke("grad", "x", "--fromat", "json")
    assert result.exit_code == 2
    assert result.stderr == "jac: no such option: --fromat: did you mean '--format'? (see 'jac grad --help')\n"


# --- words that begin with a minus sign ------------------------------------------------------------------

EXPRESSION_CHARACTERS = "xyzqhVab0123456789*+-/()^ ."


def expression_words(letter: str) -> list[str]:
    """Words that begin with a minus sign and contain an option letter, as expressions or answers do."""
    return [f"-{letter}*x", f"-x*{letter}", f"-209*{letter}**5", f"-{letter}{letter}", f"-2{letter}", f"-({letter})"]


@pytest.mark.parametrize("command", EXPR_COMMANDS)
@pytest.mark.parametrize("short", SHORT_OPTIONS)
def test_a_word_that_begins_with_a_minus_sign_is_positional_unless_it_is_exactly_an_option(command, short):
    for word in expression_words(short[1]):
        line = sort_words(command, SPECS[command], ["x", word, "--at", "1"])
        assert line.positionals == ["x", word], (command, word)
        assert line.options == [("--at", "1")]
    if short in SPECS[command]:
        assert sort_words(command, SPECS[command], [short]).positionals == []


@pytest.mark.parametrize(("command", "option"), VALUE_OPTIONS)
def test_the_value_of_an_option_is_the_next_word_whatever_it_begins_with(command, option):
    for value in ["-q", "-h", "-V", "-209*q**5", "--", "-"]:
        line = sort_words(command, SPECS[command], [option, value, "x"])
        assert line.options == [(SPECS[command][option].name, value)], (command, option, value)
        assert line.positionals == ["x"]


@given(
    command=st.sampled_from(EXPR_COMMANDS),
    word=st.text(EXPRESSION_CHARACTERS, min_size=1, max_size=12).map(lambda text: "-" + text),
)
def test_any_minus_word_that_is_not_an_option_reaches_click_after_double_dash(command, word):
    if word in SPECS[command] or re.fullmatch(r"--([A-Za-z].*)?", word, re.S):
        return  # an option, the end of options, or a word that looks like a long option (an error, named)
    words, line = rewrite(GROUP, [command, "--json", word])
    assert line is not None and line.positionals == [word]
    assert words == [command, "--json", "--", word]


@pytest.mark.parametrize("command", ["grad", "jacobian", "diff", "hessian"])
def test_expressions_with_option_letters_are_differentiated_not_read_as_options(command):
    # -q, -h and -V inside the word: as options they would mean --quiet, --help and --version
    variables = ["--var", "q"] if command == "diff" else []
    result = invoke(command, "-2*q**2*h*V", *variables, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["functions"] == ["-2*V*h*q**2"]


def test_descend_takes_an_expression_with_option_letters():
    result = invoke("descend", "-exp(-q**2-h**2)", "--at", "1,1", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["functions"] == ["-exp(-h**2 - q**2)"]


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (("check", "diff", "-209*q**5", "--answer", "-1045*q**4"), 0),
        (("check", "diff", "-q + x**2", "--var", "x", "--answer", "2*x"), 0),
        (("check", "diff", "-q + x**2", "--var", "x", "--answer", "-2*x"), 1),
        (("check", "-q", "diff", "-209*q**5", "--answer", "-1045*q**4"), 0),
        (("check", "grad", "-h*x", "--answer", "-x, -h"), 0),
    ],
)
def test_check_reads_minus_words_as_the_problem_and_the_answer(args, status):
    result = invoke(*args)
    assert result.exit_code == status, result.stderr
    assert result.stderr == ""


def test_quiet_given_as_dash_q_is_still_the_option():
    result = invoke("diff", "-209*q**5", "--at", "1", "-q")
    assert (result.exit_code, result.stdout) == (0, "-1045\n")


# --- options that conflict or would be ignored -------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("grad", "x", "--json", "--format", "table"),
            "--json means --format json: give one of --json and --format table",
        ),
        (("hessian", "x", "--format", "plain", "--json"), "--json means --format json"),
        (("check", "grad", "x", "--answer", "1", "--json", "--format", "plain"), "--json means --format json"),
        (("descend", "x**2", "--at", "1", "--format", "latex", "--json"), "--json means --format json"),
        (("check", "grad", "x", "--answer", "1", "--tol", "0.1"), "--tol applies to answers at a point: give --at"),
        (
            ("check", "grad", "x", "--answer", "1", "--format", "latex"),
            "check has no LaTeX output; use --format table, plain or json",
        ),
        (("descend", "x**2", "--at", "1", "--format", "latex"), "descend has no LaTeX output"),
        (("grad", "x", "--format", "yaml"), "--format 'yaml' is not a format of jac grad: use auto, table"),
        (("grad", "x", "-q", "--json"), "--quiet prints only the values; it cannot be combined with --json"),
        (
            ("jacobian", "x", "--quiet", "--format", "table"),
            "--quiet prints only the values; it cannot be combined with --format",
        ),
        (("diff", "x", "-q", "--explain"), "--quiet prints only the values; it cannot be combined with --explain"),
        (
            ("grad", "x*y", "--at", "1,2", "-q", "--dir", "1,0"),
            "--quiet prints only the values; it cannot be combined with --dir",
        ),
        (("check", "-q", "--json", "grad", "x", "--answer", "1"), "--quiet prints nothing; it cannot be combined"),
        (
            ("grad", "x", "--points", "-", "--json", "--explain"),
            "--points --json writes values only; --explain has nowhere",
        ),
        (("check", "--file", "hw.toml", "--at", "1"), "--file takes the problems from the file: give no --at"),
        (("check", "--file", "hw.toml", "grad"), "--file takes the problems from the file: give no KIND or EXPR"),
        (("check", "grad", "x", "--answer", "1", "--var", "x"), "--var is for jac check diff"),
        (("check", "hessian", "x", "--answer", "1", "--order", "2"), "--order is for jac check diff"),
        (("check", "diff", "x", "--answer", "1", "--wrt", "x"), "--wrt is for grad, jacobian and hessian"),
    ],
)
def test_conflicting_or_ignored_options_are_one_line_and_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"jac: {message}") and result.stderr.count("\n") == 1
    assert "Value error" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("grad", "x", "--json", "--format", "json"),
        ("grad", "x", "--format", "plain", "--no-color"),
        ("grad", "x", "--json", "--no-color"),
        ("check", "grad", "x", "--answer", "1", "--at", "2", "--tol", "0"),
        ("check", "diff", "x**2", "--answer", "2x", "--var", "x", "--order", "1"),
    ],
)
def test_options_that_agree_run(args):
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr


# --- metavars in the help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_real_metavars_not_python_types(command):
    text = invoke(command, "--help").stdout
    assert not re.search(r"<(str|int|float|list)|\{\w+\}|list\[", text), text
    if command != "help":
        assert "--timeout SECONDS" in text


def test_help_names_points_names_files_and_expressions():
    grad = invoke("grad", "--help").stdout
    assert "Usage: jac grad [OPTIONS] EXPR\n" in grad
    for shown in ("--at POINT", "--vars NAMES", "--wrt NAMES", "--points FILE", "EXPR  One scalar function"):
        assert shown in grad
    assert "Usage: jac jacobian [OPTIONS] EXPR...\n" in invoke("jacobian", "--help").stdout
    check = invoke("check", "--help").stdout
    assert "Usage: jac check [OPTIONS] [KIND] [EXPR...]\n" in check
    assert "--answer EXPR" in check and "--file FILE" in check and "--format auto|table|plain|json " in check


def test_an_unknown_option_of_jac_itself_is_named_with_the_closest():
    result = invoke("--verison")
    assert result.exit_code == 2
    assert result.stderr == "jac: no such option: --verison: did you mean '--version'? (see 'jac --help')\n"


@pytest.mark.parametrize(
    ("args", "key", "expected"),
    [
        (("grad", "x*y", "--at", "-1,-2", "--json"), "value", [[-2, -1]]),
        (("grad", "x*y", "--at=-1,-2", "--json"), "value", [[-2, -1]]),
        (("grad", "x*y", "--at", "1,2", "--dir", "-1,0", "--json"), "directional", -2),
        (("diff", "x**3", "--at", "-2", "--json"), "value", [[12]]),
    ],
)
def test_option_values_that_begin_with_a_minus_sign_are_values(args, key, expected):
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[key] == expected
