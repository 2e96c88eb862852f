"""The quote basket: faithful edits, basket actions and their undo, citations, basket exports
opened back with their own libraries, and the CLI."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from qualbench import undo
from qualbench.db import CODING, META, QUOTE
from qualbench.errors import UserError
from qualbench.exports.quotes import write_basket
from qualbench.quotes import (
    DEFAULT_CITATION,
    QuoteError,
    add_quote,
    basket,
    check_display,
    citation,
    citation_fields,
    citation_template,
    edit_quote,
    move_quote,
    parse_citation,
    remove_quote,
    resolve_quote,
    set_citation_template,
)
from qualbench.reports.excerpts import Excerpt
from qualbench.services.cases import set_values
from qualbench.services.coding import apply_code
from qualbench.services.documents import NotFound
from qualbench.undo import CommandStack
from tests.core.helpers import INTERVIEW, make_world, span

ORIGINAL = (
    "I had no room, no papers. The police stopped me twice the first week.\n"
    "I was scared to carry the kit because of them."
)


# --- the fidelity check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "display",
    [
        ORIGINAL,
        ORIGINAL.replace("\n", " "),  # white space reflowed
        ORIGINAL.rstrip("."),  # punctuation at the end
        "“" + ORIGINAL.replace("them.", "them…”"),  # typographic marks around it
        "I had no room [...] The police stopped me twice [...] of [the police].",
        "I had no room […] the police stopped me twice the first week. [...]",  # case after [...]
        "[...] the police stopped me twice the first week. I was scared to carry the kit "
        "because of them.",
        "I had no room, no papers. [T]he police stopped me twice the first week. I was scared "
        "to carry the kit because of them.",
        "I had no room, no papers. The police [officers] stopped me twice the first week. I was "
        "scared to carry the kit because of them.",
        "i had no room, no papers. The police stopped me twice the first week. I was scared to "
        "carry the kit because of them",  # case of the first letter
        "I had no room, no papers [. . .] I was scared to carry the kit because of them.",
    ],
)
def test_faithful_edits_are_accepted(display: str) -> None:
    assert check_display(ORIGINAL, display).faithful


@pytest.mark.parametrize(
    ("display", "says", "bad_word"),
    [
        (ORIGINAL.replace("twice", "once"), "word 11 ", "once"),
        (ORIGINAL.replace("The police", "The Police"), "word 8 ", "Police"),
        (ORIGINAL.replace("papers. The", "papers, the"), "word 7 ", "the"),  # inner punctuation
        ("The police stopped me twice the first week.", "starts later", "The"),
        ("I had no room, no papers. The police stopped me", "ends before", None),
        ("I had no room [...] the cops stopped me twice [...]", "word 6 ", "cops"),
        (ORIGINAL.replace("twice", "[twice"), "no matching", None),
        ("[the police]", "none of the original's words", None),
        ("  ", "empty", None),
    ],
)
def test_unfaithful_edits_say_where_without_quoting(display: str, says: str, bad_word) -> None:
    verdict = check_display(ORIGINAL, display)
    assert not verdict.faithful and says in verdict.message
    for word in ("police", "papers", "scared", "room"):
        assert word not in verdict.message  # never the transcript's words
    if bad_word is not None:
        start, end = verdict.where
        assert display[start:end] == bad_word


def test_long_quotes_with_many_elisions_are_checked_quickly() -> None:
    import time

    original = " ".join(f"word{i}" for i in range(3000))
    display = " [...] ".join(f"word{i} word{i + 1}" for i in range(0, 3000, 300)) + " [...]"
    bad = display.replace("word1500", "wordX")
    t = time.perf_counter()
    assert check_display(original, display).faithful
    assert not check_display(original, bad).faithful
    assert time.perf_counter() - t < 2


# --- basket actions ------------------------------------------------------------------------------


@pytest.fixture
def world(project):
    w = make_world(project)
    with project.write() as s:
        a, b = span(INTERVIEW, "The police stopped me twice the first week.")
        w.coding = apply_code(  # type: ignore[attr-defined]
            s, document_id=w.doc, start=a, end=b, code_id=w.police, coder_id=w.coder
        )[0]
    return w


def _state(project) -> list[tuple]:
    with project.read() as s:
        return sorted(tuple(r) for r in s.execute(select(QUOTE)).all())


def test_add_from_a_coding_and_from_any_span(project, world) -> None:
    with project.write() as s:
        q1, changes = add_quote(s, coding_id=world.coding)
        a, b = span(INTERVIEW, "I showed my cousin how to use it.")
        add_quote(s, document_id=world.doc, start=a, end=b, section="Naloxone", note="n")
        items = basket(s)
    assert changes.quotes == {q1}
    first, second = items
    assert first.number == 1 and first.section == "Police fear"  # the code path by default
    assert first.display == first.original == "The police stopped me twice the first week."
    assert first.coding_id == world.coding and first.coding_uuid
    assert first.context.speaker == "RESPONDENT" and first.context.code_path == "Police fear"
    assert first.fidelity.faithful
    assert (second.number, second.section, second.note, second.coding_id) == (
        2,
        "Naloxone",
        "n",
        None,
    )
    assert second.original == "I showed my cousin how to use it." and second.context.paragraph > 1


def test_a_span_starting_in_a_speaker_label_starts_at_the_words(project, world) -> None:
    start = INTERVIEW.index("RESPONDENT: Yes")
    with project.write() as s:
        add_quote(s, document_id=world.doc, start=start, end=start + 30)
        (item,) = basket(s)
    assert item.start == start + len("RESPONDENT: ") and item.display.startswith("Yes, they")


def test_refusals_leave_the_basket_unchanged(project, world) -> None:
    with project.write() as s:
        add_quote(s, coding_id=world.coding)
    before = _state(project)
    a, b = span(INTERVIEW, "The police stopped me twice the first week.")
    cases = [
        ({"coding_id": world.coding}, r"already in the basket \(quote 1\)"),
        ({"document_id": world.doc, "start": 5, "end": 10**6}, "quote"),
        ({"document_id": world.doc, "start": 0, "end": 0}, "quote"),
        (
            {
                "document_id": world.doc,
                "start": a,
                "end": b - 1,
                "display": "The police stopped me.",
            },
            "faith",
        ),
        ({"document_id": world.doc}, "needs a coding, or a document"),
        ({"coding_id": 10**6}, "does not exist"),
        ({"document_id": world.doc, "start": a - 1, "end": a}, "white space"),
        ({"document_id": world.doc, "start": a, "end": b - 1, "section": "x" * 401}, "at most 400"),
    ]
    for kwargs, message in cases:
        with pytest.raises((UserError, NotFound, ValueError), match=message), project.write() as s:
            add_quote(s, **kwargs)
    assert _state(project) == before


def test_unfaithful_text_is_kept_when_forced_and_flagged(project, world) -> None:
    with project.write() as s:
        qid, _ = add_quote(s, coding_id=world.coding, display="La police m'a arrêté.", force=True)
        (item,) = basket(s)
        with pytest.raises(QuoteError, match="not a faithful edit"):
            edit_quote(s, qid, display="The police stopped me.")
    assert not item.fidelity.faithful and item.display == "La police m'a arrêté."
    with project.read() as s:  # the document is untouched
        assert basket(s)[0].original == "The police stopped me twice the first week."


def test_edit_move_remove_keep_numbers_contiguous(project, world) -> None:
    phrases = ["I had no room, no papers.", "Did you have naloxone with you?", "I showed my cousin"]
    with project.write() as s:
        ids = [add_quote(s, coding_id=world.coding)[0]]
        for phrase in phrases:
            a, b = span(INTERVIEW, phrase)
            ids.append(add_quote(s, document_id=world.doc, start=a, end=b)[0])
        edit_quote(s, ids[0], display="The police stopped me twice [...]", section="Fear", note="x")
        move_quote(s, ids[3], 0)
        assert [i.id for i in basket(s)] == [ids[3], ids[0], ids[1], ids[2]]
        remove_quote(s, ids[0])
        items = basket(s)
        assert [i.id for i in items] == [ids[3], ids[1], ids[2]]
        assert [i.number for i in items] == [1, 2, 3]
        positions = s.execute(select(QUOTE.c.position).order_by(QUOTE.c.position)).scalars().all()
        assert positions == [0, 1, 2]
        assert resolve_quote(s, "2") == ids[1] and resolve_quote(s, items[2].uuid) == ids[2]
        with pytest.raises(NotFound, match="no quote 4"):
            resolve_quote(s, 4)
        add_quote(s, coding_id=world.coding, position=0)
        assert basket(s)[0].coding_id == world.coding


def test_the_quote_outlives_its_coding_and_is_linked_again_when_undone(project, world) -> None:
    with project.write() as s:
        add_quote(s, coding_id=world.coding)
    stack = CommandStack(project)
    stack.run(undo.remove_coding(world.coding))
    with project.read() as s:
        (item,) = basket(s)
    assert item.coding_id is None and item.coding_uuid and item.original.startswith("The police")
    assert item.context.code_path == ""
    stack.undo()
    with project.read() as s:
        assert basket(s)[0].coding_id == world.coding


def test_every_basket_action_is_undone_and_redone_exactly(project, world) -> None:
    stack = CommandStack(project)
    a, b = span(INTERVIEW, "I showed my cousin how to use it.")
    states = [_state(project)]
    stack.run(undo.add_quote(coding_id=world.coding))
    states.append(_state(project))
    stack.run(undo.add_quote(document_id=world.doc, start=a, end=b, section="Naloxone"))
    states.append(_state(project))
    with project.read() as s:
        first, second = (i.id for i in basket(s))
    commands = [
        undo.edit_quote(first, display="The police stopped me [...]", note="strong"),
        undo.move_quote(second, 0),
        undo.remove_quote(first),
        undo.add_quote(coding_id=world.coding, position=0),
    ]
    for command in commands:
        stack.run(command)
        states.append(_state(project))
    assert stack.undo_label == "Add quote to basket"
    for expected in reversed(states[:-1]):
        stack.undo()
        assert _state(project) == expected
    for expected in states[1:]:
        stack.redo()
        assert _state(project) == expected


def test_a_refused_action_leaves_nothing_to_undo(project, world) -> None:
    stack = CommandStack(project)
    with pytest.raises(QuoteError):
        stack.run(undo.add_quote(coding_id=world.coding, display="Nothing like it."))
    assert not stack.can_undo and _state(project) == []


# --- citations -----------------------------------------------------------------------------------

PAPER = "({participant}, {gender}, {age}, {country}, focus group {group})"


def _excerpt(**changes) -> Excerpt:
    e = Excerpt(
        1, "u", 1, "Police fear > Stops", "fg_almaty", "focus group", 0, 5, "text", "ana",
        "manual", "", "P12", "fg_almaty: P12", 83_000, 4,
        {"country": "Kazakhstan", "group": "3"},
        {"gender": "woman", "age": "34", "pseudonym": "Aigerim"}, "", 1, 2,
    )  # fmt: skip
    for k, v in changes.items():
        setattr(e, k, v)
    return e


def _paper():
    return parse_citation(
        PAPER,
        case_attributes=["gender", "age", "pseudonym"],
        document_attributes=["country", "group"],
    )


def test_citation_renders_the_template() -> None:
    assert _paper()(_excerpt()) == "(Aigerim, woman, 34, Kazakhstan, focus group 3)"


@pytest.mark.parametrize(
    ("people", "docs", "expected"),
    [
        ({"gender": "woman"}, {"country": "Kazakhstan", "group": "3"}, "(P12, woman, Kazakhstan, focus group 3)"),
        ({"age": "34"}, {"group": "3"}, "(P12, 34, focus group 3)"),
        ({"gender": "woman", "age": " "}, {}, "(P12, woman)"),
        ({"gender": "woman", "age": "34"}, {"country": "Kazakhstan"}, "(P12, woman, 34, Kazakhstan)"),
    ],
)  # fmt: skip
def test_missing_values_are_left_out_with_their_comma(people, docs, expected) -> None:
    text = _paper()(_excerpt(participant_attributes=people, document_attributes=docs))
    assert text == expected and "None" not in text and ", ," not in text


def test_nothing_known_gives_no_citation_and_brackets_do_not_dangle() -> None:
    e = _excerpt(
        participant_attributes={}, document_attributes={}, speaker="", participant="", document=""
    )
    assert _paper()(e) == ""
    cite = parse_citation("— {participant} ({age}), {place}", case_attributes=["age"])
    assert cite(_excerpt(participant_attributes={})) == "— P12, 00:01:23"
    assert cite(_excerpt(timestamp_ms=None)) == "— Aigerim (34), ¶4"


def test_fields_builtin_scoped_and_escaped() -> None:
    cite = parse_citation(
        "{{{speaker}}} {document} {kind} {timestamp} ¶{paragraph} {code} [{code_path}] "
        "{case:Age} {document:COUNTRY} {Age_Group}",
        case_attributes=["age", "age group"],
        document_attributes=["country"],
    )
    e = _excerpt(participant_attributes={"age": "34", "age group": "30-39"})
    assert cite(e) == (
        "{P12} fg_almaty focus group 00:01:23 ¶4 Stops [Police fear > Stops] 34 Kazakhstan 30-39"
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("({participant}, {ethnicity})", r"unknown field \{ethnicity\}.*known fields: \{participant\}"),
        ("({participant, {gender})", "lone '{'"),
        ("{participant}}", "lone '}'"),
        ("{case:country}", r"unknown field \{case:country\}"),
        ("{site:x}", "neither case: nor document:"),
    ],
)  # fmt: skip
def test_unknown_fields_and_bad_braces_are_named(template: str, message: str) -> None:
    with pytest.raises(QuoteError, match=message):
        parse_citation(template, case_attributes=["gender"], document_attributes=["country"])


def test_project_default_template_is_stored_checked_and_undoable(project, world) -> None:
    with project.write() as s:
        set_values(s, scope="case", owner_id=1, values={"gender": "man"})
        assert citation_template(s) == DEFAULT_CITATION
    stack = CommandStack(project)
    stack.run(undo.set_citation_template("({participant}, {gender})"))
    with project.read() as s:
        assert citation_template(s) == "({participant}, {gender})"
        assert ("gender", "participant attribute") in citation_fields(s)
        assert citation(s).template == "({participant}, {gender})"
    with pytest.raises(QuoteError, match=r"\{age\}"):
        stack.run(undo.set_citation_template("({participant}, {age})"))
    stack.undo()
    with project.read() as s:
        assert citation_template(s) == DEFAULT_CITATION
        assert (
            s.execute(select(META.c.key).where(META.c.key == "citation_template")).first() is None
        )
    stack.redo()
    with project.write() as s:
        assert citation_template(s) == "({participant}, {gender})"
        set_citation_template(s, "")
        assert citation_template(s) == DEFAULT_CITATION


# --- exports -------------------------------------------------------------------------------------


@pytest.fixture
def sample_basket(sample):
    """Three quotes of the sample in two sections, one edited, one from no coding."""
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import find_quote
    from qualbench.services.documents import document_text, resolve_document

    with sample.write() as s:
        police = resolve_code(s, "Police fear")
        ids = s.execute(
            select(CODING.c.id).where(CODING.c.code_id == police).order_by(CODING.c.id)
        ).scalars()
        coding = next(iter(ids))
        q1, _ = add_quote(s, coding_id=coding)
        doc = resolve_document(s, "fg_kazakhstan")
        a, b = find_quote(document_text(s, doc), "That's how my brother died.")
        add_quote(s, document_id=doc, start=a, end=b, section="Loss", note="opening quote")
        doc = resolve_document(s, "interview_release_02")
        text = document_text(s, doc)
        a = text.index("Okay, it's recording.")
        b = text.index("\n", a)
        add_quote(s, document_id=doc, start=a, end=b, section="Loss")
        original = basket(s)[0].original
        words = original.split()
        edit_quote(s, q1, display=" ".join(words[:3]) + " [...] " + " ".join(words[-3:]))
        set_citation_template(s, "({participant}, {gender}, {age_group}, {document:country})")
    return sample


def _items(project):
    with project.read() as s:
        return basket(s), citation(s)


def test_basket_docx_block_quotes_with_citations_by_section(sample_basket, tmp_path) -> None:
    import docx

    items, cite = _items(sample_basket)
    out = write_basket(items, tmp_path / "quotes.docx", project="Sample", citation=cite, notes=True)
    d = docx.Document(str(out))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Police fear", "Loss"]
    blocks = [p for p in d.paragraphs if p.style.name == "Block Quote"]
    assert len(blocks) == 3
    assert blocks[0].text == f"{items[0].display} {cite(items[0].context)}"
    assert blocks[0].runs[-1].text == " " + cite(items[0].context)
    assert blocks[1].text == "That's how my brother died. (KZ-P1, man, 30-39, Kazakhstan)"
    assert d.styles["Block Quote"].paragraph_format.left_indent.inches == pytest.approx(0.5)
    texts = [p.text for p in d.paragraphs]
    assert "Note: opening quote" in texts
    assert "quotations of transcript text" in "\n".join(texts)
    assert any("Not pseudonymised" in t for t in texts)
    assert d.core_properties.title == "Quotes"


def test_basket_docx_reads_back_through_verify_quotes(sample_basket, tmp_path) -> None:
    """A manuscript made of the basket's quotes is found in the transcripts, at their spans."""
    from qualbench.reports.verify_quotes import EXACT, read_manuscript, verify_quotes

    items, cite = _items(sample_basket)
    out = write_basket(items, tmp_path / "paper.docx", project="Sample", citation=cite)
    found = read_manuscript(out)
    with sample_basket.read() as s:
        report = verify_quotes(s, found, manuscript=str(out))
    checks = [c for c in report.checks if c.document]
    assert len(checks) == 3
    for check, item in zip(checks, items, strict=True):
        assert check.document == item.context.document
        assert item.start <= check.start < check.end <= item.end + 1
    assert checks[1].status == EXACT


