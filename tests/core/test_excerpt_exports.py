"""Coded-excerpt exports (issue 5): HTML read back with html.parser, citations in every format,
code levels as columns, the participant's pseudonym in reference lines, spans as excerpts."""

from __future__ import annotations

import csv
from html.parser import HTMLParser
from pathlib import Path

import pytest

from qualbench.exports.excerpts import write_excerpts
from qualbench.quotes import citation, parse_citation
from qualbench.reports import Filters, excerpts
from qualbench.reports.excerpts import Span, span_excerpts
from qualbench.services.codes import resolve_code


@pytest.fixture
def items(sample):
    with sample.read() as s:
        return excerpts(
            s,
            filters=Filters(
                code_ids=(
                    resolve_code(s, "Naloxone carrying and use"),
                    resolve_code(s, "Gratitude"),
                )
            ),
        )


@pytest.fixture
def cite(sample):
    with sample.read() as s:
        return citation(s, "({participant}, {gender}, {age_group}, {document:country}, {place})")


class _Page(HTMLParser):
    """Text by element, in order; tags seen; whether anything executable is there."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.found: list[tuple[str, str, str]] = []  # (tag, class, text)
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag not in ("meta", "br"):
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and data.strip():
            tag, attrs = self.stack[-1]
            self.found.append((tag, attrs.get("class") or "", data))

    def texts(self, tag: str, cls: str = "") -> list[str]:
        return [t for g, c, t in self.found if g == tag and c == cls]


def test_html_is_a_readable_standalone_page(items, cite, tmp_path: Path) -> None:
    out = write_excerpts(items, tmp_path / "quotes.html", project="Sample", citation=cite)
    page = _Page()
    page.feed(out.read_text("utf-8"))
    assert page.texts("title") == ["Coded excerpts"] and page.texts("h1") == ["Coded excerpts"]
    assert "verbatim transcript text" in page.texts("p", "notice")[0]
    assert "script" not in page.tags and "link" not in page.tags  # nothing fetched or run
    headings = page.texts("h2")
    assert headings[0].startswith("Naloxone carrying and use > ") and headings[-1].startswith(
        "Gratitude ("
    )
    quotes = page.texts("blockquote")
    assert quotes == [e.text.strip() for e in items]
    refs = page.texts("p", "reference")
    assert refs == [f"— {cite(e)}" for e in items]
    assert refs[0].startswith("— (") and "None" not in "".join(refs)
    about = dict(zip(page.texts("dt"), page.texts("dd"), strict=True))
    assert about["Excerpts"] == str(len(items)) and about["Citations"].startswith("Citation")


def test_html_escapes_what_it_shows(sample, tmp_path: Path) -> None:
    from dataclasses import replace

    with sample.read() as s:
        (e, *_) = excerpts(s)
    nasty = replace(
        e,
        text="<script>alert('x')</script> & <b>bold</b>",
        memo="<img src=x onerror=alert(1)>",
        code_path="A > <i>B</i>",
    )
    out = write_excerpts([nasty], tmp_path / "x.html", project="<Project & Co>")
    raw = out.read_text("utf-8")
    assert "<script>" not in raw and "<img" not in raw and "<i>B" not in raw
    page = _Page()
    page.feed(raw)
    assert page.texts("blockquote") == ["<script>alert('x')</script> & <b>bold</b>"]
    assert page.texts("p", "memo") == ["Memo: <img src=x onerror=alert(1)>"]
    assert "script" not in page.tags and "img" not in page.tags
    assert "<Project & Co>" in page.texts("dd")


def test_docx_reference_lines_use_the_citation(items, cite, tmp_path: Path) -> None:
    import docx

    out = write_excerpts(items, tmp_path / "q.docx", project="Sample", citation=cite)
    d = docx.Document(str(out))
    refs = [p.text for p in d.paragraphs if p.style.name == "Excerpt Reference"]
    assert refs == [f"— {cite(e)}" for e in items]
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    assert quotes == [e.text.strip() for e in items]
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == len({e.code_path for e in items})


def test_default_reference_names_the_pseudonym_not_the_label(sample, tmp_path: Path) -> None:
    import docx

    with sample.read() as s:
        items = excerpts(s, filters=Filters(code_ids=(resolve_code(s, "Police fear"),)))
    out = write_excerpts(items, tmp_path / "q.docx", project="S")
    refs = [
        p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "Excerpt Reference"
    ]
    first = items[0]
    assert refs[0].startswith(f"— {first.who} (") and first.who == first.participant
    assert f"¶{first.paragraph}" in refs[0] and first.timestamp in refs[0]


def test_flat_formats_split_code_levels_and_carry_the_citation(items, cite, tmp_path) -> None:
    from openpyxl import load_workbook

    out = write_excerpts(items, tmp_path / "q.csv", project="S", citation=cite)
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    nested = next(r for r, e in zip(rows, items, strict=True) if " > " in e.code_path)
    assert nested["code level 1"] == "Naloxone carrying and use" and nested["code level 2"]
    assert rows[-1]["code level 1"] == "Gratitude" and rows[-1]["code level 2"] == ""
    assert [r["citation"] for r in rows] == [cite(e) for e in items]
    for col in ("text", "document", "speaker", "participant gender", "document country",
                "start", "end", "paragraph", "timestamp", "coder", "memo"):  # fmt: skip
        assert col in rows[0]
    wb = load_workbook(write_excerpts(items, tmp_path / "q.xlsx", project="S", citation=cite))
    header = [c.value for c in wb["Excerpts"][1]]
    assert header[-1] == "citation" and wb["Excerpts"].cell(2, len(header)).value == cite(items[0])
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Names"].startswith("Not pseudonymised") and "{participant}" in about["Citations"]
    without = write_excerpts(items, tmp_path / "plain.csv", project="S")
    assert "citation" not in without.read_text("utf-8-sig").splitlines()[0]


def test_html_progress_and_cancel(items, tmp_path: Path) -> None:
    from qualbench.progress import Cancelled

    many = list(items) * 60
    seen: list[int] = []
    write_excerpts(many, tmp_path / "a.html", project="x", progress=lambda d, t, s: seen.append(d))
    assert seen[-1] == len(many) and len(seen) > 1
    with pytest.raises(Cancelled):
        write_excerpts(many, tmp_path / "b.html", project="x", cancel=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir() if "html" in p.name) == ["a.html"]


def test_span_excerpts_match_coded_excerpts(sample) -> None:
    """A coding's span, given as a span with its uuid, has the same context as the coding."""
    with sample.read() as s:
        coded = excerpts(s)[:40]
        spans = span_excerpts(
            s, [Span(e.document_id, e.start, e.end, e.coding_uuid) for e in coded]
        )
        bare = span_excerpts(s, [Span(e.document_id, e.start, e.end) for e in coded[:5]])
        gone = span_excerpts(s, [Span(coded[0].document_id, 0, 10, "no-such-uuid")])
    assert spans == coded
    for b, e in zip(bare, coded, strict=False):
        assert (b.text, b.speaker, b.participant, b.paragraph, b.timestamp_ms) == (
            e.text, e.speaker, e.participant, e.paragraph, e.timestamp_ms,
        )  # fmt: skip
        assert (b.coding_id, b.code_path, b.coder, b.memo) == (0, "", "", "")
    assert gone[0].coding_id == 0 and gone[0].code_path == "" and len(gone[0].text) == 10


def test_citation_from_a_template_string_is_checked(sample) -> None:
    from qualbench.quotes import QuoteError

    with sample.read() as s:
        first = excerpts(s)[0]
        with pytest.raises(QuoteError, match=r"\{ethnicity\}"):
            citation(s, "({participant}, {ethnicity})")
    assert parse_citation("no fields")(first) == "no fields"
