"""Issue 8: a team project on a real PostgreSQL server: roles enforced by the database,
concurrent coders, change notifications, edit conflicts, a connection lost mid-action."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from qualbench import undo
from qualbench.db import CODE, CODING, MEMO
from qualbench.server import ChangeListener, add_member, enable_team, me, members
from qualbench.services.codes import EditConflict, code_tree, update_code
from qualbench.services.coding import NewCoding, apply_code, bulk_apply, remove_coding
from qualbench.services.memos import add_memo
from qualbench.store import PermissionRefused, Project, ProjectError, create_project, open_project
from tests.core.helpers import make_world

pytestmark = pytest.mark.postgres


@dataclass
class Team:
    owner: str  # the database owner's URL
    urls: dict[str, str]  # member name -> their URL (own login and password)
    ids: dict[str, int]  # member name -> coder id
    doc: int
    police: int
    housing: int


def member_url(owner: str, login: str, password: str) -> str:
    return (
        make_url(owner).set(username=login, password=password).render_as_string(hide_password=False)
    )


@pytest.fixture
def team(pg_project_url: str) -> Team:
    suffix = secrets.token_hex(3)
    with create_project(pg_project_url, name="Team study") as p:
        w = make_world(p)  # codes, a document, coders 'ana' and 'ben' (no logins yet)
        enable_team(p)
        urls, ids = {}, {}
        for name, role in (("lena", "lead"), ("ana", "coder"), ("ben", "coder")):
            login, password = f"{name}_{suffix}", secrets.token_hex(8)
            m = add_member(p, name=name, login=login, role=role, password=password)
            urls[name], ids[name] = member_url(pg_project_url, login, password), m.coder_id
    return Team(pg_project_url, urls, ids, w.doc, w.police, w.housing)


def as_member(team: Team, name: str) -> Project:
    return open_project(team.urls[name])


def test_members_and_who_am_i(team: Team) -> None:
    with as_member(team, "ana") as p, p.read() as s:
        assert me(s) is not None and me(s).name == "ana" and me(s).role == "coder"  # type: ignore[union-attr]
        assert {(m.name, m.role) for m in members(s)} == {
            ("lena", "lead"), ("ana", "coder"), ("ben", "coder"),
        }  # fmt: skip
    with as_member(team, "lena") as p, p.read() as s:
        assert me(s).role == "lead"  # type: ignore[union-attr]


def test_a_coder_codes_as_themselves_and_nobody_else(team: Team) -> None:
    with as_member(team, "ana") as p:
        with p.write() as s:
            mine, _ = apply_code(
                s,
                document_id=team.doc,
                start=0,
                end=9,
                code_id=team.police,
                coder_id=team.ids["ana"],
            )
        with pytest.raises(PermissionRefused, match="refused"), p.write() as s:
            apply_code(
                s,
                document_id=team.doc,
                start=0,
                end=9,
                code_id=team.police,
                coder_id=team.ids["ben"],
            )
    with as_member(team, "ben") as p:
        with pytest.raises(PermissionRefused), p.write() as s:
            remove_coding(s, mine)
        with p.write() as s:  # the refused delete is invisible: ana's coding still there
            assert s.execute(select(func.count()).select_from(CODING)).scalar() == 1
        with pytest.raises(PermissionRefused), p.write() as s:
            add_memo(s, target="code", target_id=team.police, text="x", coder_id=team.ids["ana"])
        with p.write() as s:
            add_memo(s, target="code", target_id=team.police, text="mine", coder_id=team.ids["ben"])


def test_only_the_lead_changes_the_codebook(team: Team) -> None:
    with as_member(team, "ana") as p:
        with pytest.raises(PermissionRefused, match="codebook"), p.write() as s:
            update_code(s, team.police, name="Fear of police")
        with pytest.raises(PermissionRefused), p.write() as s:
            s.execute(text("DELETE FROM document"))
    with as_member(team, "lena") as p:
        with p.write() as s:
            update_code(s, team.police, name="Fear of police")
        with p.write() as s:  # the lead may also correct a coder's coding
            cid, _ = apply_code(
                s,
                document_id=team.doc,
                start=0,
                end=9,
                code_id=team.police,
                coder_id=team.ids["ben"],
            )
            remove_coding(s, cid)
    with as_member(team, "ana") as p, p.read() as s:
        assert s.execute(select(CODE.c.name).where(CODE.c.id == team.police)).scalar() == (
            "Fear of police"
        )


def test_concurrent_coders_lose_and_duplicate_nothing(team: Team) -> None:
    per_coder = 60
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with as_member(team, name) as p:
                for i in range(per_coder):
                    with p.write() as s:  # one action, one transaction, as the app does
                        apply_code(
                            s, document_id=team.doc, start=i, end=i + 5,
                            code_id=team.police if i % 2 else team.housing,
                            coder_id=team.ids[name],
                        )  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("ana", "ben", "lena")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_project(team.owner) as p, p.read() as s:
        rows = s.execute(select(CODING.c.coder_id, func.count()).group_by(CODING.c.coder_id)).all()
    assert dict(rows) == {team.ids[n]: per_coder for n in ("ana", "ben", "lena")}


def test_others_see_changes_through_notifications(team: Team) -> None:
    listener = ChangeListener(team.urls["ben"])
    try:
        assert listener.poll() == set()
        with as_member(team, "ana") as p, p.write() as s:
            apply_code(
                s,
                document_id=team.doc,
                start=0,
                end=9,
                code_id=team.police,
                coder_id=team.ids["ana"],
            )
        deadline = time.monotonic() + 5
        seen: set[str] = set()
        while "coding" not in seen and time.monotonic() < deadline:
            seen |= listener.poll(timeout=0.5)
        assert "coding" in seen
    finally:
        listener.close()


def test_a_conflicting_rename_keeps_both_edits(team: Team) -> None:
    with as_member(team, "lena") as p, p.read() as s:
        version = next(n.version for n in code_tree(s) if n.id == team.police)
    # Two editors began from the same version; the first to save wins ...
    with as_member(team, "lena") as p, p.write() as s:
        update_code(s, team.police, expected_version=version, name="Fear of police")
    # ... and the second is refused by the version check, its name kept in a memo
    with as_member(team, "lena") as p:
        stack = undo.CommandStack(p)
        command = undo.update_code(
            team.police, expected_version=version, editor_id=team.ids["lena"], name="Police worries"
        )
        with pytest.raises(EditConflict, match="changed by someone else") as info:
            stack.run(command)
        assert "Police worries" in str(info.value)
        with p.read() as s:
            name = s.execute(select(CODE.c.name).where(CODE.c.id == team.police)).scalar()
            memo = s.execute(select(MEMO.c.text).where(MEMO.c.code_id == team.police)).scalar()
    assert name == "Fear of police" and "Police worries" in str(memo)


def test_a_connection_lost_in_a_bulk_action_leaves_nothing_and_the_next_action_works(
    team: Team,
) -> None:
    def dropped_midway(p: Project) -> None:
        with p.write() as s:
            pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
            codings = [
                NewCoding(team.doc, i, i + 3, team.police, team.ids["ana"]) for i in range(200)
            ]
            bulk_apply(s, codings)
            with open_project(team.owner) as admin, admin.read() as a:  # the server drops us
                a.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            s.execute(text("SELECT 1"))

    with as_member(team, "ana") as p:
        with pytest.raises(ProjectError, match="connection to the database was lost"):
            dropped_midway(p)
        with p.write() as s:  # a fresh connection from the pool
            apply_code(
                s,
                document_id=team.doc,
                start=0,
                end=9,
                code_id=team.police,
                coder_id=team.ids["ana"],
            )
    with open_project(team.owner) as p, p.read() as s:
        assert s.execute(select(func.count()).select_from(CODING)).scalar() == 1


def test_team_features_need_postgresql(project: Project) -> None:
    from qualbench.server import ServerError

    with pytest.raises(ServerError, match="need a PostgreSQL project"):
        enable_team(project)


def test_a_wrong_password_asks_for_one(team: Team) -> None:
    from qualbench.store import PasswordNeeded

    wrong = make_url(team.urls["ana"]).set(password="not-it").render_as_string(hide_password=False)
    with pytest.raises(PasswordNeeded, match="refused the login") as info:
        open_project(wrong)
    assert "not-it" not in str(info.value)
    right = make_url(team.urls["ana"]).password
    no_password = (
        make_url(team.urls["ana"]).set(password=None).render_as_string(hide_password=False)
    )
    with open_project(no_password, password=str(right)) as p, p.read() as s:
        assert me(s).name == "ana"  # type: ignore[union-attr]


def test_schema_4_upgrades_to_5_on_postgresql(pg_project_url: str) -> None:
    from tests.core.test_quotes_schema import _shape

    create_project(pg_project_url).close()
    with open_project(pg_project_url) as p:
        expected = _shape(p.engine)
        with p.engine.begin() as conn:
            conn.execute(text("ALTER TABLE coder DROP COLUMN login"))
            conn.execute(text("ALTER TABLE code DROP COLUMN version"))
            conn.execute(text("UPDATE meta SET value = '4' WHERE key = 'schema_version'"))
    with open_project(pg_project_url) as p:
        assert _shape(p.engine) == expected
        with p.read() as s:
            assert (
                s.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar() == "5"
            )


def test_a_coder_merges_their_own_offline_work_only(team: Team, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qualbench.merge import merge_many
    from qualbench.server_copy import checkout
    from qualbench.services.codes import create_code

    with as_member(team, "ben") as p, p.write() as s:  # ben's coding is on the server
        apply_code(
            s, document_id=team.doc, start=0, end=9, code_id=team.police, coder_id=team.ids["ben"]
        )
    laptop = tmp_path / "laptop.qualbench"
    checkout(team.urls["ana"], laptop)
    with open_project(laptop) as offline, offline.write() as s:  # coding on the train
        apply_code(
            s, document_id=team.doc, start=10, end=20, code_id=team.police, coder_id=team.ids["ana"]
        )
        apply_code(
            s,
            document_id=team.doc,
            start=30,
            end=40,
            code_id=team.housing,
            coder_id=team.ids["ana"],
        )
        mine, _ = create_code(s, name="Train thoughts")  # only the lead may add codes
        apply_code(
            s, document_id=team.doc, start=50, end=60, code_id=mine, coder_id=team.ids["ana"]
        )
    with as_member(team, "ana") as p:
        (report,) = merge_many(p, [laptop])
        (again,) = merge_many(p, [laptop])
        with p.read() as s:
            rows = s.execute(select(CODING.c.coder_id, CODING.c.start)).all()
    assert report.codings_added == 2 and again.codings_added == 0
    assert sorted(rows) == sorted(
        [(team.ids["ben"], 0), (team.ids["ana"], 10), (team.ids["ana"], 30)]
    )
    assert any("only its lead can add" in r for r in report.rejected)
    assert any("other coders left out" in r for r in report.rejected)


def test_an_undone_rename_is_a_new_edit_for_the_version_check(team: Team) -> None:
    with as_member(team, "lena") as p:
        with p.read() as s:
            before = next(n.version for n in code_tree(s) if n.id == team.police)
        stack = undo.CommandStack(p)
        stack.run(undo.update_code(team.police, name="Fear of police"))
        stack.undo()  # the name is back, the version is not
        with p.read() as s:
            node = next(n for n in code_tree(s) if n.id == team.police)
        assert node.name == "Police fear" and node.version > before + 1
        with pytest.raises(EditConflict), p.write() as s:  # an edit begun before the undo
            update_code(s, team.police, expected_version=before + 1, name="Stale")
        stack.redo()
        with p.read() as s:
            assert next(n.name for n in code_tree(s) if n.id == team.police) == "Fear of police"
