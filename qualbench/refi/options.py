"""Qt-free state of the REFI-QDA export and import dialogs: what the user chose, what is wrong
with it (one line each, for the dialog to show), and running it as a long task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualbench.progress import CancelCheck, Progress, never, no_progress
from qualbench.refi.positions import PROFILES
from qualbench.refi.reader import RefiError
from qualbench.refi.report import RefiReport
from qualbench.store import Project

SUFFIXES = (".qdpx", ".qdc")


@dataclass
class ExportOptions:
    """Export the project (.qdpx, with a position profile) or its codebook (.qdc)."""

    path: Path | None = None
    profile: str = "standard"

    @property
    def codebook_only(self) -> bool:
        return self.path is not None and self.path.suffix.lower() == ".qdc"

    def problems(self) -> list[str]:
        out = []
        if self.path is None:
            out.append("choose a file to write")
        elif self.path.suffix.lower() not in SUFFIXES:
            out.append("the file must end in .qdpx (project) or .qdc (codebook)")
        elif not self.path.parent.is_dir():
            out.append(f"the folder {self.path.parent} does not exist")
        if self.profile not in PROFILES:
            out.append(f"unknown profile {self.profile!r}")
        return out

    def run(
        self, project: Project, *, progress: Progress = no_progress, cancel: CancelCheck = never
    ) -> RefiReport:
        from qualbench.refi.exporter import export_qdc, export_qdpx

        if self.problems() or self.path is None:
            raise RefiError("; ".join(self.problems()))
        if self.codebook_only:
            return export_qdc(project, self.path)
        return export_qdpx(
            project, self.path, profile=self.profile, progress=progress, cancel=cancel
        )


@dataclass
class ImportOptions:
    """Import a .qdpx or .qdc into the open project, or into a new project file."""

    path: Path | None = None
    new_project: Path | None = None  # None: into the open project
    external_files: bool = False
    dry_run: bool = False

    def problems(self) -> list[str]:
        out = []
        if self.path is None:
            out.append("choose a .qdpx or .qdc file")
        elif self.path.suffix.lower() not in SUFFIXES:
            out.append("the file must be a .qdpx (project) or .qdc (codebook)")
        elif not self.path.is_file():
            out.append(f"{self.path} does not exist")
        if self.new_project is not None:
            if self.new_project.exists():
                out.append(f"{self.new_project} already exists")
            if self.dry_run:
                out.append("a preview imports into the open project, not a new one")
        return out

    def run(
        self,
        project: Project | None,
        *,
        progress: Progress = no_progress,
        cancel: CancelCheck = never,
    ) -> RefiReport:
        from qualbench.refi.importer import create_from_refi, import_refi

        if self.problems() or self.path is None:
            raise RefiError("; ".join(self.problems()))
        if self.new_project is not None:
            return create_from_refi(
                self.new_project,
                self.path,
                external_files=self.external_files,
                progress=progress,
                cancel=cancel,
            )
        if project is None:
            raise RefiError("no project is open to import into")
        return import_refi(
            project,
            self.path,
            external_files=self.external_files,
            dry_run=self.dry_run,
            progress=progress,
            cancel=cancel,
        )
