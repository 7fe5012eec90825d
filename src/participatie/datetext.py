"""Reading the dates and times an organiser writes, in Dutch or English.

Organisers type things like ``"vrijdag 21 mei 2021 om 19.30 uur"`` or
``"Friday 21 May 2021 10:00"`` into a form. This module turns such text into
an aware datetime (or a date) with python-dateutil's parser, taught Dutch by
:class:`DutchParserInfo`, and adds the checks dateutil leaves out:

* ``19.30`` is read as half past seven in the evening, the Dutch way
  (dateutil would take it for a number and quietly misplace it);
* a weekday that contradicts the date ("donderdag 21 mei 2021": that was a
  Friday) is refused, because one of the two is a typo and we cannot know
  which (dateutil ignores the weekday);
* a missing year, a two-digit year, a missing day or a missing time of day is
  refused rather than filled in from today's date; nothing here reads the
  clock, so the same text always means the same thing;
* the wall-clock time is placed in a time zone with
  :func:`participatie.localtime.local_datetime`, so a time that does not
  exist or happens twice (daylight-saving changes) is refused, not shifted;
* a time range ("19.30-21.30") is refused instead of being read as a
  UTC offset of -21:30.

An explicit UTC offset in the text (``+02:00``, ``+0200``, ``Z``, ``UTC``,
``UTC+2``) is honoured. ``UTC+2`` means two hours *ahead* of UTC, as people
mean it (dateutil on its own follows the POSIX convention and reads it as
two hours behind). Time zone abbreviations such as ``CET`` are refused: write
the offset, or leave it out to mean local time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final
from zoneinfo import ZoneInfo

from dateutil.parser import ParserError, parser, parserinfo

from participatie.exceptions import (
    AmbiguousTimeError,
    DateTextError,
    InvalidInputError,
    NonExistentTimeError,
)
from participatie.localtime import DEFAULT_TIMEZONE, end_of_day, local_datetime, zone

__all__ = [
    "DutchParserInfo",
    "parse_date",
    "parse_datetime",
    "parse_deadline",
]

# Monday first, as in date.weekday(). The full names are used in messages.
_DUTCH_WEEKDAYS: Final = (
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
)
_ENGLISH_WEEKDAYS: Final = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
# Only the two-letter Dutch abbreviations: the three-letter "maa" would clash
# with the month (maart), and dateutil checks weekdays first.
_WEEKDAY_SPELLINGS: Final[tuple[tuple[str, ...], ...]] = (
    ("Mon", "Monday", "ma", "maandag"),
    ("Tue", "Tues", "Tuesday", "di", "dinsdag"),
    ("Wed", "Wednesday", "wo", "woensdag"),
    ("Thu", "Thur", "Thurs", "Thursday", "do", "donderdag"),
    ("Fri", "Friday", "vr", "vrijdag"),
    ("Sat", "Saturday", "za", "zaterdag"),
    ("Sun", "Sunday", "zo", "zondag"),
)
_MONTH_SPELLINGS: Final[tuple[tuple[str, ...], ...]] = (
    ("Jan", "January", "januari"),
    ("Feb", "Febr", "February", "februari"),
    ("Mar", "March", "mrt", "maa", "maart"),
    ("Apr", "April"),
    ("May", "mei"),
    ("Jun", "June", "juni"),
    ("Jul", "July", "juli"),
    ("Aug", "August", "augustus"),
    ("Sep", "Sept", "September"),
    ("Oct", "October", "okt", "oktober"),
    ("Nov", "November"),
    ("Dec", "December"),
)

# Skipped words: "om 10 uur", "op vrijdag", "de 21e", "21ste".
_DUTCH_FILLER: Final = ("om", "op", "de", "van", "uur", "u", "e", "ste")


class DutchParserInfo(parserinfo):  # type: ignore[misc, unused-ignore]
    """dateutil parser vocabulary for Dutch and English, day before month.

    Month and weekday names are accepted in both languages, in full or
    abbreviated (``mrt``/``maa``, ``okt``; ``ma``, ``di``, ``wo``, ``do``,
    ``vr``, ``za``, ``zo``). ``om``, ``op``, ``uur``, ``u`` and the ordinal
    endings ``e``/``ste``/``de`` are skipped as filler, and ``10 uur`` or
    ``10u30`` give a time. ``dayfirst`` defaults to ``True``: ``05-11-2021``
    is 5 November, as written in the Netherlands.

    Range words ("tot", "t/m", "en") are deliberately *not* filler: skipping
    them would turn "21 t/m 23 mei" into a single, wrong, date.

    Two-digit years raise :class:`~participatie.exceptions.DateTextError`.
    dateutil would resolve them relative to the current year, so the same
    text would change meaning over time (and ``parserinfo.__init__`` reading
    the clock for that purpose is then the only clock access, with no effect
    on any result).
    """

    # Tuples, so the shared vocabulary cannot be changed by accident. The
    # typeshed stubs declare lists of fixed-length tuples; dateutil only
    # iterates them and accepts any number of spellings per entry.
    JUMP = (*parserinfo.JUMP, *_DUTCH_FILLER)  # type: ignore[assignment, unused-ignore]
    WEEKDAYS = _WEEKDAY_SPELLINGS  # type: ignore[assignment, unused-ignore]
    MONTHS = _MONTH_SPELLINGS  # type: ignore[assignment, unused-ignore]
    HMS = (  # type: ignore[assignment, unused-ignore]
        ("h", "u", "uur", "hour", "hours"),
        ("m", "min", "minuut", "minuten", "minute", "minutes"),
        ("s", "sec", "seconde", "seconden", "second", "seconds"),
    )
    # Lower-case spellings too: "utc" is not lower-cased to "UTC" before parsing.
    UTCZONE = ("UTC", "GMT", "Z", "z", "utc", "gmt")  # type: ignore[assignment, unused-ignore]

    def __init__(self, dayfirst: bool = True, yearfirst: bool = False) -> None:
        super().__init__(dayfirst=dayfirst, yearfirst=yearfirst)

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        """Return *year* unchanged; refuse a two-digit year instead of guessing its century."""
        if year < 100 and not century_specified:
            raise DateTextError(
                f"the two-digit year {year:02d} is ambiguous: write the year in full"
            )
        return year

    def knows(self, word: str) -> bool:
        """Whether *word* is in this vocabulary (any case)."""
        return (
            self.jump(word)
            or self.weekday(word) is not None
            or self.month(word) is not None
            or self.hms(word) is not None
            or self.ampm(word) is not None
            or self.pertain(word)
        )


_INFO: Final = DutchParserInfo()


@dataclass(frozen=True, slots=True)
class _Fields:
    """What the text itself said (None: not written)."""

    year: int | None
    month: int | None
    day: int | None
    hour: int | None
    minute: int | None
    second: int | None
    microsecond: int | None
    tzname: str | None
    tzoffset: int | None

    @property
    def has_time(self) -> bool:
        parts = (self.hour, self.minute, self.second, self.microsecond)
        return any(part is not None for part in parts)


class _ReadingParser(parser):  # type: ignore[misc, unused-ignore]
    """dateutil's parser, remembering which fields came from the text.

    ``parser.parse`` fills every missing field from its ``default`` and so
    hides that a year or a time was never written. ``_build_naive`` is the
    hook dateutil documents for subclassing; it receives the raw result.
    One instance per call, so nothing is shared between threads.
    """

    def __init__(self) -> None:
        super().__init__(_INFO)
        self.fields: _Fields | None = None

    def _build_naive(self, res: Any, default: datetime) -> datetime:
        self.fields = _Fields(
            year=res.year,
            month=res.month,
            day=res.day,
            hour=res.hour,
            minute=res.minute,
            second=res.second,
            microsecond=res.microsecond,
            tzname=res.tzname,
            tzoffset=res.tzoffset,
        )
        built: datetime = super()._build_naive(res, default)  # type: ignore[misc, unused-ignore]
        return built


@dataclass(frozen=True, slots=True)
class _Reading:
    naive: datetime
    fields: _Fields


_WORD: Final = re.compile(r"[^\W\d_]+")
# "19.30" standing alone, not part of "21.05.2021" or "1.5.30".
_DOTTED_TIME: Final = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])\.([0-5]\d)(?!\d|\.\d)")
# "UTC+2" / "GMT -05:00": people mean the offset itself (POSIX, and dateutil, flip it).
_UTC_PREFIX: Final = re.compile(r"\b(?:utc|gmt)\s*(?=[+-]\s*\d)", re.IGNORECASE)
# Year first: 2021-05-21 or 20210521 (dayfirst would make 2021-05-11 into 5 November).
_ISO_DATE: Final = re.compile(r"(?<!\d)(?:\d{4}([-/.])\d{1,2}\1\d{1,2}|\d{8})(?!\d)")
# How a time of day is recognisably written: 19:30 (also from 19.30), 19 uur,
# 19u30, 7 pm, 2021-05-21T19. dateutil also takes a bare number after a full
# date for the hour ("21 mei 2021 2021" would be 20:21); that is refused.
_TIME_MARK: Final = re.compile(
    r"\d\s*:\s*\d|\d\s*(?:u|uur|h|hours?|am|pm|a|p)(?![^\W\d_])|\d\s*t\s*\d", re.IGNORECASE
)
# A time, a dash (or en dash...) and another time: "19.30-21.30", "10:00 - 12:00".
_TIME_DASH_TIME: Final = re.compile(
    r"(?<![\d.:])\d{1,2}[.:]\d{2}(?:[.:]\d{2}(?:[.,]\d+)?)?\s*[-\u2010-\u2015]\s*"
    r"\d{1,2}(?:[.:]?\d{2})?(?![\d.:]?\d)"
)
# ... of which only this is an ISO 8601 UTC offset ("10:00:00-04:00").
_TIME_WITH_NEGATIVE_OFFSET: Final = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?-\d{2}(?::?\d{2})?"
)

# "21 t/m 23 mei", "10:00 tot 12:00", "21-23 mei": dateutil would read some
# of these as one (wrong) date, e.g. taking "2021" after three numbers for 20:21.
_RANGE_WORD: Final = re.compile(
    r"(?<![^\W\d_])(?:t/m|t\.e\.m|tot|until|till|through|thru)(?![^\W\d_])", re.IGNORECASE
)
# Two day numbers joined by a dash, then a word (a range if that is a month).
_DAY_RANGE: Final = re.compile(r"(?<![\d.:/-])\d{1,2}\s*[-\u2010-\u2015]\s*\d{1,2}\s*([^\W\d_]+)")

_MIN_OFFSET: Final = timedelta(hours=-12)
_MAX_OFFSET: Final = timedelta(hours=14)
_PLACEHOLDER_YEAR: Final = 2000  # never used: a text without a year is refused
# Outside these, a "year" is a misread number ("12 okt -0400"), not a meeting.
_FIRST_YEAR: Final = 1900
_LAST_YEAR: Final = 2999


def _strip_accents(text: str) -> str:
    """``"vóór"`` -> ``"voor"``, ``"vrĳdag"`` (ij ligature) -> ``"vrijdag"``, NBSP -> space."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _lower_known_word(match: re.Match[str]) -> str:
    word = match.group()
    # Upper-case words after a time are taken for zone abbreviations by
    # dateutil ("10:00 UUR"), so lower-case the ones we know.
    return word.lower() if _INFO.knows(word) else word


