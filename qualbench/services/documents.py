"""Import transcripts into a project (a few whole documents per transaction) and look documents up."""

from __future__ import annotations

import contextlib
import json
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, update
from sqlmodel import Session

from importers import ImportProblem, Transcript, find_files, read_transcripts
from qualbench.changes import Changes
from qualbench.db import DOCUMENT, TURN, insert_rows, inserted_id
from qualbench.model import KINDS, new_uuid, utcnow
from qualbench.progress import CancelCheck, Progress, never, no_progress
from qualbench.services.cases import case_name_for, ensure_cases, role_of
from qualbench.store import Project

CASE_SCOPES = ("document", "project")


@dataclass(frozen=True)
class ImportedFile:
    path: str
    document_id: int
    name: str
    kind: str
    turns: int
    speakers: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Duplicate:
    path: str
    existing: str  # name of the document with the same text


@dataclass(frozen=True)
class Failure:
    path: str
    reason: str


@dataclass
class ImportReport:
    """What a folder/file import did: imported, duplicate (skipped), failed (with reasons)."""

    total: int = 0
    imported: list[ImportedFile] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    cancelled: bool = False
    changes: Changes = field(default_factory=Changes)


_FG_NAME = re.compile(r"(^|[^a-z])(fg|focus)", re.IGNORECASE)
_INTERVIEW_NAME = re.compile(r"interview", re.IGNORECASE)


def guess_kind(transcript: Transcript, name: str) -> str:
    """interview / focus_group / other, from the file name or the number of speakers."""
    if _FG_NAME.search(name):
        return "focus_group"
    if _INTERVIEW_NAME.search(name):
        return "interview"
    participants = [s for s in transcript.speakers if role_of(s) == "participant"]
    if len(participants) >= 3:
        return "focus_group"
    if transcript.speakers:
        return "interview"
    return "other"


def _unique_name(session: Session, wanted: str) -> str:
    taken = set(
        session.execute(
            select(DOCUMENT.c.name).where(DOCUMENT.c.name.like(wanted.replace("%", "") + "%"))
        ).scalars()
    )
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted} ({n})" in taken:
        n += 1
    return f"{wanted} ({n})"


def _name_for(session: Session, path: Path) -> str:
    """The file's name without extension; if a document already has it, the folder tells them
    apart ("int1 (siteB)") before a number does."""
    stem = unicodedata.normalize("NFC", path.stem)
    taken = session.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.name == stem)).first()
    folder = unicodedata.normalize("NFC", path.parent.name)
    return f"{stem} ({folder})" if taken is not None and folder else stem


def find_by_content(session: Session, content_sha256: str) -> tuple[int, str] | None:
    row = session.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.name).where(DOCUMENT.c.content_sha256 == content_sha256)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


_TURN_CHUNK = 20_000


def count_words(text: str) -> int:
    """Whitespace-separated words, counted a megabyte at a time (``text.split()`` on a 50 MB
    transcript would hold millions of strings at once)."""
    n, pos, size = 0, 0, 1 << 20
    while pos < len(text):
        end = min(len(text), pos + size)
        while end < len(text) and not text[end].isspace():
            end += 1
        n += len(text[pos:end].split())
        pos = end
    return n


