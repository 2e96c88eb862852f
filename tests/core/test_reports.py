"""Theme-frequency tables and excerpts, checked against counts computed independently."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter

import pytest
from sqlalchemy import select

from qualbench.db import CODING
from qualbench.errors import UserError
from qualbench.reports import Filters, excerpts, resolve_by, theme_table
from qualbench.reports.filters import AttributeValue
from qualbench.sample import data_dir
from qualbench.services.codes import resolve_code
from qualbench.services.documents import NotFound


def _sample_rows() -> list[dict[str, str]]:
    with (data_dir() / "codings.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _doc_country() -> dict[str, str]:
    with (data_dir() / "documents.csv").open(encoding="utf-8") as f:
        return {r["document"]: r["country"] for r in csv.DictReader(f)}


def test_codes_by_document_match_the_source_codings(sample) -> None:
    expected = Counter((r["code"], r["document"]) for r in _sample_rows())
    with sample.read() as s:
        t = theme_table(s, by="document")
    got = Counter(
        {
            (r.path, col): cell.codings
            for r in t.rows
            for col, cell in r.cells.items()
            if cell.codings
        }
    )
    assert got == expected
    assert sum(r.total.codings for r in t.rows) == len(_sample_rows())


def test_codes_by_country_counts_documents_once(sample) -> None:
    rows = _sample_rows()
    country = _doc_country()
    expected_codings = Counter((r["code"], country[r["document"]]) for r in rows)
    expected_docs = Counter(
        k
        for k in {(r["code"], country[r["document"]], r["document"]) for r in rows}
        for k in [k[:2]]
    )
    with sample.read() as s:
        t = theme_table(s, by="document:country")
    assert t.columns == sorted(set(country.values()))
    for r in t.rows:
        for col, cell in r.cells.items():
            assert cell.codings == expected_codings.get((r.path, col), 0)
            assert cell.documents == expected_docs.get((r.path, col), 0)
    assert t.column_documents == Counter(country.values())


def test_coder_filter_and_rollup(sample) -> None:
    rows = _sample_rows()
    ana = [r for r in rows if r["coder"] == "ana"]
    with sample.read() as s:
        t = theme_table(s, by="document", filters=Filters(coders=("ana",)))
        rolled = theme_table(s, by="document", filters=Filters(coders=("ana",)), rollup=True)
        with pytest.raises(NotFound, match="no coder"):
            theme_table(s, filters=Filters(coders=("nobody",)))
    assert sum(r.total.codings for r in t.rows) == len(ana)
    risks = next(r for r in rolled.rows if r.path == "Release-from-prison risks")
    assert risks.total.codings == sum(
        1 for r in ana if r["code"].startswith("Release-from-prison risks")
    )


def test_participants_by_gender(sample) -> None:
    with sample.read() as s:
        t = theme_table(s, by="case:gender")
        per_case = theme_table(s, by="case")
    police = next(r for r in t.rows if r.path == "Police fear")
    police_cases = next(r for r in per_case.rows if r.path == "Police fear")
    assert police.total.participants == police_cases.total.participants
    assert sum(c.participants for c in police.cells.values()) == police.total.participants
    assert set(t.columns) >= {"woman", "man"}
    assert sum(t.column_participants.values()) == len(
        [c for c in per_case.columns if per_case.column_participants.get(c)]
    )


def test_by_resolution(sample) -> None:
    with sample.read() as s:
        assert resolve_by(s, "site") == ("document", "site")
        assert resolve_by(s, "gender") == ("case", "gender")
        with pytest.raises(NotFound, match="document:country or case:country"):
            resolve_by(s, "country")
        with pytest.raises(NotFound, match="no attribute"):
            resolve_by(s, "religion")
        kinds = theme_table(s, by="kind")
    assert kinds.columns == ["focus group", "interview"]


def test_excerpts_carry_their_context(sample) -> None:
    rows = _sample_rows()
    with sample.read() as s:
        police = resolve_code(s, "Police fear")
        items = excerpts(s, filters=Filters(code_ids=(police,)))
        n_all = s.execute(select(CODING.c.id)).all()
    assert len(items) == sum(1 for r in rows if r["code"] == "Police fear")
    quotes = {r["quote"] for r in rows if r["code"] == "Police fear"}
    assert {" ".join(e.text.split()) for e in items} <= {" ".join(q.split()) for q in quotes}
    kz = next(e for e in items if e.document == "fg_kazakhstan")
    assert kz.participant.startswith("KZ-") and kz.participant_attributes["country"] == "Kazakhstan"
    assert kz.timestamp.count(":") == 2 and kz.paragraph > 1 and kz.speaker.startswith("P")
    assert kz.document_attributes["site"] == "Almaty"
    assert len(n_all) == len(rows)


def test_excerpt_memos(sample) -> None:
    rows = _sample_rows()
    with sample.read() as s:
        items = excerpts(s)
    assert sorted(e.memo for e in items if e.memo) == sorted(r["memo"] for r in rows if r["memo"])


# --- theme-table measures, percentages and filters (issue 5) ----------------------------------


@pytest.fixture
def world(project):
    from tests.core.analysis_world import build

    build(project)
    return project


def _row(t, path: str):
    return next(r for r in t.rows if r.path == path)


def test_percent_of_participants_and_words_counted_by_hand(world) -> None:
    from tests.core.analysis_world import WORDS

    with world.read() as s:
        t = theme_table(s, by="document:country", words=True)
    assert t.columns == ["Belgium", "Kazakhstan"] and t.words
    assert t.column_participants == {"Kazakhstan": 3, "Belgium": 2}
    assert t.column_words == WORDS and t.all_words == 48 and t.all_participants == 5
    police = _row(t, "Police fear")
    kz, be = police.cells["Kazakhstan"], police.cells["Belgium"]
    # fg_a: ana "The police stop us. I fear them." (7 words) holds ben's "I fear them.": the
    # overlap counts once; plus "Police took it." (3). interview_b: ben's span (11 words) holds
    # ana's "The police watched the shelter.".
    assert (kz.codings, kz.participants, kz.words) == (3, 1, 10)
    assert (be.codings, be.participants, be.words) == (2, 1, 11)
    assert kz.pct_participants == pytest.approx(100 / 3) and be.pct_participants == 50.0
    assert police.total.words == 21 and police.total.pct_participants == 40.0
    employment = _row(t, "Release risks > Employment").cells["Kazakhstan"]
    # ben's Employment runs from P2's "No job either." into P1's "My friend has naloxone.":
    # both participants; the label "P1:" in between is nobody's words.
    assert (employment.codings, employment.participants, employment.words) == (2, 2, 7)
    assert t.measures == ("codings", "documents", "participants", "pct_participants", "words")


def test_words_by_participant_split_at_turns(world) -> None:
    with world.read() as s:
        t = theme_table(s, by="case", words=True)
    employment = _row(t, "Release risks > Employment")
    assert {c: (v.codings, v.words) for c, v in employment.cells.items() if v.codings} == {
        "fg_a: P1": (1, 4),
        "fg_a: P2": (2, 3),
    }
    assert employment.total.codings == 2 and employment.total.words == 7
    assert t.column_words["fg_a: P1"] == 14 and t.column_words["fg_a: MODERATOR"] == 3
    assert "(no speaker)" not in t.columns  # the heading "Focus group A" is coded by nobody


def test_row_and_column_percentages(world) -> None:
    with world.read() as s:
        t = theme_table(s, by="document:country", words=True)
        women = theme_table(
            s,
            by="document:country",
            filters=Filters(attributes=(AttributeValue.parse("case:gender=woman"),)),
        )
    police = _row(t, "Police fear")
    assert t.value(police, "Kazakhstan", "codings", "row") == pytest.approx(60.0)
    assert t.value(police, None, "codings", "row") == 100.0
    # Column percentages divide by the column's codings (7 in Kazakhstan), documents,
    # participants or words of text.
    assert t.column_codings == {"Kazakhstan": 7, "Belgium": 4} and t.all_codings == 11
    assert t.value(police, "Kazakhstan", "codings", "column") == pytest.approx(300 / 7)
    assert t.value(police, "Kazakhstan", "words", "column") == pytest.approx(1000 / 27)
    assert t.value(police, None, "words", "column") == pytest.approx(2100 / 48)
    assert t.value(police, "Belgium", "documents", "column") == 100.0
    assert (
        t.value(police, "Belgium", "participants", "column")
        == police.cells["Belgium"].pct_participants
    )
    with pytest.raises(ValueError, match="already a percentage"):
        t.value(police, "Belgium", "pct_participants", "row")
    # No woman speaks in a coded segment in Belgium: a column percentage of nothing is undefined.
    housing = _row(women, "Release risks > Housing")
    assert women.value(housing, "Belgium", "codings", "column") is None
    assert women.value(housing, "Kazakhstan", "codings", "row") == 100.0
    assert "percentage of the column's words of text" in t.describe("words", "column")


def test_participant_attribute_filter_counts_only_matching_participants(world) -> None:
    woman = Filters(attributes=(AttributeValue.parse("case:gender=woman"),))
    with world.read() as s:
        t = theme_table(s, by="document:country", filters=woman, words=True)
        per_case = theme_table(s, by="case", filters=woman)
    assert t.column_participants == {"Kazakhstan": 2, "Belgium": 1}
    assert t.column_words == {"Kazakhstan": 10, "Belgium": 4}  # the women's words only
    employment = _row(t, "Release risks > Employment")
    kz = employment.cells["Kazakhstan"]
    # Both Employment codings reach P2 (a woman); P1's words in ben's coding do not count.
    assert (kz.codings, kz.participants, kz.words, kz.pct_participants) == (2, 1, 3, 50.0)
    assert _row(t, "Police fear").total.codings == 0  # only men speak where it is coded
    assert per_case.columns == ["fg_a: MODERATOR", "fg_a: P2", "interview_b: INTERVIEWER"]
    assert _row(per_case, "Release risks > Employment").cells["fg_a: P2"].codings == 2
    assert t.filters == ["participant gender = woman"]
    assert "only the participants matching the filter are counted" in t.notes


def test_participant_filter_counts_a_coding_that_only_reaches_a_match_further_on(world) -> None:
    """ben's Employment coding starts in P2's turn (a woman) and runs into P1's (a man)."""
    men = Filters(attributes=(AttributeValue.parse("case:gender=man"),))
    with world.read() as s:
        tables = {
            by: theme_table(s, by=by, filters=men, words=True)
            for by in ("country", "case", "case:gender")
        }
    for by, column in (("country", "Kazakhstan"), ("case", "fg_a: P1"), ("case:gender", "man")):
        employment = _row(tables[by], "Release risks > Employment")
        cell = employment.cells[column]
        assert (cell.codings, cell.documents, cell.participants, cell.words) == (1, 1, 1, 4), by
        assert employment.total.codings == 1
        assert _row(tables[by], "Release risks > Housing").total.codings == 1  # the respondent's
    assert tables["case"].columns == ["fg_a: P1", "interview_b: RESPONDENT"]
    assert tables["case:gender"].column_codings == {"man": 9}


