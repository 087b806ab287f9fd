"""Benchmark: grading a class with `jac check --answers` against one `jac check --answer`.

Run: python benchmarks/grading.py [--answers N] [--repeat K] [--proofs M]
(with the Python of the environment where jac is installed, e.g. .venv/bin/python).

The problem is the gradient of x^2*y + sin(x*y). The class's N answers (default 1,000, fixed seed) are
what a class hands in: half of them one of ten common answers (right as jac writes it, right in other
forms, and the classic mistakes: the chain rule forgotten, a sign, the transpose as a column, minus the
gradient, `2xy` that cannot be read, sin for cos), a quarter right answers that differ from each other
(a rearrangement that multiplies out to the gradient) and a quarter wrong ones that differ from each
other (a constant added). Every answer's verdict is known by construction and must come out.

Both commands run as fresh processes, start-up included, alternating (A, B, A, B ...) after one discarded
warm-up run of each; the medians are compared. The target: N = 1,000 answers take at most 10 times
the wall time of the single check. With --proofs M, also M distinct answers that only SymPy proves
equal (a trigonometric identity each), to show the cost per answer when every one needs a proof.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUNCTION = "x^2*y + sin(x*y)"
RIGHT = "2x*y + y*cos(x*y), x^2 + x*cos(x*y)"
COMMON = [  # (answer, status, hint)
    (RIGHT, "right", None),
    ("[2*x*y + y*cos(x*y), x**2 + x*cos(y*x)]", "right", None),
    ("y*(2x + cos(x*y)), x*(x + cos(x*y))", "right", None),
    ("2x*y + cos(x*y), x^2 + cos(x*y)", "wrong", None),
    ("2x*y, x^2", "wrong", None),
    ("-2x*y - y*cos(x*y), -x^2 - x*cos(x*y)", "wrong", "negated"),
    ("2x*y + y*cos(x*y); x^2 + x*cos(x*y)", "wrong", "transposed"),
    ("2xy + y*cos(x*y), x^2 + x*cos(x*y)", "unreadable", None),
    ("2x*y - y*cos(x*y), x^2 - x*cos(x*y)", "wrong", None),
    ("2*x*y + y*sin(x*y), x^2 + x*sin(x*y)", "wrong", None),
]


def a_class(size: int, seed: int = 1) -> list[tuple[str, str, str, str | None]]:
    """(id, answer, status, hint) for each student."""
    draw = random.Random(seed)
    students = []
    for k in range(1, size + 1):
        u = draw.random()
        if u < 0.5:
            answer, status, hint = draw.choice(COMMON)
        elif u < 0.75:
            answer = f"{k}*(x+1)**2 - {k}*x**2 - {k}*(2x+1) + 2x*y + y*cos(x*y), x^2 + x*cos(x*y)"
            status, hint = "right", None
        else:
            answer, status, hint = f"2x*y + y*cos(x*y) + {k}/1000, x^2 + x*cos(x*y)", "wrong", None
        students.append((f"s{k:04d}", answer, status, hint))
    return students


def proof_class(size: int) -> list[tuple[str, str, str, str | None]]:
    """Distinct right answers that only a symbolic proof shows equal: k*(sin(x)^2 + cos(x)^2 - 1) added."""
    return [
        (f"p{k:04d}", f"2x*y + y*cos(x*y) + {k}*(sin(x)^2 + cos(x)^2 - 1), x^2 + x*cos(x*y)", "right", None)
        for k in range(1, size + 1)
    ]


def write_csv(path: Path, students: list[tuple[str, str, str, str | None]]) -> None:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "answer"])
        writer.writerows((identity, answer) for identity, answer, _, _ in students)


def run(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done


def alternate(
    a: list[str], b: list[str], repeat: int
) -> tuple[list[float], list[float], subprocess.CompletedProcess[str]]:
    run(a), run(b)  # warm-up: the file cache, the interpreter's .pyc files
    times_a: list[float] = []
    times_b: list[float] = []
    last = None
    for _ in range(repeat):
        seconds, _ = run(a)
        times_a.append(seconds)
        seconds, last = run(b)
        times_b.append(seconds)
    assert last is not None
    return times_a, times_b, last


def verify(done: subprocess.CompletedProcess[str], students: list[tuple[str, str, str, str | None]]) -> None:
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    got = [(r["id"], r["status"], r["hint"]) for r in rows]
    wanted = [(identity, status, hint) for identity, _, status, hint in students]
    if got != wanted:
        wrong = (
            next((g, w) for g, w in zip(got, wanted) if g != w) if len(got) == len(wanted) else (len(got), len(wanted))
        )
        sys.exit(f"the verdicts are not the ones the class was built with: {wrong}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--proofs", type=int, default=0)
    args = parser.parse_args()
    jac = shutil.which("jac", path=str(Path(sys.executable).parent)) or shutil.which("jac")
    if jac is None:
        sys.exit("jac is not installed next to this Python")
    students = a_class(args.answers)
    with tempfile.TemporaryDirectory() as folder:
        answers = Path(folder) / "answers.csv"
        write_csv(answers, students)
        single = [jac, "check", "grad", FUNCTION, "--answer", RIGHT]
        many = [jac, "check", "grad", FUNCTION, "--answers", str(answers), "--json"]
        one, whole, done = alternate(single, many, args.repeat)
        verify(done, students)
        ratio = statistics.median(whole) / statistics.median(one)
        tally = {s: sum(st == s for _, _, st, _ in students) for s in ("right", "wrong", "unreadable")}
        print(f"problem: jac check grad {FUNCTION!r}; median of {args.repeat} alternating runs, start-up included")
        print(f"one answer (--answer)          : {statistics.median(one):.3f} s")
        print(f"{args.answers:,} answers (--answers --json): {statistics.median(whole):.3f} s  {tally}")
        print(f"ratio: {ratio:.2f}x (the bound is 10x)")
        if args.proofs:
            proofs = proof_class(args.proofs)
            write_csv(answers, proofs)
            seconds, done = run(
                [jac, "check", "grad", FUNCTION, "--answers", str(answers), "--json", "--timeout", "60"]
            )
            verify(done, proofs)
            per = (seconds - statistics.median(one)) / args.proofs
            print(f"{args.proofs:,} distinct answers, each proved by SymPy: {seconds:.3f} s ({per * 1000:.0f} ms each)")
        if ratio > 10:
            sys.exit("over the bound")


if __name__ == "__main__":
    main()
