"""Benchmark of issue 7: language analysis, lemma search and keyword auto-coding on 10M words
(run by hand; results go to BENCHMARKS.md).

    python bench/nlp_bench.py              # every step on the 1,000-transcript corpus
    python bench/nlp_bench.py --docs 100   # a tenth of it

The corpus is ../shared/bench/gen_corpus.py's (1,000 transcripts of 62,000 characters: 11.5M
words by white space), imported with its codebook; each code gets keywords as a coder would
write them: the words of its name and the example phrase of its description ("loss and grief,
e.g. 'losing my brother'" -> loss, grief, losing my brother). Steps, each timed from a project
opened from disk:

1. the one-time analysis of every document (target: under 3 minutes);
2. lemma searches over all of it (target: under 2 s): cold (read from the closed project, as
   the command line does) and warm (the app keeps what it read between searches), and, to
   compare, whole-word and regular-expression searches;
3. keyword auto-coding of the whole codebook into suggestions (target: under 1 minute).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.run import OUT, corpus, fresh  # noqa: E402


def timed(label: str, results: dict[str, Any], fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    value = fn(*args, **kwargs)
    results[label] = round(time.perf_counter() - t, 2)
    return value


def keywords_for(name: str, description: str) -> list[str]:
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if len(w) > 3 and w != "with"]
    example = re.search(r"e\.g\. '([^']+)'", description)
    return list(dict.fromkeys([*words, *([example.group(1).lower()] if example else [])]))


def build(docs: int) -> Path:
    """The imported corpus with keywords, not analysed (cached)."""
    from qualbench.codebook_files import read_codebook
    from qualbench.services.codebook import load_codebook
    from qualbench.services.codes import code_tree, update_code
    from qualbench.services.documents import import_files
    from qualbench.store import create_project

    # c1000 is run.py's 1,000-transcript corpus (the same files); other sizes get names of their
    # own (run.py's c100 is another corpus: the cache goes by name).
    src = corpus("c1000" if docs == 1000 else f"nlp_c{docs}", docs, 62000, 2000)
    path = OUT / f"nlp{docs}.qualbench"
    if path.exists():
        return path
    building = fresh(OUT / f"nlp{docs}.building.qualbench")
    with create_project(building) as p:
        with p.write() as s:
            load_codebook(s, read_codebook(src / "codebook.csv"))
            for node in code_tree(s):
                if node.parent_id is not None:
                    update_code(s, node.id, keywords=keywords_for(node.name, node.definition))
        report = import_files(p, [src / "texts"], workers=2)
        assert len(report.imported) == docs and not report.failed
    building.rename(path)
    return path


def run(docs: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from qualbench.db import DOCUMENT, TEXT_ANALYSIS
    from qualbench.nlp.autocode import KeywordRule, find_candidates
    from qualbench.nlp.cache import analyse_project
    from qualbench.nlp.scope import Corpus
    from qualbench.nlp.search import Query, search
    from qualbench.services.coding import get_or_create_coder
    from qualbench.store import open_project
    from qualbench.undo import CommandStack, suggest

    results: dict[str, Any] = {}
    base = build(docs)
    path = fresh(OUT / f"nlp{docs}-run.qualbench")
    shutil.copy(base, path)
    with open_project(path) as p:
        with p.read() as s:
            results["documents"] = docs
            results["characters"] = s.execute(
                select(func.sum(func.length(DOCUMENT.c.text)))
            ).scalar()
            results["words (white space)"] = s.execute(
                select(func.sum(DOCUMENT.c.word_count))
            ).scalar()
        run_ = timed("1. analysis, every document (s)", results, analyse_project, p)
        results["analysis: tokens"] = run_.words
        results["analysis: worker processes"] = run_.processes
        results["analysis: pipeline"] = run_.pipeline
        with p.read() as s:
            stored = s.execute(
                select(
                    func.sum(func.length(TEXT_ANALYSIS.c.tokens))
                    + func.sum(func.length(TEXT_ANALYSIS.c.lemmas))
                    + func.sum(func.length(TEXT_ANALYSIS.c.stops))
                    + func.sum(func.length(TEXT_ANALYSIS.c.sentences))
                )
            ).scalar()
        results["analysis stored (MB)"] = round(stored / 1e6)
    results["project file (MB)"] = round(path.stat().st_size / 1e6)
    # Cold: a fresh process state, everything read from the closed project file (the command
    # line, or the first search in an app session). Warm: the app's kept corpus (texts, turns
    # and the analysis already in memory; each search checks what changed).
    with open_project(path, readonly=True) as p, p.read() as s:
        found = timed("2. lemma search 'arrest', cold (s)", results, search, s, Query("arrest"))
        results["2. lemma search 'arrest': hits"] = len(found.hits)
        corpus = Corpus()
        timed("2. first search of an app session ('arrest') (s)", results, search, s,
              Query("arrest"), corpus=corpus)  # fmt: skip
        for word in ("hurt", "worker", "prayer group", "arrest*"):
            found = timed(f"2. lemma search {word!r}, warm (s)", results, search, s, Query(word),
                          corpus=corpus)  # fmt: skip
            results[f"2. lemma search {word!r}: hits"] = len(found.hits)
        for q in (Query("hurt", mode="word"), Query(r"\bhurt(s|ing)?\b", mode="regex")):
            found = timed(f"2. {q.mode} search {q.text!r}, warm (s)", results, search, s, q,
                          corpus=corpus)  # fmt: skip
            results[f"2. {q.mode} search {q.text!r}: hits"] = len(found.hits)
    with open_project(path) as p:
        with p.write() as s:
            coder_id, _ = get_or_create_coder(s, "bench")

        def autocode() -> Any:
            with p.read() as s:
                found = find_candidates(s, [KeywordRule()])
            command = suggest(found.candidates, coder_id=coder_id)
            CommandStack(p).run(command)
            return command.result["run"]

        outcome = timed("3. keyword auto-coding, whole codebook (s)", results, autocode)
        results["3. suggestions"] = outcome.new
        results["3. codes with keywords"] = len(outcome.new_by_code)
    results["peak memory (MB)"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, default=1000)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = run(args.docs)
    results["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    results["date"] = time.strftime("%Y-%m-%d")
    for k, v in results.items():
        print(f"{k:55} {v}")
    (OUT / f"nlp{args.docs}-results.json").write_text(
        json.dumps(results, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
