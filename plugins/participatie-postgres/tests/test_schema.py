"""Schema migrations, the version check, and the database's own safety nets."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from participatie_postgres import MIGRATIONS, PostgresStore, parse_url
from participatie_postgres._connection import SQLConnection, translate
from participatie_postgres._schema import port
from participatie_postgres.testing import TemporaryPostgres

import participatie
from participatie.exceptions import InvalidInputError, SchemaVersionError
from participatie.storage.sqlite import SQLiteStore
from participatie.testing.conformance import CONSENT, NOW, conformance_event, person


@pytest.fixture
def store_url(store_urls: Callable[[], str]) -> str:
    return store_urls()


@pytest.fixture
def store(store_url: str) -> Iterator[PostgresStore]:
    opened = PostgresStore(store_url)
    opened.save_event(conformance_event(capacity=2), NOW)
    yield opened
    opened.close()


def _sql(
    server: TemporaryPostgres, database: str, schema: str
) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(server.conninfo(database), autocommit=True)
    conn.execute(f"SET search_path TO {schema}")  # type: ignore[arg-type]
    return conn


def test_the_plugin_opens_postgresql_urls_through_the_hook(store_url: str) -> None:
    with participatie.open_store(store_url) as opened:
        assert isinstance(opened, PostgresStore)
        assert opened.schema_version == len(MIGRATIONS)
    postgres = store_url.replace("postgresql://", "postgres://", 1)
    with participatie.open_store(postgres) as again:
        assert isinstance(again, PostgresStore)


def test_url_settings_are_read_and_checked() -> None:
    settings = parse_url(
        "postgresql://app@db.example.org/consultatie?sslmode=require&schema=ronde_2"
        "&pool_min_size=2&pool_max_size=4&pool_timeout=2.5&retries=3"
    )
    assert settings.conninfo == "postgresql://app@db.example.org/consultatie?sslmode=require"
    assert (settings.schema, settings.pool_min_size, settings.pool_max_size) == ("ronde_2", 2, 4)
    assert (settings.pool_timeout, settings.retries) == (2.5, 3)
    for bad in ("schema=Robert%27);DROP", "pool_max_size=x", "pool_min_size=5&pool_max_size=2"):
        with pytest.raises(InvalidInputError):
            parse_url(f"postgresql://db.example.org/x?{bad}")
    with pytest.raises(InvalidInputError):
        parse_url("mysql://db.example.org/x")


def test_reopening_migrates_nothing_twice(
    store_url: str, postgres_server: TemporaryPostgres, database: str
) -> None:
    PostgresStore(store_url).close()
    PostgresStore(store_url).close()
    schema = parse_url(store_url).schema
    with _sql(postgres_server, database, schema) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM participatie_schema")]
    assert versions == list(range(1, len(MIGRATIONS) + 1))


def test_a_newer_database_is_refused(
    store_url: str, postgres_server: TemporaryPostgres, database: str
) -> None:
    PostgresStore(store_url).close()
    schema = parse_url(store_url).schema
    with _sql(postgres_server, database, schema) as conn:
        conn.execute(
            "INSERT INTO participatie_schema (version) VALUES (%s)", (len(MIGRATIONS) + 1,)
        )
    with pytest.raises(SchemaVersionError, match="upgrade participatie-postgres"):
        PostgresStore(store_url)


def test_tables_and_columns_are_those_of_sqlite(
    tmp_path: Path, store_url: str, postgres_server: TemporaryPostgres, database: str
) -> None:
    """A SQLite migration that was not ported to PostgreSQL fails here."""
    SQLiteStore(tmp_path / "reference.db").close()
    lite = sqlite3.connect(tmp_path / "reference.db")
    tables = [row[0] for row in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    expected = {
        table: {row[1] for row in lite.execute(f"PRAGMA table_info({table})")}
        for table in tables
        if not table.startswith("sqlite_")
    }
    lite.close()
    PostgresStore(store_url).close()
    schema = parse_url(store_url).schema
    with _sql(postgres_server, database, schema) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s",
            (schema,),
        ).fetchall()
    actual: dict[str, set[str]] = {}
    for table, column in rows:
        actual.setdefault(str(table), set()).add(str(column))
    for table, columns in expected.items():
        assert table in actual, f"table {table} is missing in PostgreSQL"
        assert columns <= actual[table], f"{table}: {columns - actual[table]} missing"
    # What PostgreSQL has beyond SQLite: the version table and the place counts.
    assert set(actual) - set(expected) == {"participatie_schema"}
    assert actual["sessions"] - expected["sessions"] == {"capacity", "taken"}


def test_port_rewrites_types_for_postgresql() -> None:
    ported = port("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER, s TEXT)")
    assert ported == (
        "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
        'n BIGINT, s TEXT COLLATE "C")'
    )


# --- the database's own safety nets -------------------------------------------


def test_database_refuses_more_holders_than_places(
    store: PostgresStore, postgres_server: TemporaryPostgres, database: str
) -> None:
    """Even SQL that bypasses the store cannot overbook: the trigger refuses it at commit."""
    for number in (1, 2):
        store.register("conformance", "s", person(number), CONSENT, NOW)
    waiting = store.register("conformance", "s", person(3), CONSENT, NOW).registration
    with _sql(postgres_server, database, store.settings.schema) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="3 people in 2 places"):
            conn.execute(
                "UPDATE registrations SET state = 'registered' WHERE id = %s", (waiting.id,)
            )
        row = conn.execute(
            "SELECT taken, capacity FROM sessions WHERE event_key = 'conformance' AND key = 's'"
        ).fetchone()
    assert row == (2, 2)
    assert store.count_places("conformance", "s").taken == 2


def test_place_counts_follow_every_change(store: PostgresStore) -> None:
    first = store.register("conformance", "s", person(1), CONSENT, NOW).registration
    store.register("conformance", "s", person(2), CONSENT, NOW)
    store.register("conformance", "s", person(3), CONSENT, NOW)
    store.change_state(first.id, participatie.RegistrationState.CANCELLED, NOW)
    with store._connection() as conn:
        row = conn.execute(
            "SELECT taken FROM sessions WHERE event_key = 'conformance' AND key = 's'"
        ).fetchone()
    assert row is not None
    assert row[0] == store.count_places("conformance", "s").taken == 2


def test_database_refuses_a_second_active_registration(
    store: PostgresStore, postgres_server: TemporaryPostgres, database: str
) -> None:
    store.register("conformance", "t", person(1), CONSENT, NOW)
    with (
        _sql(postgres_server, database, store.settings.schema) as conn,
        pytest.raises(psycopg.errors.UniqueViolation, match="one_active_registration"),
    ):
        conn.execute(
            "INSERT INTO registrations (event_key, session_key, person_id, state, "
            "registered_at, updated_at) SELECT event_key, session_key, person_id, state, "
            "registered_at, updated_at FROM registrations"
        )


def test_database_refuses_a_second_message_with_one_key(
    store: PostgresStore, postgres_server: TemporaryPostgres, database: str
) -> None:
    from participatie.testing.outbox import outgoing

    assert store.queue_messages([outgoing(1, due_at=NOW)], NOW) == 1
    assert store.queue_messages([outgoing(1, due_at=NOW)], NOW) == 0
    with (
        _sql(postgres_server, database, store.settings.schema) as conn,
        pytest.raises(psycopg.errors.UniqueViolation, match="outbox_key_key"),
    ):
        conn.execute(
            "INSERT INTO outbox (key, channel, kind, payload, state, due_at, created_at, "
            "updated_at) SELECT key, channel, kind, payload, state, due_at, created_at, "
            "updated_at FROM outbox"
        )


# --- the SQLite-to-PostgreSQL adapter -------------------------------------------


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        (
            "SELECT id FROM t WHERE a = ? AND b IN (?, ?)",
            "SELECT id FROM t WHERE a = %s AND b IN (%s, %s)",
        ),
        (
            "INSERT OR IGNORE INTO s (a) VALUES (?)",
            "INSERT INTO s (a) VALUES (%s) ON CONFLICT DO NOTHING",
        ),
        (
            "DELETE FROM o WHERE instr(payload, ?) > 0",
            "DELETE FROM o WHERE strpos(payload, %s) > 0",
        ),
        ("SELECT 1 WHERE name LIKE 'a%'", "SELECT 1 WHERE name LIKE 'a%%'"),
        ("DELETE FROM s WHERE e = ? AND key NOT IN ()", "DELETE FROM s WHERE e = %s AND TRUE"),
        ("SELECT 1 FROM r WHERE r.state IN () AND x = ?", "SELECT 1 FROM r WHERE FALSE AND x = %s"),
    ],
)
def test_translate(sqlite: str, postgres: str) -> None:
    assert translate(sqlite) == postgres


def test_translated_sql_means_the_same_on_both(store: PostgresStore, tmp_path: Path) -> None:
    """Empty lists, the LIMIT of no limit and text order give SQLite's answers."""
    lite = sqlite3.connect(tmp_path / "same.db")
    queries = [
        "SELECT count(*) FROM (SELECT 1 AS x) t WHERE x IN ()",
        "SELECT count(*) FROM (SELECT 1 AS x) t WHERE x NOT IN ()",
        "SELECT instr('abc', 'c')",
    ]
    with store._connection() as conn:
        db = SQLConnection(conn)
        for query in queries:
            assert tuple(db.execute(query).fetchone() or ()) == lite.execute(query).fetchone()
        # Byte order, as SQLite compares text (not the database's locale).
        for word in ("b", "B", "a", "é", "Z"):
            db.execute(
                "INSERT INTO privacy_log (at, action, subject, count) VALUES (?, ?, ?, 0)",
                ("t", "erased", word),
            )
        rows = db.execute("SELECT subject FROM privacy_log ORDER BY subject").fetchall()
    lite.close()
    assert [row["subject"] for row in rows] == sorted(["b", "B", "a", "é", "Z"])
