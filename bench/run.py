"""Benchmarks for the foundation (run by hand; results go to BENCHMARKS.md).

    python bench/run.py                 # every job
    python bench/run.py import1000      # one job

Corpora come from ../shared/bench/gen_corpus.py, the generator peers were measured on, so the
figures compare directly. Each job runs in its own process; we report wall time of the measured
step and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def corpus(name: str, docs: int, chars: int, codings: int) -> Path:
    """Generate (once) a corpus with the shared generator."""
    target = OUT / name
    if not (target / "manifest.json").exists():
        if not GENERATOR.exists():
            sys.exit(f"the corpus generator {GENERATOR} is missing (it lives in ../shared/bench)")
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--docs",
                str(docs),
                "--chars-per-doc",
                str(chars),
                "--codings",
                str(codings),
                "--out",
                str(target),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target


def fresh(path: Path) -> Path:
    for extra in ("", "-wal", "-shm", "-lock"):
        Path(str(path) + extra).unlink(missing_ok=True)
    return path


def timed(label: str, results: dict[str, float], fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    value = fn(*args, **kwargs)
    results[label] = round(time.perf_counter() - t, 3)
    return value


# --- jobs -------------------------------------------------------------------------------------


def job_import1000(results: dict[str, float]) -> None:
    """Import 1,000 transcripts of ~10,000 words (target: under 2 minutes)."""
    from qualbench.services.documents import import_files
    from qualbench.store import create_project

    src = corpus("c1000", 1000, 62000, 2000)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in (src / "texts").glob("*.txt"))
    results["words per transcript"] = round(words / 1000)
    with create_project(fresh(OUT / "import1000.qualbench")) as p:
        report = timed(
            "import 1,000 transcripts (s)", results, import_files, p, [src / "texts"], workers=2
        )
    assert len(report.imported) == 1000 and not report.failed, report.failed[:3]
    results["turns per transcript"] = round(sum(f.turns for f in report.imported) / 1000)


def _project_with_docs(name: str, src: Path, codebook: bool = True):  # type: ignore[no-untyped-def]
    from qualbench.codebook_files import read_codebook
    from qualbench.services.codebook import load_codebook
    from qualbench.services.documents import import_files
    from qualbench.store import create_project

    p = create_project(fresh(OUT / name))
    if codebook:
        with p.write() as s:
            load_codebook(s, read_codebook(src / "codebook.csv"))
    import_files(p, [src / "texts"])
    return p


def job_codings100k(results: dict[str, float]) -> None:
    """Insert 100,000 codings in one action (target: under 2 s)."""
    from qualbench.codings_csv import read_codings
    from qualbench.services.coding import bulk_apply

    src = corpus("c1000k", 1000, 62000, 100000)
    p = _project_with_docs("codings100k.qualbench", src)
    with p.write() as s:
        rows = timed(
            "read + check 100k codings from CSV (s)",
            results,
            read_codings,
            s,
            src / "codings_A.csv",
        )
        rows += read_codings(s, src / "codings_B.csv")
    assert len(rows) == 100000
    with p.write() as s:
        result = timed("insert 100,000 codings (s)", results, bulk_apply, s, rows)
    assert result.inserted == 100000
    p.close()


def _million(p, results: dict[str, float], *, spanning: bool) -> None:  # type: ignore[no-untyped-def]
    """Add 1,000,000 codings over documents, codes and two coders. Realistic codings lie inside
    one speaker's turn (as the shared generator's do); ``spanning`` draws random spans that
    mostly cross speakers, the worst case for tables by participant."""
    from sqlalchemy import select

    from qualbench.db import CODE, DOCUMENT, TURN
    from qualbench.services.coding import NewCoding, bulk_apply, get_or_create_coder

    rng = random.Random(7)
    with p.write() as s:
        docs = s.execute(select(DOCUMENT.c.id, DOCUMENT.c.char_count)).all()
        turns: dict[int, list[tuple[int, int]]] = {}
        for doc_id, body, end in s.execute(
            select(TURN.c.document_id, TURN.c.body_start, TURN.c.end)
        ):
            if end - body > 20:
                turns.setdefault(doc_id, []).append((body, end))
        codes = [
            c for c, parent in s.execute(select(CODE.c.id, CODE.c.parent_id)) if parent is not None
        ]
        coders = [get_or_create_coder(s, n)[0] for n in ("coder_A", "coder_B")]
    total, batch = 1_000_000, 200_000
    seen: set[tuple[int, int, int, int, int]] = set()
    t = time.perf_counter()
    for b in range(total // batch):
        rows = []
        for i in range(batch):
            doc_id, length = docs[(b * batch + i) % len(docs)]
            if spanning:
                start = rng.randrange(0, length - 400)
                end = start + rng.randrange(40, 400)
            else:
                body, stop = rng.choice(turns[doc_id])
                start = rng.randrange(body, stop - 10)
                end = rng.randrange(start + 5, stop + 1)
            key = (doc_id, start, end, rng.choice(codes), coders[i % 2])
            while key in seen:  # exactly 1M distinct codings (duplicates would be skipped)
                key = (
                    doc_id,
                    start,
                    end + 1 if end < length else end - 1,
                    rng.choice(codes),
                    key[4],
                )
                end = key[2]
            seen.add(key)
            rows.append(NewCoding(*key))
        with p.write() as s:
            bulk_apply(s, rows)
    results["insert 1,000,000 codings, 5 actions of 200k (s)"] = round(time.perf_counter() - t, 2)


def _table_project(name: str, results: dict[str, float], *, spanning: bool) -> Path:
    from sqlalchemy import select

    from qualbench.db import CASES
    from qualbench.services.attribute_tables import apply_attribute_table

    src = corpus("c1000", 1000, 62000, 2000)
    path = OUT / name
    if path.exists():
        return path
    p = _project_with_docs(name, src)
    texts = sorted((src / "texts").glob("*.txt"))
    attrs = OUT / "doc_attrs.csv"
    countries = ["KZ", "UA", "KG", "TJ"]
    attrs.write_text(
        "document,country\n"
        + "".join(f"{f.name},{countries[i % 4]}\n" for i, f in enumerate(texts)),
        encoding="utf-8",
    )
    with p.read() as s:
        names = s.execute(select(CASES.c.name)).scalars().all()
    people = OUT / "case_attrs.csv"
    people.write_text(
        "case,gender\n" + "".join(f"{n},{['woman', 'man'][i % 2]}\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    with p.write() as s:
        apply_attribute_table(s, attrs)
        apply_attribute_table(s, people)
    _million(p, results, spanning=spanning)
    p.close()
    return path


def _tables(path: Path, results: dict[str, float], label: str) -> None:
    from qualbench.reports import theme_table
    from qualbench.services.codes import code_tree
    from qualbench.services.documents import list_documents
    from qualbench.store import open_project

    t = time.perf_counter()
    p = open_project(path)
    with p.read() as s:
        list_documents(s)
        code_tree(s)
    results["open the project + list documents and codes (s)"] = round(time.perf_counter() - t, 3)
    with p.read() as s:
        for by in ("document", "document:country", "case:gender", "case"):
            table = timed(f"theme table by {by}, {label} (s)", results, theme_table, s, by=by)
            assert sum(r.total.codings for r in table.rows) == 1_000_000
        timed(
            f"theme table by document:country with roll-up, {label} (s)",
            results,
            theme_table,
            s,
            by="document:country",
            rollup=True,
        )
        _analyses(s, results, label)
    p.close()


def _analyses(s: Any, results: dict[str, float], label: str) -> None:
    """Issue 5: filtered tables, words coded (on demand), co-occurrence, a query, a matrix."""
    from sqlalchemy import func, select

    from qualbench.db import CODING
    from qualbench.reports import theme_table
    from qualbench.reports.cooccurrence import cooccurrence
    from qualbench.reports.filters import AttributeValue, Filters
    from qualbench.reports.presence import presence_matrix
    from qualbench.reports.query import run_query
    from qualbench.services.codes import code_tree

    women = Filters(attributes=(AttributeValue.parse("case:gender=woman"),))
    kz = Filters(attributes=(AttributeValue.parse("document:country=KZ"),))
    for by, filters, what in (
        ("case:gender", women, "participants gender=woman"),
        ("document", kz, "documents country=KZ"),
    ):
        t = timed(
            f"theme table by {by}, filtered to {what}, {label} (s)",
            results,
            theme_table,
            s,
            by=by,
            filters=filters,
        )
        assert 0 < sum(r.total.codings for r in t.rows) < 1_000_000
    t = timed(
        f"theme table by document:country with words coded (on demand), {label} (s)",
        results,
        theme_table,
        s,
        by="document:country",
        words=True,
    )
    assert sum(r.total.words or 0 for r in t.rows) > 0
    for mode in ("overlap", "turn"):
        timed(f"co-occurrence, {mode}, {label} (s)", results, cooccurrence, s, mode=mode)
    paths = {n.id: n.path for n in code_tree(s)}
    a, b = (
        paths[c]
        for c, _ in s.execute(
            select(CODING.c.code_id, func.count())
            .group_by(CODING.c.code_id)
            .order_by(func.count().desc())
            .limit(2)
        )
    )
    hits = timed(
        f"query '{a}' AND NOT '{b}' on spans, {label} (s)",
        results,
        run_query,
        s,
        f'"{a}" AND NOT "{b}"',
    )
    results[f"query hits, {label}"] = len(hits.excerpts)
    timed(
        f"0/1 presence matrix per participant, {label} (s)",
        results,
        presence_matrix,
        s,
        rows="participant",
    )


def job_table1m(results: dict[str, float]) -> None:
    """Theme tables over 1,000,000 codings (target: under 1 s); open such a project (under 1 s)."""
    _tables(_table_project("table1m.qualbench", results, spanning=False), results, "1M codings")


def job_table1m_spanning(results: dict[str, float]) -> None:
    """The same with random spans, most crossing speakers (the worst case; not a target)."""
    path = _table_project("table1m-spanning.qualbench", results, spanning=True)
    _tables(path, results, "1M spanning codings")


def job_qualcoder(results: dict[str, float]) -> None:
    """The peer comparison corpus: 100 documents x 100k characters, 30k + 30k codings."""
    from qualbench.codings_csv import read_codings
    from qualbench.exports.excerpts import write_excerpts
    from qualbench.reports import excerpts
    from qualbench.services.coding import bulk_apply
    from qualbench.services.documents import import_files
    from qualbench.store import create_project

    src = corpus("c100", 100, 100000, 60000)
    with create_project(fresh(OUT / "qc.qualbench")) as p:
        report = timed(
            "import the 100 .txt files (s)", results, import_files, p, [src / "texts"], workers=2
        )
        assert len(report.imported) == 100 and all(f.turns > 0 for f in report.imported)
    p = _project_with_docs("qc2.qualbench", src)
    with p.write() as s:
        bulk_apply(
            s, read_codings(s, src / "codings_A.csv") + read_codings(s, src / "codings_B.csv")
        )
    with p.read() as s:
        items = timed("coding report: query all 60k excerpts (s)", results, excerpts, s)
    assert len(items) == 60000
    timed(
        "coding report: write XLSX (s)",
        results,
        write_excerpts,
        items,
        OUT / "report.xlsx",
        project="bench",
    )
    timed(
        "coding report: write CSV (s)",
        results,
        write_excerpts,
        items,
        OUT / "report.csv",
        project="bench",
    )
    timed(
        "coding report: write DOCX (s)",
        results,
        write_excerpts,
        items,
        OUT / "report.docx",
        project="bench",
    )
    p.close()


# --- team work (issue 4) ------------------------------------------------------------------------


def _built(name: str) -> Path:
    """A project built once, in its own process (so the job's peak memory is the measured step's
    and not the build's); later runs reuse the file."""
    path = OUT / name
    if not path.exists():
        out = subprocess.run(
            [sys.executable, __file__, "--build", name], capture_output=True, text=True, check=False
        )
        if out.returncode:
            Path(path).unlink(missing_ok=True)
            sys.exit(f"building {name} failed:\n{out.stderr[-3000:]}")
    return path


def _two_coders(name: str, src: Path, coders: tuple[str, ...] = ("A", "B")) -> None:
    """A project with the corpus's documents, codebook and the codings of the given coders."""
    from qualbench.codings_csv import read_codings
    from qualbench.services.coding import bulk_apply

    p = _project_with_docs(name, src)
    with p.write() as s:
        rows = [r for c in coders for r in read_codings(s, src / f"codings_{c}.csv")]
        bulk_apply(s, rows)
    p.close()


def build_agree1000() -> None:
    """1,000 transcripts (62M characters, ~11.5M words), 100,000 codings per coder."""
    _two_coders("agree1000.qualbench", corpus("c1000_200k", 1000, 62000, 200000))


def build_team_ab() -> None:
    """The peer corpus (100 documents, 10.0M characters) with both coders' 30k + 30k codings."""
    _two_coders("team_ab.qualbench", corpus("c100", 100, 100000, 60000))


def _agree(path: Path, unit: str, results: dict[str, float], label: str) -> Any:
    from qualbench.agreement.compute import AgreementOptions, agreement
    from qualbench.store import open_project

    p = open_project(path)
    with p.read() as s:
        report = timed(
            f"agreement at {unit} unit, {label} (s)",
            results,
            agreement,
            s,
            AgreementOptions(coders=("coder_A", "coder_B"), unit=unit),
        )
    p.close()
    results[f"units per code ({unit})"] = report.total
    results[f"disagreements listed ({unit})"] = len(report.disagreements)
    results[f"Krippendorff's alpha, pooled ({unit})"] = round(report.overall["alpha"].value, 4)
    return report


def _agree1000(unit: str, results: dict[str, float]) -> None:
    report = _agree(_built("agree1000.qualbench"), unit, results, "2 coders x 1,000 transcripts")
    assert len(report.documents) == 1000 and len(report.per_code) == 40


def job_agree1000(results: dict[str, float]) -> None:
    """Agreement at sentence unit, 2 coders x 1,000 transcripts, 100k codings each (< 10 s)."""
    _agree1000("sentence", results)


def job_agree1000_character(results: dict[str, float]) -> None:
    """The same at character level (not a target)."""
    _agree1000("character", results)


def job_agree1000_paragraph(results: dict[str, float]) -> None:
    """The same with paragraphs as units (not a target)."""
    _agree1000("paragraph", results)


def job_agree1000_intervals(results: dict[str, float]) -> None:
    """Issue 10: at sentence unit, the coefficients alone, then with every interval (Gwet's
    standard errors, 1,000 resamples of documents and 1,000 Hayes & Krippendorff resamples of
    alpha for each of the 40 codes and the pooled value; target: a 1,000-resample bootstrap
    interval for alpha in < 30 s)."""
    from qualbench.agreement import compute
    from qualbench.agreement.compute import AgreementOptions, agreement
    from qualbench.store import open_project

    spent = [0.0]
    plain = compute._intervals

    def counted(*args: Any) -> Any:  # the time spent in the intervals themselves
        t = time.perf_counter()
        try:
            return plain(*args)
        finally:
            spent[0] += time.perf_counter() - t

    compute._intervals = counted  # type: ignore[assignment]
    p = open_project(_built("agree1000.qualbench"), readonly=True)
    coders = ("coder_A", "coder_B")
    with p.read() as s:
        bare = timed(
            "sentence unit, coefficients only (s)",
            results,
            agreement,
            s,
            AgreementOptions(coders=coders, intervals=False),
        )
        full = timed(
            "sentence unit, with all intervals, 1,000 resamples (s)",
            results,
            agreement,
            s,
            AgreementOptions(coders=coders, resamples=1000),
        )
    p.close()
    results["intervals alone: 41 alphas x 2 bootstraps x 1,000 resamples + SEs (s)"] = round(
        spent[0], 2
    )
    boot = full.overall_intervals["alpha_boot"]
    results["pooled alpha"] = round(bare.overall["alpha"].value, 4)
    results["pooled alpha, 95% interval over documents"] = f"[{boot.low:.4f}, {boot.high:.4f}]"
    se = full.overall_intervals["alpha"]
    results["pooled alpha, 95% interval from its SE"] = f"[{se.low:.4f}, {se.high:.4f}]"


def job_agree1000_unitized(results: dict[str, float]) -> None:
    """Issue 10: Krippendorff's unitized family (uα, |uα, cuα, Cuα, (k)uα and the 1995 u-α for
    40 codes) on 2 coders x 1,000 transcripts (target < 5 s), then with 1,000 resamples of
    documents for every one of those coefficients."""
    from qualbench.agreement.compute import AgreementOptions
    from qualbench.agreement.continuum import unitized_agreement
    from qualbench.store import open_project

    p = open_project(_built("agree1000.qualbench"), readonly=True)
    coders = ("coder_A", "coder_B")
    with p.read() as s:
        r = timed(
            "unitized family, 40 codes, read + computed (s)",
            results,
            unitized_agreement,
            s,
            AgreementOptions(coders=coders, resamples=0),
        )
        timed(
            "unitized family with 1,000 document resamples for all 125 coefficients (s)",
            results,
            unitized_agreement,
            s,
            AgreementOptions(coders=coders, resamples=1000),
        )
    p.close()
    results["uα"] = round(r.result.u_alpha.value, 4)
    results["|uα"] = round(r.result.binary.value, 4)
    results["cuα"] = round(r.result.cu_alpha.value, 4)
    results["u-α (1995), overall"] = round(r.result.u1995_overall.value, 4)
    results["code points"] = r.length


MERGE_CODERS = 10
MERGE_CODINGS = 50_000


def build_merge10() -> None:
    """The lead's project (1,000 transcripts and the codebook, no codings) and 10 coder copies
    made with ``distribute``, each with 50,000 codings of its own coder: spans drawn (seeded)
    from the generator's codings of both coders, without repeats within a copy."""
    from sqlalchemy import select

    from qualbench.codings_csv import read_codings
    from qualbench.db import CODER
    from qualbench.distribute import distribute
    from qualbench.services.coding import NewCoding, bulk_apply
    from qualbench.store import open_project

    src = corpus("c1000_200k", 1000, 62000, 200000)
    folder = OUT / "merge10"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.qualbench*"):
        old.unlink()
    lead = _project_with_docs("merge10.qualbench", src)
    with lead.read() as s:  # not committed: the lead keeps no coders (read_codings adds them)
        pool = read_codings(s, src / "codings_A.csv") + read_codings(s, src / "codings_B.csv")
    spans = sorted({(c.document_id, c.start, c.end, c.code_id) for c in pool})
    copies = distribute(lead, [f"coder_{k:02d}" for k in range(1, MERGE_CODERS + 1)], folder)
    lead.close()
    for k, copy in enumerate(copies):
        with open_project(copy.path) as p, p.write() as s:
            coder = s.execute(select(CODER.c.id).where(CODER.c.name == copy.coder)).scalar_one()
            drawn = random.Random(k).sample(spans, MERGE_CODINGS)
            result = bulk_apply(s, [NewCoding(d, a, z, code, coder) for d, a, z, code in drawn])
            assert result.inserted == MERGE_CODINGS


def job_merge10(results: dict[str, float]) -> None:
    """Merge 10 coder files of 50,000 codings each into the lead's project (< 30 s), then the
    same 10 files again (idempotent: nothing added)."""
    import shutil

    from qualbench.merge import merge_many
    from qualbench.store import open_project

    _built("merge10.qualbench")
    work = fresh(OUT / "merge10-target.qualbench")
    shutil.copy(OUT / "merge10.qualbench", work)  # the lead stays without codings for reruns
    paths = sorted((OUT / "merge10").glob("*.qualbench"))
    assert len(paths) == MERGE_CODERS
    with open_project(work) as lead:
        first = timed(
            "merge 10 coder files of 50,000 codings (s)", results, merge_many, lead, paths
        )
        again = timed("merge the same 10 files again (s)", results, merge_many, lead, paths)
    results["codings added, first merge"] = sum(r.codings_added for r in first)
    results["codings added, second merge"] = sum(r.codings_added for r in again)
    results["codings already present, second merge"] = sum(r.codings_present for r in again)
    assert results["codings added, first merge"] == MERGE_CODERS * MERGE_CODINGS
    assert results["codings added, second merge"] == 0
    assert not any(r.unplaced or r.rejected for r in [*first, *again])
    for extra in ("", "-wal", "-shm", "-lock"):
        for bak in OUT.glob(f"merge10-target.qualbench.merge-*.bak{extra}"):
            bak.unlink()


def build_peer_merge() -> None:
    """Two coder copies of one lead project (the peer corpus's documents and codebook): coder_A's
    30k codings in one, coder_B's 30k in the other."""
    from qualbench.codings_csv import read_codings
    from qualbench.distribute import distribute
    from qualbench.services.coding import bulk_apply
    from qualbench.store import open_project

    src = corpus("c100", 100, 100000, 60000)
    folder = OUT / "peer_merge"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.qualbench*"):
        old.unlink()
    lead = _project_with_docs("peer_merge.qualbench", src)
    copies = distribute(lead, ["coder_A", "coder_B"], folder)
    lead.close()
    for copy in copies:
        with open_project(copy.path) as p, p.write() as s:
            bulk_apply(s, read_codings(s, src / f"codings_{copy.coder[-1]}.csv"))


def job_peer_team(results: dict[str, float]) -> None:
    """The peer corpus (100 documents, 10.0M characters, 30k + 30k codings): two-coder agreement
    with every coefficient exported to XLSX (< 1 s), and merging coder B's project into A's
    (< 2 s)."""
    import shutil

    from qualbench.exports.agreement import write_agreement
    from qualbench.merge import merge_many
    from qualbench.store import open_project

    path = _built("team_ab.qualbench")
    for unit in ("sentence", "character"):
        t = time.perf_counter()
        report = _agree(path, unit, results, "peer corpus")
        timed(
            f"agreement at {unit} unit: write XLSX (s)",
            results,
            write_agreement,
            report,
            OUT / f"agreement-{unit}.xlsx",
            project="bench",
        )
        results[f"agreement at {unit} unit, computed + exported (s)"] = round(
            time.perf_counter() - t, 3
        )
    _built("peer_merge.qualbench")
    a = fresh(OUT / "peer_merge-A.qualbench")
    shutil.copy(OUT / "peer_merge" / "peer_merge-coder_A.qualbench", a)
    b = OUT / "peer_merge" / "peer_merge-coder_B.qualbench"
    with open_project(a) as p:
        (merged,) = timed("merge coder B's project into A's (s)", results, merge_many, p, [b])
    results["codings added by the merge"] = merged.codings_added
    assert merged.codings_added == 30000 and not merged.unplaced and not merged.rejected
    for bak in OUT.glob("peer_merge-A.qualbench.merge-*.bak"):
        bak.unlink()


JOBS = {
    "import1000": job_import1000,
    "codings100k": job_codings100k,
    "table1m": job_table1m,
    "table1m_spanning": job_table1m_spanning,
    "qualcoder": job_qualcoder,
    "agree1000": job_agree1000,
    "agree1000_character": job_agree1000_character,
    "agree1000_paragraph": job_agree1000_paragraph,
    "agree1000_intervals": job_agree1000_intervals,
    "agree1000_unitized": job_agree1000_unitized,
    "merge10": job_merge10,
    "peer_team": job_peer_team,
}
BUILDS = {
    "agree1000.qualbench": build_agree1000,
    "team_ab.qualbench": build_team_ab,
    "merge10.qualbench": build_merge10,
    "peer_merge.qualbench": build_peer_merge,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("jobs", nargs="*", choices=[*JOBS, []], help="jobs to run (default: all)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--build", help=argparse.SUPPRESS)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.build:
        BUILDS[args.build]()
        return
    if args.child:
        results: dict[str, float] = {}
        JOBS[args.child](results)
        results["peak memory (MB)"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )
        print(json.dumps(results))
        return
    all_results = {}
    for name in args.jobs or list(JOBS):
        out = subprocess.run(
            [sys.executable, __file__, "--child", name], capture_output=True, text=True, check=False
        )
        if out.returncode:
            sys.exit(f"{name} failed:\n{out.stderr[-3000:]}")
        all_results[name] = json.loads(out.stdout.strip().splitlines()[-1])
        for k, v in all_results[name].items():
            print(f"{name:12} {k:60} {v}")
    info = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    (OUT / "results.json").write_text(
        json.dumps({**info, "results": all_results}, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
