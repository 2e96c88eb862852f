"""Coder copies: the lead's project with the same documents, participants and codebook, but no
codings, one file per coder, to code independently and merge back later (:mod:`qualbench.merge`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update

from qualbench.db import CODER, CODING, DECISION, MEMO, META, PROJECT
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.services.coding import get_or_create_coder
from qualbench.store import Project, ProjectError, backup_file, open_project

ASSIGNED_CODER = "assigned_coder"  # meta key: who a coder copy is for


@dataclass(frozen=True)
class CoderCopy:
    coder: str
    path: Path


def _file_name(project_path: Path, coder: str) -> str:
    safe = re.sub(r"[^\w.-]+", "_", coder.strip()).strip("_") or "coder"
    return f"{project_path.stem}-{safe}.qualbench"


def distribute(
    project: Project,
    coders: Sequence[str],
    folder: Path,
    *,
    keep_codings: bool = False,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> list[CoderCopy]:
    """Write one copy per coder into ``folder`` (which must exist; existing files are refused).

    Each copy keeps documents, turns, participants, attributes, the codebook and project, document
    and code memos; codings, their memos and reconciliation decisions are left out unless
    ``keep_codings``. The copy records whom it is for, and that coder is created in it.
    """
    if project.path is None:
        raise ProjectError(f"{project.label}: coder copies are made from a project file")
    names = [" ".join(c.split()) for c in coders if c.strip()]
    if len(set(names)) != len(names) or not names:
        raise ProjectError("give each coder once, by name")
    if not folder.is_dir():
        raise ProjectError(f"{folder}: the folder does not exist")
    targets = [CoderCopy(name, folder / _file_name(project.path, name)) for name in names]
    taken = [str(t.path) for t in targets if t.path.exists()]
    if taken:
        raise ProjectError(f"{taken[0]}: already exists; choose another folder")
    made: list[CoderCopy] = []
    try:
        for n, target in enumerate(targets):
            if cancel():
                raise Cancelled
            progress(n, len(targets), target.coder)
            backup_file(project.path, target.path)
            with open_project(target.path) as copy, copy.write() as s:
                if not keep_codings:
                    s.execute(delete(MEMO).where(MEMO.c.coding_id.is_not(None)))
                    s.execute(delete(DECISION))
                    s.execute(delete(CODING))
                    authors = select(MEMO.c.coder_id).where(MEMO.c.coder_id.is_not(None))
                    s.execute(delete(CODER).where(CODER.c.id.not_in(authors)))
                s.execute(delete(META).where(META.c.key == ASSIGNED_CODER))
                s.execute(META.insert().values(key=ASSIGNED_CODER, value=target.coder))
                name = s.execute(PROJECT.select()).first()
                if name is not None:
                    s.execute(update(PROJECT).values(name=f"{name.name} — {target.coder}"))
                get_or_create_coder(s, target.coder)
            made.append(target)
        progress(len(targets), len(targets), "done")
    except BaseException:
        for written in [*made, *targets[len(made) : len(made) + 1]]:
            for extra in ("", "-wal", "-shm", "-lock"):
                Path(str(written.path) + extra).unlink(missing_ok=True)
        raise
    return made


def assigned_coder(project: Project) -> str | None:
    """The coder a coder copy was made for (None for other projects)."""
    with project.read() as s:
        value = s.execute(select(META.c.value).where(META.c.key == ASSIGNED_CODER)).scalar()
    return str(value) if value else None
