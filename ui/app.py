"""Start the desktop app: the coder's name on first run, then the last project (or the bundled
sample the first time), one main window per open project."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox

from qualbench.errors import UserError
from qualbench.store import ProjectError, open_project
from ui.main_window import MainWindow
from ui.server_address import is_server_url, without_password
from ui.server_open import open_server
from ui.session import ProjectSession
from ui.settings import add_recent, coder_name, recent_projects, set_coder_name


def ask_coder_name() -> str:
    """The coder's name, asked once and kept in the settings."""
    name = coder_name()
    if name:
        return name
    default = getpass.getuser()
    text, ok = QInputDialog.getText(
        None,
        "Welcome to QualBench",
        "Your name or initials (recorded with every coding you make):",
        text=default,
    )
    name = " ".join(text.split()) if ok and text.strip() else default
    set_coder_name(name)
    return name


def sample_path() -> Path:
    from qualbench.sample import build_sample, default_location

    path = default_location()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build_sample(path).close()
    return path


class Controller:
    """Opens projects into windows; switching projects closes the previous one cleanly."""

    def __init__(self, coder: str) -> None:
        self.coder = coder
        self.window: MainWindow | None = None

    def open(self, target: str | Path, password: str | None = None) -> bool:
        """Open a project file or a server URL (``password``, if any, for this connection
        only) in a window of its own; False if it was not opened (the user was told why)."""
        server = is_server_url(target)
        member = None
        try:
            if server:
                opened = open_server(str(target), password=password or None, ask=self.ask_password)
                if opened is None:  # the user gave up when asked for a password
                    return False
                project, member = opened
            else:
                project = open_project(target)
        except (ProjectError, UserError) as exc:
            QMessageBox.warning(self.window, "QualBench", str(exc))
            return False
        old = self.window
        if old is not None:
            old.close()  # stops its live updates
            old.session.close()
        assigned = None
        if not server:
            from qualbench.distribute import assigned_coder

            assigned = assigned_coder(project)  # a coder copy codes as the coder it was made for
        session = ProjectSession(project, coder=assigned or self.coder, member=member)
        self.window = MainWindow(session, path=None if server else Path(target))
        self.window.openRequested.connect(self.open)
        self.window.serverOpenRequested.connect(self.open)
        self.window.show()
        if assigned and assigned != self.coder:
            self.window.statusBar().showMessage(
                f"This is the coder copy for {assigned}: your codings are recorded as {assigned} "
                "(File › Change coder name to change it).",
                15000,
            )
        add_recent(without_password(str(target)) if server else str(Path(target).resolve()))
        return True

    def ask_password(self, label: str, message: str) -> str | None:
        """The password for a server login, or None if the user cancels."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle(f"Password — {label}")
        dialog.setLabelText(
            f"{message}<br><span style='color: gray'>Used for this connection only, never "
            "saved.</span>"
        )
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.textValue()

    def close(self) -> None:
        if self.window is not None:
            self.window.stop_live()
            self.window.session.close()


def main(path: str | None = None) -> int:
    """Run the app; returns the exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("QualBench")
    app.setOrganizationName("QualBench")
    app.setAttribute(Qt.ApplicationAttribute.AA_DontShowIconsInMenus, False)
    controller = Controller(ask_coder_name())
    target = path
    if target is None:
        recent = recent_projects()  # the last project: a file that is still there, or a server
        target = next((p for p in recent if is_server_url(p) or Path(p).exists()), None)
    if (target is None or not controller.open(target)) and not controller.open(sample_path()):
        return 1
    app.aboutToQuit.connect(controller.close)
    smoke = os.environ.get("QUALBENCH_QUIT_AFTER_MS")  # for start-up checks: show, then quit
    if smoke:
        QTimer.singleShot(int(smoke), app.quit)
    return int(app.exec())
