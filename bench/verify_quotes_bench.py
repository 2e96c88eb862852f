"""Benchmark of quote verification (run by hand; results go to BENCHMARKS.md).

    python bench/verify_quotes_bench.py            # 1,000 transcripts, ~10M words, 100 quotes
    python bench/verify_quotes_bench.py --docs 100 # smaller

Builds (once, cached in bench/out/) a project of generated interview transcripts: speaker turns,
some time stamps, a Zipf-distributed vocabulary of 6,000 words with frequent function words,
straight and typographic apostrophes. Then writes a 10,000-word .docx manuscript with 100
quotes taken from random participant turns (exact, elided, bracketed, re-punctuated with
typographic marks, altered by a word, block quotes, fabricated) and scare quotes, and times
reading the manuscript plus verifying every quote. It also checks that each quote was found
where it was taken from, with the expected status.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

FUNCTION = [
    "i",
    "the",
    "and",
    "to",
    "a",
    "it",
    "was",
    "you",
    "that",
    "of",
    "in",
    "my",
    "they",
    "we",
    "he",
    "she",
    "me",
    "but",
    "so",
    "like",
    "just",
    "know",
    "don't",
    "didn't",
    "it's",
    "I’m",
    "there",
    "then",
    "what",
    "with",
    "for",
    "on",
    "at",
    "be",
    "had",
    "have",
    "not",
    "all",
    "when",
    "if",
    "because",
    "really",
    "yeah",
    "um",
    "mean",
    "think",
    "got",
    "get",
    "go",
    "went",
    "said",
]
SYLLABLES = [
    "ba",
    "ka",
    "lo",
    "mi",
    "ne",
    "ro",
    "sa",
    "tu",
    "vi",
    "zo",
    "pe",
    "da",
    "fo",
    "gi",
    "hu",
    "ja",
    "ke",
    "li",
    "mo",
    "nu",
    "pa",
    "qui",
    "re",
    "si",
    "to",
    "ul",
]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


class Speech:
    """Random sentences: 45% function words, the rest Zipf-distributed content words."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng)
        weights = [1 / (k + 1) ** 1.05 for k in range(len(self.vocab))]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)

    def words(self, n: int) -> list[str]:
        rng = self.rng
        content = rng.choices(self.vocab, cum_weights=self.cum, k=n)
        return [rng.choice(FUNCTION) if rng.random() < 0.45 else w for w in content]

    def sentence(self) -> str:
        words = self.words(self.rng.randint(5, 22))
        if self.rng.random() < 0.3:
            words[self.rng.randrange(1, len(words))] += ","
        return words[0][:1].upper() + " ".join(words)[1:] + self.rng.choice(".....?!")


def transcript(speech: Speech, idx: int, words: int) -> str:
    rng = speech.rng
    lines = [f"Interview {idx + 1}, generated for the benchmark", ""]
    count, clock = 0, rng.randint(5, 60)
    while count < words:
        stamp = f"[{clock // 3600:02d}:{clock // 60 % 60:02d}:{clock % 60:02d}] "
        question = " ".join(speech.sentence() for _ in range(rng.randint(1, 2)))
        answer = " ".join(speech.sentence() for _ in range(rng.randint(2, 9)))
        lines += [f"{stamp}INTERVIEWER: {question}", "", f"{stamp}P{idx + 1}: {answer}", ""]
        count += len(question.split()) + len(answer.split())
        clock += rng.randint(20, 200)
    return "\n".join(lines)


def build_project(path: Path, docs: int, words: int) -> None:
    from importers import Transcript
    from importers.speakers import find_turns
    from qualbench.services.documents import add_transcript
    from qualbench.store import create_project

    speech = Speech(20261201)
    t = time.perf_counter()
    with create_project(path, name="verify-quotes bench") as project:
        for first in range(0, docs, 25):
            with project.write() as s:
                for i in range(first, min(docs, first + 25)):
                    text = transcript(speech, i, words)
                    add_transcript(
                        s,
                        Transcript(
                            text=text, turns=find_turns(text), source_name=f"int{i:04d}.txt"
                        ),
                        name=f"int{i:04d}",
                    )
    print(f"built {path.name}: {docs} documents in {time.perf_counter() - t:.0f} s")


KINDS = ["exact"] * 35 + ["elision"] * 15 + ["bracket"] * 10 + ["punctuation"] * 10
KINDS += ["changed"] * 15 + ["block"] * 5 + ["fabricated"] * 10


