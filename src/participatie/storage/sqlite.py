"""The ``sqlite:///path`` backend: the embedded default.

Settings follow what was measured to neither overbook nor lose data (see
FACTS.md in the shared notes): the connection runs in autocommit mode
(``isolation_level=None``) so that *we* open every transaction, and every
read-then-write transaction starts with ``BEGIN IMMEDIATE``, which takes the
write lock before the first read; WAL with ``synchronous=FULL`` so a commit
survives power loss; foreign keys on; a busy timeout so writers queue instead
of failing; ``secure_delete`` so erased personal data is overwritten.

URLs follow the common convention: ``sqlite:///relative/path.db``,
``sqlite:////absolute/path.db``, and ``sqlite://`` (or
``sqlite:///:memory:``) for a private in-memory database.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from participatie.calendar import CalendarState
from participatie.exceptions import (
    InvalidInputError,
    SchemaVersionError,
    StorageError,
    UnknownEventError,
    UnknownRegistrationError,
)
from participatie.model import (
    PARTICIPANT,
    Consent,
    Event,
    Person,
    Registration,
    RegistrationState,
    Transition,
)
from participatie.outbox import (
    DeliveryState,
    OutboxRecord,
    OutgoingMessage,
    Supersede,
    decode_message,
    encode_message,
)
from participatie.plugins import hookimpl
from participatie.storage._base import (
    AssignmentEntry,
    Detached,
    GroupPlacement,
    LedgerStore,
    PrivacyRecord,
    Scrubbed,
    StoredAssignment,
    StoredGroups,
    Tx,
)
from participatie.storage._codec import decode_event, encode_event, from_utc_text, to_utc_text
from participatie.storage._feedback_sqlite import FEEDBACK_MIGRATION, SQLiteFeedbackTx

__all__ = ["MIGRATIONS", "SQLiteStore", "path_from_url"]

_ACTIVE_STATES = ", ".join(f"'{state.value}'" for state in RegistrationState if state.is_active)
_ALL_STATES = ", ".join(f"'{state.value}'" for state in RegistrationState)
_DELIVERY_STATES = ", ".join(f"'{state.value}'" for state in DeliveryState)

#: Forward migrations; the schema version is ``PRAGMA user_version`` and equals
#: the number of migrations applied. Never edit a released entry: append one.
MIGRATIONS: tuple[str, ...] = (
    f"""
    CREATE TABLE events (
        key TEXT PRIMARY KEY,
        document TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        event_key TEXT NOT NULL REFERENCES events(key) ON DELETE CASCADE,
        key TEXT NOT NULL,
        PRIMARY KEY (event_key, key)
    );
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        audience TEXT NOT NULL,
        organisation TEXT,
        phone TEXT,
        language TEXT NOT NULL
    );
    CREATE TABLE registrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_key TEXT NOT NULL,
        session_key TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        state TEXT NOT NULL CHECK (state IN ({_ALL_STATES})),
        registered_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        consent_version TEXT,
        consent_given_at TEXT,
        offer_expires_at TEXT,
        FOREIGN KEY (event_key, session_key) REFERENCES sessions(event_key, key)
    );
    CREATE UNIQUE INDEX one_active_registration
        ON registrations (event_key, session_key, person_id)
        WHERE state IN ({_ACTIVE_STATES});
    CREATE INDEX registrations_by_state ON registrations (event_key, session_key, state, id);
    CREATE INDEX registrations_by_person ON registrations (person_id);
    CREATE TABLE registration_log (
        id INTEGER PRIMARY KEY,
        registration_id INTEGER NOT NULL REFERENCES registrations(id),
        at TEXT NOT NULL,
        previous TEXT,
        state TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX registration_log_by_registration ON registration_log (registration_id, id);
    """,
    # 2: group assignment (issue 3): session assignments and groups.
    """
    CREATE TABLE assignment_runs (
        event_key TEXT PRIMARY KEY REFERENCES events(key) ON DELETE CASCADE,
        mode TEXT NOT NULL,
        seed INTEGER NOT NULL
    );
    CREATE TABLE assignment_entries (
        event_key TEXT NOT NULL REFERENCES assignment_runs(event_key) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        ranking TEXT NOT NULL,
        priority INTEGER NOT NULL CHECK (priority >= 0),
        lottery INTEGER NOT NULL,
        session_key TEXT,
        notified INTEGER NOT NULL CHECK (notified IN (0, 1)),
        PRIMARY KEY (event_key, person_id)
    );
    CREATE TABLE group_runs (
        event_key TEXT NOT NULL,
        session_key TEXT NOT NULL,
        strategy TEXT NOT NULL,
        seed INTEGER NOT NULL,
        PRIMARY KEY (event_key, session_key),
        FOREIGN KEY (event_key, session_key) REFERENCES sessions(event_key, key)
            ON DELETE CASCADE
    );
    CREATE TABLE group_placements (
        event_key TEXT NOT NULL,
        session_key TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        group_number INTEGER NOT NULL CHECK (group_number >= 1),
        role TEXT NOT NULL CHECK (role IN ('participant', 'facilitator')),
        reason TEXT NOT NULL,
        notified INTEGER NOT NULL CHECK (notified IN (0, 1)),
        PRIMARY KEY (event_key, session_key, person_id),
        FOREIGN KEY (event_key, session_key) REFERENCES group_runs(event_key, session_key)
            ON DELETE CASCADE
    );
    """,
    # 3: what each calendar entry (a person's place, a published session) was last told.
    """
    CREATE TABLE calendar_states (
        uid TEXT PRIMARY KEY,
        sequence INTEGER NOT NULL CHECK (sequence >= 0),
        significant TEXT NOT NULL,
        content TEXT NOT NULL,
        last_modified TEXT NOT NULL,
        cancelled INTEGER NOT NULL CHECK (cancelled IN (0, 1))
    );
    """,
    # 4: input and feedback rounds (issue 6).
    FEEDBACK_MIGRATION,
    # 5: privacy (issue 9): age categories (never birth dates), who gave
    # consent, and the privacy log.
    """
    ALTER TABLE persons ADD COLUMN age_category TEXT
        CHECK (age_category IN ('under-12', '12-15', '16-17', 'adult'));
    ALTER TABLE registrations ADD COLUMN consent_given_by TEXT
        CHECK (consent_given_by IN ('participant', 'guardian'));
    CREATE TABLE privacy_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        event_key TEXT,
        subject TEXT NOT NULL,
        path TEXT,
        requested_by TEXT,
        count INTEGER NOT NULL CHECK (count >= 0)
    );
    """,
    # 6: the transactional outbox (notifications).
    f"""
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({_DELIVERY_STATES})),
        due_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_until TEXT,
        sent_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        event_key TEXT,
        session_key TEXT,
        registration_id INTEGER
    );
    CREATE INDEX outbox_due ON outbox (state, due_at, id);
    CREATE INDEX outbox_lease ON outbox (state, lease_until);
    CREATE INDEX outbox_about ON outbox (event_key, session_key, kind, state);
    """,
    # 7: keys of purged messages, so a re-run queues nothing purged again.
    """
    CREATE TABLE outbox_spent (
        key TEXT PRIMARY KEY,
        event_key TEXT,
        purged_at TEXT NOT NULL
    );
    CREATE INDEX outbox_final ON outbox (state, updated_at);
    """,
)


def registrations_query(
    event_key: str, session_key: str | None, states: Iterable[RegistrationState] | None
) -> tuple[str, list[object]] | None:
    """The SQL (``?`` placeholders) and parameters of ``list_registrations``.

    ``None`` when ``states`` is empty: nothing can match. Shared with the
    PostgreSQL plugin, which rewrites the placeholders.
    """
    sql = (
        f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r "
        "JOIN persons p ON p.id = r.person_id WHERE r.event_key = ?"
    )
    params: list[object] = [event_key]
    if session_key is not None:
        sql += " AND r.session_key = ?"
        params.append(session_key)
    if states is not None:
        values = sorted({state.value for state in states})
        if not values:
            return None
        sql += f" AND r.state IN ({', '.join('?' for _ in values)})"
        params.extend(values)
    return sql + " ORDER BY r.id", params


_REGISTRATION_COLUMNS = """
    r.id, r.event_key, r.session_key, r.state, r.registered_at, r.updated_at,
    r.consent_version, r.consent_given_at, r.consent_given_by, r.offer_expires_at,
    p.name, p.email, p.audience, p.organisation, p.phone, p.language, p.age_category
