"""The same core on PostgreSQL: schema, the sample's reports, undo, constraints, open/create errors.

Every test runs against a real, throwaway PostgreSQL server (see ``pg_server.py``); where an
outcome can be compared, the same steps run on an SQLite project too and the results must be equal.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, create_engine, delete, func, inspect, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from qualbench import migrations, reports, undo
from qualbench.codings_csv import export_codings
from qualbench.db import (
    CASE_VALUE,
    CASES,
    CODE,
    CODER,
    CODING,
    CODING_CASE,
    DOCUMENT,
    DOCUMENT_VALUE,
    MEMO,
    TURN,
)
from qualbench.services.cases import values_of
from qualbench.services.codes import create_code, resolve_code
from qualbench.services.coding import (
    NewCoding,
    apply_code,
    bulk_apply,
    get_or_create_coder,
    resolve_coder,
)
from qualbench.services.documents import import_files, resolve_document
from qualbench.store import Project, ProjectError, create_project, open_project
from tests.core import pg_server as server_module

pytestmark = pytest.mark.postgres

ALL_TABLES = sorted(SQLModel.metadata.tables)
META = SQLModel.metadata.tables["meta"]
NALOXONE = "Naloxone carrying and use"
CARRYING = f"{NALOXONE} > Carrying naloxone"
ADMINISTERING = f"{NALOXONE} > Administering naloxone"
ACCESS = f"{NALOXONE} > Access to naloxone"
RELEASE = "Release-from-prison risks"


# --- helpers -----------------------------------------------------------------------------------


def _rows(project: Project, table: Table) -> list[dict[str, Any]]:
    """Every row of a table as a dict, in primary-key order."""
    with project.read() as s:
        return [
            dict(r._mapping) for r in s.execute(select(table).order_by(*table.primary_key.columns))
        ]


def _state(project: Project) -> dict[str, list[dict[str, Any]]]:
    """What undo must restore exactly (ids, uuids and timestamps included)."""
    return {t.name: _rows(project, t) for t in (CODE, CODING, CODING_CASE, MEMO)}


def _count(project: Project, table: Table, where: Any = None) -> int:
    q = select(func.count()).select_from(table)
    if where is not None:
        q = q.where(where)
    with project.read() as s:
        return int(s.execute(q).scalar_one())


def _code(project: Project, path: str) -> int:
    with project.read() as s:
        return resolve_code(s, path)


def _codings_of(project: Project, path: str) -> int:
    return _count(project, CODING, CODING.c.code_id == _code(project, path))


def _theme(project: Project, by: str, *, rollup: bool = False) -> dict[str, Any]:
    """A theme table as plain data, without database ids."""
    with project.read() as s:
        table = dataclasses.asdict(reports.theme_table(s, by=by, rollup=rollup))
    for row in table["rows"]:
        del row["code_id"]
    return table


def _totals(project: Project) -> dict[str, int]:
    """Codings per code path (without sub-codes)."""
    return {r["path"]: r["total"]["codings"] for r in _theme(project, "document")["rows"]}


def _excerpts(project: Project) -> list[dict[str, Any]]:
    """Excerpts without database ids, uuids and creation times (which differ between builds)."""
    with project.read() as s:
        found = reports.excerpts(s)
    drop = {"coding_id", "coding_uuid", "code_id", "created"}
    return [{k: v for k, v in dataclasses.asdict(e).items() if k not in drop} for e in found]


# --- create and open ---------------------------------------------------------------------------


def test_create_project_on_postgres_and_reopen(pg_project_url: str) -> None:
    with create_project(pg_project_url, name="Team study", language="de") as project:
        assert project.dialect == "postgresql"
        assert project.path is None
        created = project.info()
        assert (created.name, created.language) == ("Team study", "de")
        assert {r["key"]: r["value"] for r in _rows(project, META)} == {
            "application": "qualbench",
            "schema_version": str(migrations.SCHEMA_VERSION),
        }
        password = project.engine.url.password
        assert password
        assert password not in project.label
    with open_project(pg_project_url) as project:
        info = project.info()
        assert (info.uuid, info.name, info.language) == (created.uuid, "Team study", "de")
        assert info.created == created.created
        assert info.created.utcoffset() == dt.timedelta(0)


def test_schema_matches_the_models(pg_project_url: str) -> None:
    """Every table, column (type, nullability), key, index and constraint of the models is there."""
    create_project(pg_project_url).close()
    with open_project(pg_project_url) as project:
        db = inspect(project.engine)
        dialect = postgresql.dialect()
        assert sorted(db.get_table_names()) == ALL_TABLES
        for name, table in SQLModel.metadata.tables.items():
            columns = {c["name"]: c for c in db.get_columns(name)}
            assert set(columns) == set(table.columns.keys()), name
            for col in table.columns:
                found = columns[col.name]
                assert found["type"].compile(dialect) == col.type.compile(dialect), (
                    f"{name}.{col.name}"
                )
                assert found["nullable"] == col.nullable, f"{name}.{col.name}"
            assert db.get_pk_constraint(name)["constrained_columns"] == [
                c.name for c in table.primary_key.columns
            ]

            indexes = {i["name"]: i for i in db.get_indexes(name)}
            for index in table.indexes:
                assert index.name in indexes, f"{name}: index {index.name} is missing"
                assert indexes[index.name]["column_names"] == [c.name for c in index.columns]
                assert indexes[index.name]["unique"] == bool(index.unique)

            uniques = {tuple(u["column_names"]) for u in db.get_unique_constraints(name)}
            model_uniques = {
                tuple(c.name for c in con.columns)
                for con in table.constraints
                if con.__visit_name__ == "unique_constraint"
            }
            assert uniques == model_uniques, name

            named = {u["name"] for u in db.get_unique_constraints(name)} | {
                c["name"] for c in db.get_check_constraints(name)
            }
            for con in table.constraints:
                if isinstance(con.name, str) and con.__visit_name__ in {
                    "unique_constraint",
                    "check_constraint",
                }:
                    assert con.name in named, f"{name}: constraint {con.name} is missing"

            fks = {
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    fk["options"].get("ondelete"),
                )
                for fk in db.get_foreign_keys(name)
            }
            model_fks = {
                (tuple(c.name for c in fk.columns), fk.referred_table.name, fk.ondelete)
                for fk in table.foreign_key_constraints
            }
            assert fks == model_fks, name
        assert len(db.get_indexes("coding")) >= 4  # the two named indexes and the two unique keys


def test_open_a_database_without_a_project(pg_project_url: str, pg_url: str) -> None:
    with pytest.raises(ProjectError, match="not a readable QualBench project") as err:
        open_project(pg_project_url)
    assert "127.0.0.1" in str(err.value)
    assert "***" in str(err.value)  # the password is hidden
    with pytest.raises(ProjectError, match="not a readable QualBench project"):
        open_project(pg_url)


def test_open_a_database_of_another_application(pg_project_url: str) -> None:
    """A ``meta`` table that is not ours is refused, and left as it was."""
    engine = create_engine(pg_project_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("CREATE TABLE meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)")
            )
            conn.execute(
                text("INSERT INTO meta VALUES ('application', 'other'), ('schema_version', '1')")
            )
        with pytest.raises(ProjectError, match="is not a QualBench project"):
            open_project(pg_project_url)
        with pytest.raises(ProjectError, match=r"already has tables named like ours \(meta\)"):
            create_project(pg_project_url)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["meta"]
    finally:
        engine.dispose()


def test_create_project_refuses_a_database_that_holds_one(pg_project_url: str) -> None:
    with create_project(pg_project_url, name="First") as project:
        first = project.info().uuid
    with pytest.raises(ProjectError, match="already holds a QualBench project") as err:
        create_project(pg_project_url, name="Second")
    assert "***" in str(err.value)
    with open_project(pg_project_url) as project:
        info = project.info()
        assert (info.uuid, info.name) == (first, "First")
        assert _count(project, META) == 2
        with project.read() as s:
            assert s.execute(text("SELECT count(*) FROM project")).scalar_one() == 1


def test_a_newer_schema_is_refused(pg_project_url: str) -> None:
    with create_project(pg_project_url) as project, project.write() as s:
        s.execute(
            text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
            {"v": str(migrations.SCHEMA_VERSION + 1)},
        )
    with pytest.raises(ProjectError, match="newer QualBench"):
        open_project(pg_project_url)


# --- the sample project on both engines ---------------------------------------------------------


def test_sample_content_matches_sqlite(pg_sample_url: str, sample: Project, tmp_path: Path) -> None:
    with open_project(pg_sample_url) as pg:
        assert pg.dialect == "postgresql"
        assert sample.dialect == "sqlite"
        counts = {t: _count(pg, SQLModel.metadata.tables[t]) for t in ALL_TABLES}
        assert counts == {t: _count(sample, SQLModel.metadata.tables[t]) for t in ALL_TABLES}
        assert (counts["document"], counts["coder"], counts["coding"]) == (6, 2, 138)
        assert counts["cases"] > 0
        assert counts["memo"] > 0
        for scope in ("document", "case"):
            with pg.read() as a, sample.read() as b:
                assert values_of(a, scope=scope) == values_of(b, scope=scope)
                assert values_of(a, scope=scope)
        with pg.read() as s:
            pg_rows = export_codings(s, tmp_path / "pg.csv")
        with sample.read() as s:
            sqlite_rows = export_codings(s, tmp_path / "sqlite.csv")
    assert pg_rows == sqlite_rows == 138

    def without_ids(name: str) -> list[list[str]]:  # the last column is the coding's random uuid
        with (tmp_path / name).open(encoding="utf-8", newline="") as f:
            return [row[:-1] for row in csv.reader(f)]

    assert without_ids("pg.csv") == without_ids("sqlite.csv")


@pytest.mark.parametrize("by", ["document", "document:country", "case:gender"])
@pytest.mark.parametrize("rollup", [False, True], ids=["codes", "rollup"])
def test_theme_tables_match_sqlite(
    pg_sample_url: str, sample: Project, by: str, rollup: bool
) -> None:
    with open_project(pg_sample_url) as pg:
        table = _theme(pg, by, rollup=rollup)
    assert table == _theme(sample, by, rollup=rollup)
    assert len(table["rows"]) == 27
    assert table["columns"]
    codings = sum(cell["codings"] for row in table["rows"] for cell in row["cells"].values())
    if rollup:  # a parent repeats the codings of its sub-codes
        assert codings > 138
    else:
        assert codings == 138


def test_excerpts_match_sqlite(pg_sample_url: str, sample: Project) -> None:
    with open_project(pg_sample_url) as pg:
        found = _excerpts(pg)
    assert len(found) == 138
    assert found == _excerpts(sample)
    assert all(e["text"] and e["document"] for e in found)
    assert sum(1 for e in found if e["memo"]) == 9
    assert any(e["participant_attributes"] for e in found)


# --- undo and redo on PostgreSQL (and the same numbers on SQLite) ------------------------------


def _on_both(pg_sample_url: str, sample: Project, scenario: Callable[[Project], Any]) -> Any:
    """Run a scenario on the PostgreSQL and the SQLite sample; both must observe the same."""
    with open_project(pg_sample_url) as pg:
        seen = scenario(pg)
    assert seen == scenario(sample)
    return seen


def _undo_redo(
    project: Project,
    stack: undo.CommandStack,
    done: dict[str, list[dict[str, Any]]],
    before: dict[str, list[dict[str, Any]]],
) -> None:
    """Undo must give back exactly ``before``, redo exactly ``done``."""
    stack.undo()
    assert _state(project) == before
    assert stack.can_redo
    stack.redo()
    assert _state(project) == done


def _apply_across_turns(project: Project) -> dict[str, Any]:
    stack = undo.CommandStack(project)
    with project.read() as s:
        doc = resolve_document(s, "fg_kazakhstan")
        coder = resolve_coder(s, "ana")
        turns = s.execute(
            select(TURN.c.start, TURN.c.body_start, TURN.c.end)
            .where(TURN.c.document_id == doc)
            .order_by(TURN.c.ordinal)
        ).all()
    code = _code(project, "Gratitude")
    span = (turns[0].end - 20, turns[1].body_start + 10)  # from the first speaker into the second
    before = _state(project)
    stack.run(
        undo.apply_code(
            document_id=doc,
            start=span[0],
            end=span[1],
            code_id=code,
            coder_id=coder,
            memo="Spans two turns",
        )
    )
    done = _state(project)
    new = [r for r in done["coding"] if r not in before["coding"]]
    assert len(new) == 1
    coding = new[0]
    with project.read() as s:
        primary = s.execute(
            select(CASES.c.name).where(CASES.c.id == coding["case_id"])
        ).scalar_one()
        extras = (
            s.execute(
                select(CASES.c.name)
                .join(CODING_CASE, CODING_CASE.c.case_id == CASES.c.id)
                .where(CODING_CASE.c.coding_id == coding["id"])
            )
            .scalars()
            .all()
        )
    assert [m["text"] for m in done["memo"] if m["coding_id"] == coding["id"]] == [
        "Spans two turns"
    ]
    assert stack.undo_label == "Apply code"
    _undo_redo(project, stack, done, before)
    # Redo brings back the same row, uuid included.
    assert _count(project, CODING, CODING.c.uuid == coding["uuid"]) == 1
    return {
        "span": span,
        "primary": primary,
        "extras": extras,
        "gratitude": _codings_of(project, "Gratitude"),
    }


def test_apply_code_across_turns_undo_redo(pg_sample_url: str, sample: Project) -> None:
    seen = _on_both(pg_sample_url, sample, _apply_across_turns)
    assert seen["primary"] == "KZ-MOD"
    assert seen["extras"] == ["KZ-P4"]
    assert seen["gratitude"] == 8


def _remove_with_memo(project: Project) -> dict[str, Any]:
    stack = undo.CommandStack(project)
    with project.read() as s:
        coding_id = s.execute(select(func.min(MEMO.c.coding_id))).scalar_one()
    before = _state(project)
    stack.run(undo.remove_coding(coding_id))
    done = _state(project)
    assert coding_id not in {r["id"] for r in done["coding"]}
    # The coding's memo went with it (ON DELETE CASCADE).
    assert coding_id not in {r["coding_id"] for r in done["memo"]}
    assert len(done["memo"]) == len(before["memo"]) - 1
    _undo_redo(project, stack, done, before)
    stack.undo()
    assert _state(project) == before
    return {"codings": len(done["coding"]), "memos": len(done["memo"])}


def test_remove_coding_with_memo_undo_redo(pg_sample_url: str, sample: Project) -> None:
    assert _on_both(pg_sample_url, sample, _remove_with_memo) == {"codings": 137, "memos": 8}


def _change_span(project: Project) -> dict[str, Any]:
    stack = undo.CommandStack(project)
    with project.read() as s:
        doc = resolve_document(s, "fg_kazakhstan")
        first, second = s.execute(
            select(TURN.c.start, TURN.c.end)
            .where(TURN.c.document_id == doc)
            .order_by(TURN.c.ordinal)
            .limit(2)
        ).all()
        coding = s.execute(
            select(CODING)
            .where(CODING.c.document_id == doc)
            .order_by(CODING.c.start, CODING.c.id)
            .limit(1)
        ).one()
    before = _state(project)
    stack.run(undo.change_span(coding.id, start=first.start, end=second.end))
    done = _state(project)
    changed = next(r for r in done["coding"] if r["id"] == coding.id)
    assert (changed["start"], changed["end"]) == (first.start, second.end)
    # It now reaches a second speaker.
    assert len(done["coding_case"]) == len(before["coding_case"]) + 1
    _undo_redo(project, stack, done, before)
    stack.undo()
    restored = next(r for r in _rows(project, CODING) if r["id"] == coding.id)
    return {
        "from": (coding.start, coding.end),
        "to": (changed["start"], changed["end"]),
        "back": (restored["start"], restored["end"]),
    }


def test_change_span_undo_redo(pg_sample_url: str, sample: Project) -> None:
    seen = _on_both(pg_sample_url, sample, _change_span)
    assert seen["back"] == seen["from"] != seen["to"]


def _merge(project: Project) -> dict[str, Any]:
    stack = undo.CommandStack(project)
    carrying, administering, access = (_code(project, p) for p in (CARRYING, ADMINISTERING, ACCESS))
    with project.read() as s:
        # An overlap for the merge to join: ana codes Carrying over the end of an Access coding.
        target = s.execute(
            select(CODING)
            .where(CODING.c.code_id == access, CODING.c.coder_id == resolve_coder(s, "ana"))
            .order_by(CODING.c.id)
            .limit(1)
        ).one()
    stack.run(
        undo.apply_code(
            document_id=target.document_id,
            start=target.end - 10,
            end=target.end + 40,
            code_id=carrying,
            coder_id=target.coder_id,
        )
    )
    counts = {p: _codings_of(project, p) for p in (CARRYING, ADMINISTERING, ACCESS)}
    before = _state(project)
    stack.run(undo.merge_codes([carrying, administering], access))
    done = _state(project)
    assert {carrying, administering}.isdisjoint(r["id"] for r in done["code"])
    merged = [r for r in done["coding"] if r["code_id"] == access]
    assert len(merged) == sum(counts.values()) - 1  # the overlapping pair became one coding
    assert (target.start, target.end + 40) in {
        (r["start"], r["end"]) for r in merged if r["id"] == target.id
    }
    assert stack.undo_label == "Merge codes"
    _undo_redo(project, stack, done, before)
    totals_after = _totals(project)
    stack.undo()
    assert _state(project) == before
    return {"before": counts, "after": totals_after, "merged": len(merged)}


def test_merge_codes_undo_redo(pg_sample_url: str, sample: Project) -> None:
    seen = _on_both(pg_sample_url, sample, _merge)
    assert seen["before"] == {CARRYING: 7, ADMINISTERING: 8, ACCESS: 4}
    assert seen["merged"] == 18
    assert seen["after"][ACCESS] == 18
    assert CARRYING not in seen["after"]


def _delete_subtree(project: Project) -> dict[str, Any]:
    stack = undo.CommandStack(project)
    release = _code(project, RELEASE)
    subtree = [p for p in _totals(project) if p == RELEASE or p.startswith(RELEASE + " > ")]
    removed = sum(_codings_of(project, p) for p in subtree)
    before = _state(project)
    stack.run(undo.delete_code(release))
    done = _state(project)
    assert len(done["code"]) == len(before["code"]) - len(subtree)
    assert len(done["coding"]) == len(before["coding"]) - removed
    assert not any(p.startswith(RELEASE) for p in _totals(project))
    _undo_redo(project, stack, done, before)
    stack.undo()
    assert _state(project) == before
    # Ids put back by undo must not collide with the ids new rows get (PostgreSQL sequences).
    new_code = stack.run(undo.create_code(name="After undo", parent_id=release))
    (code_id,) = new_code.codes
    assert code_id > max(r["id"] for r in before["code"])
    with project.read() as s:
        doc, coder = resolve_document(s, "fg_ukraine"), resolve_coder(s, "ben")
    coded = stack.run(
        undo.apply_code(document_id=doc, start=0, end=5, code_id=code_id, coder_id=coder)
    )
    assert max(coded.codings) > max(r["id"] for r in before["coding"])
    return {"subtree": len(subtree), "codings": removed}


def test_delete_code_subtree_undo_redo(pg_sample_url: str, sample: Project) -> None:
    assert _on_both(pg_sample_url, sample, _delete_subtree) == {"subtree": 9, "codings": 37}


# --- constraints --------------------------------------------------------------------------------


def _bulk_twice(project: Project) -> tuple[tuple[int, int, int], tuple[int, int, int], int]:
    with project.read() as s:
        existing = s.execute(select(CODING).order_by(CODING.c.id).limit(1)).one()
    same = NewCoding(
        existing.document_id, existing.start, existing.end, existing.code_id, existing.coder_id
    )
    new = dataclasses.replace(same, end=existing.end + 1)
    with project.write() as s:
        first = bulk_apply(s, [same, new, new])
    with project.write() as s:
        second = bulk_apply(s, [new])
    return (
        (first.requested, first.inserted, first.already_present),
        (second.requested, second.inserted, second.already_present),
        _count(project, CODING),
    )


def test_bulk_apply_counts_duplicates_as_already_present(
    pg_sample_url: str, sample: Project
) -> None:
    assert _on_both(pg_sample_url, sample, _bulk_twice) == ((3, 1, 2), (1, 0, 1), 139)


def test_the_database_refuses_a_duplicate_coding(pg_sample_url: str) -> None:
    with open_project(pg_sample_url) as pg:
        row = _rows(pg, CODING)[0]
        copy = {**row, "uuid": "00000000-0000-4000-8000-000000000000"}
        del copy["id"]
        with pytest.raises(IntegrityError, match="ux_coding_span"), pg.write() as s:
            s.execute(CODING.insert().values(**copy))
        assert _count(pg, CODING) == 138


def test_foreign_keys_cascade_restrict_and_set_null(pg_sample_url: str) -> None:
    with open_project(pg_sample_url) as pg:
        coding_id = _rows(pg, MEMO)[0]["coding_id"]
        with pg.read() as s:
            code_id = s.execute(
                select(CODING.c.code_id).where(CODING.c.id == coding_id)
            ).scalar_one()
        n = _count(pg, CODING, CODING.c.code_id == code_id)
        assert n > 0
        with pg.write() as s:  # the database itself, not the service, removes the codings
            s.execute(delete(CODE).where(CODE.c.id == code_id))
        assert _count(pg, CODING, CODING.c.code_id == code_id) == 0
        assert _count(pg, CODING) == 138 - n
        assert _count(pg, MEMO, MEMO.c.coding_id == coding_id) == 0

        release = _code(pg, RELEASE)  # a code with sub-codes: parent_id is RESTRICT
        with pytest.raises(IntegrityError), pg.write() as s:
            s.execute(delete(CODE).where(CODE.c.id == release))
        assert _count(pg, CODE, CODE.c.id == release) == 1

        with pytest.raises(IntegrityError), pg.write() as s:  # a coder with codings: RESTRICT
            s.execute(delete(CODER).where(CODER.c.name == "ana"))
        assert _count(pg, CODER) == 2

        with pg.read() as s:
            case_id = s.execute(
                select(CODING.c.case_id).where(CODING.c.case_id.is_not(None)).limit(1)
            ).scalar_one()
        coded = _count(pg, CODING, CODING.c.case_id == case_id)
        unattributed = _count(pg, CODING, CODING.c.case_id.is_(None))
        with pg.write() as s:  # a participant's codings stay, without the participant
            s.execute(delete(CASES).where(CASES.c.id == case_id))
        assert _count(pg, CODING, CODING.c.case_id == case_id) == 0
        assert _count(pg, CODING, CODING.c.case_id.is_(None)) == unattributed + coded > unattributed
        assert _count(pg, CASE_VALUE, CASE_VALUE.c.case_id == case_id) == 0
        assert _count(pg, TURN, TURN.c.case_id == case_id) == 0

        with pg.read() as s:
            doc = resolve_document(s, "fg_ukraine")
        assert _count(pg, TURN, TURN.c.document_id == doc) > 0
        with pg.write() as s:
            s.execute(delete(DOCUMENT).where(DOCUMENT.c.id == doc))
        for table in (CODING, TURN, DOCUMENT_VALUE):
            assert _count(pg, table, table.c.document_id == doc) == 0, table.name
        assert _count(pg, DOCUMENT) == 5


def test_check_constraints_hold(pg_sample_url: str) -> None:
    with open_project(pg_sample_url) as pg:
        coding_id = _rows(pg, CODING)[0]["id"]
        for values in ({"start": 10, "end": 10}, {"origin": "guessed"}):
            with pytest.raises(IntegrityError), pg.write() as s:
                s.execute(update(CODING).where(CODING.c.id == coding_id).values(**values))
        with pytest.raises(IntegrityError), pg.write() as s:
            s.execute(update(DOCUMENT).values(kind="novel"))
        assert _rows(pg, CODING)[0]["start"] < _rows(pg, CODING)[0]["end"]
        assert {r["kind"] for r in _rows(pg, DOCUMENT)} == {"focus_group", "interview"}


# --- results that must not depend on how the server stores or sorts rows ----------------------


def _touch_codings_of_ana(project: Project) -> list[dict[str, Any]]:
    """Rewrite ana's codings unchanged; PostgreSQL then stores them after ben's."""
    with project.write() as s:
        s.execute(
            update(CODING)
            .where(CODING.c.coder_id == resolve_coder(s, "ana"))
            .values(origin=CODING.c.origin)
        )
    return _excerpts(project)


def test_excerpts_keep_their_order_after_rows_were_rewritten(
    pg_sample_url: str, sample: Project
) -> None:
    """Two coders' codings of one span are listed in the same order on both engines."""
    found = _on_both(pg_sample_url, sample, _touch_codings_of_ana)
    ties = [
        (a["coder"], b["coder"])
        for a, b in itertools.pairwise(found)
        if (a["code_path"], a["document"], a["start"], a["end"])
        == (b["code_path"], b["document"], b["start"], b["end"])
    ]
    assert ties
    assert set(ties) == {("ana", "ben")}


