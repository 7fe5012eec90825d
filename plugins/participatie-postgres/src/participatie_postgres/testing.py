"""A throwaway PostgreSQL server for tests and benchmarks.

:class:`TemporaryPostgres` runs the Debian server binaries (``initdb``,
``pg_ctl``) in a temporary directory and listens only on a Unix socket in
that directory, so it never clashes with another server on the machine and
nobody else can reach it. ``initdb`` refuses to run as root (a database
server must not own the machine), so as root it runs every server command
as an unprivileged user (``nobody`` unless ``PARTICIPATIE_PG_USER`` names
another) through ``runuser``, and hands that user the directory.

The plugin's own tests start one server per test session from this module,
and ``benchmarks/bench_postgres.py`` starts a durable one (``fsync`` on).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs
import psycopg

from participatie.exceptions import StorageError
from participatie_postgres._store import PostgresStore

__all__ = [
    "PostgresServerMissingError",
    "TemporaryPostgres",
    "find_server_binaries",
    "open_without_event_lock",
    "temporary_postgres",
]

#: The role ``initdb`` creates; it owns every database of the throwaway server.
SUPERUSER = "participatie"

_INSTALL_HINT = (
    "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql; "
    "`make test` does it when run as root) or set PARTICIPATIE_PG_BIN to the "
    "directory that holds initdb and pg_ctl"
)


class PostgresServerMissingError(StorageError):
    """The PostgreSQL server binaries (``initdb``, ``pg_ctl``) are not installed."""


def find_server_binaries() -> Path:
    """The directory with ``initdb`` and ``pg_ctl``: ``$PARTICIPATIE_PG_BIN``, or the newest
    ``/usr/lib/postgresql/<version>/bin``.

    Raises :class:`PostgresServerMissingError`, saying what to install, when
    there is none.
    """
    configured = os.environ.get("PARTICIPATIE_PG_BIN")
    candidates: list[Path] = []
    if configured:
        candidates.append(Path(configured))
    else:
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda path: [int(part) for part in re.findall(r"\d+", path.parent.name)],
            reverse=True,
        )
        candidates.extend(versions)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    where = configured or "/usr/lib/postgresql/*/bin"
    raise PostgresServerMissingError(f"no initdb and pg_ctl in {where}: {_INSTALL_HINT}")


def _free_port() -> int:
    # The port only names the socket file (.s.PGSQL.<port>); a free TCP port
    # keeps the name unique even if someone also enables TCP.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@attrs.define
class TemporaryPostgres:
    """One PostgreSQL server in a temporary directory, removed by :meth:`remove`.

    Attributes:
        bin_dir: Where ``initdb`` and ``pg_ctl`` are.
        durable: ``False`` (tests) turns ``fsync`` off for speed; ``True``
            (benchmarks) keeps the server's durable defaults, so figures are
            comparable with SQLite's ``synchronous=FULL``.
        root: The temporary directory (data, socket, log).
        port: The number in the socket's name.
        os_user: The user the server runs as (``None``: the current user).
    """

    bin_dir: Path = attrs.field(factory=find_server_binaries)
    durable: bool = False
    max_connections: int = 200
    root: Path = attrs.field(init=False)
    port: int = attrs.field(init=False, factory=_free_port)
    os_user: str | None = attrs.field(init=False)
    running: bool = attrs.field(init=False, default=False)

    def __attrs_post_init__(self) -> None:
        self.os_user = (
            os.environ.get("PARTICIPATIE_PG_USER", "nobody") if os.geteuid() == 0 else None
        )
        self.root = Path(tempfile.mkdtemp(prefix="participatie-pg-"))
        if self.os_user is not None:
            shutil.chown(self.root, user=self.os_user)

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """The directory holding the server's Unix socket."""
        return self.root

    def _run(self, *command: str) -> None:
        program = str(self.bin_dir / command[0])
        argv = [program, *command[1:]]
        if self.os_user is not None:
            argv = ["runuser", "-u", self.os_user, "--", *argv]
        # The programs are initdb/pg_ctl from bin_dir, the arguments our own.
        result = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise StorageError(
                f"{command[0]} failed with exit code {result.returncode}: "
                f"{result.stderr.strip() or result.stdout.strip()}\n{tail}"
            )

    def initialise(self) -> None:
        """Create the cluster (``initdb``) and write its settings."""
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions",
        )
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "port": str(self.port),
            "max_connections": str(self.max_connections),
            "shared_buffers": "'64MB'",
            "log_min_messages": "warning",
        }
        if not self.durable:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# participatie_postgres.testing\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        """Start the server (initialising the cluster the first time) and wait until it runs."""
        if not self.data_dir.exists():
            self.initialise()
        self._run("pg_ctl", "start", "-w", "-D", str(self.data_dir), "-l", self._log())
        self.running = True

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended, committed data is kept)."""
        if self.running:
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
            self.running = False

    def restart(self) -> None:
        """Stop and start again, as an administrator's ``pg_ctl restart`` does."""
        self._run(
            "pg_ctl", "restart", "-w", "-m", "fast", "-D", str(self.data_dir), "-l", self._log()
        )
        self.running = True

    def _log(self) -> str:
        log = self.root / "server.log"
        if not log.exists():
            log.touch()
            if self.os_user is not None:
                shutil.chown(log, user=self.os_user)
        return str(log)

    def remove(self) -> None:
        """Stop the server and delete the directory with everything in it."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def conninfo(self, database: str = "postgres") -> str:
        """A libpq connection string for ``database``."""
        return f"host={self.socket_dir} port={self.port} user={SUPERUSER} dbname={database}"

    def url(self, database: str = "postgres", **query: str) -> str:
        """The ``postgresql://`` store URL of ``database``; ``query`` adds ``schema=…`` and such."""
        params = {"host": str(self.socket_dir), "port": str(self.port), **query}
        text = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
        return f"postgresql://{SUPERUSER}@/{database}?{text}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create ``name`` (from ``template`` when given) and return its store URL."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            sql = f'CREATE DATABASE "{name}"'
            if template is not None:
                sql += f' TEMPLATE "{template}"'
            conn.execute(sql)  # a name from our own code
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, ending the sessions still connected to it."""
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def temporary_postgres(*, durable: bool = False) -> Iterator[TemporaryPostgres]:
    """A running :class:`TemporaryPostgres`, removed (data and all) afterwards."""
    server = TemporaryPostgres(durable=durable)
    try:
        server.start()
        yield server
    finally:
        server.remove()


def open_without_event_lock(url: str) -> PostgresStore:
    """A store that skips the event lock: for tests that the database's own check holds.

    Registrations then count and insert without excluding each other, which
    overbooks under concurrency; the capacity trigger must refuse every
    transaction that would (they fail with a
    :class:`~participatie.exceptions.StorageError`), so no session ends up
    with more holders than places. Never use it for anything else.
    """
    from participatie_postgres._store import _Lock, _Scope

    class _WithoutEventLock(PostgresStore):
        def _lock(self, conn: psycopg.Connection[Any], scope: _Scope) -> None:
            if scope.lock is not _Lock.EVENT:
                super()._lock(conn, scope)

    return _WithoutEventLock(url)
