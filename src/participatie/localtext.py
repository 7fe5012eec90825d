"""Dates and times as a participant reads them, in Dutch or English (Babel).

"vrijdag 21 mei 2021, 10:00–11:30" and "Friday 21 May 2021, 10:00–11:30":
month and day names come from the Unicode CLDR data Babel ships, not from
tables of our own, and the wall-clock time is the event's time zone, so a
session after the clocks went back still reads 10:00.
"""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from participatie.localtime import to_local

__all__ = ["EN_DASH", "LOCALES", "format_date", "format_instant", "format_time", "format_when"]

#: The Babel locale for each message language. English uses the British
#: forms ("Friday 21 May 2021"): day before month, 24-hour clock.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}

#: Between the times of a range: an en dash, as in "10:00\u201311:30".
EN_DASH = "\u2013"
_DATE = "EEEE d MMMM y"
_TIME = "HH:mm"


def _locale(language: str) -> str:
    return LOCALES.get(language, LOCALES["nl"])


def format_date(instant: datetime, timezone: str, language: str) -> str:
    """``vrijdag 21 mei 2021``: the local date, with its weekday."""
    return format_datetime(to_local(instant, timezone), _DATE, locale=_locale(language))


def format_time(instant: datetime, timezone: str, language: str) -> str:
    """``10:00``: the local wall-clock time."""
    return format_datetime(to_local(instant, timezone), _TIME, locale=_locale(language))


def format_instant(instant: datetime, timezone: str, language: str) -> str:
    """``vrijdag 21 mei 2021, 10:00``: one moment, e.g. when an offer lapses."""
    return f"{format_date(instant, timezone, language)}, {format_time(instant, timezone, language)}"


def format_when(start: datetime, end: datetime, timezone: str, language: str) -> str:
    """``vrijdag 21 mei 2021, 10:00–11:30``; a session past midnight names both days."""
    first, last = to_local(start, timezone), to_local(end, timezone)
    if first.date() == last.date():
        return (
            f"{format_date(start, timezone, language)}, {format_time(start, timezone, language)}"
            f"{EN_DASH}{format_time(end, timezone, language)}"
        )
    return (
        f"{format_instant(start, timezone, language)} – {format_instant(end, timezone, language)}"
    )