def make_manuscript(path: Path, project_path: Path, rng: random.Random) -> list[dict[str, object]]:
    """A .docx of ~10,000 words with 100 quotes; returns what each quote should give."""
    import docx
    from sqlalchemy import select

    from qualbench.db import DOCUMENT, TURN
    from qualbench.store import open_project

    expected: list[dict[str, object]] = []
    speech = Speech(7)
    d = docx.Document()
    with open_project(project_path, readonly=True) as project, project.read() as s:
        n_docs = s.execute(select(DOCUMENT.c.id)).all()
        for kind in rng.sample(KINDS, len(KINDS)):
            prose = " ".join(speech.words(rng.randint(50, 80)))
            scare = f" the so-called \u201c{' '.join(speech.words(2))}\u201d"
            if kind == "fabricated":
                quote = " ".join(speech.words(rng.randint(12, 25)))
                d.add_paragraph(f"{prose}{scare}: \u201c{quote}\u201d (P{rng.randint(1, 999)}).")
                expected.append({"kind": kind, "status": "not found"})
                continue
            doc_id, name, text = rng.choice(n_docs)[0], "", ""
            name, text = s.execute(
                select(DOCUMENT.c.name, DOCUMENT.c.text).where(DOCUMENT.c.id == doc_id)
            ).one()
            turns = s.execute(
                select(TURN.c.body_start, TURN.c.end, TURN.c.speaker).where(
                    TURN.c.document_id == doc_id,
                    TURN.c.speaker.not_in(["INTERVIEWER", "MODERATOR"]),
                )
            ).all()
            body_start, end, speaker = rng.choice(turns)
            words = text[body_start:end].split()
            n = rng.randint(12, 35)
            first = rng.randrange(0, max(1, len(words) - n))
            chosen = words[first : first + n]
            start = body_start + len(" ".join(words[:first])) + (1 if first else 0)
            status = "exact"
            if kind == "elision" and len(chosen) > 10:
                cut = rng.randrange(4, len(chosen) - 5)
                chosen = [*chosen[:cut], "[...]", *chosen[cut + rng.randint(2, 4) :]]
            elif kind == "bracket":
                k = rng.randrange(1, len(chosen) - 2)
                chosen = [
                    *chosen[:k],
                    f"[{speech.words(1)[0]} {speech.words(1)[0]}]",
                    *chosen[k + 2 :],
                ]
            elif kind == "punctuation":
                chosen = [w.replace("'", "\u2019").strip(",") for w in chosen]
                chosen[rng.randrange(1, len(chosen) - 1)] += ";"
                status = "altered"
            elif kind == "changed":
                k = rng.randrange(1, len(chosen) - 1)
                chosen[k] = "zzq" + chosen[k].strip(",.?!")
                status = "altered"
            quote = " ".join(chosen)
            if kind == "block":
                d.add_paragraph(prose)
                d.add_paragraph(f"{quote} ({speaker})", style="Quote")
            else:
                d.add_paragraph(f"{prose}{scare}: \u201c{quote}\u201d ({speaker}, interview).")
            expected.append(
                {
                    "kind": kind,
                    "status": status,
                    "document": name,
                    "start": start,
                    "speaker": speaker,
                }
            )
        while sum(len(p.text.split()) for p in d.paragraphs) < 10_000:
            d.add_paragraph(" ".join(speech.words(120)))
    d.save(str(path))
    return expected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--words", type=int, default=10_000, help="words per transcript")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--project",
        type=Path,
        help="use this existing project instead (e.g. one built from ../shared/bench/gen_corpus.py "
        "by bench/run.py: very repetitive text, the worst case for candidate search)",
    )
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    project_path = args.project or OUT / f"verify_quotes_{args.docs}x{args.words}.qualbench"
    if not project_path.exists():
        build_project(project_path, args.docs, args.words)
    manuscript = OUT / "verify_quotes_manuscript.docx"
    expected = make_manuscript(manuscript, project_path, random.Random(11))

    from qualbench.reports.verify_quotes import read_manuscript, verify_quotes
    from qualbench.services.documents import document_text, resolve_document
    from qualbench.store import open_project

    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        quotes = read_manuscript(manuscript)
        with open_project(project_path, readonly=True) as project, project.read() as s:
            report = verify_quotes(s, quotes)
        times.append(time.perf_counter() - t)
    print(
        f"{report.documents} documents, {report.words:,} words; manuscript of "
        f"{sum(len(q.text.split()) for q in quotes)} quoted words in {len(quotes)} quotes"
    )
    print("seconds (read manuscript + verify):", ", ".join(f"{x:.2f}" for x in times))
    wrong, copies = [], 0
    with open_project(project_path, readonly=True) as project, project.read() as s:
        for check, want in zip(report.checks, expected, strict=True):
            ok = check.status == want["status"]
            if (
                ok
                and want["status"] != "not found"
                and ((check.document, check.start) != (want["document"], want["start"]))
            ):
                # Repetitive text: the same words elsewhere are as good a match.
                size = check.end - check.start
                found = document_text(s, resolve_document(s, check.document))
                there = document_text(s, resolve_document(s, str(want["document"])))
                start = int(str(want["start"]))
                ok = found[check.start : check.end] == there[start : start + size]
                copies += ok
            if not ok:
                wrong.append((want["kind"], want["status"], check.status, check.score, check.notes))
    print(
        f"as expected: {len(expected) - len(wrong)}/{len(expected)} "
        f"({copies} of them found in an identical passage elsewhere)"
    )
    for w in wrong[:10]:
        print("  unexpected:", w)


if __name__ == "__main__":
    main()
