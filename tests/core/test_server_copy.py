"""Issue 8: a project moves between a local file and a team server with every row intact: round
trip file -> PostgreSQL -> file, publish (ids continue after the copied ones), cancel and errors
leave nothing, checkout -> offline coding -> merge back into the server project."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select, text, update
from sqlalchemy.engine import make_url

from importers import Transcript
from importers.speakers import find_turns
from qualbench.cli import main
from qualbench.db import (
    CODE,
    CODER,
    CODING,
    DECISION,
    DOCUMENT,
    MEMO,
    META,
    NAME_REPLACEMENT,
    QUOTE,
    SUGGESTION,
    TEXT_ANALYSIS,
)
from qualbench.merge import merge_many
from qualbench.model import new_uuid, utcnow
from qualbench.nlp.cache import analyse_project
from qualbench.progress import Cancelled
from qualbench.server import ServerError, is_team_project, members
from qualbench.server_copy import checkout, copy_project, publish, tables
from qualbench.services.codes import create_code
from qualbench.services.coding import apply_code
from qualbench.services.documents import add_transcript
from qualbench.services.memos import add_memo
from qualbench.store import Project, ProjectError, open_project
from tests.core.helpers import INTERVIEW

pytestmark = pytest.mark.postgres

ANA, BEN = 1, 2  # the sample's coders


def dump(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order, as the model's values."""
    with project.read() as s:
        return {
            t.name: [tuple(r) for r in s.execute(select(t).order_by(*t.primary_key.columns))]
            for t in tables()
        }


def enrich(project: Project) -> None:
    """Give the sample a row in every table: analysis (bytes), quotes, names, decisions,
    suggestions, a coding across two participants, a child code older than its parent, a
    coder's login and a meta entry of its own."""
    assert analyse_project(project).analysed == 6
    with project.write() as s:
        now = utcnow()
        s.execute(
            NAME_REPLACEMENT.insert().values(
                uuid=new_uuid(), name="Maria", match_key="maria", replacement="P1", created=now
            )
        )
        s.execute(
            QUOTE.insert().values(
                uuid=new_uuid(), document_id=1, start=300, end=340, coding_uuid=None,
                display_text="[...] a quote", section="Results", note="", position=0,
                created=now, modified=now,
            )
        )  # fmt: skip
        s.execute(
            DECISION.insert().values(
                uuid=new_uuid(), document_id=1, start=280, end=526, code_id=2,
                consensus_coder_id=BEN, chosen_json="[1]", decided_by=ANA, created=now,
            )
        )  # fmt: skip
        s.execute(
            SUGGESTION.insert().values(
                uuid=new_uuid(), document_id=1, start=300, end=320, code_id=3, coder_id=ANA,
                rule_kind="keyword", rule="keyword 'loss'", status="pending", created=now,
            )
        )  # fmt: skip
        apply_code(s, document_id=1, start=300, end=560, code_id=3, coder_id=BEN)
        parent, _ = create_code(s, name="Later parent")
        s.execute(update(CODE).where(CODE.c.id == 4).values(parent_id=parent))
        s.execute(update(CODER).where(CODER.c.id == ANA).values(login="ana_login"))
        s.execute(META.insert().values(key="citation_template", value="{document}, {speaker}"))


