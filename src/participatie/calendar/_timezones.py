"""VTIMEZONE components: only the days a file needs, and onsets where RFC 5545 puts them.

``add_missing_timezones`` without a window writes every change of offset from
1970 to 2038; bounded to the days of the file's sessions it writes one or two
observances. icalendar 7.3 writes the onset of a *forward* change (spring)
as the wall-clock time after the jump (03:00 for Amsterdam), while RFC 5545
reads an onset in the offset before it (TZOFFSETFROM): 03:00 at +01:00 is an
hour after the real change at 02:00. Readers that take the VTIMEZONE
literally (dateutil, hence vobject; libical) then misplace every time in the
first hour of summer time. :func:`add_timezones` corrects such onsets, and
only when the zone database confirms the corrected one, so a later icalendar
that writes them right is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Component

__all__ = ["add_timezones"]


def add_timezones(calendar: Calendar, first: date, last: date) -> None:
    """Add the VTIMEZONEs the calendar's times need, for ``first`` to ``last``, with true onsets."""
    calendar.add_missing_timezones(first_date=first, last_date=last)
    for timezone in calendar.walk("VTIMEZONE"):
        try:
            tz = ZoneInfo(str(timezone["TZID"]))
        except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - we only write IANA zones
            continue
        for observance in timezone.subcomponents:
            _correct(observance, tz)
        _open_before_the_first_change(timezone)


def _onsets(observance: Component) -> list[datetime]:
    found: Any = observance["DTSTART"]
    rdates: Any = observance.get("RDATE")
    walls: list[datetime] = [found.dt]
    for item in rdates if isinstance(rdates, list) else [rdates] if rdates is not None else []:
        walls += [value.dt for value in item.dts]
    return walls


def _open_before_the_first_change(timezone: Component) -> None:
    """The observance a bounded VTIMEZONE opens with must start before its first change.

    When a change falls on the first day of the window at midnight (Santiago),
    icalendar gives both the same onset and readers pick either; start the
    opening observance (whose offset is the one before the change) a day earlier.
    """
    changes = [
        o for o in timezone.subcomponents if _offset(o, "TZOFFSETFROM") != _offset(o, "TZOFFSETTO")
    ]
    if not changes:
        return
    first_change = min(wall for observance in changes for wall in _onsets(observance))
    for observance in timezone.subcomponents:
        if observance in changes:
            continue
        if _onsets(observance)[0] >= first_change:
            observance.pop("DTSTART")
            observance.add("DTSTART", first_change - timedelta(days=1))


def _offset(observance: Component, name: str) -> timedelta:
    value: Any = observance[name]
    offset: timedelta = value.td
    return offset


def _correct(observance: Component, tz: ZoneInfo) -> None:
    before, after = _offset(observance, "TZOFFSETFROM"), _offset(observance, "TZOFFSETTO")
    if before == after:
        return

    def is_onset(wall: datetime) -> bool:
        instant = (wall - before).replace(tzinfo=UTC)
        just_before = instant - timedelta(seconds=1)
        return (
            instant.astimezone(tz).utcoffset() == after
            and just_before.astimezone(tz).utcoffset() == before
        )

    def corrected(wall: datetime) -> datetime:
        if is_onset(wall):
            return wall
        shifted = wall - (after - before)
        return shifted if is_onset(shifted) else wall

    start, *walls = _onsets(observance)
    fixed_start = corrected(start)
    if fixed_start != start:
        observance.pop("DTSTART")
        observance.add("DTSTART", fixed_start)
    if walls:
        # One RDATE per onset: a list in one line is valid, but readers drop
        # values from it (vobject keeps only the first ones).
        observance.pop("RDATE")
        for wall in walls:
            observance.add("RDATE", corrected(wall))
