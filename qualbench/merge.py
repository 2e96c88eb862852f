"""Merge coders' project files into the lead's project.

Documents are matched by their text's hash (never by name alone); a document whose text a
coder changed slightly is matched by name and similarity, and its codings are re-anchored by
alignment (:mod:`qualbench.align`). Codes are matched by their stable id, then by path or
name; near-duplicate names are only suggestions until the lead accepts them. Codings are
deduplicated on (document, span, code, coder) and keep their ids, so merging the same file again
changes nothing. Memos keep their authors. Everything not merged is listed with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from importers import Transcript, Turn
from qualbench.changes import Changes
from qualbench.db import CODE, CODER, CODING, DOCUMENT, MEMO, META, insert_ignore, inserted_id
from qualbench.merge_source import Source, opened_source, read_source, source_turns
from qualbench.model import new_uuid, utcnow
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.services.cases import set_values
from qualbench.services.codes import code_tree, create_code
from qualbench.services.coding import NewCoding, bulk_apply
from qualbench.store import Project, ProjectError, backup_file

SAME_DOCUMENT = 0.9  # text similarity above which an edited copy is the same document
SUGGEST = 85  # rapidfuzz ratio of names above which codes are suggested as the same


@dataclass
class DocumentMatch:
    source_id: int
    name: str
    target_id: int | None
    how: str  # "same text", "edited", "new"
    similarity: float = 1.0


@dataclass
class CodeMatch:
    source_id: int
    uuid: str
    path: str
    target_id: int | None
    how: str  # "id", "path", "name", "suggested", "accepted", "new"
    suggestion: str = ""  # the target path suggested for a near-duplicate
    suggestion_id: int | None = None
    score: float = 0.0


@dataclass
class Unplaced:
    document: str
    start: int
    end: int
    code: str
    coder: str
    reason: str


@dataclass
class MergeReport:
    source: str
    documents: list[DocumentMatch] = field(default_factory=list)
    codes: list[CodeMatch] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    codings_reanchored: int = 0
    unplaced: list[Unplaced] = field(default_factory=list)
    memos_added: int = 0
    memos_present: int = 0
    memos_skipped: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    backup: str = ""
    dry_run: bool = False
    changes: Changes = field(default_factory=Changes)

    def summary(self) -> list[str]:
        docs = {
            how: sum(1 for d in self.documents if d.how == how)
            for how in ("same text", "edited", "new")
        }
        codes = {
            how: sum(1 for c in self.codes if c.how == how)
            for how in ("id", "path", "name", "accepted", "suggested", "new")
        }
        by_name = codes["path"] + codes["name"]
        return [
            f"documents: {docs['same text']} matched by text, {docs['edited']} edited copies re-anchored, "
            f"{docs['new']} new",
            f"codes: {codes['id']} by id, {by_name} by name, {codes['accepted']} accepted suggestions, "
            f"{codes['new']} new, {codes['suggested']} near-duplicates "
            + ("to decide" if self.dry_run else "kept as new codes"),
            f"codings: {self.codings_added} added ({self.codings_reanchored} re-anchored), "
            f"{self.codings_present} already present, {len(self.unplaced)} could not be placed",
            f"memos: {self.memos_added} added, {self.memos_present} already present, "
            f"{len(self.memos_skipped)} skipped",
            f"coders added: {', '.join(self.coders_added) or 'none'}; rows set aside as invalid: {len(self.rejected)}",
        ]


class SuggestionsPending(ProjectError):
    """Near-duplicate codes need the lead's decision before the merge can run; nothing was merged.
    ``report`` lists them (``how == "suggested"``)."""

    def __init__(self, report: MergeReport) -> None:
        pending = [c for c in report.codes if c.how == "suggested"]
        super().__init__(
            f"{report.source}: {len(pending)} code name(s) look like codes the project has "
            + "; ".join(f"{c.path!r} ~ {c.suggestion!r}" for c in pending[:5])
            + ("; ..." if len(pending) > 5 else "")
            + ": accept them as the same code or keep them separate"
        )
        self.report = report


ALIAS = "merge_alias:"  # meta key prefix: a source code uuid the lead accepted as a target code


def backup_target(target: Project) -> Path | None:
    """A copy of the target before a merge changes it (project files only)."""
    if target.path is None:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return backup_file(target.path, target.path.with_name(f"{target.path.name}.merge-{stamp}.bak"))


def merge_project(
    target: Project,
    source_path: str | Path,
    *,
    accept: Mapping[str, int] | None = None,
    accept_suggestions: bool = False,
    keep_separate: bool = False,
    dry_run: bool = False,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> MergeReport:
    """Merge one coder file into ``target`` in one transaction (all of it or, on error or cancel,
    none). ``dry_run`` only reports what a merge would do.

    A source code whose name is close to a target code's (a near-duplicate) is a suggestion the
    lead decides: ``accept`` maps source codes (uuid or path) to the target code ids confirmed as
    the same; ``accept_suggestions`` confirms every suggestion; ``keep_separate`` adds the rest
    as new codes. Without a decision, :class:`SuggestionsPending` is raised and nothing merged
    (a dry run reports the suggestions instead). Accepted pairs are remembered, so merging the
    same file again needs no new decision."""
    path = Path(source_path)
    if target.path is not None and path.resolve() == target.path.resolve():
        raise ProjectError(f"{path}: is the project being merged into")
    with target.read() as s:  # documents the target has need none of the source's turns
        known = set(s.execute(select(DOCUMENT.c.content_sha256)).scalars())
    with opened_source(path) as source_project:
        src = read_source(source_project, path, known_texts=known)
    report = MergeReport(source=str(path), rejected=src.rejected, dry_run=dry_run)
    try:
        with target.write() as s:
            _merge(
                s,
                src,
                report,
                accept or {},
                accept_suggestions,
                not (keep_separate or dry_run),
                progress,
                cancel,
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass  # the transaction was rolled back: the report says what a merge would do
    return report


class _DryRun(Exception):
    """Raised inside the merge transaction to roll it back after a preview."""


def _merge(
    s: Session,
    src: Source,
    report: MergeReport,
    accept: Mapping[str, int],
    accept_all: bool,
    decisions_needed: bool,
    progress: Progress,
    cancel: CancelCheck,
) -> None:
    from qualbench.align import TextAlignment

    steps = 5
    src = _as_member(s, src, report)
    progress(0, steps, "documents")
    docs, alignments = _documents(s, src, report)
    if cancel():
        raise Cancelled
    progress(1, steps, "codes")
    codes = _codes(s, src, report, accept, accept_all)
    if decisions_needed and any(c.how == "suggested" for c in report.codes):
        raise SuggestionsPending(report)  # rolls the transaction back: nothing merged
    coders = _coders(s, src, report)
    progress(2, steps, "codings")
    rows: list[NewCoding] = []
    paths = {c["id"]: c for c in src.codes}
    for c in src.codings:
        doc_id = docs.get(c["document_id"])
        if doc_id is None:
            continue
        start, end = c["start"], c["end"]
        align: TextAlignment | None = alignments.get(c["document_id"])
        if align is not None:
            place = align.place(start, end)
            if place.start is None or place.end is None:
                report.unplaced.append(
                    Unplaced(
                        src.documents[c["document_id"]]["name"],
                        start,
                        end,
                        paths[c["code_id"]]["name"],
                        src.coders[c["coder_id"]]["name"],
                        place.reason,
                    )
                )
                continue
            if (place.start, place.end) != (start, end) or place.status != "exact":
                report.codings_reanchored += 1
            start, end = place.start, place.end
        rows.append(
            NewCoding(
                doc_id,
                start,
                end,
                codes[c["code_id"]],
                coders[c["coder_id"]],
                c["origin"],
                "",
                str(c["uuid"]).lower(),
            )
        )
    if cancel():
        raise Cancelled
    result = bulk_apply(s, rows)
    report.codings_added, report.codings_present = result.inserted, result.already_present
    progress(3, steps, "memos")
    _memos(s, src, report, docs, codes, coders)
    progress(steps, steps, "done")
    report.changes = (
        Changes(
            documents=frozenset(d for d in docs.values()),
            codes=frozenset(codes.values()),
            coders=frozenset(coders.values()),
        )
        | result.changes
    )


def _as_member(s: Session, src: Source, report: MergeReport) -> Source:
    """On a team server, a coder merges their own work only: their codings and memos, on the
    documents and codes the project already has (the rest is the lead's to add, and the
    server would refuse it). What is left out is said in ``rejected``."""
    from dataclasses import replace

    from qualbench.server import me

    member = me(s)
    if member is None or member.role != "coder":
        return src
    uuid = s.execute(select(CODER.c.uuid).where(CODER.c.id == member.coder_id)).scalar()
    mine = {
        sid
        for sid, c in src.coders.items()
        if str(c["uuid"]).lower() == str(uuid).lower() or c["name"] == member.name
    }
    known_docs = set(s.execute(select(DOCUMENT.c.content_sha256)).scalars())
    docs = {d: doc for d, doc in src.documents.items() if doc["content_sha256"] in known_docs}
    known_codes = set(s.execute(select(CODE.c.uuid)).scalars())
    codes = [c for c in src.codes if str(c["uuid"]).lower() in known_codes]
    code_ids = {c["id"] for c in codes}
    codings = [
        c
        for c in src.codings
        if c["coder_id"] in mine and c["document_id"] in docs and c["code_id"] in code_ids
    ]
    others = sum(1 for c in src.codings if c["coder_id"] not in mine)
    lost = sum(1 for c in src.codings if c["coder_id"] in mine) - len(codings)
    memos = [m for m in src.memos if m["coder_id"] in mine]
    if lost:
        report.rejected.append(
            f"{lost} of your codings are on documents or codes this project does not have; "
            "only its lead can add those"
        )
    if others:
        report.rejected.append(f"{others} codings of other coders left out: you merge your own")
    return replace(
        src,
        documents=docs,
        codes=codes,
        coders={sid: c for sid, c in src.coders.items() if sid in mine},
        codings=codings,
        memos=memos,
    )


def _documents(
    s: Session, src: Source, report: MergeReport
) -> tuple[dict[int, int], dict[int, Any]]:
    from qualbench.align import TextAlignment, text_similarity

    by_hash = dict(s.execute(select(DOCUMENT.c.content_sha256, DOCUMENT.c.id)).all())
    by_name: dict[str, list[int]] = {}
    for did, name, source_name in s.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.source_name)
    ):
        for key in {name.casefold(), source_name.casefold()} - {""}:
            by_name.setdefault(key, []).append(did)
    mapping: dict[int, int] = {}
    alignments: dict[int, Any] = {}
    for sid, doc in src.documents.items():
        if doc["content_sha256"] in by_hash:
            mapping[sid] = by_hash[doc["content_sha256"]]
            report.documents.append(DocumentMatch(sid, doc["name"], mapping[sid], "same text"))
            continue
        best: tuple[float, int] | None = None
        for tid in dict.fromkeys(
            by_name.get(doc["name"].casefold(), []) + by_name.get(doc["source_name"].casefold(), [])
        ):
            text = s.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == tid)).scalar_one()
            score = text_similarity(doc["text"], text)
            if score >= SAME_DOCUMENT and (best is None or score > best[0]):
                best = (score, tid)
        if best is not None:
            text = s.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == best[1])).scalar_one()
            mapping[sid] = best[1]
            alignments[sid] = TextAlignment(doc["text"], text)
            report.documents.append(DocumentMatch(sid, doc["name"], best[1], "edited", best[0]))
            continue
        mapping[sid] = _add_document(s, src, doc)
        by_hash[doc["content_sha256"]] = mapping[sid]
        report.documents.append(DocumentMatch(sid, doc["name"], mapping[sid], "new"))
    return mapping, alignments


def _add_document(s: Session, src: Source, doc: dict[str, Any]) -> int:
    """A coder's new document, with its turns, participants (by name) and attributes."""
    from qualbench.services.documents import add_transcript

    turns = source_turns(src, doc["id"])
    transcript = Transcript(
        text=doc["text"],
        turns=tuple(
            Turn(t["start"], t["body_start"], t["end"], t["speaker"], t["timestamp_ms"])
            for t in turns
        ),
        source_name=doc["source_name"],
        source_sha256=doc["source_sha256"],
        format=doc["format"],
    )
    names = {
        t["speaker"]: src.cases[t["case_id"]]["name"] for t in turns if t["case_id"] in src.cases
    }
    doc_id, _ = add_transcript(s, transcript, name=doc["name"], kind=doc["kind"], case_names=names)
    from sqlalchemy import select as _select

    from qualbench.db import CASES

    for speaker, case_name in names.items():
        values = next(
            (src.case_values.get(t["case_id"], {}) for t in turns if t["speaker"] == speaker), {}
        )
        case_id = s.execute(_select(CASES.c.id).where(CASES.c.name == case_name)).scalar()
        if values and case_id is not None:
            set_values(s, scope="case", owner_id=int(case_id), values=values)
    if src.document_values.get(doc["id"]):
        set_values(s, scope="document", owner_id=doc_id, values=src.document_values[doc["id"]])
    return doc_id


