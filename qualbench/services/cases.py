"""Cases (participants) and the attributes of cases and documents."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import (
    ATTRIBUTE,
    CASE_VALUE,
    CASES,
    CODING,
    CODING_CASE,
    DOCUMENT_VALUE,
    MEMO,
    TURN,
    insert_rows,
    inserted_id,
)
from qualbench.model import new_uuid, new_uuids, utcnow

_MODERATOR = re.compile(r"(moderator|facilitator|mod)(\s*\d+)*", re.IGNORECASE)
_INTERVIEWER = re.compile(r"(interviewer|researcher|int|iv|i|q)(\s*\d+)*", re.IGNORECASE)
# Column names with a meaning of their own in attribute tables.
DOCUMENT_KEYS = ("document", "doc", "file", "source")
SPEAKER_KEYS = ("speaker", "label", "speaker label")


class AttributeTableError(ValueError):
    """The attribute table cannot be applied; nothing was changed."""


def role_of(speaker: str) -> str:
    """A first guess at a speaker's role from the label; the user can change it."""
    if _MODERATOR.fullmatch(speaker.strip()):
        return "moderator"
    if _INTERVIEWER.fullmatch(speaker.strip()):
        return "interviewer"
    return "participant"


def case_name_for(speaker: str, *, document_name: str, scope: str) -> str:
    """Name of the case a speaker becomes: per document (default) or one per label project-wide."""
    return speaker if scope == "project" else f"{document_name}: {speaker}"


def ensure_attribute(session: Session, *, scope: str, name: str, type_: str = "text") -> int:
    """Id of the attribute ``name`` of documents or cases, created if missing."""
    found = session.execute(
        select(ATTRIBUTE.c.id).where(and_(ATTRIBUTE.c.scope == scope, ATTRIBUTE.c.name == name))
    ).scalar()
    if found is not None:
        return int(found)
    position = (
        session.execute(
            select(func.count()).select_from(ATTRIBUTE).where(ATTRIBUTE.c.scope == scope)
        ).scalar()
        or 0
    )
    result = session.execute(
        ATTRIBUTE.insert().values(
            uuid=new_uuid(), scope=scope, name=name, type=type_, position=position
        )
    )
    return inserted_id(result)


def set_values(session: Session, *, scope: str, owner_id: int, values: dict[str, str]) -> Changes:
    """Set attribute values of one document or case; an empty value removes it."""
    target = DOCUMENT_VALUE if scope == "document" else CASE_VALUE
    owner = target.c.document_id if scope == "document" else target.c.case_id
    attr_ids = set()
    for name, value in values.items():
        attr_id = ensure_attribute(session, scope=scope, name=name)
        attr_ids.add(attr_id)
        session.execute(
            target.delete().where(and_(owner == owner_id, target.c.attribute_id == attr_id))
        )
        if value.strip():
            session.execute(
                target.insert().values(
                    {owner.name: owner_id, "attribute_id": attr_id, "value": value.strip()}
                )
            )
    key = "documents" if scope == "document" else "cases"
    return Changes(attributes=frozenset(attr_ids), **{key: frozenset({owner_id})})  # type: ignore[arg-type]


def values_of(
    session: Session, *, scope: str, owner_ids: Iterable[int] | None = None
) -> dict[int, dict[str, str]]:
    """``{owner id: {attribute name: value}}`` for documents or cases."""
    target = DOCUMENT_VALUE if scope == "document" else CASE_VALUE
    owner = target.c.document_id if scope == "document" else target.c.case_id
    q = select(owner, ATTRIBUTE.c.name, target.c.value).join(
        ATTRIBUTE, ATTRIBUTE.c.id == target.c.attribute_id
    )
    if owner_ids is not None:
        q = q.where(owner.in_(list(owner_ids)))
    out: dict[int, dict[str, str]] = {}
    for oid, name, value in session.execute(q.order_by(ATTRIBUTE.c.position)):
        out.setdefault(oid, {})[name] = value
    return out


def attribute_names(session: Session, *, scope: str) -> list[str]:
    return list(
        session.execute(
            select(ATTRIBUTE.c.name)
            .where(ATTRIBUTE.c.scope == scope)
            .order_by(ATTRIBUTE.c.position)
        ).scalars()
    )


