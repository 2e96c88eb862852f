"""The per-document language analysis kept in the project (``text_analysis``, schema 4).

Computed once per document and pipeline, in batches with progress and cancel; each batch is
committed on its own, so a cancelled or killed run keeps what it finished and the next run
goes on from there. Search, word frequencies and auto-coding read it back as `DocTokens`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, delete, or_, select

from qualbench.db import DOCUMENT, PROJECT, TEXT_ANALYSIS, insert_rows
from qualbench.model import utcnow
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from sqlmodel import Session

    from qualbench.nlp.pipeline import Packed
    from qualbench.store import Project

# Worker processes pay off only on large jobs: each one loads spaCy (a few seconds).
PARALLEL_FROM_WORDS = 400_000
_BATCH_DOCS = 32
_BATCH_CHARS = 4_000_000


@dataclass(frozen=True)
class DocTokens:
    """One document's stored analysis: token and sentence spans in code points, lemmas."""

    document_id: int
    pipeline: str
    spans: npt.NDArray[np.int32]  # (tokens, 2): start, end
    sentences: npt.NDArray[np.int32]  # (sentences, 2)
    lemmas: str  # one per token, joined by newlines
    stops: bytes  # 1 per stop-word token

    @property
    def count(self) -> int:
        return len(self.spans)

    @cached_property
    def lemma_list(self) -> list[str]:
        return self.lemmas.split("\n") if self.count else []


@dataclass
class AnalysisRun:
    """What `analyse_project` did."""

    pipeline: str
    analysed: int = 0  # documents analysed now
    up_to_date: int = 0  # documents whose analysis was already there
    words: int = 0  # words (tokens) in the documents analysed now
    seconds: float = 0.0
    processes: int = 1
    cancelled: bool = False
    documents: list[str] = field(default_factory=list)  # names of the documents analysed now


def project_language(session: Session) -> str:
    lang = session.execute(select(PROJECT.c.language)).scalar()
    return str(lang or "en")


def missing(
    session: Session, pipeline: str | None = None, document_ids: Sequence[int] = ()
) -> list[int]:
    """Documents (of ``document_ids``, default all), in project order, with no analysis by
    ``pipeline`` (None: with none at all; this does not load spaCy)."""
    lacking: ColumnElement[bool] = TEXT_ANALYSIS.c.document_id.is_(None)
    if pipeline is not None:
        lacking = or_(lacking, TEXT_ANALYSIS.c.pipeline != pipeline)
    stmt = (
        select(DOCUMENT.c.id)
        .outerjoin(TEXT_ANALYSIS, TEXT_ANALYSIS.c.document_id == DOCUMENT.c.id)
        .where(lacking)
        .order_by(DOCUMENT.c.position, DOCUMENT.c.id)
    )
    ids = list(session.execute(stmt).scalars())
    if document_ids:
        wanted = set(document_ids)
        ids = [i for i in ids if i in wanted]
    return ids


def unanalysed(session: Session, document_ids: Sequence[int] = ()) -> list[int]:
    """Documents with no stored analysis at all (by any pipeline)."""
    return missing(session, None, document_ids)


