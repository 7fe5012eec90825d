"""Tests for participatie.datetext: reading an organiser's written dates."""

from __future__ import annotations

import types
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import parser as dateutil_parser
from dateutil.parser import _parser as dateutil_parser_module
from hypothesis import assume, given
from hypothesis import strategies as st

from participatie.datetext import DutchParserInfo, parse_date, parse_datetime, parse_deadline
from participatie.exceptions import (
    AmbiguousTimeError,
    DateTextError,
    InvalidInputError,
    NonExistentTimeError,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HOUR = timedelta(hours=1)
# Friday 21 May 2021, 10:00 summer time in Amsterdam = 08:00 UTC.
SEED_INSTANT = datetime(2021, 5, 21, 8, 0, tzinfo=UTC)


def in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# --- the happy path ---------------------------------------------------------


def test_seed_example() -> None:
    result = parse_datetime("vrijdag 21 mei 2021 10:00")
    assert result.isoformat() == "2021-05-21T10:00:00+02:00"
    assert result.tzinfo == AMSTERDAM
    assert in_utc(result) == SEED_INSTANT


@pytest.mark.parametrize(
    "text",
    [
        "vrijdag 21 mei 2021 10:00",
        "21 mei 2021 om 10.00 uur",
        "Friday 21 May 2021 10:00",
        "2021-05-21 10:00",
        "21-05-2021 10:00",
        "21/05/2021 10:00",
        "21.05.2021 10:00",
        "21.05.2021 om 10.00",
        "vr 21 mei 2021 10:00",
        "Fri 21 May 2021 10:00",
        "May 21, 2021 10:00 AM",
        "21 May 2021 10 am",
        "vrijdag 21 mei 2021 om 10 uur",
        "op vrijdag 21 mei 2021 om 10.00 uur.",
        "21e mei 2021 10u00",
        "21ste mei 2021 10u",
        "2021-05-21T10:00",
        "  vrijdag   21 mei 2021   10:00  ",
    ],
)
def test_written_forms_of_the_same_moment(text: str) -> None:
    result = parse_datetime(text)
    assert in_utc(result) == SEED_INSTANT
    assert result.replace(tzinfo=None) == datetime(2021, 5, 21, 10, 0)
    assert result.tzinfo == AMSTERDAM


@pytest.mark.parametrize(
    "text",
    [
        "VRIJDAG 21 MEI 2021 OM 10.00 UUR",
        "Vrijdag 21 Mei 2021 Om 10.00 Uur",
        "vRiJdAg 21 mEi 2021 10:00",
        "vr\u0133dag 21 mei 2021 10:00",  # with the Dutch ij ligature
        "vrijdag\u00a021\u00a0mei 2021 10:00",  # no-break spaces from a word processor
        "vrïjdag 21 méi 2021 10:00",  # stray accents
        "FRIDAY 21 MAY 2021 10:00",
    ],
)
def test_case_and_diacritics_do_not_matter(text: str) -> None:
    assert in_utc(parse_datetime(text)) == SEED_INSTANT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vrijdag 21 mei 2021 om 19.30", datetime(2021, 5, 21, 19, 30)),
        ("21 mei 2021 19.30 uur", datetime(2021, 5, 21, 19, 30)),
        ("21 mei 2021 om 9.05", datetime(2021, 5, 21, 9, 5)),
        ("21 mei 2021 om 0.00", datetime(2021, 5, 21, 0, 0)),
        ("21 mei 2021 om 23.59.", datetime(2021, 5, 21, 23, 59)),
        ("21.05.2021 19.30", datetime(2021, 5, 21, 19, 30)),
        ("21 mei 2021 19:30:15", datetime(2021, 5, 21, 19, 30, 15)),
        ("21 mei 2021 7:30 pm", datetime(2021, 5, 21, 19, 30)),
    ],
)
def test_dutch_dotted_times(text: str, expected: datetime) -> None:
    assert parse_datetime(text).replace(tzinfo=None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-05-11 10:00", date(2021, 5, 11)),  # ISO stays year-month-day
        ("20210511T1000", date(2021, 5, 11)),
        ("2021/05/11 10:00", date(2021, 5, 11)),
        ("05-11-2021 10:00", date(2021, 11, 5)),  # otherwise day first, as in NL
        ("05/11/2021 10:00", date(2021, 11, 5)),
        ("05.11.2021 10:00", date(2021, 11, 5)),
    ],
)
def test_numeric_dates_are_day_first_except_iso(text: str, expected: date) -> None:
    assert parse_datetime(text).date() == expected


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("januari", 1),
        ("jan", 1),
        ("februari", 2),
        ("feb", 2),
        ("maart", 3),
        ("mrt", 3),
        ("maa", 3),
        ("april", 4),
        ("apr", 4),
        ("mei", 5),
        ("juni", 6),
        ("jun", 6),
        ("juli", 7),
        ("jul", 7),
        ("augustus", 8),
        ("aug", 8),
        ("september", 9),
        ("sep", 9),
        ("sept", 9),
        ("oktober", 10),
        ("okt", 10),
        ("november", 11),
        ("nov", 11),
        ("december", 12),
        ("dec", 12),
        ("March", 3),
        ("October", 10),
        ("Oct", 10),
        ("June", 6),
        ("July", 7),
    ],
)
def test_month_names(month: str, number: int) -> None:
    assert parse_date(f"12 {month} 2024") == date(2024, number, 12)


