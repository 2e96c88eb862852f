"""Benchmark of coded-excerpt and quote-basket exports (run by hand; results go to BENCHMARKS.md).

    python bench/quotes_bench.py                 # 10,000 excerpts (the issue's target: DOCX < 15 s)
    python bench/quotes_bench.py --excerpts 2000 # smaller

Builds (once, cached in bench/out/) a project of generated focus-group transcripts: named and
numbered speakers with time stamps, participants with gender, age and a pseudonym, documents
with a country and a site, a two-level codebook, and N codings of one to three sentences.
Then times, from a closed project as the app or the CLI would: the excerpt query, the DOCX
export (plain; then with a citation template and pseudonymisation), HTML and XLSX, and a basket
of 1,000 quotes (adding them, listing them with the fidelity check, exporting to DOCX).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

WORDS = str.split(
    "the police stopped me and they took the kit because naloxone was in my bag so I was "
    "scared to carry it after release from prison I had no room no papers my friend showed "
    "me how to use the spray we call the ambulance when somebody goes blue and nobody runs "
    "away now people know what to do in the flat on the stairs at night in winter"
)
NAMES = ["Aigerim", "Marat", "Dmitri", "Olga", "Sasha", "Timur", "Zhanna", "Bakyt"]
COUNTRIES = ["Kazakhstan", "Kyrgyzstan", "Ukraine", "Tajikistan"]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 22))
    if rng.random() < 0.15:
        words.insert(rng.randint(0, len(words)), rng.choice(NAMES))  # a name in the talk
    return " ".join(words).capitalize() + "."


def _transcript(rng: random.Random, n_turns: int) -> str:
    lines = []
    seconds = 30
    speakers = ["Moderator", *rng.sample(NAMES, 3), "P1", "P2"]
    for i in range(n_turns):
        who = "Moderator" if i % 4 == 0 else rng.choice(speakers[1:])
        body = " ".join(_sentence(rng) for _ in range(rng.randint(1, 5)))
        lines.append(
            f"[{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}] {who}: {body}"
        )
        seconds += rng.randint(5, 60)
    return "\n\n".join(lines) + "\n"


def build(path: Path, n_excerpts: int) -> None:
    """A project with ``n_excerpts`` codings (and their context)."""
    from importers import Transcript
    from importers.speakers import find_turns
    from qualbench.services.cases import set_values
    from qualbench.services.codes import create_code
    from qualbench.services.coding import NewCoding, bulk_apply, get_or_create_coder
    from qualbench.services.documents import add_transcript
    from qualbench.store import create_project

    rng = random.Random(5)
    docs = max(10, n_excerpts // 50)
    with create_project(path, name="Quotes benchmark") as p, p.write() as s:
        coder, _ = get_or_create_coder(s, "ana")
        codes = []
        for t in range(5):
            parent, _ = create_code(s, name=f"Theme {t + 1}")
            codes += [
                create_code(s, name=f"Sub-theme {t + 1}.{k + 1}", parent_id=parent)[0]
                for k in range(3)
            ]
        rows = []
        for d in range(docs):
            text = _transcript(rng, 60)
            doc, _ = add_transcript(
                s, Transcript(text=text, turns=find_turns(text), source_name=f"fg_{d:04d}.txt")
            )
            set_values(
                s, scope="document", owner_id=doc,
                values={"country": COUNTRIES[d % 4], "site": f"site {d % 7}", "group": str(d + 1)},
            )  # fmt: skip
            sentences = [(m, m + len(x)) for m, x in _spans(text)]
            for _ in range(n_excerpts // docs):
                i = rng.randrange(len(sentences) - 3)
                start, end = sentences[i][0], sentences[i + rng.randint(0, 2)][1]
                rows.append(NewCoding(doc, start, end, rng.choice(codes), coder, "manual", ""))
        from sqlalchemy import select

        from qualbench.db import CASES

        for case_id, name in s.execute(select(CASES.c.id, CASES.c.name)).all():
            label = name.split(": ", 1)[-1]
            set_values(
                s, scope="case", owner_id=case_id,
                values={
                    "gender": rng.choice(["woman", "man"]),
                    "age": str(rng.randint(19, 64)) if rng.random() < 0.9 else "",
                    "pseudonym": f"P{case_id}" if label != "Moderator" else "",
                },
            )  # fmt: skip
        bulk_apply(s, rows)


def _spans(text: str) -> list[tuple[int, str]]:
    """Sentences of the turns' words, with their offsets."""
    import re

    return [(m.start(), m.group()) for m in re.finditer(r"[A-Z][^.\n]*\.", text)]


