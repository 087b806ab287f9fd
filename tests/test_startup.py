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
        "for args in (['--help'], ['--version'], ['grad', '--help']):\n"
        "    try:\n"
        "        app(args, prog_name='jac')\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, e.code\n"
        "assert 'sympy' not in sys.modules, 'sympy imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_installed_command_reports_its_version():
    done = run_jac("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("jac ")
