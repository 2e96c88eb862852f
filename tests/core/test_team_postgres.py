"""Team work on PostgreSQL: merging a coder's file, agreement and reconciliation give the same
results as on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualbench import undo
from qualbench.agreement.compute import AgreementOptions, agreement
from qualbench.distribute import distribute
from qualbench.merge import merge_many
from qualbench.reconcile import reconciliation, start_consensus
from qualbench.store import Project, open_project
from tests.core.test_merge import _copy_codings


def _scenario(project: Project, coder_file: Path) -> dict[str, Any]:
    (report,) = merge_many(project, [coder_file])
    again = merge_many(project, [coder_file])[0].codings_added
    options = AgreementOptions(coders=("cy", "ben"), unit="paragraph", domain=())
    with project.read() as s:
        result = agreement(s, options)
    with project.write() as s:
        start_consensus(s, options)
    with project.read() as s:
        first = reconciliation(s).items[0]
    stack = undo.CommandStack(project)
    stack.run(
        undo.decide(
            consensus="consensus",
            document_id=first.document_id,
            start=first.start,
            end=first.end,
            code_id=first.code_id,
            take=first.coded_by,
        )
    )
    with project.read() as s:
        decided = reconciliation(s)
    stack.undo()
    with project.read() as s:
        undone = reconciliation(s).decided
    return {
        "added": report.codings_added,
        "again": again,
        "alpha": round(result.overall["alpha"].value or 0, 12),
        "per_code": [(r.path, r.coded) for r in result.per_code],
        "items": len(decided.items),
        "decided": decided.decided,
        "undone": undone,
    }


def test_team_work_on_postgres_matches_sqlite(
    pg_sample_url: str, sample: Project, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    (copy,) = distribute(sample, ["cy"], folder)
    _copy_codings(sample, "ana", copy.path, "cy")
    with open_project(pg_sample_url) as pg:
        on_pg = _scenario(pg, copy.path)
    on_sqlite = _scenario(sample, copy.path)
    assert on_pg == on_sqlite
    assert (
        on_pg["added"] == 74
        and on_pg["again"] == 0
        and on_pg["decided"] == 1
        and on_pg["undone"] == 0
    )
