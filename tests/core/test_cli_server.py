"""Issue 8 on the command line: server init, add-member, members (real PostgreSQL)."""

from __future__ import annotations

import json
import secrets

import pytest
from sqlalchemy.engine import make_url

from qualbench.cli import main
from qualbench.server import me
from qualbench.store import open_project

pytestmark = pytest.mark.postgres


def run(capsys, *args: object) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_init_add_members_and_list_them(
    pg_project_url: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = secrets.token_hex(3)
    monkeypatch.setenv("QB_LEAD_PW", "lead-secret")
    monkeypatch.setenv("QB_ANA_PW", "ana-secret")
    code, out, _ = run(
        capsys, "server", "init", pg_project_url, "--name", "Naloxone study",
        "--lead", "Lena", "--login", f"lena_{suffix}", "--password-env", "QB_LEAD_PW",
    )  # fmt: skip
    assert code == 0 and "created the project" in out and "lead: Lena" in out
    code, out, _ = run(
        capsys, "server", "add-member", pg_project_url, "Ana", "--login", f"ana_{suffix}",
        "--password-env", "QB_ANA_PW",
    )  # fmt: skip
    assert code == 0 and "coder: Ana" in out
    ana = make_url(pg_project_url).set(username=f"ana_{suffix}", password="ana-secret")
    code, out, _ = run(
        capsys, "server", "members", ana.render_as_string(hide_password=False), "--json"
    )
    team = {m["name"]: m["role"] for m in json.loads(out)}
    assert code == 0 and team == {"Lena": "lead", "Ana": "coder"}
    code, out, _ = run(capsys, "info", ana.render_as_string(hide_password=False))
    assert code == 0 and "you are Ana (coder)" in out and "ana-secret" not in out
    with open_project(ana.render_as_string(hide_password=False)) as p, p.read() as s:
        assert me(s).name == "Ana"  # type: ignore[union-attr]
    code, out, _ = run(capsys, "server", "init", pg_project_url)  # again: only the team set-up
    assert code == 0 and "created" not in out


def test_a_bad_login_is_one_clear_line(pg_project_url: str, capsys) -> None:
    run(capsys, "server", "init", pg_project_url)
    code, _, err = run(
        capsys, "server", "add-member", pg_project_url, "Ana", "--login", "Ana Lopez"
    )
    assert code == 1 and "login 'Ana Lopez'" in err and "Traceback" not in err


def test_members_of_a_project_file_is_refused(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "local.qualbench"
    assert run(capsys, "create", path)[0] == 0
    code, _, err = run(capsys, "server", "members", path)
    assert code == 1 and "is not a team project" in err
