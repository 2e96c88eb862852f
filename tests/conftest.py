"""Shared fixtures: real project files in a temporary folder, the bundled sample, coders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualbench.store import Project

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "study.qualbench"


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    """A new, empty project file, closed after the test."""
    from qualbench.store import create_project

    p = create_project(project_path, name="Test study")
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def _sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from qualbench.sample import build_sample

    path = tmp_path_factory.mktemp("sample") / "sample.qualbench"
    build_sample(path).close()
    return path


@pytest.fixture
def sample(_sample_template: Path, tmp_path: Path) -> Iterator[Project]:
    """A private copy of the bundled sample project (6 transcripts, codebook, 2 coders)."""
    from qualbench.store import open_project

    path = tmp_path / "sample.qualbench"
    shutil.copy(_sample_template, path)
    p = open_project(path)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def shared_dir() -> Path:
    """../shared (REFI samples, corpus); tests that need it skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present on this machine")
    return SHARED