@pytest.mark.parametrize(
    ("weekday", "day"),
    [
        ("maandag", 17),
        ("ma", 17),
        ("dinsdag", 18),
        ("di", 18),
        ("woensdag", 19),
        ("wo", 19),
        ("donderdag", 20),
        ("do", 20),
        ("vrijdag", 21),
        ("vr", 21),
        ("zaterdag", 22),
        ("za", 22),
        ("zondag", 23),
        ("zo", 23),
        ("Monday", 17),
        ("Tue", 18),
        ("Wednesday", 19),
        ("Thurs", 20),
        ("Sunday", 23),
    ],
)
def test_weekday_names(weekday: str, day: int) -> None:
    assert parse_date(f"{weekday} {day} mei 2021") == date(2021, 5, day)
    assert parse_date(f"{weekday}, {day} mei 2021") == date(2021, 5, day)


def test_other_time_zone() -> None:
    result = parse_datetime("vrijdag 21 mei 2021 10:00", "America/New_York")
    assert result.utcoffset() == -4 * HOUR
    assert in_utc(result) == datetime(2021, 5, 21, 14, 0, tzinfo=UTC)
    assert result.tzinfo == ZoneInfo("America/New_York")


def test_winter_time() -> None:
    result = parse_datetime("dinsdag 12 januari 2021 om 19.30 uur")
    assert result.isoformat() == "2021-01-12T19:30:00+01:00"


# --- explicit offsets -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2021-05-21T10:00:00+02:00",
        "2021-05-21T08:00:00Z",
        "2021-05-21T08:00:00z",
        "2021-05-21 08:00 UTC",
        "21 mei 2021 08:00 utc",
        "21 mei 2021 08:00 GMT",
        "21 mei 2021 10:00 +0200",
        "21 mei 2021 10:00 UTC+2",
        "21 mei 2021 10:00 UTC+02:00",
        "21 mei 2021 13:30 +05:30",
        "2021-05-21 04:00:00-04:00",
        "21 mei 2021 03:00 GMT-5",
    ],
)
def test_explicit_offset_is_honoured(text: str) -> None:
    result = parse_datetime(text)
    assert in_utc(result) == SEED_INSTANT
    assert result.tzinfo == AMSTERDAM
    assert result.replace(tzinfo=None) == datetime(2021, 5, 21, 10, 0)


def test_explicit_offset_is_viewed_in_the_requested_zone() -> None:
    result = parse_datetime("2021-05-21T10:00:00+02:00", "Asia/Kolkata")
    assert in_utc(result) == SEED_INSTANT
    assert result.replace(tzinfo=None) == datetime(2021, 5, 21, 13, 30)


def test_offset_makes_a_wall_time_in_the_gap_unambiguous() -> None:
    # 02:30 does not exist in Amsterdam on 29 March 2026, but 02:30 UTC does.
    result = parse_datetime("2026-03-29T02:30:00Z")
    assert result.isoformat() == "2026-03-29T04:30:00+02:00"


@pytest.mark.parametrize(
    "text", ["21 mei 2021 10:00 CET", "21 mei 2021 10:00 CEST", "21 mei 2021 10:00 EST"]
)
def test_zone_abbreviations_are_refused(text: str) -> None:
    with pytest.raises(DateTextError, match="offset"):
        parse_datetime(text)


