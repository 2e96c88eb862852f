"""Issue 8 in the desktop app: two windows (two "instances") on one team project on a real
PostgreSQL server, as different members: live updates, the server's refusals shown, a
conflicting rename kept, the password asked for and never written to the settings."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QMenu, QMessageBox
from sqlalchemy import select
from sqlalchemy.engine import make_url

from qualbench import undo
from qualbench.db import CODE, CODING, MEMO
from qualbench.errors import UserError
from qualbench.server import add_member, enable_team
from qualbench.services.documents import list_documents
from qualbench.store import open_project
from qualbench.workspace import document_view
from tests.core.pg_server import PostgresServer
from ui.actions import fill_recent
from ui.app import Controller
from ui.main_window import MainWindow
from ui.server_address import ServerAddress, without_password
from ui.server_open import open_server_dialog
from ui.session import concerns_everything
from ui.settings import recent_projects, settings

QUOTE = "The ambulance comes, and after them comes the police."


@dataclass
class Team:
    owner: str  # the database owner's URL (password included)
    urls: dict[str, str]  # member -> URL without a password
    passwords: dict[str, str]
    logins: dict[str, str]


@pytest.fixture
def team(pg_sample_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Team:
    """The sample project on the server, with two leads and two coders (ana and ben, who
    already have codings in the sample)."""
    monkeypatch.delenv("PGPASSWORD", raising=False)  # only the passwords the tests give
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    suffix = secrets.token_hex(3)
    urls, passwords, logins = {}, {}, {}
    server, _ = ServerAddress.parse(pg_sample_url)
    with open_project(pg_sample_url) as p:
        enable_team(p)
        for name, role in (("lena", "lead"), ("omar", "lead"), ("ana", "coder"), ("ben", "coder")):
            login, password = f"{name}_{suffix}", secrets.token_hex(8)
            add_member(p, name=name, login=login, role=role, password=password)
            urls[name] = replace(server, login=login).url()
            passwords[name], logins[name] = password, login
    return Team(pg_sample_url, urls, passwords, logins)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the windows and the app would show in a message box (none is opened)."""
    messages: list[str] = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, m: messages.append(m))
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: messages.append(text))
    )
    return messages


@pytest.fixture
def open_as(qtbot, team: Team) -> Iterator[Callable[[str], MainWindow]]:
    """``open_as(member)`` -> a main window opened through the app as that member."""
    controllers: list[Controller] = []

    def open_window(name: str) -> MainWindow:
        controller = Controller("nobody")  # the coder is the login's member, not this name
        assert controller.open(team.urls[name], password=team.passwords[name])
        window = controller.window
        assert window is not None
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.document is not None, timeout=5000)
        controllers.append(controller)
        return window

    yield open_window
    for controller in controllers:
        if controller.window is not None:
            controller.window.close()
            controller.close()


def _code_id(window: MainWindow, name: str) -> int:
    return next(n.id for n in window.codes.nodes.values() if n.name == name)


def _show_quote_document(window: MainWindow) -> int:
    """Open the sample document with QUOTE; returns where it starts."""
    with window.session.read() as s:
        doc = next(d.id for d in list_documents(s) if QUOTE in document_view(s, d.id).text)
    window.open_document(doc)
    assert window.document is not None
    return window.document.text.index(QUOTE)