def _normalise(stripped: str) -> str:
    """Rewrite accent-free text into what dateutil reads correctly."""
    cleaned = _UTC_PREFIX.sub("", stripped)
    cleaned = _DOTTED_TIME.sub(r"\1:\2", cleaned)
    return _WORD.sub(_lower_known_word, cleaned)


def _refuse_range(text: str, stripped: str) -> None:
    """Refuse a range of days or times: the caller needs one moment, not two.

    "19.30-21.30" in particular: dateutil would read "-21:30" as a UTC offset.
    Only a colon time directly followed by ``-hh:mm`` in a text with an ISO
    date (``2021-05-21 10:00:00-04:00``, as software writes it) is an offset.
    """
    ranges = [found.group() for found in _RANGE_WORD.finditer(stripped)]
    ranges += [
        found.group()
        for found in _DAY_RANGE.finditer(stripped)
        if _INFO.month(found.group(1)) is not None
    ]
    if ranges:
        raise DateTextError(
            f"{text!r} looks like a range ({ranges[0]!r}); give a single date and time"
        )
    iso_date = _ISO_DATE.search(stripped) is not None
    for match in _TIME_DASH_TIME.finditer(stripped):
        if iso_date and _TIME_WITH_NEGATIVE_OFFSET.fullmatch(match.group()):
            continue
        raise DateTextError(
            f"{text!r} looks like a time range ({match.group()!r}); give only the start time"
        )