def test_impossible_offset_is_refused() -> None:
    with pytest.raises(DateTextError, match="offset"):
        parse_datetime("21 mei 2021 10:00 +1500")


# --- refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written", "actual"),
    [
        ("donderdag 21 mei 2021 10:00", "donderdag", "vrijdag"),
        ("do 21 mei 2021 10:00", "do", "vrijdag"),
        ("Thursday 21 May 2021 10:00", "thursday", "Friday"),
        ("zaterdag 30 oktober 2020 10:00", "zaterdag", "vrijdag"),
        ("vrijdag donderdag 21 mei 2021 10:00", "donderdag", "vrijdag"),
    ],
)
def test_weekday_contradicting_the_date_is_refused(text: str, written: str, actual: str) -> None:
    with pytest.raises(DateTextError) as caught:
        parse_datetime(text)
    message = str(caught.value)
    assert written in message
    assert actual in message
    assert repr(text) in message


def test_weekday_is_checked_for_dates_too() -> None:
    with pytest.raises(DateTextError, match="maandag"):
        parse_date("maandag 30 oktober 2020")
    with pytest.raises(DateTextError, match="zondag"):
        parse_deadline("zondag 30 oktober 2020")


@pytest.mark.parametrize("text", ["21 mei 10:00", "vrijdag 21 mei om 10.00 uur", "21/05 10:00"])
def test_missing_year_is_refused(text: str) -> None:
    with pytest.raises(DateTextError, match="year"):
        parse_datetime(text)


def test_numeric_day_and_month_without_year() -> None:
    with pytest.raises(DateTextError, match="year"):
        parse_datetime("vrijdag 21-5 om 10:00")
    result = parse_datetime("vrijdag 21-5 om 10:00", default=date(2021, 1, 1))
    assert in_utc(result) == SEED_INSTANT


def test_missing_year_taken_from_default() -> None:
    result = parse_datetime("vrijdag 21 mei om 10.00 uur", default=date(2021, 1, 1))
    assert in_utc(result) == SEED_INSTANT
    assert parse_date("30 oktober", default=date(2020, 6, 1)) == date(2020, 10, 30)
    # A written year wins over the default.
    assert parse_date("30 oktober 2020", default=date(1999, 1, 1)) == date(2020, 10, 30)
    # The weekday still has to match the year the default supplies.
    with pytest.raises(DateTextError, match="vrijdag"):
        parse_date("vrijdag 21 mei", default=date(2022, 1, 1))
    with pytest.raises(DateTextError):
        parse_date("29 februari", default=date(2021, 1, 1))
    assert parse_date("29 februari", default=date(2024, 1, 1)) == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["21-05-21 10:00", "21 mei 21 10:00", "vrijdag 21 mei '21 10:00"])
def test_two_digit_year_is_refused(text: str) -> None:
    with pytest.raises(DateTextError, match="year"):
        parse_datetime(text)


