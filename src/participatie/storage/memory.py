"""The ``memory://`` backend: everything in this process, gone when it ends.

For tests, demos and short scripts. It is a full backend, not a mock: it runs
the same registration algorithm as SQLite, under a lock, with real rollback
(an undo log), and passes the same conformance suite.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime

import attrs

from participatie.calendar import CalendarState
from participatie.exceptions import StorageError, UnknownEventError, UnknownRegistrationError
from participatie.model import Consent, Event, Person, Registration, RegistrationState, Transition
from participatie.outbox import DeliveryState, OutboxRecord, OutgoingMessage, Supersede
from participatie.plugins import hookimpl
from participatie.storage._base import (
    Detached,
    LedgerStore,
    PrivacyRecord,
    Scrubbed,
    StoredAssignment,
    StoredGroups,
    Tx,
)
from participatie.storage._feedback_tables import FeedbackTables, FeedbackTablesTx

__all__ = ["MemoryStore"]


@attrs.define
class _Row:
    id: int
    event_key: str
    session_key: str
    person_id: int
    state: RegistrationState
    registered_at: datetime
    updated_at: datetime
    consent: Consent | None
    offer_expires_at: datetime | None


@attrs.define
class _LogEntry:
    registration_id: int
    previous: RegistrationState | None
    state: RegistrationState
    at: datetime
    reason: str


class _MemoryTx(FeedbackTablesTx, Tx):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.undo: list[Callable[[], object]] = []

    @property
    def feedback_tables(self) -> FeedbackTables:
        return self._store._feedback

    def remember_undo(self, undo: Callable[[], object]) -> None:
        self.undo.append(undo)

    def load_event(self, event_key: str) -> Event | None:
        return self._store._events.get(event_key)

    def write_event(self, event: Event, now: datetime) -> None:
        events = self._store._events
        had, old = event.key in events, events.get(event.key)
        events[event.key] = event
        if had:
            assert old is not None
            self.undo.append(lambda: events.__setitem__(event.key, old))
        else:
            self.undo.append(lambda: events.pop(event.key))

    def sessions_in_use(self, event_key: str) -> set[str]:
        return {r.session_key for r in self._store._rows.values() if r.event_key == event_key}

    def _session_rows(self, event_key: str, session_key: str) -> list[_Row]:
        return self._store._by_session.get((event_key, session_key), [])

    def expired_offers(self, event_key: str, session_key: str, now: datetime) -> list[int]:
        return [
            r.id
            for r in self._session_rows(event_key, session_key)
            if r.state is RegistrationState.OFFERED
            and r.offer_expires_at is not None
            and r.offer_expires_at <= now
        ]

    def count_state(
        self, event_key: str, session_key: str, states: frozenset[RegistrationState]
    ) -> int:
        return sum(1 for r in self._session_rows(event_key, session_key) if r.state in states)

    def first_waiting(self, event_key: str, session_key: str, limit: int | None) -> list[int]:
        waiting = [
            r.id
            for r in self._session_rows(event_key, session_key)
            if r.state is RegistrationState.WAITLISTED
        ]
        return waiting if limit is None else waiting[:limit]

    def active_registration(self, event_key: str, session_key: str, email: str) -> int | None:
        person_id = self._store._person_ids.get(email)
        if person_id is None:
            return None
        for r in self._session_rows(event_key, session_key):
            if r.person_id == person_id and r.state.is_active:
                return r.id
        return None

    def active_emails(self, event_key: str, session_key: str) -> set[str]:
        persons = self._store._persons
        return {
            persons[r.person_id].email
            for r in self._session_rows(event_key, session_key)
            if r.state.is_active
        }

    def upsert_person(self, person: Person) -> int:
        store = self._store
        person_id = store._person_ids.get(person.email)
        if person_id is None:
            person_id = store._next_person_id
            store._next_person_id += 1
            store._person_ids[person.email] = person_id
            store._persons[person_id] = person
            self.undo.append(lambda: store._person_ids.pop(person.email))
            self.undo.append(lambda: store._persons.pop(person_id))
        else:
            old = store._persons[person_id]
            store._persons[person_id] = person
            self.undo.append(lambda: store._persons.__setitem__(person_id, old))
        return person_id

    def insert_registration(
        self,
        event_key: str,
        session_key: str,
        person_id: int,
        state: RegistrationState,
        consent: Consent | None,
        now: datetime,
    ) -> int:
        store = self._store
        rid = store._next_registration_id
        store._next_registration_id += 1
        now = now.astimezone(UTC)
        if consent is not None:
            consent = attrs.evolve(consent, given_at=consent.given_at.astimezone(UTC))
        row = _Row(rid, event_key, session_key, person_id, state, now, now, consent, None)
        store._rows[rid] = row
        bucket = store._by_session.setdefault((event_key, session_key), [])
        bucket.append(row)
        self.undo.append(lambda: store._rows.pop(rid))
        self.undo.append(bucket.pop)
        return rid

    def update_state(
        self,
        registration_id: int,
        state: RegistrationState,
        now: datetime,
        offer_expires_at: datetime | None,
    ) -> None:
        row = self._store._rows[registration_id]
        before = (row.state, row.updated_at, row.offer_expires_at)

        def restore() -> None:
            row.state, row.updated_at, row.offer_expires_at = before

        expires = None if offer_expires_at is None else offer_expires_at.astimezone(UTC)
        row.state, row.updated_at, row.offer_expires_at = state, now.astimezone(UTC), expires
        self.undo.append(restore)

    def append_log(
        self,
        registration_id: int,
        previous: RegistrationState | None,
        state: RegistrationState,
        at: datetime,
        reason: str,
    ) -> None:
        log = self._store._log.setdefault(registration_id, [])
        log.append(_LogEntry(registration_id, previous, state, at.astimezone(UTC), reason))
        self.undo.append(log.pop)

    def load_registration(self, registration_id: int) -> Registration | None:
        return self._store._snapshot(registration_id)

    # Group assignment: the stored values are immutable, so replacing one
    # and remembering the old one is a complete undo.

    def write_assignment(self, assignment: StoredAssignment) -> None:
        # People in an assignment are people the store holds, as in SQLite,
        # so that erasure finds them by address.
        for entry in assignment.entries:
            self.upsert_person(entry.person)
        kept = self._store._assignments
        key = assignment.event_key
        old = kept.get(key)
        kept[key] = assignment
        self.undo.append(lambda: kept.__setitem__(key, old) if old else kept.pop(key))

    def read_assignment(self, event_key: str) -> StoredAssignment | None:
        return self._store._assignments.get(event_key)

    def write_groups(self, groups: StoredGroups) -> None:
        for placement in groups.placements:
            self.upsert_person(placement.person)
        kept = self._store._groups
        key = (groups.event_key, groups.session_key)
        old = kept.get(key)
        kept[key] = groups
        self.undo.append(lambda: kept.__setitem__(key, old) if old else kept.pop(key))

    def read_groups(self, event_key: str, session_key: str) -> StoredGroups | None:
        event = self._store._events.get(event_key)
        if event is None or session_key not in {s.key for s in event.sessions}:
            return None  # a removed session takes its groups with it
        return self._store._groups.get((event_key, session_key))

    def load_calendar_states(self, uids: Sequence[str]) -> dict[str, CalendarState]:
        states = self._store._calendar_states
        return {uid: states[uid] for uid in uids if uid in states}

    def save_calendar_states(self, states: Sequence[CalendarState]) -> None:
        stored = self._store._calendar_states
        for state in states:
            uid, had, old = state.uid, state.uid in stored, stored.get(state.uid)
            stored[uid] = state
            if had:
                assert old is not None
                self.undo.append(functools.partial(stored.__setitem__, uid, old))
            else:
                self.undo.append(functools.partial(stored.pop, uid))

    def delete_calendar_states(self, tokens: Sequence[str]) -> int:
        stored = self._store._calendar_states
        wanted = set(tokens)
        doomed = [uid for uid in stored if uid.partition("@")[0] in wanted]
        for uid in doomed:
            self.undo.append(functools.partial(stored.__setitem__, uid, stored.pop(uid)))
        return len(doomed)

    # --- privacy (issue 9) --------------------------------------------------

    def find_person(self, email: str) -> int | None:
        return self._store._person_ids.get(email)

    def load_person(self, person_id: int) -> Person | None:
        return self._store._persons.get(person_id)

    def registrations_of_person(self, person_id: int) -> list[int]:
        return sorted(r.id for r in self._store._rows.values() if r.person_id == person_id)

    def persons_of_event(self, event_key: str) -> list[int]:
        store = self._store
        found = {r.person_id for r in store._rows.values() if r.event_key == event_key}
        emails: set[str] = set()
        assignment = store._assignments.get(event_key)
        if assignment is not None:
            emails |= {entry.person.email for entry in assignment.entries}
        for (key, _session), groups in store._groups.items():
            if key == event_key:
                emails |= {placement.person.email for placement in groups.placements}
        found |= {store._person_ids[email] for email in emails if email in store._person_ids}
        return sorted(found)

    def detach_person(self, person_id: int, event_key: str | None, tombstone: Person) -> Detached:
        store = self._store
        person = store._persons[person_id]
        rows = [
            r
            for r in store._rows.values()
            if r.person_id == person_id and (event_key is None or r.event_key == event_key)
        ]
        if rows:
            tombstone_id = self.upsert_person(tombstone)
            for row in rows:
                self._set_person(row, tombstone_id)
        entries = 0
        for key, assignment in list(store._assignments.items()):
            if event_key is not None and key != event_key:
                continue
            kept = tuple(e for e in assignment.entries if e.person.email != person.email)
            if len(kept) != len(assignment.entries):
                entries += len(assignment.entries) - len(kept)
                self.write_assignment(attrs.evolve(assignment, entries=kept))
        placements = 0
        for (key, _session), groups in list(store._groups.items()):
            if event_key is not None and key != event_key:
                continue
            left = tuple(p for p in groups.placements if p.person.email != person.email)
            if len(left) != len(groups.placements):
                placements += len(groups.placements) - len(left)
                self.write_groups(attrs.evolve(groups, placements=left))
        deleted = 0
        if event_key is None or not self._in_use(person_id, person.email):
            deleted = 1
            store._persons.pop(person_id)
            store._person_ids.pop(person.email)

            def restore() -> None:
                store._persons[person_id] = person
                store._person_ids[person.email] = person_id

            self.undo.append(restore)
        return Detached(len(rows), entries, placements, deleted)

    def _set_person(self, row: _Row, person_id: int) -> None:
        old = row.person_id
        row.person_id = person_id

        def restore() -> None:
            row.person_id = old

        self.undo.append(restore)

    def _in_use(self, person_id: int, email: str) -> bool:
        store = self._store
        return (
            any(r.person_id == person_id for r in store._rows.values())
            or any(e.person.email == email for a in store._assignments.values() for e in a.entries)
            or any(p.person.email == email for g in store._groups.values() for p in g.placements)
        )

    def append_privacy_record(self, record: PrivacyRecord) -> None:
        log = self._store._privacy_log
        log.append(record)
        self.undo.append(log.pop)

    def read_privacy_records(self) -> list[PrivacyRecord]:
        return list(self._store._privacy_log)

    def forget_requester(self, email: str) -> int:
        log = self._store._privacy_log
        changed = 0
        for index, record in enumerate(log):
            if record.requested_by == email:
                changed += 1
                log[index] = attrs.evolve(record, requested_by=None)
                self.undo.append(functools.partial(log.__setitem__, index, record))
        return changed

    # --- the outbox ---------------------------------------------------------

    def session_registrations(
        self, event_key: str, session_key: str, states: frozenset[RegistrationState]
    ) -> list[Registration]:
        return [
            snapshot
            for row in self._session_rows(event_key, session_key)
            if row.state in states and (snapshot := self._store._snapshot(row.id)) is not None
        ]

    def queue_message(self, entry: OutgoingMessage, now: datetime) -> bool:
        store = self._store
        key = entry.key
        if key in store._outbox_keys or key in store._outbox_spent:
            return False
        message_id = store._next_message_id
        store._next_message_id += 1
        stamp = now.astimezone(UTC)
        store._outbox[message_id] = OutboxRecord(
            id=message_id,
            channel=entry.channel,
            message=entry.message,
            state=DeliveryState.PENDING,
            due_at=entry.due_at.astimezone(UTC),
            attempts=0,
            created_at=stamp,
            updated_at=stamp,
            event_key=entry.event_key,
            session_key=entry.session_key,
            registration_id=entry.registration_id,
        )
        store._outbox_keys[key] = message_id
        self.undo.append(lambda: store._outbox.pop(message_id))
        self.undo.append(lambda: store._outbox_keys.pop(key))
        return True

    def _replace(self, record: OutboxRecord) -> None:
        outbox = self._store._outbox
        old = outbox[record.id]
        outbox[record.id] = record
        self.undo.append(lambda: outbox.__setitem__(record.id, old))

    def supersede_messages(self, rule: Supersede, now: datetime) -> int:
        count = 0
        for record in list(self._store._outbox.values()):
            if (
                record.state in {DeliveryState.PENDING, DeliveryState.SENDING}
                and record.message.kind in rule.kinds
                and record.event_key == rule.event_key
                and (rule.session_key is None or record.session_key == rule.session_key)
                and (rule.registration_id is None or record.registration_id == rule.registration_id)
            ):
                self._replace(
                    attrs.evolve(
                        record,
                        state=DeliveryState.SUPERSEDED,
                        lease_until=None,
                        updated_at=now.astimezone(UTC),
                    )
                )
                count += 1
        return count

    def due_messages(
        self, now: datetime, limit: int, channels: frozenset[str] | None
    ) -> list[OutboxRecord]:
        def due(record: OutboxRecord) -> bool:
            if channels is not None and record.channel not in channels:
                return False
            if record.state is DeliveryState.PENDING:
                return record.due_at <= now
            return (
                record.state is DeliveryState.SENDING
                and record.lease_until is not None
                and record.lease_until <= now
            )

        found = [record for record in self._store._outbox.values() if due(record)]
        found.sort(key=lambda record: (record.due_at, record.id))
        return found[:limit]

    def update_delivery(
        self,
        message_id: int,
        state: DeliveryState,
        now: datetime,
        *,
        attempts: int,
        due_at: datetime,
        lease_until: datetime | None,
        sent_at: datetime | None,
        last_error: str | None,
    ) -> None:
        record = self._store._outbox[message_id]
        self._replace(
            attrs.evolve(
                record,
                state=state,
                attempts=attempts,
                due_at=due_at.astimezone(UTC),
                lease_until=None if lease_until is None else lease_until.astimezone(UTC),
                sent_at=None if sent_at is None else sent_at.astimezone(UTC),
                last_error=last_error,
                updated_at=now.astimezone(UTC),
            )
        )

    def load_outbox_message(self, message_id: int) -> OutboxRecord | None:
        return self._store._outbox.get(message_id)

    def delete_outbox_messages(self, recipient: str | None, registration_ids: Sequence[int]) -> int:
        store, wanted = self._store, set(registration_ids)
        doomed = {
            message_id: record
            for message_id, record in store._outbox.items()
            if record.message.recipient == recipient or record.registration_id in wanted
        }
        for message_id, record in doomed.items():
            del store._outbox[message_id]
            self.undo.append(functools.partial(store._outbox.__setitem__, message_id, record))
        for key, message_id in list(store._outbox_keys.items()):
            if message_id in doomed:
                del store._outbox_keys[key]
                self.undo.append(functools.partial(store._outbox_keys.__setitem__, key, message_id))
        return len(doomed)

    def _drop_message(self, record: OutboxRecord) -> None:
        """Delete one message and its key (undone if the transaction fails)."""
        store = self._store
        del store._outbox[record.id]
        self.undo.append(functools.partial(store._outbox.__setitem__, record.id, record))
        if store._outbox_keys.get(record.key) == record.id:
            del store._outbox_keys[record.key]
            self.undo.append(
                functools.partial(store._outbox_keys.__setitem__, record.key, record.id)
            )

    def delete_event_messages(self, event_key: str) -> int:
        store = self._store
        for key, about in list(store._outbox_spent.items()):
            if about == event_key:
                del store._outbox_spent[key]
                self.undo.append(functools.partial(store._outbox_spent.__setitem__, key, about))
        doomed = [r for r in store._outbox.values() if r.event_key == event_key]
        for record in doomed:
            self._drop_message(record)
        return len(doomed)

    def purge_outbox_messages(self, before: datetime, now: datetime) -> int:
        store = self._store
        doomed = [
            record
            for record in store._outbox.values()
            if record.state.is_final and record.updated_at < before
        ]
        for record in doomed:
            self._drop_message(record)
            if record.key not in store._outbox_spent:
                store._outbox_spent[record.key] = record.event_key
                self.undo.append(functools.partial(store._outbox_spent.pop, record.key))
        return len(doomed)

    def list_outbox(
        self, states: frozenset[DeliveryState] | None, event_key: str | None
    ) -> list[OutboxRecord]:
        return [
            record
            for message_id, record in sorted(self._store._outbox.items())
            if (states is None or record.state in states)
            and (event_key is None or record.event_key == event_key)
        ]


class MemoryStore(LedgerStore):
    """A complete backend that keeps everything in this process's memory."""

    shared_between_processes = False

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._closed = False
        self._events: dict[str, Event] = {}
        self._persons: dict[int, Person] = {}
        self._person_ids: dict[str, int] = {}
        self._rows: dict[int, _Row] = {}
        self._by_session: dict[tuple[str, str], list[_Row]] = {}
        self._log: dict[int, list[_LogEntry]] = {}
        self._calendar_states: dict[str, CalendarState] = {}
        self._next_person_id = 1
        self._next_registration_id = 1
        self._assignments: dict[str, StoredAssignment] = {}
        self._groups: dict[tuple[str, str], StoredGroups] = {}
        self._feedback = FeedbackTables()
        self._privacy_log: list[PrivacyRecord] = []
        self._outbox: dict[int, OutboxRecord] = {}
        self._outbox_keys: dict[str, int] = {}
        #: Keys of purged messages (no content), by key: the event they were about.
        self._outbox_spent: dict[str, str | None] = {}
        self._next_message_id = 1

    def close(self) -> None:
        self._closed = True

    def scrub(self) -> Scrubbed:
        """Nothing to do: erased values are dropped from memory at once."""
        with self._lock:
            self._check_open()
        return Scrubbed(True, "the memory store keeps no copies of erased data")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Tx]:
        with self._lock:
            self._check_open()
            tx = _MemoryTx(self)
            try:
                yield tx
            except BaseException:
                for undo in reversed(tx.undo):
                    undo()
                raise

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("this store is closed")

    def _snapshot(self, registration_id: int) -> Registration | None:
        row = self._rows.get(registration_id)
        if row is None:
            return None
        return Registration(
            id=row.id,
            event_key=row.event_key,
            session_key=row.session_key,
            person=self._persons[row.person_id],
            state=row.state,
            registered_at=row.registered_at,
            updated_at=row.updated_at,
            consent=row.consent,
            offer_expires_at=row.offer_expires_at,
        )

    def get_event(self, event_key: str) -> Event:
        with self._lock:
            self._check_open()
            try:
                return self._events[event_key]
            except KeyError:
                raise UnknownEventError(f"no event {event_key!r} is stored") from None

    def list_events(self) -> list[Event]:
        with self._lock:
            self._check_open()
            return [self._events[key] for key in sorted(self._events)]

    def get_registration(self, registration_id: int) -> Registration:
        with self._lock:
            self._check_open()
            registration = self._snapshot(registration_id)
            if registration is None:
                raise UnknownRegistrationError(f"no registration {registration_id}")
            return registration

    def list_registrations(
        self,
        event_key: str,
        session_key: str | None = None,
        states: Iterable[RegistrationState] | None = None,
    ) -> list[Registration]:
        wanted = None if states is None else frozenset(states)
        with self._lock:
            self._check_open()
            result = []
            for rid in sorted(self._rows):
                row = self._rows[rid]
                if row.event_key != event_key:
                    continue
                if session_key is not None and row.session_key != session_key:
                    continue
                if wanted is not None and row.state not in wanted:
                    continue
                snapshot = self._snapshot(rid)
                assert snapshot is not None
                result.append(snapshot)
            return result

    def registrations_of(self, email: str) -> list[Registration]:
        with self._lock:
            self._check_open()
            person_id = self._person_ids.get(email.strip().lower())
            return [
                snapshot
                for rid in sorted(self._rows)
                if self._rows[rid].person_id == person_id
                and (snapshot := self._snapshot(rid)) is not None
            ]

    def history(self, registration_id: int) -> list[Transition]:
        with self._lock:
            self._check_open()
            registration = self._snapshot(registration_id)
            if registration is None:
                raise UnknownRegistrationError(f"no registration {registration_id}")
            return [
                Transition(registration, entry.previous, entry.state, entry.at, entry.reason)
                for entry in self._log.get(registration_id, [])
            ]


@hookimpl(trylast=True)
def participatie_open_store(url: str) -> MemoryStore | None:
    """Open ``memory://`` (anything after the scheme is ignored)."""
    if url.split(":", 1)[0].lower() == "memory":
        return MemoryStore()
    return None
