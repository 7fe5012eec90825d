"""Sessions read from an organiser's existing calendar file (.ics).

Organisers often have their sessions in a calendar already. Each VEVENT
becomes a :class:`~participatie.Session`; a recurring one (RRULE, with EXDATE,
RDATE and moved or cancelled occurrences given as RECURRENCE-ID entries)
becomes one session per date. What cannot be mapped is an error, not a
guess: an all-day entry (a session needs a time), an entry without an end, a
link that is not http(s), a rule that never ends, a to-do among the events.
Every problem in the file is reported at once
(:class:`~participatie.exceptions.CalendarImportError`), and nothing is
imported until the file is right.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar, Component

from participatie.calendar._render import after
from participatie.calendar._series import MAX_OCCURRENCES
from participatie.calendar._text import check_link, clean_line
from participatie.exceptions import CalendarImportError, ParticipatieError
from participatie.localtime import DEFAULT_TIMEZONE, local_datetime, zone
from participatie.model import Session

__all__ = ["import_sessions"]

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_IGNORED = {"VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT", "VALARM", "VEVENT"}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or "sessie"


def _name(vevent: Component) -> str:
    summary = vevent.get("SUMMARY")
    uid = vevent.get("UID")
    parts = []
    if summary:
        parts.append(repr(clean_line(str(summary))[:60]))
    if uid:
        parts.append(f"(UID {clean_line(str(uid))[:60]})")
    return "entry " + (" ".join(parts) if parts else "without SUMMARY or UID")


class _EntryError(Exception):
    """Problems with one entry (internal: collected into one CalendarImportError)."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems = problems


def _dt(prop: Any) -> Any:
    """The date or datetime of a date-valued property (``None`` if it has none)."""
    return getattr(prop, "dt", None)


