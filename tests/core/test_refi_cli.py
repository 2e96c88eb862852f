"""``qualbench refi export | export-codebook | import`` end to end."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from qualbench.cli.refi import PROFILE_NAMES
from qualbench.refi import PROFILES
from qualbench.sample import build_sample
from tests.core import refi_fixtures as fx
from tests.core.test_cli import dump, run


@pytest.fixture
def sample_path(tmp_path: Path) -> Path:
    path = tmp_path / "sample.qualbench"
    build_sample(path).close()
    return path


def test_profile_choices_are_the_profiles() -> None:
    assert sorted(PROFILE_NAMES) == sorted(PROFILES)


def test_export_then_import_into_a_new_project(capsys, sample_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "study.qdpx"
    code, stdout, _ = run(capsys, "refi", "export", sample_path, out, "--profile", "nvivo")
    assert code == 0 and out.exists()
    assert "exported: 2 coders, 27 codes" in stdout
    assert "UTF-16 code units" in stdout and "speaker-turn time stamps" in stdout
    with zipfile.ZipFile(out) as zf:
        assert "project.qde" in zf.namelist()

    target = tmp_path / "copy.qualbench"
    code, stdout, stderr = run(capsys, "refi", "import", target, out, "--create")
    assert code == 0 and target.exists() and "created" in stderr
    assert "imported: 27 codes" in stdout and "138 codings" in stdout
    assert "nothing was left out" in stdout

    code, stdout, _ = run(capsys, "refi", "import", target, out, "--json")
    data = json.loads(stdout)
    assert code == 0 and data["carried"] == {} and data["matched"]["codings"] == 138
    assert data["lost"] == [] and "UTF-16" in data["positions"]


def test_export_codebook_and_import_it(capsys, sample_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.qdc"
    code, stdout, _ = run(capsys, "refi", "export-codebook", sample_path, out, "--json")
    assert code == 0 and json.loads(stdout)["carried"] == {"codes": 27}
    target = tmp_path / "codes.qualbench"
    code, stdout, _ = run(capsys, "refi", "import", target, out, "--create")
    assert code == 0 and "imported: 27 codes" in stdout
    # the codebook command reads .qdc too
    assert run(capsys, "create", tmp_path / "c.qualbench", "--codebook", out)[0] == 0


def test_dry_run_and_vendor_file(capsys, sample_path: Path, tmp_path: Path) -> None:
    f = fx.nvivo_windows_like(tmp_path)
    before = dump(sample_path)
    code, stdout, _ = run(capsys, "refi", "import", sample_path, f.path, "--dry-run")
    assert code == 0 and "would be imported" in stdout and "8 codings" in stdout
    assert dump(sample_path) == before
    code, stdout, _ = run(capsys, "refi", "import", sample_path, f.path)
    assert code == 0 and "imported:" in stdout and dump(sample_path) != before


def test_hostile_file_fails_cleanly(capsys, sample_path: Path, tmp_path: Path) -> None:
    bad = fx.qdpx(tmp_path / "bad.qdpx", fx.project_xml("x", ""), {"../../evil": b"x"})
    before = dump(sample_path)
    code, _, stderr = run(capsys, "refi", "import", sample_path, bad)
    assert code == 1 and "path traversal" in stderr and stderr.count("\n") == 1
    assert dump(sample_path) == before
    target = tmp_path / "new.qualbench"
    code, _, stderr = run(capsys, "refi", "import", target, bad, "--create")
    assert code == 1 and not target.exists()


def test_argument_errors(capsys, sample_path: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(capsys, "refi", "export", sample_path, tmp_path / "x.qdpx", "--profile", "dedoose")
    assert exit_info.value.code == 2
    code, _, stderr = run(capsys, "refi", "import", sample_path, tmp_path / "x.qdc", "--create")
    assert code == 4 and "already exists" in stderr
    code, _, stderr = run(
        capsys,
        "refi",
        "import",
        tmp_path / "n.qualbench",
        tmp_path / "x.qdc",
        "--create",
        "--dry-run",
    )
    assert code == 1 and "cannot be combined" in stderr
    code, _, stderr = run(capsys, "refi", "import", sample_path, tmp_path / "missing.qdpx")
    assert code == 1 and "does not exist" in stderr


def test_dialog_options_validate_and_run(tmp_path: Path, sample_path: Path) -> None:
    from qualbench.refi import ExportOptions, ImportOptions
    from qualbench.store import open_project

    assert ExportOptions().problems() == ["choose a file to write"]
    assert "must end in .qdpx" in ExportOptions(tmp_path / "x.zip").problems()[0]
    assert ExportOptions(tmp_path / "x.qdpx", profile="dedoose").problems() == [
        "unknown profile 'dedoose'"
    ]
    assert ExportOptions(tmp_path / "b.qdc").codebook_only
    with open_project(sample_path) as project:
        report = ExportOptions(tmp_path / "s.qdpx", profile="atlas").run(project)
        assert report.carried["codings"] == 138
        assert ExportOptions(tmp_path / "b.qdc").run(project).carried == {"codes": 27}
        preview = ImportOptions(tmp_path / "s.qdpx", dry_run=True).run(project)
        assert preview.dry_run and preview.matched["codings"] == 138
    new = ImportOptions(tmp_path / "s.qdpx", new_project=tmp_path / "new.qualbench")
    assert new.problems() == []
    assert new.run(None).carried["documents"] == 6
    assert new.problems() == [f"{tmp_path / 'new.qualbench'} already exists"]
    assert ImportOptions(tmp_path / "missing.qdpx").problems() == [
        f"{tmp_path / 'missing.qdpx'} does not exist"
    ]