def timed(label: str, results: dict[str, Any], fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    value = fn(*args, **kwargs)
    results[label] = round(time.perf_counter() - t, 3)
    return value


def run(n_excerpts: int, n_quotes: int) -> dict[str, Any]:
    from qualbench.exports.excerpts import write_excerpts
    from qualbench.exports.quotes import write_basket
    from qualbench.pseudonyms import project_pseudonymiser, set_name
    from qualbench.quotes import QuoteError, add_quote, basket, citation
    from qualbench.reports import excerpts
    from qualbench.store import open_project

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"quotes{n_excerpts}.qualbench"
    results: dict[str, Any] = {}
    if not path.exists():
        timed("build the project (once)", results, build, path, n_excerpts)
    template = "({participant}, {gender}, {age}, {country}, focus group {group}, {place})"
    with open_project(path) as p:
        with p.write() as s:
            for name in ("Olga", "Bakyt"):
                set_name(s, name, "[a friend]")
        with p.read() as s:
            items = timed("query all excerpts (s)", results, excerpts, s)
            cite = citation(s, template)
            names = timed("build the pseudonymiser (s)", results, project_pseudonymiser, s)
        results["excerpts"] = len(items)
        for label, kwargs in (
            ("DOCX", {}),
            ("DOCX with citations, pseudonymised", {"citation": cite, "pseudonymiser": names}),
        ):
            t = time.perf_counter()
            with p.read() as s:
                fresh = excerpts(s)
                if kwargs:
                    kwargs = {
                        "citation": citation(s, template),
                        "pseudonymiser": project_pseudonymiser(s),
                    }
            write_excerpts(fresh, OUT / "excerpts.docx", project="bench", **kwargs)
            results[f"{label}: query + export of {len(fresh)} excerpts (s)"] = round(
                time.perf_counter() - t, 3
            )
        for suffix in (".html", ".xlsx", ".md"):
            timed(
                f"{suffix[1:].upper()} with citations, pseudonymised (s)", results, write_excerpts,
                items, OUT / f"excerpts{suffix}", project="bench", citation=cite, pseudonymiser=names,
            )  # fmt: skip
        with p.write() as s:
            t = time.perf_counter()
            for e in items[:n_quotes]:
                with contextlib.suppress(QuoteError):  # a span under two codes: added once
                    add_quote(s, coding_id=e.coding_id)
            results[f"add {n_quotes} codings to the basket, one transaction (s)"] = round(
                time.perf_counter() - t, 3
            )
        with p.read() as s:
            quotes = timed("list the basket with the fidelity check (s)", results, basket, s)
        results["basket quotes"] = len(quotes)
        timed(
            "basket DOCX with citations, pseudonymised (s)", results, write_basket, quotes,
            OUT / "basket.docx", project="bench", citation=cite, pseudonymiser=names,
        )  # fmt: skip
        with p.write() as s:  # leave the cached project as it was built
            from qualbench.db import NAME_REPLACEMENT, QUOTE

            s.execute(QUOTE.delete())
            s.execute(NAME_REPLACEMENT.delete())
    results["peak memory (MB)"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    results["machine"] = f"{platform.machine()}, {platform.python_version()}"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--excerpts", type=int, default=10_000)
    parser.add_argument("--quotes", type=int, default=1_000)
    args = parser.parse_args()
    print(json.dumps(run(args.excerpts, args.quotes), indent=2))


if __name__ == "__main__":
    main()