@pytest.mark.parametrize(
    "text",
    [
        "gisteren",
        "binnenkort",
        "volgende week vrijdag",
        "de vrijdag na Pasen om 10:00",
        "21 mei 2021 10:00 en nog wat",
        "32 mei 2021 10:00",
        "31 juni 2021 10:00",
        "29 februari 2021 10:00",
        "21 mei 2021 25:00",
        "21 mei 2021 24:00",
        "21 mei 2021 10:61",
        "21 2021 10:00",
        "10:00",
        "???",
        "21 mei 2021 1O:00",
    ],
)
def test_unreadable_text_is_refused_with_the_text_quoted(text: str) -> None:
    with pytest.raises(DateTextError) as caught:
        parse_datetime(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_empty_text_is_refused(text: str) -> None:
    with pytest.raises(DateTextError, match="empty"):
        parse_datetime(text)


@pytest.mark.parametrize("text", ["mei 2021 10:00", "vrijdag om 10:00", "2021"])
def test_a_day_of_the_month_is_required(text: str) -> None:
    with pytest.raises(DateTextError, match="which"):
        parse_datetime(text)


@pytest.mark.parametrize(
    "text",
    [
        "21 mei 2021 19.30-21.30",
        "21 mei 2021 19.30 - 21.30",
        "21 mei 2021 19:30\u201321:30",
        "21 mei 2021 10:00-12:00",
        "2021-05-21 10.00-12.00",
        "21 t/m 23 mei 2021",
        "21 t/m 23 mei 2021 10:00",
        "21-23 mei 2021 10:00",
        "21 mei 2021 van 10:00 tot 12:00",
        "May 21 through May 23 2021 10:00",
    ],
)
def test_ranges_are_refused(text: str) -> None:
    with pytest.raises(DateTextError, match="range"):
        parse_datetime(text)


@pytest.mark.parametrize(
    "text",
    ["vrijdag 21 mei 2021 2021", "21 mei 2021 10", "2021-05-21 -0400", "21.05.2021 1930"],
)
def test_a_bare_number_is_not_taken_for_the_time(text: str) -> None:
    # dateutil reads a number after a full date as HH[MM]: "2021" as 20:21.
    with pytest.raises(DateTextError, match="time of day"):
        parse_datetime(text)


@pytest.mark.parametrize("text", ["12 okt 0400 10:00", "1 januari 1066 10:00", "21 mei 3021 10:00"])
def test_implausible_years_are_refused(text: str) -> None:
    with pytest.raises(DateTextError, match="year"):
        parse_datetime(text)


def test_date_without_time_is_not_a_datetime() -> None:
    with pytest.raises(DateTextError, match="no time of day"):
        parse_datetime("vrijdag 21 mei 2021")


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        parse_datetime(datetime(2021, 5, 21, 10, 0))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        parse_date(None)  # type: ignore[arg-type]


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="Europe/Amsterdm"):
        parse_datetime("21 mei 2021 10:00", "Europe/Amsterdm")
    with pytest.raises(InvalidInputError, match="Europe/Amsterdm"):
        parse_deadline("21 mei 2021", "Europe/Amsterdm")


# --- daylight saving ----------------------------------------------------------


def test_written_time_in_the_spring_gap_is_refused() -> None:
    with pytest.raises(NonExistentTimeError) as caught:
        parse_datetime("zondag 29 maart 2026 om 02.30 uur")
    assert "zondag 29 maart 2026" in str(caught.value)
    assert "does not exist" in str(caught.value)


def test_written_time_in_the_autumn_overlap_needs_a_fold() -> None:
    text = "zondag 25 oktober 2026 om 02.30 uur"
    with pytest.raises(AmbiguousTimeError) as caught:
        parse_datetime(text)
    assert "+02:00" in str(caught.value)
    assert "+01:00" in str(caught.value)
    first = parse_datetime(text, fold=0)
    second = parse_datetime(text, fold=1)
    assert first.utcoffset() == 2 * HOUR
    assert second.utcoffset() == HOUR
    assert in_utc(second) - in_utc(first) == HOUR
    deadline = parse_deadline(text, fold=1)
    assert in_utc(deadline) == in_utc(second)


# --- parse_date ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "vrijdag 30 oktober 2020",
        "30 okt 2020",
        "Friday 30 October 2020",
        "October 30, 2020",
        "30-10-2020",
        "30.10.2020",
        "2020-10-30",
        "VRIJDAG 30 OKTOBER 2020",
        "vrijdag 30 oktober 2020.",
    ],
)
def test_parse_date(text: str) -> None:
    result = parse_date(text)
    assert result == date(2020, 10, 30)
    assert type(result) is date


@pytest.mark.parametrize(
    "text", ["vrijdag 30 oktober 2020 10:00", "30 oktober 2020 om 10 uur", "2020-10-30T00:00"]
)
def test_parse_date_refuses_a_time(text: str) -> None:
    with pytest.raises(DateTextError, match="time"):
        parse_date(text)


def test_parse_date_refuses_missing_year() -> None:
    with pytest.raises(DateTextError, match="year"):
        parse_date("vrijdag 30 oktober")


# --- parse_deadline ---------------------------------------------------------


def test_deadline_date_runs_to_the_end_of_that_day() -> None:
    deadline = parse_deadline("vrijdag 30 oktober 2020")
    assert deadline.isoformat() == "2020-10-31T00:00:00+01:00"
    assert in_utc(deadline) == datetime(2020, 10, 30, 23, 0, tzinfo=UTC)
    assert datetime(2020, 10, 30, 23, 59, tzinfo=AMSTERDAM) < deadline


