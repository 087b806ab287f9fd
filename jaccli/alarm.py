"""Time limits inside one process, by the SIGALRM timer.

A signal handler's exception is raised between two bytecodes of the main thread, wherever it is:
also inside a finalizer (`__del__`, a weak reference's callback) or a `gc.callbacks` function that
the garbage collector runs in the middle of the computation, where Python drops it as
"unraisable" and the computation goes on (a test runner's gc callback once let a 0.5 s limit run
for minutes). So the timer does not fire once: after the limit it fires again every REPEAT seconds until the
block has ended. A repeat that finds the time limit's own clean-up running (the context manager leaving
the block) raises nothing there, so that the clean-up stops the timer.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType, FrameType

REPEAT = 0.05


_CLEAN_UP: set[CodeType] = {contextlib._GeneratorContextManager.__exit__.__code__}


def clean_up(function: object) -> None:
    """Register a time limit's context manager: a repeat of the timer never raises inside it."""
    _CLEAN_UP.add(function.__wrapped__.__code__)  # type: ignore[attr-defined]


def cleaning_up(frame: FrameType | None) -> bool:
    """Whether the signal interrupted a time limit's own clean-up (or the context manager calling it)."""
    return frame is not None and frame.f_code in _CLEAN_UP


def available() -> bool:
    """Whether a SIGALRM timer can bound this code: the main thread, on a system that has one."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def start(seconds: float) -> None:
    """The timer fires after `seconds`, then every REPEAT seconds until it is stopped."""
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)


def stop() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


@contextmanager
def time_limit(seconds: float, error: type[BaseException]) -> Iterator[None]:
    """Raise `error` in the block after `seconds`.

    No limit outside the main thread. A timer already running (the command's, or an outer limit)
    that would fire first is left alone, and is restored with its remaining time afterwards; its
    own exception then leaves the block, not `error`.
    """
    if not available():
        yield
        return
    running, repeat = signal.getitimer(signal.ITIMER_REAL)
    if running and running <= seconds:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        if not cleaning_up(frame):
            raise error

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    start(seconds)
    try:
        yield
    finally:
        stop()
        signal.signal(signal.SIGALRM, previous)
        if running:
            signal.setitimer(signal.ITIMER_REAL, max(running - (time.monotonic() - started), 0.001), repeat)


clean_up(time_limit)
