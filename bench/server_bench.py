"""Load benchmark of the team server (issue 8), run by hand; prints the figures and writes
bench/out/server-results.json with the machine and the date.

    python bench/server_bench.py                      # both jobs
    python bench/server_bench.py coders               # 10 coders x 1,000 codings at once
    python bench/server_bench.py table1m              # a lead's theme tables over 1,000,000 codings
    python bench/server_bench.py table1m --load core  # the same, built with the core's functions

Each run starts a throwaway PostgreSQL on 127.0.0.1 (``tests/core/pg_server.py``; as root it runs
as the ``postgres`` user). That server runs with ``fsync=off``, ``synchronous_commit=off`` and
``full_page_writes=off``: a commit does not wait for the disk, which flatters write latency
against a real team server (where every commit waits for a WAL flush). The output says so.

``coders``: a server project with 100 generated transcripts (6.2M characters, like the 1,000 of
``run.py table1m``) and the generator's codebook, made a team project with 10 coder members,
each logging in with their own role and password. Ten spawned processes, one per coder, open the
project with their own URL, connect, wait at a barrier, then apply 1,000 codings each as fast as
they can, one at a time and each in its own transaction as the app does (``project.write()`` +
``services.coding.apply_code``): random spans and codes from a fixed seed, no span repeated by a
coder. The latency of an apply is the whole transaction (pool checkout with its ping, the
checks, the insert, the commit). Then nothing may be lost or duplicated: COUNT(*) on the server
must be 10,000, every coder must have exactly 1,000, and the server's rows must be exactly the
ids the coders were given back. No change listener is connected. For comparison one coder then
applies 1,000 more alone.

``table1m``: a server project with the 1,000 generated transcripts (62M characters), a document
attribute (country), a participant attribute (gender) and 1,000,000 codings of two coders, the
project ``run.py table1m`` measures on SQLite. By default it is built by run.py's own code as a
SQLite file (bench/out/server-table1m.qualbench, built once and reused) and copied into the new
server database table by table with PostgreSQL's COPY (psycopg ``Cursor.copy``, in one
transaction, with ``session_replication_role = replica`` so that the rows, already checked in
the source, skip the per-row foreign-key triggers, as ``pg_restore --disable-triggers`` does;
sequences set past the largest id), about half a minute instead of the core path's minutes
(``--load core``: ``import_files``, then ``bulk_apply`` in 5 actions of 200k, on the server).
Either way the project is then made a team project with a lead member, and ``VACUUM (ANALYZE)``
is run, as autovacuum would after such a load on a live server. The theme tables are computed by
``qualbench.reports.theme_table`` in a fresh process logged in as the lead (not the superuser),
so row-level security is in the path: by document, by country (document attribute), by gender
(participant attribute) and by participant, first and three warm runs each; then the same warm
as the superuser (who bypasses row-level security) for comparison. Target: < 2 s.

The machine has 2 cores shared with other work: the load average is recorded before and after
each job, and 10 coder processes plus their 10 server backends compete for those 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import secrets
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from run import OUT, ROOT, corpus

sys.path.insert(0, str(ROOT))

CODERS = 10
PER_CODER = 1000
TABLE_CODINGS = 1_000_000
TABLE_BYS = ("document", "document:country", "case:gender", "case")
# Our own corpus name: run.py's "c100" is the peer corpus (100 x 100k characters), but
# nlp_bench.py makes a different "c100" (100 x 62k); whichever runs first keeps that name.
CODERS_CORPUS = "server_c100"
SOURCE = "server-table1m.qualbench"  # the SQLite project copied into the server (table1m)


# --- helpers ------------------------------------------------------------------------------------


def member_url(owner: str, login: str, password: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(owner).set(username=login, password=password).render_as_string(hide_password=False)
    )


def pg_connect(url: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to the database of a SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host,
        port=u.port,
        user=u.username,
        password=u.password,
        dbname=u.database,
        autocommit=autocommit,
    )


def say(message: str) -> None:
    """Progress on stderr (the figures go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (e.g. a server backend) from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb() -> int:
    """This process's peak resident memory since it started (VmHWM: unlike ru_maxrss, not the
    high-water mark of the parent a spawned process was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def server_info(server: Any) -> dict[str, str]:
    names = (
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "shared_buffers",
        "work_mem",
        "max_connections",
    )
    with server.admin() as conn:
        info = {n: str(conn.execute(f"SHOW {n}").fetchone()[0]) for n in names}
        info["version"] = str(conn.execute("SELECT version()").fetchone()[0])
    return info


# --- job 1: concurrent coders -------------------------------------------------------------------


def coder_worker(
    url: str,
    coder_id: int,
    seed: int,
    docs: list[tuple[int, int]],
    codes: list[int],
    n: int,
    barrier: Any,
    queue: Any,
) -> None:
    """One coder's app: connect, draw the spans, wait for the others, apply ``n`` codings one
    transaction each, timing each; report latencies, the ids written and any errors."""
    try:
        from sqlalchemy import text

        from qualbench.services.coding import apply_code
        from qualbench.store import open_project

        project = open_project(url)
        with project.read() as s:  # connected (the pool keeps the connection) before the start
            backend = int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())
        rng = random.Random(seed)
        plan: list[tuple[int, int, int, int]] = []
        seen: set[tuple[int, int, int, int]] = set()
        while len(plan) < n:
            doc, length = rng.choice(docs)
            start = rng.randrange(0, length - 400)
            key = (doc, start, start + rng.randrange(5, 400), rng.choice(codes))
            if key not in seen:
                seen.add(key)
                plan.append(key)
    except BaseException:
        barrier.abort()
        queue.put({"coder_id": coder_id, "fatal": traceback.format_exc()})
        return
    barrier.wait(timeout=600)
    latencies: list[float] = []
    ids: list[int] = []
    errors: list[str] = []
    noops = 0
    cpu0, server0 = time.process_time(), cpu_seconds(backend)
    began = time.monotonic()
    for doc, start, end, code in plan:
        t = time.perf_counter()
        try:
            with project.write() as s:
                coding_id, changes = apply_code(
                    s, document_id=doc, start=start, end=end, code_id=code, coder_id=coder_id
                )
        except Exception as exc:  # counted and reported: the run must have none
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
            continue
        latencies.append(time.perf_counter() - t)
        ids.append(coding_id)
        noops += not changes.codings
    ended = time.monotonic()
    with project.read() as s:
        same = int(s.execute(text("SELECT pg_backend_pid()")).scalar_one()) == backend
    queue.put(
        {
            "coder_id": coder_id,
            "began": began,
            "ended": ended,
            "latencies": latencies,
            "ids": ids,
            "errors": errors,
            "noops": noops,
            "client_cpu": time.process_time() - cpu0,
            "server_cpu": cpu_seconds(backend) - server0 if same else float("nan"),
        }
    )
    project.close()


def run_coders(work: list[tuple[str, int, int]], docs: Any, codes: Any, n: int) -> list[dict]:
    """Start one spawned process per (url, coder id, seed); all begin at once."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(work) + 1)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=coder_worker, args=(u, c, seed, docs, codes, n, barrier, queue))
        for u, c, seed in work
    ]
    for p in procs:
        p.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: its report says
        barrier.wait(timeout=600)
    outs = [queue.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    fatal = [o["fatal"] for o in outs if "fatal" in o]
    if fatal:
        sys.exit("a coder process failed before starting:\n" + fatal[0])
    return outs


def summarise(outs: list[dict], results: dict[str, Any], label: str) -> None:
    lat = [x for o in outs for x in o["latencies"]]
    written = sum(len(o["ids"]) for o in outs)
    wall = max(o["ended"] for o in outs) - min(o["began"] for o in outs)
    results[f"{label}: wall time (s)"] = round(wall, 2)
    results[f"{label}: throughput (codings/s)"] = round(written / wall, 1)
    results[f"{label}: latency per apply p50 (ms)"] = ms(percentile(lat, 50))
    results[f"{label}: latency per apply p95 (ms)"] = ms(percentile(lat, 95))
    results[f"{label}: latency per apply p99 (ms)"] = ms(percentile(lat, 99))
    results[f"{label}: latency per apply max (ms)"] = ms(max(lat))
    results[f"{label}: errors"] = sum(len(o["errors"]) for o in outs)
    results[f"{label}: client CPU per apply (ms)"] = ms(
        sum(o["client_cpu"] for o in outs) / written
    )
    results[f"{label}: server backend CPU per apply (ms)"] = ms(
        sum(o["server_cpu"] for o in outs) / written
    )


def job_coders(server: Any, results: dict[str, Any]) -> None:
    from sqlalchemy import func, select

    from qualbench.codebook_files import read_codebook
    from qualbench.db import CODE, CODING, DOCUMENT
    from qualbench.server import add_member, enable_team
    from qualbench.services.codebook import load_codebook
    from qualbench.services.documents import import_files
    from qualbench.store import create_project

    src = corpus(CODERS_CORPUS, 100, 62000, 2000)
    url = server.create_database("qb_bench_coders")
    say("coders: importing 100 transcripts into the server")
    t = time.perf_counter()
    project = create_project(url, name="Server bench: coders")
    with project.write() as s:
        load_codebook(s, read_codebook(src / "codebook.csv"))
    report = import_files(project, [src / "texts"])
    assert len(report.imported) == 100 and not report.failed
    results["setup: import 100 transcripts (6.2M characters) into the server (s)"] = round(
        time.perf_counter() - t, 2
    )
    enable_team(project)
    urls: dict[int, str] = {}
    for k in range(1, CODERS + 1):
        login, password = f"bench_coder_{k:02d}", secrets.token_hex(12)
        m = add_member(project, name=f"coder_{k:02d}", login=login, role="coder", password=password)
        urls[m.coder_id] = member_url(url, login, password)
    with project.read() as s:
        docs = [
            (int(i), int(n)) for i, n in s.execute(select(DOCUMENT.c.id, DOCUMENT.c.char_count))
        ]
        codes = [int(c) for c, parent in s.execute(select(CODE.c.id, CODE.c.parent_id)) if parent]
    results["documents, leaf codes"] = f"{len(docs)}, {len(codes)}"
    results["coders (processes)"] = CODERS
    results["codings per coder"] = PER_CODER
    results["load average before"] = load()

    say(f"coders: {CODERS} processes x {PER_CODER} codings")
    outs = run_coders([(u, c, c) for c, u in urls.items()], docs, codes, PER_CODER)
    results["load average after"] = load()

    with project.read() as s:
        total = int(s.execute(select(func.count()).select_from(CODING)).scalar_one())
        per = dict(
            s.execute(select(CODING.c.coder_id, func.count()).group_by(CODING.c.coder_id)).all()
        )
        on_server = set(s.execute(select(CODING.c.id)).scalars())
    given = [i for o in outs for i in o["ids"]]
    results["codings on the server (COUNT)"] = total
    results["codings per coder on the server (min-max)"] = (
        f"{min(per.values(), default=0)}-{max(per.values(), default=0)} over {len(per)} coders"
    )
    results["lost writes (ids given back, not on the server)"] = len(set(given) - on_server)
    results["unexpected rows (on the server, not given back)"] = len(on_server - set(given))
    results["ids given back twice"] = len(given) - len(set(given))
    results["applies that were no-ops (span already coded)"] = sum(o["noops"] for o in outs)
    summarise(outs, results, f"{CODERS} coders at once")
    errors = [e for o in outs for e in o["errors"]]
    if errors:
        results["first error"] = errors[0]
    ok = (
        total == CODERS * PER_CODER
        and len(per) == CODERS
        and all(v == PER_CODER for v in per.values())
        and set(given) == on_server
        and len(given) == len(set(given))
        and not errors
    )
    results["no lost or duplicated writes, no errors"] = ok

    # the same work by one coder alone, for comparison (after the check, on 10,000 more rows)
    first = min(urls)
    say("coders: one coder alone")
    solo = run_coders([(urls[first], first, 1000 + first)], docs, codes, PER_CODER)
    summarise(solo, results, "1 coder alone")
    project.close()


# --- job 2: a lead's theme table over 1,000,000 codings ----------------------------------------


def copy_into(source: Path, url: str) -> dict[str, int]:
    """Copy every table of a SQLite project into the (new, empty) server project at ``url``
    with COPY, in one transaction; the server's own meta and project rows are kept. Serial
    sequences are set past the largest id copied."""
    import sqlite3

    from psycopg import sql
    from sqlmodel import SQLModel

    import qualbench.model  # noqa: F401  (the tables)

    lite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    counts: dict[str, int] = {}
    with pg_connect(url) as pg, pg.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK checks: a checked source
        for table in SQLModel.metadata.sorted_tables:  # parents before children
            if table.name in ("meta", "project"):
                continue
            cols = [c.name for c in table.columns]
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, cols))
            )
            select_sql = "SELECT {} FROM {}".format(
                ", ".join(f'"{c}"' for c in cols), f'"{table.name}"'
            )
            n = 0
            with cur.copy(copy_sql) as copy:
                for row in lite.execute(select_sql):
                    copy.write_row(row)
                    n += 1
            counts[table.name] = n
            if n and "id" in cols:
                cur.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({}, 'id'), (SELECT max(id) FROM {}))"
                    ).format(sql.Literal(table.name), sql.Identifier(table.name))
                )
    lite.close()
    return counts


