"""The Python API: the README's example runs as written, and the API is what the command line prints."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import jaccli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_example_runs_as_written():
    (block,) = re.findall(r"```pycon\n(.*?)```", README, re.DOTALL)
    test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 8


@pytest.mark.parametrize(
    ("args", "kind", "function", "options"),
    [
        (["grad", "x**2+y**2", "--at", "5,-5"], "gradient", "x**2+y**2", {"at": "5,-5"}),
        (["jacobian", "w*x", "--vars", "w:3,x:3", "--wrt", "w"], "jacobian", "w*x", {"vars": "w:3,x:3", "wrt": "w"}),
        (["hessian", "x**3-3x+y**2", "--at", "1,0"], "hessian", "x**3-3x+y**2", {"at": "1,0"}),
        (["diff", "sin(x)", "--order", "2", "--at", "pi/6"], "derivative", "sin(x)", {"order": 2, "at": "pi/6"}),
    ],
)
def test_as_dict_is_the_object_the_command_prints(jac_json, args, kind, function, options):
    call = {"gradient": jaccli.gradient, "jacobian": jaccli.jacobian, "hessian": jaccli.hessian}.get(kind)
    result = (call or jaccli.derivative)(function, **options)
    assert result.as_dict() == jac_json(*args)


def test_a_point_as_a_string_a_mapping_or_a_sequence():
    # d(w*x)/dw at w = (1, 2), x = (3, 4) is diag(x) = diag(3, 4), by hand
    expected = [[3, 0], [0, 4]]
    assert jaccli.jacobian("w*x", vars="w:2,x:2", wrt="w", at="1,2,3,4").value == expected
    assert jaccli.jacobian("w*x", vars="w:2,x:2", wrt="w", at={"w": [1, 2], "x": [3, 4]}).value == expected
    assert jaccli.jacobian("w*x", vars=["w:2", "x:2"], wrt=["w"], at=[1, 2, 3, 4]).value == expected
    # a float is the decimal Python prints for it: exact thereafter
    assert jaccli.derivative("x**2", at=[0.1]).exact == [["1/5"]]


def test_errors_are_value_errors_with_the_command_lines_message(jac):
    with pytest.raises(ValueError, match=r"unknown name 'y' \(declared variables: x\)") as caught:
        jaccli.gradient("x + y", vars="x")
    assert isinstance(caught.value, jaccli.JacError)
    assert jac("grad", "x + y", "--vars", "x").stderr == f"jac: {caught.value}\n"


def test_without_a_point_value_and_exact_are_none():
    result = jaccli.gradient("x*y")
    assert result.value is None and result.exact is None
    assert result.symbolic == [["y", "x"]] and result.structure.kind == "dense"
