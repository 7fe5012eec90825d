"""The locks are what keeps the last place safe, the trigger is the net behind them,
and lost conflicts are retried inside the store."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from participatie_postgres import DatabaseBusyError, PostgresStore
from participatie_postgres._store import _PostgresTx

from participatie.testing import race_for_last_places
from participatie.testing.conformance import CONSENT, NOW, conformance_event, person


@pytest.mark.slow
def test_without_the_event_lock_only_the_database_check_prevents_overbooking(
    store_urls: Callable[[], str],
) -> None:
    """Skip the lock: registrations collide, and the trigger refuses those that would overbook."""
    result = race_for_last_places(
        store_urls(),
        capacity=2,
        workers=8,
        trials=5,
        opener="participatie_postgres.testing:open_without_event_lock",
    )
    assert result.overbooked == 0
    assert result.errors, "without the lock some registration should have been refused"
    assert all("session_capacity" in error for error in result.errors), result.errors


def _failing_load_event(failures: list[str]) -> Callable[..., Any]:
    """``load_event`` that makes the server raise each SQLSTATE in ``failures`` once, in order."""
    original = _PostgresTx.load_event

    def load_event(self: _PostgresTx, event_key: str) -> Any:
        if failures:
            code = failures.pop(0)
            self._pg.execute(
                f"DO $$ BEGIN RAISE EXCEPTION 'provoked' USING ERRCODE = '{code}'; END $$"
            )
        return original(self, event_key)

    return load_event


def test_lost_conflicts_are_retried_and_never_reach_the_caller(
    store_urls: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with PostgresStore(store_urls()) as store:
        store.save_event(conformance_event(), NOW)
        # A serialization failure, then a deadlock, both raised by the server
        # inside the registration's transaction, after its lock and reads.
        monkeypatch.setattr(_PostgresTx, "load_event", _failing_load_event(["40001", "40P01"]))
        outcome = store.register("conformance", "s", person(1), CONSENT, NOW)
        assert store.retried == 2
        assert [r.id for r in store.list_registrations("conformance")] == [outcome.registration.id]
        assert len(store.history(outcome.registration.id)) == 1


def test_retries_are_bounded(
    store_urls: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = store_urls() + "&retries=2"
    with PostgresStore(url) as store:
        store.save_event(conformance_event(), NOW)
        monkeypatch.setattr(_PostgresTx, "load_event", _failing_load_event(["40P01"] * 3))
        with pytest.raises(DatabaseBusyError, match="gave up after 3 attempts"):
            store.register("conformance", "s", person(1), CONSENT, NOW)
        monkeypatch.undo()
        assert store.list_registrations("conformance") == []


class _HoldInsideTheTransaction:
    """A message planner that keeps the registration's transaction open until released."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()

    def sessions_to_recheck(self, previous: Any, event: Any) -> list[str]:
        return []

    def plan(self, event: Any, transitions: Any, now: Any, **_: Any) -> Any:
        from participatie.outbox import MessagePlan

        if event.key == "held":
            self.inside.set()
            assert self.release.wait(30)
        return MessagePlan()


def test_events_do_not_wait_for_each_other_but_one_event_queues(
    store_urls: Callable[[], str],
) -> None:
    """The event lock: another event registers at once, the same event waits its turn."""
    with PostgresStore(store_urls()) as store:
        for key in ("held", "other"):
            store.save_event(attrs.evolve(conformance_event(capacity=5), key=key), NOW)
        planner = _HoldInsideTheTransaction()
        store.message_planner = planner  # type: ignore[assignment]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            holding = pool.submit(store.register, "held", "s", person(1), CONSENT, NOW)
            assert planner.inside.wait(30)
            # Another event: not blocked by the open transaction.
            started = time.monotonic()
            store.register("other", "s", person(2), CONSENT, NOW)
            assert time.monotonic() - started < 5
            # The same event: waits until the open transaction ends.
            waiting = pool.submit(store.register, "held", "s", person(3), CONSENT, NOW)
            time.sleep(0.5)
            assert not waiting.done()
            planner.release.set()
            assert holding.result(30).registration.person.email == person(1).email
            assert waiting.result(30).registration.person.email == person(3).email
        assert [r.id for r in store.list_registrations("held")] == sorted(
            r.id for r in store.list_registrations("held")
        )
        assert store.count_places("held", "s").taken == 2
