"""The pieces every calendar file of participatie is made of.

A session's entry is built once with icalendar (``Event.new``,
``vCalAddress.new``, ``Conference``, ``Alarm.new_display``) inside a
``Calendar.new`` whose time zones come from ``add_missing_timezones`` bounded
to the days the entry needs. What differs per person (UID, SEQUENCE, the
stamps, the ATTENDEE) is a handful of lines, serialised by icalendar too and
spliced in where the VEVENT begins. That is why 10,000 personal invitations
take about a second instead of five: the shared part is written once.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Component, Conference, Event, vCalAddress
from icalendar.parser import Contentline, Parameters

from participatie.calendar._options import PRODID, CalendarOptions
from participatie.calendar._text import check_link, check_uid, clean_line, clean_text
from participatie.calendar._timezones import add_timezones
from participatie.exceptions import InvalidInputError
from participatie.localtime import zone
from participatie.model import Event as ParticipatieEvent
from participatie.model import HelpDesk, Session

__all__ = [
    "LABELS",
    "CalendarParts",
    "build_calendar",
    "description",
    "fingerprint",
    "line",
    "session_vevent",
    "uid_domain",
]

#: Words used in calendar texts, per language of the reader.
LABELS: dict[str, dict[str, str]] = {
    "nl": {
        "join": "Deelnemen",
        "group": "Groep",
        "place": "Plaats",
        "for": "Voor",
        "questions": "Centrale vragen",
        "help": "Vragen? Neem contact op met de vraagbaak",
        "cancelled": "Deze sessie gaat niet door.",
        "reminder": "Herinnering",
        "private_link": "De link om deel te nemen staat in je persoonlijke uitnodiging.",
    },
    "en": {
        "join": "Join",
        "group": "Group",
        "place": "Place",
        "for": "For",
        "questions": "Central questions",
        "help": "Questions? Contact the help desk",
        "cancelled": "This session has been cancelled.",
        "reminder": "Reminder",
        "private_link": "The link to join is in your personal invitation.",
    },
}

_SEPARATOR = "\x1f"  # never in cleaned text: it is a control character


def fingerprint(parts: Iterable[object]) -> str:
    """A short, stable digest of ``parts`` (their text forms, in order)."""
    text = _SEPARATOR.join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def uid_domain(event: ParticipatieEvent, options: CalendarOptions) -> str:
    """The right-hand side of the event's UIDs: the organiser's choice, else the help desk's."""
    if options.uid_domain is not None:
        return options.uid_domain
    return event.help_desk.email.rpartition("@")[2]


def description(
    event: ParticipatieEvent,
    session: Session,
    *,
    language: str,
    link: str | None,
    link_withheld: bool,
    group_name: str | None = None,
    place: str | None = None,
    audiences: bool = False,
    cancelled: bool = False,
) -> str:
    """The DESCRIPTION of a session's entry: why, where, what is asked, whom to ask."""
    words = LABELS.get(language, LABELS["nl"])
    parts: list[str] = []
    if cancelled:
        parts.append(words["cancelled"])
    if event.purpose.strip():
        parts.append(event.purpose.strip())
    details: list[str] = []
    if group_name:
        details.append(f"{words['group']}: {group_name}")
    if place:
        details.append(f"{words['place']}: {place}")
    if link:
        details.append(f"{words['join']}: {link}")
    elif link_withheld:
        details.append(words["private_link"])
    if audiences and session.audiences:
        labels = ", ".join(event.audience(key).label for key in sorted(session.audiences))
        details.append(f"{words['for']}: {labels}")
    if details:
        parts.append("\n".join(details))
    if event.central_questions:
        questions = "\n".join(f"- {question}" for question in event.central_questions)
        parts.append(f"{words['questions']}:\n{questions}")
    parts.append(f"{words['help']}: {_help_desk(event.help_desk)}")
    return clean_text("\n\n".join(parts))


def _help_desk(desk: HelpDesk) -> str:
    return desk.email if desk.phone is None else f"{desk.email}, {desk.phone}"


def summary(event: ParticipatieEvent, session: Session, group_name: str | None = None) -> str:
    """The SUMMARY: the event and the session (and the group), on one line."""
    text = f"{event.title}: {session.title}"
    if group_name:
        text += f" ({group_name})"
    return clean_line(text)


def after(instant: datetime, duration: timedelta) -> datetime:
    """``duration`` of real time after ``instant``, on the same clocks.

    ``instant + duration`` would add to the wall-clock reading, so a two-hour
    session that starts at 01:30 on the night the clocks go forward would last
    one hour. RFC 5545 durations of hours and minutes are exact.
    """
    return (instant.astimezone(UTC) + duration).astimezone(instant.tzinfo)