def _two_documents_by_case(project: Project, folder: Path) -> list[str]:
    for name in ("alpha", "Beta", "émile"):
        (folder / f"{name}.txt").write_text(
            f"Interviewer: Why, {name}?\nP1: Because.\n", encoding="utf-8"
        )
        import_files(project, [folder / f"{name}.txt"])
    with project.write() as s:
        code, _ = create_code(s, name="Reasons")
        coder, _ = get_or_create_coder(s, "ana")
        for doc in ("alpha", "Beta", "émile"):
            document_id = resolve_document(s, doc)
            text_ = s.execute(
                select(DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)
            ).scalar_one()
            start = text_.index("Because")
            apply_code(
                s, document_id=document_id, start=start, end=start + 7, code_id=code, coder_id=coder
            )
    with project.read() as s:
        table = reports.theme_table(s, by="case")
    assert sum(cell.codings for cell in table.rows[0].cells.values()) == 3
    return table.columns


def test_theme_columns_by_case_do_not_depend_on_the_server_collation(
    pg_icu_project_url: str, project: Project, tmp_path: Path
) -> None:
    """A team server sorts text by language rules (``alpha`` < ``Beta``); SQLite by code point."""
    (tmp_path / "pg").mkdir()
    (tmp_path / "sqlite").mkdir()
    with create_project(pg_icu_project_url) as pg:
        with pg.read() as s:  # the database really does sort differently
            assert s.execute(text("SELECT 'alpha' < 'Beta'")).scalar_one() is True
        columns = _two_documents_by_case(pg, tmp_path / "pg")
    assert columns == _two_documents_by_case(project, tmp_path / "sqlite")
    assert columns[:2] == ["Beta: Interviewer", "Beta: P1"]


