"""The guarantees around a command (jaccli.guard): a time bound that holds inside one long C call, a memory
cap that ends in a one-line refusal, output held back until success (whole lines while streaming), and
temporary files removed when the computation is stopped.

The mechanism is driven by small programs that set it up as the console script does and then misbehave
in the child on purpose (a regular expression that backtracks for hours inside one C call, an allocation
of gigabytes, an abort, a crash); each runs with a subprocess timeout of its bound + 1 s + start-up.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import JAC

START_UP = 5.0  # Python and jac's imports on a busy machine, before the command's clock starts
PRLIMIT = shutil.which("prlimit")

# Set up as jaccli.cli.app.run() does, fork, and run BODY in the child; the parent never gets past supervise.
HARNESS = """
import os, re, signal, sys, time
from jaccli import guard
guard.install_streams()
try:
    guard.supervise({seconds})
{body}
    status = 0
except MemoryError:
    status = guard.refuse_memory()
guard.leave(status)
"""


def harness(body: str, seconds: float = 1.0, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    code = HARNESS.format(seconds=seconds, body=textwrap.indent(textwrap.dedent(body), "    "))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=seconds + 1 + START_UP, check=False, **kwargs
    )


@pytest.mark.e2e
def test_one_long_c_call_is_stopped_at_the_deadline():
    # catastrophic backtracking: hours inside one call of the regular-expression engine, deaf to SIGALRM
    done = harness("print('half a table'); re.match(r'(a*)*b', 'a' * 40)", seconds=1)
    assert done.returncode == 2
    assert done.stdout == b""  # never half a table
    assert done.stderr == b"jac: timed out after 1 s (use --timeout to allow more)\n"


@pytest.mark.e2e
def test_the_real_command_is_stopped_inside_symengine():
    # 100 functions to the 14th derivative at a point: minutes of work (the 8th alone takes seconds),
    # far beyond the bound on any machine
    assert JAC is not None
    functions = ", ".join(f"sin({k}*x)*exp(x)*tan(x)*log(x)/(1+x**2)" for k in range(1, 101))
    done = subprocess.run(
        [JAC, "diff", functions, "--order", "14", "--at", "1", "--timeout", "1.5"],
        capture_output=True,
        text=True,
        timeout=1.5 + 1 + START_UP,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "jac: timed out after 1.5 s (use --timeout to allow more)\n"


@pytest.mark.e2e
def test_running_out_of_memory_is_a_refusal_naming_the_limit():
    done = harness("block = bytearray(3 << 30)", seconds=10)  # over the 2,048 MB of the limit memory
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("jac: the computation needs more memory than allowed: over the limit memory")


@pytest.mark.e2e
def test_an_abort_after_a_failed_allocation_is_the_same_refusal():
    # what GMP does when an allocation fails: a line on stderr, then abort()
    done = harness("os.write(2, b'GNU MP: Cannot allocate memory (size=8589934632)\\n'); os.abort()", seconds=10)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        "jac: the computation needs more memory than allowed: over the limit memory "
        "(megabytes of memory for one command's computation: at most 2,048)"
    ]


@pytest.mark.e2e
def test_a_crash_is_one_line_not_a_signal():
    done = harness("print('partial'); sys.stdout.flush(); os.kill(os.getpid(), signal.SIGSEGV)", seconds=10)
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().splitlines() == [
        "jac: the computation crashed (SIGSEGV); this is a bug in jac or in a library it uses"
    ]


@pytest.mark.e2e
def test_streamed_lines_are_whole_when_the_time_runs_out():
    body = """
    print('the symbolic result')
    guard.stream_lines()
    for i in range(3):
        print(f'line {i}')
    sys.stdout.write('a partial li')
    sys.stdout.flush()
    re.match(r'(a*)*b', 'a' * 40)
    """
    done = harness(body, seconds=1)
    assert done.returncode == 2
    assert done.stdout == b"the symbolic result\nline 0\nline 1\nline 2\n"
    assert done.stderr == b"jac: timed out after 1 s (use --timeout to allow more)\n"


@pytest.mark.e2e
def test_output_larger_than_memory_holds_comes_through_whole():
    # past 8 MB the parent holds the output in a temporary file instead of memory
    done = harness("sys.stdout.write(''.join(f'{i:09d}\\n' for i in range(3_000_000)))", seconds=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) == 30_000_000
    assert done.stdout.endswith(b"002999999\n") and done.stdout.startswith(b"000000000\n")


@pytest.mark.e2e
def test_a_stopped_child_leaves_no_temporary_file_and_the_old_file_intact(tmp_path):
    target = tmp_path / "picture.png"
    target.write_bytes(b"the old picture")
    body = f"""
    from jaccli import files
    with files.replacing({str(target)!r}) as stream:
        stream.write(b'half a new picture')
        stream.flush()
        re.match(r'(a*)*b', 'a' * 40)
    """
    done = harness(body, seconds=1)
    assert done.returncode == 2
    assert target.read_bytes() == b"the old picture"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.e2e
def test_the_exit_status_and_warnings_come_through():
    done = harness("print('result'); print('jac: warning: entry undefined', file=sys.stderr); sys.exit(1)")
    assert done.returncode == 1
    assert done.stdout == b"result\n"
    assert done.stderr == b"jac: warning: entry undefined\n"


@pytest.mark.e2e
@pytest.mark.skipif(PRLIMIT is None, reason="needs prlimit")
def test_under_a_small_address_space_jac_never_dies_by_a_signal():
    """The hostile cases under `prlimit --as=4G`: exit 2 with one line, or the answer; never a signal.
    A constant of 20 billion digits: GMP aborts inside SymEngine (or the size check refuses it)."""
    assert JAC is not None and PRLIMIT is not None
    power = " + ".join(f"x{i}**2" for i in range(1, 101)) + " + x1*(((((0.5**64)**64)**64)**64)**64)**64"
    for args in (
        ["grad", power, "--timeout", "5"],
        ["grad", "x*y", "--points", "/dev/zero", "--timeout", "5"],
        ["check", "--file", "/dev/zero", "--timeout", "5"],
    ):
        done = subprocess.run(
            [PRLIMIT, "--as=4000000000", JAC, *args], capture_output=True, text=True, timeout=5 + 1 + START_UP
        )
        assert done.returncode == 2, (args, done.stderr)
        assert done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and "over the limit" in done.stderr


def _largest_child_kb() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


@pytest.mark.e2e
def test_a_long_descent_keeps_what_the_output_needs():
    """100,000 steps in 20 variables: a Step object per step took 267 MB (plain) and 541 MB (JSON) at 200,000 steps,
    about half of it at 100,000; the table keeps 16 bytes a step (55 MB in all), and JSON streams every step
    through the parent (67 MB)."""
    assert JAC is not None
    loss = " + ".join(f"(x{i} - {i % 5})**2" for i in range(1, 21))
    start = ",".join(["0"] * 20)
    common = ["descend", loss, "--at", start, "--rate", "1e-9", "--steps", "100000", "--tol", "0", "--timeout", "60"]
    code = (
        "import json, resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, check=True)\n"
        "out = done.stdout.decode()\n"
        "steps = len(json.loads(out)['path']) if out.startswith('{') else out.count('\\n')\n"
        "print(steps, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    for fmt, expected in (("plain", None), ("json", 100_001)):
        done = subprocess.run(
            [sys.executable, "-c", code, JAC, *common, "--format", fmt],
            capture_output=True,
            text=True,
            timeout=60 + 1 + START_UP,
            check=True,
        )
        steps, kilobytes = (int(v) for v in done.stdout.split())
        if expected is not None:
            assert steps == expected
        assert kilobytes < 110_000, f"{fmt}: {kilobytes} kB"  # a Step object per step: about 130 MB and 270 MB


@pytest.mark.e2e
def test_a_picture_without_a_writable_home_leaves_no_folder_behind(tmp_path):
    assert JAC is not None
    home = tmp_path / "home"
    home.write_text("a file where the home folder should be")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    target = tmp_path / "out.png"
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(scratch)}
    env.pop("MPLCONFIGDIR", None)
    env.pop("XDG_CONFIG_HOME", None)
    env.pop("XDG_CACHE_HOME", None)
    done = subprocess.run(
        [JAC, "grad", "x*y", "--at", "1,2", "--plot", str(target)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"jac: wrote {target}\n"
    assert target.read_bytes().startswith(b"\x89PNG")
    assert list(scratch.iterdir()) == []


def _processes_with(word: str) -> list[int]:
    """The processes whose command line has `word` as one of its arguments."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if word.encode() in arguments:
            found.append(int(entry.name))
    return found


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_an_interrupt_stops_the_child_too():
    assert JAC is not None
    functions = ", ".join(f"sin({k}*x)*exp(x)*tan(x)*log(x)/(1+x**2)" for k in range(1, 101))
    mark = "59.0625"  # a --timeout no other process uses, to find the child by
    process = subprocess.Popen(
        [JAC, "diff", functions, "--order", "8", "--at", "1", "--timeout", mark],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        process.wait(timeout=2)  # time to reach the long C call
    except subprocess.TimeoutExpired:
        assert len(_processes_with(mark)) == 2  # jac and its child
        process.send_signal(signal.SIGINT)
    process.wait(timeout=1 + START_UP)
    assert process.returncode == 2
    assert process.stdout is not None and process.stdout.read() == b""
    assert _processes_with(mark) == []
