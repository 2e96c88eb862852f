"""Which codings an analysis or export counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, select, true
from sqlmodel import Session

from qualbench.db import CODER, CODING
from qualbench.services.codes import descendants
from qualbench.services.documents import NotFound


@dataclass(frozen=True)
class Filters:
    """Which codings count: by coder names, code ids (with their sub-codes), documents, origin."""

    coders: Sequence[str] = ()
    code_ids: Sequence[int] = ()
    document_ids: Sequence[int] = ()
    origins: Sequence[str] = ()

    def where(self, session: Session) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = []
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
        if self.code_ids:
            wanted = {d for c in self.code_ids for d in descendants(session, c)}
            conds.append(CODING.c.code_id.in_(sorted(wanted)))
        if self.document_ids:
            conds.append(CODING.c.document_id.in_(list(self.document_ids)))
        if self.origins:
            conds.append(CODING.c.origin.in_(list(self.origins)))
        return and_(true(), *conds)


EVERYTHING = Filters()  # the default: every coding counts
