"""Turn the XML of a project.qde or a .qdc into :mod:`qualbench.refi.model` values.

Element names are matched without their namespace (see :func:`reader.parse_xml`), so the
project and codebook namespaces and their misspellings read alike. Every attribute is checked:
a GUID that is not a UUID is replaced by a stable name-based one, a duplicated GUID by a fresh
one, a colour that is not ``#RGB``/``#RRGGBB`` is dropped, a selection whose positions are not
whole numbers is left out; each such repair is listed in ``Project.repairs``. Elements QualBench
has no place for (images, media, PDF regions, graphs) are counted in ``Project.unsupported``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid as uuid_mod
from xml.etree.ElementTree import Element

from qualbench.refi import model
from qualbench.refi.reader import RefiError

# Name-based UUIDs for GUIDs that are not UUIDs (and for QualBench's own derived ids).
NAMESPACE = uuid_mod.UUID("6f0c1a52-3b7e-4f57-9a51-2f1d0c7b9e01")
_RGB = re.compile(r"#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


def derived_uuid(*parts: str) -> str:
    """A stable UUID from strings (for GUIDs that are not UUIDs, and ids QualBench derives)."""
    return str(uuid_mod.uuid5(NAMESPACE, "\x1f".join(parts)))


def clean(value: str, limit: int = 400) -> str:
    """A name as QualBench stores names: NFC, single spaces, at most ``limit`` characters."""
    return unicodedata.normalize("NFC", " ".join(value.split()))[:limit]


_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def guid_of(value: str | None) -> str:
    """A GUID as a lower-case UUID without braces; "" for a missing one."""
    raw = (value or "").strip()
    if not raw:
        return ""
    quick = raw.strip("{}").lower()
    if _CANONICAL.fullmatch(quick):
        return quick
    try:
        return str(uuid_mod.UUID(raw.strip("{}")))
    except ValueError:
        return derived_uuid("guid", raw)


def color_of(value: str | None) -> str:
    """``#RRGGBB`` (upper case) from ``#RGB`` or ``#RRGGBB``; "" otherwise."""
    m = _RGB.fullmatch((value or "").strip())
    if not m:
        return ""
    hexes = m.group(1)
    if len(hexes) == 3:
        hexes = "".join(ch * 2 for ch in hexes)
    return "#" + hexes.upper()


