"""What the organiser decides about calendar files, and the group a person is in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs

from participatie import _validate as v
from participatie.calendar._text import check_domain
from participatie.exceptions import InvalidInputError

__all__ = ["PRODID", "CalendarOptions", "GroupDetails"]

#: The PRODID of every calendar participatie writes.
PRODID = "-//participatie//participatie calendar//NL"

_MAX_REMINDERS = 5


def _to_durations(values: Any) -> tuple[timedelta, ...]:
    if isinstance(values, timedelta):
        return (values,)
    return tuple(values)


def _check_reminders(
    _options: CalendarOptions, _attribute: attrs.Attribute[Any], value: tuple[timedelta, ...]
) -> None:
    if len(value) > _MAX_REMINDERS:
        raise InvalidInputError(f"at most {_MAX_REMINDERS} reminders per calendar entry")
    for reminder in value:
        if not isinstance(reminder, timedelta) or reminder <= timedelta(0):
            raise InvalidInputError(
                f"a reminder is a positive time before the start (a timedelta), not {reminder!r}"
            )
        if reminder > timedelta(days=28):
            raise InvalidInputError(
                f"a reminder more than four weeks ahead is not a reminder: {reminder}"
            )
    if len(set(value)) != len(value):
        raise InvalidInputError("the same reminder is given twice")


def _domain(value: str | None) -> str | None:
    return None if value is None else check_domain(value)


@attrs.frozen
class CalendarOptions:
    """The organiser's choices for the calendar files participatie writes.

    Attributes:
        reminders: How long before the start participants' calendars remind
            them (VALARM), e.g. ``(timedelta(days=1), timedelta(minutes=30))``.
            Only in personal invitations: people who subscribe to a public
            feed choose their own reminders.
        join_links_in_public_feeds: Whether an online session's join link may
            appear in files that are shared publicly (the event and audience
            feeds, a CalDAV calendar). Off by default: calendars are often
            shared, and a join link in the open lets anyone in. Personal
            invitations always carry the link.
        uid_domain: The right-hand side of every UID, a domain the organiser
            controls. ``None`` takes the domain of the help desk's address.
    """

    reminders: tuple[timedelta, ...] = attrs.field(
        default=(), converter=_to_durations, validator=_check_reminders
    )
    join_links_in_public_feeds: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    uid_domain: str | None = attrs.field(default=None, converter=_domain)


@attrs.frozen
class GroupDetails:
    """The breakout group a participant is placed in, as their calendar shows it.

    Group assignment itself lives elsewhere; the calendar only needs to know
    what to show. A change of group (another name, link or room) is a
    significant change: the participant's calendar entry is updated in place.

    Attributes:
        name: How the group is called, e.g. ``"Groep 2"``.
        online_link: The group's own join link; ``None`` uses the session's.
        place: The group's own room; ``None`` uses the session's place.
    """

    name: str = attrs.field(validator=v.single_line)
    online_link: str | None = attrs.field(default=None, validator=v.web_link)
    place: str | None = attrs.field(default=None, validator=v.optional_single_line)
