"""Sessions given as a rule: "every Tuesday evening for six weeks, except the 7th".

A :class:`SessionSeries` holds the rule as organisers and calendars write it
(an RFC 5545 RRULE, read with dateutil's ``rrulestr``) plus the dates left
out. Registration and groups need single dates, so :meth:`SessionSeries.sessions`
expands the series into ordinary :class:`~participatie.Session` values, one per
date; calendars understand rules, so :func:`series_calendar` writes the series
as one VEVENT with RRULE and EXDATE.

The rule runs on the wall clock of the series' time zone: 19:30 stays 19:30
when the clocks change (dateutil keeps the wall-clock time). A date whose
start does not exist or happens twice because of a clock change is refused,
as everywhere in participatie.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur

from participatie import _validate as v
from participatie.calendar import _render
from participatie.calendar._options import CalendarOptions
from participatie.calendar._text import check_uid, clean_line
from participatie.exceptions import InvalidInputError
from participatie.localtime import DEFAULT_TIMEZONE, local_datetime, zone
from participatie.model import Event, Session

__all__ = ["MAX_OCCURRENCES", "SessionSeries", "series_calendar", "series_uid"]

#: The most dates one series may have; a rule that makes more is refused.
MAX_OCCURRENCES = 500

_DAILY_OR_SLOWER = {"YEARLY", "MONTHLY", "WEEKLY", "DAILY"}


def _to_dates(values: Iterable[date]) -> frozenset[date]:
    return frozenset(values)


def _short_slug(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    v.slug(instance, attribute, value)
    if len(value) > 55:  # room for "-YYYYMMDD" within a 64-character session key
        raise InvalidInputError(f"a series key has at most 55 characters: {value!r}")


def _check_duration(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or not timedelta(0) < value <= timedelta(days=1):
        raise InvalidInputError(
            f"a session in a series lasts more than 0 and at most 24 hours: {value!r}"
        )


def _check_timezone(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    zone(value)


@attrs.frozen
class SessionSeries:
    """Sessions on the dates of a recurrence rule (a course, a weekly consultation hour).

    Attributes:
        key: Identifier of the series; its sessions are keyed
            ``<key>-<YYYYMMDD>`` (at most 55 characters, so those fit).
        title: The title every session of the series gets.
        first_start: The start of the first session (aware). Its wall-clock
            time in :attr:`timezone` is the time of every session.
        duration: How long each session lasts.
        rule: The recurrence as an RRULE value, e.g.
            ``"FREQ=WEEKLY;BYDAY=TU;COUNT=6"``. It must end (COUNT or UNTIL)
            and give at most one date a day. An UNTIL without ``Z`` is read
            as a wall-clock time in :attr:`timezone`.
        exceptions: Dates of the rule on which there is no session (EXDATE).
        timezone: The IANA zone whose clocks the rule follows.
        online_link: Where to join each session.
        place: Where each session is held.
    """

    key: str = attrs.field(validator=_short_slug)
    title: str = attrs.field(validator=v.single_line)
    first_start: datetime = attrs.field(validator=v.aware)
    duration: timedelta = attrs.field(validator=_check_duration)
    rule: str = attrs.field(validator=attrs.validators.instance_of(str))
    exceptions: frozenset[date] = attrs.field(
        default=frozenset(), converter=_to_dates, kw_only=True
    )
    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, validator=_check_timezone, kw_only=True)
    online_link: str | None = attrs.field(default=None, validator=v.web_link, kw_only=True)
    place: str | None = attrs.field(default=None, validator=v.optional_single_line, kw_only=True)

    def __attrs_post_init__(self) -> None:
        # Expanding once checks the rule, the dates and the exceptions, so an
        # invalid series cannot exist.
        self.starts()

    @property
    def recurrence(self) -> vRecur:
        """The rule as icalendar's ``vRecur``, with UNTIL in UTC (as RFC 5545 wants it)."""
        return _recurrence(self.rule, self.timezone)

    def _rule(self) -> rrule:
        tz = zone(self.timezone)
        text = _rule_text(self.recurrence)
        try:
            parsed = rrulestr(text, dtstart=self.first_start.astimezone(tz))
        except (ValueError, TypeError) as error:
            raise InvalidInputError(
                f"series {self.key!r}: cannot read rule {self.rule!r}: {error}"
            ) from error
        if not isinstance(parsed, rrule):  # pragma: no cover - one RRULE always gives an rrule
            raise InvalidInputError(f"series {self.key!r}: give one RRULE, not a set")
        return parsed

    def _all_starts(self) -> list[datetime]:
        tz = zone(self.timezone)
        starts: list[datetime] = []
        for number, moment in enumerate(self._rule()):
            if number >= MAX_OCCURRENCES:
                raise InvalidInputError(
                    f"series {self.key!r} has more than {MAX_OCCURRENCES} dates; "
                    "shorten the rule (COUNT or UNTIL)"
                )
            # dateutil keeps the wall-clock time; check that it exists that day.
            starts.append(local_datetime(moment.replace(tzinfo=None), tz))
        days = [start.date() for start in starts]
        if len(set(days)) != len(days):
            raise InvalidInputError(f"series {self.key!r} gives more than one session on a day")
        return starts

    def starts(self) -> tuple[datetime, ...]:
        """The start of every session of the series, exceptions left out, in order."""
        starts = self._all_starts()
        days = {start.date() for start in starts}
        unknown = sorted(self.exceptions - days)
        if unknown:
            raise InvalidInputError(
                f"series {self.key!r}: {', '.join(map(str, unknown))} "
                "is not a date of the series, so it cannot be left out"
            )
        return tuple(start for start in starts if start.date() not in self.exceptions)

    def session_key(self, day: date) -> str:
        """The key of the series' session on ``day``."""
        return f"{self.key}-{day:%Y%m%d}"

    def sessions(self, **fields: Any) -> tuple[Session, ...]:
        """The series as single sessions, one per date, for registration and groups.

        ``fields`` are passed to every :class:`~participatie.Session` (capacity,
        audiences, max_group_size, registration_closes, ...); the series'
        link and place are used unless given there.
        """
        fields.setdefault("online_link", self.online_link)
        fields.setdefault("place", self.place)
        return tuple(
            Session(
                self.session_key(start.date()),
                self.title,
                start,
                _render.after(start, self.duration),
                **fields,
            )
            for start in self.starts()
        )


