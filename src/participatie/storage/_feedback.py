"""The storage contract for input and feedback rounds, and the algorithm every backend shares.

Mixed into :class:`~participatie.storage.Store`, :class:`~participatie.storage.Tx`
and :class:`~participatie.storage.LedgerStore`, as the registration contract
is: a backend supplies small reads and writes (:class:`FeedbackTx`), and
:class:`FeedbackLedger` runs every step inside the backend's locked
transaction, judging it with the pure rules of
:mod:`participatie.feedback.rules`. That matters most for responses: a
response that arrives while the organiser closes the round is judged against
the round *as stored at that moment*, under the lock, so nothing is accepted
after the close.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

import attrs

from participatie.exceptions import (
    InvalidInputError,
    UnknownDraftError,
    UnknownEventError,
    UnknownRoundError,
)
from participatie.feedback import rules
from participatie.feedback.drafts import Draft, DraftVersion, Section, check_sources
from participatie.feedback.input import Contribution, check_contribution
from participatie.feedback.responses import Disposition, Response, comments_of
from participatie.feedback.rounds import FeedbackRound, Recipient, RoundStatus
from participatie.model import ERASED_NAME, Event

__all__ = ["CLOSED", "OPENED", "FeedbackLedger", "FeedbackStore", "FeedbackTx"]

#: :meth:`FeedbackStore.mark_round_announced` ``what`` values.
OPENED = "opened"
CLOSED = "closed"


class FeedbackStore(abc.ABC):
    """What the facade needs from a backend for input, drafts and feedback rounds.

    Part of :class:`~participatie.storage.Store`. Every method that changes
    something is atomic; ``now`` comes from the caller. Stores return
    datetimes in UTC.
    """

    # --- input ----------------------------------------------------------

    @abc.abstractmethod
    def add_contributions(
        self, contributions: Sequence[Contribution], now: datetime
    ) -> list[Contribution]:
        """Store input (all or none) and return it with ids and ``recorded_at``.

        Each must fit its event (:func:`~participatie.feedback.input.check_contribution`);
        ids only increase.
        """

    @abc.abstractmethod
    def list_contributions(self, event_key: str) -> list[Contribution]:
        """The event's input, in the order it was recorded."""

    # --- drafts ---------------------------------------------------------

    @abc.abstractmethod
    def save_draft(self, draft: Draft, now: datetime) -> Draft:
        """Store a draft, or change its title; its event must exist and cannot change."""

    @abc.abstractmethod
    def get_draft(self, draft_key: str) -> Draft:
        """The draft; :class:`~participatie.exceptions.UnknownDraftError` if none."""

    @abc.abstractmethod
    def list_drafts(self, event_key: str) -> list[Draft]:
        """The event's drafts, by key."""

    @abc.abstractmethod
    def add_draft_version(
        self, draft_key: str, sections: Sequence[Section], note: str, now: datetime
    ) -> DraftVersion:
        """Store the next version (number = last + 1) of a draft.

        Sections may only name input of the draft's event as their sources
        (:class:`~participatie.exceptions.UnknownContributionError`).
        """

    @abc.abstractmethod
    def list_draft_versions(self, draft_key: str) -> list[DraftVersion]:
        """Every version of the draft, oldest first."""

    # --- rounds ---------------------------------------------------------

    @abc.abstractmethod
    def create_round(self, feedback_round: FeedbackRound, now: datetime) -> FeedbackRound:
        """Store a new round (checked with :func:`~participatie.feedback.rules.check_round`)."""

    @abc.abstractmethod
    def get_round(self, round_id: int) -> FeedbackRound:
        """The round; :class:`~participatie.exceptions.UnknownRoundError` if none."""

    @abc.abstractmethod
    def list_rounds(self, event_key: str | None = None) -> list[FeedbackRound]:
        """Rounds of one event (or of all events), in id order."""

    @abc.abstractmethod
    def close_round(self, round_id: int, now: datetime) -> FeedbackRound:
        """Close an open round at ``now``; a closed round is returned unchanged."""

    @abc.abstractmethod
    def mark_round_announced(self, round_id: int, what: str, now: datetime) -> FeedbackRound | None:
        """Record that the round's opening (``"opened"``) or closing (``"closed"``)
        was reported to plugins.

        Returns the round if this call recorded it, ``None`` if it was
        recorded before (or has not happened at ``now``): exactly one caller
        reports each, however many schedulers run.
        """

    # --- responses and dispositions -------------------------------------

    @abc.abstractmethod
    def submit_response(self, response: Response, now: datetime) -> Response:
        """Store a response, or replace the respondent's earlier one, while the round is open.

        Judged under the lock with
        :func:`~participatie.feedback.rules.check_can_respond`: after the
        round closes :class:`~participatie.exceptions.RoundClosedError` and
        nothing is stored. Keeps the first ``submitted_at``, sets
        ``updated_at`` and counts ``revision`` up from 1.
        """

    @abc.abstractmethod
    def list_responses(self, round_id: int) -> list[Response]:
        """The round's responses, in order of first submission."""

    @abc.abstractmethod
    def record_dispositions(
        self, round_id: int, dispositions: Sequence[Disposition], now: datetime
    ) -> list[Disposition]:
        """Record (or revise) what was done with comments, all or none.

        Only after the round closes and before it is concluded, and only for
        comments that were made.
        """

    @abc.abstractmethod
    def list_dispositions(self, round_id: int) -> list[Disposition]:
        """The round's dispositions, by respondent and section (general comment first)."""

    @abc.abstractmethod
    def conclude_round(self, round_id: int, next_version: int, now: datetime) -> FeedbackRound:
        """Record that the round led to ``next_version``; every comment needs a disposition.

        Concluding again with the same version returns the round unchanged.
        """

    # --- messages -------------------------------------------------------

    @abc.abstractmethod
    def mark_messages_queued(self, round_id: int, keys: Sequence[str], now: datetime) -> list[str]:
        """Record that messages with these idempotency keys were handed to the outbox.

        Returns the keys that were not recorded before, in the given order.
        """

    @abc.abstractmethod
    def erase_feedback_person(
        self, email: str, tombstone: str, event_key: str | None = None
    ) -> int:
        """Unlink a person from input and feedback, atomically; returns how many records changed.

        ``tombstone`` (an ``erased-…@erased.invalid`` address) takes the
        person's place as the source of their input, as the respondent of
        their responses and in the recipients of rounds, so response rates
        and agreement stay right while nothing points to the person. Their
        texts stay as anonymous input; nobody is named with them any more.
        Nothing is ever sent to a tombstone. With ``event_key`` only that
        event's records change (a retention purge of one event).
        """

    @abc.abstractmethod
    def queued_messages(self, round_id: int) -> dict[str, datetime]:
        """Idempotency key -> when it was recorded, for the round's queued messages."""


