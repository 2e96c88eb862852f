"""Issue 7: the stored analysis, search in every mode, KWIC, units, word frequencies, exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from importers import Transcript
from importers.speakers import find_turns
from qualbench.db import TEXT_ANALYSIS
from qualbench.errors import UserError
from qualbench.exports.kwic import write_frequencies, write_kwic
from qualbench.nlp.cache import analyse_project, drop_analysis, load_tokens, unanalysed
from qualbench.nlp.frequencies import word_frequencies
from qualbench.nlp.scope import Scope
from qualbench.nlp.search import Query, search, sort_hits
from qualbench.nlp.units import expand
from qualbench.progress import CancelToken
from qualbench.reports.filters import AttributeValue, Filters
from qualbench.services.attribute_tables import apply_attribute_table
from qualbench.services.coding import apply_code
from qualbench.services.documents import add_transcript
from qualbench.store import Project, open_project
from tests.core.helpers import make_world, span

TALK = (
    "Focus group 3, peer workers\n"
    "\n"
    "MODERATOR: Tell me about the police. What happened after the arrests?\n"
    "\n"
    "P1: I was arrested twice. Arrests happen every week near the pharmacy.\n"
    "After that I stopped carrying naloxone.\n"
    "\n"
    "P2: Nobody arrested me. The polise just took the kit. I keep naloxone at home now.\n"
)


@pytest.fixture
def talk(project: Project) -> Project:
    with project.write() as s:
        add_transcript(s, Transcript(text=TALK, turns=find_turns(TALK), source_name="fg3.txt"))
    make_world(project)
    return project


def texts(result_hits: list, text: str = TALK) -> list[str]:
    return [text[h.start : h.end] for h in result_hits]


def test_lemma_search_finds_every_form_of_arrest(talk: Project) -> None:
    run = analyse_project(talk)
    assert run.analysed == 2 and run.words > 50 and not run.cancelled
    with talk.read() as s:
        result = search(s, Query("arrest"))
    assert texts([h for h in result.hits if h.document == "fg3"]) == [
        "arrests", "arrested", "Arrests", "arrested",
    ]  # fmt: skip
    first = result.hits[0]
    assert first.left.endswith("What happened after the ") and first.right.startswith("?")
    assert first.speaker == "MODERATOR" and first.match == "arrests"


def test_the_analysis_is_computed_once_and_redone_for_another_pipeline(talk: Project) -> None:
    assert analyse_project(talk).analysed == 2
    again = analyse_project(talk)
    assert again.analysed == 0 and again.up_to_date == 2
    with talk.write() as s:
        s.execute(update(TEXT_ANALYSIS).values(pipeline="an older pipeline"))
    assert analyse_project(talk).analysed == 2
    assert analyse_project(talk, force=True).analysed == 2


def test_stored_tokens_slice_the_text_and_flag_stop_words(talk: Project) -> None:
    analyse_project(talk)
    with talk.read() as s:
        from qualbench.services.documents import resolve_document

        doc = load_tokens(s)[resolve_document(s, "fg3")]
        lemmas = doc.lemma_list
    spans = doc.spans.tolist()
    words = [TALK[a:z] for a, z in spans]
    assert words[:4] == ["Focus", "group", "3", ","]
    i = words.index("Arrests")
    assert lemmas[i] == "arrest" and doc.stops[words.index("the")] == 1 and doc.stops[i] == 0
    sentences = [TALK[a:z] for a, z in doc.sentences.tolist()]
    assert {"What happened after the arrests?", "After that I stopped carrying naloxone."} <= set(
        sentences
    )


def test_a_cancelled_analysis_keeps_what_it_finished(talk: Project) -> None:
    token = CancelToken()
    token.cancel()
    run = analyse_project(talk, cancel=token.is_set)
    assert run.cancelled and run.analysed == 0
    with talk.read() as s:
        assert len(unanalysed(s)) == 2


def test_a_lemma_search_lists_documents_not_analysed(talk: Project) -> None:
    with talk.read() as s:
        result = search(s, Query("arrest"))
    assert result.hits == [] and sorted(result.not_analysed) == ["fg3", "interview07"]


def test_exact_word_regex_and_case(talk: Project) -> None:
    with talk.read() as s:
        exact = search(s, Query("arrest", mode="exact"))
        word = search(s, Query("arrested", mode="word"))
        cased = search(s, Query("Arrests", mode="exact", case_sensitive=True))
        regex = search(s, Query(r"arrest(?:ed|s)\b", mode="regex"))
        phrase = search(s, Query("carrying   naloxone", mode="exact"))
    assert texts(exact.hits) == ["arrest", "arrest", "Arrest", "arrest"]
    assert texts(word.hits) == ["arrested", "arrested"]
    assert texts(cased.hits) == ["Arrests"]
    assert texts(regex.hits) == ["arrests", "arrested", "Arrests", "arrested"]
    assert texts(phrase.hits) == ["carrying naloxone"]


def test_a_bad_pattern_is_a_clear_error(talk: Project) -> None:
    with talk.read() as s, pytest.raises(UserError, match=r"regular expression '\(unclosed'"):
        search(s, Query("(unclosed", mode="regex"))
    with talk.read() as s, pytest.raises(UserError, match="search text is empty"):
        search(s, Query("  "))


def test_fuzzy_finds_a_misspelling_with_its_score(talk: Project) -> None:
    with talk.read() as s:
        result = search(s, Query("police", mode="fuzzy", min_score=80))
        strict = search(s, Query("police", mode="fuzzy", min_score=100))
    found = {TALK[h.start : h.end] for h in result.hits if h.document == "fg3"}
    assert found == {"police", "polise"}
    assert {h.score for h in result.hits if h.match == "polise"} == {83.3}
    assert {h.match for h in strict.hits} == {"police"}


def test_scope_by_speaker_document_kind_and_attribute(talk: Project) -> None:
    with talk.write() as s:
        apply_attribute_table(s, _table(talk, "document,country\nfg3,Ukraine\ninterview07,Kenya\n"))
    with talk.read() as s:
        p1 = search(s, Query("naloxone", mode="word"), Scope(speakers=["p1"]))
        ukraine = search(
            s,
            Query("naloxone", mode="word"),
            Scope(Filters(attributes=[AttributeValue.parse("country=Ukraine")])),
        )
        with pytest.raises(UserError, match="no speaker or participant 'P9'"):
            search(s, Query("naloxone", mode="word"), Scope(speakers=["P9"]))
    assert [h.speaker for h in p1.hits] == ["P1"]
    assert {h.document for h in ukraine.hits} == {"fg3"} and len(ukraine.hits) == 2
    assert ukraine.conditions == ["document country = Ukraine"]


def _table(project: Project, content: str) -> Path:
    path = Path(str(project.path)).with_name("attributes.csv")
    path.write_text(content, encoding="utf-8")
    return path


def test_scope_inside_coded_text(talk: Project) -> None:
    from qualbench.services.codes import resolve_code
    from qualbench.services.coding import resolve_coder
    from qualbench.services.documents import resolve_document

    with talk.write() as s:
        police = resolve_code(s, "Police fear")
        a, b = span(TALK, "I was arrested twice.")
        apply_code(
            s,
            document_id=resolve_document(s, "fg3"),
            start=a,
            end=b,
            code_id=police,
            coder_id=resolve_coder(s, "ana"),
        )
    with talk.read() as s:
        coded = search(s, Query("arrest", mode="exact"), Scope(Filters(code_ids=[police])))
        by_other = search(
            s, Query("arrest", mode="exact"), Scope(Filters(code_ids=[police], coders=["ben"]))
        )
    assert texts(coded.hits) == ["arrest"] and coded.hits[0].start == TALK.index("arrested twice")
    assert by_other.hits == []


def test_hits_expand_to_word_sentence_paragraph_and_turn(talk: Project) -> None:
    analyse_project(talk)
    with talk.read() as s:
        (hit,) = [
            h
            for h in search(s, Query("arrest", mode="exact")).hits
            if h.start == TALK.index("arrested twice")
        ]
        got = {u: expand(s, [hit], u)[0] for u in ("hit", "word", "sentence", "paragraph", "turn")}
    shown = {u: TALK[a:z] for u, (_, a, z) in got.items()}
    assert shown["hit"] == "arrest"
    assert shown["word"] == "arrested"
    assert shown["sentence"] == "I was arrested twice."
    assert (
        shown["paragraph"] == "I was arrested twice. Arrests happen every week near the pharmacy."
    )
    assert shown["turn"] == (
        "I was arrested twice. Arrests happen every week near the pharmacy.\n"
        "After that I stopped carrying naloxone."
    )


def test_sorting_by_left_context_uses_the_nearest_word_first(talk: Project) -> None:
    with talk.read() as s:
        hits = search(s, Query("naloxone", mode="word")).hits
    left = sort_hits(hits, "left")
    assert [h.left.split()[-1] for h in left] == sorted(h.left.split()[-1].casefold() for h in hits)
    assert sort_hits(hits, "document") == hits
    with pytest.raises(UserError):
        sort_hits(hits, "colour")


def test_kwic_exports_open_back(talk: Project, tmp_path: Path) -> None:
    with talk.read() as s:
        result = search(s, Query("naloxone", mode="word"))
    write_kwic(result, tmp_path / "hits.csv", project="Test study")
    write_kwic(result, tmp_path / "hits.xlsx", project="Test study")
    with (tmp_path / "hits.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["document", "speaker", "participant", "start", "end", "left", "hit", "right"]
    assert len(rows) == 1 + len(result.hits) and {r[6] for r in rows[1:]} == {"naloxone"}
    wb = load_workbook(tmp_path / "hits.xlsx")
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert "contains transcript text" in about["Contents"]
    assert [c.value for c in wb["Hits"][2]][6] == "naloxone"


def test_word_frequencies_by_lemma_without_stop_words(talk: Project, tmp_path: Path) -> None:
    analyse_project(talk)
    with talk.read() as s:
        table = word_frequencies(s, by="document")
        with_stops = word_frequencies(s, stop_words=True)
        p2 = word_frequencies(s, Scope(speakers=["P2"]))
    rows = {r.lemma: r for r in table.rows}
    assert rows["arrest"].total == 4 and rows["arrest"].by == {"fg3": 4}
    assert set(rows["arrest"].forms) == {"arrests", "arrested"}
    assert "the" not in rows and "," not in rows and "3" not in rows
    assert {r.lemma for r in with_stops.rows} >= {"the", "i"}
    assert {r.lemma: r.total for r in p2.rows}["naloxone"] == 1
    assert "pharmacy" not in {r.lemma for r in p2.rows}
    write_frequencies(table, tmp_path / "words.xlsx", project="Test study")
    wb = load_workbook(tmp_path / "words.xlsx")
    header = [c.value for c in wb["Words"][1]]
    assert header[:3] == ["lemma", "count", "documents"] and "fg3" in header


def test_dropping_the_analysis_forgets_it(talk: Project) -> None:
    analyse_project(talk)
    assert drop_analysis(talk) == 2
    with talk.read() as s:
        assert len(unanalysed(s)) == 2


def test_the_analysis_survives_closing_the_project(talk: Project) -> None:
    analyse_project(talk)
    path = talk.path
    talk.close()
    with open_project(path) as again, again.read() as s:
        assert unanalysed(s) == []
        assert texts(search(s, Query("Arrests")).hits) == [
            "arrests",
            "arrested",
            "Arrests",
            "arrested",
        ]


def test_a_kept_corpus_sees_new_documents_and_new_analyses(talk: Project) -> None:
    from qualbench.nlp.scope import Corpus

    corpus = Corpus()
    analyse_project(talk)
    with talk.read() as s:
        before = search(s, Query("arrest"), corpus=corpus)
    more = "P1: They arrest people at the pharmacy.\n"
    with talk.write() as s:
        add_transcript(s, Transcript(text=more, turns=find_turns(more), source_name="late.txt"))
    with talk.read() as s:
        unanalysed_yet = search(s, Query("arrest"), corpus=corpus)
    analyse_project(talk)
    with talk.read() as s:
        after = search(s, Query("arrest"), corpus=corpus)
        fresh = search(s, Query("arrest"))
    assert unanalysed_yet.not_analysed == ["late"] and len(unanalysed_yet.hits) == len(before.hits)
    assert [h.document for h in after.hits].count("late") == 1
    assert after.hits == fresh.hits and after.hits[-1].speaker == "P1"


def test_speaker_labels_are_not_searched(talk: Project) -> None:
    with talk.read() as s:
        result = search(s, Query("P1", mode="word"))
        moderator = search(s, Query("moderator", mode="word"))
    assert result.hits == [] and moderator.hits == []


def test_fillers_go_with_the_stop_words(project: Project) -> None:
    text = "P1: Um, yeah, okay, the naloxone, uh, the naloxone works.\n"
    with project.write() as s:
        add_transcript(s, Transcript(text=text, turns=find_turns(text), source_name="f.txt"))
    analyse_project(project)
    with project.read() as s:
        plain = {r.lemma for r in word_frequencies(s).rows}
        everything = {r.lemma for r in word_frequencies(s, stop_words=True).rows}
    assert plain == {"naloxone", "work"}
    assert {"um", "yes", "okay", "uh"} <= everything  # (the lookup lemma of "yeah" is "yes")


def test_speaker_names_are_labels_and_participants_once_each(talk: Project) -> None:
    from qualbench.nlp.scope import speaker_names

    with talk.read() as s:
        names = speaker_names(s)
    assert {"MODERATOR", "P1", "P2", "INTERVIEWER", "RESPONDENT"} <= set(names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names == sorted(names, key=str.casefold)