def test_document_group_filters_and_their_errors(world) -> None:
    with world.read() as s:
        kz = theme_table(
            s,
            by="document",
            filters=Filters(attributes=(AttributeValue.parse("country=kazakhstan"),)),
        )
        interviews = theme_table(s, by="case", filters=Filters(kinds=("interview",)))
        either = theme_table(
            s,
            by="kind",
            filters=Filters(
                attributes=(
                    AttributeValue.parse("country=Belgium"),
                    AttributeValue.parse("country=Kazakhstan"),
                )
            ),
        )
        none = theme_table(
            s,
            by="kind",
            filters=Filters(
                kinds=("interview",), attributes=(AttributeValue.parse("country=Kazakhstan"),)
            ),
        )
        for filters, message in (
            (
                Filters(attributes=(AttributeValue.parse("religion=none"),)),
                "no attribute 'religion'",
            ),
            (
                Filters(attributes=(AttributeValue.parse("country=Narnia"),)),
                "no document has country = 'Narnia'; its values are Belgium, Kazakhstan",
            ),
            (
                Filters(attributes=(AttributeValue.parse("document:gender=woman"),)),
                "use case:gender",
            ),
            (Filters(kinds=("podcast",)), "no document kind 'podcast'"),
        ):
            with pytest.raises(NotFound, match=message):
                theme_table(s, filters=filters)
    assert kz.columns == ["fg_a"] and kz.all_documents == 1
    assert _row(kz, "Police fear").total.codings == 3
    assert interviews.columns == ["interview_b: INTERVIEWER", "interview_b: RESPONDENT"]
    assert sum(r.total.codings for r in either.rows) == 11  # values of one attribute: OR
    assert sum(r.total.codings for r in none.rows) == 0 and none.columns == []  # kinds AND country
    with pytest.raises(UserError, match="write ATTRIBUTE=VALUE"):
        AttributeValue.parse("country")
    with pytest.raises(UserError, match="the prefix must be document: or case:"):
        AttributeValue.parse("person:gender=woman")