# --- the server fixture itself -------------------------------------------------------------------


def _fake_bindir(folder: Path, tools: tuple[str, ...] = ("initdb", "pg_ctl", "postgres")) -> Path:
    folder.mkdir(parents=True)
    for tool in tools:
        (folder / tool).write_text("#!/bin/sh\n", encoding="utf-8")
        (folder / tool).chmod(0o755)
    return folder


def test_the_newest_installed_postgresql_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("9.6", "16", "10"):
        _fake_bindir(tmp_path / version / "bin")
    _fake_bindir(tmp_path / "17" / "bin", ("initdb", "pg_ctl"))  # incomplete: not a candidate
    monkeypatch.setattr(server_module, "PG_LIB", tmp_path)
    assert server_module.find_bindir() == tmp_path / "16" / "bin"


def test_pg_ctl_on_path_is_used_when_nothing_is_under_usr_lib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "PG_LIB", tmp_path / "none")
    monkeypatch.setenv("PATH", str(_fake_bindir(tmp_path / "bin")))
    assert server_module.find_bindir() == (tmp_path / "bin").resolve()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(server_module.PostgresUnavailable, match="PostgreSQL is not installed"):
        server_module.find_bindir()


def test_the_server_listens_on_localhost_only_with_passwords(
    pg_server: server_module.PostgresServer,
) -> None:
    with pg_server.admin() as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings"
                " WHERE name IN ('listen_addresses', 'fsync', 'unix_socket_directories')"
            ).fetchall()
        )
        methods = {r[0] for r in conn.execute("SELECT auth_method FROM pg_hba_file_rules")}
    assert settings["listen_addresses"] == "127.0.0.1"
    assert settings["fsync"] == "off"
    assert pg_server.root is not None
    assert settings["unix_socket_directories"] == str(pg_server.root / "sock")
    assert methods == {"scram-sha-256"}
    assert pg_server.running


