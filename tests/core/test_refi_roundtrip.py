"""Export then import gives the project back: documents, codes, codings, coders, participants,
attributes and memos, for every position profile, with emoji, combining marks, CR LF and a BOM
in the imported transcripts; and our exports validate against the official schemas."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from qualbench.db import (
    ATTRIBUTE,
    CASES,
    CODER,
    CODING,
    DOCUMENT,
    MEMO,
    TURN,
)
from qualbench.refi import PROFILES, create_from_refi, export_qdc, export_qdpx, import_refi
from qualbench.services.cases import set_values, values_of
from qualbench.services.codes import code_tree, create_code
from qualbench.services.coding import apply_code, get_or_create_coder
from qualbench.services.documents import import_files
from qualbench.services.memos import add_memo
from qualbench.store import Project, open_project
from tests.core.test_cli import dump

EMOJI_FILE = (
    "INTERVIEWER: How did the first week go? 🙂\r\n"
    "\r\n"
    "RESPONDENT: Honestly 😞 the police 🚓 stopped me twice, and the nai\u0308ve idea\r\n"
    "that release is freedom 👨‍👩‍👧 ended at the café on day one.\r\n"
    "\r\n"
    "INTERVIEWER: And naloxone?\r\n"
    "\r\n"
    "RESPONDENT: Always in my pocket 💊, ever since. Ω and Å and \U0001d11e too.\r\n"
)
FOCUS_GROUP = (
    "MODERATOR: Who carries a kit?\n"
    "P1: I do, every day.\n"
    "P2: Not me, the police take it.\n"
    "P3: I keep one at home for my brother.\n"
)


def _span(text: str, phrase: str) -> tuple[int, int]:
    i = text.index(phrase)
    return i, i + len(phrase)


def build_rich(project: Project, folder: Path) -> None:
    """A project with every kind of thing REFI can carry, and awkward text."""
    (folder / "interview_emoji.txt").write_bytes(b"\xef\xbb\xbf" + EMOJI_FILE.encode("utf-8"))
    (folder / "fg_kits.txt").write_text(FOCUS_GROUP, encoding="utf-8")
    report = import_files(project, [folder / "interview_emoji.txt", folder / "fg_kits.txt"])
    assert not report.failed
    with project.write() as s:
        docs = dict(s.execute(select(DOCUMENT.c.name, DOCUMENT.c.id)).all())
        texts = dict(s.execute(select(DOCUMENT.c.id, DOCUMENT.c.text)).all())
        ana, _ = get_or_create_coder(s, "ana")
        ben, _ = get_or_create_coder(s, "ben")
        risks, _ = create_code(
            s, name="Release risks", color="#AA3377",
            definition="Risks after release.\n\nExample: this paragraph is part of the definition.",
            inclusion="Housing, work,\npapers.", exclusion="Risks inside prison.",
            example='"No room, no papers."', keywords=["release", "papers"],
        )  # fmt: skip
        police, _ = create_code(s, name="Police fear", parent_id=risks, color="#1F77B4",
                                definition="Fear of police contact")  # fmt: skip
        kits, _ = create_code(s, name="Kits::carrying", keywords=["kit"])
        slash, _ = create_code(s, name="family/friends")
        interview, fg = docs["interview_emoji"], docs["fg_kits"]
        t = texts[interview]
        assert "\r" not in t and "naïve" in t and "\ufeff" not in t
        spans = [
            (interview, "😞 the police 🚓 stopped me twice", police, ana),
            (interview, "😞 the police 🚓 stopped me twice", police, ben),
            (interview, "naïve idea\nthat release is freedom 👨‍👩‍👧", risks, ana),
            (interview, "café", risks, ben),
            (interview, "💊", kits, ana),
            (interview, "\U0001d11e too.\n", kits, ben),
            (fg, "I do, every day.", kits, ana),
            (fg, "the police take it", police, ben),
            (fg, "my brother", slash, ana),
        ]
        coding_ids = []
        for doc, phrase, code, coder in spans:
            a, b = _span(texts[doc], phrase)
            cid, _ = apply_code(s, document_id=doc, start=a, end=b, code_id=code, coder_id=coder)
            coding_ids.append(cid)
        apply_code(s, document_id=fg, start=0, end=len(texts[fg]), code_id=risks, coder_id=ben)
        cases = dict(s.execute(select(CASES.c.name, CASES.c.id)).all())
        p1 = cases["fg_kits: P1"]
        add_memo(
            s, target="project", text="Study journal\r\nline two", title="Journal", coder_id=ana
        )
        add_memo(
            s, target="document", target_id=interview, text="Recorded at the centre.", coder_id=ben
        )
        add_memo(s, target="code", target_id=police, text="Overlaps with risks.", title="Scope")
        add_memo(
            s, target="coding", target_id=coding_ids[0], text="Strong example 🚓", coder_id=ana
        )
        add_memo(s, target="case", target_id=p1, text="Peer distributor.", title="About P1")
        set_values(
            s, scope="document", owner_id=interview, values={"country": "Kazakhstan", "wave": "2"}
        )
        set_values(s, scope="document", owner_id=fg, values={"country": "Ukraine", "wave": "1"})
        set_values(
            s,
            scope="case",
            owner_id=p1,
            values={"age": "34", "joined": "2024-05-01", "consented": "true"},
        )
        s.execute(CASES.update().where(CASES.c.id == p1).values(description="runs the kit point"))
        s.execute(ATTRIBUTE.update().where(ATTRIBUTE.c.name == "wave").values(type="number"))
        s.execute(ATTRIBUTE.update().where(ATTRIBUTE.c.name == "age").values(type="number"))
        s.execute(ATTRIBUTE.update().where(ATTRIBUTE.c.name == "joined").values(type="date"))
        s.execute(ATTRIBUTE.update().where(ATTRIBUTE.c.name == "consented").values(type="boolean"))


def snapshot(project: Project, *, exact_turns: bool = True) -> dict[str, Any]:
    """Everything a round trip must keep, keyed by stable ids and names (not row ids)."""
    with project.read() as s:
        docs = {r.id: r for r in s.execute(select(DOCUMENT)).all()}
        codes = {n.id: n for n in code_tree(s)}
        coders = dict(s.execute(select(CODER.c.id, CODER.c.name)).all())
        cases = {r.id: r for r in s.execute(select(CASES)).all()}
        codings = {r.id: r for r in s.execute(select(CODING)).all()}
        turns = sorted(
            (docs[t.document_id].uuid, t.start, t.end, t.speaker,
             cases[t.case_id].name if t.case_id else None,
             *((t.body_start,) if exact_turns else ()))
            for t in s.execute(select(TURN)).all()
        )  # fmt: skip
        attrs = sorted((a.scope, a.name, a.type) for a in s.execute(select(ATTRIBUTE)).all())
        dvalues = {docs[k].uuid: v for k, v in values_of(s, scope="document").items()}
        cvalues = {cases[k].name: v for k, v in values_of(s, scope="case").items()}
        memos = []
        for m in s.execute(select(MEMO)).all():
            target = (
                ("document", docs[m.document_id].uuid) if m.document_id
                else ("code", codes[m.code_id].uuid) if m.code_id
                else ("coding", codings[m.coding_id].uuid) if m.coding_id
                else ("case", cases[m.case_id].name) if m.case_id
                else ("project", None)
            )  # fmt: skip
            memos.append((m.uuid, m.title, m.text, target, coders.get(m.coder_id)))
        return {
            "documents": sorted(
                (d.uuid, d.name, d.kind, d.text, d.content_sha256) for d in docs.values()
            ),
            "codes": [
                (
                    n.uuid,
                    n.path,
                    n.color,
                    n.definition,
                    n.inclusion,
                    n.exclusion,
                    n.example,
                    n.keywords,
                )
                for n in codes.values()
            ],
            "codings": sorted(
                (
                    docs[c.document_id].uuid,
                    c.start,
                    c.end,
                    codes[c.code_id].uuid,
                    coders[c.coder_id],
                    c.uuid,
                    cases[c.case_id].name if c.case_id else None,
                )
                for c in codings.values()
            ),
            "coders": sorted(coders.values()),
            "cases": sorted((c.uuid, c.name, c.description) for c in cases.values()),
            "turns": turns,
            "attributes": attrs,
            "document values": dvalues,
            "case values": cvalues,
            "memos": sorted(memos, key=repr),
            "project": project.info().description,
        }


@pytest.fixture
def rich(project: Project, tmp_path: Path) -> Project:
    folder = tmp_path / "files"
    folder.mkdir()
    build_rich(project, folder)
    return project


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_round_trip_is_lossless(rich: Project, tmp_path: Path, profile: str) -> None:
    before = snapshot(rich)
    out = tmp_path / f"rich-{profile}.qdpx"
    export_qdpx(rich, out, profile=profile)
    report = create_from_refi(tmp_path / "back.qualbench", out)
    with open_project(tmp_path / "back.qualbench") as back:
        after = snapshot(back)
    for key in before:
        assert after[key] == before[key], key
    assert report.lossless, report.summary()
    assert "the best fit" in report.positions or "producing tool" in report.positions


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_sample_round_trip(sample: Project, tmp_path: Path, profile: str) -> None:
    """The sample has a WebVTT interview (turns from subtitles, with time stamps) and a
    Markdown focus group; turns come back with their spans, speakers and participants."""
    before = snapshot(sample, exact_turns=False)
    out = tmp_path / "sample.qdpx"
    export_report = export_qdpx(sample, out, profile=profile)
    lost = {x.what for x in export_report.lost}
    assert "speaker-turn time stamps" in lost
    create_from_refi(tmp_path / "back.qualbench", out)
    with open_project(tmp_path / "back.qualbench") as back:
        after = snapshot(back, exact_turns=False)
    for key in before:
        assert after[key] == before[key], key


def test_exported_archive_layout_and_texts(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "nvivo.qdpx"
    export_qdpx(rich, out, profile="nvivo")
    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        with rich.read() as s:
            docs = dict(s.execute(select(DOCUMENT.c.uuid, DOCUMENT.c.text)).all())
        assert names == sorted(["project.qde", *(f"sources/{u}.txt" for u in docs)])
        for uuid, text in docs.items():
            data = zf.read(f"sources/{uuid}.txt")
            assert not data.startswith(b"\xef\xbb\xbf")
            assert data.decode("utf-8") == text.replace("\n", "\r\n")


def test_exports_validate_against_the_official_schemas(
    shared_dir: Path, rich: Project, tmp_path: Path
) -> None:
    lxml = pytest.importorskip("lxml.etree")
    project_xsd = lxml.XMLSchema(lxml.parse(str(shared_dir / "refi/Project-mrt2019.xsd")))
    codebook_xsd = lxml.XMLSchema(lxml.parse(str(shared_dir / "refi/Codebook-mrt2019.xsd")))
    for profile in PROFILES:
        out = tmp_path / f"{profile}.qdpx"
        export_qdpx(rich, out, profile=profile)
        with zipfile.ZipFile(out) as zf:
            doc = lxml.fromstring(zf.read("project.qde"))
        assert project_xsd.validate(doc), (profile, project_xsd.error_log)
    export_qdc(rich, tmp_path / "book.qdc")
    assert codebook_xsd.validate(lxml.parse(str(tmp_path / "book.qdc"))), codebook_xsd.error_log


def test_sample_export_validates(shared_dir: Path, sample: Project, tmp_path: Path) -> None:
    lxml = pytest.importorskip("lxml.etree")
    xsd = lxml.XMLSchema(lxml.parse(str(shared_dir / "refi/Project-mrt2019.xsd")))
    export_qdpx(sample, tmp_path / "s.qdpx")
    with zipfile.ZipFile(tmp_path / "s.qdpx") as zf:
        assert xsd.validate(lxml.fromstring(zf.read("project.qde"))), xsd.error_log


def test_import_twice_adds_nothing(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out, profile="atlas")
    before = dump(rich.path)  # type: ignore[arg-type]
    report = import_refi(rich, out)
    assert dump(rich.path) == before  # type: ignore[arg-type]
    assert report.carried == {} and report.matched["codings"] == 10
    assert report.lossless, report.summary()


def test_import_into_a_project_with_the_same_transcripts(sample: Project, tmp_path: Path) -> None:
    """Documents are matched by their text: the codings land on the project's own copies."""
    from qualbench.sample import TRANSCRIPTS, data_dir

    out = tmp_path / "sample.qdpx"
    export_qdpx(sample, out, profile="nvivo")
    expected = sorted((name, text[a:b], code) for name, text, a, b, code in _coded(sample))
    from qualbench.store import create_project

    with create_project(tmp_path / "other.qualbench") as other:
        import_files(other, [data_dir() / n for n in TRANSCRIPTS])
        report = import_refi(other, out)
        got = sorted((name, text[a:b], code) for name, text, a, b, code in _coded(other))
    assert got == expected
    assert report.matched["documents"] == 6 and "documents" not in report.carried