def test_words_only_when_asked(world) -> None:
    from qualbench.progress import Cancelled

    with world.read() as s:
        t = theme_table(s)
        seen: list[int] = []
        theme_table(s, words=True, progress=lambda d, n, _: seen.append(d))
        with pytest.raises(Cancelled):
            theme_table(s, words=True, cancel=lambda: True)
    cell = _row(t, "Police fear").total
    assert not t.words and cell.words is None and "words" not in t.measures
    assert cell.get("pct_participants") == 40.0 and cell.get("codings") == 5
    with pytest.raises(ValueError, match="words coded were not computed"):
        cell.get("words")
    assert seen == [1, 2]


def test_words_coded_match_an_independent_count_on_the_sample(sample) -> None:
    """Words coded per code, recounted from the text: a word counts once when any of its
    characters is coded by any coding of the code; speaker labels never count."""
    import re
    from collections import defaultdict

    from qualbench.db import DOCUMENT, TURN

    with sample.read() as s:
        t = theme_table(s, by="document", words=True)
        texts = dict(s.execute(select(DOCUMENT.c.id, DOCUMENT.c.text)).all())
        labels = defaultdict(set)
        for doc, start, body in s.execute(
            select(TURN.c.document_id, TURN.c.start, TURN.c.body_start)
        ):
            labels[doc].update(range(start, body))
        covered = defaultdict(set)
        for code, doc, start, end in s.execute(
            select(CODING.c.code_id, CODING.c.document_id, CODING.c.start, CODING.c.end)
        ):
            covered[code].update((doc, i) for i in range(start, end))
    expected = {}
    for code, chars in covered.items():
        expected[code] = sum(
            1
            for doc, text in texts.items()
            for m in re.finditer(r"\S+", text)
            if m.start() not in labels[doc]
            and any((doc, i) in chars for i in range(m.start(), m.end()))
        )
    got = {r.code_id: r.total.words for r in t.rows if r.total.words}
    assert got == expected and len(got) > 20
    for r in t.rows:
        assert r.total.pct_participants == pytest.approx(
            100 * r.total.participants / t.all_participants
        )


