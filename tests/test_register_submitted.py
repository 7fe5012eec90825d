"""``Participatie.register_submitted``: registrations that were submitted earlier.

An import of a form export judges each person at the time they submitted the
form, and stores them in one transaction at the time of the import.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import (
    Consent,
    FixedClock,
    InvalidInputError,
    NaiveDatetimeError,
    Participatie,
    Person,
    RegistrationClosedError,
    RegistrationState,
    parse_datetime,
)
from participatie.importing import read_timestamp
from tests.conftest import EVENT_KEY, at, client, week_event

_S = RegistrationState


def consent(when: datetime) -> Consent:
    return Consent("2020-10", when)


def entry(number: int, when: datetime) -> tuple[Person, Consent, datetime]:
    return (client(number), consent(when), when)


def test_each_is_judged_at_its_submission_and_stored_now() -> None:
    clock = FixedClock(at(2020, 11, 2, 9, 0))  # after the deadline of 30 October
    with Participatie.open("memory://", clock=clock) as app:
        app.save_event(week_event(capacity=2))
        result = app.register_submitted(
            EVENT_KEY,
            "clienten",
            [
                entry(1, at(2020, 10, 20, 10, 0)),
                entry(2, at(2020, 10, 31, 8, 0)),  # late
                entry(3, at(2020, 10, 21, 10, 0)),
                entry(4, at(2020, 10, 22, 10, 0)),  # third for two places: waits
            ],
        )
        assert [index for index, _error in result.refused] == [1]
        assert isinstance(result.refused[0][1], RegistrationClosedError)
        assert [(r.person.email, r.state) for r in result.registrations] == [
            ("deelnemer1@example.org", _S.REGISTERED),
            ("deelnemer3@example.org", _S.REGISTERED),
            ("deelnemer4@example.org", _S.WAITLISTED),
        ]
        assert {r.registered_at for r in result.registrations} == {clock.now().astimezone(UTC)}
        # The facade's own register_many judges at "now": after the deadline, nobody.
        late = app.register_many(EVENT_KEY, "clienten", [(client(5), consent(clock.now()))])
        assert isinstance(late.refused[0][1], RegistrationClosedError)


def test_the_future_a_started_session_and_naive_times_are_refused() -> None:
    clock = FixedClock(at(2020, 10, 26, 9, 0))
    with Participatie.open("memory://", clock=clock) as app:
        app.save_event(week_event())
        result = app.register_submitted(
            EVENT_KEY,
            "clienten",
            [
                entry(1, at(2020, 10, 27, 9, 0)),
                (client(2), consent(at(2020, 10, 20, 9, 0)), datetime(2020, 10, 20, 9, 0)),
            ],
        )
        errors = [error for _index, error in result.refused]
        assert isinstance(errors[0], InvalidInputError)
        assert "after now" in str(errors[0])
        assert isinstance(errors[1], NaiveDatetimeError)
        clock.set(at(2020, 11, 5, 10, 30))
        started = app.register_submitted(EVENT_KEY, "clienten", [entry(3, at(2020, 10, 20, 9))])
        assert "started" in str(started.refused[0][1])
        assert app.registrations(EVENT_KEY) == []


_WALL = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31))


@given(_WALL.map(lambda wall: wall.replace(microsecond=0)), st.sampled_from(["iso", "day-first"]))
def test_the_fast_timestamp_reader_agrees_with_parse_datetime(wall: datetime, shape: str) -> None:
    if shape == "iso":
        text = wall.isoformat(sep=" ")
    else:
        text = (
            f"{wall.day}-{wall.month}-{wall.year} {wall.hour}:{wall.minute:02d}:{wall.second:02d}"
        )
    try:
        expected = parse_datetime(text, "Europe/Amsterdam")
    except InvalidInputError as error:  # a time that does not exist, or happens twice
        with pytest.raises(type(error)):
            read_timestamp(text, "Europe/Amsterdam")
        return
    assert read_timestamp(text, "Europe/Amsterdam") == expected


def test_other_shapes_go_to_the_general_reader() -> None:
    assert read_timestamp("vrijdag 21 mei 2021 10.00 uur", "Europe/Amsterdam") == parse_datetime(
        "2021-05-21 10:00"
    )
    # Month first cannot be day first: the general reader decides.
    assert read_timestamp("5-13-2021 10:00", "Europe/Amsterdam").day == 13
    assert read_timestamp("2021-05-21T08:00:00Z", "Europe/Amsterdam") == datetime(
        2021, 5, 21, 8, tzinfo=UTC
    )
    first = read_timestamp("2020-10-25 02:30", "Europe/Amsterdam", fold=0)
    second = read_timestamp("2020-10-25 02:30", "Europe/Amsterdam", fold=1)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