def date_of(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _kids(e: Element, tag: str) -> list[Element]:
    return [c for c in e if c.tag == tag]


def _kid(e: Element, tag: str) -> Element | None:
    return next((c for c in e if c.tag == tag), None)


def _text(e: Element, tag: str) -> str:
    k = _kid(e, tag)
    return (k.text or "") if k is not None else ""


def _refs(e: Element, tag: str, attr: str = "targetGUID") -> list[str]:
    return [g for k in _kids(e, tag) if (g := guid_of(k.get(attr)))]


class _Reader:
    def __init__(self, project: model.Project) -> None:
        self.p = project
        self.seen: set[str] = set()

    def new_guid(self, e: Element, what: str) -> str:
        """The element's own GUID, unique in the file (a repeat gets a fresh one)."""
        raw = (e.get("guid") or "").strip()
        guid = guid_of(raw)
        if not guid:
            guid = derived_uuid("missing", what, str(len(self.seen)))
            self.p.repairs.append(f"a {what} without a GUID was given one")
        elif guid in self.seen:
            guid = derived_uuid("repeat", guid, str(len(self.seen)))
            self.p.repairs.append(f"{what} GUID {raw} is used twice; the second got a new one")
        self.seen.add(guid)
        return guid

    def user_ref(self, e: Element, attr: str = "creatingUser") -> str:
        return guid_of(e.get(attr))

    # --- codes --------------------------------------------------------------------------------

    def code(self, e: Element) -> model.Code:
        name = e.get("name") or ""
        color = color_of(e.get("color"))
        if e.get("color") and not color:
            self.p.repairs.append(f"code {name!r}: colour {e.get('color')!r} is not #RRGGBB")
        codable = (e.get("isCodable") or "true").strip().lower() not in ("false", "0")
        return model.Code(
            guid=self.new_guid(e, "code"),
            name=name,
            codable=codable,
            color=color,
            description=_text(e, "Description"),
            note_refs=_refs(e, "NoteRef"),
            children=[self.code(c) for c in _kids(e, "Code")],
        )

    def codes(self, codebook: Element | None) -> list[model.Code]:
        codes = _kid(codebook, "Codes") if codebook is not None else None
        return [self.code(c) for c in _kids(codes, "Code")] if codes is not None else []

    def sets(self, e: Element | None) -> list[model.Set]:
        if e is None:
            return []
        return [
            model.Set(
                guid=self.new_guid(s, "set"),
                name=s.get("name") or "",
                description=_text(s, "Description"),
                # a project's MemberCode has targetGUID, a codebook's has guid
                codes=_refs(s, "MemberCode") or _refs(s, "MemberCode", "guid"),
                sources=_refs(s, "MemberSource"),
                notes=_refs(s, "MemberNote"),
            )
            for s in _kids(e, "Set")
        ]

    # --- cases and variables ------------------------------------------------------------------

    def values(self, e: Element) -> list[model.Value]:
        out = []
        for v in _kids(e, "VariableValue"):
            ref = _kid(v, "VariableRef")
            target = guid_of(ref.get("targetGUID")) if ref is not None else ""
            found = next((k for k in v if k.tag.endswith("Value")), None)
            if target and found is not None:
                out.append(model.Value(target, (found.text or "").strip()))
        return out

    # --- sources ------------------------------------------------------------------------------

    def coding(self, e: Element) -> model.Coding | None:
        code = guid_of(ref.get("targetGUID")) if (ref := _kid(e, "CodeRef")) is not None else ""
        if not code:
            self.p.repairs.append("a coding without a code reference was left out")
            return None
        return model.Coding(
            guid=self.new_guid(e, "coding"),
            code=code,
            user=self.user_ref(e),
            created=date_of(e.get("creationDateTime")),
            note_refs=_refs(e, "NoteRef"),
        )

    def codings(self, e: Element) -> list[model.Coding]:
        return [c for k in _kids(e, "Coding") if (c := self.coding(k)) is not None]

    def selection(
        self, e: Element, source: str, start: str | None, end: str | None
    ) -> model.Selection | None:
        try:
            a, b = int((start or "").strip()), int((end or "").strip())
        except ValueError:
            self.p.repairs.append(
                f"source {source!r}: a selection without whole-number positions was left out"
            )
            return None
        return model.Selection(
            guid=self.new_guid(e, "selection"),
            start=a,
            end=b,
            name=e.get("name") or "",
            user=self.user_ref(e),
            created=date_of(e.get("creationDateTime")),
            description=_text(e, "Description"),
            codings=self.codings(e),
            note_refs=_refs(e, "NoteRef"),
        )

    def text_source(self, e: Element, *, kind: str, guid: str, name: str) -> model.Source:
        sels = [
            s
            for k in _kids(e, "PlainTextSelection")
            if (s := self.selection(k, name, k.get("startPosition"), k.get("endPosition")))
        ]
        content = _kid(e, "PlainTextContent")
        return model.Source(
            guid=guid,
            name=name,
            kind=kind,
            plain_path=(e.get("plainTextPath") or "").strip(),
            rich_path=(e.get("richTextPath") or "").strip(),
            content=(content.text or "") if content is not None else None,
            description=_text(e, "Description"),
            selections=sels,
            codings=self.codings(e),
            note_refs=_refs(e, "NoteRef"),
            values=self.values(e),
            created=date_of(e.get("creationDateTime")),
        )

    def pdf(self, e: Element) -> model.Source | None:
        name = e.get("name") or "PDF"
        regions = _kids(e, "PDFSelection")
        if regions:
            self.p.unsupported["PDF regions (page areas)"] += len(regions)
            self.p.unsupported["codings of PDF regions"] += sum(
                len(_kids(r, "Coding")) for r in regions
            )
        rep = _kid(e, "Representation")
        guid = self.new_guid(e, "PDF source")
        if rep is None:
            self.p.unsupported["PDF sources without a text representation"] += 1
            return None
        self.seen.add(guid_of(rep.get("guid")))
        source = self.text_source(rep, kind="pdf", guid=guid, name=name)
        source.codings += self.codings(e)
        source.note_refs += _refs(e, "NoteRef")
        source.values += self.values(e)
        source.description = source.description or _text(e, "Description")
        return source

    def media(self, e: Element, what: str) -> list[model.Source]:
        name = e.get("name") or what
        self.new_guid(e, f"{what} source")
        self.p.unsupported[f"{what} sources (the media itself)"] += 1
        self.p.unsupported[f"codings of whole {what} files"] += len(_kids(e, "Coding"))
        timed = _kids(e, "AudioSelection") + _kids(e, "VideoSelection")
        if timed:
            self.p.unsupported[f"{what} selections (time spans)"] += len(timed)
            self.p.unsupported[f"codings of {what} time spans"] += sum(
                len(_kids(t, "Coding")) for t in timed
            )
        out = []
        for t in _kids(e, "Transcript"):
            points = {guid_of(p.get("guid")): p.get("position") for p in _kids(t, "SyncPoint")}
            guid = self.new_guid(t, "transcript")
            src = self.text_source(t, kind="transcript", guid=guid, name=f"{name} (transcript)")
            for k in _kids(t, "TranscriptSelection"):
                a = points.get(guid_of(k.get("fromSyncPoint")))
                b = points.get(guid_of(k.get("toSyncPoint")))
                if (sel := self.selection(k, src.name, a, b)) is not None:
                    src.selections.append(sel)
            out.append(src)
        return out

    def sources(self, e: Element | None) -> list[model.Source]:
        out: list[model.Source] = []
        for k in list(e) if e is not None else []:
            if k.tag == "TextSource":
                guid = self.new_guid(k, "source")
                out.append(self.text_source(k, kind="text", guid=guid, name=k.get("name") or ""))
            elif k.tag == "PDFSource":
                if (pdf := self.pdf(k)) is not None:
                    out.append(pdf)
            elif k.tag in ("AudioSource", "VideoSource"):
                out.extend(self.media(k, k.tag[: -len("Source")].lower()))
            elif k.tag == "PictureSource":
                self.new_guid(k, "picture")
                self.p.unsupported["pictures"] += 1
                sels = _kids(k, "PictureSelection")
                self.p.unsupported["picture selections (areas)"] += len(sels)
                self.p.unsupported["codings of pictures"] += len(_kids(k, "Coding")) + sum(
                    len(_kids(s, "Coding")) for s in sels
                )
            else:
                self.p.unsupported[f"unknown source element <{k.tag}>"] += 1
        return out

    def notes(self, e: Element | None) -> list[model.Note]:
        out = []
        for n in _kids(e, "Note") if e is not None else []:
            content = _kid(n, "PlainTextContent")
            out.append(
                model.Note(
                    guid=self.new_guid(n, "note"),
                    name=n.get("name") or "",
                    text=(content.text or "") if content is not None else "",
                    plain_path=(n.get("plainTextPath") or "").strip(),
                    user=self.user_ref(n),
                    created=date_of(n.get("creationDateTime")),
                    modified=date_of(n.get("modifiedDateTime")),
                    selections=len(_kids(n, "PlainTextSelection")) + len(_kids(n, "Coding")),
                )
            )
        return out


def parse_project(root: Element, *, namespace: str, where: str) -> model.Project:
    """A project.qde's root element as a :class:`model.Project`."""
    if root.tag != "Project":
        raise RefiError(f"{where}: is not a REFI-QDA project (its XML starts with <{root.tag}>)")
    p = model.Project(
        name=root.get("name") or "",
        origin=root.get("origin") or "",
        namespace=namespace,
        base_path=root.get("basePath") or "",
        creating_user=guid_of(root.get("creatingUserGUID")),
        created=date_of(root.get("creationDateTime")),
        description=_text(root, "Description"),
        note_refs=_refs(root, "NoteRef"),
    )
    r = _Reader(p)
    users = _kid(root, "Users")
    for u in _kids(users, "User") if users is not None else []:
        guid = guid_of(u.get("guid"))
        if guid and all(x.guid != guid for x in p.users):
            p.users.append(model.User(guid, (u.get("name") or u.get("id") or "").strip()))
    p.codes = r.codes(_kid(root, "CodeBook"))
    variables = _kid(root, "Variables")
    for v in _kids(variables, "Variable") if variables is not None else []:
        p.variables.append(
            model.Variable(
                guid=r.new_guid(v, "variable"),
                name=v.get("name") or "",
                type=(v.get("typeOfVariable") or "Text").strip(),
                description=_text(v, "Description"),
            )
        )
    cases = _kid(root, "Cases")
    for c in _kids(cases, "Case") if cases is not None else []:
        p.cases.append(
            model.Case(
                guid=r.new_guid(c, "case"),
                name=c.get("name") or "",
                description=_text(c, "Description"),
                code_refs=_refs(c, "CodeRef"),
                values=r.values(c),
                source_refs=_refs(c, "SourceRef"),
                selection_refs=_refs(c, "SelectionRef"),
            )
        )
    p.sources = r.sources(_kid(root, "Sources"))
    p.notes = r.notes(_kid(root, "Notes"))
    links = _kid(root, "Links")
    for k in _kids(links, "Link") if links is not None else []:
        p.links.append(
            model.Link(
                guid=r.new_guid(k, "link"),
                origin=guid_of(k.get("originGUID")),
                target=guid_of(k.get("targetGUID")),
                name=k.get("name") or "",
            )
        )
    p.sets = r.sets(_kid(root, "Sets"))
    graphs = _kid(root, "Graphs")
    if graphs is not None and len(_kids(graphs, "Graph")):
        p.unsupported["graphs"] += len(_kids(graphs, "Graph"))
    return p


def parse_codebook(root: Element, *, namespace: str, where: str) -> model.Project:
    """A .qdc's root element: only ``codes``, ``sets`` and ``origin`` are filled in."""
    if root.tag != "CodeBook":
        raise RefiError(f"{where}: is not a REFI-QDA codebook (its XML starts with <{root.tag}>)")
    p = model.Project(origin=root.get("origin") or "", namespace=namespace)
    r = _Reader(p)
    p.codes = r.codes(root)
    p.sets = r.sets(_kid(root, "Sets"))
    return p