def _codes(
    s: Session, src: Source, report: MergeReport, accept: Mapping[str, int], accept_all: bool
) -> dict[int, int]:
    from rapidfuzz import fuzz, process

    nodes = code_tree(s)
    by_uuid = {n.uuid: n for n in nodes}
    by_path = {n.path.casefold(): n for n in nodes}
    by_name: dict[str, list[Any]] = {}
    for n in nodes:
        by_name.setdefault(n.name.casefold(), []).append(n)
    names = [n.name for n in nodes]
    by_id = {n.id: n for n in nodes}
    for key, target_id in accept.items():
        if int(target_id) not in by_id:
            raise ProjectError(
                f"accepted code {key!r}: code {target_id} does not exist in the project"
            )
    aliases = {
        k[len(ALIAS) :]: v
        for k, v in s.execute(select(META.c.key, META.c.value).where(META.c.key.like(ALIAS + "%")))
    }
    mapping: dict[int, int] = {}
    paths: dict[int, str] = {}
    for c in src.codes:
        parent = c["parent_id"]
        path = c["name"] if parent is None else f"{paths[parent]} > {c['name']}"
        paths[c["id"]] = path
        uuid = str(c["uuid"]).lower()
        match = CodeMatch(c["id"], uuid, path, None, "new")
        chosen = accept.get(uuid, accept.get(path))
        if uuid in by_uuid:
            match.target_id, match.how = by_uuid[uuid].id, "id"
        elif aliases.get(uuid) in by_uuid:
            twin = by_uuid[aliases[uuid]]
            match.target_id, match.how, match.suggestion = twin.id, "accepted", twin.path
        elif chosen is not None:
            twin = by_id[int(chosen)]
            match.target_id, match.how, match.suggestion = twin.id, "accepted", twin.path
            _remember(s, uuid, twin.uuid)
        elif path.casefold() in by_path:
            match.target_id, match.how = by_path[path.casefold()].id, "path"
        elif len(by_name.get(c["name"].casefold(), [])) == 1:
            match.target_id, match.how = by_name[c["name"].casefold()][0].id, "name"
        else:
            found = (
                process.extractOne(c["name"], names, scorer=fuzz.ratio, score_cutoff=SUGGEST)
                if names
                else None
            )
            if found is not None:
                twin = nodes[found[2]]
                match.suggestion, match.suggestion_id, match.score = (
                    twin.path,
                    twin.id,
                    float(found[1]),
                )
                if accept_all:
                    match.target_id, match.how = twin.id, "accepted"
                    _remember(s, uuid, twin.uuid)
                else:
                    match.how = "suggested"
        if match.target_id is None:
            parent_id = mapping.get(parent) if parent is not None else None
            taken = s.execute(select(CODE.c.id).where(CODE.c.uuid == uuid)).first() is not None
            match.target_id, _ = create_code(
                s, name=_free_name(s, c["name"], parent_id), parent_id=parent_id, color=c["color"],
                definition=c["definition"], inclusion=c["inclusion"], exclusion=c["exclusion"], example=c["example"],
                keywords=c["keywords"], uuid=None if taken else uuid,
            )  # fmt: skip
            if match.how == "new":
                by_uuid[uuid] = next(n for n in code_tree(s) if n.id == match.target_id)
        mapping[c["id"]] = int(match.target_id)
        report.codes.append(match)
    return mapping