"""


_CHUNK = 500  # host parameters per IN (...) list, well below SQLite's limit

_UPSERT_PERSON = (
    "INSERT INTO persons (email, name, audience, organisation, phone, language, age_category) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO UPDATE SET "
    "name = excluded.name, audience = excluded.audience, "
    "organisation = excluded.organisation, phone = excluded.phone, "
    "language = excluded.language, age_category = excluded.age_category"
)
_INSERT_REGISTRATION = (
    "INSERT INTO registrations (event_key, session_key, person_id, state, "
    "registered_at, updated_at, consent_version, consent_given_at, consent_given_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_APPEND_LOG = (
    "INSERT INTO registration_log (registration_id, at, previous, state, reason) "
    "VALUES (?, ?, ?, ?, ?)"
)


def _person_values(person: Person) -> tuple[object, ...]:
    return (
        person.email,
        person.name,
        person.audience,
        person.organisation,
        person.phone,
        person.language,
        None if person.age_category is None else person.age_category.value,
    )


def _registration_values(
    event_key: str,
    session_key: str,
    person_id: int,
    state: RegistrationState,
    consent: Consent | None,
    stamp: str,
) -> tuple[object, ...]:
    return (
        event_key,
        session_key,
        person_id,
        state.value,
        stamp,
        stamp,
        None if consent is None else consent.text_version,
        None if consent is None else to_utc_text(consent.given_at),
        None if consent is None else consent.given_by,
    )


def path_from_url(url: str) -> str:
    """The file path (or ``:memory:``) a ``sqlite://`` URL names."""
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "sqlite" or not sep:
        raise InvalidInputError(f"not a sqlite URL: {url!r}")
    if rest in {"", "/", "/:memory:"}:
        return ":memory:"
    if not rest.startswith("/"):
        raise InvalidInputError(
            f"a sqlite URL has three slashes before a relative path and four before an "
            f"absolute one (sqlite:///data/event.db, sqlite:////srv/event.db): {url!r}"
        )
    return rest[1:]


