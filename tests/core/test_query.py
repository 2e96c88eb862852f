"""Coding queries: the parser (precedence, one-line errors with positions), evaluation on spans
and within units on a project counted by hand, filters, excerpts written by the excerpt
exporters, the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from qualbench.exports.excerpts import write_excerpts
from qualbench.progress import Cancelled
from qualbench.reports.filters import AttributeValue, Filters
from qualbench.reports.query import (
    And,
    CodeTerm,
    Not,
    Or,
    QueryError,
    parse_query,
    render,
    run_query,
    terms,
)
from tests.core.analysis_world import FG_A, INTERVIEW_B, build, build_file
from tests.core.test_cli import run


@pytest.fixture
def world(project):
    build(project)
    return project


def _texts(result) -> list[tuple[str, str]]:
    return [(e.document, e.text) for e in result.excerpts]


# --- parsing ----------------------------------------------------------------------------------


def test_precedence_not_and_or() -> None:
    text = '"Police fear" AND ("Housing" OR Employment) AND NOT "Gratitude"'
    e = parse_query(text)
    assert e == And(
        (
            CodeTerm("Police fear", 1),
            Or((CodeTerm("Housing", 20), CodeTerm("Employment", 33))),
            Not(CodeTerm("Gratitude", text.index('"Gratitude"') + 1)),
        )
    )
    # NOT binds tighter than AND, AND tighter than OR.
    assert render(parse_query("a OR b AND NOT c")) == '"a" OR "b" AND NOT "c"'
    assert parse_query("a OR b AND c") == Or(
        (CodeTerm("a", 1), And((CodeTerm("b", 6), CodeTerm("c", 12))))
    )
    assert render(parse_query("(a OR b) AND c")) == '("a" OR "b") AND "c"'
    assert render(parse_query("NOT (a AND b)")) == 'NOT ("a" AND "b")'
    assert render(parse_query("not not a")) == 'NOT NOT "a"'  # keywords in any case


def test_names_quoted_unquoted_and_typographic() -> None:
    assert [t.ref for t in terms(parse_query("Police fear and Release risks > Housing"))] == [
        "Police fear",
        "Release risks > Housing",
    ]
    assert [
        t.ref for t in terms(parse_query("“Police   fear” OR 'Not a keyword' OR «Gratitude»"))
    ] == [
        "Police fear",
        "Not a keyword",
        "Gratitude",
    ]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "the query is empty"),
        ("   ", "the query is empty"),
        ("AND Housing", "at character 1: expected a code, '(' or NOT, found 'AND'"),
        ("Housing AND", "at character 12: expected a code, '(' or NOT, found the end of the query"),
        ("Housing OR OR Employment", "at character 12: expected a code, '(' or NOT, found 'OR'"),
        ("(Housing OR Employment", "at character 23: expected ')' to close the '(' at character 1"),
        ("Housing)", "at character 8: ')' without a matching '('"),
        (
            '"Police fear" Housing',
            "at character 15: expected AND, OR or the end of the query, found the code 'Housing'",
        ),
        ('Housing AND "Police fear', 'at character 13: the quote " is never closed'),
        ('Housing OR ""', "at character 12: empty code name in quotes"),
        ("()", "at character 2: expected a code, '(' or NOT, found ')'"),
        ("NOT", "at character 4: expected a code, '(' or NOT, found the end of the query"),
    ],
)
def test_parse_errors_name_position_and_problem(expression: str, message: str) -> None:
    with pytest.raises(QueryError) as exc:
        parse_query(expression)
    assert str(exc.value) == message or str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)


def test_unknown_code_is_named_with_its_position(world) -> None:
    with (
        world.read() as s,
        pytest.raises(QueryError, match=r"^at character 13: no code 'Polce fear'"),
    ):
        run_query(s, 'Housing AND "Polce fear"')


# --- evaluation -------------------------------------------------------------------------------


def test_spans_and_or_not(world) -> None:
    with world.read() as s:
        both = run_query(s, '"Police fear" AND Housing')
        either = run_query(s, "Housing OR Employment")
        without = run_query(s, '"Police fear" AND NOT Housing')
        pair = run_query(s, "Employment AND Naloxone")
    # Only the respondent's "I had no room after prison." is coded with both.
    assert _texts(both) == [("interview_b", "I had no room after prison.")]
    assert both.documents == 1 and both.excerpts[0].coder == "ana, ben"
    # OR joins overlapping spans into one hit; separate spans stay separate hits.
    assert _texts(either) == [
        ("fg_a", "No room to live."),
        ("fg_a", "No job either.\n\nP1: My friend has naloxone."),
        ("interview_b", "I had no room after prison."),
    ]
    assert _texts(without) == [
        ("fg_a", "The police stop us. I fear them."),
        ("fg_a", "Police took it."),
        ("interview_b", "The police watched the shelter."),  # outer white space trimmed
    ]
    assert _texts(pair) == [("fg_a", "My friend has naloxone.")]
    assert both.label == 'Query: "Police fear" AND "Release risks/Housing"'
    assert both.expression == '"Police fear" AND "Release risks > Housing"'


def test_within_units(world) -> None:
    with world.read() as s:
        turn = run_query(
            s, '"Police fear" AND (Housing OR Employment) AND NOT Gratitude', within="turn"
        )
        sentence = run_query(s, '"Police fear" AND Housing', within="sentence")
        document = run_query(s, "NOT Gratitude", within="document")
        paragraph = run_query(s, "Naloxone OR Gratitude", within="paragraph")
    # P1's second turn holds Employment (ben's coding reaches it), Naloxone and Police fear;
    # the respondent's turn holds Police fear and Housing but also Gratitude.
    assert _texts(turn) == [("fg_a", "My friend has naloxone. Police took it.")]
    hit = turn.excerpts[0]
    assert (hit.speaker, hit.participant, hit.paragraph) == ("P1", "fg_a: P1", 5)
    assert hit.participant_attributes.items() >= {"gender": "man", "age": "34"}.items()
    assert (
        hit.document_attributes == {"country": "Kazakhstan"} and hit.document_kind == "focus group"
    )
    assert hit.coder == "ana, ben" and hit.origin == "query"
    assert (hit.start, hit.end) == (FG_A.index("My friend"), FG_A.index("it.") + 3)
    assert _texts(sentence) == [("interview_b", "I had no room after prison.")]
    assert _texts(document) == [("fg_a", FG_A)]  # NOT alone: documents without the code
    assert _texts(paragraph) == [
        ("fg_a", "My friend has naloxone. Police took it."),
        ("interview_b", INTERVIEW_B.split("RESPONDENT: ")[1].strip()),
    ]
    assert "speaker turns" in turn.unit_description


def test_rollup_and_filters(world) -> None:
    woman = Filters(attributes=(AttributeValue.parse("case:gender=woman"),))
    with world.read() as s:
        plain = run_query(s, '"Release risks" AND "Police fear"')
        rolled = run_query(s, '"Release risks" AND "Police fear"', rollup=True)
        women_spans = run_query(s, "Employment", filters=woman)
        women_turns = run_query(s, "Housing OR Employment", within="turn", filters=woman)
        ben = run_query(s, '"Police fear" AND Housing', filters=Filters(coders=("ben",)))
        kz = run_query(
            s,
            "Housing",
            filters=Filters(attributes=(AttributeValue.parse("document:country=kazakhstan"),)),
        )
        codes_ignored = run_query(s, "Housing", filters=Filters(code_ids=(1_000,)))
    assert plain.excerpts == [] and plain.documents == 0  # the parent itself has no codings
    assert _texts(rolled) == [("interview_b", "I had no room after prison.")]
    # ben's Employment coding runs into P1's turn; only P2's (a woman's) words are kept.
    assert _texts(women_spans) == [("fg_a", "No job either.")]
    assert _texts(women_turns) == [("fg_a", "No room to live. No job either.")]
    assert "only what the matching participants say" in women_turns.notes
    assert ben.excerpts == []  # the Housing codings are ana's
    assert _texts(kz) == [("fg_a", "No room to live.")]  # values match without regard to case
    assert len(codes_ignored.excerpts) == 2


def test_progress_and_cancel(world) -> None:
    seen: list[tuple[int, int]] = []
    with world.read() as s:
        run_query(
            s, "NOT Gratitude", within="sentence", progress=lambda d, t, _: seen.append((d, t))
        )
        with pytest.raises(Cancelled):
            run_query(s, "Housing", cancel=lambda: True)
        with pytest.raises(ValueError, match="within must be one of"):
            run_query(s, "Housing", within="line")
    assert seen == [(1, 2), (2, 2)]


def test_hits_go_through_the_excerpt_exporters(world, tmp_path: Path) -> None:
    import docx
    from openpyxl import load_workbook

    with world.read() as s:
        result = run_query(s, '"Police fear" AND NOT Housing')
    title = f"Coding query: {result.expression}"
    d = docx.Document(
        str(write_excerpts(result.excerpts, tmp_path / "q.docx", project="A", title=title))
    )
    assert d.core_properties.title == title
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ['Query: "Police fear" AND NOT "Release risks/Housing" (3)']
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    assert quotes == [e.text for e in result.excerpts]
    refs = [p.text for p in d.paragraphs if p.text.startswith("— ")]
    assert "fg_a" in refs[0] and "¶3" in refs[0]

    ws = load_workbook(write_excerpts(result.excerpts, tmp_path / "q.xlsx", project="A"))[
        "Excerpts"
    ]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [r["text"] for r in rows] == [e.text for e in result.excerpts]
    assert (
        rows[2]["participant"] == "interview_b: RESPONDENT"
        and rows[2]["participant gender"] == "man"
    )
    assert isinstance(rows[0]["start"], int) and rows[0]["document country"] == "Kazakhstan"

    out = write_excerpts(result.excerpts, tmp_path / "q.csv", project="A")
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["speaker"] for r in rows] == ["P1", "P1", "RESPONDENT"]
    assert rows[1]["text"] == "Police took it." and rows[1]["coder"] == "ana"


def test_cli_query(tmp_path: Path, capsys) -> None:
    import docx

    path = build_file(tmp_path / "a.qualbench")
    code, out, _ = run(
        capsys,
        "query",
        path,
        '"Police fear" AND (Housing OR Employment) AND NOT Gratitude',
        "--within",
        "turn",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["within"] == "turn" and data["documents"] == 1
    assert data["query"] == (
        '"Police fear" AND ("Release risks > Housing" OR "Release risks > Employment") '
        'AND NOT "Gratitude"'
    )
    (hit,) = data["hits"]
    assert hit["text"] == "My friend has naloxone. Police took it." and hit["paragraph"] == 5
    assert hit["coders"] == ["ana", "ben"] and hit["participant_attributes"]["gender"] == "man"

    code, out, _ = run(capsys, "query", path, "Housing OR Employment", "--where", "gender=woman")
    assert code == 0 and "No job either." in out and "2 hits in 1 document" in out
    assert "filters: participant gender = woman" in out

    out_file = tmp_path / "hits.docx"
    code, _, err = run(capsys, "query", path, "Police fear", "--out", out_file, "--coder", "ben")
    assert code == 0 and "wrote 2 excerpts" in err and "contains transcript text" in err
    quotes = [p.text for p in docx.Document(str(out_file)).paragraphs if p.style.name == "Quote"]
    assert quotes == ["I fear them.", "I had no room after prison. The police watched the shelter."]

    code, _, err = run(capsys, "query", path, "Housing AND (Police fear")
    assert code == 1
    assert err.strip() == (
        "qualbench: error: at character 25: expected ')' to close the '(' at character 13, "
        "found the end of the query"
    )
    code, _, err = run(capsys, "query", path, "Housing AND Nothing")
    assert code == 1 and "at character 13: no code 'Nothing'" in err


@pytest.mark.parametrize(
    "expression",
    [
        "a",
        "NOT a",
        "a AND b AND c",
        "a OR b AND NOT (c OR d)",
        "(a OR b) AND (c OR NOT d)",
        "NOT (a AND NOT (b OR c))",
    ],
)
def test_rendered_expressions_parse_back_to_the_same_tree(expression: str) -> None:
    def shape(e):
        if isinstance(e, CodeTerm):
            return e.ref
        if isinstance(e, Not):
            return ("NOT", shape(e.operand))
        return (type(e).__name__, tuple(shape(o) for o in e.operands))

    tree = parse_query(expression)
    assert shape(parse_query(render(tree))) == shape(tree)


def test_not_alone_on_spans_is_the_uncoded_text(world) -> None:
    with world.read() as s:
        result = run_query(
            s,
            'NOT ("Police fear" OR Gratitude OR Housing)',
            filters=Filters(document_ids=(world_doc(s, "interview_b"),)),
        )
    # Everything but the respondent's three coded sentences, white space trimmed.
    assert _texts(result) == [("interview_b", "INTERVIEWER: Tell me about release.\n\nRESPONDENT:")]


def world_doc(s, name: str) -> int:
    from qualbench.services.documents import resolve_document

    return resolve_document(s, name)


def test_cli_query_xlsx_and_filters(tmp_path: Path, capsys) -> None:
    from openpyxl import load_workbook

    path = build_file(tmp_path / "a.qualbench")
    out = tmp_path / "hits.xlsx"
    code, _, err = run(
        capsys,
        "query",
        path,
        "Police fear",
        "--within",
        "sentence",
        "--kind",
        "interview",
        "--out",
        out,
    )
    assert code == 0 and "wrote 2 excerpts" in err
    ws = load_workbook(out)["Excerpts"]
    header = [c.value for c in ws[1]]
    texts = [
        dict(zip(header, (c.value for c in r), strict=True))["text"]
        for r in ws.iter_rows(min_row=2)
    ]
    assert texts == ["I had no room after prison.", "The police watched the shelter."]
    code, out_text, _ = run(capsys, "query", path, "Gratitude", "--coder", "ben")
    assert code == 0 and "0 hits in 0 documents" in out_text
    code, _, err = run(capsys, "query", path, "Gratitude", "--where", "site=Almaty")
    assert code == 1 and "no attribute 'site'" in err


def test_cli_query_citation_like_excerpts(tmp_path: Path, capsys) -> None:
    path = build_file(tmp_path / "a.qualbench")
    out = tmp_path / "hits.csv"
    code, _, err = run(
        capsys,
        "query",
        path,
        "Employment AND Naloxone",
        "--out",
        out,
        "--citation",
        "--pseudonymise",
    )
    assert code == 0 and "wrote 1 excerpt to" in err and "names pseudonymised" in err
    with out.open(encoding="utf-8-sig") as f:
        (row,) = list(csv.DictReader(f))
    assert row["text"] == "My friend has naloxone." and row["citation"].startswith("(")
    assert "fg_a" in row["citation"]
