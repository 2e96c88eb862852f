"""Coded excerpts to CSV, XLSX, DOCX, HTML or Markdown, each with where it comes from and who
said it; optionally pseudonymised and with citations from a template."""

from __future__ import annotations

import csv
import datetime as dt
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualbench.exports import ExportError, atomic_path
from qualbench.progress import CancelCheck, Progress, Ticker, never, no_progress
from qualbench.reports import Excerpt
from qualbench.reports.excerpts import PSEUDONYM_KEYS

if TYPE_CHECKING:
    from qualbench.pseudonyms import Pseudonymiser

FORMATS = (".csv", ".xlsx", ".docx", ".html", ".md")
Cite = Callable[[Excerpt], str]  # a citation for an excerpt, e.g. a qualbench.quotes.Citation
CONTENT_NOTE = (
    "Contains verbatim transcript text (coded excerpts). Handle as confidential research data."
)


def _attribute_names(items: Sequence[Excerpt]) -> tuple[list[str], list[str]]:
    docs: dict[str, None] = {}
    people: dict[str, None] = {}
    for e in items:
        docs.update(dict.fromkeys(e.document_attributes))
        people.update(dict.fromkeys(e.participant_attributes))
    return list(docs), list(people)


def table_rows(
    items: Sequence[Excerpt], *, citation: Cite | None = None
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows for the flat formats: one row per excerpt, code path split in levels;
    a ``citation`` column when a citation is given."""
    depth = max((len(e.code_levels) for e in items), default=1)
    doc_attrs, person_attrs = _attribute_names(items)
    header = (
        [f"code level {i + 1}" for i in range(depth)]
        + ["code path", "text", "document", "document kind", "speaker", "participant"]
        + [f"participant {a}" for a in person_attrs]
        + [f"document {a}" for a in doc_attrs]
        + [
            "timestamp",
            "paragraph",
            "start",
            "end",
            "coder",
            "origin",
            "coded at",
            "memo",
            "coding id",
        ]
        + (["citation"] if citation is not None else [])
    )
    rows = []
    for e in items:
        levels = e.code_levels + [""] * (depth - len(e.code_levels))
        rows.append(
            levels
            + [e.code_path, e.text, e.document, e.document_kind, e.speaker, e.participant]
            + [e.participant_attributes.get(a, "") for a in person_attrs]
            + [e.document_attributes.get(a, "") for a in doc_attrs]
            + [
                e.timestamp,
                e.paragraph,
                e.start,
                e.end,
                e.coder,
                e.origin,
                e.created,
                e.memo,
                e.coding_uuid,
            ]
            + ([citation(e)] if citation is not None else [])
        )
    return header, rows


def reference(e: Excerpt, citation: Cite | None = None) -> str:
    """The reference line under a quote: the citation if one is given, else participant
    (pseudonym, attributes), document, place (paragraph, turn time), coder."""
    if citation is not None:
        return citation(e)
    who = e.who or "no speaker"
    attrs = [
        v
        for k, v in e.participant_attributes.items()
        if k != "role" and v and k.casefold() not in PSEUDONYM_KEYS
    ]
    place = f"¶{e.paragraph}" + (f", {e.timestamp}" if e.timestamp else "")
    head = f"{who} ({', '.join(attrs)})" if attrs else who
    return f"{head}; {e.document} ({e.document_kind}), {place}; coded by {e.coder}"


def write_excerpts(
    items: Sequence[Excerpt],
    path: str | Path,
    *,
    project: str,
    title: str = "Coded excerpts",
    citation: Cite | None = None,
    pseudonymiser: Pseudonymiser | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Path:
    """Write excerpts in the format named by the file's extension (.csv, .xlsx, .docx, .html,
    .md). ``citation`` (e.g. :func:`qualbench.quotes.citation`) makes the reference lines and a
    citation column; ``pseudonymiser`` (:func:`qualbench.pseudonyms.project_pseudonymiser`)
    replaces names in every text field first. Cancelling (or any error) leaves no file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"{path}: unknown excerpt format {suffix!r}; use {', '.join(FORMATS)}")
    if pseudonymiser is not None:
        items = [pseudonymiser.excerpt(e) for e in items]
    about = [
        ("Contents", CONTENT_NOTE),
        ("Names", pseudonymiser.describe() if pseudonymiser is not None else NOT_PSEUDONYMISED),
        ("Project", project),
        ("Excerpts", str(len(items))),
        ("Codes", ", ".join(dict.fromkeys(e.code_path for e in items))),
        ("Coders", ", ".join(sorted({e.coder for e in items}))),
        ("Citations", citation_note(citation)),
        ("Exported", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ]
    tick = Ticker(len(items), progress, cancel, status="excerpts")
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            header, rows = table_rows(items, citation=citation)
            with tmp.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads UTF-8
                w = csv.writer(f)
                w.writerow(header)
                for row in rows:
                    w.writerow(row)
                    tick()
        elif suffix == ".xlsx":
            from qualbench.exports.xlsx import write_sheets

            header, rows = table_rows(items, citation=citation)
            write_sheets(tmp, [("Excerpts", header, rows)], about=about, tick=tick)
        elif suffix == ".docx":
            _write_docx(items, tmp, title=title, about=about, tick=tick, citation=citation)
        elif suffix == ".html":
            _write_html(items, tmp, title=title, about=about, tick=tick, citation=citation)
        else:
            _write_markdown(items, tmp, title=title, about=about, tick=tick, citation=citation)
        tick.finish()
    return path


NOT_PSEUDONYMISED = "Not pseudonymised: names appear as in the transcripts."


def citation_note(citation: Cite | None) -> str:
    """What an export's About says of its citations."""
    template = getattr(citation, "template", None)
    return f"Citation template: {template}" if template else ""


def _grouped(items: Sequence[Excerpt]) -> dict[str, list[Excerpt]]:
    groups: dict[str, list[Excerpt]] = {}
    for e in items:
        groups.setdefault(e.code_path, []).append(e)
    return groups


def _write_markdown(
    items: Sequence[Excerpt],
    path: Path,
    *,
    title: str,
    about: list[tuple[str, str]],
    tick: Ticker,
    citation: Cite | None,
) -> None:
    lines = [f"# {title}", ""]
    lines += [f"- **{k}:** {v}" for k, v in about if v]
    for code, group in _grouped(items).items():
        lines += ["", f"## {code} ({len(group)})", ""]
        for e in group:
            quote = e.text.strip().replace("\n", "\n> ")
            lines += [f"> {quote}", ">", f"> — {reference(e, citation)}"]
            if e.memo:
                lines.append(f"\n*Memo:* {e.memo}")
            lines.append("")
            tick()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class DocxWriter:
    """A new Word document with the styles exports use ("Quote", "Block Quote", "Excerpt
    Reference", "Excerpt Memo"), content note in its properties.

    Appends paragraphs in O(1) each: python-docx's add_paragraph searches the whole body for
    the section properties on every call, which is quadratic for a 60,000-excerpt report."""

    def __init__(self, title: str) -> None:
        import docx
        from docx.oxml.ns import qn

        self.document = docx.Document()
        self.document.core_properties.title = title
        self.document.core_properties.comments = CONTENT_NOTE
        self._add_styles()
        body = self.document.element.body
        self._end = body.find(qn("w:sectPr"))
        self._body = body
        self._styles: dict[str, Any] = {}

    def _add_styles(self) -> None:
        """Paragraph styles for references, memos and block quotes, so a writer can restyle
        them all at once."""
        from docx.enum.style import WD_STYLE_TYPE
        from docx.shared import Inches, Pt, RGBColor

        styles = self.document.styles
        block = styles.add_style("Block Quote", WD_STYLE_TYPE.PARAGRAPH)
        block.base_style = styles["Normal"]
        block.paragraph_format.left_indent = Inches(0.5)
        block.paragraph_format.right_indent = Inches(0.5)
        block.paragraph_format.space_after = Pt(12)
        for name, size, italic in (("Excerpt Reference", 9, False), ("Excerpt Memo", 9, True)):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.font.size = Pt(size)
            style.font.italic = italic
            style.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
            style.paragraph_format.space_after = Pt(12)

    def about(self, about: Sequence[tuple[str, str]]) -> None:
        """The "Key: value" lines that say what the file holds."""
        for k, v in about:
            if v:
                p = self.paragraph()
                p.add_run(f"{k}: ").bold = True
                p.add_run(v)

    def paragraph(self, text: str = "", style: str | None = None) -> Any:
        """Append ``<w:p>`` (with its style and one run) as raw XML: python-docx's setters look
        up the style and scan sibling order on every call, quadratic-ish for a long report."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph
        from lxml import etree

        p = OxmlElement("w:p")
        if self._end is not None:
            self._end.addprevious(p)
        else:
            self._body.append(p)
        if style is not None:
            if style not in self._styles:
                self._styles[style] = self.document.styles[style].style_id
            ppr = etree.SubElement(p, qn("w:pPr"))
            etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), self._styles[style])
        if text:
            r = etree.SubElement(p, qn("w:r"))
            for i, line in enumerate(text.split("\n")):
                if i:
                    etree.SubElement(r, qn("w:br"))
                t = etree.SubElement(r, qn("w:t"))
                t.text = _xml_safe(line)
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return Paragraph(p, self.document._body)


_XML_BAD = dict.fromkeys([*range(9), 11, 12, *range(14, 32)])


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold most control characters; drop them (they are invisible anyway)."""
    return text.translate(_XML_BAD)


def _write_docx(
    items: Sequence[Excerpt],
    path: Path,
    *,
    title: str,
    about: list[tuple[str, str]],
    tick: Ticker,
    citation: Cite | None,
) -> None:
    w = DocxWriter(title)
    w.paragraph(title, "Title")
    w.about(about)
    for code, group in _grouped(items).items():
        w.paragraph(f"{code} ({len(group)})", "Heading 1")
        for e in group:
            w.paragraph(e.text.strip(), "Quote")
            w.paragraph("— " + reference(e, citation), "Excerpt Reference")
            if e.memo:
                w.paragraph("Memo: " + e.memo, "Excerpt Memo")
            tick()
    w.document.save(str(path))


HTML_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; color: #222; }
.notice { background: #fff4d6; border: 1px solid #e0c070; padding: .5em .8em; }
dl.about { display: grid; grid-template-columns: max-content auto; gap: .2em 1em;
           font-size: .9em; color: #444; }
dl.about dt { font-weight: bold; }
dl.about dd { margin: 0; }
blockquote { margin: 1.2em 0 .3em 0; padding: .2em 1em; border-left: 4px solid #bbb;
             white-space: pre-line; }
p.reference { margin: 0 0 1.2em 1.25em; color: #555; font-size: .9em; }
p.memo { margin: -.8em 0 1.2em 1.25em; color: #555; font-size: .9em; font-style: italic; }
"""


def html_page(title: str, about: Sequence[tuple[str, str]], body: Sequence[str]) -> str:
    """A standalone HTML page: title, the content notice, an About list, then ``body`` (already
    escaped HTML)."""
    esc = html.escape
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="description" content="{esc(CONTENT_NOTE)}">',
        f"<title>{esc(title)}</title>",
        f"<style>{HTML_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="notice">{esc(dict(about).get("Contents", CONTENT_NOTE))}</p>',
        '<dl class="about">',
        *(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in about if v and k != "Contents"),
        "</dl>",
    ]
    return "\n".join([*head, *body, "</body>", "</html>", ""])


def _write_html(
    items: Sequence[Excerpt],
    path: Path,
    *,
    title: str,
    about: list[tuple[str, str]],
    tick: Ticker,
    citation: Cite | None,
) -> None:
    esc = html.escape
    body: list[str] = []
    for code, group in _grouped(items).items():
        body.append(f"<section>\n<h2>{esc(code)} ({len(group)})</h2>")
        for e in group:
            body.append(f"<blockquote>{esc(e.text.strip())}</blockquote>")
            body.append(f'<p class="reference">— {esc(reference(e, citation))}</p>')
            if e.memo:
                body.append(f'<p class="memo">Memo: {esc(e.memo)}</p>')
            tick()
        body.append("</section>")
    path.write_text(html_page(title, about, body), encoding="utf-8")
