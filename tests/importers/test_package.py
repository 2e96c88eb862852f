"""``importers`` is a leaf: no ``qualbench``, no Qt, and the heavy format libraries load lazily."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import sys
import importers
lazy = [m for m in ("docx", "odf", "pypdf", "openpyxl", "striprtf", "webvtt", "charset_normalizer")
        if m in sys.modules]
import importers.html, importers.office, importers.pdf, importers.plaintext, importers.speakers
import importers.subtitles, importers.tables, importers.transcript
from importers import read_transcript, find_files
app = {"qualbench", "ui", "PySide6", "shiboken6"}
bad = sorted(m for m in sys.modules if m.split(".")[0] in app)
print(repr((lazy, bad)))
"""


def test_importers_is_a_leaf_package() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lazy, bad = ast.literal_eval(out)
    assert bad == []
    assert lazy == []


def test_sources_do_not_mention_the_app_or_qt() -> None:
    for source in (ROOT / "importers").glob("*.py"):
        text = source.read_text("utf-8")
        for forbidden in ("import qualbench", "from qualbench", "PySide6", "from ui", "import ui"):
            assert forbidden not in text, f"{source.name}: {forbidden}"
