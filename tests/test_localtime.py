"""Tests for participatie.localtime: zones, aware datetimes and DST edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as dateutil_tz
from hypothesis import event, given
from hypothesis import strategies as st

from participatie.exceptions import (
    AmbiguousTimeError,
    InvalidInputError,
    NaiveDatetimeError,
    NonExistentTimeError,
    ParticipatieError,
)
from participatie.localtime import (
    DEFAULT_TIMEZONE,
    end_of_day,
    local_datetime,
    require_aware,
    start_of_day,
    to_local,
    zone,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)


# --- zone -------------------------------------------------------------------


def test_default_timezone_is_amsterdam() -> None:
    assert DEFAULT_TIMEZONE == "Europe/Amsterdam"
    assert zone(DEFAULT_TIMEZONE) == AMSTERDAM


def test_zone_passes_zoneinfo_through() -> None:
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    assert zone(lord_howe) is lord_howe


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Amsterdaam",
        "europe/amsterdam",
        "Nowhere/Town",
        "",
        "Europe",
        "Europe/Amsterdam/",
        "../Europe/Amsterdam",
        "/etc/passwd",
        "Europe/Amsterdam\x00",
        "x" * 300,
        "localtime",
    ],
)
def test_unknown_or_malformed_zone_is_refused_by_name(name: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        zone(name)
    assert repr(name) in str(caught.value)


def test_zone_of_wrong_type_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="int"):
        zone(2)  # type: ignore[arg-type]


# --- require_aware ------------------------------------------------------------


def test_require_aware_returns_aware_value_unchanged() -> None:
    instant = datetime(2021, 5, 21, 10, 0, tzinfo=AMSTERDAM)
    assert require_aware(instant) is instant
    utc = datetime(2021, 5, 21, 8, 0, tzinfo=UTC)
    assert require_aware(utc, "now") is utc


def test_require_aware_refuses_naive_naming_it() -> None:
    with pytest.raises(NaiveDatetimeError, match="deadline") as caught:
        require_aware(datetime(2021, 5, 21, 10, 0), "deadline")
    assert isinstance(caught.value, InvalidInputError)
    assert isinstance(caught.value, ValueError)


def test_require_aware_refuses_tzinfo_without_offset() -> None:
    class NoOffset(tzinfo):
        def utcoffset(self, dt: datetime | None) -> None:
            return None

        def dst(self, dt: datetime | None) -> None:
            return None

        def tzname(self, dt: datetime | None) -> None:
            return None

    with pytest.raises(NaiveDatetimeError):
        require_aware(datetime(2021, 5, 21, 10, 0, tzinfo=NoOffset()))


def test_require_aware_refuses_a_date() -> None:
    with pytest.raises(InvalidInputError, match="date") as caught:
        require_aware(date(2021, 5, 21), "start")  # type: ignore[arg-type]
    assert not isinstance(caught.value, NaiveDatetimeError)
    assert "start" in str(caught.value)


@pytest.mark.parametrize("value", ["2021-05-21T10:00+02:00", 1621584000, None])
def test_require_aware_refuses_non_datetimes(value: object) -> None:
    with pytest.raises(InvalidInputError):
        require_aware(value)  # type: ignore[arg-type]


# --- local_datetime: the real Amsterdam changes of 2026 ----------------------


def test_spring_forward_gap_does_not_exist() -> None:
    with pytest.raises(NonExistentTimeError) as caught:
        local_datetime(datetime(2026, 3, 29, 2, 30), "Europe/Amsterdam")
    message = str(caught.value)
    assert "2026-03-29 02:30" in message
    assert "Europe/Amsterdam" in message
    assert "+01:00" in message
    assert "+02:00" in message


@pytest.mark.parametrize("fold", [0, 1])
def test_gap_is_refused_whatever_the_fold(fold: int) -> None:
    with pytest.raises(NonExistentTimeError):
        local_datetime(datetime(2026, 3, 29, 2, 0), AMSTERDAM, fold=fold)


def test_edges_of_the_gap_exist() -> None:
    before = local_datetime(datetime(2026, 3, 29, 1, 59), AMSTERDAM)
    after = local_datetime(datetime(2026, 3, 29, 3, 0), AMSTERDAM)
    assert before.utcoffset() == HOUR
    assert after.utcoffset() == 2 * HOUR
    # 61 wall-clock minutes, one real minute. (Subtracting two datetimes of the
    # same zone is wall-clock arithmetic in Python, so compare in UTC.)
    assert after - before == timedelta(minutes=61)
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)


def test_fall_back_hour_is_ambiguous_without_fold() -> None:
    with pytest.raises(AmbiguousTimeError) as caught:
        local_datetime(datetime(2026, 10, 25, 2, 30), "Europe/Amsterdam")
    message = str(caught.value)
    assert "2026-10-25 02:30" in message
    assert "+02:00" in message
    assert "+01:00" in message
    assert "fold=0" in message
    assert "fold=1" in message
    assert "summer time" in message


def test_fold_picks_one_of_the_two_instants() -> None:
    wall = datetime(2026, 10, 25, 2, 30)
    first = local_datetime(wall, "Europe/Amsterdam", fold=0)
    second = local_datetime(wall, "Europe/Amsterdam", fold=1)
    assert first.utcoffset() == 2 * HOUR
    assert second.utcoffset() == HOUR
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert second.astimezone(UTC) - first.astimezone(UTC) == HOUR
    for result in (first, second):
        assert result.replace(tzinfo=None) == wall
        assert result.tzinfo is AMSTERDAM


@pytest.mark.parametrize(
    ("wall", "offset"),
    [
        (datetime(2021, 5, 21, 10, 0), 2 * HOUR),
        (datetime(2021, 1, 15, 19, 30), HOUR),
        (datetime(2026, 10, 25, 1, 59), 2 * HOUR),
        (datetime(2026, 10, 25, 3, 0), HOUR),
        (datetime(2026, 3, 29, 3, 0, 0, 1), 2 * HOUR),
    ],
)
@pytest.mark.parametrize("fold", [None, 0, 1])
def test_normal_times_are_unchanged(wall: datetime, offset: timedelta, fold: int | None) -> None:
    result = local_datetime(wall, "Europe/Amsterdam", fold=fold)
    assert result.replace(tzinfo=None) == wall
    assert result.utcoffset() == offset
    assert isinstance(result.tzinfo, ZoneInfo)
    assert result.fold == 0


def test_lord_howe_half_hour_changes() -> None:
    # Lord Howe Island moves its clocks by 30 minutes.
    with pytest.raises(NonExistentTimeError, match=r"\+10:30"):
        local_datetime(datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe")
    wall = datetime(2026, 4, 5, 1, 45)
    with pytest.raises(AmbiguousTimeError, match="30 minutes"):
        local_datetime(wall, "Australia/Lord_Howe")
    first = local_datetime(wall, "Australia/Lord_Howe", fold=0)
    second = local_datetime(wall, "Australia/Lord_Howe", fold=1)
    assert first.utcoffset() == timedelta(hours=11)
    assert second.utcoffset() == timedelta(hours=10, minutes=30)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("name", "gap", "repeat", "summer", "winter"),
    [
        ("America/New_York", (2026, 3, 8, 2, 30), (2026, 11, 1, 1, 30), -4, -5),
        ("Europe/Amsterdam", (2040, 3, 25, 2, 0), (2040, 10, 28, 2, 59), 2, 1),
    ],
)
def test_other_changes(
    name: str,
    gap: tuple[int, int, int, int, int],
    repeat: tuple[int, int, int, int, int],
    summer: int,
    winter: int,
) -> None:
    with pytest.raises(NonExistentTimeError):
        local_datetime(datetime(*gap), name)
    with pytest.raises(AmbiguousTimeError):
        local_datetime(datetime(*repeat), name)
    assert local_datetime(datetime(*repeat), name, fold=0).utcoffset() == summer * HOUR
    assert local_datetime(datetime(*repeat), name, fold=1).utcoffset() == winter * HOUR


def test_aware_wall_time_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="naive"):
        local_datetime(datetime(2021, 5, 21, 10, 0, tzinfo=UTC), "Europe/Amsterdam")


def test_date_is_not_a_wall_time() -> None:
    with pytest.raises(InvalidInputError):
        local_datetime(date(2021, 5, 21), "Europe/Amsterdam")  # type: ignore[arg-type]


@pytest.mark.parametrize("fold", [2, -1])
def test_fold_must_be_zero_or_one(fold: int) -> None:
    with pytest.raises(InvalidInputError, match="fold"):
        local_datetime(datetime(2021, 5, 21, 10, 0), AMSTERDAM, fold=fold)


def test_unknown_zone_in_local_datetime() -> None:
    with pytest.raises(InvalidInputError, match="Mars/Olympus_Mons"):
        local_datetime(datetime(2021, 5, 21, 10, 0), "Mars/Olympus_Mons")


def test_errors_share_the_package_base_class() -> None:
    for error in (NonExistentTimeError, AmbiguousTimeError, NaiveDatetimeError):
        assert issubclass(error, ParticipatieError)
        assert issubclass(error, InvalidInputError)


# --- start_of_day / end_of_day ----------------------------------------------


def test_end_of_day_across_the_october_change() -> None:
    # 2020-10-25 had 25 hours in Amsterdam.
    start = start_of_day(date(2020, 10, 25), "Europe/Amsterdam")
    end = end_of_day(date(2020, 10, 25), "Europe/Amsterdam")
    assert start == datetime(2020, 10, 25, 0, 0, tzinfo=AMSTERDAM)
    assert start.utcoffset() == 2 * HOUR
    assert end.replace(tzinfo=None) == datetime(2020, 10, 26, 0, 0)
    assert end.utcoffset() == HOUR
    assert end.astimezone(UTC) == datetime(2020, 10, 25, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 25 * HOUR


def test_march_change_day_has_23_hours() -> None:
    start = start_of_day(date(2026, 3, 29), AMSTERDAM)
    end = end_of_day(date(2026, 3, 29), AMSTERDAM)
    assert end.astimezone(UTC) - start.astimezone(UTC) == 23 * HOUR


def test_deadline_date_is_open_until_midnight() -> None:
    # "aanmelden vóór vrijdag 30 oktober 2020"
    deadline = end_of_day(date(2020, 10, 30), "Europe/Amsterdam")
    late_evening = datetime(2020, 10, 30, 23, 59, 59, tzinfo=AMSTERDAM)
    midnight = datetime(2020, 10, 31, 0, 0, tzinfo=AMSTERDAM)
    assert late_evening < deadline
    assert not midnight < deadline
    assert deadline == end_of_day(date(2020, 10, 30), AMSTERDAM)
    assert deadline == start_of_day(date(2020, 10, 31), AMSTERDAM)


def test_midnight_skipped_by_dst_starts_day_at_the_jump() -> None:
    # Until 2019 Brazil moved its clocks forward at midnight: 2018-11-04 began at 01:00.
    start = start_of_day(date(2018, 11, 4), "America/Sao_Paulo")
    assert start.replace(tzinfo=None) == datetime(2018, 11, 4, 1, 0)
    assert start.utcoffset() == -2 * HOUR
    assert end_of_day(date(2018, 11, 3), "America/Sao_Paulo") == start
    just_before = start.astimezone(UTC) - timedelta(seconds=1)
    assert just_before.astimezone(start.tzinfo).date() == date(2018, 11, 3)


def test_a_day_that_never_happened() -> None:
    # Samoa skipped 30 December 2011 entirely when it crossed the date line.
    apia = "Pacific/Apia"
    assert start_of_day(date(2011, 12, 30), apia) == start_of_day(date(2011, 12, 31), apia)
    assert end_of_day(date(2011, 12, 29), apia).replace(tzinfo=None) == datetime(2011, 12, 31)
    assert end_of_day(date(2011, 12, 29), apia).astimezone(UTC) == datetime(
        2011, 12, 30, 10, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("day", [datetime(2021, 5, 21, 10, 0), "2021-05-21", None])
def test_day_functions_want_a_date(day: object) -> None:
    with pytest.raises(InvalidInputError):
        end_of_day(day, AMSTERDAM)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        start_of_day(day, AMSTERDAM)  # type: ignore[arg-type]


# --- to_local ---------------------------------------------------------------


def test_to_local_keeps_the_instant() -> None:
    instant = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    local = to_local(instant, "Europe/Amsterdam")
    # PEP 495: a datetime in the repeated hour (fold=1) never compares equal
    # across zones, so compare in UTC.
    assert local != instant
    assert local.astimezone(UTC) == instant
    assert local.replace(tzinfo=None) == datetime(2026, 10, 25, 2, 30)
    assert local.fold == 1
    assert local.utcoffset() == HOUR


def test_to_local_refuses_naive() -> None:
    with pytest.raises(NaiveDatetimeError):
        to_local(datetime(2021, 5, 21, 10, 0), "Europe/Amsterdam")


def test_to_local_refuses_unknown_zone() -> None:
    with pytest.raises(InvalidInputError, match="Atlantis"):
        to_local(datetime(2021, 5, 21, 10, 0, tzinfo=UTC), "Atlantis")


# --- properties -------------------------------------------------------------

ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata"]


def _transitions(name: str) -> list[tuple[datetime, timedelta, timedelta]]:
    """(UTC instant, offset before, offset after) of every clock change in 2000..2040.

    Found by checking the offset once a day and bisecting to the second; used
    only to aim the property test at the interesting wall times.
    """
    place = ZoneInfo(name)

    def offset(instant: datetime) -> timedelta:
        value = instant.astimezone(place).utcoffset()
        assert value is not None
        return value

    found = []
    day = datetime(2000, 1, 1, 12, tzinfo=UTC)
    while day.year <= 2040:
        following = day + timedelta(days=1)
        if offset(day) != offset(following):
            low, high = day, following
            while high - low > timedelta(seconds=1):
                middle = low + timedelta(seconds=(high - low).total_seconds() // 2)
                if offset(middle) == offset(low):
                    low = middle
                else:
                    high = middle
            found.append((high, offset(low), offset(high)))
        day = following
    return found


TRANSITIONS = {name: _transitions(name) for name in ZONES}


@st.composite
def near_a_change(draw: st.DrawFn) -> tuple[datetime, str]:
    """A zone and a naive wall time within an hour or two of one of its clock changes."""
    name = draw(st.sampled_from([name for name in ZONES if TRANSITIONS[name]]))
    instant, before, after = draw(st.sampled_from(TRANSITIONS[name]))
    earliest_wall = (instant + min(before, after)).replace(tzinfo=None)
    minutes = draw(st.integers(-60, 120))
    return earliest_wall + timedelta(minutes=minutes), name


anywhere = st.tuples(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31, 23, 59)),
    st.sampled_from(ZONES),
)


def test_the_property_test_is_aimed_at_real_changes() -> None:
    assert TRANSITIONS["UTC"] == []
    assert TRANSITIONS["Asia/Kolkata"] == []
    amsterdam = TRANSITIONS["Europe/Amsterdam"]
    assert len(amsterdam) == 2 * 41
    assert (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), HOUR, 2 * HOUR) in amsterdam
    assert (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 2 * HOUR, HOUR) in amsterdam
    half_hour = timedelta(minutes=30)
    assert all(abs(b - a) == half_hour for _, a, b in TRANSITIONS["Australia/Lord_Howe"])


@given(case=st.one_of(anywhere, near_a_change()))
def test_local_datetime_round_trips_or_refuses(case: tuple[datetime, str]) -> None:
    wall, name = case
    place = ZoneInfo(name)
    # dateutil.tz is an independent judge of which wall times exist / repeat.
    exists = dateutil_tz.datetime_exists(wall, place)
    repeats = exists and dateutil_tz.datetime_ambiguous(wall, place)
    try:
        result = local_datetime(wall, name)
    except NonExistentTimeError:
        event("nonexistent")
        assert not exists
        return
    except AmbiguousTimeError:
        event("ambiguous")
        assert repeats
        first = local_datetime(wall, name, fold=0)
        second = local_datetime(wall, name, fold=1)
        assert first.astimezone(UTC) < second.astimezone(UTC)
        for instant in (first, second):
            assert instant.replace(tzinfo=None) == wall
            back = instant.astimezone(UTC).astimezone(place)
            assert back.replace(tzinfo=None) == wall
            assert back.fold == instant.fold
        return
    assert exists
    assert not repeats
    assert result.tzinfo is not None
    assert result.utcoffset() is not None
    assert result.replace(tzinfo=None) == wall
    back = result.astimezone(UTC).astimezone(place)
    assert back.replace(tzinfo=None) == wall
    assert back.fold == result.fold == 0


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    name=st.sampled_from([*ZONES, "America/Sao_Paulo", "America/Havana"]),
)
def test_days_tile_the_timeline(day: date, name: str) -> None:
    start = start_of_day(day, name)
    end = end_of_day(day, name)
    assert end == start_of_day(day + timedelta(days=1), name)
    length = end.astimezone(UTC) - start.astimezone(UTC)
    assert timedelta(hours=22) <= length <= timedelta(hours=26)
    assert start.astimezone(ZoneInfo(name)).date() == day
    last_moment = (end.astimezone(UTC) - timedelta(microseconds=1)).astimezone(ZoneInfo(name))
    assert last_moment.date() == day