@pytest.mark.postgres
def test_another_members_codings_codes_and_memos_appear_within_seconds(
    open_as, qtbot, team: Team, shown: list[str]
) -> None:
    ana, ben = open_as("ana"), open_as("ben")
    assert ana.session.coder_name == "ana" and ana.session.member.role == "coder"  # type: ignore[union-attr]
    assert "· coder" in ana.windowTitle() and team.logins["ana"] in ana.windowTitle()
    assert ana.live is not None and ana.live.connected
    start = _show_quote_document(ana)
    assert _show_quote_document(ben) == start
    ana_refreshes: list[bool] = []
    ana.session.changed.connect(lambda c: ana_refreshes.append(concerns_everything(c)))

    # ana codes a few words; ben's window shows the coding, ana's does not refresh again
    housing = _code_id(ana, "Housing")
    ana.view.select_span(start, start + 13, flash=False)
    ana.coding.apply([housing])
    with ana.session.read() as s:
        (coding_id,) = s.execute(
            select(CODING.c.id).where(
                CODING.c.code_id == housing, CODING.c.start == start, CODING.c.end == start + 13
            )
        ).scalars()
    qtbot.waitUntil(lambda: coding_id in ben.view.coding_ids_at(start + 3), timeout=5000)
    qtbot.wait(1500)  # a poll or two in ana's window: its own change is not news to it
    assert ana_refreshes == [False]

    # the lead adds a code and ben writes a memo on the document: both show in ana's window
    lena = open_as("lena")
    assert lena.session.run(undo.create_code(name="Peer support"))
    qtbot.waitUntil(
        lambda: "Peer support" in {n.name for n in ana.codes.nodes.values()}, timeout=5000
    )
    ben.memos.editors["document"].editor.setPlainText("Compare with the second interview.")
    ben.memos.editors["document"].save()
    others = ana.memos.editors["document"].others
    qtbot.waitUntil(lambda: "Compare with the second interview" in others.text(), timeout=5000)
    assert shown == []


@pytest.mark.postgres
def test_a_coder_cannot_rename_a_code(open_as, team: Team, shown: list[str]) -> None:
    ana = open_as("ana")
    panel = ana.codes
    police = _code_id(ana, "Police fear")
    # the codebook's editing actions are off for a coder; pins stay
    assert not panel.actions_by_name["rename"].isEnabled()
    assert not panel.actions_by_name["delete"].isEnabled()
    assert panel.actions_by_name["pin"].isEnabled()
    assert all(not a.isEnabled() for a in ana.codebook_actions)
    assert not panel.model.flags(panel.model.index_of(police)) & Qt.ItemFlag.ItemIsEditable
    assert not ana.change_coder_action.isEnabled()

    # ... and a rename that gets through anyway is refused by the server, with its reason
    panel.model.setData(panel.model.index_of(police), "Fear of the police")
    assert len(shown) == 1 and "refused" in shown[0] and "lead" in shown[0]
    assert "Traceback" not in shown[0]
    with open_project(team.owner) as p, p.read() as s:
        assert s.execute(select(CODE.c.name).where(CODE.c.id == police)).scalar() == "Police fear"
    assert panel.nodes[police].name == "Police fear"
    assert not ana.session.stack.can_undo


@pytest.mark.postgres
def test_a_conflicting_rename_from_two_windows_keeps_both(
    open_as, qtbot, team: Team, shown: list[str]
) -> None:
    lena, omar = open_as("lena"), open_as("omar")
    police = _code_id(lena, "Police fear")
    assert lena.codes.actions_by_name["rename"].isEnabled() and "· lead" in lena.windowTitle()
    version = omar.codes.nodes[police].version
    assert lena.codes.nodes[police].version == version
    # both began from the same version; lena saves first, omar second (before any poll)
    lena.codes.model.setData(lena.codes.model.index_of(police), "Police worries")
    omar.codes.model.setData(omar.codes.model.index_of(police), "Fear of police")
    assert len(shown) == 1 and "changed by someone else" in shown[0]
    assert "Fear of police" in shown[0] and "memo" in shown[0]
    with open_project(team.owner) as p, p.read() as s:
        name = s.execute(select(CODE.c.name).where(CODE.c.id == police)).scalar()
        memos = s.execute(select(MEMO.c.text).where(MEMO.c.code_id == police)).scalars().all()
    assert name == "Police worries"  # theirs stays ...
    assert any("Fear of police" in m for m in memos)  # ... and ours is kept
    assert omar.codes.nodes[police].name == "Police worries"  # omar's codebook shows theirs
    assert omar.codes.nodes[police].version == version + 1
    assert lena.session.stack.undo_label == "Rename code"
    # omar's next rename starts from what he now sees and goes through
    omar.codes.model.setData(omar.codes.model.index_of(police), "Fear of police")
    assert len(shown) == 1
    qtbot.waitUntil(lambda: lena.codes.nodes[police].name == "Fear of police", timeout=5000)


