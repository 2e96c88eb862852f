"""The text of each source in a .qdpx: inline, an internal file, a DOCX beside an empty plain
text, or (only when the user allows it) an external file.

- ``internal://NAME`` is looked up in ``sources/`` (any case: ``Sources/`` is common) or at the
  top of the archive; NAME must be a bare file name, never a path.
- Plain text is UTF-8 as the standard asks; a UTF-8 byte-order mark is kept in the raw text (so
  that a convention counting it can be tested), UTF-16 with a BOM is read too, and anything else
  is decoded as QualBench decodes any text file (and said so in the report).
- An empty plain text (NVivo for Mac writes a one-byte file) with a ``richTextPath`` beside it:
  the rich text (DOCX, or any format QualBench imports) is read with QualBench's importers from a
  private temporary copy; positions then refer to text the file does not contain, which the
  report says when such a source has selections.
- ``relative://`` (against ``Project/@basePath`` when that is an existing absolute folder, else
  the folder of the .qdpx, and never above it) and ``absolute://`` references are external
  files on this computer. A .qdpx from someone else could name any file, so they are read only
  with ``external_files=True``; otherwise they are listed as not imported, with the path.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from importers import SUPPORTED_SUFFIXES, ImportProblem, Turn, read_transcript
from qualbench.refi import model
from qualbench.refi.reader import Archive, Limits, RefiError

_DRIVE_PATH = re.compile(r"^/?([A-Za-z]:[/\\].*)$")


@dataclass
class LoadedText:
    raw: str  # the text the positions count in (BOM and CR LF as in the file)
    sha256: str  # of the bytes read
    how: str  # "plain text", "inline text", "DOCX", ...
    fmt: str = "text"
    trusted: bool = True  # False when positions refer to a plain text we did not get
    turns: tuple[Turn, ...] | None = None  # speaker turns an importer found (rich text)
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """(raw text, encoding note) of a plain-text file; a leading BOM stays in the text."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return "\ufeff" + data[3:].decode("utf-8"), ""
        except UnicodeDecodeError:
            pass
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return "\ufeff" + data[2:].decode(codec), f"{codec.upper()}, not UTF-8"
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        from importers.plaintext import decode_bytes

        try:
            text, encoding = decode_bytes(data, Path("source.txt"))
        except ImportProblem as exc:
            raise RefiError(exc.reason) from None
        return text, f"{encoding}, not UTF-8"


def _scheme(ref: str) -> tuple[str, str]:
    scheme, sep, rest = ref.partition("://")
    if not sep:
        return "internal", ref
    return scheme.strip().casefold(), rest


class TextLoader:
    """Reads source texts from one archive, under its limits."""

    def __init__(
        self,
        archive: Archive,
        limits: Limits,
        *,
        base_path: str = "",
        external_files: bool = False,
    ) -> None:
        self.archive = archive
        self.limits = limits
        self.base_path = base_path
        self.external_files = external_files

    def load(self, source: model.Source) -> LoadedText | str:
        """The source's text, or why there is none (one line, for the report)."""
        plain: LoadedText | None = None
        if source.content is not None and source.content.strip():
            data = source.content.encode("utf-8")
            plain = LoadedText(source.content, hashlib.sha256(data).hexdigest(), "inline text")
        elif source.plain_path:
            got = self._bytes(source.plain_path)
            if isinstance(got, str) and not source.rich_path:
                return got
            if isinstance(got, bytes):
                raw, note = decode(got)
                plain = LoadedText(raw, hashlib.sha256(got).hexdigest(), "plain text")
                if note:
                    plain.warnings.append(f"its plain text is {note}")
        if plain is not None and plain.raw.strip("\ufeff \t\r\n"):
            return plain
        if source.rich_path:
            rich = self._rich(source.rich_path)
            if isinstance(rich, LoadedText):
                rich.trusted = False
                return rich
            return rich if plain is None else f"its plain text is empty and {rich}"
        return "it has no text"

    def _bytes(self, ref: str) -> bytes | str:
        scheme, rest = _scheme(ref)
        if scheme == "internal":
            name = rest.strip()
            if name.casefold().startswith("sources/"):
                name = name[len("sources/") :]
            if not name or "/" in name or "\\" in name or name in (".", ".."):
                return f"its file {ref!r} is not a file in the sources folder"
            member = self.archive.find_source(name)
            if member is None:
                return f"its file {name!r} is missing from the archive"
            return self.archive.read(member)
        path = self._external(scheme, rest, ref)
        if isinstance(path, str):
            return path
        return path.read_bytes()

    def _external(self, scheme: str, rest: str, ref: str) -> Path | str:
        if scheme not in ("relative", "absolute"):
            return f"its file {ref!r} has an unknown kind of path"
        if scheme == "relative":
            base = Path(self.base_path) if self.base_path else self.archive.path.parent
            if not (base.is_absolute() and base.is_dir()):
                base = self.archive.path.parent
            path = (base / rest.lstrip("/")).resolve()
            if not path.is_relative_to(base.resolve()):
                return f"its external file {ref!r} lies outside its folder; not read"
        else:
            m = _DRIVE_PATH.match(rest)
            path = Path(m.group(1) if m else rest)
        if not self.external_files:
            return f"it is an external file ({path}); allow external files to read it"
        if not path.is_file():
            return f"its external file {path} does not exist"
        if path.stat().st_size > self.limits.member_bytes:
            return f"its external file {path} is larger than {self.limits.member_bytes >> 20} MB"
        return path

    def _rich(self, ref: str) -> LoadedText | str:
        scheme, rest = _scheme(ref)
        suffix = Path(rest).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            return f"its rich text {Path(rest).name!r} is of a type QualBench cannot read"
        if scheme != "internal":
            path = self._external(scheme, rest, ref)
            if isinstance(path, str):
                return path
            return self._transcript(path, path.name)
        data = self._bytes(ref)
        if isinstance(data, str):
            return data
        with tempfile.TemporaryDirectory(prefix="qualbench-refi-") as folder:
            copy = Path(folder) / f"source{suffix}"
            copy.write_bytes(data)
            return self._transcript(copy, Path(rest).name)

    def _transcript(self, path: Path, label: str) -> LoadedText | str:
        try:
            t = read_transcript(path)
        except ImportProblem as exc:
            return f"its rich text {label!r} cannot be read ({exc.reason})"
        return LoadedText(t.text, t.source_sha256, t.format.upper(), t.format, turns=t.turns)

    def note_text(self, note: model.Note) -> str:
        """A note's text: inline, or from its plain-text file ("" if it cannot be read)."""
        if note.text or not note.plain_path:
            return note.text
        got = self._bytes(note.plain_path)
        if isinstance(got, str):
            return ""
        return decode(got)[0].lstrip("\ufeff")
