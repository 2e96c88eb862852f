"""File › Open server project…: a team project on a PostgreSQL server.

The dialog asks for host, port, database and login (or a pasted URL) and, optionally, a
password. A connection is first tried with what is given; libpq also finds passwords in
``PGPASSWORD`` and ``~/.pgpass``. Only when the server refuses the login is the user asked for
one. Passwords live in memory for the open project only: settings and recent projects keep the
URL without it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from qualbench.errors import UserError
from qualbench.server import Member, is_team_project, me
from qualbench.store import PasswordNeeded, Project, open_project
from ui.server_address import DEFAULT_PORT, ServerAddress, is_server_url
from ui.settings import recent_projects

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# ask(label, message) -> a password, or None to give up
AskPassword = Callable[[str, str], "str | None"]


class NotAMember(UserError):
    """The login may open the database but is no member of its team."""


def open_server(
    url: str, *, password: str | None, ask: AskPassword
) -> tuple[Project, Member | None] | None:
    """Open a server project as the login in ``url``; returns the project and the member it
    logs in as (None on a project that is not a team project), or None if the user gave up
    when asked for a password. Raises ProjectError (cannot open) or NotAMember."""
    address, in_url = ServerAddress.parse(url)
    tried = password or in_url
    while True:
        try:
            project = open_project(address.url(), password=tried)
            break
        except PasswordNeeded:
            if tried:
                message = (
                    f"The server did not accept the password for <b>{html.escape(address.login)}"
                    "</b>. Try again:"
                )
            else:
                message = (
                    f"The server asks for the password of <b>{html.escape(address.login)}</b> "
                    "(PGPASSWORD and ~/.pgpass had none that it accepted):"
                )
            tried = ask(address.label, message)
            if tried is None:
                return None
    try:
        with project.read() as s:
            member = me(s) if is_team_project(s) else None
            if member is None and is_team_project(s):
                raise NotAMember(
                    f"{address.label}: you log in as {address.login!r}, who is not a member of "
                    "this team project; ask its lead to add you as a member "
                    "(a coder with that login)"
                )
    except BaseException:
        project.close()
        raise
    return project, member


def last_server() -> ServerAddress | None:
    """The address of the server project opened last (to fill the dialog)."""
    for entry in recent_projects():
        if is_server_url(entry):
            try:
                return ServerAddress.parse(entry)[0]
            except UserError:
                continue
    return None


class OpenServerDialog(QDialog):
    """Host, port, database and login, or a pasted URL; a password for this connection only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open server project")
        self.url_edit = QLineEdit(placeholderText="postgresql://login@host:5432/database")
        self.url_edit.setClearButtonEnabled(True)
        self.url_edit.textEdited.connect(self._url_edited)
        self.host = QLineEdit(placeholderText="server.example.org")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit(placeholderText="the project's database")
        self.login = QLineEdit(placeholderText="your login on the server")
        self.password = QLineEdit(placeholderText="(optional)")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self._options: tuple[tuple[str, str], ...] = ()
        for edit in (self.host, self.database, self.login):
            edit.textChanged.connect(self._check)
        self.port.valueChanged.connect(self._check)

        form = QFormLayout()
        form.addRow("Paste a URL:", self.url_edit)
        form.addRow("Host:", self.host)
        form.addRow("Port:", self.port)
        form.addRow("Database:", self.database)
        form.addRow("Login:", self.login)
        form.addRow("Password:", self.password)
        note = QLabel(
            "Leave the password empty to use PGPASSWORD or ~/.pgpass; you are asked if the "
            "server wants one. It is used for this connection only and never saved."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: gray")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(480, self.sizeHint().height())

        last = last_server()
        if last is not None:
            self.set_address(last)
        self._check()

    def set_address(self, address: ServerAddress) -> None:
        self.host.setText(address.host)
        self.port.setValue(address.port)
        self.database.setText(address.database)
        self.login.setText(address.login)
        self._options = address.options

    def address(self) -> ServerAddress:
        return ServerAddress(
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip(),
            login=self.login.text().strip(),
            options=self._options,
        )

    def _url_edited(self, text: str) -> None:
        if not text.strip():
            self.problem.clear()
            return
        try:
            address, password = ServerAddress.parse(text)
        except UserError as exc:
            self.problem.setText(f"<span style='color:#c0392b'>{html.escape(str(exc))}</span>")
            return
        self.set_address(address)
        if password:
            self.password.setText(password)
        self.url_edit.setText(address.url())  # the password moves to its own field
        self._check()

    def _check(self) -> None:
        problems = self.address().problems()
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(not problems)
        self.problem.setText(
            f"<span style='color:gray'>To open: {html.escape(problems[0])}</span>"
            if problems
            else ""
        )


def open_server_dialog(window: MainWindow) -> OpenServerDialog:
    """Show the dialog; Open asks the app to open the project (the password goes along)."""
    dialog = OpenServerDialog(window)

    def chosen() -> None:
        window.serverOpenRequested.emit(dialog.address().url(), dialog.password.text())
        dialog.password.clear()

    dialog.accepted.connect(chosen)
    dialog.open()
    window.server_dialog = dialog  # reachable (tests fill it in)
    return dialog