def add_transcript(
    session: Session,
    transcript: Transcript,
    *,
    name: str | None = None,
    kind: str | None = None,
    case_scope: str = "document",
    case_names: Mapping[str, str] | None = None,
) -> tuple[int, Changes]:
    """Store one transcript as a document with its turns and participants (caller's transaction).

    ``case_names`` names the participant of a speaker label (a merge keeps the coder's names);
    other speakers get the name ``case_scope`` gives them."""
    if case_scope not in CASE_SCOPES:
        raise ValueError(f"case scope must be one of {CASE_SCOPES}")
    doc_name = _unique_name(session, name or Path(transcript.source_name).stem or "document")
    kind = kind or guess_kind(transcript, doc_name)
    if kind not in KINDS:
        raise ValueError(f"document kind must be one of {', '.join(KINDS)}")
    position = (
        session.execute(select(func.coalesce(func.max(DOCUMENT.c.position), 0))).scalar_one() + 1
    )
    result = session.execute(
        DOCUMENT.insert().values(
            uuid=new_uuid(),
            name=doc_name,
            kind=kind,
            source_name=transcript.source_name,
            source_sha256=transcript.source_sha256,
            content_sha256=transcript.content_sha256,
            format=transcript.format,
            text=transcript.text,
            char_count=len(transcript.text),
            word_count=count_words(transcript.text),
            position=position,
            metadata_json=json.dumps(dict(transcript.metadata), ensure_ascii=False),
            imported=utcnow(),
        )
    )
    doc_id = inserted_id(result)
    case_ids = ensure_cases(
        session,
        {
            s: (case_names or {}).get(s)
            or case_name_for(s, document_name=doc_name, scope=case_scope)
            for s in transcript.speakers
        },
    )
    turns = transcript.turns
    for first in range(0, len(turns), _TURN_CHUNK):  # chunks keep a 50 MB transcript's memory low
        insert_rows(
            session,
            TURN,
            [
                {
                    "document_id": doc_id,
                    "ordinal": i,
                    "start": t.start,
                    "body_start": t.body_start,
                    "end": t.end,
                    "speaker": t.speaker,
                    "case_id": case_ids[t.speaker],
                    "timestamp_ms": t.timestamp_ms,
                }
                for i, t in enumerate(turns[first : first + _TURN_CHUNK], start=first)
            ],
        )
    return doc_id, Changes(documents=frozenset({doc_id}), cases=frozenset(case_ids.values()))


