"""A minimal but valid iTIP calendar provider for tests (icalendar 7).

It stands in for ``participatie.calendar``, which builds the real invitations
(stable UID, SEQUENCE raised on every change): the notification code only
needs *a* :class:`~participatie.CalendarPart` with a METHOD to put into the
iMIP structure, and this one is built with the real icalendar library so the
structure is really tested.
"""

from __future__ import annotations

from datetime import UTC

import icalendar

from participatie import CalendarPart, Event, Registration

#: Which kinds carry a calendar, and with which iTIP method.
METHODS = {
    "confirmation": "REQUEST",
    "change": "REQUEST",
    "group-assignment": "REQUEST",
    "cancellation": "CANCEL",
}


def calendar_part(event: Event, registration: Registration, kind: str) -> CalendarPart | None:
    """REQUEST or CANCEL for one registration; ``None`` for kinds without a calendar entry."""
    method = METHODS.get(kind)
    if method is None:
        return None
    session = event.session(registration.session_key)
    attendee = icalendar.vCalAddress.new(
        registration.person.email, cn=registration.person.name, rsvp=False
    )
    organizer = icalendar.vCalAddress.new(event.help_desk.email, cn=event.organiser)
    vevent = icalendar.Event.new(
        uid=f"{event.key}-{session.key}-{registration.id}@participatie.example.org",
        summary=session.title,
        start=session.start.astimezone(UTC),
        end=session.end.astimezone(UTC),
        organizer=organizer,
        attendees=[attendee],
        sequence=0 if kind == "confirmation" else 1,
        stamp=session.start.astimezone(UTC),
        url=session.online_link,
        status="CANCELLED" if method == "CANCEL" else "CONFIRMED",
    )
    calendar = icalendar.Calendar.new(
        method=method, prodid="-//participatie//tests//EN", subcomponents=[vevent]
    )
    return CalendarPart(method, calendar.to_ical())
