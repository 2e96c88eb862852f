"""Reconciliation: a consensus coder seeded with agreed units, disagreements decided one by one,
saved at once, undoable, and the coders' own codings never touched."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from qualbench import undo
from qualbench.agreement.compute import AgreementOptions
from qualbench.db import CODER, CODING, DECISION
from qualbench.reconcile import (
    consensus_names,
    decide,
    reconciliation,
    saved_options,
    start_consensus,
)
from qualbench.services.coding import CodingError, get_or_create_coder
from qualbench.services.documents import NotFound
from qualbench.services.memos import add_memo
from qualbench.store import Project, open_project
from tests.core.test_agreement import TEXT, Two, _at, _code, _setup

OPTIONS = AgreementOptions(coders=("ana", "ben"), unit="sentence")


def _consensus(project: Project, name: str = "consensus") -> list[str]:
    """The consensus coder's codings, as the text they cover."""
    with project.read() as s:
        rows = s.execute(
            select(CODING.c.start, CODING.c.end)
            .join(CODER, CODER.c.id == CODING.c.coder_id)
            .where(CODER.c.name == name)
            .order_by(CODING.c.start)
        ).all()
    return [TEXT[a:z] for a, z in rows]


def _coders_rows(project: Project) -> list[tuple[int, int, int, int]]:
    with project.read() as s:
        return sorted(
            tuple(r)  # type: ignore[misc]
            for r in s.execute(
                select(CODING.c.start, CODING.c.end, CODING.c.code_id, CODING.c.coder_id)
                .join(CODER, CODER.c.id == CODING.c.coder_id)
                .where(CODER.c.name.in_(["ana", "ben"]))
            )
        )


@pytest.fixture
def world(project: Project) -> Two:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two. Three four.")
    _code(project, w, w.ben, w.police, "Three four. Five six.")
    _code(project, w, w.ana, w.housing, "Nine ten.")
    _code(project, w, w.ben, w.housing, "Nine ten.")
    return w


def _decide(
    project: Project, w: Two, phrase: str, take: tuple[str, ...], code: int | None = None
) -> None:
    a, z = _at(phrase)
    with project.write() as s:
        decide(
            s,
            consensus="consensus",
            document_id=w.doc,
            start=a,
            end=z,
            code_id=code or w.police,
            take=take,
        )


def test_consensus_starts_with_what_the_coders_agree_on(project: Project, world: Two) -> None:
    before = _coders_rows(project)
    with project.write() as s:
        start_consensus(s, OPTIONS)
    assert _consensus(project) == ["Three four.", "Nine ten."]
    with project.read() as s:
        r = reconciliation(s)
        assert consensus_names(s) == ["consensus"]
        assert saved_options(s, "consensus") == OPTIONS
    assert [(TEXT[i.start : i.end], i.coded_by, i.chosen) for i in r.items] == [
        ("One two.", ("ana",), None),
        ("Five six.", ("ben",), None),
    ]
    # Each item shows each coder's codings that reach the unit, side by side.
    first = r.items[0]
    assert [(c.coder, TEXT[c.start : c.end]) for c in first.codings] == [
        ("ana", "One two. Three four.")
    ]
    assert r.decided == 0
    # Starting again reuses the consensus: no second copy of the seed.
    with project.write() as s:
        start_consensus(s, OPTIONS)
    assert _consensus(project) == ["Three four.", "Nine ten."]
    assert _coders_rows(project) == before


def test_decisions_rewrite_only_the_unit_and_are_recorded(project: Project, world: Two) -> None:
    before = _coders_rows(project)
    with project.write() as s:
        start_consensus(s, OPTIONS)
    _decide(project, world, "One two.", ("ana",))
    # ana's coding ran across both sentences, so the consensus holds it as one coding again
    assert _consensus(project) == ["One two. Three four.", "Nine ten."]
    _decide(project, world, "Five six.", ())
    assert _consensus(project) == ["One two. Three four.", "Nine ten."]
    _decide(project, world, "Five six.", ("ben",))  # a later decision replaces the first
    assert _consensus(project) == ["One two. Three four. Five six.", "Nine ten."]
    _decide(project, world, "One two.", ())
    assert _consensus(project) == ["Three four. Five six.", "Nine ten."]
    with project.read() as s:
        r = reconciliation(s)
        assert s.execute(select(DECISION.c.id)).all().__len__() == 2
    assert [i.chosen for i in r.items] == [(), ("ben",)]
    assert r.decided == 2
    assert _coders_rows(project) == before


