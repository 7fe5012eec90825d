"""Differential test: the same random command sequence on SQLite and PostgreSQL.

Hypothesis draws sequences of registrations, bulk loads, changes of state,
capacity and waiting-list changes, lapsing offers, erasures and outbox claims
and deliveries; both backends run them, and every result (return value, or
the error's type and message) and the final state (registrations, their
histories, place counts, the outbox) must be the same. The conformance
suite checks each backend against the rules; this checks that the PostgreSQL
port did not change an answer the SQLite backend gives (ordering, ids,
text comparison of timestamps, NULL handling …).
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from participatie_postgres import PostgresStore

from participatie.model import RegistrationState, WaitingListPolicy
from participatie.outbox import DeliveryState
from participatie.storage import Store
from participatie.storage.sqlite import SQLiteStore
from participatie.testing.conformance import CONSENT, NOW, conformance_event, person
from participatie.testing.outbox import EchoPlanner

S = RegistrationState
SESSIONS = st.sampled_from(["s", "t"])
PEOPLE = st.integers(0, 7)

COMMANDS = st.one_of(
    st.tuples(st.just("register"), SESSIONS, PEOPLE),
    st.tuples(st.just("bulk"), SESSIONS, st.lists(PEOPLE, max_size=4)),
    st.tuples(
        st.just("change"),
        st.integers(1, 14),
        st.sampled_from([S.CANCELLED, S.REGISTERED, S.DECLINED, S.ATTENDED, S.NO_SHOW]),
    ),
    st.tuples(
        st.just("capacity"),
        st.integers(0, 4),
        st.sampled_from(list(WaitingListPolicy)),
    ),
    st.tuples(st.just("expire"), st.integers(0, 3)),
    st.tuples(st.just("erase"), PEOPLE),
    st.tuples(st.just("count"), SESSIONS),
    st.tuples(st.just("claim"), st.integers(1, 4)),
    st.tuples(
        st.just("deliver"),
        st.integers(1, 12),
        st.sampled_from([DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.PENDING]),
    ),
)


def _run(store: Store, command: tuple[Any, ...], step: int) -> object:
    now = NOW + timedelta(minutes=20 * step)
    name = command[0]
    if name == "register":
        return store.register("conformance", command[1], person(command[2]), CONSENT, now)
    if name == "bulk":
        entries = [(person(number), CONSENT) for number in command[2]]
        result = store.register_many("conformance", command[1], entries, now)
        # Refusals carry exception objects, which compare by identity.
        refused = [(index, type(error).__name__, str(error)) for index, error in result.refused]
        return (result.registrations, refused, result.transitions)
    if name == "change":
        return store.change_state(command[1], command[2], now)
    if name == "capacity":
        event = conformance_event(
            capacity=command[1], policy=command[2], offer_period=timedelta(hours=1)
        )
        return store.save_event(event, now)
    if name == "expire":
        return store.expire_offers(now + timedelta(hours=command[1]))
    if name == "erase":
        erasure = store.erase_person(person(command[1]).email, now)
        return attrs.evolve(erasure, transitions=erasure.transitions)
    if name == "count":
        return store.count_places("conformance", command[1])
    if name == "claim":
        return store.claim_messages(
            now, limit=command[1], lease=timedelta(minutes=30), max_attempts=3
        )
    if name == "deliver":
        message_id, state = command[1], command[2]
        record = next((r for r in store.outbox() if r.id == message_id), None)
        attempt = 0 if record is None else record.attempts
        retry_at = now + timedelta(minutes=10) if state is DeliveryState.PENDING else None
        return store.record_delivery(
            message_id, attempt, state, now, error="refused", retry_at=retry_at
        )
    raise AssertionError(name)  # pragma: no cover


_TOMBSTONE = re.compile(r"erased-[0-9a-f]+@erased\.invalid")


def _observed(value: object) -> str:
    """What a caller sees, as text; tombstone addresses are random per erasure."""
    return _TOMBSTONE.sub("erased@erased.invalid", repr(value))


def _outcome(store: Store, command: tuple[Any, ...], step: int) -> str:
    try:
        return _observed(("ok", _run(store, command, step)))
    except Exception as error:  # the error itself must be the same on both
        return _observed(("error", type(error).__name__, str(error)))


def _final_state(store: Store) -> str:
    registrations = store.list_registrations("conformance")
    return _observed(
        (
            registrations,
            [store.history(r.id) for r in registrations],
            [store.count_places("conformance", key) for key in ("s", "t")],
            store.outbox(),
            store.privacy_records(),
        )
    )


@pytest.fixture
def open_pair(store_urls: Callable[[], str]) -> Iterator[Callable[[], tuple[Store, Store]]]:
    opened: list[Store] = []
    with tempfile.TemporaryDirectory() as directory:
        numbers = itertools.count()

        def open_() -> tuple[Store, Store]:
            lite = SQLiteStore(Path(directory) / f"reference-{next(numbers)}.db")
            postgres = PostgresStore(store_urls())
            opened.extend((lite, postgres))
            for store in (lite, postgres):
                store.message_planner = EchoPlanner()
                store.save_event(
                    conformance_event(capacity=2, offer_period=timedelta(hours=1)), NOW
                )
            return lite, postgres

        yield open_
        for store in opened:
            store.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(commands=st.lists(COMMANDS, min_size=1, max_size=30))
def test_same_commands_same_results(
    open_pair: Callable[[], tuple[Store, Store]], commands: list[tuple[Any, ...]]
) -> None:
    lite, postgres = open_pair()
    try:
        for step, command in enumerate(commands):
            expected = _outcome(lite, command, step)
            assert _outcome(postgres, command, step) == expected, f"step {step}: {command}"
        assert _final_state(postgres) == _final_state(lite)
    finally:
        lite.close()
        postgres.close()
