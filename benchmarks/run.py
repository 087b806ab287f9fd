"""jac's benchmark suite: every comparison measured side by side in the same run, as ratios.

Run: python benchmarks/run.py [--quick] [--naive-limit SECONDS] [--markdown]
(with the Python of the environment where jac is installed, e.g. .venv/bin/python).

Every command runs as a fresh process, start-up included, the way a shell script runs it. Each
pair of commands alternates (A, B, A, B, ...) after one discarded warm-up run of each, so that a
change in the machine's load hits both sides alike; the table shows medians.

  (a) one-shot `jac grad "x**2+y**2" --at 5,-5` against `python -c "import sympy"`
  (b) `jac --help` and a shell-completion request against the same baseline
  (c) a neural layer tanh(W x + b), n = 10, 25, 50, 100: `jac jacobian - --wrt x_1,...,x_n --at P
      --json` against a naive SymPy script (Matrix.jacobian + subs + evalf), which runs only while
      it finishes within --naive-limit seconds; where it does, the values must agree to 1e-9, and
      at every size they must agree to 1e-9 with the hand-derived diag(1 - tanh(W x + b)^2) W
  (d) 100,000 and 1,000,000 points of a 2x2 Jacobian with `--points` against a hand-written NumPy
      script (benchmarks/handwritten_points.py); the outputs must be identical; and 20,000 points of
      the n = 10 layer against benchmarks/handwritten_layer_points.py
  (e) deep-learning sizes, each whole process at a point with --json against `import sympy`: vectors
      of 300 to 5,000 components, a Hessian of 200 variables, a 100-neuron layer in vector variables
      (also against the same layer in scalar names), a 100x100 layer and least-squares loss in
      matrix variables; every output's values are checked against a NumPy formula derived by hand
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
JAC = shutil.which("jac", path=str(Path(PYTHON).parent)) or shutil.which("jac")


@dataclass
class Command:
    argv: list[str]
    env: dict[str, str] | None = None
    stdin: Path | None = None
    stdout: Path | None = None
    timeout: float | None = None

    def run(self) -> float:
        """Wall time of one run in seconds (inf when it hit the timeout)."""
        env = {**os.environ, **(self.env or {})}
        stdin = self.stdin.open("rb") if self.stdin else subprocess.DEVNULL
        stdout = self.stdout.open("wb") if self.stdout else subprocess.DEVNULL
        try:
            started = time.perf_counter()
            subprocess.run(self.argv, stdin=stdin, stdout=stdout, env=env, check=True, timeout=self.timeout)
            return time.perf_counter() - started
        except subprocess.TimeoutExpired:
            return float("inf")
        finally:
            for stream in (stdin, stdout):
                if not isinstance(stream, int):
                    stream.close()


def side_by_side(a: Command, b: Command, runs: int, warmup: bool = True) -> tuple[float, float]:
    """Medians of `runs` alternating runs of a and b, after one warm-up run of each."""
    if warmup:
        a.run()
        b.run()
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(runs):
        times_a.append(a.run())
        times_b.append(b.run())
    return statistics.median(times_a), statistics.median(times_b)


@dataclass
class Row:
    name: str
    jac: float
    other: float | None
    versus: str
    figure: str
    target: str
    verdict: str


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return "timeout" if value == float("inf") else f"{value:.3f} s"


def startup(rows: list[Row], runs: int) -> None:
    baseline = Command([PYTHON, "-c", "import sympy"])
    assert JAC is not None
    one_shot = Command([JAC, "grad", "x**2+y**2", "--at", "5,-5"])
    jac_time, sympy_time = side_by_side(one_shot, baseline, runs)
    ratio = jac_time / sympy_time
    rows.append(
        Row(
            '(a) jac grad "x**2+y**2" --at 5,-5',
            jac_time,
            sympy_time,
            "import sympy",
            f"{ratio:.2f}x",
            "<= 1.0x (stretch 0.6x)",
            "met (stretch too)" if ratio <= 0.6 else "met" if ratio <= 1.0 else "missed",
        )
    )
    help_ = Command([JAC, "--help"])
    completion = Command(
        [JAC], env={"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac grad x --f", "COMP_CWORD": "3"}
    )
    for name, command in (("(b) jac --help", help_), ("(b) completion request (jac grad x --f<TAB>)", completion)):
        jac_time, sympy_time = side_by_side(command, baseline, runs)
        ratio = jac_time / sympy_time
        verdict = "met (stretch too)" if ratio <= 0.35 else "met" if ratio <= 0.6 else "missed"
        rows.append(
            Row(name, jac_time, sympy_time, "import sympy", f"{ratio:.2f}x", "<= 0.6x (stretch 0.35x)", verdict)
        )


def layer_text(n: int) -> str:
    return ", ".join(
        "tanh(" + " + ".join(f"W_{i}_{j}*x_{j}" for j in range(1, n + 1)) + f" + b_{i})" for i in range(1, n + 1)
    )


def layers(rows: list[Row], sizes: list[int], runs: int, naive_limit: float, work: Path) -> None:
    assert JAC is not None
    naive_too_slow = False
    for n in sizes:
        draw = random.Random(n)
        # values of W_1_1 ... W_n_n, b_1 ... b_n, x_1 ... x_n: the natural order of the names
        values = ",".join(f"{draw.randint(-99, 99) / 100}" for _ in range(n * n + 2 * n))
        text, point = work / f"layer{n}.txt", work / f"point{n}.txt"
        text.write_text(layer_text(n))
        point.write_text(values)
        jac_out, naive_out = work / f"jac{n}.json", work / f"naive{n}.json"
        wrt = ",".join(f"x_{j}" for j in range(1, n + 1))
        jac = Command([JAC, "jacobian", "-", "--wrt", wrt, "--at", values, "--json"], stdin=text, stdout=jac_out)
        name = f"(c) neural layer n={n} ({n}x{n} Jacobian, {n * n + 2 * n} variables)"
        jac.run()  # warm-up
        naive_time: float | None = None
        if not naive_too_slow:
            naive = Command([PYTHON, str(HERE / "naive_layer.py"), str(n), str(point)], stdout=naive_out)
            naive.timeout = naive_limit
            naive_time = naive.run()  # once: it takes seconds to minutes
        jac_time = statistics.median([jac.run() for _ in range(runs)])
        check_formula(jac_out, values, n)
        if naive_time is None:
            figure = "naive not run (slower than the limit at a smaller n)"
        elif naive_time == float("inf"):
            naive_too_slow = True
            figure = f">= {naive_limit / jac_time:.0f}x faster (naive > {naive_limit:.0f} s, stopped)"
        else:
            check_values(jac_out, naive_out, n)
            figure = f"{naive_time / jac_time:.0f}x faster, values agree to 1e-9"
        if naive_time is None or naive_time == float("inf"):
            figure += "; values agree with the formula to 1e-9"
        rows.append(
            Row(
                name,
                jac_time,
                naive_time,
                "naive SymPy",
                figure,
                target(n),
                verdict(n, jac_time, naive_time and min(naive_time, naive_limit)),
            )
        )


def target(n: int) -> str:
    if n == 25:
        return ">= 50x faster than naive"
    if n == 100:
        return "<= 2 s wall"
    return "-"


def verdict(n: int, jac_time: float, naive_time: float | None) -> str:
    if n == 25:
        if naive_time is None:
            return "not measured"
        # a stopped naive run counts as taking the limit: the speed-up is at least this
        return "met" if naive_time / jac_time >= 50 else "missed"
    if n == 100:
        return "met" if jac_time <= 2 else "missed"
    return "-"


def check_formula(jac_out: Path, values: str, n: int) -> None:
    """jac's values against the hand-derived J = diag(1 - tanh(W x + b)^2) W, at every size."""
    import numpy as np

    flat = np.array([float(v) for v in values.split(",")])
    weights, bias, x = flat[: n * n].reshape(n, n), flat[n * n : n * n + n], flat[n * n + n :]
    expected = (1 - np.tanh(weights @ x + bias) ** 2)[:, None] * weights
    worst = float(np.max(np.abs(np.array(json.loads(jac_out.read_text())["value"]) - expected)))
    if worst > 1e-9:
        sys.exit(f"neural layer n={n}: jac's values differ from the formula by {worst:g}")


