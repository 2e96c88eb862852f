"""Quote verification: a real project with invented transcripts, a real .docx manuscript."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from importers import Transcript
from importers.speakers import find_turns
from qualbench.cli import main
from qualbench.progress import Cancelled
from qualbench.reports.verify_quotes import (
    ALTERED,
    EXACT,
    NOT_FOUND,
    DiffOp,
    ManuscriptError,
    ManuscriptQuote,
    QuoteCheck,
    describe,
    find_quotes,
    read_manuscript,
    verify_manuscript,
    verify_quotes,
)
from qualbench.services.documents import add_transcript
from qualbench.store import Project

# Invented for these tests.
KITCHEN = (
    "Interview 12, recorded in the community kitchen\n"
    "\n"
    "[00:01:05] INTERVIEWER: How did you find a place to stay after you came out?\n"
    "\n"
    "[00:01:12] P12: Honestly it took me four months. The council kept sending letters to an "
    "address I had already left, and every time I phoned them somebody new picked up.\n"
    "My sister let me sleep on her floor, but her landlord didn't like it.\n"
    "\n"
    "[00:02:40] INTERVIEWER: What about work?\n"
    "\n"
    "[00:02:44] P12: The warehouse said yes on the phone and no when they saw my record. "
    "I stopped telling people after that \u2014 it wasn't worth the look on their faces.\n"
)
PHARMACY = (
    "Focus group, north site\n"
    "\n"
    "MODERATOR: Let's talk about the pharmacy.\n"
    "\n"
    "P3: The pharmacist was kind, but the queue was right by the window, so everyone on the "
    "street could see who was collecting. I went at closing time so nobody I knew would be there.\n"
    "\n"
    "P4: For me it was the opposite. I wanted them to see me doing it properly, like, proof "
    "that I'd changed.\n"
    "\n"
    "P3: The first week I carried the naloxone kit everywhere, even to church. Then I forgot "
    "it once and nothing happened, and after that it stayed in the drawer.\n"
)
SHELTER = (
    "Field notes, visit to the night shelter\n"
    "\n"
    "The staff told us that residents often leave their bags packed by the door. One volunteer "
    "said the hardest nights are the ones after payday, when the corridor fills with people "
    "nobody has seen for weeks.\n"
    "\n"
    "\u201cNobody asked for my name, which was a relief,\u201d a resident told us on the way out.\n"
)


def add(project: Project, name: str, text: str) -> None:
    with project.write() as s:
        add_transcript(s, Transcript(text=text, turns=find_turns(text), source_name=name))


@pytest.fixture
def study(project: Project) -> Project:
    add(project, "interview_p12.txt", KITCHEN)
    add(project, "fg_north.txt", PHARMACY)
    add(project, "shelter_notes.txt", SHELTER)
    return project


def write_manuscript(path: Path) -> Path:
    import docx
    from docx.shared import Inches

    d = docx.Document()
    d.add_heading("Staying housed after release", level=1)
    d.add_paragraph(
        "Participants described informal help. \u201cMy sister let me sleep on her floor, but "
        "her landlord didn\u2019t like it.\u201d (P12, interview) Others spoke of the "
        "so-called \u201crecovery capital\u201d and of 'risk' in general."
    )
    d.add_paragraph(
        "Privacy at the pharmacy mattered: \u201cThe pharmacist was kind \u2026 I went at "
        "closing time so nobody I knew would be there.\u201d (P3, focus group)"
    )
    d.add_paragraph(
        "Carrying a kit was not a habit that lasted: \u201cThe first week I carried [naloxone] "
        "everywhere, even to church.\u201d (P3)"
    )
    d.add_paragraph(
        "Some wanted to be seen: \u201eFor me it was the opposite; I wanted them to see me doing "
        "it properly like proof that I\u2019d changed\u201c (P7)."
    )
    d.add_paragraph(
        'Delays were long. "Honestly it took me five months. The council kept sending letters '
        'to an address I had already left" (P12).'
    )
    d.add_paragraph(
        "The warehouse said yes on the phone and no when they saw my record. I stopped telling "
        "people after that \u2013 it wasn't worth the look on their faces. (P12)",
        style="Quote",
    )
    indented = d.add_paragraph(
        "One volunteer said the hardest nights are the ones after payday, when the corridor "
        "fills with people nobody has seen for weeks."
    )
    indented.paragraph_format.left_indent = Inches(0.5)
    d.add_paragraph(
        "Fear was constant: \u201cI never once felt safe in that hostel, not even with the door "
        "locked.\u201d (P9)"
    )
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Relief"
    table.cell(0, 1).text = "\u201cNobody asked for my name, which was a relief\u201d"
    d.save(str(path))
    return path


@pytest.fixture
def manuscript(tmp_path: Path) -> Path:
    return write_manuscript(tmp_path / "paper.docx")


def stored(project: Project, name: str) -> str:
    from sqlalchemy import select

    from qualbench.db import DOCUMENT

    with project.read() as s:
        return str(s.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.name == name)).scalar_one())


def by_start(checks: list[QuoteCheck]) -> dict[str, QuoteCheck]:
    return {c.quote.split()[0] + " " + c.quote.split()[1]: c for c in checks}


def test_reads_the_quotes_of_a_docx(manuscript: Path) -> None:
    quotes = read_manuscript(manuscript)
    assert [q.text.split()[:2] for q in quotes] == [
        ["My", "sister"],
        ["The", "pharmacist"],
        ["The", "first"],
        ["For", "me"],
        ["Honestly", "it"],
        ["The", "warehouse"],
        ["One", "volunteer"],
        ["I", "never"],
        ["Nobody", "asked"],
    ]  # scare quotes ("recovery capital", 'risk') left out
    assert [q.paragraph for q in quotes] == [2, 3, 4, 5, 6, 7, 8, 9, 11]  # heading is 1
    assert [q.block for q in quotes] == [False] * 5 + [True, True] + [False] * 2
    assert quotes[0].citation == "P12, interview" and quotes[0].attributed_to == "P12"
    assert quotes[5].text.endswith("on their faces.") and quotes[5].attributed_to == "P12"
    assert quotes[3].attributed_to == "P7"
    shorter = [q.text for q in read_manuscript(manuscript, min_words=1)]
    assert shorter[1] == "recovery capital" and "risk" not in shorter  # 'single' marks: 4 words


def test_statuses_offsets_speakers_and_diffs(study: Project, manuscript: Path) -> None:
    progress: list[tuple[int, int]] = []
    with study.read() as s:
        report = verify_manuscript(s, manuscript, progress=lambda d, t, _: progress.append((d, t)))
    assert report.documents == 3 and report.words > 200
    assert progress[-1] == (3 + 9, 3 + 9)
    checks = by_start(report.checks)
    kitchen, pharmacy, shelter = (
        stored(study, n) for n in ("interview_p12", "fg_north", "shelter_notes")
    )

    exact = checks["My sister"]
    assert (exact.status, exact.score, exact.document) == (EXACT, 100.0, "interview_p12")
    assert kitchen[exact.start : exact.end] == (
        "My sister let me sleep on her floor, but her landlord didn't like it."
    )
    assert (exact.speaker, exact.timestamp_ms, exact.diff) == ("P12", 72_000, ())
    assert exact.attribution_mismatch is False and exact.manuscript_paragraph == 2

    elided = checks["The pharmacist"]
    assert elided.status == EXACT and elided.document == "fg_north" and elided.speaker == "P3"
    assert pharmacy[elided.start : elided.end].startswith("The pharmacist was kind, but the queue")
    assert pharmacy[elided.start : elided.end].endswith("nobody I knew would be there.")
    assert [pharmacy[a:b] for a, b in elided.pieces] == [
        "The pharmacist was kind",
        "I went at closing time so nobody I knew would be there",
    ]
    assert elided.diff == (
        DiffOp(
            "elision",
            "\u2026",
            "but the queue was right by the window, so everyone on the street could see who "
            "was collecting",
        ),
    )

    bracket = checks["The first"]
    assert bracket.status == EXACT and bracket.speaker == "P3"
    assert pharmacy[bracket.start : bracket.end] == (
        "The first week I carried the naloxone kit everywhere, even to church."
    )
    assert bracket.diff == (DiffOp("bracket", "[naloxone]", "the naloxone kit"),)
    assert bracket.diff[0].intended

    punctuation = checks["For me"]
    assert punctuation.status == ALTERED and punctuation.score == 100.0
    assert pharmacy[punctuation.start : punctuation.end] == (
        "For me it was the opposite. I wanted them to see me doing it properly, like, proof "
        "that I'd changed"
    )
    assert punctuation.diff == (
        DiffOp("punctuation", "opposite;", "opposite."),
        DiffOp("punctuation", "properly like", "properly, like,"),
    )
    assert punctuation.speaker == "P4" and punctuation.attribution_mismatch is True
    assert any("attributes it to P7" in n and "P4" in n for n in punctuation.notes)

    changed = checks["Honestly it"]
    assert changed.status == ALTERED and 80 <= changed.score < 100
    assert changed.diff == (DiffOp("changed", "five", "four"),)
    assert kitchen[changed.start : changed.end] == (
        "Honestly it took me four months. The council kept sending letters to an address I "
        "had already left"
    )
    assert changed.timestamp_ms == 72_000

    block = checks["The warehouse"]
    assert block.status == EXACT and block.block and block.speaker == "P12"
    assert kitchen[block.start : block.end] == (
        "The warehouse said yes on the phone and no when they saw my record. I stopped telling "
        "people after that \u2014 it wasn't worth the look on their faces."
    )
    assert block.timestamp_ms == 164_000

    indented = checks["One volunteer"]
    assert indented.status == EXACT and indented.block and indented.document == "shelter_notes"
    assert (indented.speaker, indented.timestamp_ms, indented.paragraph) == ("", None, 2)
    assert shelter[indented.start : indented.end].startswith("One volunteer said")
    assert shelter[indented.start : indented.end].endswith("nobody has seen for weeks.")

    in_table = checks["Nobody asked"]
    assert in_table.status == EXACT and in_table.paragraph == 3
    assert shelter[in_table.start : in_table.end] == "Nobody asked for my name, which was a relief"

    fabricated = checks["I never"]
    assert fabricated.status == NOT_FOUND and fabricated.score < 70
    assert fabricated.attribution_mismatch is None
    assert report.count(EXACT) == 6 and report.count(ALTERED) == 2
    assert report.count(NOT_FOUND) == 1


def test_altered_quote_words_added_and_removed(study: Project) -> None:
    quotes = [
        ManuscriptQuote(1, "The council kept sending letters to an old address I had left", 1),
        ManuscriptQuote(2, "then I forgot it once and nothing happened at all, honestly", 2),
    ]
    with study.read() as s:
        first, second = verify_quotes(s, quotes).checks
    assert first.status == ALTERED
    assert first.diff == (DiffOp("added", "old", ""), DiffOp("removed", "", "already"))
    assert second.status == ALTERED
    assert second.diff == (DiffOp("added", "at all, honestly", ""),)
    assert "added" in describe(second.diff[0])


def test_same_words_in_two_documents_are_noted(study: Project) -> None:
    add(
        study,
        "copy.txt",
        "P5: The first week I carried the naloxone kit everywhere, even to church.\n",
    )
    with study.read() as s:
        (check,) = verify_quotes(
            s, [ManuscriptQuote(1, "I carried the naloxone kit everywhere, even to church", 1)]
        ).checks
    assert check.status == EXACT and check.document == "fg_north"
    assert any("also occur in copy" in n for n in check.notes)


def test_offsets_after_wide_characters_and_in_a_large_document(project: Project) -> None:
    """Code-point offsets survive multi-byte UTF-8, a letter that lowercases to two code points
    (İ) and emoji, and a document longer than one hashing chunk (1 MB)."""
    wide = "P1: İstanbul’da 🙂 çay içtik — «ну да» 🙂🙂 and then we said: Our flat had no heating all winter.\n"
    filler = "".join(
        f"P2: filler sentence number {i} about nothing in particular.\n" for i in range(25_000)
    )
    late = "P3: At the end of it all the caseworker finally rang me back on a Friday.\n"
    add(project, "wide.txt", wide)
    add(project, "big.txt", filler + late)
    big = stored(project, "big")
    assert len(big.encode()) > 1 << 20
    quotes = [
        ManuscriptQuote(1, "our flat had no heating all winter", 1),
        ManuscriptQuote(2, "the caseworker finally rang me back on a Friday", 2),
    ]
    with project.read() as s:
        first, second = verify_quotes(s, quotes).checks
    assert first.status == EXACT and first.speaker == "P1"  # case of the first letter is free
    assert stored(project, "wide")[first.start : first.end] == "Our flat had no heating all winter"
    assert second.status == EXACT and second.speaker == "P3"
    assert big[second.start : second.end] == "the caseworker finally rang me back on a Friday"


def test_editorial_brackets_turns_and_a_weak_candidate(study: Project) -> None:
    quotes = [
        ManuscriptQuote(
            1, "[T]he council kept sending letters [sic] to an address I had already left", 1
        ),
        ManuscriptQuote(2, "[They] gave me one at the gate, I showed my cousin", 2),
        ManuscriptQuote(
            3,
            "how did you find a place to stay after you came out? Honestly it took me four months",
            3,
        ),
        ManuscriptQuote(
            4, "The pharmacist was rude and the line was long by the door every single time", 4
        ),
    ]
    with study.read() as s:
        sic, leading, turns, weak = verify_quotes(s, quotes).checks
    assert sic.status == EXACT and sic.diff == ()
    assert leading.status == NOT_FOUND  # these words are in no transcript
    # Across two turns: the next turn's label and time are words the quote leaves out.
    assert turns.status == ALTERED and turns.speaker == "INTERVIEWER"
    assert turns.diff == (DiffOp("removed", "", "[00:01:12] P12:"),)
    assert "the passage runs over more than one speaker turn" in turns.notes
    assert weak.status == NOT_FOUND and weak.document == "fg_north" and 40 <= weak.score < 70
    assert any("most similar passage" in n for n in weak.notes)
    assert DiffOp("changed", "rude and", "kind, but") in weak.diff


def test_cancel_stops_the_check(study: Project, manuscript: Path) -> None:
    with study.read() as s, pytest.raises(Cancelled):
        verify_manuscript(s, manuscript, cancel=lambda: True)


def test_empty_project_finds_nothing(project: Project, manuscript: Path) -> None:
    with project.read() as s:
        report = verify_manuscript(s, manuscript)
    assert report.documents == 0 and {c.status for c in report.checks} == {NOT_FOUND}


def test_tracked_changes_in_the_manuscript(study: Project, tmp_path: Path) -> None:
    """A quote edited with track changes on reads as Word shows it after accepting them."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(tag: str, text: str) -> OxmlElement:
        wrapper = OxmlElement(tag)
        wrapper.set(qn("w:id"), "1")
        wrapper.set(qn("w:author"), "reviewer")
        r, t = OxmlElement("w:r"), OxmlElement("w:delText" if tag == "w:del" else "w:t")
        t.text = text
        r.append(t)
        wrapper.append(r)
        return wrapper

    d = docx.Document()
    p = d.add_paragraph("\u201cThe council kept sending letters to an address I had ")
    p._p.append(run("w:del", "never "))
    p._p.append(run("w:ins", "already"))
    p.add_run(" left\u201d (P12).")
    path = tmp_path / "tracked.docx"
    d.save(str(path))
    (quote,) = read_manuscript(path)
    assert quote.text == "The council kept sending letters to an address I had already left"
    with study.read() as s:
        (check,) = verify_quotes(s, [quote]).checks
    assert check.status == EXACT and check.attribution_mismatch is False


