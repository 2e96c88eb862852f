"""Fixtures for the desktop app: offscreen Qt, private settings, a copy of the sample project,
and a main window factory that closes what it opened."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# The PostgreSQL fixtures of the core tests, for the desktop app on a team server.
from tests.core.conftest import (
    _pg_sample_template,
    pg_project_url,
    pg_sample_url,
    pg_server,
    pg_url,
)

__all__ = ["_pg_sample_template", "pg_project_url", "pg_sample_url", "pg_server", "pg_url"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _private_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUALBENCH_SETTINGS_DIR", str(tmp_path_factory.mktemp("settings")))
    monkeypatch.setenv("QUALBENCH_CODER", "tester")


@pytest.fixture(autouse=True)
def _no_thread_left_running(qapp) -> Iterator[None]:
    """A test that leaves background work running fails (it could crash the next one)."""
    yield
    from PySide6.QtCore import QThreadPool

    pool = QThreadPool.globalInstance()
    finished = pool.waitForDone(10_000)
    assert finished and pool.activeThreadCount() == 0, "a background task was still running"


@pytest.fixture(autouse=True)
def _modifiers_released(qapp) -> None:
    """Offscreen Qt keeps a modifier "down" after a test types a shortcut with it, so a later
    test's plain key would arrive as Ctrl+key: every test starts with them released."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    for key in (Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
        QTest.keyRelease(widget, key)
    widget.deleteLater()


@pytest.fixture
def sample_file(_sample_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "sample.qualbench"
    shutil.copy(_sample_template, path)
    return path


@pytest.fixture
def make_window(qtbot, sample_file: Path) -> Iterator[Callable[..., object]]:
    """``make_window(path=None)`` -> an open MainWindow on the sample (or ``path``)."""
    from qualbench.store import open_project
    from ui.main_window import MainWindow
    from ui.session import ProjectSession

    opened: list[MainWindow] = []

    def make(path: Path | None = None) -> MainWindow:
        project = open_project(path or sample_file)
        window = MainWindow(ProjectSession(project, coder="tester"), path=path or sample_file)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(
            lambda: window.document is not None or not window.documents.model.rowCount(),
            timeout=3000,
        )
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()
        window.session.close()
