"""The bundled sample project: fictional harm-reduction transcripts, coded by two coders."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from qualbench.codebook_files import read_codebook
from qualbench.codings_csv import read_codings
from qualbench.progress import CancelCheck, Progress, never, no_progress
from qualbench.services.attribute_tables import apply_attribute_table
from qualbench.services.codebook import load_codebook
from qualbench.services.coding import bulk_apply
from qualbench.services.documents import import_files
from qualbench.store import Project, create_project

TRANSCRIPTS = (
    "fg_kazakhstan.txt",
    "fg_ukraine.txt",
    "fg_kyrgyzstan.md",
    "interview_release_01.txt",
    "interview_release_02.txt",
    "interview_peer_distributor.vtt",
)


SAMPLE_NAME = "S-O-S and release from prison (sample)"


def data_dir() -> Path:
    return Path(str(resources.files("qualbench") / "sample_data"))


def codebook_path() -> Path:
    return Path(str(resources.files("codebooks") / "harm_reduction.yaml"))


def default_location() -> Path:
    """Where the sample project lives for this user (XDG data folder)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qualbench" / "sample.qualbench"


def build_sample(
    path: str | Path, *, progress: Progress = no_progress, cancel: CancelCheck = never
) -> Project:
    """Create the sample project at ``path`` (which must not exist) and return it open."""
    data = data_dir()
    project = create_project(path, name=SAMPLE_NAME)
    try:
        with project.write() as s:
            load_codebook(s, read_codebook(codebook_path()))
        import_files(
            project, [data / name for name in TRANSCRIPTS], progress=progress, cancel=cancel
        )
        with project.write() as s:
            apply_attribute_table(s, data / "documents.csv")
            apply_attribute_table(s, data / "participants.csv")
        with project.write() as s:
            bulk_apply(s, read_codings(s, data / "codings.csv", default_origin="manual"))
    except BaseException:
        project.close()
        raise
    return project


def remove_sample(path: Path) -> None:
    """Delete a sample project so it can be rebuilt; refuses anything that is not one (any
    other file, another project) and a sample that is open elsewhere."""
    from qualbench.store import ProjectError, open_project

    with open_project(path) as project:  # takes the writer lock: refuses one in use
        if project.info().name != SAMPLE_NAME:
            raise ProjectError(f"{path}: is not the sample project; refusing to replace it")
        for extra in ("-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
        path.unlink()
