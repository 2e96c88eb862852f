"""Coder copies and merging them back: real project files, coded independently, merged into the
lead's project; documents by content, codes by id/name/confirmed suggestion, codings deduplicated,
edited documents re-anchored, untrusted sources validated, and merging twice changes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from importers import Transcript
from importers.speakers import find_turns
from qualbench.agreement.compute import AgreementOptions, agreement
from qualbench.db import CODE, CODER, CODING, DOCUMENT, MEMO
from qualbench.distribute import assigned_coder, distribute
from qualbench.merge import SuggestionsPending, merge_many, merge_project
from qualbench.progress import Cancelled
from qualbench.services.codes import create_code, resolve_code
from qualbench.services.coding import NewCoding, bulk_apply, get_or_create_coder, resolve_coder
from qualbench.services.documents import add_transcript, resolve_document
from qualbench.services.memos import add_memo
from qualbench.store import Project, ProjectError, create_project, open_project


def _count(project: Project, table=CODING, **where: object) -> int:
    with project.read() as s:
        q = select(func.count()).select_from(table)
        if "coder" in where:
            q = q.join(CODER, CODER.c.id == CODING.c.coder_id).where(CODER.c.name == where["coder"])
        return int(s.execute(q).scalar_one())


def _spans(project: Project, coder: str) -> set[tuple[str, int, int, str]]:
    """A coder's codings as (document, start, end, code name)."""
    with project.read() as s:
        rows = s.execute(
            select(DOCUMENT.c.name, CODING.c.start, CODING.c.end, CODE.c.name)
            .join(DOCUMENT, DOCUMENT.c.id == CODING.c.document_id)
            .join(CODE, CODE.c.id == CODING.c.code_id)
            .join(CODER, CODER.c.id == CODING.c.coder_id)
            .where(CODER.c.name == coder)
        ).all()
    return {tuple(r) for r in rows}  # type: ignore[misc]


def _copy_codings(lead: Project, coder_from: str, copy_path: Path, coder_to: str) -> int:
    """Simulate a coder: code their copy exactly as ``coder_from`` coded the lead's project."""
    wanted = _spans(lead, coder_from)
    with open_project(copy_path) as copy, copy.write() as s:
        who = resolve_coder(s, coder_to)
        rows = [
            NewCoding(resolve_document(s, d), a, z, resolve_code(s, code), who)
            for d, a, z, code in wanted
        ]
        bulk_apply(s, rows)
    return len(rows)


