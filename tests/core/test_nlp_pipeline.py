"""The offline spaCy pipeline: lemmas, sentence and token offsets, stop words, progress, cancel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qualbench.errors import UserError
from qualbench.nlp import pipeline
from qualbench.nlp.pipeline import Analysis, analyse, lemma, load_pipeline
from qualbench.progress import Cancelled, CancelToken

ROOT = Path(__file__).resolve().parents[2]
THREE = "The police arrested him. Arrests were made!  Was anyone arresting them?"


def one(text: str) -> Analysis:
    return next(analyse([text]))


def words(text: str, result: Analysis) -> dict[str, tuple[str, bool]]:
    return {text[s:e]: (lem, stop) for s, e, lem, stop in result.tokens}


@pytest.mark.parametrize("word", ["arrested", "Arrests", "arresting", "arrests", "ARREST"])
def test_every_form_of_arrest_has_the_lemma_arrest(word: str) -> None:
    doc = load_pipeline()(f"They {word} him.")
    assert lemma(doc[1]) == "arrest"
    assert words(f"They {word} him.", one(f"They {word} him."))[word][0] == "arrest"


def test_unknown_words_keep_their_lower_cased_form() -> None:
    assert lemma(load_pipeline()("Qualbenchy")[0]) == "qualbenchy"


def test_the_pipeline_is_cached_per_language() -> None:
    assert load_pipeline("en") is load_pipeline()
    assert load_pipeline("de") is not load_pipeline("en")


def test_three_sentences_with_offsets_that_slice_the_text() -> None:
    result = one(THREE)
    assert [THREE[s:e] for s, e in result.sentences] == [
        "The police arrested him.",
        "Arrests were made!",
        "Was anyone arresting them?",
    ]


def test_offsets_are_code_points_after_emoji_and_combining_marks() -> None:
    # A family emoji (a ZWJ sequence of 5 code points), a flag, an astral letter and a combining acute.
    prefix = "👩‍👩‍👧 🇩🇪 𝒜 Cafe\u0301 opened. "
    text = prefix + THREE
    result = one(text)
    sentences = [text[s:e] for s, e in result.sentences]
    assert sentences[-3:] == [
        "The police arrested him.",
        "Arrests were made!",
        "Was anyone arresting them?",
    ]
    assert result.sentences[-3][0] == len(prefix)
    for s, e, _, _ in result.tokens:
        assert text[s:e] == text[s:e].strip() != ""
    forms = words(text, result)
    assert "Cafe\u0301" in forms
    assert forms["arresting"][0] == "arrest"


def test_whitespace_is_neither_a_token_nor_part_of_a_sentence() -> None:
    text = "  First one.\n\nSecond one.  "
    result = one(text)
    assert [text[s:e] for s, e in result.sentences] == ["First one.", "Second one."]
    assert [text[s:e] for s, e, _, _ in result.tokens] == [
        "First",
        "one",
        ".",
        "Second",
        "one",
        ".",
    ]


def test_stop_words_are_flagged() -> None:
    forms = words(THREE, one(THREE))
    assert forms["The"][1] and forms["him"][1] and forms["were"][1]
    assert not forms["police"][1] and not forms["Arrests"][1]


def test_analyse_yields_one_result_per_text_in_order_across_batches() -> None:
    texts = [f"Text number {i} ends here." for i in range(7)]
    results = list(analyse(iter(texts), batch_size=3))
    assert len(results) == 7
    assert [t[s:e] for t, r in zip(texts, results, strict=True) for s, e in r.sentences] == texts


def test_progress_is_reported_per_batch() -> None:
    calls: list[tuple[int, int, str]] = []
    list(
        analyse(
            ["One.", "Two.", "Three.", "Four.", "Five."],
            batch_size=2,
            progress=lambda *a: calls.append(a),
        )
    )
    assert [(done, total) for done, total, _ in calls] == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert all(status and "One" not in status for _, _, status in calls)


def test_progress_of_an_iterator_without_length() -> None:
    calls: list[tuple[int, int, str]] = []
    list(
        analyse(iter(["One.", "Two.", "Three."]), batch_size=2, progress=lambda *a: calls.append(a))
    )
    assert calls[-1][:2] == (3, 3)


def test_cancel_raises_cancelled_at_the_next_batch() -> None:
    token = CancelToken()
    results = analyse(["One.", "Two.", "Three.", "Four."], batch_size=2, cancel=token.is_set)
    assert next(results).sentences == [(0, 4)]
    token.cancel()
    assert next(results).sentences == [(0, 4)]  # the batch already under way is finished
    with pytest.raises(Cancelled):
        next(results)


@pytest.mark.parametrize("code", ["zz", "klingon", "", "../en", "EN"])
def test_an_unsupported_language_is_a_user_error_naming_it(code: str) -> None:
    with pytest.raises(UserError, match=f"Unsupported language code {code!r}"):
        load_pipeline(code)
    with pytest.raises(UserError, match="Unsupported language"):
        list(analyse(["Hello."], lang=code))


def test_a_bad_batch_size_is_a_user_error() -> None:
    with pytest.raises(UserError, match="Batch size"):
        list(analyse(["Hello."], batch_size=0))


def test_a_language_without_lookup_tables_falls_back_to_lower_cased_words() -> None:
    text = "Hello World. Bye."
    result = next(analyse([text], lang="xx"))
    assert [text[s:e] for s, e in result.sentences] == ["Hello World.", "Bye."]
    assert [lem for _, _, lem, _ in result.tokens][:2] == ["hello", "world"]


def test_an_installed_trained_pipeline_is_used_without_parser_and_ner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import spacy
    import spacy.util

    loaded: list[tuple[str, Any]] = []

    def fake_load(name: str, **kwargs: Any) -> Any:
        loaded.append((name, kwargs))
        return spacy.blank("en")  # stands in for a trained pipeline that has no senter

    monkeypatch.setattr(pipeline, "_pipelines", {})
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "en_core_web_sm")
    monkeypatch.setattr(spacy, "load", fake_load)
    nlp = load_pipeline("en")
    assert loaded == [("en_core_web_sm", {"exclude": ["parser", "ner"]})]
    assert nlp.pipe_names == ["sentencizer"]  # sentence boundaries kept
    assert len(next(analyse([THREE])).sentences) == 3


def test_importing_the_pipeline_does_not_import_spacy() -> None:
    code = "import sys, qualbench.nlp, qualbench.nlp.pipeline; print('spacy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
