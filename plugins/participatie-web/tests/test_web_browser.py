"""The site in a real browser: uvicorn on 127.0.0.1, Debian's Chromium driven by Playwright.

Two participants' stories, each page checked with axe-core (zero
violations) and photographed for review:

* Noor registers for the clients' day, is refused on the professionals'
  day, opens her personal link and cancels; Sem, who was waiting, gets the
  place.
* Annemiek gives feedback on two sections of the draft response, changes
  it, and after the round reads what was done with her comments.

and every other page (the list of events, an offer of a freed place, a
link that does not work, the status page, a form whose cookie is gone, an
empty feedback form) is checked the same way. One registration is made with
JavaScript switched off: every page works without it.

One browser and one server per module. Chromium comes from the Debian
package (``make`` installs it); Playwright's own browser downloads are never
used. Screenshots go to ``$PARTICIPATIE_WEB_SCREENSHOTS``, by default
``plugins/participatie-web/test-output/screenshots``.
"""

from __future__ import annotations

import importlib.resources
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from web_support import (
    CLIENTS_DAY,
    CONSENT_VERSION,
    DIALOGUE,
    SECTIONS,
    STATUS_TOKEN,
    WEEK,
    World,
    at,
    build_world,
)

from participatie import (
    CLIENT,
    Consent,
    DispositionOutcome,
    Person,
    RegistrationState,
    Section,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(
    os.environ.get(
        "PARTICIPATIE_WEB_SCREENSHOTS",
        Path(__file__).resolve().parent.parent / "test-output" / "screenshots",
    )
)
AXE = (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text(
    encoding="utf-8"
)


class LiveSite:
    """The site served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(world.site, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> LiveSite:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    world = build_world(tmp_path_factory.mktemp("web"))
    try:
        with LiveSite(world) as site:
            yield site
    finally:
        world.app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        "Debian's Chromium is missing: run 'make .venv/.dev-installed' as root, "
        "or 'apt-get install -y chromium'"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1000, "height": 800})
    context.set_default_timeout(5000)
    opened = context.new_page()
    problems: list[str] = []
    # A CSP violation shows up as a console error; a page answered 400
    # (a refused form) is meant, a style sheet or icon that fails is not.
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    opened.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.request.resource_type != "document" and response.status >= 400
            else None
        ),
    )
    try:
        yield opened
    finally:
        context.close()
    assert problems == [], problems


def check(page: Page, name: str) -> None:
    """axe-core finds nothing on the page; then photograph it for review."""
    duplicates = page.evaluate(
        """() => {
            const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
            return ids.filter((id, i) => ids.indexOf(id) !== i);
        }"""
    )
    assert duplicates == [], f"{name}: duplicate ids {duplicates}"
    page.evaluate(AXE)
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")),
            }));
        }"""
    )
    assert violations == [], f"{name}: {violations}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fill_registration(page: Page, session: str, name: str, email: str) -> None:
    page.get_by_label(session).check()
    page.get_by_label("Uw naam").fill(name)
    page.get_by_label("Uw e-mailadres").fill(email)
    page.get_by_role("group", name="Ik doe mee als").get_by_label("cliënt").check()
    page.get_by_label("18 jaar of ouder").check()
    page.get_by_label("Ik heb dit gelezen en ik geef toestemming.").check()


def test_register_refused_cancel_and_the_next_person_moves_up(live: LiveSite, page: Page) -> None:
    world = live.world
    world.clock.set(at(2020, 10, 20, 9))
    app = world.app
    app.register(
        WEEK,
        CLIENTS_DAY,
        Person("Fleur Jansen", "fleur@example.org", CLIENT),
        consent=Consent(CONSENT_VERSION, world.clock.now()),
    )

    page.goto(f"{live.url}/events/{WEEK}")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Week van reflectie en verrijking")
    expect(page.get_by_text("tot en met vrijdag 30 oktober 2020").first).to_be_visible()
    expect(page.get_by_text("1 van de 2")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    check(page, "01-event")

    # Noor, a client, first tries the professionals' day.
    fill_registration(page, "Sessie voor professionals", "Noor Voorbeeld", "noor@example.org")
    page.get_by_role("button", name="Aanmelden").click()
    sessions = page.get_by_role("group", name="Kies een sessie")
    expect(sessions).to_have_attribute("aria-invalid", "true")
    expect(sessions).to_have_accessible_description(re.compile("alleen voor professional"))
    expect(page.get_by_role("alert")).to_contain_text("Deze sessie is alleen voor professional")
    check(page, "02-refused-professionals-day")
    page.locator("div.field.has-error").first.screenshot(
        path=str(SHOTS / "02-refusal-next-to-the-field.png")
    )
    assert app.registrations_of("noor@example.org") == []

    # The form kept what she typed: she only picks the clients' day.
    expect(page.get_by_label("Uw naam")).to_have_value("Noor Voorbeeld")
    page.get_by_label("Sessie voor cliënten en ervaringsdeskundigen").check()
    page.get_by_label("Ik heb dit gelezen en ik geef toestemming.").check()
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("status")).to_contain_text("Gelukt!")
    expect(page.get_by_text("U bent aangemeld. U heeft een plaats.")).to_be_visible()
    check(page, "03-my-registration")
    personal_link = page.url.split("?")[0]

    # The session is full now: Sem waits.
    sem = app.register(
        WEEK,
        CLIENTS_DAY,
        Person("Sem de Vries", "sem@example.org", CLIENT),
        consent=Consent(CONSENT_VERSION, world.clock.now()),
    )
    assert sem.state is RegistrationState.WAITLISTED
    sem_link = world.signer.registration_link(sem).replace("http://testserver", live.url)
    page.goto(sem_link)
    expect(page.get_by_text("U staat op de wachtlijst. U bent nummer 1.")).to_be_visible()
    check(page, "04-waiting-list")

    # Days later Noor opens her link again and cancels.
    world.clock.set(at(2020, 10, 27, 20))
    page.goto(personal_link)
    with page.expect_download() as download:
        page.get_by_role("link", name="In uw agenda zetten (.ics)").click()
    assert b"BEGIN:VEVENT" in Path(download.value.path()).read_bytes()
    page.get_by_role("button", name="Ja, ik meld mij af").click()
    expect(page.get_by_role("status")).to_contain_text("U bent afgemeld.")
    expect(page.get_by_role("button", name="Ja, ik meld mij af")).to_have_count(0)
    check(page, "05-cancelled")

    assert app.registration(sem.id).state is RegistrationState.REGISTERED
    page.goto(sem_link)
    expect(page.get_by_text("U bent aangemeld. U heeft een plaats.")).to_be_visible()
    expect(page.get_by_role("link", name="Link naar de online bijeenkomst")).to_have_attribute(
        "href", "https://meet.example.org/clienten"
    )

    # English, by the switch; the choice is kept.
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("You have a place.")).to_be_visible()
    page.goto(f"{live.url}/events/{WEEK}")
    expect(page.get_by_role("heading", name="Register", exact=True)).to_be_visible()
    check(page, "06-event-english")


