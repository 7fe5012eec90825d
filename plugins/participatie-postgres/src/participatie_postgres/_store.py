"""The ``postgresql://`` backend: one database for many application servers and workers.

It keeps every guarantee of the SQLite backend, across processes and
machines, the same way: :class:`~participatie.storage.LedgerStore` runs the
registration and feedback algorithms inside :meth:`PostgresStore._transaction`,
and that transaction takes its lock *before its first read*.

Locks (transaction-level advisory locks, released at commit or rollback):

- By default a transaction takes the **store lock** exclusively: nothing
  else that writes runs at the same time, exactly like SQLite's
  ``BEGIN IMMEDIATE``. Every operation is correct under it, including those
  that touch several events (erasure, ``save_event``, feedback rounds).
- The busy operations on one event (``register``, ``register_many``,
  ``change_state``) take the store lock *shared* and the **event lock**
  exclusively, so registrations for different events run in parallel while
  two for the same event queue. (``expire_offers``, which walks every
  event, keeps the store lock.)
- The outbox needs no advisory lock: a claim takes due rows with
  ``FOR UPDATE SKIP LOCKED`` (several dispatchers share the work, none
  claims a row another holds) and a delivery outcome locks its row
  ``FOR UPDATE``. Queueing (``INSERT … ON CONFLICT DO NOTHING``) takes
  the store lock shared, so that a purge of sent messages, which takes it
  exclusively, cannot let a purged key be queued again.
- Plain reads take no lock and are never blocked by writers: a read of one
  statement runs on its own, a read of several (``count_places``,
  ``list_events``, ``history``) in a ``REPEATABLE READ, READ ONLY``
  transaction, one consistent snapshot.

Every transaction runs in psycopg's pipeline mode: a statement whose result
is not read at once (a log entry, a change of state) is sent with the next
one that is, which saves a round trip each.

A new :class:`~participatie.storage.Tx` primitive of the SQLite backend runs
here unchanged when its SQL is portable (see ``participatie_postgres._connection``); one that
needs a row lock SQLite does not, or SQL PostgreSQL does not speak, is
overridden in :class:`_PostgresTx`, and an operation that may run under a
narrower lock than the store lock gets an override in :class:`PostgresStore`
that sets its scope.

Transactions run in ``READ COMMITTED``: once the lock is held, each statement
sees everything committed before, so counts are current. A deadlock (40P01)
or serialization failure (40001) rolls the transaction back completely; the
store runs the whole operation again, a bounded number of times
(``retries=``), and only then raises :class:`DatabaseBusyError`. A lost
connection raises :class:`DatabaseUnavailableError`; what was committed
before stays committed (PostgreSQL's write-ahead log), and the pool opens new
connections once the server is back.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar, cast

import attrs
import psycopg
import psycopg.conninfo
import psycopg.errors
import psycopg.sql
import psycopg_pool

from participatie.exceptions import (
    SchemaVersionError,
    StorageError,
    UnknownEventError,
    UnknownRegistrationError,
)
from participatie.model import (
    Consent,
    Event,
    Person,
    Registration,
    RegistrationState,
    Transition,
)
from participatie.outbox import DeliveryState, OutboxRecord, OutgoingMessage
from participatie.storage import BulkResult, Outcome, PlaceCount
from participatie.storage._base import LedgerStore, Scrubbed, Tx
from participatie.storage._codec import from_utc_text, to_utc_text
from participatie.storage.sqlite import (
    _OUTBOX_COLUMNS,
    _REGISTRATION_COLUMNS,
    _outbox_record,
    _person_values,
    _registration,
    _registration_values,
    _SQLiteTx,
    registrations_query,
)
from participatie_postgres._connection import Row, SQLConnection, StoreSettings, parse_url
from participatie_postgres._schema import MIGRATIONS, VERSION_TABLE

__all__ = ["DatabaseBusyError", "DatabaseUnavailableError", "PostgresStore"]

P = ParamSpec("P")
R = TypeVar("R")

#: First key of every advisory lock this backend takes (``'part'`` in ASCII),
#: so that locks taken by other applications in the same database never collide.
_LOCK_SPACE_STORE = 0x70617274
_LOCK_SPACE_EVENT = 0x70617275


#: What a lost conflict raises (SQLSTATE class 40). In psycopg 3.3
#: SerializationFailure and DeadlockDetected derive from OperationalError
#: directly, not from TransactionRollback, so all three are named.
_CONFLICTS = (
    psycopg.errors.SerializationFailure,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.TransactionRollback,
)


class DatabaseUnavailableError(StorageError):
    """PostgreSQL cannot be reached (down, restarting, network, or too many clients).

    Nothing of the failed operation is kept unless it had committed; when the
    connection broke during ``COMMIT`` itself the outcome is unknown to the
    client, so look before repeating something that must not happen twice
    (registering is safe: a second attempt is refused as a duplicate).
    """


class DatabaseBusyError(StorageError):
    """A transaction lost deadlocks or serialization conflicts more often than the
    store retries (``retries=`` in the URL); nothing of it was kept."""


class _Lock(enum.Enum):
    STORE = "store"  # exclusive store lock: excludes every other writer
    EVENT = "event"  # shared store lock + exclusive lock on one event
    SHARED = "shared"  # shared store lock: excludes only store-wide operations
    ROWS = "rows"  # row locks only (the outbox)
    READ = "read"  # a read-only snapshot


@attrs.frozen
class _Scope:
    lock: _Lock
    event_key: str | None = None


_STORE_SCOPE = _Scope(_Lock.STORE)


class _PostgresTx(_SQLiteTx):
    """The SQLite primitives on PostgreSQL, with the overrides PostgreSQL needs."""

    def __init__(self, db: SQLConnection, events: dict[str, Event]) -> None:
        # The inherited primitives only call execute/executemany on it.
        super().__init__(cast(sqlite3.Connection, db), events)
        self._pg = db

    def write_event(self, event: Event, now: datetime) -> None:
        super().write_event(event, now)
        # Capacities are copied into the sessions table for the database's
        # own overbooking check (migration 7).
        self._pg.executemany(
            "UPDATE sessions SET capacity = ? WHERE event_key = ? AND key = ?",
            [(session.capacity, event.key, session.key) for session in event.sessions],
        )

    def first_waiting(self, event_key: str, session_key: str, limit: int | None) -> list[int]:
        # SQLite reads LIMIT -1 as "no limit"; PostgreSQL reads LIMIT NULL so.
        rows = self._pg.execute(
            "SELECT id FROM registrations WHERE event_key = ? AND session_key = ? "
            "AND state = 'waitlisted' ORDER BY id LIMIT ?",
            (event_key, session_key, limit),
        )
        return [int(row[0]) for row in rows]

    def upsert_persons(self, persons: Sequence[Person]) -> list[int]:
        # One statement for all (SQLite runs one per person): rows are locked
        # in e-mail order, so two bulk loads that share people cannot deadlock.
        if not persons:
            return []
        latest = {person.email: person for person in persons}  # the last one wins
        ordered = sorted(latest.values(), key=lambda person: person.email)
        columns = list(zip(*(_person_values(person) for person in ordered), strict=True))
        rows = self._pg.connection.execute(
            "INSERT INTO persons (email, name, audience, organisation, phone, language, "
            "age_category) SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::text[]) AS u ORDER BY 1 "
            "ON CONFLICT (email) DO UPDATE SET name = excluded.name, "
            "audience = excluded.audience, organisation = excluded.organisation, "
            "phone = excluded.phone, language = excluded.language, "
            "age_category = excluded.age_category RETURNING email, id",
            [list(column) for column in columns],
        ).fetchall()
        ids = {str(email): int(person_id) for email, person_id in rows}
        return [ids[person.email] for person in persons]

    def insert_registrations(
        self,
        event_key: str,
        session_key: str,
        rows: Sequence[tuple[int, RegistrationState, Consent | None]],
        now: datetime,
    ) -> list[int]:
        # One statement: the place-count trigger then runs once, not per row.
        # Identity values are drawn in the SELECT's order and only grow, so
        # the new ids, sorted, are in input order even while other events
        # insert at the same time.
        if not rows:
            return []
        stamp = to_utc_text(now)
        values = [
            _registration_values(event_key, session_key, person_id, state, consent, stamp)
            for person_id, state, consent in rows
        ]
        columns = [[row[index] for row in values] for index in (2, 3, 6, 7, 8)]
        returned = self._pg.connection.execute(
            "INSERT INTO registrations (event_key, session_key, person_id, state, "
            "registered_at, updated_at, consent_version, consent_given_at, consent_given_by) "
            "SELECT %s, %s, u.person_id, u.state, %s, %s, u.version, u.given_at, u.given_by "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "WITH ORDINALITY AS u(person_id, state, version, given_at, given_by, n) "
            "ORDER BY u.n RETURNING id",
            [event_key, session_key, stamp, stamp, *columns],
        ).fetchall()
        return sorted(int(row[0]) for row in returned)

    def append_logs(
        self,
        entries: Sequence[tuple[int, RegistrationState | None, RegistrationState, datetime, str]],
    ) -> None:
        if not entries:
            return
        self._pg.connection.execute(
            "INSERT INTO registration_log (registration_id, at, previous, state, reason) "
            "SELECT u.registration_id, u.at, u.previous, u.state, u.reason "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "WITH ORDINALITY AS u(registration_id, at, previous, state, reason, n) ORDER BY u.n",
            [
                [rid for rid, _previous, _state, _at, _why in entries],
                [to_utc_text(at) for _rid, _previous, _state, at, _why in entries],
                [None if previous is None else previous.value for _r, previous, *_rest in entries],
                [state.value for _rid, _previous, state, _at, _why in entries],
                [why for *_rest, why in entries],
            ],
        )

    def due_messages(
        self, now: datetime, limit: int, channels: frozenset[str] | None
    ) -> list[OutboxRecord]:
        # SKIP LOCKED: rows another dispatcher is claiming right now are left
        # to it; this claim takes the next ones.
        stamp = to_utc_text(now)
        sql = (
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE "
            "((state = 'pending' AND due_at <= ?) OR (state = 'sending' AND lease_until <= ?))"
        )
        params: list[object] = [stamp, stamp]
        if channels is not None:
            names = sorted(channels)
            sql += f" AND channel IN ({', '.join('?' for _ in names)})"
            params.extend(names)
        sql += " ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED"
        return [_outbox_record(_as_row(row)) for row in self._pg.execute(sql, (*params, limit))]

    def load_outbox_message(self, message_id: int) -> OutboxRecord | None:
        # Read-then-write on one row (a delivery outcome): lock it first.
        row = self._pg.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ? FOR UPDATE", (message_id,)
        ).fetchone()
        return None if row is None else _outbox_record(_as_row(row))


def _retried(method: Callable[P, R]) -> Callable[P, R]:
    """Run ``method`` again when its transaction lost a deadlock or serialization conflict.

    Only the outermost call retries (a store method that calls another runs
    its inner call once); every transaction rolled back completely, so a
    new run starts from what is committed.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        store = cast(PostgresStore, args[0])
        local = store._local
        if getattr(local, "depth", 0):
            return method(*args, **kwargs)
        local.depth = 1
        try:
            attempt = 0
            while True:
                try:
                    return method(*args, **kwargs)
                except _CONFLICTS as error:
                    attempt += 1
                    store.retried += 1
                    if attempt > store.settings.retries:
                        raise DatabaseBusyError(
                            f"gave up after {attempt} attempts that lost a deadlock or "
                            f"serialization conflict ({error.sqlstate}): {error}"
                        ) from error
                    time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 8)))
        finally:
            local.depth = 0

    return wrapper


