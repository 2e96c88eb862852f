"""Read a coder's project file for merging, as untrusted input: every row is checked, and what
fails a check is set aside with the reason instead of being merged."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from qualbench.db import (
    ATTRIBUTE,
    CASE_VALUE,
    CASES,
    CODE,
    CODER,
    CODING,
    DOCUMENT,
    DOCUMENT_VALUE,
    MEMO,
    TURN,
)
from qualbench.model import KINDS, ORIGINS
from qualbench.store import Project, ProjectError, open_project

_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_NAME = 400


@dataclass
class Source:
    """The rows of a source project that passed the checks, keyed by the source's own ids."""

    path: Path
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    turns: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # by document id
    # documents whose turns were not read (the target has their text): see source_turns
    turns_skipped: set[int] = field(default_factory=set)
    cases: dict[int, dict[str, Any]] = field(default_factory=dict)
    case_values: dict[int, dict[str, str]] = field(default_factory=dict)  # case id -> {attr: value}
    document_values: dict[int, dict[str, str]] = field(default_factory=dict)
    codes: list[dict[str, Any]] = field(default_factory=list)  # parents before children
    coders: dict[int, dict[str, Any]] = field(default_factory=dict)
    codings: list[dict[str, Any]] = field(default_factory=list)
    memos: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # what was set aside, and why


@contextmanager
def opened_source(path: Path) -> Iterator[Project]:
    """The source opened read-only; an older schema is upgraded in a temporary copy, never in
    place (the coder's file is not ours to change)."""
    try:
        project = open_project(path, readonly=True)
    except ProjectError as exc:
        if "older schema" not in str(exc):
            raise
        folder = Path(tempfile.mkdtemp(prefix="qualbench-merge-"))
        try:
            copy = folder / path.name
            shutil.copy(path, copy)
            with open_project(copy):
                pass  # upgrades the copy (and writes its backup beside it, in the temp folder)
            with open_project(copy, readonly=True) as project:
                yield project
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    with project:
        yield project


def _ok_name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_NAME


def read_source(project: Project, path: Path, *, known_texts: Collection[str] = ()) -> Source:
    """Every row of the source that is well-formed; the rest listed in ``rejected``.

    ``known_texts`` are content hashes the target already has: the turns of those documents
    are not read (a merge maps such a document onto the target's own, with its own turns), and
    their ids are in ``turns_skipped``; :func:`source_turns` reads them should they be needed."""
    src = Source(path=path)
    with project.read() as s:
        for row in s.execute(select(DOCUMENT)).mappings():
            doc = dict(row)
            text = doc["text"] if isinstance(doc["text"], str) else ""
            if not _ok_name(doc["name"]) or doc["kind"] not in KINDS:
                src.rejected.append(f"document {doc['id']}: invalid name or kind")
            elif hashlib.sha256(text.encode("utf-8")).hexdigest() != doc["content_sha256"]:
                src.rejected.append(
                    f"document {doc['name']!r}: its text does not match its hash (damaged or edited outside QualBench)"
                )
            else:
                src.documents[doc["id"]] = doc
        src.turns_skipped = {
            d for d, doc in src.documents.items() if doc["content_sha256"] in known_texts
        }
        _read_turns(s, src, [d for d in src.documents if d not in src.turns_skipped])
        src.cases = {
            r["id"]: dict(r) for r in s.execute(select(CASES)).mappings() if _ok_name(r["name"])
        }
        attrs = {
            r["id"]: (r["scope"], r["name"])
            for r in s.execute(select(ATTRIBUTE)).mappings()
            if _ok_name(r["name"])
        }
        for case_id, attr_id, value in s.execute(
            select(CASE_VALUE.c.case_id, CASE_VALUE.c.attribute_id, CASE_VALUE.c.value)
        ):
            if (
                case_id in src.cases
                and attrs.get(attr_id, ("",))[0] == "case"
                and isinstance(value, str)
            ):
                src.case_values.setdefault(case_id, {})[attrs[attr_id][1]] = value
        for doc_id, attr_id, value in s.execute(
            select(
                DOCUMENT_VALUE.c.document_id, DOCUMENT_VALUE.c.attribute_id, DOCUMENT_VALUE.c.value
            )
        ):
            if (
                doc_id in src.documents
                and attrs.get(attr_id, ("",))[0] == "document"
                and isinstance(value, str)
            ):
                src.document_values.setdefault(doc_id, {})[attrs[attr_id][1]] = value
        src.codes = _codes_in_order(
            [
                dict(r)
                for r in s.execute(select(CODE).order_by(CODE.c.position, CODE.c.id)).mappings()
            ],
            src,
        )
        src.coders = {
            r["id"]: dict(r) for r in s.execute(select(CODER)).mappings() if _ok_name(r["name"])
        }
        codes = {c["id"] for c in src.codes}
        result = s.execute(select(CODING))
        keys = list(result.keys())  # plain rows: the mappings API costs more than the checks
        for values in result.all():
            c = dict(zip(keys, values, strict=True))
            owner = src.documents.get(c["document_id"])
            why = (
                "its document was set aside" if owner is None
                else "its code was set aside" if c["code_id"] not in codes
                else "its coder is unknown" if c["coder_id"] not in src.coders
                else "its span is outside the document" if not (0 <= c["start"] < c["end"] <= len(owner["text"]))
                else "its origin is unknown" if c["origin"] not in ORIGINS
                else "its id is not a UUID" if not _UUID.fullmatch(str(c["uuid"]))
                else ""
            )  # fmt: skip
            if why:
                src.rejected.append(f"coding {c['uuid']}: {why}")
            else:
                src.codings.append(c)
        src.memos = [
            dict(r)
            for r in s.execute(select(MEMO).order_by(MEMO.c.id)).mappings()
            if isinstance(r["text"], str)
        ]
    return src