def counts(project: Project) -> dict[str, int]:
    with project.read() as s:
        return {
            t.name: int(s.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables()
        }


def table_names(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def functions(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(text("SELECT proname FROM pg_proc WHERE proname LIKE 'qualbench%'"))
                .scalars()
                .all()
            )
    finally:
        engine.dispose()


def test_round_trip_file_server_file_keeps_every_row(
    sample: Project, pg_project_url: str, tmp_path: Path
) -> None:
    enrich(sample)
    before = dump(sample)
    assert all(before.values()), [t for t, rows in before.items() if not rows]
    assert before["coding_case"] and before["text_analysis"]
    seen: list[tuple[int, int, str]] = []

    report = copy_project(sample, pg_project_url, progress=lambda *a: seen.append(a))
    expected = counts(sample)
    expected["meta"] -= 2  # schema_version and application: the new project's own
    assert report.rows == expected and report.seconds > 0
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert seen[-1][0] == seen[-1][1] == sum(counts(sample).values())

    with open_project(pg_project_url, readonly=True) as server:
        on_server = dump(server)
    assert on_server == before
    tokens = [r.tokens for r in _analysis(pg_project_url)]
    assert all(isinstance(b, bytes) and b for b in tokens)

    back = tmp_path / "back.qualbench"
    checkout(pg_project_url, back)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("sample")] == [
        "back.qualbench"
    ]
    with open_project(back, readonly=True) as copy:
        assert dump(copy) == before  # ids, uuids, timestamps, bytes, the project row, meta
        assert copy.info().uuid == sample.info().uuid


def _analysis(url: str) -> list[Any]:
    with open_project(url, readonly=True) as p, p.read() as s:
        return list(s.execute(select(TEXT_ANALYSIS)).all())


def test_publish_makes_a_team_project_whose_ids_continue(
    sample: Project, pg_project_url: str
) -> None:
    enrich(sample)
    login = f"lena_{secrets.token_hex(3)}"
    before = counts(sample)
    report = publish(sample.path, pg_project_url, lead="lena", login=login)  # type: ignore[arg-type]
    assert report.lead is not None and report.lead.role == "lead"
    assert report.copy.rows["coding"] == before["coding"]
    with open_project(pg_project_url) as server:
        with server.read() as s:
            assert is_team_project(s)
            assert {(m.name, m.login, m.role) for m in members(s)} == {("lena", login, "lead")}
            # a file's logins mean nothing on a new server: members are added there
            assert s.execute(select(CODER.c.login).where(CODER.c.id == ANA)).scalar() is None
            top = {
                t.name: s.execute(select(func.max(t.c.id))).scalar()
                for t in (DOCUMENT, CODING, MEMO, CODE)
            }
        with server.write() as s:
            doc, _ = add_transcript(
                s, Transcript(text=INTERVIEW, turns=find_turns(INTERVIEW)), name="New"
            )
            coding, _ = apply_code(s, document_id=doc, start=0, end=9, code_id=2, coder_id=ANA)
            memo, _ = add_memo(s, target="coding", target_id=coding, text="new", coder_id=ANA)
            code, _ = create_code(s, name="Brand new")
    assert (doc, coding, memo, code) == (
        top["document"] + 1,
        top["coding"] + 1,
        top["memo"] + 1,
        top["code"] + 1,
    )


def _stop_at(table: str) -> tuple[Any, Any]:
    """progress and cancel callbacks that ask to cancel once ``table`` is being copied."""
    state = {"stop": False}

    def progress(done: int, total: int, status: str) -> None:
        state["stop"] = state["stop"] or status == table

    return progress, lambda: state["stop"]


def test_a_cancelled_copy_leaves_no_file(sample: Project, tmp_path: Path) -> None:
    target = tmp_path / "copy.qualbench"
    progress, cancel = _stop_at("coding")
    with pytest.raises(Cancelled):
        copy_project(sample, target, progress=progress, cancel=cancel)
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("sample")] == []
    copy_project(sample, target)  # the name is free again
    with open_project(target, readonly=True) as copy:
        assert dump(copy) == dump(sample)


