"""Undo/redo for user actions, in the core (the GUI only mirrors ``can_undo``/``undo_label``).

Each command names the rows it may touch (its *scope*: a where clause per table). The stack
snapshots the scope before and after the first run, all inside one transaction; undo turns the
"after" rows back into the "before" rows (and redo the reverse), also in one transaction: rows
only in one image are inserted or deleted, rows in both are updated in place. So every command
is undone exactly, ids included, however much it cascaded (a merge of codes, a deleted subtree).
If the rows changed since (another process, a bug), undo refuses rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import (
    ATTRIBUTE,
    CASE_VALUE,
    CASES,
    CODE,
    CODER,
    CODING,
    CODING_CASE,
    DECISION,
    DOCUMENT_VALUE,
    MEMO,
    META,
    NAME_REPLACEMENT,
    QUOTE,
    SUGGESTION,
    TURN,
    parents_first,
)
from qualbench.model import new_uuid, new_uuids
from qualbench.services import codes as codes_svc
from qualbench.services import coding as coding_svc
from qualbench.services import memos as memos_svc
from qualbench.store import Project

Scope = list[tuple[Table, ColumnElement[bool]]]
Image = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


class UndoError(RuntimeError):
    """Undo/redo is not possible (nothing to undo, or the data changed underneath)."""


@dataclass
class Command:
    """A user action: ``run`` does it the first time; ``scope`` lists the rows it can touch."""

    label: str
    run: Callable[[Session], Changes]
    scope: Callable[[Session], Scope]
    changes: Changes = field(default_factory=Changes)
    result: dict[str, Any] = field(default_factory=dict)  # what the run reports, if anything


def _pk(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def _image(session: Session, scope: Scope) -> Image:
    image: Image = {}
    for table, where in scope:
        rows = image.setdefault(table.name, {})
        for r in session.execute(select(table).where(where)):
            row = dict(r._mapping)
            if table is CODE:  # a code's edit version only ever rises (see _transition)
                row.pop("version", None)
            rows[_pk(table, row)] = row
    return image


# Rows updated in place (deleting one would cascade beyond the scope), parents first ...
_IN_PLACE = (CASES, ATTRIBUTE, CODE, TURN)
# ... and rows replaced wholesale, parents first (no transient unique-key clashes this way).
_REPLACED = (
    CODING, CODING_CASE, MEMO, CASE_VALUE, DOCUMENT_VALUE, DECISION, QUOTE, NAME_REPLACEMENT, META,
    SUGGESTION,
)  # fmt: skip


def _ordered(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return parents_first(rows) if table is CODE else rows


def _where_pk(table: Table, row: dict[str, Any]) -> ColumnElement[bool]:
    return and_(*(c == v for c, v in zip(table.primary_key.columns, _pk(table, row), strict=True)))


def _transition(session: Session, current: Image, target: Image) -> None:
    """Turn the rows of ``current`` into those of ``target``: new parents first, then updates in
    place, then codings, memos and values replaced, then removed parents (children first)."""
    for table in _IN_PLACE:
        have, want = current.get(table.name, {}), target.get(table.name, {})
        new = _ordered(table, [want[k] for k in want if k not in have])
        if new:
            session.execute(table.insert(), new)
    for table in _IN_PLACE:
        have, want = current.get(table.name, {}), target.get(table.name, {})
        for key in want.keys() & have.keys():
            if want[key] != have[key]:
                values = dict(want[key])
                if table is CODE:  # undone or redone, it is a new edit: an edit begun before
                    values["version"] = CODE.c.version + 1  # it must not pass the check
                session.execute(update(table).where(_where_pk(table, want[key])).values(**values))
    for table in reversed(_REPLACED):
        for row in current.get(table.name, {}).values():
            session.execute(table.delete().where(_where_pk(table, row)))
    for table in _REPLACED:
        rows = list(target.get(table.name, {}).values())
        if rows:
            session.execute(table.insert(), rows)
    for table in reversed(_IN_PLACE):
        have, want = current.get(table.name, {}), target.get(table.name, {})
        for row in reversed(_ordered(table, [have[k] for k in have if k not in want])):
            session.execute(table.delete().where(_where_pk(table, row)))


@dataclass
class _Done:
    command: Command
    scope: Scope
    before: Image
    after: Image


class CommandStack:
    """Runs commands, each in one transaction, and undoes/redoes them in order."""

    def __init__(self, project: Project, *, limit: int = 500) -> None:
        self.project = project
        self.limit = limit
        self._undo: list[_Done] = []
        self._redo: list[_Done] = []

    def run(self, command: Command) -> Changes:
        try:
            with self.project.write() as session:
                scope = command.scope(session)
                before = _image(session, scope)
                command.changes = command.run(session)
                after = _image(session, scope)
        except codes_svc.EditConflict as exc:
            with self.project.write() as session:  # neither edit is lost: theirs stays, ours
                exc.keep(session)  # is kept as a memo on the code
            raise
        if before != after:
            self._undo.append(_Done(command, scope, before, after))
            del self._undo[: -self.limit]
            self._redo.clear()
        return command.changes

    def _step(self, source: list[_Done], dest: list[_Done], *, forward: bool) -> Changes:
        if not source:
            raise UndoError("nothing to " + ("redo" if forward else "undo"))
        done = source[-1]
        expected, target = (done.before, done.after) if forward else (done.after, done.before)
        with self.project.write() as session:
            if _image(session, done.scope) != expected:
                raise UndoError(
                    f"cannot {'redo' if forward else 'undo'} {done.command.label!r}: the data changed since"
                )
            _transition(session, expected, target)
        dest.append(source.pop())
        return done.command.changes

    def undo(self) -> Changes:
        return self._step(self._undo, self._redo, forward=False)

    def redo(self) -> Changes:
        return self._step(self._redo, self._undo, forward=True)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].command.label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].command.label if self._redo else ""

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()


# --- the commands -----------------------------------------------------------------------------


def _coding_scope(where: ColumnElement[bool]) -> Scope:
    ids = select(CODING.c.id).where(where)
    return [
        (CODING, where),
        (CODING_CASE, CODING_CASE.c.coding_id.in_(ids)),
        (MEMO, MEMO.c.coding_id.in_(ids)),
    ]


def apply_code(
    *, document_id: int, start: int, end: int, code_id: int, coder_id: int, memo: str = ""
) -> Command:
    uid = new_uuid()

    def run(s: Session) -> Changes:
        cid, ch = coding_svc.apply_code(
            s,
            document_id=document_id,
            start=start,
            end=end,
            code_id=code_id,
            coder_id=coder_id,
            uuid=uid,
        )
        if memo.strip() and ch:
            ch |= memos_svc.add_memo(
                s, target="coding", target_id=cid, text=memo, coder_id=coder_id
            )[1]
        return ch

    return Command("Apply code", run, lambda s: _coding_scope(CODING.c.uuid == uid))


def remove_coding(coding_id: int, *, label: str = "Remove coding") -> Command:
    return Command(
        label,
        lambda s: coding_svc.remove_coding(s, coding_id),
        lambda s: _coding_scope(CODING.c.id == coding_id),
    )


def change_span(coding_id: int, *, start: int, end: int) -> Command:
    return Command(
        "Change coding span",
        lambda s: coding_svc.change_span(s, coding_id, start=start, end=end),
        lambda s: _coding_scope(CODING.c.id == coding_id),
    )


def create_code(*, name: str, parent_id: int | None = None, **fields: Any) -> Command:
    uid = new_uuid()
    return Command(
        f"New code {name!r}",
        lambda s: codes_svc.create_code(s, name=name, parent_id=parent_id, uuid=uid, **fields)[1],
        lambda s: [(CODE, CODE.c.uuid == uid)],
    )


def update_code(code_id: int, **fields: Any) -> Command:
    """Edit a code; ``expected_version`` (the version the edit began from) makes a concurrent
    edit a conflict (see `codes.EditConflict`), ``editor_id`` signs the memo that keeps it."""
    edited = set(fields) - {"expected_version", "editor_id"}
    what = (
        "Rename code"
        if edited == {"name"}
        else "Recolour code"
        if edited == {"color"}
        else "Edit code"
    )
    return Command(
        what,
        lambda s: codes_svc.update_code(s, code_id, **fields),
        lambda s: [(CODE, CODE.c.id == code_id)],
    )


def _siblings(parent_id: int | None) -> ColumnElement[bool]:
    return CODE.c.parent_id.is_(None) if parent_id is None else CODE.c.parent_id == parent_id


def move_code(code_id: int, *, parent_id: int | None, position: int | None = None) -> Command:
    def scope(s: Session) -> Scope:
        old_parent = s.execute(select(CODE.c.parent_id).where(CODE.c.id == code_id)).scalar()
        return [(CODE, or_(CODE.c.id == code_id, _siblings(old_parent), _siblings(parent_id)))]

    return Command(
        "Move code",
        lambda s: codes_svc.move_code(s, code_id, parent_id=parent_id, position=position),
        scope,
    )


def _codes_scope(code_ids: Sequence[int]) -> Scope:
    ids = list(code_ids)
    coding_ids = select(CODING.c.id).where(CODING.c.code_id.in_(ids))
    return [
        (CODE, or_(CODE.c.id.in_(ids), CODE.c.parent_id.in_(ids))),
        (CODING, CODING.c.code_id.in_(ids)),
        (CODING_CASE, CODING_CASE.c.coding_id.in_(coding_ids)),
        (MEMO, or_(MEMO.c.code_id.in_(ids), MEMO.c.coding_id.in_(coding_ids))),
    ]


def delete_code(code_id: int) -> Command:
    return delete_codes([code_id])


def delete_codes(code_ids: Sequence[int]) -> Command:
    """Delete codes with their sub-codes, codings and memos, as one undoable action."""
    ids = list(dict.fromkeys(code_ids))

    def run(s: Session) -> Changes:
        changes = Changes()
        for cid in ids:
            if (
                s.execute(select(CODE.c.id).where(CODE.c.id == cid)).first() is not None
            ):  # not yet gone with a parent
                changes |= codes_svc.delete_codes(s, cid)
        return changes

    label = "Delete code" if len(ids) == 1 else f"Delete {len(ids)} codes"
    return Command(
        label,
        run,
        lambda s: _codes_scope(sorted({d for cid in ids for d in codes_svc.descendants(s, cid)})),
    )


def merge_codes(source_ids: Sequence[int], target_id: int) -> Command:
    return Command(
        "Merge codes",
        lambda s: coding_svc.merge_codes(s, source_ids=source_ids, target_id=target_id),
        lambda s: _codes_scope([*source_ids, target_id]),
    )


def add_memo(
    *,
    target: str,
    target_id: int | None = None,
    text: str,
    title: str = "",
    coder_id: int | None = None,
) -> Command:
    uid = new_uuid()
    return Command(
        "Add memo",
        lambda s: memos_svc.add_memo(
            s,
            target=target,
            target_id=target_id,
            text=text,
            title=title,
            coder_id=coder_id,
            uuid=uid,
        )[1],
        lambda s: [(MEMO, MEMO.c.uuid == uid)],
    )


def edit_memo(memo_id: int, *, text: str | None = None, title: str | None = None) -> Command:
    return Command(
        "Edit memo",
        lambda s: memos_svc.edit_memo(s, memo_id, text=text, title=title),
        lambda s: [(MEMO, MEMO.c.id == memo_id)],
    )


def delete_memo(memo_id: int) -> Command:
    return Command(
        "Delete memo",
        lambda s: memos_svc.delete_memo(s, memo_id),
        lambda s: [(MEMO, MEMO.c.id == memo_id)],
    )


def recode(coding_id: int, *, code_id: int, label: str = "Recode") -> Command:
    return Command(
        label,
        lambda s: coding_svc.recode(s, coding_id, code_id=code_id),
        lambda s: _coding_scope(CODING.c.id == coding_id),
    )


def apply_codes(
    *,
    document_id: int,
    start: int,
    end: int,
    code_ids: Sequence[int],
    coder_id: int,
    label: str = "",
) -> Command:
    """Several codes on one span, as one undoable action."""
    uids = {code_id: new_uuid() for code_id in code_ids}

    def run(s: Session) -> Changes:
        changes = Changes()
        for code_id, uid in uids.items():
            changes |= coding_svc.apply_code(
                s,
                document_id=document_id,
                start=start,
                end=end,
                code_id=code_id,
                coder_id=coder_id,
                uuid=uid,
            )[1]
        return changes

    label = label or ("Apply code" if len(uids) == 1 else f"Apply {len(uids)} codes")
    return Command(label, run, lambda s: _coding_scope(CODING.c.uuid.in_(list(uids.values()))))


def in_vivo(
    *,
    document_id: int,
    start: int,
    end: int,
    coder_id: int,
    name: str,
    parent_id: int | None = None,
) -> Command:
    """A new code named from the selected words, applied to them."""
    code_uid, coding_uid = new_uuid(), new_uuid()

    def run(s: Session) -> Changes:
        code_id, changes = codes_svc.create_code(s, name=name, parent_id=parent_id, uuid=code_uid)
        return (
            changes
            | coding_svc.apply_code(
                s,
                document_id=document_id,
                start=start,
                end=end,
                code_id=code_id,
                coder_id=coder_id,
                uuid=coding_uid,
            )[1]
        )

    return Command(
        f"In-vivo code {name!r}",
        run,
        lambda s: [(CODE, CODE.c.uuid == code_uid), *_coding_scope(CODING.c.uuid == coding_uid)],
    )


def _case_scope(case_ids: Sequence[int]) -> Scope:
    ids = list(case_ids)
    codings = select(CODING.c.id).where(
        or_(
            CODING.c.case_id.in_(ids),
            CODING.c.id.in_(select(CODING_CASE.c.coding_id).where(CODING_CASE.c.case_id.in_(ids))),
        )
    )
    return [
        (CASES, CASES.c.id.in_(ids)),
        (TURN, TURN.c.case_id.in_(ids)),
        (CODING, CODING.c.id.in_(codings)),
        (CODING_CASE, CODING_CASE.c.coding_id.in_(codings)),
        (MEMO, or_(MEMO.c.case_id.in_(ids), MEMO.c.coding_id.in_(codings))),
        (CASE_VALUE, CASE_VALUE.c.case_id.in_(ids)),
    ]


def rename_case(case_id: int, name: str) -> Command:
    """Rename a participant; a name another participant has makes them one person."""
    from qualbench.services import cases as cases_svc

    def scope(s: Session) -> Scope:
        other = s.execute(select(CASES.c.id).where(CASES.c.name == " ".join(name.split()))).scalar()
        return _case_scope([case_id] if other is None else [case_id, int(other)])

    return Command("Rename participant", lambda s: cases_svc.rename_case(s, case_id, name), scope)


def set_values(*, scope: str, owner_id: int, values: dict[str, str]) -> Command:
    """Set attribute values of a document or participant (empty removes a value)."""
    from qualbench.db import DOCUMENT_VALUE as DV
    from qualbench.services import cases as cases_svc

    target, owner = (
        (DV, DV.c.document_id) if scope == "document" else (CASE_VALUE, CASE_VALUE.c.case_id)
    )

    def rows(s: Session) -> Scope:
        names = list(values)
        return [
            (ATTRIBUTE, and_(ATTRIBUTE.c.scope == scope, ATTRIBUTE.c.name.in_(names))),
            (target, owner == owner_id),
        ]

    return Command(
        "Edit attributes",
        lambda s: cases_svc.set_values(s, scope=scope, owner_id=owner_id, values=values),
        rows,
    )


def recode_to_new_code(coding_id: int, *, name: str, parent_id: int | None = None) -> Command:
    """A new code, given to an existing coding in place of its code."""
    code_uid = new_uuid()

    def run(s: Session) -> Changes:
        code_id, changes = codes_svc.create_code(s, name=name, parent_id=parent_id, uuid=code_uid)
        return changes | coding_svc.recode(s, coding_id, code_id=code_id)

    return Command(
        f"Recode to new code {name!r}",
        run,
        lambda s: [(CODE, CODE.c.uuid == code_uid), *_coding_scope(CODING.c.id == coding_id)],
    )


def decide(
    *,
    consensus: str,
    document_id: int,
    start: int,
    end: int,
    code_id: int,
    take: Sequence[str],
    decided_by: int | None = None,
) -> Command:
    """Reconcile one disagreement (see :func:`qualbench.reconcile.decide`)."""
    from qualbench import reconcile

    label = "Take " + (" and ".join(take) if take else "neither")

    def run(s: Session) -> Changes:
        return reconcile.decide(
            s, consensus=consensus, document_id=document_id, start=start, end=end,
            code_id=code_id, take=take, decided_by=decided_by,
        )  # fmt: skip

    def scope(s: Session) -> Scope:
        coder = select(CODER.c.id).where(CODER.c.name == consensus).scalar_subquery()
        return [
            *_coding_scope(
                and_(
                    CODING.c.document_id == document_id,
                    CODING.c.code_id == code_id,
                    CODING.c.coder_id == coder,
                )
            ),
            (
                DECISION,
                and_(
                    DECISION.c.document_id == document_id,
                    DECISION.c.start == start,
                    DECISION.c.end == end,
                    DECISION.c.code_id == code_id,
                    DECISION.c.consensus_coder_id == coder,
                ),
            ),
        ]

    return Command(label, run, scope)


# --- the quote basket, names to pseudonymise, the citation template ----------------------------


def _basket_scope(s: Session) -> Scope:
    """The whole basket: adding, removing and moving a quote renumber the others."""
    return [(QUOTE, QUOTE.c.id.is_not(None))]


def add_quote(
    *,
    document_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    coding_id: int | None = None,
    display: str | None = None,
    section: str | None = None,
    note: str = "",
    position: int | None = None,
    force: bool = False,
) -> Command:
    """Put a coding or any span in the quote basket (see :func:`qualbench.quotes.add_quote`)."""
    from qualbench import quotes

    uid = new_uuid()

    def run(s: Session) -> Changes:
        return quotes.add_quote(
            s, document_id=document_id, start=start, end=end, coding_id=coding_id,
            display=display, section=section, note=note, position=position, force=force, uuid=uid,
        )[1]  # fmt: skip

    return Command("Add quote to basket", run, _basket_scope)


def edit_quote(
    quote_id: int,
    *,
    display: str | None = None,
    section: str | None = None,
    note: str | None = None,
    force: bool = False,
) -> Command:
    """Change a basket quote's display text, section or note."""
    from qualbench import quotes

    return Command(
        "Edit quote",
        lambda s: quotes.edit_quote(
            s, quote_id, display=display, section=section, note=note, force=force
        ),
        lambda s: [(QUOTE, QUOTE.c.id == quote_id)],
    )