def build_by_copy(url: str, results: dict[str, Any]) -> None:
    import run

    from qualbench.store import create_project, open_project

    path = OUT / SOURCE
    t = time.perf_counter()
    built: dict[str, float] = {}
    say(f"table1m: the SQLite source {path.name} (built once: minutes)")
    run._table_project(SOURCE, built, spanning=False)  # once; later runs reuse the file
    open_project(path).close()  # brought to the current schema if it is older
    if built:
        results["setup: build the SQLite source project (once) (s)"] = round(
            time.perf_counter() - t, 1
        )
    say("table1m: COPY into the server")
    t = time.perf_counter()
    create_project(url, name="Server bench: 1M codings").close()
    counts = copy_into(path, url)
    results["setup: COPY the SQLite project into the server (s)"] = round(
        time.perf_counter() - t, 1
    )
    results["rows copied (coding, speaker_turn, document)"] = (
        f"{counts['coding']:,}, {counts['speaker_turn']:,}, {counts['document']:,}"
    )


def build_by_core(url: str, results: dict[str, Any]) -> None:
    """The same project through the core's functions against the server (minutes)."""
    import run
    from sqlalchemy import select

    from qualbench.codebook_files import read_codebook
    from qualbench.db import CASES
    from qualbench.services.attribute_tables import apply_attribute_table
    from qualbench.services.codebook import load_codebook
    from qualbench.services.documents import import_files
    from qualbench.store import create_project

    src = corpus("c1000", 1000, 62000, 2000)
    project = create_project(url, name="Server bench: 1M codings")
    with project.write() as s:
        load_codebook(s, read_codebook(src / "codebook.csv"))
    t = time.perf_counter()
    say("table1m: import_files into the server, then bulk_apply 1M codings (minutes)")
    report = import_files(project, [src / "texts"], workers=2)
    assert len(report.imported) == 1000 and not report.failed
    results["setup: import_files, 1,000 transcripts into the server (s)"] = round(
        time.perf_counter() - t, 1
    )
    texts = sorted((src / "texts").glob("*.txt"))
    countries = ["KZ", "UA", "KG", "TJ"]  # as run._table_project
    attrs = OUT / "server_doc_attrs.csv"
    attrs.write_text(
        "document,country\n"
        + "".join(f"{f.name},{countries[i % 4]}\n" for i, f in enumerate(texts)),
        encoding="utf-8",
    )
    with project.read() as s:
        names = s.execute(select(CASES.c.name)).scalars().all()
    people = OUT / "server_case_attrs.csv"
    people.write_text(
        "case,gender\n" + "".join(f"{n},{['woman', 'man'][i % 2]}\n" for i, n in enumerate(names)),
        encoding="utf-8",
    )
    with project.write() as s:
        apply_attribute_table(s, attrs)
        apply_attribute_table(s, people)
    built: dict[str, float] = {}
    run._million(project, built, spanning=False)
    results["setup: bulk_apply, 1,000,000 codings in 5 actions of 200k, into the server (s)"] = (
        next(iter(built.values()))
    )
    project.close()


