"""The transactional outbox: messages stored with the change that causes them.

A confirmation must not get lost when the process dies after the commit, nor
be sent for a registration that was rolled back. So a storage backend writes
the messages a change causes *in the same transaction* as the change (the
outbox pattern pretix uses for its mails), and a separate
:class:`~participatie.dispatch.Dispatcher` sends them later. Each message has
an idempotency key: queuing the same key twice keeps one, and the key goes
out with the message so a duplicate after a crash can be recognised.

This module holds the values that travel between the notification code and
the stores: :class:`OutgoingMessage` (what to queue), :class:`OutboxRecord`
(what is stored), :class:`Supersede` (cancel messages that are no longer
true, e.g. a reminder for a session that moved) and :class:`MessagePlan`,
plus the :class:`MessagePlanner` protocol a store calls inside its
transaction.
"""

from __future__ import annotations

import base64
import enum
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from participatie import _validate as v
from participatie.channels import CalendarPart, Message
from participatie.exceptions import InvalidInputError, StorageError
from participatie.model import Event, Registration, Transition

if TYPE_CHECKING:
    from participatie.calendar import CalendarState

__all__ = [
    "CalendarLedger",
    "DeliveryState",
    "MessagePlan",
    "MessagePlanner",
    "OutboxRecord",
    "OutgoingMessage",
    "Supersede",
    "decode_message",
    "encode_message",
]

_CHANNEL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class DeliveryState(enum.Enum):
    """Where a queued message stands."""

    #: Waiting until it is due (or due again after a transient failure).
    PENDING = "pending"
    #: Claimed by a dispatcher that is sending it; if that dispatcher dies,
    #: the claim lapses and another one sends it.
    SENDING = "sending"
    #: Delivered to the channel.
    SENT = "sent"
    #: Given up: a permanent failure, or too many attempts. Reported.
    FAILED = "failed"
    #: No longer true (a reminder for the old time of a session that moved);
    #: it will never be sent.
    SUPERSEDED = "superseded"

    @property
    def is_final(self) -> bool:
        """Whether the message will not be sent (again)."""
        return self in {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SUPERSEDED}


