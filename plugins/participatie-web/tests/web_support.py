"""Shared set-up for the site's tests: a week of reflection and a dialogue meeting.

The people, organisations and addresses are fictional. One
:class:`~participatie.FixedClock` drives both events: the tests move it from
October 2020 (registration) to May and June 2021 (the feedback round).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from participatie_web import LinkSigner, RateLimiter, WebSettings, create_app
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    Audience,
    Draft,
    Event,
    FixedClock,
    HelpDesk,
    Notifications,
    Participatie,
    Person,
    Section,
    Session,
    WaitingListPolicy,
    end_of_day,
    local_datetime,
)
from participatie.testing import RecordingChannel

TZ = "Europe/Amsterdam"
SECRET = "test-secret-" + "x" * 40
STATUS_TOKEN = "status-token-for-tests-0123456789"
WEEK = "week-van-reflectie"
CLIENTS_DAY = "clienten-5-nov"
PROFESSIONALS_DAY = "professionals-6-nov"
AFTERNOON = "clienten-5-nov-middag"
DIALOGUE = "dialoog-2021"
CONSENT_VERSION = "privacy-2020-10"


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return local_datetime(datetime(year, month, day, hour, minute), TZ)


DEADLINE = end_of_day(datetime(2020, 10, 30).date(), TZ)

WEEK_EVENT = Event(
    key=WEEK,
    title="Week van reflectie en verrijking",
    organiser="Projectgroep Kwartiermakersfase",
    help_desk=HelpDesk(email="vraagbaak@example.org", phone="030 000 00 00"),
    purpose="Interactieve digitale sessies over de toekomst van de jeugdbescherming.",
    audiences=[
        Audience(CLIENT, "cliënt"),
        Audience(EXPERT_BY_EXPERIENCE, "ervaringsdeskundige"),
        Audience(PROFESSIONAL, "professional"),
    ],
    central_questions=["Wat gaat goed?", "Wat moet beter?"],
    consent_version=CONSENT_VERSION,
    sessions=[
        Session(
            CLIENTS_DAY,
            "Sessie voor cliënten en ervaringsdeskundigen",
            at(2020, 11, 5, 10),
            at(2020, 11, 5, 11, 30),
            online_link="https://meet.example.org/clienten",
            audiences={CLIENT, EXPERT_BY_EXPERIENCE},
            capacity=2,
            max_group_size=2,
            registration_closes=DEADLINE,
            change_deadline=at(2020, 11, 4, 12),
        ),
        Session(
            AFTERNOON,
            "Middagsessie voor cliënten",
            at(2020, 11, 5, 14),
            at(2020, 11, 5, 15, 30),
            online_link="https://meet.example.org/middag",
            audiences={CLIENT, EXPERT_BY_EXPERIENCE},
            capacity=1,
            registration_closes=DEADLINE,
            waiting_list=WaitingListPolicy.OFFER,
            offer_period=timedelta(hours=24),
        ),
        Session(
            PROFESSIONALS_DAY,
            "Sessie voor professionals",
            at(2020, 11, 6, 10),
            at(2020, 11, 6, 11, 30),
            online_link="https://meet.example.org/professionals",
            audiences={PROFESSIONAL},
            capacity=12,
            registration_closes=DEADLINE,
        ),
    ],
)

DIALOGUE_EVENT = Event(
    key=DIALOGUE,
    title="Dialoogbijeenkomst toekomstscenario",
    organiser="Landelijk Platform Voorbeeld",
    help_desk=HelpDesk(email="vraagbaak@example.org"),
    audiences=[Audience(CLIENT, "cliënt"), Audience(PROFESSIONAL, "professional")],
    sessions=[
        Session(
            "online",
            "Online dialoogbijeenkomst",
            at(2021, 5, 21, 10),
            at(2021, 5, 21, 11, 30),
            online_link="https://meet.example.org/dialoog",
            capacity=12,
            consent_required=False,
        ),
    ],
)

DIALOGUE_PEOPLE = [
    Person("Annemiek Post", "annemiek@example.org", CLIENT, organisation="Cliëntenraad Stad"),
    Person("Gert Hoekstra", "gert@example.org", PROFESSIONAL, language="en"),
    Person("Wilma de Haan", "wilma@example.org", CLIENT),
]

SECTIONS = [
    Section("inleiding", "Op 21 mei spraken cliëntenraden over het scenario.", heading="Inleiding"),
    Section(
        "visie",
        "De jeugdbescherming van de toekomst luistert naar het kind.",
        heading="Hoe het eruit moet zien",
    ),
    Section("nodig", "Er is meer tijd per gezin nodig.", heading="Wat nodig is"),
]


@attrs.define
class World:
    """The store, its clock, the site and its links, for one test."""

    app: Participatie
    clock: FixedClock
    signer: LinkSigner
    site: ASGIApp
    round_id: int


def build_world(path: Path, *, rate_limit: int | None = None, messages: bool = False) -> World:
    """A store with both events, five dialogue participants and one feedback round.

    With ``messages`` the registrations queue their messages (on a recording
    channel), each carrying the person's link, as ``python -m participatie_web`` does.
    """
    clock = FixedClock(at(2020, 10, 20, 9))
    signer = LinkSigner(SECRET, "http://testserver", clock=clock)
    notifications = (
        Notifications(channels=("mail",), personal_link=signer.registration_link)
        if messages
        else None
    )
    app = Participatie.open(
        f"sqlite:///{path / 'web.db'}",
        clock=clock,
        notifications=notifications,
        channels={"mail": RecordingChannel(rich=True)} if messages else None,
    )
    app.save_event(WEEK_EVENT)
    clock.set(at(2021, 5, 10, 9))
    app.save_event(DIALOGUE_EVENT)
    for person in DIALOGUE_PEOPLE:
        app.register(DIALOGUE, "online", person)
    clock.set(at(2021, 5, 21, 12))
    app.record_attendance(DIALOGUE, "online", attended=[p.email for p in DIALOGUE_PEOPLE])
    app.save_draft(Draft("reactie", DIALOGUE, "Reactie op de consultatie"))
    app.add_draft_version("reactie", SECTIONS)
    feedback_round = app.create_round(
        "reactie", opens_at=at(2021, 5, 28, 9), closes_at=at(2021, 6, 4, 17)
    )
    assert feedback_round.id is not None
    clock.set(at(2020, 10, 20, 9))
    settings = WebSettings(signer, status_token=STATUS_TOKEN, rate_limit=RateLimiter(rate_limit))
    return World(app, clock, signer, create_app(app, settings), feedback_round.id)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path)
    try:
        yield built
    finally:
        built.app.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(world.site, follow_redirects=False) as test_client:
        yield test_client


CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_token(client: TestClient, url: str) -> str:
    """GET a page with a form and return the CSRF token it carries (the cookie is kept)."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    found = CSRF.search(page.text)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)


def registration_form(**changes: str) -> dict[str, str]:
    """A complete, valid registration of a client for the clients' day."""
    form = {
        "session": CLIENTS_DAY,
        "name": "Noor Voorbeeld",
        "email": "noor@example.org",
        "audience": CLIENT,
        "organisation": "Cliëntenraad Noord",
        "age": "adult",
        "consent": "yes",
        "consent_version": CONSENT_VERSION,
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


def feedback_link_path(world: World, email: str) -> str:
    """The path of a recipient's feedback link."""
    feedback_round = world.app.feedback_round(world.round_id)
    recipient = feedback_round.recipient(email)
    assert recipient is not None
    return "/feedback/" + world.signer.feedback_token(feedback_round, recipient)
