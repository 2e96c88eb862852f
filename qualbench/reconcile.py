"""Reconciliation: a consensus layer, a coder of its own, built from the coders' codings.

The lead starts a consensus for some coders and options (unit, codes, documents). The consensus
coder is seeded with every unit all the coders coded alike; each disagreement (a unit where
some coders applied a code and others did not) is then decided: take coder A's codings, B's,
both, or neither. A decision rewrites the consensus codings of that code inside that unit only,
and is recorded (who decided, what was taken) so the list shows progress. The coders' own
codings are never touched. Each decision is one transaction (undoable through
:func:`qualbench.undo.decide`), so progress is saved as it goes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from sqlalchemy import and_, select, update
from sqlmodel import Session

from qualbench.agreement.compute import AgreementOptions, agreement
from qualbench.changes import Changes
from qualbench.db import CODER, CODING, DECISION, DOCUMENT, META, inserted_id
from qualbench.model import new_uuid, utcnow
from qualbench.progress import CancelCheck, Progress, never, no_progress
from qualbench.services import coding as coding_svc
from qualbench.services.codes import code_paths
from qualbench.services.coding import CodingError, NewCoding, bulk_apply, get_or_create_coder
from qualbench.services.documents import NotFound

CONSENSUS = "consensus"
_META_PREFIX = "consensus:"  # meta key holding the options a consensus was started with

Span = tuple[int, int]


@dataclass(frozen=True)
class CoderCoding:
    coder: str
    coding_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Item:
    """One disagreement: a unit of a document where coders differ about one code."""

    document_id: int
    document: str
    start: int
    end: int
    code_id: int
    code: str
    coded_by: tuple[str, ...]
    not_coded_by: tuple[str, ...]
    codings: tuple[CoderCoding, ...]  # each coder's codings of the code that reach the unit
    chosen: tuple[str, ...] | None  # the coders taken (() = neither); None while undecided


@dataclass
class Reconciliation:
    consensus: str
    consensus_id: int
    options: AgreementOptions
    items: list[Item]

    @property
    def decided(self) -> int:
        return sum(1 for i in self.items if i.chosen is not None)


# --- spans ----------------------------------------------------------------------------------


def _union(spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    for a, z in sorted(s for s in spans if s[0] < s[1]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], z))
        else:
            out.append((a, z))
    return out


def _minus(spans: Sequence[Span], region: Span, text: str) -> list[Span]:
    """Spans without ``region``; a piece cut off loses the white space left at its cut end."""
    ra, rz = region
    out: list[Span] = []
    for a, z in spans:
        if z <= ra or a >= rz:
            out.append((a, z))
            continue
        if a < ra:
            end = ra
            while end > a and text[end - 1].isspace():
                end -= 1
            if a < end:
                out.append((a, end))
        if z > rz:
            begin = rz
            while begin < z and text[begin].isspace():
                begin += 1
            if begin < z:
                out.append((begin, z))
    return out


def _join(spans: list[Span], bridges: Sequence[Span], text: str) -> list[Span]:
    """Join neighbouring spans whose gap is only white space inside one of ``bridges`` (a coder's
    coding that ran across it), so two decided sentences of one coding become one coding again."""
    out: list[Span] = []
    for a, z in spans:
        gap = (out[-1][1], a) if out else (0, 0)
        if (
            out
            and not text[gap[0] : gap[1]].strip()
            and any(b <= gap[0] and gap[1] <= e for b, e in bridges)
        ):
            out[-1] = (out[-1][0], z)
        else:
            out.append((a, z))
    return out


def _clip(spans: Sequence[Span], region: Span) -> list[Span]:
    return [
        (max(a, region[0]), min(z, region[1])) for a, z in spans if a < region[1] and z > region[0]
    ]


# --- the consensus coder -------------------------------------------------------------------------


def _options_json(options: AgreementOptions) -> str:
    return json.dumps(asdict(options))


def saved_options(session: Session, consensus: str) -> AgreementOptions | None:
    """The options a consensus was started with (None if there is no such consensus)."""
    raw = session.execute(
        select(META.c.value).where(META.c.key == _META_PREFIX + consensus)
    ).scalar()
    if not raw:
        return None
    known = {f.name for f in fields(AgreementOptions)}
    kwargs: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(raw).items() if k in known
    }
    return AgreementOptions(**kwargs)


def consensus_names(session: Session) -> list[str]:
    keys = session.execute(select(META.c.key).where(META.c.key.like(_META_PREFIX + "%"))).scalars()
    return sorted(k[len(_META_PREFIX) :] for k in keys)


def start_consensus(
    session: Session,
    options: AgreementOptions,
    *,
    name: str = CONSENSUS,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> tuple[int, Changes]:
    """Create the consensus coder ``name`` for ``options`` and seed it with the units every coder
    coded alike (the union of their codings inside each such unit). A consensus that exists
    already is reused with its decisions, and its options are updated."""
    name = " ".join(name.split())
    if not name:
        raise CodingError("the consensus needs a name")
    if name in options.coders:
        raise CodingError(f"the consensus cannot be one of the coders compared ({name!r})")
    existing = session.execute(select(CODER.c.id).where(CODER.c.name == name)).scalar()
    key = _META_PREFIX + name
    if existing is not None:
        if session.execute(select(META.c.key).where(META.c.key == key)).first() is None:
            raise CodingError(f"{name!r} is a coder, not a consensus; choose another name")
        session.execute(update(META).where(META.c.key == key).values(value=_options_json(options)))
        return int(existing), Changes()
    report = agreement(
        session,
        replace(options, intervals=False),
        progress=progress,
        cancel=cancel,
        keep_agreed=True,
    )
    consensus_id, changes = get_or_create_coder(session, name)
    session.execute(META.insert().values(key=key, value=_options_json(options)))
    sources = _coder_codings(session, options, [a[0] for a in report.agreed or []])
    texts = dict(
        session.execute(
            select(DOCUMENT.c.id, DOCUMENT.c.text).where(
                DOCUMENT.c.id.in_({a[0] for a in report.agreed or []})
            )
        ).all()
    )
    rows: list[NewCoding] = []
    by_doc_code: dict[tuple[int, int], list[Span]] = {}
    for doc, a, z, code in report.agreed or []:
        spans = [(c.start, c.end) for c in sources.get((doc, code), [])]
        by_doc_code.setdefault((doc, code), []).extend(_clip(spans, (a, z)))
    for (doc, code), spans in by_doc_code.items():
        bridges = [(c.start, c.end) for c in sources.get((doc, code), [])]
        for a, z in _join(_union(spans), bridges, texts[doc]):
            rows.append(NewCoding(doc, a, z, code, consensus_id))
    result = bulk_apply(session, rows)
    return consensus_id, changes | result.changes


def _coder_codings(
    session: Session, options: AgreementOptions, document_ids: Sequence[int]
) -> dict[tuple[int, int], list[CoderCoding]]:
    """The compared coders' codings, by (document, code)."""
    names = dict(
        session.execute(
            select(CODER.c.id, CODER.c.name).where(CODER.c.name.in_(options.coders))
        ).all()
    )
    where = and_(CODING.c.coder_id.in_(list(names)), CODING.c.origin.in_(list(options.origins)))
    docs = sorted(set(document_ids))
    out: dict[tuple[int, int], list[CoderCoding]] = {}
    for i in range(0, len(docs), 900):
        for cid, doc, code, coder, a, z in session.execute(
            select(
                CODING.c.id,
                CODING.c.document_id,
                CODING.c.code_id,
                CODING.c.coder_id,
                CODING.c.start,
                CODING.c.end,
            ).where(and_(where, CODING.c.document_id.in_(docs[i : i + 900])))
        ):
            out.setdefault((doc, code), []).append(CoderCoding(names[coder], cid, a, z))
    return out