_PERSON = "p.name, p.email, p.audience, p.organisation, p.phone, p.language, p.age_category"


def _person(row: sqlite3.Row) -> Person:
    return Person(
        name=row["name"],
        email=row["email"],
        audience=row["audience"],
        organisation=row["organisation"],
        phone=row["phone"],
        language=row["language"],
        age_category=row["age_category"],
    )


def _registration(row: sqlite3.Row) -> Registration:
    consent = None
    if row["consent_version"] is not None:
        consent = Consent(
            text_version=row["consent_version"],
            given_at=from_utc_text(row["consent_given_at"]),
            given_by=row["consent_given_by"] or PARTICIPANT,
        )
    expires = row["offer_expires_at"]
    return Registration(
        id=row["id"],
        event_key=row["event_key"],
        session_key=row["session_key"],
        person=_person(row),
        state=RegistrationState(row["state"]),
        registered_at=from_utc_text(row["registered_at"]),
        updated_at=from_utc_text(row["updated_at"]),
        consent=consent,
        offer_expires_at=None if expires is None else from_utc_text(expires),
    )


_OUTBOX_COLUMNS = (
    "id, channel, payload, state, due_at, attempts, created_at, updated_at, lease_until, "
    "sent_at, last_error, event_key, session_key, registration_id"
)


def _outbox_record(row: sqlite3.Row) -> OutboxRecord:
    def instant(value: str | None) -> datetime | None:
        return None if value is None else from_utc_text(value)

    return OutboxRecord(
        id=row["id"],
        channel=row["channel"],
        message=decode_message(row["payload"]),
        state=DeliveryState(row["state"]),
        due_at=from_utc_text(row["due_at"]),
        attempts=row["attempts"],
        created_at=from_utc_text(row["created_at"]),
        updated_at=from_utc_text(row["updated_at"]),
        lease_until=instant(row["lease_until"]),
        sent_at=instant(row["sent_at"]),
        last_error=row["last_error"],
        event_key=row["event_key"],
        session_key=row["session_key"],
        registration_id=row["registration_id"],
    )