class FeedbackTx(abc.ABC):
    """The small reads and writes :class:`FeedbackLedger` composes (part of
    :class:`~participatie.storage.Tx`).

    None of them decides anything. Values go in and come out whole (a backend
    may keep nested parts, such as a version's sections, as one document);
    datetimes may be stored in UTC.
    """

    @abc.abstractmethod
    def insert_contribution(self, contribution: Contribution, now: datetime) -> int:
        """Insert input (its ``id`` and ``recorded_at`` are ignored) and return the new id."""

    @abc.abstractmethod
    def select_contributions(self, event_key: str) -> list[Contribution]:
        """The event's input with ids and ``recorded_at``, in id order."""

    @abc.abstractmethod
    def load_draft(self, draft_key: str) -> Draft | None:
        """The draft, or ``None``."""

    @abc.abstractmethod
    def write_draft(self, draft: Draft, now: datetime) -> None:
        """Insert or replace the draft."""

    @abc.abstractmethod
    def select_drafts(self, event_key: str) -> list[Draft]:
        """The event's drafts (any order)."""

    @abc.abstractmethod
    def select_versions(self, draft_key: str) -> list[DraftVersion]:
        """The draft's versions (any order)."""

    @abc.abstractmethod
    def insert_version(self, version: DraftVersion) -> None:
        """Insert a version (its number is new for the draft)."""

    @abc.abstractmethod
    def insert_round(self, feedback_round: FeedbackRound) -> int:
        """Insert a round (its ``id`` is ignored) and return the new id (ids only increase)."""

    @abc.abstractmethod
    def load_round(self, round_id: int) -> FeedbackRound | None:
        """The round with its id, or ``None``."""

    @abc.abstractmethod
    def update_round(self, feedback_round: FeedbackRound) -> None:
        """Replace the stored round that has ``feedback_round.id``."""

    @abc.abstractmethod
    def select_rounds(self, event_key: str | None) -> list[FeedbackRound]:
        """Rounds of the event, or all rounds for ``None`` (any order)."""

    @abc.abstractmethod
    def load_response(self, round_id: int, respondent: str) -> Response | None:
        """The respondent's response in the round, or ``None``."""

    @abc.abstractmethod
    def write_response(self, response: Response) -> None:
        """Insert or replace the response of ``(round_id, respondent)``."""

    @abc.abstractmethod
    def select_responses(self, round_id: int) -> list[Response]:
        """The round's responses (any order)."""

    @abc.abstractmethod
    def write_disposition(self, disposition: Disposition) -> None:
        """Insert or replace the disposition of ``(round_id, respondent, section)``."""

    @abc.abstractmethod
    def select_dispositions(self, round_id: int) -> list[Disposition]:
        """The round's dispositions (any order)."""

    @abc.abstractmethod
    def insert_message_mark(self, round_id: int, key: str, at: datetime) -> bool:
        """Record a queued message's key; ``False`` (and no change) if it was recorded."""

    @abc.abstractmethod
    def select_message_marks(self, round_id: int) -> dict[str, datetime]:
        """Key -> when recorded, for the round."""

    @abc.abstractmethod
    def reassign_feedback_person(
        self, email: str, tombstone: str, event_key: str | None = None
    ) -> int:
        """Replace ``email`` by ``tombstone`` as the source of input, the respondent
        of responses and the subject of dispositions; clear ``may_be_named``.
        With ``event_key``, only in that event's input and rounds.

        Returns how many records changed. The texts stay: they are the
        person's input, now anonymous (see :meth:`FeedbackStore.erase_feedback_person`).
        """

    # Part of the registration primitives too; declared here so the
    # algorithm below type-checks on its own.
    @abc.abstractmethod
    def load_event(self, event_key: str) -> Event | None:
        """The event, or ``None``."""


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _response_order(response: Response) -> tuple[datetime, str]:
    assert response.submitted_at is not None
    return (response.submitted_at, response.respondent)


