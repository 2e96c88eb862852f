"""Word processor files built with the real libraries: .docx (python-docx), .odt (odfpy), .rtf."""

from __future__ import annotations

from pathlib import Path

import pytest

from importers import read_transcript
from importers.office import rows_to_text
from tests.importers.builders import (
    add_docx_table,
    new_docx,
    odt_paragraph,
    odt_table,
    rtf,
    save_odt,
    turns_of,
)

# --- .docx --------------------------------------------------------------------------------------


def test_docx_paragraphs_line_breaks_and_no_header_footer(tmp_path: Path) -> None:
    document = new_docx(header="CONFIDENTIAL draft header", footer="Page footer text")
    document.core_properties.title = "Bakery interview"
    document.core_properties.author = "Field team"
    document.add_heading("Interview 4", level=1)
    document.add_paragraph("Interviewer: When did the bakery open?")
    p = document.add_paragraph("Participant: In the spring.")
    run = p.add_run()
    run.add_break()
    p.add_run("We sold bread\tand cakes.")
    document.add_paragraph("")
    document.add_paragraph("Later we added tea.")
    document.add_paragraph("Interviewer: Thank you.")
    path = tmp_path / "bakery.docx"
    document.save(str(path))

    t = read_transcript(path)
    assert t.format == "docx"
    assert t.text == (
        "Interview 4\n\n"
        "Interviewer: When did the bakery open?\n\n"
        "Participant: In the spring.\nWe sold bread\tand cakes.\n\n"
        "Later we added tea.\n\n"
        "Interviewer: Thank you."
    )
    assert "CONFIDENTIAL" not in t.text
    assert "footer" not in t.text
    assert turns_of(t) == [
        ("Interviewer", "When did the bakery open?", None),
        ("Participant", "In the spring.\nWe sold bread\tand cakes.\n\nLater we added tea.", None),
        ("Interviewer", "Thank you.", None),
    ]
    assert t.metadata["title"] == "Bakery interview"
    assert t.metadata["author"] == "Field team"
    assert t.metadata["created"].startswith("20")  # ISO 8601, as .odt files have it
    assert "T" in t.metadata["created"]


def test_docx_table_of_speaker_and_words(tmp_path: Path) -> None:
    document = new_docx()
    document.add_paragraph("Focus group, session 1")
    add_docx_table(
        document,
        [
            ["Moderator", "Who has used the new clinic?"],
            ["P1", "I have, twice."],
            ["P2", "Not yet.\nMaybe next month."],
            ["P1", "It was quick."],
        ],
    )
    document.add_paragraph("End of recording.")
    path = tmp_path / "group.docx"
    document.save(str(path))

    t = read_transcript(path)
    assert turns_of(t) == [
        ("Moderator", "Who has used the new clinic?", None),
        ("P1", "I have, twice.", None),
        ("P2", "Not yet. Maybe next month.", None),
        ("P1", "It was quick.\n\nEnd of recording.", None),
    ]


def test_docx_table_of_time_speaker_and_words_with_a_header_row(tmp_path: Path) -> None:
    document = new_docx()
    add_docx_table(
        document,
        [
            ["Time", "Speaker", "Text"],
            ["00:00:04", "Interviewer", "Can you hear me?"],
            ["00:00:07", "Dana", "Yes, clearly."],
            ["[00:01:10]", "Interviewer", "Good."],
            ["", "Interviewer", "Let us begin."],
        ],
    )
    path = tmp_path / "teams.docx"
    document.save(str(path))

    t = read_transcript(path)
    assert t.text.startswith("Time\tSpeaker\tText\n\n[00:00:04] Interviewer: Can you hear me?")
    assert turns_of(t) == [
        ("Interviewer", "Can you hear me?", 4_000),
        ("Dana", "Yes, clearly.", 7_000),
        ("Interviewer", "Good.", 70_000),
        ("Interviewer", "Let us begin.", None),
    ]


