"""Reading sessions from an organiser's calendar file; clear errors for what cannot be mapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from participatie import CalendarImportError, InvalidInputError, import_sessions, local_datetime
from participatie.calendar import feed, series_calendar

from .conftest import at, week_event
from .test_calendar_series import tuesday_evenings

TZ = "Europe/Amsterdam"


def ics(*events: str, extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Voorbeeld//Agenda//NL\r\n"
        f"{extra}{body}END:VCALENDAR\r\n"
    )


def test_our_own_feed_reads_back_into_the_same_sessions() -> None:
    event = week_event()
    data = feed(event, now=at(2020, 10, 20, 9, 0)).ics
    sessions = import_sessions(data, capacity=10)
    assert [(s.title, s.start, s.end) for s in sessions] == [
        (f"{event.title}: {s.title}", s.start, s.end) for s in event.sessions
    ]
    assert [s.key for s in sessions] == [
        "week-van-reflectie-en-verrijking-sessie-20201105",
        "week-van-reflectie-en-verrijking-sessie-20201106",
    ]
    assert all(s.capacity == 10 for s in sessions)


def test_fields_are_mapped() -> None:
    data = ics(
        """
UID:a@example.org
SUMMARY:Dialoog\\, met cliëntenraden
DTSTART;TZID=Europe/Amsterdam:20210521T100000
DTEND;TZID=Europe/Amsterdam:20210521T113000
LOCATION:Vanuit je eigen werkplek\\nof thuis
URL:https://meet.example.org/dialoog
""",
        """
UID:b@example.org
SUMMARY:Terugkoppeling
DTSTART:20210601T080000Z
DURATION:PT1H
CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://meet.example.org/terug
""",
        """
UID:c@example.org
SUMMARY:Zwevend
DTSTART:20210602T190000
DTEND:20210602T200000
""",
    )
    first, second, third = import_sessions(data)
    assert first.title == "Dialoog, met cliëntenraden"
    assert first.start == local_datetime(datetime(2021, 5, 21, 10, 0), TZ)
    assert first.end - first.start == timedelta(minutes=90)
    assert first.place == "Vanuit je eigen werkplek / of thuis"
    assert first.online_link == "https://meet.example.org/dialoog"
    assert second.start == datetime(2021, 6, 1, 8, 0, tzinfo=UTC)
    assert second.end - second.start == timedelta(hours=1)
    assert second.online_link == "https://meet.example.org/terug"
    # A time without a zone is read on the event's clocks.
    assert third.start == local_datetime(datetime(2021, 6, 2, 19, 0), TZ)
    assert str(third.start.tzinfo) == TZ


def test_recurring_entry_with_exceptions_and_moves() -> None:
    data = ics(
        """
UID:reeks@example.org
SUMMARY:Spreekuur
DTSTART;TZID=Europe/Amsterdam:20260317T193000
DTEND;TZID=Europe/Amsterdam:20260317T213000
RRULE:FREQ=WEEKLY;COUNT=5
EXDATE;TZID=Europe/Amsterdam:20260324T193000
""",
        """
UID:reeks@example.org
RECURRENCE-ID;TZID=Europe/Amsterdam:20260331T193000
SUMMARY:Spreekuur (verzet)
DTSTART;TZID=Europe/Amsterdam:20260401T200000
DTEND;TZID=Europe/Amsterdam:20260401T220000
""",
        """
