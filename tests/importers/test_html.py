"""HTML: visible text, block elements as paragraphs, charsets, hidden parts left out."""

from __future__ import annotations

from pathlib import Path

from importers import read_transcript
from importers.html import html_to_text
from tests.importers.builders import turns_of

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Interview   with a
 baker</title>
<style>p { color: red }</style><script>var secret = "SCRIPT TEXT";</script></head>
<body>
<h1>Interview 9</h1>
<p><b>Interviewer:</b> When do you start &amp; finish?</p>
<p><b>P1:</b> At four&nbsp;a.m. &mdash; every day.<br>Even on Sundays.</p>
<div>P1: <i>Really</i>   early.</div>
<!-- a comment that is not text -->
<ul><li>Interviewer: Why?</li><li>P1: The ovens.</li></ul>
<noscript>NOSCRIPT TEXT</noscript>
<pre>P2: Keep   these
    spaces.</pre>
</body></html>
"""


def test_visible_text_in_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "baker.html"
    path.write_text(PAGE, "utf-8")
    t = read_transcript(path)
    assert t.format == "html"
    assert t.metadata["title"] == "Interview with a baker"
    assert t.text == (
        "Interview 9\n\n"
        "Interviewer: When do you start & finish?\n\n"
        "P1: At four a.m. \u2014 every day.\n\n"
        "Even on Sundays.\n\n"
        "P1: Really early.\n\n"
        "Interviewer: Why?\n\n"
        "P1: The ovens.\n\n"
        "P2: Keep   these\n    spaces."
    )
    for hidden in ("SCRIPT", "NOSCRIPT", "color", "comment"):
        assert hidden not in t.text
    assert turns_of(t) == [
        ("Interviewer", "When do you start & finish?", None),
        ("P1", "At four a.m. \u2014 every day.\n\nEven on Sundays.", None),
        ("P1", "Really early.", None),
        ("Interviewer", "Why?", None),
        ("P1", "The ovens.", None),
        ("P2", "Keep   these\n    spaces.", None),
    ]


def test_meta_charset_is_used(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "</head><body><p>Interviewer: Caf\u00e9?</p><p>P1: \u201cOui.\u201d</p></body></html>"
    )
    path = tmp_path / "legacy.htm"
    path.write_bytes(page.encode("cp1252"))
    t = read_transcript(path)
    assert turns_of(t) == [("Interviewer", "Caf\u00e9?", None), ("P1", "\u201cOui.\u201d", None)]


def test_a_byte_order_mark_outranks_meta_charset(tmp_path: Path) -> None:
    page = '<meta charset="windows-1252"><p>P1: \u201cCaf\u00e9\u201d</p><p>P2: Ja.</p>'
    path = tmp_path / "bom.html"
    path.write_bytes(b"\xef\xbb\xbf" + page.encode("utf-8"))
    assert read_transcript(path).text == "P1: \u201cCaf\u00e9\u201d\n\nP2: Ja."


def test_html_without_charset_is_detected(tmp_path: Path) -> None:
    page = "<p>Interviewer: Caf\u00e9?</p><p>P1: It\u2019s fine.</p>"
    for codec in ("utf-8", "utf-16", "cp1252"):
        path = tmp_path / f"page-{codec}.html"
        path.write_bytes(page.encode(codec))
        assert read_transcript(path).text == "Interviewer: Caf\u00e9?\n\nP1: It\u2019s fine."


def test_a_wrong_meta_charset_falls_back_to_detection(tmp_path: Path) -> None:
    page = '<meta charset="no-such-charset"><p>P1: \u00e9t\u00e9</p><p>P2: ok</p>'
    path = tmp_path / "odd.html"
    path.write_bytes(page.encode("utf-8"))
    assert read_transcript(path).text == "P1: \u00e9t\u00e9\n\nP2: ok"


def test_tables_are_read_like_word_tables() -> None:
    text, title = html_to_text(
        "<p>Intro</p><table><tr><th>Speaker</th><th>Text</th></tr>"
        "<tr><td>Interviewer</td><td>Hello <b>there</b></td></tr>"
        "<tr><td>P1</td><td><p>Hi.</p><p>Second  paragraph.</p></td></tr></table><p>End</p>"
    )
    assert text == (
        "Intro\n\nSpeaker\tText\n\nInterviewer: Hello there\n\nP1: Hi. Second paragraph.\n\nEnd"
    )
    assert title == ""


def test_ordinary_tables_and_sloppy_cells() -> None:
    text, _ = html_to_text(
        "<table><tr><td>Day<td>Room<td>Lead<td>Notes<tr><td>Mon<td>2<td>Ana<td>-</table>"
    )
    assert text == "Day\tRoom\tLead\tNotes\n\nMon\t2\tAna\t-"
