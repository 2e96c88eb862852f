"""Load a codebook file into a project and take the project's codebook out as a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.codebook_files import TEXT_FIELDS, Codebook, CodebookCode
from qualbench.db import PROJECT
from qualbench.services.codes import CodeNode, code_tree, create_code, move_code, update_code


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    changes: Changes = field(default_factory=Changes)


def load_codebook(session: Session, book: Codebook) -> LoadReport:
    """Merge a codebook into the project's: codes are matched by id, then by path; new codes are
    added, matched ones get the file's non-empty fields (and its place in the tree when matched
    by id). Nothing is deleted: codes only in the project stay."""
    report = LoadReport()
    nodes = code_tree(session)
    by_uuid = {n.uuid: n for n in nodes}
    by_path = {n.path.casefold(): n for n in nodes}
    placed: dict[str, int] = {}  # file path -> project code id

    for path, code, parent_path in book.walk():
        parent_id = placed[parent_path] if parent_path is not None else None
        node = by_uuid.get(code.uuid) if code.uuid else None
        node = node or by_path.get(path.casefold())
        if node is None:
            new_id, ch = create_code(
                session,
                name=code.name,
                parent_id=parent_id,
                color=code.color or None,
                keywords=code.keywords,
                uuid=code.uuid or None,
                **{f: getattr(code, f) for f in TEXT_FIELDS},
            )
            report.added.append(path)
            report.changes |= ch
            placed[path] = new_id
            continue
        placed[path] = node.id
        changed = _differences(node, code)
        if node.parent_id != parent_id and code.uuid and code.uuid == node.uuid:
            report.changes |= move_code(session, node.id, parent_id=parent_id)
            changed["moved"] = True
        if changed:
            fields: dict[str, Any] = {k: v for k, v in changed.items() if k != "moved"}
            if fields:
                report.changes |= update_code(session, node.id, **fields)
            report.updated.append(path)
        else:
            report.unchanged += 1
    if book.name or book.description:
        report.changes |= Changes(project=True)
    return report


def _differences(node: CodeNode, code: CodebookCode) -> dict[str, object]:
    out: dict[str, object] = {}
    if code.name != node.name:
        out["name"] = code.name
    if code.color and code.color.upper() != node.color.upper():
        out["color"] = code.color
    for f in TEXT_FIELDS:
        value = getattr(code, f)
        if value and value != getattr(node, f):
            out[f] = value
    if code.keywords and code.keywords != node.keywords:
        out["keywords"] = code.keywords
    return out


def project_codebook(session: Session) -> Codebook:
    """The project's codes as a :class:`Codebook` (for writing to a file)."""
    info = session.execute(PROJECT.select()).first()
    book = Codebook(name=info.name if info else "", description=info.description if info else "")
    made: dict[int, CodebookCode] = {}
    for n in code_tree(session):
        c = CodebookCode(
            name=n.name,
            uuid=n.uuid,
            color=n.color,
            keywords=list(n.keywords),
            **{f: getattr(n, f) for f in TEXT_FIELDS},
        )
        made[n.id] = c
        (made[n.parent_id].children if n.parent_id in made else book.codes).append(c)
    return book
