"""Re-anchoring codings onto an edited copy of a document (qualbench.align), timed by hand.

    python bench/align_bench.py            # 100k and 1M characters, ~1% of characters edited
    python bench/align_bench.py --worst    # also: every line re-wrapped, a different document

For each text: build ``TextAlignment`` (old copy -> edited copy), place 600 spans of one to
three sentences, and time ``text_similarity``. The texts are generated interview transcripts
(a speaker label, then sentences from a phrase bank, some paragraphs hard-wrapped); the edits
are fixed typos, inserted words, re-wrapped lines and deleted sentences.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualbench.align import TextAlignment, text_similarity

OPENERS = ["I think", "To be honest,", "Well,", "You know,", "At the time", "Looking back,", "Um,"]
SUBJECTS = [
    "my key worker",
    "the probation officer",
    "my mum",
    "the housing office",
    "the doctor",
    "my brother",
    "the group",
    "the job centre",
    "my partner",
    "the café on the corner",
]
VERBS = [
    "helped me with",
    "never understood",
    "kept asking about",
    "was worried about",
    "talked to me about",
    "didn’t care about",
    "made a big deal of",
    "sorted out",
]
OBJECTS = [
    "the rent",
    "the flat",
    "my appointments",
    "the debt",
    "the nightmares",
    "the curfew",
    "the medication",
    "the bus fare",
    "the paperwork",
    "my little girl 🙂",
    "the court date",
]
ENDINGS = [".", ".", ".", "?", "!", " — every single day.", ", if I’m honest.", ", you know."]
WORDS = ["really", "actually", "still", "just", "maybe", "always", "honestly"]


def sentence(rng: random.Random) -> str:
    return (f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)}{rng.choice(ENDINGS)}")  # fmt: skip


def transcript(chars: int, seed: int) -> str:
    """An interview of about ``chars`` characters; a third of the answers hard-wrapped."""
    rng, paragraphs, size, turn = random.Random(seed), [], 0, 0
    while size < chars:
        turn += 1
        if turn % 2:
            body = f"INTERVIEWER: Can you tell me about {rng.choice(OBJECTS)}?"
        else:
            body = f"P{seed % 9 + 1}: " + " ".join(sentence(rng) for _ in range(rng.randint(2, 9)))
            if rng.random() < 0.33:
                body = textwrap.fill(body, width=rng.choice([60, 72, 80]))
        paragraphs.append(body)
        size += len(body) + 2
    return "\n\n".join(paragraphs)


def edit(text: str, rate: float, seed: int) -> str:
    """Change about ``rate`` of the characters: typos, inserted words, re-wrapped line ends,
    deleted sentences (applied back to front so that positions stay valid)."""
    rng = random.Random(seed)
    budget, edits = int(len(text) * rate), []
    while budget > 0:
        pos, kind = rng.randrange(len(text)), rng.choice("ttttwwwrd")
        if kind == "t" and text[pos].isalpha():
            edits.append((pos, pos + 1, rng.choice("aeiou")))
            budget -= 1
        elif kind == "w" and text[pos] == " ":
            edits.append((pos, pos, " " + rng.choice(WORDS)))
            budget -= 7
        elif kind == "r" and text[pos] in " \n":
            edits.append((pos, pos + 1, "\n" if text[pos] == " " else " "))
            budget -= 1
        elif kind == "d":
            match = re.compile(r"[^.?!\n]*[.?!]").search(text, pos)
            if match:
                edits.append((match.start(), match.end(), ""))
                budget -= match.end() - match.start()
    out, last = [], len(text)
    for start, end, insert in sorted(edits, reverse=True):
        if end <= last:
            out += [text[end:last], insert]
            last = start
    out.append(text[:last])
    return "".join(reversed(out))


def rewrap(text: str) -> str:
    """Every paragraph hard-wrapped at another width (the worst case for the line level)."""
    return "\n\n".join(textwrap.fill(p, width=66) for p in text.split("\n\n"))


def spans(text: str, count: int, seed: int) -> list[tuple[int, int]]:
    """``count`` spans of one to three whole sentences."""
    rng = random.Random(seed)
    ends = [m.end() for m in re.finditer(r"[.?!]", text)]
    out = []
    for _ in range(count):
        k = rng.randrange(1, len(ends) - 3)
        start = ends[k - 1] + 1
        out.append((start, ends[k + rng.randint(0, 2)]))
    return out


def run(name: str, old: str, new: str) -> None:
    spans_ = spans(old, 600, seed=len(old))
    t0 = time.perf_counter()
    alignment = TextAlignment(old, new)
    t1 = time.perf_counter()
    placements = [alignment.place(s, e) for s, e in spans_]
    t2 = time.perf_counter()
    similarity = text_similarity(old, new)
    t3 = time.perf_counter()
    statuses = Counter(p.status for p in placements)
    counts = " ".join(f"{k} {statuses[k]}" for k in ("exact", "moved", "adjusted", "unplaced"))
    print(f"| {name} | {len(old):,} | {t1 - t0:.3f} | {t2 - t1:.3f} | {t3 - t2:.3f} | "
          f"{alignment.similarity:.3f} / {similarity:.3f} | {counts} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", action="store_true", help="also the slow cases")
    args = parser.parse_args()
    print("| case | characters | align s | place 600 s | text_similarity s "
          "| similarity (alignment / text) | spans |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---|---|")
    for chars in (100_000, 1_000_000):
        old = transcript(chars, seed=1)
        run(f"{chars // 1000}k, 1% edited", old, edit(old, 0.01, seed=2))
    if args.worst:
        for chars in (100_000, 1_000_000):
            old = transcript(chars, seed=1)
            run(f"{chars // 1000}k, every line re-wrapped", old, rewrap(old))
            run(f"{chars // 1000}k, another document", old, transcript(chars, seed=3))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the whole run: {peak:.0f} MB")


if __name__ == "__main__":
    main()
