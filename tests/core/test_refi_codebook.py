"""Codebooks in REFI-QDA: criteria folded into descriptions and back, .qdc files in and out,
and other tools' ways of writing hierarchy and names."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from qualbench.codebook_files import Codebook, CodebookCode, read_codebook, write_codebook
from qualbench.refi import RefiError, export_qdc, import_refi
from qualbench.refi.codebook import codebook_of, read_qdc
from qualbench.refi.descriptions import Fields, fold, unfold
from qualbench.sample import codebook_path
from qualbench.services.codebook import load_codebook
from qualbench.services.codes import code_paths
from qualbench.store import Project


@pytest.mark.parametrize(
    "fields",
    [
        Fields("Fear of police contact."),
        Fields("", inclusion="fear of arrest"),
        Fields("Def.", "incl", "excl", '"quote"', ["a", "b c"]),
        Fields("Two\n\nparagraphs.", "multi\nline", "", "ex\n\nwith a blank line", ["k"]),
        Fields("Example: a definition that starts like a label.", example="the real one"),
        Fields("Intro.\n\nKeywords: this paragraph belongs to the definition"),
        Fields("Intro.\n\nInclusion criteria: also the definition", inclusion="real"),
    ],
)
def test_fold_and_unfold_round_trip(fields: Fields) -> None:
    assert unfold(fold(fields)) == fields


def test_the_folded_description_reads_naturally() -> None:
    text = fold(
        Fields(
            "Fear of police.", "arrest", "distrust", "So people don't call.", ["police", "arrest"]
        )
    )
    assert text == (
        "Fear of police.\n\n"
        "Inclusion criteria: arrest\n"
        "Exclusion criteria: distrust\n"
        "Example: So people don't call.\n"
        "Keywords: police; arrest"
    )


def test_other_tools_labels_are_recognised() -> None:
    f = unfold(
        "Use for housing.\r\n\r\nInclude: sofa surfing\r\nEXCLUDE: prison cells\r\nExamples: 'no room'"
    )
    assert f == Fields("Use for housing.", "sofa surfing", "prison cells", "'no room'")
    assert unfold("Just a description: with a colon.") == Fields(
        "Just a description: with a colon."
    )


def test_qdc_round_trip_keeps_the_whole_codebook(tmp_path: Path) -> None:
    book = read_codebook(codebook_path())
    out = write_codebook(book, tmp_path / "book.qdc")
    again = read_codebook(out)

    def flat(b: Codebook) -> list[tuple[object, ...]]:
        return [
            (
                p,
                c.uuid,
                c.color.upper(),
                c.definition,
                c.inclusion,
                c.exclusion,
                c.example,
                c.keywords,
            )
            for p, c, _ in b.walk()
        ]

    assert flat(again) == flat(book)


def test_qdc_export_validates(shared_dir: Path, sample: Project, tmp_path: Path) -> None:
    lxml = pytest.importorskip("lxml.etree")
    xsd = lxml.XMLSchema(lxml.parse(str(shared_dir / "refi/Codebook-mrt2019.xsd")))
    report = export_qdc(sample, tmp_path / "book.qdc")
    assert xsd.validate(lxml.parse(str(tmp_path / "book.qdc"))), xsd.error_log
    assert report.carried["codes"] == 27


def test_qdc_from_a_yaml_codebook_without_ids_gets_stable_ids(tmp_path: Path) -> None:
    book = Codebook(codes=[CodebookCode("Parent", children=[CodebookCode("Child")])])
    write_codebook(book, tmp_path / "a.qdc")
    write_codebook(book, tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_text() == (tmp_path / "b.qdc").read_text()
    ids = [c.uuid for _, c, _ in read_codebook(tmp_path / "a.qdc").walk()]
    assert len(set(ids)) == 2 and all(ids)


def test_empty_codebook_cannot_be_exported(project: Project, tmp_path: Path) -> None:
    with pytest.raises(RefiError, match="no codes"):
        export_qdc(project, tmp_path / "x.qdc")


def _qdc(
    tmp_path: Path, codes: str, *, origin: str = "x", ns: str = "urn:QDA-XML:codebook:1.0"
) -> Path:
    path = tmp_path / "b.qdc"
    path.write_text(
        f'<?xml version="1.0"?><CodeBook xmlns="{ns}" origin="{origin}"><Codes>{codes}</Codes></CodeBook>',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "ns", ["urn:QDA-XML:codebook:1:0", "urn:QDA-XML:codebook:0:4", "urn:QDA-XML:codebook:1.0", ""]
)
def test_codebook_namespace_variants(tmp_path: Path, ns: str) -> None:
    p = read_qdc(
        _qdc(
            tmp_path,
            '<Code guid="{AB2F0C6A-1111-4222-8333-444455556666}" name="A" isCodable="true"/>',
            ns=ns,
        )
    )
    assert [c.guid for c in p.codes] == ["ab2f0c6a-1111-4222-8333-444455556666"]


def test_names_qualbench_cannot_hold_are_repaired(tmp_path: Path, project: Project) -> None:
    codes = (
        '<Code guid="00000000-0000-4000-8000-000000000001" name="Risks &gt; housing" isCodable="true"/>'
        '<Code guid="00000000-0000-4000-8000-000000000002" name="Same" isCodable="true" color="#abc"/>'
        '<Code guid="00000000-0000-4000-8000-000000000003" name="same" isCodable="true" color="red"/>'
        '<Code guid="00000000-0000-4000-8000-000000000004" name="  " isCodable="true"/>'
        '<Code guid="00000000-0000-4000-8000-000000000004" name="repeated id" isCodable="true"/>'
    )
    report = import_refi(project, _qdc(tmp_path, codes))
    with project.read() as s:
        paths = sorted(code_paths(s).values())
        colors = dict(s.execute(text("select name, color from code")).all())
    assert paths == ["(unnamed code)", "Risks › housing", "Same", "repeated id", "same (2)"]
    assert colors["Same"] == "#AABBCC"
    assert report.carried["codes"] == 5
    assert any("changed" in n for n in report.notes) and any("GUID" in n for n in report.notes)


def test_atlas_names_split_into_a_tree() -> None:
    from qualbench.refi import model

    p = model.Project(
        origin="ATLAS.ti 8.4.0",
        codes=[
            model.Code("00000000-0000-4000-8000-000000000001", "Coke::full-fat Coke"),
            model.Code("00000000-0000-4000-8000-000000000002", "Coke::diet Coke"),
            model.Code("00000000-0000-4000-8000-000000000003", "Coke", description="champions",
                       children=[model.Code("00000000-0000-4000-8000-000000000004", "Pepsi")]),
            model.Code("00000000-0000-4000-8000-000000000005", "Food::Breakfast::eggs"),
        ],
    )  # fmt: skip
    mapping = codebook_of(p)
    assert [p for p, _, _ in mapping.book.walk()] == [
        "Coke",  # the file's own Coke, with its own sub-code first
        "Coke > Pepsi",
        "Coke > full-fat Coke",
        "Coke > diet Coke",
        "Food",
        "Food > Breakfast",
        "Food > Breakfast > eggs",
    ]
    coke = mapping.book.codes[0]
    assert coke.uuid == "00000000-0000-4000-8000-000000000003" and coke.definition == "champions"
    assert mapping.paths["00000000-0000-4000-8000-000000000002"] == "Coke > diet Coke"
    ours = codebook_of(
        model.Project(
            origin="QualBench 0.1.0",
            codes=[model.Code("00000000-0000-4000-8000-000000000009", "A::B")],
        )
    )
    assert [p for p, _, _ in ours.book.walk()] == ["A::B"]


def test_qdc_import_into_a_project_merges_by_id(tmp_path: Path, sample: Project) -> None:
    export_qdc(sample, tmp_path / "book.qdc")
    report = import_refi(sample, tmp_path / "book.qdc")
    assert report.carried == {} and report.matched["codes"] == 27
    with sample.write() as s:
        load_codebook(s, Codebook(codes=[CodebookCode("Brand new")]))
    report = import_refi(sample, tmp_path / "book.qdc", dry_run=True)
    assert report.dry_run and report.matched["codes"] == 27