def check_values(jac_out: Path, naive_out: Path, n: int) -> None:
    ours = json.loads(jac_out.read_text())["value"]
    theirs = json.loads(naive_out.read_text())
    worst = max(abs(a - b) for row_a, row_b in zip(ours, theirs) for a, b in zip(row_a, row_b))
    if len(ours) != n or worst > 1e-9:
        sys.exit(f"neural layer n={n}: jac and the naive script differ by {worst:g}")


def points(rows: list[Row], counts: list[int], runs: int, work: Path) -> None:
    assert JAC is not None
    hand = HERE / "handwritten_points.py"
    help_text = subprocess.run([JAC, "jacobian", "--help"], capture_output=True, text=True, check=True).stdout
    if not hand.exists() or "--points" not in help_text:
        rows.append(Row("(d) --points", float("nan"), None, "NumPy", "--points not available", "<= 3x", "not measured"))
        return
    function = "[x*y, 2*x + 3]"
    for count in counts:
        draw = random.Random(1)
        file = work / f"points{count}.txt"
        with file.open("w") as out:
            for _ in range(count):
                out.write(f"{draw.uniform(-10, 10):.6f},{draw.randint(-100, 100)}\n")
        jac_out, hand_out = work / "points_jac.jsonl", work / "points_hand.jsonl"
        jac = Command([JAC, "jacobian", function, "--points", str(file), "--json"], stdout=jac_out)
        numpy = Command([PYTHON, str(hand), str(file)], stdout=hand_out)
        jac_time, hand_time = side_by_side(jac, numpy, runs)
        if jac_out.read_bytes() != hand_out.read_bytes():
            sys.exit(f"--points with {count} points: jac and the hand-written script write different output")
        ratio = jac_time / hand_time
        rows.append(
            Row(
                f"(d) {count:,} points of a 2x2 Jacobian",
                jac_time,
                hand_time,
                "hand-written NumPy",
                f"{ratio:.2f}x, outputs identical",
                "<= 3x" if count == 100_000 else "-",
                ("met" if ratio <= 3 else "missed") if count == 100_000 else "-",
            )
        )


