"""Shared test data for input and feedback rounds: the dialogue meeting of seed 000,
with fictional people."""

from __future__ import annotations

from datetime import datetime, timedelta

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    Audience,
    Consent,
    Event,
    FixedClock,
    HelpDesk,
    Participatie,
    Person,
    Section,
    Session,
    local_datetime,
)

TZ = "Europe/Amsterdam"
EVENT = "dialoog"
SESSION = "online"
QUESTIONS = (
    "Hoe moet jeugdbescherming er in de toekomst uit zien?",
    "Wat is er nodig om dit te realiseren?",
    "Draagt het toekomstscenario daar aan bij?",
)


def at(*parts: int) -> datetime:
    """An Amsterdam wall-clock time as an aware datetime."""
    return local_datetime(datetime(*parts), TZ)  # type: ignore[arg-type]


MEETING = at(2021, 5, 21, 10, 0)


def dialogue_event() -> Event:
    return Event(
        key=EVENT,
        title="Dialoogbijeenkomst toekomstscenario",
        organiser="Landelijk Platform Voorbeeld",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="030 000 00 00"),
        audiences=[
            Audience(CLIENT, "cliënt"),
            Audience(EXPERT_BY_EXPERIENCE, "ervaringsdeskundige"),
            Audience(PROFESSIONAL, "professional"),
        ],
        central_questions=QUESTIONS,
        consent_version="2021-04",
        sessions=[
            Session(
                SESSION,
                "Online dialoogbijeenkomst",
                MEETING,
                MEETING + timedelta(minutes=90),
                online_link="https://meet.example.org/dialoog",
                capacity=10,
                max_group_size=3,
            ),
        ],
    )


PEOPLE = (
    Person("Annemiek Voorbeeld", "annemiek@example.org", CLIENT, organisation="Raad A"),
    Person("Bram Voorbeeld", "bram@example.org", EXPERT_BY_EXPERIENCE, organisation="Raad A"),
    Person("Chantal Voorbeeld", "chantal@example.org", PROFESSIONAL, organisation="Raad B"),
    Person("Daan Voorbeeld", "daan@example.org", CLIENT, organisation="Raad B", language="en"),
    Person("Esra Voorbeeld", "esra@example.org", CLIENT, organisation="Raad C"),
)
ANNEMIEK, BRAM, CHANTAL, DAAN, ESRA = (person.email for person in PEOPLE)


def sections_v1(sources: dict[str, int] | None = None) -> list[Section]:
    sources = sources or {}
    return [
        Section(
            "inleiding", "Cliëntenraden spraken op 21 mei over het scenario.", heading="Inleiding"
        ),
        Section(
            "visie",
            "De jeugdbescherming van de toekomst luistert naar het kind.",
            heading="Visie",
            sources=[sources["visie"]] if "visie" in sources else [],
        ),
        Section("nodig", "Er is meer tijd per gezin nodig.", heading="Wat nodig is"),
    ]


def sections_v2() -> list[Section]:
    return [
        Section(
            "inleiding", "Cliëntenraden spraken op 21 mei over het scenario.", heading="Inleiding"
        ),
        Section(
            "visie",
            "De jeugdbescherming van de toekomst luistert naar het kind en de ouders.",
            heading="Visie",
        ),
        Section("oordeel", "Het scenario helpt, als de uitvoering volgt.", heading="Oordeel"),
    ]


def meeting_held(app: Participatie, clock: FixedClock) -> None:
    """Describe the event, register everyone, hold the meeting: all but Esra came."""
    clock.set(at(2021, 5, 3, 9, 0))
    app.save_event(dialogue_event())
    for person in PEOPLE:
        app.register(EVENT, SESSION, person, consent=Consent("2021-04", clock.now()))
    clock.set(MEETING + timedelta(hours=2))
    app.record_attendance(EVENT, SESSION, attended=[ANNEMIEK, BRAM, CHANTAL, DAAN], no_show=[ESRA])
