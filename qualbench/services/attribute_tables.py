"""Apply a table (CSV/XLSX) of document or participant attributes, all rows or none.

Three shapes, by their key columns:

- ``document`` (+ ``kind``) and attribute columns: document attributes;
- ``document`` + ``speaker`` (+ ``pseudonym``): the participant speaking under that label in that
  document; a pseudonym renames the participant;
- ``case`` (or ``participant``): the participant of that name.

Every row is checked before anything is written: a row that matches nothing, two rows that say
different things about one participant, or a pseudonym that would join two people whose
attributes disagree stop the whole table (unless unmatched rows are explicitly allowed). When a
pseudonym does join participants (the same person in two interviews), the report says so.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import ATTRIBUTE, CASES, DOCUMENT, TURN
from qualbench.model import KINDS
from qualbench.services.cases import (
    DOCUMENT_KEYS,
    SPEAKER_KEYS,
    AttributeTableError,
    rename_case,
    set_values,
    values_of,
)


@dataclass
class AttributeImport:
    """What applying an attribute table did."""

    scope: str
    rows_applied: int = 0
    attributes: list[str] = field(default_factory=list)
    renamed: int = 0
    joined: list[str] = field(default_factory=list)  # "a + b -> name" per join of participants
    skipped: list[str] = field(default_factory=list)  # unmatched rows, when they are allowed
    changes: Changes = field(default_factory=Changes)


def _pick(columns: Iterable[str], keys: tuple[str, ...]) -> str | None:
    lowered = {c.casefold(): c for c in columns}
    return next((lowered[k] for k in keys if k in lowered), None)


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(value.split()))


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:8])
    return shown + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")


def apply_attribute_table(
    session: Session, path: Path, *, allow_unmatched: bool = False
) -> AttributeImport:
    """Check the whole table against the project, then apply it (caller's transaction)."""
    from importers.tables import read_table

    table = read_table(path)
    cols = table.columns
    doc_col = _pick(cols, DOCUMENT_KEYS)
    speaker_col = _pick(cols, SPEAKER_KEYS)
    pseudo_col = _pick(cols, ("pseudonym",))
    case_col = _pick(cols, ("case", "participant")) or (pseudo_col if not doc_col else None)
    if (doc_col and speaker_col) or case_col:
        scope = "case"
    elif doc_col:
        scope = "document"
    else:
        raise AttributeTableError(
            f"{path}: needs a 'document' column (document attributes), 'document' and 'speaker' "
            "columns, or a 'case' column (participant attributes)"
        )
    kind_col = _pick(cols, ("kind",)) if scope == "document" else None
    reserved = {c for c in (doc_col, speaker_col, case_col, pseudo_col, kind_col) if c}
    # Attribute columns take the spelling of an existing attribute ("Country" -> "country").
    existing = {
        n.casefold(): n
        for n in session.execute(
            select(ATTRIBUTE.c.name).where(ATTRIBUTE.c.scope == scope)
        ).scalars()
    }
    attr_cols = {c: existing.get(c.casefold(), c) for c in cols if c not in reserved}
    report = AttributeImport(scope=scope, attributes=list(attr_cols.values()))

    docs: dict[str, int] = {}
    for did, name, source in session.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.source_name)
    ):
        for key in (source, Path(source).stem, name):
            docs.setdefault(_clean(key).casefold(), did)

    # 1. Resolve every row; collect problems instead of stopping at the first.
    unmatched: dict[str, list[int]] = {}
    targets: list[tuple[int, list[int], dict[str, str], str]] = []  # (row, ids, values, pseudonym)
    for n, rec in table.numbered_records():
        values = {attr_cols[c]: rec[c].strip() for c in attr_cols if rec[c].strip()}
        if scope == "document":
            assert doc_col is not None
            did = docs.get(_clean(rec[doc_col]).casefold())
            if did is None:
                unmatched.setdefault(f"no document named {_clean(rec[doc_col])!r}", []).append(n)
                continue
            if kind_col and rec[kind_col].strip():
                kind = rec[kind_col].strip().casefold().replace(" ", "_")
                if kind not in KINDS:
                    raise AttributeTableError(
                        f"{path}: row {n}: kind must be one of {', '.join(KINDS)}"
                    )
                values["\0kind"] = kind
            targets.append((n, [did], values, ""))
            continue
        ids = _cases_for_row(session, rec, doc_col, speaker_col, case_col, docs)
        if not ids:
            label = " / ".join(_clean(rec[c]) for c in (doc_col, speaker_col, case_col) if c)
            unmatched.setdefault(f"no participant matches {label!r}", []).append(n)
            continue
        pseudonym = _clean(rec[pseudo_col]) if pseudo_col and case_col != pseudo_col else ""
        targets.append((n, ids, values, pseudonym))
    if unmatched:
        lines = [f"rows {_row_list(rows)}: {why}" for why, rows in unmatched.items()]
        if not allow_unmatched:
            raise AttributeTableError(
                f"{path}: {sum(map(len, unmatched.values()))} row(s) match nothing in the project "
                f"({'; '.join(lines[:3])}{'; ...' if len(lines) > 3 else ''}); nothing was applied"
            )
        report.skipped = lines

    # 2. Rows about one target must agree, and a pseudonym may only join people who agree.
    names = dict(session.execute(select(CASES.c.id, CASES.c.name)).all()) if scope == "case" else {}
    current = values_of(session, scope="case") if scope == "case" else {}
    merged: dict[int, tuple[int, dict[str, str]]] = {}
    for n, ids, values, _ in targets:
        for target in ids:
            if target in merged:
                _check_agree(path, merged[target], (n, values), f"rows {merged[target][0]} and {n}")
            merged[target] = (n, {**merged.get(target, (n, {}))[1], **values})
    groups: dict[str, set[int]] = {}
    for _, ids, _, pseudonym in targets:
        if pseudonym:
            groups.setdefault(pseudonym, set()).update(ids)
            holder = next((i for i, name in names.items() if name == pseudonym), None)
            if holder is not None:
                groups[pseudonym].add(holder)
    for pseudonym, members in groups.items():
        people = sorted(members)
        if len(people) < 2:
            continue
        seen: dict[str, tuple[str, int]] = {}
        for case_id in people:
            for attr, value in {
                **current.get(case_id, {}),
                **merged.get(case_id, (0, {}))[1],
            }.items():
                if attr.startswith("\0") or attr == "role":
                    continue
                if attr in seen and seen[attr][0].casefold() != value.casefold():
                    raise AttributeTableError(
                        f"{path}: pseudonym {pseudonym!r} would join {names[seen[attr][1]]!r} and "
                        f"{names[case_id]!r} into one person, but their {attr} differs "
                        f"({seen[attr][0]!r} / {value!r}); nothing was applied"
                    )
                seen.setdefault(attr, (value, case_id))
        report.joined.append(" + ".join(repr(names[i]) for i in people) + f" -> {pseudonym!r}")

    # 3. Apply.
    changes = Changes()
    for _, ids, values, pseudonym in targets:
        for target in ids:
            plain = {k: v for k, v in values.items() if not k.startswith("\0")}
            if "\0kind" in values:
                session.execute(
                    update(DOCUMENT).where(DOCUMENT.c.id == target).values(kind=values["\0kind"])
                )
            if pseudonym:
                now = session.execute(select(CASES.c.name).where(CASES.c.id == target)).scalar()
                if now is not None and now != pseudonym:
                    changes |= rename_case(session, target, pseudonym)
                    report.renamed += 1
                target = int(
                    session.execute(
                        select(CASES.c.id).where(CASES.c.name == pseudonym)
                    ).scalar_one()
                )
            changes |= set_values(session, scope=scope, owner_id=target, values=plain)
        report.rows_applied += 1
    report.changes = changes
    return report