def _disposition_order(disposition: Disposition) -> tuple[str, str]:
    return (disposition.respondent, disposition.section or "")


class FeedbackLedger(FeedbackStore):
    """The feedback algorithm on top of a locked transaction (part of
    :class:`~participatie.storage.LedgerStore`)."""

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[FeedbackTx]:
        """See :meth:`participatie.storage.LedgerStore._transaction`."""

    # --- helpers ----------------------------------------------------------

    @staticmethod
    def _event(tx: FeedbackTx, event_key: str) -> Event:
        event = tx.load_event(event_key)
        if event is None:
            raise UnknownEventError(f"no event {event_key!r} is stored")
        return event

    @staticmethod
    def _draft(tx: FeedbackTx, draft_key: str) -> Draft:
        draft = tx.load_draft(draft_key)
        if draft is None:
            raise UnknownDraftError(f"no draft {draft_key!r} is stored")
        return draft

    @staticmethod
    def _round(tx: FeedbackTx, round_id: int) -> FeedbackRound:
        feedback_round = tx.load_round(round_id)
        if feedback_round is None:
            raise UnknownRoundError(f"no feedback round {round_id}")
        return feedback_round

    @staticmethod
    def _version(tx: FeedbackTx, draft_key: str, number: int) -> DraftVersion:
        for version in tx.select_versions(draft_key):
            if version.number == number:
                return version
        raise UnknownDraftError(f"draft {draft_key!r} has no version {number}")

    # --- input ------------------------------------------------------------

    def add_contributions(
        self, contributions: Sequence[Contribution], now: datetime
    ) -> list[Contribution]:
        stored: list[Contribution] = []
        with self._transaction() as tx:
            events: dict[str, Event] = {}
            for contribution in contributions:
                if not isinstance(contribution, Contribution):
                    raise InvalidInputError(f"{contribution!r} is not a Contribution")
                event = events.get(contribution.event_key)
                if event is None:
                    event = events[contribution.event_key] = self._event(tx, contribution.event_key)
                check_contribution(event, contribution)
                new_id = tx.insert_contribution(contribution, now)
                stored.append(attrs.evolve(contribution, id=new_id, recorded_at=_utc(now)))
        return stored

    def list_contributions(self, event_key: str) -> list[Contribution]:
        with self._transaction() as tx:
            return sorted(tx.select_contributions(event_key), key=_id_of)

    # --- drafts -----------------------------------------------------------

    def save_draft(self, draft: Draft, now: datetime) -> Draft:
        with self._transaction() as tx:
            self._event(tx, draft.event_key)
            old = tx.load_draft(draft.key)
            if old is not None and old.event_key != draft.event_key:
                raise InvalidInputError(
                    f"draft {draft.key!r} belongs to event {old.event_key!r}; "
                    "it cannot move to another event"
                )
            tx.write_draft(draft, now)
            return draft

    def get_draft(self, draft_key: str) -> Draft:
        with self._transaction() as tx:
            return self._draft(tx, draft_key)

    def list_drafts(self, event_key: str) -> list[Draft]:
        with self._transaction() as tx:
            return sorted(tx.select_drafts(event_key), key=lambda draft: draft.key)

    def add_draft_version(
        self, draft_key: str, sections: Sequence[Section], note: str, now: datetime
    ) -> DraftVersion:
        with self._transaction() as tx:
            draft = self._draft(tx, draft_key)
            numbers = [version.number for version in tx.select_versions(draft_key)]
            version = DraftVersion(
                draft_key, max(numbers, default=0) + 1, sections, note=note, created_at=_utc(now)
            )
            known = [c.id for c in tx.select_contributions(draft.event_key) if c.id is not None]
            check_sources(version.sections, known)
            tx.insert_version(version)
            return version

    def list_draft_versions(self, draft_key: str) -> list[DraftVersion]:
        with self._transaction() as tx:
            self._draft(tx, draft_key)
            return sorted(tx.select_versions(draft_key), key=lambda version: version.number)

    # --- rounds -----------------------------------------------------------

    def create_round(self, feedback_round: FeedbackRound, now: datetime) -> FeedbackRound:
        with self._transaction() as tx:
            self._event(tx, feedback_round.event_key)
            draft = tx.load_draft(feedback_round.draft_key)
            fresh = attrs.evolve(
                feedback_round,
                id=None,
                created_at=now,
                closed_at=None,
                concluded_at=None,
                next_version=None,
                opened_announced_at=None,
                closed_announced_at=None,
            )
            rules.check_round(
                fresh,
                draft,
                [version.number for version in tx.select_versions(feedback_round.draft_key)],
                tx.select_rounds(feedback_round.event_key),
                now,
            )
            new_id = tx.insert_round(fresh)
            return attrs.evolve(fresh, id=new_id)

    def get_round(self, round_id: int) -> FeedbackRound:
        with self._transaction() as tx:
            return self._round(tx, round_id)

    def list_rounds(self, event_key: str | None = None) -> list[FeedbackRound]:
        with self._transaction() as tx:
            return sorted(tx.select_rounds(event_key), key=_id_of)

    def close_round(self, round_id: int, now: datetime) -> FeedbackRound:
        with self._transaction() as tx:
            feedback_round = self._round(tx, round_id)
            rules.check_can_close(feedback_round, now)
            if feedback_round.status(now) is RoundStatus.CLOSED:
                return feedback_round
            closed = attrs.evolve(feedback_round, closed_at=now)
            tx.update_round(closed)
            return closed

    def mark_round_announced(self, round_id: int, what: str, now: datetime) -> FeedbackRound | None:
        if what not in {OPENED, CLOSED}:
            raise InvalidInputError(f"a round is announced 'opened' or 'closed', not {what!r}")
        with self._transaction() as tx:
            feedback_round = self._round(tx, round_id)
            status = feedback_round.status(now)
            if what == OPENED:
                if status is RoundStatus.SCHEDULED or feedback_round.opened_announced_at:
                    return None
                marked = attrs.evolve(feedback_round, opened_announced_at=now)
            else:
                if status is not RoundStatus.CLOSED or feedback_round.closed_announced_at:
                    return None
                marked = attrs.evolve(feedback_round, closed_announced_at=now)
            tx.update_round(marked)
            return marked

    # --- responses ----------------------------------------------------------

    def submit_response(self, response: Response, now: datetime) -> Response:
        with self._transaction() as tx:
            feedback_round = self._round(tx, response.round_id)
            event = self._event(tx, feedback_round.event_key)
            version = self._version(tx, feedback_round.draft_key, feedback_round.version)
            rules.check_can_respond(feedback_round, version, response, now, timezone=event.timezone)
            earlier = tx.load_response(response.round_id, response.respondent)
            stored = attrs.evolve(
                response,
                submitted_at=now if earlier is None else earlier.submitted_at,
                updated_at=now,
                revision=1 if earlier is None else earlier.revision + 1,
            )
            tx.write_response(stored)
            return stored

    def list_responses(self, round_id: int) -> list[Response]:
        with self._transaction() as tx:
            self._round(tx, round_id)
            return sorted(tx.select_responses(round_id), key=_response_order)

    def record_dispositions(
        self, round_id: int, dispositions: Sequence[Disposition], now: datetime
    ) -> list[Disposition]:
        with self._transaction() as tx:
            feedback_round = self._round(tx, round_id)
            comments = comments_of(tx.select_responses(round_id))
            stored = []
            for disposition in dispositions:
                if not isinstance(disposition, Disposition):
                    raise InvalidInputError(f"{disposition!r} is not a Disposition")
                if disposition.round_id != round_id:
                    raise InvalidInputError(
                        f"a disposition for round {disposition.round_id} cannot be "
                        f"recorded in round {round_id}"
                    )
                rules.check_can_dispose(feedback_round, comments, disposition, now)
                decided = attrs.evolve(disposition, decided_at=now)
                tx.write_disposition(decided)
                stored.append(decided)
            return stored

    def list_dispositions(self, round_id: int) -> list[Disposition]:
        with self._transaction() as tx:
            self._round(tx, round_id)
            return sorted(tx.select_dispositions(round_id), key=_disposition_order)

    def conclude_round(self, round_id: int, next_version: int, now: datetime) -> FeedbackRound:
        with self._transaction() as tx:
            feedback_round = self._round(tx, round_id)
            rules.check_can_conclude(
                feedback_round,
                next_version,
                [version.number for version in tx.select_versions(feedback_round.draft_key)],
                comments_of(tx.select_responses(round_id)),
                tx.select_dispositions(round_id),
                now,
            )
            if feedback_round.concluded_at is not None:
                return feedback_round
            concluded = attrs.evolve(feedback_round, concluded_at=now, next_version=next_version)
            tx.update_round(concluded)
            return concluded

    # --- messages -----------------------------------------------------------

    def mark_messages_queued(self, round_id: int, keys: Sequence[str], now: datetime) -> list[str]:
        with self._transaction() as tx:
            self._round(tx, round_id)
            return [key for key in keys if tx.insert_message_mark(round_id, key, now)]

    def queued_messages(self, round_id: int) -> dict[str, datetime]:
        with self._transaction() as tx:
            self._round(tx, round_id)
            return tx.select_message_marks(round_id)

    # --- privacy --------------------------------------------------------------

    def erase_feedback_person(
        self, email: str, tombstone: str, event_key: str | None = None
    ) -> int:
        with self._transaction() as tx:
            changed = tx.reassign_feedback_person(email, tombstone, event_key)
            for feedback_round in tx.select_rounds(event_key):
                if any(r.email == email for r in feedback_round.recipients):
                    recipients = tuple(
                        Recipient(tombstone, ERASED_NAME, r.language) if r.email == email else r
                        for r in feedback_round.recipients
                    )
                    tx.update_round(attrs.evolve(feedback_round, recipients=recipients))
                    changed += 1
            return changed


def _id_of(item: Contribution | FeedbackRound) -> int:
    assert item.id is not None
    return item.id
