"""Memos from a REFI file: Notes, and the descriptions of sources and selections.

A Note becomes a memo on what refers to it: a NoteRef in a code, a source (document memo), a
coding or a selection (coding memo; on an uncoded selection, a document memo), the project
(project memo), or a Link between the note and a code, source, case, selection or coding. A
memo is about one thing in QualBench: a note attached to several is kept on the first (and the
report says how many). A note nothing refers to becomes a project memo. Memos keep the note's
GUID, so importing again adds none twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import and_, func, select

from qualbench.changes import Changes
from qualbench.db import CODING, MEMO, insert_ignore
from qualbench.refi.parse import clean, derived_uuid

if TYPE_CHECKING:
    from qualbench.refi.apply import Target, Writer


def write_memos(w: Writer, refs: dict[str, list[Target]]) -> None:
    """Resolve what each note is about and insert the memos (the writer's transaction)."""
    from qualbench.refi.apply import memo_row

    for ref in w.p.note_refs:
        refs[ref].append(("project", None))
    for code in w.p.all_codes():
        for ref in code.note_refs:
            refs[ref].append(("code_id", w.code_ids.get(code.guid)))
    targets = _targets(w)
    other = 0
    for link in w.p.links:
        for note_guid, other_guid in ((link.origin, link.target), (link.target, link.origin)):
            if note_guid in w.prep.note_texts and other_guid in targets:
                refs[note_guid].append(targets[other_guid])
                break
        else:
            other += 1
    w.r.lose("links", other, "QualBench keeps only links between a memo and its subject")
    wanted = {str(v) for ts in refs.values() for k, v in ts if k == "coding"}
    wanted |= {str(about[1]) for about, _, _ in w.comments if about[0] == "coding"}
    coding_ids = _coding_ids(w, wanted)

    def resolve(t: Target) -> dict[str, object] | None:
        column, value = t
        if column == "project":
            return {}
        if column == "coding":
            value = coding_ids.get(str(value))
            column = "coding_id"
        return None if value is None else {column: value}

    for about, title, sel in w.comments:
        where = resolve(about)
        if where is None:
            w.r.lose("memos", 1, "what they are about was not imported")
        else:
            w.memo_rows.append(
                memo_row(derived_uuid("comment", sel.guid), title, sel.description.strip(), where)
            )
    several = unreferenced = 0
    notes = {n.guid: n for n in w.p.notes}
    for guid, note in notes.items():
        places = [x for t in refs.get(guid, []) if (x := resolve(t)) is not None]
        if refs.get(guid) and not places:
            w.r.lose("memos", 1, "what they are about was not imported")
            continue
        several += len(places) > 1
        unreferenced += not refs.get(guid)
        row = memo_row(guid, clean(note.name), w.prep.note_texts.get(guid, ""),
                       places[0] if places else {})  # fmt: skip
        row["coder_id"] = w.coder(note.user) if note.user else None
        row["created"] = note.created or row["created"]
        row["modified"] = note.modified or note.created or row["modified"]
        w.memo_rows.append(row)
        w.r.lose("codings inside notes", note.selections, "memos are not coded in QualBench")
    w.r.lose("memo links", several, "a memo is about one thing: kept on the first")
    w.r.lose("note references", sum(1 for g in refs if g not in notes), "their note is missing")
    if unreferenced:
        w.r.note(f"{unreferenced} notes not attached to anything became project memos")
    _insert(w)


def _insert(w: Writer) -> None:
    def count() -> int:
        return int(w.s.execute(select(func.count()).select_from(MEMO)).scalar_one())

    before = count()
    insert_ignore(w.s, MEMO, w.memo_rows)
    added = count() - before
    w.r.count("memos", added)
    w.r.count("memos", len(w.memo_rows) - added, matched=True)
    uuids = [str(r["uuid"]) for r in w.memo_rows]
    ids = {
        i
        for n in range(0, len(uuids), 900)
        for i in w.s.execute(select(MEMO.c.id).where(MEMO.c.uuid.in_(uuids[n : n + 900]))).scalars()
    }
    w.changes |= Changes(memos=frozenset(ids))


def _targets(w: Writer) -> dict[str, Target]:
    """What a link from a note may point to: codes, sources, cases, selections, codings."""
    out: dict[str, Target] = {}
    out.update({g: ("code_id", i) for g, i in w.code_ids.items()})
    out.update({g: ("document_id", i) for g, i in w.doc_ids.items()})
    out.update({g: ("case_id", i) for g, i in w.case_ids.items()})
    for src in w.p.sources:
        for sel in src.selections:
            coded = [c.guid for c in sel.codings if c.guid in w.coding_keys]
            if coded:
                out[sel.guid] = ("coding", coded[0])
            elif src.guid in w.doc_ids:
                out[sel.guid] = ("document_id", w.doc_ids[src.guid])
            out.update({g: ("coding", g) for g in coded})
    return out


def _coding_ids(w: Writer, guids: set[str]) -> dict[str, int]:
    """Row ids of the codings (by the file's Coding GUID) that memos are about."""
    ids: dict[str, int] = {}
    for guid in guids:
        key = w.coding_keys.get(guid)
        if key is None:
            continue
        doc, start, end, code, coder = key
        found = w.s.execute(
            select(CODING.c.id).where(
                and_(CODING.c.document_id == doc, CODING.c.start == start, CODING.c.end == end,
                     CODING.c.code_id == code, CODING.c.coder_id == coder)
            )
        ).scalar()  # fmt: skip
        if found is not None:
            ids[guid] = int(found)
    return ids
