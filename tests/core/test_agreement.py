"""Agreement on a project: units cut from real documents, the coders' codings turned into
patterns, and the coefficients, checked against counts worked out by hand and against a
brute-force recount of the sample project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from importers import Transcript
from qualbench.agreement import stats
from qualbench.agreement.compute import NONE, AgreementOptions, agreement
from qualbench.errors import UserError
from qualbench.services.codes import create_code
from qualbench.services.coding import NewCoding, bulk_apply, get_or_create_coder
from qualbench.services.documents import NotFound, add_transcript
from qualbench.store import Project

# Four sentences of known length in one paragraph, then a second paragraph of two sentences.
TEXT = "One two. Three four. Five six. Seven eight.\nNine ten. Eleven twelve.\n"


@dataclass
class Two:
    doc: int
    ana: int
    ben: int
    police: int
    housing: int
    other: int


def _at(phrase: str) -> tuple[int, int]:
    a = TEXT.index(phrase)
    return a, a + len(phrase)


def _setup(project: Project, text: str = TEXT) -> Two:
    with project.write() as s:
        doc, _ = add_transcript(s, Transcript(text=text, source_name="t.txt"))
        ana, _ = get_or_create_coder(s, "ana")
        ben, _ = get_or_create_coder(s, "ben")
        police, _ = create_code(s, name="Police fear")
        housing, _ = create_code(s, name="Housing")
        other, _ = create_code(s, name="Other")
    return Two(doc, ana, ben, police, housing, other)


def _code(project: Project, w: Two, coder: int, code: int, phrase: str) -> None:
    a, z = _at(phrase)
    with project.write() as s:
        bulk_apply(s, [NewCoding(w.doc, a, z, code, coder)])


def _value(r: stats.Result) -> float:
    assert r.value is not None, r.undefined
    return r.value


def test_sentence_patterns_are_counted_per_unit(project: Project) -> None:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two. Three four.")  # sentences 1 and 2
    _code(project, w, w.ben, w.police, "four. Five")  # touches sentences 2 and 3
    with project.read() as s:
        report = agreement(s, AgreementOptions(coders=("ana", "ben"), unit="sentence"))
    assert report.total == 6
    (police,) = report.per_code
    # present/absent per sentence: (1,0) (1,1) (0,1) (0,0) (0,0) (0,0)
    assert police.confusion == [[3, 1], [1, 1]]
    assert police.coded == {"ana": 2, "ben": 2}
    assert _value(police.coefficients["percent"]) == pytest.approx(4 / 6)
    # Cohen: po = 4/6, pe = (4/6)(4/6) + (2/6)(2/6) = 20/36
    assert _value(police.coefficients["cohen"]) == pytest.approx((4 / 6 - 20 / 36) / (1 - 20 / 36))
    assert [(d.start, d.end, d.coded_by, d.not_coded_by) for d in report.disagreements] == [
        (*_at("One two."), ("ana",), ("ben",)),
        (*_at("Five six."), ("ben",), ("ana",)),
    ]
    assert "sentences" in report.unit_description
    assert any("Brennan" in n for n in report.notes)


def test_paragraph_and_document_units(project: Project) -> None:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two.")
    _code(project, w, w.ben, w.police, "Nine ten.")
    with project.read() as s:
        para = agreement(s, AgreementOptions(coders=("ana", "ben"), unit="paragraph"))
        whole = agreement(s, AgreementOptions(coders=("ana", "ben"), unit="document"))
    assert para.total == 2 and para.per_code[0].confusion == [[0, 1], [1, 0]]
    assert _value(para.per_code[0].coefficients["percent"]) == 0
    # One unit, both coded: perfect raw agreement but no variation, so kappa is undefined.
    assert whole.total == 1 and whole.per_code[0].confusion == [[0, 0], [0, 1]]
    assert _value(whole.per_code[0].coefficients["percent"]) == 1
    kappa = whole.per_code[0].coefficients["cohen"]
    assert kappa.value is None and "variation" in kappa.undefined


def test_character_unit_weighs_by_length(project: Project) -> None:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two.")  # 8 characters
    _code(project, w, w.ben, w.police, "two.")  # 4 characters inside it
    with project.read() as s:
        report = agreement(s, AgreementOptions(coders=("ana", "ben"), unit="character"))
    n = len(TEXT)
    assert report.total == n
    assert report.per_code[0].confusion == [[n - 8, 0], [4, 4]]
    assert _value(report.per_code[0].coefficients["percent"]) == pytest.approx((n - 4) / n)
    (d,) = report.disagreements
    assert (d.start, d.end) == _at("One ")


def test_segment_matching_threshold(project: Project) -> None:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two. Three four.")  # 20 characters
    _code(project, w, w.ben, w.police, "One two. Three four")  # 19 of them: overlap 0.95
    _code(project, w, w.ben, w.police, "Nine ten.")  # ana has nothing here
    with project.read() as s:
        loose = agreement(s, AgreementOptions(coders=("ana", "ben"), overlap=0.9))
        strict = agreement(s, AgreementOptions(coders=("ana", "ben"), overlap=0.96))
    seg = loose.segments[0]
    assert seg.segments == {"ana": 1, "ben": 2}
    assert seg.matched == {"ana": 1, "ben": 1}
    assert _value(seg.percent) == pytest.approx(2 / 3)
    assert strict.segments[0].matched == {"ana": 0, "ben": 0}
    assert _value(strict.segments[0].percent) == 0


def test_domain_of_mutually_exclusive_codes(project: Project) -> None:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two.")
    _code(project, w, w.ben, w.police, "One two.")
    _code(project, w, w.ana, w.housing, "Three four.")
    _code(project, w, w.ben, w.other, "Three four.")
    _code(project, w, w.ana, w.housing, "Five six.")
    _code(project, w, w.ana, w.other, "Five six.")  # two codes of the domain: unusable
    domain = (w.police, w.housing, w.other)
    with project.read() as s:
        as_category = agreement(s, AgreementOptions(coders=("ana", "ben"), domain=domain))
        as_missing = agreement(
            s, AgreementOptions(coders=("ana", "ben"), domain=domain, uncoded="missing")
        )
    assert as_category.domain_categories == ["Police fear", "Housing", "Other", NONE]
    assert as_category.domain_conflicts == 1
    # units: (P,P) (H,O) (None,none) (none,none) x3 -> 4 agreeing of 5 pairable units
    assert as_category.domain_confusion == [
        [1, 0, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 3],
    ]
    assert _value(as_category.domain["percent"]) == pytest.approx(4 / 5)
    expected = stats.krippendorff_alpha(
        {("p", "p"): 1, ("h", "o"): 1, (None, "n"): 1, ("n", "n"): 3}
    )
    assert _value(as_category.domain["alpha"]) == pytest.approx(_value(expected))
    # Uncoded as missing: only the two units both coders coded can be compared.
    assert _value(as_missing.domain["percent"]) == pytest.approx(1 / 2)
    assert as_missing.domain["percent"].n == 2
    assert any("missing" in n for n in as_missing.notes)


def test_documents_not_coded_by_every_coder_are_left_out(project: Project) -> None:
    w = _setup(project)
    with project.write() as s:
        second, _ = add_transcript(s, Transcript(text="Alpha. Beta.\n", source_name="u.txt"))
        bulk_apply(s, [NewCoding(second, 0, 6, w.police, w.ana)])
    _code(project, w, w.ana, w.police, "One two.")
    _code(project, w, w.ben, w.housing, "One two.")
    with project.read() as s:
        report = agreement(s, AgreementOptions(coders=("ana", "ben")))
        chosen = agreement(s, AgreementOptions(coders=("ana", "ben"), code_ids=(w.other,)))
    assert report.documents == ["t"] and report.documents_left_out == ["u"]
    assert report.total == 6
    assert any("left out" in n for n in report.notes)
    # A chosen code nobody used: everything agrees on absence, and kappa is undefined, not 1.
    other = chosen.per_code[0].coefficients
    assert _value(other["percent"]) == 1
    assert other["cohen"].value is None and other["alpha"].value is None


def test_three_coders_and_bad_options(project: Project) -> None:
    w = _setup(project)
    with project.write() as s:
        cy, _ = get_or_create_coder(s, "cy")
    _code(project, w, w.ana, w.police, "One two.")
    _code(project, w, w.ben, w.police, "One two.")
    _code(project, w, cy, w.police, "Three four.")
    with project.read() as s:
        report = agreement(s, AgreementOptions(coders=("ana", "ben", "cy")))
        assert "cohen" not in report.per_code[0].coefficients
        assert report.per_code[0].confusion is None
        assert report.per_code[0].coefficients["fleiss"].defined
        with pytest.raises(UserError, match="two coders"):
            agreement(s, AgreementOptions(coders=("ana", "ana")))
        with pytest.raises(UserError, match="unit"):
            agreement(s, AgreementOptions(coders=("ana", "ben"), unit="word"))
        with pytest.raises(NotFound, match="dora"):
            agreement(s, AgreementOptions(coders=("ana", "dora")))
        with pytest.raises(NotFound, match="code 999"):
            agreement(s, AgreementOptions(coders=("ana", "ben"), code_ids=(999,)))


def test_auto_codings_are_left_out_unless_asked(project: Project) -> None:
    w = _setup(project)
    a, z = _at("One two.")
    with project.write() as s:
        bulk_apply(s, [NewCoding(w.doc, a, z, w.police, w.ana, origin="auto")])
    _code(project, w, w.ana, w.police, "Nine ten.")
    _code(project, w, w.ben, w.police, "Nine ten.")
    with project.read() as s:
        manual = agreement(s, AgreementOptions(coders=("ana", "ben")))
        everything = agreement(
            s, AgreementOptions(coders=("ana", "ben"), origins=("manual", "imported", "auto"))
        )
    assert _value(manual.per_code[0].coefficients["percent"]) == 1
    assert _value(everything.per_code[0].coefficients["percent"]) == pytest.approx(5 / 6)


@pytest.mark.parametrize("unit", ["sentence", "paragraph", "turn", "document"])
def test_sample_project_matches_a_brute_force_recount(sample: Project, unit: str) -> None:
    """Every unit of every document, every code, looked at one by one; the fast path must agree."""
    from sqlalchemy import select

    from qualbench.db import CODER, CODING, DOCUMENT, TURN
    from qualbench.segments import unit_spans

    with sample.read() as s:
        report = agreement(s, AgreementOptions(coders=("ana", "ben"), unit=unit))
        coder = dict(s.execute(select(CODER.c.name, CODER.c.id)).all())
        codings = s.execute(
            select(
                CODING.c.document_id,
                CODING.c.start,
                CODING.c.end,
                CODING.c.code_id,
                CODING.c.coder_id,
            )
        ).all()
        pooled: Counter[tuple[int, int]] = Counter()
        for doc_id, text in s.execute(select(DOCUMENT.c.id, DOCUMENT.c.text)).all():
            turns = s.execute(
                select(TURN.c.start, TURN.c.body_start, TURN.c.end).where(
                    TURN.c.document_id == doc_id
                )
            ).all()
            units, _ = unit_spans(text, [tuple(t) for t in turns], unit)
            for r in report.per_code:
                for a, z in units:
                    pooled[
                        tuple(  # type: ignore[assignment]
                            int(
                                any(
                                    c[0] == doc_id
                                    and c[3] == r.code_id
                                    and c[4] == coder[name]
                                    and c[1] < z
                                    and c[2] > a
                                    for c in codings
                                )
                            )
                            for name in ("ana", "ben")
                        )
                    ] += 1
    assert len(report.documents) == 6
    expected = stats.cohen_kappa(dict(pooled))
    assert report.overall["cohen"].value == pytest.approx(expected.value)
    assert report.overall["percent"].n == sum(pooled.values())


def test_sample_project_characters_match_a_brute_force_recount(sample: Project) -> None:
    """Character by character: a mark per character, coder and code, then every pattern counted."""
    from sqlalchemy import select

    from qualbench.db import CODER, CODING, DOCUMENT

    with sample.read() as s:
        report = agreement(s, AgreementOptions(coders=("ana", "ben"), unit="character"))
        names = dict(s.execute(select(CODER.c.id, CODER.c.name)).all())
        texts = dict(s.execute(select(DOCUMENT.c.id, DOCUMENT.c.text)).all())
        marks: dict[tuple[int, int, str], bytearray] = {}
        for doc, a, z, code, coder in s.execute(
            select(
                CODING.c.document_id,
                CODING.c.start,
                CODING.c.end,
                CODING.c.code_id,
                CODING.c.coder_id,
            )
        ):
            mark = marks.setdefault((doc, code, names[coder]), bytearray(len(texts[doc])))
            mark[a:z] = b"\x01" * (z - a)
    pooled: Counter[tuple[int, int]] = Counter()
    mixed = 0
    for r in report.per_code:
        for doc, text in texts.items():
            blank = bytearray(len(text))
            ana, ben = (marks.get((doc, r.code_id, n), blank) for n in ("ana", "ben"))
            pooled.update(zip(ana, ben, strict=True))
            mixed += sum(1 for x, y in zip(ana, ben, strict=True) if x != y)
    assert report.overall["alpha"].value == pytest.approx(
        stats.krippendorff_alpha(dict(pooled)).value
    )
    assert report.overall["percent"].n == sum(pooled.values())
    assert sum(d.end - d.start for d in report.disagreements) == mixed
