"""Attribute and codebook tables: CSV (delimiters, quoting, BOM, encodings) and XLSX."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from importers import ImportProblem
from importers.tables import Table, read_table
from tests.importers.builders import assert_problem

ATTRIBUTES = Table(
    columns=("Participant", "Age", "City", "Notes"),
    rows=(
        ("P1", "34", "Almaty", "Met at the café;\nfollow-up in June"),
        ("P2", "51", "Shymkent", 'Said "no" twice, then yes'),
    ),
)


def _csv(delimiter: str) -> str:
    return (
        f"Participant{delimiter}Age{delimiter}City{delimiter}Notes\r\n"
        f'P1{delimiter}34{delimiter}Almaty{delimiter}"Met at the café;\r\nfollow-up in June"\r\n'
        f'P2{delimiter}51{delimiter}Shymkent{delimiter}"Said ""no"" twice, then yes"\r\n'
    )


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_and_quoted_multiline_cells(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "attributes.csv"
    path.write_bytes(_csv(delimiter).encode("utf-8"))
    table = read_table(path)
    assert table.columns == ATTRIBUTES.columns
    assert [row[:3] for row in table.rows] == [row[:3] for row in ATTRIBUTES.rows]
    # Cell text is kept as written, except that CRLF inside a quoted cell becomes LF.
    assert table == ATTRIBUTES


def test_tsv_by_extension(tmp_path: Path) -> None:
    path = tmp_path / "attributes.tsv"
    path.write_text("Code\tDescription\nJoy\tHappy, or relieved; at ease\n", "utf-8")
    assert read_table(path) == Table(
        ("Code", "Description"), (("Joy", "Happy, or relieved; at ease"),)
    )


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (b"", "cp1252"), (codecs.BOM_UTF16_LE, "utf-16-le")],
)
def test_csv_bom_and_encodings(tmp_path: Path, prefix: bytes, codec: str) -> None:
    path = tmp_path / "codes.csv"
    path.write_bytes(prefix + "Code;Meaning\nCafé;Place “to meet”\nÉcole;School\n".encode(codec))
    table = read_table(path)
    assert table.columns == ("Code", "Meaning")
    assert table.rows == (("Café", "Place “to meet”"), ("École", "School"))


def test_empty_rows_and_trailing_empty_columns_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "sparse.csv"
    path.write_text("\n\nName,Group,,\n,,,\nP1,A,,\n\nP2,,,\n,,\n", "utf-8")
    table = read_table(path)
    assert table == Table(("Name", "Group"), (("P1", "A"), ("P2", "")))
    assert table.records() == [{"Name": "P1", "Group": "A"}, {"Name": "P2", "Group": ""}]


def test_short_rows_are_padded(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("Name,Group,Age\nP1\nP2,B\n", "utf-8")
    assert read_table(path).rows == (("P1", "", ""), ("P2", "B", ""))


def test_names_are_trimmed_cells_kept_and_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text("Name, Group\n P1 , A \n\nP2,B,oops\n", "utf-8")
    with pytest.raises(ImportProblem, match="row 4 has more cells"):
        read_table(path)
    path.write_text('Name, Group , Quote\n P1 , A ," so, I said "\n  ,  ,  \n', "utf-8")
    assert read_table(path) == Table(("Name", "Group", "Quote"), ((" P1 ", " A ", " so, I said "),))


def test_single_column_csv(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("Code\nJoy\nFear\nAnger\n", "utf-8")
    assert read_table(path) == Table(("Code",), (("Joy",), ("Fear",), ("Anger",)))


def test_xlsx_numbers_dates_and_empty_rows(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Participant", "Age", "Height", "Interviewed", "At", "Consent", "Note"])
    ws.append(["P1", 34, 1.72, dt.date(2024, 5, 3), dt.datetime(2024, 5, 3, 14, 30), True, None])
    ws.append([None, None, None, None, None, None, None])
    ws.append(["P2", 51.0, 1.8, dt.datetime(2024, 6, 1), None, False, "  spaced  "])
    ws.append([])
    second = wb.create_sheet("Ignored")
    second.append(["only the first sheet is read"])
    path = tmp_path / "attributes.xlsx"
    wb.save(path)

    table = read_table(path)
    assert table.columns == ("Participant", "Age", "Height", "Interviewed", "At", "Consent", "Note")
    assert table.rows == (
        ("P1", "34", "1.72", "2024-05-03", "2024-05-03T14:30:00", "true", ""),
        ("P2", "51", "1.8", "2024-06-01", "", "false", "spaced"),
    )


def test_xlsx_with_blank_rows_before_the_header(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["B3"] = "Code"
    ws["C3"] = "Colour"
    ws["B4"] = "Joy"
    ws["C4"] = "yellow"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    assert read_table(path) == Table(("Code", "Colour"), (("Joy", "yellow"),))


@pytest.mark.parametrize(
    ("name", "content", "cause"),
    [
        ("dupes.csv", "Name,Age,Name\nP1,3,x\n", "duplicate column names: Name"),
        ("blank.csv", "   \n\n", "empty"),
        ("noheader.csv", "Name,,Age\nP1,x,3\n", "empty column name"),
        ("wide.csv", "Name,Age\nP1,3,extra\n", "row 2 has more cells"),
        ("table.pdf", "Name\nP1\n", "not a table file"),
    ],
)
def test_bad_tables(tmp_path: Path, name: str, content: str, cause: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(ImportProblem) as excinfo:
        read_table(path)
    assert_problem(excinfo, path, cause, secret="P1")


def test_bad_table_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(ImportProblem) as excinfo:
        read_table(missing)
    assert_problem(excinfo, missing, "does not exist")

    fake = tmp_path / "fake.xlsx"
    fake.write_text("Name,Age\nP1,3\n", "utf-8")
    with pytest.raises(ImportProblem) as excinfo:
        read_table(fake)
    assert_problem(excinfo, fake, "not a readable .xlsx", secret="P1")

    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(ImportProblem) as excinfo:
        read_table(folder)
    assert_problem(excinfo, folder, "folder")

    huge_cell = tmp_path / "huge.csv"
    huge_cell.write_text('Name,Notes\nP1,"' + "x" * 200_000 + '"\n', "utf-8")
    with pytest.raises(ImportProblem) as excinfo:
        read_table(huge_cell)
    assert_problem(excinfo, huge_cell, "CSV", secret="xxxxxxxx")