def test_deadline_on_the_25_hour_day() -> None:
    deadline = parse_deadline("zondag 25 oktober 2020")
    assert deadline.isoformat() == "2020-10-26T00:00:00+01:00"


def test_deadline_with_a_time_is_that_instant() -> None:
    deadline = parse_deadline("vrijdag 30 oktober 2020 om 17.00 uur")
    assert deadline.isoformat() == "2020-10-30T17:00:00+01:00"
    assert parse_deadline("vrijdag 21 mei 2021 10:00") == parse_datetime(
        "vrijdag 21 mei 2021 10:00"
    )


def test_deadline_in_another_zone() -> None:
    deadline = parse_deadline("30 oktober 2020", "America/New_York")
    assert deadline.isoformat() == "2020-10-31T00:00:00-04:00"


def test_deadline_refuses_what_parse_datetime_refuses() -> None:
    with pytest.raises(DateTextError):
        parse_deadline("30 oktober")
    with pytest.raises(DateTextError):
        parse_deadline("donderdag 30 oktober 2020")
    with pytest.raises(NonExistentTimeError):
        parse_deadline("29 maart 2026 02:30")


# --- DutchParserInfo with dateutil directly ---------------------------------


def test_parser_info_works_with_dateutil() -> None:
    info = DutchParserInfo()
    parsed = dateutil_parser.parse(
        "vrijdag 21 mei 2021 om 10 uur", parserinfo=info, default=datetime(2000, 1, 1)
    )
    assert parsed == datetime(2021, 5, 21, 10, 0)
    assert info.weekday("vrijdag") == 4
    assert info.weekday("ZO") == 6
    assert info.month("mrt") == 3
    assert info.month("okt") == 10
    assert info.jump("om")
    assert not info.jump("tot")


def test_parser_info_is_day_first_by_default() -> None:
    base = datetime(2000, 1, 1)
    dutch = dateutil_parser.parse("05-11-2021", parserinfo=DutchParserInfo(), default=base)
    assert dutch == datetime(2021, 11, 5)
    american = DutchParserInfo(dayfirst=False)
    assert dateutil_parser.parse("05-11-2021", parserinfo=american, default=base) == datetime(
        2021, 5, 11
    )


def test_parser_info_refuses_two_digit_years() -> None:
    with pytest.raises(DateTextError, match="two-digit"):
        dateutil_parser.parse(
            "21-05-21", parserinfo=DutchParserInfo(), default=datetime(2000, 1, 1)
        )


def test_no_clock_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """dateutil fills gaps from datetime.now() unless given a default; we always give one."""

    class NoClock(datetime):
        @classmethod
        def now(cls, tz: object = None) -> NoClock:
            raise AssertionError("the clock was read")

    fake = types.SimpleNamespace(datetime=NoClock, tzinfo=datetime.tzinfo)
    monkeypatch.setattr(dateutil_parser_module, "datetime", fake)
    with pytest.raises(AssertionError, match="clock"):
        dateutil_parser.parse("21 mei 2021", parserinfo=DutchParserInfo())
    assert in_utc(parse_datetime("vrijdag 21 mei 2021 10:00")) == SEED_INSTANT
    assert parse_date("30 oktober", default=date(2020, 1, 1)) == date(2020, 10, 30)
    with pytest.raises(DateTextError, match="year"):
        parse_date("30 oktober")


# --- properties -------------------------------------------------------------

DUTCH_WEEKDAYS = [
    ("maandag", "ma"),
    ("dinsdag", "di"),
    ("woensdag", "wo"),
    ("donderdag", "do"),
    ("vrijdag", "vr"),
    ("zaterdag", "za"),
    ("zondag", "zo"),
]
DUTCH_MONTHS = [
    ("januari", "jan"),
    ("februari", "feb"),
    ("maart", "mrt", "maa"),
    ("april", "apr"),
    ("mei",),
    ("juni", "jun"),
    ("juli", "jul"),
    ("augustus", "aug"),
    ("september", "sep", "sept"),
    ("oktober", "okt"),
    ("november", "nov"),
    ("december", "dec"),
]
ENGLISH_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

utc_minutes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31, 23, 59)
).map(lambda value: value.replace(second=0, microsecond=0, tzinfo=UTC))
casing = st.sampled_from([str.lower, str.upper, str.title, str])


