"""PostgreSQL fixtures: one throwaway server per session, a fresh database per test.

Where PostgreSQL (or, as root, the ``postgres`` system user) is missing, the tests that use these
fixtures are skipped, unless ``QUALBENCH_REQUIRE_POSTGRES=1`` (set in CI): then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.core.pg_server import PostgresServer, PostgresUnavailable, start_server

REQUIRE_ENV = "QUALBENCH_REQUIRE_POSTGRES"


def _new_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server, stopped (and its folder removed) when the session ends."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        missing = str(exc)
    else:
        missing = ""
    if missing and os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{missing} ({REQUIRE_ENV}=1, so PostgreSQL is required)", pytrace=False)
    if missing:
        pytest.skip(f"no PostgreSQL for the store tests: {missing}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: PostgresServer) -> str:
    """URL of the running server's maintenance database (``postgres``); never holds a project."""
    return pg_server.url("postgres")


def _database(
    server: PostgresServer, *, template: str | None = None, icu_locale: str | None = None
) -> Iterator[str]:
    name = _new_name("qb_test")
    url = server.create_database(name, template=template, icu_locale=icu_locale)
    yield url
    if server.drop_database(name):
        pytest.fail(
            f"the test left connections open to {name}: close every Project it opens", pytrace=False
        )


@pytest.fixture
def pg_project_url(pg_server: PostgresServer) -> Iterator[str]:
    """URL of a new, empty database, dropped after the test."""
    yield from _database(pg_server)


@pytest.fixture
def pg_icu_project_url(pg_server: PostgresServer) -> Iterator[str]:
    """Like ``pg_project_url``, but the database sorts text like an ``en-US`` server (ICU)."""
    if not pg_server.has_icu():
        pytest.skip("this PostgreSQL cannot give a database an ICU collation (needs 15+ with ICU)")
    yield from _database(pg_server, icu_locale="en-US")


@pytest.fixture(scope="session")
def _pg_sample_template(pg_server: PostgresServer) -> str:
    """A database holding the bundled sample project, built once per session with build_sample."""
    from qualbench.sample import build_sample

    name = _new_name("qb_sample")
    build_sample(pg_server.create_database(name)).close()
    return name  # dropped with the server


@pytest.fixture
def pg_sample_url(pg_server: PostgresServer, _pg_sample_template: str) -> Iterator[str]:
    """URL of a private copy of the sample project on PostgreSQL, dropped after the test."""
    yield from _database(pg_server, template=_pg_sample_template)