def table_worker(url: str, repeats: int, queue: Any) -> None:
    """A fresh app process: open the project, then time each theme table ``repeats`` times."""
    try:
        from sqlalchemy import text

        t = time.perf_counter()
        from qualbench.reports import theme_table
        from qualbench.server import me
        from qualbench.services.codes import code_tree
        from qualbench.services.documents import list_documents
        from qualbench.store import open_project

        project = open_project(url)
        with project.read() as s:
            list_documents(s)
            code_tree(s)
            who = me(s)
            rls = bool(
                s.execute(
                    text("SELECT relrowsecurity FROM pg_class WHERE relname = 'coding'")
                ).scalar()
            )
            bypass = bool(
                s.execute(
                    text(
                        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = session_user"
                    )
                ).scalar()
            )
        out: dict[str, Any] = {
            "open": time.perf_counter() - t,
            "who": f"{who.name} ({who.role})" if who else "not a member",
            "row-level security applies": rls and not bypass,
            "times": {},
        }
        for by in TABLE_BYS:
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                with project.read() as s:
                    table = theme_table(s, by=by)
                times.append(time.perf_counter() - t)
                assert sum(r.total.codings for r in table.rows) == TABLE_CODINGS
            out["times"][by] = times
        out["peak memory (MB)"] = peak_memory_mb()
        project.close()
        queue.put(out)
    except BaseException:
        queue.put({"fatal": traceback.format_exc()})