def get_or_create_case(session: Session, name: str, *, role: str | None = None) -> tuple[int, bool]:
    """(case id, created?) for a case name; new cases get a ``role`` attribute if given."""
    found = session.execute(select(CASES.c.id).where(CASES.c.name == name)).scalar()
    if found is not None:
        return int(found), False
    result = session.execute(
        CASES.insert().values(uuid=new_uuid(), name=name, description="", created=utcnow())
    )
    case_id = inserted_id(result)
    if role:
        set_values(session, scope="case", owner_id=case_id, values={"role": role})
    return case_id, True


def ensure_cases(session: Session, names: dict[str, str]) -> dict[str, int]:
    """Case ids for ``{speaker label: case name}``, creating the missing cases (with a guessed
    ``role``) in two statements rather than several per speaker."""
    if not names:
        return {}
    wanted = sorted(set(names.values()))
    existing = dict(
        session.execute(select(CASES.c.name, CASES.c.id).where(CASES.c.name.in_(wanted))).all()
    )
    missing = [n for n in wanted if n not in existing]
    if missing:
        now = utcnow()
        insert_rows(
            session,
            CASES,
            [
                {"uuid": u, "name": n, "description": "", "created": now}
                for n, u in zip(missing, new_uuids(len(missing)), strict=True)
            ],
        )
        created = dict(
            session.execute(select(CASES.c.name, CASES.c.id).where(CASES.c.name.in_(missing))).all()
        )
        existing.update(created)
        role_attr = ensure_attribute(session, scope="case", name="role")
        roles = {n: role_of(label) for label, n in names.items()}
        insert_rows(
            session,
            CASE_VALUE,
            [
                {"case_id": created[n], "attribute_id": role_attr, "value": roles[n]}
                for n in missing
            ],
        )
    return {label: int(existing[n]) for label, n in names.items()}


def merge_case_into(session: Session, *, source_id: int, target_id: int) -> Changes:
    """Make ``source`` the same person as ``target``: turns, codings, memos, values move over."""
    if source_id == target_id:
        return Changes()
    session.execute(update(TURN).where(TURN.c.case_id == source_id).values(case_id=target_id))
    session.execute(update(CODING).where(CODING.c.case_id == source_id).values(case_id=target_id))
    moved = [
        r
        for (r,) in session.execute(
            select(CODING_CASE.c.coding_id).where(CODING_CASE.c.case_id == source_id)
        )
    ]
    session.execute(CODING_CASE.delete().where(CODING_CASE.c.case_id == source_id))
    for coding_id in moved:
        primary = session.execute(select(CODING.c.case_id).where(CODING.c.id == coding_id)).scalar()
        exists = session.execute(
            select(CODING_CASE.c.coding_id).where(
                and_(CODING_CASE.c.coding_id == coding_id, CODING_CASE.c.case_id == target_id)
            )
        ).first()
        if primary != target_id and exists is None:
            session.execute(CODING_CASE.insert().values(coding_id=coding_id, case_id=target_id))
    session.execute(update(MEMO).where(MEMO.c.case_id == source_id).values(case_id=target_id))
    have = {
        a
        for (a,) in session.execute(
            select(CASE_VALUE.c.attribute_id).where(CASE_VALUE.c.case_id == target_id)
        )
    }
    for attr_id, value in session.execute(
        select(CASE_VALUE.c.attribute_id, CASE_VALUE.c.value).where(
            CASE_VALUE.c.case_id == source_id
        )
    ).all():
        if attr_id not in have:
            session.execute(
                CASE_VALUE.insert().values(case_id=target_id, attribute_id=attr_id, value=value)
            )
    session.execute(CASES.delete().where(CASES.c.id == source_id))
    return Changes(cases=frozenset({source_id, target_id}))


def rename_case(session: Session, case_id: int, name: str) -> Changes:
    """Rename a case; renaming onto an existing case's name merges the two (same person)."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("a case needs a name")
    other = session.execute(select(CASES.c.id).where(CASES.c.name == name)).scalar()
    if other is not None and other != case_id:
        return merge_case_into(session, source_id=case_id, target_id=int(other))
    session.execute(update(CASES).where(CASES.c.id == case_id).values(name=name))
    return Changes(cases=frozenset({case_id}))
