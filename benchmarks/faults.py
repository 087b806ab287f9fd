# ruff: noqa: E501  (the table of cases reads best one case a line)
"""Measure: every fault case of the README's limits section under `prlimit --as=4G`.

Run: python benchmarks/faults.py [--markdown]
Each case runs as a fresh process the way a shell script would run it, under an address space of
4 GB; the table gives its exit status (a negative one would be death by a signal), its wall time and
the largest resident memory of jac and its child (GNU time's %M). Needs prlimit and /usr/bin/time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

JAC = shutil.which("jac", path=str(Path(sys.executable).parent)) or shutil.which("jac")
TIME = "/usr/bin/time"
LIMIT = "--as=4000000000"


def cases(work: Path) -> list[tuple[str, str, list[str], dict[str, str], str | None]]:
    """(group, description, jac arguments, environment, shell redirection or stdin file)."""
    order8 = work / "order8.txt"
    order8.write_text(", ".join(f"sin({k}*x)*exp(x)*tan(x)*log(x)/(1+x**2)" for k in range(1, 101)))
    power = work / "power.txt"
    power.write_text(" + ".join(f"x{i}**2" for i in range(1, 101)) + " + x1*(((((0.5**64)**64)**64)**64)**64)**64")
    three = work / "three.txt"
    three.write_text("1\n2\n3\n")
    line = work / "line.txt"
    line.write_text("1," * 5_000_000 + "1\n")
    problem = '[[problem]]\nname = "p"\nkind = "grad"\nfunction = "x^2"\nanswer = "2x"\n'
    deep = work / "deep.toml"
    deep.write_text(problem + "at = " + "[" * 900 + "]" * 900 + "\n")
    inline = work / "inline.toml"
    inline.write_text(problem + "at = " + "{a = " * 900 + "1" + "}" * 900 + "\n")
    tol = work / "tol.toml"
    tol.write_text(problem + "tol = 1" + "0" * 400 + "\n")
    markup = work / "markup.toml"
    markup.write_text(
        problem.replace('"p"', '"[/]"') + problem.replace('"p"', '"[link=https://example.com]click[/link]"')
    )
    home = work / "home-is-a-file"
    home.write_text("")
    loss = " + ".join(f"(x{i} - {i % 5})**2" for i in range(1, 21))
    start = ",".join(["0"] * 20)
    descend = ["descend", loss, "--at", start, "--rate", "1e-9", "--steps", "1000000", "--tol", "0", "--timeout", "120"]
    plot = str(work / "p.png")
    no_shell = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    return [
        ("time", "100 functions, --order 8 at 3 points, --timeout 4", ["diff", "-", "--order", "8", "--points", str(three), "--timeout", "4"], {}, f"<{order8}"),
        ("time", "--timeout 1e-9", ["grad", "x", "--timeout", "1e-9"], {}, None),
        ("memory", "100 terms + x1*(((((0.5**64)**64)**64)**64)**64)**64, --timeout 1", ["grad", "-", "--timeout", "1"], {}, f"<{power}"),
        ("memory", "--points with one 10 MB line", ["grad", "x*y", "--points", str(line)], {}, None),
        ("memory", "--points /dev/zero", ["grad", "x*y", "--points", "/dev/zero"], {}, None),
        ("memory", "check --file /dev/urandom", ["check", "--file", "/dev/urandom"], {}, None),
        ("memory", "check --file /dev/zero", ["check", "--file", "/dev/zero"], {}, None),
        ("memory", "TOML arrays nested 900 deep", ["check", "--file", str(deep)], {}, None),
        ("memory", "TOML inline tables nested 900 deep", ["check", "--file", str(inline)], {}, None),
        ("memory", "TOML tol of 401 digits", ["check", "--file", str(tol)], {}, None),
        ("memory", "descend, 20 variables, 1,000,000 steps (table)", [*descend, "--format", "plain"], {}, ">/dev/null"),
        ("memory", "descend, 20 variables, 1,000,000 steps (--json, 420 MB)", [*descend, "--json"], {}, ">/dev/null"),
        ("input", '--vars "x:¹"', ["grad", "x", "--vars", "x:¹"], {}, None),
        ("input", '--vars "x:٣"', ["grad", "x", "--vars", "x:٣"], {}, None),
        ("input", 'problem names "[/]" and "[link=…]" (table)', ["check", "--file", str(markup), "--format", "table"], {}, ">/dev/null"),
        ("input", "--plot at 1e300,1e300", ["grad", "x*y", "--at", "1e300,1e300", "--plot", plot], {}, ">/dev/null"),
        ("output", "--version > /dev/full", ["--version"], {}, ">/dev/full"),
        ("output", "--help > /dev/full", ["--help"], {}, ">/dev/full"),
        ("output", "grad > /dev/full", ["grad", "x**2+y**2", "--at", "5,-5"], {}, ">/dev/full"),
        ("output", "check > /dev/full", ["check", "grad", "x^2", "--answer", "2x"], {}, ">/dev/full"),
        ("output", "descend > /dev/full", ["descend", "x**2", "--at", "1"], {}, ">/dev/full"),
        ("output", "stdout closed (>&-)", ["grad", "x"], {}, ">&-"),
        ("output", "stderr closed (2>&-), a success", ["grad", "x"], {}, "2>&- >/dev/null"),
        ("output", "PYTHONIOENCODING=ascii", ["grad", "x**2+y**2", "--at", "5,-5"], {"PYTHONIOENCODING": "ascii"}, ">/dev/null"),
        ("output", "PYTHONIOENCODING=latin-1", ["grad", "x**2+y**2", "--at", "5,-5"], {"PYTHONIOENCODING": "latin-1"}, ">/dev/null"),
        ("output", "--install-completion, HOME not a writable folder", ["--install-completion", "bash"], {"HOME": str(home), **no_shell}, None),
        ("output", "_JAC_COMPLETE with COMP_CWORD=abc", [], {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac gr", "COMP_CWORD": "abc"}, None),
        ("files", "--plot with HOME not a writable folder", ["grad", "x*y", "--at", "1,2", "--plot", plot], {"HOME": str(home)}, ">/dev/null"),
        ("messages", "descend --rate 1/10**400", ["descend", "x**2", "--at", "1", "--rate", "1/10**400"], {}, None),
        ("messages", "descend from 10**400", ["descend", "x**2", "--at", "10**400"], {}, None),
        ("messages", '--plot ""', ["grad", "x*y", "--at", "1,2", "--plot", ""], {}, None),
        ("messages", "--plot .png (a hidden PNG file)", ["grad", "x*y", "--at", "1,2", "--plot", str(work / ".png")], {}, ">/dev/null"),
        ("messages", "--points line 0x10", ["grad", "x*y", "--points", "-"], {}, "<<<0x10,1"),
    ]  # fmt: skip


def run(args: list[str], env: dict[str, str], redirect: str | None, work: Path) -> tuple[int, float, float, str]:
    """Exit status, wall seconds, max RSS in MB, and the first line of stderr."""
    assert JAC is not None
    report = work / "time.txt"
    errors = work / "stderr.txt"
    redirect = redirect or ""
    if not redirect.startswith("2>&-"):
        redirect += f" 2>{shlex_quote(str(errors))}"
    # the redirection applies to jac itself (inside prlimit), not to time, which would take a closed descriptor
    inner = f'exec "$0" "$@" {redirect}'
    argv = [TIME, "-o", str(report), "-f", "%e %M", "prlimit", LIMIT, "bash", "-c", inner, JAC, *args]
    done = subprocess.run(argv, env={**os.environ, **env}, stdin=subprocess.DEVNULL, check=False)
    wall, rss = report.read_text().split()[-2:]
    said = errors.read_text(errors="replace").splitlines() if errors.exists() else []
    errors.unlink(missing_ok=True)
    first = said[0].replace(f"{work}/", "") if said else ""
    return done.returncode, float(wall), int(rss) / 1024, first


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if JAC is None or shutil.which("prlimit") is None or not Path(TIME).exists():
        sys.exit("needs jac next to this Python, prlimit and /usr/bin/time")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        rows = []
        for group, name, jac_args, env, redirect in cases(work):
            status, wall, rss, said = run(jac_args, env, redirect, work)
            rows.append((group, name, status, wall, rss, said))
            if not args.markdown:
                print(f"{group:8} {name:58} exit {status:3}  {wall:6.2f} s  {rss:7.0f} MB  {said[:90]}")
    if args.markdown:
        print("| case | exit | wall | max RSS | stderr |")
        print("|---|---|---|---|---|")
        for _group, name, status, wall, rss, said in rows:
            message = said.replace("|", "\\|")
            if len(message) > 90:
                message = message[:87] + "..."
            print(f"| {name} | {status} | {wall:.2f} s | {rss:.0f} MB | {message} |")


if __name__ == "__main__":
    main()
