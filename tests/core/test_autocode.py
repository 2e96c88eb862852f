"""Issue 7: auto-coding rules, suggestions, their review, undo, and how agreement and reports
count auto-coding."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from importers import Transcript
from importers.speakers import find_turns
from qualbench.agreement.compute import AgreementOptions, select_codings
from qualbench.db import CODING, SUGGESTION
from qualbench.errors import UserError
from qualbench.nlp.autocode import KeywordRule, RegexRule, SpeakerRule, find_candidates
from qualbench.nlp.cache import analyse_project
from qualbench.reports.filters import Filters
from qualbench.services.codes import resolve_code, update_code
from qualbench.services.coding import apply_code, get_or_create_coder
from qualbench.services.documents import add_transcript, resolve_document
from qualbench.store import Project
from qualbench.suggestions import list_suggestions, pending_ids, review, status_counts
from qualbench.undo import CommandStack, review_suggestions, suggest

TALK = (
    "Focus group 3 about police and arrests\n"
    "\n"
    "MODERATOR: Tell me about the police.\n"
    "\n"
    "P1: I was arrested twice. The Police Raids scared everyone.\n"
    "After that I kept my naloxone kit at home.\n"
    "\n"
    "P2: My brother died last year. I think about him every day.\n"
)


@pytest.fixture
def fg(project: Project) -> Project:
    with project.write() as s:
        add_transcript(s, Transcript(text=TALK, turns=find_turns(TALK), source_name="fg3.txt"))
        from qualbench.services.codes import create_code

        _police, _ = create_code(s, name="Police fear", keywords=["arrest", "police raid"])
        create_code(s, name="Bereavement", keywords=["brother died", "griev*"])
        create_code(s, name="Moderation")
        create_code(s, name="No keywords")
        get_or_create_coder(s, "ana")
    analyse_project(project)
    return project


def ids(s, *names: str) -> list[int]:  # type: ignore[no-untyped-def]
    return [resolve_code(s, n) for n in names]


def shown(project: Project, status: str = "pending") -> list[tuple[str, str]]:
    with project.read() as s:
        coder = get_or_create_coder(s, "ana")[0]
        return [(r.code, r.text) for r in list_suggestions(s, coder, statuses=(status,))]


def run_rules(project: Project, rules: list, coder: str = "ana") -> tuple[CommandStack, object]:  # type: ignore[type-arg]
    with project.write() as s:
        coder_id = get_or_create_coder(s, coder)[0]
    with project.read() as s:
        found = find_candidates(s, rules)
    stack = CommandStack(project)
    command = suggest(found.candidates, coder_id=coder_id)
    stack.run(command)
    return stack, command.result["run"]


def test_codebook_keywords_match_lemmas_and_phrases_as_sentences(fg: Project) -> None:
    _stack, run = run_rules(fg, [KeywordRule()])
    assert shown(fg) == [  # 'police' alone is no keyword: the moderator's question is not here
        ("Police fear", "I was arrested twice."),
        ("Police fear", "The Police Raids scared everyone."),
        ("Bereavement", "My brother died last year."),
    ]
    assert run.new == 3 and run.new_by_code == {"Police fear": 2, "Bereavement": 1}
    with fg.read() as s:
        rules = {r.rule for r in list_suggestions(s, 1)}
    assert 'keyword "police raid" → sentence' in rules


def test_the_heading_outside_every_turn_is_not_suggested(fg: Project) -> None:
    run_rules(fg, [KeywordRule()])
    assert all("Focus group" not in text for _, text in shown(fg))


def test_keyword_prefixes_and_other_units(fg: Project) -> None:
    with fg.write() as s:
        update_code(s, resolve_code(s, "Bereavement"), keywords=["die*"])
    run_rules(fg, [KeywordRule(code_ids=tuple(_ids(fg, "Bereavement")), unit="turn")])
    assert shown(fg) == [
        ("Bereavement", "My brother died last year. I think about him every day."),
    ]


def _ids(project: Project, *names: str) -> list[int]:
    with project.read() as s:
        return ids(s, *names)


def test_speaker_rule_takes_every_turn_without_its_label(fg: Project) -> None:
    (moderation,) = _ids(fg, "Moderation")
    run_rules(fg, [SpeakerRule(moderation, speakers=("moderator",))])
    assert shown(fg) == [("Moderation", "Tell me about the police.")]
    with fg.read() as s, pytest.raises(UserError, match="no speaker or participant 'P7'"):
        find_candidates(s, [SpeakerRule(moderation, speakers=("P7",))])


def test_regex_rule_expands_to_the_paragraph(fg: Project) -> None:
    (police,) = _ids(fg, "Police fear")
    run_rules(fg, [RegexRule(r"\bkit\b", police, unit="paragraph")])
    assert shown(fg) == [("Police fear", "After that I kept my naloxone kit at home.")]


def test_accept_reject_and_rerun_remembers_rejections(fg: Project) -> None:
    run_rules(fg, [KeywordRule()])
    with fg.read() as s:
        rows = list_suggestions(s, 1)
    arrested, raids, brother = rows
    stack = CommandStack(fg)
    stack.run(review_suggestions([arrested.id], "accept"))
    stack.run(review_suggestions([raids.id], "reject"))
    with fg.read() as s:
        codings = s.execute(select(CODING.c.start, CODING.c.end, CODING.c.origin)).all()
        counts = status_counts(s, 1)
    assert codings == [(arrested.start, arrested.end, "auto")]
    assert counts[(arrested.code_id, "accepted")] == 1 and counts[(raids.code_id, "rejected")] == 1
    _, again = run_rules(fg, [KeywordRule()])
    assert (again.new, again.rejected_before, again.accepted_before, again.pending_before) == (
        0, 1, 1, 1,
    )  # fmt: skip
    assert shown(fg) == [("Bereavement", brother.text)]


def test_review_is_undone_and_redone_exactly(fg: Project) -> None:
    run_rules(fg, [KeywordRule()])
    with fg.read() as s:
        police = pending_ids(s, 1, _ids(fg, "Police fear"))
    stack = CommandStack(fg)
    stack.run(review_suggestions(police, "accept"))
    with fg.read() as s:
        assert s.execute(select(func.count()).select_from(CODING)).scalar() == 2
    stack.undo()
    with fg.read() as s:
        assert s.execute(select(func.count()).select_from(CODING)).scalar() == 0
        assert len(pending_ids(s, 1)) == 3
    stack.redo()
    with fg.read() as s:
        assert s.execute(select(func.count()).select_from(CODING)).scalar() == 2


def test_undoing_a_run_removes_only_its_suggestions(fg: Project) -> None:
    (moderation,) = _ids(fg, "Moderation")
    run_rules(fg, [KeywordRule()])
    stack, run = run_rules(fg, [SpeakerRule(moderation, speakers=("MODERATOR",))])
    assert run.new == 1
    stack.undo()
    assert len(shown(fg)) == 3 and ("Moderation", "Tell me about the police.") not in shown(fg)


def test_rejecting_an_accepted_suggestion_removes_its_coding_but_not_a_manual_one(
    fg: Project,
) -> None:
    run_rules(fg, [KeywordRule()])
    with fg.read() as s:
        arrested, raids, _ = list_suggestions(s, 1)
    with fg.write() as s:  # the coder had already coded the raids sentence by hand
        apply_code(
            s, document_id=raids.document_id, start=raids.start, end=raids.end,
            code_id=raids.code_id, coder_id=1,
        )  # fmt: skip
    with fg.write() as s:
        review(s, [arrested.id, raids.id], "accept")
    with fg.write() as s:
        review(s, [arrested.id, raids.id], "reject")
    with fg.read() as s:
        left = s.execute(select(CODING.c.start, CODING.c.origin)).all()
    assert left == [(raids.start, "manual")]


def test_agreement_leaves_auto_codings_out_unless_asked_and_filters_can_pick_them(
    fg: Project,
) -> None:
    run_rules(fg, [KeywordRule()])
    run_rules(fg, [KeywordRule()], coder="ben")
    with fg.write() as s:
        review(s, list(s.execute(select(SUGGESTION.c.id)).scalars()), "accept")
    with fg.read() as s:
        default = select_codings(s, AgreementOptions(coders=("ana", "ben")))
        counted = select_codings(
            s, AgreementOptions(coders=("ana", "ben"), origins=("manual", "imported", "auto"))
        )
        auto_only = s.execute(
            select(func.count()).select_from(CODING).where(Filters(origins=["auto"]).where(s))
        ).scalar()
    assert default.documents == [] and len(counted.documents) == 1
    assert auto_only == 6


def test_a_keyword_rule_needs_keywords(fg: Project) -> None:
    with fg.read() as s, pytest.raises(UserError, match="none of the chosen codes has keywords"):
        find_candidates(s, [KeywordRule(code_ids=tuple(ids(s, "No keywords")))])
    with fg.read() as s, pytest.raises(UserError, match="unit must be one of"):
        find_candidates(s, [KeywordRule(unit="chapter")])


def test_documents_not_analysed_are_named_not_searched(fg: Project) -> None:
    with fg.write() as s:
        add_transcript(s, Transcript(text="P1: arrested again.\n", source_name="late.txt"))
        late = resolve_document(s, "late")
    with fg.read() as s:
        found = find_candidates(s, [KeywordRule()])
    assert found.not_analysed == ["late"] and all(c.document_id != late for c in found.candidates)


# --- schema 4 -------------------------------------------------------------------------------------


def test_schema3_project_upgrades_to_4_with_a_backup(project: Project, project_path) -> None:  # type: ignore[no-untyped-def]
    """A schema-3 project (a new one without the schema-4 tables) gains them, keeps its rows,
    and is backed up first; the new tables match a new project's exactly."""
    import sqlite3

    from qualbench.store import open_project
    from tests.core.helpers import make_world
    from tests.core.test_quotes_schema import _dump, _shape

    make_world(project)
    expected = _shape(project.engine)
    project.close()
    con = sqlite3.connect(project_path)
    for table in ("text_analysis", "suggestion"):
        con.execute(f'DROP TABLE "{table}"')
    con.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    con.commit()
    con.close()
    before = _dump(project_path)
    with open_project(project_path) as p:
        assert _shape(p.engine) == expected
        analyse_project(p)
        with p.read() as s:
            assert find_candidates(s, [SpeakerRule(1, speakers=("RESPONDENT",))]).candidates
    after = _dump(project_path)
    assert all(after[t] == rows for t, rows in before.items() if t != "meta")
    (backup,) = project_path.parent.glob(f"{project_path.name}.schema3-*.bak")
    assert _dump(backup) == before