def analyse_project(
    project: Project,
    *,
    document_ids: Sequence[int] = (),
    force: bool = False,
    processes: int | None = None,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> AnalysisRun:
    """Analyse the documents (default: all) that have no analysis by the current pipeline.

    ``force`` analyses them again anyway. ``processes`` (default: up to the machine's cores for
    large jobs, else 1) sets the worker processes. Cancel stops after the batch in progress;
    finished batches stay saved and ``cancelled`` is set on the result.
    """
    from qualbench.nlp.pipeline import analyse_packed, pipeline_name

    started = time.perf_counter()
    with project.read() as s:
        lang = project_language(s)
    name = pipeline_name(lang)
    with project.read() as s:
        words = dict(
            s.execute(
                select(DOCUMENT.c.id, DOCUMENT.c.word_count).order_by(
                    DOCUMENT.c.position, DOCUMENT.c.id
                )
            ).all()
        )
        chosen = set(document_ids)
        wanted = [d for d in words if d in chosen] if chosen else list(words)
        todo = wanted if force else missing(s, name, wanted)
    total_words = sum(words[d] for d in todo)
    if processes is None:
        processes = min(os.cpu_count() or 1, 4) if total_words >= PARALLEL_FROM_WORDS else 1
    run = AnalysisRun(pipeline=name, processes=processes, up_to_date=len(wanted) - len(todo))
    if not todo:
        run.seconds = time.perf_counter() - started
        return run
    names: dict[int, str] = {}
    texts = _texts(project, todo, names)
    packed = analyse_packed(
        texts,
        lang=lang,
        batch_size=_BATCH_DOCS,
        processes=processes,
        progress=lambda d, t, _: progress(d, len(todo), "Analysing documents"),
        cancel=cancel,
    )
    pending: list[tuple[int, Packed]] = []
    chars = 0
    try:
        for doc_id, result in zip(todo, packed, strict=False):
            pending.append((doc_id, result))
            chars += len(result.lemmas)
            if len(pending) >= _BATCH_DOCS or chars >= _BATCH_CHARS:
                _save(project, pending, name, run, names)
                pending, chars = [], 0
    except Cancelled:
        run.cancelled = True
    if pending:
        _save(project, pending, name, run, names)
    run.seconds = time.perf_counter() - started
    return run


def _texts(project: Project, ids: Sequence[int], names: dict[int, str]) -> Iterator[str]:
    """Document texts in ``ids`` order, read a few at a time (all of them may not fit)."""
    for i in range(0, len(ids), _BATCH_DOCS):
        chunk = ids[i : i + _BATCH_DOCS]
        with project.read() as s:
            rows = {
                d: (n, t)
                for d, n, t in s.execute(
                    select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.text).where(
                        DOCUMENT.c.id.in_(chunk)
                    )
                )
            }
        for d in chunk:
            names[d] = rows[d][0]
            yield rows[d][1]


def _save(
    project: Project,
    done: list[tuple[int, Packed]],
    pipeline: str,
    run: AnalysisRun,
    names: dict[int, str],
) -> None:
    ids = [d for d, _ in done]
    now = utcnow()
    with project.write() as s:
        s.execute(delete(TEXT_ANALYSIS).where(TEXT_ANALYSIS.c.document_id.in_(ids)))
        insert_rows(
            s,
            TEXT_ANALYSIS,
            [
                {
                    "document_id": d,
                    "pipeline": pipeline,
                    "token_count": p.count,
                    "tokens": p.tokens,
                    "sentences": p.sentences,
                    "lemmas": p.lemmas,
                    "stops": p.stops,
                    "created": now,
                }
                for d, p in done
            ],
        )
    run.analysed += len(done)
    run.words += sum(p.count for _, p in done)
    run.documents.extend(names.get(d, str(d)) for d in ids)


def load_tokens(
    session: Session, document_ids: Sequence[int] | None = None
) -> dict[int, DocTokens]:
    """The stored analyses of ``document_ids`` (default: every analysed document)."""
    import numpy as np

    stmt = select(
        TEXT_ANALYSIS.c.document_id,
        TEXT_ANALYSIS.c.pipeline,
        TEXT_ANALYSIS.c.tokens,
        TEXT_ANALYSIS.c.sentences,
        TEXT_ANALYSIS.c.lemmas,
        TEXT_ANALYSIS.c.stops,
    )
    out: dict[int, DocTokens] = {}
    chunks: list[Sequence[int] | None] = [None]
    if document_ids is not None:
        ids = list(document_ids)
        chunks = [ids[i : i + 900] for i in range(0, len(ids), 900)]
    for chunk in chunks:
        where = stmt if chunk is None else stmt.where(TEXT_ANALYSIS.c.document_id.in_(chunk))
        for d, pipe, tokens, sents, lemmas, stops in session.execute(where):
            out[d] = DocTokens(
                document_id=d,
                pipeline=pipe,
                spans=np.frombuffer(bytes(tokens), dtype="<i4").reshape(-1, 2),
                sentences=np.frombuffer(bytes(sents), dtype="<i4").reshape(-1, 2),
                lemmas=lemmas,
                stops=bytes(stops),
            )
    return out


def drop_analysis(project: Project) -> int:
    """Forget every stored analysis (it is derived data); returns how many were dropped."""
    with project.write() as s:
        return int(getattr(s.execute(delete(TEXT_ANALYSIS)), "rowcount", 0) or 0)
