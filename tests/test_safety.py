"""Hostile text through the installed command: exit 2, one line on stderr, nothing run, nothing written."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HOSTILE = [
    "__import__('os').system('touch {marker}')",
    '__import__("os").system("touch {marker}")',
    "open('{marker}', 'w')",
    "x.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)()",
    "lambda x: x",
    "x < y",
    "x == y",
    "'touch {marker}'",
    "f'{{x}}'",
    "eval('1')",
    "exec('import os')",
    "getattr(x, 'y')",
    "sympify('x')",
    "Symbol('x')",
    "[x for x in y]",
    "x if y else z",
    "x; y",
    "x = 1",
    "x[0]",
    "x @ y",
    "x // y",
    "x % y",
    "not x",
    "x and y",
    "{{x: 1}}",
    "*x",
    "",
    "   ",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_expression_is_refused_and_runs_nothing(jac, tmp_path, template):
    marker = tmp_path / "pwned"
    text = template.format(marker=marker)
    done = jac("grad", text, cwd=tmp_path)
    assert done.returncode == 2, (text, done.stdout)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jac"), done.stderr
    assert "Traceback" not in done.stderr
    assert not marker.exists()
    assert list(tmp_path.iterdir()) == []


def test_hostile_point_value_is_refused(jac, tmp_path):
    marker = tmp_path / "pwned"
    done = jac("grad", "x", "--at", f"__import__('os').system('touch {marker}')", cwd=tmp_path)
    assert done.returncode == 2
    assert not marker.exists()


def test_the_package_never_calls_eval_exec_sympify_or_parse_expr():
    forbidden = {"eval", "exec", "sympify", "parse_expr", "S"}
    package = Path(__file__).resolve().parent.parent / "jaccli"
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                assert name not in forbidden, f"{path}:{node.lineno} calls {name}"