def test_a_cancelled_or_failed_copy_leaves_the_database_empty(
    sample: Project, pg_project_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    enrich(sample)
    progress, cancel = _stop_at("memo")
    with pytest.raises(Cancelled):
        copy_project(sample, pg_project_url, progress=progress, cancel=cancel)
    assert table_names(pg_project_url) == []

    def fail(done: int, total: int, status: str) -> None:
        if status == "text_analysis":
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        copy_project(sample, pg_project_url, progress=fail)
    assert table_names(pg_project_url) == []

    progress, cancel = _stop_at("coding")
    with pytest.raises(Cancelled):
        publish(sample.path, pg_project_url, progress=progress, cancel=cancel)  # type: ignore[arg-type]
    assert table_names(pg_project_url) == [] and functions(pg_project_url) == []

    # a failure after the copy and enable_team (here: adding the lead) removes it all
    def refuse(*args: object, **kwargs: object) -> None:
        raise ServerError("no such role")

    monkeypatch.setattr("qualbench.server_copy.add_member", refuse)
    with pytest.raises(ServerError, match="no such role"):
        publish(sample.path, pg_project_url, lead="lena", login="lena")  # type: ignore[arg-type]
    assert table_names(pg_project_url) == [] and functions(pg_project_url) == []
    publish(sample.path, pg_project_url)  # type: ignore[arg-type]
    assert "coding" in table_names(pg_project_url) and functions(pg_project_url)


def test_publishing_into_a_database_with_a_project_is_refused(
    sample: Project, pg_sample_url: str
) -> None:
    password = make_url(pg_sample_url).password
    with open_project(pg_sample_url, readonly=True) as server:
        before = dump(server)
    with pytest.raises(ProjectError, match="already holds a QualBench project") as caught:
        publish(sample.path, pg_sample_url)  # type: ignore[arg-type]
    assert password and password not in str(caught.value)
    with open_project(pg_sample_url, readonly=True) as server:
        assert dump(server) == before
    with pytest.raises(ServerError, match="not a PostgreSQL URL"):
        publish(sample.path, "sqlite:///elsewhere.db")  # type: ignore[arg-type]
    with pytest.raises(ServerError, match="together"):
        publish(sample.path, pg_sample_url, lead="lena")  # type: ignore[arg-type]
    with pytest.raises(ServerError, match="login 'Lena'"):
        publish(sample.path, pg_sample_url, lead="lena", login="Lena")  # type: ignore[arg-type]


def _new_codings(project: Project) -> set[str]:
    with project.read() as s:
        return set(s.execute(select(CODING.c.uuid)).scalars())


def test_checkout_code_offline_and_merge_back_once(
    sample: Project, pg_project_url: str, tmp_path: Path
) -> None:
    login = f"lena_{secrets.token_hex(3)}"
    publish(sample.path, pg_project_url, lead="lena", login=login)  # type: ignore[arg-type]
    offline = tmp_path / "offline.qualbench"
    checkout(pg_project_url, offline)
    with open_project(offline) as copy:
        with copy.read() as s:  # the login stays in the file, where it means nothing
            assert s.execute(select(CODER.c.login).where(CODER.c.name == "lena")).scalar() == login
        known = _new_codings(copy)
        with copy.write() as s:
            a, _ = apply_code(s, document_id=2, start=10, end=60, code_id=3, coder_id=ANA)
            apply_code(s, document_id=1, start=300, end=560, code_id=3, coder_id=ANA)
            offline_code, _ = create_code(s, name="Found offline")
            apply_code(s, document_id=3, start=5, end=25, code_id=offline_code, coder_id=ANA)
            add_memo(s, target="coding", target_id=a, text="why", coder_id=ANA)
        added = _new_codings(copy) - known
    # meanwhile on the server: a new document and coding take the next ids
    with open_project(pg_project_url) as server:
        with server.write() as s:
            doc, _ = add_transcript(
                s, Transcript(text=INTERVIEW, turns=find_turns(INTERVIEW)), name="Server only"
            )
            apply_code(s, document_id=doc, start=0, end=9, code_id=2, coder_id=BEN)
        on_server = _new_codings(server)
        n_case = counts(server)["coding_case"]

        first = merge_many(server, [offline])
        assert first[0].codings_added == 3 and first[0].memos_added == 1
        assert [c.path for c in first[0].codes if c.how == "new"] == ["Found offline"]
        assert _new_codings(server) == on_server | added
        assert counts(server)["coding_case"] == n_case + 1  # the coding across two participants
        after = dump(server)

        second = merge_many(server, [offline])
        assert second[0].codings_added == 0 and second[0].memos_added == 0
        assert second[0].codings_present == len(known) + 3
        assert dump(server) == after


def test_cli_publish_and_checkout(
    sample: Project, pg_project_url: str, tmp_path: Path, capsys
) -> None:
    password = make_url(pg_project_url).password
    assert password
    login = f"lena_{secrets.token_hex(3)}"
    code = main(
        ["server", "publish", str(sample.path), pg_project_url, "--lead", "lena", "--login", login]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "copied" in out and "138 coding" in out and login in out and password not in out + err

    code = main(["server", "publish", str(sample.path), pg_project_url])
    out, err = capsys.readouterr()
    assert code == 4 and "already holds a QualBench project" in err
    assert password not in err and "Traceback" not in err and err.count("\n") == 1

    copy = tmp_path / "copy.qualbench"
    code = main(["server", "checkout", pg_project_url, str(copy)])
    out, err = capsys.readouterr()
    assert code == 0 and copy.exists() and password not in out + err
    code = main(["server", "checkout", pg_project_url, str(copy)])
    out, err = capsys.readouterr()
    assert code == 4 and f"{copy}: already exists" in err

    code = main(["server", "publish", str(sample.path), pg_project_url, "--lead", "lena"])
    assert code == 2 and "together" in capsys.readouterr().err

    missing = tmp_path / "missing.qualbench"
    code = main(["server", "publish", str(missing), pg_project_url])
    out, err = capsys.readouterr()
    assert code == 4 and f"{missing}: does not exist" in err


def test_publish_upgrades_an_older_project_file_first(tmp_path: Path, pg_project_url: str) -> None:
    old = tmp_path / "old.qualbench"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "project-schema1.qualbench", old)
    report = publish(old, pg_project_url)
    assert report.copy.rows["document"] > 0
    assert list(tmp_path.glob("old.qualbench.schema1-*.bak"))  # upgraded in place, backed up
    with open_project(old, readonly=True) as upgraded, open_project(pg_project_url) as server:
        assert dump(server) == dump(upgraded)


def test_cli_with_a_wrong_password_says_so(
    sample: Project, pg_project_url: str, tmp_path: Path, capsys
) -> None:
    wrong = make_url(pg_project_url).set(password="not-it").render_as_string(hide_password=False)
    code = main(["server", "publish", str(sample.path), wrong])
    _, err = capsys.readouterr()
    assert code == 4 and "password authentication failed" in err and err.count("\n") == 1
    assert "not-it" not in err and table_names(pg_project_url) == []
    code = main(["server", "checkout", wrong, str(tmp_path / "copy.qualbench")])
    _, err = capsys.readouterr()
    assert code == 4 and "refused the login" in err and err.count("\n") == 1
    assert "not-it" not in err and not (tmp_path / "copy.qualbench").exists()