def is_ambiguous(local: datetime) -> bool:
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


@given(
    instant=utc_minutes,
    data=st.data(),
    case=casing,
    time_style=st.sampled_from(["{h:02d}:{m:02d}", "{h}.{m:02d}", "om {h:02d}.{m:02d} uur"]),
)
def test_dutch_text_round_trips(
    instant: datetime, data: st.DataObject, case: Callable[[str], str], time_style: str
) -> None:
    local = instant.astimezone(AMSTERDAM)
    weekday = data.draw(st.sampled_from(DUTCH_WEEKDAYS[local.weekday()]))
    month = data.draw(st.sampled_from(DUTCH_MONTHS[local.month - 1]))
    clock = time_style.format(h=local.hour, m=local.minute)
    date_text = case(f"{weekday} {local.day} {month} {local.year}")
    text = f"{date_text} {case(clock)}"
    if is_ambiguous(local):
        # Read back in the overlap hour, the text could mean either instant.
        with pytest.raises(AmbiguousTimeError):
            parse_datetime(text)
        result = parse_datetime(text, fold=local.fold)
    else:
        result = parse_datetime(text)
    assert in_utc(result) == instant
    assert result.replace(tzinfo=None) == local.replace(tzinfo=None)
    assert result.tzinfo == AMSTERDAM
    assert parse_date(date_text) == local.date()


@given(instant=utc_minutes, zone_name=st.sampled_from(["Europe/Amsterdam", "America/New_York"]))
def test_english_text_round_trips(instant: datetime, zone_name: str) -> None:
    local = instant.astimezone(ZoneInfo(zone_name))
    assume(not is_ambiguous(local))
    hour12 = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    text = (
        f"{ENGLISH_WEEKDAYS[local.weekday()]}, {ENGLISH_MONTHS[local.month - 1]} {local.day}, "
        f"{local.year} {hour12}:{local.minute:02d} {suffix}"
    )
    assert in_utc(parse_datetime(text, zone_name)) == instant


@given(instant=utc_minutes)
def test_iso_text_with_offset_round_trips(instant: datetime) -> None:
    local = instant.astimezone(AMSTERDAM)
    # Even inside the overlap hour: the offset says which instant is meant.
    assert in_utc(parse_datetime(local.isoformat())) == instant
    assert in_utc(parse_datetime(instant.isoformat(), "Asia/Kolkata")) == instant


@given(day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_deadline_date_round_trips(day: date) -> None:
    weekday = DUTCH_WEEKDAYS[day.weekday()][0]
    month = DUTCH_MONTHS[day.month - 1][0]
    text = f"{weekday} {day.day} {month} {day.year}"
    assert parse_date(text) == day
    deadline = parse_deadline(text)
    assert deadline.replace(tzinfo=None) == datetime.combine(
        day + timedelta(days=1), datetime.min.time()
    )
    wrong = DUTCH_WEEKDAYS[(day.weekday() + 1) % 7][0]
    with pytest.raises(DateTextError):
        parse_date(f"{wrong} {day.day} {month} {day.year}")


VOCABULARY = [
    "21", "5", "2021", "31", "12", "0", "99", "1930", "10:00", "19.30", "2021-05-21", "21.05.2021",
    "mei", "okt", "May", "vrijdag", "do", "Friday", "om", "uur", "u", "t", "T", "Z", "UTC", "GMT",
    "CET", "am", "pm", "of", "+", "-", "/", ".", ":", ",", "+02:00", "-0400", " ", " ", " ",
    "t/m", "tot", "h", "m", "s", "e", "ste", "'", "(", ")", "\u2013", "ĳ", "é",
]  # fmt: skip


@given(
    text=st.one_of(
        st.text(max_size=40), st.lists(st.sampled_from(VOCABULARY), max_size=12).map("".join)
    )
)
def test_any_text_is_read_or_refused_cleanly(text: str) -> None:
    for parse in (parse_datetime, parse_deadline):
        try:
            result = parse(text)
        except InvalidInputError:
            pass
        else:
            assert isinstance(result, datetime)
            assert result.tzinfo == AMSTERDAM
    try:
        day = parse_date(text)
    except InvalidInputError:
        pass
    else:
        assert type(day) is date
