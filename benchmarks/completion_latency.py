"""Wall time of one shell-completion request (one TAB) against the import of SymPy it avoids.

Run from the repository root with the project installed in .venv:

    .venv/bin/python benchmarks/completion_latency.py [--runs 10]

Prints a Markdown table of medians; the figures in docs/benchmarks.md come from it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
JAC = shutil.which("jac", path=str(BIN)) or "jac"


def medians(cases: list[tuple[str, list[str], dict[str, str]]], runs: int) -> dict[str, float]:
    """Median wall time of each case; the cases take turns, so a busy machine slows them alike."""
    times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    for _ in range(runs):
        for label, argv, env in cases:
            start = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[label].append(time.perf_counter() - start)
    return {label: statistics.median(values) for label, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    base = {k: v for k, v in os.environ.items() if not k.startswith(("_JAC_", "_TYPER_", "COMP_"))}
    cases = [
        (
            "bash: `jac grad --<TAB>`",
            [JAC],
            {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac grad --", "COMP_CWORD": "2"},
        ),
        ("zsh: `jac grad --<TAB>`", [JAC], {"_JAC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "jac grad --"}),
        (
            "fish: `jac grad --<TAB>`",
            [JAC],
            {
                "_JAC_COMPLETE": "complete_fish",
                "_TYPER_COMPLETE_FISH_ACTION": "get-args",
                "_TYPER_COMPLETE_ARGS": "jac grad --",
            },
        ),
        ("bash: `jac <TAB>`", [JAC], {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac ", "COMP_CWORD": "1"}),
        ("`jac --version`", [JAC, "--version"], {}),
        ('`python -c "import sympy"`', [sys.executable, "-c", "import sympy"], {}),
        ('`python -c "pass"`', [sys.executable, "-c", "pass"], {}),
    ]
    cases = [(label, argv, {**base, **env}) for label, argv, env in cases]
    results = medians(cases, runs)
    sympy = results['`python -c "import sympy"`']
    print(f"| what (median of {runs} runs) | wall time | vs importing SymPy |")
    print("|---|---|---|")
    for label, seconds in results.items():
        print(f"| {label} | {seconds * 1000:.0f} ms | {seconds / sympy:.2f}x |")


if __name__ == "__main__":
    main()
