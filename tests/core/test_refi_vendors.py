"""Importing .qdpx and .qdc files as NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette and the
standard write them: every coding must land on the words it was meant for."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from qualbench.db import CASE_VALUE, CASES, CODE, CODER, CODING, DOCUMENT, MEMO, TURN
from qualbench.refi import create_from_refi, import_refi
from qualbench.refi.parse import guid_of
from qualbench.refi.report import RefiReport
from qualbench.services.cases import values_of
from qualbench.services.codes import code_paths
from qualbench.store import Project, open_project
from tests.conftest import SHARED
from tests.core import refi_fixtures as fx


def g(value: str) -> str:
    return str(uuid.UUID(value.strip("{}")))


def coded(project: Project) -> list[tuple[str, str, str]]:
    """(document name, code uuid, coded text) of every coding."""
    with project.read() as s:
        rows = s.execute(
            select(DOCUMENT.c.name, CODE.c.uuid, DOCUMENT.c.text, CODING.c.start, CODING.c.end)
            .join(DOCUMENT, DOCUMENT.c.id == CODING.c.document_id)
            .join(CODE, CODE.c.id == CODING.c.code_id)
        ).all()
    return sorted((d, c, t[a:b]) for d, c, t, a, b in rows)


def expected(f: fx.Fixture) -> list[tuple[str, str, str]]:
    return sorted((doc, g(code), fx.nfc(phrase)) for doc, code, phrase in f.expected)


def imported(tmp_path: Path, f: fx.Fixture | Path) -> tuple[Project, RefiReport]:
    path = f.path if isinstance(f, fx.Fixture) else f
    target = tmp_path / "imported.qualbench"
    report = create_from_refi(target, path)
    return open_project(target), report


@pytest.mark.parametrize("origin", ["NVivo 12 (12.6.0.959)", "", "Some other tool 1.0"])
def test_nvivo_windows_utf16_crlf_bom(tmp_path: Path, origin: str) -> None:
    """UTF-16 units, CR LF as two, BOM not counted: detected from the words alone when the
    origin does not say NVivo."""
    f = fx.nvivo_windows_like(tmp_path, origin=origin)
    project, report = imported(tmp_path, f)
    with project:
        assert coded(project) == expected(f)
        with project.read() as s:
            text = s.execute(select(DOCUMENT.c.text)).scalar_one()
            coders = set(s.execute(select(CODER.c.name)).scalars())
            paths = set(code_paths(s).values())
        assert text == fx.nfc(fx.NVIVO_TEXT.removeprefix("\ufeff"))
        assert "\r" not in text and "naïve" in text  # NFC, LF
        assert coders == {"coder b"}  # the Coding's user, not the selection's owner
        assert paths == {"Release risks", "Release risks > Police fear", "Naloxone"}
    assert "UTF-16 code units" in report.positions and "counted as two" in report.positions
    assert "16 of 16 selection boundaries between words" in report.positions
    assert any("'Sources'" in n for n in report.notes)


def test_atlas_line_breaks_counted_once_and_hierarchy_in_names(tmp_path: Path) -> None:
    f = fx.atlas_like(tmp_path)
    project, report = imported(tmp_path, f)
    with project:
        assert coded(project) == expected(f)
        with project.read() as s:
            paths = dict(s.execute(select(CODE.c.uuid, CODE.c.id)).all())
            tree = code_paths(s)
            names = {u: tree[i] for u, i in paths.items()}
            memo = s.execute(select(MEMO.c.text, MEMO.c.coding_id)).one()
            doc = s.execute(select(DOCUMENT.c.name, DOCUMENT.c.source_name)).one()
        assert names[g(fx.DIET)] == "Coke > diet Coke"
        assert names[g(fx.COKE)] == "Coke"  # the file's own Coke became the parent
        assert memo.text == "why Coke for breakfast?" and memo.coding_id is not None
        assert tuple(doc) == ("1994 Diet Coke break", "1994 Diet Coke break.docx")
    assert "counted as one" in report.positions
    assert "5 of 5 selection names match" in report.positions
    assert any("'::'" in n for n in report.notes)


def test_maxqda_variables_on_cases_and_uncoded_selections(tmp_path: Path) -> None:
    f = fx.maxqda_like(tmp_path)
    project, report = imported(tmp_path, f)
    with project:
        assert coded(project) == expected(f)
        with project.read() as s:
            docs = dict(s.execute(select(DOCUMENT.c.name, DOCUMENT.c.id)).all())
            values = values_of(s, scope="document")
            cases = list(s.execute(select(CASES.c.name)).scalars())
            memo = s.execute(select(MEMO.c.title, MEMO.c.text, MEMO.c.document_id)).one()
        assert values[docs["Interview"]] == {"age": "30", "city": "Almaty"}
        assert values[docs["Interview (2)"]] == {"age": "31", "city": "Bishkek"}
        assert not [c for c in cases if "Interview" not in c]  # no case made of variables
        assert memo.text == "check: whose floor?" and memo.document_id == docs["Interview"]
        assert "floor" in memo.title or "characters" in memo.title
    assert report.lossless, report.summary()


def test_qualcoder_bom_code_points_cases_and_notes(tmp_path: Path) -> None:
    f = fx.qualcoder_like(tmp_path)
    project, report = imported(tmp_path, f)
    with project:
        assert coded(project) == expected(f)
        with project.read() as s:
            memos = {m.title: m for m in s.execute(select(MEMO)).all()}
            case = s.execute(select(CASES.c.id, CASES.c.name)).all()
            turn = s.execute(select(TURN.c.start, TURN.c.end, TURN.c.case_id)).all()
            gender = s.execute(select(CASE_VALUE.c.value)).scalars().all()
        assert memos["code memo"].code_id is not None
        assert memos["code memo"].text == "Carrying is\nidentity work."
        assert memos["journal"].code_id is None and memos["journal"].document_id is None
        assert [c.name for c in case] == ["Participant A"]
        # a case over a whole document without speaker labels speaks all of it
        assert [(t.start, t.end, t.case_id) for t in turn] == [
            (0, len(fx.QUALCODER_TEXT), case[0].id)
        ]
        assert "female" in gender
    assert "code points" in report.positions


def test_taguette_codebook_paths(tmp_path: Path, project: Project) -> None:
    report = import_refi(project, fx.taguette_qdc(tmp_path))
    with project.read() as s:
        paths = sorted(code_paths(s).values())
    assert paths == ["interesting", "people", "people > family", "people > police"]
    assert report.carried["codes"] == 4


def test_nvivo_mac_empty_plain_text_reads_the_docx(tmp_path: Path) -> None:
    f = fx.nvivo_mac_like(tmp_path)
    project, report = imported(tmp_path, f)
    with project:
        assert coded(project) == expected(f)
        with project.read() as s:
            speakers = set(s.execute(select(TURN.c.speaker)).scalars())
        assert speakers == {"Interviewer", "Respondent"}
    assert any("read from DOCX" in n and "may be misplaced" in n for n in report.notes)


def test_standard_features_and_what_is_left_out(tmp_path: Path) -> None:
    """Inline text, a PDF's text representation, a media transcript, sets, links, a graph,
    a picture, non-UUID GUIDs, whole-source coding and cases over selections."""
    text = "P1: We share kits.\nP2: I keep mine hidden from the police.\n"
    pdf_text = "Report on naloxone distribution in 2023."
    transcript = "Nurse: Here is the kit. Keep it close."
    i, j = text.index("We share kits"), text.index("I keep mine hidden")
    t = transcript.index("Keep it close")
    body = (
        '<Users><User guid="p" name="Pat"/></Users>'
        '<CodeBook><Codes><Code guid="A" name="Sharing" isCodable="true" color="#0A0"/>'
        '<Code guid="B" name="Hiding" isCodable="true"/></Codes></CodeBook>'
        '<Cases><Case guid="c1" name="Second speaker"><SelectionRef targetGUID="s2"/></Case></Cases>'
        "<Sources>"
        f'<TextSource guid="t1" name="focus group"><PlainTextContent>{text}</PlainTextContent>'
        f'<PlainTextSelection guid="s1" startPosition="{i}" endPosition="{i + 13}" creatingUser="p">'
        '<Coding guid="k1" creatingUser="p"><CodeRef targetGUID="A"/></Coding></PlainTextSelection>'
        f'<PlainTextSelection guid="s2" startPosition="{j - 4}" endPosition="{len(text) - 1}"/>'
        '<Coding guid="k2" creatingUser="p"><CodeRef targetGUID="B"/></Coding></TextSource>'
        '<PDFSource guid="pdf" name="report.pdf" path="internal://pdf.pdf">'
        '<PDFSelection guid="ps" page="1" firstX="1" firstY="1" secondX="9" secondY="9">'
        '<Coding guid="k3"><CodeRef targetGUID="A"/></Coding></PDFSelection>'
        '<Representation guid="rep" plainTextPath="internal://rep.txt">'
        '<PlainTextSelection guid="s3" startPosition="10" endPosition="18">'
        '<Coding guid="k4" creatingUser="p"><CodeRef targetGUID="A"/></Coding></PlainTextSelection>'
        "</Representation></PDFSource>"
        '<PictureSource guid="pic" name="photo" path="internal://pic.jpg"/>'
        '<AudioSource guid="aud" name="recording" path="relative://rec.m4a">'
        f'<Transcript guid="tr"><PlainTextContent>{transcript}</PlainTextContent>'
        f'<SyncPoint guid="y1" timeStamp="0" position="{t}"/><SyncPoint guid="y2" timeStamp="900" position="{t + 13}"/>'
        '<TranscriptSelection guid="ts" fromSyncPoint="y1" toSyncPoint="y2">'
        '<Coding guid="k5" creatingUser="p"><CodeRef targetGUID="A"/></Coding></TranscriptSelection>'
        "</Transcript></AudioSource>"
        "</Sources>"
        '<Notes><Note guid="n1" name="on sharing"><PlainTextContent>kits move</PlainTextContent></Note></Notes>'
        '<Links><Link guid="l1" originGUID="n1" targetGUID="A"/><Link guid="l2" originGUID="A" targetGUID="B"/></Links>'
        '<Sets><Set guid="set1" name="Wave 1"><MemberSource targetGUID="t1"/></Set>'
        '<Set guid="set2" name="Key codes"><MemberCode targetGUID="A"/></Set></Sets>'
        '<Graphs><Graph guid="gr"/></Graphs>'
        "<Description>A study</Description>"
    )
    path = fx.qdpx(tmp_path / "std.qdpx", fx.project_xml("Standard", body),
                   {"sources/rep.txt": pdf_text.encode()})  # fmt: skip
    project, report = imported(tmp_path, path)
    a, b = guid_of("A"), guid_of("B")
    with project:
        assert coded(project) == sorted([
            ("focus group", a, "We share kits"),
            ("focus group", b, text),
            ("recording (transcript)", a, "Keep it close"),
            ("report", a, "naloxone"),
        ])  # fmt: skip
        with project.read() as s:
            doc = s.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.name == "focus group")).scalar()
            values = values_of(s, scope="document")[doc]
            turns = s.execute(
                select(TURN.c.start, TURN.c.end, CASES.c.name)
                .join(CASES, CASES.c.id == TURN.c.case_id)
                .where(TURN.c.document_id == doc)
            ).all()
            memo = s.execute(select(MEMO.c.code_id, MEMO.c.text)).one()
            description = project.info().description
        assert values == {"set: Wave 1": "yes"}
        assert (j - 4, len(text) - 1, "Second speaker") in [tuple(x) for x in turns]
        assert memo.code_id is not None and memo.text == "kits move"
        assert description == "A study"
    lost = {x.what: x.count for x in report.lost}
    assert lost["pictures"] == 1
    assert lost["PDF regions (page areas)"] == 1 and lost["codings of PDF regions"] == 1
    assert lost["audio sources (the media itself)"] == 1
    assert lost["graphs"] == 1 and lost["links"] == 1 and lost["code sets"] == 1


@pytest.mark.parametrize(
    "ns", ["urn:QDA-XML:project:1:0", "urn:QDA-XML:project:0:10", "", "URN:QDA-XML:PROJECT:1.0"]
)
def test_namespace_variants(tmp_path: Path, project: Project, ns: str) -> None:
    body = (
        '<CodeBook><Codes><Code guid="{5215CC69-B628-4E02-AFB9-9BEEAEE55808}" name="Topics" '
        'isCodable="false"/></Codes></CodeBook>'
    )
    path = fx.qdpx(tmp_path / "ns.qdpx", fx.project_xml("x", body, ns=ns))
    import_refi(project, path)
    with project.read() as s:
        assert s.execute(select(CODE.c.uuid)).scalar_one() == "5215cc69-b628-4e02-afb9-9beeaee55808"


def test_foreign_namespace_is_refused(tmp_path: Path, project: Project) -> None:
    from qualbench.refi import RefiError

    path = fx.qdpx(tmp_path / "x.qdpx", fx.project_xml("x", "", ns="http://example.com/other"))
    with pytest.raises(RefiError, match="not a REFI-QDA project"):
        import_refi(project, path)


def test_external_sources_need_permission(tmp_path: Path, project: Project) -> None:
    study = tmp_path / "study"
    (study / "media").mkdir(parents=True)
    (study / "media" / "notes.txt").write_text("Field notes: the van came at nine.", "utf-8")
    (tmp_path / "secret.txt").write_text("not for you", "utf-8")
    body = (
        "<Sources>"
        '<TextSource guid="e1" name="field notes" plainTextPath="relative://media/notes.txt"/>'
        '<TextSource guid="e2" name="escape" plainTextPath="relative://../secret.txt"/>'
        f'<TextSource guid="e3" name="absolute" plainTextPath="absolute://{tmp_path}/secret.txt"/>'
        "</Sources>"
    )
    path = fx.qdpx(study / "ext.qdpx", fx.project_xml("x", body))
    report = import_refi(project, path, dry_run=True)
    assert report.carried.get("documents", 0) == 0
    assert sum(x.count for x in report.lost if x.what == "sources") == 3
    assert any("allow external files" in x.why for x in report.lost)
    report = import_refi(project, path, external_files=True)
    with project.read() as s:
        names = set(s.execute(select(DOCUMENT.c.name)).scalars())
    assert names == {"field notes", "absolute"}  # relative:// may not leave its folder
    assert any("outside its folder" in x.why for x in report.lost)


# --- the real exports in ../shared/refi/samples -----------------------------------------------


def test_real_nvivo_mac_sample(shared_dir: Path, tmp_path: Path) -> None:
    project, report = imported(tmp_path, shared_dir / "refi/samples/nvivo-mac/nvivo_project.qdpx")
    with project:
        with project.read() as s:
            paths = code_paths(s)
            docs = s.execute(select(DOCUMENT.c.id)).all()
        assert len(paths) == 262
        assert max(p.count(" > ") for p in paths.values()) == 6  # seven levels deep
        assert "rq1_definition > competencies > programming" in paths.values()
        assert "rq2_curriculum_and_instruction > pedagogy > pedagogy" in paths.values()
        assert docs == []  # both sources are empty: a one-byte plain text and an empty DOCX
    lost = {x.what: x.count for x in report.lost}
    assert sum(x.count for x in report.lost if x.what == "sources") == 2
    assert lost["users"] == 2
    assert report.origin == "NVivo for Mac 15.0.0"


def test_real_atlas_samples(shared_dir: Path, tmp_path: Path) -> None:
    project, report = imported(
        tmp_path, shared_dir / "refi/samples/atlasti/target-atlas-project.qdpx"
    )
    with project, project.read() as s:
        paths = sorted(code_paths(s).values())
    assert paths == [
        "Commits",
        "Commits > 2022-02-11T10:39:25Z cdbfd92",
        "Commits > 2022-05-10T02:05:59Z 19e4dce",
    ]
    blank = tmp_path / "blank"
    blank.mkdir()
    project, report = imported(blank, shared_dir / "refi/samples/atlasti/blank-atlas-project.qdpx")
    with project, project.read() as s:
        assert s.execute(select(CODE.c.id)).all() == []
    assert report.origin.startswith("ATLAS.ti for Windows")


def test_real_spec_codebook(shared_dir: Path, project: Project) -> None:
    report = import_refi(
        project, shared_dir / "refi/samples/spec/REFI-QDA-1-5_AnnexA1_codebook.qdc"
    )
    with project.read() as s:
        rows = {r.name: r for r in s.execute(select(CODE)).all()}
    assert set(rows) == {"Topics", "Economy", "Health care", "Values", "Conservatives", "Liberals"}
    assert rows["Economy"].uuid == "d7aa29da-519b-4946-9b90-253b6db8fd0a"  # braces dropped
    assert rows["Economy"].color == "#FFFF00"
    assert rows["Liberals"].definition == "Democrats, socialists, or progressive independents"
    assert any("not codable" in n for n in report.notes)


SAMPLES = (
    sorted(
        str(p.relative_to(SHARED))
        for p in (SHARED / "refi" / "samples").rglob("*")
        if p.suffix.lower() in (".qdpx", ".qdc")
    )
    if (SHARED / "refi" / "samples").is_dir()
    else ["refi/samples (absent)"]
)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_shared_sample_imports_onto_its_words(
    shared_dir: Path, tmp_path: Path, name: str
) -> None:
    """Any real export dropped into ../shared/refi/samples: it imports, every coding is
    accounted for, and where the tool wrote the covered text as the selection's name, the
    coding covers that text."""
    from qualbench.refi import prepare
    from qualbench.refi.positions import name_hint

    path = shared_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not present")
    prep, _ = prepare(path)
    hints = {
        c.guid: name_hint(sel.name)
        for src in prep.project.sources
        for sel in src.selections
        for c in sel.codings
    }
    in_file = len(hints) + sum(len(src.codings) for src in prep.project.sources)
    project, report = imported(tmp_path, path)
    with project, project.read() as s:
        rows = s.execute(
            select(CODING.c.uuid, DOCUMENT.c.text, CODING.c.start, CODING.c.end).join(
                DOCUMENT, DOCUMENT.c.id == CODING.c.document_id
            )
        ).all()
    for guid, text, a, b in rows:
        hint = hints.get(guid, "")
        assert not hint or " ".join(text[a:b].casefold().split()).startswith(hint), guid
    lost = sum(x.count for x in report.lost if x.what == "codings")
    assert report.carried.get("codings", 0) + report.matched.get("codings", 0) + lost == in_file
