"""Reading many files in worker processes gives exactly what reading them one by one gives."""

from __future__ import annotations

from pathlib import Path

from importers import ImportProblem, read_transcripts


def _docx(path: Path, lines: list[str]) -> Path:
    import docx

    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    d.save(str(path))
    return path


def test_parallel_reading_matches_serial(tmp_path: Path) -> None:
    paths = [
        _docx(
            tmp_path / f"t{i:02d}.docx", [f"P{j % 3 + 1}: line {j} of file {i}" for j in range(20)]
        )
        for i in range(10)
    ]
    broken = tmp_path / "t99.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    paths.append(broken)
    serial = list(read_transcripts(paths, workers=1))
    parallel = list(read_transcripts(paths, workers=3))
    assert [p for p, _ in parallel] == paths
    assert [r for _, r in parallel[:-1]] == [r for _, r in serial[:-1]]
    assert all(len(r.turns) == 20 for _, r in parallel[:-1])  # type: ignore[union-attr]
    problem = parallel[-1][1]
    assert isinstance(problem, ImportProblem) and problem.path == str(broken)


def test_closing_early_stops_reading(tmp_path: Path) -> None:
    paths = [_docx(tmp_path / f"t{i:02d}.docx", [f"P1: file {i}"]) for i in range(12)]
    reading = read_transcripts(paths, workers=2)
    first = next(reading)
    reading.close()
    assert first[0] == paths[0]
