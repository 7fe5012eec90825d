"""The server stops and restarts while the store is in use: a clear error, nothing lost.

These tests run their own server (stopping the shared one would disturb the
other tests).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from participatie_postgres import DatabaseUnavailableError, PostgresStore
from participatie_postgres.testing import TemporaryPostgres, temporary_postgres

from participatie.exceptions import StorageError
from participatie.testing.conformance import CONSENT, NOW, conformance_event, person


@pytest.fixture(scope="module")
def server() -> Iterator[TemporaryPostgres]:
    with temporary_postgres() as running:
        yield running


@pytest.fixture
def store(server: TemporaryPostgres) -> Iterator[PostgresStore]:
    if not server.running:  # a failed test may have left it stopped
        server.start()
    name = f"restart_{time.monotonic_ns()}"
    server.create_database(name)
    opened = PostgresStore(server.url(name, pool_timeout="2"))
    opened.save_event(conformance_event(capacity=10), NOW)
    yield opened
    opened.close()
    server.drop_database(name)


def _emails(store: PostgresStore) -> list[str]:
    return [r.person.email for r in store.list_registrations("conformance")]


def test_outage_gives_a_clear_error_and_the_pool_reconnects(
    server: TemporaryPostgres, store: PostgresStore
) -> None:
    store.register("conformance", "s", person(1), CONSENT, NOW)
    store.register("conformance", "s", person(2), CONSENT, NOW)
    server.stop()
    try:
        with pytest.raises(DatabaseUnavailableError, match="PostgreSQL") as caught:
            store.register("conformance", "s", person(3), CONSENT, NOW)
        assert isinstance(caught.value, StorageError)
        with pytest.raises(DatabaseUnavailableError):
            store.list_registrations("conformance")
    finally:
        server.start()
    # The committed registrations are intact, the failed one was not half-written,
    # and the same store object works again without being reopened.
    assert _emails(store) == [person(1).email, person(2).email]
    store.register("conformance", "s", person(3), CONSENT, NOW)
    assert _emails(store) == [person(1).email, person(2).email, person(3).email]
    assert store.count_places("conformance", "s").taken == 3


class _RestartMidTransaction:
    """A message planner that restarts the server while the registration's transaction is open."""

    def __init__(self, server: TemporaryPostgres) -> None:
        self.server = server
        self.restarts = 0

    def sessions_to_recheck(self, previous: Any, event: Any) -> list[str]:
        return []

    def plan(self, event: Any, transitions: Any, now: Any, **_: Any) -> Any:
        from participatie.outbox import MessagePlan

        self.restarts += 1
        self.server.restart()
        return MessagePlan()


def test_restart_in_the_middle_of_a_transaction_keeps_nothing_of_it(
    server: TemporaryPostgres, store: PostgresStore
) -> None:
    store.register("conformance", "s", person(1), CONSENT, NOW)
    planner = _RestartMidTransaction(server)
    store.message_planner = planner  # type: ignore[assignment]
    with pytest.raises(DatabaseUnavailableError, match="lost the connection"):
        store.register("conformance", "s", person(2), CONSENT, NOW)
    store.message_planner = None
    assert planner.restarts == 1
    assert _emails(store) == [person(1).email]
    assert store.count_places("conformance", "s").taken == 1
    store.register("conformance", "s", person(2), CONSENT, NOW)
    assert _emails(store) == [person(1).email, person(2).email]


def test_opening_without_a_server_is_a_clear_error(server: TemporaryPostgres) -> None:
    url = server.url("postgres", pool_timeout="1")
    server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError, match="is the server running"):
            PostgresStore(url)
        assert time.monotonic() - started < 10
    finally:
        server.start()
