"""`qualbench agree --unitized` on codings imported from CSV: the published worked examples come
out of the command line exactly as out of the functions (tests/core/test_unitized.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.core.test_cli import run

# Krippendorff (2019), Content Analysis 4th ed., Fig. 12.11, p. 340: three observers on a
# continuum of 60, spans printed 1-based and end-inclusive (quallmer's transcription)
FIG_12_11 = {
    "Alex": [(1, 7, 1), (8, 13, 2), (31, 32, 5), (33, 37, 6), (38, 44, 6), (45, 60, 7)],
    "Paul": [(1, 7, 1), (8, 13, 3), (14, 21, 5), (33, 44, 6)],
    "Suzan": [(1, 7, 1), (8, 13, 4), (14, 21, 5), (33, 37, 6), (38, 41, 6), (42, 44, 6)],
}
# Krippendorff (2004), Content Analysis 2nd ed., p. 254: continuum 150..450, shifted to 0..300
PAGE_254 = {
    "i": [(75, 145, "c"), (220, 250, "c"), (30, 90, "k"), (150, 200, "k")],
    "j": [(70, 150, "c"), (205, 225, "c"), (250, 270, "c"), (30, 90, "k"), (150, 200, "k")],
}


def _project(tmp_path: Path, capsys, length: int, rows: list[tuple[int, int, str, str]]) -> Path:
    """A project holding one document of ``length`` characters and the rows as codings,
    imported from a CSV file with new codes."""
    text = ("We talked about the kit and the police and what comes after. " * 20)[:length]
    assert len(text) == length and text == text.strip()
    (tmp_path / "continuum.txt").write_text(text, encoding="utf-8")
    path = tmp_path / "u.qualbench"
    assert run(capsys, "create", path)[0] == 0
    assert run(capsys, "import", path, tmp_path / "continuum.txt")[0] == 0
    with (tmp_path / "codings.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["document", "start", "end", "code", "coder"])
        for start, end, code, coder in rows:
            w.writerow(["continuum", start, end, code, coder])
    code, _, err = run(
        capsys, "codings", "import", path, tmp_path / "codings.csv", "--create-codes"
    )
    assert code == 0, err
    return path


def test_figure_12_11_through_the_command_line(tmp_path: Path, capsys) -> None:
    rows = [
        (a - 1, b, f"value {v}", coder) for coder, spans in FIG_12_11.items() for a, b, v in spans
    ]
    path = _project(tmp_path, capsys, 60, rows)
    coders = [x for c in FIG_12_11 for x in ("--coder", c)]
    code, out, err = run(capsys, "agree", path, *coders, "--unitized", "--json")
    assert code == 0, err
    data = json.loads(out)
    family = data["family"]
    assert family["u_alpha"]["value"] == pytest.approx(0.510, abs=5e-4)
    assert family["cu_alpha"]["value"] == pytest.approx(0.724, abs=5e-4)
    assert family["binary"]["value"] == pytest.approx(0.4136, abs=1e-4)  # book: .413 (rounded)
    assert data["code_points"] == 60 and data["segments"] == {"Alex": 6, "Paul": 4, "Suzan": 6}
    k = {c["code"]: c["k"] for c in data["codes"]}
    assert [k[f"value {v}"]["value"] for v in (1, 5, 6)] == [1.0, 1.0, 1.0]
    assert k["value 7"]["value"] is None and "overlaps" in k["value 7"]["undefined"]
    # one document: no bootstrap over documents, and the output says why
    assert "at least 2 documents" in family["u_alpha"]["interval"]["undefined"]
    assert "Two touching codings with the same code" in " ".join(data["notes"])

    code, out, _ = run(
        capsys, "agree", path, *coders, "--unitized", "--methods", "--out", tmp_path / "u.xlsx"
    )
    assert code == 0 and "uα" in out and "0.510" in out and "Krippendorff, Mathet" in out
    wb = load_workbook(tmp_path / "u.xlsx")
    assert wb.sheetnames == ["Unitized alphas", "Methods", "About"]
    table = list(wb["Unitized alphas"].iter_rows(values_only=True))
    u = next(r for r in table if r[0] == "(all codes)" and r[1] == "uα")
    assert u[2] == pytest.approx(0.510, abs=5e-4)
    assert "no transcript text" in dict(wb["About"].iter_rows(values_only=True))["Contents"]


def test_page_254_through_the_command_line(tmp_path: Path, capsys) -> None:
    rows = [(a, b, code, coder) for coder, spans in PAGE_254.items() for a, b, code in spans]
    path = _project(tmp_path, capsys, 300, rows)
    code, _, err = run(
        capsys, "agree", path, "--coder", "i", "--coder", "j", "--unitized", "--out",
        tmp_path / "u.csv",
    )  # fmt: skip
    assert code == 0, err
    with (tmp_path / "u.csv").open(encoding="utf-8-sig", newline="") as f:
        table = {(r["code"], r["coefficient"]): r for r in csv.DictReader(f)}
    c = table[("c", "u-α (1995)")]
    assert float(c["observed disagreement"]) == pytest.approx(0.0144, abs=5e-5)
    assert float(c["expected disagreement"]) == pytest.approx(0.0532, abs=5e-5)
    assert float(c["value"]) == pytest.approx(0.7286, abs=5e-5)
    assert float(table[("k", "u-α (1995)")]["value"]) == 1.0
    overall = float(table[("(all codes)", "u-α (1995)")]["value"])
    assert overall == pytest.approx(0.8587, abs=5e-5)  # printed .8591 from rounded parts


def test_unitized_intervals_on_the_sample(tmp_path: Path, capsys) -> None:
    """Six documents, two coders: every study-wide coefficient gets a bootstrap interval around
    it, and the same seed gives the same interval."""
    path = tmp_path / "s.qualbench"
    assert run(capsys, "demo", "--project", path)[0] == 0
    args = ["agree", path, "--coder", "ana", "--coder", "ben", "--unitized", "--json"]
    code, out, err = run(capsys, *args, "--resamples", "200")
    assert code == 0, err
    data = json.loads(out)
    for key in ("u_alpha", "binary", "cu_alpha", "Cu_alpha", "u1995_overall"):
        value, i = data["family"][key]["value"], data["family"][key]["interval"]
        assert i["low"] <= value <= i["high"] and i["resamples"] == 200
        assert set(i["probability_below"]) == {"0.667", "0.8"}
    again = json.loads(run(capsys, *args, "--resamples", "200")[1])
    assert again["family"]["u_alpha"]["interval"] == data["family"]["u_alpha"]["interval"]
    other = json.loads(run(capsys, *args, "--resamples", "200", "--seed", "7")[1])
    assert other["family"]["u_alpha"]["interval"] != data["family"]["u_alpha"]["interval"]
