"""Watching one document: page progress on stderr and its wall-clock cap (--timeout).

The cap is checked between pages and between stages; where the document runs on a process's
main thread (the CLI, a batch worker) an alarm also interrupts a stage that runs long inside
Python code (a C call such as one OCR pass finishes first).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import DocumentTimeout


class Progress:
    """Prints "file: page 200/1500" to stderr at most every `every` seconds; silent for quick documents."""

    def __init__(self, path: Path, every: float = 2.0, stream=None):
        self.name = Path(path).name
        self.every = every
        self.stream = stream
        self.started = self.last = time.monotonic()
        self.printed = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every and not (self.printed and done == total):
            return
        self.last, self.printed = now, True
        stream = self.stream or sys.stderr
        print(f"{self.name}: page {done}/{total} ({now - self.started:.0f}s)", file=stream, flush=True)


def deadline_of(seconds: float | None, started: float | None = None) -> float | None:
    """The monotonic time a document started at ``started`` (default now) must end by."""
    if seconds is None:
        return None
    return (time.monotonic() if started is None else started) + seconds


def check_deadline(deadline: float | None, seconds: float | None, path: Path, stage: str) -> None:
    """Raise DocumentTimeout when the deadline has passed (between stages)."""
    if deadline is not None and time.monotonic() > deadline:
        raise DocumentTimeout(f"stopped after {seconds:g} s (the --timeout cap) before {stage}", file=path)


@contextmanager
def alarm(seconds: float | None, path: Path, deadline: float | None = None) -> Iterator[None]:
    """Interrupt the document after `seconds`, or at `deadline` (``time.monotonic()``) when given
    (plus a grace second for the cooperative checks)."""
    usable = seconds is not None and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _expired(signum, frame):  # noqa: ARG001 - signal handler signature
        raise DocumentTimeout(f"stopped after {seconds:g} s (the --timeout cap)", file=path)

    previous = signal.signal(signal.SIGALRM, _expired)
    left = seconds if deadline is None else max(0.0, deadline - time.monotonic())
    signal.setitimer(signal.ITIMER_REAL, left + 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