@pytest.mark.postgres
def test_the_password_is_asked_for_never_saved(
    qtbot, team: Team, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answers: list[str | None] = []

    def ask(self: Controller, label: str, message: str) -> str | None:
        asked.append(f"{label}: {message}")
        return answers.pop(0)

    monkeypatch.setattr(Controller, "ask_password", ask)
    controller = Controller("nobody")
    try:
        # a wrong password: asked again, saying so; cancelling opens nothing and raises nothing
        answers[:] = [None]
        assert not controller.open(team.urls["ana"], password="not-the-password")
        assert controller.window is None and shown == []
        assert "did not accept the password" in asked[-1] and team.logins["ana"] in asked[-1]
        # no password anywhere: asked once; the right one opens the project
        answers[:] = ["wrong again", team.passwords["ana"]]
        assert controller.open(team.urls["ana"])
        assert "asks for the password" in asked[-2] and "did not accept" in asked[-1]
        first = controller.window
        assert first is not None and first.session.coder_name == "ana"
        qtbot.addWidget(first)
        qtbot.waitUntil(lambda: first.document is not None, timeout=5000)
        # File › Open server project…: the dialog, filled in from the last server, a password
        dialog = open_server_dialog(first)
        assert dialog.login.text() == team.logins["ana"]
        dialog.url_edit.setText(
            make_url(team.urls["ben"])
            .set(password=team.passwords["ben"])
            .render_as_string(hide_password=False)
        )
        dialog.url_edit.textEdited.emit(dialog.url_edit.text())  # as if pasted
        assert dialog.login.text() == team.logins["ben"]
        assert dialog.password.text() == team.passwords["ben"]
        assert team.passwords["ben"] not in dialog.url_edit.text()
        dialog.accept()
        assert controller.window is not None and controller.window is not first
        second = controller.window
        qtbot.addWidget(second)
        qtbot.waitUntil(lambda: second.document is not None, timeout=5000)
        assert second.session.coder_name == "ben"
        assert "· coder" in second.windowTitle()
        assert len(asked) == 3  # the dialog's password was used without asking
        # File › Open recent lists the servers by login and address, and asks again
        menu = QMenu()
        fill_recent(second, menu)
        ben_entry, ana_entry = menu.actions()[:2]
        assert ben_entry.text() == f"{ServerAddress.parse(team.urls['ben'])[0].label} (server)"
        assert ben_entry.isEnabled() and ana_entry.isEnabled()
        answers[:] = [team.passwords["ana"]]
        ana_entry.trigger()
        assert "asks for the password" in asked[-1] and len(asked) == 4
        third = controller.window
        assert third is not second and third.session.coder_name == "ana"
        qtbot.addWidget(third)
        qtbot.waitUntil(lambda: third.document is not None, timeout=5000)
    finally:
        if controller.window is not None:
            controller.window.close()
            controller.close()
    settings().sync()
    stored = (Path(os.environ["QUALBENCH_SETTINGS_DIR"]) / "qualbench.ini").read_text()
    for name in ("ana", "ben"):
        assert team.passwords[name] not in stored
        assert team.logins[name] in stored
    assert "not-the-password" not in stored and "wrong again" not in stored
    assert recent_projects()[:2] == [team.urls["ana"], team.urls["ben"]]
    assert all(make_url(u).password is None for u in recent_projects())
    assert shown == []


@pytest.mark.postgres
def test_a_login_that_is_not_a_member_is_told_so(team: Team, shown: list[str]) -> None:
    controller = Controller("nobody")
    assert not controller.open(team.owner)  # the database owner: may read, is no member
    assert controller.window is None
    assert len(shown) == 1 and "not a member of this team project" in shown[0]
    assert "postgres" in shown[0] and "Traceback" not in shown[0]


@pytest.mark.postgres
def test_a_dropped_listener_is_noted_and_made_again(
    open_as, qtbot, team: Team, pg_server: PostgresServer, shown: list[str]
) -> None:
    ana, ben = open_as("ana"), open_as("ben")
    assert ana.live is not None
    start = _show_quote_document(ana)
    _show_quote_document(ben)
    with pg_server.admin() as conn:  # the server drops ana's listening connection
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE usename = %s AND query LIKE 'LISTEN%%'",
            (team.logins["ana"],),
        )
    qtbot.waitUntil(lambda: not ana.live.connected, timeout=5000)
    assert "Reconnecting" in ana.server_status.text()
    assert "Lost the connection to the team server" in ana.server_status.toolTip()
    qtbot.waitUntil(lambda: ana.live.connected, timeout=10_000)
    assert "Team server" in ana.server_status.text()
    # ben codes; ana's window shows it through the new listener, her selection kept
    ana.view.select_span(start + 20, start + 40, flash=False)
    housing = _code_id(ben, "Housing")
    ben.view.select_span(start, start + 13, flash=False)
    ben.coding.apply([housing])
    with ben.session.read() as s:
        coding_id = s.execute(
            select(CODING.c.id).where(CODING.c.code_id == housing, CODING.c.start == start)
        ).scalar()
    qtbot.waitUntil(lambda: coding_id in ana.view.coding_ids_at(start + 3), timeout=5000)
    assert ana.view.selected_span() == (start + 20, start + 40)
    assert shown == []