def test_the_form_works_without_javascript(live: LiveSite, browser: Browser) -> None:
    world = live.world
    world.clock.set(at(2020, 10, 21, 9))
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(f"{live.url}/events/{WEEK}")
        fill_registration(page, "Middagsessie voor cliënten", "Lotte Visser", "lotte@example.org")
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_text("U bent aangemeld. U heeft een plaats.")).to_be_visible()
    finally:
        context.close()
    [lotte] = world.app.registrations_of("lotte@example.org")
    assert lotte.state is RegistrationState.REGISTERED


def test_every_other_page_passes_axe(live: LiveSite, page: Page) -> None:
    """The pages the stories above do not reach: each one checked and photographed."""
    world = live.world
    app = world.app
    world.clock.set(at(2020, 10, 22, 9))
    page.goto(f"{live.url}/")
    expect(page.get_by_role("link", name="Week van reflectie en verrijking")).to_be_visible()
    check(page, "10-index")

    # An offer of a freed place, with its two buttons: the afternoon session
    # (one place, offers) is full, Ada waits, and the place is freed.
    consent = Consent(CONSENT_VERSION, world.clock.now())
    afternoon = "clienten-5-nov-middag"
    if not app.participants(WEEK, afternoon):
        app.register(WEEK, afternoon, Person("Kim", "kim@example.org", CLIENT), consent=consent)
    [holder] = app.participants(WEEK, afternoon)
    ada = app.register(WEEK, afternoon, Person("Ada", "ada@example.org", CLIENT), consent=consent)
    assert ada.state is RegistrationState.WAITLISTED
    app.cancel(holder.id)
    assert app.registration(ada.id).state is RegistrationState.OFFERED
    link = world.signer.registration_link(ada)
    page.goto(link.replace("http://testserver", live.url))
    expect(page.get_by_text("Er is een plaats vrij voor u.")).to_be_visible()
    check(page, "11-offer")
    page.get_by_role("button", name="Ja, ik neem de plaats").click()
    expect(page.get_by_role("status")).to_contain_text("U heeft de plaats aangenomen.")
    assert app.registration(ada.id).state is RegistrationState.REGISTERED

    page.goto(f"{live.url}/my/not-a-real-link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze link werkt niet")
    check(page, "12-link-invalid")

    page.goto(f"{live.url}/status/{STATUS_TOKEN}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stand van zaken")
    check(page, "13-status")

    # A form whose cookie is gone (an old tab, a cleared browser): refused, nothing stored.
    page.goto(f"{live.url}/events/{WEEK}")
    fill_registration(
        page, "Sessie voor cliënten en ervaringsdeskundigen", "Jip", "jip@example.org"
    )
    page.context.clear_cookies()
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het formulier is verlopen")
    check(page, "14-form-expired")
    assert app.registrations_of("jip@example.org") == []

    # The feedback form sent empty: the error summary and the field.
    world.clock.set(at(2021, 5, 30, 10))
    feedback_round = app.feedback_round(world.round_id)
    recipient = feedback_round.recipient("wilma@example.org")
    assert recipient is not None
    link = world.signer.feedback_link(feedback_round, recipient)
    page.goto(link.replace("http://testserver", live.url))
    page.get_by_role("button", name="Reactie versturen").click()
    expect(page.get_by_role("alert")).to_contain_text("U heeft nog niets ingevuld.")
    check(page, "15-feedback-empty")