class _SQLiteTx(SQLiteFeedbackTx, Tx):
    def __init__(self, connection: sqlite3.Connection, events: dict[str, Event]) -> None:
        self._db = connection
        self._events = events

    def load_event(self, event_key: str) -> Event | None:
        row = self._db.execute("SELECT document FROM events WHERE key = ?", (event_key,)).fetchone()
        if row is None:
            return None
        document: str = row[0]
        cached = self._events.get(document)
        if cached is None:
            if len(self._events) > 64:  # documents of old event versions
                self._events.clear()
            cached = self._events[document] = decode_event(document)
        return cached

    def write_event(self, event: Event, now: datetime) -> None:
        self._db.execute(
            "INSERT INTO events (key, document, saved_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET document = excluded.document, "
            "saved_at = excluded.saved_at",
            (event.key, encode_event(event), to_utc_text(now)),
        )
        keys = [session.key for session in event.sessions]
        self._db.executemany(
            "INSERT OR IGNORE INTO sessions (event_key, key) VALUES (?, ?)",
            [(event.key, key) for key in keys],
        )
        marks = ", ".join("?" for _ in keys)
        self._db.execute(
            f"DELETE FROM sessions WHERE event_key = ? AND key NOT IN ({marks})",
            (event.key, *keys),
        )

    def sessions_in_use(self, event_key: str) -> set[str]:
        rows = self._db.execute(
            "SELECT DISTINCT session_key FROM registrations WHERE event_key = ?", (event_key,)
        )
        return {row[0] for row in rows}

    def expired_offers(self, event_key: str, session_key: str, now: datetime) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM registrations WHERE event_key = ? AND session_key = ? "
            "AND state = 'offered' AND offer_expires_at <= ? ORDER BY id",
            (event_key, session_key, to_utc_text(now)),
        )
        return [row[0] for row in rows]

    def count_state(
        self, event_key: str, session_key: str, states: frozenset[RegistrationState]
    ) -> int:
        values = sorted(state.value for state in states)
        marks = ", ".join("?" for _ in values)
        row = self._db.execute(
            "SELECT count(*) FROM registrations WHERE event_key = ? AND session_key = ? "
            f"AND state IN ({marks})",
            (event_key, session_key, *values),
        ).fetchone()
        return int(row[0])

    def first_waiting(self, event_key: str, session_key: str, limit: int | None) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM registrations WHERE event_key = ? AND session_key = ? "
            "AND state = 'waitlisted' ORDER BY id LIMIT ?",
            (event_key, session_key, -1 if limit is None else limit),
        )
        return [row[0] for row in rows]

    def active_registration(self, event_key: str, session_key: str, email: str) -> int | None:
        row = self._db.execute(
            "SELECT r.id FROM registrations r JOIN persons p ON p.id = r.person_id "
            "WHERE p.email = ? AND r.event_key = ? AND r.session_key = ? "
            f"AND r.state IN ({_ACTIVE_STATES})",
            (email, event_key, session_key),
        ).fetchone()
        return None if row is None else int(row[0])

    def active_emails(self, event_key: str, session_key: str) -> set[str]:
        rows = self._db.execute(
            "SELECT p.email FROM registrations r JOIN persons p ON p.id = r.person_id "
            f"WHERE r.event_key = ? AND r.session_key = ? AND r.state IN ({_ACTIVE_STATES})",
            (event_key, session_key),
        )
        return {row[0] for row in rows}

    def upsert_persons(self, persons: Sequence[Person]) -> list[int]:
        self._db.executemany(_UPSERT_PERSON, [_person_values(person) for person in persons])
        ids: dict[str, int] = {}
        emails = [person.email for person in persons]
        for start in range(0, len(emails), _CHUNK):
            chunk = emails[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                f"SELECT email, id FROM persons WHERE email IN ({marks})", chunk
            )
            ids.update((row[0], row[1]) for row in rows)
        return [ids[email] for email in emails]

    def insert_registrations(
        self,
        event_key: str,
        session_key: str,
        rows: Sequence[tuple[int, RegistrationState, Consent | None]],
        now: datetime,
    ) -> list[int]:
        # We hold the write lock and ids only grow (AUTOINCREMENT), so the new
        # rows are exactly those above the highest id seen before the insert.
        before = self._db.execute("SELECT coalesce(max(id), 0) FROM registrations").fetchone()[0]
        stamp = to_utc_text(now)
        self._db.executemany(
            _INSERT_REGISTRATION,
            [
                _registration_values(event_key, session_key, person_id, state, consent, stamp)
                for person_id, state, consent in rows
            ],
        )
        ids = [
            row[0]
            for row in self._db.execute(
                "SELECT id FROM registrations WHERE id > ? ORDER BY id", (before,)
            )
        ]
        if len(ids) != len(rows):  # pragma: no cover - would mean another writer got in
            raise StorageError("bulk insert lost track of the new registration ids")
        return ids

    def append_logs(
        self,
        entries: Sequence[tuple[int, RegistrationState | None, RegistrationState, datetime, str]],
    ) -> None:
        self._db.executemany(
            _APPEND_LOG,
            [
                (
                    rid,
                    to_utc_text(at),
                    None if previous is None else previous.value,
                    state.value,
                    why,
                )
                for rid, previous, state, at, why in entries
            ],
        )

    def upsert_person(self, person: Person) -> int:
        row = self._db.execute(_UPSERT_PERSON + " RETURNING id", _person_values(person)).fetchone()
        return int(row[0])

    def insert_registration(
        self,
        event_key: str,
        session_key: str,
        person_id: int,
        state: RegistrationState,
        consent: Consent | None,
        now: datetime,
    ) -> int:
        cursor = self._db.execute(
            _INSERT_REGISTRATION,
            _registration_values(
                event_key, session_key, person_id, state, consent, to_utc_text(now)
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_state(
        self,
        registration_id: int,
        state: RegistrationState,
        now: datetime,
        offer_expires_at: datetime | None,
    ) -> None:
        self._db.execute(
            "UPDATE registrations SET state = ?, updated_at = ?, offer_expires_at = ? WHERE id = ?",
            (
                state.value,
                to_utc_text(now),
                None if offer_expires_at is None else to_utc_text(offer_expires_at),
                registration_id,
            ),
        )

    def append_log(
        self,
        registration_id: int,
        previous: RegistrationState | None,
        state: RegistrationState,
        at: datetime,
        reason: str,
    ) -> None:
        self._db.execute(
            _APPEND_LOG,
            (
                registration_id,
                to_utc_text(at),
                None if previous is None else previous.value,
                state.value,
                reason,
            ),
        )

    # --- group assignment -------------------------------------------------

    def write_assignment(self, assignment: StoredAssignment) -> None:
        key = assignment.event_key
        self._db.execute("DELETE FROM assignment_runs WHERE event_key = ?", (key,))
        self._db.execute(
            "INSERT INTO assignment_runs (event_key, mode, seed) VALUES (?, ?, ?)",
            (key, assignment.mode, assignment.seed),
        )
        ids = self.upsert_persons([entry.person for entry in assignment.entries])
        self._db.executemany(
            "INSERT INTO assignment_entries (event_key, person_id, ranking, priority, lottery, "
            "session_key, notified) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    key,
                    person_id,
                    json.dumps(list(entry.ranking)),
                    entry.priority,
                    entry.lottery,
                    entry.session_key,
                    int(entry.notified),
                )
                for person_id, entry in zip(ids, assignment.entries, strict=True)
            ],
        )

    def read_assignment(self, event_key: str) -> StoredAssignment | None:
        run = self._db.execute(
            "SELECT mode, seed FROM assignment_runs WHERE event_key = ?", (event_key,)
        ).fetchone()
        if run is None:
            return None
        rows = self._db.execute(
            f"SELECT a.ranking, a.priority, a.lottery, a.session_key, a.notified, {_PERSON} "
            "FROM assignment_entries a JOIN persons p ON p.id = a.person_id "
            "WHERE a.event_key = ? ORDER BY p.email",
            (event_key,),
        )
        entries = tuple(
            AssignmentEntry(
                person=_person(row),
                ranking=tuple(json.loads(row["ranking"])),
                priority=row["priority"],
                lottery=row["lottery"],
                session_key=row["session_key"],
                notified=bool(row["notified"]),
            )
            for row in rows
        )
        return StoredAssignment(event_key, run["mode"], run["seed"], entries)

    def write_groups(self, groups: StoredGroups) -> None:
        keys = (groups.event_key, groups.session_key)
        self._db.execute("DELETE FROM group_runs WHERE event_key = ? AND session_key = ?", keys)
        self._db.execute(
            "INSERT INTO group_runs (event_key, session_key, strategy, seed) VALUES (?, ?, ?, ?)",
            (*keys, groups.strategy, groups.seed),
        )
        ids = self.upsert_persons([placement.person for placement in groups.placements])
        self._db.executemany(
            "INSERT INTO group_placements (event_key, session_key, person_id, group_number, "
            "role, reason, notified) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (*keys, person_id, p.group, p.role, p.reason, int(p.notified))
                for person_id, p in zip(ids, groups.placements, strict=True)
            ],
        )

    def read_groups(self, event_key: str, session_key: str) -> StoredGroups | None:
        keys = (event_key, session_key)
        run = self._db.execute(
            "SELECT strategy, seed FROM group_runs WHERE event_key = ? AND session_key = ?", keys
        ).fetchone()
        if run is None:
            return None
        rows = self._db.execute(
            f"SELECT g.group_number, g.role, g.reason, g.notified, {_PERSON} "
            "FROM group_placements g JOIN persons p ON p.id = g.person_id "
            "WHERE g.event_key = ? AND g.session_key = ? "
            "ORDER BY g.group_number, g.role, p.email",
            keys,
        )
        placements = tuple(
            GroupPlacement(
                person=_person(row),
                group=row["group_number"],
                role=row["role"],
                reason=row["reason"],
                notified=bool(row["notified"]),
            )
            for row in rows
        )
        return StoredGroups(event_key, session_key, run["strategy"], run["seed"], placements)

    def load_registration(self, registration_id: int) -> Registration | None:
        row = self._db.execute(
            f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r "
            "JOIN persons p ON p.id = r.person_id WHERE r.id = ?",
            (registration_id,),
        ).fetchone()
        return None if row is None else _registration(row)

    def load_calendar_states(self, uids: Sequence[str]) -> dict[str, CalendarState]:
        states: dict[str, CalendarState] = {}
        for start in range(0, len(uids), _CHUNK):
            chunk = list(uids[start : start + _CHUNK])
            marks = ", ".join("?" for _ in chunk)
            rows = self._db.execute(
                "SELECT uid, sequence, significant, content, last_modified, cancelled "
                f"FROM calendar_states WHERE uid IN ({marks})",
                chunk,
            )
            for row in rows:
                states[row[0]] = CalendarState(
                    uid=row[0],
                    sequence=row[1],
                    significant=row[2],
                    content=row[3],
                    last_modified=from_utc_text(row[4]),
                    cancelled=bool(row[5]),
                )
        return states

    def delete_calendar_states(self, tokens: Sequence[str]) -> int:
        return sum(
            self._db.execute(
                "DELETE FROM calendar_states WHERE substr(uid, 1, ?) = ?",
                (len(token) + 1, f"{token}@"),
            ).rowcount
            for token in tokens
        )

    def save_calendar_states(self, states: Sequence[CalendarState]) -> None:
        self._db.executemany(
            "INSERT INTO calendar_states "
            "(uid, sequence, significant, content, last_modified, cancelled) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO UPDATE SET "
            "sequence = excluded.sequence, significant = excluded.significant, "
            "content = excluded.content, last_modified = excluded.last_modified, "
            "cancelled = excluded.cancelled",
            [
                (
                    state.uid,
                    state.sequence,
                    state.significant,
                    state.content,
                    to_utc_text(state.last_modified),
                    int(state.cancelled),
                )
                for state in states
            ],
        )

    # --- privacy (issue 9) --------------------------------------------------

    def find_person(self, email: str) -> int | None:
        row = self._db.execute("SELECT id FROM persons WHERE email = ?", (email,)).fetchone()
        return None if row is None else int(row[0])

    def load_person(self, person_id: int) -> Person | None:
        row = self._db.execute(
            f"SELECT {_PERSON} FROM persons p WHERE p.id = ?", (person_id,)
        ).fetchone()
        return None if row is None else _person(row)

    def registrations_of_person(self, person_id: int) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM registrations WHERE person_id = ? ORDER BY id", (person_id,)
        )
        return [int(row[0]) for row in rows]

    def persons_of_event(self, event_key: str) -> list[int]:
        rows = self._db.execute(
            "SELECT person_id FROM registrations WHERE event_key = ? "
            "UNION SELECT person_id FROM assignment_entries WHERE event_key = ? "
            "UNION SELECT person_id FROM group_placements WHERE event_key = ? "
            "ORDER BY 1",
            (event_key, event_key, event_key),
        )
        return [int(row[0]) for row in rows]

    def detach_person(self, person_id: int, event_key: str | None, tombstone: Person) -> Detached:
        where = "person_id = ?" + ("" if event_key is None else " AND event_key = ?")
        params: tuple[object, ...] = (person_id,) if event_key is None else (person_id, event_key)
        moved = 0
        if self._db.execute(f"SELECT 1 FROM registrations WHERE {where}", params).fetchone():
            tombstone_id = self.upsert_person(tombstone)
            moved = self._db.execute(
                f"UPDATE registrations SET person_id = ? WHERE {where}", (tombstone_id, *params)
            ).rowcount
        entries = self._db.execute(f"DELETE FROM assignment_entries WHERE {where}", params).rowcount
        placements = self._db.execute(
            f"DELETE FROM group_placements WHERE {where}", params
        ).rowcount
        in_use = (
            event_key is not None
            and self._db.execute(
                "SELECT 1 FROM registrations WHERE person_id = ? "
                "UNION ALL SELECT 1 FROM assignment_entries WHERE person_id = ? "
                "UNION ALL SELECT 1 FROM group_placements WHERE person_id = ? LIMIT 1",
                (person_id, person_id, person_id),
            ).fetchone()
        )
        deleted = 0
        if not in_use:
            # A table another module adds that still refers to the person
            # makes this fail (foreign keys are on): loudly, and rolled back.
            deleted = self._db.execute("DELETE FROM persons WHERE id = ?", (person_id,)).rowcount
        return Detached(moved, entries, placements, deleted)

    def append_privacy_record(self, record: PrivacyRecord) -> None:
        self._db.execute(
            "INSERT INTO privacy_log (at, action, event_key, subject, path, requested_by, count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                to_utc_text(record.at),
                record.action,
                record.event_key,
                record.subject,
                record.path,
                record.requested_by,
                record.count,
            ),
        )

    def read_privacy_records(self) -> list[PrivacyRecord]:
        rows = self._db.execute(
            "SELECT at, action, event_key, subject, path, requested_by, count "
            "FROM privacy_log ORDER BY id"
        )
        return [
            PrivacyRecord(
                at=from_utc_text(row["at"]),
                action=row["action"],
                event_key=row["event_key"],
                subject=row["subject"],
                path=row["path"],
                requested_by=row["requested_by"],
                count=row["count"],
            )
            for row in rows
        ]

    def forget_requester(self, email: str) -> int:
        return self._db.execute(
            "UPDATE privacy_log SET requested_by = NULL WHERE requested_by = ?", (email,)
        ).rowcount

    # --- the outbox ---------------------------------------------------------

    def session_registrations(
        self, event_key: str, session_key: str, states: frozenset[RegistrationState]
    ) -> list[Registration]:
        values = sorted(state.value for state in states)
        marks = ", ".join("?" for _ in values)
        rows = self._db.execute(
            f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r "
            "JOIN persons p ON p.id = r.person_id "
            f"WHERE r.event_key = ? AND r.session_key = ? AND r.state IN ({marks}) ORDER BY r.id",
            (event_key, session_key, *values),
        )
        return [_registration(row) for row in rows]

    def queue_message(self, entry: OutgoingMessage, now: datetime) -> bool:
        stamp = to_utc_text(now)
        spent = self._db.execute("SELECT 1 FROM outbox_spent WHERE key = ?", (entry.key,))
        if spent.fetchone() is not None:
            return False  # sent and purged long ago: never again
        cursor = self._db.execute(
            "INSERT INTO outbox (key, channel, kind, payload, state, due_at, created_at, "
            "updated_at, event_key, session_key, registration_id) "
            "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                entry.key,
                entry.channel,
                entry.message.kind,
                encode_message(entry.message),
                to_utc_text(entry.due_at),
                stamp,
                stamp,
                entry.event_key,
                entry.session_key,
                entry.registration_id,
            ),
        )
        return cursor.rowcount == 1

    def delete_event_messages(self, event_key: str) -> int:
        self._db.execute("DELETE FROM outbox_spent WHERE event_key = ?", (event_key,))
        return self._db.execute("DELETE FROM outbox WHERE event_key = ?", (event_key,)).rowcount

    def purge_outbox_messages(self, before: datetime, now: datetime) -> int:
        final = ", ".join(f"'{state.value}'" for state in DeliveryState if state.is_final)
        where = f"state IN ({final}) AND updated_at < ?"
        cutoff = to_utc_text(before)
        self._db.execute(
            "INSERT INTO outbox_spent (key, event_key, purged_at) "
            f"SELECT key, event_key, ? FROM outbox WHERE {where} ON CONFLICT (key) DO NOTHING",
            (to_utc_text(now), cutoff),
        )
        return self._db.execute(f"DELETE FROM outbox WHERE {where}", (cutoff,)).rowcount

    def supersede_messages(self, rule: Supersede, now: datetime) -> int:
        kinds = sorted(rule.kinds)
        sql = (
            "UPDATE outbox SET state = 'superseded', lease_until = NULL, updated_at = ? "
            "WHERE state IN ('pending', 'sending') AND event_key = ? "
            f"AND kind IN ({', '.join('?' for _ in kinds)})"
        )
        params: list[object] = [to_utc_text(now), rule.event_key, *kinds]
        if rule.session_key is not None:
            sql += " AND session_key = ?"
            params.append(rule.session_key)
        if rule.registration_id is not None:
            sql += " AND registration_id = ?"
            params.append(rule.registration_id)
        return self._db.execute(sql, params).rowcount

    def due_messages(
        self, now: datetime, limit: int, channels: frozenset[str] | None
    ) -> list[OutboxRecord]:
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
        rows = self._db.execute(sql + " ORDER BY due_at, id LIMIT ?", (*params, limit))
        return [_outbox_record(row) for row in rows]

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
        self._db.execute(
            "UPDATE outbox SET state = ?, attempts = ?, due_at = ?, lease_until = ?, "
            "sent_at = ?, last_error = ?, updated_at = ? WHERE id = ?",
            (
                state.value,
                attempts,
                to_utc_text(due_at),
                None if lease_until is None else to_utc_text(lease_until),
                None if sent_at is None else to_utc_text(sent_at),
                last_error,
                to_utc_text(now),
                message_id,
            ),
        )

    def load_outbox_message(self, message_id: int) -> OutboxRecord | None:
        row = self._db.execute(
            f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (message_id,)
        ).fetchone()
        return None if row is None else _outbox_record(row)

    def delete_outbox_messages(self, recipient: str | None, registration_ids: Sequence[int]) -> int:
        deleted = 0
        for start in range(0, len(registration_ids), _CHUNK):
            chunk = list(registration_ids[start : start + _CHUNK])
            marks = ", ".join("?" for _ in chunk)
            deleted += self._db.execute(
                f"DELETE FROM outbox WHERE registration_id IN ({marks})", chunk
            ).rowcount
        # The recipient is inside the JSON payload: a message that names the
        # address anywhere goes too (better one too many than one too few).
        if recipient:
            deleted += self._db.execute(
                "DELETE FROM outbox WHERE instr(payload, ?) > 0", (recipient,)
            ).rowcount
        return deleted

    def list_outbox(
        self, states: frozenset[DeliveryState] | None, event_key: str | None
    ) -> list[OutboxRecord]:
        sql = f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE 1 = 1"
        params: list[object] = []
        if states is not None:
            values = sorted(state.value for state in states)
            sql += f" AND state IN ({', '.join('?' for _ in values)})"
            params.extend(values)
        if event_key is not None:
            sql += " AND event_key = ?"
            params.append(event_key)
        return [_outbox_record(row) for row in self._db.execute(sql + " ORDER BY id", params)]


