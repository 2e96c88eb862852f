"""Terminal output for the command line: progress bar, Ctrl-C as cancel, tables, JSON."""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

from qualbench.progress import CancelToken

# Exit codes scripts can rely on (also listed in `qualbench --help`).
OK = 0
FAILED = 1  # the command failed: bad input, invalid data; the project is unchanged
USAGE = 2  # wrong arguments (argparse)
PARTIAL = 3  # some files could not be imported; the others were
PROJECT = 4  # the project cannot be opened (missing, not a project, newer, in use)
CANCELLED = 130  # stopped by Ctrl-C; what was committed before stays


class Bar:
    """A one-line progress bar on stderr, shown only on a terminal; never prints transcript text."""

    def __init__(self, label: str, *, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int, status: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 50))
        filled = int(width * done / total) if total else width
        status = status if len(status) <= 24 else status[:21] + "..."
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {status:<24}"
        )
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._shown = False


@contextlib.contextmanager
def cancellable() -> Iterator[CancelToken]:
    """The first Ctrl-C asks the running operation to stop at its next safe point; a second one
    interrupts at once."""
    token = CancelToken()
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if token.is_set():
            raise KeyboardInterrupt
        token.cancel()
        sys.stderr.write("\nstopping after the current step (Ctrl-C again to abort)...\n")

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield token
        return
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[bool] | None = None
) -> None:
    """A plain aligned text table."""
    cells = [[str(h) for h in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    right = right or [False] * len(header)
    for n, row in enumerate(cells):
        line = "  ".join(
            c.rjust(w) if right[i] else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        print(line.rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def error(message: str) -> None:
    print(f"qualbench: error: {message}", file=sys.stderr)


def note(message: str) -> None:
    print(message, file=sys.stderr)