@pytest.fixture
def copies(sample: Project, tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "copies"
    folder.mkdir()
    made = distribute(sample, ["cy", "dee"], folder)
    return {c.coder: c.path for c in made}


def test_coder_copies_hold_the_documents_and_codebook_but_no_codings(
    sample: Project, copies: dict[str, Path]
) -> None:
    assert sorted(p.name for p in copies.values()) == [
        "sample-cy.qualbench",
        "sample-dee.qualbench",
    ]
    with open_project(copies["cy"]) as copy:
        assert assigned_coder(copy) == "cy"
        with copy.read() as s, sample.read() as t:
            assert (
                s.execute(select(DOCUMENT.c.content_sha256)).scalars().all()
                == t.execute(select(DOCUMENT.c.content_sha256)).scalars().all()
            )
            assert (
                s.execute(select(CODE.c.uuid)).scalars().all()
                == t.execute(select(CODE.c.uuid)).scalars().all()
            )
            assert s.execute(select(func.count()).select_from(CODING)).scalar_one() == 0
            assert s.execute(select(CODER.c.name)).scalars().all() == ["cy"]
    with pytest.raises(ProjectError, match="already exists"):
        distribute(sample, ["cy"], copies["cy"].parent)


def test_merging_the_coders_back_reproduces_their_work(
    sample: Project, copies: dict[str, Path]
) -> None:
    n_cy = _copy_codings(sample, "ana", copies["cy"], "cy")
    n_dee = _copy_codings(sample, "ben", copies["dee"], "dee")
    before = _count(sample)
    reports = merge_many(sample, [copies["cy"], copies["dee"]])
    assert [r.codings_added for r in reports] == [n_cy, n_dee]
    assert all(d.how == "same text" for r in reports for d in r.documents)
    assert all(c.how == "id" for r in reports for c in r.codes)
    assert [r.coders_added for r in reports] == [["cy"], ["dee"]]
    assert _count(sample) == before + n_cy + n_dee
    assert {(d, a, z, c) for d, a, z, c in _spans(sample, "cy")} == _spans(sample, "ana")
    # The merged coders agree exactly as the originals did.
    with sample.read() as s:
        original = agreement(s, AgreementOptions(coders=("ana", "ben")))
        merged = agreement(s, AgreementOptions(coders=("cy", "dee")))
    assert merged.overall["alpha"].value == pytest.approx(original.overall["alpha"].value)
    # The target was backed up first, and the backup is the project as it was.
    backup = Path(reports[0].backup)
    assert backup.exists()
    with open_project(backup, readonly=True) as old:
        assert _count(old) == before

    # Merging the same files again changes nothing.
    again = merge_many(sample, [copies["cy"], copies["dee"]])
    assert [r.codings_added for r in again] == [0, 0]
    assert [r.codings_present for r in again] == [n_cy, n_dee]
    assert _count(sample) == before + n_cy + n_dee


def test_dry_run_reports_without_changing_anything(
    sample: Project, copies: dict[str, Path]
) -> None:
    n = _copy_codings(sample, "ana", copies["cy"], "cy")
    before = _count(sample)
    (report,) = merge_many(sample, [copies["cy"]], dry_run=True)
    assert report.dry_run and report.codings_added == n and not report.backup
    assert _count(sample) == before
    with sample.read() as s:
        assert "cy" not in s.execute(select(CODER.c.name)).scalars().all()


def test_near_duplicate_codes_wait_for_the_leads_decision(
    sample: Project, copies: dict[str, Path]
) -> None:
    with open_project(copies["dee"]) as copy, copy.write() as s:
        typo, _ = create_code(s, name="Polise fear")
        fresh, _ = create_code(s, name="Overdose response")
        doc = resolve_document(s, "fg_ukraine")
        dee = resolve_coder(s, "dee")
        bulk_apply(s, [NewCoding(doc, 200, 260, typo, dee), NewCoding(doc, 300, 360, fresh, dee)])
    before = _count(sample)
    with pytest.raises(SuggestionsPending) as caught:
        merge_project(sample, copies["dee"])
    (pending,) = [c for c in caught.value.report.codes if c.how == "suggested"]
    assert (
        pending.path == "Polise fear"
        and pending.suggestion == "Police fear"
        and pending.score >= 85
    )
    assert _count(sample) == before  # nothing merged

    with sample.read() as s:
        police = resolve_code(s, "Police fear")
    report = merge_project(sample, copies["dee"], accept={"Polise fear": police})
    assert {c.path: c.how for c in report.codes if c.how != "id"} == {
        "Polise fear": "accepted",
        "Overdose response": "new",
    }
    with sample.read() as s:
        assert "Polise fear" not in s.execute(select(CODE.c.name)).scalars().all()
        assert s.execute(select(CODING.c.code_id).where(CODING.c.start == 200)).scalar() == police
    # The accepted pair is remembered: merging again needs no new decision and adds nothing.
    assert merge_project(sample, copies["dee"]).codings_added == 0


def test_rejected_suggestions_become_new_codes(sample: Project, copies: dict[str, Path]) -> None:
    with open_project(copies["dee"]) as copy, copy.write() as s:
        typo, _ = create_code(s, name="Polise fear")
        bulk_apply(
            s,
            [NewCoding(resolve_document(s, "fg_ukraine"), 200, 260, typo, resolve_coder(s, "dee"))],
        )
    report = merge_project(sample, copies["dee"], keep_separate=True)
    assert [c.how for c in report.codes if c.path == "Polise fear"] == ["suggested"]
    with sample.read() as s:
        assert "Polise fear" in s.execute(select(CODE.c.name)).scalars().all()


def test_new_document_and_memos_keep_their_authors(
    sample: Project, copies: dict[str, Path]
) -> None:
    text = "INTERVIEWER: How was the first week?\nRESPONDENT: Hard. No room, no papers.\n"
    with open_project(copies["cy"]) as copy, copy.write() as s:
        doc, _ = add_transcript(
            s, Transcript(text=text, turns=find_turns(text), source_name="extra.txt")
        )
        cy = resolve_coder(s, "cy")
        _, ch = bulk_apply_one(
            s,
            doc,
            text.index("No room"),
            len(text) - 1,
            resolve_code(s, "Release-from-prison risks > Housing"),
            cy,
        )
        add_memo(s, target="coding", target_id=ch, text="housing first", coder_id=cy)
        add_memo(s, target="document", target_id=doc, text="short interview", coder_id=cy)
    report = merge_project(sample, copies["cy"])
    assert [d.how for d in report.documents if d.name == "extra"] == ["new"]
    assert report.memos_added == 2
    with sample.read() as s:
        doc = resolve_document(s, "extra")
        assert s.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc)).scalar_one() == text
        authors = s.execute(
            select(CODER.c.name, MEMO.c.text)
            .join(CODER, CODER.c.id == MEMO.c.coder_id)
            .where(MEMO.c.text.in_(["housing first", "short interview"]))
        ).all()
        assert sorted(authors) == [("cy", "housing first"), ("cy", "short interview")]
        coding = s.execute(select(CODING.c.case_id).where(CODING.c.document_id == doc)).scalar_one()
        assert coding is not None  # the speaker of the new document is a participant