class SQLiteStore(LedgerStore):
    """A backend in one SQLite file, safe for several processes on one machine.

    Attributes:
        path: The database file, or ``:memory:``.
    """

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
        self.shared_between_processes = self.path != ":memory:"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(
                self.path,
                isolation_level=None,
                timeout=busy_timeout,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise StorageError(f"cannot open SQLite database {self.path!r}: {error}") from error
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._events: dict[str, Event] = {}
        self._closed = False
        try:
            self._configure(busy_timeout)
            self._migrate()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StorageError(
                f"{self.path!r} is not a SQLite database participatie can use "
                f"(is it another kind of file, or damaged?): {error}"
            ) from error
        except BaseException:
            self._db.close()
            raise

    def _configure(self, busy_timeout: float) -> None:
        self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        if self.path != ":memory:":
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
                raise StorageError(f"SQLite refused WAL mode for {self.path!r} (got {mode!r})")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA secure_delete = ON")

    def _migrate(self) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                if version > len(MIGRATIONS):
                    raise SchemaVersionError(
                        f"the database {self.path!r} has schema version {version}, but this "
                        f"version of participatie knows only up to {len(MIGRATIONS)}; "
                        "upgrade participatie to open it"
                    )
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    for statement in script.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def scrub(self) -> Scrubbed:
        """Checkpoint the write-ahead log into the database and truncate it.

        Erased rows are overwritten with zeros in the database pages at once
        (``secure_delete``), but until a checkpoint the old pages are still
        in the ``-wal`` file. ``wal_checkpoint(TRUNCATE)`` copies the new
        pages into the database and empties the log; it cannot finish while
        another connection is reading an old snapshot, which the result
        reports (run it again later).
        """
        with self._lock:
            self._check_open()
            if self.path == ":memory:":
                return Scrubbed(True, "an in-memory SQLite database keeps no files")
            busy, _frames, _done = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy:
                return Scrubbed(
                    False,
                    f"another connection is using {self.path!r}; the write-ahead log could "
                    "not be truncated yet: scrub again when it is closed",
                )
            return Scrubbed(True, f"write-ahead log of {self.path!r} checkpointed and truncated")

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("this store is closed")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Tx]:
        with self._lock:
            self._check_open()
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise StorageError(f"the database {self.path!r} is busy: {error}") from error
            try:
                yield _SQLiteTx(self._db, self._events)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as error:  # pragma: no cover - disk full, I/O error
                self._db.execute("ROLLBACK")
                raise StorageError(f"could not commit to {self.path!r}: {error}") from error

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # A deferred transaction gives one consistent snapshot for a read of
        # several statements, without blocking writers (WAL).
        with self._lock:
            self._check_open()
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    def get_event(self, event_key: str) -> Event:
        with self._read() as db:
            event = _SQLiteTx(db, self._events).load_event(event_key)
        if event is None:
            raise UnknownEventError(f"no event {event_key!r} is stored")
        return event

    def list_events(self) -> list[Event]:
        with self._read() as db:
            tx = _SQLiteTx(db, self._events)
            keys = [row[0] for row in db.execute("SELECT key FROM events ORDER BY key")]
            events = [tx.load_event(key) for key in keys]
        return [event for event in events if event is not None]

    def get_registration(self, registration_id: int) -> Registration:
        with self._read() as db:
            registration = _SQLiteTx(db, self._events).load_registration(registration_id)
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
        with self._read() as db:
            return [_registration(row) for row in db.execute(*query)]

    def registrations_of(self, email: str) -> list[Registration]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_REGISTRATION_COLUMNS} FROM registrations r "
                "JOIN persons p ON p.id = r.person_id WHERE p.email = ? ORDER BY r.id",
                (email.strip().lower(),),
            )
            return [_registration(row) for row in rows]

    def history(self, registration_id: int) -> list[Transition]:
        registration = self.get_registration(registration_id)
        with self._read() as db:
            rows = db.execute(
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


@hookimpl(trylast=True)
def participatie_open_store(url: str) -> SQLiteStore | None:
    """Open ``sqlite:///relative.db``, ``sqlite:////absolute.db`` or ``sqlite://``."""
    if url.split(":", 1)[0].lower() != "sqlite":
        return None
    return SQLiteStore(path_from_url(url))
