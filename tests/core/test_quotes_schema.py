"""Schema 3 (the quote basket, names to replace): upgrades from the schema-1 file and from
schema 2 keep every row, end in the shape of a new project, and work on PostgreSQL too."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from qualbench import migrations, undo
from qualbench.db import CODING, DOCUMENT, NAME_REPLACEMENT, QUOTE
from qualbench.exports.quotes import printed_quotes
from qualbench.pseudonyms import project_pseudonymiser
from qualbench.quotes import basket, citation, citation_template
from qualbench.store import Project, create_project, open_project
from tests.core.helpers import INTERVIEW, make_world, span

SCHEMA1 = Path(__file__).resolve().parents[1] / "data" / "project-schema1.qualbench"
NEW_TABLES = ("quote", "name_replacement")
LATER_TABLES = ("text_analysis", "suggestion")  # schema 4, dropped with them below


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    data = {t: sorted(map(repr, con.execute(f'select * from "{t}"'))) for t in tables}
    con.close()
    return data


def _shape(engine: Any) -> dict[str, Any]:
    """Columns (name, type, nullable), unique constraints, indexes and foreign keys."""
    insp = inspect(engine)
    out = {}
    for name in insp.get_table_names():
        cols = tuple(
            (c["name"], str(c["type"]).split("(")[0], c["nullable"]) for c in insp.get_columns(name)
        )
        uniques = sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(name))
        indexes = sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(name))
        fks = sorted(
            (tuple(f["constrained_columns"]), f["referred_table"], f["options"].get("ondelete"))
            for f in insp.get_foreign_keys(name)
        )
        out[name] = (cols, uniques, indexes, fks)
    return out


def _use_the_basket(project: Project) -> None:
    """Add a quote, a name and a citation, as one would after the upgrade, and undo one."""
    with project.read() as s:
        doc = s.execute(select(DOCUMENT.c.id)).scalars().first()
        coding = s.execute(select(CODING.c.id)).scalars().first()
    stack = undo.CommandStack(project)
    if coding is not None:
        stack.run(undo.add_quote(coding_id=coding))
    else:
        stack.run(undo.add_quote(document_id=doc, start=0, end=5, force=True))
    stack.run(undo.set_name("Marat", "KZ-P1"))
    stack.run(undo.set_citation_template("({participant}, {document})"))
    with project.read() as s:
        assert len(basket(s)) == 1 and citation_template(s) == "({participant}, {document})"
    stack.undo()
    stack.undo()
    stack.undo()
    with project.read() as s:
        assert basket(s) == [] and s.execute(select(NAME_REPLACEMENT)).first() is None


def test_schema1_file_upgrades_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.qualbench"
    shutil.copy(SCHEMA1, path)
    before = _dump(path)
    with open_project(path) as p:
        with p.read() as s:
            version = s.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar()
        assert version == str(migrations.SCHEMA_VERSION) == "5"
        upgraded = _shape(p.engine)
    after = _dump(path)
    assert {t for t in after if t not in before} == {"decision", *NEW_TABLES, *LATER_TABLES}
    added = {"coder": ", None)", "code": ", 1)"}  # schema 5: coder.login, code.version
    for table, rows in before.items():
        if table != "meta":
            kept = sorted(r.removesuffix(added.get(table, ")")) + ")" for r in after[table])
            assert kept == rows or after[table] == rows, table
    assert after["quote"] == after["name_replacement"] == []
    (backup,) = tmp_path.glob("old.qualbench.schema1-*.bak")
    assert _dump(backup) == before  # the backup is the file as it was
    with create_project(tmp_path / "new.qualbench") as fresh:
        assert _shape(fresh.engine) == upgraded
    with open_project(path) as p:
        _use_the_basket(p)


def test_schema2_project_upgrades_to_3(project: Project, project_path: Path) -> None:
    """A schema-2 project (a new one with the schema-3 tables taken away) gains the basket."""
    w = make_world(project)
    with project.write() as s:
        from qualbench.services.coding import apply_code

        a, b = span(INTERVIEW, "The police stopped me twice the first week.")
        apply_code(s, document_id=w.doc, start=a, end=b, code_id=w.police, coder_id=w.coder)
    expected = _shape(project.engine)
    project.close()
    con = sqlite3.connect(project_path)
    for table in (*NEW_TABLES, *LATER_TABLES):
        con.execute(f'DROP TABLE "{table}"')
    con.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    con.commit()
    con.close()
    before = _dump(project_path)
    with open_project(project_path) as p:
        assert _shape(p.engine) == expected
        _use_the_basket(p)
    after = _dump(project_path)
    assert all(after[t] == rows for t, rows in before.items() if t != "meta")
    assert list(project_path.parent.glob(f"{project_path.name}.schema2-*.bak"))


def test_a_new_project_has_the_basket_tables(project: Project) -> None:
    shape = _shape(project.engine)
    cols = [c[0] for c in shape["quote"][0]]
    assert cols == [
        "id", "uuid", "document_id", "start", "end", "coding_uuid", "display_text", "section",
        "note", "position", "created", "modified",
    ]  # fmt: skip
    assert ("ix_quote_document", ("document_id",)) in shape["quote"][2]
    assert ((("document_id",), "document", "CASCADE")) in shape["quote"][3]
    assert ("match_key",) in shape["name_replacement"][1]


def test_deleting_a_document_takes_its_quotes(project: Project) -> None:
    w = make_world(project)
    with project.write() as s:
        from qualbench.quotes import add_quote

        a, b = span(INTERVIEW, "I showed my cousin how to use it.")
        add_quote(s, document_id=w.doc, start=a, end=b)
        s.execute(DOCUMENT.delete().where(DOCUMENT.c.id == w.doc))
        assert s.execute(select(QUOTE)).first() is None


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_upgrade_from_schema2_matches_a_new_project(
    pg_project_url: str, tmp_path: Path
) -> None:
    create_project(pg_project_url).close()
    with open_project(pg_project_url) as p:
        expected = _shape(p.engine)
        with p.engine.begin() as conn:
            for table in (*NEW_TABLES, *LATER_TABLES):
                conn.execute(text(f'DROP TABLE "{table}"'))
            conn.execute(text("UPDATE meta SET value='2' WHERE key='schema_version'"))
    with open_project(pg_project_url) as p:
        assert _shape(p.engine) == expected
        with p.read() as s:
            assert s.execute(
                text("SELECT value FROM meta WHERE key='schema_version'")
            ).scalar() == str(migrations.SCHEMA_VERSION)


def _scenario(project: Project) -> dict[str, Any]:
    """The same basket work on any engine; what the exports would print."""
    from qualbench.services.codes import resolve_code

    with project.read() as s:
        police = resolve_code(s, "Police fear")
        codings = s.execute(
            select(CODING.c.id)
            .where(CODING.c.code_id == police)
            .order_by(CODING.c.document_id, CODING.c.start, CODING.c.end, CODING.c.uuid)
        ).scalars()
        first, second = list(codings)[:2]
    stack = undo.CommandStack(project)
    stack.run(undo.add_quote(coding_id=first))
    stack.run(undo.add_quote(coding_id=second, section="Stops"))
    with project.read() as s:
        ids = [i.id for i in basket(s)]
        words = basket(s)[0].original.split()
    stack.run(undo.edit_quote(ids[0], display=" ".join(words[:2]) + " [...]"))
    stack.run(undo.move_quote(ids[1], 0))
    stack.run(undo.set_name("police", "[officers]"))
    stack.run(undo.set_citation_template("({participant}, {gender}, {age_group}, {site})"))
    stack.undo()
    stack.redo()
    with project.read() as s:
        items = basket(s)
        printed = printed_quotes(
            items, citation=citation(s), pseudonymiser=project_pseudonymiser(s)
        )
    return {
        "quotes": [(q.item.number, q.item.section, q.text, q.citation) for q in printed],
        "faithful": [i.fidelity.faithful for i in items],
        "linked": [i.coding_id is not None for i in items],
    }


@pytest.mark.postgres
def test_basket_on_postgres_matches_sqlite(pg_sample_url: str, sample: Project) -> None:
    with open_project(pg_sample_url) as pg:
        on_pg = _scenario(pg)
    on_sqlite = _scenario(sample)
    assert on_pg == on_sqlite
    assert on_pg["faithful"] == [True, True] and on_pg["linked"] == [True, True]
    assert [q[1] for q in on_pg["quotes"]] == ["Stops", "Police fear"]
    assert all("police" not in q[2].casefold() for q in on_pg["quotes"])
