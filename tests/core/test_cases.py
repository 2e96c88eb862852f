"""Attribute tables for documents and participants, pseudonyms, and merging participants."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from qualbench.db import CASES, CODING, DOCUMENT
from qualbench.services.attribute_tables import apply_attribute_table
from qualbench.services.cases import AttributeTableError, values_of
from qualbench.services.coding import apply_code
from qualbench.services.documents import import_files


def _import(project, tmp_path: Path) -> None:
    (tmp_path / "kz.txt").write_text(
        "Moderator: hello\nP1: I carry it\nP2: I do not\n", encoding="utf-8"
    )
    (tmp_path / "ua.txt").write_text("Moderator: hi\nP1: always in my bag\n", encoding="utf-8")
    import_files(project, [tmp_path / "kz.txt", tmp_path / "ua.txt"])


def _names(project) -> dict[int, str]:
    with project.read() as s:
        return dict(s.execute(select(CASES.c.id, CASES.c.name)).all())


def test_document_attributes_and_kind(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    table = tmp_path / "docs.csv"
    table.write_text(
        "document;kind;country\nkz;focus group;Kazakhstan\nua.txt;focus group;Ukraine\nzz;interview;Nowhere\n",
        encoding="utf-8",
    )
    with (
        pytest.raises(
            AttributeTableError, match=r"1 row.s. match nothing.*rows 4: no document named 'zz'"
        ),
        project.write() as s,
    ):
        apply_attribute_table(s, table)
    with project.read() as s:
        assert values_of(s, scope="document") == {}
    with project.write() as s:
        report = apply_attribute_table(s, table, allow_unmatched=True)
        values = values_of(s, scope="document")
        kinds = s.execute(select(DOCUMENT.c.name, DOCUMENT.c.kind)).all()
    assert report.scope == "document" and report.rows_applied == 2
    assert report.skipped == ["rows 4: no document named 'zz'"]
    assert sorted(v["country"] for v in values.values()) == ["Kazakhstan", "Ukraine"]
    assert {k for _, k in kinds} == {"focus_group"}


def test_participants_by_document_and_speaker_with_pseudonyms(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    with project.write() as s:
        doc = s.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.name == "kz")).scalar_one()
        speaker_case = s.execute(select(CASES.c.id).where(CASES.c.name == "kz: P1")).scalar_one()
        coder = __import__("qualbench.services.coding", fromlist=["x"]).get_or_create_coder(
            s, "ana"
        )[0]
        code = __import__("qualbench.services.codes", fromlist=["x"]).create_code(
            s, name="Carrying"
        )[0]
        cid, _ = apply_code(s, document_id=doc, start=20, end=30, code_id=code, coder_id=coder)
        assert (
            s.execute(select(CODING.c.case_id).where(CODING.c.id == cid)).scalar() == speaker_case
        )
    table = tmp_path / "people.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["document", "speaker", "pseudonym", "gender", "age"])
    ws.append(["kz", "P1", "Aigul", "woman", 34])
    ws.append(["ua", "P1", "Aigul", "", None])  # the same person in both groups
    ws.append(["kz", "P2", "Bolat", "man", 41])
    wb.save(table)
    with project.write() as s:
        report = apply_attribute_table(s, table)
        values = values_of(s, scope="case")
        aigul = s.execute(select(CASES.c.id).where(CASES.c.name == "Aigul")).scalar_one()
        assert s.execute(select(CODING.c.case_id).where(CODING.c.id == cid)).scalar() == aigul
    names = set(_names(project).values())
    assert {"Aigul", "Bolat", "kz: Moderator", "ua: Moderator"} == names
    assert values[aigul]["gender"] == "woman" and values[aigul]["age"] == "34"
    assert report.renamed == 3


def test_case_column_table(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    table = tmp_path / "c.csv"
    table.write_text("case,role\nkz: Moderator,moderator\nnobody,x\n", encoding="utf-8")
    with project.write() as s:
        report = apply_attribute_table(s, table, allow_unmatched=True)
    assert report.rows_applied == 1 and len(report.skipped) == 1


def test_table_without_key_columns_is_refused(project, tmp_path: Path) -> None:
    table = tmp_path / "bad.csv"
    table.write_text("name,country\nx,y\n", encoding="utf-8")
    with (
        pytest.raises(AttributeTableError, match="needs a 'document' column"),
        project.write() as s,
    ):
        apply_attribute_table(s, table)


def test_bad_kind_rolls_back_the_whole_table(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    table = tmp_path / "docs.csv"
    table.write_text("document,kind,country\nkz,interview,KZ\nua,podcast,UA\n", encoding="utf-8")
    with pytest.raises(AttributeTableError, match="row 3: kind"), project.write() as s:
        apply_attribute_table(s, table)
    with project.read() as s:
        assert values_of(s, scope="document") == {}


def _people(project, tmp_path: Path, rows: str):
    table = tmp_path / "people.csv"
    table.write_text("document,speaker,pseudonym,gender,country\n" + rows, encoding="utf-8")
    with project.write() as s:
        return apply_attribute_table(s, table)


def test_pseudonym_joining_people_who_disagree_is_refused(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    before = _names(project)
    with pytest.raises(AttributeTableError, match=r"would join .* but their gender differs"):
        _people(project, tmp_path, "kz,P1,Marc,man,KZ\nua,P1,Marc,woman,UA\n")
    assert _names(project) == before


def test_pseudonym_joining_people_is_reported(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    report = _people(project, tmp_path, "kz,P1,Aigul,woman,\nua,P1,Aigul,,\n")
    assert report.joined == ["'kz: P1' + 'ua: P1' -> 'Aigul'"]
    # Applying the same sheet again changes nothing and joins nothing new.
    again = _people(project, tmp_path, "kz,P1,Aigul,woman,\nua,P1,Aigul,,\n")
    assert again.renamed == 0


def test_rows_about_one_person_must_agree(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    with pytest.raises(
        AttributeTableError, match="rows 2 and 3 describe the same one but disagree on gender"
    ):
        _people(project, tmp_path, "kz,P1,,man,\nkz,P1,,woman,\n")


def test_attribute_names_follow_existing_spelling(project, tmp_path: Path) -> None:
    _import(project, tmp_path)
    _people(project, tmp_path, "kz,P1,,man,KZ\n")
    table = tmp_path / "more.csv"
    table.write_text("document;speaker;Country\nkz;P2;KZ\n", encoding="utf-8")
    with project.write() as s:
        apply_attribute_table(s, table)
        from qualbench.services.cases import attribute_names

        assert attribute_names(s, scope="case").count("country") == 1
        assert "Country" not in attribute_names(s, scope="case")