def _coded(project: Project) -> list[tuple[str, str, int, int, str]]:
    from qualbench.db import CODE

    with project.read() as s:
        return [
            tuple(r)  # type: ignore[misc]
            for r in s.execute(
                select(DOCUMENT.c.name, DOCUMENT.c.text, CODING.c.start, CODING.c.end, CODE.c.name)
                .join(DOCUMENT, DOCUMENT.c.id == CODING.c.document_id)
                .join(CODE, CODE.c.id == CODING.c.code_id)
            ).all()
        ]


def test_dry_run_reports_and_changes_nothing(rich: Project, tmp_path: Path) -> None:
    out = tmp_path / "rich.qdpx"
    export_qdpx(rich, out)
    from qualbench.store import create_project

    with create_project(tmp_path / "empty.qualbench") as empty:
        before = dump(empty.path)  # type: ignore[arg-type]
        report = import_refi(empty, out, dry_run=True)
        assert dump(empty.path) == before  # type: ignore[arg-type]
    assert report.dry_run and report.carried["codings"] == 10
    assert "would be imported" in "\n".join(report.summary())
    json.dumps(report.as_dict())


def test_export_report_lists_what_refi_cannot_carry(sample: Project, tmp_path: Path) -> None:
    with sample.write() as s:
        s.execute(CODING.update().where(CODING.c.id <= 3).values(origin="auto"))
    report = export_qdpx(sample, tmp_path / "s.qdpx", profile="maxqda")
    lost = {x.what: x.count for x in report.lost}
    assert lost["auto-coded codings' origin"] == 3
    assert lost["speaker-turn time stamps"] > 0
    assert lost["original file names and formats"] == 6
    assert report.carried["documents"] == 6 and report.carried["codings"] == 138
    assert any("CR LF" in n for n in report.notes)


def test_export_cancel_leaves_no_file(sample: Project, tmp_path: Path) -> None:
    from qualbench.progress import Cancelled

    out = tmp_path / "s.qdpx"
    with pytest.raises(Cancelled):
        export_qdpx(sample, out, cancel=lambda: True)
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_attribute_types_follow_their_values() -> None:
    """A REFI variable's type must hold every value as written; otherwise it is Text."""
    from qualbench.refi.exporter import _variable_type

    assert _variable_type("number", ["1", "-2"]) == "Integer"
    assert _variable_type("number", ["1.5", "2"]) == "Float"
    assert _variable_type("number", ["1,5"]) == "Text"
    assert _variable_type("date", ["2024-05-01"]) == "Date"
    assert _variable_type("date", ["2024-13-45"]) == "Text"
    assert _variable_type("boolean", ["true", "false"]) == "Boolean"
    assert _variable_type("boolean", ["yes"]) == "Text"
    assert _variable_type("text", ["1"]) == "Text"
