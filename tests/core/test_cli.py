"""The `qualbench` command as a script would use it: exit codes, one-line errors, JSON, files."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qualbench.cli import main
from qualbench.sample import codebook_path, data_dir


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table: to prove a failed command changed nothing."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
    data = {t: sorted(map(repr, con.execute(f'select * from "{t}"'))) for t in tables}
    con.close()
    return data


@pytest.fixture
def proj(tmp_path: Path, capsys) -> Path:
    path = tmp_path / "p.qualbench"
    assert run(capsys, "create", path, "--codebook", codebook_path())[0] == 0
    assert (
        run(
            capsys,
            "import",
            path,
            data_dir() / "fg_kazakhstan.txt",
            data_dir() / "interview_release_01.txt",
        )[0]
        == 0
    )
    return path


def test_full_workflow(proj: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "documents", proj, "--json")
    docs = json.loads(out)
    assert code == 0 and [d["name"] for d in docs] == ["fg_kazakhstan", "interview_release_01"]
    assert docs[0]["speakers"] == 7 and docs[0]["kind"] == "focus_group"

    code, _, err = run(capsys, "attributes", proj, data_dir() / "documents.csv")
    assert code == 1 and "match nothing" in err and "nothing was applied" in err
    assert run(capsys, "attributes", proj, data_dir() / "documents.csv", "--skip-unmatched")[0] == 0
    code, out, err = run(
        capsys, "attributes", proj, data_dir() / "participants.csv", "--skip-unmatched"
    )
    assert code == 0 and "renamed" in err

    code, out, _ = run(
        capsys,
        "code",
        proj,
        "--document",
        "fg_kazakhstan",
        "--code",
        "Police fear",
        "--quote",
        "So people don't call.",
        "--coder",
        "ana",
        "--json",
    )
    coding = json.loads(out)
    assert (
        code == 0
        and coding["new"]
        and coding["end"] - coding["start"] == len("So people don't call.")
    )
    code, _, err = run(
        capsys,
        "code",
        proj,
        "--document",
        "fg_kazakhstan",
        "--code",
        "Police fear",
        "--start",
        coding["start"],
        "--end",
        coding["end"],
        "--coder",
        "ana",
    )
    assert code == 0 and "already coded" in err

    code, _, _ = run(capsys, "codings", "import", proj, data_dir() / "codings.csv")
    assert code == 1  # it names documents this project does not have: all or nothing
    subset = tmp_path / "subset.csv"
    lines = (data_dir() / "codings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    subset.write_text(
        lines[0]
        + "".join(
            line
            for line in lines[1:]
            if line.startswith(("fg_kazakhstan,", "interview_release_01,"))
        ),
        encoding="utf-8",
    )
    code, _, err = run(capsys, "codings", "import", proj, subset)
    assert code == 0 and "added" in err

    code, out, _ = run(capsys, "table", proj, "--by", "document:country", "--json")
    table = json.loads(out)
    assert code == 0 and table["columns"] == ["Belgium", "Kazakhstan"]
    police = next(r for r in table["rows"] if r["code"] == "Police fear")
    assert police["cells"]["Kazakhstan"]["codings"] >= 1

    xlsx = tmp_path / "themes.xlsx"
    assert (
        run(
            capsys, "table", proj, "--by", "case:gender", "--measure", "participants", "--out", xlsx
        )[0]
        == 0
    )
    from openpyxl import load_workbook

    assert load_workbook(xlsx).sheetnames[0] == "Participants"

    for suffix in (".csv", ".xlsx", ".docx", ".md"):
        out_file = tmp_path / f"excerpts{suffix}"
        code, _, err = run(
            capsys, "excerpts", proj, out_file, "--code", "Police fear", "--coder", "ana"
        )
        assert code == 0 and out_file.stat().st_size > 0 and "contains transcript text" in err

    exported = tmp_path / "codings.csv"
    assert run(capsys, "codings", "export", proj, exported)[0] == 0
    rows = exported.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "document,start,end,code,coder,text,origin,memo,id"

    # Round trip: the exported codings import into a fresh project with the same documents.
    other = tmp_path / "other.qualbench"
    run(capsys, "create", other, "--codebook", codebook_path())
    run(
        capsys,
        "import",
        other,
        data_dir() / "fg_kazakhstan.txt",
        data_dir() / "interview_release_01.txt",
    )
    code, _, err = run(capsys, "codings", "import", other, exported)
    assert code == 0 and f"{len(rows) - 1} codings added" in err

    code, out, _ = run(capsys, "coders", proj, "--json")
    assert {c["name"] for c in json.loads(out)} == {"ana", "ben"}
    assert run(capsys, "memo", proj, "A note on the study")[0] == 0
    code, out, _ = run(capsys, "info", proj, "--json")
    assert json.loads(out)["memos"] >= 1
    uid = coding["id"]
    assert run(capsys, "uncode", proj, uid)[0] == 0
    assert run(capsys, "uncode", proj, uid)[0] == 1


def test_codebook_export_load(proj: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "book.csv"
    assert run(capsys, "codebook", "export", proj, out)[0] == 0
    code, _, err = run(capsys, "codebook", "load", proj, out)
    assert code == 0 and "0 codes added" in err


BAD_INPUTS = {
    "empty.txt": b"",
    "junk.txt": bytes(range(256)) * 8,
    "truncated.docx": b"PK\x03\x04" + b"\x00" * 40,
    "fake.pdf": b"%PDF-1.4\n1 0 obj\n<<>>\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_import_gives_one_line_error_and_changes_nothing(
    proj: Path, tmp_path: Path, capsys, name: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(BAD_INPUTS[name])
    before = dump(proj)
    code, _, err = run(capsys, "import", proj, bad)
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("qualbench: error")]
    assert len(lines) == 1 and str(bad) in lines[0] and "Traceback" not in err
    assert dump(proj) == before


def test_partial_import_exit_code(proj: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "good.txt").write_text("P1: fine\nP2: yes\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"")
    code, out, err = run(capsys, "import", proj, tmp_path / "good.txt", tmp_path / "bad.txt")
    assert code == 3 and "imported  good" in out and "bad.txt: is empty" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "code",
                "--document",
                "fg_kazakhstan",
                "--code",
                "Police fear",
                "--start",
                "5",
                "--end",
                "999999",
            ],
            "outside the document",
        ),
        (
            ["code", "--document", "nope", "--code", "Police fear", "--start", "1", "--end", "5"],
            "no document 'nope'",
        ),
        (
            ["code", "--document", "fg_kazakhstan", "--code", "Nope", "--start", "1", "--end", "5"],
            "no code 'Nope'",
        ),
        (
            [
                "code",
                "--document",
                "fg_kazakhstan",
                "--code",
                "Police fear",
                "--quote",
                "words nobody said",
            ],
            "does not occur",
        ),
        (["table", "--by", "religion"], "no attribute"),
    ],
)
def test_bad_requests_fail_cleanly(proj: Path, capsys, args: list[str], message: str) -> None:
    before = dump(proj)
    code, _, err = run(capsys, args[0], proj, *args[1:])
    assert code == 1 and message in err and "Traceback" not in err
    assert dump(proj) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [("name,parent\nA,B\nB,A\n", "cycle"), ("path\nA\nA\n", "duplicate code name")],
)
def test_bad_codebook_fails_cleanly(
    proj: Path, tmp_path: Path, capsys, content: str, message: str
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(content, encoding="utf-8")
    before = dump(proj)
    code, _, err = run(capsys, "codebook", "load", proj, book)
    assert code == 1 and message in err and str(book) in err
    assert dump(proj) == before


def test_not_a_project_and_newer_project(tmp_path: Path, proj: Path, capsys) -> None:
    fake = tmp_path / "notes.qualbench"
    fake.write_text("hello", encoding="utf-8")
    code, _, err = run(capsys, "documents", fake)
    assert code == 4 and "not a QualBench project" in err and str(fake) in err
    con = sqlite3.connect(proj)
    con.execute("update meta set value='999' where key='schema_version'")
    con.commit()
    con.close()
    code, _, err = run(capsys, "documents", proj)
    assert code == 4 and "newer QualBench" in err


def test_codings_file_with_bad_span_changes_nothing(proj: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text(
        "document,start,end,code,coder\nfg_kazakhstan,0,10,Police fear,ana\nfg_kazakhstan,5,99999999,Police fear,ana\n",
        encoding="utf-8",
    )
    before = dump(proj)
    code, _, err = run(capsys, "codings", "import", proj, bad)
    assert code == 1 and "row 3" in err and "outside the document" in err
    assert dump(proj) == before


def test_script_entry_point_and_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qualbench", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "exit codes" in result.stdout
    for sub in ("import", "table", "excerpts", "codings", "codebook"):
        r = subprocess.run(
            [sys.executable, "-m", "qualbench", sub, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0 and "usage: qualbench" in r.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "qualbench", "table"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2


def test_demo_builds_sample_and_prints_table(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.qualbench"
    code, out, _ = run(capsys, "demo", "--project", path)
    assert code == 0 and path.exists()
    assert "Police fear" in out and "Kazakhstan" in out
    code, out2, _ = run(capsys, "demo", "--project", path)  # second run reuses it
    assert code == 0 and out2 == out


def test_demo_fresh_replaces_only_the_sample(tmp_path: Path, capsys) -> None:
    sample = tmp_path / "demo.qualbench"
    assert run(capsys, "demo", "--project", sample)[0] == 0
    assert run(capsys, "demo", "--project", sample, "--fresh")[0] == 0
    other = tmp_path / "mine.qualbench"
    run(capsys, "create", other)
    code, _, err = run(capsys, "demo", "--project", other, "--fresh")
    assert code == 4 and "not the sample project" in err and other.exists()
    notes = tmp_path / "notes.csv"
    notes.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--project", notes, "--fresh")
    assert code == 4 and notes.read_text(encoding="utf-8") == "a,b\n1,2\n"
    from qualbench.store import open_project

    with open_project(sample):  # in use by another writer: refused, kept
        code, _, err = run(capsys, "demo", "--project", sample, "--fresh")
    assert code == 4 and "open in another QualBench" in err and sample.exists()


def test_codings_export_formats_round_trip(proj: Path, tmp_path: Path, capsys) -> None:
    run(
        capsys,
        "code",
        proj,
        "--document",
        "fg_kazakhstan",
        "--code",
        "Police fear",
        "--quote",
        "So people don't call.",
    )
    xlsx = tmp_path / "codings.xlsx"
    assert run(capsys, "codings", "export", proj, xlsx)[0] == 0
    from openpyxl import load_workbook

    ws = load_workbook(xlsx)["Codings"]
    assert [c.value for c in ws[1]][:6] == ["document", "start", "end", "code", "coder", "text"]
    assert ws.cell(2, 6).value == "So people don't call."
    other = tmp_path / "other.qualbench"
    run(capsys, "create", other, "--codebook", codebook_path())
    run(capsys, "import", other, data_dir() / "fg_kazakhstan.txt")
    code, _, err = run(capsys, "codings", "import", other, xlsx)
    assert code == 0 and "1 coding added" in err
    code, _, err = run(capsys, "codings", "export", proj, tmp_path / "codings.txt")
    assert code == 1 and "as .csv or .xlsx" in err and not (tmp_path / "codings.txt").exists()


def test_turns_memos_and_refusals(proj: Path, capsys) -> None:
    code, out, _ = run(capsys, "turns", proj, "fg_kazakhstan", "--json")
    turns = json.loads(out)
    assert code == 0 and turns[0]["speaker"] == "Moderator" and turns[0]["timestamp_ms"] == 41000
    code, _, err = run(
        capsys,
        "code",
        proj,
        "--document",
        "fg_kazakhstan",
        "--code",
        "Police fear",
        "--start",
        turns[1]["words_start"],
        "--end",
        turns[1]["end"],
        "--memo",
        "whole answer",
    )
    assert code == 0
    assert (
        run(capsys, "memo", proj, "Codebook needs a rule for sarcasm", "--code", "Police fear")[0]
        == 0
    )
    code, out, _ = run(capsys, "memos", proj, "--json")
    memos = json.loads(out)
    assert {m["on"] for m in memos} == {"coding in fg_kazakhstan", "code Police fear"}
    code, _, err = run(capsys, "memo", proj, "   ")
    assert code == 1 and "empty" in err
    code, _, err = run(
        capsys,
        "code",
        proj,
        "--document",
        "fg_kazakhstan",
        "--code",
        "Police fear",
        "--quote",
        "people",
        "--start",
        "1",
        "--end",
        "4",
    )
    assert code == 1 and "not both" in err
    code, _, err = run(capsys, "table", proj, "--by", "document:gender")
    assert code == 1  # no such attribute at all here
