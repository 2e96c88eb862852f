"""A 50 MB transcript imports in reasonable time, with every turn found."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from importers import read_transcript

SPEAKERS = ("Interviewer", "P1", "Participant 2")
SENTENCE = (
    "so we walked to the market and bought bread, then the rain started; "
    "my grandmother said it was a sign — she always said that about rain, "
    "and we laughed because the café was closed anyway"
)
WORDS = SENTENCE.split()


def _block(lines: int) -> tuple[str, int]:
    """Speaker lines (each speaker differs from the last) and some continuation lines."""
    out = []
    for n in range(lines):
        words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(8 + n % 30))
        out.append(f"{SPEAKERS[n % 3]}: {words}.\n")
        if n % 10 == 9:
            out.append(f"And then {words[:40]}\n")
    return "".join(out), lines


@pytest.mark.slow
def test_a_50_mb_text_file_imports(tmp_path: Path) -> None:
    block, turns_per_block = _block(3000)  # 3000 is a multiple of 3: speakers keep alternating
    repeats = 50 * 2**20 // len(block.encode()) + 1
    text = block * repeats
    path = tmp_path / "long.txt"
    path.write_bytes(text.encode())
    assert path.stat().st_size >= 50 * 2**20

    started = time.perf_counter()
    t = read_transcript(path)
    elapsed = time.perf_counter() - started

    assert len(t.text) == len(text)
    assert t.text == text
    assert len(t.turns) == turns_per_block * repeats
    assert t.speakers == SPEAKERS
    last = t.turns[-1]
    assert t.text[last.start : last.body_start] == f"{SPEAKERS[(turns_per_block - 1) % 3]}: "
    assert last.end == len(text.rstrip())
    assert elapsed < 60, f"50 MB took {elapsed:.1f} s"