@pytest.mark.postgres
def test_live_updates_spare_a_rename_in_progress_and_a_deleted_code(
    open_as, qtbot, team: Team, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lena, ana, omar = open_as("lena"), open_as("ana"), open_as("omar")
    housing, police = _code_id(lena, "Housing"), _code_id(lena, "Police fear")
    lena.codes.select_codes([housing])
    lena.codes.rename_selected()  # the name editor opens ...
    assert lena.codes.tree.state() == QAbstractItemView.State.EditingState
    start = _show_quote_document(ana)
    ana.view.select_span(start, start + 13, flash=False)
    ana.codes.select_codes([police])
    ana.coding.apply_selected()  # ... another member codes meanwhile ...
    qtbot.waitUntil(lambda: lena.codes._refresh_pending, timeout=5000)
    assert (
        lena.codes.tree.state() == QAbstractItemView.State.EditingState
    )  # ... and the editor stays open until the name is entered
    editor = lena.codes.tree.findChild(QLineEdit)
    editor.setText("Housing and shelter")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not lena.codes._refresh_pending, timeout=5000)
    assert lena.codes.nodes[housing].name == "Housing and shelter"
    assert shown == []
    # the other lead deletes the code ana is looking at: her window follows without a fuss
    omar.codes.select_codes([police])
    monkeypatch.setattr(omar.codes, "confirm", lambda title, text: True)
    omar.codes.delete_selected()
    qtbot.waitUntil(lambda: police not in ana.codes.nodes, timeout=5000)
    assert ana.codes.selected_ids() == [] and not ana.view.coding_ids_at(start + 3)
    assert shown == []


def test_server_addresses_keep_no_password() -> None:
    address, password = ServerAddress.parse(
        "postgres://ana:s3cret@db.example.org:6543/study?sslmode=require"
    )
    assert password == "s3cret"
    assert address == ServerAddress(
        "db.example.org", 6543, "study", "ana", (("sslmode", "require"),)
    )
    assert address.url() == "postgresql+psycopg://ana@db.example.org:6543/study?sslmode=require"
    assert address.label == "ana@db.example.org:6543/study"
    assert "s3cret" not in without_password("postgresql://ana:s3cret@h/db?password=s3cret")
    assert ServerAddress(database="", login="ana").problems() == ["enter the database"]
    with pytest.raises(UserError, match="not a PostgreSQL URL"):
        ServerAddress.parse("mysql://ana@h/db")
    with pytest.raises(UserError, match="not a server URL"):
        ServerAddress.parse("::nonsense::")