def _read(text: str, default: date | None) -> _Reading:
    """Parse *text* and check what it says about itself (not yet about time zones)."""
    checked: object = text
    if not isinstance(checked, str):
        raise InvalidInputError(f"a written date must be text, not {type(checked).__name__}")
    stripped = _strip_accents(checked).strip()
    if not stripped:
        raise DateTextError("no date given (the text is empty)")
    _refuse_range(checked, stripped)
    cleaned = _normalise(stripped)
    reader = _ReadingParser()
    base_year = _PLACEHOLDER_YEAR if default is None else default.year
    try:
        naive = reader.parse(
            cleaned,
            default=datetime(base_year, 1, 1),
            ignoretz=True,
            dayfirst=_ISO_DATE.search(cleaned) is None,
        )
    except DateTextError as exc:
        raise DateTextError(f"cannot read {checked!r}: {exc}") from exc
    except (ParserError, ValueError, OverflowError) as exc:
        raise DateTextError(f"cannot read {checked!r} as a date") from exc
    fields = reader.fields
    if fields is None:  # pragma: no cover - parse() always builds the result
        raise DateTextError(f"cannot read {checked!r} as a date")
    if fields.day is None or fields.month is None:
        missing = "day of the month" if fields.month is not None else "month"
        raise DateTextError(f"{checked!r} does not say which {missing}")
    if fields.year is None and default is None:
        raise DateTextError(f"{checked!r} has no year: write it in full (it is not guessed)")
    if not _FIRST_YEAR <= naive.year <= _LAST_YEAR:
        raise DateTextError(
            f"{checked!r}: the year {naive.year} is outside {_FIRST_YEAR}..{_LAST_YEAR}; "
            "check the date"
        )
    if fields.hour is not None and _TIME_MARK.search(cleaned) is None:
        raise DateTextError(
            f"{checked!r}: cannot tell which number is the time of day; "
            "write it as 19:30, 19.30 or 19 uur"
        )
    _check_weekdays(checked, cleaned, naive.date())
    return _Reading(naive=naive, fields=fields)