def _remember(s: Session, source_uuid: str, target_uuid: str) -> None:
    s.execute(META.delete().where(META.c.key == ALIAS + source_uuid))
    s.execute(META.insert().values(key=ALIAS + source_uuid, value=target_uuid))


def _free_name(s: Session, name: str, parent_id: int | None) -> str:
    """The name, or "name (2)" when a sibling already has it (a suggestion the lead rejected)."""
    cond = CODE.c.parent_id.is_(None) if parent_id is None else CODE.c.parent_id == parent_id
    taken = {n.casefold() for n in s.execute(select(CODE.c.name).where(cond)).scalars()}
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def _coders(s: Session, src: Source, report: MergeReport) -> dict[int, int]:
    by_uuid = dict(s.execute(select(CODER.c.uuid, CODER.c.id)).all())
    by_name = dict(s.execute(select(CODER.c.name, CODER.c.id)).all())
    mapping: dict[int, int] = {}
    for sid, c in src.coders.items():
        uuid = str(c["uuid"]).lower()
        if uuid in by_uuid:
            mapping[sid] = by_uuid[uuid]
        elif c["name"] in by_name:
            mapping[sid] = by_name[c["name"]]
        else:
            result = s.execute(
                CODER.insert().values(
                    uuid=uuid if uuid not in by_uuid else new_uuid(),
                    name=c["name"],
                    created=utcnow(),
                )
            )
            mapping[sid] = inserted_id(result)
            by_name[c["name"]], by_uuid[uuid] = mapping[sid], mapping[sid]
            report.coders_added.append(c["name"])
    return mapping