def _recurrence(rule: str, timezone: str) -> vRecur:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text or not text.isascii() or not text.isprintable() or " " in text:
        raise InvalidInputError(f"not a recurrence rule: {rule!r}")
    try:
        recurrence = vRecur.from_ical(text)
    except ValueError as error:
        raise InvalidInputError(f"not a recurrence rule: {rule!r} ({error})") from error
    frequency = [str(f).upper() for f in recurrence.get("FREQ", [])]
    if len(frequency) != 1 or frequency[0] not in _DAILY_OR_SLOWER:
        raise InvalidInputError(
            f"a series repeats DAILY, WEEKLY, MONTHLY or YEARLY (FREQ=...): {rule!r}"
        )
    if "COUNT" not in recurrence and "UNTIL" not in recurrence:
        raise InvalidInputError(
            f"the rule {rule!r} never ends: add COUNT (how many sessions) or UNTIL (the last date)"
        )
    if "UNTIL" in recurrence:
        until = recurrence["UNTIL"][0]
        if isinstance(until, datetime) and until.tzinfo is None:
            until = local_datetime(until, timezone, fold=0).astimezone(UTC)
        elif isinstance(until, datetime):
            until = until.astimezone(UTC)
        else:  # a date: the whole day counts
            until = local_datetime(
                datetime.combine(until, datetime.max.time().replace(microsecond=0)),
                timezone,
                fold=1,
            ).astimezone(UTC)
        recurrence["UNTIL"] = [until]
    checked: vRecur = recurrence
    return checked


def _rule_text(recurrence: vRecur) -> str:
    """The RRULE value as text (icalendar's ``to_ical`` is untyped)."""
    written: bytes = recurrence.to_ical()  # type: ignore[no-untyped-call]
    return written.decode("ascii")


def series_uid(event_key: str, series: SessionSeries, domain: str) -> str:
    """The UID of a series in published calendars."""
    return check_uid(f"{series.key}.series.{event_key}@{domain}")


def series_calendar(
    event: Event,
    series: SessionSeries,
    *,
    now: datetime,
    sequence: int = 0,
    options: CalendarOptions | None = None,
) -> bytes:
    """The series as one recurring VEVENT (RRULE, EXDATE) in a calendar without METHOD.

    For a website's "add the whole series to your calendar" link. The join
    link is left out unless the organiser allows it in public files.
    ``sequence`` is the entry's SEQUENCE (raise it when the rule changes).
    """
    options = options if options is not None else CalendarOptions()
    every = series._all_starts()
    tz = zone(series.timezone)
    first = series.first_start.astimezone(tz)
    link = series.online_link if options.join_links_in_public_feeds else None
    summary = clean_line(f"{event.title}: {series.title}")
    template = Session(
        "series", series.title, first, _render.after(first, series.duration), place=series.place
    )
    text = _render.description(
        event,
        template,
        language="nl",
        link=link,
        link_withheld=series.online_link is not None and link is None,
        place=series.place,
    )
    vevent, _significant = _render.session_vevent(
        attrs.evolve(event, timezone=series.timezone, sessions=()),
        template,
        summary_text=summary,
        description_text=text,
        place=series.place,
        link=link,
        cancelled=False,
        language="nl",
        organizer=False,
    )
    stamp = now.astimezone(UTC).replace(microsecond=0)
    vevent.uid = series_uid(event.key, series, _render.uid_domain(event, options))
    vevent.DTSTAMP = stamp
    vevent.sequence = sequence
    vevent.add("RRULE", series.recurrence)
    wall = first.timetz().replace(tzinfo=None)
    for day in sorted(series.exceptions):
        vevent.add("EXDATE", local_datetime(datetime.combine(day, wall), tz, fold=0))
    calendar = _render.build_calendar(
        [vevent],
        window=_render.timezone_window(
            [first, *every, _render.after(every[-1], series.duration)], series.timezone
        ),
        name=summary,
    )
    return bytes(calendar.to_ical())