def test_text_and_markdown_manuscripts(tmp_path: Path) -> None:
    md = tmp_path / "paper.md"
    md.write_text(
        "# Results\n\nShe said \u201cthe *council* kept sending letters\u201d and left.\n\n"
        "> The warehouse said yes on the phone\n> and no when they saw my record.\n\n"
        "\u2014 P12\n",
        encoding="utf-8",
    )
    quotes = read_manuscript(md)
    assert [(q.text, q.block, q.paragraph) for q in quotes] == [
        ("the council kept sending letters", False, 2),
        ("The warehouse said yes on the phone and no when they saw my record.", True, 3),
    ]
    assert quotes[1].attributed_to == "P12"
    txt = tmp_path / "paper.txt"
    txt.write_text(
        "One line \u00abwith four French words\u00bb\nAnother 'short one'\n", encoding="utf-8"
    )
    assert [q.text for q in read_manuscript(txt)] == ["with four French words"]


def test_find_quotes_straight_single_and_nested_marks() -> None:
    text = (
        "He wrote \"we never said 'no' to anyone who came in\" and she said 'the door was "
        "always open to us' (Maria, 34); don't count 'it's fine' or James' car."
    )
    quotes = find_quotes([(text, False)])
    assert [q.text for q in quotes] == [
        "we never said 'no' to anyone who came in",
        "the door was always open to us",
    ]
    assert quotes[1].attributed_to == "Maria"
    cited = find_quotes([("\u201cfour words are here\u201d (Smith, 2019)", False)])
    assert cited[0].citation == "Smith, 2019" and cited[0].attributed_to == ""