def test_folders_of_killed_runs_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module.tempfile, "tempdir", str(tmp_path))
    old = time.time() - server_module.STALE_AFTER - 60

    def folder(name: str, *, pid: int | None, mtime: float) -> Path:
        path = tmp_path / f"{server_module.FOLDER_PREFIX}{name}"
        (path / "data").mkdir(parents=True)
        if pid is not None:
            (path / "data" / "postmaster.pid").write_text(f"{pid}\n/x\n", encoding="utf-8")
        os.utime(path, (mtime, mtime))
        return path

    ended = subprocess.Popen(["true"])
    ended.wait()  # its pid is now free: a server that is gone
    killed = folder("killed", pid=None, mtime=old)
    crashed = folder("crashed", pid=ended.pid, mtime=old)
    live = folder("live", pid=os.getpid(), mtime=old)
    starting = folder("starting", pid=None, mtime=time.time())
    server_module.remove_stale_folders()
    assert not killed.exists()
    assert not crashed.exists()
    assert live.exists()
    assert starting.exists()


def test_each_test_gets_a_new_database_and_leaves_none_behind(
    pg_server: server_module.PostgresServer, pg_project_url: str
) -> None:
    """Runs after the other tests of this module: only its own database and the sample remain."""
    mine = pg_project_url.rsplit("/", 1)[1]
    left = {name for name in pg_server.databases() if name.startswith("qb_test_")}
    assert left == {mine}
    with create_project(pg_project_url) as project:
        assert _count(project, DOCUMENT) == 0


def test_create_project_refuses_other_tables_and_reports_unreachable_servers(
    pg_project_url: str,
) -> None:
    engine = create_engine(pg_project_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE document (id INTEGER PRIMARY KEY)"))
        with pytest.raises(ProjectError, match=r"tables named like ours \(document\)"):
            create_project(pg_project_url)
    finally:
        engine.dispose()
    with pytest.raises(ProjectError, match="cannot connect"):
        create_project("postgresql+psycopg://nobody@127.0.0.1:1/none")
