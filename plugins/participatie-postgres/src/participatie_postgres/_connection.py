"""Store URLs, and the small adapter that lets the SQLite primitives run on psycopg.

The SQLite backend's :class:`~participatie.storage.Tx` primitives are
plain, portable SQL with ``?`` placeholders. Rather than write every one of
them a second time (and let the two copies drift apart), the PostgreSQL
transaction object inherits them and hands them :class:`SQLConnection`, which
speaks the part of :class:`sqlite3.Connection` they use: ``execute`` and
``executemany`` returning a cursor with ``fetchone``, iteration, ``rowcount``
and ``lastrowid``, and rows readable by position and by column name (like
:class:`sqlite3.Row`). :func:`translate` rewrites the few SQLite spellings
they contain. A primitive added to the SQLite backend later therefore runs
on PostgreSQL as it is, when its SQL is portable; where it is not (or where
PostgreSQL needs a lock SQLite does not), the PostgreSQL transaction
overrides it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs
import psycopg
from psycopg.rows import RowMaker

from participatie.exceptions import InvalidInputError

__all__ = ["Row", "SQLConnection", "StoreSettings", "parse_url", "translate"]

#: Tables whose rows get their ``id`` from an identity column: an ``INSERT``
#: into one of them reports the new id as ``lastrowid``, as in SQLite.
ID_TABLES = frozenset(
    {
        "persons",
        "registrations",
        "registration_log",
        "privacy_log",
        "outbox",
        "feedback_contributions",
        "feedback_rounds",
    }
)

_SCHEMES = ("postgresql", "postgres")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@attrs.frozen
class StoreSettings:
    """What a ``postgresql://`` URL asks for, beyond the connection itself.

    Attributes:
        conninfo: The URL without participatie's own parameters, for libpq.
        schema: The PostgreSQL schema holding participatie's tables
            (``public`` unless ``schema=`` is given): several independent
            stores can share one database.
        pool_min_size: Connections each store keeps open (``pool_min_size=``).
        pool_max_size: At most this many at once (``pool_max_size=``); one
            per thread that uses the store at the same moment.
        pool_timeout: Seconds to wait for a connection before giving up with
            :class:`~participatie_postgres.DatabaseUnavailableError`
            (``pool_timeout=``).
        retries: How often a transaction that lost a deadlock or a
            serialization conflict is run again before the caller hears of
            it (``retries=``).
    """

    conninfo: str
    schema: str = "public"
    pool_min_size: int = 1
    pool_max_size: int = 8
    pool_timeout: float = 10.0
    retries: int = 10


_OWN = {
    "schema": str,
    "pool_min_size": int,
    "pool_max_size": int,
    "pool_timeout": float,
    "retries": int,
}


def parse_url(url: str) -> StoreSettings:
    """The settings in a ``postgresql://`` (or ``postgres://``) store URL."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        raise InvalidInputError(f"not a postgresql:// URL: {url!r}")
    kept: list[tuple[str, str]] = []
    own: dict[str, Any] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in _OWN:
            try:
                own[name] = _OWN[name](value)
            except ValueError as error:
                raise InvalidInputError(f"{name}={value!r} in the store URL: {error}") from error
        else:
            kept.append((name, value))
    schema = own.get("schema", "public")
    if not _IDENTIFIER.fullmatch(schema):
        raise InvalidInputError(
            f"schema={schema!r}: use lower-case letters, digits and underscores (at most 63)"
        )
    settings = StoreSettings(
        conninfo=urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(kept), "")),
        **own,
    )
    if not 1 <= settings.pool_min_size <= settings.pool_max_size:
        raise InvalidInputError("the store URL needs 1 <= pool_min_size <= pool_max_size")
    if settings.pool_timeout <= 0 or settings.retries < 0:
        raise InvalidInputError("the store URL needs pool_timeout > 0 and retries >= 0")
    return settings


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """SQLite's SQL as PostgreSQL reads it: ``?`` → ``%s``, and the few SQLite-only words.

    The primitives never put a ``?`` inside a literal (values are always
    parameters), so every ``?`` is a placeholder; a literal ``%`` is doubled
    for psycopg.
    """
    out = sql.replace("%", "%%").replace("?", "%s")
    if "INSERT OR IGNORE" in out:
        out = out.replace("INSERT OR IGNORE", "INSERT") + " ON CONFLICT DO NOTHING"
    # SQLite accepts an empty list (``x IN ()`` is false, ``x NOT IN ()``
    # true); PostgreSQL refuses it as a syntax error.
    out = _EMPTY_NOT_IN.sub("TRUE", out)
    out = _EMPTY_IN.sub("FALSE", out)
    return re.sub(r"\binstr\(", "strpos(", out)


