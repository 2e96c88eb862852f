"""Undo/redo restores exactly what each action changed, ids and cascades included."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from qualbench import undo
from qualbench.db import CODE, CODING, CODING_CASE, MEMO
from qualbench.services.memos import add_memo
from qualbench.undo import CommandStack, UndoError
from tests.core.helpers import INTERVIEW, make_world


def _state(project) -> dict[str, list[tuple]]:
    """Every row of the tables commands touch; a code's edit version is left out: it only
    rises, undo and redo included (tests/core/test_server.py checks that)."""
    with project.read() as s:
        return {
            t.name: sorted(
                tuple(v for k, v in r._mapping.items() if not (t is CODE and k == "version"))
                for r in s.execute(select(t)).all()
            )
            for t in (CODE, CODING, CODING_CASE, MEMO)
        }


def test_apply_then_undo_then_redo(project) -> None:
    w = make_world(project)
    stack = CommandStack(project)
    empty = _state(project)
    stack.run(
        undo.apply_code(
            document_id=w.doc, start=5, end=40, code_id=w.police, coder_id=w.coder, memo="note"
        )
    )
    applied = _state(project)
    assert len(applied["coding"]) == 1 and len(applied["memo"]) == 1
    assert stack.can_undo and stack.undo_label == "Apply code"
    stack.undo()
    assert _state(project) == empty
    assert stack.can_redo and not stack.can_undo
    stack.redo()
    assert _state(project) == applied  # same ids, same uuid


def test_every_command_round_trips(project) -> None:
    w = make_world(project)
    stack = CommandStack(project)
    start = INTERVIEW.index("Did you have")
    commands = [
        undo.apply_code(
            document_id=w.doc, start=start, end=start + 70, code_id=w.naloxone, coder_id=w.coder
        ),
        undo.apply_code(
            document_id=w.doc, start=start + 10, end=start + 90, code_id=w.police, coder_id=w.coder
        ),
        undo.apply_code(
            document_id=w.doc, start=2, end=30, code_id=w.housing, coder_id=w.other_coder
        ),
        undo.create_code(name="Coping", color="#00AA00"),
        undo.update_code(w.police, name="Fear of police"),
        undo.update_code(w.police, color="#123456", definition="new definition"),
        undo.move_code(w.naloxone, parent_id=w.risks, position=0),
        undo.add_memo(target="code", target_id=w.police, text="memo on a code"),
        undo.add_memo(target="project", text="project memo"),
        undo.merge_codes([w.naloxone], w.police),
        undo.delete_code(w.risks),
    ]
    states = [_state(project)]
    for command in commands:
        stack.run(command)
        states.append(_state(project))
    assert all(a != b for a, b in itertools.pairwise(states)), "every command changed something"
    for expected in reversed(states[:-1]):
        stack.undo()
        assert _state(project) == expected
    for expected in states[1:]:
        stack.redo()
        assert _state(project) == expected


def test_remove_coding_and_change_span_undo(project) -> None:
    w = make_world(project)
    stack = CommandStack(project)
    stack.run(
        undo.apply_code(document_id=w.doc, start=5, end=40, code_id=w.police, coder_id=w.coder)
    )
    with project.read() as s:
        cid = s.execute(select(CODING.c.id)).scalar_one()
    with project.write() as s:
        add_memo(s, target="coding", target_id=cid, text="keep me")
    before = _state(project)
    stack.run(undo.change_span(cid, start=10, end=60))
    stack.run(undo.remove_coding(cid))
    assert _state(project)["coding"] == []
    stack.undo()
    stack.undo()
    assert _state(project) == before


def test_memo_edit_and_delete_undo(project) -> None:
    make_world(project)
    stack = CommandStack(project)
    stack.run(undo.add_memo(target="project", text="first draft"))
    with project.read() as s:
        mid = s.execute(select(MEMO.c.id)).scalar_one()
    stack.run(undo.edit_memo(mid, text="second draft"))
    stack.run(undo.delete_memo(mid))
    stack.undo()
    with project.read() as s:
        assert s.execute(select(MEMO.c.text)).scalar_one() == "second draft"
    stack.undo()
    with project.read() as s:
        assert s.execute(select(MEMO.c.text)).scalar_one() == "first draft"


def test_failed_command_changes_nothing_and_is_not_recorded(project) -> None:
    w = make_world(project)
    stack = CommandStack(project)
    before = _state(project)
    with pytest.raises(Exception, match="outside"):
        stack.run(
            undo.apply_code(
                document_id=w.doc, start=0, end=10**6, code_id=w.police, coder_id=w.coder
            )
        )
    assert _state(project) == before and not stack.can_undo


def test_undo_refuses_when_data_changed_underneath(project) -> None:
    w = make_world(project)
    stack = CommandStack(project)
    stack.run(undo.update_code(w.police, name="Renamed"))
    with project.write() as s:
        from qualbench.services.codes import update_code

        update_code(s, w.police, name="Changed elsewhere")
    with pytest.raises(UndoError, match="changed since"):
        stack.undo()
    with project.read() as s:
        assert (
            s.execute(select(CODE.c.name).where(CODE.c.id == w.police)).scalar()
            == "Changed elsewhere"
        )


def test_nothing_to_undo(project) -> None:
    stack = CommandStack(project)
    with pytest.raises(UndoError, match="nothing to undo"):
        stack.undo()
    assert stack.undo_label == "" and not stack.can_redo


def test_new_action_clears_redo(project) -> None:
    w = make_world(project)
    stack = CommandStack(project)
    stack.run(undo.update_code(w.police, name="A"))
    stack.undo()
    stack.run(undo.update_code(w.police, name="B"))
    assert not stack.can_redo


def test_merge_undo_when_a_restored_span_equals_the_merged_one(project) -> None:
    """Two codings of the target with one start, one inside the other: the union equals the
    longer one; undo must restore both without a unique-key clash."""
    w = make_world(project)
    stack = CommandStack(project)
    stack.run(
        undo.apply_code(document_id=w.doc, start=10, end=20, code_id=w.police, coder_id=w.coder)
    )
    stack.run(
        undo.apply_code(document_id=w.doc, start=10, end=30, code_id=w.police, coder_id=w.coder)
    )
    stack.run(
        undo.apply_code(document_id=w.doc, start=15, end=25, code_id=w.naloxone, coder_id=w.coder)
    )
    before = _state(project)
    stack.run(undo.merge_codes([w.naloxone], w.police))
    assert [(r[3], r[4]) for r in _state(project)["coding"]] == [(10, 30)]
    stack.undo()
    assert _state(project) == before
    stack.redo()
    assert len(_state(project)["coding"]) == 1


def _full_state(project) -> dict[str, list[tuple]]:
    from qualbench.db import ATTRIBUTE, CASE_VALUE, CASES, TURN

    with project.read() as s:
        return {
            t.name: sorted(tuple(r) for r in s.execute(select(t)).all())
            for t in (CODE, CODING, CODING_CASE, MEMO, CASES, CASE_VALUE, ATTRIBUTE, TURN)
        }


def test_workbench_commands_round_trip(project) -> None:
    from qualbench.db import CASES

    w = make_world(project)
    start = INTERVIEW.index("I had no room")
    with project.read() as s:
        cases = dict(s.execute(select(CASES.c.name, CASES.c.id)).all())
    stack = CommandStack(project)
    commands = [
        undo.apply_codes(
            document_id=w.doc,
            start=start,
            end=start + 25,
            code_ids=[w.housing, w.police],
            coder_id=w.coder,
        ),
        undo.in_vivo(
            document_id=w.doc, start=start, end=start + 12, coder_id=w.coder, name="no room"
        ),
        undo.set_values(
            scope="case",
            owner_id=cases["interview07: RESPONDENT"],
            values={"gender": "man", "age": "41"},
        ),
        undo.rename_case(cases["interview07: RESPONDENT"], "R7"),
        undo.rename_case(cases["interview07: INTERVIEWER"], "R7"),  # the same person: joined
    ]
    states = [_full_state(project)]
    for command in commands:
        stack.run(command)
        states.append(_full_state(project))
    with project.read() as s:
        coding = s.execute(select(CODING.c.id).where(CODING.c.code_id == w.police)).scalar_one()
    stack.run(undo.recode(coding, code_id=w.naloxone))
    states.append(_full_state(project))
    assert all(a != b for a, b in itertools.pairwise(states))
    for expected in reversed(states[:-1]):
        stack.undo()
        assert _full_state(project) == expected
    for expected in states[1:]:
        stack.redo()
        assert _full_state(project) == expected