def remove_quote(quote_id: int) -> Command:
    from qualbench import quotes

    return Command(
        "Remove quote from basket", lambda s: quotes.remove_quote(s, quote_id), _basket_scope
    )


def move_quote(quote_id: int, position: int) -> Command:
    """Move a basket quote to ``position`` (0 = first)."""
    from qualbench import quotes

    return Command("Move quote", lambda s: quotes.move_quote(s, quote_id, position), _basket_scope)


def set_name(name: str, replacement: str = "") -> Command:
    """Add a name to replace on export, or change its replacement ('' = the placeholder)."""
    from qualbench import pseudonyms

    key = pseudonyms.name_key(name)
    uid = new_uuid()
    return Command(
        "Set name to replace",
        lambda s: pseudonyms.set_name(s, name, replacement, uuid=uid)[1],
        lambda s: [(NAME_REPLACEMENT, NAME_REPLACEMENT.c.match_key == key)],
    )


def remove_name(name_id: int) -> Command:
    from qualbench import pseudonyms

    return Command(
        "Remove name to replace",
        lambda s: pseudonyms.remove_name(s, name_id),
        lambda s: [(NAME_REPLACEMENT, NAME_REPLACEMENT.c.id == name_id)],
    )


def set_citation_template(template: str) -> Command:
    """Make ``template`` the project's default citation ('' = the built-in default)."""
    from qualbench import quotes

    return Command(
        "Set citation template",
        lambda s: quotes.set_citation_template(s, template),
        lambda s: [(META, META.c.key == quotes.CITATION_KEY)],
    )


