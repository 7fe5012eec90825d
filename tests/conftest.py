"""Shared test data: the week of reflection from the seeds, with fictional people."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    Audience,
    Consent,
    Event,
    FixedClock,
    HelpDesk,
    Person,
    Session,
    WaitingListPolicy,
    end_of_day,
    local_datetime,
)

TZ = "Europe/Amsterdam"
EVENT_KEY = "week-van-reflectie"


def at(*parts: int) -> datetime:
    """An Amsterdam wall-clock time as an aware datetime."""
    return local_datetime(datetime(*parts), TZ)  # type: ignore[arg-type]


def week_event(capacity: int = 3, policy: WaitingListPolicy = WaitingListPolicy.AUTOMATIC) -> Event:
    deadline = end_of_day(date(2020, 10, 30), TZ)
    return Event(
        key=EVENT_KEY,
        title="Week van reflectie en verrijking",
        organiser="Projectgroep Voorbeeld",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="+31 30 000 0000"),
        purpose="Reflecteren op de contouren van een toekomstscenario.",
        audiences=[
            Audience(CLIENT, "cliënt"),
            Audience(EXPERT_BY_EXPERIENCE, "ervaringsdeskundige"),
            Audience(PROFESSIONAL, "professional"),
        ],
        central_questions=["Wat vindt u van het scenario?"],
        consent_version="2020-10",
        sessions=[
            Session(
                "clienten",
                "Sessie voor cliënten en ervaringsdeskundigen",
                at(2020, 11, 5, 10, 0),
                at(2020, 11, 5, 11, 30),
                online_link="https://meet.example.org/5-november",
                audiences={CLIENT, EXPERT_BY_EXPERIENCE},
                capacity=capacity,
                max_group_size=2,
                registration_opens=at(2020, 10, 19, 9, 0),
                registration_closes=deadline,
                change_deadline=at(2020, 11, 4, 12, 0),
                waiting_list=policy,
            ),
            Session(
                "professionals",
                "Sessie voor professionals",
                at(2020, 11, 6, 10, 0),
                at(2020, 11, 6, 11, 30),
                online_link="https://meet.example.org/6-november",
                audiences={PROFESSIONAL},
                capacity=capacity,
                registration_closes=deadline,
            ),
        ],
    )


def client(number: int, audience: str = CLIENT) -> Person:
    return Person(
        f"Deelnemer {number}",
        f"deelnemer{number}@example.org",
        audience,
        organisation="Cliëntenraad Voorbeeldstad",
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(2020, 10, 20, 9, 0))


@pytest.fixture
def consent(clock: FixedClock) -> Consent:
    return Consent("2020-10", clock.now() - timedelta(minutes=1))