def test_docx_with_merged_cells_and_an_ordinary_table(tmp_path: Path) -> None:
    document = new_docx()
    document.add_paragraph("Interviewer: Here is the schedule.")
    table = document.add_table(rows=3, cols=4)
    for r, row in enumerate(
        [["Day", "Room", "Lead", "Notes"], ["Mon", "2", "Ana", "a"], ["Tue", "3", "Ben", "b"]]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(0, 2).merge(table.cell(0, 3))
    merged.text = "Lead and notes"
    document.add_paragraph("P1: Thanks.")
    path = tmp_path / "schedule.docx"
    document.save(str(path))

    t = read_transcript(path)
    # An ordinary table: one tab-separated paragraph per row, merged cells once.
    assert "Day\tRoom\tLead and notes\n\nMon\t2\tAna\ta\n\nTue\t3\tBen\tb" in t.text
    assert t.speakers == ("Interviewer", "P1")


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
REVISION = 'w:author="Editor" w:date="2024-05-03T10:00:00Z"'


def test_docx_tracked_changes_content_controls_and_comments(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    document = new_docx()
    first = document.add_paragraph("Interviewer: How did you get ")
    first._p.append(
        parse_xml(f'<w:ins {W} w:id="1" {REVISION}><w:r><w:t>there</w:t></w:r></w:ins>')
    )
    first._p.append(
        parse_xml(f'<w:del {W} w:id="2" {REVISION}><w:r><w:delText>here</w:delText></w:r></w:del>')
    )
    first.add_run("?")
    second = document.add_paragraph("P1: By ")
    second._p.append(
        parse_xml(f"<w:sdt {W}><w:sdtContent><w:r><w:t>bus</w:t></w:r></w:sdtContent></w:sdt>")
    )
    run = second.add_run(", mostly.")
    document.add_comment(run, text="COMMENT must not appear", author="Reviewer")
    # A paragraph wrapped in a block-level content control.
    body = document.element.body
    body.insert(
        len(body) - 1,
        parse_xml(
            f"<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>Interviewer: In a control.</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        ),
    )
    path = tmp_path / "tracked.docx"
    document.save(str(path))

    t = read_transcript(path)
    assert t.text == (
        "Interviewer: How did you get there?\n\nP1: By bus, mostly.\n\nInterviewer: In a control."
    )


def test_rows_to_text() -> None:
    assert rows_to_text([["Speaker", "Words"], ["A", "one"], ["B", "two"]]) == [
        "Speaker\tWords",
        "A: one",
        "B: two",
    ]
    assert rows_to_text([["x", "1", "2", "3"], ["", "", "", ""]]) == ["x\t1\t2\t3"]
    assert rows_to_text([["Time", "Who", "What"], ["0:01", "A", "hi"], ["0:09", "B", "yo"]]) == [
        "Time\tWho\tWhat",
        "[0:01] A: hi",
        "[0:09] B: yo",
    ]


# --- .odt ---------------------------------------------------------------------------------------


def test_odt_paragraphs_headings_table_spaces_and_no_notes(tmp_path: Path) -> None:
    from odf import office, text

    annotation = office.Annotation()
    annotation.addElement(text.P(text="REVIEWER COMMENT must not appear"))
    note = text.Note(id="ftn1", noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="FOOTNOTE TEXT must not appear"))
    note.addElement(body)

    path = save_odt(
        tmp_path / "market.odt",
        [
            odt_paragraph("Market interview", heading=1),
            odt_paragraph("Interviewer: What do you sell?", annotation),
            odt_paragraph("Participant: Apples,", text.S(c=3), "pears", note, " and plums."),
            odt_paragraph("Second line", text.LineBreak(), "after a break", text.Tab(), "tab."),
            odt_table([["Interviewer", "Since when?"], ["Participant", "Since 2001."]]),
            odt_paragraph("Interviewer: Thanks."),
        ],
        title="Market",
    )

    t = read_transcript(path)
    assert t.format == "odt"
    assert t.text == (
        "Market interview\n\n"
        "Interviewer: What do you sell?\n\n"
        "Participant: Apples,   pears and plums.\n\n"
        "Second line\nafter a break\ttab.\n\n"
        "Interviewer: Since when?\n\n"
        "Participant: Since 2001.\n\n"
        "Interviewer: Thanks."
    )
    assert turns_of(t) == [
        ("Interviewer", "What do you sell?", None),
        ("Participant", "Apples,   pears and plums.\n\nSecond line\nafter a break\ttab.", None),
        ("Interviewer", "Since when?", None),
        ("Participant", "Since 2001.", None),
        ("Interviewer", "Thanks.", None),
    ]
    assert t.metadata["title"] == "Market"


def test_odt_lists_and_one_space_element(tmp_path: Path) -> None:
    from odf import text

    item = text.ListItem()
    item.addElement(text.P(text="P2: A list item answer."))
    lst = text.List()
    lst.addElement(item)
    path = save_odt(
        tmp_path / "list.odt",
        [odt_paragraph("P1:", text.S(), "Question?"), lst, odt_paragraph("P1: Ok.")],
    )
    t = read_transcript(path)
    assert turns_of(t) == [
        ("P1", "Question?", None),
        ("P2", "A list item answer.", None),
        ("P1", "Ok.", None),
    ]


# --- .rtf ---------------------------------------------------------------------------------------


def test_rtf_code_page_and_unicode_escapes(tmp_path: Path) -> None:
    body = (
        r"\pard\plain Interviewer: Was the caf\'e9 busy?\par"
        "\n"
        r"\pard Participant: \'93Yes,\'94 it\'92s always busy \'97 na\'efve of me.\par"
        "\n"
        r"\pard Interviewer: \u1057?\u1087?\u1072?\u1089?\u1080?\u1073?\u1086? and "
        r"\u-10179?\u-8704? emoji.\par"
        "\n"
        r"\pard Participant: {\b Bold} words {\i and italics}\line on a new line.\par"
        "\n"
    )
    path = tmp_path / "notes.rtf"
    path.write_bytes(rtf(body))

    t = read_transcript(path)
    assert t.format == "rtf"
    assert "HEADER" not in t.text
    assert "FOOTER" not in t.text
    assert "Test interview" not in t.text
    assert turns_of(t) == [
        ("Interviewer", "Was the caf\u00e9 busy?", None),
        ("Participant", "\u201cYes,\u201d it\u2019s always busy \u2014 na\u00efve of me.", None),
        ("Interviewer", "\u0421\u043f\u0430\u0441\u0438\u0431\u043e and \U0001f600 emoji.", None),
        ("Participant", "Bold words and italics\non a new line.", None),
    ]


def test_rtf_with_a_cyrillic_code_page(tmp_path: Path) -> None:
    path = tmp_path / "ru.rtf"
    path.write_bytes(
        rb"{\rtf1\ansi\ansicpg1251\deff0{\fonttbl{\f0 Arial;}}"
        rb"\pard P1: \'cf\'f0\'e8\'e2\'e5\'f2!\par\pard P2: \'c4\'e0.\par}"
    )
    t = read_transcript(path)
    assert turns_of(t) == [("P1", "Привет!", None), ("P2", "Да.", None)]


def test_rtf_escaped_braces_and_backslashes(tmp_path: Path) -> None:
    path = tmp_path / "braces.rtf"
    path.write_bytes(rtf(r"\pard P1: a \{brace\} and a \\ backslash.\par P2: Ok.\par"))
    t = read_transcript(path)
    assert turns_of(t) == [("P1", "a {brace} and a \\ backslash.", None), ("P2", "Ok.", None)]


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_office_file_with_only_empty_paragraphs_has_no_text(tmp_path: Path, suffix: str) -> None:
    from importers import ImportProblem

    path = tmp_path / f"blank{suffix}"
    if suffix == ".docx":
        document = new_docx(header="Header only")
        document.add_paragraph("")
        document.add_paragraph("   ")
        document.save(str(path))
    else:
        save_odt(path, [odt_paragraph(""), odt_paragraph("  ")])
    with pytest.raises(ImportProblem, match="contains no text"):
        read_transcript(path)


def test_table_speaker_cells_with_colons_and_speaker_time_order() -> None:
    from importers.office import rows_to_text

    assert rows_to_text([["INTERVIEWER:", "What would you change?"], ["P12:", "The hours."]]) == [
        "INTERVIEWER: What would you change?",
        "P12: The hours.",
    ]
    assert rows_to_text(
        [["Speaker", "Time", "Text"], ["Anna", "00:00:05", "Hello."], ["Ben", "00:00:09", "Hi."]]
    ) == ["Speaker\tTime\tText", "[00:00:05] Anna: Hello.", "[00:00:09] Ben: Hi."]
    # Three columns without a time column are an ordinary table.
    assert rows_to_text([["a", "b", "c"], ["d", "e", "f"]]) == ["a\tb\tc", "d\te\tf"]
