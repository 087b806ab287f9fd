"""The guarantees around a command, whatever its computation does: a wall-clock bound that holds inside
any C call, a memory cap that ends in a one-line refusal rather than a crash, and output that reaches
stdout whole or not at all, even when stdout is full, closed or cannot encode jac's symbols.

The console script runs each command's computation in a child process, forked once the options are
parsed (only typer and jac's own light modules are loaded then). The child caps its address space (the
limit `memory`) and runs the command; its stdout and stderr go into pipes. The parent holds both back,
kills the child at the deadline, and writes them out only when the child has finished: a timeout or
a crash leaves nothing on stdout. With `--points`, once every point is read, the parent relays stdout
as whole lines while the child computes. Where there is no fork (Windows), or when the commands run
inside another program (a test runner, `app()` called from Python), the command runs in the process
itself, bounded by a SIGALRM timer between two Python bytecodes (jaccli.cli.options).

`--help`, `--version`, usage errors and shell-completion requests need no child; they still write
through the same guarded streams, so that a full disk or a closed stdout is one line on stderr and a
non-zero exit, never a traceback or a false success.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import sys
import time
from typing import NoReturn

from jaccli import bounds
from jaccli.errors import ExitStatus

# After the deadline the child gets this long to stop by itself (its own timer, then a clean message)
# before it is killed; a long C call cannot stop by itself.
GRACE = 0.2
# Output held back beyond this many bytes goes to an unnamed temporary file instead of memory.
SPILL_BYTES = 8 << 20
READ_BYTES = 1 << 16
# A child that ends with this status failed with a traceback (a bug): its stdout is dropped, as the
# in-process run drops the held-back output of a command that raised.
_BUG_STATUS = 70
_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
# What a child killed by a signal printed when an allocation failed: GMP, C++, CPython.
_OUT_OF_MEMORY_SIGNS = (b"cannot allocate", b"cannot reallocate", b"bad_alloc", b"out of memory", b"memoryerror")

_entry = False  # this process is the console script (run()), so it may fork
_child = False  # this process is the child of a command
_control: int | None = None  # the child's end of the pipe that tells the parent what to do
_stdout_sink: _Sink | None = None


def memory_bytes() -> int:
    return bounds.MEMORY.value << 20


def memory_message() -> str:
    found = "the computation needs more memory than allowed"
    outside = _outside_limit()
    if outside is not None and outside < memory_bytes():
        return (
            f"jac: {found}: over the address-space limit of {outside >> 20:,} MB set for this process "
            f"(jac's own limit {bounds.MEMORY.name} is {bounds.MEMORY.value:,} MB)"
        )
    return f"jac: {bounds.refuse(bounds.MEMORY, found)}"


def _outside_limit() -> int | None:
    """The address-space limit this process was started with (ulimit -v, prlimit), if any."""
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


# --- streams ------------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """A file descriptor that never raises on writing: the first error is kept (one message at the end
    tells the user), and whatever comes after it is dropped."""

    def __init__(self, fd: int, tty: bool, closed: bool = False) -> None:
        super().__init__()
        self.fd = fd
        self.tty = tty
        self.attempted = False  # something was written (or tried)
        self.error: OSError | None = OSError(errno.EBADF, "standard output is closed") if closed else None

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def fileno(self) -> int:
        return self.fd

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(data).cast("B")
        size = view.nbytes
        if size:
            self.attempted = True
        if self.error is None:
            try:
                while view:
                    view = view[os.write(self.fd, view) :]
            except OSError as error:
                self.error = error
        return size


def _text_stream(sink: _Sink, encoding: str, errors: str, line_buffering: bool) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.BufferedWriter(sink, READ_BYTES),  # type: ignore[type-var]
        encoding=encoding,
        errors=errors,
        line_buffering=line_buffering,
    )


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _encodes_symbols(encoding: str) -> bool:
    try:
        "∇∂≈θ…─│█".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def install_streams(children: bool = True) -> None:
    """At the start of the console script: standard streams that cannot raise, and (unless `children` is
    False) a child process for each command's computation.

    A closed descriptor (`>&-`) is opened on /dev/null, so that no file or pipe jac opens later takes
    its number; writing to a closed stdout then counts as a failed write. Where stdout's encoding cannot
    write jac's symbols (`PYTHONIOENCODING=ascii`, a Latin-1 locale), they are written in ASCII (∇f as
    `grad f`); stderr escapes them instead (`\\u2207`).
    """
    global _entry, _stdout_sink
    _entry = children
    closed = {}
    for fd in (0, 1, 2):
        closed[fd] = not _is_open(fd)
        if closed[fd]:
            spare = os.open(os.devnull, os.O_RDWR)
            if spare != fd:
                os.dup2(spare, fd)
                os.close(spare)
    codecs.register_error("jac-ascii", _ascii_fallback)
    if closed[0]:
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (standard input stays open)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        original = getattr(sys, name)
        encoding = getattr(original, "encoding", None) or "utf-8"
        errors = getattr(original, "errors", None) or "strict"
        if not _encodes_symbols(encoding):
            errors = "jac-ascii" if fd == 1 else "backslashreplace"
        sink = _Sink(fd, not closed[fd] and os.isatty(fd), closed=closed[fd])
        stream = _text_stream(sink, encoding, errors, bool(getattr(original, "line_buffering", False)))
        setattr(sys, name, stream)
        if fd == 1:
            _stdout_sink = sink


def leave(status: int) -> NoReturn:
    """Flush the streams and exit at once (no interpreter teardown). Output that could not be written
    (a full disk, a closed stdout) turns success into exit 2 with one line on stderr; a reader that has
    gone away (`| head`) is no error of jac."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a stream closed or broken: nothing more to say
            stream.flush()
    sink = _stdout_sink
    failed = sink is not None and sink.attempted and sink.error is not None and sink.error.errno != errno.EPIPE
    if failed and status in (ExitStatus.OK, ExitStatus.CHECK_FAILED):
        assert sink is not None and sink.error is not None
        _say(f"jac: cannot write the output: {_reason(sink.error)}")
        status = ExitStatus.BAD_INPUT
    os._exit(status)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _say(line: str) -> None:
    """One line on stderr, written directly: it must not fail, whatever state the streams are in."""
    with contextlib.suppress(OSError):
        _write_all(2, (line + "\n").encode("ascii", "backslashreplace"))


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view) :]


