"""Writing REFI-QDA XML: namespaces, text that XML 1.0 can carry, and serialisation."""

from __future__ import annotations

import datetime as dt
import functools
import re
from xml.etree import ElementTree as ET

from qualbench import __version__

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_XSD = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_XSD = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"

# Characters XML 1.0 cannot hold, even as references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def origin(profile: str | None = None) -> str:
    """``Project/@origin``: our name and version, and the position profile used."""
    name = f"QualBench {__version__}"
    return f"{name} (REFI-QDA profile: {profile})" if profile else name


class Text:
    """Cleans strings for XML and counts what it had to remove (for the data-loss report)."""

    def __init__(self) -> None:
        self.removed = 0

    def __call__(self, value: str) -> str:
        cleaned, n = _NOT_XML.subn("", value)
        self.removed += n
        return cleaned


def stamp(value: dt.datetime | None) -> str:
    """An ``xsd:dateTime`` in UTC, to the second (now, for None)."""
    return _stamp(value or dt.datetime.now(dt.UTC))


@functools.lru_cache(maxsize=4096)  # the codings of one action share their time
def _stamp(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sub(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None) -> ET.Element:
    return ET.SubElement(parent, tag, {k: v for k, v in (attrs or {}).items() if v != ""})


def text_child(parent: ET.Element, tag: str, value: str) -> None:
    if value:
        sub(parent, tag).text = value


def serialise(root: ET.Element, namespace: str, schema: str) -> bytes:
    """UTF-8 XML with the REFI namespace as default. Carriage returns in text are written as
    ``&#13;`` so that a parser gives them back (XML turns raw CR LF into LF)."""
    root.set("xmlns", namespace)
    root.set("xmlns:xsi", XSI)
    root.set("xsi:schemaLocation", f"{namespace} {schema}")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body.replace("\r", "&#13;")).encode()
