"""A .qdpx is an untrusted zip of XML: hostile archives are refused with a one-line message
naming the file and the problem, and the project is unchanged afterwards."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qualbench.progress import Cancelled
from qualbench.refi import Limits, RefiError, create_from_refi, import_refi
from qualbench.store import Project
from tests.core import refi_fixtures as fx
from tests.core.test_cli import dump

CODEBOOK = (
    '<CodeBook><Codes><Code guid="5215cc69-b628-4e02-afb9-9beeaee55808" name="X" isCodable="true"/>'
    "</Codes></CodeBook>"
)
GOOD = fx.project_xml("test", CODEBOOK)


def _refused(project: Project, path: Path, pattern: str, **kw: object) -> str:
    before = dump(project.path)  # type: ignore[arg-type]
    with pytest.raises(RefiError, match=pattern) as info:
        import_refi(project, path, **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert dump(project.path) == before  # type: ignore[arg-type]
    return message


@pytest.mark.parametrize(
    "member",
    ["../evil.txt", "sources/../../evil.txt", "/etc/evil.txt", "C:/evil.txt", "..\\evil.txt"],
)
def test_path_traversal_in_member_names(tmp_path: Path, project: Project, member: str) -> None:
    path = fx.qdpx(tmp_path / "bad.qdpx", GOOD, {member: b"x"})
    _refused(project, path, "path traversal")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_source_path_pointing_outside_the_sources_folder(tmp_path: Path, project: Project) -> None:
    body = '<Sources><TextSource guid="e1" name="etc" plainTextPath="internal://../../etc/passwd"/></Sources>'
    report = import_refi(project, fx.qdpx(tmp_path / "p.qdpx", fx.project_xml("x", body)))
    assert any("not a file in the sources folder" in x.why for x in report.lost)
    assert "documents" not in report.carried


def test_zip_bomb_by_ratio(tmp_path: Path, project: Project) -> None:
    body = '<Sources><TextSource guid="a1" name="a" plainTextPath="internal://a.txt"/></Sources>'
    path = fx.qdpx(
        tmp_path / "bomb.qdpx", fx.project_xml("x", body), {"sources/a.txt": b"\0" * (3 << 20)}
    )
    _refused(project, path, "zip bomb")


def test_oversized_member_and_archive(tmp_path: Path, project: Project) -> None:
    body = '<Sources><TextSource guid="a1" name="a" plainTextPath="internal://a.txt"/></Sources>'
    text = "".join(f"line {n} of a long transcript\n" for n in range(20000)).encode()
    path = fx.qdpx(tmp_path / "big.qdpx", fx.project_xml("x", body), {"sources/a.txt": text})
    _refused(project, path, "refused", limits=Limits(member_bytes=100_000))
    _refused(project, path, r"files over \d+ MB are refused", limits=Limits(archive_bytes=1000))
    _refused(project, path, "in all", limits=Limits(total_bytes=200_000))


def test_oversized_xml_too_many_members_too_deep(tmp_path: Path, project: Project) -> None:
    path = fx.qdpx(tmp_path / "x.qdpx", GOOD, {f"sources/{n}.txt": b"x" for n in range(5)})
    _refused(project, path, "more than 3 are refused", limits=Limits(max_members=3))
    _refused(project, path, "would unpack|refused", limits=Limits(xml_bytes=100))
    _refused(project, path, "nested deeper than 3", limits=Limits(max_depth=3))
    _refused(project, path, "more than 2 XML elements", limits=Limits(max_elements=2))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&lol9;"/>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Description>&secret;</Description></Project>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE Project SYSTEM "http://example.com/evil.dtd">
<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY % remote SYSTEM "http://example.com/x.dtd"> %remote;]>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY])
def test_dtds_and_entities_are_refused(tmp_path: Path, project: Project, xml: str) -> None:
    _refused(project, fx.qdpx(tmp_path / "x.qdpx", xml), "document type declaration")


def test_dtd_in_a_codebook_is_refused(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "x.qdc"
    path.write_text(BILLION_LAUGHS.replace("Project", "CodeBook"), encoding="utf-8")
    _refused(project, path, "document type declaration")


def test_damaged_and_wrong_files(tmp_path: Path, project: Project) -> None:
    (tmp_path / "text.qdpx").write_text("not a zip", encoding="utf-8")
    _refused(project, tmp_path / "text.qdpx", "not a .qdpx")
    with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    _refused(project, tmp_path / "empty.qdpx", "no project.qde")
    _refused(project, fx.qdpx(tmp_path / "bad.qdpx", "<Project"), "not well-formed XML")
    _refused(project, fx.qdpx(tmp_path / "cb.qdpx", "<CodeBook/>"), "not a REFI-QDA project")
    _refused(project, tmp_path / "missing.qdpx", "does not exist")
    (tmp_path / "zero.qdpx").write_bytes(b"")
    _refused(project, tmp_path / "zero.qdpx", "is empty")


def test_encrypted_member_is_refused(tmp_path: Path, project: Project) -> None:
    path = fx.qdpx(tmp_path / "enc.qdpx", GOOD, {"sources/a.txt": b"secret"})
    data = bytearray(path.read_bytes())
    # set the "encrypted" flag of every entry (local headers and central directory)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i != -1:
            data[i + offset] |= 1
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))
    _refused(project, path, "encrypted")


def test_a_failure_while_writing_rolls_everything_back(
    tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualbench.refi import apply

    f = fx.nvivo_windows_like(tmp_path)
    before = dump(project.path)  # type: ignore[arg-type]

    def boom(self: object, refs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply.Writer, "memos", boom)
    with pytest.raises(RuntimeError):
        import_refi(project, f.path)
    assert dump(project.path) == before  # type: ignore[arg-type]


def test_cancel_leaves_the_project_unchanged(tmp_path: Path, project: Project) -> None:
    f = fx.nvivo_windows_like(tmp_path)
    before = dump(project.path)  # type: ignore[arg-type]
    with pytest.raises(Cancelled):
        import_refi(project, f.path, cancel=lambda: True)
    calls = iter([False] + [True] * 10)  # reading goes on; the write is cancelled
    with pytest.raises(Cancelled):
        import_refi(project, f.path, cancel=lambda: next(calls))
    assert dump(project.path) == before  # type: ignore[arg-type]


def test_a_failed_create_leaves_no_project(tmp_path: Path) -> None:
    path = fx.qdpx(tmp_path / "x.qdpx", BILLION_LAUGHS)
    target = tmp_path / "new.qualbench"
    with pytest.raises(RefiError):
        create_from_refi(target, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.qdpx"]


def test_a_failure_after_creating_removes_the_new_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualbench.refi import apply

    f = fx.maxqda_like(tmp_path)
    monkeypatch.setattr(apply.Writer, "memos", lambda self, refs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        create_from_refi(tmp_path / "new.qualbench", f.path)
    assert not list(tmp_path.glob("new.qualbench*"))


def test_nothing_is_written_outside_the_project(tmp_path: Path, project: Project) -> None:
    """Importing reads the archive in memory; the only file written is a private temporary
    copy of a rich-text source, removed again."""
    import tempfile

    folder = tmp_path / "files"
    folder.mkdir()
    f = fx.nvivo_mac_like(folder)  # its text is read from a DOCX
    before = sorted(folder.rglob("*"))
    temp_before = set(Path(tempfile.gettempdir()).glob("qualbench-refi-*"))
    report = import_refi(project, f.path)
    assert report.carried["documents"] == 1
    assert sorted(folder.rglob("*")) == before
    assert set(Path(tempfile.gettempdir()).glob("qualbench-refi-*")) == temp_before
