"""Real interview transcripts in the shared corpus (third-party, read-only; skipped if absent).

Only structural facts are asserted here; no transcript text is copied into the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from importers import read_transcript
from tests.importers.builders import turns_of

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "mlss"
FILES = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
# ``Interviewer 1:``, ``Interviewer2 :``, ``Interviewee1 :``; one file has ``Interviewer2 2:``.
LABEL_LINE = re.compile(r"^[ \t]*(Interview(?:er|ee)\s?\d?(?: \d)?)[ \t]*:", re.MULTILINE)

pytestmark = pytest.mark.skipif(not FILES, reason=f"{CORPUS} is not here")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_interview_labels_become_speakers(path: Path) -> None:
    t = read_transcript(path)
    turns_of(t)  # the invariants: ordered, inside the text, bodies trimmed
    assert t.warnings == ()
    assert all(s.startswith("Interview") for s in t.speakers)
    assert len([s for s in t.speakers if s.startswith("Interviewee")]) == 1
    assert any(s.startswith("Interviewer") for s in t.speakers)
    # Every turn slice starts with its label: every labelled passage is a turn of its own.
    for turn in t.turns:
        assert t.text[turn.start : turn.end].startswith(turn.speaker)
    # Every labelled line lies inside a turn of that speaker (none swallowed by another).
    for m in LABEL_LINE.finditer(t.text):
        owner = next(x for x in t.turns if x.start <= m.start(1) < max(x.end, x.start + 1))
        assert owner.speaker.replace(" ", "") == m[1].replace(" ", ""), m.start()