def time_tables(url: str, repeats: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=table_worker, args=(url, repeats, queue))
    proc.start()
    out = queue.get(timeout=3600)
    proc.join(timeout=60)
    if "fatal" in out:
        sys.exit("the theme-table process failed:\n" + out["fatal"])
    return out


def job_table1m(server: Any, results: dict[str, Any], how: str) -> None:
    from qualbench.server import add_member, enable_team
    from qualbench.store import open_project

    url = server.create_database("qb_bench_table1m")
    results["built by"] = (
        "run.py's SQLite project copied in with COPY" if how == "copy" else "the core's functions"
    )
    (build_by_copy if how == "copy" else build_by_core)(url, results)
    password = secrets.token_hex(12)
    with open_project(url) as project:
        enable_team(project)
        add_member(project, name="lead", login="bench_lead", role="lead", password=password)
    say("table1m: VACUUM (ANALYZE)")
    t = time.perf_counter()
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        results["database size"] = str(size.fetchone()[0])
    results["setup: VACUUM (ANALYZE) after the load (s)"] = round(time.perf_counter() - t, 1)
    results["load average before"] = load()

    say("table1m: theme tables as the lead, then as the superuser")
    lead = time_tables(member_url(url, "bench_lead", password), repeats=4)
    results["tables opened as"] = lead["who"]
    results["row-level security in the path"] = lead["row-level security applies"]
    results["open the project + list documents and codes, fresh process (s)"] = round(
        lead["open"], 2
    )
    for by, times in lead["times"].items():
        warm = sorted(times[1:])
        results[f"theme table by {by}, as the lead, first (s)"] = round(times[0], 2)
        results[f"theme table by {by}, as the lead, warm min-max of {len(warm)} (s)"] = (
            f"{warm[0]:.2f}-{warm[-1]:.2f}"
        )
    results["lead's process peak memory (MB)"] = lead["peak memory (MB)"]
    owner = time_tables(url, repeats=3)
    assert not owner["row-level security applies"]
    for by, times in owner["times"].items():
        results[f"theme table by {by}, as the superuser (no RLS), warm min (s)"] = round(
            min(times[1:]), 2
        )
    results["load average after"] = load()
    firsts = [t[0] for t in lead["times"].values()]
    warms = [x for t in lead["times"].values() for x in t[1:]]
    results["slowest lead's table, first / warm (s)"] = f"{max(firsts):.2f} / {max(warms):.2f}"
    results["target < 2 s met by every lead's table (document, country, gender)"] = all(
        max(lead["times"][by]) < 2.0 for by in TABLE_BYS[:3]
    )


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("jobs", nargs="*", choices=["coders", "table1m", []], help="default: both")
    ap.add_argument(
        "--load",
        choices=["copy", "core"],
        default="copy",
        help="table1m: COPY run.py's SQLite project in (default), or build on the server",
    )
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from tests.core.pg_server import start_server

    server = start_server()
    try:
        pg = server_info(server)
        notes = [
            f"PostgreSQL {pg['server_version']}, throwaway server on 127.0.0.1 (TCP, password "
            "authentication, sslmode default), started by tests/core/pg_server.py",
            f"fsync={pg['fsync']}, synchronous_commit={pg['synchronous_commit']}, "
            f"full_page_writes={pg['full_page_writes']}: commits do not wait for the disk, "
            "which flatters write latency against a real server",
            f"shared_buffers={pg['shared_buffers']}, work_mem={pg['work_mem']} (defaults)",
            f"{os.cpu_count()} cores shared by the client processes, the server and other "
            "agents' work on this machine: see the load averages",
        ]
        for line in notes:
            print("note:", line)
        all_results: dict[str, dict[str, Any]] = {}
        for job in args.jobs or ["coders", "table1m"]:
            results: dict[str, Any] = {}
            t = time.perf_counter()
            if job == "coders":
                job_coders(server, results)
            else:
                job_table1m(server, results, args.load)
            results["job wall time, setup included (s)"] = round(time.perf_counter() - t, 1)
            all_results[job] = results
            for k, v in results.items():
                print(f"{job:8} {k:84} {v}")
    finally:
        server.stop()
    info = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "postgresql": pg,
        "notes": notes,
        "command": " ".join(["python", "bench/server_bench.py", *sys.argv[1:]]),
    }
    path = OUT / "server-results.json"
    path.write_text(json.dumps({**info, "results": all_results}, indent=2), encoding="utf-8")
    print(f"written: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
