"""Issue 7 on the command line: analyse, search, words, autocode, suggestions, on the sample."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from qualbench.cli import explore, main
from qualbench.db import CODING, SUGGESTION
from qualbench.store import open_project


def run(capsys, *args: object) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sample_path(_sample_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QUALBENCH_CODER", "Ana")
    path = tmp_path / "sample.qualbench"
    shutil.copy(_sample_template, path)
    return path


def test_the_choices_match_the_core() -> None:
    from qualbench.model import SUGGESTION_STATUSES
    from qualbench.nlp import search, units

    assert explore.MODES == search.MODES and explore.UNITS == units.UNITS
    assert explore.SORTS == search.SORTS and explore.STATUSES == SUGGESTION_STATUSES


def test_search_for_arrest_finds_arrested_after_analysing_once(sample_path: Path, capsys) -> None:
    code, out, err = run(capsys, "search", sample_path, "arrest")
    assert code == 0 and "analysing 6 documents first" in err
    assert "[arrested]" in out and "3 hits for 'arrest'" in out
    code, out, err = run(capsys, "search", sample_path, "Arrests", "--json")
    hits = json.loads(out)["hits"]
    assert code == 0 and "analysing" not in err
    assert {h["match"] for h in hits} == {"arrest", "arrested"}


def test_search_exports_and_restricts(sample_path: Path, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "kwic.csv"
    code, _, err = run(
        capsys, "search", sample_path, "naloxone", "--mode", "word", "--speaker", "Moderator",
        "--sort", "right", "--out", out_file,
    )  # fmt: skip
    assert code == 0 and "contains transcript text" in err
    with out_file.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["speaker"] for r in rows} == {"Moderator"}
    assert [r["right"].casefold() for r in rows] == sorted(r["right"].casefold() for r in rows)


def test_bad_search_input_is_one_clear_line(sample_path: Path, capsys) -> None:
    code, _, err = run(capsys, "search", sample_path, "(x", "--mode", "regex")
    assert code == 1 and "regular expression '(x' is not valid" in err and "Traceback" not in err


def test_words_by_document_kind(sample_path: Path, capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "words", sample_path, "--by", "kind", "--limit", "10", "--json")
    data = json.loads(out)
    assert code == 0 and set(data["columns"]) == {"interview", "focus group"}
    lemmas = [r["lemma"] for r in data["rows"]]
    assert "naloxone" in lemmas  # the subject of the study is among the ten most frequent
    assert not {"the", "and", "i"} & set(lemmas)  # stop words
    assert not {"interviewer", "moderator"} & set(lemmas)  # speaker labels are not speech


def test_keyword_autocode_then_review(sample_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "autocode", "keywords", sample_path, "--code", "Police fear")
    assert code == 0 and "new suggestion" in out
    with open_project(sample_path, readonly=True) as p, p.read() as s:
        n = len(s.execute(select(SUGGESTION.c.id)).all())
    assert n > 5
    code, out, _ = run(capsys, "info", sample_path, "--json")
    assert (
        json.loads(out)["analysed_documents"] == 6 and json.loads(out)["pending_suggestions"] == n
    )
    code, out, _ = run(capsys, "suggestions", "list", sample_path, "--json")
    rows = json.loads(out)
    assert len(rows) == n and {r["code"] for r in rows} == {"Police fear"}
    first, second = rows[0]["id"], rows[1]["id"]
    assert run(capsys, "suggestions", "accept", sample_path, first)[0] == 0
    assert run(capsys, "suggestions", "reject", sample_path, second)[0] == 0
    code, out, _ = run(capsys, "autocode", "keywords", sample_path, "--code", "Police fear")
    assert "0 new suggestions" in out and "1 rejected before" in out
    code, out, _ = run(
        capsys, "suggestions", "accept", sample_path, "--all", "--code", "Police fear"
    )
    assert code == 0 and f"accepted {n - 2} suggestions" in out
    with open_project(sample_path, readonly=True) as p, p.read() as s:
        auto = s.execute(select(CODING.c.id).where(CODING.c.origin == "auto")).all()
    assert len(auto) == n - 1


def test_speaker_autocode_and_dry_run(sample_path: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "autocode", "speaker", sample_path, "--code", "Gratitude", "--speaker",
        "Moderator", "--dry-run",
    )  # fmt: skip
    assert code == 0 and "would propose" in out
    with open_project(sample_path, readonly=True) as p, p.read() as s:
        assert s.execute(select(SUGGESTION.c.id)).first() is None


def test_search_code_hits_writes_auto_codings(sample_path: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "search", sample_path, "pharmacy", "--mode", "word", "--code-hits",
        "Naloxone carrying and use > Access to naloxone", "--unit", "sentence",
    )  # fmt: skip
    assert code == 0 and "origin auto" in out
    with open_project(sample_path, readonly=True) as p, p.read() as s:
        texts = s.execute(
            select(CODING.c.start, CODING.c.end).where(CODING.c.origin == "auto")
        ).all()
    assert texts and all(z - a > len("pharmacy") for a, z in texts)


def test_autocode_code_names_the_code_not_the_text_to_search(sample_path: Path, capsys) -> None:
    """--code of a rule is what to suggest (or whose keywords), never a restriction to coded
    text: a regex rule for a code nobody has used yet still finds its passages."""
    code, out, err = run(
        capsys, "autocode", "regex", sample_path, r"\bpharmac\w*", "--code", "Coping strategies",
        "--unit", "sentence",
    )  # fmt: skip
    assert code == 0 and "new suggestion" in out and "0 new" not in out, err
    with open_project(sample_path, readonly=True) as p, p.read() as s:
        coded = s.execute(select(CODING.c.id).where(CODING.c.code_id == 1)).first()
        suggested = s.execute(select(SUGGESTION.c.start, SUGGESTION.c.end)).all()
    assert suggested and coded is not None