def _check_agree(
    path: Path, first: tuple[int, dict[str, str]], second: tuple[int, dict[str, str]], rows: str
) -> None:
    for attr, value in second[1].items():
        before = first[1].get(attr)
        if before is not None and before != value:
            shown = "kind" if attr.startswith("\0") else attr
            raise AttributeTableError(
                f"{path}: {rows} describe the same one but disagree on {shown} ({before!r} / {value!r}); "
                "nothing was applied"
            )


def _cases_for_row(
    session: Session,
    rec: dict[str, str],
    doc_col: str | None,
    speaker_col: str | None,
    case_col: str | None,
    docs: dict[str, int],
) -> list[int]:
    if doc_col and speaker_col:
        did = docs.get(_clean(rec[doc_col]).casefold())
        if did is None:
            return []
        speaker = _clean(rec[speaker_col])
        rows = session.execute(
            select(TURN.c.case_id)
            .where(
                and_(
                    TURN.c.document_id == did,
                    func.lower(TURN.c.speaker) == speaker.lower(),
                    TURN.c.case_id.is_not(None),
                )
            )
            .distinct()
        ).scalars()
        return [int(r) for r in rows]
    name = _clean(rec[case_col]) if case_col else ""
    found = session.execute(select(CASES.c.id).where(CASES.c.name == name)).scalar()
    return [int(found)] if found is not None else []
