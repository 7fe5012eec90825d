"""Recurring series: one rule, expanded into sessions and written as RRULE/EXDATE."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from participatie import (
    AmbiguousTimeError,
    InvalidInputError,
    NonExistentTimeError,
    SessionSeries,
    local_datetime,
)
from participatie.calendar import series_calendar

from .calendar_helpers import check_physical_lines, utc, vobject_events
from .conftest import week_event

TZ = "Europe/Amsterdam"


def tuesday_evenings(**kwargs: object) -> SessionSeries:
    """Six Tuesday evenings around the spring change of 2026, one left out."""
    fields: dict[str, object] = {
        "key": "dinsdagavond",
        "title": "Dinsdagavond",
        "first_start": local_datetime(datetime(2026, 3, 17, 19, 30), TZ),
        "duration": timedelta(hours=2),
        "rule": "FREQ=WEEKLY;BYDAY=TU;COUNT=6",
        "exceptions": [date(2026, 4, 7)],
        "place": "Buurthuis De Linde",
    }
    fields.update(kwargs)
    return SessionSeries(**fields)  # type: ignore[arg-type]


def test_expands_into_single_sessions_on_the_wall_clock() -> None:
    series = tuesday_evenings()
    sessions = series.sessions(capacity=12, audiences={"client"})
    assert [s.key for s in sessions] == [
        "dinsdagavond-20260317",
        "dinsdagavond-20260324",
        "dinsdagavond-20260331",
        "dinsdagavond-20260414",
        "dinsdagavond-20260421",
    ]
    # 19:30 every week, before and after the clocks went forward on 29 March.
    assert {s.start.astimezone(series.first_start.tzinfo).strftime("%H:%M") for s in sessions} == {
        "19:30"
    }
    assert [s.start.utcoffset() for s in sessions][:3] == [timedelta(hours=1)] * 2 + [
        timedelta(hours=2)
    ]
    assert all(s.end - s.start == timedelta(hours=2) for s in sessions)
    assert all(s.capacity == 12 and s.place == "Buurthuis De Linde" for s in sessions)


def test_written_as_rrule_and_exdate_that_expand_to_the_same_sessions() -> None:
    series = tuesday_evenings()
    data = series_calendar(week_event(), series, now=datetime(2026, 3, 1, tzinfo=UTC))
    check_physical_lines(data)
    calendar = Calendar.from_ical(data)
    assert "METHOD" not in calendar
    [vevent] = calendar.walk("VEVENT")
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=6;BYDAY=TU"
    exdates = vevent["EXDATE"]
    start = vevent["DTSTART"].dt
    rule = rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=start)
    excluded = {utc(d.dt) for d in exdates.dts}
    expanded = [utc(moment) for moment in rule if utc(moment) not in excluded]
    assert expanded == [utc(s) for s in series.starts()]
    # The independent parser expands RRULE and EXDATE with the VTIMEZONE in the file.
    [independent] = vobject_events(data)
    assert [utc(moment) for moment in independent.getrruleset()] == [
        utc(s) for s in series.starts()
    ]  # type: ignore[attr-defined]


def test_until_in_local_time_becomes_utc() -> None:
    series = tuesday_evenings(rule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20260421T235959", exceptions=[])
    assert len(series.starts()) == 6
    assert series.recurrence["UNTIL"][0].tzinfo is not None
    by_date = tuesday_evenings(rule="RRULE:FREQ=WEEKLY;UNTIL=20260331", exceptions=[])
    assert len(by_date.starts()) == 3
    in_utc = tuesday_evenings(rule="FREQ=WEEKLY;UNTIL=20260331T173000Z", exceptions=[])
    assert len(in_utc.starts()) == 3


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "never ends"),
        ("FREQ=HOURLY;COUNT=3", "DAILY, WEEKLY"),
        ("FREQ=DAILY;COUNT=1000", "more than 500"),
        ("FREQ=WEEKLY;COUNT=3\r\nATTENDEE:mailto:x@example.org", "not a recurrence rule"),
        ("", "not a recurrence rule"),
        ("FREQ=WEEKLY;COUNT=x", "not a recurrence rule"),
        ("FREQ=DAILY;BYHOUR=10,11;COUNT=4", "more than one session on a day"),
    ],
)
def test_bad_rules_are_refused(rule: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        tuesday_evenings(rule=rule, exceptions=[])


def test_exceptions_must_be_dates_of_the_series() -> None:
    with pytest.raises(InvalidInputError, match="is not a date of the series"):
        tuesday_evenings(exceptions=[date(2026, 4, 8)])


def test_other_checks() -> None:
    with pytest.raises(InvalidInputError, match="at most 55"):
        tuesday_evenings(key="x" * 56)
    with pytest.raises(InvalidInputError, match="24 hours"):
        SessionSeries(
            "a",
            "A",
            local_datetime(datetime(2026, 3, 17, 19, 30), TZ),
            timedelta(0),
            "FREQ=DAILY;COUNT=2",
        )
    with pytest.raises(InvalidInputError):
        tuesday_evenings(timezone="Mars/Olympus")


def test_times_that_do_not_exist_or_happen_twice_are_refused() -> None:
    # Sundays at 02:30: skipped on 29 March 2026, twice on 25 October 2026.
    with pytest.raises(NonExistentTimeError):
        SessionSeries(
            "nacht",
            "Nacht",
            local_datetime(datetime(2026, 3, 22, 2, 30), TZ),
            timedelta(hours=1),
            "FREQ=WEEKLY;COUNT=3",
        )
    with pytest.raises(AmbiguousTimeError):
        SessionSeries(
            "herfst",
            "Herfst",
            local_datetime(datetime(2026, 10, 18, 2, 30), TZ),
            timedelta(hours=1),
            "FREQ=WEEKLY;COUNT=3",
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone_name=st.sampled_from(["Europe/Amsterdam", "America/New_York", "Australia/Sydney", "UTC"]),
    first=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
    minutes=st.integers(8 * 60, 21 * 60),
    count=st.integers(1, 30),
    frequency=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
)
def test_any_series_round_trips(
    zone_name: str, first: date, minutes: int, count: int, frequency: str
) -> None:
    start = local_datetime(
        datetime.combine(first, datetime.min.time()) + timedelta(minutes=minutes), zone_name
    )
    series = SessionSeries(
        "reeks",
        "Reeks",
        start,
        timedelta(minutes=90),
        f"FREQ={frequency};COUNT={count}",
        timezone=zone_name,
    )
    data = series_calendar(week_event(), series, now=datetime(2024, 1, 1, tzinfo=UTC))
    [independent] = vobject_events(data)
    assert [utc(m) for m in independent.getrruleset()] == [utc(s) for s in series.starts()]  # type: ignore[attr-defined]
    assert len(series.sessions()) == len(series.starts())


def test_durations_are_real_time_across_a_clock_change() -> None:
    """Two hours from 01:30 on the night the clocks go forward end at 04:30, not 03:30."""
    series = SessionSeries(
        "nacht",
        "Nachtsessie",
        local_datetime(datetime(2026, 3, 28, 1, 30), TZ),
        timedelta(hours=2),
        "FREQ=DAILY;COUNT=2",
    )
    first, second = series.sessions()
    assert utc(first.end) - utc(first.start) == timedelta(hours=2)
    assert utc(second.end) - utc(second.start) == timedelta(hours=2)
    assert second.end.astimezone(first.start.tzinfo).strftime("%H:%M") == "04:30"
