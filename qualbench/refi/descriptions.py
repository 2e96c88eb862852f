"""Code definitions with criteria, examples and keywords in one REFI ``Description``.

REFI-QDA gives a code a name, a colour and a ``Description``; QualBench codes also have
inclusion and exclusion criteria, an example and keywords. They travel folded into the
Description, readable as they are in any other tool::

    Fear of police contact stops people calling for help.

    Inclusion criteria: fear of arrest, of being searched ...
    Exclusion criteria: general distrust of institutions
    Example: "So people don't call."
    Keywords: police; arrest

The definition comes first; after a blank line, each field is a line starting with its label
(``Inclusion criteria:``, ``Exclusion criteria:``, ``Example:``, ``Keywords:``; keywords
separated by ``;``); a field runs until the next label line, so it may span lines. On import
the labels are also recognised as ``Inclusion:``, ``Include:``, ``Exclusion:``, ``Exclude:``,
``Examples:`` and in any letter case, so that criteria written this way in NVivo or ATLAS.ti
land in their fields. The field block starts at the first label line that follows a blank line
(or opens the description) from which no label repeats; when the definition itself has a
paragraph starting with a label, the export writes every field (empty ones too) so that the
block is still found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LABELS = {
    "inclusion": "Inclusion criteria",
    "exclusion": "Exclusion criteria",
    "example": "Example",
    "keywords": "Keywords",
}
_ALIASES = {
    "inclusion criteria": "inclusion",
    "inclusion": "inclusion",
    "include": "inclusion",
    "exclusion criteria": "exclusion",
    "exclusion": "exclusion",
    "exclude": "exclusion",
    "example": "example",
    "examples": "example",
    "keywords": "keywords",
}
_LABEL_LINE = re.compile(
    r"\s*(" + "|".join(sorted(map(re.escape, _ALIASES), key=len, reverse=True)) + r")\s*:(.*)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass
class Fields:
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)


def _label(line: str) -> tuple[str, str] | None:
    m = _LABEL_LINE.match(line)
    if m is None:
        return None
    return _ALIASES[" ".join(m.group(1).lower().split())], m.group(2)


def fold(f: Fields) -> str:
    """The Description for a code's definition, criteria, example and keywords."""
    values = {
        "inclusion": f.inclusion.strip(),
        "exclusion": f.exclusion.strip(),
        "example": f.example.strip(),
        "keywords": "; ".join(k.strip() for k in f.keywords if k.strip()),
    }
    definition = f.definition.strip()
    every = any(_label(line) for line in definition.splitlines())
    block = [f"{LABELS[key]}: {value}".rstrip() for key, value in values.items() if value or every]
    if not block:
        return definition
    return (definition + "\n\n" if definition else "") + "\n".join(block)


def unfold(description: str) -> Fields:
    """The definition and fields of a Description written as :func:`fold` writes it (or
    plain text: then it is all definition)."""
    text = description.replace("\r\n", "\n").replace("\r", "\n").strip()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _label(line) is None or (i > 0 and lines[i - 1].strip()):
            continue
        parsed = _block(lines[i:])
        if parsed is not None:
            out = parsed
            out.definition = "\n".join(lines[:i]).strip()
            return out
    return Fields(definition=text)


def _block(lines: list[str]) -> Fields | None:
    """The fields of a label block, or None if a label repeats (then it is not the block)."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in lines:
        label = _label(line)
        if label is not None:
            key, rest = label
            if key in found:
                return None
            found[key] = [rest.strip()]
            current = key
        else:
            found[current].append(line)
    values = {k: "\n".join(v).strip() for k, v in found.items()}
    return Fields(
        inclusion=values.get("inclusion", ""),
        exclusion=values.get("exclusion", ""),
        example=values.get("example", ""),
        keywords=[k.strip() for k in values.get("keywords", "").split(";") if k.strip()],
    )
