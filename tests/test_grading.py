"""Grading a class: jac check --answers (CSV or JSON Lines in, one verdict per answer out), --answer -,
and the per-problem time bound and the report of jac check --file."""

from __future__ import annotations

import json

import pytest
from conftest import run_jac

from jaccli import bounds

CLASS = (
    'id,answer,section\nada,"2x, 2y",A\nbob,"2x, 3y",B\ncy,"2xy, 2x",A\ndan,"-2x, -2y",B\neve,"2*(x+1) - 2, y+y",A\n'
)


def rows(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_csv_in_json_lines_out_one_verdict_per_answer_in_order(jac, tmp_path):
    (tmp_path / "answers.csv").write_text(CLASS)
    done = jac("check", "grad", "x^2+y^2", "--answers", "answers.csv", "--json", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "5 answers: 2 right, 2 wrong, 1 unreadable\n"
    found = rows(done.stdout)
    assert [r["id"] for r in found] == ["ada", "bob", "cy", "dan", "eve"]
    assert [r["status"] for r in found] == ["right", "wrong", "unreadable", "wrong", "right"]
    assert [r["score"] for r in found] == [1, 0.5, 0, 0, 1]
    assert [r["hint"] for r in found] == [None, None, None, "negated", None]
    assert all(r["schema"] == 1 and r["extra"] == {"section": s} for r, s in zip(found, "ABABA"))
    assert "∂f/∂y: expected 2*y, given 3*y" in found[1]["message"]
    assert "unknown name 'xy'" in found[2]["message"]
    assert "-∇f, the descent direction" in found[3]["message"]


def test_json_lines_in_and_plain_text_out(jac):
    answers = "\n".join(
        [
            json.dumps({"id": 7, "answer": "[[y, x], [1, 1]]", "name": "ann"}),
            "",  # blank lines are skipped
            json.dumps({"answer": "[[y, 1], [x, 1]]"}),  # no id: its number in the input
            "not json",
            json.dumps({"id": "z", "answer": ["y"]}),
        ]
    )
    done = jac("check", "jacobian", "x*y, x+y", "--answers", "-", stdin=answers)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].split()[:4] == ["7", "right", "1", "-"]
    assert lines[1].split()[:4] == ["2", "wrong", "0.5", "transposed"]
    assert lines[2].split()[:3] == ["3", "unreadable", "0"] and "line 4 is not JSON" in lines[2]
    assert lines[3].split()[:3] == ["z", "unreadable", "0"] and "'answer' is not a string" in lines[3]
    assert done.stderr == "4 answers: 1 right, 1 wrong, 2 unreadable\n"


def test_every_answer_right_exits_0_and_quiet_prints_nothing(jac):
    answers = "answer\n2x\n2*x\nx+x\n"
    done = jac("check", "diff", "x^2", "--answers", "-", stdin=answers)
    assert (done.returncode, done.stderr) == (0, "3 answers: 3 right, 0 wrong, 0 unreadable\n")
    quiet = jac("check", "diff", "x^2", "--answers", "-", "--quiet", stdin=answers + "3x\n")
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (1, "", "")


def test_answers_at_a_point(jac):
    done = jac(
        "check", "grad", "x^2+y^2", "--at", "5,-5", "--answers", "-", "--json", stdin='answer\n"10, -10"\n"10.5, -10"\n'
    )
    assert [r["status"] for r in rows(done.stdout)] == ["right", "wrong"]


@pytest.mark.parametrize(
    ("stdin", "named"),
    [
        ("", "no answers (the input is empty)"),
        ("id,answer\n", "no answers (only a header row)"),
        ("name,reply\nada,2x\n", "the header row has no 'answer' column (it has: name, reply)"),
        ("answer,Answer\n2x,2x\n", "names the column 'answer' twice"),
    ],
)
def test_answers_that_cannot_be_used_exit_2_with_stdout_empty(jac, stdin, named):
    done = jac("check", "diff", "x^2", "--answers", "-", stdin=stdin)
    assert (done.returncode, done.stdout) == (2, "")
    assert named in done.stderr and done.stderr.count("\n") == 1


def test_invalid_utf8_in_an_answer_file(jac, tmp_path):
    (tmp_path / "answers.csv").write_bytes(b"answer\n\xff2x\n")
    done = jac("check", "diff", "x^2", "--answers", "answers.csv", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert "is not valid UTF-8 (the byte 0xFF at offset 7)" in done.stderr


def test_a_problem_that_cannot_be_used_exits_2_whatever_the_answers(jac, tmp_path):
    (tmp_path / "answers.csv").write_text(CLASS)
    done = jac("check", "grad", "x^2+", "--answers", "answers.csv", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    missing = jac("check", "grad", "x^2", "--answers", "nowhere.csv", cwd=tmp_path)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert "--answers: cannot read 'nowhere.csv'" in missing.stderr


def test_answers_are_read_within_their_limits(jac, monkeypatch):
    monkeypatch.setattr(bounds, "ANSWERS", bounds.Limit("answers", 3, bounds.ANSWERS.what))
    done = jac("check", "diff", "x^2", "--answers", "-", stdin="answer\n2x\n2x\n2x\n2x\n")
    assert (done.returncode, done.stdout) == (2, "")
    assert "over the limit answers" in done.stderr
    monkeypatch.setattr(
        bounds, "ANSWER_FILE_BYTES", bounds.Limit("answer_file_bytes", 20, bounds.ANSWER_FILE_BYTES.what)
    )
    big = jac("check", "diff", "x^2", "--answers", "-", stdin="answer\n" + "2x\n" * 10)
    assert (big.returncode, big.stdout) == (2, "")
    assert "over the limit answer_file_bytes" in big.stderr


def test_conflicting_ways_of_giving_answers(jac):
    both = jac("check", "diff", "x^2", "--answer", "2x", "--answers", "-")
    assert both.returncode == 2 and "give one of them" in both.stderr
    twice = jac("check", "diff", "-", "--answers", "-", stdin="x^2")
    assert twice.returncode == 2 and "standard input can be read once" in twice.stderr
    with_file = jac("check", "--file", "hw.toml", "--answers", "a.csv")
    assert with_file.returncode == 2 and "--answers" in with_file.stderr


def test_answer_dash_reads_standard_input(jac):
    right = jac("check", "grad", "x^2+y^2", "--answer", "-", stdin="2x, 2y\n")
    assert (right.returncode, right.stdout) == (0, "right: equal\n")
    wrong = jac("check", "grad", "x^2+y^2", "--answer", "-", stdin="\ufeff2x, 3y\r\n")
    assert wrong.returncode == 1


def test_an_answer_that_starts_with_a_minus_sign_is_an_answer(jac):
    done = jac("check", "diff", "-209*q**5", "--answers", "-", stdin='answer\n"-1045*q**4"\n-1045*q**4\n')
    assert done.returncode == 0


def test_one_problem_is_computed_once_for_all_answers(monkeypatch, jac):
    import jaccli.api

    calls = []
    solve = jaccli.api.solve
    monkeypatch.setattr(jaccli.api, "solve", lambda *a, **k: calls.append(1) or solve(*a, **k))
    done = jac("check", "diff", "x^2", "--answers", "-", stdin="answer\n" + "".join(f"2x + {k}\n" for k in range(20)))
    assert done.returncode == 1 and len(done.stdout.splitlines()) == 20
    assert len(calls) == 1


# -- check --file: scores, hints, unreadable answers, a time bound per problem ---------------------------

SLOW = 'kind = "diff"\nfunction = "sin(x)*exp(x)*log(x)*tan(x)"\norder = 100\nanswer = "1"\n'
QUICK = 'kind = "grad"\nfunction = "x^2+y^2"\nanswer = "2x, 2y"\n'


def problem_file(*bodies: str) -> str:
    return "".join(f'[[problem]]\nname = "p{k}"\n{body}\n' for k, body in enumerate(bodies, 1))


def test_file_results_carry_score_and_hint(jac, tmp_path):
    transposed = 'kind = "jacobian"\nfunctions = ["x*y", "x+y"]\nanswer = "[[y, 1], [x, 1]]"\n'
    (tmp_path / "hw.toml").write_text(problem_file(QUICK, transposed))
    done = jac("check", "--file", "hw.toml", "--json", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert report["schema"] == 1
    assert [(r["status"], r["score"], r["hint"]) for r in report["results"]] == [
        ("pass", 1, None),
        ("fail", 0.5, "transposed"),
    ]


def test_a_problem_that_runs_out_of_time_is_an_error_of_that_problem(jac, tmp_path):
    (tmp_path / "hw.toml").write_text(problem_file(SLOW, QUICK, SLOW))
    done = jac("check", "--file", "hw.toml", "--json", "--timeout", "0.5", cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert [r["status"] for r in report["results"]] == ["error", "pass", "error"]
    assert report["results"][0]["message"] == "ran out of time: more than 0.5 s (--timeout)"


@pytest.mark.e2e
def test_the_time_bound_of_check_file_is_per_problem_in_a_real_process(tmp_path):
    # Three slow problems under --timeout 1: together they need three times the timeout (a bound on the
    # whole file would end the run with exit 2 and nothing on stdout), and every one is reported.
    (tmp_path / "hw.toml").write_text(problem_file(SLOW, SLOW, QUICK, SLOW))
    done = run_jac("check", "--file", "hw.toml", "--json", "--timeout", "1", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [r["status"] for r in report["results"]] == ["error", "error", "pass", "error"]


@pytest.mark.e2e
def test_grading_a_class_in_a_real_process(tmp_path):
    (tmp_path / "answers.csv").write_text(CLASS)
    done = run_jac("check", "grad", "x^2+y^2", "--answers", "answers.csv", "--json", cwd=tmp_path)
    assert done.returncode == 1
    assert [r["status"] for r in rows(done.stdout)] == ["right", "wrong", "unreadable", "wrong", "right"]
    assert done.stderr == "5 answers: 2 right, 2 wrong, 1 unreadable\n"
