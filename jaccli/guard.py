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
import select
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import IO, NoReturn

from jaccli import bounds
from jaccli.errors import ExitStatus, JacTimeoutError

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
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = int(used + 2 * seconds) + 5
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit > soft:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


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
    _Parent(pid, out_r, err_r, ctl_r, seconds, started).run()


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


def _cap_cpu(seconds: float) -> None:
    """A backstop should the parent die first (kill -9): the child stops after about twice its time."""
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = int(2 * seconds) + 5
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


# --- the parent -----------------------------------------------------------------------------------


class _Stop(BaseException):
    """The deadline (SIGALRM), an interrupt or a request to terminate, raised inside the parent's loop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


class _Held:
    """Output held back until the child has finished: in memory, past SPILL_BYTES in an unnamed
    temporary file (a JSON path of a million steps need not sit in memory)."""

    def __init__(self) -> None:
        self.memory = bytearray()
        self.spill: IO[bytes] | bool | None = None  # the temporary file object, kept alive while its descriptor is used
        self.file = -1
        self.on_file = 0  # bytes in the file; the memory holds the bytes after them
        self.size = 0
        self.line_end = 0  # the offset just after the last newline

    def add(self, data: bytes) -> None:
        newline = data.rfind(b"\n")
        if newline >= 0:
            self.line_end = self.size + newline + 1
        self.size += len(data)
        self.memory += data
        if len(self.memory) > SPILL_BYTES:
            self._spill()

    def _spill(self) -> None:
        if self.spill is None:
            try:
                import tempfile

                self.spill = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the output is held)
                self.file = self.spill.fileno()
            except OSError:
                self.spill = False  # no temporary file to be had: memory it is
        if self.file < 0:
            return
        view = memoryview(self.memory)
        try:
            while view:
                written = os.write(self.file, view)
                self.on_file += written
                view = view[written:]
        except OSError:  # a full disk: read the file back and keep to memory from now on
            rest = bytes(view)
            view.release()
            self.memory = bytearray(self._read(0, self.on_file)) + rest
            self.file, self.on_file, self.spill = -1, 0, False
            return
        view.release()
        self.memory = bytearray()

    def _read(self, start: int, end: int) -> bytes:
        parts = []
        os.lseek(self.file, start, os.SEEK_SET)
        left = end - start
        while left > 0 and (chunk := os.read(self.file, min(READ_BYTES, left))):
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def chunks(self, end: int) -> Iterator[bytes]:
        """The bytes [0, end) in order, a piece at a time."""
        position = 0
        while position < min(end, self.on_file):
            chunk = self._read(position, min(end, self.on_file, position + READ_BYTES))
            if not chunk:
                break
            position += len(chunk)
            yield chunk
        if end > self.on_file:
            yield bytes(self.memory[: end - self.on_file])

    def tail(self, start: int) -> bytes:
        """The bytes [start, size): the partial line at the end."""
        if start >= self.on_file:
            return bytes(self.memory[start - self.on_file :])
        return self._read(start, self.on_file) + bytes(self.memory)


class _Parent:
    """Relays one child: holds its output back, enforces the deadline, and exits as the child did."""

    def __init__(self, pid: int, out_r: int, err_r: int, ctl_r: int, seconds: float, started: float) -> None:
        self.pid = pid
        self.seconds = seconds
        self.deadline = started + seconds + GRACE
        self.fds = {out_r: "out", err_r: "err", ctl_r: "control"}
        self.held = _Held()
        self.errors = bytearray()
        self.control = bytearray()
        self.streaming = False
        self.pending = bytearray()  # while streaming: the partial line not yet relayed
        self.leftovers: list[bytes] = []
        assert _stdout_sink is not None
        self.stdout = _stdout_sink

    @property
    def reader_gone(self) -> bool:
        """The reader of stdout has gone (`| head`): no error of jac, the rest is not needed."""
        error = self.stdout.error
        return error is not None and error.errno == errno.EPIPE

    @property
    def write_failed(self) -> bool:
        error = self.stdout.error
        return self.stdout.attempted and error is not None and error.errno != errno.EPIPE

    def run(self) -> NoReturn:
        for name in (*_SIGNALS, "SIGALRM"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _raise_stop)
        signal.setitimer(signal.ITIMER_REAL, max(self.deadline - time.monotonic(), 1e-6))
        try:
            status = self._follow()
        except _Stop as stop:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._kill()
            self._clean()
            self._stopped(stop.signum)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)  # writing the finished output is not timed
        self._clean()
        try:
            self._finish(status)
        except _Stop as stop:  # interrupted while writing the finished output
            self._stopped(stop.signum)

    def _follow(self) -> int | None:
        """Read the child's pipes until it closes them, then reap it: its wait status (None when the
        output could not be written and the child was stopped)."""
        poller = select.poll()
        for fd in self.fds:
            poller.register(fd, select.POLLIN)
        while self.fds:
            if self.reader_gone or self.write_failed:
                self._kill()
                return None
            for fd, _ in poller.poll():
                data = os.read(fd, READ_BYTES)
                if not data:
                    poller.unregister(fd)
                    del self.fds[fd]
                    os.close(fd)
                elif self.fds[fd] == "out":
                    self._out(data)
                elif self.fds[fd] == "err":
                    self.errors += data
                else:
                    self._command(data)
        return os.waitpid(self.pid, 0)[1]

    def _out(self, data: bytes) -> None:
        if not self.streaming:
            self.held.add(data)
            return
        self.pending += data
        end = self.pending.rfind(b"\n") + 1
        if end:
            self._write_out([bytes(self.pending[:end])])
            del self.pending[:end]

    def _command(self, data: bytes) -> None:
        self.control += data
        while (end := self.control.find(b"\n")) >= 0:
            message = bytes(self.control[:end])
            del self.control[: end + 1]
            if message == b"S" and not self.streaming:
                self.streaming = True
                held = self.held
                self._write_out(held.chunks(held.line_end))
                self.pending = bytearray(held.tail(held.line_end))
                self.held = _Held()
            elif message.startswith(b"R"):
                self.leftovers.append(message[1:])
            elif message.startswith(b"T"):  # a new deadline, from now (renew_deadline)
                self.deadline = time.monotonic() + float(message[1:]) + GRACE
                signal.setitimer(signal.ITIMER_REAL, max(self.deadline - time.monotonic(), 1e-6))

    def _write_out(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            if self.stdout.error is not None and self.stdout.attempted:
                return
            self.stdout.write(chunk)

    def _kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        while True:
            try:
                os.waitpid(self.pid, 0)
                return
            except ChildProcessError:
                return
            except _Stop:
                continue

    def _clean(self) -> None:
        """Remove the temporary files and folders the child registered and did not remove itself."""
        if not self.leftovers:
            return
        import shutil

        for path in self.leftovers:
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
            except OSError:
                pass

    def _stopped(self, signum: int) -> NoReturn:
        """The child was killed before it finished: at the deadline, or because jac was interrupted."""
        if signum == signal.SIGALRM:
            # while streaming, the whole lines already relayed stay and the partial one is dropped
            _say(f"jac: {JacTimeoutError(self.seconds)}")
            os._exit(ExitStatus.BAD_INPUT)
        if signum == signal.SIGINT:
            _say("")  # as an interrupted command always did: a new line, exit 2
            os._exit(ExitStatus.BAD_INPUT)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        os._exit(128 + signum)

    def _finish(self, status: int | None) -> NoReturn:
        if status is None:  # stopped by jac: the reader has gone, or stdout cannot be written
            self._leave_on_output(ExitStatus.OK)
        if os.WIFSIGNALED(status):
            self._signalled(os.WTERMSIG(status))
        code = os.WEXITSTATUS(status)
        with contextlib.suppress(OSError):  # stderr is closed or full: the exit status still tells
            _write_all(2, self.errors)
        if code in (ExitStatus.OK, ExitStatus.CHECK_FAILED):
            if self.streaming:
                self._write_out([bytes(self.pending)])
            else:
                self._write_out(self.held.chunks(self.held.size))
        # on an error, a held result is dropped; while streaming, so is the partial last line
        self._leave_on_output(1 if code == _BUG_STATUS else code)

    def _leave_on_output(self, code: int) -> NoReturn:
        if self.write_failed:
            assert self.stdout.error is not None
            _say(f"jac: cannot write the output: {_reason(self.stdout.error)}")
            os._exit(ExitStatus.BAD_INPUT)
        os._exit(code)

    def _signalled(self, signum: int) -> NoReturn:
        """The child was killed by a signal jac did not send: its time (SIGXCPU), its memory, or a crash."""
        if signum == getattr(signal, "SIGXCPU", None):
            _say(f"jac: {JacTimeoutError(self.seconds)}")
            os._exit(ExitStatus.BAD_INPUT)
        said = bytes(self.errors).lower()
        if signum == signal.SIGKILL or any(sign in said for sign in _OUT_OF_MEMORY_SIGNS):
            _say(memory_message())  # SIGKILL not sent by jac: the kernel's out-of-memory killer
            os._exit(ExitStatus.BAD_INPUT)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        _say(f"jac: the computation crashed ({name}); this is a bug in jac or in a library it uses")
        os._exit(ExitStatus.BAD_INPUT)