# --- auto-coding suggestions --------------------------------------------------------------------


def suggest(
    candidates: Sequence[Any], *, coder_id: int, label: str = "Auto-code (suggestions)"
) -> Command:
    """Save rule candidates (`qualbench.suggestions.Candidate`) as pending suggestions; undo
    removes the ones this run added (they all carry its timestamp)."""
    from qualbench.model import utcnow
    from qualbench.suggestions import save_suggestions

    stamp = utcnow()
    result: dict[str, Any] = {}

    def run(s: Session) -> Changes:
        result["run"] = save_suggestions(s, candidates, coder_id=coder_id, created=stamp)
        ids = s.execute(
            select(SUGGESTION.c.id).where(
                and_(SUGGESTION.c.coder_id == coder_id, SUGGESTION.c.created == stamp)
            )
        ).scalars()
        return Changes(suggestions=frozenset(ids))

    return Command(
        label,
        run,
        lambda s: [
            (SUGGESTION, and_(SUGGESTION.c.coder_id == coder_id, SUGGESTION.c.created == stamp))
        ],
        result=result,
    )


def review_suggestions(ids: Sequence[int], decision: str) -> Command:
    """Accept, reject or reopen suggestions as one undoable action. Its scope is every
    suggestion, and every auto coding, of the coders and codes concerned (a stable set, small
    next to the project)."""
    from qualbench.suggestions import review

    ids = list(dict.fromkeys(ids))
    verb = {"accept": "Accept", "reject": "Reject", "pending": "Reopen"}.get(decision, decision)
    label = f"{verb} {len(ids)} suggestion{'s' if len(ids) != 1 else ''}"

    def scope(s: Session) -> Scope:
        pairs: set[tuple[int, int]] = set()
        for i in range(0, len(ids), 900):
            pairs.update(
                s.execute(
                    select(SUGGESTION.c.coder_id, SUGGESTION.c.code_id)
                    .where(SUGGESTION.c.id.in_(ids[i : i + 900]))
                    .distinct()
                )
            )
        if not pairs:
            return []
        mine = or_(*(and_(SUGGESTION.c.coder_id == c, SUGGESTION.c.code_id == k) for c, k in pairs))
        auto = or_(
            *(
                and_(CODING.c.coder_id == c, CODING.c.code_id == k, CODING.c.origin == "auto")
                for c, k in pairs
            )
        )
        return [(SUGGESTION, mine), *_coding_scope(auto)]

    return Command(label, lambda s: review(s, ids, decision), scope)


def code_spans(
    spans: Sequence[tuple[int, int, int]],
    *,
    code_id: int,
    coder_id: int,
    origin: str = "manual",
    label: str = "",
) -> Command:
    """One code on many (document_id, start, end) spans (search hits expanded to units), as
    one undoable action; spans the coder already coded with the code are skipped."""
    from qualbench.services.coding import NewCoding, bulk_apply

    items = sorted(set(spans))
    uuids = new_uuids(len(items))
    label = label or f"Code {len(items)} passage{'s' if len(items) != 1 else ''}"
    result: dict[str, Any] = {}

    def run(s: Session) -> Changes:
        outcome = bulk_apply(
            s,
            [
                NewCoding(d, a, z, code_id, coder_id, origin=origin, uuid=u)
                for (d, a, z), u in zip(items, uuids, strict=True)
            ],
        )
        result["inserted"] = outcome.inserted
        result["already_present"] = outcome.already_present
        return outcome.changes

    where = and_(CODING.c.coder_id == coder_id, CODING.c.code_id == code_id)
    return Command(label, run, lambda s: _coding_scope(where), result=result)
