"""Folder expansion: stable natural order, hidden and lock files skipped, unsupported reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from importers import SUPPORTED_SUFFIXES, find_files


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("P1: hello\n", "utf-8")


@pytest.fixture
def study(tmp_path: Path) -> Path:
    root = tmp_path / "study"
    _touch(
        root,
        "Interview 10.txt",
        "Interview 2.txt",
        "interview 1.DOCX",
        "notes.md",
        "audio.mp3",
        "Thumbs.db",
        ".DS_Store",
        "~$terview 2.docx",
        ".hidden.txt",
        "wave 2/Focus group B.vtt",
        "wave 2/Focus group A.srt",
        "wave 2/sub/deep.pdf",
        "wave 10/late.rtf",
        ".git/config.txt",
        ".cache/x/skip.txt",
    )
    return root


def _rel(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_folder_is_expanded_in_natural_order(study: Path) -> None:
    found, skipped = find_files([study])
    assert _rel(found, study) == [
        "interview 1.DOCX",
        "Interview 2.txt",
        "Interview 10.txt",
        "notes.md",
        "wave 2/Focus group A.srt",
        "wave 2/Focus group B.vtt",
        "wave 2/sub/deep.pdf",
        "wave 10/late.rtf",
    ]
    assert _rel(skipped, study) == ["audio.mp3", "Thumbs.db"]


def test_order_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    names = ["b.txt", "A.txt", "c 3.txt", "c 20.txt", "C 100.txt"]
    for order, root in ((names, tmp_path / "one"), (names[::-1], tmp_path / "two")):
        _touch(root, *order)
    one, _ = find_files([tmp_path / "one"])
    two, _ = find_files([tmp_path / "two"])
    assert [p.name for p in one] == [p.name for p in two]
    assert [p.name for p in one] == ["A.txt", "b.txt", "c 3.txt", "c 20.txt", "C 100.txt"]


def test_not_recursive(study: Path) -> None:
    found, skipped = find_files([study], recursive=False)
    assert "wave 2/Focus group A.srt" not in _rel(found, study)
    assert len(found) == 4
    assert len(skipped) == 2


def test_files_named_explicitly_are_kept_even_when_odd(study: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    found, skipped = find_files(
        [study / "audio.mp3", study / ".hidden.txt", missing, study / "Interview 2.txt"]
    )
    assert found == [study / "audio.mp3", study / ".hidden.txt", missing, study / "Interview 2.txt"]
    assert skipped == []


def test_a_file_reached_twice_is_listed_once(study: Path) -> None:
    found, _ = find_files([study / "notes.md", study, str(study / "notes.md")])
    assert _rel(found, study).count("notes.md") == 1
    assert found[0] == study / "notes.md"


def test_an_empty_folder_and_no_paths(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert find_files([tmp_path / "empty"]) == ([], [])
    assert find_files([]) == ([], [])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "loop"
    _touch(root, "a.txt")
    (root / "again").symlink_to(root, target_is_directory=True)
    found, _ = find_files([root])
    assert [p.name for p in found] == ["a.txt"]


def test_every_supported_suffix_is_found(tmp_path: Path) -> None:
    _touch(tmp_path, *(f"file{s}" for s in SUPPORTED_SUFFIXES))
    found, skipped = find_files([tmp_path])
    assert sorted(p.suffix for p in found) == sorted(SUPPORTED_SUFFIXES)
    assert skipped == []
