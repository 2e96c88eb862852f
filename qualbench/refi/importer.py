"""Import a REFI-QDA project (.qdpx) or codebook (.qdc) into a QualBench project.

Reading happens first and touches no project: the archive is checked (``reader.py``), the XML
parsed (``parse.py``), every source's text read (``sources.py``) and the position convention
detected (``positions.py``). Then everything is written in one transaction (``apply.py``): an
error or a cancel leaves the project exactly as it was. Importing into an existing project
merges: documents with the same text, codes with the same id or path, coders with the same id
or name, participants with the same id or name and codings and memos with the same id are
matched, not added again, so importing a file twice adds nothing the second time.
``create_from_refi`` makes a new project from a file and removes it again if the import fails.
"""

from __future__ import annotations

from pathlib import Path

from qualbench.changes import Changes
from qualbench.progress import CancelCheck, Cancelled, Progress, never, no_progress
from qualbench.refi.apply import Prepared, Writer
from qualbench.refi.codebook import read_qdc
from qualbench.refi.parse import parse_project
from qualbench.refi.positions import SourceText, detect, prior_for
from qualbench.refi.reader import (
    DEFAULT_LIMITS,
    Limits,
    RefiError,
    check_namespace,
    open_archive,
    parse_xml,
    sources_folder_name,
)
from qualbench.refi.report import RefiReport
from qualbench.refi.sources import TextLoader
from qualbench.store import Project, ProjectError, create_project


class _DryRun(Exception):
    """Raised inside the transaction to roll a preview back."""


