"""Codebook files: YAML round trip, CSV/XLSX flat forms, and clear errors for bad codebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualbench.codebook_files import CodebookFileError, read_codebook, write_codebook
from qualbench.sample import codebook_path
from qualbench.services.codebook import load_codebook, project_codebook
from qualbench.services.codes import code_tree

REQUIRED_THEMES = [
    "Trauma and loss",
    "Empowerment",
    "Destigmatisation and feeling valued",
    "Police fear",
    "Release-from-prison risks",
    "Coping strategies",
    "Knowledge sharing",
    "Naloxone carrying and use",
    "Gratitude",
]
RELEASE_RISKS = [
    "Housing",
    "Employment",
    "Administrative procedures",
    "Health insurance and welfare",
    "Old habits and drug scene",
    "Mental health",
    "Disrupted social networks",
]


def test_shipped_codebook_is_complete_for_coders() -> None:
    book = read_codebook(codebook_path())
    tops = [c.name for c in book.codes]
    assert all(t in tops for t in REQUIRED_THEMES)
    risks = next(c for c in book.codes if c.name == "Release-from-prison risks")
    assert all(r in [c.name for c in risks.children] for r in RELEASE_RISKS)
    for path, code, _ in book.walk():
        assert code.uuid and code.color.startswith("#"), path
        for field in ("definition", "inclusion", "exclusion", "example"):
            assert len(getattr(code, field)) > 20, f"{path}: {field} too short for coders"
        assert code.keywords, path


@pytest.mark.parametrize("suffix", [".yaml", ".csv", ".xlsx"])
def test_round_trip_keeps_everything(tmp_path: Path, suffix: str) -> None:
    book = read_codebook(codebook_path())
    out = write_codebook(book, tmp_path / f"book{suffix}")
    again = read_codebook(out)

    def flat(b):
        return [
            (p, c.uuid, c.color, c.definition, c.inclusion, c.exclusion, c.example, c.keywords)
            for p, c, _ in b.walk()
        ]

    assert flat(again) == flat(book)


def test_xlsx_export_is_a_real_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = write_codebook(read_codebook(codebook_path()), tmp_path / "book.xlsx")
    wb = load_workbook(out)
    ws = wb["Codebook"]
    assert [c.value for c in ws[1]][:3] == ["id", "path", "color"]
    assert ws.freeze_panes == "A2"
    assert any(
        str(r[1].value).startswith("Release-from-prison risks > ") for r in ws.iter_rows(min_row=2)
    )
    assert "About" in wb.sheetnames


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("dup.yaml", "codes:\n  - name: A\n  - name: a\n", "duplicate code name"),
        ("dup.csv", "path,definition\nA,x\nA > B,y\nA > B,z\n", "duplicate code name"),
        ("cycle.csv", "id,name,parent\n,A,B\n,B,C\n,C,A\n", "cycle"),
        ("badparent.csv", "name,parent\nA,Zed\n", "not in the codebook"),
        ("ambiguous.csv", "name,parent\nX,\nX2,X\nY,\nX,Y\nZ,X\n", "ambiguous"),
        ("color.yaml", "codes:\n  - name: A\n    color: blue\n", "not #RRGGBB"),
        ("badid.yaml", "codes:\n  - name: A\n    id: not-a-uuid\n", "not a UUID"),
        (
            "sameid.yaml",
            "codes:\n  - name: A\n    id: 0d3c1a3e-8b7f-4c21-9b0e-1f2a3b4c5d6e\n"
            "  - name: B\n    id: 0d3c1a3e-8b7f-4c21-9b0e-1f2a3b4c5d6e\n",
            "same id",
        ),
        ("notyaml.yaml", "codes: [unclosed\n", "not valid YAML"),
        ("nocodes.yaml", "name: x\n", "needs a 'codes:' list"),
        ("unknown.yaml", "codes:\n  - name: A\n    colour: '#FFFFFF'\n", "unknown field"),
        ("nopath.csv", "label,definition\nA,x\n", "needs a 'path' column"),
        ("book.docx", "x", "unknown codebook type"),
    ],
)
def test_bad_codebooks_are_refused_with_the_file_named(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(CodebookFileError, match=message) as info:
        read_codebook(path)
    assert str(path) in str(info.value)


def test_csv_with_paths_creates_missing_parents(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "b.csv",
        "path,definition,keywords\nRisks > Housing,no home,room; shelter\nRisks,all risks,\n",
    )
    book = read_codebook(path)
    assert [p for p, _, _ in book.walk()] == ["Risks", "Risks > Housing"]
    assert book.codes[0].definition == "all risks"
    assert book.codes[0].children[0].keywords == ["room", "shelter"]


def test_load_into_project_merges_by_id_then_path_and_never_deletes(project) -> None:
    book = read_codebook(codebook_path())
    with project.write() as s:
        first = load_codebook(s, book)
    n = sum(1 for _ in book.walk())
    assert len(first.added) == n
    book.codes[0].definition = "Changed definition"
    book.codes[0].name = "Trauma, grief and loss"
    with project.write() as s:
        from qualbench.services.codes import create_code

        create_code(s, name="Local extra code")
        second = load_codebook(s, book)
        names = [c.name for c in code_tree(s)]
        exported = project_codebook(s)
    assert (
        second.added == []
        and second.updated == ["Trauma, grief and loss"]
        and second.unchanged == n - 1
    )
    assert (
        "Local extra code" in names
        and "Trauma, grief and loss" in names
        and "Trauma and loss" not in names
    )
    assert exported.codes[0].definition == "Changed definition"
    assert exported.codes[0].uuid == book.codes[0].uuid
