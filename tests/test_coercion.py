"""Options are converted without pydantic (jaccli.cli.coercion), and a change in typer's private converter
never breaks jac: it falls back to typer's own conversion, or at worst to a one-line error."""

from __future__ import annotations

import json

import pytest
import typer._coercion
from typer.testing import CliRunner

from jaccli.cli import app, coercion


def run(*args: str):
    return CliRunner().invoke(app, list(args), prog_name="jac")


def works() -> None:
    """What a user of any typer would see: the version, a command with options, a bad option value."""
    version = run("--version")
    assert version.exit_code == 0 and version.stdout.startswith("jac ")
    done = run("diff", "x**3", "--order", "2", "--at", "2", "--json", "--timeout", "30")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["value"] == [[12]]
    bad = run("diff", "x", "--order", "abc")
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "--order" in bad.stderr


def test_as_installed():
    works()


def test_a_typer_whose_context_cannot_be_made_leaves_typer_converting(monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a Context of another shape")

    monkeypatch.setattr(coercion, "Context", broken)
    works()


def test_a_typer_that_calls_the_converter_with_other_names(monkeypatch):
    original = typer._coercion.RuntimeParam.coerce

    def coerce(self, value, param, ctx):  # a later typer passing its arguments by other keywords
        if value is None or param.multiple or param.nargs == -1:
            return original(self, value, param, ctx)
        return self._coerce_value(value=value, parameter=param, context=ctx)

    monkeypatch.setattr(typer._coercion.RuntimeParam, "coerce", coerce)
    works()


def test_a_typer_without_the_converter_builder(monkeypatch):
    def gone(descriptor: object) -> None:
        raise AttributeError("build_runtime_param")

    monkeypatch.setattr(coercion, "build_runtime_param", gone)
    works()


@pytest.mark.parametrize("annotation", [int, float, str, bool])
def test_plain_values_convert_without_pydantic(annotation):
    assert coercion.handles(annotation)
    assert coercion._plain(int, "12") == (True, 12)
    assert coercion._plain(float, "1e-3") == (True, 0.001)
    assert coercion._plain(int, "abc") == (False, None)
