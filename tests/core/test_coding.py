"""Applying codes: spans checked, duplicates idempotent, participants derived, bulk all-or-nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qualbench.db import CODING, CODING_CASE, MEMO
from qualbench.services.coding import (
    CodingError,
    NewCoding,
    apply_code,
    bulk_apply,
    change_span,
    find_quote,
    merge_codes,
    remove_coding,
)
from tests.core.helpers import INTERVIEW, make_world, span


def _count(s, table=CODING) -> int:
    return s.execute(select(func.count()).select_from(table)).scalar_one()


def test_apply_code_records_span_coder_and_speaker(project) -> None:
    w = make_world(project)
    start, end = span(INTERVIEW, "I had no room, no papers.")
    with project.write() as s:
        cid, changes = apply_code(
            s, document_id=w.doc, start=start, end=end, code_id=w.housing, coder_id=w.coder
        )
    assert changes.codings == {cid}
    with project.read() as s:
        row = s.execute(select(CODING).where(CODING.c.id == cid)).one()
        from qualbench.db import CASES

        speaker = s.execute(select(CASES.c.name).where(CASES.c.id == row.case_id)).scalar()
    assert (row.start, row.end, row.code_id, row.coder_id, row.origin) == (
        start,
        end,
        w.housing,
        w.coder,
        "manual",
    )
    assert speaker == "interview07: RESPONDENT"


def test_same_coding_twice_is_a_no_op(project) -> None:
    w = make_world(project)
    with project.write() as s:
        a, _ = apply_code(
            s, document_id=w.doc, start=10, end=20, code_id=w.police, coder_id=w.coder
        )
        b, changes = apply_code(
            s, document_id=w.doc, start=10, end=20, code_id=w.police, coder_id=w.coder
        )
        c, _ = apply_code(
            s, document_id=w.doc, start=10, end=20, code_id=w.police, coder_id=w.other_coder
        )
        assert _count(s) == 2
    assert a == b and not changes and c != a


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 5, "outside the document"),
        (5, 5, "is empty"),
        (7, 3, "start must come before"),
        (0, len(INTERVIEW) + 1, "outside"),
    ],
)
def test_bad_span_is_refused_and_nothing_written(
    project, start: int, end: int, message: str
) -> None:
    w = make_world(project)
    with pytest.raises(CodingError, match=message), project.write() as s:
        apply_code(s, document_id=w.doc, start=start, end=end, code_id=w.police, coder_id=w.coder)
    with project.read() as s:
        assert _count(s) == 0


def test_whole_document_span_is_allowed(project) -> None:
    w = make_world(project)
    with project.write() as s:
        apply_code(
            s, document_id=w.doc, start=0, end=len(INTERVIEW), code_id=w.police, coder_id=w.coder
        )
        assert _count(s) == 1


def test_coding_across_turns_lists_every_participant(project) -> None:
    w = make_world(project)
    start = INTERVIEW.index("Did you have")
    end = INTERVIEW.index("at the gate")
    with project.write() as s:
        cid, _ = apply_code(
            s, document_id=w.doc, start=start, end=end, code_id=w.naloxone, coder_id=w.coder
        )
        primary = s.execute(select(CODING.c.case_id).where(CODING.c.id == cid)).scalar()
        extras = (
            s.execute(select(CODING_CASE.c.case_id).where(CODING_CASE.c.coding_id == cid))
            .scalars()
            .all()
        )
    assert primary is not None and len(extras) == 1 and extras[0] != primary


def test_change_span_updates_participants(project) -> None:
    w = make_world(project)
    start, end = span(INTERVIEW, "What happened")
    with project.write() as s:
        cid, _ = apply_code(
            s, document_id=w.doc, start=start, end=end, code_id=w.police, coder_id=w.coder
        )
        assert s.execute(select(CODING_CASE).where(CODING_CASE.c.coding_id == cid)).all() == []
        change_span(s, cid, start=start, end=INTERVIEW.index("no papers"))
        assert len(s.execute(select(CODING_CASE).where(CODING_CASE.c.coding_id == cid)).all()) == 1
        with pytest.raises(CodingError, match="outside"):
            change_span(s, cid, start=5, end=len(INTERVIEW) + 3)


def test_remove_coding_removes_its_memo(project) -> None:
    from qualbench.services.memos import add_memo

    w = make_world(project)
    with project.write() as s:
        cid, _ = apply_code(
            s, document_id=w.doc, start=3, end=9, code_id=w.police, coder_id=w.coder
        )
        add_memo(s, target="coding", target_id=cid, text="check this one", coder_id=w.coder)
    with project.write() as s:
        remove_coding(s, cid)
        assert _count(s) == 0 and _count(s, MEMO) == 0


def test_bulk_apply_all_or_nothing(project) -> None:
    w = make_world(project)
    good = [NewCoding(w.doc, i, i + 5, w.police, w.coder) for i in range(0, 50, 5)]
    bad = [*good, NewCoding(w.doc, 10, 10_000, w.police, w.coder)]
    with pytest.raises(CodingError, match="coding 11"), project.write() as s:
        bulk_apply(s, bad)
    with project.read() as s:
        assert _count(s) == 0
    with project.write() as s:
        result = bulk_apply(
            s, [*good, good[0], NewCoding(w.doc, 0, 5, w.police, w.coder, memo="first")]
        )
    assert (result.inserted, result.already_present) == (10, 2)


def test_bulk_apply_writes_memos_and_participants(project) -> None:
    w = make_world(project)
    start = INTERVIEW.index("Did you have")
    with project.write() as s:
        bulk_apply(
            s, [NewCoding(w.doc, start, start + 60, w.naloxone, w.coder, memo="spans two speakers")]
        )
        assert _count(s, MEMO) == 1 and _count(s, CODING_CASE) == 1


def test_bulk_apply_again_by_uuid_adds_no_second_memo_or_participant(project) -> None:
    """Re-applying codings that carry their uuid (an exported codings file imported back, a
    repeated merge) leaves their participants and memos as they were."""
    w = make_world(project)
    start = INTERVIEW.index("Did you have")
    again = NewCoding(
        w.doc, start, start + 60, w.naloxone, w.coder, memo="spans two speakers", uuid="u-1"
    )
    with project.write() as s:
        bulk_apply(s, [again])
    with project.write() as s:
        result = bulk_apply(s, [again])
        assert (result.inserted, result.already_present) == (0, 1)
        assert _count(s, MEMO) == 1 and _count(s, CODING_CASE) == 1


def test_merge_codes_unions_overlapping_spans(project) -> None:
    w = make_world(project)
    with project.write() as s:
        apply_code(s, document_id=w.doc, start=100, end=140, code_id=w.police, coder_id=w.coder)
        apply_code(s, document_id=w.doc, start=120, end=160, code_id=w.naloxone, coder_id=w.coder)
        apply_code(s, document_id=w.doc, start=200, end=220, code_id=w.naloxone, coder_id=w.coder)
        apply_code(
            s, document_id=w.doc, start=100, end=140, code_id=w.naloxone, coder_id=w.other_coder
        )
        apply_code(
            s, document_id=w.doc, start=100, end=140, code_id=w.police, coder_id=w.other_coder
        )
        merge_codes(s, source_ids=[w.naloxone], target_id=w.police)
        rows = s.execute(
            select(CODING.c.coder_id, CODING.c.start, CODING.c.end, CODING.c.code_id).order_by(
                CODING.c.coder_id, CODING.c.start
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (w.coder, 100, 160, w.police),
        (w.coder, 200, 220, w.police),
        (w.other_coder, 100, 140, w.police),
    ]


def test_merge_into_own_subcode_is_refused(project) -> None:
    w = make_world(project)
    with pytest.raises(CodingError), project.write() as s:
        merge_codes(s, source_ids=[w.risks], target_id=w.housing)


def test_find_quote() -> None:
    assert find_quote("a b  c d", "b c") == (2, 6)
    with pytest.raises(CodingError, match="2 times"):
        find_quote("x y x y", "x")
    assert find_quote("x y x y", "x", occurrence=2) == (4, 5)
    with pytest.raises(CodingError, match="does not occur"):
        find_quote("abc", "zzz")


def test_a_span_reaching_only_a_label_does_not_count_that_speaker(project) -> None:
    w = make_world(project)
    start = INTERVIEW.index("What happened")
    label_end = INTERVIEW.index("RESPONDENT:") + len("RESPO")  # stops inside the next label
    with project.write() as s:
        cid, _ = apply_code(
            s, document_id=w.doc, start=start, end=label_end, code_id=w.police, coder_id=w.coder
        )
        assert s.execute(select(CODING_CASE).where(CODING_CASE.c.coding_id == cid)).all() == []