_EMPTY_NOT_IN = re.compile(r"[\w.]+\s+NOT\s+IN\s*\(\s*\)", re.IGNORECASE)
_EMPTY_IN = re.compile(r"[\w.]+\s+IN\s*\(\s*\)", re.IGNORECASE)


_INSERT_TABLE = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


class Row(tuple[Any, ...]):
    """A result row readable by position (``row[0]``) and by column name (``row["id"]``)."""

    _names: Mapping[str, int]

    def __new__(cls, values: Sequence[Any], names: Mapping[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(self._names[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        """The column names, in order (as :meth:`sqlite3.Row.keys`)."""
        return list(self._names)


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    """psycopg row factory making :class:`Row` objects."""
    names = {column.name: index for index, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, names)

    return make


def _params(values: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...]:
    # SQLite stores booleans as 0/1 in INTEGER columns; so does this schema.
    return tuple(int(value) if isinstance(value, bool) else value for value in values)


class Cursor:
    """The result of one :meth:`SQLConnection.execute`, as a :class:`sqlite3.Cursor` offers it.

    In pipeline mode a statement's result arrives later; reading anything of
    it (rows, ``rowcount``) first sends what is queued and waits for it.
    """

    def __init__(
        self,
        cursor: psycopg.Cursor[Row],
        pipeline: psycopg.Pipeline | None,
        lastrowid: int | None = None,
    ) -> None:
        self._cursor = cursor
        self._pipeline = pipeline
        self.lastrowid = lastrowid

    def _result(self) -> psycopg.Cursor[Row]:
        if self._pipeline is not None and self._cursor.pgresult is None:
            self._pipeline.sync()
        return self._cursor

    @property
    def rowcount(self) -> int:
        """Rows the statement changed (as :attr:`sqlite3.Cursor.rowcount`)."""
        return self._result().rowcount

    def fetchone(self) -> Row | None:
        """The next row, or ``None``."""
        cursor = self._result()
        return None if cursor.description is None else cursor.fetchone()

    def fetchall(self) -> list[Row]:
        """Every remaining row."""
        cursor = self._result()
        return [] if cursor.description is None else cursor.fetchall()

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class SQLConnection:
    """The part of :class:`sqlite3.Connection` the shared primitives use, on psycopg.

    With a ``pipeline`` (psycopg's pipeline mode), a statement whose result
    nobody reads at once (a log entry, a state change) costs no round trip of
    its own: it travels with the next statement whose result is read.
    """

    def __init__(
        self, connection: psycopg.Connection[Any], pipeline: psycopg.Pipeline | None = None
    ) -> None:
        self.connection = connection
        self.pipeline = pipeline

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        """Run one statement; an ``INSERT`` into an :data:`ID_TABLES` table sets ``lastrowid``."""
        text = translate(sql)
        cursor = self.connection.cursor(row_factory=row_factory)
        match = _INSERT_TABLE.match(text)
        if match and match.group(1) in ID_TABLES and "RETURNING" not in text:
            cursor.execute(text + " RETURNING id", _params(parameters))
            row = cursor.fetchone()
            return Cursor(cursor, self.pipeline, None if row is None else int(row[0]))
        cursor.execute(text, _params(parameters))
        return Cursor(cursor, self.pipeline)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Cursor:
        """Run one statement for each parameter row; ``rowcount`` is the total."""
        cursor = self.connection.cursor(row_factory=row_factory)
        cursor.executemany(translate(sql), [_params(row) for row in rows])
        return Cursor(cursor, self.pipeline)
