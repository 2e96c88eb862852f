"""Export a project as a REFI-QDA project (.qdpx) or its codebook as a .qdc.

The .qdpx holds ``project.qde`` and ``sources/<document uuid>.txt`` (UTF-8, no BOM), as the
specification lays out (sections 8.1 and 9.1.2). What goes where:

- coders -> Users; codes -> CodeBook (nesting, order, colours; definition, criteria, example and
  keywords folded into Description, see ``descriptions.py``); code memos -> NoteRef;
- documents -> TextSource with the text as an internal plain-text file; document attributes ->
  VariableValue; document memos -> NoteRef; document kinds -> Sets ("interview", "focus group",
  "other", described as a QualBench document kind, which our importer reads back);
- codings -> a PlainTextSelection per span and coder (created by that coder) holding one Coding
  per code, each Coding with the coder as creatingUser and the coding's uuid as GUID; coding
  memos -> the Coding's NoteRef;
- participants -> Cases with their attributes (Variables of the case attributes) and one
  SelectionRef per speaker turn, pointing to an uncoded PlainTextSelection over the turn named
  after the speaker label; participant memos -> a Link from the Note to the Case;
- memos -> Notes (name = title, PlainTextContent = text, creatingUser = author); project memos
  -> the Project's NoteRef.

Positions are written for the text in the archive, by the chosen profile (``positions.py``):
our stored text (LF) in code points for ``standard``; the same text with CR LF line breaks for
``nvivo`` (UTF-16 units), ``maxqda`` (code points) and ``atlas`` (code points with each line
break counted once, which equal our own offsets). ``Project/@origin`` names the profile, so our
importer reads its own files back exactly.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from qualbench.db import (
    ATTRIBUTE,
    CASE_VALUE,
    CASES,
    CODE,
    CODER,
    CODING,
    DECISION,
    DOCUMENT,
    DOCUMENT_VALUE,
    MEMO,
    PROJECT,
    TURN,
)
from qualbench.model import KIND_LABELS
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.refi.apply import KIND_SET
from qualbench.refi.codebook import code_element, qdc_bytes
from qualbench.refi.parse import derived_uuid
from qualbench.refi.positions import PROFILES, ExportPositions
from qualbench.refi.reader import RefiError
from qualbench.refi.report import RefiReport
from qualbench.refi.xmlout import PROJECT_NS, PROJECT_XSD, Text, origin, serialise, stamp, sub
from qualbench.refi.xmlout import text_child as text_el
from qualbench.services.codebook import project_codebook
from qualbench.store import Project

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_VALUE_TAG = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
              "Float": "FloatValue", "Date": "DateValue"}  # fmt: skip
_SNIPPET = 100  # characters of coded text in a selection's name, as NVivo and ATLAS.ti do


def _variable_type(kind: str, values: list[str]) -> str:
    """The REFI type under which every value of the attribute is valid as it is."""
    if kind == "boolean" and all(v in ("true", "false") for v in values):
        return "Boolean"
    if kind == "number" and all(_INTEGER.fullmatch(v) for v in values):
        return "Integer"
    if kind == "number" and all(_DECIMAL.fullmatch(v) for v in values):
        return "Float"
    if kind == "date" and all(_DATE.fullmatch(v) and _valid_date(v) for v in values):
        return "Date"
    return "Text"


def _valid_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class _Builder:
    """Builds project.qde while writing the sources into the archive."""

    def __init__(self, s: Session, report: RefiReport, profile: str) -> None:
        self.s = s
        self.r = report
        self.profile = PROFILES[profile]
        self.clean = Text()
        self.coders = dict(s.execute(select(CODER.c.id, CODER.c.uuid)).all())
        self.memos: dict[tuple[str, int | None], list[str]] = defaultdict(list)
        for m in s.execute(select(MEMO).order_by(MEMO.c.created, MEMO.c.id)).mappings():
            target = next(
                ((k, m[k]) for k in ("document_id", "code_id", "coding_id", "case_id") if m[k]),
                ("project", None),
            )
            self.memos[target].append(m["uuid"])
        self.variables: dict[int, tuple[str, str]] = {}  # attribute id -> (guid, REFI type)
        self.turns: dict[int, list[str]] = defaultdict(list)  # case id -> turn selection guids

    # --- project-wide parts -------------------------------------------------------------------

    def users(self) -> ET.Element | None:
        rows = self.s.execute(select(CODER.c.uuid, CODER.c.name).order_by(CODER.c.id)).all()
        self.r.count("coders", len(rows))
        if not rows:
            return None
        users = ET.Element("Users")
        for uuid, name in rows:
            sub(users, "User", {"guid": uuid, "name": self.clean(name)})
        return users

    def codebook(self) -> ET.Element | None:
        book = project_codebook(self.s)
        if not book.codes:
            return None
        codebook = ET.Element("CodeBook")
        codes = sub(codebook, "Codes")
        notes = {
            uuid: self.memos.get(("code_id", cid), [])
            for cid, uuid in self.s.execute(select(CODE.c.id, CODE.c.uuid))
        }
        for code in book.codes:
            code_element(codes, code, self.clean, notes)
        self.r.count("codes", sum(1 for _ in book.walk()))
        if any(c.inclusion or c.exclusion or c.example or c.keywords for _, c, _ in book.walk()):
            self.r.note(
                "inclusion and exclusion criteria, examples and keywords are folded into each "
                "code's Description (labelled lines our importer reads back)"
            )
        return codebook

    def variables_el(self) -> ET.Element | None:
        rows = (
            self.s.execute(select(ATTRIBUTE).order_by(ATTRIBUTE.c.scope, ATTRIBUTE.c.position))
            .mappings()
            .all()
        )
        if not rows:
            return None
        values: dict[int, list[str]] = defaultdict(list)
        for table in (DOCUMENT_VALUE, CASE_VALUE):
            for attr, value in self.s.execute(select(table.c.attribute_id, table.c.value)):
                values[attr].append(value)
        parent = ET.Element("Variables")
        texted = 0
        for a in rows:
            kind = _variable_type(a["type"], values[a["id"]])
            texted += kind == "Text" and a["type"] != "text"
            self.variables[a["id"]] = (a["uuid"], kind)
            v = sub(parent, "Variable", {"guid": a["uuid"], "name": self.clean(a["name"]),
                                          "typeOfVariable": kind})  # fmt: skip
            text_el(
                v,
                "Description",
                f"{'participant' if a['scope'] == 'case' else 'document'} attribute",
            )
        self.r.count("attributes", len(rows))
        if texted:
            self.r.note(
                f"{texted} attributes exported as Text: their values are not all in the "
                "standard's number, date or true/false form"
            )
        return parent

    def values(self, parent: ET.Element, table: Any, owner: Any, owner_id: int) -> None:
        for attr, value in self.s.execute(
            select(table.c.attribute_id, table.c.value).where(owner == owner_id)
        ):
            guid, kind = self.variables[attr]
            vv = sub(parent, "VariableValue")
            sub(vv, "VariableRef", {"targetGUID": guid})
            sub(vv, _VALUE_TAG[kind]).text = self.clean(value)

    def note_refs(self, parent: ET.Element, key: tuple[str, int | None]) -> None:
        for uuid in self.memos.get(key, []):
            sub(parent, "NoteRef", {"targetGUID": uuid})

    # --- documents ----------------------------------------------------------------------------

    def source(self, doc: Any, text: str) -> tuple[ET.Element, str]:
        """The TextSource of a document, and the text to store for it."""
        to = ExportPositions(text, self.profile)
        e = ET.Element("TextSource", {
            "guid": doc.uuid, "name": self.clean(doc.name),
            "plainTextPath": f"internal://{doc.uuid}.txt",
            "creationDateTime": stamp(doc.imported),
        })  # fmt: skip
        selections: list[tuple[int, int, ET.Element]] = []
        groups: dict[tuple[int, int, int], list[Any]] = defaultdict(list)
        for c in self.s.execute(
            select(CODING).where(CODING.c.document_id == doc.id).order_by(CODING.c.id)
        ).mappings():
            groups[(c["start"], c["end"], c["coder_id"])].append(c)
        for (start, end, coder), codings in groups.items():
            user = self.coders[coder]
            sel = ET.Element("PlainTextSelection", {
                "guid": derived_uuid("selection", doc.uuid, str(start), str(end), user),
                "name": self.clean(" ".join(text[start:end].split())[:_SNIPPET]),
                "startPosition": str(to(start)), "endPosition": str(to(end)),
                "creatingUser": user,
                "creationDateTime": stamp(min(c["created"] for c in codings)),
            })  # fmt: skip
            for c in codings:
                cod = sub(sel, "Coding", {"guid": c["uuid"], "creatingUser": user,
                                          "creationDateTime": stamp(c["created"])})  # fmt: skip
                sub(cod, "CodeRef", {"targetGUID": self.code_uuids[c["code_id"]]})
                self.note_refs(cod, ("coding_id", c["id"]))
            selections.append((start, end, sel))
            self.r.count("codings", len(codings))
        for t in self.s.execute(
            select(TURN).where(TURN.c.document_id == doc.id).order_by(TURN.c.ordinal)
        ).mappings():
            if t["case_id"] is None or t["start"] >= t["end"]:
                continue
            guid = derived_uuid("turn", doc.uuid, str(t["ordinal"]))
            sel = ET.Element("PlainTextSelection", {
                "guid": guid, "name": self.clean(t["speaker"]),
                "startPosition": str(to(t["start"])), "endPosition": str(to(t["end"])),
            })  # fmt: skip
            selections.append((t["start"], t["end"], sel))
            self.turns[t["case_id"]].append(guid)
            self.timestamps += t["timestamp_ms"] is not None
        for _, _, sel in sorted(selections, key=lambda x: (x[0], x[1])):
            e.append(sel)
        self.note_refs(e, ("document_id", doc.id))
        self.values(e, DOCUMENT_VALUE, DOCUMENT_VALUE.c.document_id, doc.id)
        return e, to.text

    code_uuids: dict[int, str]
    timestamps: int = 0

    def cases(self) -> ET.Element | None:
        rows = self.s.execute(select(CASES).order_by(CASES.c.id)).mappings().all()
        if not rows:
            return None
        parent = ET.Element("Cases")
        for c in rows:
            e = sub(parent, "Case", {"guid": c["uuid"], "name": self.clean(c["name"])})
            text_el(e, "Description", self.clean(c["description"]))
            self.values(e, CASE_VALUE, CASE_VALUE.c.case_id, c["id"])
            for guid in self.turns.get(c["id"], []):
                sub(e, "SelectionRef", {"targetGUID": guid})
        self.r.count("participants", len(rows))
        return parent

    def notes(self) -> tuple[ET.Element | None, ET.Element | None]:
        rows = self.s.execute(select(MEMO).order_by(MEMO.c.created, MEMO.c.id)).mappings().all()
        if not rows:
            return None, None
        notes = ET.Element("Notes")
        links = ET.Element("Links")
        for m in rows:
            n = sub(notes, "Note", {
                "guid": m["uuid"], "name": self.clean(m["title"]),
                "creatingUser": self.coders.get(m["coder_id"], ""),
                "creationDateTime": stamp(m["created"]), "modifiedDateTime": stamp(m["modified"]),
            })  # fmt: skip
            sub(n, "PlainTextContent").text = self.clean(m["text"])
            if m["case_id"]:
                case = self.s.execute(
                    select(CASES.c.uuid).where(CASES.c.id == m["case_id"])
                ).scalar_one()
                sub(links, "Link", {"guid": derived_uuid("link", m["uuid"]), "name": "memo",
                                    "direction": "OneWay", "originGUID": m["uuid"],
                                    "targetGUID": case})  # fmt: skip
        self.r.count("memos", len(rows))
        return notes, (links if len(links) else None)

    def sets(self, kinds: dict[str, list[str]], project_uuid: str) -> ET.Element | None:
        if not kinds:
            return None
        parent = ET.Element("Sets")
        for kind, docs in kinds.items():
            st = sub(parent, "Set", {"guid": derived_uuid("kind", project_uuid, kind),
                                     "name": KIND_LABELS[kind]})  # fmt: skip
            text_el(st, "Description", f"{KIND_SET}: {kind}")
            for uuid in docs:
                sub(st, "MemberSource", {"targetGUID": uuid})
        return parent


def export_qdpx(
    project: Project,
    out: str | Path,
    *,
    profile: str = "standard",
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> RefiReport:
    """Write the project as a .qdpx (atomically: a failed or cancelled export leaves no file).
    ``profile`` is one of ``standard``, ``nvivo``, ``maxqda``, ``atlas`` (see ``positions.py``)."""
    if profile not in PROFILES:
        raise RefiError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    out = Path(out)
    report = RefiReport("export", str(out), origin=origin(profile))
    report.positions = f"positions: {PROFILES[profile].description}"
    tmp = out.with_name(out.name + ".tmp")
    try:
        with project.read() as s, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            _build(s, zf, report, profile, progress, cancel)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return report


def _build(
    s: Session,
    zf: zipfile.ZipFile,
    report: RefiReport,
    profile: str,
    progress: Progress,
    cancel: CancelCheck,
) -> None:
    b = _Builder(s, report, profile)
    b.code_uuids = dict(s.execute(select(CODE.c.id, CODE.c.uuid)).all())
    info = s.execute(select(PROJECT)).mappings().first()
    root = ET.Element("Project", {
        "name": b.clean(info["name"] if info else "QualBench project") or "QualBench project",
        "origin": report.origin,
        "creationDateTime": stamp(info["created"] if info else None),
        "modifiedDateTime": stamp(None),
    })  # fmt: skip
    parts: dict[str, ET.Element | None] = {
        "Users": b.users(), "CodeBook": b.codebook(), "Variables": b.variables_el()
    }  # fmt: skip
    docs = s.execute(
        select(DOCUMENT.c.id, DOCUMENT.c.uuid, DOCUMENT.c.name, DOCUMENT.c.kind,
               DOCUMENT.c.imported).order_by(DOCUMENT.c.position, DOCUMENT.c.id)
    ).all()  # fmt: skip
    sources = ET.Element("Sources")
    kinds: dict[str, list[str]] = defaultdict(list)
    for n, doc in enumerate(docs):
        if cancel():
            raise Cancelled
        progress(n, len(docs), "documents")
        text = s.execute(select(DOCUMENT.c.text).where(DOCUMENT.c.id == doc.id)).scalar_one()
        element, exported = b.source(doc, text)
        sources.append(element)
        zf.writestr(f"sources/{doc.uuid}.txt", exported.encode("utf-8"))
        kinds[doc.kind].append(doc.uuid)
    report.count("documents", len(docs))
    parts["Cases"] = b.cases()
    parts["Sources"] = sources if len(sources) else None
    parts["Notes"], parts["Links"] = b.notes()
    parts["Sets"] = b.sets(kinds, info["uuid"] if info else "")
    for part in parts.values():
        if part is not None:
            root.append(part)
    text_el(root, "Description", b.clean(info["description"] if info else ""))
    b.note_refs(root, ("project", None))
    zf.writestr("project.qde", serialise(root, PROJECT_NS, PROJECT_XSD))
    progress(len(docs), len(docs), "done")
    _export_losses(s, report, b)


def _export_losses(s: Session, report: RefiReport, b: _Builder) -> None:
    def count(table: Any, *where: Any) -> int:
        return int(s.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    report.lose("speaker-turn time stamps", b.timestamps, "REFI text sources have no time stamps")
    report.lose(
        "auto-coded codings' origin",
        count(CODING, CODING.c.origin == "auto"),
        "REFI has no field for it: they are exported as ordinary codings",
    )
    report.lose("reconciliation decisions", count(DECISION), "REFI has no such element")
    report.lose(
        "original file names and formats",
        count(DOCUMENT),
        "a REFI plain-text source keeps only the text, which QualBench exports",
    )
    for name, what in (("quote", "quotes in the quote basket"), ("name_replacement", "pseudonyms")):
        table = SQLModel.metadata.tables.get(name)
        if table is not None:
            report.lose(what, count(table), "REFI has no such element")
    report.lose("characters", b.clean.removed, "XML cannot hold control characters")
    if b.turns:
        report.note("speaker turns are exported as selections of their participants (Cases)")
    if b.profile.crlf:
        report.note("texts are written with CR LF line breaks")


def export_qdc(project: Project, out: str | Path) -> RefiReport:
    """Write the project's codebook as a .qdc (atomically)."""
    out = Path(out)
    report = RefiReport("export", str(out), origin=origin())
    with project.read() as s:
        book = project_codebook(s)
        memos = int(
            s.execute(
                select(func.count()).select_from(MEMO).where(MEMO.c.code_id.is_not(None))
            ).scalar_one()
        )
    data, removed = qdc_bytes(book)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    report.count("codes", sum(1 for _ in book.walk()))
    report.lose("code memos", memos, "a .qdc holds codes only (a .qdpx carries them)")
    report.lose("characters", removed, "XML cannot hold control characters")
    if any(c.inclusion or c.exclusion or c.example or c.keywords for _, c, _ in book.walk()):
        report.note("criteria, examples and keywords are folded into each code's Description")
    return report
