"""The codebook inside a project: code tree, create, update, move, delete, merge."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from qualbench.changes import Changes
from qualbench.db import CODE, CODING, MEMO, inserted_id
from qualbench.model import new_uuid, utcnow
from qualbench.services.documents import NotFound

PATH_SEPARATOR = " > "
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
# Distinct, readable highlight colours for new codes (Okabe-Ito and Tableau families).
PALETTE = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#4E79A7",
    "#F28E2B",
    "#E15759",
    "#76B7B2",
    "#59A14F",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
)
EDITABLE = ("name", "color", "definition", "inclusion", "exclusion", "example", "keywords")


class CodebookError(ValueError):
    """A codebook change would break the tree (cycle, duplicate name, bad colour)."""


@dataclass
class CodeNode:
    id: int
    uuid: str
    name: str
    parent_id: int | None
    color: str
    definition: str
    inclusion: str
    exclusion: str
    example: str
    keywords: list[str]
    position: int
    path: str = ""
    depth: int = 0
    children: list[CodeNode] = field(default_factory=list)
    version: int = 1  # raised by every edit (see update_code's expected_version)


def code_tree(session: Session) -> list[CodeNode]:
    """All codes in tree order (depth first, by position); each knows its path and depth."""
    rows = session.execute(select(CODE).order_by(CODE.c.position, CODE.c.id)).all()
    nodes = {
        r.id: CodeNode(
            r.id,
            r.uuid,
            r.name,
            r.parent_id,
            r.color,
            r.definition,
            r.inclusion,
            r.exclusion,
            r.example,
            json.loads(r.keywords_json or "[]"),
            r.position,
            version=r.version,
        )
        for r in rows
    }
    roots: list[CodeNode] = []
    for node in nodes.values():
        (nodes[node.parent_id].children if node.parent_id in nodes else roots).append(node)
    ordered: list[CodeNode] = []

    def walk(items: list[CodeNode], prefix: str, depth: int) -> None:
        for n in items:
            n.path = prefix + n.name
            n.depth = depth
            ordered.append(n)
            walk(n.children, n.path + PATH_SEPARATOR, depth + 1)

    walk(roots, "", 0)
    return ordered


def code_paths(session: Session) -> dict[int, str]:
    return {n.id: n.path for n in code_tree(session)}


def split_path(path: str) -> list[str]:
    return [p.strip() for p in path.split(PATH_SEPARATOR.strip()) if p.strip()]


def resolve_code(session: Session, ref: str) -> int:
    """A code id from its path (``Parent > Child``), unique name, uuid or numeric id."""
    ref = unicodedata.normalize("NFC", ref.strip())
    nodes = code_tree(session)
    by_path = {n.path.casefold(): n.id for n in nodes}
    for n in nodes:
        if n.uuid == ref.lower().strip("{}"):
            return n.id
    # Our " > " paths first, then the separators other tools write ("::" ATLAS.ti, "/" Taguette).
    for sep in (PATH_SEPARATOR.strip(), "::", "/", "\\"):
        wanted = PATH_SEPARATOR.join(p.strip() for p in ref.split(sep) if p.strip()).casefold()
        if wanted in by_path:
            return by_path[wanted]
    by_name = [n for n in nodes if n.name.casefold() == ref.casefold()]
    if len(by_name) == 1:
        return by_name[0].id
    if len(by_name) > 1:
        raise NotFound(f"code name {ref!r} is ambiguous; give its path, e.g. {by_name[0].path!r}")
    if ref.isdigit() and any(n.id == int(ref) for n in nodes):
        return int(ref)
    raise NotFound(f"no code {ref!r} in the codebook")


def _check_name(
    session: Session, name: str, parent_id: int | None, *, exclude: int | None = None
) -> str:
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if not name:
        raise CodebookError("a code needs a name")
    if PATH_SEPARATOR.strip() in name:
        raise CodebookError(f"code name {name!r} may not contain '{PATH_SEPARATOR.strip()}'")
    cond = CODE.c.parent_id.is_(None) if parent_id is None else CODE.c.parent_id == parent_id
    siblings = session.execute(select(CODE.c.id, CODE.c.name).where(cond)).all()
    if any(n.casefold() == name.casefold() and i != exclude for i, n in siblings):
        raise CodebookError(f"there is already a code {name!r} at this level")
    return name


def _check_color(color: str) -> str:
    if not _COLOR.fullmatch(color):
        raise CodebookError(f"colour {color!r} is not #RRGGBB")
    return color.upper()


def next_color(session: Session) -> str:
    count = session.execute(select(func.count()).select_from(CODE)).scalar_one()
    return PALETTE[count % len(PALETTE)]


def create_code(
    session: Session,
    *,
    name: str,
    parent_id: int | None = None,
    color: str | None = None,
    definition: str = "",
    inclusion: str = "",
    exclusion: str = "",
    example: str = "",
    keywords: Sequence[str] = (),
    uuid: str | None = None,
    position: int | None = None,
) -> tuple[int, Changes]:
    """Add a code (at the end of its siblings unless ``position`` is given)."""
    name = _check_name(session, name, parent_id)
    if (
        parent_id is not None
        and session.execute(select(CODE.c.id).where(CODE.c.id == parent_id)).first() is None
    ):
        raise NotFound(f"parent code {parent_id} does not exist")
    if position is None:
        cond = CODE.c.parent_id.is_(None) if parent_id is None else CODE.c.parent_id == parent_id
        position = (
            session.execute(select(func.max(CODE.c.position)).where(cond)).scalar() or 0
        ) + 1
    result = session.execute(
        CODE.insert().values(
            uuid=uuid or new_uuid(),
            name=name,
            parent_id=parent_id,
            color=_check_color(color) if color else next_color(session),
            definition=definition.strip(),
            inclusion=inclusion.strip(),
            exclusion=exclusion.strip(),
            example=example.strip(),
            keywords_json=json.dumps(
                [k.strip() for k in keywords if k.strip()], ensure_ascii=False
            ),
            position=position,
            created=utcnow(),
        )
    )
    code_id = inserted_id(result)
    return code_id, Changes(codes=frozenset({code_id}))


def code_fields(session: Session, code_id: int) -> dict[str, object]:
    row = session.execute(select(CODE).where(CODE.c.id == code_id)).first()
    if row is None:
        raise NotFound(f"code {code_id} does not exist")
    values: dict[str, object] = dict(row._mapping)
    values["keywords"] = json.loads(str(values.pop("keywords_json") or "[]"))
    return values


class EditConflict(CodebookError):
    """Someone else changed the code since this edit began (a team server). Nothing of the
    edit was applied; `keep` saves it as a memo on the code so that neither edit is lost."""

    def __init__(
        self,
        code_id: int,
        current: dict[str, object],
        wanted: dict[str, object],
        editor_id: int | None,
    ) -> None:
        self.code_id, self.current, self.wanted, self.editor_id = (
            code_id,
            current,
            wanted,
            editor_id,
        )
        now = ", ".join(f"{k} {current.get(k)!r}" for k in wanted if k != "keywords")
        mine = ", ".join(f"{k} {v!r}" for k, v in wanted.items())
        super().__init__(
            f"code {current.get('name')!r} was changed by someone else while you edited it"
            + (f" (it now has {now})" if now else "")
            + f"; your edit ({mine}) was not applied and is kept in a memo on the code; "
            "make it again to replace theirs"
        )

    def keep(self, session: Session) -> Changes:
        from qualbench.services.memos import add_memo

        lines = [f"{k}: {v}" for k, v in self.wanted.items()]
        return add_memo(
            session,
            target="code",
            target_id=self.code_id,
            title="Edit not applied (conflict)",
            text="An edit made while someone else changed this code:\n" + "\n".join(lines),
            coder_id=self.editor_id,
        )[1]


def update_code(
    session: Session,
    code_id: int,
    *,
    expected_version: int | None = None,
    editor_id: int | None = None,
    **fields: object,
) -> Changes:
    """Rename, recolour or edit the definition/criteria/example/keywords of a code.

    With ``expected_version`` (the code's version when the edit began), an edit on a code that
    was changed since raises `EditConflict` and changes nothing; the version is raised by every
    edit and checked in the UPDATE itself, so two concurrent edits cannot both pass."""
    current = code_fields(session, code_id)
    if expected_version is not None and current["version"] != expected_version:
        raise EditConflict(code_id, current, dict(fields), editor_id)
    values: dict[str, object] = {}
    for key, value in fields.items():
        if key not in EDITABLE:
            raise CodebookError(f"{key!r} is not an editable field of a code")
        if key == "name":
            parent = current["parent_id"]
            values["name"] = _check_name(
                session, str(value), parent if isinstance(parent, int) else None, exclude=code_id
            )
        elif key == "color":
            values["color"] = _check_color(str(value))
        elif key == "keywords":
            words = value if isinstance(value, list | tuple) else str(value).split(",")
            values["keywords_json"] = json.dumps(
                [str(k).strip() for k in words if str(k).strip()], ensure_ascii=False
            )
        else:
            values[key] = str(value).strip()
    if values:
        where = CODE.c.id == code_id
        if expected_version is not None:
            where = and_(where, CODE.c.version == expected_version)
        done = session.execute(
            update(CODE).where(where).values(version=CODE.c.version + 1, **values)
        )
        if expected_version is not None and not getattr(done, "rowcount", 1):
            raise EditConflict(code_id, code_fields(session, code_id), dict(fields), editor_id)
    return Changes(codes=frozenset({code_id}))


def descendants(session: Session, code_id: int) -> list[int]:
    """Ids of the code's subtree, the code first."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in session.execute(select(CODE.c.id, CODE.c.parent_id)):
        children.setdefault(parent, []).append(cid)
    out, stack = [], [code_id]
    while stack:
        cid = stack.pop()
        out.append(cid)
        stack.extend(children.get(cid, []))
    return out


def move_code(
    session: Session, code_id: int, *, parent_id: int | None, position: int | None = None
) -> Changes:
    """Put a code under another parent (or at the top) at a sibling position; no cycles."""
    if parent_id is not None and parent_id in descendants(session, code_id):
        raise CodebookError("a code cannot be moved under itself or one of its sub-codes")
    name = str(code_fields(session, code_id)["name"])
    _check_name(session, name, parent_id, exclude=code_id)
    cond = CODE.c.parent_id.is_(None) if parent_id is None else CODE.c.parent_id == parent_id
    siblings = [
        i
        for (i,) in session.execute(
            select(CODE.c.id)
            .where(and_(cond, CODE.c.id != code_id))
            .order_by(CODE.c.position, CODE.c.id)
        )
    ]
    index = len(siblings) if position is None else max(0, min(position, len(siblings)))
    siblings.insert(index, code_id)
    session.execute(
        update(CODE)
        .where(CODE.c.id == code_id)
        .values(parent_id=parent_id, version=CODE.c.version + 1)
    )
    for pos, sid in enumerate(siblings, start=1):
        session.execute(update(CODE).where(CODE.c.id == sid).values(position=pos))
    return Changes(codes=frozenset(siblings))


def usage(session: Session, code_ids: Iterable[int]) -> tuple[int, int]:
    """(codings, memos) attached to these codes: what a delete would remove."""
    ids = list(code_ids)
    codings = session.execute(
        select(func.count()).select_from(CODING).where(CODING.c.code_id.in_(ids))
    ).scalar_one()
    memos = session.execute(
        select(func.count()).select_from(MEMO).where(MEMO.c.code_id.in_(ids))
    ).scalar_one()
    return int(codings), int(memos)


def delete_codes(session: Session, code_id: int) -> Changes:
    """Delete a code with its sub-codes and their codings and memos."""
    ids = descendants(session, code_id)
    coding_ids = [
        i for (i,) in session.execute(select(CODING.c.id).where(CODING.c.code_id.in_(ids)))
    ]
    session.execute(CODING.delete().where(CODING.c.code_id.in_(ids)))
    for cid in reversed(ids):  # leaves first: parent_id is RESTRICT
        session.execute(CODE.delete().where(CODE.c.id == cid))
    return Changes(codes=frozenset(ids), codings=frozenset(coding_ids))
