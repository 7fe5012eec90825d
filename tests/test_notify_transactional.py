"""Calendar parts numbered inside the change's transaction; group, assignment and feedback
messages queued with their cause; old messages purged without forgetting their keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import attrs
import icalendar
import pytest

from participatie import (
    Consent,
    DeliveryState,
    FixedClock,
    Notifications,
    Participatie,
    Preference,
    Registration,
)
from participatie.calendar import invitation_token
from participatie.outbox import OutboxRecord
from participatie.testing import RecordingChannel
from tests.conftest import EVENT_KEY, at, client, week_event
from tests.test_notifications import plugins, store_url

__all__ = ["store_url"]  # the memory and SQLite stores, as for the other notification tests


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(2020, 10, 20, 9, 0))


@pytest.fixture
def app(store_url: str, clock: FixedClock) -> Iterator[Participatie]:
    # The default notifications: the built-in calendar parts.
    with Participatie.open(
        store_url,
        clock=clock,
        plugins=plugins(),
        notifications=Notifications(channels=("mail",)),
        channels={"mail": RecordingChannel(rich=True)},
    ) as app:
        app.save_event(week_event(capacity=3))
        yield app


def consent(app: Participatie) -> Consent:
    return Consent("2020-10", app.now())


def entry(record: OutboxRecord) -> tuple[str, int, str, icalendar.Event]:
    """The calendar part of a queued message, read by the icalendar parser."""
    part = record.message.calendar
    assert part is not None, record.message.kind
    calendar = icalendar.Calendar.from_ical(part.ics)
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == part.method
    return part.method, int(event["SEQUENCE"]), str(event["UID"]), event


def of_kind(app: Participatie, kind: str, registration: Registration) -> list[OutboxRecord]:
    return [
        r for r in app.outbox() if r.message.kind == kind and r.registration_id == registration.id
    ]


def token_of(registration: Registration) -> str:
    return invitation_token(
        registration.event_key, registration.session_key, registration.person.email
    )


def test_a_place_and_its_changes_reach_the_calendar_numbered_by_the_store(
    app: Participatie, clock: FixedClock
) -> None:
    mine = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    [confirmation] = of_kind(app, "confirmation", mine)
    method, sequence, uid, _event = entry(confirmation)
    assert (method, sequence) == ("REQUEST", 0)
    assert uid.split("@")[0] == token_of(mine)
    stored = app.store.calendar_states([uid])
    assert stored[uid].sequence == 0

    # The session moves: the change notice carries the update, SEQUENCE 1.
    clock.advance(timedelta(hours=1))
    event = app.event(EVENT_KEY)
    session = event.session("clienten")
    later = attrs.evolve(
        session, start=session.start + timedelta(hours=1), end=session.end + timedelta(hours=1)
    )
    app.save_event(attrs.evolve(event, sessions=[later, event.session("professionals")]))
    [change] = of_kind(app, "change", mine)
    method, sequence, same_uid, vevent = entry(change)
    assert (method, sequence, same_uid) == ("REQUEST", 1, uid)
    assert vevent.decoded("DTSTART") == later.start

    # The facade's own calendar message agrees with what was sent: nothing changed.
    invitation = app.invitation(mine.id)
    assert invitation is not None
    assert (invitation.sequence, invitation.changed) == (1, False)

    # Cancelling withdraws the entry with the same UID and a higher SEQUENCE.
    clock.advance(timedelta(hours=1))
    app.cancel(mine.id)
    [cancellation] = of_kind(app, "cancellation", mine)
    method, sequence, same_uid, vevent = entry(cancellation)
    assert (method, sequence, same_uid) == ("CANCEL", 2, uid)
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_a_rolled_back_change_raises_no_sequence(app: Participatie) -> None:
    planner = app.store.message_planner
    assert planner is not None

    class Failing:
        def sessions_to_recheck(self, previous: object, event: object) -> object:
            return planner.sessions_to_recheck(previous, event)  # type: ignore[arg-type]

        def plan(self, *args: object, **kwargs: object) -> object:
            planner.plan(*args, **kwargs)  # type: ignore[arg-type]  # numbers the entry …
            raise RuntimeError("on purpose")  # … then the change fails

    app.store.message_planner = Failing()  # type: ignore[assignment]
    with pytest.raises(RuntimeError, match="on purpose"):
        app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    app.store.message_planner = planner
    assert app.registrations(EVENT_KEY) == []
    assert app.outbox() == []
    mine = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    [confirmation] = of_kind(app, "confirmation", mine)
    assert entry(confirmation)[:2] == ("REQUEST", 0)


def test_a_waiting_list_place_has_no_calendar_entry(app: Participatie) -> None:
    for n in range(3):
        app.register(EVENT_KEY, "clienten", client(n), consent=consent(app))
    waiting = app.register(EVENT_KEY, "clienten", client(9), consent=consent(app))
    [notice] = of_kind(app, "waiting-list", waiting)
    assert notice.message.calendar is None
    app.cancel(waiting.id)
    [cancellation] = of_kind(app, "cancellation", waiting)
    assert cancellation.message.calendar is None  # never announced, nothing to withdraw


def test_groups_are_told_once_with_their_calendar_entry(
    app: Participatie, clock: FixedClock
) -> None:
    people = [
        app.register(EVENT_KEY, "clienten", client(n), consent=consent(app)) for n in range(2)
    ]
    clock.advance(timedelta(days=1))
    groups = app.form_groups(EVENT_KEY, "clienten", seed=1)
    assert app.notify_groups(EVENT_KEY) == 2
    number = {m.id: g.number for g in groups for m in g.members}
    for registration in people:
        [told] = of_kind(app, "group-assignment", registration)
        assert f"groep {number[registration.id]}" in told.message.text
        method, sequence, _uid, vevent = entry(told)
        # The group is a significant change of the entry the confirmation made.
        assert (method, sequence) == ("REQUEST", 1)
        assert f"Groep {number[registration.id]}" in str(vevent["SUMMARY"]) + str(
            vevent.get("DESCRIPTION", "")
        ) + str(vevent.get("LOCATION", ""))
    stored = app.store.get_groups(EVENT_KEY, "clienten")
    assert stored is not None
    assert all(p.notified for p in stored.placements)
    # Again: nobody new, nothing queued.
    before = len(app.outbox())
    assert app.notify_groups(EVENT_KEY, "clienten") == 0
    assert len(app.outbox()) == before
    # A late registration is placed without moving anyone, and only they are told.
    late = app.register(EVENT_KEY, "clienten", client(7), consent=consent(app))
    app.form_groups(EVENT_KEY, "clienten", seed=1)
    assert app.notify_groups(EVENT_KEY, "clienten") == 1
    assert len(of_kind(app, "group-assignment", late)) == 1


def test_an_assignment_confirms_and_moves_with_calendar_parts(
    app: Participatie, clock: FixedClock
) -> None:
    # Client 1 registered for the morning by hand; the organiser adds an
    # afternoon session and lets the assignment move people (free of charge).
    mover = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    clock.advance(timedelta(days=1))
    event = app.event(EVENT_KEY)
    morning = event.session("clienten")
    afternoon = attrs.evolve(
        morning,
        key="clienten-middag",
        title="Middagsessie voor cliënten",
        start=morning.start + timedelta(hours=4),
        end=morning.end + timedelta(hours=4),
    )
    app.save_event(attrs.evolve(event, sessions=[*event.sessions, afternoon]))
    preferences = [
        Preference(mover.person, ("clienten-middag", "clienten")),
        Preference(client(2), ("clienten",)),
    ]
    report = app.assign_sessions(EVENT_KEY, preferences, mode="optimal", move_penalty=0)
    assert report.moved == (mover.person.email,)
    transitions = app.apply_assignment(EVENT_KEY)
    assert sorted(t.reason for t in transitions) == ["moved", "registered", "registered"]
    [withdrawn] = of_kind(app, "cancellation", mover)
    assert entry(withdrawn)[:2] == ("CANCEL", 1)
    assert "Middagsessie voor cliënten" in withdrawn.message.text
    new_place = next(
        t.registration
        for t in transitions
        if t.registration.person.email == mover.person.email and t.reason == "registered"
    )
    [confirmation] = of_kind(app, "confirmation", new_place)
    assert entry(confirmation)[:2] == ("REQUEST", 0)
    assert entry(confirmation)[2] != entry(withdrawn)[2]  # another place, another entry


def test_a_cancelled_session_withdraws_every_entry(app: Participatie) -> None:
    people = [
        app.register(EVENT_KEY, "clienten", client(n), consent=consent(app)) for n in range(2)
    ]
    app.cancel_session(EVENT_KEY, "clienten")
    for registration in people:
        [cancellation] = of_kind(app, "cancellation", registration)
        assert entry(cancellation)[:2] == ("CANCEL", 1)
    assert [r.message.kind for r in app.outbox([DeliveryState.SUPERSEDED])] == ["reminder"] * 2


def test_old_messages_are_purged_but_never_sent_again(app: Participatie, clock: FixedClock) -> None:
    mine = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    app.dispatch()
    sent = app.outbox([DeliveryState.SENT])
    assert [r.message.kind for r in sent] == ["confirmation"]
    assert app.purge_outbox(timedelta(days=30)) == 0  # too recent
    clock.advance(timedelta(days=31))
    assert app.purge_outbox(timedelta(days=30)) == 1
    assert [r.message.kind for r in app.outbox()] == ["reminder"]  # still pending
    # Queuing the same message again (a re-run) queues nothing.
    assert app.queue_message("confirmation", mine.id, key=sent[0].key.rsplit("/", 1)[0]) == 0


def test_messages_carry_the_personal_link(
    store_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    def link(registration: Registration) -> str:
        if registration.person.email == "deelnemer9@example.org":
            raise RuntimeError("deelnemer9@example.org has no link")  # must not be logged
        return f"https://meedoen.example.org/mijn/{registration.id}"

    with Participatie.open(
        store_url,
        clock=clock,
        plugins=plugins(),
        notifications=Notifications(channels=("mail",), personal_link=link),
        channels={"mail": RecordingChannel(rich=True)},
    ) as app:
        app.save_event(week_event(capacity=1))
        mine = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
        waiting = app.register(EVENT_KEY, "clienten", client(2), consent=consent(app))
        [confirmation] = of_kind(app, "confirmation", mine)
        assert f"https://meedoen.example.org/mijn/{mine.id}" in confirmation.message.text
        assert "Bewaar deze link" in confirmation.message.text
        assert confirmation.message.html is not None
        assert f"https://meedoen.example.org/mijn/{mine.id}" in confirmation.message.html
        [notice] = of_kind(app, "waiting-list", waiting)
        assert f"/mijn/{waiting.id}" in notice.message.text
        # A cancellation has nothing left to manage: no link.
        app.cancel(mine.id)
        [cancellation] = of_kind(app, "cancellation", mine)
        assert "/mijn/" not in cancellation.message.text
        # A link maker that fails never blocks a registration.
        app.save_event(week_event(capacity=5))
        failing = app.register(EVENT_KEY, "clienten", client(9), consent=consent(app))
        [plain] = of_kind(app, "confirmation", failing)
        assert "/mijn/" not in plain.message.text
        assert "the personal link failed" in caplog.text
        assert "deelnemer9" not in caplog.text