# Symbols jac writes, and what they become where stdout cannot encode them.
_ASCII = {
    "∇": "grad ",
    "∂": "d",
    "≈": "~",
    "−": "-",
    "·": "*",
    "×": "x",
    "…": "...",
    "⋮": ":",
    "→": "->",
    "←": "<-",
    "°": " deg",
    "²": "^2",
    "³": "^3",
    "ᵀ": "^T",
    "⊙": "(.)",
    "⊘": "(/)",
    "≠": "!=",
    "≤": "<=",
    "≥": ">=",
}
_SPARK = dict(zip("▁▂▃▄▅▆▇█", "_.,-=+*#"))


def _ascii_for(char: str) -> str:
    if char in _ASCII:
        return _ASCII[char]
    if char in _SPARK:
        return _SPARK[char]
    import unicodedata

    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):  # a line is - or |, a corner or a crossing +
        words = name.split()[2:]
        if "AND" not in words and words[-1] in ("HORIZONTAL", "VERTICAL"):
            return "-" if words[-1] == "HORIZONTAL" else "|"
        return "+"
    if name.startswith("GREEK") and " LETTER " in name:
        letter = name.rsplit(" ", 1)[-1].lower()
        return letter.capitalize() if "CAPITAL" in name else letter
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return plain or "?"


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(_ascii_for(c) for c in error.object[error.start : error.end]), error.end


# --- the child ------------------------------------------------------------------------------------


def in_child() -> bool:
    """True in the child of a command: its output goes to the parent, which holds it back."""
    return _child


def stream_lines() -> None:
    """From now on the parent relays stdout as whole lines while the child runs (--points, once every
    point has been read and checked)."""
    if _control is not None:
        sys.stdout.flush()
        _write_all(_control, b"S\n")


def renew_deadline(seconds: float) -> None:
    """From now on the child has `seconds` more before the parent stops it (jac check --file and --answers
    bound each problem or answer, not the whole run); its CPU-time backstop moves with it."""
    if _control is None:
        return
    sys.stdout.flush()
    _write_all(_control, f"T{seconds!r}\n".encode())
    _cap_cpu(seconds, renew=True)


def remove_afterwards(path: str) -> None:
    """A temporary file or folder of this command: the parent removes it if the child is stopped before
    it removes it itself (a timeout inside savefig)."""
    if _control is not None:
        _write_all(_control, b"R" + os.fsencode(path) + b"\n")


def refuse_memory() -> int:
    """The child ran out of its memory: the refusal, written without allocating much."""
    _say(memory_message())
    return ExitStatus.BAD_INPUT


def bug_status() -> int:
    """The exit status of a child that failed with a traceback."""
    return _BUG_STATUS if _child else 1


def supervise(seconds: float) -> None:
    """Run the rest of the command in a child process bounded by `seconds` of wall time and the memory limit.

    In the parent this never returns: it relays the child's output and exits with the child's status.
    It returns at once in the child, and where there is to be no child (no fork, not the console script,
    or a fork that failed: then the in-process timer is the bound).
    """
    if not _entry or _child or not hasattr(os, "fork"):
        return
    started = time.monotonic()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pipes: list[tuple[int, int]] = []
    try:
        for _ in range(3):
            pipes.append(os.pipe())
        pid = os.fork()
    except OSError:
        for pair in pipes:
            for fd in pair:
                os.close(fd)
        return
    (out_r, out_w), (err_r, err_w), (ctl_r, ctl_w) = pipes
    if pid == 0:
        for fd in (out_r, err_r, ctl_r):
            os.close(fd)
        _become_child(out_w, err_w, ctl_w, seconds)
        return
    for fd in (out_w, err_w, ctl_w):
        os.close(fd)
    from jaccli.supervisor import Parent

    Parent(pid, out_r, err_r, ctl_r, seconds, started).run()


def _become_child(out_w: int, err_w: int, ctl_w: int, seconds: float) -> None:
    global _child, _control
    _child = True
    _control = ctl_w
    original = sys.stdout
    tty = original.isatty()  # the real stdout's: rich picks colours and width by it
    sys.stdout = _text_stream(_Sink(out_w, tty), original.encoding, original.errors or "strict", False)
    os.dup2(err_w, 2)  # also what C libraries print (GMP's last words before an abort)
    os.close(err_w)
    # BLAS thread pools reserve address space per core: on a machine with many cores that alone
    # could exceed the memory limit, and jac's arrays gain nothing from threads.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    _cap_memory()
    _cap_cpu(seconds)


def _cap_memory() -> None:
    """RLIMIT_AS: an allocation past the limit fails (MemoryError, or an abort inside GMP) instead of
    the kernel's out-of-memory killer ending the process, or the machine, later."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes()
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _cap_cpu(seconds: float, *, renew: bool = False) -> None:
    """A backstop should the parent die first (kill -9): the child stops after about twice its time;
    renewed, twice its new time beyond the CPU time used so far (never lowered)."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = 0.0
    if renew:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
    limit = int(used + 2 * seconds) + 5
    if soft != resource.RLIM_INFINITY:
        limit = max(limit, soft) if renew else min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
