"""Input and feedback rounds in SQLite: the schema migration and the Tx primitives.

Mixed into the SQLite backend's transaction object. Keys, times and states
are real columns (with the constraints that keep one response per person per
round and one disposition per comment); a version's sections, a response's
answers and a round's recipients and reminders are JSON documents
(:mod:`participatie.storage._feedback_codec`).
"""

from __future__ import annotations

import functools
import sqlite3
from datetime import datetime
from typing import Any

from participatie.feedback.drafts import Draft, DraftVersion
from participatie.feedback.input import Contribution, EnteredBy
from participatie.feedback.responses import Disposition, DispositionOutcome, Response
from participatie.feedback.rounds import FeedbackRound
from participatie.storage._codec import from_utc_text, to_utc_text
from participatie.storage._feedback import FeedbackTx
from participatie.storage._feedback_codec import (
    decode_answers,
    decode_recipients,
    decode_reminders,
    decode_sections,
    decode_themes,
    encode_answers,
    encode_recipients,
    encode_reminders,
    encode_sections,
    encode_themes,
)

__all__ = ["FEEDBACK_MIGRATION", "SQLiteFeedbackTx"]

_ENTERED_BY = ", ".join(f"'{item.value}'" for item in EnteredBy)
_OUTCOMES = ", ".join(f"'{item.value}'" for item in DispositionOutcome)

#: The schema for input and feedback rounds (one entry of ``MIGRATIONS``).
FEEDBACK_MIGRATION = f"""
    CREATE TABLE feedback_contributions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_key TEXT NOT NULL REFERENCES events(key),
        session_key TEXT NOT NULL,
        question INTEGER CHECK (question IS NULL OR question >= 1),
        group_key TEXT,
        audience TEXT NOT NULL,
        themes TEXT NOT NULL,
        participant TEXT,
        entered_by TEXT NOT NULL CHECK (entered_by IN ({_ENTERED_BY})),
        may_be_named INTEGER NOT NULL CHECK (may_be_named IN (0, 1)),
        text TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX feedback_contributions_by_event ON feedback_contributions (event_key, id);
    CREATE INDEX feedback_contributions_by_participant ON feedback_contributions (participant);
    CREATE TABLE feedback_drafts (
        key TEXT PRIMARY KEY,
        event_key TEXT NOT NULL REFERENCES events(key),
        title TEXT NOT NULL,
        saved_at TEXT NOT NULL
    );
    CREATE TABLE feedback_versions (
        draft_key TEXT NOT NULL REFERENCES feedback_drafts(key),
        number INTEGER NOT NULL CHECK (number >= 1),
        note TEXT NOT NULL,
        sections TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (draft_key, number)
    );
    CREATE TABLE feedback_rounds (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_key TEXT NOT NULL REFERENCES events(key),
        draft_key TEXT NOT NULL,
        version INTEGER NOT NULL,
        title TEXT,
        timezone TEXT NOT NULL,
        opens_at TEXT NOT NULL,
        closes_at TEXT NOT NULL,
        recipients TEXT NOT NULL,
        reminders TEXT NOT NULL,
        anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
        created_at TEXT NOT NULL,
        closed_at TEXT,
        concluded_at TEXT,
        next_version INTEGER,
        opened_announced_at TEXT,
        closed_announced_at TEXT,
        CHECK (opens_at < closes_at),
        FOREIGN KEY (draft_key, version) REFERENCES feedback_versions(draft_key, number)
    );
    CREATE INDEX feedback_rounds_by_event ON feedback_rounds (event_key, id);
    CREATE TABLE feedback_responses (
        round_id INTEGER NOT NULL REFERENCES feedback_rounds(id),
        respondent TEXT NOT NULL,
        sections TEXT NOT NULL,
        general_comment TEXT,
        may_be_named INTEGER NOT NULL CHECK (may_be_named IN (0, 1)),
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        PRIMARY KEY (round_id, respondent)
    );
    CREATE TABLE feedback_dispositions (
        round_id INTEGER NOT NULL REFERENCES feedback_rounds(id),
        respondent TEXT NOT NULL,
        section TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ({_OUTCOMES})),
        reason TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (round_id, respondent, section)
    );
    CREATE TABLE feedback_messages (
        round_id INTEGER NOT NULL REFERENCES feedback_rounds(id),
        key TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        PRIMARY KEY (round_id, key)
    );
"""


