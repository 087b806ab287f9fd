"""jac check through the installed command, as a homework script runs it, and its core on SymPy objects."""

from __future__ import annotations

import json
import re

import pytest

import jaccli
from jaccli import check
from jaccli.answers import parse_answer
from jaccli.api import solve
from jaccli.build import Builder, namespace
from jaccli.errors import ParseError
from jaccli.pipeline import Context, read_point
from jaccli.problem import Kind, parse_vars

RIGHT = [
    ("grad", "x^2+y^2", "2x, 2y"),
    ("grad", "x^2+y^2", "2*(x+0), y+y"),
    ("grad", "x^2+y^2", "[2x, 2y]"),
    ("diff", "sin(x)**2", "sin(2*x)"),
    ("diff", "sin(x)*sin(x)", "2*sin(x)*cos(x)"),
    ("jacobian", "x*y, x+y", "[[y, x], [1, 1]]"),
    ("jacobian", "x*y, x+y", "y, x; 1, 1"),
    ("jacobian", "x*y, x+y", "[y, x; 1, 1]"),
    ("hessian", "x^3 + x*y^2", "6x, 2y; 2y, 2x"),
    ("grad", "log(x) + sqrt(y)", "exp(-log(x)), sqrt(y)/(2*y)"),
    ("diff", "abs(x)", "x/abs(x)"),
    ("diff", "sigmoid(x)", "exp(-x)/(1+exp(-x))^2"),
    ("diff", "x^2, x^3", "2x; 3x^2"),
    ("diff", "x^2, x^3", "2x, 3x^2"),
    ("diff", "x^2, x^3", "[[2x], [3x^2]]"),
]


@pytest.mark.parametrize(("kind", "function", "answer"), RIGHT)
def test_right_answers_in_other_forms_exit_0(jac, kind, function, answer):
    done = jac("check", kind, function, "--answer", answer)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert done.stdout.startswith("right: equal")
    assert done.stderr == ""


def test_the_verdict_says_what_decided(jac, monkeypatch):
    proved = jac("check", "diff", "sin(x)**2", "--answer", "sin(2*x)")
    assert proved.stdout.strip() == "right: equal"
    # sign(x) and x/abs(x) differ only at 0, where the answer is undefined: SymPy proves them equal elsewhere.
    assert jac("check", "diff", "abs(x)", "--answer", "x/abs(x)").stdout.strip() == "right: equal"
    # When the proof runs out of time, agreement at the sampled points decides, and the verdict says so.
    monkeypatch.setattr(check.Checker, "_prove", lambda self, expected, given: ("unknown", None))
    sampled = jac("check", "diff", "sin(x)**2", "--answer", "sin(2*x)")
    assert sampled.returncode == 0
    assert re.fullmatch(r"right: equal at [0-9]+ points \(not proved in time\)", sampled.stdout.strip())
    assert int(re.search("[0-9]+", sampled.stdout).group()) >= check.AGREEING


def test_a_wrong_entry_exits_1_and_names_it_with_a_point_where_they_differ(jac):
    done = jac("check", "grad", "x^2+y^2", "--answer", "2x, 3y")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "wrong: 1 of 2 entries differ"
    assert len(lines) == 2
    assert lines[1].strip().startswith("∂f/∂y: expected 2*y, given 3*y; at x = ")
    # The point shown really separates them: 2y != 3y there.
    y = float(re.search(r"\by = (-?[0-9.]+):", lines[1]).group(1))
    assert 2 * y != 3 * y


def test_a_wrong_matrix_entry_is_named_by_its_position(jac):
    done = jac("check", "jacobian", "x*y, x+y", "--answer", "[[y, x], [1, 0]]")
    assert done.returncode == 1
    assert "J[2,2] (∂f_2/∂y): expected 1, given 0" in done.stdout


def test_a_wrong_shape_names_both_shapes(jac):
    done = jac("check", "jacobian", "x*y, x+y", "--answer", "y, x")
    assert done.returncode == 1
    assert done.stdout.strip() == "wrong shape: expected 2x2 (Jacobian), given a list of 2 entries"
    row_for_column = jac("check", "diff", "x^2, x^3", "--answer", "[[2x, 3x^2]]")
    assert row_for_column.returncode == 1
    assert "expected 2x1" in row_for_column.stdout and "given 1x2" in row_for_column.stdout