def set_text(
    vevent: Event,
    *,
    summary_text: str,
    description_text: str,
    place: str | None,
    link: str | None,
    language: str,
) -> None:
    """Set what may differ between readers of one session (group name, room, link)."""
    location = clean_line(place) if place else None
    if link is not None:
        check_link(link)
    vevent.summary = summary_text
    vevent.description = description_text
    if location:
        vevent.location = location
    if link is not None:
        vevent.url = link
        words = LABELS.get(language, LABELS["nl"])
        vevent.conferences = [Conference(link, feature="VIDEO", label=words["join"])]


def set_core(
    vevent: Event,
    event: ParticipatieEvent,
    session: Session,
    *,
    cancelled: bool,
    language: str,
    organizer: bool = True,
    reminders: Sequence[timedelta] = (),
) -> None:
    """Set what every reader of the session shares: times, organiser, status, reminders.

    Start and end are written in the event's time zone (or in UTC where the
    local time is ambiguous, see :func:`written_time`).
    """
    tz = zone(event.timezone)
    vevent.start = written_time(session.start, tz)
    vevent.end = written_time(session.end, tz)
    if organizer:
        vevent.organizer = vCalAddress.new(event.help_desk.email, cn=clean_line(event.organiser))
    vevent.status = "CANCELLED" if cancelled else "CONFIRMED"
    if not cancelled:
        words = LABELS.get(language, LABELS["nl"])
        reminder_text = f"{words['reminder']}: {summary(event, session)}"
        for reminder in reminders:
            vevent.add_component(Alarm.new_display(reminder_text, -reminder))


def significant_fingerprint(
    session: Session, summary_text: str, place: str | None, link: str | None, cancelled: bool
) -> str:
    """The fingerprint of what a reader acts on: a change raises SEQUENCE."""
    return fingerprint(
        (
            session.start.astimezone(UTC).isoformat(),
            session.end.astimezone(UTC).isoformat(),
            summary_text,
            clean_line(place) if place else None,
            link,
            cancelled,
        )
    )


def session_vevent(
    event: ParticipatieEvent,
    session: Session,
    *,
    summary_text: str,
    description_text: str,
    place: str | None,
    link: str | None,
    cancelled: bool,
    language: str,
    organizer: bool = True,
    reminders: Sequence[timedelta] = (),
) -> tuple[Event, str]:
    """A VEVENT with everything every reader of the session sees, and its significant fingerprint.

    It has no UID, DTSTAMP, SEQUENCE, LAST-MODIFIED or ATTENDEE: those are
    added per entry.
    """
    vevent = Event()
    set_text(
        vevent,
        summary_text=summary_text,
        description_text=description_text,
        place=place,
        link=link,
        language=language,
    )
    set_core(
        vevent,
        event,
        session,
        cancelled=cancelled,
        language=language,
        organizer=organizer,
        reminders=reminders,
    )
    return vevent, significant_fingerprint(session, summary_text, place, link, cancelled)


def inner(component: Component) -> bytes:
    """A component's serialised lines without its own BEGIN and END lines."""
    data = serialise(component)
    first = data.index(b"\r\n") + 2
    return data[first : -len(f"END:{component.name}\r\n")]


def written_time(instant: datetime, tz: ZoneInfo) -> datetime:
    """``instant`` as the file writes it: wall-clock time in ``tz``, or UTC if that is ambiguous.

    A wall-clock time in the hour the clocks go back happens twice, and
    RFC 5545 reads a TZID time there as the first of the two. A session that
    starts at the second one is written in UTC (``...Z``), so every reader
    finds the same instant.
    """
    local = instant.astimezone(tz)
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


def timezone_window(instants: Iterable[datetime], tz_name: str) -> tuple[date, date]:
    """The days the VTIMEZONE must cover: from the day before the first to the day after the last.

    The day before, so that the observance the window opens with starts
    strictly before a clock change on the first day (Santiago changes at
    midnight): two observances with the same onset leave readers guessing.
    """
    tz = zone(tz_name)
    days = [instant.astimezone(tz).date() for instant in instants]
    if not days:
        raise InvalidInputError("a calendar needs at least one date to choose its time zones")
    return min(days) - timedelta(days=1), max(days) + timedelta(days=1)


def build_calendar(
    components: Iterable[Event],
    *,
    window: tuple[date, date] | None,
    method: str | None = None,
    name: str | None = None,
    calendar_description: str | None = None,
    uid: str | None = None,
    refresh_interval: timedelta | None = None,
) -> Calendar:
    """A VCALENDAR around ``components``, with the VTIMEZONEs they need for ``window``."""
    calendar = Calendar.new(
        prodid=PRODID,
        method=method,
        name=name,
        description=calendar_description,
        uid=uid if uid is not None else "placeholder",
        refresh_interval=refresh_interval,
        subcomponents=list(components),
    )
    if uid is None:
        del calendar["UID"]  # Calendar.new would invent a random one
    if window is not None:
        add_timezones(calendar, *window)
    return calendar