def layer_points(rows: list[Row], n: int, count: int, runs: int, work: Path) -> None:
    """A large result (the SymEngine path) at many points against hand-written NumPy."""
    assert JAC is not None
    hand = HERE / "handwritten_layer_points.py"
    draw = random.Random(2)
    file, text = work / f"layer_points{n}.txt", work / f"layer_text{n}.txt"
    text.write_text(layer_text(n))
    with file.open("w") as out:
        for _ in range(count):
            out.write(",".join(f"{draw.randint(-99, 99) / 100}" for _ in range(n * n + 2 * n)) + "\n")
    jac_out, hand_out = work / "layer_points_jac.jsonl", work / "layer_points_hand.jsonl"
    wrt = ",".join(f"x_{j}" for j in range(1, n + 1))
    jac = Command([JAC, "jacobian", "-", "--wrt", wrt, "--points", str(file), "--json"], stdin=text, stdout=jac_out)
    numpy = Command([PYTHON, str(hand), str(n), str(file)], stdout=hand_out)
    jac_time, hand_time = side_by_side(jac, numpy, runs)
    with jac_out.open() as ours, hand_out.open() as theirs:
        for a, b in zip(ours, theirs, strict=True):
            got, expected = json.loads(a)["value"], json.loads(b)["value"]
            worst = max(abs(u - v) for ru, rv in zip(got, expected) for u, v in zip(ru, rv))
            if worst > 1e-9:
                sys.exit(f"layer n={n} at many points: jac and NumPy differ by {worst:g}")
    ratio = jac_time / hand_time
    rows.append(
        Row(
            f"(d) {count:,} points of the n={n} layer ({n}x{n}, SymEngine path)",
            jac_time,
            hand_time,
            "hand-written NumPy",
            f"{ratio:.2f}x, values agree to 1e-9",
            "-",
            "-",
        )
    )


def _values(count: int, seed: int) -> list[float]:
    draw = random.Random(seed)
    return [draw.randint(-999, 999) / 1000 for _ in range(count)]


def _listed(values: list[float]) -> str:
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


Case = tuple[str, list[str], float, object, "str | None"]


