"""Reading a .qdpx or .qdc as untrusted input: a size-limited zip and XML without DTDs.

A .qdpx is a zip archive from another program, possibly from a stranger. Before anything is
parsed:

- the file itself may not exceed ``Limits.archive_bytes``;
- no member name may be absolute, contain ``..``, a drive letter or a NUL (path traversal):
  the whole archive is refused, even though nothing is ever extracted by member name;
- every member is decompressed as a stream and stopped when it exceeds ``member_bytes`` (or
  ``xml_bytes`` for the project XML), when all members together exceed ``total_bytes``, or when
  a member over 1 MiB expands more than ``max_ratio`` times its compressed size (a zip bomb);
  the sizes the archive declares are not trusted;
- encrypted members and more than ``max_members`` members are refused.

XML is parsed with expat, refusing any document type declaration (so no entity can be declared:
no "billion laughs", no external entity, no external DTD is ever fetched), and with limits on
nesting depth and the number of elements. Every refusal is a :class:`RefiError` whose message
is one line naming the file and the problem.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET
from xml.parsers import expat

from qualbench.errors import UserError

MiB = 1 << 20


class RefiError(UserError):
    """A REFI-QDA file cannot be read or written; one line naming the file and the problem.
    Nothing was changed in the project."""


@dataclass(frozen=True)
class Limits:
    """What an archive may hold; anything beyond is refused as a possible attack."""

    archive_bytes: int = 2048 * MiB  # the .qdpx (or .qdc) file on disk
    member_bytes: int = 512 * MiB  # one source file once decompressed (as transcripts)
    xml_bytes: int = 256 * MiB  # project.qde or a .qdc
    total_bytes: int = 2048 * MiB  # everything read from one archive
    max_ratio: int = 200  # decompressed / compressed size, for members over 1 MiB
    max_members: int = 100_000
    max_depth: int = 256  # XML element nesting
    max_elements: int = 5_000_000


DEFAULT_LIMITS = Limits()

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_member_name(archive: Path, name: str) -> None:
    """Refuse names that would point outside the archive's folder if extracted."""
    if "\x00" in name:
        raise RefiError(f"{archive}: member name contains a NUL character; refused")
    norm = name.replace("\\", "/")
    parts = norm.split("/")
    if norm.startswith("/") or _DRIVE.match(norm) or ".." in parts:
        raise RefiError(
            f"{archive}: member {name!r} points outside the archive (path traversal); refused"
        )