def bulk_apply_one(s, doc: int, a: int, z: int, code: int, coder: int) -> tuple[None, int]:
    bulk_apply(s, [NewCoding(doc, a, z, code, coder)])
    return None, int(
        s.execute(
            select(CODING.c.id).where(CODING.c.document_id == doc, CODING.c.start == a)
        ).scalar_one()
    )


ORIGINAL = (
    "INTERVIEWER: What happened after release?\n"
    "RESPONDENT: I had no room and no papers. The police stopped me twice in the first\n"
    "week. I was scared to carry the kit because of them. My cousin let me sleep on the\n"
    "floor for a while.\n"
    "INTERVIEWER: And the naloxone kit, did anyone explain it to you before you left?\n"
    "RESPONDENT: A nurse showed us a video in the last month. Most of us did not watch it.\n"
    "Later a peer worker at the centre gave me a kit and showed me how to use it properly.\n"
)
# The coder's copy was imported from a revised transcript: a typo fixed, the lines re-wrapped,
# words dropped, and a sentence the lead's version does not have.
EDITED = (
    "INTERVIEWER: What happened after release?\n"
    "RESPONDENT: I had no room and no papers. The police stopped me twice in the first week.\n"
    "I was scared to carry the kit because of them. My cousin let me sleep on the floor.\n"
    "INTERVIEWER: And the naloxone kit, did anyone explain it to you before you left?\n"
    "RESPONDENT: A nurse showed us a video in the last month. Most of us did not watch it.\n"
    "They took my kit at the station.\n"
    "Later a peer worker at the centre gave me a kit and showed me how to use it properly.\n"
)


def test_edited_document_codings_are_reanchored_or_listed(tmp_path: Path) -> None:
    with create_project(tmp_path / "lead.qualbench") as lead, lead.write() as s:
        add_transcript(
            s, Transcript(text=ORIGINAL, turns=find_turns(ORIGINAL), source_name="r01.txt")
        )
        create_code(s, name="Police fear")
        create_code(s, name="Housing")
    source = tmp_path / "coder.qualbench"
    shutil.copy(tmp_path / "lead.qualbench", source)
    with open_project(source) as copy, copy.write() as s:
        s.execute(CODING.delete())
        s.execute(DOCUMENT.delete())
        doc, _ = add_transcript(
            s, Transcript(text=EDITED, turns=find_turns(EDITED), source_name="r01.txt")
        )
        coder, _ = get_or_create_coder(s, "cy")
        phrases = {
            "The police stopped me twice in the first week.": "Police fear",
            "I was scared to carry the kit": "Police fear",
            # "for a while" is gone in the coder's text, and the last sentence is not in the lead's
            "My cousin let me sleep on the floor.": "Housing",
            "They took my kit at the station.": "Police fear",
        }
        bulk_apply(
            s,
            [
                NewCoding(
                    doc, EDITED.index(p), EDITED.index(p) + len(p), resolve_code(s, code), coder
                )
                for p, code in phrases.items()
            ],
        )
    with open_project(tmp_path / "lead.qualbench") as lead:
        report = merge_project(lead, source)
        assert [(d.how, d.similarity > 0.9) for d in report.documents] == [("edited", True)]
        placed = _spans_text(lead, "cy")
    # Every coding is either placed on the same words in the lead's text or listed: none vanishes.
    assert report.codings_added + len(report.unplaced) == 4
    assert "I was scared to carry the kit" in placed  # same offsets in both texts
    assert "The police stopped me twice in the first\nweek." in placed  # only the line break moved
    assert "My cousin let me sleep on the\nfloor for a while." in placed  # changed slightly
    assert report.codings_reanchored == 2
    (lost,) = report.unplaced
    assert (lost.coder, lost.code, lost.document) == ("cy", "Police fear", "r01")
    assert EDITED[lost.start : lost.end] == "They took my kit at the station."
    assert lost.reason


