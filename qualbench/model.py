"""The project's tables (SQLModel). Engine-agnostic: SQLite by default, PostgreSQL for teams.

Offsets (``start``/``end``) are Unicode code points into ``Document.text``, end exclusive.
Document text is written once at import and never changed.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid as uuid_mod
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# Document kinds and coding origins, as stored.
KINDS = ("interview", "focus_group", "other")
KIND_LABELS = {"interview": "interview", "focus_group": "focus group", "other": "other"}
ORIGINS = ("manual", "auto", "imported")
ATTRIBUTE_SCOPES = ("document", "case")
ATTRIBUTE_TYPES = ("text", "number", "date", "boolean")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_uuid() -> str:
    return str(uuid_mod.uuid4())


def new_uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs, several times faster than calling uuid4 ``n`` times."""
    raw = os.urandom(16 * n).hex()
    out = []
    for i in range(0, 32 * n, 32):
        h = raw[i : i + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")
    return out


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored in UTC and come back timezone-aware on every engine."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


def _ts() -> Column[dt.datetime]:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


def _fk(target: str, ondelete: str, *, nullable: bool = False) -> Column[int]:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable)


class Meta(SQLModel, table=True):
    """Key/value facts about the file itself: schema version, application."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class ProjectInfo(SQLModel, table=True):
    """The one row describing the project."""

    __tablename__ = "project"
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36)
    name: str = Field(max_length=400)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str = Field(default="en", max_length=16)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class Coder(SQLModel, table=True):
    __tablename__ = "coder"
    __table_args__ = (Index("uq_coder_login", "login", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    name: str = Field(max_length=200, unique=True)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    # On a team server: the database role this coder logs in as (None in a project file).
    login: str | None = Field(default=None, max_length=63)


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (CheckConstraint(f"kind IN {KINDS!r}", name="ck_document_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    name: str = Field(max_length=400, unique=True)
    kind: str = Field(default="other", max_length=16)
    source_name: str = Field(default="", max_length=1000)
    source_sha256: str = Field(default="", max_length=64)
    content_sha256: str = Field(max_length=64, unique=True)
    format: str = Field(default="text", max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    char_count: int = 0
    word_count: int = 0
    position: int = 0
    metadata_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    imported: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class Case(SQLModel, table=True):
    """A participant (or other unit of analysis) that speaker turns and attributes attach to."""

    __tablename__ = "cases"
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    name: str = Field(max_length=400, unique=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class SpeakerTurn(SQLModel, table=True):
    """``[start, end)`` is the whole turn with its label; the words start at ``body_start``."""

    __tablename__ = "speaker_turn"
    __table_args__ = (
        UniqueConstraint("document_id", "ordinal", name="ux_turn_ordinal"),
        CheckConstraint(
            '0 <= start AND start <= body_start AND body_start <= "end"', name="ck_turn_span"
        ),
        Index("ix_turn_case", "case_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(sa_column=_fk("document.id", "CASCADE"))
    ordinal: int
    start: int
    body_start: int
    end: int
    speaker: str = Field(max_length=200)
    case_id: int | None = Field(default=None, sa_column=_fk("cases.id", "SET NULL", nullable=True))
    timestamp_ms: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Attribute(SQLModel, table=True):
    """An attribute (variable) of documents or of cases: country, gender, age group, site ..."""

    __tablename__ = "attribute"
    __table_args__ = (
        UniqueConstraint("scope", "name", name="ux_attribute_name"),
        CheckConstraint(f"scope IN {ATTRIBUTE_SCOPES!r}", name="ck_attribute_scope"),
        CheckConstraint(f"type IN {ATTRIBUTE_TYPES!r}", name="ck_attribute_type"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    scope: str = Field(max_length=16)
    name: str = Field(max_length=200)
    type: str = Field(default="text", max_length=16)
    position: int = 0


class DocumentValue(SQLModel, table=True):
    __tablename__ = "document_value"
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    )
    attribute_id: int = Field(
        sa_column=Column(Integer, ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True)
    )
    value: str = Field(sa_column=Column(Text, nullable=False))


class CaseValue(SQLModel, table=True):
    __tablename__ = "case_value"
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )
    attribute_id: int = Field(
        sa_column=Column(Integer, ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True)
    )
    value: str = Field(sa_column=Column(Text, nullable=False))


class Code(SQLModel, table=True):
    __tablename__ = "code"
    __table_args__ = (Index("ix_code_parent", "parent_id"),)
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    name: str = Field(max_length=400)
    parent_id: int | None = Field(default=None, sa_column=_fk("code.id", "RESTRICT", nullable=True))
    color: str = Field(default="#9E9E9E", max_length=9)
    definition: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    inclusion: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    exclusion: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    example: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    keywords_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    position: int = 0
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Raised by every edit: an edit begun on an older version is a conflict (team servers).
    version: int = Field(
        default=1, sa_column=Column(Integer, nullable=False, default=1, server_default="1")
    )


class Coding(SQLModel, table=True):
    """A code applied by a coder to ``[start, end)`` of a document.

    ``case_id`` is the participant speaking where the coding starts (derived from the turns when
    the coding is written; further participants it covers are in ``coding_case``). It lets theme
    tables by participant run as one indexed GROUP BY.
    """

    __tablename__ = "coding"
    __table_args__ = (
        UniqueConstraint(
            "document_id", "start", "end", "code_id", "coder_id", name="ux_coding_span"
        ),
        CheckConstraint('0 <= start AND start < "end"', name="ck_coding_span"),
        CheckConstraint(f"origin IN {ORIGINS!r}", name="ck_coding_origin"),
        Index("ix_coding_code", "code_id", "document_id", "case_id", "coder_id"),
        Index("ix_coding_coder", "coder_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    document_id: int = Field(sa_column=_fk("document.id", "CASCADE"))
    start: int
    end: int
    code_id: int = Field(sa_column=_fk("code.id", "CASCADE"))
    coder_id: int = Field(sa_column=_fk("coder.id", "RESTRICT"))
    case_id: int | None = Field(default=None, sa_column=_fk("cases.id", "SET NULL", nullable=True))
    origin: str = Field(default="manual", max_length=16)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class CodingCase(SQLModel, table=True):
    """Further participants a coding covers beyond ``Coding.case_id`` (codings across turns)."""

    __tablename__ = "coding_case"
    __table_args__ = (Index("ix_coding_case_case", "case_id"),)
    coding_id: int = Field(
        sa_column=Column(Integer, ForeignKey("coding.id", ondelete="CASCADE"), primary_key=True)
    )
    case_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    )


class Memo(SQLModel, table=True):
    """A memo on the project (no target), a document, a code, a coding or a case."""

    __tablename__ = "memo"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN document_id IS NULL THEN 0 ELSE 1 END + CASE WHEN code_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN coding_id IS NULL THEN 0 ELSE 1 END + CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="ck_memo_one_target",
        ),
        Index("ix_memo_document", "document_id"),
        Index("ix_memo_code", "code_id"),
        Index("ix_memo_coding", "coding_id"),
        Index("ix_memo_case", "case_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    document_id: int | None = Field(
        default=None, sa_column=_fk("document.id", "CASCADE", nullable=True)
    )
    code_id: int | None = Field(default=None, sa_column=_fk("code.id", "CASCADE", nullable=True))
    coding_id: int | None = Field(
        default=None, sa_column=_fk("coding.id", "CASCADE", nullable=True)
    )
    case_id: int | None = Field(default=None, sa_column=_fk("cases.id", "CASCADE", nullable=True))
    coder_id: int | None = Field(default=None, sa_column=_fk("coder.id", "SET NULL", nullable=True))
    title: str = Field(default="", max_length=400)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class Decision(SQLModel, table=True):
    """A reconciliation decision: for one code and one unit of text where coders disagreed,
    which coders' codings the consensus layer takes (none for "neither")."""

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint(
            "document_id", "start", "end", "code_id", "consensus_coder_id", name="ux_decision_unit"
        ),
        CheckConstraint('0 <= start AND start < "end"', name="ck_decision_span"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    document_id: int = Field(sa_column=_fk("document.id", "CASCADE"))
    start: int
    end: int
    code_id: int = Field(sa_column=_fk("code.id", "CASCADE"))
    consensus_coder_id: int = Field(sa_column=_fk("coder.id", "CASCADE"))
    chosen_json: str = Field(
        default="[]", sa_column=Column(Text, nullable=False, default="[]")
    )  # coder ids
    decided_by: int | None = Field(
        default=None, sa_column=_fk("coder.id", "SET NULL", nullable=True)
    )
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class Quote(SQLModel, table=True):
    """A candidate quote in the basket: a span of a document (from a coding, or any span) and
    the text as the paper will print it, with elisions ``[...]`` and clarifications ``[the
    police]``. The span stays linked to the unchanged document text; ``coding_uuid`` names the
    coding it came from (a uuid, not a key: the quote outlives the coding, and undoing the
    coding's removal links them again)."""

    __tablename__ = "quote"
    __table_args__ = (
        CheckConstraint('0 <= start AND start < "end"', name="ck_quote_span"),
        Index("ix_quote_document", "document_id"),
        Index("ix_quote_coding", "coding_uuid"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    document_id: int = Field(sa_column=_fk("document.id", "CASCADE"))
    start: int
    end: int
    coding_uuid: str | None = Field(default=None, max_length=36)
    display_text: str = Field(sa_column=Column(Text, nullable=False))
    section: str = Field(default="", max_length=400)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    position: int = 0
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    modified: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class NameReplacement(SQLModel, table=True):
    """A name to replace in exports (pseudonymisation), with its replacement ('' = the
    placeholder). ``match_key`` is the name case-folded, so each name is listed once."""

    __tablename__ = "name_replacement"
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    name: str = Field(max_length=200)
    match_key: str = Field(max_length=200, unique=True)
    replacement: str = Field(default="", max_length=200)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


SUGGESTION_STATUSES = ("pending", "accepted", "rejected")
RULE_KINDS = ("speaker", "keyword", "regex", "search")


class TextAnalysis(SQLModel, table=True):
    """The language analysis of one document, computed once (issue 7) and used by search, word
    frequencies and auto-coding. Derived data: it can be dropped and computed again.

    ``tokens`` and ``sentences`` are little-endian int32 (start, end) pairs in code points;
    ``lemmas`` holds one lower-cased lemma per token, joined by newlines (so a lemma search is
    one regular-expression scan); ``stops`` one byte per token, 1 for a stop word. ``pipeline``
    names what produced it: another pipeline (a trained one installed later) makes it stale."""

    __tablename__ = "text_analysis"
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    )
    pipeline: str = Field(max_length=200)
    token_count: int = 0
    tokens: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sentences: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    lemmas: str = Field(sa_column=Column(Text, nullable=False))
    stops: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class Suggestion(SQLModel, table=True):
    """A span that an auto-coding rule proposes for a code, waiting for a coder's review.

    Accepting makes a coding of the coder with origin ``auto`` (``coding_uuid`` names it);
    rejecting keeps the row, so running the rule again does not propose the span again."""

    __tablename__ = "suggestion"
    __table_args__ = (
        UniqueConstraint(
            "document_id", "start", "end", "code_id", "coder_id", name="ux_suggestion_span"
        ),
        CheckConstraint('0 <= start AND start < "end"', name="ck_suggestion_span"),
        CheckConstraint(f"status IN {SUGGESTION_STATUSES!r}", name="ck_suggestion_status"),
        CheckConstraint(f"rule_kind IN {RULE_KINDS!r}", name="ck_suggestion_rule_kind"),
        Index("ix_suggestion_review", "coder_id", "status", "code_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(default_factory=new_uuid, max_length=36, unique=True)
    document_id: int = Field(sa_column=_fk("document.id", "CASCADE"))
    start: int
    end: int
    code_id: int = Field(sa_column=_fk("code.id", "CASCADE"))
    coder_id: int = Field(sa_column=_fk("coder.id", "CASCADE"))
    rule_kind: str = Field(max_length=16)
    rule: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=16)
    coding_uuid: str | None = Field(default=None, max_length=36)
    created: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    decided: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