def _check_channel(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _CHANNEL.match(value):
        raise InvalidInputError(f"not a channel name: {value!r}")


def _check_keyed(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Message) or value.key is None:
        raise InvalidInputError("a queued message needs a Message with an idempotency key")


@attrs.frozen
class OutgoingMessage:
    """A message to queue in the outbox, for one channel.

    Attributes:
        channel: The name of the channel that is to deliver it.
        message: The message; its :attr:`~participatie.Message.key` is the
            idempotency key (one message per key and channel is kept).
        due_at: When to send it, at the earliest.
        event_key: The event it is about, if any.
        session_key: The session it is about, if any.
        registration_id: The registration it is about, if any.
    """

    channel: str = attrs.field(validator=_check_channel)
    message: Message = attrs.field(validator=_check_keyed)
    due_at: datetime = attrs.field(validator=v.aware)
    event_key: str | None = attrs.field(default=None, kw_only=True)
    session_key: str | None = attrs.field(default=None, kw_only=True)
    registration_id: int | None = attrs.field(default=None, kw_only=True)

    @property
    def key(self) -> str:
        """The idempotency key (the message's key)."""
        assert self.message.key is not None
        return self.message.key


@attrs.frozen
class OutboxRecord:
    """A message as the outbox holds it.

    Attributes:
        id: Assigned by the store.
        channel: The channel that is to deliver it.
        message: The message (its key is the idempotency key).
        state: Where it stands.
        due_at: When it is (next) due.
        attempts: How often a dispatcher has claimed it.
        created_at: When it was queued.
        updated_at: When its state last changed.
        lease_until: While :attr:`state` is ``SENDING``: until when the claim holds.
        sent_at: When it was delivered.
        last_error: The last failure, for the organiser's report.
        event_key: The event it is about, if any.
        session_key: The session it is about, if any.
        registration_id: The registration it is about, if any.
    """

    id: int
    channel: str
    message: Message
    state: DeliveryState
    due_at: datetime
    attempts: int
    created_at: datetime
    updated_at: datetime
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    event_key: str | None = None
    session_key: str | None = None
    registration_id: int | None = None

    @property
    def key(self) -> str:
        """The idempotency key."""
        assert self.message.key is not None
        return self.message.key


def _kinds(values: Iterable[str]) -> frozenset[str]:
    return frozenset({values} if isinstance(values, str) else values)


def _supersede_tuple(values: Iterable[Supersede]) -> tuple[Supersede, ...]:
    return tuple(values)


def _queue_tuple(values: Iterable[OutgoingMessage]) -> tuple[OutgoingMessage, ...]:
    return tuple(values)


@attrs.frozen
class Supersede:
    """Which queued messages are no longer true and must never be sent.

    Applies to messages not sent yet (pending, or claimed by a dispatcher)
    whose kind is in :attr:`kinds` and that match the event and, when given,
    the session and the registration.

    Attributes:
        kinds: Message kinds, e.g. ``{"reminder"}``.
        event_key: The event.
        session_key: Only messages about this session (``None``: any).
        registration_id: Only messages about this registration (``None``: any).
    """

    kinds: frozenset[str] = attrs.field(converter=_kinds)
    event_key: str
    session_key: str | None = None
    registration_id: int | None = None


@attrs.frozen
class MessagePlan:
    """What a change means for the outbox: messages to supersede, then to queue.

    Attributes:
        supersede: Applied first, so what is queued next is not superseded.
        queue: The new messages.
    """

    supersede: tuple[Supersede, ...] = attrs.field(default=(), converter=_supersede_tuple)
    queue: tuple[OutgoingMessage, ...] = attrs.field(default=(), converter=_queue_tuple)


class CalendarLedger(Protocol):
    """The store's calendar states and groups, seen from inside the current transaction.

    A store hands one to the planner of every change, so a calendar part is
    numbered from the SEQUENCE the store holds and the new state is stored
    in the same transaction as the change and its message: a rolled-back
    change leaves neither a message nor a raised SEQUENCE behind.
    """

    def calendar_states(self, uids: Sequence[str]) -> dict[str, CalendarState]:
        """The stored state of each of these UIDs that has one."""
        ...

    def save_calendar_states(self, states: Sequence[CalendarState]) -> None:
        """Store these states (replacing the earlier state of each UID)."""
        ...

    def group_number(self, event_key: str, session_key: str, email: str) -> int | None:
        """The group this participant is placed in, if groups are formed."""
        ...


class MessagePlanner(Protocol):
    """Decides which messages a committed change causes; a store calls it in its transaction.

    The planner must be pure (no I/O, no clock): it only turns the change
    into a :class:`MessagePlan`. :class:`participatie.Notifications` makes one.
    """

    def sessions_to_recheck(self, previous: Event, event: Event) -> Collection[str]:
        """Keys of the sessions whose participants must hear about a change of the event."""
        ...

    def plan(
        self,
        event: Event,
        transitions: Sequence[Transition],
        now: datetime,
        *,
        previous: Event | None = None,
        holders: Mapping[str, Sequence[Registration]] | None = None,
        ledger: CalendarLedger | None = None,
    ) -> MessagePlan:
        """The messages ``transitions`` (and, with ``previous``, a changed event) cause.

        ``holders`` maps each session key from :meth:`sessions_to_recheck` to
        the active registrations of that session; ``ledger`` gives the
        store's calendar states inside the same transaction.
        """
        ...


# --- storing messages as text ------------------------------------------------------


def encode_message(message: Message) -> str:
    """A message as compact JSON text (the calendar bytes in base64)."""
    calendar = message.calendar
    data = {
        "format": 1,
        "recipient": message.recipient,
        "subject": message.subject,
        "text": message.text,
        "kind": message.kind,
        "language": message.language,
        "html": message.html,
        "calendar": None
        if calendar is None
        else {
            "method": calendar.method,
            "ics": base64.b64encode(calendar.ics).decode("ascii"),
            "filename": calendar.filename,
        },
        "recipient_name": message.recipient_name,
        "sender_name": message.sender_name,
        "reply_to": message.reply_to,
        "key": message.key,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_message(text: str) -> Message:
    """Read :func:`encode_message` back."""
    data = json.loads(text)
    if data.get("format") != 1:
        raise StorageError(f"a queued message has an unknown format {data.get('format')!r}")
    calendar = data["calendar"]
    return Message(
        data["recipient"],
        data["subject"],
        data["text"],
        data["kind"],
        data["language"],
        html=data["html"],
        calendar=None
        if calendar is None
        else CalendarPart(
            calendar["method"], base64.b64decode(calendar["ics"]), calendar["filename"]
        ),
        recipient_name=data["recipient_name"],
        sender_name=data["sender_name"],
        reply_to=data["reply_to"],
        key=data["key"],
    )


def utc(instant: datetime) -> datetime:
    """``instant`` in UTC (stores return outbox times in UTC)."""
    return instant.astimezone(UTC)
