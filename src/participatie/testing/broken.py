"""A deliberately broken backend, to show that the race test can fail.

:class:`CountThenInsertStore` is the SQLite backend with its atomic "take a
place" replaced by the obvious two-step code: count the places taken in one
transaction, insert in another. Under concurrency it overbooks; the race in
:mod:`participatie.testing.race` must catch it. Never use it for real data.
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime

from participatie import rules
from participatie.model import Consent, Person
from participatie.storage import Outcome
from participatie.storage.sqlite import SQLiteStore, path_from_url

__all__ = ["CountThenInsertStore", "open_count_then_insert", "open_in_parent_only"]

_HOLDS = ("registered", "offered", "attended", "no-show")


class CountThenInsertStore(SQLiteStore):
    """SQLite, but registration counts and inserts in two transactions (overbooks)."""

    def register(
        self,
        event_key: str,
        session_key: str,
        person: Person,
        consent: Consent | None,
        now: datetime,
    ) -> Outcome:
        session = self.get_event(event_key).session(session_key)
        # Step 1: count, in its own transaction. Another process may insert now.
        with self._read() as db:
            taken = db.execute(
                "SELECT count(*) FROM registrations WHERE event_key = ? AND session_key = ? "
                f"AND state IN ({', '.join('?' for _ in _HOLDS)})",
                (event_key, session_key, *_HOLDS),
            ).fetchone()[0]
        state = rules.initial_state(session, places_taken=taken, waiting=0, already_active=False)
        # Step 2: insert, trusting the stale count.
        with self._transaction() as tx:
            person_id = tx.upsert_person(person)
            rid = tx.insert_registration(event_key, session_key, person_id, state, consent, now)
            tx.append_log(rid, None, state, now, "registered")
            registration = tx.load_registration(rid)
        assert registration is not None
        return Outcome(registration, ())


def open_count_then_insert(url: str) -> CountThenInsertStore:
    """Open a ``sqlite://`` URL with the broken backend."""
    return CountThenInsertStore(path_from_url(url))


def open_in_parent_only(url: str) -> SQLiteStore:
    """Open ``url`` in the test process; crash any worker process that tries.

    Shows that the race reports workers that die instead of waiting for them.
    """
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return SQLiteStore(path_from_url(url))
