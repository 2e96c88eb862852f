"""What a REFI-QDA file holds, after parsing and checking, before it touches a project.

Every GUID is normalised to a lower-case UUID string without braces (upper-case, lower-case and
braced GUIDs name the same thing; a GUID that is not a UUID at all, as some small tools write,
becomes a stable name-based UUID). Positions are kept as the file states them, in the file's
own units; :mod:`qualbench.refi.positions` decides what they count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class User:
    guid: str
    name: str


@dataclass
class Code:
    guid: str
    name: str
    codable: bool = True
    color: str = ""  # "#RRGGBB" or ""
    description: str = ""
    note_refs: list[str] = field(default_factory=list)
    children: list[Code] = field(default_factory=list)

    def walk(self) -> list[Code]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out


@dataclass
class Variable:
    guid: str
    name: str
    type: str  # Text, Boolean, Integer, Float, Date, DateTime
    description: str = ""


@dataclass
class Value:
    variable: str  # guid
    value: str


@dataclass
class Case:
    guid: str
    name: str
    description: str = ""
    code_refs: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)


@dataclass
class Coding:
    guid: str
    code: str  # guid of the code
    user: str = ""  # guid of the creating user, "" if none
    created: dt.datetime | None = None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Selection:
    guid: str
    start: int  # in the file's units, end exclusive
    end: int
    name: str = ""
    user: str = ""
    created: dt.datetime | None = None
    description: str = ""
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)


@dataclass
class Source:
    """A text the project can hold: a TextSource, a PDF's text representation or a media
    transcript. ``content`` is the inline PlainTextContent, if any; ``plain_path`` and
    ``rich_path`` are the ``internal://``, ``relative://`` or ``absolute://`` references."""

    guid: str
    name: str
    kind: str = "text"  # text, pdf, transcript
    plain_path: str = ""
    rich_path: str = ""
    content: str | None = None
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)  # on the whole source
    note_refs: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    created: dt.datetime | None = None


@dataclass
class Note:
    guid: str
    name: str
    text: str = ""
    plain_path: str = ""
    user: str = ""
    created: dt.datetime | None = None
    modified: dt.datetime | None = None
    selections: int = 0  # selections and codings inside the note (not carried over)


@dataclass
class Link:
    guid: str
    origin: str
    target: str
    name: str = ""


@dataclass
class Set:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Project:
    """A parsed project.qde (or, with only ``codes`` and ``sets``, a .qdc codebook)."""

    name: str = ""
    origin: str = ""
    namespace: str = ""
    description: str = ""
    base_path: str = ""
    creating_user: str = ""
    created: dt.datetime | None = None
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)  # project memos
    # What the file holds that QualBench does not read: element -> count.
    unsupported: Counter[str] = field(default_factory=Counter)
    # Repairs made while reading (bad GUIDs, invalid positions ...): one line each.
    repairs: list[str] = field(default_factory=list)

    def all_codes(self) -> list[Code]:
        out: list[Code] = []
        for c in self.codes:
            out.extend(c.walk())
        return out
