"""Progress reporting and cancellation for long work, with no dependency on any front end.

A long operation takes ``progress`` (called with done, total and a short status that never
contains transcript text) and ``cancel`` (polled; when it returns True the operation stops at
the next safe point, keeping what is already committed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Progress = Callable[[int, int, str], None]
CancelCheck = Callable[[], bool]


def no_progress(done: int, total: int, status: str) -> None:
    """The default progress callback: report nothing."""


def never() -> bool:
    """The default cancel check: never cancel."""
    return False


class CancelToken:
    """A thread-safe cancel flag; pass ``token.is_set`` as the ``cancel`` callback."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


class Cancelled(Exception):
    """Raised inside an operation when its cancel check fired; callers report partial results."""


class Ticker:
    """Counts items of a long loop: reports progress and checks for cancel every ``every`` items."""

    def __init__(
        self,
        total: int,
        progress: Progress = no_progress,
        cancel: CancelCheck = never,
        *,
        every: int = 500,
        status: str = "",
    ) -> None:
        self.total = total
        self.done = 0
        self.progress = progress
        self.cancel = cancel
        self.every = every
        self.status = status

    def __call__(self) -> None:
        self.done += 1
        if self.done % self.every == 0:
            if self.cancel():
                raise Cancelled
            self.progress(self.done, self.total, self.status)

    def finish(self) -> None:
        self.progress(self.total, self.total, self.status)
