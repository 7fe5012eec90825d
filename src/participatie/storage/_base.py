"""The storage contract and the registration algorithm every backend shares.

Taking the last place must be one atomic step: counting the places taken and
inserting a registration in two separate steps overbooks under concurrency
(see FACTS.md in the project's shared notes). So a backend supplies one thing
that really matters, :meth:`LedgerStore._transaction`: a transaction that
holds a lock covering the session (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
``SELECT … FOR UPDATE``, a mutex in memory) and rolls back completely when an
exception escapes. Inside it, :class:`LedgerStore` runs the same algorithm for
every backend, built from small reads and writes (:class:`Tx`) and the pure
rules in :mod:`participatie.rules`.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import attrs

from participatie import _validate as v
from participatie import rules
from participatie.calendar import CalendarProposal, CalendarState, advance
from participatie.exceptions import (
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    OfferExpiredError,
    ParticipatieError,
    UnknownEventError,
    UnknownRegistrationError,
)
from participatie.model import (
    Consent,
    Event,
    Person,
    Registration,
    RegistrationState,
    Session,
    Transition,
    erased_person,
)
from participatie.outbox import (
    CalendarLedger,
    DeliveryState,
    MessagePlanner,
    OutboxRecord,
    OutgoingMessage,
    Supersede,
)
from participatie.storage._feedback import FeedbackLedger, FeedbackStore, FeedbackTx

__all__ = [
    "AssignedPlace",
    "AssignmentEntry",
    "BulkResult",
    "Detached",
    "GroupPlacement",
    "LedgerStore",
    "Outcome",
    "PersonErasure",
    "PlaceCount",
    "PrivacyRecord",
    "Scrubbed",
    "Store",
    "StoredAssignment",
    "StoredGroups",
    "Tx",
]

_S = RegistrationState

#: The reason recorded for each target state of a direct change.
_REASONS = {
    _S.REGISTERED: "accepted",
    _S.DECLINED: "declined",
    _S.CANCELLED: "cancelled",
    _S.ATTENDED: "attended",
    _S.NO_SHOW: "no-show",
    _S.EXPIRED: "expired",
}


@attrs.frozen
class Outcome:
    """What one storage operation did.

    Attributes:
        registration: The registration the operation was about, after it.
        transitions: Every change of state it caused, in order (including
            people promoted or offered a place, and offers that lapsed).
    """

    registration: Registration
    transitions: tuple[Transition, ...]

    @property
    def moved_up(self) -> tuple[Registration, ...]:
        """People who got a freed place (promoted) or an offer of one, in order."""
        return tuple(
            t.registration for t in self.transitions if t.reason in {"promoted", "offered"}
        )


@attrs.frozen
class BulkResult:
    """What a bulk registration did, item by item.

    Attributes:
        registrations: The new registrations, in input order.
        refused: ``(index, error)`` for each input item that was refused
            (already registered, or the session is full without a waiting list).
        transitions: Every change of state, in order.
    """

    registrations: tuple[Registration, ...]
    refused: tuple[tuple[int, ParticipatieError], ...]
    transitions: tuple[Transition, ...]


@attrs.frozen
class PlaceCount:
    """How full a session is.

    Attributes:
        capacity: The session's capacity (``None``: no limit).
        taken: Places held (registered, attended, no-show, or offered).
        offered: Of those, places held by an open offer.
        waiting: People on the waiting list.
    """

    capacity: int | None
    taken: int
    offered: int
    waiting: int

    @property
    def free(self) -> int | None:
        """Places left (``None`` without a capacity)."""
        return None if self.capacity is None else max(0, self.capacity - self.taken)


@attrs.frozen
class AssignmentEntry:
    """One person's line in a stored session assignment.

    Attributes:
        person: Who.
        ranking: The session keys they ranked, most wanted first.
        priority: Their priority class.
        lottery: Their lottery number.
        session_key: The session they got, or ``None`` when they wait.
        notified: Whether they were told the outcome (then a new run does not
            move them unless the organiser allows it at a price).
    """

    person: Person
    ranking: tuple[str, ...]
    priority: int
    lottery: int
    session_key: str | None
    notified: bool = False


@attrs.frozen
class StoredAssignment:
    """The last session assignment of an event, as stored.

    Attributes:
        event_key: The event.
        mode: ``stable`` or ``optimal``.
        seed: The lottery seed.
        entries: One per person, ordered by e-mail address.
    """

    event_key: str
    mode: str
    seed: int
    entries: tuple[AssignmentEntry, ...]


@attrs.frozen
class GroupPlacement:
    """One person's place in a stored grouping.

    Attributes:
        person: Who.
        group: The group number (1-based).
        role: ``participant`` or ``facilitator``.
        reason: Why they are in that group (see
            :attr:`participatie.assignment.GroupingOutcome.reasons`).
        notified: Whether they were told their group.
    """

    person: Person
    group: int = attrs.field(validator=attrs.validators.ge(1))
    role: str = attrs.field(
        default="participant", validator=attrs.validators.in_(("participant", "facilitator"))
    )
    reason: str = ""
    notified: bool = False


@attrs.frozen
class StoredGroups:
    """The groups of one session, as stored.

    Attributes:
        event_key: The event.
        session_key: The session.
        strategy: The grouping strategy that formed them.
        seed: The seed it used.
        placements: Everyone's place, ordered by group, role, then e-mail address.
    """

    event_key: str
    session_key: str
    strategy: str
    seed: int
    placements: tuple[GroupPlacement, ...]

    def participant_groups(self) -> dict[str, int]:
        """Each participant's group number, by e-mail address (facilitators left out)."""
        return {p.person.email: p.group for p in self.placements if p.role == "participant"}


@attrs.frozen
class AssignedPlace:
    """Where a session assignment puts one person (see :meth:`Store.place_assigned`).

    Attributes:
        person: Who.
        session_key: Their session, or the session whose waiting list they join.
        waiting: ``True``: on the waiting list of ``session_key``.
    """

    person: Person
    session_key: str
    waiting: bool = False


# --- privacy (issue 9) ------------------------------------------------------

#: The privacy actions a store records (see :class:`PrivacyRecord`).
PRIVACY_ACTIONS = ("names-exported", "erased", "purged", "access-exported")


def _optional_email(value: object) -> object:
    return None if value is None else v.normalise_email(value)  # type: ignore[arg-type]


@attrs.frozen
class PrivacyRecord:
    """One entry of the privacy log: who had names disclosed, what was erased, when.

    The log is the organiser's accountability (GDPR article 5(2)): it shows
    that names left the pseudonymous default only on request, and that
    erasure requests and retention purges were carried out. It never names
    the people whose data was erased or disclosed: only counts.

    Attributes:
        at: When (aware; stores return it in UTC).
        action: One of :data:`PRIVACY_ACTIONS`.
        event_key: The event concerned, if any.
        subject: What, in a few words: ``groups-csv``, ``zoom-rooms`` …
        path: The file written, for an export (name files after sessions,
            not after people).
        requested_by: The e-mail address of whoever asked (an organiser);
            it is erased with that person.
        count: How many people the action concerned.
    """

    at: datetime = attrs.field(validator=v.aware)
    action: str = attrs.field(validator=attrs.validators.in_(PRIVACY_ACTIONS))
    event_key: str | None = None
    subject: str = ""
    path: str | None = None
    requested_by: str | None = attrs.field(default=None, converter=_optional_email)
    count: int = attrs.field(default=0, validator=attrs.validators.ge(0))


