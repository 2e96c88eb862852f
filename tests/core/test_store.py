"""Project files: create, open, refuse what is not ours, one writer, upgrades with a backup."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from qualbench import migrations
from qualbench.db import DOCUMENT
from qualbench.store import APPLICATION_ID, ProjectError, create_project, open_project


def test_new_project_is_sqlite_with_our_application_id_wal_and_foreign_keys(
    project, project_path: Path
) -> None:
    con = sqlite3.connect(project_path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    with project.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert project.info().name == "Test study"


def test_create_refuses_to_overwrite(project, project_path: Path) -> None:
    with pytest.raises(ProjectError, match="already exists"):
        create_project(project_path)


def test_create_in_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        create_project(tmp_path / "nowhere" / "p.qualbench")
    assert not (tmp_path / "nowhere").exists()


def test_reopen_keeps_data(project, project_path: Path) -> None:
    from importers import Transcript
    from qualbench.services.documents import add_transcript

    with project.write() as s:
        add_transcript(s, Transcript(text="P1: hello\nP2: hi", source_name="a.txt"))
    project.close()
    with open_project(project_path) as again, again.read() as s:
        assert s.execute(select(DOCUMENT.c.name)).scalars().all() == ["a"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"just some text, not a database at all" * 10, "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\x00" * 84, "not a QualBench project"),
    ],
)
def test_opening_a_file_that_is_not_a_project(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.qualbench"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message) as info:
        open_project(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content  # untouched


def test_other_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="not a QualBench project"):
        open_project(path)
    assert path.read_bytes() == before


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        open_project(tmp_path / "missing.qualbench")
    with pytest.raises(ProjectError, match="folder"):
        open_project(tmp_path)


def _set_schema(path: Path, version: int) -> None:
    con = sqlite3.connect(path)
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))
    con.commit()
    con.close()


def test_newer_schema_is_refused_with_a_clear_message(project, project_path: Path) -> None:
    project.close()
    _set_schema(project_path, migrations.SCHEMA_VERSION + 1)
    with pytest.raises(ProjectError, match="newer QualBench"):
        open_project(project_path)
    with pytest.raises(ProjectError, match="newer QualBench"):
        open_project(project_path, readonly=True)


def test_upgrade_makes_a_backup_then_runs_the_steps(
    project, project_path: Path, monkeypatch
) -> None:
    """An old project (schema N-1 here, faked) is backed up, then upgraded in one transaction."""
    project.close()
    old = migrations.SCHEMA_VERSION
    _set_schema(project_path, old)
    ran = []

    def step(ops, conn) -> None:
        ops.add_column(
            "document",
            __import__("sqlalchemy").Column("note", __import__("sqlalchemy").Text, nullable=True),
        )
        ran.append(conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar())

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", old + 1)
    monkeypatch.setitem(migrations.STEPS, old + 1, step)
    with open_project(project_path) as p, p.read() as s:
        assert s.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar() == str(
            old + 1
        )
        cols = [r[1] for r in s.execute(text("PRAGMA table_info(document)"))]
        assert "note" in cols
    assert ran == [str(old)]
    backups = list(project_path.parent.glob(f"{project_path.name}.schema{old}-*.bak"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(
        old
    )
    con.close()


def test_failed_upgrade_leaves_the_project_as_it_was(
    project, project_path: Path, monkeypatch
) -> None:
    project.close()
    old = migrations.SCHEMA_VERSION

    def broken(ops, conn) -> None:
        conn.execute(text("UPDATE project SET name='half-upgraded'"))
        raise RuntimeError("step failed")

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", old + 1)
    monkeypatch.setitem(migrations.STEPS, old + 1, broken)
    with pytest.raises(RuntimeError):
        open_project(project_path)
    monkeypatch.undo()
    with open_project(project_path) as p:
        assert p.info().name == "Test study"


def test_readonly_open_does_not_upgrade(project, project_path: Path, monkeypatch) -> None:
    project.close()
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", migrations.SCHEMA_VERSION + 1)
    with pytest.raises(ProjectError, match="older schema"):
        open_project(project_path, readonly=True)


def test_second_writer_is_refused_reader_is_allowed(project, project_path: Path) -> None:
    with pytest.raises(ProjectError, match="open in another QualBench"):
        open_project(project_path)
    with open_project(project_path, readonly=True) as reader:
        assert reader.info().name == "Test study"
        with pytest.raises(ProjectError, match="read-only"), reader.write():
            pass


def test_lock_held_by_another_process_names_it_and_is_released_when_it_dies(
    project_path: Path,
) -> None:
    create_project(project_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from qualbench.store import open_project; "
            f"p=open_project({str(project_path)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(ProjectError, match=f"pid {holder.pid}"):
            open_project(project_path)
    finally:
        holder.kill()  # like a crash: the OS drops the lock
        holder.wait()
    with open_project(project_path) as p:
        assert p.info()


def test_lock_file_is_removed_on_close(project_path: Path) -> None:
    create_project(project_path).close()
    assert not project_path.with_name(project_path.name + "-lock").exists()


def test_tables_exist_for_every_model(project) -> None:
    from sqlalchemy import inspect
    from sqlmodel import SQLModel

    names = set(inspect(project.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= names


def test_project_v1_fixture_opens(tmp_path: Path) -> None:
    """A project file written by schema 1 (kept in tests/data) opens in this version: it is
    backed up, upgraded, and ends with the same schema as a new project."""
    import shutil

    from sqlalchemy import inspect

    src = Path(__file__).resolve().parents[1] / "data" / "project-schema1.qualbench"
    path = tmp_path / "old.qualbench"
    shutil.copy(src, path)
    with open_project(path) as p, p.read() as s:
        assert s.execute(select(DOCUMENT.c.name)).scalars().all() == ["interview"]
        assert s.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar() == str(
            migrations.SCHEMA_VERSION
        )
        upgraded = inspect(p.engine)
        old_shape = _shape(upgraded)
    assert list(tmp_path.glob("old.qualbench.schema1-*.bak"))
    with create_project(tmp_path / "new.qualbench") as fresh:
        assert _shape(inspect(fresh.engine)) == old_shape


def _shape(insp) -> dict[str, tuple]:
    """Tables with their columns (name, type, nullable) and unique constraints."""
    shape = {}
    for name in insp.get_table_names():
        cols = tuple(
            (c["name"], str(c["type"]).split("(")[0], c["nullable"]) for c in insp.get_columns(name)
        )
        uniques = tuple(sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(name)))
        shape[name] = (cols, uniques)
    return shape


def test_reads_nest_inside_reads_and_writes(project) -> None:
    """A query inside another session's block gets its own connection (no nested BEGIN)."""
    with project.read() as s:
        s.execute(select(DOCUMENT.c.id)).all()
        assert project.info().name == "Test study"
    with project.write() as s:
        s.execute(select(DOCUMENT.c.id)).all()
        assert project.info().name == "Test study"
