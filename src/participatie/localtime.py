"""Aware datetimes, time zones and the edges of daylight-saving time.

participatie stores and compares *instants* (aware datetimes), but people
write *wall-clock times* ("Friday 10:00, in Amsterdam"). This module is the
one place where the two meet. It is deliberately strict:

* a naive datetime is refused wherever an instant is needed, because "10:00"
  without a place is not a moment in time;
* a wall-clock time that never happens (the spring-forward gap) or happens
  twice (the autumn fall-back hour) is refused instead of silently shifted,
  because a meeting or deadline that moves by an hour without anybody noticing
  is worse than an error message the organiser can act on.

:mod:`zoneinfo` itself never refuses anything: it quietly maps a skipped time
onto one side of the gap and picks ``fold=0`` for a repeated one. The checks
here make those cases visible.

Everything is a pure function: nothing here reads the clock or does I/O.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from participatie.exceptions import (
    AmbiguousTimeError,
    InvalidInputError,
    NaiveDatetimeError,
    NonExistentTimeError,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "end_of_day",
    "local_datetime",
    "require_aware",
    "start_of_day",
    "to_local",
    "zone",
]

DEFAULT_TIMEZONE = "Europe/Amsterdam"
"""The zone used when an organiser does not name one."""

# Keys that zoneinfo resolves but whose meaning depends on the machine the
# code runs on; a schedule must not change when it is moved to another server.
_MACHINE_DEPENDENT_KEYS = frozenset({"localtime", "posixrules"})


def zone(name: str | ZoneInfo) -> ZoneInfo:
    """Return the IANA time zone called *name* (``"Europe/Amsterdam"``).

    A :class:`~zoneinfo.ZoneInfo` is returned unchanged, so every function
    here accepts either a name or a zone. An unknown or malformed name raises
    :class:`~participatie.exceptions.InvalidInputError` naming it, rather than
    the assorted ``KeyError``/``ValueError``/``OSError`` zoneinfo raises.
    """
    if isinstance(name, ZoneInfo):
        return name
    if not isinstance(name, str):
        raise InvalidInputError(
            f"a time zone must be an IANA name such as {DEFAULT_TIMEZONE!r}, "
            f"not {type(name).__name__}"
        )
    if name in _MACHINE_DEPENDENT_KEYS:
        raise InvalidInputError(
            f"time zone {name!r} means whatever the server is set to; "
            f"name the zone, e.g. {DEFAULT_TIMEZONE!r}"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # ValueError: malformed keys ("", "../x", "a/b/"); OSError: keys that
        # name a directory ("Europe") or are too long for the file system.
        raise InvalidInputError(
            f"unknown time zone {name!r}: use an IANA name such as {DEFAULT_TIMEZONE!r}"
        ) from exc


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return *value* if it is an aware datetime, else refuse it.

    *what* names the value in the error message (``"deadline"``,
    ``"now"``...), so the organiser sees which input was wrong.

    A naive datetime raises :class:`~participatie.exceptions.NaiveDatetimeError`:
    it does not say whose clock it was read from, and guessing (the server's
    zone, UTC) silently moves deadlines by hours. A :class:`~datetime.date`,
    or anything else that is not a datetime, raises
    :class:`~participatie.exceptions.InvalidInputError`: a whole day is not an
    instant (use :func:`start_of_day` or :func:`end_of_day` to pick one).
    """
    checked: object = value
    if not isinstance(checked, datetime):
        if isinstance(checked, date):
            raise InvalidInputError(
                f"{what} must be a datetime with a time zone, not the date "
                f"{checked.isoformat()}; a day is not an instant (see start_of_day/end_of_day)"
            )
        raise InvalidInputError(
            f"{what} must be a datetime with a time zone, not {type(checked).__name__}"
        )
    if checked.tzinfo is None or checked.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{what} {checked.isoformat()} has no time zone; an instant needs one "
            f"(e.g. local_datetime(..., {DEFAULT_TIMEZONE!r}) or tzinfo=UTC)"
        )
    return checked


