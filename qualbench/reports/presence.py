"""Code-presence matrices for statistics software: one row per participant or document, 0/1 per
code, with the row's attributes.

A participant has a code when a counted coding of it reaches their words (the participant speaking
where it starts, or any further speaker it spans); a document has it when it holds a counted
coding. Every participant (or document) the filters allow is a row, also those with no code:
their zeros are data. Variable names suit R and SPSS alike: ASCII letters, digits and ``_``,
starting with a letter, at most 64 characters, no reserved word of either, unique without regard
to case; ``variables`` maps each back to its code path or attribute.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from qualbench.db import CASES, CODING, CODING_CASE, DOCUMENT, TURN
from qualbench.errors import UserError
from qualbench.reports.filters import EVERYTHING, Filters
from qualbench.services.cases import attribute_names, values_of
from qualbench.services.codes import code_tree, descendants

ROWS = ("participant", "document")
MAX_NAME = 64  # SPSS's limit (bytes; our names are ASCII)
# SPSS's reserved keywords and R's reserved words (compared without regard to case).
SPSS_RESERVED = ("ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH")
R_RESERVED = (
    "IF", "ELSE", "REPEAT", "WHILE", "FUNCTION", "FOR", "IN", "NEXT", "BREAK", "TRUE", "FALSE",
    "NULL", "INF", "NAN", "NA", "NA_INTEGER_", "NA_REAL_", "NA_CHARACTER_", "NA_COMPLEX_",
)  # fmt: skip
RESERVED = {*SPSS_RESERVED, *R_RESERVED}
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")

Value = str | int | float | None


@dataclass(frozen=True)
class Variable:
    """A column: its safe ``name``, what it holds (``label``: code path or attribute name) and
    its ``kind``: ``id`` (row name, documents), ``attribute`` or ``code`` (0/1)."""

    name: str
    label: str
    kind: str
    code_id: int | None = None


@dataclass
class PresenceMatrix:
    """``rows`` hold one value per variable: text, numbers (attributes whose every value is a
    number), None (no value) and 0/1 for codes."""

    rows_are: str
    variables: list[Variable]
    rows: list[list[Value]]
    notes: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [v.name for v in self.variables]


def safe_names(labels: Sequence[str], *, prefix: str = "v") -> list[str]:
    """Variable names R and SPSS both accept, one per label, unique without regard to case:
    accents dropped, other characters made ``_``, a letter first, at most 64 characters."""
    taken: set[str] = set()
    out = []
    for label in labels:
        ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        base = re.sub(r"[^A-Za-z0-9]+", "_", ascii_).strip("_")
        if not base:
            base = prefix
        if not base[0].isalpha():
            base = f"{prefix}_{base}"
        if base.upper() in RESERVED:
            base = f"{base}_{prefix}"
        base = base[:MAX_NAME].rstrip("_")
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            suffix = f"_{n}"
            name = base[: MAX_NAME - len(suffix)].rstrip("_") + suffix
        taken.add(name.casefold())
        out.append(name)
    return out


def _typed(values: list[str | None]) -> list[Value]:
    """A column of attribute values: numbers when every value given is a number (no leading
    zeros, so codes like 007 stay text), else text; missing values are None."""
    given = [v.strip() for v in values if v is not None and v.strip()]
    if given and all(_NUMBER.fullmatch(v) for v in given):
        return [
            None if v is None or not v.strip() else (float(v) if "." in v else int(v))
            for v in values
        ]
    return [v if v else None for v in values]


def presence_matrix(
    session: Session,
    *,
    rows: str = "participant",
    filters: Filters = EVERYTHING,
    rollup: bool = False,
) -> PresenceMatrix:
    """0/1 per code for every participant or document the filters allow, with attributes.

    Columns: for participants ``participant``, ``documents`` (the documents they speak in,
    separated by "; ") and every participant attribute; for documents ``document``, ``kind`` and
    every document attribute; then one column per code in codebook order (only the filter's
    codes, if it names some). ``rollup``: a code is 1 also where only a sub-code is present.
    """
    if rows not in ROWS:
        raise UserError(f"rows must be {' or '.join(ROWS)}, not {rows!r}")
    sel = filters.select(session)
    nodes = code_tree(session)
    if filters.code_ids:
        keep = {d for c in filters.code_ids for d in descendants(session, c)}
        nodes = [n for n in nodes if n.id in keep]
    members = {n.id: set(descendants(session, n.id)) if rollup else {n.id} for n in nodes}
    has: defaultdict[int, set[int]] = defaultdict(set)  # row owner id -> codes present
    if rows == "document":
        for doc_id, code_id in session.execute(
            select(CODING.c.document_id, CODING.c.code_id).where(sel.where).distinct()
        ):
            has[doc_id].add(code_id)
        doc_rows = session.execute(
            select(DOCUMENT.c.id, DOCUMENT.c.name, DOCUMENT.c.kind).order_by(
                DOCUMENT.c.position, DOCUMENT.c.id
            )
        ).all()
        speaking: set[int] = set()
        if sel.case_ids is not None:
            speaking = set(
                session.execute(
                    select(TURN.c.document_id).where(TURN.c.case_id.in_(sorted(sel.case_ids)))
                ).scalars()
            )
        owners = [
            (r.id, [r.name, r.kind.replace("_", " ")])
            for r in doc_rows
            if sel.document_allowed(r.id) and (sel.case_ids is None or r.id in speaking)
        ]
        ids_labels = ["document", "kind"]
        attrs = attribute_names(session, scope="document")
        values = values_of(session, scope="document")
    else:
        for case_id, code_id in session.execute(
            select(CODING.c.case_id, CODING.c.code_id).where(sel.where).distinct()
        ):
            if case_id is not None:
                has[case_id].add(code_id)
        for case_id, code_id in session.execute(
            select(CODING_CASE.c.case_id, CODING.c.code_id)
            .join(CODING, CODING.c.id == CODING_CASE.c.coding_id)
            .where(sel.where)
            .distinct()
        ):
            has[case_id].add(code_id)
        doc_names = dict(session.execute(select(DOCUMENT.c.id, DOCUMENT.c.name)).all())
        doc_order = {
            d: i
            for i, d in enumerate(
                session.execute(
                    select(DOCUMENT.c.id).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
                ).scalars()
            )
        }
        spoken: defaultdict[int, set[int]] = defaultdict(set)
        for doc_id, case_id in session.execute(
            select(TURN.c.document_id, TURN.c.case_id).where(TURN.c.case_id.is_not(None)).distinct()
        ):
            if sel.document_allowed(doc_id) and sel.case_allowed(case_id):
                spoken[case_id].add(doc_id)
        names = dict(session.execute(select(CASES.c.id, CASES.c.name)).all())
        owners = [
            (
                cid,
                [
                    names[cid],
                    "; ".join(doc_names[d] for d in sorted(spoken[cid], key=doc_order.__getitem__)),
                ],
            )
            for cid in sorted(spoken, key=lambda c: names[c])
        ]
        ids_labels = ["participant", "documents"]
        attrs = attribute_names(session, scope="case")
        values = values_of(session, scope="case")
    code_labels = [n.path for n in nodes]
    names_ = safe_names([*ids_labels, *attrs, *code_labels])
    variables = (
        [Variable(n, label, "id") for n, label in zip(names_, ids_labels, strict=False)]
        + [
            Variable(n, label, "attribute")
            for n, label in zip(names_[len(ids_labels) :], attrs, strict=False)
        ]
        + [
            Variable(n, node.path, "code", node.id)
            for n, node in zip(names_[len(ids_labels) + len(attrs) :], nodes, strict=True)
        ]
    )
    columns = [_typed([values.get(oid, {}).get(a) for oid, _ in owners]) for a in attrs]
    matrix: list[list[Value]] = []
    for i, (oid, ids) in enumerate(owners):
        present = has.get(oid, set())
        matrix.append(
            [
                *ids,
                *(col[i] for col in columns),
                *(int(not members[n.id].isdisjoint(present)) for n in nodes),
            ]
        )
    who = "participant" if rows == "participant" else "document"
    notes = [
        f"1: the {who} has at least one counted coding of the code"
        + (" or of one of its sub-codes" if rollup else "")
        + (
            " (a coding counts for every participant speaking in it)"
            if rows == "participant"
            else ""
        )
        + "; 0: none",
        f"every {who} the filters allow is a row, also those with no codes",
    ]
    coders = sel.coders(session)
    return PresenceMatrix(
        rows_are=rows,
        variables=variables,
        rows=matrix,
        notes=notes,
        coders=list(coders),
        filters=list(sel.conditions),
    )
