"""The in-process time limit ends its block even when its first signal lands inside a finalizer."""

from __future__ import annotations

import signal
import sys
import time

import pytest

from jaccli.alarm import time_limit


class _OutOfTime(BaseException):
    pass


class _SlowFinalizer:
    def __del__(self) -> None:
        until = time.monotonic() + 0.3
        while time.monotonic() < until:  # Python code: the timer's handler runs here, and Python drops its error
            pass


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_limit_whose_first_signal_is_lost_in_a_finalizer_still_ends_the_block():
    started = time.monotonic()
    with pytest.raises(_OutOfTime), time_limit(0.1, _OutOfTime):
        _SlowFinalizer()  # finalized at once; the limit expires inside its __del__
        while time.monotonic() - started < 3:
            pass
    assert time.monotonic() - started < 1  # the next signal, 50 ms later, ended it: not the 3 s loop


def test_a_block_that_ends_in_time_leaves_no_timer_behind():
    with time_limit(5, _OutOfTime):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_repeat_never_raises_inside_the_clean_up_of_a_time_limit():
    """Once the limit's error is on its way out, a repeat that lands in the context manager's own exit
    would replace it past the `except` meant for it; the handlers raise nothing there."""
    import contextlib

    from jaccli import alarm
    from jaccli.cli import options

    for manager in (alarm.time_limit, options._time_bound):
        assert manager.__wrapped__.__code__ in alarm._CLEAN_UP
    assert contextlib._GeneratorContextManager.__exit__.__code__ in alarm._CLEAN_UP

    caught = []

    def frame_of_exit():
        class Probe:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                caught.append(alarm.cleaning_up(sys._getframe()))

        with Probe():
            pass

    frame_of_exit()
    assert caught == [False]  # an ordinary frame: the limit may raise there
