"""Calendar messages through the facade: states kept in the store, on every built-in backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from icalendar import Calendar

from participatie import (
    Consent,
    FixedClock,
    GroupDetails,
    InvalidInputError,
    Participatie,
    SessionCancelledError,
)
from participatie.calendar import CalendarOptions

from .calendar_helpers import property_names, utc, vobject_events
from .conftest import EVENT_KEY, client, week_event


@pytest.fixture(params=["memory", "sqlite"])
def app(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Participatie]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/calendar.db"
    with Participatie.open(url, clock=clock) as opened:
        opened.save_event(week_event(capacity=3))
        yield opened


def register(app: Participatie, number: int, consent: Consent, session: str = "clienten") -> int:
    return app.register(EVENT_KEY, session, client(number), consent=consent).id


def move_session(app: Participatie, hours: int) -> None:
    event = app.event(EVENT_KEY)
    sessions = [
        attrs.evolve(s, start=s.start + timedelta(hours=hours), end=s.end + timedelta(hours=hours))
        if s.key == "clienten"
        else s
        for s in event.sessions
    ]
    app.save_event(attrs.evolve(event, sessions=sessions))


def test_lifecycle_through_the_store(
    app: Participatie, clock: FixedClock, consent: Consent
) -> None:
    """Invitation, new time, new group, cancellation: one UID, rising SEQUENCE, right METHOD."""
    rid = register(app, 1, consent)
    first = app.invitation(rid)
    assert first is not None
    assert (first.method, first.sequence, first.changed, first.registration_id) == (
        "REQUEST",
        0,
        True,
        rid,
    )

    # Asking again changes nothing: a resend is harmless.
    clock.advance(timedelta(hours=1))
    again = app.invitation(rid)
    assert again is not None
    assert (again.sequence, again.changed) == (0, False)

    clock.advance(timedelta(hours=1))
    move_session(app, 2)
    moved = app.invitation(rid)
    assert moved is not None
    [vevent] = Calendar.from_ical(moved.ics).walk("VEVENT")
    assert utc(vevent["DTSTART"].dt) == utc(app.session(EVENT_KEY, "clienten").start)

    clock.advance(timedelta(hours=1))
    grouped = app.invitation(rid, group=GroupDetails("Groep 1", "https://meet.example.org/g1"))
    assert grouped is not None

    clock.advance(timedelta(hours=1))
    app.cancel(rid)
    cancelled = app.invitation(rid)
    assert cancelled is not None

    messages = [first, moved, grouped, cancelled]
    assert len({m.uid for m in messages}) == 1
    assert [m.sequence for m in messages] == [0, 1, 2, 3]
    assert [m.method for m in messages] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert [str(Calendar.from_ical(m.ics)["METHOD"]) for m in messages] == [
        m.method for m in messages
    ]
    assert [int(vobject_events(m.ics)[0].sequence.value) for m in messages] == [0, 1, 2, 3]  # type: ignore[attr-defined]
    assert app.store.calendar_states([first.uid])[first.uid] == cancelled.state

    # Registering again for the same session revives the same entry, with a higher SEQUENCE.
    clock.advance(timedelta(hours=1))
    again_id = register(app, 1, consent)
    revived = app.invitation(again_id)
    assert revived is not None
    assert (revived.uid, revived.method, revived.sequence) == (first.uid, "REQUEST", 4)
    # The old, cancelled registration now speaks for the same place: it must not cancel it.
    old = app.invitation(rid)
    assert old is not None
    assert (old.method, old.sequence, old.changed) == ("REQUEST", 4, False)


def test_waiting_list_gets_no_invitation_until_promoted(
    app: Participatie, clock: FixedClock, consent: Consent
) -> None:
    ids = [register(app, n, consent) for n in range(4)]
    assert app.invitation(ids[3]) is None
    assert app.store.calendar_states([]) == {}
    app.cancel(ids[3])
    assert app.invitation(ids[3]) is None  # never announced: nothing to cancel
    waiting = register(app, 9, consent)
    app.invitation(ids[0])
    clock.advance(timedelta(minutes=5))
    app.cancel(ids[0])
    promoted = app.invitation(waiting)
    assert promoted is not None
    assert promoted.method == "REQUEST"


def test_invitations_for_a_session_and_a_session_cancelled(
    app: Participatie, clock: FixedClock, consent: Consent
) -> None:
    ids = [register(app, n, consent) for n in range(3)]
    register(app, 3, consent)  # waiting list
    groups = {ids[0]: GroupDetails("Groep A"), ids[1]: GroupDetails("Groep B")}
    sent = app.invitations(
        EVENT_KEY,
        "clienten",
        groups=groups,
        options=CalendarOptions(reminders=[timedelta(hours=1)]),
    )
    assert [m.registration_id for m in sent] == ids
    assert all(m.method == "REQUEST" and m.changed for m in sent)
    assert len({m.uid for m in sent}) == 3
    assert "Groep A" in str(Calendar.from_ical(sent[0].ics).walk("VEVENT")[0]["SUMMARY"])
    # One message per person: each file names one attendee only.
    for message in sent:
        [names] = property_names(message.ics)
        assert names.count("ATTENDEE") == 1

    clock.advance(timedelta(hours=1))
    unchanged = app.invitations(
        EVENT_KEY,
        "clienten",
        groups=groups,
        options=CalendarOptions(reminders=[timedelta(hours=1)]),
    )
    assert not any(m.changed for m in unchanged)

    clock.advance(timedelta(hours=1))
    cancellations = app.cancel_session(EVENT_KEY, "clienten")
    assert [m.registration_id for m in cancellations] == ids
    assert all(m.method == "CANCEL" and m.sequence == 1 for m in cancellations)
    assert app.session(EVENT_KEY, "clienten").cancelled
    # Cancelling again repeats the same cancellation, no new SEQUENCE.
    repeated = app.cancel_session(EVENT_KEY, "clienten")
    assert [(m.sequence, m.changed) for m in repeated] == [(1, False)] * 3
    with pytest.raises(SessionCancelledError):
        app.register(EVENT_KEY, "clienten", client(20), consent=consent)


def test_feed_keeps_sequence_per_session(app: Participatie, clock: FixedClock) -> None:
    feed = app.calendar_feed(EVENT_KEY)
    assert [e.session_key for e in feed.entries] == ["clienten", "professionals"]
    assert [e.state.sequence for e in feed.entries] == [0, 0]
    same = app.calendar_feed(EVENT_KEY)
    assert same.ics == feed.ics  # unchanged: byte for byte (a stable ETag)
    clock.advance(timedelta(hours=1))
    move_session(app, 1)
    moved = app.calendar_feed(EVENT_KEY)
    assert [e.state.sequence for e in moved.entries] == [1, 0]
    audience = app.calendar_feed(EVENT_KEY, "professional")
    assert [e.session_key for e in audience.entries] == ["professionals"]
    clock.advance(timedelta(hours=1))
    app.cancel_session(EVENT_KEY, "clienten")
    after = app.calendar_feed(EVENT_KEY)
    assert [e.session_key for e in after.entries] == ["professionals"]
    assert after.removed == (moved.entries[0].uid,)
    with pytest.raises(InvalidInputError, match="no audience"):
        app.calendar_feed(EVENT_KEY, "journalist")


def test_store_keeps_states_across_reopening(
    tmp_path: Path, clock: FixedClock, consent: Consent
) -> None:
    url = f"sqlite:///{tmp_path}/kept.db"
    with Participatie.open(url, clock=clock) as app:
        app.save_event(week_event())
        rid = register(app, 1, consent)
        first = app.invitation(rid)
    clock.advance(timedelta(hours=1))
    with Participatie.open(url, clock=clock) as app:
        move_session(app, 1)
        update = app.invitation(rid)
    assert first is not None
    assert update is not None
    assert (update.uid, update.sequence) == (first.uid, 1)


def test_cancelled_session_round_trips_in_the_store(app: Participatie) -> None:
    event = app.event(EVENT_KEY)
    off = attrs.evolve(
        event,
        sessions=[
            attrs.evolve(event.session("clienten"), cancelled=True),
            event.session("professionals"),
        ],
    )
    app.save_event(off)
    assert app.event(EVENT_KEY) == off
    assert app.session(EVENT_KEY, "clienten").cancelled
    assert not app.session(EVENT_KEY, "professionals").cancelled


def test_old_event_documents_read_as_not_cancelled() -> None:
    from participatie.storage._codec import decode_event, encode_event

    text = encode_event(week_event()).replace(',"cancelled":false', "")
    assert '"cancelled"' not in text
    assert not decode_event(text).session("clienten").cancelled
