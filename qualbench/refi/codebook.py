"""REFI-QDA codebooks: the .qdc file, and REFI codes as a QualBench :class:`Codebook`.

Codes keep their GUIDs as ids, their nesting as the tree, their colours and, through
:mod:`qualbench.refi.descriptions`, their definition, criteria, example and keywords. Reading
another tool's codes also takes care of:

- hierarchy written into names: a top-level ``Coke::diet Coke`` (ATLAS.ti) becomes ``diet
  Coke`` under ``Coke`` (the file's own top-level ``Coke`` if it has one, else a new folder
  code), and Taguette's ``parent/child`` tag paths likewise when the file comes from Taguette;
- names QualBench cannot hold: ``>`` (our path separator) becomes ``›``, runs of white space
  one space, an empty name ``(unnamed code)``, a name a sibling already has ``name (2)``;
- ``isCodable="false"`` folders become ordinary codes (QualBench has no uncodable codes).

Each such change is reported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from qualbench.codebook_files import Codebook, CodebookCode
from qualbench.refi import model
from qualbench.refi.descriptions import Fields, fold, unfold
from qualbench.refi.parse import derived_uuid, parse_codebook
from qualbench.refi.reader import DEFAULT_LIMITS, Limits, RefiError, check_file, parse_xml
from qualbench.refi.reader import check_namespace as _check_ns
from qualbench.refi.xmlout import CODEBOOK_NS, CODEBOOK_XSD, Text, origin, serialise, sub
from qualbench.refi.xmlout import text_child as _text_child

MAX_NAME = 400


@dataclass
class CodeMapping:
    """The codebook built from a file's codes and what was changed on the way."""

    book: Codebook
    paths: dict[str, str] = field(default_factory=dict)  # REFI code guid -> path in ``book``
    renamed: list[str] = field(default_factory=list)
    split: list[str] = field(default_factory=list)  # names turned into a hierarchy
    folders: int = 0  # isCodable="false"


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", " ".join(name.split())).replace(">", "›")
    return name[:MAX_NAME] or "(unnamed code)"


def _code(c: model.Code) -> CodebookCode:
    f = unfold(c.description)
    return CodebookCode(
        name=c.name,
        uuid=c.guid,
        color=c.color,
        definition=f.definition,
        inclusion=f.inclusion,
        exclusion=f.exclusion,
        example=f.example,
        keywords=f.keywords,
    )


def codebook_of(p: model.Project) -> CodeMapping:
    """The file's codes as a valid QualBench codebook (see the module docstring)."""
    ours = "qualbench" in p.origin.casefold()
    separators = [] if ours else ["::"] + (["/"] if "taguette" in p.origin.casefold() else [])
    out = CodeMapping(Codebook(name=p.name, description=p.description))
    top_by_name = {c.name.strip().casefold(): c for c in p.codes}

    def place(c: model.Code, siblings: list[CodebookCode], parent_path: str) -> None:
        made = _code(c)
        made.name = _clean_name(c.name)
        if made.name != " ".join(c.name.split()):
            out.renamed.append(f"{c.name!r} -> {made.name!r}")
        taken = {s.name.casefold() for s in siblings}
        base, n = made.name, 2
        while made.name.casefold() in taken:
            made.name, n = f"{base} ({n})", n + 1
        if made.name != base:
            out.renamed.append(f"{base!r} -> {made.name!r} (a sibling has the name)")
        out.folders += not c.codable
        siblings.append(made)
        path = f"{parent_path} > {made.name}" if parent_path else made.name
        out.paths[c.guid] = path
        for child in c.children:
            place(child, made.children, path)

    def folder(parts: list[str]) -> tuple[list[CodebookCode], str]:
        """The children list and path under a chain of parent names, creating missing ones."""
        level, path = out.book.codes, ""
        for part in parts:
            name = _clean_name(part)
            found = next((x for x in level if x.name.casefold() == name.casefold()), None)
            if found is None:
                twin = top_by_name.get(part.strip().casefold()) if not path else None
                found = CodebookCode(name=name, uuid=derived_uuid("folder", path, name))
                if twin is not None and twin.guid not in out.paths:
                    found = _code(twin)
                    found.name = name
                    out.folders += not twin.codable
                level.append(found)
                path = f"{path} > {found.name}" if path else found.name
                if twin is not None and twin.guid not in out.paths:
                    out.paths[twin.guid] = path
                    for child in twin.children:
                        place(child, found.children, path)
            else:
                path = f"{path} > {found.name}" if path else found.name
            level = found.children
        return level, path

    for c in p.codes:
        sep = next((s for s in separators if s in c.name), None)
        if sep is None:
            if c.guid not in out.paths:  # not already placed as a parent of a split name
                place(c, out.book.codes, "")
            continue
        parts = [x for x in (y.strip() for y in c.name.split(sep)) if x]
        if len(parts) < 2:
            place(c, out.book.codes, "")
            continue
        level, path = folder(parts[:-1])
        out.split.append(c.name)
        leaf = model.Code(c.guid, parts[-1], c.codable, c.color, c.description, c.note_refs,
                          c.children)  # fmt: skip
        place(leaf, level, path)
    return out


# --- .qdc files -------------------------------------------------------------------------------


def read_qdc(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> model.Project:
    """Parse a .qdc codebook file (size-limited, DTDs refused)."""
    path = Path(path)
    check_file(path, limits)
    if path.stat().st_size > limits.xml_bytes:
        raise RefiError(f"{path}: is larger than {limits.xml_bytes >> 20} MB; refused")
    root, ns = parse_xml(path.read_bytes(), where=str(path), limits=limits)
    _check_ns(ns, where=str(path), kind="codebook")
    return parse_codebook(root, namespace=ns, where=str(path))


def read_qdc_codebook(path: str | Path) -> Codebook:
    """A .qdc as a :class:`Codebook` (for ``codebook_files.read_codebook``)."""
    return codebook_of(read_qdc(path)).book


def code_element(
    parent: ET.Element,
    code: CodebookCode,
    clean: Text,
    notes: dict[str, list[str]] | None,
    path: str = "",
) -> None:
    """One ``<Code>`` with its description, note references (projects only) and children; a
    code without an id (from a YAML or CSV codebook) gets one derived from its path."""
    path = f"{path} > {code.name}" if path else code.name
    guid = code.uuid or derived_uuid("code", path)
    e = sub(
        parent,
        "Code",
        {"guid": guid, "name": clean(code.name), "isCodable": "true", "color": code.color},
    )
    description = fold(
        Fields(code.definition, code.inclusion, code.exclusion, code.example, code.keywords)
    )
    _text_child(e, "Description", clean(description))
    for note in (notes or {}).get(code.uuid, []):
        sub(e, "NoteRef", {"targetGUID": note})
    for child in code.children:
        code_element(e, child, clean, notes, path)


def qdc_bytes(book: Codebook) -> tuple[bytes, int]:
    """The .qdc XML of a codebook, and how many characters XML could not hold."""
    if not book.codes:
        raise RefiError("the project has no codes: a .qdc codebook needs at least one")
    root = ET.Element("CodeBook", {"origin": origin()})
    codes = sub(root, "Codes")
    clean = Text()
    for code in book.codes:
        code_element(codes, code, clean, None)
    return serialise(root, CODEBOOK_NS, CODEBOOK_XSD), clean.removed


def write_qdc(book: Codebook, path: str | Path) -> Path:
    """Write a codebook as a .qdc file, atomically."""
    path = Path(path)
    data, _ = qdc_bytes(book)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path
