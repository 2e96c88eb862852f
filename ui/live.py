"""Live updates on a team project: other members' codings, codes and memos appear in this
window within a second or two.

A `qualbench.server.ChangeListener` (its own connection, ``LISTEN``) is polled by a timer on the
GUI thread; a poll only reads what the server already sent. This window's own connections are
registered with ``ignore_backend`` (their changes arrive through ``session.changed`` already).
If the listener's connection drops, a note goes to the status bar and the listener is made
again in the background, less and less often, until the server answers; then every view
refreshes once, since what changed meanwhile was not announced.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from qualbench.server import ChangeListener, ListenerLost, listener_url, watch_own_connections
from ui.session import ProjectSession

POLL_MS = 1200
RETRY_MS = (1000, 2000, 4000, 8000, 15000, 30000)
_FAILURES = (ListenerLost,)


def _reason(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


class _ConnectSignals(QObject):
    """Between the GUI and a connect in the background: a listener made after `stop` (or not
    yet taken when it comes) is closed, never left open."""

    connected = Signal()
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.stopped = False
        self.pending: ChangeListener | None = None

    def take(self) -> ChangeListener | None:
        with self.lock:
            listener, self.pending = self.pending, None
            return listener

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            listener, self.pending = self.pending, None
        if listener is not None:
            with contextlib.suppress(*_FAILURES):
                listener.close()


class _Connect(QRunnable):
    """Makes a listener off the GUI thread (a server that does not answer takes seconds)."""

    def __init__(self, url: str, signals: _ConnectSignals) -> None:
        super().__init__()
        self.url, self.signals = url, signals
        self.setAutoDelete(True)

    @Slot()
    def run(self) -> None:
        try:
            listener = ChangeListener(self.url)
        except _FAILURES as exc:
            self.signals.failed.emit(_reason(exc))
        else:
            with self.signals.lock:
                wanted = not self.signals.stopped
                if wanted:
                    self.signals.pending = listener
            if wanted:
                self.signals.connected.emit()
            else:  # the project closed meanwhile
                listener.close()


class LiveUpdates(QObject):
    """Polls the team's change notifications and refreshes the session's views."""

    status = Signal(bool, str)  # connected?, a note for the status bar

    def __init__(self, session: ProjectSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # In memory only: the listener logs in as the window does (password included).
        self._url = listener_url(session.project)
        self._own: set[int] = set()
        self._listener: ChangeListener | None = None
        self._attempt = 0
        self._connecting = False
        self._stopped = False
        self._signals = _ConnectSignals()  # outlives this object while a connect runs
        self._signals.connected.connect(self._connected)
        self._signals.failed.connect(self._connect_failed)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._reconnect)
        self._unwatch: Callable[[], None] | None = None

    @property
    def connected(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        """Listen from now on (the window has just read everything)."""
        self._unwatch = watch_own_connections(self.session.project, self._own_connection)
        try:
            self._use(ChangeListener(self._url))
        except _FAILURES as exc:
            self._lost(_reason(exc))
        self.timer.start()

    def stop(self) -> None:
        """The project closes: no more polls, the listener's connection closed."""
        self._stopped = True
        self._signals.stop()
        self.timer.stop()
        self._retry.stop()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        self._drop_listener()

    def poll(self) -> set[str]:
        """Tables others changed since the last poll; the views are told at once."""
        if self._listener is None:
            return set()
        try:
            tables = self._listener.poll()
        except _FAILURES as exc:
            self._lost(_reason(exc))
            return set()
        if tables:
            # Notifications name tables, not rows: every view refreshes (once per poll).
            self.session.notify_everything()
        return tables

    # --- own connections ----------------------------------------------------------------------
    def _own_connection(self, pid: int) -> None:
        self._own.add(pid)
        if self._listener is not None:
            self._listener.ignore_backend(pid)

    def _use(self, listener: ChangeListener) -> None:
        for pid in tuple(self._own):  # (worker threads may add one meanwhile)
            listener.ignore_backend(pid)
        self._listener = listener

    # --- a dropped connection -----------------------------------------------------------------
    def _lost(self, reason: str) -> None:
        self._drop_listener()
        if self._attempt == 0:
            self.status.emit(
                False,
                "Lost the connection to the team server; others' changes will show when it is "
                f"back (trying again) — {reason}",
            )
        self._schedule()

    def _schedule(self) -> None:
        if not self._stopped:
            self._retry.start(RETRY_MS[min(self._attempt, len(RETRY_MS) - 1)])
            self._attempt += 1

    def _reconnect(self) -> None:
        if self._stopped or self._connecting or self._listener is not None:
            return
        self._connecting = True
        QThreadPool.globalInstance().start(_Connect(self._url, self._signals))

    def _connected(self) -> None:
        self._connecting = False
        listener = self._signals.take()
        if listener is None:
            return
        self._use(listener)
        self._attempt = 0
        self.status.emit(True, "Connected to the team server again")
        self.session.notify_everything()  # what changed meanwhile was not announced

    def _connect_failed(self, _reason: str) -> None:
        self._connecting = False
        self._schedule()

    def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(*_FAILURES):
                listener.close()
