"""The open project as the GUI sees it: one undo stack, one coder, one ``changed`` signal.

Every edit goes through :meth:`ProjectSession.run` (an undoable core command, one transaction)
or :meth:`ProjectSession.write` (a direct core call, e.g. memo autosave). Views listen to
``changed`` and refresh only what the :class:`~qualbench.changes.Changes` record concerns.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.errors import is_user_error
from qualbench.server import Member
from qualbench.services.coding import get_or_create_coder
from qualbench.store import Project
from qualbench.undo import Command, CommandStack, UndoError


def user_message(exc: BaseException) -> str | None:
    """The one-line message of an error the user can act on, or None for a bug."""
    return str(exc) if is_user_error(exc) else None


class ProjectSession(QObject):
    """An open project with its undo stack and the coder who is working."""

    changed = Signal(object)  # Changes
    undo_state_changed = Signal()
    error = Signal(str)  # a message for the user; the project is unchanged

    def __init__(
        self,
        project: Project,
        *,
        coder: str,
        member: Member | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.stack = CommandStack(project)
        self.member = member  # on a team project: who logs in (the coder), and their role
        self.coder_name = member.name if member is not None else coder
        with project.write() as s:
            self.coder_id, _ = get_or_create_coder(s, self.coder_name)

    @property
    def is_team(self) -> bool:
        """A team project on a server, opened by one of its members."""
        return self.member is not None

    @property
    def can_edit_codebook(self) -> bool:
        """Whether the codebook is this user's to change (the server enforces it anyway)."""
        return self.member is None or self.member.role == "lead"

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self.project.read() as s:
            yield s

    def run(self, command: Command) -> bool:
        """Do an undoable action; False (and ``error`` emitted) if it was refused."""
        try:
            changes = self.stack.run(command)
        except Exception as exc:
            if (message := user_message(exc)) is None:
                raise
            self.error.emit(message)
            return False
        self._done(changes)
        return True

    def write(self, action: Callable[[Session], Changes]) -> bool:
        """A direct, not undoable write in one transaction (memo text as it is typed)."""
        try:
            with self.project.write() as s:
                changes = action(s)
        except Exception as exc:
            if (message := user_message(exc)) is None:
                raise
            self.error.emit(message)
            return False
        self.changed.emit(changes)
        return True

    def undo(self) -> None:
        self._step(self.stack.undo)

    def redo(self) -> None:
        self._step(self.stack.redo)

    def _step(self, step: Callable[[], Changes]) -> None:
        try:
            changes = step()
        except UndoError as exc:
            self.error.emit(str(exc))
            return
        self._done(changes, everything=True)

    def _done(self, changes: Changes, *, everything: bool = False) -> None:
        # Undo/redo may touch what the first run did not report (restored rows): refresh all.
        self.changed.emit(_EVERYTHING if everything else changes)
        self.undo_state_changed.emit()

    def notify(self, changes: Changes) -> None:
        """Tell the views about changes made outside the stack (an import in the background)."""
        self.changed.emit(changes)

    def notify_everything(self) -> None:
        """Everything may have changed (a merge brought codes, codings, memos and coders)."""
        self.changed.emit(_EVERYTHING)

    def close(self) -> None:
        self.project.close()


class _Everything(Changes):
    """A Changes record that concerns every view."""

    def __bool__(self) -> bool:
        return True


_EVERYTHING = _Everything(project=True)


def concerns_everything(changes: Changes) -> bool:
    return isinstance(changes, _Everything)