@pytest.mark.postgres
def test_the_same_analysis_search_and_review_on_postgres(pg_project_url: str) -> None:
    from qualbench.nlp.search import Query, search
    from qualbench.store import create_project

    with create_project(pg_project_url, name="Team study") as p:
        with p.write() as s:
            add_transcript(s, Transcript(text=TALK, turns=find_turns(TALK), source_name="fg3.txt"))
            from qualbench.services.codes import create_code

            create_code(s, name="Police fear", keywords=["arrest", "police raid"])
            get_or_create_coder(s, "ana")
        assert analyse_project(p).analysed == 1
        with p.read() as s:
            hits = search(s, Query("Arrests")).hits
        assert [TALK[h.start : h.end] for h in hits] == ["arrests", "arrested"]  # heading too
        _, run = run_rules(p, [KeywordRule()])
        assert run.new == 2
        with p.read() as s:
            waiting = pending_ids(s, 1)
        CommandStack(p).run(review_suggestions(waiting, "accept"))
        with p.read() as s:
            assert s.execute(select(func.count()).select_from(CODING)).scalar() == 2


def test_rules_can_leave_out_what_some_speakers_say(fg: Project) -> None:
    from qualbench.nlp.scope import Scope

    (police,) = _ids(fg, "Police fear")
    with fg.read() as s:
        everyone = find_candidates(s, [RegexRule(r"\bpolice\b", police)])
        not_moderator = find_candidates(
            s, [RegexRule(r"\bpolice\b", police)], Scope(not_speakers=("moderator",))
        )
        with pytest.raises(UserError, match="no speaker or participant 'P9'"):
            find_candidates(s, [RegexRule("x", police)], Scope(not_speakers=("P9",)))
    spoken = {TALK[c.start : c.end] for c in everyone.candidates}
    assert "Tell me about the police." in spoken
    assert {TALK[c.start : c.end] for c in not_moderator.candidates} == spoken - {
        "Tell me about the police."
    }