def _check_weekdays(text: str, cleaned: str, day: date) -> None:
    actual = day.weekday()
    for word in _WORD.findall(cleaned):
        written = _INFO.weekday(word)
        if written is not None and written != actual:
            raise DateTextError(
                f"{text!r} says {word} ({_ENGLISH_WEEKDAYS[written]}), but {day.isoformat()} "
                f"is a {_DUTCH_WEEKDAYS[actual]} ({_ENGLISH_WEEKDAYS[actual]}); "
                "check the weekday and the date"
            )


def _instant(text: str, reading: _Reading, tz: ZoneInfo, fold: int | None) -> datetime:
    fields = reading.fields
    if fields.hour is None:
        raise DateTextError(f"no time of day in {text!r} (use parse_date for a date)")
    if fields.tzname is not None and not _INFO.utczone(fields.tzname):
        raise DateTextError(
            f"{text!r} names the time zone {fields.tzname!r}, which is not understood; "
            f"write a UTC offset such as +01:00, or leave it out to mean {tz.key} time"
        )
    if fields.tzoffset is not None:
        offset = timedelta(seconds=fields.tzoffset)
        if not _MIN_OFFSET <= offset <= _MAX_OFFSET:
            raise DateTextError(f"{text!r} has a UTC offset outside -12:00..+14:00")
        return reading.naive.replace(tzinfo=timezone(offset)).astimezone(tz)
    try:
        return local_datetime(reading.naive, tz, fold=fold)
    except NonExistentTimeError as exc:
        raise NonExistentTimeError(f"{text!r}: {exc}") from exc
    except AmbiguousTimeError as exc:
        raise AmbiguousTimeError(f"{text!r}: {exc}") from exc


