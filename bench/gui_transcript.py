"""Transcript view timings on a synthetic 300,000-character transcript (run by hand, offscreen).

    python bench/gui_transcript.py            # both variants, 5,000 codings
    python bench/gui_transcript.py --codings 20000

Two transcripts: short speaker turns (150-600 characters) and long ones (~10,000). Each gets
random overlapping codings (30-800 characters) over 60 codes and 2 coders. Measured with the
view at 1000x800: open (set_document + first paint; the first time, then again with formats
cached), a scroll frame (scroll + paint, median of 5 positions), apply one coding and remove one
(set_codings with ``changed`` + repaint), and the margin's own paint.
Targets: open < 1 s, apply/remove < 100 ms (aim < 16), scroll frame < 16 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication

from qualbench.workspace import CodingMark, DocumentView, TurnMark
from ui.widgets.transcript import TranscriptView

SAMPLE = (
    "we went to the clinic and they said come back tomorrow but tomorrow there was nobody "
    "I think the kit helped because people were not afraid any more of calling for help "
    "my brother never talked about it and the family did not know what to do"
)
WORDS = SAMPLE.split()


def transcript(chars: int, turn_min: int, turn_max: int, seed: int = 1) -> DocumentView:
    """Speaker turns ("[hh:mm:ss] SPEAKER n: words") separated by blank lines."""
    rnd = random.Random(seed)
    parts: list[str] = []
    turns: list[TurnMark] = []
    pos, second = 0, 0
    while pos < chars:
        speaker = f"SPEAKER {rnd.randint(1, 6)}"
        label = f"[{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}] {speaker}: "
        target = rnd.randint(turn_min, turn_max)
        words: list[str] = []
        n = 0
        while n < target:
            w = rnd.choice(WORDS)
            words.append(w)
            n += len(w) + 1
        body = " ".join(words).capitalize() + "."
        turns.append(
            TurnMark(
                pos, pos + len(label), pos + len(label) + len(body), speaker, second * 1000, speaker
            )
        )
        parts.append(label + body)
        pos += len(label) + len(body) + 2
        second += rnd.randint(5, 90)
    return DocumentView(1, "synthetic", "interview", "\n\n".join(parts), tuple(turns))


def codings(text_len: int, n: int, seed: int = 2) -> list[CodingMark]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        a = rnd.randrange(0, text_len - 40)
        out.append(CodingMark(i + 1, a, min(text_len, a + rnd.randint(30, 800)), rnd.randint(1, 60),
                              rnd.randint(1, 2), "manual", rnd.random() < 0.1))  # fmt: skip
    return sorted(out, key=lambda c: (c.start, c.end, c.id))


def codes() -> dict[int, tuple[str, str]]:
    rnd = random.Random(3)
    return {
        i: (f"Theme {i // 10} > Code {i}", f"#{rnd.randrange(0x1000000):06X}") for i in range(1, 61)
    }


def ms(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def run(name: str, doc: DocumentView, n_codings: int) -> dict[str, float | str]:
    marks = codings(len(doc.text), n_codings)
    view = TranscriptView()
    view.resize(1000, 800)
    view.show()
    QApplication.processEvents()

    def open_() -> None:
        view.set_document(doc, marks, codes=codes(), coders={1: "ana", 2: "ben"})
        view.grab()

    r: dict[str, float | str] = {"variant": name, "blocks": view.text_edit.document().blockCount()}
    r["open (first)"] = ms(open_)
    r["open (again)"] = ms(open_)  # formats cached: the same codebook, another document
    r["blocks"] = view.text_edit.document().blockCount()
    bar = view.text_edit.verticalScrollBar()
    frames = []
    for frac in (0.1, 0.3, 0.5, 0.7, 0.9):
        frames.append(ms(lambda frac=frac: (bar.setValue(int(bar.maximum() * frac)), view.grab())))
    r["scroll frame"] = statistics.median(frames)
    # one coding in the middle of the screen
    first = view.text_edit.firstVisibleBlock().position()
    new = CodingMark(10**6, first + 50, first + 400, 7, 1, "manual", False)
    calls = view.highlighter.calls
    r["apply + paint"] = ms(
        lambda: (view.set_codings([*marks, new], changed=[new.id]), view.grab())
    )
    r["blocks re-highlighted"] = view.highlighter.calls - calls
    r["remove + paint"] = ms(lambda: (view.set_codings(marks, changed=[new.id]), view.grab()))
    view.margin.grab()
    r["margin paint"] = view.margin.paint_seconds * 1000
    r["lanes"] = view.state.lane_count
    view.close()
    return r


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--codings", type=int, default=5000)
    parser.add_argument("--chars", type=int, default=300_000)
    args = parser.parse_args()
    QApplication([])
    rows = [
        run("short turns (150-600)", transcript(args.chars, 150, 600), args.codings),
        run("long turns (~10k)", transcript(args.chars, 9000, 11000), args.codings),
    ]
    keys = [
        "open (first)",
        "open (again)",
        "scroll frame",
        "apply + paint",
        "remove + paint",
        "margin paint",
    ]
    print(
        f"\n{args.chars:,} characters, {args.codings:,} codings, 60 codes, 2 coders; milliseconds\n"
    )
    print("| variant | blocks | lanes | " + " | ".join(keys) + " | blocks re-highlighted |")
    print("|---|---:|---:|" + "---:|" * len(keys) + "---:|")
    for r in rows:
        cells = " | ".join(f"{r[k]:.1f}" for k in keys)
        print(
            f"| {r['variant']} | {r['blocks']} | {r['lanes']} | {cells} | {r['blocks re-highlighted']} |"
        )
    print("\ntargets: open < 1000, apply/remove < 100 (aim < 16), scroll frame < 16")


if __name__ == "__main__":
    main()