def _optional_time(value: str | None) -> datetime | None:
    return None if value is None else from_utc_text(value)


def _optional_text(value: datetime | None) -> str | None:
    return None if value is None else to_utc_text(value)


def _contribution(row: sqlite3.Row) -> Contribution:
    return Contribution(
        row["event_key"],
        row["session_key"],
        row["text"],
        row["audience"],
        question=row["question"],
        group=row["group_key"],
        themes=decode_themes(row["themes"]),
        participant=row["participant"],
        entered_by=EnteredBy(row["entered_by"]),
        may_be_named=bool(row["may_be_named"]),
        id=row["id"],
        recorded_at=from_utc_text(row["recorded_at"]),
    )


def _version(row: sqlite3.Row) -> DraftVersion:
    return DraftVersion(
        row["draft_key"],
        row["number"],
        decode_sections(row["sections"]),
        note=row["note"],
        created_at=from_utc_text(row["created_at"]),
    )


def _round(row: sqlite3.Row) -> FeedbackRound:
    return _round_from_values(tuple(row))


_ROUND_COLUMNS = (
    "id, event_key, draft_key, version, title, timezone, opens_at, closes_at, recipients, "
    "reminders, anonymous, created_at, closed_at, concluded_at, next_version, "
    "opened_announced_at, closed_announced_at"
)


_ROUND_NAMES = tuple(name.strip() for name in _ROUND_COLUMNS.split(","))


@functools.lru_cache(maxsize=256)
def _round_from_values(values: tuple[object, ...]) -> FeedbackRound:
    # A round is read at every response; the same row gives the same
    # (immutable) value, so it is built and validated once.
    row: dict[str, Any] = dict(zip(_ROUND_NAMES, values, strict=True))
    return FeedbackRound(
        row["event_key"],
        row["draft_key"],
        row["version"],
        from_utc_text(row["opens_at"]),
        from_utc_text(row["closes_at"]),
        decode_recipients(row["recipients"]),
        reminders=decode_reminders(row["reminders"]),
        anonymous_to_colleagues=bool(row["anonymous"]),
        title=row["title"],
        timezone=row["timezone"],
        id=row["id"],
        created_at=from_utc_text(row["created_at"]),
        closed_at=_optional_time(row["closed_at"]),
        concluded_at=_optional_time(row["concluded_at"]),
        next_version=row["next_version"],
        opened_announced_at=_optional_time(row["opened_announced_at"]),
        closed_announced_at=_optional_time(row["closed_announced_at"]),
    )


def _response(row: sqlite3.Row) -> Response:
    return Response(
        row["round_id"],
        row["respondent"],
        decode_answers(row["sections"]),
        row["general_comment"],
        may_be_named=bool(row["may_be_named"]),
        submitted_at=from_utc_text(row["submitted_at"]),
        updated_at=from_utc_text(row["updated_at"]),
        revision=row["revision"],
    )


def _disposition(row: sqlite3.Row) -> Disposition:
    return Disposition(
        row["round_id"],
        row["respondent"],
        row["section"] or None,
        DispositionOutcome(row["outcome"]),
        row["reason"],
        decided_at=from_utc_text(row["decided_at"]),
    )


