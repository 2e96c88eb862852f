"""Which codings an analysis or export counts.

``Filters`` names coders, codes, documents, origins, document kinds and attribute values
(``country=Kazakhstan``, ``case:gender=woman``). Values of one attribute are alternatives (OR);
different attributes, kinds and the other fields must all hold (AND). A participant attribute
keeps the codings in which a matching participant speaks, and analyses that count participants
or their words count only the matching ones (:class:`Selection` carries that set).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlmodel import Session

from qualbench.db import (
    ATTRIBUTE,
    CASE_VALUE,
    CODER,
    CODING,
    CODING_CASE,
    DOCUMENT,
    DOCUMENT_VALUE,
)
from qualbench.errors import UserError
from qualbench.model import KIND_LABELS, KINDS
from qualbench.services.codes import descendants
from qualbench.services.documents import NotFound

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SCOPES = ("document", "case")


@dataclass(frozen=True)
class AttributeValue:
    """Keep documents (``scope="document"``) or participants (``"case"``) whose attribute
    ``name`` has one of ``values`` (compared without regard to case or outer spaces). A scope of
    None means whichever of the two has an attribute of that name."""

    name: str
    values: tuple[str, ...]
    scope: str | None = None

    @classmethod
    def parse(cls, text: str) -> AttributeValue:
        """``country=Kazakhstan``, ``document:country=Kazakhstan`` or ``case:gender=woman``."""
        key, sep, value = text.partition("=")
        scope, colon, name = key.strip().partition(":")
        if not colon:
            scope, name = "", scope
        scope, name, value = scope.strip(), name.strip(), value.strip()
        if not sep or not name or not value:
            raise UserError(
                f"{text!r}: write ATTRIBUTE=VALUE, e.g. country=Kazakhstan or case:gender=woman"
            )
        if scope and scope not in SCOPES:
            raise UserError(f"{text!r}: the prefix must be document: or case:, not {scope}:")
        return cls(name=name, values=(value,), scope=scope or None)

    def __str__(self) -> str:
        prefix = f"{self.scope}:" if self.scope else ""
        return f"{prefix}{self.name}={' | '.join(self.values)}"


@dataclass(frozen=True)
class Selection:
    """Filters resolved against one project: the SQL condition on codings (``where``; ``own``
    holds only the conditions on a coding's own columns: coder, code, origin), and the
    documents and participants analyses may count (None: all of them)."""

    where: ColumnElement[bool]
    document_ids: frozenset[int] | None
    case_ids: frozenset[int] | None
    conditions: tuple[str, ...]  # the filters in words, for notes and exports
    own: ColumnElement[bool] = field(default_factory=true)

    def coders(self, session: Session) -> list[str]:
        """Names of the coders whose codings count, sorted: one indexed probe per coder (a
        scan for the distinct coders of the filtered codings is slow on a million codings)."""
        names = []
        for coder_id, name in session.execute(select(CODER.c.id, CODER.c.name)):
            probe = select(CODING.c.id).where(CODING.c.coder_id == coder_id).where(self.where)
            if session.execute(probe.limit(1)).first() is not None:
                names.append(name)
        return sorted(names)

    def document_allowed(self, doc_id: int) -> bool:
        return self.document_ids is None or doc_id in self.document_ids

    def case_allowed(self, case_id: int | None) -> bool:
        return self.case_ids is None or (case_id is not None and case_id in self.case_ids)


@dataclass(frozen=True)
class Filters:
    """Which codings count: by coder names, code ids (with their sub-codes), documents, origin,
    document kind (``interview``, ``focus_group``, ``other``) and attribute values."""

    coders: Sequence[str] = ()
    code_ids: Sequence[int] = ()
    document_ids: Sequence[int] = ()
    origins: Sequence[str] = ()
    kinds: Sequence[str] = ()
    attributes: Sequence[AttributeValue] = ()

    def where(self, session: Session) -> ColumnElement[bool]:
        return self.select(session).where

    def select(self, session: Session) -> Selection:
        """Resolve names against the project; unknown coders, kinds, attributes or values raise
        NotFound with a one-line message."""
        conds: list[ColumnElement[bool]] = []
        words: list[str] = []
        if self.coders:
            ids = list(
                session.execute(
                    select(CODER.c.id).where(CODER.c.name.in_(list(self.coders)))
                ).scalars()
            )
            missing = set(self.coders) - set(
                session.execute(select(CODER.c.name).where(CODER.c.id.in_(ids))).scalars()
            )
            if missing:
                raise NotFound(f"no coder {sorted(missing)[0]!r} in the project")
            conds.append(CODING.c.coder_id.in_(ids))
            words.append("coder " + " or ".join(self.coders))
        if self.code_ids:
            wanted = {d for c in self.code_ids for d in descendants(session, c)}
            conds.append(CODING.c.code_id.in_(sorted(wanted)))
        if self.origins:
            conds.append(CODING.c.origin.in_(list(self.origins)))
            words.append("origin " + " or ".join(self.origins))
        own = list(conds)
        docs: set[int] | None = None
        if self.document_ids:
            docs = set(self.document_ids)
            words.append(f"{len(docs)} chosen document{'s' if len(docs) != 1 else ''}")
        if self.kinds:
            kinds = [_kind(k) for k in self.kinds]
            of_kind = set(
                session.execute(select(DOCUMENT.c.id).where(DOCUMENT.c.kind.in_(kinds))).scalars()
            )
            docs = of_kind if docs is None else docs & of_kind
            words.append("kind " + " or ".join(KIND_LABELS[k] for k in kinds))
        cases: set[int] | None = None
        for scope, name, values in _grouped(session, self.attributes):
            owners = _owners(session, scope, name, values)
            words.append(
                f"{'participant' if scope == 'case' else 'document'} {name} = "
                + " or ".join(values)
            )
            if scope == "document":
                docs = owners if docs is None else docs & owners
            else:
                cases = owners if cases is None else cases & owners
        if docs is not None:
            conds.append(CODING.c.document_id.in_(sorted(docs)))
        if cases is not None:
            ids = sorted(cases)
            conds.append(
                or_(
                    CODING.c.case_id.in_(ids),
                    CODING.c.id.in_(
                        select(CODING_CASE.c.coding_id).where(CODING_CASE.c.case_id.in_(ids))
                    ),
                )
            )
        return Selection(
            where=and_(true(), *conds),
            document_ids=frozenset(docs) if docs is not None else None,
            case_ids=frozenset(cases) if cases is not None else None,
            conditions=tuple(words),
            own=and_(true(), *own),
        )


EVERYTHING = Filters()  # the default: every coding counts


def _fold(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(value.split())).casefold()


def _kind(value: str) -> str:
    wanted = _fold(value).replace(" ", "_")
    if wanted not in KINDS:
        raise NotFound(
            f"no document kind {value!r}; kinds are {', '.join(KIND_LABELS[k] for k in KINDS)}"
        )
    return wanted


def _scope_of(session: Session, a: AttributeValue) -> str:
    found = set(
        session.execute(select(ATTRIBUTE.c.scope).where(ATTRIBUTE.c.name == a.name)).scalars()
    )
    if a.scope is not None:
        if a.scope in found:
            return a.scope
        if found:
            other = found.pop()
            raise NotFound(
                f"{a.name!r} is an attribute of {other}s, not {a.scope}s; use {other}:{a.name}"
            )
        raise NotFound(f"no {a.scope} attribute {a.name!r} in the project")
    if len(found) > 1:
        raise NotFound(
            f"{a.name!r} is an attribute of documents and of participants; "
            f"say document:{a.name} or case:{a.name}"
        )
    if not found:
        raise NotFound(f"no attribute {a.name!r} in the project")
    return str(found.pop())


def _grouped(
    session: Session, attributes: Sequence[AttributeValue]
) -> list[tuple[str, str, tuple[str, ...]]]:
    """(scope, name, values) per attribute: values given for one attribute are alternatives."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for a in attributes:
        key = (_scope_of(session, a), a.name)
        out[key] = out.get(key, ()) + tuple(v for v in a.values if v not in out.get(key, ()))
    return [(scope, name, values) for (scope, name), values in out.items()]


def _owners(session: Session, scope: str, name: str, values: tuple[str, ...]) -> set[int]:
    """Documents or participants whose attribute ``name`` holds one of ``values``."""
    table = DOCUMENT_VALUE if scope == "document" else CASE_VALUE
    owner = table.c.document_id if scope == "document" else table.c.case_id
    rows = session.execute(
        select(owner, table.c.value)
        .join(ATTRIBUTE, ATTRIBUTE.c.id == table.c.attribute_id)
        .where(and_(ATTRIBUTE.c.scope == scope, ATTRIBUTE.c.name == name))
    ).all()
    wanted = {_fold(v) for v in values}
    owners = {oid for oid, value in rows if _fold(value) in wanted}
    known = {_fold(value) for _, value in rows}
    unknown = [v for v in values if _fold(v) not in known]
    if unknown:
        shown = sorted({value for _, value in rows}, key=str.casefold)
        listed = ", ".join(shown[:12]) + (f" and {len(shown) - 12} more" if len(shown) > 12 else "")
        who = "participant" if scope == "case" else "document"
        raise NotFound(
            f"no {who} has {name} = {unknown[0]!r}"
            + (f"; its values are {listed}" if listed else "; it has no values yet")
        )
    return owners


def plain_rows(session: Session, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    """Rows as plain tuples from the driver's own cursor, in the session's transaction: for
    100,000 grouped rows, making SQLAlchemy Row objects costs as much as the query."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    if conn.dialect.positional:
        params = tuple(params[k] for k in compiled.positiontup or ())
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(compiled.string, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def int_array(rows: Sequence[Any], width: int) -> npt.NDArray[np.int64]:
    """Result rows of integers as an (n, width) array. Iterating rows is fast; handing
    SQLAlchemy's Row objects to np.array is not (it probes each for array attributes)."""
    import numpy as np

    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
    return flat.reshape(-1, width)