def deep_learning_cases() -> list[Case]:
    """(name, jac's arguments, target ratio to import sympy, check of the JSON against NumPy, standard
    input: an EXPR longer than the 128 kB a single argument may have is read from standard input)."""
    import numpy as np

    cases: list[Case] = []
    w, x, b = (np.array(_values(300, seed)) for seed in (1, 2, 3))
    point = f"w={_listed(list(w))},x={_listed(list(x))},b={_listed(list(b))}"

    def tanh_layer(data: dict) -> float:  # d tanh(w*x + b)/dw = diag(x (1 - tanh(w*x + b)^2))
        got = np.diag(np.array(data["value"], dtype=float))
        return float(np.max(np.abs(got - x * (1 - np.tanh(w * x + b) ** 2))))

    cases.append(
        (
            "jacobian tanh(w*x + b), 300-vectors, --wrt w",
            ["jacobian", "tanh(w*x + b)", "--vars", "w:300,x:300,b:300", "--wrt", "w", "--at", point],
            2,
            tanh_layer,
            None,
        )
    )
    w1, x1 = np.array(_values(1000, 4)), np.array(_values(1000, 5))
    bias = 0.25

    def neuron(data: dict) -> float:  # d relu(w.x + b)/dw = heaviside(w.x + b) x
        step = 1.0 if w1 @ x1 + bias > 0 else 0.0
        return float(np.max(np.abs(np.array(data["gradient"], dtype=float) - step * x1)))

    cases.append(
        (
            "grad max(0, dot(w, x) + b), 1,000-vectors, --wrt w",
            [
                "grad",
                "max(0, dot(w, x) + b)",
                "--vars",
                "w:1000,x:1000,b",
                "--wrt",
                "w",
                "--at",
                f"w={_listed(list(w1))},x={_listed(list(x1))},b={bias}",
            ],
            2,
            neuron,
            None,
        )
    )
    w2 = np.array(_values(200, 6))

    def hessian(data: dict) -> float:  # H of sum(w)^2 + sum(w^2) = 2*1*1^T + 2*I
        return float(np.max(np.abs(np.array(data["value"], dtype=float) - (2 + 2 * np.eye(200)))))

    cases.append(
        (
            "hessian sum(w)**2 + sum(w**2), w:200",
            ["hessian", "sum(w)**2 + sum(w**2)", "--vars", "w:200", "--at", _listed(list(w2))[1:-1]],
            2,
            hessian,
            None,
        )
    )
    n = 100
    weights = np.array(_values(n * n, 7)).reshape(n, n)
    b3, x3 = np.array(_values(n, 8)), np.array(_values(n, 9))
    expected_layer = np.diag(1 - np.tanh(weights @ x3 + b3) ** 2) @ weights

    def layer(data: dict) -> float:
        return float(np.max(np.abs(np.array(data["value"], dtype=float) - expected_layer)))

    vector_text = ", ".join(f"tanh(dot(W{i}, x) + b{i})" for i in range(1, n + 1))
    vector_vars = ",".join([*(f"W{i}:{n}" for i in range(1, n + 1)), *(f"b{i}" for i in range(1, n + 1)), f"x:{n}"])
    flat = ",".join(repr(float(v)) for v in [*weights.ravel(), *b3, *x3])
    cases.append(
        (
            "jacobian of a 100-neuron layer in vector variables, --wrt x",
            ["jacobian", vector_text, "--vars", vector_vars, "--wrt", "x", "--at", flat],
            2,
            layer,
            None,
        )
    )
    scalar_text = ", ".join(
        "tanh(" + " + ".join(f"W{i}_{j}*x_{j}" for j in range(1, n + 1)) + f" + b{i})" for i in range(1, n + 1)
    )
    scalar_vars = ",".join(
        [
            *(f"W{i}_{j}" for i in range(1, n + 1) for j in range(1, n + 1)),
            *(f"b{i}" for i in range(1, n + 1)),
            *(f"x_{j}" for j in range(1, n + 1)),
        ]
    )
    scalar_wrt = ",".join(f"x_{j}" for j in range(1, n + 1))
    cases.append(
        (
            "the same layer in scalar names",
            ["jacobian", "-", "--vars", scalar_vars, "--wrt", scalar_wrt, "--at", flat],
            0,
            layer,
            scalar_text,
        )
    )
    w5, x5 = np.array(_values(5000, 10)), np.array(_values(5000, 11))

    def sparse(data: dict) -> float:  # d(w*x)/dw = diag(x): 5,000 entries (i, i, x_i)
        entries = data["entries"]
        assert len(entries) == 5000 and all(i == j for i, j, _, _ in entries), "not the 5,000 diagonal entries"
        return float(np.max(np.abs(np.array([v for _, _, _, v in entries], dtype=float) - x5)))

    cases.append(
        (
            "jacobian w*x, 5,000-vectors, --wrt w --sparse",
            [
                "jacobian",
                "w*x",
                "--vars",
                "w:5000,x:5000",
                "--wrt",
                "w",
                "--sparse",
                "--at",
                f"w={_listed(list(w5))},x={_listed(list(x5))}",
            ],
            2,
            sparse,
            None,
        )
    )
    rows = "[" + ",".join(_listed(list(row)) for row in weights) + "]"
    matrix_point = f"W={rows},x={_listed(list(x3))},b={_listed(list(b3))}"
    cases.append(
        (
            "jacobian tanh(W@x + b), W:100x100, --wrt x",
            ["jacobian", "tanh(W@x + b)", "--vars", "W:100x100,x:100,b:100", "--wrt", "x", "--at", matrix_point],
            2,
            layer,
            None,
        )
    )
    y = b3

    def loss(data: dict) -> float:  # d sum((Wx - y)^2)/dW = 2 (Wx - y) x^T, shaped like W
        got = np.array(data["gradient_matrix"]["value"], dtype=float)
        return float(np.max(np.abs(got - 2 * np.outer(weights @ x3 - y, x3))))

    loss_point = f"W={rows},x={_listed(list(x3))},y={_listed(list(y))}"
    cases.append(
        (
            "grad sum((W@x - y)**2), W:100x100, --wrt W",
            ["grad", "sum((W@x - y)**2)", "--vars", "W:100x100,x:100,y:100", "--wrt", "W", "--at", loss_point],
            2,
            loss,
            None,
        )
    )
    return cases


