"""Exported files opened back with their own libraries and read like a user would."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qualbench.exports import ExportError
from qualbench.exports.excerpts import write_excerpts
from qualbench.exports.tables import write_theme_table
from qualbench.reports import Filters, excerpts, theme_table
from qualbench.services.codes import resolve_code


@pytest.fixture
def items(sample):
    with sample.read() as s:
        return excerpts(
            s,
            filters=Filters(
                code_ids=(resolve_code(s, "Police fear"), resolve_code(s, "Gratitude"))
            ),
        )


def test_docx_has_a_heading_per_theme_quotes_and_references(items, tmp_path: Path) -> None:
    import docx

    out = write_excerpts(items, tmp_path / "quotes.docx", project="Sample")
    d = docx.Document(str(out))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0].startswith("Police fear (") and headings[1].startswith("Gratitude (")
    quotes = [p for p in d.paragraphs if p.style.name == "Quote"]
    assert len(quotes) == len(items)
    assert quotes[0].text == items[0].text.strip()
    paras = [p.text for p in d.paragraphs]
    ref = paras[paras.index(quotes[0].text) + 1]
    assert (
        ref.startswith("— ")
        and items[0].document in ref
        and f"¶{items[0].paragraph}" in ref
        and items[0].coder in ref
    )
    assert "verbatim transcript text" in "\n".join(paras)
    assert d.core_properties.title == "Coded excerpts"


def test_xlsx_rows_columns_numbers(items, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = write_excerpts(items, tmp_path / "quotes.xlsx", project="Sample")
    wb = load_workbook(out)
    ws = wb["Excerpts"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    assert ws.max_row == len(items) + 1
    for col in (
        "code level 1",
        "text",
        "document",
        "speaker",
        "participant",
        "participant gender",
        "document country",
        "timestamp",
        "coder",
        "start",
        "end",
    ):
        assert col in header
    first = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert (
        first["text"] == items[0].text
        and isinstance(first["start"], int)
        and first["start"] == items[0].start
    )
    assert "About" in wb.sheetnames


def test_csv_and_markdown(items, tmp_path: Path) -> None:
    out = write_excerpts(items, tmp_path / "q.csv", project="Sample")
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(items) and rows[0]["code path"] == items[0].code_path
    md = write_excerpts(items, tmp_path / "q.md", project="Sample").read_text(encoding="utf-8")
    assert md.startswith("# Coded excerpts") and "## Police fear" in md and "> —" in md


def test_unknown_format_and_missing_folder_write_nothing(items, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ExportError, match="unknown excerpt format"):
        write_excerpts(items, tmp_path / "q.pdf", project="x")
    with pytest.raises(ExportError, match="does not exist"):
        write_excerpts(items, tmp_path / "no" / "q.csv", project="x")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_export_leaves_no_file(items, tmp_path: Path, monkeypatch) -> None:
    import qualbench.exports.excerpts as ex

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ex, "_write_docx", boom)
    with pytest.raises(RuntimeError):
        write_excerpts(items, tmp_path / "q.docx", project="x")
    assert list(tmp_path.iterdir()) == []


def test_theme_table_xlsx_sheets_and_csv(sample, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with sample.read() as s:
        t = theme_table(s, by="document:country")
    out = write_theme_table(t, tmp_path / "themes.xlsx", project="Sample")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Codings", "Documents", "Participants", "% of participants", "About"]
    ws = wb["Codings"]
    assert [c.value for c in ws[1]] == ["code", *t.columns, "total"]
    police = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Police fear")
    row = next(r for r in t.rows if r.path == "Police fear")
    assert list(police[1:]) == [row.cells[c].codings for c in t.columns] + [row.total.codings]
    assert all(isinstance(v, int) for v in police[1:])
    c = write_theme_table(t, tmp_path / "themes.csv", project="Sample", measures=("documents",))
    with c.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["code", *t.columns, "total"] and len(rows) == len(t.rows) + 1
    police_csv = next(r for r in rows if r[0] == "Police fear")
    assert police_csv[-1] == str(row.total.documents)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx", ".md"])
def test_export_reports_progress_and_cancel_leaves_no_file(
    items, tmp_path: Path, suffix: str
) -> None:
    from qualbench.progress import Cancelled

    many = list(items) * 40  # enough excerpts for several progress steps
    seen: list[int] = []
    out = write_excerpts(
        many, tmp_path / f"all{suffix}", project="x", progress=lambda d, t, s: seen.append(d)
    )
    assert out.exists() and seen[-1] == len(many) and len(seen) > 1
    with pytest.raises(Cancelled):
        write_excerpts(many, tmp_path / f"cancelled{suffix}", project="x", cancel=lambda: True)
    assert not (tmp_path / f"cancelled{suffix}").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
