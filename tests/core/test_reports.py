"""Theme-frequency tables and excerpts, checked against counts computed independently."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from sqlalchemy import select

from qualbench.db import CODING
from qualbench.reports import Filters, excerpts, resolve_by, theme_table
from qualbench.sample import data_dir
from qualbench.services.codes import resolve_code
from qualbench.services.documents import NotFound


def _sample_rows() -> list[dict[str, str]]:
    with (data_dir() / "codings.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _doc_country() -> dict[str, str]:
    with (data_dir() / "documents.csv").open(encoding="utf-8") as f:
        return {r["document"]: r["country"] for r in csv.DictReader(f)}


def test_codes_by_document_match_the_source_codings(sample) -> None:
    expected = Counter((r["code"], r["document"]) for r in _sample_rows())
    with sample.read() as s:
        t = theme_table(s, by="document")
    got = Counter(
        {
            (r.path, col): cell.codings
            for r in t.rows
            for col, cell in r.cells.items()
            if cell.codings
        }
    )
    assert got == expected
    assert sum(r.total.codings for r in t.rows) == len(_sample_rows())


def test_codes_by_country_counts_documents_once(sample) -> None:
    rows = _sample_rows()
    country = _doc_country()
    expected_codings = Counter((r["code"], country[r["document"]]) for r in rows)
    expected_docs = Counter(
        k
        for k in {(r["code"], country[r["document"]], r["document"]) for r in rows}
        for k in [k[:2]]
    )
    with sample.read() as s:
        t = theme_table(s, by="document:country")
    assert t.columns == sorted(set(country.values()))
    for r in t.rows:
        for col, cell in r.cells.items():
            assert cell.codings == expected_codings.get((r.path, col), 0)
            assert cell.documents == expected_docs.get((r.path, col), 0)
    assert t.column_documents == Counter(country.values())


def test_coder_filter_and_rollup(sample) -> None:
    rows = _sample_rows()
    ana = [r for r in rows if r["coder"] == "ana"]
    with sample.read() as s:
        t = theme_table(s, by="document", filters=Filters(coders=("ana",)))
        rolled = theme_table(s, by="document", filters=Filters(coders=("ana",)), rollup=True)
        with pytest.raises(NotFound, match="no coder"):
            theme_table(s, filters=Filters(coders=("nobody",)))
    assert sum(r.total.codings for r in t.rows) == len(ana)
    risks = next(r for r in rolled.rows if r.path == "Release-from-prison risks")
    assert risks.total.codings == sum(
        1 for r in ana if r["code"].startswith("Release-from-prison risks")
    )


def test_participants_by_gender(sample) -> None:
    with sample.read() as s:
        t = theme_table(s, by="case:gender")
        per_case = theme_table(s, by="case")
    police = next(r for r in t.rows if r.path == "Police fear")
    police_cases = next(r for r in per_case.rows if r.path == "Police fear")
    assert police.total.participants == police_cases.total.participants
    assert sum(c.participants for c in police.cells.values()) == police.total.participants
    assert set(t.columns) >= {"woman", "man"}
    assert sum(t.column_participants.values()) == len(
        [c for c in per_case.columns if per_case.column_participants.get(c)]
    )


def test_by_resolution(sample) -> None:
    with sample.read() as s:
        assert resolve_by(s, "site") == ("document", "site")
        assert resolve_by(s, "gender") == ("case", "gender")
        with pytest.raises(NotFound, match="document:country or case:country"):
            resolve_by(s, "country")
        with pytest.raises(NotFound, match="no attribute"):
            resolve_by(s, "religion")
        kinds = theme_table(s, by="kind")
    assert kinds.columns == ["focus group", "interview"]


def test_excerpts_carry_their_context(sample) -> None:
    rows = _sample_rows()
    with sample.read() as s:
        police = resolve_code(s, "Police fear")
        items = excerpts(s, filters=Filters(code_ids=(police,)))
        n_all = s.execute(select(CODING.c.id)).all()
    assert len(items) == sum(1 for r in rows if r["code"] == "Police fear")
    quotes = {r["quote"] for r in rows if r["code"] == "Police fear"}
    assert {" ".join(e.text.split()) for e in items} <= {" ".join(q.split()) for q in quotes}
    kz = next(e for e in items if e.document == "fg_kazakhstan")
    assert kz.participant.startswith("KZ-") and kz.participant_attributes["country"] == "Kazakhstan"
    assert kz.timestamp.count(":") == 2 and kz.paragraph > 1 and kz.speaker.startswith("P")
    assert kz.document_attributes["site"] == "Almaty"
    assert len(n_all) == len(rows)


def test_excerpt_memos(sample) -> None:
    rows = _sample_rows()
    with sample.read() as s:
        items = excerpts(s)
    assert sorted(e.memo for e in items if e.memo) == sorted(r["memo"] for r in rows if r["memo"])