def test_numeric_answers_at_a_point_are_compared_within_tol(jac):
    right = jac("check", "grad", "x^2+y^2", "--at", "5,-5", "--answer", "10, -10")
    assert right.returncode == 0
    assert "equal at x = 5, y = -5" in right.stdout
    close = jac("check", "grad", "x^2+y^2", "--at", "5,-5", "--answer", "10.0000001, -10", "--tol", "1e-6")
    assert close.returncode == 0
    outside = jac("check", "grad", "x^2+y^2", "--at", "5,-5", "--answer", "10.0000001, -10")
    assert outside.returncode == 1
    assert "∂f/∂x" in outside.stdout and "∂f/∂y" not in outside.stdout


@pytest.mark.parametrize(
    "answer",
    ["2x, 2y +", "__import__('os').system('touch {marker}')", "open('{marker}', 'w')", "x.__class__", "2x, 2z", ""],
)
def test_unparseable_or_hostile_answers_exit_2_and_run_nothing(jac, tmp_path, answer):
    marker = tmp_path / "pwned"
    done = jac("check", "grad", "x^2+y^2", "--answer", answer.format(marker=marker), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_quiet_prints_nothing(jac):
    for answer, code in (("2x, 2y", 0), ("2x, 3y", 1)):
        done = jac("check", "grad", "x^2+y^2", "--answer", answer, "--quiet")
        assert (done.returncode, done.stdout, done.stderr) == (code, "", "")


def test_json_report(jac):
    done = jac("check", "grad", "x^2+y^2", "--answer", "2x, 3y", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["status"] == "fail" and report["passed"] is False
    assert report["expected"] == [["2*x", "2*y"]]
    wrong = [e for e in report["entries"] if not e["equal"]]
    assert [(e["position"], e["expected"], e["given"]) for e in wrong] == [("∂f/∂y", "2*y", "3*y")]
    witness = {name: float(value) for name, value in wrong[0]["witness"].items()}
    assert wrong[0]["expected_value"] == pytest.approx(2 * witness["y"])
    assert wrong[0]["given_value"] == pytest.approx(3 * witness["y"])


HOMEWORK = """
[[problem]]
name = "seed gradient"
kind = "grad"
function = "x^2 + y^2"
vars = "x,y"
at = "5,-5"
answer = "10, -10"

[[problem]]
name = "product rule"
kind = "jacobian"
functions = ["x*y", "x+y"]
answer = "[[y, x], [1, 0]]"

[[problem]]
name = "double angle"
kind = "diff"
function = "sin(x)^2"
answer = "sin(2*x)"
tol = 1e-9
"""


def test_a_batch_file_with_one_wrong_problem(jac, tmp_path):
    (tmp_path / "hw.toml").write_text(HOMEWORK)
    done = jac("check", "--file", "hw.toml", "--json", cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert (report["passed"], report["failed"], report["errors"]) == (2, 1, 0)
    assert [r["status"] for r in report["results"]] == ["pass", "fail", "pass"]
    assert report["results"][1]["name"] == "product rule"
    assert "J[2,2]" in report["results"][1]["message"]
    plain = jac("check", "--file", "hw.toml", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stdout.splitlines()[-1] == "2 passed, 1 failed, 0 errors"


def test_a_batch_file_that_passes_exits_0_and_an_unreadable_answer_fails_with_its_reason(jac, tmp_path):
    right = HOMEWORK.replace("[1, 0]]", "[1, 1]]")
    (tmp_path / "hw.toml").write_text(right)
    assert jac("check", "--file", "hw.toml", cwd=tmp_path).returncode == 0
    (tmp_path / "hw.toml").write_text(right.replace('answer = "sin(2*x)"', 'answer = "sin(2*x"'))
    done = jac("check", "--file", "hw.toml", "--json", cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert (report["passed"], report["failed"], report["errors"]) == (2, 1, 0)
    unreadable = report["results"][2]
    assert (unreadable["status"], unreadable["unreadable"], unreadable["score"]) == ("fail", True, 0)
    assert unreadable["message"] == "answer: '(' is never closed at column 4"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[[problem]\nname = 'a'", "not valid TOML"),
        ("[[problem]]\nname = 'a'\nkind = 'grad'\nfunction = 'x'\nanswr = '1'\n", "'answr'"),
        ("[[problem]]\nname = 'a'\nkind = 'curl'\nfunction = 'x'\nanswer = '1'\n", "'kind'"),
        ("[[problem]]\nname = 'a'\nkind = 'grad'\nanswer = '1'\n", "'function'"),
        ("[[problem]]\nname = 'a'\nkind = 'grad'\nfunction = 'x'\n", "'answer'"),
        ("[[problem]]\nkind = 'grad'\nfunction = 'x'\nanswer = '1'\ntol = 'small'\n", "'tol'"),
        ("title = 'hw'\n", "'title'"),
    ],
)
def test_a_malformed_file_exits_2_naming_the_problem_and_key(jac, tmp_path, text, named):
    (tmp_path / "hw.toml").write_text(text)
    done = jac("check", "--file", "hw.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert named in done.stderr and "hw.toml" in done.stderr
    if "[[problem]]" in text:
        assert "problem 1" in done.stderr


def test_check_needs_an_answer_and_a_known_kind(jac):
    assert jac("check", "grad", "x^2").returncode == 2
    assert jac("check", "curl", "x^2", "--answer", "1").returncode == 2


# Core: the sampler agrees with hand-derived identities and finds wrong answers.


def _verdict(kind: str, function: str, answer: str, vars_: str | None = None) -> check.Verdict:
    return check.check_texts(kind, [function], answer, vars_=vars_)


def test_core_equal_forms_and_a_wrong_constant():
    assert _verdict("diff", "atan(x)", "1/(1+x^2)").passed
    assert _verdict("diff", "x^x", "x^x*(log(x)+1)").passed
    wrong = _verdict("diff", "atan(x)", "1/(1+x^2) + 1e-6")
    assert not wrong.passed and wrong.method == "random points"


def test_core_samples_only_the_domain_of_the_function():
    # log(x) is defined for x > 0 only: exp(-log(x)) equals 1/x there.
    assert _verdict("diff", "log(x)", "exp(-log(x))").passed
    # acosh needs x >= 1, where the answer is defined.
    assert _verdict("diff", "acosh(x)", "1/sqrt(x^2-1)").passed


def test_core_vector_answers_expand_to_components():
    verdict = _verdict("grad", "sum(w^2)", "2*w", vars_="w:3")
    assert verdict.passed
    assert _verdict("grad", "sum(w^2)", "2*w_1, 2*w_2, 2*w_3", vars_="w:3").passed


def _answer(text: str, variables: str = "x,y"):
    context = Context()
    names = namespace(context.engine, parse_vars(variables), components=True)
    return parse_answer(text, Builder(context.engine, names, context.functions))


def test_core_parse_answer_shapes():
    assert _answer("y, x; 1, 1").shape == (2, 2)
    assert _answer("[[y, x], [1, 1]]").rows == _answer("y, x; 1, 1").rows
    flat = _answer("[2x, 2y]")
    assert flat.flat and flat.shape == (1, 2)
    with pytest.raises(ParseError):
        _answer("x; y, x")
    with pytest.raises(ParseError):
        jaccli.gradient("x; y")


def test_core_at_point_uses_exact_values():
    context = Context()
    result = solve(Kind.DERIVATIVE, ["x^2"], context=context)
    point = [read_point(context, result.problem, "1/3")]
    assert check.check(result, _answer("2/3", "x"), point, tol=0).passed
    assert not check.check(result, _answer("0.6667", "x"), point, tol=1e-6).passed


def test_the_readme_homework_script_really_works(tmp_path):
    import os
    import subprocess
    from pathlib import Path

    from conftest import JAC

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.DOTALL)
    (script,) = [b for b in blocks if "Check each student's" in b]
    (tmp_path / "check-homework.sh").write_text(script)
    env = dict(os.environ, PATH=f"{Path(JAC).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run(
        ["bash", "check-homework.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "ada grad: right",
        "ada jacobian: right",
        "bob grad: wrong",
        "bob jacobian: wrong",
        "cy grad: unreadable",
        "cy jacobian: right",
    ]
