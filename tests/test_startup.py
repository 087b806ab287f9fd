"""Start-up stays light: the CLI module, --help and --version do not import SymPy."""

from __future__ import annotations

import subprocess
import sys

from conftest import run_jac


def test_importing_the_cli_does_not_import_sympy():
    code = "import sys, jaccli.cli; assert 'sympy' not in sys.modules, 'sympy imported'; print('light')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "light"


def test_help_and_version_run_without_sympy():
    code = (
        "import sys; from jaccli.cli import app\n"
        "for args in (['--help'], ['--version'], ['grad', '--help'], [], ['-h'], ['-V'], ['help', 'grad'],\n"
        "             ['check', '-V'], ['grad', '-209*q**5', '-h']):\n"
        "    try:\n"
        "        app(args, prog_name='jac')\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, (args, e.code)\n"
        "heavy = [m for m in ('sympy', 'rich') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_installed_command_reports_its_version():
    done = run_jac("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("jac ")


def _run_in_fresh_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=full_env)


def test_a_completion_request_imports_neither_sympy_nor_pydantic():
    code = (
        "import sys; from jaccli.cli import app\n"
        "try:\n"
        "    app(prog_name='jac')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "heavy = [m for m in ('sympy', 'symengine', 'rich', 'pydantic') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac gr", "COMP_CWORD": "1"}
    done = _run_in_fresh_python(code, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["grad"]


def test_a_command_converts_its_options_without_pydantic():
    code = (
        "import sys; from jaccli.cli import app\n"
        "try:\n"
        "    app(['diff', 'x**3', '--order', '2', '--at', '2', '--format', 'json'], prog_name='jac')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
    )
    done = _run_in_fresh_python(code)
    assert done.returncode == 0, done.stderr
    assert '"value": [[12]]' in done.stdout


def test_a_bad_option_value_keeps_typers_message():
    done = run_jac("diff", "x**2", "--order", "two")
    assert done.returncode == 2
    assert "Invalid value for '--order'" in done.stderr
    assert done.stdout == ""


def test_a_reader_that_stops_early_ends_the_run_quietly():
    """`jac ... | head -1`: jac leaves without teardown, and a closed pipe is no error of jac."""
    from conftest import JAC

    assert JAC is not None
    n = 20  # a neural layer: about 200 kB of plain text, more than a pipe holds
    layer = ", ".join(
        "tanh(" + " + ".join(f"W_{i}_{j}*x_{j}" for j in range(1, n + 1)) + f" + b_{i})" for i in range(1, n + 1)
    )
    reader = subprocess.Popen(
        [JAC, "jacobian", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdin is not None and reader.stdout is not None and reader.stderr is not None
    reader.stdin.write(layer.encode())
    reader.stdin.close()
    first = reader.stdout.readline()
    reader.stdout.close()
    error = reader.stderr.read().decode()
    reader.wait(timeout=60)
    assert first.startswith(b"f: R^440 -> R^20, Jacobian 20x440")
    assert "Traceback" not in error and "Exception" not in error
    assert reader.returncode == 0
