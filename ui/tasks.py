"""Long work off the GUI thread: a core function with ``progress`` and ``cancel`` runs on the
thread pool while a progress dialog with Cancel shows; the result comes back on the GUI thread.
Worker code never touches widgets."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from qualbench.progress import CancelCheck, Cancelled, CancelToken, Progress
from ui.session import user_message

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Work = Callable[[Progress, CancelCheck], Any]
# How a widget starts background work: starter(title, work, on_done) (see ``starter``).
Starter = Callable[[str, Work, Callable[[Any], None]], None]


class _Signals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()


class _Runnable(QRunnable):
    def __init__(self, work: Work, token: CancelToken, signals: _Signals) -> None:
        super().__init__()
        self.work, self.token, self.signals = work, token, signals
        self.setAutoDelete(True)

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(
                lambda d, t, s: self.signals.progress.emit(d, t, s), self.token.is_set
            )
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # delivered to the GUI thread, which decides what to show
            exc.__qualbench_trace__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class Task(QObject):
    """One background job with its progress dialog; keep a reference until it finishes."""

    finished = Signal()

    def __init__(
        self,
        parent: QWidget,
        title: str,
        work: Work,
        *,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.token = CancelToken()
        self.signals = _Signals()
        self.dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.token.cancel)
        self.signals.progress.connect(self._progress)
        self.signals.done.connect(lambda r: self._end(on_done, r))
        self.signals.failed.connect(lambda e: self._end(on_error, e))
        self.signals.cancelled.connect(lambda: self._end(lambda _: on_cancel and on_cancel(), None))
        self._runnable = _Runnable(work, self.token, self.signals)

    def start(self) -> Task:
        QThreadPool.globalInstance().start(self._runnable)
        return self

    def _progress(self, done: int, total: int, status: str) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(min(done, max(total, 1)))
        self.dialog.setLabelText(status)

    def _end(self, callback: Callable[[Any], None], value: Any) -> None:
        self.dialog.close()
        try:
            callback(value)
        finally:
            self.finished.emit()
            self.deleteLater()


def starter(window: MainWindow, parent: Callable[[], QWidget] | None = None) -> Starter:
    """Run core work in the background with a progress dialog over ``parent()`` (a dialog that
    may not exist yet when the starter is made) or the window."""

    def start(title: str, work: Work, on_done: Callable[[Any], None]) -> None:
        def failed(exc: BaseException) -> None:
            message = user_message(exc)
            window.show_error(
                message or f"{title} failed: {type(exc).__name__} (the project is unchanged)"
            )

        task = Task(
            parent() if parent is not None else window,
            title,
            work,
            on_done=on_done,
            on_error=failed,
            on_cancel=lambda: window.statusBar().showMessage(f"{title}: cancelled", 5000),
        )
        window._tasks.append(task)
        task.finished.connect(lambda: window._tasks.remove(task))
        task.start()

    return start