@attrs.frozen
class Detached:
    """What a store removed or replaced when it erased (part of) a person's data.

    Attributes:
        registrations: Registrations now held by a tombstone
            (:func:`participatie.erased_person`) instead of the person.
        assignment_entries: Session-assignment entries deleted.
        group_placements: Group placements deleted.
        persons_deleted: Person records deleted.
    """

    registrations: int = 0
    assignment_entries: int = 0
    group_placements: int = 0
    persons_deleted: int = 0

    def __add__(self, other: Detached) -> Detached:
        return Detached(
            self.registrations + other.registrations,
            self.assignment_entries + other.assignment_entries,
            self.group_placements + other.group_placements,
            self.persons_deleted + other.persons_deleted,
        )

    @property
    def total(self) -> int:
        """Everything removed or replaced, added up."""
        return (
            self.registrations
            + self.assignment_entries
            + self.group_placements
            + self.persons_deleted
        )


@attrs.frozen
class PersonErasure:
    """What :meth:`Store.erase_person` did.

    Attributes:
        found: Whether the store held the person at all (erasing twice
            finds nobody the second time).
        detached: What was removed or replaced.
        registrations: Ids of the person's registrations, now tombstones
            (their ids, states and times stay, so counts stay right).
        transitions: The changes erasure caused: the person's upcoming
            registrations cancelled (reason ``erased``, reported with the
            tombstone) and the places that freed given to people waiting.
        requester_records: Privacy-log entries whose ``requested_by`` was
            this person's address, now cleared.
    """

    found: bool
    detached: Detached
    registrations: tuple[int, ...]
    transitions: tuple[Transition, ...]
    requester_records: int = 0


@attrs.frozen
class Scrubbed:
    """Whether erased data is gone from everything the backend keeps on disk.

    Attributes:
        complete: ``True`` when no old copy remains (SQLite: the write-ahead
            log was checkpointed and truncated); ``False`` when something
            (another connection reading) prevented it, to be retried.
        detail: What was done, in one sentence.
    """

    complete: bool
    detail: str


