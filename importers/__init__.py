"""Turn files into transcripts. A leaf package: it imports neither ``qualbench`` nor Qt.

``read_transcript(path)`` returns a :class:`Transcript` (normalised text, speaker turns with
timestamps, metadata) or raises :class:`ImportProblem` with a one-line reason.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Generator, Iterable, Sequence
from pathlib import Path
from types import MappingProxyType

from importers.speakers import find_turns
from importers.transcript import (
    ImportProblem,
    Transcript,
    Turn,
    content_hash,
    looks_binary,
    normalise_text,
)

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "ImportProblem",
    "Transcript",
    "Turn",
    "content_hash",
    "find_files",
    "normalise_text",
    "read_transcript",
    "read_transcripts",
]

_log = logging.getLogger(__name__)

# Refuse files beyond this size: a transcript is words, and the project keeps the whole text.
MAX_FILE_BYTES = 512 * 1024 * 1024

Reader = Callable[[Path], tuple[str, tuple[Turn, ...] | None, dict[str, str]]]


def _text(path: Path) -> tuple[str, None, dict[str, str]]:
    from importers.plaintext import decode_bytes

    text, encoding = decode_bytes(path.read_bytes(), path)
    return text, None, {"encoding": encoding}


def _markdown(path: Path) -> tuple[str, None, dict[str, str]]:
    from importers.plaintext import markdown_to_text

    text, _, meta = _text(path)
    # Line ends first: the Markdown patterns work line by line on "\n".
    return markdown_to_text(normalise_text(text)), None, meta


def _with_no_turns(read: Callable[[Path], tuple[str, dict[str, str]]]) -> Reader:
    def reader(path: Path) -> tuple[str, None, dict[str, str]]:
        text, meta = read(path)
        return text, None, meta

    return reader


def _docx(path: Path) -> tuple[str, dict[str, str]]:
    from importers.office import read_docx

    return read_docx(path)


def _odt(path: Path) -> tuple[str, dict[str, str]]:
    from importers.office import read_odt

    return read_odt(path)


def _rtf(path: Path) -> tuple[str, dict[str, str]]:
    from importers.office import read_rtf

    return read_rtf(path)


def _pdf(path: Path) -> tuple[str, dict[str, str]]:
    from importers.pdf import read_pdf

    return read_pdf(path)


def _html(path: Path) -> tuple[str, dict[str, str]]:
    from importers.html import read_html

    return read_html(path)


def _subtitles(kind: str) -> Reader:
    def reader(path: Path) -> tuple[str, tuple[Turn, ...], dict[str, str]]:
        from importers.subtitles import read_subtitles

        return read_subtitles(path, kind)

    return reader


_READERS: dict[str, tuple[str, Reader]] = {
    ".txt": ("text", _text),
    ".text": ("text", _text),
    ".md": ("markdown", _markdown),
    ".markdown": ("markdown", _markdown),
    ".docx": ("docx", _with_no_turns(_docx)),
    ".odt": ("odt", _with_no_turns(_odt)),
    ".rtf": ("rtf", _with_no_turns(_rtf)),
    ".pdf": ("pdf", _with_no_turns(_pdf)),
    ".html": ("html", _with_no_turns(_html)),
    ".htm": ("html", _with_no_turns(_html)),
    ".vtt": ("vtt", _subtitles("vtt")),
    ".srt": ("srt", _subtitles("srt")),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)


def read_transcript(path: str | Path) -> Transcript:
    """Read one file into a :class:`Transcript`; raises :class:`ImportProblem` on bad input."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ImportProblem(path, "does not exist") from None
    except OSError as exc:
        raise ImportProblem(
            path, f"cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise ImportProblem(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ImportProblem(path, "is not a regular file")
    if suffix not in _READERS:
        raise ImportProblem(
            path,
            f"has an unsupported type {suffix or '(no extension)'}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if info.st_size == 0:
        raise ImportProblem(path, "is empty")
    if info.st_size > MAX_FILE_BYTES:
        raise ImportProblem(
            path,
            f"is {info.st_size // 2**20} MB; files over {MAX_FILE_BYTES // 2**20} MB are refused",
        )
    fmt, reader = _READERS[suffix]
    try:
        raw, turns, meta = reader(path)
        digest = _file_sha256(path)
    except ImportProblem:
        raise
    except FileNotFoundError:
        raise ImportProblem(path, "does not exist") from None
    except PermissionError:
        raise ImportProblem(path, "cannot be read (permission denied)") from None
    except IsADirectoryError:
        raise ImportProblem(path, "is a folder, not a file") from None
    except MemoryError:
        raise ImportProblem(path, "is too large to read into memory") from None
    except OSError as exc:
        raise ImportProblem(
            path, f"cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    except Exception as exc:  # a library choking on a foreign file: report it, never crash
        _log.debug("unexpected error reading %s", path, exc_info=True)
        raise ImportProblem(
            path, f"could not be read as {fmt} ({type(exc).__name__}); the file may be damaged"
        ) from None

    text = normalise_text(raw) if turns is None else raw
    if looks_binary(text):
        raise ImportProblem(path, f"does not contain text (binary data in a {suffix} file)")
    if not text.strip():
        raise ImportProblem(path, "contains no text")
    if turns is None:
        turns = find_turns(text)
    warnings = () if turns else ("no speaker turns recognised",)
    return Transcript(
        text=text,
        turns=turns,
        source_name=unicodedata.normalize("NFC", path.name),
        source_sha256=digest,
        format=fmt,
        metadata=MappingProxyType(dict(meta)),
        warnings=warnings,
    )


def _read_or_problem(path: Path) -> Transcript | ImportProblem:
    try:
        return read_transcript(path)
    except ImportProblem as exc:
        return exc


def _ignore_interrupts() -> None:
    """Workers leave Ctrl-C to the main process, which cancels cleanly between files."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def read_transcripts(
    paths: Sequence[Path], *, workers: int = 1
) -> Generator[tuple[Path, Transcript | ImportProblem], None, None]:
    """Read many files in order; yields (path, transcript or the problem with it).

    With ``workers > 1`` and enough slow-to-parse files, they are read in worker processes
    (started with "spawn", safe beside threads) while the caller stores what is ready. Callers
    whose ``__main__`` cannot be re-imported (an interactive session, a script without a main
    guard) should keep the default of 1; if the workers cannot start, reading goes on serially.
    Closing the iterator early (a cancelled import) drops the files not yet read.
    """
    done = 0
    heavy = sum(1 for p in paths if p.suffix.lower() in _SLOW_FORMATS)
    if workers > 1 and heavy >= _PARALLEL_FROM:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )
        try:
            for result in pool.map(_read_or_problem, paths, chunksize=2):
                yield paths[done], result
                done += 1
        except BrokenProcessPool:
            _log.debug("worker processes failed; reading the remaining files here")
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    for path in paths[done:]:
        yield path, _read_or_problem(path)


# Plain text parses about as fast as it is stored, so worker processes (start-up, pickling)
# only pay off for formats whose parsing dominates: PDF pages, Word and ODF XML, RTF, HTML.
_SLOW_FORMATS = frozenset({".pdf", ".docx", ".odt", ".rtf", ".html", ".htm"})
_PARALLEL_FROM = 8


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_files(
    paths: Iterable[str | Path], *, recursive: bool = True
) -> tuple[list[Path], list[Path]]:
    """Expand files and folders into (importable files, skipped files), in a stable order.

    Folder contents come in natural order (``Interview 2`` before ``Interview 10``). Hidden
    files and folders, editor lock files (``~$x.docx``) and unsupported types in folders are
    skipped; a file named explicitly is always returned so that its problem can be reported.
    A file reached twice is listed once.
    """
    found: list[Path] = []
    skipped: list[Path] = []
    seen: set[str] = set()

    def add(target: list[Path], p: Path) -> None:
        key = os.path.normcase(os.path.normpath(p.absolute()))
        if key not in seen:
            seen.add(key)
            target.append(p)

    for raw in paths:
        p = Path(raw)
        if not p.is_dir():
            add(found, p)
            continue
        children: list[Path] = []
        for folder, dirs, files in os.walk(p):
            dirs[:] = [d for d in dirs if not d.startswith(".")] if recursive else []
            children.extend(Path(folder, f) for f in files if not f.startswith((".", "~$")))
        for child in sorted(children, key=lambda c: _natural_key(c.relative_to(p))):
            if child.is_file():
                add(found if child.suffix.lower() in _READERS else skipped, child)
    return found, skipped


def _natural_key(rel: Path) -> tuple[tuple[tuple[tuple[int, int | str], ...], ...], str]:
    """Sort key: per path part, digit runs compare as numbers, the rest case-insensitively."""
    parts = tuple(
        tuple(
            (0, int(chunk)) if chunk.isdecimal() else (1, chunk.casefold())
            for chunk in re.split(r"(\d+)", part)
            if chunk
        )
        for part in rel.parts
    )
    return parts, str(rel)