class SQLiteFeedbackTx(FeedbackTx):
    """The feedback :class:`~participatie.storage.Tx` primitives on a SQLite connection.

    The subclass sets ``_db`` (a connection inside a transaction, with
    :class:`sqlite3.Row` rows).
    """

    _db: sqlite3.Connection

    def insert_contribution(self, contribution: Contribution, now: datetime) -> int:
        cursor = self._db.execute(
            "INSERT INTO feedback_contributions (event_key, session_key, question, group_key, "
            "audience, themes, participant, entered_by, may_be_named, text, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                contribution.event_key,
                contribution.session_key,
                contribution.question,
                contribution.group,
                contribution.audience,
                encode_themes(contribution.themes),
                contribution.participant,
                contribution.entered_by.value,
                int(contribution.may_be_named),
                contribution.text,
                to_utc_text(now),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def select_contributions(self, event_key: str) -> list[Contribution]:
        rows = self._db.execute(
            "SELECT * FROM feedback_contributions WHERE event_key = ? ORDER BY id", (event_key,)
        )
        return [_contribution(row) for row in rows]

    def load_draft(self, draft_key: str) -> Draft | None:
        row = self._db.execute(
            "SELECT key, event_key, title FROM feedback_drafts WHERE key = ?", (draft_key,)
        ).fetchone()
        return None if row is None else Draft(row["key"], row["event_key"], row["title"])

    def write_draft(self, draft: Draft, now: datetime) -> None:
        self._db.execute(
            "INSERT INTO feedback_drafts (key, event_key, title, saved_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET title = excluded.title, saved_at = excluded.saved_at",
            (draft.key, draft.event_key, draft.title, to_utc_text(now)),
        )

    def select_drafts(self, event_key: str) -> list[Draft]:
        rows = self._db.execute(
            "SELECT key, event_key, title FROM feedback_drafts WHERE event_key = ?", (event_key,)
        )
        return [Draft(row["key"], row["event_key"], row["title"]) for row in rows]

    def select_versions(self, draft_key: str) -> list[DraftVersion]:
        rows = self._db.execute(
            "SELECT * FROM feedback_versions WHERE draft_key = ? ORDER BY number", (draft_key,)
        )
        return [_version(row) for row in rows]

    def insert_version(self, version: DraftVersion) -> None:
        assert version.created_at is not None
        self._db.execute(
            "INSERT INTO feedback_versions (draft_key, number, note, sections, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                version.draft_key,
                version.number,
                version.note,
                encode_sections(version.sections),
                to_utc_text(version.created_at),
            ),
        )

    def _round_values(self, feedback_round: FeedbackRound) -> tuple[object, ...]:
        assert feedback_round.created_at is not None
        return (
            feedback_round.event_key,
            feedback_round.draft_key,
            feedback_round.version,
            feedback_round.title,
            feedback_round.timezone,
            to_utc_text(feedback_round.opens_at),
            to_utc_text(feedback_round.closes_at),
            encode_recipients(feedback_round.recipients),
            encode_reminders(feedback_round.reminders),
            int(feedback_round.anonymous_to_colleagues),
            to_utc_text(feedback_round.created_at),
            _optional_text(feedback_round.closed_at),
            _optional_text(feedback_round.concluded_at),
            feedback_round.next_version,
            _optional_text(feedback_round.opened_announced_at),
            _optional_text(feedback_round.closed_announced_at),
        )

    def insert_round(self, feedback_round: FeedbackRound) -> int:
        cursor = self._db.execute(
            "INSERT INTO feedback_rounds (event_key, draft_key, version, title, timezone, "
            "opens_at, closes_at, recipients, reminders, anonymous, created_at, closed_at, "
            "concluded_at, next_version, opened_announced_at, closed_announced_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self._round_values(feedback_round),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def load_round(self, round_id: int) -> FeedbackRound | None:
        row = self._db.execute(
            f"SELECT {_ROUND_COLUMNS} FROM feedback_rounds WHERE id = ?", (round_id,)
        ).fetchone()
        return None if row is None else _round(row)

    def update_round(self, feedback_round: FeedbackRound) -> None:
        self._db.execute(
            "UPDATE feedback_rounds SET event_key = ?, draft_key = ?, version = ?, title = ?, "
            "timezone = ?, opens_at = ?, closes_at = ?, recipients = ?, reminders = ?, "
            "anonymous = ?, created_at = ?, closed_at = ?, concluded_at = ?, next_version = ?, "
            "opened_announced_at = ?, closed_announced_at = ? WHERE id = ?",
            (*self._round_values(feedback_round), feedback_round.id),
        )

    def select_rounds(self, event_key: str | None) -> list[FeedbackRound]:
        if event_key is None:
            rows = self._db.execute(f"SELECT {_ROUND_COLUMNS} FROM feedback_rounds ORDER BY id")
        else:
            rows = self._db.execute(
                f"SELECT {_ROUND_COLUMNS} FROM feedback_rounds WHERE event_key = ? ORDER BY id",
                (event_key,),
            )
        return [_round(row) for row in rows]

    def load_response(self, round_id: int, respondent: str) -> Response | None:
        row = self._db.execute(
            "SELECT * FROM feedback_responses WHERE round_id = ? AND respondent = ?",
            (round_id, respondent),
        ).fetchone()
        return None if row is None else _response(row)

    def write_response(self, response: Response) -> None:
        assert response.submitted_at is not None
        assert response.updated_at is not None
        self._db.execute(
            "INSERT INTO feedback_responses (round_id, respondent, sections, general_comment, "
            "may_be_named, submitted_at, updated_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (round_id, respondent) DO UPDATE SET sections = excluded.sections, "
            "general_comment = excluded.general_comment, may_be_named = excluded.may_be_named, "
            "submitted_at = excluded.submitted_at, updated_at = excluded.updated_at, "
            "revision = excluded.revision",
            (
                response.round_id,
                response.respondent,
                encode_answers(response.sections),
                response.general_comment,
                int(response.may_be_named),
                to_utc_text(response.submitted_at),
                to_utc_text(response.updated_at),
                response.revision,
            ),
        )

    def select_responses(self, round_id: int) -> list[Response]:
        rows = self._db.execute(
            "SELECT * FROM feedback_responses WHERE round_id = ? ORDER BY submitted_at, respondent",
            (round_id,),
        )
        return [_response(row) for row in rows]

    def write_disposition(self, disposition: Disposition) -> None:
        assert disposition.decided_at is not None
        self._db.execute(
            "INSERT INTO feedback_dispositions (round_id, respondent, section, outcome, reason, "
            "decided_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (round_id, respondent, section) DO UPDATE SET "
            "outcome = excluded.outcome, reason = excluded.reason, "
            "decided_at = excluded.decided_at",
            (
                disposition.round_id,
                disposition.respondent,
                disposition.section or "",
                disposition.outcome.value,
                disposition.reason,
                to_utc_text(disposition.decided_at),
            ),
        )

    def select_dispositions(self, round_id: int) -> list[Disposition]:
        rows = self._db.execute(
            "SELECT * FROM feedback_dispositions WHERE round_id = ? ORDER BY respondent, section",
            (round_id,),
        )
        return [_disposition(row) for row in rows]

    def insert_message_mark(self, round_id: int, key: str, at: datetime) -> bool:
        cursor = self._db.execute(
            "INSERT INTO feedback_messages (round_id, key, queued_at) VALUES (?, ?, ?) "
            "ON CONFLICT (round_id, key) DO NOTHING",
            (round_id, key, to_utc_text(at)),
        )
        return cursor.rowcount == 1

    def select_message_marks(self, round_id: int) -> dict[str, datetime]:
        rows = self._db.execute(
            "SELECT key, queued_at FROM feedback_messages WHERE round_id = ?", (round_id,)
        )
        return {row["key"]: from_utc_text(row["queued_at"]) for row in rows}

    def reassign_feedback_person(
        self, email: str, tombstone: str, event_key: str | None = None
    ) -> int:
        scope: tuple[str, ...] = ()
        if event_key is None:
            of_event, by_round = "", ""
        else:
            of_event = " AND event_key = ?"
            by_round = " AND round_id IN (SELECT id FROM feedback_rounds WHERE event_key = ?)"
            scope = (event_key,)
        changed = self._db.execute(
            "UPDATE feedback_contributions SET participant = ?, may_be_named = 0 "
            f"WHERE participant = ?{of_event}",
            (tombstone, email, *scope),
        ).rowcount
        changed += self._db.execute(
            "UPDATE feedback_responses SET respondent = ?, may_be_named = 0 "
            f"WHERE respondent = ?{by_round}",
            (tombstone, email, *scope),
        ).rowcount
        changed += self._db.execute(
            f"UPDATE feedback_dispositions SET respondent = ? WHERE respondent = ?{by_round}",
            (tombstone, email, *scope),
        ).rowcount
        return changed