def prepare(
    path: str | Path,
    *,
    external_files: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> tuple[Prepared, RefiReport]:
    """Read and check a .qdpx completely, without touching any project."""
    path = Path(path)
    if path.suffix.lower() == ".qdc":
        p = read_qdc(path, limits)
        report = RefiReport("import", str(path), origin=p.origin)
        _parse_notes(report, p.repairs, p.unsupported)
        return Prepared(path, p), report
    with open_archive(path, limits) as archive:
        member = archive.project_member()
        where = f"{path}: {member}"
        root, ns = parse_xml(
            archive.read(member, limit=limits.xml_bytes), where=where, limits=limits
        )
        check_namespace(ns, where=where, kind="project")
        p = parse_project(root, namespace=ns, where=where)
        prep = Prepared(path, p)
        report = RefiReport("import", str(path), origin=p.origin)
        _parse_notes(report, p.repairs, p.unsupported)
        if ns and ns != "urn:QDA-XML:project:1.0":
            report.note(f"the XML namespace is {ns!r}; read as REFI-QDA 1.0")
        loader = TextLoader(archive, limits, base_path=p.base_path, external_files=external_files)
        total = len(p.sources) + 1
        for n, src in enumerate(p.sources):
            if cancel():
                raise Cancelled
            progress(n, total, "reading sources")
            got = loader.load(src)
            if isinstance(got, str):
                report.lose("sources", 1, f"{src.name or src.guid!r}: {got}")
                continue
            prep.loaded[src.guid] = got
            for warning in got.warnings:
                report.note(f"source {src.name!r}: {warning}")
            if not got.trusted and src.selections:
                report.note(
                    f"source {src.name!r}: its plain text is empty, so its text was read from "
                    f"{got.how}; its {len(src.selections)} selections may be misplaced"
                )
        for note in p.notes:
            prep.note_texts[note.guid] = loader.note_text(note)
        folder = sources_folder_name(archive.names)
        if folder and folder != "sources":
            report.note(f"sources are in a folder named {folder!r} (read as 'sources')")
    originals = [
        s
        for s in p.sources
        if s.rich_path and s.guid in prep.loaded and prep.loaded[s.guid].trusted
    ]
    report.lose(
        "rich-text originals (DOCX, PDF)",
        len(originals),
        "QualBench keeps the plain text; formatting and pictures are not imported",
    )
    _map_positions(prep, report)
    progress(total - 1, total, "writing")
    return prep, report


def _parse_notes(report: RefiReport, repairs: list[str], unsupported: dict[str, int]) -> None:
    for what, n in unsupported.items():
        report.lose(what, n, "QualBench holds text documents only")
    for line in repairs[:20]:
        report.note(line)
    if len(repairs) > 20:
        report.note(f"{len(repairs) - 20} more repairs of the same kinds")


def _map_positions(prep: Prepared, report: RefiReport) -> None:
    """Detect how the file counts positions and build each source's offset map."""
    p = prep.project
    evidence = [
        (prep.loaded[s.guid].raw, [(x.start, x.end, x.name) for x in s.selections])
        for s in p.sources
        if s.guid in prep.loaded and prep.loaded[s.guid].trusted and s.selections
    ]
    detection = detect(evidence, prior_for(p.origin))
    report.positions = detection.describe()
    chosen = detection.fits[detection.convention]
    if chosen.boundaries >= 10 and chosen.clean < 0.5 * chosen.boundaries:
        report.note("many selections start or end inside words: check the imported codings")
    for src in p.sources:
        loaded = prep.loaded.get(src.guid)
        if loaded is None:
            continue
        try:
            prep.texts[src.guid] = SourceText(loaded.raw, detection.convention)
        except ValueError:
            report.lose("sources", 1, f"{src.name!r}: its text could not be normalised exactly")


def write(
    project: Project,
    prep: Prepared,
    report: RefiReport,
    *,
    dry_run: bool = False,
    cancel: CancelCheck = never,
) -> RefiReport:
    """Write a prepared file into the project in one transaction (rolled back on a dry run,
    an error or a cancel)."""
    changes = Changes()
    try:
        with project.write() as s:
            writer = Writer(s, prep, report)
            if prep.path.suffix.lower() == ".qdc":
                writer.codes()
                report.lose(
                    "code sets",
                    sum(1 for st in prep.project.sets if st.codes),
                    "QualBench has no sets of codes",
                )
                changes = writer.changes
            else:
                changes = writer.run()
            if cancel():
                raise Cancelled
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.dry_run = True
        return report
    report.changes = changes
    return report


def import_refi(
    project: Project,
    path: str | Path,
    *,
    external_files: bool = False,
    dry_run: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> RefiReport:
    """Import a .qdpx or .qdc into an open project: all of it in one transaction, or nothing.

    ``external_files`` allows reading sources the file names outside itself (``relative://``,
    ``absolute://``); ``dry_run`` does everything and rolls back (a preview). The report lists
    what was added, what was already there, and what was not carried over and why."""
    prep, report = prepare(
        path, external_files=external_files, limits=limits, progress=progress, cancel=cancel
    )
    write(project, prep, report, dry_run=dry_run, cancel=cancel)
    progress(1, 1, "done")
    return report


def create_from_refi(
    target: str | Path,
    path: str | Path,
    *,
    external_files: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    cancel: CancelCheck = never,
) -> RefiReport:
    """A new project file at ``target`` holding the .qdpx or .qdc; nothing is left behind if
    reading or importing fails. The project is closed again (open it to use it)."""
    target = Path(target)
    if target.exists():
        raise ProjectError(f"{target}: already exists; choose another name or import into it")
    prep, report = prepare(
        path, external_files=external_files, limits=limits, progress=progress, cancel=cancel
    )
    name = prep.project.name.strip() or Path(path).stem
    project = create_project(target, name=name[:400])
    try:
        write(project, prep, report, cancel=cancel)
    except BaseException:
        project.close()
        for extra in ("", "-wal", "-shm", "-lock"):
            Path(str(target) + extra).unlink(missing_ok=True)
        raise
    project.close()
    progress(1, 1, "done")
    return report


__all__ = ["RefiError", "create_from_refi", "import_refi", "prepare", "write"]