UID:reeks@example.org
RECURRENCE-ID;TZID=Europe/Amsterdam:20260407T193000
SUMMARY:Spreekuur
STATUS:CANCELLED
DTSTART;TZID=Europe/Amsterdam:20260407T193000
DTEND;TZID=Europe/Amsterdam:20260407T213000
""",
    )
    sessions = import_sessions(data)
    assert [(s.key, s.start.strftime("%d %H:%M")) for s in sessions] == [
        ("spreekuur-20260317", "17 19:30"),
        ("spreekuur-verzet-20260401", "01 20:00"),
        ("spreekuur-20260414", "14 19:30"),
    ]
    # The evening after the clocks went forward is still 19:30 local (CEST).
    assert sessions[2].start.utcoffset() == timedelta(hours=2)


def test_our_series_reads_back_into_its_sessions() -> None:
    series = tuesday_evenings()
    data = series_calendar(week_event(), series, now=datetime(2026, 3, 1, tzinfo=UTC))
    sessions = import_sessions(data)
    assert [s.start for s in sessions] == list(series.starts())


def test_every_problem_is_reported_at_once_and_nothing_is_imported() -> None:
    data = ics(
        "UID:allday@example.org\r\nSUMMARY:Hele dag\r\n"
        "DTSTART;VALUE=DATE:20210521\r\nDTEND;VALUE=DATE:20210522",
        "UID:noend@example.org\r\nSUMMARY:Geen eind\r\nDTSTART:20210521T080000Z",
        "UID:nostart@example.org\r\nSUMMARY:Geen begin",
        "UID:notitle@example.org\r\nDTSTART:20210521T080000Z\r\nDTEND:20210521T090000Z",
        "UID:back@example.org\r\nSUMMARY:Achteruit\r\nDTSTART:20210521T080000Z\r\nDTEND:20210521T070000Z",
        "UID:link@example.org\r\nSUMMARY:Link\r\nDTSTART:20210521T080000Z\r\n"
        "DTEND:20210521T090000Z\r\nURL:ftp://example.org/x",
        "UID:forever@example.org\r\nSUMMARY:Altijd\r\nDTSTART:20210521T080000Z\r\n"
        "DTEND:20210521T090000Z\r\nRRULE:FREQ=WEEKLY",
        "UID:gap@example.org\r\nSUMMARY:Gat\r\nDTSTART:20260329T023000\r\nDTEND:20260329T033000",
        "UID:ok@example.org\r\nSUMMARY:Goed\r\nDTSTART:20210521T080000Z\r\nDTEND:20210521T090000Z",
        extra="BEGIN:VTODO\r\nUID:todo@example.org\r\nSUMMARY:Zaal boeken\r\nEND:VTODO\r\n",
    )
    with pytest.raises(CalendarImportError) as caught:
        import_sessions(data)
    problems = caught.value.problems
    assert isinstance(caught.value, InvalidInputError)
    expected = {
        "allday@example.org": "all-day",
        "noend@example.org": "no end",
        "nostart@example.org": "no DTSTART",
        "notitle@example.org": "no title",
        "back@example.org": "ends before it starts",
        "link@example.org": "not an http",
        "forever@example.org": "never ends",
        "gap@example.org": "does not exist",
        "todo@example.org": "only events",
    }
    for uid, words in expected.items():
        assert any(uid in problem and words in problem for problem in problems), (uid, problems)
    assert len(problems) == len(expected)
    assert not any("ok@example.org" in problem for problem in problems)
    assert "cannot be imported" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [b"not a calendar", b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", b""],
)
def test_unreadable_or_empty_files(data: bytes) -> None:
    with pytest.raises(CalendarImportError):
        import_sessions(data)


def test_duplicate_titles_on_a_day_get_distinct_keys() -> None:
    entry = (
        "SUMMARY:Groep\r\nDTSTART:20210521T{h}0000Z\r\n"
        "DTEND:20210521T{h}3000Z\r\nUID:{h}@example.org"
    )
    sessions = import_sessions(ics(*(entry.format(h=h) for h in ("08", "09", "10"))))
    assert [s.key for s in sessions] == ["groep-20210521", "groep-20210521-2", "groep-20210521-3"]


@pytest.mark.parametrize("url", ["https://meet.example.org/a b", "https://meet.example.org/a\\nb"])
def test_a_link_with_spaces_or_line_breaks_is_refused(url: str) -> None:
    data = ics(f"SUMMARY:X\r\nDTSTART:20210521T080000Z\r\nDTEND:20210521T090000Z\r\nURL:{url}")
    with pytest.raises(CalendarImportError, match="cannot be used as a join link"):
        import_sessions(data)


def test_an_imported_recurrence_keeps_the_exact_duration_across_a_clock_change() -> None:
    data = ics(
        "UID:n@example.org\r\nSUMMARY:Nacht\r\n"
        "DTSTART;TZID=Europe/Amsterdam:20260328T013000\r\n"
        "DTEND;TZID=Europe/Amsterdam:20260328T033000\r\nRRULE:FREQ=DAILY;COUNT=2"
    )
    first, second = import_sessions(data)
    for session in (first, second):
        real = session.end.astimezone(UTC) - session.start.astimezone(UTC)
        assert real == timedelta(hours=2)
    assert second.end.strftime("%H:%M") == "04:30"