def _spans_text(project: Project, coder: str) -> set[str]:
    with project.read() as s:
        rows = s.execute(
            select(DOCUMENT.c.text, CODING.c.start, CODING.c.end)
            .join(DOCUMENT, DOCUMENT.c.id == CODING.c.document_id)
            .join(CODER, CODER.c.id == CODING.c.coder_id)
            .where(CODER.c.name == coder)
        ).all()
    return {t[a:z] for t, a, z in rows}


def test_a_damaged_source_is_validated_row_by_row(sample: Project, copies: dict[str, Path]) -> None:
    n = _copy_codings(sample, "ana", copies["cy"], "cy")
    db = sqlite3.connect(copies["cy"])
    with db:
        length = db.execute("SELECT char_count FROM document WHERE name='fg_ukraine'").fetchone()[0]
        db.execute(
            'UPDATE coding SET "end" = ? WHERE id = (SELECT MIN(id) FROM coding WHERE document_id = '
            "(SELECT id FROM document WHERE name='fg_ukraine'))",
            (length + 50,),
        )
        db.execute(
            "UPDATE coding SET uuid = 'not-a-uuid' WHERE id = (SELECT MAX(id) FROM coding WHERE document_id = "
            "(SELECT id FROM document WHERE name='fg_kazakhstan'))"
        )
        ukr = db.execute(
            "SELECT COUNT(*) FROM coding WHERE document_id = (SELECT id FROM document WHERE name='fg_kyrgyzstan')"
        ).fetchone()[0]
        db.execute("UPDATE document SET text = text || ' tampered' WHERE name = 'fg_kyrgyzstan'")
    db.close()
    report = merge_project(sample, copies["cy"])
    reasons = " | ".join(report.rejected)
    assert "outside the document" in reasons
    assert "not a UUID" in reasons
    assert "does not match its hash" in reasons
    assert report.codings_added == n - 2 - ukr  # everything else was merged


def test_bad_sources_are_refused_and_the_target_kept(sample: Project, tmp_path: Path) -> None:
    before = _count(sample)
    junk = tmp_path / "junk.qualbench"
    junk.write_bytes(b"this is not a database")
    with pytest.raises(ProjectError, match=r"junk\.qualbench"):
        merge_project(sample, junk)
    with pytest.raises(ProjectError, match=r"does not exist|no such|not found"):
        merge_project(sample, tmp_path / "missing.qualbench")
    assert sample.path is not None
    with pytest.raises(ProjectError, match="merged into"):
        merge_project(sample, sample.path)
    assert _count(sample) == before


def test_cancel_leaves_the_target_unchanged(sample: Project, copies: dict[str, Path]) -> None:
    _copy_codings(sample, "ana", copies["cy"], "cy")
    before = _count(sample)
    with pytest.raises(Cancelled):
        merge_project(sample, copies["cy"], cancel=lambda: True)
    assert _count(sample) == before


def test_an_older_schema_source_is_merged_without_changing_it(
    project: Project, tmp_path: Path
) -> None:
    old = tmp_path / "old.qualbench"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "project-schema1.qualbench", old)
    data = old.read_bytes()
    report = merge_project(project, old)
    assert [d.how for d in report.documents] == ["new"]
    assert old.read_bytes() == data
    assert not list(tmp_path.glob("old.qualbench.*.bak"))


def test_turns_skipped_for_known_documents_can_be_read_back(
    sample: Project, copies: dict[str, Path]
) -> None:
    """The merge reads a source's speaker turns only for documents the target lacks; should a
    skipped one be needed after all, reading it back gives exactly what a full read gives."""
    from qualbench.merge_source import opened_source, read_source, source_turns

    with sample.read() as s:
        known = set(s.execute(select(DOCUMENT.c.content_sha256)).scalars())
    with opened_source(copies["cy"]) as source:
        full = read_source(source, copies["cy"])
        lean = read_source(source, copies["cy"], known_texts=known)
    assert full.turns and not any(lean.turns.values())
    for doc_id, turns in full.turns.items():
        assert source_turns(lean, doc_id) == turns
