"""Feedback rounds: a draft version put before its recipients for a while.

A round has a draft version, its recipients (by default the people who
attended), an opening and a closing time, reminder rules for those who have
not answered, and whether answers are anonymous to the organiser's
colleagues. What the round allows at an instant is decided by the pure
functions in :mod:`participatie.feedback.rules`, with the clock passed in.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from participatie import _validate as v
from participatie.exceptions import InvalidInputError
from participatie.localtime import DEFAULT_TIMEZONE, require_aware, zone

__all__ = ["FeedbackRound", "Recipient", "ReminderAnchor", "ReminderRule", "RoundStatus"]


class RoundStatus(enum.Enum):
    """Where a round stands at an instant."""

    #: Before the opening time: nobody can respond yet.
    SCHEDULED = "scheduled"
    #: Between opening (inclusive) and closing (exclusive): responses are taken.
    OPEN = "open"
    #: At or after the closing time, or after the organiser closed it early.
    CLOSED = "closed"


class ReminderAnchor(enum.Enum):
    """What a reminder's offset counts from."""

    #: ``offset`` after the round opens ("after a week").
    AFTER_OPENING = "after-opening"
    #: ``offset`` before the round closes ("two days before the deadline").
    BEFORE_CLOSING = "before-closing"


def _check_offset(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInputError(f"a reminder's offset must be a positive timedelta, not {value!r}")


@attrs.frozen
class ReminderRule:
    """When people who have not responded are reminded.

    Attributes:
        offset: How long after the opening or before the closing.
        anchor: What the offset counts from (default: before the closing).
    """

    offset: timedelta = attrs.field(validator=_check_offset)
    anchor: ReminderAnchor = attrs.field(
        default=ReminderAnchor.BEFORE_CLOSING,
        validator=attrs.validators.instance_of(ReminderAnchor),
    )

    def due_at(
        self, opens_at: datetime, closes_at: datetime, timezone: str = DEFAULT_TIMEZONE
    ) -> datetime:
        """When (UTC) this reminder is due in a round open from ``opens_at`` to ``closes_at``.

        Whole days count on the wall clock of ``timezone``: "two days before a
        deadline of Monday 17:00" is Saturday 17:00 local time, also when the
        clocks change in between (then it is 47 or 49 hours before).
        """
        tz = zone(timezone)
        if self.anchor is ReminderAnchor.AFTER_OPENING:
            local = opens_at.astimezone(tz) + self.offset
        else:
            local = closes_at.astimezone(tz) - self.offset
        # Aware arithmetic in one zone is wall-clock arithmetic; normalise the
        # result (a time in a DST gap becomes the instant an hour later).
        return local.astimezone(UTC).astimezone(tz).astimezone(UTC)


def _check_language(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in LANGUAGES:
        raise InvalidInputError(f"language must be one of {', '.join(LANGUAGES)}, not {value!r}")


#: The languages messages and reports are written in.
LANGUAGES = ("nl", "en")


@attrs.frozen
class Recipient:
    """Someone asked for feedback: only what a message to them needs.

    Attributes:
        email: Their e-mail address (normalised); identifies them in the round.
        name: How to address them.
        language: ``"nl"`` or ``"en"``: the language of their messages.
    """

    email: str = attrs.field(converter=v.normalise_email)
    name: str = attrs.field(validator=v.single_line)
    language: str = attrs.field(default="nl", validator=_check_language)


def _to_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


def _utc(value: datetime) -> datetime:
    # Check before converting: astimezone() would read a naive datetime as
    # the computer's local time, silently.
    if not isinstance(value, datetime):
        raise InvalidInputError(f"expected a datetime, not {value!r}")
    require_aware(value)
    return value.astimezone(UTC)


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _check_recipients(
    _instance: object, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    if not value:
        raise InvalidInputError("a feedback round needs at least one recipient")
    # The common case in one fast pass (rounds with thousands of recipients
    # are read at every response); the loop below only names the culprit.
    if all(type(r) is Recipient for r in value) and len({r.email for r in value}) == len(value):
        return
    seen: set[str] = set()
    for recipient in value:
        if not isinstance(recipient, Recipient):
            raise InvalidInputError(f"{recipient!r} is not a Recipient")
        if recipient.email in seen:
            raise InvalidInputError(f"{recipient.email} is a recipient twice")
        seen.add(recipient.email)


def _check_reminders(
    _instance: object, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    for rule in value:
        if not isinstance(rule, ReminderRule):
            raise InvalidInputError(f"{rule!r} is not a ReminderRule")


def _check_timezone(_instance: object, _attribute: attrs.Attribute[Any], value: str) -> None:
    zone(value)


def _check_version(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidInputError(f"a version number is a whole number of at least 1, not {value!r}")


@attrs.frozen
class FeedbackRound:
    """A draft version put before its recipients from ``opens_at`` until ``closes_at``.

    Times are kept in UTC (stores return them so); show them with
    :func:`participatie.to_local`.

    Attributes:
        event_key: The event whose participants are asked.
        draft_key: The draft.
        version: The number of the draft version under discussion.
        opens_at: From when responses are taken (inclusive).
        closes_at: Until when (exclusive): the deadline participants are told.
        recipients: Who is asked.
        reminders: When those who have not responded are reminded.
        anonymous_to_colleagues: Whether the organiser's colleagues see
            responses under pseudonyms ("Deelnemer 3") instead of names.
        title: How the round is named in messages; ``None``: the draft's title.
        timezone: The event's time zone: reminder offsets in days follow its
            wall clock (the facade fills it in from the event).
        id: Assigned by the store.
        created_at: When it was stored.
        closed_at: When the organiser closed it before ``closes_at``, if so.
        concluded_at: When the organiser concluded it (dispositions final,
            next version chosen): from then on participants are told what
            was done with their input.
        next_version: The version the round led to (set when concluded).
        opened_announced_at: When the opening was reported to plugins.
        closed_announced_at: When the closing was reported to plugins.
    """

    event_key: str = attrs.field(validator=v.slug)
    draft_key: str = attrs.field(validator=v.slug)
    version: int = attrs.field(validator=_check_version)
    opens_at: datetime = attrs.field(converter=_utc)
    closes_at: datetime = attrs.field(converter=_utc)
    recipients: tuple[Recipient, ...] = attrs.field(
        converter=_to_tuple, validator=_check_recipients
    )
    reminders: tuple[ReminderRule, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_reminders, kw_only=True
    )
    anonymous_to_colleagues: bool = attrs.field(
        default=True, validator=attrs.validators.instance_of(bool), kw_only=True
    )
    title: str | None = attrs.field(default=None, validator=v.optional_single_line, kw_only=True)
    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, validator=_check_timezone, kw_only=True)
    id: int | None = attrs.field(default=None, kw_only=True)
    created_at: datetime | None = attrs.field(default=None, converter=_optional_utc, kw_only=True)
    closed_at: datetime | None = attrs.field(default=None, converter=_optional_utc, kw_only=True)
    concluded_at: datetime | None = attrs.field(default=None, converter=_optional_utc, kw_only=True)
    next_version: int | None = attrs.field(default=None, validator=_check_version, kw_only=True)
    opened_announced_at: datetime | None = attrs.field(
        default=None, converter=_optional_utc, kw_only=True
    )
    closed_announced_at: datetime | None = attrs.field(
        default=None, converter=_optional_utc, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if self.closes_at <= self.opens_at:
            raise InvalidInputError("a feedback round must close after it opens")
        for rule in self.reminders:
            due = rule.due_at(self.opens_at, self.closes_at, self.timezone)
            if not self.opens_at < due < self.closes_at:
                raise InvalidInputError(
                    f"a reminder {rule.anchor.value} {rule.offset} falls outside the round "
                    "(it must be due after the opening and before the closing)"
                )

    @property
    def closing_time(self) -> datetime:
        """When the round closes in fact: the deadline, or the early close."""
        if self.closed_at is not None and self.closed_at < self.closes_at:
            return self.closed_at
        return self.closes_at

    def reminder_times(self) -> tuple[datetime, ...]:
        """When each reminder rule is due (UTC), in the order of the rules."""
        return tuple(
            rule.due_at(self.opens_at, self.closes_at, self.timezone) for rule in self.reminders
        )

    @property
    def emails(self) -> tuple[str, ...]:
        """The recipients' e-mail addresses, in order."""
        return tuple(recipient.email for recipient in self.recipients)

    def recipient(self, email: str) -> Recipient | None:
        """The recipient with this e-mail address, or ``None``."""
        wanted = email.strip().lower()
        for recipient in self.recipients:
            if recipient.email == wanted:
                return recipient
        return None

    def status(self, now: datetime) -> RoundStatus:
        """Where the round stands at ``now``: scheduled, open or closed."""
        if now < self.opens_at:
            return RoundStatus.SCHEDULED
        if now >= self.closing_time:
            return RoundStatus.CLOSED
        return RoundStatus.OPEN