def _read_turns(s: Session, src: Source, doc_ids: list[int]) -> None:
    """The well-formed turns of these (accepted) documents into ``src.turns``."""
    if len(doc_ids) == len(src.documents):
        chunks = [select(TURN)]  # every document: no list of ids needed
    else:
        ordered = sorted(doc_ids)
        chunks = [
            select(TURN).where(TURN.c.document_id.in_(ordered[i : i + 900]))
            for i in range(0, len(ordered), 900)
        ]
    for query in chunks:
        result = s.execute(query.order_by(TURN.c.document_id, TURN.c.ordinal))
        keys = list(result.keys())
        for row in result.all():
            t = dict(zip(keys, row, strict=True))
            owner = src.documents.get(t["document_id"])
            if (
                owner is not None
                and 0 <= t["start"] <= t["body_start"] <= t["end"] <= len(owner["text"])
                and _ok_name(t["speaker"])
            ):
                src.turns.setdefault(t["document_id"], []).append(t)


def source_turns(src: Source, doc_id: int) -> list[dict[str, Any]]:
    """The well-formed turns of one of the source's documents, read from the source file again
    if :func:`read_source` skipped them."""
    if doc_id in src.turns_skipped:
        with opened_source(src.path) as project, project.read() as s:
            _read_turns(s, src, [doc_id])
        src.turns_skipped.discard(doc_id)
    return src.turns.get(doc_id, [])


def _codes_in_order(rows: list[dict[str, Any]], src: Source) -> list[dict[str, Any]]:
    """Valid codes, parents before children; codes in a parent cycle or with a bad field are
    set aside (with their sub-codes)."""
    by_id = {r["id"]: r for r in rows}
    ok: dict[int, dict[str, Any]] = {}
    for r in rows:
        if not _ok_name(r["name"]) or " > " in r["name"]:
            src.rejected.append(f"code {r['id']}: invalid name")
            continue
        if not _COLOR.fullmatch(str(r["color"])):
            r = {**r, "color": "#9E9E9E"}
        try:
            r["keywords"] = [str(k) for k in json.loads(r.get("keywords_json") or "[]")]
        except (ValueError, TypeError):
            r["keywords"] = []
        ok[r["id"]] = r
    ordered: list[dict[str, Any]] = []
    placed: set[int] = set()

    def place(code_id: int, trail: tuple[int, ...]) -> bool:
        if code_id in placed:
            return True
        r = ok.get(code_id)
        if r is None or code_id in trail:
            return False
        parent = r["parent_id"]
        if parent is not None and (parent not in by_id or not place(parent, (*trail, code_id))):
            return False
        ordered.append(r)
        placed.add(code_id)
        return True

    for r in rows:
        if r["id"] in ok and not place(r["id"], ()):
            src.rejected.append(f"code {r['name']!r}: its parent is missing or forms a cycle")
    return ordered
