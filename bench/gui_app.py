"""Desktop app timings through the whole stack (project file, core, widgets), run by hand:

    QT_QPA_PLATFORM=offscreen python bench/gui_app.py

- app start: a new process, from launch to the main window shown on the sample project;
- open a 300,000-character transcript with 5,000 codings (database read + view + first paint);
- apply a code to a selection and remove it again, each with its transaction, undo snapshot
  and repaint.
Results in BENCHMARKS.md.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_corpus.py"

START = """
import os, sys, time
t0 = time.perf_counter()
os.environ["QUALBENCH_CODER"] = "bench"
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
from ui.app import Controller
c = Controller("bench")
c.open(sys.argv[1])
while c.window.document is None:
    app.processEvents()
c.window.repaint()
print(time.perf_counter() - t0)
c.window.close(); c.close()
"""


def app_start(project: Path) -> tuple[float, float]:
    """(median wall seconds from launch to a shown window, median in-process part)."""
    walls, inner = [], []
    for _ in range(5):
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", START, str(project)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        walls.append(time.perf_counter() - t)
        inner.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(walls), statistics.median(inner)


def big_project(folder: Path) -> Path:
    from qualbench.services.codes import code_tree
    from qualbench.services.coding import NewCoding, bulk_apply, get_or_create_coder
    from qualbench.services.documents import import_files
    from qualbench.store import create_project
    from qualbench.workspace import document_view

    corpus = folder / "corpus"
    args = ["--docs", "1", "--chars-per-doc", "300000", "--codings", "2", "--out", str(corpus)]
    subprocess.run([sys.executable, str(GENERATOR), *args], check=True, stdout=subprocess.DEVNULL)
    path = folder / "big.qualbench"
    with create_project(path) as p:
        from qualbench.codebook_files import read_codebook
        from qualbench.services.codebook import load_codebook

        with p.write() as s:
            load_codebook(s, read_codebook(corpus / "codebook.csv"))
        import_files(p, [corpus / "texts"])
        rng = random.Random(3)
        with p.write() as s:
            view = document_view(s, 1)
            codes = [n.id for n in code_tree(s) if n.parent_id is not None]
            coders = [get_or_create_coder(s, n)[0] for n in ("ana", "ben")]
            turns = [(t.body_start, t.end) for t in view.turns if t.end - t.body_start > 20]
            rows, seen = [], set()
            while len(rows) < 5000:
                body, end = rng.choice(turns)
                start = rng.randrange(body, end - 10)
                key = (
                    start,
                    rng.randrange(start + 5, end + 1),
                    rng.choice(codes),
                    rng.choice(coders),
                )
                if key not in seen:
                    seen.add(key)
                    rows.append(NewCoding(1, *key))
            bulk_apply(s, rows)
    return path


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from qualbench.sample import build_sample

    folder = Path(tempfile.mkdtemp(prefix="qualbench-guibench-"))
    os.environ["QUALBENCH_SETTINGS_DIR"] = str(folder)
    sample = folder / "sample.qualbench"
    build_sample(sample).close()
    wall, inner = app_start(sample)
    print(
        f"app start, launch to window shown (median of 5): {wall:.2f} s (in-process part {inner:.2f} s)"
    )

    path = big_project(folder)
    app = QApplication.instance() or QApplication(sys.argv)
    from qualbench.store import open_project
    from ui.main_window import MainWindow
    from ui.session import ProjectSession

    window = MainWindow(ProjectSession(open_project(path), coder="bench"), path=path)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    opens = []
    for _ in range(5):
        t = time.perf_counter()
        window.open_document(1)
        window.view.text_edit.viewport().repaint()
        app.processEvents()
        opens.append(time.perf_counter() - t)
    print(
        f"open 300k-character transcript with 5,000 codings (median of 5): {statistics.median(opens) * 1000:.0f} ms"
    )
    assert window.document is not None and len(window.document.text) >= 290_000

    code_id = next(iter(window.codes.nodes))
    applies, removes = [], []
    text = window.document.text
    for i in range(10):
        start = text.index(" ", 1000 + i * 20_000)
        window.view.select_span(start + 1, start + 60, flash=False)
        t = time.perf_counter()
        window.coding.apply([code_id])
        window.view.text_edit.viewport().repaint()
        window.view.margin.repaint()
        applies.append(time.perf_counter() - t)
        ids = window.view.coding_ids_at(start + 5)
        window.view.focus_coding(max(ids))  # the coding just made has the highest id
        t = time.perf_counter()
        window.coding.remove()
        window.view.text_edit.viewport().repaint()
        window.view.margin.repaint()
        removes.append(time.perf_counter() - t)
    print(f"apply a code + repaint (median of 10): {statistics.median(applies) * 1000:.0f} ms")
    print(f"remove a coding + repaint (median of 10): {statistics.median(removes) * 1000:.0f} ms")
    window.close()
    window.session.close()


if __name__ == "__main__":
    main()