def parse_datetime(
    text: str,
    tz: str | ZoneInfo = DEFAULT_TIMEZONE,
    *,
    fold: int | None = None,
    default: date | None = None,
) -> datetime:
    """Read a written date with a time of day as an aware datetime in *tz*.

    ``"vrijdag 21 mei 2021 10:00"``, ``"21 mei 2021 om 10.00 uur"``,
    ``"Friday 21 May 2021 10:00"``, ``"2021-05-21 10:00"`` and
    ``"21-05-2021 10:00"`` all give 2021-05-21 10:00+02:00 in Europe/Amsterdam.

    Without a UTC offset in the text, the time is wall-clock time in *tz*; a
    time skipped or repeated by a daylight-saving change raises
    :class:`~participatie.exceptions.NonExistentTimeError` or
    :class:`~participatie.exceptions.AmbiguousTimeError`, and *fold* picks
    one of a repeated pair (see :func:`participatie.localtime.local_datetime`).
    With an offset, that instant is returned, viewed in *tz*.

    The year must be written unless *default* is given, whose year is then
    used. A text without a time, with a weekday that is not the date's, or that
    cannot be read raises :class:`~participatie.exceptions.DateTextError`.
    """
    tzinfo = zone(tz)
    return _instant(text, _read(text, default), tzinfo, fold)


def parse_date(text: str, *, default: date | None = None) -> date:
    """Read a written date without a time: ``"vrijdag 30 oktober 2020"`` -> 2020-10-30.

    Same languages and checks as :func:`parse_datetime`; a time of day in the
    text raises :class:`~participatie.exceptions.DateTextError` (a date with a
    time is an instant, not a day).
    """
    reading = _read(text, default)
    if reading.fields.has_time:
        raise DateTextError(f"{text!r} contains a time of day; a date was expected")
    return reading.naive.date()


def parse_deadline(
    text: str,
    tz: str | ZoneInfo = DEFAULT_TIMEZONE,
    *,
    fold: int | None = None,
    default: date | None = None,
) -> datetime:
    """Read a written deadline as the instant it passes.

    A bare date ("aanmelden vóór vrijdag 30 oktober 2020") means the whole
    day still counts, so the deadline is the end of that day in *tz*:
    ``parse_deadline("vrijdag 30 oktober 2020")`` is 2020-10-31 00:00+01:00,
    and registration is open while ``now <`` it. A date with a time is that
    instant, as :func:`parse_datetime` reads it.
    """
    tzinfo = zone(tz)
    reading = _read(text, default)
    if reading.fields.has_time:
        return _instant(text, reading, tzinfo, fold)
    return end_of_day(reading.naive.date(), tzinfo)
