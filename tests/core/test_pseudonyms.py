"""Pseudonymisation on export: whole words, any case, longest first, Unicode; speakers' names
become their participant's pseudonym; the list of names is kept in the project and undoable;
the transcripts never change."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from qualbench import undo
from qualbench.db import DOCUMENT, NAME_REPLACEMENT
from qualbench.exports.excerpts import write_excerpts
from qualbench.pseudonyms import (
    PLACEHOLDER,
    NameListError,
    Pseudonymiser,
    is_personal_name,
    list_names,
    name_key,
    project_pseudonymiser,
    pseudonymise,
    remove_name,
    resolve_name,
    set_name,
    speaker_pseudonyms,
)
from qualbench.reports import Filters, excerpts
from qualbench.services.documents import resolve_document
from qualbench.undo import CommandStack


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Marat came.", "[M] came."),
        ("MARAT and marat", "[M] and [M]"),  # any case
        ("Maratovich, Amarat, Marat_2", "Maratovich, Amarat, Marat_2"),  # whole words only
        ("Marat's flat, Marat’s kit", "[M]'s flat, [M]’s kit"),  # possessives
        ("Anna Petrova and Anna", "[AP] and [A]"),  # longest name first
        ("Anna\n  Petrova", "[AP]"),  # any white space inside a name
        ("Ayşe, AYŞE; Жанна и ЖАННА", "[T], [T]; [Z] и [Z]"),  # Unicode letters and case
        ("O'Brien and O’Brien", "[OB] and [OB]"),  # any apostrophe
        ("Émile émile", "[E] [E]"),
        ("", ""),
    ],
)
def test_whole_word_case_insensitive_longest_first(text: str, expected: str) -> None:
    names = {
        "Marat": "[M]",
        "Anna": "[A]",
        "anna petrova": "[AP]",
        "ayşe": "[T]",
        "Жанна": "[Z]",
        "O'Brien": "[OB]",
        "ÉMILE": "[E]",
    }
    assert pseudonymise(text, names) == expected
    assert pseudonymise(text, Pseudonymiser(names)) == expected


def test_placeholder_for_names_without_a_replacement() -> None:
    p = Pseudonymiser({"Marat": ""}, placeholder="[person]")
    assert p("Marat said") == "[person] said"
    assert Pseudonymiser({"Marat": " "})("Marat") == PLACEHOLDER
    assert Pseudonymiser()("Marat") == "Marat"


def test_speakers_become_their_pseudonym_in_their_own_document() -> None:
    p = Pseudonymiser(
        {"Anna": "[listed]", "Olga": "[friend]"},
        speakers={1: {"Anna": "P3", "Dmitri": "P4"}, 2: {"Anna": "P9"}, 3: {"Sasha": ""}},
    )
    assert p("Anna met Dmitri and Olga", document_id=1) == "P3 met P4 and [friend]"
    assert p("Anna met Dmitri", document_id=2) == "P9 met P4"  # Dmitri is P4 everywhere
    assert p("Anna met Dmitri", document_id=7) == "[listed] met P4"
    assert p("Sasha", document_id=3) == PLACEHOLDER
    assert p.listed == 2 and p.speaker_names == 3
    assert "3 speaker name(s)" in p.describe() and "unchanged" in p.describe()


def test_unlisted_speaker_with_two_pseudonyms_is_a_placeholder_elsewhere() -> None:
    p = Pseudonymiser(speakers={1: {"Anna": "P3"}, 2: {"Anna": "P9"}})
    assert p("Anna", document_id=3) == PLACEHOLDER and p("Anna") == PLACEHOLDER


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Anna", True), ("Dr. van Dijk", True), ("Aigerim", True), ("jsmith", True),
        ("P1", False), ("Moderator", False), ("Speaker 2", False), ("Interviewer A", False),
        ("Q", False), ("Int", False), ("RESPONDENT", False), ("FG2", False), ("", False),
    ],
)  # fmt: skip
def test_which_speaker_labels_are_names(label: str, name: bool) -> None:
    assert is_personal_name(label) is name


def test_name_key() -> None:
    assert name_key("  Anna\u00a0 PETROVA ") == "anna petrova"
    assert name_key("O’Brien") == name_key("o'brien")
    assert name_key("E\u0301mile") == name_key("Émile")  # NFC


# --- the project's list ----------------------------------------------------------------------


def _names(project) -> list[tuple]:
    with project.read() as s:
        return sorted(tuple(r) for r in s.execute(select(NAME_REPLACEMENT)).all())


def test_list_of_names_add_change_remove(project) -> None:
    with project.write() as s:
        first, changes = set_name(s, "  Marat ", "KZ-P1")
        assert changes.names == {first}
        same, _ = set_name(s, "MARAT", "[a friend]")  # the same name: changes it
        assert same == first
        set_name(s, "Anna Petrova")
        rows = list_names(s)
        assert [(r.name, r.replacement) for r in rows] == [
            ("Anna Petrova", ""),
            ("MARAT", "[a friend]"),
        ]
        assert resolve_name(s, "anna  petrova") == rows[0].id
        remove_name(s, rows[0].id)
        assert [r.name for r in list_names(s)] == ["MARAT"]
    for bad, message in (("  ", "letter or digit"), ("x" * 201, "at most 200")):
        with pytest.raises(NameListError, match=message), project.write() as s:
            set_name(s, bad)
    with pytest.raises(NameListError, match="the name itself"), project.write() as s:
        set_name(s, "Olga", "olga")
    with pytest.raises(NameListError, match="not in the list") as info, project.write() as s:
        resolve_name(s, "Zhanna")
    assert "Zhanna" not in str(info.value)  # names are sensitive: never in messages


def test_name_actions_are_undoable(project) -> None:
    stack = CommandStack(project)
    states = [_names(project)]
    stack.run(undo.set_name("Marat", "KZ-P1"))
    states.append(_names(project))
    stack.run(undo.set_name("marat", "[friend]"))
    states.append(_names(project))
    with project.read() as s:
        marat = resolve_name(s, "Marat")
    stack.run(undo.remove_name(marat))
    states.append(_names(project))
    assert stack.undo_label == "Remove name to replace"
    for expected in reversed(states[:-1]):
        stack.undo()
        assert _names(project) == expected
    for expected in states[1:]:
        stack.redo()
        assert _names(project) == expected


# --- on the sample -------------------------------------------------------------------------------


def _texts(project) -> dict[str, str]:
    with project.read() as s:
        return dict(s.execute(select(DOCUMENT.c.name, DOCUMENT.c.text)).all())


def test_sample_speakers_and_their_pseudonyms(sample) -> None:
    with sample.read() as s:
        speakers = speaker_pseudonyms(s)
        maria_doc = resolve_document(s, "interview_release_02")
        dmitri_doc = resolve_document(s, "interview_peer_distributor")
    assert speakers[maria_doc] == {"Maria": "PT-R1"}
    assert speakers[dmitri_doc] == {"Dmitri": "TJ-R1"}
    assert sum(len(v) for v in speakers.values()) == 2  # P1, Moderator ... are no names


def _export(sample, path: Path, *, names: bool, **kw):
    with sample.read() as s:
        doc = resolve_document(s, "interview_release_02")
        items = excerpts(s, filters=Filters(document_ids=(doc,)))
        p = project_pseudonymiser(s, **kw) if names else None
    return items, write_excerpts(items, path, project="S", pseudonymiser=p)


@pytest.mark.parametrize("suffix", [".csv", ".docx", ".html", ".md", ".xlsx"])
def test_every_excerpt_format_is_pseudonymised(sample, tmp_path: Path, suffix: str) -> None:
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import apply_code, find_quote, get_or_create_coder
    from qualbench.services.documents import document_text

    line = "Thank you, Maria, for agreeing to talk with me. Just to confirm, you left prison"
    with sample.write() as s:
        doc = resolve_document(s, "interview_release_02")
        start, end = find_quote(document_text(s, doc), line)
        apply_code(
            s, document_id=doc, start=start, end=end, code_id=resolve_code(s, "Gratitude"),
            coder_id=get_or_create_coder(s, "ana")[0],
        )  # fmt: skip
        set_name(s, "confirm", "[check]")  # any word can be listed
    before = _texts(sample)
    _, out = _export(sample, tmp_path / f"p{suffix}", names=True)
    body = _read(out)
    assert "Maria" not in body and "confirm" not in body
    assert "Thank you, PT-R1, for agreeing to talk with me. Just to [check], you" in body
    if suffix != ".csv":  # a CSV has no room for it: the command's message says so
        assert "Pseudonymised:" in body
    assert _texts(sample) == before  # the project's text never changes
    _, plain = _export(sample, tmp_path / f"plain{suffix}", names=False)
    assert "Thank you, Maria, for agreeing" in _read(plain)
    if suffix != ".csv":
        assert "Not pseudonymised" in _read(plain)


def _read(path: Path) -> str:
    if path.suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path)
        return "\n".join(
            str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
        )
    return path.read_text(encoding="utf-8-sig")


def test_speaker_and_participant_columns_are_pseudonyms(sample, tmp_path: Path) -> None:
    with sample.write() as s:  # a participant still named after the speaker label
        from qualbench.db import CASES
        from qualbench.services.cases import rename_case

        maria = s.execute(select(CASES.c.id).where(CASES.c.name == "PT-R1")).scalar_one()
        rename_case(s, maria, "interview_release_02: Maria")
    items, out = _export(sample, tmp_path / "p.csv", names=True, placeholder="[P]")
    with out.open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if items[0].speaker in ("Maria", "Interviewer")]
    maria_rows = [r for r, e in zip(rows, items, strict=False) if e.speaker == "Maria"]
    assert maria_rows and all(r["speaker"] == "[P]" for r in maria_rows)
    assert all(r["participant"] == "interview_release_02: [P]" for r in maria_rows)
    assert all("Maria" not in " ".join(r.values()) for r in rows)


def test_cli_names_and_pseudonymised_excerpts(sample, tmp_path: Path, capsys) -> None:
    from qualbench.cli import main

    path = sample.path
    sample.close()

    def run(*args: object) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("names", "add", path, "Maria", "--as", "[a nurse]")[0] == 0
    assert run("names", "add", path, "Lisbon")[0] == 0
    code, out, _ = run("names", "list", path, "--json")
    assert [(n["name"], n["replacement"]) for n in json.loads(out)] == [
        ("Lisbon", ""),
        ("Maria", "[a nurse]"),
    ]
    code, out, _ = run("names", "list", path)
    assert "[name]" in out and "[a nurse]" in out
    code, _, err = run("names", "remove", path, "lisbon")
    assert code == 0
    code, _, err = run("names", "remove", path, "Lisbon")
    assert code == 1 and "not in the list" in err
    out_file = tmp_path / "x.html"
    code, _, err = run(
        "excerpts", path, out_file, "--document", "interview_release_02", "--pseudonymise",
        "--citation", "({participant}, {gender})",
    )  # fmt: skip
    assert code == 0 and "names pseudonymised" in err
    page = out_file.read_text("utf-8")
    assert "Maria" not in page and "(PT-R1, woman)" in page
    code, _, err = run("excerpts", path, tmp_path / "y.csv", "--document", "interview_release_02")
    assert code == 0 and "Maria" in (tmp_path / "y.csv").read_text("utf-8-sig")