BAD_MANUSCRIPTS = {
    "missing.docx": None,
    "empty.docx": b"",
    "plain.docx": b"this is just text, renamed",
    "encrypted.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
    "old.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    "paper.pdf": b"%PDF-1.4\n",
}


@pytest.mark.parametrize("name", sorted(BAD_MANUSCRIPTS))
def test_bad_manuscripts_fail_with_one_line(
    study: Project, project_path: Path, tmp_path: Path, capsys, name: str
) -> None:
    bad = tmp_path / name
    if BAD_MANUSCRIPTS[name] is not None:
        bad.write_bytes(BAD_MANUSCRIPTS[name])  # type: ignore[arg-type]
    with pytest.raises((ManuscriptError, Exception)):
        read_manuscript(bad)
    code = main(["verify-quotes", str(bad), str(project_path)])
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in err
    assert out == ""
    expected = {
        "missing.docx": "does not exist",
        "empty.docx": "is empty",
        "plain.docx": "not a .docx",
        "encrypted.docx": "password-protected",
        "old.docx": "old binary Word file",
        "paper.pdf": "unsupported type",
    }[name]
    assert expected in lines[0]


def test_cli_table_json_and_file(
    study: Project, project_path: Path, manuscript: Path, tmp_path: Path, capsys
) -> None:
    code = main(["verify-quotes", str(manuscript), str(project_path)])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err
    lines = out.splitlines()
    assert lines[0].split() == ["#", "quote", "status", "document", "where", "score"]
    row = next(line for line in lines if line.lstrip().startswith("5 "))
    assert "altered" in row and "interview_p12" in row and "P12 00:01:12" in row
    assert 'changed "five" (transcript: "four")' in out
    assert "attributes it to P7" in out
    assert "9 quotes: 6 exact, 2 altered, 1 not found" in out

    code = main(["verify-quotes", str(manuscript), str(project_path), "--json", "--min-words", "2"])
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and data["counts"] == {"exact": 6, "altered": 2, "not found": 2}
    first = data["quotes"][0]
    assert first["status"] == "exact" and first["speaker"] == "P12" and first["start"] >= 0
    assert data["quotes"][4]["diff"][0] == {
        "kind": "punctuation",
        "quote": "opposite;",
        "source": "opposite.",
    }

    for suffix in (".csv", ".xlsx"):
        target = tmp_path / f"report{suffix}"
        code = main(["verify-quotes", str(manuscript), str(project_path), "--out", str(target)])
        _, err = capsys.readouterr()
        assert code == 0 and target.stat().st_size > 0 and "contains transcript text" in err
    with (tmp_path / "report.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows].count("exact") == 6
    code = main(
        ["verify-quotes", str(manuscript), str(project_path), "--out", str(tmp_path / "r.odt")]
    )
    _, err = capsys.readouterr()
    assert code == 1 and "unknown report format" in err


def test_cli_refuses_a_bad_minimum(project_path: Path, manuscript: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["verify-quotes", str(manuscript), str(project_path), "--min-words", "0"])
    assert "at least 1" in capsys.readouterr().err
