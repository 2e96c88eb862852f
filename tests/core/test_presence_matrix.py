"""0/1 code-presence matrices per participant or document for R and SPSS: values counted by hand,
variable names both accept, CSV and XLSX read back, the command line."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from qualbench.exports import ExportError
from qualbench.exports.tables import write_presence
from qualbench.reports.filters import AttributeValue, Filters
from qualbench.reports.presence import RESERVED, presence_matrix, safe_names
from tests.core.analysis_world import build, build_file
from tests.core.test_cli import run

VALID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")  # R syntactic and SPSS variable names
CODES = [
    "Release_risks",
    "Release_risks_Housing",
    "Release_risks_Employment",
    "Police_fear",
    "Naloxone",
    "Gratitude",
]


@pytest.fixture
def world(project):
    build(project)
    return project


def _by_row(m) -> dict[str, dict[str, object]]:
    return {row[0]: dict(zip(m.header, row, strict=True)) for row in m.rows}


def test_participants_have_the_codes_that_reach_their_words(world) -> None:
    with world.read() as s:
        m = presence_matrix(s)
    assert m.header == ["participant", "documents", "role", "gender", "age", *CODES]
    assert [v.kind for v in m.variables] == ["id"] * 2 + ["attribute"] * 3 + ["code"] * 6
    assert [v.label for v in m.variables][-6:] == [
        "Release risks",
        "Release risks > Housing",
        "Release risks > Employment",
        "Police fear",
        "Naloxone",
        "Gratitude",
    ]
    rows = _by_row(m)
    assert list(rows) == [
        "fg_a: MODERATOR",
        "fg_a: P1",
        "fg_a: P2",
        "interview_b: INTERVIEWER",
        "interview_b: RESPONDENT",
    ]

    def codes(name: str) -> list[object]:
        return [rows[name][c] for c in CODES]

    assert codes("fg_a: MODERATOR") == [0, 0, 0, 0, 0, 0]  # a row with no codes is data too
    # ben's Employment coding runs from P2's turn into P1's: both have Employment.
    assert codes("fg_a: P1") == [0, 0, 1, 1, 1, 0]
    assert codes("fg_a: P2") == [0, 1, 1, 0, 0, 0]
    assert codes("interview_b: RESPONDENT") == [0, 1, 0, 1, 0, 1]
    assert rows["fg_a: P1"]["age"] == 34 and rows["fg_a: MODERATOR"]["age"] is None  # numbers
    assert rows["fg_a: P1"]["documents"] == "fg_a" and rows["fg_a: P2"]["gender"] == "woman"


def test_documents_rollup_and_filters(world) -> None:
    woman = Filters(attributes=(AttributeValue.parse("case:gender=woman"),))
    with world.read() as s:
        docs = presence_matrix(s, rows="document", rollup=True)
        women = presence_matrix(s, filters=woman)
        ana = presence_matrix(s, rows="document", filters=Filters(coders=("ana",)))
        interviews = presence_matrix(s, rows="document", filters=Filters(kinds=("interview",)))
        risks = presence_matrix(s, filters=Filters(code_ids=(docs.variables[3].code_id or 0,)))
        with pytest.raises(ValueError, match="rows must be participant or document"):
            presence_matrix(s, rows="code")
    assert docs.header == ["document", "kind", "country", *CODES]
    rows = _by_row(docs)
    assert [rows["fg_a"][c] for c in CODES] == [1, 1, 1, 1, 1, 0]  # the parent rolls up
    assert [rows["interview_b"][c] for c in CODES] == [1, 1, 0, 1, 0, 1]
    assert rows["fg_a"]["kind"] == "focus group" and rows["interview_b"]["country"] == "Belgium"
    assert "or of one of its sub-codes" in docs.notes[0]
    # Only the women are rows; a coding counts for them only if it reaches their words.
    w = _by_row(women)
    assert list(w) == ["fg_a: MODERATOR", "fg_a: P2", "interview_b: INTERVIEWER"]
    assert [w["fg_a: P2"][c] for c in CODES] == [0, 1, 1, 0, 0, 0]
    assert women.filters == ["participant gender = woman"]
    a = _by_row(ana)
    assert a["fg_a"]["Naloxone"] == 0 and a["fg_a"]["Police_fear"] == 1 and ana.coders == ["ana"]
    assert list(_by_row(interviews)) == ["interview_b"]
    assert risks.header[-3:] == [
        "Release_risks",
        "Release_risks_Housing",
        "Release_risks_Employment",
    ]


def test_safe_names_suit_r_and_spss() -> None:
    labels = [
        "participant",
        "Police fear",
        "police FEAR",  # the same name to SPSS, which ignores case
        "NOT",  # reserved in SPSS
        "function",  # reserved in R
        "1st contact",  # must start with a letter
        "Жильё",  # nothing ASCII is left
        "",
        "Naïve > Café",  # accents dropped
        "A" * 80 + " one",
        "A" * 80 + " two",  # the same first 64 characters
        "trailing_",
    ]
    names = safe_names(labels)
    assert names == [
        "participant",
        "Police_fear",
        "police_FEAR_2",
        "NOT_v",
        "function_v",
        "v_1st_contact",
        "v",
        "v_2",
        "Naive_Cafe",
        "A" * 64,
        "A" * 62 + "_2",
        "trailing",
    ]
    assert all(VALID.fullmatch(n) for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert not {n.upper() for n in names} & RESERVED


def test_csv_and_variables_csv_read_back(world, tmp_path: Path) -> None:
    with world.read() as s:
        m = presence_matrix(s)
    written = write_presence(m, tmp_path / "matrix.csv", project="Analysis")
    assert written == [tmp_path / "matrix.csv", tmp_path / "matrix-variables.csv"]
    raw = written[0].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # R and SPSS would read a BOM into the first name
    with written[0].open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert header == m.header and all(VALID.fullmatch(h) for h in header)
    assert len({h.casefold() for h in header}) == len(header) and all(header)
    p1 = dict(zip(header, rows[2], strict=True))
    assert p1["participant"] == "fg_a: P1" and p1["age"] == "34" and p1["Police_fear"] == "1"
    assert dict(zip(header, rows[1], strict=True))["age"] == ""  # missing, not "None"
    with written[1].open(encoding="utf-8", newline="") as f:
        mapping = {r["variable"]: (r["label"], r["kind"]) for r in csv.DictReader(f)}
    assert mapping["Release_risks_Housing"] == ("Release risks > Housing", "code")
    assert mapping["gender"] == ("gender", "attribute") and list(mapping) == header


def test_xlsx_sheets_numbers_and_mapping(world, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    with world.read() as s:
        m = presence_matrix(s, rows="participant")
    (out,) = write_presence(m, tmp_path / "matrix.xlsx", project="Analysis")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Matrix", "Variables", "About"]
    ws = wb["Matrix"]
    assert ws.freeze_panes == "A2" and [c.value for c in ws[1]] == m.header
    p1 = dict(zip(m.header, (c.value for c in ws[3]), strict=True))
    assert p1["participant"] == "fg_a: P1" and p1["age"] == 34 and p1["Naloxone"] == 1
    assert all(isinstance(p1[c], int) for c in CODES)
    assert dict(zip(m.header, (c.value for c in ws[2]), strict=True))["age"] is None
    variables = list(wb["Variables"].iter_rows(values_only=True))
    assert variables[0] == ("variable", "label", "kind") and len(variables) == len(m.header) + 1
    about = dict(wb["About"].iter_rows(values_only=True))
    assert "no transcript text" in about["Contents"] and "participant names" in about["Contents"]
    with pytest.raises(ExportError, match="unknown matrix format"):
        write_presence(m, tmp_path / "matrix.docx", project="Analysis")


def test_cli_matrix(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    path = build_file(tmp_path / "a.qualbench")
    code, out, _ = run(capsys, "matrix", path, "--rows", "document", "--json")
    data = json.loads(out)
    assert code == 0 and data["rows_are"] == "document"
    assert [v["name"] for v in data["variables"]] == ["document", "kind", "country", *CODES]
    assert data["rows"][1] == ["interview_b", "interview", "Belgium", 0, 1, 0, 1, 0, 1]

    code, out, err = run(capsys, "matrix", path)
    assert code == 0 and "fg_a: P1" in out and "5 rows x 11 variables" in err

    out_csv = tmp_path / "m.csv"
    code, _, err = run(
        capsys, "matrix", path, "--out", out_csv, "--where", "case:gender=man", "--rollup"
    )
    assert code == 0 and "m-variables.csv" in err and "no transcript text" in err
    with out_csv.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["participant"] for r in rows] == ["fg_a: P1", "interview_b: RESPONDENT"]
    assert [r["Release_risks"] for r in rows] == ["1", "1"]

    out_xlsx = tmp_path / "m.xlsx"
    assert run(capsys, "matrix", path, "--out", out_xlsx, "--code", "Police fear")[0] == 0
    assert [c.value for c in load_workbook(out_xlsx)["Matrix"][1]][-1] == "Police_fear"
    code, _, err = run(capsys, "matrix", path, "--where", "gender")
    assert code == 1 and "write ATTRIBUTE=VALUE" in err