class PostgresStore(LedgerStore):
    """A backend in one PostgreSQL database, shared by any number of processes and machines.

    Attributes:
        settings: What the URL asked for (pool sizes, schema, retries).
        retried: How many transactions were run again after a deadlock or
            serialization conflict (for monitoring and tests).
    """

    shared_between_processes = True

    def __init__(self, url: str) -> None:
        self.settings: StoreSettings = parse_url(url)
        self.retried = 0
        self._local = threading.local()
        self._events: dict[str, Event] = {}
        self._closed = False
        schema = self.settings.schema
        self._lock_key = schema
        self._pool = psycopg_pool.ConnectionPool(
            self.settings.conninfo,
            min_size=self.settings.pool_min_size,
            max_size=self.settings.pool_max_size,
            timeout=self.settings.pool_timeout,
            kwargs={"autocommit": True},
            configure=self._configure,
            # Each checkout is checked (one empty query), so connections broken
            # by a server restart are replaced instead of failing a request.
            check=psycopg_pool.ConnectionPool.check_connection,
            # A failed background connection attempt is given up at once;
            # the next request that needs a connection tries again.
            reconnect_timeout=0,
            open=False,
            name=f"participatie:{schema}",
        )
        try:
            self._pool.open(wait=True, timeout=self.settings.pool_timeout)
            self._migrate()
        except psycopg_pool.PoolTimeout as error:
            self._pool.close()
            raise DatabaseUnavailableError(
                f"cannot connect to PostgreSQL at {_safe(self.settings.conninfo)} within "
                f"{self.settings.pool_timeout:g} s (is the server running, and the URL right?)"
            ) from error
        except BaseException:
            self._pool.close()
            raise

    def _configure(self, connection: psycopg.Connection[Any]) -> None:
        # Each new connection (also after a server restart) looks in our schema.
        connection.execute(
            psycopg.sql.SQL("SET search_path TO {}").format(
                psycopg.sql.Identifier(self.settings.schema)
            )
        )

    def _migrate(self) -> None:
        schema = psycopg.sql.Identifier(self.settings.schema)
        with self._connection() as conn, conn.transaction():
            # One process migrates; the others wait here and find it done.
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                (_LOCK_SPACE_STORE, self._lock_key),
            )
            # CREATE SCHEMA needs the CREATE privilege on the database even
            # when the schema exists, so only ask for it when it is missing.
            exists = conn.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.settings.schema,)
            ).fetchone()
            if exists is None:
                conn.execute(psycopg.sql.SQL("CREATE SCHEMA {}").format(schema))
            conn.execute(
                psycopg.sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {}.{} (version INTEGER PRIMARY KEY, "
                    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                ).format(schema, psycopg.sql.Identifier(VERSION_TABLE))
            )
            row = conn.execute(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}").fetchone()
            version = 0 if row is None else int(row[0])
            if version > len(MIGRATIONS):
                raise SchemaVersionError(
                    f"the PostgreSQL schema {self.settings.schema!r} has version {version}, but "
                    f"this participatie-postgres knows only up to {len(MIGRATIONS)}; upgrade "
                    "participatie-postgres to open it"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                conn.execute(script.encode())
                conn.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES (%s)", (number,))

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._connection() as conn:
            row = conn.execute(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}").fetchone()
            return 0 if row is None else int(row[0])

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.close()

    # --- connections, locks and transactions --------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection; connection trouble becomes :class:`DatabaseUnavailableError`."""
        if self._closed:
            raise StorageError("this store is closed")
        try:
            with self._pool.connection() as conn:
                yield conn
        except _CONFLICTS:
            raise  # retried by _retried
        except psycopg_pool.PoolTimeout as error:
            raise DatabaseUnavailableError(
                f"no connection to PostgreSQL within {self.settings.pool_timeout:g} s "
                f"({_safe(self.settings.conninfo)}): is the server running?"
            ) from error
        except psycopg.OperationalError as error:
            raise DatabaseUnavailableError(
                f"lost the connection to PostgreSQL ({_safe(self.settings.conninfo)}): "
                f"{str(error).strip()}; changes not committed before were not kept"
            ) from error
        except psycopg.IntegrityError as error:
            raise StorageError(
                "the database refused a change that breaks one of its rules "
                f"({error.diag.constraint_name or error.sqlstate}): {str(error).strip()}"
            ) from error
        except psycopg.Error as error:
            raise StorageError(f"PostgreSQL: {str(error).strip()}") from error

    @contextlib.contextmanager
    def _scoped(self, scope: _Scope) -> Iterator[None]:
        previous = getattr(self._local, "scope", None)
        self._local.scope = scope
        try:
            yield
        finally:
            self._local.scope = previous

    def _lock(self, conn: psycopg.Connection[Any], scope: _Scope) -> None:
        if scope.lock is _Lock.READ:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        elif scope.lock is _Lock.STORE:
            conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                (_LOCK_SPACE_STORE, self._lock_key),
            )
        elif scope.lock is _Lock.SHARED:
            conn.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, hashtext(%s))",
                (_LOCK_SPACE_STORE, self._lock_key),
            )
        elif scope.lock is _Lock.EVENT:
            # Shared store lock first, then the event's: always in this order,
            # so lock waits never form a cycle. One round trip for both.
            conn.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, hashtext(%s)), "
                "pg_advisory_xact_lock(%s, hashtext(%s))",
                (
                    _LOCK_SPACE_STORE,
                    self._lock_key,
                    _LOCK_SPACE_EVENT,
                    f"{self._lock_key}/{scope.event_key}",
                ),
            )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Tx]:
        scope: _Scope = getattr(self._local, "scope", None) or _STORE_SCOPE
        # Pipeline mode: BEGIN, the lock and the first read travel together,
        # and so do writes whose results nobody reads with the next read.
        with self._connection() as conn, conn.pipeline() as pipeline, conn.transaction():
            self._lock(conn, scope)
            yield _PostgresTx(SQLConnection(conn, pipeline), self._events)

    @contextlib.contextmanager
    def _read(self) -> Iterator[_PostgresTx]:
        """A read of several statements: one snapshot (``REPEATABLE READ``), no lock."""
        with self._scoped(_Scope(_Lock.READ)), self._transaction() as tx:
            yield cast(_PostgresTx, tx)

    @contextlib.contextmanager
    def _statement(self) -> Iterator[_PostgresTx]:
        """A read of one statement: consistent by itself, so no transaction around it."""
        with self._connection() as conn:
            yield _PostgresTx(SQLConnection(conn), self._events)

    # --- operations with a narrower lock --------------------------------------

    def register(
        self,
        event_key: str,
        session_key: str,
        person: Person,
        consent: Consent | None,
        now: datetime,
    ) -> Outcome:
        with self._scoped(_Scope(_Lock.EVENT, event_key)):
            return super().register(event_key, session_key, person, consent, now)

    def register_many(
        self,
        event_key: str,
        session_key: str,
        entries: Iterable[tuple[Person, Consent | None]],
        now: datetime,
    ) -> BulkResult:
        with self._scoped(_Scope(_Lock.EVENT, event_key)):
            return super().register_many(event_key, session_key, entries, now)

    def change_state(
        self, registration_id: int, new_state: RegistrationState, now: datetime
    ) -> Outcome:
        # A registration never moves to another event, so its event can be
        # looked up before the transaction that locks it.
        with self._connection() as conn:
            row = conn.execute(
                "SELECT event_key FROM registrations WHERE id = %s", (registration_id,)
            ).fetchone()
        scope = _STORE_SCOPE if row is None else _Scope(_Lock.EVENT, row[0])
        with self._scoped(scope):
            return super().change_state(registration_id, new_state, now)

    def count_places(self, event_key: str, session_key: str) -> PlaceCount:
        with self._scoped(_Scope(_Lock.READ)):
            return super().count_places(event_key, session_key)

    def queue_messages(self, entries: Iterable[OutgoingMessage], now: datetime) -> int:
        # One INSERT … ON CONFLICT DO NOTHING per message, after a look at the
        # keys of purged messages: the shared store lock keeps a purge (which
        # takes it exclusively) from moving a key there in between.
        with self._scoped(_Scope(_Lock.SHARED)):
            return super().queue_messages(entries, now)

    def claim_messages(
        self,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        max_attempts: int,
        channels: Iterable[str] | None = None,
    ) -> list[OutboxRecord]:
        # Rows are taken FOR UPDATE SKIP LOCKED (see _PostgresTx.due_messages).
        with self._scoped(_Scope(_Lock.ROWS)):
            return super().claim_messages(
                now, limit=limit, lease=lease, max_attempts=max_attempts, channels=channels
            )

    def record_delivery(
        self,
        message_id: int,
        attempt: int,
        state: DeliveryState,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        # The message's row is read FOR UPDATE (see _PostgresTx.load_outbox_message).
        with self._scoped(_Scope(_Lock.ROWS)):
            return super().record_delivery(
                message_id, attempt, state, now, error=error, retry_at=retry_at
            )

    # --- reads ----------------------------------------------------------------

    def get_event(self, event_key: str) -> Event:
        with self._statement() as tx:
            event = tx.load_event(event_key)
        if event is None:
            raise UnknownEventError(f"no event {event_key!r} is stored")
        return event

    def list_events(self) -> list[Event]:
        with self._read() as tx:
            keys = [row[0] for row in tx._pg.execute("SELECT key FROM events ORDER BY key")]
            events = [tx.load_event(key) for key in keys]
        return [event for event in events if event is not None]

    def get_registration(self, registration_id: int) -> Registration:
        with self._statement() as tx:
            registration = tx.load_registration(registration_id)
        if registration is None:
            raise UnknownRegistrationError(f"no registration {registration_id}")
        return registration

    def list_registrations(
        self,
        event_key: str,
        session_key: str | None = None,
        states: Iterable[RegistrationState] | None = None,
    ) -> list[Registration]:
        query = registrations_query(event_key, session_key, states)
        if query is None:
            return []
        with self._statement() as tx:
            rows = tx._pg.execute(*query)
        return [_registration(_as_row(row)) for row in rows]

    def registrations_of(self, email: str) -> list[Registration]:
        with self._statement() as tx:
            rows = tx._pg.execute(
                f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r "
                "JOIN persons p ON p.id = r.person_id WHERE p.email = ? ORDER BY r.id",
                (email.strip().lower(),),
            )
            return [_registration(_as_row(row)) for row in rows]

    def history(self, registration_id: int) -> list[Transition]:
        registration = self.get_registration(registration_id)
        with self._read() as tx:
            rows = tx._pg.execute(
                "SELECT at, previous, state, reason FROM registration_log "
                "WHERE registration_id = ? ORDER BY id",
                (registration_id,),
            ).fetchall()
        return [
            Transition(
                registration,
                None if row["previous"] is None else RegistrationState(row["previous"]),
                RegistrationState(row["state"]),
                from_utc_text(row["at"]),
                row["reason"],
            )
            for row in rows
        ]

    def scrub(self) -> Scrubbed:
        """Vacuum the tables, so the old row versions of erased people are removed.

        PostgreSQL keeps an updated or deleted row's old version until
        ``VACUUM`` removes it. The write-ahead log and any backups or
        archived WAL still hold copies until they are recycled; that part is
        the database administrator's (see the deployment guide).
        """
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = %s ORDER BY tablename",
                (self.settings.schema,),
            ).fetchall()
            for (table,) in rows:
                conn.execute(psycopg.sql.SQL("VACUUM {}").format(psycopg.sql.SQL(table)))
        return Scrubbed(
            True,
            f"vacuumed {len(rows)} tables in schema {self.settings.schema!r}; the write-ahead "
            "log and backups keep old copies until they are recycled",
        )


def _as_row(row: Row) -> sqlite3.Row:
    """Our rows read like :class:`sqlite3.Row`, which the shared decoders are typed for."""
    return cast(sqlite3.Row, row)


def _safe(conninfo: str) -> str:
    """The connection URL without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "the configured server"
    host = info.get("host", "localhost")
    return f"{info.get('dbname', '?')} on {host}:{info.get('port', 5432)}"


# Every public operation retries lost deadlocks and serialization conflicts.
for _name, _function in inspect.getmembers(PostgresStore, inspect.isfunction):
    if not _name.startswith("_") and _name != "close":
        setattr(PostgresStore, _name, _retried(_function))
