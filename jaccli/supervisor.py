"""The parent of a command's child process (jaccli.guard): it holds the child's output back, kills the
child at the deadline, and writes the output out only once the child has finished whole; with --points
it relays whole lines as the child writes them. It never returns: it exits with the child's status, or
with one line on stderr that says why there is no output (the time bound, memory, a crash, a full disk).
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import time
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import IO, NoReturn

from jaccli import guard
from jaccli.errors import ExitStatus, JacTimeoutError


class _Stop(BaseException):
    """The deadline (SIGALRM), an interrupt or a request to terminate, raised inside the parent's loop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


class _Held:
    """Output held back until the child has finished: in memory, past guard.SPILL_BYTES in an unnamed
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
        if len(self.memory) > guard.SPILL_BYTES:
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
        while left > 0 and (chunk := os.read(self.file, min(guard.READ_BYTES, left))):
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def chunks(self, end: int) -> Iterator[bytes]:
        """The bytes [0, end) in order, a piece at a time."""
        position = 0
        while position < min(end, self.on_file):
            chunk = self._read(position, min(end, self.on_file, position + guard.READ_BYTES))
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


class Parent:
    """Relays one child: holds its output back, enforces the deadline, and exits as the child did."""

    def __init__(self, pid: int, out_r: int, err_r: int, ctl_r: int, seconds: float, started: float) -> None:
        self.pid = pid
        self.seconds = seconds
        self.deadline = started + seconds + guard.GRACE
        self.fds = {out_r: "out", err_r: "err", ctl_r: "control"}
        self.held = _Held()
        self.errors = bytearray()
        self.control = bytearray()
        self.streaming = False
        self.pending = bytearray()  # while streaming: the partial line not yet relayed
        self.leftovers: list[bytes] = []
        assert guard._stdout_sink is not None
        self.stdout = guard._stdout_sink

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
        for name in (*guard._SIGNALS, "SIGALRM"):
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
                data = os.read(fd, guard.READ_BYTES)
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
            elif message.startswith(b"T"):  # a new deadline, from now (guard.renew_deadline)
                self.deadline = time.monotonic() + float(message[1:]) + guard.GRACE
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
            guard._say(f"jac: {JacTimeoutError(self.seconds)}")
            os._exit(ExitStatus.BAD_INPUT)
        if signum == signal.SIGINT:
            guard._say("")  # as an interrupted command always did: a new line, exit 2
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
            guard._write_all(2, self.errors)
        if code in (ExitStatus.OK, ExitStatus.CHECK_FAILED):
            if self.streaming:
                self._write_out([bytes(self.pending)])
            else:
                self._write_out(self.held.chunks(self.held.size))
        # on an error, a held result is dropped; while streaming, so is the partial last line
        self._leave_on_output(1 if code == guard._BUG_STATUS else code)

    def _leave_on_output(self, code: int) -> NoReturn:
        if self.write_failed:
            assert self.stdout.error is not None
            guard._say(f"jac: cannot write the output: {guard._reason(self.stdout.error)}")
            os._exit(ExitStatus.BAD_INPUT)
        os._exit(code)

    def _signalled(self, signum: int) -> NoReturn:
        """The child was killed by a signal jac did not send: its time (SIGXCPU), its memory, or a crash."""
        if signum == getattr(signal, "SIGXCPU", None):
            guard._say(f"jac: {JacTimeoutError(self.seconds)}")
            os._exit(ExitStatus.BAD_INPUT)
        said = bytes(self.errors).lower()
        if signum == signal.SIGKILL or any(sign in said for sign in guard._OUT_OF_MEMORY_SIGNS):
            guard._say(guard.memory_message())  # SIGKILL not sent by jac: the kernel's out-of-memory killer
            os._exit(ExitStatus.BAD_INPUT)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        guard._say(f"jac: the computation crashed ({name}); this is a bug in jac or in a library it uses")
        os._exit(ExitStatus.BAD_INPUT)
