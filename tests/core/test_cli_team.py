"""The team workflow on the command line, on the sample project with two simulated coders:
distribute, code the copies, merge back, measure agreement, export it, reconcile."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qualbench.sample import build_sample
from tests.core.test_cli import dump, run


@pytest.fixture
def lead(tmp_path: Path) -> Path:
    path = tmp_path / "lead.qualbench"
    build_sample(path).close()
    return path


def _simulate(capsys, lead: Path, tmp_path: Path) -> dict[str, Path]:
    """Coder copies for cy and dee, coded as ana and ben coded the sample (through CSV files)."""
    folder = tmp_path / "copies"
    folder.mkdir()
    code, out, _ = run(capsys, "distribute", lead, folder, "--coder", "cy", "--coder", "dee")
    assert code == 0 and "cy:" in out and "dee:" in out
    copies = {"cy": folder / "lead-cy.qualbench", "dee": folder / "lead-dee.qualbench"}
    assert run(capsys, "codings", "export", lead, tmp_path / "all.csv")[0] == 0
    rows = list(csv.DictReader((tmp_path / "all.csv").open(encoding="utf-8-sig")))
    for original, coder in (("ana", "cy"), ("ben", "dee")):
        mine = tmp_path / f"{coder}.csv"
        with mine.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["document", "start", "end", "code", "coder"])
            w.writerows(
                [r["document"], r["start"], r["end"], r["code"], coder]
                for r in rows
                if r["coder"] == original
            )
        assert run(capsys, "codings", "import", copies[coder], mine)[0] == 0
    return copies


def test_distribute_merge_agree_reconcile(lead: Path, tmp_path: Path, capsys) -> None:
    copies = _simulate(capsys, lead, tmp_path)
    before = dump(lead)
    code, out, _ = run(capsys, "merge", lead, copies["cy"], copies["dee"], "--dry-run")
    assert code == 0 and "would merge" in out and dump(lead) == before

    code, out, err = run(capsys, "merge", lead, copies["cy"], copies["dee"], "--json")
    reports = json.loads(out)
    assert code == 0 and [r["codings_added"] for r in reports] == [74, 64]
    assert Path(reports[0]["backup"]).exists()
    code, out, _ = run(capsys, "merge", lead, copies["cy"], copies["dee"], "--json")
    assert [r["codings_added"] for r in json.loads(out)] == [0, 0]

    # Agreement of the merged coders equals that of the originals, in every output.
    code, out, _ = run(capsys, "agree", lead, "--coder", "cy", "--coder", "dee", "--json")
    merged = json.loads(out)
    code, out, _ = run(capsys, "agree", lead, "--coder", "ana", "--coder", "ben", "--json")
    original = json.loads(out)
    assert merged["overall"]["alpha"]["value"] == pytest.approx(
        original["overall"]["alpha"]["value"]
    )
    assert merged["unit"] == "sentence" and "Two coders (cy and dee)" in merged["methods"]

    code, out, _ = run(
        capsys, "agree", lead, "--coder", "cy", "--coder", "dee", "--unit", "paragraph", "--methods",
        "--out", tmp_path / "agree.xlsx",
    )  # fmt: skip
    assert code == 0 and "K alpha" in out and "(pooled)" in out and "paragraphs" in out
    assert "independently coded 6 documents" in out
    wb = load_workbook(tmp_path / "agree.xlsx")
    assert wb.sheetnames == [
        "Agreement", "Confusion", "Intervals", "Disagreements", "Methods", "About"
    ]  # fmt: skip
    intervals = list(wb["Intervals"].iter_rows(values_only=True))
    boot = next(
        r
        for r in intervals
        if r[0] == "(all codes, pooled)" and r[1].endswith("bootstrap over documents")
    )
    value, low, high = boot[2], boot[4], boot[5]
    assert low < value < high and "6 documents resampled" in boot[6]
    assert 0 <= boot[7] <= 1 and boot[7] <= boot[8]  # P(alpha < 0.667) <= P(alpha < 0.8)
    header = [c.value for c in wb["Agreement"][1]]
    assert header[:4] == ["code", "units coded by cy", "units coded by dee", "units"]
    pooled = next(
        r for r in wb["Agreement"].iter_rows(values_only=True) if r[0] == "(all codes, pooled)"
    )
    alpha_col = header.index("Krippendorff's alpha (nominal)")
    assert isinstance(pooled[alpha_col], float)
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert "no transcript text" in about["Contents"]

    # Reconciliation: start, list, decide, and the decisions stay.
    code, _, err = run(capsys, "reconcile", "start", lead, "--coder", "cy", "--coder", "dee")
    assert code == 0 and "disagreements" in err
    code, out, _ = run(capsys, "reconcile", "list", lead, "--json")
    items = json.loads(out)
    assert items and all(i["chosen"] is None for i in items)
    first = items[0]
    assert first["text"] and first["codings"]
    take = first["coded_by"][0]
    assert run(capsys, "reconcile", "decide", lead, "1", "--take", take, "--coder", "lead")[0] == 0
    assert run(capsys, "reconcile", "decide", lead, "2", "--neither")[0] == 0
    code, out, _ = run(capsys, "reconcile", "list", lead, "--json")
    items = json.loads(out)
    assert [i["chosen"] for i in items[:2]] == [[take], []]
    code, out, _ = run(capsys, "reconcile", "list", lead, "--open", "--json")
    assert len(json.loads(out)) == len(items) - 2


def test_agreement_csv_and_json_files(lead: Path, tmp_path: Path, capsys) -> None:
    args = [
        "agree",
        lead,
        "--coder",
        "ana",
        "--coder",
        "ben",
        "--domain",
        "Police fear",
        "--domain",
        "Gratitude",
    ]
    assert run(capsys, *args, "--out", tmp_path / "a.csv")[0] == 0
    rows = list(csv.reader((tmp_path / "a.csv").open(encoding="utf-8-sig")))
    assert rows[0][0] == "code" and rows[-1][0].startswith(
        "(domain: Police fear, Gratitude, (none))"
    )
    assert rows[-2][0] == "(all codes, pooled)"
    assert run(capsys, *args, "--out", tmp_path / "a.json")[0] == 0
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["domain"]["categories"] == ["Police fear", "Gratitude", "(none)"]
    assert len(data["domain"]["confusion"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agree", "{p}", "--coder", "ana"], "at least two coders"),
        (["agree", "{p}", "--coder", "ana", "--coder", "zed"], "no coder 'zed'"),
        (["agree", "{p}", "--coder", "ana", "--coder", "ben", "--code", "Nope"], "Nope"),
        (["agree", "{p}", "--coder", "ana", "--coder", "ben", "--overlap", "2"], "overlap"),
        (
            ["agree", "{p}", "--coder", "ana", "--coder", "ben", "--out", "{t}/x.pdf"],
            "unknown format",
        ),
        (["merge", "{p}", "{t}/nothing.qualbench"], "nothing.qualbench"),
        (["merge", "{p}", "{p}"], "merged into"),
        (["merge", "{p}", "{p}", "--accept", "x"], "SOURCE_CODE=TARGET_CODE"),
        (["reconcile", "list", "{p}"], "start one first"),
        (["distribute", "{p}", "{t}/missing", "--coder", "cy"], "does not exist"),
    ],
)
def test_team_commands_refuse_bad_requests(
    lead: Path, tmp_path: Path, capsys, args: list[str], message: str
) -> None:
    before = dump(lead)
    code, _, err = run(capsys, *(a.format(p=lead, t=tmp_path) for a in args))
    assert code in (1, 4) and message in err and "Traceback" not in err
    assert dump(lead) == before