def test_both_takes_the_union(project: Project) -> None:
    w = _setup(project)
    _code(project, w, w.ana, w.police, "One two.")
    _code(project, w, w.ben, w.police, "Three")
    with project.write() as s:
        start_consensus(s, OPTIONS)
    assert _consensus(project) == []
    _decide(project, w, "Three four.", ("ana", "ben"))
    assert _consensus(project) == ["Three"]
    _decide(project, w, "One two.", ("ana", "ben"))
    assert _consensus(project) == ["One two.", "Three"]  # no coding ran across the gap


def test_memo_on_a_consensus_coding_survives_a_decision_that_moves_it(
    project: Project, world: Two
) -> None:
    with project.write() as s:
        consensus, _ = start_consensus(s, OPTIONS)
        coding = s.execute(
            select(CODING.c.id).where(
                CODING.c.coder_id == consensus, CODING.c.code_id == world.police
            )
        ).scalar_one()
        add_memo(
            s, target="coding", target_id=coding, text="agreed in the meeting", coder_id=consensus
        )
    _decide(project, world, "One two.", ("ana",))
    with project.read() as s:
        rows = s.execute(
            select(CODING.c.id).where(
                CODING.c.coder_id == consensus, CODING.c.code_id == world.police
            )
        ).all()
    assert [r[0] for r in rows] == [coding]


def test_decisions_undo_and_redo(project: Project, world: Two) -> None:
    with project.write() as s:
        start_consensus(s, OPTIONS)
    stack = undo.CommandStack(project)
    a, z = _at("One two.")
    command = undo.decide(
        consensus="consensus",
        document_id=world.doc,
        start=a,
        end=z,
        code_id=world.police,
        take=("ana",),
    )
    stack.run(command)
    assert stack.undo_label == "Take ana"
    assert _consensus(project) == ["One two. Three four.", "Nine ten."]
    stack.undo()
    assert _consensus(project) == ["Three four.", "Nine ten."]
    with project.read() as s:
        assert reconciliation(s).decided == 0
    stack.redo()
    assert _consensus(project) == ["One two. Three four.", "Nine ten."]
    with project.read() as s:
        assert reconciliation(s).items[0].chosen == ("ana",)


def test_progress_is_saved_at_once(project: Project, world: Two) -> None:
    with project.write() as s:
        start_consensus(s, OPTIONS)
    _decide(project, world, "One two.", ("ana",))
    path = project.path
    assert path is not None
    project.close()
    with open_project(path) as again, again.read() as s:
        assert reconciliation(s).items[0].chosen == ("ana",)


def test_bad_requests_are_refused(project: Project, world: Two) -> None:
    with project.write() as s:
        with pytest.raises(NotFound, match="start one first"):
            reconciliation(s)
        with pytest.raises(CodingError, match="cannot be one of the coders"):
            start_consensus(s, OPTIONS, name="ana")
        get_or_create_coder(s, "cy")
        with pytest.raises(CodingError, match="is a coder, not a consensus"):
            start_consensus(s, OPTIONS, name="cy")
        start_consensus(s, OPTIONS)
        with pytest.raises(CodingError, match="not one of the coders"):
            decide(
                s,
                consensus="consensus",
                document_id=world.doc,
                start=0,
                end=3,
                code_id=world.police,
                take=("cy",),
            )
        with pytest.raises(NotFound, match="document 99"):
            decide(
                s,
                consensus="consensus",
                document_id=99,
                start=0,
                end=3,
                code_id=world.police,
                take=(),
            )
        with pytest.raises(CodingError):
            decide(
                s,
                consensus="consensus",
                document_id=world.doc,
                start=5,
                end=500,
                code_id=world.police,
                take=(),
            )