def _format_offset(offset: timedelta | None) -> str:
    """Show a UTC offset the ISO way: 2 hours -> ``"+02:00"``, -4.5 hours -> ``"-04:30"``."""
    if offset is None:  # pragma: no cover - ZoneInfo always has an offset
        return "?"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    """Whether the naive *wall* time occurs on the clocks of *tz*.

    zoneinfo happily attaches itself to a skipped time, so ask it the other
    way round: a time exists exactly when going to UTC and back returns it.
    """
    candidate = wall.replace(tzinfo=tz, fold=0)
    return candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def local_datetime(wall: datetime, tz: str | ZoneInfo, *, fold: int | None = None) -> datetime:
    """Interpret the naive wall-clock time *wall* as read on the clocks of *tz*.

    Returns an aware datetime whose ``tzinfo`` is the :class:`ZoneInfo`.

    * If *wall* falls in a spring-forward gap (2026-03-29 02:30 in
      Europe/Amsterdam) it never happens, and
      :class:`~participatie.exceptions.NonExistentTimeError` is raised.
      Shifting it an hour (what zoneinfo does) would schedule a meeting at a
      time nobody wrote.
    * If *wall* falls in the fall-back hour (2026-10-25 02:30 in
      Europe/Amsterdam) it happens twice, an hour apart. Without *fold*,
      :class:`~participatie.exceptions.AmbiguousTimeError` is raised: picking
      one silently is a coin flip on an hour. ``fold=0`` selects the first
      occurrence (still summer time, +02:00), ``fold=1`` the second (+01:00).
    * For every other time *fold* makes no difference and is ignored.

    *wall* must be naive: an aware datetime already is an instant, and
    re-reading its digits in another zone would change which instant it is.
    Use :func:`to_local` to view an instant in a zone.
    """
    checked: object = wall
    if not isinstance(checked, datetime):
        raise InvalidInputError(
            f"a wall-clock time must be a naive datetime, not {type(checked).__name__}"
        )
    if checked.tzinfo is not None:
        raise InvalidInputError(
            f"{checked.isoformat()} already has a time zone; pass the naive wall-clock "
            "time (use to_local() to convert an instant to another zone)"
        )
    if fold is not None and fold not in (0, 1):
        raise InvalidInputError(f"fold must be 0, 1 or None, not {fold!r}")
    tzinfo = zone(tz)
    first = checked.replace(tzinfo=tzinfo, fold=0)
    second = checked.replace(tzinfo=tzinfo, fold=1)
    shown = _show_wall(checked)
    if not _exists(checked, tzinfo):
        # In a gap, PEP 495 gives fold=0 the offset from before the change
        # and fold=1 the offset from after it.
        raise NonExistentTimeError(
            f"{shown} does not exist in {tzinfo.key}: the clocks jump forward there "
            f"(UTC offset {_format_offset(first.utcoffset())} -> "
            f"{_format_offset(second.utcoffset())}), so this time is skipped"
        )
    if first.utcoffset() == second.utcoffset():
        return first
    if fold is None:
        first_offset = _format_offset(first.utcoffset())
        second_offset = _format_offset(second.utcoffset())
        first_label = " (summer time)" if first.dst() else ""
        second_label = " (summer time)" if second.dst() else ""
        later = (second.astimezone(UTC) - first.astimezone(UTC)) // timedelta(minutes=1)
        raise AmbiguousTimeError(
            f"{shown} happens twice in {tzinfo.key}: first at UTC{first_offset}{first_label}, "
            f"then {later} minutes later at UTC{second_offset}{second_label}; pass fold=0 for "
            f"the first ({first_offset}) or fold=1 for the second ({second_offset})"
        )
    return second if fold == 1 else first


def _show_wall(wall: datetime) -> str:
    """A naive wall time as an organiser would write it (no seconds unless given)."""
    if wall.second or wall.microsecond:
        return wall.isoformat(sep=" ")
    return f"{wall:%Y-%m-%d %H:%M}"


def _first_instant_from(wall: datetime, tz: ZoneInfo) -> datetime:
    """The first instant at which the clocks of *tz* show *wall* or later.

    Normally that is *wall* itself (its first occurrence, if it repeats). If
    *wall* is skipped by a gap, it is the moment of the jump: the earliest
    instant whose wall-clock time is past *wall*.
    """
    if _exists(wall, tz):
        return local_datetime(wall, tz, fold=0)
    # In a gap, reading *wall* with the offset from after the change gives an
    # instant before the jump, with the offset from before it an instant after
    # (the gap is where the offsets disagree). Bisect on whole seconds:
    # transitions in the tz database fall on whole seconds.
    before = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) // 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(tz).replace(tzinfo=None) >= wall:
            after = middle
        else:
            before = middle
    return after.astimezone(tz)


def _require_date(day: date, what: str) -> date:
    checked: object = day
    if isinstance(checked, datetime) or not isinstance(checked, date):
        raise InvalidInputError(f"{what} must be a date, not {type(checked).__name__}")
    return checked


def start_of_day(day: date, tz: str | ZoneInfo) -> datetime:
    """The first instant of *day* on the clocks of *tz* (aware).

    That is 00:00, or its first occurrence if midnight repeats; where midnight
    is skipped by a daylight-saving jump (it is not in Europe/Amsterdam, but is
    in some zones), it is the moment the clocks jump.
    """
    checked = _require_date(day, "day")
    return _first_instant_from(datetime.combine(checked, time()), zone(tz))


def end_of_day(day: date, tz: str | ZoneInfo) -> datetime:
    """The exclusive end of *day* on the clocks of *tz*: the first instant of the next day.

    A deadline written as a date ("aanmelden vóór vrijdag 30 oktober") keeps
    registration open while ``now < end_of_day(day, tz)``. Computing it as
    "start + 24 hours" would be an hour off on the two daylight-saving days.
    """
    checked = _require_date(day, "day")
    return start_of_day(checked + timedelta(days=1), tz)


def to_local(instant: datetime, tz: str | ZoneInfo) -> datetime:
    """View the aware *instant* on the clocks of *tz* (same instant, local digits).

    Naive datetimes are refused (see :func:`require_aware`): converting one
    would first require guessing which zone it was in.
    """
    return require_aware(instant, "instant").astimezone(zone(tz))
