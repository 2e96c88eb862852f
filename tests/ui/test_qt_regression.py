"""PySide6 6.12.0 on Python 3.11 aborts ("Fatal Python error: none_dealloc") after a few thousand
QTextCursor.setPosition calls. pyproject.toml excludes that pairing; this loop guards it."""

from __future__ import annotations

import subprocess
import sys

LOOP = """
import os
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication
app = QApplication([])
doc = QTextDocument("word " * 4000)
cursor = QTextCursor(doc)
n = doc.characterCount() - 1
for i in range(20000):
    cursor.setPosition(i % n)
    cursor.setPosition((i * 7) % n, QTextCursor.MoveMode.KeepAnchor)
print("ok", cursor.position())
"""


def test_20000_set_position_calls_survive() -> None:
    # In a child process: the failure mode is an abort of the whole interpreter.
    result = subprocess.run(
        [sys.executable, "-c", LOOP], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"Qt aborted (rc {result.returncode}): {result.stderr[-500:]}"
    assert result.stdout.startswith("ok")


def test_installed_pairing_is_not_the_broken_one() -> None:
    import PySide6

    assert not (PySide6.__version__ == "6.12.0" and sys.version_info[:2] == (3, 11))
