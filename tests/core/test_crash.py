"""kill -9 in the middle of bulk work: the project opens, every committed action is intact and
nothing is half-written."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from qualbench.store import create_project, open_project

IMPORT_SCRIPT = """
import sys
from qualbench.store import open_project
from qualbench.services.documents import import_files
p = open_project(sys.argv[1])
def progress(done, total, status):
    print(done, flush=True)
import_files(p, [sys.argv[2]], progress=progress)
print("finished", flush=True)
"""

CODING_SCRIPT = """
import sys, time
from qualbench.store import open_project
from qualbench.services.coding import NewCoding, bulk_apply, apply_code
p = open_project(sys.argv[1])
mode = sys.argv[2]
if mode == "bulk":
    rows = [NewCoding(1, i % 5000, i % 5000 + 7, 1 + i % 3, 1) for i in range(60000)]
    def progress(done, total, status):
        print("in transaction", done, flush=True)
        if done == total:  # every row is inserted, the commit has not happened yet
            time.sleep(30)
    with p.write() as s:
        bulk_apply(s, rows, progress=progress)
    print("committed", flush=True)
else:
    for i in range(100000):
        with p.write() as s:
            apply_code(s, document_id=1, start=i % 5000, end=i % 5000 + 3 + i // 5000, code_id=1, coder_id=1)
        print(i + 1, flush=True)
"""


def _kill_after(args: list[str], wanted: str) -> list[str]:
    proc = subprocess.Popen([sys.executable, "-c", *args], stdout=subprocess.PIPE, text=True)
    seen = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line.strip())
            if line.strip() == wanted:
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the process finished before it could be killed"
    return seen


def _integrity(path: Path) -> None:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    con.close()


def test_kill_during_folder_import(tmp_path: Path) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    for i in range(400):
        body = "\n\n".join(
            f"P{j % 4 + 1}: line {j} of transcript {i} about the kit and the police"
            for j in range(300)
        )
        (folder / f"t{i:03d}.txt").write_text(body, encoding="utf-8")
    path = tmp_path / "p.qualbench"
    create_project(path).close()
    seen = _kill_after([IMPORT_SCRIPT, str(path), str(folder)], "40")
    _integrity(path)
    with open_project(path) as p, p.engine.connect() as c:
        docs = c.exec_driver_sql("select id, text, content_sha256, char_count from document").all()
        turns = dict(
            c.exec_driver_sql(
                "select document_id, count(*) from speaker_turn group by document_id"
            ).all()
        )
        cases = c.exec_driver_sql("select count(*) from cases").scalar()
    # Documents are committed a few at a time: all but the batch in flight are there ...
    from qualbench.services.documents import _Batches

    assert len(docs) >= int(seen[-1]) - _Batches.MAX_DOCUMENTS - 1
    assert len(docs) < 400
    # ... and each one is whole: its text matches its hash, and its 300 turns are all there.
    for doc_id, text, sha, count in docs:
        assert hashlib.sha256(text.encode()).hexdigest() == sha and len(text) == count
        assert turns.get(doc_id) == 300
    assert cases == 4 * len(docs)


def _coding_world(path: Path) -> None:
    from importers import Transcript
    from importers.speakers import find_turns
    from qualbench.services.codes import create_code
    from qualbench.services.coding import get_or_create_coder
    from qualbench.services.documents import add_transcript

    text = "\n".join(f"P{i % 3}: sentence number {i} about release" for i in range(400))
    with create_project(path) as p, p.write() as s:
        add_transcript(s, Transcript(text=text, turns=find_turns(text), source_name="doc.txt"))
        for name in ("A", "B", "C"):
            create_code(s, name=name)
        get_or_create_coder(s, "ana")


def test_kill_during_bulk_coding_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.qualbench"
    _coding_world(path)
    _kill_after([CODING_SCRIPT, str(path), "bulk"], "in transaction 60000")
    _integrity(path)
    with open_project(path) as p, p.engine.connect() as c:
        assert c.exec_driver_sql("select count(*) from coding").scalar() == 0


def test_kill_during_single_codings_keeps_each_committed_one(tmp_path: Path) -> None:
    path = tmp_path / "p.qualbench"
    _coding_world(path)
    seen = _kill_after([CODING_SCRIPT, str(path), "single"], "300")
    _integrity(path)
    with open_project(path) as p, p.engine.connect() as c:
        n = c.exec_driver_sql("select count(*) from coding").scalar()
    assert int(seen[-1]) <= n <= int(seen[-1]) + 1