def test_theme_docx_and_percentage_sheets_read_back(world, tmp_path) -> None:
    import docx
    from openpyxl import load_workbook

    from qualbench.exports.tables import write_theme_table

    with world.read() as s:
        t = theme_table(s, by="document:country", words=True, rollup=True)
    d = docx.Document(
        str(
            write_theme_table(
                t, tmp_path / "t.docx", project="A", measures=["codings"], percent="column"
            )
        )
    )
    assert d.paragraphs[0].text == "Codings by document country"
    (table,) = d.tables
    # Column percentages: each column's base (its codings) in the header.
    assert [c.text for c in table.rows[0].cells] == [
        "Code",
        "Belgium (n = 4)",
        "Kazakhstan (n = 7)",
        "Total (n = 11)",
    ]
    police = next(r for r in table.rows if r.cells[0].text == "Police fear")
    assert [c.text for c in police.cells] == ["Police fear", "2 (50.0%)", "3 (42.9%)", "5 (45.5%)"]
    housing = next(r for r in table.rows if r.cells[0].text == "Housing")
    assert housing.cells[0].paragraphs[0].paragraph_format.left_indent > 0  # a sub-code
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # repeats on every page
    note = d.paragraphs[-1].text
    assert note.startswith("Note.") and "percentage of the column's codings" in note
    assert "Each code includes its sub-codes" in note and "Codings of ana, ben" in note

    pct = docx.Document(
        str(write_theme_table(t, tmp_path / "p.docx", project="A", measures=["pct_participants"]))
    )
    header = [c.text for c in pct.tables[0].rows[0].cells]
    assert header == ["Code", "Belgium (n = 2)", "Kazakhstan (n = 3)", "Total (n = 5)"]
    police = next(r for r in pct.tables[0].rows if r.cells[0].text == "Police fear")
    assert [c.text for c in police.cells][1:] == ["50.0", "33.3", "40.0"]

    wb = load_workbook(write_theme_table(t, tmp_path / "t.xlsx", project="A", percent="row"))
    assert wb.sheetnames == [
        "Codings", "Documents", "Participants", "% of participants", "Words coded",
        "Codings, row %", "Documents, row %", "Participants, row %", "Words coded, row %", "About",
    ]  # fmt: skip
    rows = {r[0]: r[1:] for r in wb["Codings, row %"].iter_rows(min_row=2, values_only=True)}
    assert rows["Police fear"] == (40.0, 60.0, 100.0)
    assert rows["Gratitude"] == (100.0, 0.0, 100.0)
    assert rows["Release risks"] == (25.0, 75.0, 100.0)  # Housing 1 + 1, Employment 0 + 2
    words = {r[0]: r[1:] for r in wb["Words coded"].iter_rows(min_row=2, values_only=True)}
    assert words["Release risks"] == (6, 11, 17) and words["Police fear"] == (11, 10, 21)
    about = dict(wb["About"].iter_rows(values_only=True))
    assert (
        "no transcript text" in about["Contents"] and "row total" in about["Sheet Codings, row %"]
    )

    out = write_theme_table(
        t, tmp_path / "w.csv", project="A", measures=["words"], percent="column"
    )
    with out.open(encoding="utf-8-sig") as f:
        grid = {r[0]: r[1:] for r in csv.reader(f)}
    assert grid["Police fear"] == [
        str(round(1100 / 21, 2)),
        str(round(1000 / 27, 2)),
        str(round(2100 / 48, 2)),
    ]