class Store(FeedbackStore, abc.ABC):
    """What the facade needs from a storage backend.

    Every method that changes something is atomic: it happens completely or,
    when it raises, not at all. Methods receive ``now`` from the caller; a
    backend never reads a clock.
    """

    #: Whether two processes opening the same URL see the same data (the
    #: conformance race then runs in processes instead of threads).
    shared_between_processes: bool = False

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections and files; using the store afterwards is an error."""

    @abc.abstractmethod
    def save_event(self, event: Event, now: datetime) -> tuple[Transition, ...]:
        """Store or replace an event and its sessions.

        Removing a session that has registrations raises
        :class:`~participatie.exceptions.SessionInUseError`. When a capacity
        grows, people waiting get the new places; those transitions are returned.
        """

    @abc.abstractmethod
    def get_event(self, event_key: str) -> Event:
        """The stored event; :class:`~participatie.exceptions.UnknownEventError` if none."""

    @abc.abstractmethod
    def list_events(self) -> list[Event]:
        """All stored events, ordered by key."""

    @abc.abstractmethod
    def register(
        self,
        event_key: str,
        session_key: str,
        person: Person,
        consent: Consent | None,
        now: datetime,
    ) -> Outcome:
        """Take a place, or a place on the waiting list, in one atomic step."""

    @abc.abstractmethod
    def register_many(
        self,
        event_key: str,
        session_key: str,
        entries: Iterable[tuple[Person, Consent | None]],
        now: datetime,
    ) -> BulkResult:
        """Register many people in one transaction (an import, a bulk load)."""

    @abc.abstractmethod
    def change_state(
        self,
        registration_id: int,
        new_state: RegistrationState,
        now: datetime,
    ) -> Outcome:
        """Move a registration to ``new_state`` and fill any place it frees.

        Accepting an offer (``OFFERED → REGISTERED``) after it lapsed commits
        the lapse (and the offer to the next person), then raises
        :class:`~participatie.exceptions.OfferExpiredError` carrying those
        transitions.
        """

    @abc.abstractmethod
    def expire_offers(self, now: datetime) -> tuple[Transition, ...]:
        """Let every offer that lapsed at ``now`` expire and pass its place on."""

    @abc.abstractmethod
    def get_registration(self, registration_id: int) -> Registration:
        """One registration; :class:`~participatie.exceptions.UnknownRegistrationError` if none."""

    @abc.abstractmethod
    def list_registrations(
        self,
        event_key: str,
        session_key: str | None = None,
        states: Iterable[RegistrationState] | None = None,
    ) -> list[Registration]:
        """Registrations of an event (or one session), in id order (the queue order)."""

    @abc.abstractmethod
    def registrations_of(self, email: str) -> list[Registration]:
        """Every registration of the person with this (normalised) e-mail address."""

    @abc.abstractmethod
    def count_places(self, event_key: str, session_key: str) -> PlaceCount:
        """How full a session is."""

    @abc.abstractmethod
    def history(self, registration_id: int) -> list[Transition]:
        """Every change of the registration's state, oldest first."""

    # --- group assignment (issue 3) ----------------------------------------

    @abc.abstractmethod
    def save_assignment(self, assignment: StoredAssignment) -> None:
        """Replace the event's stored session assignment, atomically.

        Raises :class:`~participatie.exceptions.UnknownEventError` for an
        unknown event and :class:`~participatie.exceptions.UnknownSessionError`
        when an entry names a session the event does not have.
        """

    @abc.abstractmethod
    def get_assignment(self, event_key: str) -> StoredAssignment | None:
        """The event's stored session assignment, or ``None``."""

    @abc.abstractmethod
    def save_groups(self, groups: StoredGroups) -> None:
        """Replace the stored groups of one session, atomically."""

    @abc.abstractmethod
    def get_groups(self, event_key: str, session_key: str) -> StoredGroups | None:
        """The stored groups of one session, or ``None``."""

    @abc.abstractmethod
    def mark_assignment_notified(self, event_key: str, emails: Iterable[str]) -> int:
        """Record that these people were told their session; returns how many changed."""

    @abc.abstractmethod
    def mark_groups_notified(self, event_key: str, session_key: str, emails: Iterable[str]) -> int:
        """Record that these people were told their group; returns how many changed."""

    @abc.abstractmethod
    def forget_calendar_entries(self, tokens: Iterable[str]) -> int:
        """Delete the calendar states of these UID tokens (the part before ``@``).

        Used when a person is erased: the tokens of their places are computed
        with :func:`participatie.calendar.invitation_token`, whatever UID
        domain the organiser configured. Returns how many states were deleted.
        """

    @abc.abstractmethod
    def calendar_states(self, uids: Iterable[str]) -> dict[str, CalendarState]:
        """The stored calendar states of these entry UIDs (missing ones are left out)."""

    @abc.abstractmethod
    def advance_calendar_states(
        self, proposals: Sequence[CalendarProposal], now: datetime
    ) -> tuple[CalendarState | None, ...]:
        """Apply :func:`participatie.calendar.advance` to each proposal, atomically.

        In one transaction: read the stored state of each proposal's UID, run
        the rule, store what changed, and return the new states in the order
        of ``proposals`` (``None`` where there is nothing to tell: a
        cancellation of an entry never announced). Two processes advancing
        the same UID never hand out one SEQUENCE for different content. The
        UIDs of ``proposals`` are distinct.
        """

    # --- privacy (issue 9) -------------------------------------------------

    @abc.abstractmethod
    def erase_person(self, email: str, now: datetime) -> PersonErasure:
        """Erase everything the store holds about the person with this address, atomically.

        Their registrations of sessions that have not started are cancelled
        (reason ``erased``), and freed places go to people waiting. Every
        registration of theirs then points to a new tombstone
        (:func:`participatie.erased_person`) that keeps only the audience, so
        counts and waiting-list order stay right; their assignment entries
        and group placements are deleted, and so is their person record.
        Privacy-log entries they requested lose their ``requested_by``.
        Erasing someone the store does not hold does nothing
        (``found=False``), so erasing twice is harmless.
        """

    @abc.abstractmethod
    def purge_event(self, event_key: str, now: datetime) -> Detached:
        """Erase the personal data of one event (its retention period is over).

        Every person's registrations of the event move to a tombstone per
        person, the event's assignment entries and group placements are
        deleted, and person records nothing refers to any more are deleted.
        People keep their registrations of other events. Purging again
        finds only tombstones and changes nothing.
        """

    @abc.abstractmethod
    def record_privacy(self, record: PrivacyRecord) -> None:
        """Append one entry to the privacy log."""

    @abc.abstractmethod
    def privacy_records(self) -> list[PrivacyRecord]:
        """The privacy log, oldest first."""

    @abc.abstractmethod
    def scrub(self) -> Scrubbed:
        """Make sure erased data is gone from the files the backend keeps.

        Called after an erasure or purge. SQLite checkpoints and truncates
        its write-ahead log (deleted rows are overwritten at once because
        ``secure_delete`` is on); a server database would vacuum the tables
        concerned; a store in memory has nothing to do.
        """

    # --- the outbox (notifications) -----------------------------------------

    #: Decides which messages a change causes; set by
    #: :class:`~participatie.Participatie` when notifications are configured.
    #: A backend calls it inside the transaction of every change, so the
    #: change and its messages commit together (see :mod:`participatie.outbox`).
    message_planner: MessagePlanner | None = None

    @abc.abstractmethod
    def erase_outbox_person(self, email: str | None, registration_ids: Iterable[int]) -> int:
        """Delete every message to this address or about these registrations, atomically.

        ``email=None`` deletes by registration only (a purge of one event).

        Called when a person is erased (bodies, subjects and calendar parts
        hold their name and address). Returns how many messages were deleted.
        """

    def erase_event_messages(self, event_key: str) -> int:
        """Delete every message about an event, and the keys of its purged messages.

        Called when the event's retention period is over: this reaches the
        messages tied to no registration too (invitations to contacts,
        feedback-round messages). Returns how many messages were deleted.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot erase an event's messages")

    @abc.abstractmethod
    def queue_messages(self, entries: Iterable[OutgoingMessage], now: datetime) -> int:
        """Queue messages in one transaction; a key queued before is kept, not doubled.

        Returns how many were new.
        """

    def queue_planned(
        self, build: Callable[[CalendarLedger], Iterable[OutgoingMessage]], now: datetime
    ) -> int:
        """Compose messages inside one transaction and queue them in it.

        ``build`` is called with the store's calendar states (a
        :class:`~participatie.outbox.CalendarLedger`), so a message's
        calendar part is numbered, and its new state stored, in the same
        transaction that queues the message. Returns how many were new.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot compose inside a transaction")

    def notify_groups(
        self,
        event_key: str,
        session_key: str,
        compose: Callable[
            [Event, Registration, int, Sequence[str], CalendarLedger], Iterable[OutgoingMessage]
        ],
        now: datetime,
    ) -> int:
        """Tell every placed participant not yet told their group, and mark them told, atomically.

        For each participant of the stored groups who holds a place and is
        not marked as told, ``compose(event, registration, group_number,
        facilitator_names, ledger)`` gives the messages to queue; they are
        queued and the participant (and each group's facilitators) marked
        told in one transaction, so a crash leaves either both or neither.
        Returns how many participants were told.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot tell groups")

    def queue_feedback_messages(
        self,
        batch: Sequence[tuple[int, str, str | None, Sequence[OutgoingMessage]]],
        now: datetime,
    ) -> list[str]:
        """Queue feedback-round messages and record them as queued, in one transaction.

        Each item is ``(round_id, mark_key, respondent, messages)``. Under
        the store's lock an item whose mark is already recorded is skipped
        (another run queued it), and so is a reminder (``respondent`` given)
        to someone who responded in the meantime. Returns the marks recorded.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot queue feedback messages")

    def purge_outbox(self, before: datetime, now: datetime) -> int:
        """Delete messages that reached a final state (sent, failed, superseded) before ``before``.

        Their idempotency keys are kept, without any message content, so
        queuing one of them again (a re-run of an old step) still queues
        nothing. Returns how many messages were deleted.
        """
        raise NotImplementedError(f"{type(self).__name__} cannot purge its outbox")

    @abc.abstractmethod
    def claim_messages(
        self,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        max_attempts: int,
        channels: Iterable[str] | None = None,
    ) -> list[OutboxRecord]:
        """Claim up to ``limit`` due messages for sending, atomically.

        Due are pending messages whose time has come and messages whose claim
        lapsed (a dispatcher died mid-send). Each claimed message becomes
        ``SENDING`` until ``now + lease`` and its attempt count grows by one;
        two dispatchers never claim the same message. A message already
        attempted ``max_attempts`` times is marked failed instead.
        """

    @abc.abstractmethod
    def record_delivery(
        self,
        message_id: int,
        attempt: int,
        state: DeliveryState,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Record how claim number ``attempt`` of a message ended.

        ``SENT`` is always recorded (the message was delivered, whatever
        else happened). ``FAILED``, and ``PENDING`` with ``retry_at`` for a
        transient failure, are recorded only while the message is still
        claimed by that attempt; otherwise nothing changes and the result is
        ``False``.
        """

    @abc.abstractmethod
    def outbox(
        self,
        states: Iterable[DeliveryState] | None = None,
        *,
        event_key: str | None = None,
    ) -> list[OutboxRecord]:
        """Queued messages (optionally in ``states``, or of one event), in queue order."""

    def place_assigned(
        self, event_key: str, places: Sequence[AssignedPlace], now: datetime
    ) -> tuple[Transition, ...]:
        """Make the event's registrations match a session assignment, in one transaction.

        Each person ends with exactly one active registration in the event:
        a place in their session, or a place on its waiting list. People
        already registered elsewhere in the event are moved: that
        registration is cancelled (reason ``moved``) and the new one made,
        atomically; a waiting-list registration in their session becomes a
        place (reason ``assigned``). Places freed by moves are not handed to
        waiting lists until everyone is placed; then each session fills from
        its waiting list as usual. New registrations are made in the order
        of ``places``.

        Raises :class:`~participatie.exceptions.ConstraintConflictError` (and
        changes nothing) when a session would hold more people than its
        capacity (it filled up after the assignment was made), or when
        someone who holds a place would lose it (the assignment puts them on
        a waiting list, or their place is already attended).
        """
        raise NotImplementedError(f"{type(self).__name__} cannot apply an assignment")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class Tx(FeedbackTx, abc.ABC):
    """The small reads and writes :class:`LedgerStore` composes, inside one transaction.

    Datetimes given to a ``Tx`` are aware; a backend may store them in UTC.
    """

    @abc.abstractmethod
    def load_event(self, event_key: str) -> Event | None:
        """The event, or ``None``."""

    @abc.abstractmethod
    def write_event(self, event: Event, now: datetime) -> None:
        """Insert or replace the event and its session rows."""

    @abc.abstractmethod
    def sessions_in_use(self, event_key: str) -> set[str]:
        """Keys of the event's sessions that have any registration."""

    @abc.abstractmethod
    def expired_offers(self, event_key: str, session_key: str, now: datetime) -> list[int]:
        """Ids of open offers whose expiry is at or before ``now``, in id order."""

    @abc.abstractmethod
    def count_state(
        self, event_key: str, session_key: str, states: frozenset[RegistrationState]
    ) -> int:
        """How many registrations of the session are in one of ``states``."""

    @abc.abstractmethod
    def first_waiting(self, event_key: str, session_key: str, limit: int | None) -> list[int]:
        """Ids at the head of the waiting list (all of them if ``limit`` is ``None``)."""

    @abc.abstractmethod
    def active_registration(self, event_key: str, session_key: str, email: str) -> int | None:
        """The id of the person's active registration for the session, if any."""

    @abc.abstractmethod
    def upsert_person(self, person: Person) -> int:
        """Store the person (matched by e-mail, details updated) and return their id."""

    @abc.abstractmethod
    def insert_registration(
        self,
        event_key: str,
        session_key: str,
        person_id: int,
        state: RegistrationState,
        consent: Consent | None,
        now: datetime,
    ) -> int:
        """Insert a registration and return its new id (ids only increase)."""

    @abc.abstractmethod
    def update_state(
        self,
        registration_id: int,
        state: RegistrationState,
        now: datetime,
        offer_expires_at: datetime | None,
    ) -> None:
        """Set a registration's state, ``updated_at`` and offer expiry."""

    @abc.abstractmethod
    def append_log(
        self,
        registration_id: int,
        previous: RegistrationState | None,
        state: RegistrationState,
        at: datetime,
        reason: str,
    ) -> None:
        """Record one transition in the registration's history."""

    @abc.abstractmethod
    def load_registration(self, registration_id: int) -> Registration | None:
        """The registration as stored now, or ``None``."""

    @abc.abstractmethod
    def active_emails(self, event_key: str, session_key: str) -> set[str]:
        """E-mail addresses of everyone with an active registration for the session."""

    @abc.abstractmethod
    def write_assignment(self, assignment: StoredAssignment) -> None:
        """Replace every stored assignment entry of ``assignment.event_key``."""

    @abc.abstractmethod
    def read_assignment(self, event_key: str) -> StoredAssignment | None:
        """The stored assignment (entries ordered by e-mail address), or ``None``."""

    @abc.abstractmethod
    def write_groups(self, groups: StoredGroups) -> None:
        """Replace every stored placement of the session."""

    @abc.abstractmethod
    def read_groups(self, event_key: str, session_key: str) -> StoredGroups | None:
        """The stored groups (placements ordered by group, role, e-mail), or ``None``."""

    @abc.abstractmethod
    def load_calendar_states(self, uids: Sequence[str]) -> dict[str, CalendarState]:
        """The stored calendar states of ``uids`` (distinct), by UID; missing ones left out."""

    @abc.abstractmethod
    def save_calendar_states(self, states: Sequence[CalendarState]) -> None:
        """Insert or replace these calendar states (distinct UIDs), keyed by UID."""

    @abc.abstractmethod
    def delete_calendar_states(self, tokens: Sequence[str]) -> int:
        """Delete the states whose UID is ``<token>@<any domain>``; returns how many."""

    # Privacy (issue 9): finding a person's data, and erasing it.

    @abc.abstractmethod
    def find_person(self, email: str) -> int | None:
        """The id of the person with this (normalised) address, or ``None``."""

    @abc.abstractmethod
    def load_person(self, person_id: int) -> Person | None:
        """The person with this id, or ``None``."""

    @abc.abstractmethod
    def registrations_of_person(self, person_id: int) -> list[int]:
        """Ids of every registration of the person, in id order."""

    @abc.abstractmethod
    def persons_of_event(self, event_key: str) -> list[int]:
        """Ids of everyone with a registration, assignment entry or group placement in the event."""

    @abc.abstractmethod
    def detach_person(self, person_id: int, event_key: str | None, tombstone: Person) -> Detached:
        """Take the person out of one event (or, with ``None``, out of everything).

        Store ``tombstone`` as a new person and move the person's
        registrations (of ``event_key``, or all) to it; delete their
        assignment entries and group placements (of that event, or all);
        then delete the person's own record if nothing refers to it any more
        (with ``None`` that is always the case). Add no tombstone when there
        are no registrations to move.
        """

    @abc.abstractmethod
    def append_privacy_record(self, record: PrivacyRecord) -> None:
        """Append an entry to the privacy log."""

    @abc.abstractmethod
    def read_privacy_records(self) -> list[PrivacyRecord]:
        """Every privacy-log entry, oldest first."""

    @abc.abstractmethod
    def forget_requester(self, email: str) -> int:
        """Clear ``requested_by`` where it is this address; return how many entries changed."""

    # Batch writes for bulk loads. The defaults loop over the single ones; a
    # backend overrides them when it can write a batch faster.

    def upsert_persons(self, persons: Sequence[Person]) -> list[int]:
        """:meth:`upsert_person` for each, in order (e-mail addresses are distinct)."""
        return [self.upsert_person(person) for person in persons]

    def insert_registrations(
        self,
        event_key: str,
        session_key: str,
        rows: Sequence[tuple[int, RegistrationState, Consent | None]],
        now: datetime,
    ) -> list[int]:
        """:meth:`insert_registration` for each ``(person_id, state, consent)``, in order."""
        return [
            self.insert_registration(event_key, session_key, person_id, state, consent, now)
            for person_id, state, consent in rows
        ]

    def append_logs(
        self,
        entries: Sequence[tuple[int, RegistrationState | None, RegistrationState, datetime, str]],
    ) -> None:
        """:meth:`append_log` for each entry, in order."""
        for registration_id, previous, state, at, reason in entries:
            self.append_log(registration_id, previous, state, at, reason)

    # The outbox. Messages are written in the same transaction as the change
    # that causes them; see participatie.outbox.

    @abc.abstractmethod
    def session_registrations(
        self, event_key: str, session_key: str, states: frozenset[RegistrationState]
    ) -> list[Registration]:
        """The session's registrations in one of ``states``, in id order."""

    @abc.abstractmethod
    def queue_message(self, entry: OutgoingMessage, now: datetime) -> bool:
        """Insert a pending message unless its key is queued already; ``True`` if inserted."""

    @abc.abstractmethod
    def supersede_messages(self, rule: Supersede, now: datetime) -> int:
        """Mark matching pending or sending messages superseded; how many were."""

    @abc.abstractmethod
    def due_messages(
        self, now: datetime, limit: int, channels: frozenset[str] | None
    ) -> list[OutboxRecord]:
        """Up to ``limit`` messages to claim, earliest due first, then oldest.

        Pending ones with ``due_at <= now`` and sending ones with
        ``lease_until <= now``; only of ``channels`` when given.
        """

    @abc.abstractmethod
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
        """Set a message's delivery fields and ``updated_at``."""

    @abc.abstractmethod
    def load_outbox_message(self, message_id: int) -> OutboxRecord | None:
        """One queued message, or ``None``."""

    @abc.abstractmethod
    def list_outbox(
        self, states: frozenset[DeliveryState] | None, event_key: str | None
    ) -> list[OutboxRecord]:
        """Queued messages, in id order, optionally filtered."""

    @abc.abstractmethod
    def delete_event_messages(self, event_key: str) -> int:
        """Delete every message about ``event_key`` and its kept (purged) keys; count messages."""

    @abc.abstractmethod
    def purge_outbox_messages(self, before: datetime, now: datetime) -> int:
        """Delete final-state messages last changed before ``before``; keep their keys.

        A kept key still makes :meth:`queue_message` refuse that key.
        """

    @abc.abstractmethod
    def delete_outbox_messages(self, recipient: str | None, registration_ids: Sequence[int]) -> int:
        """Delete every message to ``recipient`` (if given) or about one of ``registration_ids``.

        Sent, pending and failed alike; returns how many were deleted.
        """


@attrs.define
class TxLedger:
    """A :class:`~participatie.outbox.CalendarLedger` over one open transaction."""

    tx: Tx
    _groups: dict[tuple[str, str], dict[str, int]] = attrs.field(factory=dict, init=False)

    def calendar_states(self, uids: Sequence[str]) -> dict[str, CalendarState]:
        """The stored states of these UIDs."""
        return self.tx.load_calendar_states(list(uids))

    def save_calendar_states(self, states: Sequence[CalendarState]) -> None:
        """Store these states."""
        self.tx.save_calendar_states(list(states))

    def group_number(self, event_key: str, session_key: str, email: str) -> int | None:
        """The participant's stored group (read once per session and transaction)."""
        key = (event_key, session_key)
        numbers = self._groups.get(key)
        if numbers is None:
            stored = self.tx.read_groups(event_key, session_key)
            numbers = self._groups[key] = {} if stored is None else stored.participant_groups()
        return numbers.get(email)


class LedgerStore(FeedbackLedger, Store):
    """A :class:`Store` built from a locked transaction and small reads and writes.

    Subclasses implement :meth:`_transaction` (and the read-only queries of
    :class:`Store`); the registration algorithm lives here once, so every
    backend behaves the same, and the conformance suite checks the locking.
    """

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[Tx]:
        """A transaction that excludes every other writer until it ends.

        It must take its lock *before* the first read (SQLite: ``BEGIN
        IMMEDIATE``; a server database: one store-wide lock such as a
        transaction-level advisory lock, because one transaction may read and
        change several sessions, e.g. :meth:`save_event`), commit when the
        block ends normally, and roll back everything when an exception
        escapes.
        """

    # --- the algorithm ----------------------------------------------------

    @staticmethod
    def _session(tx: Tx, event_key: str, session_key: str) -> tuple[Event, Session]:
        event = tx.load_event(event_key)
        if event is None:
            raise UnknownEventError(f"no event {event_key!r} is stored")
        return event, event.session(session_key)

    def _change(
        self,
        tx: Tx,
        registration_id: int,
        previous: RegistrationState | None,
        state: RegistrationState,
        now: datetime,
        reason: str,
        offer_expires_at: datetime | None = None,
    ) -> Transition:
        if previous is not None:
            tx.update_state(registration_id, state, now, offer_expires_at)
        tx.append_log(registration_id, previous, state, now, reason)
        registration = tx.load_registration(registration_id)
        if registration is None:  # pragma: no cover - a backend bug, not user input
            raise UnknownRegistrationError(f"registration {registration_id} vanished")
        return Transition(registration, previous, state, now, reason)

    def _sweep(self, tx: Tx, session: Session, event_key: str, now: datetime) -> list[Transition]:
        return [
            self._change(tx, rid, _S.OFFERED, _S.EXPIRED, now, "expired")
            for rid in tx.expired_offers(event_key, session.key, now)
        ]

    def _fill(self, tx: Tx, session: Session, event_key: str, now: datetime) -> list[Transition]:
        taken = tx.count_state(event_key, session.key, _HOLDS)
        free = rules.free_places(session, taken)
        if free == 0:
            return []
        waiting = tx.first_waiting(event_key, session.key, free)
        return [
            self._change(
                tx, p.registration_id, _S.WAITLISTED, p.state, now, p.reason, p.offer_expires_at
            )
            for p in rules.plan_fill(session, places_taken=taken, first_waiting=waiting, now=now)
        ]

    def _plan_messages(
        self,
        tx: Tx,
        event: Event,
        transitions: Sequence[Transition],
        now: datetime,
        previous: Event | None = None,
    ) -> None:
        """Queue the messages a change causes, inside the change's transaction."""
        planner = self.message_planner
        if planner is None:
            return
        holders: dict[str, list[Registration]] = {}
        if previous is not None:
            for session_key in planner.sessions_to_recheck(previous, event):
                holders[session_key] = tx.session_registrations(event.key, session_key, _ACTIVE)
        if not transitions and not holders:
            return
        plan = planner.plan(
            event, transitions, now, previous=previous, holders=holders, ledger=TxLedger(tx)
        )
        for rule in plan.supersede:
            tx.supersede_messages(rule, now)
        for entry in plan.queue:
            tx.queue_message(entry, now)

    def save_event(self, event: Event, now: datetime) -> tuple[Transition, ...]:
        from participatie.exceptions import SessionInUseError

        with self._transaction() as tx:
            old = tx.load_event(event.key)
            if old is not None:
                kept = {session.key for session in event.sessions}
                removed = tx.sessions_in_use(event.key) - kept
                if removed:
                    raise SessionInUseError(
                        f"cannot remove session(s) {', '.join(sorted(removed))} from event "
                        f"{event.key!r}: they have registrations (cancel the session instead)"
                    )
            tx.write_event(event, now)
            transitions: list[Transition] = []
            if old is not None:
                for session in event.sessions:
                    transitions += self._sweep(tx, session, event.key, now)
                    transitions += self._fill(tx, session, event.key, now)
            self._plan_messages(tx, event, transitions, now, previous=old)
            return tuple(transitions)

    def register(
        self,
        event_key: str,
        session_key: str,
        person: Person,
        consent: Consent | None,
        now: datetime,
    ) -> Outcome:
        with self._transaction() as tx:
            event, session = self._session(tx, event_key, session_key)
            transitions = self._sweep(tx, session, event_key, now)
            state = rules.initial_state(
                session,
                places_taken=tx.count_state(event_key, session_key, _HOLDS),
                waiting=tx.count_state(event_key, session_key, _WAITING),
                already_active=tx.active_registration(event_key, session_key, person.email)
                is not None,
                who=person.name,
            )
            person_id = tx.upsert_person(person)
            rid = tx.insert_registration(event_key, session_key, person_id, state, consent, now)
            first = self._change(tx, rid, None, state, now, _initial_reason(state))
            transitions.append(first)
            transitions += self._fill(tx, session, event_key, now)
            registration = tx.load_registration(rid)
            assert registration is not None
            self._plan_messages(tx, event, transitions, now)
            return Outcome(registration, tuple(transitions))

    def register_many(
        self,
        event_key: str,
        session_key: str,
        entries: Iterable[tuple[Person, Consent | None]],
        now: datetime,
    ) -> BulkResult:
        # One lock, one transaction. Places and duplicates are decided here, in
        # memory, from counts read once under the lock; then the rows are
        # written in batches. That makes a bulk load of 100,000 people a
        # matter of seconds instead of minutes.
        with self._transaction() as tx:
            event, session = self._session(tx, event_key, session_key)
            transitions = self._sweep(tx, session, event_key, now)
            transitions += self._fill(tx, session, event_key, now)
            taken = tx.count_state(event_key, session_key, _HOLDS)
            waiting = tx.count_state(event_key, session_key, _WAITING)
            active = tx.active_emails(event_key, session_key)
            planned: list[tuple[Person, Consent | None, RegistrationState]] = []
            refused: list[tuple[int, ParticipatieError]] = []
            for index, (person, consent) in enumerate(entries):
                try:
                    state = rules.initial_state(
                        session,
                        places_taken=taken,
                        waiting=waiting,
                        already_active=person.email in active,
                        who=person.name,
                    )
                except ParticipatieError as error:
                    refused.append((index, error))
                    continue
                active.add(person.email)
                planned.append((person, consent, state))
                if state is _S.REGISTERED:
                    taken += 1
                else:
                    waiting += 1
            person_ids = tx.upsert_persons([person for person, _consent, _state in planned])
            ids = tx.insert_registrations(
                event_key,
                session_key,
                [
                    (person_id, state, consent)
                    for person_id, (_person, consent, state) in zip(
                        person_ids, planned, strict=True
                    )
                ],
                now,
            )
            tx.append_logs(
                [
                    (rid, None, state, now, _initial_reason(state))
                    for rid, (_person, _consent, state) in zip(ids, planned, strict=True)
                ]
            )
            stamp = now.astimezone(UTC)
            consents: dict[Consent | None, Consent | None] = {}  # usually one for all
            new = [
                Registration(
                    id=rid,
                    event_key=event_key,
                    session_key=session_key,
                    person=person,
                    state=state,
                    registered_at=stamp,
                    updated_at=stamp,
                    consent=consents.get(consent)
                    or consents.setdefault(consent, _utc_consent(consent)),
                )
                for rid, (person, consent, state) in zip(ids, planned, strict=True)
            ]
            transitions += [
                Transition(registration, None, registration.state, now, _initial_reason(state))
                for registration, (_person, _consent, state) in zip(new, planned, strict=True)
            ]
            self._plan_messages(tx, event, transitions, now)
            return BulkResult(tuple(new), tuple(refused), tuple(transitions))

    def change_state(
        self,
        registration_id: int,
        new_state: RegistrationState,
        now: datetime,
    ) -> Outcome:
        lapsed: OfferExpiredError | None = None
        with self._transaction() as tx:
            current = tx.load_registration(registration_id)
            if current is None:
                raise UnknownRegistrationError(f"no registration {registration_id}")
            event, session = self._session(tx, current.event_key, current.session_key)
            if (
                current.state is _S.OFFERED
                and new_state is _S.REGISTERED
                and current.offer_expires_at is not None
                and now >= current.offer_expires_at
            ):
                # Too late. The lapse is a fact by now: record it and pass the
                # place on (committed), then tell the caller.
                transitions = self._sweep(tx, session, current.event_key, now)
                transitions += self._fill(tx, session, current.event_key, now)
                lapsed = OfferExpiredError(
                    f"the offer of a place in {session.title!r} lapsed at "
                    f"{rules.local_text(current.offer_expires_at, event)}",
                    transitions,
                )
                self._plan_messages(tx, event, transitions, now)
            else:
                if current.state is _S.WAITLISTED and new_state is _S.REGISTERED:
                    raise IllegalTransitionError(
                        "people on the waiting list are promoted by the waiting-list policy, "
                        "not by hand; raise the capacity or cancel someone instead"
                    )
                # Offers that lapsed by now lapse before the change is judged:
                # declining an offer that already expired is not a decline.
                transitions = self._sweep(tx, session, current.event_key, now)
                current = tx.load_registration(registration_id)
                assert current is not None
                rules.check_transition(current.state, new_state)
                transitions.append(
                    self._change(
                        tx, registration_id, current.state, new_state, now, _REASONS[new_state]
                    )
                )
                transitions += self._fill(tx, session, current.event_key, now)
                registration = tx.load_registration(registration_id)
                assert registration is not None
                self._plan_messages(tx, event, transitions, now)
                return Outcome(registration, tuple(transitions))
        raise lapsed

    def expire_offers(self, now: datetime) -> tuple[Transition, ...]:
        transitions: list[Transition] = []
        for event in self.list_events():
            for session in event.sessions:
                with self._transaction() as tx:
                    changes = self._sweep(tx, session, event.key, now)
                    changes += self._fill(tx, session, event.key, now)
                    self._plan_messages(tx, event, changes, now)
                transitions += changes
        return tuple(transitions)

    def forget_calendar_entries(self, tokens: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(tokens))
        with self._transaction() as tx:
            return tx.delete_calendar_states(wanted)

    def calendar_states(self, uids: Iterable[str]) -> dict[str, CalendarState]:
        wanted = list(dict.fromkeys(uids))
        with self._transaction() as tx:
            return tx.load_calendar_states(wanted)

    def advance_calendar_states(
        self, proposals: Sequence[CalendarProposal], now: datetime
    ) -> tuple[CalendarState | None, ...]:
        uids = [proposal.uid for proposal in proposals]
        if len(set(uids)) != len(uids):
            raise InvalidInputError("one calendar entry (UID) proposed twice in one batch")
        with self._transaction() as tx:
            previous = tx.load_calendar_states(uids)
            result: list[CalendarState | None] = []
            changed: list[CalendarState] = []
            for proposal in proposals:
                before = previous.get(proposal.uid)
                state = advance(before, proposal, now)
                result.append(state)
                if state is not None and state != before:
                    changed.append(state)
            if changed:
                tx.save_calendar_states(changed)
            return tuple(result)

    def count_places(self, event_key: str, session_key: str) -> PlaceCount:
        with self._transaction() as tx:
            _event, session = self._session(tx, event_key, session_key)
            return PlaceCount(
                capacity=session.capacity,
                taken=tx.count_state(event_key, session_key, _HOLDS),
                offered=tx.count_state(event_key, session_key, frozenset({_S.OFFERED})),
                waiting=tx.count_state(event_key, session_key, _WAITING),
            )

    # --- group assignment -------------------------------------------------

    def save_assignment(self, assignment: StoredAssignment) -> None:
        with self._transaction() as tx:
            event = tx.load_event(assignment.event_key)
            if event is None:
                raise UnknownEventError(f"no event {assignment.event_key!r} is stored")
            for entry in assignment.entries:
                for key in (*entry.ranking, entry.session_key):
                    if key is not None:
                        event.session(key)
            tx.write_assignment(_sorted_assignment(assignment))

    def get_assignment(self, event_key: str) -> StoredAssignment | None:
        with self._transaction() as tx:
            return tx.read_assignment(event_key)

    def save_groups(self, groups: StoredGroups) -> None:
        with self._transaction() as tx:
            self._session(tx, groups.event_key, groups.session_key)
            tx.write_groups(_sorted_groups(groups))

    def get_groups(self, event_key: str, session_key: str) -> StoredGroups | None:
        with self._transaction() as tx:
            return tx.read_groups(event_key, session_key)

    def mark_assignment_notified(self, event_key: str, emails: Iterable[str]) -> int:
        wanted = {email.strip().lower() for email in emails}
        with self._transaction() as tx:
            stored = tx.read_assignment(event_key)
            if stored is None:
                return 0
            changed = 0
            entries = []
            for entry in stored.entries:
                if entry.person.email in wanted and not entry.notified:
                    changed += 1
                    entries.append(attrs.evolve(entry, notified=True))
                else:
                    entries.append(entry)
            if changed:
                tx.write_assignment(attrs.evolve(stored, entries=tuple(entries)))
            return changed

    def mark_groups_notified(self, event_key: str, session_key: str, emails: Iterable[str]) -> int:
        wanted = {email.strip().lower() for email in emails}
        with self._transaction() as tx:
            stored = tx.read_groups(event_key, session_key)
            if stored is None:
                return 0
            changed = 0
            placements = []
            for placement in stored.placements:
                if placement.person.email in wanted and not placement.notified:
                    changed += 1
                    placements.append(attrs.evolve(placement, notified=True))
                else:
                    placements.append(placement)
            if changed:
                tx.write_groups(attrs.evolve(stored, placements=tuple(placements)))
            return changed

    # --- privacy (issue 9) ------------------------------------------------

    def erase_person(self, email: str, now: datetime) -> PersonErasure:
        key = v.lookup_email(email)
        with self._transaction() as tx:
            forgotten = tx.forget_requester(key)
            person_id = tx.find_person(key)
            if person_id is None:
                return PersonErasure(False, Detached(), (), (), forgotten)
            person = tx.load_person(person_id)
            assert person is not None
            ids = tx.registrations_of_person(person_id)
            transitions: list[Transition] = []
            for rid in ids:
                current = tx.load_registration(rid)
                assert current is not None
                event, session = self._session(tx, current.event_key, current.session_key)
                if not current.state.is_active or now >= session.start:
                    continue  # the past stays as it happened, under the tombstone
                transitions += self._sweep(tx, session, event.key, now)
                current = tx.load_registration(rid)
                assert current is not None
                if current.state.is_active:
                    transitions.append(
                        self._change(tx, rid, current.state, _S.CANCELLED, now, "erased")
                    )
                    transitions += self._fill(tx, session, event.key, now)
            detached = tx.detach_person(person_id, None, erased_person(person.audience))
            # Report the erased person's own changes with the tombstone, never
            # with the data that was just erased.
            mine = set(ids)
            reported = []
            for transition in transitions:
                if transition.registration.id in mine:
                    now_stored = tx.load_registration(transition.registration.id)
                    assert now_stored is not None
                    reported.append(attrs.evolve(transition, registration=now_stored))
                else:
                    reported.append(transition)
            return PersonErasure(True, detached, tuple(ids), tuple(reported), forgotten)

    def purge_event(self, event_key: str, now: datetime) -> Detached:
        with self._transaction() as tx:
            if tx.load_event(event_key) is None:
                raise UnknownEventError(f"no event {event_key!r} is stored")
            total = Detached()
            for person_id in tx.persons_of_event(event_key):
                person = tx.load_person(person_id)
                if person is None or person.is_erased:
                    continue
                total += tx.detach_person(person_id, event_key, erased_person(person.audience))
            return total

    def record_privacy(self, record: PrivacyRecord) -> None:
        with self._transaction() as tx:
            tx.append_privacy_record(record)

    def privacy_records(self) -> list[PrivacyRecord]:
        with self._transaction() as tx:
            return tx.read_privacy_records()

    # --- the outbox ---------------------------------------------------------

    def erase_outbox_person(self, email: str | None, registration_ids: Iterable[int]) -> int:
        ids = sorted(set(registration_ids))
        with self._transaction() as tx:
            return tx.delete_outbox_messages(email, ids)

    def queue_messages(self, entries: Iterable[OutgoingMessage], now: datetime) -> int:
        with self._transaction() as tx:
            return sum(1 for entry in entries if tx.queue_message(entry, now))

    def queue_planned(
        self, build: Callable[[CalendarLedger], Iterable[OutgoingMessage]], now: datetime
    ) -> int:
        with self._transaction() as tx:
            return sum(1 for entry in build(TxLedger(tx)) if tx.queue_message(entry, now))

    def notify_groups(
        self,
        event_key: str,
        session_key: str,
        compose: Callable[
            [Event, Registration, int, Sequence[str], CalendarLedger], Iterable[OutgoingMessage]
        ],
        now: datetime,
    ) -> int:
        with self._transaction() as tx:
            event, _session = self._session(tx, event_key, session_key)
            stored = tx.read_groups(event_key, session_key)
            if stored is None:
                return 0
            holders = {
                r.person.email: r for r in tx.session_registrations(event_key, session_key, _HOLDS)
            }
            facilitators: dict[int, list[str]] = {}
            for placement in stored.placements:
                if placement.role == "facilitator":
                    facilitators.setdefault(placement.group, []).append(placement.person.name)
            ledger = TxLedger(tx)
            told = 0
            placements = []
            for placement in stored.placements:
                email = placement.person.email
                tell = not placement.notified and (
                    placement.role == "facilitator" or email in holders
                )
                if tell and placement.role == "participant":
                    for entry in compose(
                        event,
                        holders[email],
                        placement.group,
                        tuple(facilitators.get(placement.group, ())),
                        ledger,
                    ):
                        tx.queue_message(entry, now)
                    told += 1
                placements.append(attrs.evolve(placement, notified=True) if tell else placement)
            if tuple(placements) != stored.placements:
                tx.write_groups(attrs.evolve(stored, placements=tuple(placements)))
            return told

    def queue_feedback_messages(
        self,
        batch: Sequence[tuple[int, str, str | None, Sequence[OutgoingMessage]]],
        now: datetime,
    ) -> list[str]:
        recorded: list[str] = []
        with self._transaction() as tx:
            for round_id, mark, respondent, entries in batch:
                if respondent is not None and tx.load_response(round_id, respondent) is not None:
                    continue  # they responded meanwhile: the reminder is no longer due
                if not tx.insert_message_mark(round_id, mark, now):
                    continue  # another run queued it
                for entry in entries:
                    tx.queue_message(entry, now)
                recorded.append(mark)
        return recorded

    def erase_event_messages(self, event_key: str) -> int:
        with self._transaction() as tx:
            return tx.delete_event_messages(event_key)

    def purge_outbox(self, before: datetime, now: datetime) -> int:
        v.aware(None, attrs.fields(OutboxRecord).updated_at, before)
        with self._transaction() as tx:
            return tx.purge_outbox_messages(before, now)

    def claim_messages(
        self,
        now: datetime,
        *,
        limit: int,
        lease: timedelta,
        max_attempts: int,
        channels: Iterable[str] | None = None,
    ) -> list[OutboxRecord]:
        wanted = None if channels is None else frozenset(channels)
        lease_until = now + lease
        claimed: list[OutboxRecord] = []
        with self._transaction() as tx:
            for record in tx.due_messages(now, limit, wanted):
                if record.attempts >= max_attempts:
                    # Claimed again and again without an outcome: a message that
                    # kills its dispatcher. Stop and report it.
                    tx.update_delivery(
                        record.id,
                        DeliveryState.FAILED,
                        now,
                        attempts=record.attempts,
                        due_at=record.due_at,
                        lease_until=None,
                        sent_at=None,
                        last_error=f"gave up after {record.attempts} attempts"
                        + (f"; last error: {record.last_error}" if record.last_error else ""),
                    )
                    continue
                attempts = record.attempts + 1
                tx.update_delivery(
                    record.id,
                    DeliveryState.SENDING,
                    now,
                    attempts=attempts,
                    due_at=record.due_at,
                    lease_until=lease_until,
                    sent_at=None,
                    last_error=record.last_error,
                )
                claimed.append(
                    attrs.evolve(
                        record,
                        state=DeliveryState.SENDING,
                        attempts=attempts,
                        lease_until=lease_until.astimezone(UTC),
                        updated_at=now.astimezone(UTC),
                    )
                )
        return claimed

    def record_delivery(
        self,
        message_id: int,
        attempt: int,
        state: DeliveryState,
        now: datetime,
        *,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        if state not in {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.PENDING}:
            raise InvalidInputError(f"a delivery ends sent, failed or pending again, not {state}")
        if state is DeliveryState.PENDING and retry_at is None:
            raise InvalidInputError("a message to try again needs retry_at")
        with self._transaction() as tx:
            record = tx.load_outbox_message(message_id)
            if record is None:
                raise NotFoundError(f"no queued message {message_id}")
            if state is DeliveryState.SENT:
                if record.state is DeliveryState.SENT:
                    return False
                tx.update_delivery(
                    message_id,
                    state,
                    now,
                    attempts=record.attempts,
                    due_at=record.due_at,
                    lease_until=None,
                    sent_at=now,
                    last_error=record.last_error,
                )
                return True
            if record.state is not DeliveryState.SENDING or record.attempts != attempt:
                return False
            tx.update_delivery(
                message_id,
                state,
                now,
                attempts=record.attempts,
                due_at=retry_at if retry_at is not None else record.due_at,
                lease_until=None,
                sent_at=None,
                last_error=error,
            )
            return True

    def outbox(
        self,
        states: Iterable[DeliveryState] | None = None,
        *,
        event_key: str | None = None,
    ) -> list[OutboxRecord]:
        wanted = None if states is None else frozenset(states)
        with self._transaction() as tx:
            return tx.list_outbox(wanted, event_key)

    def place_assigned(
        self, event_key: str, places: Sequence[AssignedPlace], now: datetime
    ) -> tuple[Transition, ...]:
        from participatie.exceptions import ConstraintConflictError

        emails = [place.person.email for place in places]
        if len(set(emails)) != len(emails):
            raise InvalidInputError("an assignment places someone twice")
        with self._transaction() as tx:
            event = tx.load_event(event_key)
            if event is None:
                raise UnknownEventError(f"no event {event_key!r} is stored")
            sessions = {session.key: session for session in event.sessions}
            for place in places:
                event.session(place.session_key)
            wanted = set(emails)
            # Everyone's active registrations in the event: email -> session -> (id, state).
            held: dict[str, dict[str, tuple[int, RegistrationState]]] = {}
            for key in sessions:
                for email in sorted(tx.active_emails(event_key, key) & wanted):
                    rid = tx.active_registration(event_key, key, email)
                    current = None if rid is None else tx.load_registration(rid)
                    if rid is not None and current is not None:
                        held.setdefault(email, {})[key] = (rid, current.state)
            # Nobody loses a place: not to a waiting list, and not a place
            # that can no longer be cancelled (attended, no-show).
            losing = sorted(
                f"{place.person.email} ({key})"
                for place in places
                for key, (_rid, state) in held.get(place.person.email, {}).items()
                if state.holds_place
                and (
                    place.waiting
                    or (key != place.session_key and state not in (_S.REGISTERED, _S.OFFERED))
                )
            )
            if losing:
                raise ConstraintConflictError(
                    "the assignment would take a place away from people who hold one: "
                    + ", ".join(losing)
                    + "; mark them as told (they keep their place) or cancel them first",
                    tuple(f"holds-place:{item}" for item in losing),
                )
            joining: dict[str, int] = dict.fromkeys(sessions, 0)
            leaving: dict[str, int] = dict.fromkeys(sessions, 0)
            for place in places:
                mine = held.get(place.person.email, {})
                for key, (_rid, state) in mine.items():
                    if state.holds_place and key != place.session_key:
                        leaving[key] += 1
                if not place.waiting and not (
                    place.session_key in mine and mine[place.session_key][1].holds_place
                ):
                    joining[place.session_key] += 1
            over = []
            for key, session in sessions.items():
                if session.capacity is None:
                    continue
                after = tx.count_state(event_key, key, _HOLDS) - leaving[key] + joining[key]
                if after > session.capacity:
                    over.append((key, after, session.capacity))
            if over:
                raise ConstraintConflictError(
                    "the assignment no longer fits: "
                    + "; ".join(f"{key} would hold {n} of {cap}" for key, n, cap in over)
                    + " (places were taken after it was made); run the assignment again",
                    tuple(f"capacity:{key}" for key, _n, _cap in over),
                )
            transitions: list[Transition] = []
            for place in places:
                email = place.person.email
                mine = held.get(email, {})
                for key, (rid, state) in sorted(mine.items()):
                    if key != place.session_key:
                        transitions.append(self._change(tx, rid, state, _S.CANCELLED, now, "moved"))
                target = mine.get(place.session_key)
                if target is None:
                    person_id = tx.upsert_person(place.person)
                    state = _S.WAITLISTED if place.waiting else _S.REGISTERED
                    rid = tx.insert_registration(
                        event_key, place.session_key, person_id, state, None, now
                    )
                    reason = _initial_reason(state)
                    transitions.append(self._change(tx, rid, None, state, now, reason))
                elif not place.waiting and target[1] in (_S.WAITLISTED, _S.OFFERED):
                    transitions.append(
                        self._change(tx, target[0], target[1], _S.REGISTERED, now, "assigned")
                    )
            for session in event.sessions:
                transitions += self._fill(tx, session, event_key, now)
            self._plan_messages(tx, event, transitions, now)
            return tuple(transitions)


def _sorted_assignment(assignment: StoredAssignment) -> StoredAssignment:
    emails = [entry.person.email for entry in assignment.entries]
    if len(set(emails)) != len(emails):
        raise InvalidInputError("an assignment lists someone twice")
    entries = sorted(assignment.entries, key=lambda entry: entry.person.email)
    return attrs.evolve(assignment, entries=tuple(entries))


def _sorted_groups(groups: StoredGroups) -> StoredGroups:
    emails = [placement.person.email for placement in groups.placements]
    if len(set(emails)) != len(emails):
        raise InvalidInputError("a grouping places someone twice")
    placements = sorted(groups.placements, key=_placement_order)
    return attrs.evolve(groups, placements=tuple(placements))


def _placement_order(placement: GroupPlacement) -> tuple[int, str, str]:
    return (placement.group, placement.role, placement.person.email)


_HOLDS = frozenset(state for state in RegistrationState if state.holds_place)
_ACTIVE = frozenset(state for state in RegistrationState if state.is_active)
_WAITING = frozenset({_S.WAITLISTED})


def _utc_consent(consent: Consent | None) -> Consent | None:
    if consent is None:
        return None
    return attrs.evolve(consent, given_at=consent.given_at.astimezone(UTC))


def _initial_reason(state: RegistrationState) -> str:
    return "registered" if state is _S.REGISTERED else "waitlisted"
