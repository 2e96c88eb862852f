"""Code co-occurrence on a project counted by hand (tests/core/analysis_world.py): overlapping
spans and units, counts and Jaccard, filters, exports read back, the command line, PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qualbench.exports import ExportError
from qualbench.exports.tables import write_cooccurrence
from qualbench.progress import Cancelled
from qualbench.reports.cooccurrence import MODES, Cooccurrence, cooccurrence
from qualbench.reports.filters import AttributeValue, Filters
from qualbench.services.documents import NotFound
from tests.core.analysis_world import build, build_file
from tests.core.test_cli import run

CODES = [
    "Release risks > Housing",
    "Release risks > Employment",
    "Police fear",
    "Naloxone",
    "Gratitude",
]


@pytest.fixture
def world(project):
    build(project)
    return project


def _pairs(m: Cooccurrence) -> dict[tuple[str, str], tuple[int, float | None]]:
    return {(p.a.name, p.b.name): (p.count, p.jaccard) for p in m.pairs()}


def test_overlap_counts_pairs_of_codings_and_jaccard_over_codings(world) -> None:
    with world.read() as s:
        m = cooccurrence(s, mode="overlap")
    assert [c.path for c in m.codes] == CODES  # codebook order, only codes with codings
    assert m.frequency == [2, 2, 5, 1, 1] and m.items == 11
    # Housing (ana, "I had no room after prison.") lies inside ben's Police fear coding;
    # ben's Employment reaches "My friend has naloxone.", which ben coded Naloxone.
    # Adjacent spans ("No room to live." / "No job either.") do not overlap, nor does one
    # code with itself (ana's and ben's Police fear).
    assert _pairs(m) == {
        ("Housing", "Police fear"): (1, 2 / 7),
        ("Employment", "Naloxone"): (1, 2 / 3),
    }
    i, j = CODES.index("Police fear"), CODES.index("Release risks > Housing")
    assert m.counts[i][j] == m.counts[j][i] == 1  # symmetric
    assert [m.counts[k][k] for k in range(5)] == m.frequency  # the diagonal: codings
    assert all(m.jaccard[k][k] == 1.0 for k in range(5))
    assert m.jaccard[i][j] == pytest.approx(2 / 7)
    assert "codings of A overlapping a coding of B" in m.jaccard_definition
    assert m.coders == ["ana", "ben"]


def test_same_coder_only(world) -> None:
    with world.read() as s:
        overlap = cooccurrence(s, mode="overlap", same_coder=True)
        sentence = cooccurrence(s, mode="sentence", same_coder=True)
    assert _pairs(overlap) == {("Employment", "Naloxone"): (1, 2 / 3)}  # Housing is ana's, PF ben's
    # Units per coder: Police fear is in 4 of ana's sentences and 3 of ben's.
    assert sentence.frequency == [2, 3, 7, 1, 1]
    assert _pairs(sentence) == {("Employment", "Naloxone"): (1, 1 / 3)}


@pytest.mark.parametrize(
    ("mode", "items", "frequency", "pairs"),
    [
        (
            "sentence",
            12,
            [2, 2, 5, 1, 1],
            {("Housing", "Police fear"): (1, 1 / 6), ("Employment", "Naloxone"): (1, 1 / 2)},
        ),
        (
            "turn",
            6,
            [2, 2, 3, 1, 1],
            {
                ("Housing", "Employment"): (1, 1 / 3),  # P2's turn
                ("Housing", "Police fear"): (1, 1 / 4),  # the respondent's turn
                ("Housing", "Gratitude"): (1, 1 / 2),
                ("Employment", "Police fear"): (1, 1 / 4),  # P1's second turn
                ("Employment", "Naloxone"): (1, 1 / 2),
                ("Police fear", "Naloxone"): (1, 1 / 3),
                ("Police fear", "Gratitude"): (1, 1 / 3),
            },
        ),
        (
            "document",
            2,
            [2, 1, 2, 1, 1],
            {
                ("Housing", "Employment"): (1, 1 / 2),
                ("Housing", "Police fear"): (2, 1.0),
                ("Housing", "Naloxone"): (1, 1 / 2),
                ("Housing", "Gratitude"): (1, 1 / 2),
                ("Employment", "Police fear"): (1, 1 / 2),
                ("Employment", "Naloxone"): (1, 1.0),
                ("Police fear", "Naloxone"): (1, 1 / 2),
                ("Police fear", "Gratitude"): (1, 1 / 2),
            },
        ),
    ],
)
def test_same_unit_counts_units_and_jaccard_over_units(
    world, mode, items, frequency, pairs
) -> None:
    with world.read() as s:
        m = cooccurrence(s, mode=mode)
    assert m.items == items and m.frequency == frequency
    got = _pairs(m)
    assert got.keys() == pairs.keys()
    for key, (count, jac) in pairs.items():
        assert got[key][0] == count and got[key][1] == pytest.approx(jac)
    assert "with A and B" in m.jaccard_definition


def test_paragraphs_match_turns_here(world) -> None:
    with world.read() as s:
        para = cooccurrence(s, mode="paragraph")
        turn = cooccurrence(s, mode="turn")
    assert para.items == 7  # the heading "Focus group A" is a paragraph, not a turn
    assert para.counts == turn.counts and "paragraphs" in para.unit_description


def test_filters(world) -> None:
    with world.read() as s:
        ben = cooccurrence(s, filters=Filters(coders=("ben",)))
        women = cooccurrence(
            s, mode="turn", filters=Filters(attributes=(AttributeValue.parse("case:gender=woman"),))
        )
        interviews = cooccurrence(s, filters=Filters(kinds=("interview",)))
        kz = cooccurrence(
            s,
            mode="document",
            filters=Filters(attributes=(AttributeValue.parse("country=Kazakhstan"),)),
        )
        risks = cooccurrence(
            s, mode="turn", filters=Filters(code_ids=(world_code(s, "Release risks"),))
        )
        with pytest.raises(NotFound, match="no participant has gender = 'other'"):
            cooccurrence(s, filters=Filters(attributes=(AttributeValue.parse("gender=other"),)))
    assert [c.name for c in ben.codes] == ["Employment", "Police fear", "Naloxone"]
    # ben coded Employment once: both codings of the pair meet the other code.
    assert _pairs(ben) == {("Employment", "Naloxone"): (1, 1.0)} and ben.coders == ["ben"]
    # The women's turns: the moderator's, P2's and the interviewer's; only P2's has codes.
    assert women.items == 3 and _pairs(women) == {("Housing", "Employment"): (1, 1.0)}
    assert "only units spoken by matching participants" in women.notes
    assert _pairs(interviews) == {("Housing", "Police fear"): (1, 2 / 3)}
    assert kz.items == 1 and ("Police fear", "Naloxone") in _pairs(kz)
    assert [c.name for c in risks.codes] == ["Housing", "Employment"]
    assert _pairs(risks) == {("Housing", "Employment"): (1, 1 / 3)}


def world_code(s, ref: str) -> int:
    from qualbench.services.codes import resolve_code

    return resolve_code(s, ref)


def test_progress_cancel_and_bad_mode(world) -> None:
    seen: list[tuple[int, int]] = []
    with world.read() as s:
        cooccurrence(s, mode="sentence", progress=lambda d, t, _: seen.append((d, t)))
        with pytest.raises(Cancelled):
            cooccurrence(s, cancel=lambda: True)
        with pytest.raises(ValueError, match="mode must be one of"):
            cooccurrence(s, mode="character")
    assert seen == [(1, 2), (2, 2)]


def test_exports_read_back(world, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    with world.read() as s:
        m = cooccurrence(s, mode="overlap")
        empty = cooccurrence(s, filters=Filters(coders=("ana",), kinds=("other",)))
    out = write_cooccurrence(m, tmp_path / "co.csv", project="Analysis")
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["code", *CODES]
    assert rows[3][0] == "Police fear" and rows[3][1:] == ["1", "0", "5", "0", "0"]
    jac = write_cooccurrence(m, tmp_path / "jac.csv", project="Analysis", value="jaccard")
    with jac.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[1][3] == str(round(2 / 7, 4)) and rows[1][1] == "1.0"

    wb = load_workbook(write_cooccurrence(m, tmp_path / "co.xlsx", project="Analysis"))
    assert wb.sheetnames == ["Counts", "Jaccard", "Pairs", "About"]
    counts = wb["Counts"]
    assert counts.freeze_panes == "A2"
    assert [c.value for c in counts[1]] == ["code", *CODES]
    assert [c.value for c in counts[4]] == ["Police fear", 1, 0, 5, 0, 0]
    assert wb["Jaccard"]["D2"].value == pytest.approx(round(2 / 7, 4))
    pairs = list(wb["Pairs"].iter_rows(values_only=True))
    assert pairs[0] == ("code A", "code B", "count", "jaccard") and len(pairs) == 1 + 10
    assert ("Release risks > Housing", "Police fear", 1, round(2 / 7, 4)) in pairs
    about = dict(wb["About"].iter_rows(values_only=True))
    assert (
        "no transcript text" in about["Contents"]
        and "pairs of overlapping codings" in about["Counts"]
    )

    d = docx.Document(str(write_cooccurrence(m, tmp_path / "co.docx", project="Analysis")))
    assert d.paragraphs[0].text == "Code co-occurrence: overlapping coded spans"
    counts_t, jaccard_t = d.tables
    assert [c.text for c in counts_t.rows[0].cells] == ["Code", "1", "2", "3", "4", "5"]
    assert [c.text for c in counts_t.rows[3].cells] == ["3. Police fear", "1", "0", "5", "", ""]
    assert jaccard_t.rows[3].cells[1].text == ".29" and jaccard_t.rows[3].cells[3].text == "—"
    note = d.paragraphs[-1].text
    assert note.startswith("Note.") and "pairs of overlapping codings" in note and "Jaccard" in note
    with pytest.raises(ExportError, match="nothing to export"):
        write_cooccurrence(empty, tmp_path / "empty.xlsx", project="Analysis")
    with pytest.raises(ExportError, match="unknown co-occurrence format"):
        write_cooccurrence(m, tmp_path / "co.pdf", project="Analysis")


def test_cli_cooccurrence(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    path = build_file(tmp_path / "a.qualbench")
    code, out, _ = run(capsys, "cooccurrence", path, "--unit", "turn", "--json")
    data = json.loads(out)
    assert code == 0 and data["codes"] == CODES and data["items"] == 6
    assert data["counts"][0][2] == 1 and data["jaccard"][0][2] == 0.25
    code, out, _ = run(capsys, "cooccurrence", path, "--same-coder")
    assert code == 0
    assert (
        "Release risks > Employment  Naloxone" in out
        and "0.667" in out
        and "1 pair of codes" in out
    )
    xlsx = tmp_path / "co.xlsx"
    code, _, err = run(
        capsys,
        "cooccurrence",
        path,
        "--unit",
        "sentence",
        "--where",
        "case:gender=man",
        "--out",
        xlsx,
    )
    assert code == 0 and "no transcript text" in err
    wb = load_workbook(xlsx)
    assert "participant gender = man" in dict(wb["About"].iter_rows(values_only=True))["Filters"]
    code, _, err = run(capsys, "cooccurrence", path, "--where", "religion=none")
    assert code == 1 and "no attribute 'religion'" in err
    with pytest.raises(SystemExit) as exc:
        run(capsys, "cooccurrence", path, "--unit", "character")
    assert exc.value.code == 2


def test_cli_choices_match_the_core() -> None:
    from qualbench.cli import analysis
    from qualbench.reports.presence import ROWS
    from qualbench.reports.query import WITHIN

    assert (analysis.MODES, analysis.WITHIN, analysis.ROWS) == (MODES, WITHIN, ROWS)


@pytest.mark.postgres
def test_analyses_match_on_postgres(pg_sample_url: str, sample) -> None:
    from qualbench.reports import theme_table
    from qualbench.reports.presence import presence_matrix
    from qualbench.reports.query import run_query
    from qualbench.store import open_project

    women = Filters(attributes=(AttributeValue.parse("case:gender=woman"),), kinds=("focus group",))

    def results(project):
        with project.read() as s:
            table = theme_table(s, by="document:country", filters=women, words=True)
            return (
                [(r.path, r.total, r.cells) for r in table.rows],
                table.column_words,
                cooccurrence(s, mode="overlap").counts,
                cooccurrence(s, mode="sentence", filters=women).counts,
                [
                    (e.document, e.start, e.end, e.coder)
                    for e in run_query(
                        s, '"Police fear" AND NOT Gratitude', within="turn", filters=women
                    ).excerpts
                ],
                presence_matrix(s, filters=women).rows,
            )

    with open_project(pg_sample_url) as pg:
        assert results(pg) == results(sample)


def test_cli_cooccurrence_files(tmp_path: Path, capsys) -> None:
    import docx

    path = build_file(tmp_path / "a.qualbench")
    out_csv = tmp_path / "jac.csv"
    code, _, _ = run(
        capsys, "cooccurrence", path, "--unit", "document", "--jaccard", "--out", out_csv
    )
    assert code == 0
    with out_csv.open(encoding="utf-8-sig") as f:
        rows = {r[0]: r[1:] for r in csv.reader(f)}
    assert rows["Police fear"][0] == "1.0"  # with Housing: both documents
    out_docx = tmp_path / "co.docx"
    code, _, _ = run(
        capsys, "cooccurrence", path, "--unit", "turn", "--coder", "ana", "--out", out_docx
    )
    d = docx.Document(str(out_docx))
    assert (
        code == 0 and d.paragraphs[0].text == "Code co-occurrence: codes in the same speaker turn"
    )
    assert "Codings of ana." in d.paragraphs[-1].text and "coder ana" in d.paragraphs[-1].text
