"""Starting the app the way users do: `qualbench` (last project or the sample) and
`qualbench gui PATH`, in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QUALBENCH_SETTINGS_DIR": str(tmp_path / "settings"),
        "QUALBENCH_CODER": "tester",
        "QUALBENCH_QUIT_AFTER_MS": "300",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "qualbench", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_no_argument_opens_the_sample_the_first_time(tmp_path: Path) -> None:
    result = _run([], tmp_path)
    assert result.returncode == 0, result.stderr[-800:]
    assert (tmp_path / "data" / "qualbench" / "sample.qualbench").exists()
    settings = (tmp_path / "settings" / "qualbench.ini").read_text(encoding="utf-8")
    assert "sample.qualbench" in settings  # remembered as the last project


def test_gui_opens_a_given_project_and_closes_it_cleanly(tmp_path: Path, sample_file: Path) -> None:
    result = _run(["gui", str(sample_file)], tmp_path)
    assert result.returncode == 0, result.stderr[-800:]
    assert not Path(str(sample_file) + "-lock").exists()  # closed cleanly
    settings = (tmp_path / "settings" / "qualbench.ini").read_text(encoding="utf-8")
    assert str(sample_file) in settings