def deep_learning(rows: list[Row], runs: int, work: Path) -> None:
    assert JAC is not None
    baseline = Command([PYTHON, "-c", "import sympy"])
    times: dict[str, float] = {}
    for name, args, target, check, stdin in deep_learning_cases():
        out = work / "deep.json"
        source = None
        if stdin is not None:
            source = work / "deep.txt"
            source.write_text(stdin)
        command = Command([JAC, *args, "--json"], stdout=out, stdin=source)
        jac_time, sympy_time = side_by_side(command, baseline, runs)
        data = json.loads(out.read_text())
        worst = check(data)  # type: ignore[operator]
        if worst > 1e-9:
            sys.exit(f"{name}: jac's values differ from the NumPy formula by {worst:g}")
        times[name] = jac_time
        ratio = jac_time / sympy_time
        if target:
            rows.append(
                Row(
                    f"(e) {name}",
                    jac_time,
                    sympy_time,
                    "import sympy",
                    f"{ratio:.2f}x, values agree to 1e-9",
                    f"<= {target}x",
                    "met" if ratio <= target else "missed",
                )
            )
        else:
            vector = times["jacobian of a 100-neuron layer in vector variables, --wrt x"]
            rows.append(
                Row(
                    f"(e) {name}",
                    jac_time,
                    vector,
                    "vector variables",
                    f"vector/scalar {vector / jac_time:.2f}x",
                    "vector <= 1x",
                    "met" if vector <= jac_time * 1.05 else "missed",
                )
            )


def machine() -> list[str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(f"{p} {version(p)}" for p in ("jaccli", "sympy", "symengine", "numpy", "typer", "rich"))
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return [
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}",
        f"Python {platform.python_version()}; {versions}",
        f"load average at the start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}",
    ]


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def print_table(rows: list[Row], markdown: bool) -> None:
    header = ["benchmark", "jac (median)", "compared with", "its median", "figure", "target", "verdict"]
    cells = [[r.name, seconds(r.jac), r.versus, seconds(r.other), r.figure, r.target, r.verdict] for r in rows]
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in cells:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(row[k]) for row in [header, *cells]) for k in range(len(header))]
    for row in [header, *cells]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and sizes, for a smoke test")
    parser.add_argument("--naive-limit", type=float, default=120, help="seconds the naive script may take per run")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    if JAC is None:
        sys.exit("jac is not installed next to this Python: run it with the environment's python")
    # A regular install (pip install .) byte-compiles the package; an editable one run with
    # PYTHONDONTWRITEBYTECODE set would compile every module on every start instead.
    import compileall

    import jaccli

    compileall.compile_dir(str(Path(jaccli.__file__).parent), quiet=1)
    for line in machine():
        print(line)
    rows: list[Row] = []
    runs = 5 if args.quick else 21
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        startup(rows, runs)
        sizes = [10, 25] if args.quick else [10, 25, 50, 100]
        layers(rows, sizes, 3 if args.quick else 5, args.naive_limit, work)
        points(rows, [100_000] if args.quick else [100_000, 1_000_000], 3 if args.quick else 5, work)
        if rows[-1].verdict != "not measured":
            layer_points(rows, 10, 2_000 if args.quick else 20_000, 3 if args.quick else 5, work)
        deep_learning(rows, 3 if args.quick else 7, work)
    print()
    print_table(rows, args.markdown)


if __name__ == "__main__":
    main()