class Archive:
    """An opened .qdpx: member lookup (case-insensitive) and bounded reads."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
        self.path = path
        self.zf = zf
        self.limits = limits
        self.read_total = 0
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.max_members:
            raise RefiError(
                f"{path}: holds {len(infos)} files; more than {limits.max_members} are refused"
            )
        self._by_key: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            check_member_name(path, info.filename)
            if info.flag_bits & 0x1:
                raise RefiError(f"{path}: member {info.filename!r} is encrypted; refused")
            key = info.filename.replace("\\", "/").casefold()
            self._by_key.setdefault(key, info)
        self.names = [i.filename for i in infos]

    def project_member(self) -> str:
        """The name of the project XML: ``project.qde`` at the top, any case (spec 8.1)."""
        top = [n for n in self.names if "/" not in n.replace("\\", "/")]
        qde = [n for n in top if n.casefold().endswith(".qde")]
        if not qde:
            raise RefiError(f"{self.path}: has no project.qde; not a REFI-QDA project (.qdpx)")
        exact = [n for n in qde if n.casefold() == "project.qde"]
        return (exact or sorted(qde))[0]

    def find_source(self, file_name: str) -> str | None:
        """The member holding an ``internal://`` file: in ``sources/`` (any case) or at the top."""
        for key in (f"sources/{file_name}".casefold(), file_name.casefold()):
            info = self._by_key.get(key)
            if info is not None:
                return info.filename
        return None

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        """A member's bytes, refusing oversized members and zip bombs while decompressing."""
        info = self.zf.getinfo(name)
        cap = self.limits.member_bytes if limit is None else limit
        if info.file_size > cap:
            raise RefiError(
                f"{self.path}: {name} would unpack to {info.file_size // MiB} MB; "
                f"files over {cap // MiB} MB are refused"
            )
        chunks: list[bytes] = []
        size = 0
        compressed = max(1, info.compress_size)
        try:
            with self.zf.open(info) as f:
                while chunk := f.read(MiB):
                    size += len(chunk)
                    if size > cap:
                        raise RefiError(
                            f"{self.path}: {name} unpacks beyond {cap // MiB} MB "
                            "(more than it declares); refused"
                        )
                    if size > MiB and size / compressed > self.limits.max_ratio:
                        raise RefiError(
                            f"{self.path}: {name} expands more than {self.limits.max_ratio} "
                            "times its compressed size (a zip bomb?); refused"
                        )
                    if self.read_total + size > self.limits.total_bytes:
                        raise RefiError(
                            f"{self.path}: unpacks to more than "
                            f"{self.limits.total_bytes // MiB} MB in all; refused"
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise RefiError(f"{self.path}: {name} is damaged ({type(exc).__name__})") from None
        except NotImplementedError:
            raise RefiError(
                f"{self.path}: {name} uses a compression method QualBench cannot read"
            ) from None
        self.read_total += size
        return b"".join(chunks)


def check_file(path: Path, limits: Limits) -> None:
    """The file exists, is a regular file and is not oversized."""
    if not path.exists():
        raise RefiError(f"{path}: does not exist")
    if not path.is_file():
        raise RefiError(f"{path}: is not a file")
    size = path.stat().st_size
    if size == 0:
        raise RefiError(f"{path}: is empty")
    if size > limits.archive_bytes:
        raise RefiError(
            f"{path}: is {size // MiB} MB; files over {limits.archive_bytes // MiB} MB are refused"
        )


@contextmanager
def open_archive(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Archive]:
    """Open a .qdpx for bounded reading (see the module docstring for what is refused)."""
    check_file(path, limits)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise RefiError(f"{path}: is not a .qdpx (not a zip archive, or damaged)") from None
    except (OSError, EOFError, zipfile.LargeZipFile) as exc:
        raise RefiError(f"{path}: cannot be read ({type(exc).__name__})") from None
    with zf:
        yield Archive(path, zf, limits)


# --- XML ----------------------------------------------------------------------------------------


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an expat name written as ``namespace}local``."""
    ns, sep, local = name.rpartition("}")
    return (ns, local) if sep else ("", name)


def parse_xml(
    data: bytes, *, where: str, limits: Limits = DEFAULT_LIMITS
) -> tuple[ET.Element, str]:
    """Parse untrusted XML into elements named by their local names (namespaces dropped, so
    ``urn:QDA-XML:project:1.0`` and its variants read alike); returns (root, root namespace).
    DTDs are refused."""
    if len(data) > limits.xml_bytes:
        raise RefiError(
            f"{where}: XML of {len(data) // MiB} MB; more than {limits.xml_bytes // MiB} MB is refused"
        )
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()
    depth = 0
    count = 0
    root_ns: list[str] = []

    def refuse_dtd(*_: object) -> None:
        raise RefiError(f"{where}: contains a document type declaration (DTD); refused")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, count
        depth += 1
        count += 1
        if depth > limits.max_depth:
            raise RefiError(f"{where}: XML nested deeper than {limits.max_depth} levels; refused")
        if count > limits.max_elements:
            raise RefiError(f"{where}: more than {limits.max_elements} XML elements; refused")
        ns, local = _local(name)
        if not root_ns:
            root_ns.append(ns)
        builder.start(
            local, {(k.rpartition("}")[2] if "}" in k else k): v for k, v in attrs.items()}
        )

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_local(name)[1])

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.UnparsedEntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise RefiError(
            f"{where}: is not well-formed XML ({expat.ErrorString(exc.code)} at line {exc.lineno})"
        ) from None
    return builder.close(), (root_ns[0] if root_ns else "")


def check_namespace(ns: str, *, where: str, kind: str) -> None:
    """Refuse a root namespace that is not a REFI-QDA one (any ``urn:QDA-XML:*`` spelling, or
    none, is accepted: real files write ``1.0``, ``1:0`` and ``0:4``)."""
    if ns and not ns.casefold().startswith("urn:qda-xml:"):
        raise RefiError(f"{where}: is not a REFI-QDA {kind} (XML namespace {ns!r})")


def sources_folder_name(names: list[str]) -> str:
    """How the archive spells its sources folder (``sources``, ``Sources``), for the report."""
    for n in names:
        parts = PurePosixPath(n.replace("\\", "/")).parts
        if len(parts) > 1 and parts[0].casefold() == "sources":
            return parts[0]
    return ""