def _consensus_id(session: Session, name: str) -> int:
    if session.execute(select(META.c.key).where(META.c.key == _META_PREFIX + name)).first() is None:
        raise NotFound(f"no consensus {name!r} in the project; start one first")
    found = session.execute(select(CODER.c.id).where(CODER.c.name == name)).scalar()
    if found is None:
        raise NotFound(f"no consensus {name!r} in the project; start one first")
    return int(found)


def decisions(
    session: Session, consensus: str = CONSENSUS
) -> dict[tuple[int, int, int, int], tuple[str, ...]]:
    """The decisions so far: ``{(document id, start, end, code id): coders taken}``."""
    consensus_id = _consensus_id(session, consensus)
    names = dict(session.execute(select(CODER.c.id, CODER.c.name)).all())
    return {
        (r.document_id, r.start, r.end, r.code_id): tuple(
            names.get(c, "?") for c in json.loads(r.chosen_json)
        )
        for r in session.execute(
            select(DECISION).where(DECISION.c.consensus_coder_id == consensus_id)
        )
    }


def reconciliation(
    session: Session,
    consensus: str = CONSENSUS,
    *,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> Reconciliation:
    """The disagreements of a consensus's coders, each with their codings and the decision so far."""
    consensus_id = _consensus_id(session, consensus)
    options = saved_options(session, consensus)
    assert options is not None
    report = agreement(session, replace(options, intervals=False), progress=progress, cancel=cancel)
    sources = _coder_codings(session, options, [d.document_id for d in report.disagreements])
    paths = code_paths(session)
    chosen = decisions(session, consensus)
    items = []
    for d in report.disagreements:
        reach = tuple(
            c
            for c in sources.get((d.document_id, d.code_id), [])
            if c.start < d.end and c.end > d.start
        )
        items.append(
            Item(
                d.document_id,
                d.document,
                d.start,
                d.end,
                d.code_id,
                paths[d.code_id],
                d.coded_by,
                d.not_coded_by,
                tuple(sorted(reach, key=lambda c: (options.coders.index(c.coder), c.start))),
                chosen.get((d.document_id, d.start, d.end, d.code_id)),
            )
        )
    return Reconciliation(consensus, consensus_id, options, items)


def decide(
    session: Session,
    *,
    consensus: str,
    document_id: int,
    start: int,
    end: int,
    code_id: int,
    take: Sequence[str],
    decided_by: int | None = None,
) -> Changes:
    """Decide one disagreement: the consensus codes ``[start, end)`` with ``code_id`` where the
    coders in ``take`` did (none: not at all). Replaces an earlier decision on the same unit."""
    consensus_id = _consensus_id(session, consensus)
    options = saved_options(session, consensus)
    assert options is not None
    if unknown := [t for t in take if t not in options.coders]:
        raise CodingError(f"{unknown[0]!r} is not one of the coders of this consensus")
    text = session.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == document_id)).scalar()
    if text is None:
        raise NotFound(f"document {document_id} does not exist")
    coding_svc.check_span(len(text), start, end, what="unit")
    ids = dict(
        session.execute(
            select(CODER.c.name, CODER.c.id).where(CODER.c.name.in_(options.coders))
        ).all()
    )
    chosen = sorted(ids[t] for t in set(take))
    theirs = [
        c
        for c in _coder_codings(session, options, [document_id]).get((document_id, code_id), [])
        if c.coder in take
    ]
    mine = session.execute(
        select(CODING.c.id, CODING.c.start, CODING.c.end).where(
            and_(
                CODING.c.document_id == document_id,
                CODING.c.code_id == code_id,
                CODING.c.coder_id == consensus_id,
            )
        )
    ).all()
    spans = [(c.start, c.end) for c in theirs]
    kept = _minus(_union([(a, z) for _, a, z in mine]), (start, end), text)
    wanted = _join(_union(kept + _clip(spans, (start, end))), spans, text)
    changes = _rewrite(
        session, consensus_id, document_id, code_id, [(i, a, z) for i, a, z in mine], wanted
    )
    key = and_(
        DECISION.c.document_id == document_id, DECISION.c.start == start, DECISION.c.end == end,
        DECISION.c.code_id == code_id, DECISION.c.consensus_coder_id == consensus_id,
    )  # fmt: skip
    values = {"chosen_json": json.dumps(chosen), "decided_by": decided_by, "created": utcnow()}
    found = session.execute(select(DECISION.c.id).where(key)).scalar()
    if found is None:
        result = session.execute(
            DECISION.insert().values(
                uuid=new_uuid(),
                document_id=document_id,
                start=start,
                end=end,
                code_id=code_id,
                consensus_coder_id=consensus_id,
                **values,
            )
        )
        found = inserted_id(result)
    else:
        session.execute(update(DECISION).where(DECISION.c.id == found).values(**values))
    return changes | Changes(decisions=frozenset({int(found)}), documents=frozenset({document_id}))


def _rewrite(
    session: Session,
    coder_id: int,
    document_id: int,
    code_id: int,
    rows: list[tuple[int, int, int]],
    wanted: list[Span],
) -> Changes:
    """Turn the consensus codings ``rows`` (id, start, end) into exactly the spans ``wanted``,
    keeping rows (and their memos) whose span survives or moves."""
    changes = Changes()
    left = {(a, z): i for i, a, z in rows}
    todo = [w for w in wanted if w not in left]
    spare = [(i, a, z) for i, a, z in rows if (a, z) not in set(wanted)]
    for a, z in todo:
        reuse = next((r for r in spare if r[1] < z and r[2] > a), None)
        if reuse is not None:
            spare.remove(reuse)
            changes |= coding_svc.change_span(session, reuse[0], start=a, end=z)
        else:
            _, ch = coding_svc.apply_code(
                session, document_id=document_id, start=a, end=z, code_id=code_id, coder_id=coder_id
            )
            changes |= ch
    for i, _, _ in spare:
        changes |= coding_svc.remove_coding(session, i)
    return changes