def _memos(
    s: Session,
    src: Source,
    report: MergeReport,
    docs: dict[int, int],
    codes: dict[int, int],
    coders: dict[int, int],
) -> None:
    present = set(s.execute(select(MEMO.c.uuid)).scalars())
    source_codings = {c["id"]: str(c["uuid"]).lower() for c in src.codings}
    # only the codings memos are about need their target ids
    wanted = list(
        dict.fromkeys(
            source_codings[m["coding_id"]] for m in src.memos if m["coding_id"] in source_codings
        )
    )
    target_codings: dict[str, int] = {}
    for i in range(0, len(wanted), 900):
        target_codings.update(
            s.execute(
                select(CODING.c.uuid, CODING.c.id).where(CODING.c.uuid.in_(wanted[i : i + 900]))
            ).all()
        )
    case_names = {cid: c["name"] for cid, c in src.cases.items()}
    from qualbench.db import CASES

    target_cases = dict(s.execute(select(CASES.c.name, CASES.c.id)).all())
    rows = []
    for m in src.memos:
        uuid = str(m["uuid"]).lower()
        if uuid in present:
            report.memos_present += 1
            continue
        target: dict[str, int | None] = {
            "document_id": None,
            "code_id": None,
            "coding_id": None,
            "case_id": None,
        }
        if m["document_id"] is not None:
            target["document_id"] = docs.get(m["document_id"])
        elif m["code_id"] is not None:
            target["code_id"] = codes.get(m["code_id"])
        elif m["coding_id"] is not None:
            target["coding_id"] = target_codings.get(source_codings.get(m["coding_id"], ""))
        elif m["case_id"] is not None:
            target["case_id"] = target_cases.get(case_names.get(m["case_id"], ""))
        if any(m[k] is not None for k in target) and all(v is None for v in target.values()):
            report.memos_skipped.append(f"memo {uuid}: what it is about was not merged")
            continue
        rows.append(
            {
                "uuid": uuid, **target, "coder_id": coders.get(m["coder_id"]) if m["coder_id"] is not None else None,
                "title": str(m["title"] or "")[:400], "text": m["text"], "created": m["created"] or utcnow(),
                "modified": m["modified"] or utcnow(),
            }
        )  # fmt: skip
    before = s.execute(select(func.count()).select_from(MEMO)).scalar_one()
    insert_ignore(s, MEMO, rows)
    report.memos_added = s.execute(select(func.count()).select_from(MEMO)).scalar_one() - before
    report.memos_present += len(rows) - report.memos_added


def merge_many(
    target: Project,
    sources: Sequence[str | Path],
    *,
    accept: Mapping[str, int] | None = None,
    accept_suggestions: bool = False,
    keep_separate: bool = False,
    dry_run: bool = False,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> list[MergeReport]:
    """Merge several coder files, backing the target up once first; each file is its own
    transaction, so a failure or cancel keeps the files merged before it."""
    for candidate in map(Path, sources):  # refuse a wrong list before touching anything
        if target.path is not None and candidate.resolve() == target.path.resolve():
            raise ProjectError(f"{candidate}: is the project being merged into")
        if not candidate.is_file():
            raise ProjectError(f"{candidate}: no such project file")
    backup = None if dry_run else backup_target(target)
    reports = []
    for n, path in enumerate(sources):
        if cancel():
            break
        progress(n, len(sources), Path(path).name)
        report = merge_project(
            target,
            path,
            accept=accept,
            accept_suggestions=accept_suggestions,
            keep_separate=keep_separate,
            dry_run=dry_run,
            cancel=cancel,
        )
        report.backup = str(backup or "")
        reports.append(report)
    progress(len(reports), len(sources), "done")
    return reports
