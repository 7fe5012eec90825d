"""Descriptions refuse bad values at the edge, with our own errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import (
    ALLOWED_TRANSITIONS,
    Audience,
    Consent,
    Event,
    HelpDesk,
    InvalidInputError,
    NaiveDatetimeError,
    Person,
    Registration,
    RegistrationState,
    Session,
    UnknownSessionError,
)
from participatie._validate import MAX_LINE_LENGTH, has_control_characters, normalise_email

from .conftest import at, week_event


def session(**changes: object) -> Session:
    base = week_event().sessions[0]
    return attrs.evolve(base, **changes)


def test_seed_event_is_valid() -> None:
    event = week_event()
    assert event.timezone == "Europe/Amsterdam"
    assert event.session("clienten").is_for("client")
    assert not event.session("clienten").is_for("professional")
    assert event.audience("client").label == "cliënt"
    assert event.audience("unknown").label == "unknown"
    with pytest.raises(UnknownSessionError):
        event.session("nope")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"key": "-x"}, "key"),
        ({"title": ""}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"title": "null\x00byte"}, "title"),
        ({"title": "line\u2028separator"}, "title"),
        ({"end": at(2020, 11, 5, 9, 0)}, "ends"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"max_group_size": -1}, "max group size"),
        ({"online_link": "javascript:alert(1)"}, "online link"),
        ({"online_link": "https://example.org/a\r\nX-Injected: 1"}, "online link"),
        ({"online_link": "https://"}, "online link"),
        ({"place": "Zaal\r\n1"}, "place"),
        ({"audiences": {"Not A Slug"}}, "key"),
        ({"registration_opens": at(2020, 11, 1, 0, 0)}, "closes before it opens"),
        ({"offer_period": timedelta(0)}, "offer period"),
    ],
)
def test_bad_session_values_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        session(**changes)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        session(start=datetime(2020, 11, 5, 10, 0))
    with pytest.raises(NaiveDatetimeError):
        Consent("v1", datetime(2020, 10, 1, 9, 0))
    with pytest.raises(InvalidInputError, match="must be a datetime"):
        session(registration_closes="2020-10-30")


def test_a_lone_audience_string_is_one_audience() -> None:
    assert session(audiences="client").audiences == frozenset({"client"})


def test_event_checks_its_sessions() -> None:
    event = week_event()
    first = event.sessions[0]
    with pytest.raises(InvalidInputError, match="two sessions"):
        attrs.evolve(event, sessions=[first, first])
    with pytest.raises(InvalidInputError, match="does not define"):
        attrs.evolve(event, sessions=[attrs.evolve(first, audiences={"minister"})])
    with pytest.raises(InvalidInputError, match="not a Session"):
        attrs.evolve(event, sessions=["clienten"])
    with pytest.raises(InvalidInputError, match="audience twice"):
        attrs.evolve(event, audiences=[Audience("client", "a"), Audience("client", "b")])
    with pytest.raises(InvalidInputError, match="Audience values"):
        attrs.evolve(event, audiences=["client"])
    with pytest.raises(InvalidInputError, match="empty central question"):
        attrs.evolve(event, central_questions=["  "])
    with pytest.raises(InvalidInputError, match="time zone"):
        attrs.evolve(event, timezone="Europe/Atlantis")


def test_events_without_declared_audiences_accept_any() -> None:
    event = Event(
        key="open",
        title="Open",
        organiser="Organisatie Voorbeeld",
        help_desk=HelpDesk(email="Vraagbaak@Example.org "),
        sessions=[session(audiences={"anyone"})],
    )
    assert event.help_desk.email == "vraagbaak@example.org"


@pytest.mark.parametrize("raw", ["  Noor@Example.ORG ", "noor@example.org", "NOOR@EXAMPLE.ORG\t"])
def test_email_is_normalised(raw: str) -> None:
    assert Person("Noor", raw, "client").email == "noor@example.org"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "noor",
        "noor@",
        "@example.org",
        "noor@example",
        "no or@example.org",
        "noor@exa\nmple.org",
        "a@b@example.org",
        42,
    ],
)
def test_bad_email_is_refused(raw: object) -> None:
    with pytest.raises(InvalidInputError, match="e-mail"):
        normalise_email(raw)  # type: ignore[arg-type]


def test_person_fields() -> None:
    with pytest.raises(InvalidInputError, match="phone"):
        Person("Noor", "noor@example.org", "client", phone="call me")
    with pytest.raises(ValueError, match="language"):
        Person("Noor", "noor@example.org", "client", language="de")
    with pytest.raises(InvalidInputError, match="name must be text"):
        Person(None, "noor@example.org", "client")  # type: ignore[arg-type]


@given(st.text())
def test_single_line_fields_never_hold_line_breaks(text: str) -> None:
    try:
        person = Person(text, "noor@example.org", "client")
    except InvalidInputError:
        assert (
            not text.strip()
            or has_control_characters(text.strip())
            or len(text.strip()) > MAX_LINE_LENGTH
        )
    else:
        assert "\n" not in person.name
        assert "\r" not in person.name
        assert "\x00" not in person.name


def test_state_machine_table() -> None:
    final = {s for s in RegistrationState if s.is_final}
    assert final == {
        RegistrationState.CANCELLED,
        RegistrationState.DECLINED,
        RegistrationState.EXPIRED,
    }
    assert RegistrationState.OFFERED.holds_place
    assert not RegistrationState.WAITLISTED.holds_place
    assert RegistrationState.WAITLISTED.is_active
    assert not RegistrationState.CANCELLED.is_active
    assert set(ALLOWED_TRANSITIONS) == set(RegistrationState)


def test_a_transition_is_reported_in_utc() -> None:
    from datetime import UTC, timezone

    from participatie import Transition

    when = at(2020, 10, 20, 9, 0)
    registration = _registration_for_transition()
    transition = Transition(registration, None, RegistrationState.REGISTERED, when, "registered")
    assert transition.at == when
    assert transition.at.tzinfo is UTC
    assert transition.at.utcoffset() == timedelta(0)
    other = Transition(
        registration,
        None,
        RegistrationState.REGISTERED,
        when.astimezone(timezone(timedelta(hours=5))),
        "registered",
    )
    assert other == transition
    with pytest.raises(NaiveDatetimeError):
        Transition(registration, None, RegistrationState.REGISTERED, datetime(2020, 1, 1), "x")


def _registration_for_transition() -> Registration:
    stamp = at(2020, 10, 20, 9, 0)
    return Registration(
        id=1,
        event_key="week-van-reflectie",
        session_key="clienten",
        person=Person("Deelnemer 1", "deelnemer1@example.org", "client"),
        state=RegistrationState.REGISTERED,
        registered_at=stamp,
        updated_at=stamp,
    )