def test_feedback_on_two_sections_and_what_was_done(live: LiveSite, page: Page) -> None:
    world = live.world
    app = world.app
    world.clock.set(at(2021, 5, 29, 10))
    feedback_round = app.feedback_round(world.round_id)
    recipient = feedback_round.recipient("annemiek@example.org")
    assert recipient is not None
    link = world.signer.feedback_link(feedback_round, recipient).replace(
        "http://testserver", live.url
    )

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Uw mening over: Reactie op de consultatie"
    )
    check(page, "07-feedback-form")
    visie = page.get_by_role("region", name="Hoe het eruit moet zien")
    visie.get_by_label("Deels eens").check()
    visie.get_by_label("Uw opmerking").fill("Noem ook de ouders.")
    visie.get_by_label("Uw voorstel voor de tekst").fill(
        "De jeugdbescherming van de toekomst luistert naar het kind en de ouders."
    )
    nodig = page.get_by_role("region", name="Wat nodig is")
    nodig.get_by_label("Oneens", exact=True).check()
    nodig.get_by_label("Uw opmerking").fill("Tijd alleen is niet genoeg.")
    page.get_by_role("button", name="Reactie versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw reactie is bewaard")
    check(page, "08-feedback-saved")

    # She changes her mind before the deadline; the form shows what she gave.
    world.clock.set(at(2021, 6, 2, 20))
    page.goto(link)
    expect(visie.get_by_label("Uw opmerking")).to_have_value("Noem ook de ouders.")
    visie.get_by_label("Uw opmerking").fill("Noem ook de ouders, en broers en zussen.")
    page.get_by_role("button", name="Reactie versturen").click()
    expect(page.get_by_role("status")).to_be_visible()
    response = app.response(world.round_id, "annemiek@example.org")
    assert response is not None
    assert response.revision == 2
    assert [a.section for a in response.sections] == ["visie", "nodig"]

    # The round closes; the form is gone.
    world.clock.set(at(2021, 6, 5, 9))
    page.goto(link)
    expect(page.get_by_text("De ronde is gesloten.")).to_be_visible()
    expect(page.get_by_role("button", name="Reactie versturen")).to_have_count(0)

    # The organiser decides on each comment and concludes with version 2.
    app.record_disposition(
        world.round_id,
        "annemiek@example.org",
        "visie",
        DispositionOutcome.PARTLY_ADOPTED,
        "De ouders staan er nu in; broers en zussen noemen we bij 'Wat nodig is'.",
    )
    app.record_disposition(
        world.round_id,
        "annemiek@example.org",
        "nodig",
        DispositionOutcome.NOT_ADOPTED,
        "Tijd blijft het belangrijkste wat gezinnen vragen.",
    )
    new_sections = [
        SECTIONS[0],
        Section(
            "visie",
            "De jeugdbescherming van de toekomst luistert naar het kind en de ouders.",
            heading="Hoe het eruit moet zien",
        ),
        SECTIONS[2],
    ]
    app.add_draft_version("reactie", new_sections, note="Na de feedbackronde")
    app.conclude_round(world.round_id, 2)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat wij met uw reactie deden")
    expect(page.get_by_text("Gedeeltelijk overgenomen")).to_be_visible()
    expect(page.get_by_text("Niet overgenomen")).to_be_visible()
    expect(page.get_by_text("Tijd blijft het belangrijkste wat gezinnen vragen.")).to_be_visible()
    expect(page.locator("ins")).to_contain_text("en de ouders")
    check(page, "09-what-we-did")
    assert app.event(DIALOGUE).title == "Dialoogbijeenkomst toekomstscenario"