def test_basket_markdown_csv_xlsx(sample_basket, tmp_path) -> None:
    from openpyxl import load_workbook

    items, cite = _items(sample_basket)
    md = write_basket(items, tmp_path / "q.md", project="S", citation=cite).read_text("utf-8")
    assert md.startswith("# Quotes") and "## Police fear" in md and "## Loss" in md
    assert "> That's how my brother died. (KZ-P1, man, 30-39, Kazakhstan)" in md
    out = write_basket(items, tmp_path / "q.csv", project="S", citation=cite)
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["number"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["quote"] == items[0].display and rows[0]["original"] == items[0].original
    assert rows[0]["faithful"] == "yes" and rows[0]["coding id"] == items[0].coding_uuid
    assert rows[1]["citation"] == "(KZ-P1, man, 30-39, Kazakhstan)" and rows[1]["note"]
    assert rows[1]["timestamp"] == "00:01:48" and rows[1]["speaker"] == "P1"
    wb = load_workbook(write_basket(items, tmp_path / "q.xlsx", project="S", citation=cite))
    ws = wb["Quotes"]
    header = [c.value for c in ws[1]]
    first = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert first["start"] == items[0].start and isinstance(first["start"], int)
    assert wb.sheetnames == ["Quotes", "About"]


def test_pseudonymised_basket_export_keeps_the_project_unchanged(sample_basket, tmp_path) -> None:
    import docx

    from qualbench.pseudonyms import project_pseudonymiser, set_name

    with sample_basket.write() as s:
        set_name(s, "brother", "[sibling]")
    with sample_basket.read() as s:
        items, cite = basket(s), citation(s)
        names = project_pseudonymiser(s)
    out = write_basket(items, tmp_path / "p.docx", project="S", citation=cite, pseudonymiser=names)
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "Maria" not in text and "brother" not in text
    assert "That's how my [sibling] died." in text, text
    assert "Thank you, PT-R1, for agreeing" in text
    assert "Pseudonymised:" in text
    out = write_basket(items, tmp_path / "p.csv", project="S", pseudonymiser=names)
    body = out.read_text("utf-8-sig")
    assert "Maria" not in body and "brother" not in body
    with sample_basket.read() as s:
        again = basket(s)
    assert [i.display for i in again] == [i.display for i in items]
    assert "brother" in again[1].original and "Maria" in again[2].original


@pytest.mark.parametrize("suffix", [".docx", ".md", ".csv", ".xlsx"])
def test_basket_export_progress_and_cancel(sample_basket, tmp_path, suffix) -> None:
    from qualbench.progress import Cancelled

    items, _ = _items(sample_basket)
    many = items * 70
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    seen: list[int] = []
    write_basket(
        many, tmp_path / f"a{suffix}", project="S", progress=lambda d, t, s: seen.append(d)
    )
    assert seen[-1] == len(many) and len(seen) > 1
    with pytest.raises(Cancelled):
        write_basket(many, tmp_path / f"b{suffix}", project="S", cancel=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"a{suffix}"]


def test_unknown_basket_format_writes_nothing(sample_basket, tmp_path) -> None:
    from qualbench.exports import ExportError

    items, _ = _items(sample_basket)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    with pytest.raises(ExportError, match="unknown quote basket format"):
        write_basket(items, tmp_path / "q.pdf", project="S")
    assert list(tmp_path.iterdir()) == []


# --- the command line ----------------------------------------------------------------------------


def run(capsys, *args: object) -> tuple[int, str, str]:
    from qualbench.cli import main

    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_basket_citation_round_trip(sample, tmp_path, capsys) -> None:
    import docx

    path = sample.path
    sample.close()
    code, out, _ = run(capsys, "excerpts", path, tmp_path / "x.csv", "--code", "Police fear")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig") as f:
        coding = next(csv.DictReader(f))["coding id"]
    code, out, err = run(capsys, "basket", "add", path, "--coding", coding, "--json")
    assert code == 0 and json.loads(out)["section"] == "Police fear"
    code, _, err = run(
        capsys, "basket", "add", path, "--document", "fg_kazakhstan", "--quote",
        "That's how my brother died.", "--section", "Loss", "--position", "1",
    )  # fmt: skip
    assert code == 0 and "added quote 1" in err
    code, _, err = run(
        capsys, "basket", "add", path, "--document", "fg_kazakhstan", "--quote",
        "That's how my brother died.",
    )  # fmt: skip
    assert code == 1 and "already in the basket (quote 1)" in err
    code, _, err = run(capsys, "basket", "edit", path, "1", "--text", "That's how my [...] died.")
    assert code == 0
    code, _, err = run(capsys, "basket", "edit", path, "1", "--text", "That's how he died.")
    assert code == 1 and "not a faithful edit" in err and "died" not in err
    code, _, err = run(
        capsys, "basket", "edit", path, "1", "--text", "Так умер мой брат.", "--force"
    )
    assert code == 0
    code, _, err = run(capsys, "basket", "edit", path, "2", "--move-to", "1", "--note", "keep")
    assert code == 0
    code, out, _ = run(capsys, "basket", "list", path)
    assert code == 0 and "EDITED" in out and "not a faithful edit" in out
    code, _, err = run(capsys, "citation", "set", path, "({participant}, {gender}, {ethnicity})")
    assert code == 1 and "unknown field {ethnicity}" in err
    code, _, err = run(capsys, "citation", "set", path, "({participant}, {gender}, {age_group})")
    assert code == 0
    code, out, _ = run(capsys, "citation", "show", path, "--json")
    shown = json.loads(out)
    assert shown["template"] == "({participant}, {gender}, {age_group})"
    assert shown["example"].startswith("(KZ-P3")
    code, out, _ = run(capsys, "basket", "list", path, "--json")
    listed = json.loads(out)
    assert [i["section"] for i in listed] == ["Police fear", "Loss"]
    assert listed[0]["note"] == "keep" and listed[1]["citation"] == "(KZ-P1, man, 30-39)"
    assert not listed[1]["faithful"]
    out_file = tmp_path / "paper.docx"
    code, _, err = run(capsys, "basket", "export", path, out_file, "--section", "loss")
    assert code == 0 and "wrote 1 quote" in err
    blocks = [
        p.text for p in docx.Document(str(out_file)).paragraphs if p.style.name == "Block Quote"
    ]
    assert blocks == ["Так умер мой брат. (KZ-P1, man, 30-39)"]
    code, _, err = run(capsys, "basket", "export", path, tmp_path / "q.md", "--no-citation")
    assert code == 0 and "(KZ-P" not in (tmp_path / "q.md").read_text("utf-8")
    code, _, err = run(capsys, "basket", "remove", path, "2")
    assert code == 0
    code, _, err = run(capsys, "basket", "remove", path, "2")
    assert code == 1 and "no quote 2" in err
    code, out, _ = run(capsys, "basket", "list", path, "--json")
    assert len(json.loads(out)) == 1
