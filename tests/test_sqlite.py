"""The SQLite backend: settings that neither overbook nor lose data, and migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from participatie import (
    InvalidInputError,
    SchemaVersionError,
    StorageError,
    open_store,
)
from participatie.storage.sqlite import MIGRATIONS, SQLiteStore, path_from_url

from .conftest import EVENT_KEY, at, client, week_event


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite://", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite:///data/event.db", "data/event.db"),
        ("sqlite:////srv/data/event.db", "/srv/data/event.db"),
        ("SQLite:///x.db", "x.db"),
    ],
)
def test_urls(url: str, path: str) -> None:
    assert path_from_url(url) == path


@pytest.mark.parametrize("url", ["sqlite:relative.db", "sqlite://host/x.db", "memory://"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(InvalidInputError):
        path_from_url(url)


def test_connection_settings(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "settings.db")
    try:
        db = store._db
        assert db.isolation_level is None
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
        assert store.schema_version == len(MIGRATIONS)
    finally:
        store.close()
    store.close()  # closing twice is harmless


def test_creates_parent_folders(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/a/b/event.db")
    store.close()
    assert (tmp_path / "a" / "b" / "event.db").exists()


def test_a_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(SchemaVersionError, match="upgrade participatie"):
        SQLiteStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    db.close()


def test_migrations_run_once_and_keep_data(tmp_path: Path, consent: object) -> None:
    path = tmp_path / "keep.db"
    store = SQLiteStore(path)
    store.save_event(week_event(), at(2020, 10, 20, 9, 0))
    store.close()
    again = SQLiteStore(path)
    try:
        assert again.schema_version == len(MIGRATIONS)
        assert again.get_event(EVENT_KEY) == week_event()
    finally:
        again.close()


def test_unopenable_database(tmp_path: Path) -> None:
    folder = tmp_path / "is-a-folder.db"
    folder.mkdir()
    with pytest.raises(StorageError):
        SQLiteStore(folder)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(StorageError, match="not a SQLite database"):
        SQLiteStore(path)
    assert path.read_text().startswith("this is not a database")


def test_database_constraints_are_a_safety_net(tmp_path: Path) -> None:
    """Even a bug in our code cannot store two active registrations of one person."""
    store = SQLiteStore(tmp_path / "net.db")
    now = at(2020, 10, 20, 9, 0)
    try:
        store.save_event(week_event(), now)
        store.register(EVENT_KEY, "clienten", client(1), None, now)
        with pytest.raises(sqlite3.IntegrityError):
            store._db.execute(
                "INSERT INTO registrations (event_key, session_key, person_id, state, "
                "registered_at, updated_at) SELECT event_key, session_key, person_id, "
                "'waitlisted', registered_at, updated_at FROM registrations"
            )
        with pytest.raises(sqlite3.IntegrityError):
            store._db.execute("UPDATE registrations SET state = 'maybe'")
    finally:
        store.close()
