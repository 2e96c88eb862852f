"""Numbered schema upgrade steps, run in one transaction after a backup of the project file.

A new project is created from the current models at :data:`SCHEMA_VERSION`. When the models
change, add ``STEPS[n]`` that takes a schema at ``n - 1`` to ``n`` (with Alembic's operations, which
work the same on SQLite and PostgreSQL), raise :data:`SCHEMA_VERSION`, and keep a project file of
the old version in ``tests/data/`` so the upgrade is tested.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text

if TYPE_CHECKING:
    from qualbench.store import Project

SCHEMA_VERSION = 5

Step = Callable[[Any, Connection], None]  # (alembic Operations, connection)


def _v2_decisions(ops: Any, conn: Connection) -> None:
    """Schema 2: reconciliation decisions (issue 4). Columns as of schema 2, frozen here."""
    import sqlalchemy as sa

    from qualbench.model import UTCDateTime

    ops.create_table(
        "decision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column(
            "code_id", sa.Integer, sa.ForeignKey("code.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "consensus_coder_id",
            sa.Integer,
            sa.ForeignKey("coder.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("chosen_json", sa.Text, nullable=False),
        sa.Column(
            "decided_by", sa.Integer, sa.ForeignKey("coder.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "document_id", "start", "end", "code_id", "consensus_coder_id", name="ux_decision_unit"
        ),
        sa.CheckConstraint('0 <= start AND start < "end"', name="ck_decision_span"),
    )


def _v3_quotes(ops: Any, conn: Connection) -> None:
    """Schema 3: the quote basket and the names replaced on export (issue 5). Columns as of
    schema 3, frozen here."""
    import sqlalchemy as sa

    from qualbench.model import UTCDateTime

    ops.create_table(
        "quote",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("coding_uuid", sa.String(36), nullable=True),
        sa.Column("display_text", sa.Text, nullable=False),
        sa.Column("section", sa.String(400), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("modified", UTCDateTime(), nullable=False),
        sa.CheckConstraint('0 <= start AND start < "end"', name="ck_quote_span"),
    )
    ops.create_index("ix_quote_document", "quote", ["document_id"])
    ops.create_index("ix_quote_coding", "quote", ["coding_uuid"])
    ops.create_table(
        "name_replacement",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("match_key", sa.String(200), nullable=False, unique=True),
        sa.Column("replacement", sa.String(200), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
    )


def _v4_text_analysis(ops: Any, conn: Connection) -> None:
    """Schema 4: the cached language analysis and auto-coding suggestions (issue 7). Columns as
    of schema 4, frozen here."""
    import sqlalchemy as sa

    from qualbench.model import UTCDateTime

    ops.create_table(
        "text_analysis",
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pipeline", sa.String(200), nullable=False),
        sa.Column("token_count", sa.Integer, nullable=False),
        sa.Column("tokens", sa.LargeBinary, nullable=False),
        sa.Column("sentences", sa.LargeBinary, nullable=False),
        sa.Column("lemmas", sa.Text, nullable=False),
        sa.Column("stops", sa.LargeBinary, nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
    )
    ops.create_table(
        "suggestion",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("document.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column(
            "code_id", sa.Integer, sa.ForeignKey("code.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "coder_id", sa.Integer, sa.ForeignKey("coder.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("rule_kind", sa.String(16), nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("coding_uuid", sa.String(36), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("decided", UTCDateTime(), nullable=True),
        sa.UniqueConstraint(
            "document_id", "start", "end", "code_id", "coder_id", name="ux_suggestion_span"
        ),
        sa.CheckConstraint('0 <= start AND start < "end"', name="ck_suggestion_span"),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'rejected')", name="ck_suggestion_status"
        ),
        sa.CheckConstraint(
            "rule_kind IN ('speaker', 'keyword', 'regex', 'search')",
            name="ck_suggestion_rule_kind",
        ),
    )
    ops.create_index("ix_suggestion_review", "suggestion", ["coder_id", "status", "code_id"])


def _v5_team(ops: Any, conn: Connection) -> None:
    """Schema 5: team servers (issue 8): a coder's database login, a code's edit version."""
    import sqlalchemy as sa

    # Idempotent: a column already there (a file whose tables a newer model made) is kept.
    have = {t: {c["name"] for c in sa.inspect(conn).get_columns(t)} for t in ("coder", "code")}
    if "login" not in have["coder"]:
        ops.add_column("coder", sa.Column("login", sa.String(63), nullable=True))
        ops.create_index("uq_coder_login", "coder", ["login"], unique=True)
    if "version" not in have["code"]:
        ops.add_column("code", sa.Column("version", sa.Integer, nullable=False, server_default="1"))


STEPS: dict[int, Step] = {
    2: _v2_decisions,
    3: _v3_quotes,
    4: _v4_text_analysis,
    5: _v5_team,
}


def backup_path(path: Path, version: int) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.schema{version}-{stamp}.bak")


def upgrade(project: Project, from_version: int) -> Path | None:
    """Bring the project to :data:`SCHEMA_VERSION`; returns the backup file made first, if any."""
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from qualbench.store import ProjectError, backup_file

    missing = [v for v in range(from_version + 1, SCHEMA_VERSION + 1) if v not in STEPS]
    if missing:
        raise ProjectError(
            f"{project.label}: no upgrade path from schema {from_version} (missing {missing})"
        )
    backup = None
    if project.path is not None:
        backup = backup_file(project.path, backup_path(project.path, from_version))
    with project.engine.begin() as conn:
        ops = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
        for version in range(from_version + 1, SCHEMA_VERSION + 1):
            STEPS[version](ops, conn)
        conn.execute(
            text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
            {"v": str(SCHEMA_VERSION)},
        )
    return backup
