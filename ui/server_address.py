"""Where a server project lives: host, port, database and login (the Qt-free state of the
"Open server project" dialog), to and from a URL. A password is never part of an address: it is
used for one connection and kept in memory only, so recent projects and settings never hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from qualbench.errors import UserError

DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432
_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_server_url(target: object) -> bool:
    """A database URL (``scheme://...``), as opposed to a project file path."""
    return isinstance(target, str) and "://" in target


@dataclass(frozen=True)
class ServerAddress:
    """A team project on a PostgreSQL server, as the login sees it."""

    host: str = "localhost"
    port: int = DEFAULT_PORT
    database: str = ""
    login: str = ""
    options: tuple[tuple[str, str], ...] = ()  # libpq parameters kept from a pasted URL (sslmode)

    @classmethod
    def parse(cls, text: str) -> tuple[ServerAddress, str | None]:
        """A URL (``postgresql://login[:password]@host[:port]/database[?sslmode=...]``) as an
        address and the password written in it, if any."""
        text = text.strip()
        try:
            url = make_url(text)
        except ArgumentError:
            raise UserError(
                f"{text.split('@')[-1]!r} is not a server URL; it looks like "
                "postgresql://login@host:5432/database"
            ) from None
        if url.drivername not in _SCHEMES:
            raise UserError(
                f"{url.drivername}:// is not a PostgreSQL URL (postgresql://login@host/database)"
            )
        query = url.query
        password = url.password if url.password else query.get("password")
        options = tuple(
            (k, v if isinstance(v, str) else v[-1])
            for k, v in sorted(query.items())
            if k != "password"
        )
        address = cls(
            host=url.host or "localhost",
            port=url.port or DEFAULT_PORT,
            database=url.database or "",
            login=url.username or "",
            options=options,
        )
        return address, (str(password) if password else None)

    def problems(self) -> list[str]:
        """What is missing before a connection can be tried (empty: nothing)."""
        missing = [
            label
            for label, value in (
                ("the server's host name", self.host),
                ("the database", self.database),
                ("your login", self.login),
            )
            if not value.strip()
        ]
        out = [f"enter {m}" for m in missing]
        if not 0 < self.port < 65536:
            out.append(f"port {self.port} is not a port number (PostgreSQL listens on 5432)")
        return out

    def url(self) -> str:
        """The URL to open and to remember: never with a password."""
        return URL.create(
            DRIVER,
            username=self.login.strip(),
            host=self.host.strip(),
            port=self.port,
            database=self.database.strip(),
            query=dict(self.options),
        ).render_as_string(hide_password=False)

    @property
    def label(self) -> str:
        """``login@host:port/database``: how the window and menus name the project."""
        return f"{self.login}@{self.host}:{self.port}/{self.database}"


def without_password(url: str) -> str:
    """``url`` as it may be written to settings: no password, in the user part or the query."""
    address, _ = ServerAddress.parse(url)
    return address.url()


def server_label(url: str) -> str:
    """``login@host:port/database`` of a server URL (the URL itself if it cannot be read)."""
    try:
        return ServerAddress.parse(url)[0].label
    except UserError:
        return url.split("@")[-1]