def test_cli_table_measures_percentages_filters(tmp_path, capsys) -> None:
    import json

    import docx

    from tests.core.analysis_world import build_file
    from tests.core.test_cli import run

    path = build_file(tmp_path / "a.qualbench")
    code, out, _ = run(
        capsys,
        "table",
        path,
        "--by",
        "country",
        "--measure",
        "words",
        "--percent",
        "column",
        "--json",
    )
    data = json.loads(out)
    police = next(r for r in data["rows"] if r["code"] == "Police fear")
    assert code == 0 and police["cells"]["Kazakhstan"]["words"] == 10
    assert police["words_column_percent"]["cells"]["Kazakhstan"] == pytest.approx(1000 / 27)
    assert data["column_words"] == {"Kazakhstan": 27, "Belgium": 21}

    code, out, _ = run(
        capsys,
        "table",
        path,
        "--by",
        "country",
        "--measure",
        "pct_participants",
        "--where",
        "gender=woman",
    )
    assert code == 0 and "filters: participant gender = woman" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("Employment"))
    assert line.split()[-2:] == ["50.0", "33.3"]

    code, out, _ = run(capsys, "table", path, "--kind", "interview", "--json")
    assert json.loads(out)["columns"] == ["interview_b"]

    out_docx = tmp_path / "t.docx"
    code, _, err = run(
        capsys, "table", path, "--by", "country", "--percent", "row", "--out", out_docx
    )
    assert code == 0 and "no transcript text" in err
    cells = [c.text for c in docx.Document(str(out_docx)).tables[0].rows[4].cells]
    assert cells == ["Police fear", "2 (40.0%)", "3 (60.0%)", "5 (100.0%)"]

    code, _, err = run(capsys, "table", path, "--measure", "pct_participants", "--percent", "row")
    assert code == 1 and "already a percentage" in err
    code, _, err = run(capsys, "table", path, "--where", "country=Narnia")
    assert code == 1 and "no document has country = 'Narnia'" in err