_WHITESPACE = re.compile(r"\s")
_LIMIT = 75  # octets per physical line, without the CRLF (RFC 5545, 3.1)


def fold(content: str) -> bytes:
    """One content line as folded UTF-8 octets, ending in CRLF.

    Physical lines hold at most 75 octets; a continuation starts with a space
    and is never cut inside a UTF-8 character, nor right after a backslash or
    caret (some readers take ``\\`` + line break for a broken escape).
    icalendar folds character by character; this is the same rule on bytes,
    which is what makes thousands of invitations a second possible.
    """
    data = content.encode("utf-8")
    if len(data) <= _LIMIT:
        return data + b"\r\n"
    parts: list[bytes] = []
    start, limit = 0, _LIMIT
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character
            end -= 1
        if end < len(data) and end - start > 1 and data[end - 1] in b"\\^":
            end -= 1
        parts.append(data[start:end])
        start, limit = end, _LIMIT - 1  # the leading space takes one octet
    return b"\r\n ".join(parts) + b"\r\n"


def serialise(component: Component) -> bytes:
    """A component (with its subcomponents) as folded content lines, in insertion order."""
    return b"".join(
        fold(str(content)) for content in component.content_lines(sorted=False) if content
    )


@functools.lru_cache(maxsize=4096)
def line(name: str, value: Any) -> bytes:
    """One property as a folded content line (with CRLF), written by icalendar.

    Cached: in a batch the same DTSTAMP, SEQUENCE and LAST-MODIFIED recur for
    thousands of people.
    """
    prop = Event.types_factory.for_property(name)(value)
    params = getattr(prop, "params", None)
    if not isinstance(params, Parameters):  # pragma: no cover - every property type has them
        params = Parameters()
    return fold(str(Contentline.from_parts(name, params, prop)))


_ATTENDEE_PARAMETERS = ";CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=FALSE"


def attendee_line(email: str, name: str) -> bytes:
    """The ATTENDEE line of one person (a required participant), folded.

    Written directly rather than through ``vCalAddress``, because it is the
    one line that differs for each of thousands of people: the name is
    cleaned to one line, ``^`` and ``"`` are encoded as RFC 6868 says, and the
    value is always quoted; the address was checked when the person was made
    and is checked again here. (The property tests read it back with
    icalendar and vobject.)
    """
    if not email or not email.isprintable() or _WHITESPACE.search(email) or '"' in email:
        raise InvalidInputError(f"not an address a calendar can hold: {email!r}")
    name = clean_line(name).replace("^", "^^").replace('"', "^'")
    return fold(f'ATTENDEE;CN="{name}"{_ATTENDEE_PARAMETERS}:mailto:{email}')


def uid_line(uid: str) -> bytes:
    """The UID line, after checking the UID is one we may write (so nothing needs escaping)."""
    return fold("UID:" + check_uid(uid))


@functools.lru_cache(maxsize=256)
def calendar_head(method: str | None, tzid: str, first: date, last: date) -> bytes:
    """The start of a one-entry calendar: VCALENDAR properties and the VTIMEZONE, up to the VEVENT.

    Built once per method, zone and window with ``Calendar.new`` and
    ``add_missing_timezones`` (see :func:`build_calendar`), from a stand-in
    entry at the window's start.
    """
    tz = zone(tzid)
    stand_in = Event.new(
        start=datetime.combine(first, datetime.min.time()).replace(tzinfo=tz),
        uid="stand-in",
        stamp=datetime(2000, 1, 1, tzinfo=UTC),
    )
    calendar = build_calendar([stand_in], window=(first, last), method=method)
    data = serialise(calendar)
    # A whole line: text such as "LOCATION:BEGIN:VEVENT" must not count.
    marker = b"\r\nBEGIN:VEVENT\r\n"
    return data[: data.index(marker) + len(marker)]


class CalendarParts:
    """A one-entry calendar cut where its VEVENT begins, so personal lines can go in.

    ``head`` holds the VCALENDAR properties and the VTIMEZONEs and ends with
    ``BEGIN:VEVENT``; ``body`` holds the shared VEVENT properties and its
    alarms (given), then ``END:VEVENT`` and ``END:VCALENDAR``. Personal lines
    go between.
    """

    __slots__ = ("body", "head")

    def __init__(self, head: bytes, body: bytes) -> None:
        self.head = head
        self.body = body + b"END:VEVENT\r\nEND:VCALENDAR\r\n"

    def join(self, personal: bytes) -> bytes:
        """The whole file with ``personal`` lines at the start of the VEVENT."""
        return b"".join((self.head, personal, self.body))