def _instant(value: Any, what: str, tz: str) -> datetime:
    """A DTSTART/DTEND/RECURRENCE-ID value as an aware datetime (floating = event zone)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            try:
                return local_datetime(value, tz)
            except ParticipatieError as error:
                raise _EntryError(f"{what} {value:%Y-%m-%d %H:%M}: {error}") from error
        return value.astimezone(zone(tz))
    if isinstance(value, date):
        raise _EntryError(
            f"{what} is a date without a time ({value.isoformat()}): an all-day entry "
            "cannot be a session; give it a start and end time"
        )
    raise _EntryError(f"{what} is missing or unreadable")


def _times(vevent: Component, tz: str) -> tuple[datetime, timedelta]:
    start_prop = vevent.get("DTSTART")
    if start_prop is None:
        raise _EntryError("it has no DTSTART (start)")
    start = _instant(_dt(start_prop), "its start", tz)
    end_prop = vevent.get("DTEND")
    if end_prop is not None:
        end = _instant(_dt(end_prop), "its end", tz)
        duration = end.astimezone(UTC) - start.astimezone(UTC)  # exact, whatever the clocks do
    elif vevent.get("DURATION") is not None:
        duration = _dt(vevent["DURATION"])
        if not isinstance(duration, timedelta):  # pragma: no cover - icalendar gives timedelta
            raise _EntryError("its DURATION is unreadable")
    else:
        raise _EntryError("it has no end (DTEND or DURATION)")
    if duration <= timedelta(0):
        raise _EntryError("it ends before it starts")
    return start, duration


def _link(vevent: Component) -> str | None:
    candidates = []
    if vevent.get("URL") is not None:
        candidates.append(("URL", str(vevent["URL"])))
    conferences = vevent.get("CONFERENCE")
    if conferences is not None:
        for conference in conferences if isinstance(conferences, list) else [conferences]:
            candidates.append(("CONFERENCE", str(conference)))
    for name, value in candidates:
        if value.lower().startswith(("http://", "https://")):
            try:
                return check_link(value)
            except ParticipatieError as error:
                raise _EntryError(f"its {name} cannot be used as a join link: {error}") from error
        if name == "URL":
            raise _EntryError(f"its URL {value[:80]!r} is not an http:// or https:// link")
    return None


def _fields(vevent: Component) -> dict[str, Any]:
    title = clean_line(str(vevent.get("SUMMARY", "")))
    if not title:
        raise _EntryError("it has no title (SUMMARY)")
    place = clean_line(str(vevent.get("LOCATION", ""))) or None
    return {"title": title[:200], "place": place, "online_link": _link(vevent)}


def _cancelled(vevent: Component) -> bool:
    return str(vevent.get("STATUS", "")).upper() == "CANCELLED"


def _occurrences(
    vevent: Component, start: datetime, tz: str, overrides: dict[datetime, Component]
) -> list[tuple[datetime, Component]]:
    """The start of every occurrence of a recurring entry, with the entry that describes it."""
    rules = vevent.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules]
    dates = rruleset()
    for rule in rules:
        recurrence = dict(rule)
        if "COUNT" not in recurrence and "UNTIL" not in recurrence:
            raise _EntryError(
                "its recurrence never ends (RRULE without COUNT or UNTIL); "
                "give the last date or the number of sessions"
            )
        try:
            dates.rrule(rrulestr(rule.to_ical().decode("ascii"), dtstart=start))
        except (ValueError, TypeError) as error:
            raise _EntryError(f"its RRULE cannot be read: {error}") from error
    for name, add in (("EXDATE", dates.exdate), ("RDATE", dates.rdate)):
        values = vevent.get(name)
        for item in values if isinstance(values, list) else [values] if values else []:
            for value in getattr(item, "dts", []):
                add(_instant(_dt(value), f"its {name}", tz))
    result: list[tuple[datetime, Component]] = []
    for number, moment in enumerate(dates):
        if number >= MAX_OCCURRENCES:
            raise _EntryError(f"its recurrence gives more than {MAX_OCCURRENCES} dates")
        # dateutil keeps the wall clock; a date on which that time does not exist is refused.
        occurrence = _instant(moment.replace(tzinfo=None), "a date of its recurrence", tz)
        result.append((occurrence, overrides.get(occurrence, vevent)))
    return result


def import_sessions(
    data: bytes | str,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    **fields: Any,
) -> tuple[Session, ...]:
    """Read the sessions in an organiser's calendar file.

    Args:
        data: The contents of the ``.ics`` file.
        timezone: The zone for times written without one ("floating"), and
            in which the sessions' times are given.
        fields: Passed to every :class:`~participatie.Session` (capacity,
            audiences, registration deadline, ...).

    Returns:
        The sessions, ordered by start. Keys are made from the title and the
        date (``sessie-voor-clienten-20201105``), made unique with a suffix.
        SUMMARY becomes the title, LOCATION the place, URL (or else an
        http(s) CONFERENCE) the join link. Entries (and occurrences) with
        ``STATUS:CANCELLED`` are left out.

    Raises:
        CalendarImportError: If the file cannot be read or any entry cannot
            be mapped; :attr:`~participatie.exceptions.CalendarImportError.problems`
            lists every problem, each naming its entry.
    """
    zone(timezone)
    problems: list[str] = []
    entries = _read(data, problems)
    masters, overrides = _split_overrides(entries, timezone, problems)
    planned = _plan(masters, overrides, timezone, problems)
    sessions = _build(planned, fields, problems)
    if problems:
        raise CalendarImportError("the calendar file cannot be imported as it is", problems)
    return tuple(sessions)


def _read(data: bytes | str, problems: list[str]) -> list[Component]:
    """Every VEVENT in the file; other components are problems."""
    try:
        calendars = Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise CalendarImportError(
            f"this is not a calendar file participatie can read: {error}"
        ) from error
    entries: list[Component] = []
    for calendar in calendars:
        for component in calendar.walk():
            if component.name == "VEVENT":
                entries.append(component)
            elif component.name not in _IGNORED:
                problems.append(
                    f"{component.name} {_name(component)}: only events (VEVENT) can become sessions"
                )
    if not entries and not problems:
        raise CalendarImportError("the calendar file holds no events (VEVENT)")
    return entries


_Overrides = dict[str, dict[datetime, Component]]


def _split_overrides(
    entries: list[Component], timezone: str, problems: list[str]
) -> tuple[list[Component], _Overrides]:
    """Entries on their own, and the moved or cancelled occurrences (same UID, RECURRENCE-ID)."""
    overrides: _Overrides = {}
    masters: list[Component] = []
    for vevent in entries:
        if vevent.get("RECURRENCE-ID") is None:
            masters.append(vevent)
            continue
        try:
            original = _instant(_dt(vevent["RECURRENCE-ID"]), "its RECURRENCE-ID", timezone)
        except _EntryError as bad:
            problems += [f"{_name(vevent)}: {problem}" for problem in bad.problems]
            continue
        overrides.setdefault(str(vevent.get("UID", "")), {})[original] = vevent
    return masters, overrides


_Planned = tuple[datetime, timedelta, dict[str, Any], str]


def _plan(
    masters: list[Component], overrides: _Overrides, timezone: str, problems: list[str]
) -> list[_Planned]:
    """Start, duration, fields and name of every session the entries describe."""
    planned: list[_Planned] = []
    for vevent in masters:
        try:
            start, duration = _times(vevent, timezone)
            if vevent.get("RRULE") is None and vevent.get("RDATE") is None:
                if not _cancelled(vevent):
                    planned.append((start, duration, _fields(vevent), _name(vevent)))
                continue
            own = overrides.get(str(vevent.get("UID", "")), {})
            for occurrence, source in _occurrences(vevent, start, timezone, own):
                if _cancelled(source):
                    continue
                if source is vevent:
                    planned.append((occurrence, duration, _fields(vevent), _name(vevent)))
                else:
                    moved_start, moved_duration = _times(source, timezone)
                    planned.append((moved_start, moved_duration, _fields(source), _name(source)))
        except _EntryError as bad:
            problems += [f"{_name(vevent)}: {problem}" for problem in bad.problems]
    return planned


def _build(planned: list[_Planned], fields: dict[str, Any], problems: list[str]) -> list[Session]:
    """The sessions, in order of start, with keys made from title and date."""
    sessions: list[Session] = []
    used: set[str] = set()
    for start, duration, found, name in sorted(planned, key=lambda item: item[0]):
        key = base = f"{_slug(found['title'])}-{start:%Y%m%d}"
        number = 2
        while key in used:
            key = f"{base}-{number}"
            number += 1
        used.add(key)
        try:
            end = after(start, duration)
            sessions.append(Session(key, start=start, end=end, **{**found, **fields}))
        except ParticipatieError as error:
            problems.append(f"{name}: {error}")
    return sessions