def test_word_bounds_follow_str_split() -> None:
    from qualbench.reports.words import word_bounds

    for text in (
        "",
        "   ",
        "one",
        " two  words ",
        "tab\tand\nnewline\r\nend",
        "no\u00a0break and\u3000ideographic\u2009thin",
        "emoji 👍🏽 and ZWJ 👩‍👩‍👧 stay words",
        "P1: Я не знаю.",
    ):
        starts, ends = word_bounds(text)
        assert [
            text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ] == text.split()


def test_union_of_ranges() -> None:
    import numpy as np

    from qualbench.reports.words import _union_ranges

    lo = np.array([5, 0, 2, 10, 12, 20], dtype=np.int64)
    hi = np.array([7, 3, 4, 12, 15, 21], dtype=np.int64)
    a, b = _union_ranges(lo, hi)
    # [0,3) and [2,4) join; [10,12) and [12,15) touch and join; the rest stay apart.
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == [(0, 4), (5, 7), (10, 15), (20, 21)]
    empty = np.zeros(0, dtype=np.int64)
    assert [len(x) for x in _union_ranges(empty, empty)] == [0, 0]


def test_theme_export_errors(world, tmp_path) -> None:
    from qualbench.exports import ExportError
    from qualbench.exports.tables import WORD_MAX_COLUMNS, write_theme_table

    with world.read() as s:
        t = theme_table(s, by="document:country")
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    for kwargs, message in (
        ({"measures": ["words"]}, "words coded were not computed"),
        ({"measures": ["pct_participants"], "percent": "row"}, "already a percentage"),
        ({"percent": "diagonal"}, "percentages are row or column"),
        ({"measures": ["share"]}, "measure must be one of"),
    ):
        with pytest.raises(ExportError, match=message):
            write_theme_table(t, tmp_path / "t.xlsx", project="A", **kwargs)
    with pytest.raises(ExportError, match=r"unknown table format '\.pdf'"):
        write_theme_table(t, tmp_path / "t.pdf", project="A")
    wide = dataclasses.replace(t, columns=[f"c{i}" for i in range(WORD_MAX_COLUMNS)])
    for r in wide.rows:
        r.cells = dict.fromkeys(wide.columns, r.total)
    with pytest.raises(ExportError, match="at most 63 columns"):
        write_theme_table(wide, tmp_path / "wide.docx", project="A")
    assert list(tmp_path.iterdir()) == []  # nothing half-written is left behind
