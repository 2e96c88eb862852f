"""Write a parsed REFI-QDA project into a QualBench project, in the caller's one transaction.

How REFI elements land in QualBench (what has no place is reported, see ``report.py``):

- Users who coded or wrote a note -> coders (matched by GUID, then name);
- the codebook -> codes, merged as a codebook file is (matched by id, then path; see
  ``services.codebook.load_codebook`` and ``refi.codebook``);
- text sources (and PDF text representations, media transcripts) -> documents; a text the project
  already has (same content hash) is matched, not added again; new documents get their speaker
  turns found as at any import;
- PlainTextSelection + Coding -> codings by the Coding's creating user (else the selection's,
  else the project's creator), with the Coding's GUID as id (so importing twice adds nothing);
  a Coding directly on a source codes the whole text;
- Cases -> participants. A case's SelectionRefs are its speaker turns: a turn found in the text
  with exactly that span is given to the case, otherwise the span becomes a turn of its own.
  A case covering whole sources speaks all of a document without turns, or the one participant
  of an interview. A case with no name (or the source's name) and one SourceRef is how MAXQDA
  and Quirkos store document variables: its variables become the document's attributes;
- Variables -> attributes of documents (values on sources) or of participants (values on cases);
- Notes -> memos on what they are referenced from (NoteRef) or linked to (Link); a selection's
  Description -> a memo on its coding (or the document when it has none); a source's Description
  -> a document memo; a note nothing refers to -> a project memo;
- Sets of sources -> a document attribute ``set: NAME`` = yes, and QualBench's own document-kind
  sets -> the documents' kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from importers import Transcript, content_hash
from importers.speakers import find_turns
from qualbench.changes import Changes
from qualbench.db import (
    ATTRIBUTE,
    CASES,
    CODER,
    CODING,
    DOCUMENT,
    PROJECT,
    TURN,
    inserted_id,
)
from qualbench.model import KIND_LABELS, KINDS, new_uuid, utcnow
from qualbench.refi import model
from qualbench.refi.cases import CaseLinks
from qualbench.refi.codebook import codebook_of
from qualbench.refi.parse import clean, derived_uuid
from qualbench.refi.positions import Placed, SourceText
from qualbench.refi.report import RefiReport
from qualbench.refi.sources import LoadedText
from qualbench.services.cases import set_values, values_of
from qualbench.services.codebook import load_codebook
from qualbench.services.codes import CodebookError, code_tree
from qualbench.services.coding import NewCoding, bulk_apply
from qualbench.services.documents import add_transcript, guess_kind

KIND_SET = "QualBench document kind"
FALLBACK_CODER = "REFI import"
_TYPES = {"text": "text", "boolean": "boolean", "integer": "number", "float": "number",
          "date": "date", "datetime": "date"}  # fmt: skip
_SUFFIXES = (".docx", ".txt", ".pdf", ".rtf", ".odt", ".doc", ".md", ".html", ".htm")

Target = tuple[str, object]  # ("project", None), ("document_id", id), ("coding", guid) ...


@dataclass
class Prepared:
    """A parsed file with its source texts read and mapped, ready to be written."""

    path: Path
    project: model.Project
    texts: dict[str, SourceText] = field(default_factory=dict)  # source guid -> text
    loaded: dict[str, LoadedText] = field(default_factory=dict)
    note_texts: dict[str, str] = field(default_factory=dict)


class Writer:
    """The steps of one import; ``run`` returns what changed."""

    def __init__(self, s: Session, prep: Prepared, report: RefiReport) -> None:
        self.s = s
        self.prep = prep
        self.p = prep.project
        self.r = report
        self.ours = "qualbench" in self.p.origin.casefold()
        self.users = {u.guid: u for u in self.p.users}
        self.code_ids: dict[str, int] = {}
        self.coder_ids: dict[str, int] = {}
        self.case_ids: dict[str, int] = {}
        self.doc_ids: dict[str, int] = {}
        self.coding_keys: dict[str, tuple[int, int, int, int, int]] = {}
        self.memo_rows: list[dict[str, object]] = []
        self.comments: list[tuple[Target, str, model.Selection]] = []  # selection descriptions
        self.links = CaseLinks(self.p, report)
        self.changes = Changes()

    def run(self) -> Changes:
        if not self.ours:
            described = sum(1 for v in self.p.variables if v.description.strip())
            self.r.lose("variable descriptions", described, "QualBench attributes have none")
        self.codes()
        self.cases()
        self.documents()
        refs = self.codings()
        self.memos(refs)
        self.project_info()
        unused = [u for u in self.p.users if u.guid not in self.coder_ids]
        self.r.lose("users", len(unused), "they coded nothing and wrote no note")
        return self.changes

    # --- codes ------------------------------------------------------------------------------

    def codes(self) -> None:
        if not self.p.codes:
            return
        mapping = codebook_of(self.p)
        try:
            loaded = load_codebook(self.s, mapping.book)
        except CodebookError as exc:
            raise CodebookError(f"{self.prep.path}: its codebook cannot be merged: {exc}") from None
        self.changes |= loaded.changes
        self.r.count("codes", len(loaded.added))
        self.r.count("codes", len(loaded.updated) + loaded.unchanged, matched=True)
        if loaded.updated:
            self.r.note(f"{len(loaded.updated)} existing codes took the file's colour or texts")
        if mapping.split:
            self.r.note(f"{len(mapping.split)} code names with '::' made into sub-codes")
        if mapping.renamed:
            shown = "; ".join(mapping.renamed[:5]) + ("; ..." if len(mapping.renamed) > 5 else "")
            self.r.note(f"{len(mapping.renamed)} code names changed: {shown}")
        if mapping.folders:
            self.r.note(f"{mapping.folders} code folders (not codable) imported as ordinary codes")
        nodes = code_tree(self.s)
        by_uuid = {n.uuid: n.id for n in nodes}
        by_path = {n.path.casefold(): n.id for n in nodes}
        for guid, path in mapping.paths.items():
            found = by_uuid.get(guid) or by_path.get(path.casefold())
            if found is not None:
                self.code_ids[guid] = found

    # --- people and attributes --------------------------------------------------------------

    def coder(self, guid: str) -> int:
        """The coder for a user GUID (the project's creator, or a fallback, when "")."""
        guid = guid or self.p.creating_user
        if guid in self.coder_ids:
            return self.coder_ids[guid]
        user = self.users.get(guid)
        name = clean(user.name, 200) if user is not None else ""
        name = name or (f"user {guid[:8]}" if guid else FALLBACK_CODER)
        found = self.s.execute(select(CODER.c.id).where(CODER.c.uuid == guid)).scalar()
        if found is None:
            found = self.s.execute(select(CODER.c.id).where(CODER.c.name == name)).scalar()
        if found is None:
            result = self.s.execute(
                CODER.insert().values(uuid=guid or new_uuid(), name=name, created=utcnow())
            )
            found = inserted_id(result)
            self.r.count("coders")
            self.changes |= Changes(coders=frozenset({found}))
        self.coder_ids[guid] = int(found)
        return int(found)

    def attribute(self, scope: str, variable: model.Variable | None, name: str) -> str:
        """The attribute's name, created with the variable's type and GUID if new."""
        name = clean(name, 200) or "variable"
        found = self.s.execute(
            select(ATTRIBUTE.c.id).where(and_(ATTRIBUTE.c.scope == scope, ATTRIBUTE.c.name == name))
        ).scalar()
        if found is not None:
            return name
        kind = _TYPES.get((variable.type if variable else "Text").casefold(), "text")
        guid = variable.guid if variable else ""
        taken = (
            not guid
            or self.s.execute(select(ATTRIBUTE.c.id).where(ATTRIBUTE.c.uuid == guid)).first()
            is not None
        )
        position = self.s.execute(
            select(func.count()).select_from(ATTRIBUTE).where(ATTRIBUTE.c.scope == scope)
        ).scalar_one()
        result = self.s.execute(
            ATTRIBUTE.insert().values(
                uuid=new_uuid() if taken else guid, scope=scope, name=name, type=kind,
                position=position,
            )
        )  # fmt: skip
        self.changes |= Changes(attributes=frozenset({inserted_id(result)}))
        self.r.count(f"{scope} attributes")
        return name

    def values(self, scope: str, owner: int, values: Iterable[model.Value]) -> None:
        variables = {v.guid: v for v in self.p.variables}
        named: dict[str, str] = {}
        for v in values:
            var = variables.get(v.variable)
            if var is None:
                self.r.lose("attribute values", 1, "their variable is not defined in the file")
                continue
            named[self.attribute(scope, var, var.name)] = v.value.strip()
        current = values_of(self.s, scope=scope, owner_ids=[owner]).get(owner, {})
        changed = {k: v for k, v in named.items() if current.get(k, "") != v}
        self.r.count(f"{scope} attribute values", len(changed))
        self.r.count(f"{scope} attribute values", len(named) - len(changed), matched=True)
        if changed:
            self.changes |= set_values(self.s, scope=scope, owner_id=owner, values=changed)

    def cases(self) -> None:
        for c in self.p.cases:
            if c.guid in self.links.document_cases:
                continue
            name = clean(c.name) or f"case {c.guid[:8]}"
            found = self.s.execute(select(CASES.c.id).where(CASES.c.uuid == c.guid)).scalar()
            if found is None:
                found = self.s.execute(select(CASES.c.id).where(CASES.c.name == name)).scalar()
            if found is not None:
                self.r.count("participants", matched=True)
            else:
                result = self.s.execute(
                    CASES.insert().values(
                        uuid=c.guid, name=name, description=c.description.strip(), created=utcnow()
                    )
                )
                found = inserted_id(result)
                self.r.count("participants")
            self.case_ids[c.guid] = int(found)
            self.links.case_names[c.guid] = str(
                self.s.execute(select(CASES.c.name).where(CASES.c.id == found)).scalar_one()
            )
            self.changes |= Changes(cases=frozenset({int(found)}))
            self.values("case", int(found), c.values)
            self.r.lose(
                "codes linked to cases",
                len(c.code_refs),
                "QualBench links participants to text, not to codes",
            )

    # --- documents --------------------------------------------------------------------------

    def _name(self, source: model.Source) -> str:
        name = clean(source.name) or "document"
        if not self.ours and name.lower().endswith(_SUFFIXES) and "." in name[1:]:
            name = name.rsplit(".", 1)[0].strip() or name
        return name

    def _kinds(self) -> dict[str, str]:
        """Document kinds from QualBench's own kind sets."""
        kinds: dict[str, str] = {}
        by_label = {label: k for k, label in KIND_LABELS.items()} | {k: k for k in KINDS}
        for st in self.p.sets:
            if st.description.startswith(KIND_SET) and st.name in by_label:
                kinds.update(dict.fromkeys(st.sources, by_label[st.name]))
        return kinds

    def documents(self) -> None:
        kinds = self._kinds()
        added: dict[str, str] = {}  # content hash -> name of the source that added it
        for src in self.p.sources:
            text = self.prep.texts.get(src.guid)
            if text is None:
                continue
            if not text.text.strip():
                self.r.lose("sources", 1, "they hold no text")
                continue
            digest = content_hash(text.text)
            found = self.s.execute(
                select(DOCUMENT.c.id).where(DOCUMENT.c.content_sha256 == digest)
            ).scalar()
            if found is None:
                found = self._add(src, text, kinds.get(src.guid))
                added[digest] = src.name
            elif digest in added:
                self.r.note(
                    f"sources {added[digest]!r} and {src.name!r} have the same text: one document"
                )
            else:
                self.r.count("documents", matched=True)
                turns = self.s.execute(
                    select(TURN.c.start, TURN.c.end, TURN.c.case_id).where(
                        TURN.c.document_id == found
                    )
                ).all()
                self.links.unlinked(src.guid, text, [tuple(t) for t in turns], self.case_ids)
            doc = self.doc_ids[src.guid] = int(found)
            self.changes |= Changes(documents=frozenset({doc}))
            self.values("document", doc, list(src.values) + self.links.document_values(src.guid))
            sets = {
                self.attribute("document", None, f"set: {st.name}"): "yes"
                for st in self.p.sets
                if src.guid in st.sources and not st.description.startswith(KIND_SET)
            }
            if sets:
                self.changes |= set_values(self.s, scope="document", owner_id=doc, values=sets)
        self.r.lose(
            "code sets", sum(1 for st in self.p.sets if st.codes), "QualBench has no sets of codes"
        )
        self.r.lose(
            "note sets", sum(1 for st in self.p.sets if st.notes), "QualBench has no sets of memos"
        )

    def _add(self, src: model.Source, text: SourceText, kind: str | None) -> int:
        loaded = self.prep.loaded[src.guid]
        auto = loaded.turns if loaded.turns is not None else find_turns(text.text)
        turns, labels = self.links.turns(src.guid, text, auto)
        transcript = Transcript(
            text=text.text,
            turns=turns,
            source_name=clean(src.name, 1000),
            source_sha256=loaded.sha256,
            format=loaded.fmt[:16],
        )
        name = self._name(src)
        doc_id, ch = add_transcript(
            self.s, transcript, name=name, kind=kind or guess_kind(transcript, name),
            case_names=labels,
        )  # fmt: skip
        self.changes |= ch
        self.r.count("documents")
        speakers = ch.cases - set(self.case_ids.values())
        self.r.count("participants from speaker labels", len(speakers))
        if not self.s.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.uuid == src.guid)).first():
            self.s.execute(update(DOCUMENT).where(DOCUMENT.c.id == doc_id).values(uuid=src.guid))
        if src.description.strip():
            self.memo_rows.append(
                memo_row(derived_uuid("description", src.guid), "Description", src.description.strip(),
                      {"document_id": doc_id})
            )  # fmt: skip
        return doc_id

    # --- codings ----------------------------------------------------------------------------

    def codings(self) -> dict[str, list[Target]]:
        """Write the codings; returns what each note is referenced from (note guid -> targets)."""
        refs: dict[str, list[Target]] = defaultdict(list)
        rows: dict[tuple[int, int, int, int, int], NewCoding] = {}
        repeated = rounded = 0
        for src in self.p.sources:
            doc = self.doc_ids.get(src.guid)
            if doc is None:
                n = sum(len(x.codings) for x in src.selections) + len(src.codings)
                self.r.lose("codings", n, "their source was not imported")
                continue
            text = self.prep.texts[src.guid]
            for ref in src.note_refs:
                refs[ref].append(("document_id", doc))
            spans: list[tuple[model.Selection | None, Placed | str, list[model.Coding]]] = [
                (sel, text.place(sel.start, sel.end), sel.codings) for sel in src.selections
            ]
            spans.append((None, Placed(0, len(text.text), False), src.codings))
            for sel, placed, codings in spans:
                if isinstance(placed, str):
                    self.r.lose("codings", len(codings), f"their selection {placed}")
                    if sel is not None and not codings and sel.guid not in self.links.selections:
                        self.r.lose("selections without a code", 1, f"the selection {placed}")
                    continue
                if sel is not None and not codings:
                    self._uncoded(sel, doc, placed, refs)
                    continue
                rounded += placed.rounded
                first = ""
                for c in codings:
                    code = self.code_ids.get(c.code)
                    if code is None:
                        self.r.lose("codings", 1, "their code is not in the file's codebook")
                        continue
                    key = (
                        doc,
                        placed.start,
                        placed.end,
                        code,
                        self.coder(c.user or (sel.user if sel else "")),
                    )
                    repeated += key in rows
                    rows.setdefault(key, NewCoding(*key, origin="imported", uuid=c.guid))
                    self.coding_keys[c.guid] = key
                    first = first or c.guid
                    for ref in c.note_refs:
                        refs[ref].append(("coding", c.guid))
                if sel is not None and first:
                    for ref in sel.note_refs:
                        refs[ref].append(("coding", first))
                    if sel.description.strip():
                        self.comments.append((("coding", first), "Comment", sel))
        if rounded:
            self.r.note(f"{rounded} selections began or ended inside a character; rounded outwards")
        if repeated:
            self.r.note(
                f"{repeated} codings repeated in the file (same span, code, coder) imported once"
            )
        fresh = self._new_codings(rows)
        result = bulk_apply(self.s, fresh)
        self.r.count("codings", result.inserted)
        self.r.count("codings", len(rows) - result.inserted, matched=True)
        self.changes |= result.changes
        return refs

    def _new_codings(
        self, rows: dict[tuple[int, int, int, int, int], NewCoding]
    ) -> list[NewCoding]:
        """The codings the project does not have yet; one whose GUID an other coding already
        uses gets a new id (so that it is not silently dropped)."""
        have: set[tuple[int, int, int, int, int]] = set()
        for doc in {k[0] for k in rows}:
            have.update(
                (doc, a, b, c, d)
                for a, b, c, d in self.s.execute(
                    select(CODING.c.start, CODING.c.end, CODING.c.code_id, CODING.c.coder_id).where(
                        CODING.c.document_id == doc
                    )
                )
            )
        wanted = [r.uuid for k, r in rows.items() if k not in have]
        taken: set[str] = set()
        for n in range(0, len(wanted), 900):
            taken.update(
                self.s.execute(
                    select(CODING.c.uuid).where(CODING.c.uuid.in_(wanted[n : n + 900]))
                ).scalars()
            )
        return [
            NewCoding(*k, origin=r.origin, uuid="" if r.uuid in taken else r.uuid)
            for k, r in rows.items()
            if k not in have
        ]

    def _uncoded(
        self, sel: model.Selection, doc: int, placed: Placed, refs: dict[str, list[Target]]
    ) -> None:
        """A selection without a Coding: a case's turn, a comment (memo), or nothing we keep."""
        if sel.guid in self.links.selections:
            return
        if sel.description.strip():
            title = f"Comment on characters {placed.start}-{placed.end}"
            self.comments.append((("document_id", doc), title, sel))
        for ref in sel.note_refs:
            refs[ref].append(("document_id", doc))
        if not sel.description.strip() and not sel.note_refs:
            self.r.lose("selections without a code", 1, "QualBench keeps coded passages only")

    # --- memos ------------------------------------------------------------------------------

    def memos(self, refs: dict[str, list[Target]]) -> None:
        from qualbench.refi.notes import write_memos

        write_memos(self, refs)

    def project_info(self) -> None:
        info = self.s.execute(select(PROJECT.c.id, PROJECT.c.description)).first()
        if info is not None and not info.description and self.p.description.strip():
            self.s.execute(
                update(PROJECT)
                .where(PROJECT.c.id == info.id)
                .values(description=self.p.description.strip())
            )
            self.changes |= Changes(project=True)


def memo_row(uuid: str, title: str, text: str, target: dict[str, object]) -> dict[str, object]:
    now = utcnow()
    row: dict[str, object] = {
        "uuid": uuid, "document_id": None, "code_id": None, "coding_id": None, "case_id": None,
        "coder_id": None, "title": clean(title), "text": text, "created": now,
        "modified": now,
    }  # fmt: skip
    row.update(target)
    return row