def import_files(
    project: Project,
    paths: Iterable[str | Path],
    *,
    kind: str | None = None,
    case_scope: str = "document",
    recursive: bool = True,
    workers: int = 1,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> ImportReport:
    """Import files and folders; each document is committed on its own, so a crash or a cancel
    keeps every document already imported and never leaves half of one.

    Files with the same text as a document already in the project are skipped (noted in the
    report); a file that cannot be read is reported with its reason and the rest go on.
    ``workers > 1`` reads files in that many processes meanwhile (see
    :func:`importers.read_transcripts` for when that is safe).
    """
    files, unsupported = find_files(paths, recursive=recursive)
    report = ImportReport(total=len(files), unsupported=[str(p) for p in unsupported])
    reading = read_transcripts(files, workers=workers)
    with _Batches(project) as batches:
        for done, (path, transcript) in enumerate(reading):
            if cancel():
                report.cancelled = True
                reading.close()
                break
            progress(done, len(files), path.name)
            if isinstance(transcript, ImportProblem):
                report.failed.append(Failure(str(path), transcript.reason))
                continue
            session = batches.session(len(transcript.text))
            existing = find_by_content(session, transcript.content_sha256)
            if existing is not None:
                report.duplicates.append(Duplicate(str(path), existing[1]))
                continue
            doc_id, changes = add_transcript(
                session, transcript, name=_name_for(session, path), kind=kind, case_scope=case_scope
            )
            name, doc_kind = session.execute(
                select(DOCUMENT.c.name, DOCUMENT.c.kind).where(DOCUMENT.c.id == doc_id)
            ).one()
            report.changes |= changes
            report.imported.append(
                ImportedFile(
                    str(path),
                    doc_id,
                    name,
                    doc_kind,
                    len(transcript.turns),
                    len(transcript.speakers),
                    transcript.warnings,
                )
            )
        else:
            progress(len(files), len(files), "done")
    return report


class _Batches:
    """Transactions of a few whole documents each: small files are committed together (one
    fsync per batch, not per file), a large one alone; a crash loses at most the batch in
    flight, never part of a document. Leaving the block commits what is pending."""

    MAX_CHARS = 2_000_000
    MAX_DOCUMENTS = 25
    MAX_SECONDS = 0.5

    def __init__(self, project: Project) -> None:
        self.project = project
        self._stack: contextlib.ExitStack | None = None
        self._session: Session | None = None
        self._chars = self._docs = 0
        self._started = 0.0

    def session(self, chars: int) -> Session:
        """The session to store the next document (of ``chars`` characters) in."""
        if self._session is not None and (
            self._chars + chars > self.MAX_CHARS
            or self._docs >= self.MAX_DOCUMENTS
            or time.monotonic() - self._started > self.MAX_SECONDS
        ):
            self.commit()
        if self._session is None:
            self._stack = contextlib.ExitStack()
            self._session = self._stack.enter_context(self.project.write())
            self._chars = self._docs = 0
            self._started = time.monotonic()
        self._chars += chars
        self._docs += 1
        return self._session

    def commit(self) -> None:
        if self._stack is not None:
            stack, self._stack, self._session = self._stack, None, None
            stack.close()

    def __enter__(self) -> _Batches:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if self._stack is None:
            return
        stack, self._stack, self._session = self._stack, None, None
        if exc is None:
            stack.close()
        else:
            stack.__exit__(type(exc), exc, exc.__traceback__)  # roll the batch back


@dataclass(frozen=True)
class DocumentRow:
    id: int
    uuid: str
    name: str
    kind: str
    source_name: str
    char_count: int
    word_count: int
    turns: int
    speakers: int
    codings: int
    imported: str


def list_documents(session: Session) -> list[DocumentRow]:
    """Every document with its counts, in project order."""
    from qualbench.db import CODING

    turns = dict(
        session.execute(select(TURN.c.document_id, func.count()).group_by(TURN.c.document_id)).all()
    )
    speakers = dict(
        session.execute(
            select(TURN.c.document_id, func.count(func.distinct(TURN.c.speaker))).group_by(
                TURN.c.document_id
            )
        ).all()
    )
    codings = dict(
        session.execute(
            select(CODING.c.document_id, func.count()).group_by(CODING.c.document_id)
        ).all()
    )
    rows = session.execute(
        select(
            DOCUMENT.c.id,
            DOCUMENT.c.uuid,
            DOCUMENT.c.name,
            DOCUMENT.c.kind,
            DOCUMENT.c.source_name,
            DOCUMENT.c.char_count,
            DOCUMENT.c.word_count,
            DOCUMENT.c.imported,
        ).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
    )
    return [
        DocumentRow(
            r.id,
            r.uuid,
            r.name,
            r.kind,
            r.source_name,
            r.char_count,
            r.word_count,
            turns.get(r.id, 0),
            speakers.get(r.id, 0),
            codings.get(r.id, 0),
            r.imported.isoformat(timespec="seconds"),
        )
        for r in rows
    ]


class NotFound(LookupError):
    """A document, code, coder or case named by the user does not exist (message says which)."""


def resolve_document(session: Session, ref: str) -> int:
    """A document id from its name, source file name, uuid or numeric id."""
    ref = unicodedata.normalize("NFC", ref.strip())
    for column in (DOCUMENT.c.name, DOCUMENT.c.uuid, DOCUMENT.c.source_name):
        found = session.execute(select(DOCUMENT.c.id).where(column == ref)).scalars().all()
        if len(found) == 1:
            return int(found[0])
    if ref.isdigit():
        found_id = session.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.id == int(ref))).scalar()
        if found_id is not None:
            return int(found_id)
    raise NotFound(f"no document {ref!r} in the project")


def document_text(session: Session, document_id: int) -> str:
    return str(
        session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)).scalar_one()
    )


def set_kind(session: Session, document_ids: Sequence[int], kind: str) -> Changes:
    if kind not in KINDS:
        raise ValueError(f"document kind must be one of {', '.join(KINDS)}")
    session.execute(update(DOCUMENT).where(DOCUMENT.c.id.in_(list(document_ids))).values(kind=kind))
    return Changes(documents=frozenset(document_ids))
