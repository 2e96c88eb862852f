"""Importing files into a project: documents, turns, participants, duplicates, failures, cancel."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from qualbench.db import CASES, DOCUMENT, TURN
from qualbench.services.documents import import_files, list_documents

FOCUS_GROUP = (
    "Focus group 2, Bishkek\n\n"
    "[00:00:05] Moderator: Welcome. Who carries the kit?\n\n"
    "[00:00:12] P1: I do, every day.\n\n"
    "[00:00:20] P2: Not me, the police search us.\n\n"
    "[00:00:31] P3: Sometimes.\n"
)
INTERVIEW = "INTERVIEWER: How are you?\nRESPONDENT: Out for a week now.\n"


def _files(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "fg2.txt").write_text(FOCUS_GROUP, encoding="utf-8")
    (folder / "sub" / "interview.txt").write_text(INTERVIEW, encoding="utf-16")
    (folder / "z_copy.txt").write_text(
        FOCUS_GROUP.replace("\n", "\r\n"), encoding="utf-8"
    )  # same text
    (folder / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "empty.md").write_bytes(b"")
    (folder / "notes.xyz").write_text("ignored", encoding="utf-8")
    return folder


def test_folder_import_reports_every_file(project, tmp_path: Path) -> None:
    progress = []
    report = import_files(
        project, [_files(tmp_path)], progress=lambda d, t, s: progress.append((d, t))
    )
    assert [f.name for f in report.imported] == ["fg2", "interview"]
    assert [Path(d.path).name for d in report.duplicates] == ["z_copy.txt"]
    assert report.duplicates[0].existing == "fg2"
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert set(failed) == {"broken.txt", "empty.md"}
    assert "binary" in failed["broken.txt"] and "empty" in failed["empty.md"]
    assert [Path(u).name for u in report.unsupported] == ["notes.xyz"]
    assert progress[-1] == (5, 5)
    kinds = {f.name: f.kind for f in report.imported}
    assert kinds == {"fg2": "focus_group", "interview": "interview"}


def test_turns_and_participants_are_stored(project, tmp_path: Path) -> None:
    import_files(project, [_files(tmp_path) / "fg2.txt"])
    with project.read() as s:
        turns = s.execute(
            select(TURN.c.speaker, TURN.c.timestamp_ms, TURN.c.body_start, TURN.c.end).order_by(
                TURN.c.ordinal
            )
        ).all()
        text = s.execute(select(DOCUMENT.c.text)).scalar_one()
        cases = s.execute(select(CASES.c.name).order_by(CASES.c.name)).scalars().all()
        from qualbench.services.cases import values_of

        roles = {
            n: v["role"]
            for n, v in (
                (s.execute(select(CASES.c.name).where(CASES.c.id == k)).scalar(), v)
                for k, v in values_of(s, scope="case").items()
            )
        }
    assert [t.speaker for t in turns] == ["Moderator", "P1", "P2", "P3"]
    assert [t.timestamp_ms for t in turns] == [5000, 12000, 20000, 31000]
    assert text[turns[1].body_start : turns[1].end] == "I do, every day."
    assert cases == ["fg2: Moderator", "fg2: P1", "fg2: P2", "fg2: P3"]
    assert roles["fg2: Moderator"] == "moderator" and roles["fg2: P2"] == "participant"


def test_project_case_scope_joins_speakers_across_documents(project, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("P12: first interview\nINTERVIEWER: ok\n", encoding="utf-8")
    b.write_text("P12: second interview\nINTERVIEWER: fine\n", encoding="utf-8")
    import_files(project, [a, b], case_scope="project")
    with project.read() as s:
        assert s.execute(select(CASES.c.name).order_by(CASES.c.name)).scalars().all() == [
            "INTERVIEWER",
            "P12",
        ]


def test_same_name_in_another_folder_gets_the_folder_name(project, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "int.txt").write_text("P1: one", encoding="utf-8")
    (tmp_path / "y" / "int.txt").write_text("P1: two", encoding="utf-8")
    report = import_files(project, [tmp_path / "x", tmp_path / "y"])
    assert [f.name for f in report.imported] == ["int", "int (y)"]


def test_reimport_is_idempotent(project, tmp_path: Path) -> None:
    folder = _files(tmp_path)
    import_files(project, [folder])
    again = import_files(project, [folder])
    assert again.imported == [] and len(again.duplicates) == 3
    with project.read() as s:
        assert s.execute(select(func.count()).select_from(DOCUMENT)).scalar_one() == 2


def test_cancel_keeps_what_was_imported(project, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(6):
        (folder / f"t{i}.txt").write_text(f"P1: transcript number {i}\nP2: yes\n", encoding="utf-8")
    seen = []
    report = import_files(
        project, [folder], progress=lambda d, t, s: seen.append(d), cancel=lambda: len(seen) >= 3
    )
    assert report.cancelled and len(report.imported) == 3
    with project.read() as s:
        assert len(list_documents(s)) == 3


def test_list_documents_counts(project, tmp_path: Path) -> None:
    import_files(project, [_files(tmp_path)])
    with project.read() as s:
        rows = {r.name: r for r in list_documents(s)}
    assert (
        rows["fg2"].turns == 4
        and rows["fg2"].speakers == 4
        and rows["fg2"].word_count == len(FOCUS_GROUP.split())
    )
    assert rows["interview"].source_name == "interview.txt"


def test_count_words_matches_split_across_chunk_boundaries() -> None:
    from qualbench.services.documents import count_words

    text = ("word " * 300_000) + "x" * (1 << 20) + " tail\n\nend"
    assert count_words(text) == len(text.split())
    assert count_words("") == 0 and count_words("  \n ") == 0


def test_decomposed_file_names_are_stored_composed(project, tmp_path: Path) -> None:
    import unicodedata

    from qualbench.services.documents import resolve_document

    name = unicodedata.normalize("NFD", "Entrevista José.txt")
    (tmp_path / name).write_text("P1: hola\nP2: sí\n", encoding="utf-8")
    report = import_files(project, [tmp_path / name])
    assert report.imported[0].name == "Entrevista José"
    with project.read() as s:
        assert (
            resolve_document(s, unicodedata.normalize("NFD", "Entrevista José"))
            == report.imported[0].document_id
        )
