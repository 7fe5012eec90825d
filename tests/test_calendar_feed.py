"""Published feeds: every session once, no METHOD, no personal data, links only when allowed."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from icalendar import Calendar

from participatie import InvalidInputError
from participatie.calendar import (
    CalendarOptions,
    advance,
    feed,
    feed_proposals,
    render_feed,
    session_uid,
)
from participatie.calendar._text import clean_line

from .calendar_helpers import check_physical_lines, property_names, utc, vobject_events
from .conftest import at, week_event
from .test_calendar_invitation import NASTY, forced

NOW = at(2020, 10, 20, 9, 0)


def test_event_feed_round_trip() -> None:
    event = week_event()
    published = feed(event, now=NOW)
    check_physical_lines(published.ics)
    calendar = Calendar.from_ical(published.ics)
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == event.title
    events = calendar.walk("VEVENT")
    assert [str(v["UID"]) for v in events] == [
        session_uid(event.key, s.key, "example.org") for s in event.sessions
    ]
    for vevent, session in zip(events, event.sessions, strict=True):
        assert utc(vevent["DTSTART"].dt) == utc(session.start)
        assert utc(vevent["DTEND"].dt) == utc(session.end)
        assert vevent["SEQUENCE"] == 0
        assert vevent["DTSTAMP"].dt == NOW
    # No personal data and no meeting semantics: no ATTENDEE, no ORGANIZER.
    for names in property_names(published.ics):
        assert "ATTENDEE" not in names
        assert "ORGANIZER" not in names
        assert "URL" not in names
        assert "CONFERENCE" not in names
    assert b"meet.example.org" not in published.ics
    assert "persoonlijke uitnodiging" in str(events[0]["DESCRIPTION"])
    independent = vobject_events(published.ics)
    assert [utc(v.dtstart.value) for v in independent] == [utc(s.start) for s in event.sessions]  # type: ignore[attr-defined]
    # Each entry on its own (for CalDAV) is a whole calendar with one VEVENT.
    for entry in published.entries:
        one = Calendar.from_ical(entry.ics)
        assert "METHOD" not in one
        assert [str(v["UID"]) for v in one.walk("VEVENT")] == [entry.uid]
        assert one.walk("VTIMEZONE")


def test_links_only_when_the_organiser_allows() -> None:
    published = feed(
        week_event(), now=NOW, options=CalendarOptions(join_links_in_public_feeds=True)
    )
    vevent = Calendar.from_ical(published.ics).walk("VEVENT")[0]
    assert str(vevent["URL"]) == "https://meet.example.org/5-november"
    assert str(vevent["CONFERENCE"]) == "https://meet.example.org/5-november"


def test_audience_feed_and_unknown_audience() -> None:
    event = week_event()
    professionals = feed(event, now=NOW, audience="professional")
    assert [e.session_key for e in professionals.entries] == ["professionals"]
    assert "(professional)" in str(Calendar.from_ical(professionals.ics)["X-WR-CALNAME"])
    with pytest.raises(InvalidInputError):
        feed(event, now=NOW, audience="journalist")


def test_moved_session_is_an_update_and_cancelled_one_leaves() -> None:
    event = week_event()
    first = feed(event, now=NOW)
    states = {state.uid: state for state in first.states}
    session = event.session("clienten")
    moved_session = attrs.evolve(
        session, start=session.start + timedelta(days=1), end=session.end + timedelta(days=1)
    )
    moved_event = attrs.evolve(event, sessions=[moved_session, event.session("professionals")])
    later = NOW + timedelta(hours=1)
    moved = feed(moved_event, now=later, previous=states)
    assert [(e.session_key, e.state.sequence) for e in moved.entries] == [
        ("clienten", 1),
        ("professionals", 0),
    ]
    vevent = Calendar.from_ical(moved.ics).walk("VEVENT")[0]
    assert vevent["DTSTAMP"].dt == later
    cancelled_event = attrs.evolve(
        event,
        sessions=[attrs.evolve(moved_session, cancelled=True), event.session("professionals")],
    )
    after = feed(cancelled_event, now=later, previous={s.uid: s for s in moved.states})
    assert [e.session_key for e in after.entries] == ["professionals"]
    assert after.removed == (moved.entries[0].uid,)
    assert len(Calendar.from_ical(after.ics).walk("VEVENT")) == 1


def test_render_needs_a_state_for_every_session() -> None:
    event = week_event()
    with pytest.raises(InvalidInputError, match="no calendar state"):
        render_feed(event, {})
    proposals = feed_proposals(event)
    states = {p.uid: advance(None, p, NOW) for p in proposals}
    assert all(state is not None for state in states.values())


def test_empty_event_gives_an_empty_calendar() -> None:
    event = attrs.evolve(week_event(), sessions=())
    published = feed(event, now=NOW)
    calendar = Calendar.from_ical(published.ics)
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=NASTY, purpose=NASTY, session_title=NASTY, place=NASTY, label=NASTY)
def test_feed_text_never_breaks_the_file(
    title: str, purpose: str, session_title: str, place: str, label: str
) -> None:
    event = forced(week_event(), title=title, purpose=purpose)
    audiences = [forced(a, label=label) for a in event.audiences]  # type: ignore[attr-defined]
    session = forced(event.session("clienten"), title=session_title, place=place)  # type: ignore[attr-defined]
    event = forced(event, audiences=tuple(audiences), sessions=(session,))
    published = feed(event, now=NOW)  # type: ignore[arg-type]
    check_physical_lines(published.ics)
    [names] = property_names(published.ics)
    assert "ATTENDEE" not in names
    [calendar_names] = property_names(published.ics, "VCALENDAR")
    expected = {"VERSION", "PRODID", "NAME", "X-WR-CALNAME", "REFRESH-INTERVAL", "UID"}
    if clean_line(purpose):
        expected |= {"DESCRIPTION", "X-WR-CALDESC"}
    assert sorted(calendar_names) == sorted(expected)
    calendar = Calendar.from_ical(published.ics)
    assert len(calendar.walk("VEVENT")) == 1
    assert len(vobject_events(published.ics)) == 1
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == clean_line(f"{title}: {session_title}")
