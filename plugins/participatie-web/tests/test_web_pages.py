"""Every rule of the core, through the site's forms, with the participant's message.

The site decides nothing itself: each test sets up the situation in the
core, posts the form a participant would, and checks both what the core
stored and the sentence next to the field.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import attrs
import pytest
from participatie_web import WebSettings, choose_language, create_app
from participatie_web.__main__ import main, print_links
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient
from web_support import (
    AFTERNOON,
    CLIENTS_DAY,
    CONSENT_VERSION,
    PROFESSIONALS_DAY,
    SECTIONS,
    STATUS_TOKEN,
    WEEK,
    WEEK_EVENT,
    World,
    at,
    csrf_token,
    feedback_link_path,
    registration_form,
)

from participatie import (
    CLIENT,
    PROFESSIONAL,
    Consent,
    DispositionOutcome,
    Person,
    RegistrationState,
)

EVENT_URL = f"/events/{WEEK}"


def post(client: TestClient, **changes: str) -> tuple[int, str]:
    token = csrf_token(client, EVENT_URL)
    response = client.post(EVENT_URL, data={**registration_form(**changes), "csrf_token": token})
    return response.status_code, response.text if response.status_code != 303 else response.headers[
        "location"
    ]


def field_error(html: str, field: str) -> str:
    """The message next to a field, and check that the field points to it."""
    found = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert found is not None, f"no message next to {field}"
    assert re.search(rf'aria-describedby="[^"]*{field}-error', html), "field not linked to it"
    return (
        re.sub(r"<[^>]+>", "", found.group(1)).replace("Fout: ", "").replace("Error: ", "").strip()
    )


def consent(world: World) -> Consent:
    return Consent(CONSENT_VERSION, world.clock.now())


# --- the event page -------------------------------------------------------------


def test_the_event_page_shows_sessions_per_audience(world: World, client: TestClient) -> None:
    world.app.register(
        WEEK, CLIENTS_DAY, Person("Fleur", "fleur@example.org", CLIENT), consent=consent(world)
    )
    html = client.get(EVENT_URL).text
    assert "Sessies voor cliënt en ervaringsdeskundige" in html
    assert "Sessies voor professional" in html
    assert "1 van de 2" in html
    assert "12 van de 12" in html
    assert "tot en met vrijdag 30 oktober 2020" in html
    assert "Versie privacy-2020-10" in html


def test_the_index_lists_the_events(client: TestClient) -> None:
    html = client.get("/").text
    assert f'href="/events/{WEEK}"' in html
    assert client.get("/events/no-such-event").status_code == 404


# --- every refusal, next to its field ---------------------------------------------


def test_after_the_deadline(world: World, client: TestClient) -> None:
    world.clock.set(at(2020, 10, 31, 0, 0))
    status, html = post(client)
    assert status == 400
    assert field_error(html, "session") == (
        "U kunt zich niet meer aanmelden voor deze sessie. "
        "Dat kon tot en met vrijdag 30 oktober 2020."
    )
    assert "Aanmelden is gesloten" in html


def test_a_minute_before_the_deadline(world: World, client: TestClient) -> None:
    world.clock.set(at(2020, 10, 30, 23, 59))
    status, location = post(client)
    assert status == 303
    assert location.startswith("/my/")


def test_not_eligible(world: World, client: TestClient) -> None:
    status, html = post(client, session=PROFESSIONALS_DAY)
    assert status == 400
    assert field_error(html, "session") == (
        "Deze sessie is alleen voor professional. U doet mee als cliënt. "
        "Kies een sessie voor cliënt."
    )


def test_no_consent(client: TestClient) -> None:
    status, html = post(client, consent="")
    assert status == 400
    assert field_error(html, "consent").startswith("Geef toestemming.")


def test_consent_to_an_older_text(world: World, client: TestClient) -> None:
    token = csrf_token(client, EVENT_URL)  # the form shows version privacy-2020-10
    world.app.save_event(attrs.evolve(WEEK_EVENT, consent_version="privacy-2020-11"))
    response = client.post(EVENT_URL, data={**registration_form(), "csrf_token": token})
    assert response.status_code == 400
    assert field_error(response.text, "consent").startswith(
        "De tekst over toestemming is veranderd."
    )
    assert "Versie privacy-2020-11" in response.text
    assert world.app.registrations(WEEK) == []


def test_a_minor_needs_a_guardian(world: World, client: TestClient) -> None:
    status, html = post(client, age="12-15")
    assert status == 400
    assert field_error(html, "guardian").startswith("U bent jonger dan 16.")
    status, _ = post(client, age="12-15", guardian="yes")
    assert status == 303
    [registration] = world.app.registrations(WEEK)
    assert registration.consent is not None
    assert registration.consent.given_by == "guardian"


def test_a_duplicate_in_other_letters(world: World, client: TestClient) -> None:
    assert post(client)[0] == 303
    status, html = post(client, email=" NOOR@example.ORG ")
    assert status == 400
    assert field_error(html, "email").startswith("U bent al aangemeld voor deze sessie")


def test_a_full_session_puts_people_on_the_waiting_list(world: World, client: TestClient) -> None:
    for email in ["a@example.org", "b@example.org"]:
        world.app.register(WEEK, CLIENTS_DAY, Person("A", email, CLIENT), consent=consent(world))
    status, location = post(client)
    assert status == 303
    html = client.get(location).text
    assert "U staat op de wachtlijst. U bent nummer 1." in html
    assert "calendar.ics" not in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Vul uw naam in."),
        ({"email": ""}, "email", "Vul uw e-mailadres in."),
        ({"email": "noor@example"}, "email", "Dit e-mailadres klopt niet."),
        ({"audience": ""}, "audience", "Kies hoe u meedoet."),
        ({"session": ""}, "session", "Kies een sessie."),
        ({"name": "Noor\nVoorbeeld"}, "name", "Vul uw naam in op één regel"),
    ],
)
def test_field_checks(
    client: TestClient, changes: dict[str, str], field: str, message: str
) -> None:
    status, html = post(client, **changes)
    assert status == 400
    assert field_error(html, field).startswith(message)
    assert f'<a href="#{field}">' in html  # the summary links to the field


def test_english_by_the_browser_and_by_the_switch(client: TestClient) -> None:
    token = csrf_token(client, EVENT_URL)
    response = client.post(
        EVENT_URL,
        data={**registration_form(session=PROFESSIONALS_DAY), "csrf_token": token},
        headers={"Accept-Language": "en-GB,en;q=0.9,nl;q=0.5"},
    )
    assert field_error(response.text, "session") == (
        "This session is only for professional. You take part as cliënt. "
        "Choose a session for cliënt."
    )
    assert '<html lang="en">' in response.text
    switched = client.get(f"{EVENT_URL}?lang=en")
    assert "participatie_lang=en" in switched.headers["set-cookie"]
    assert '<html lang="en">' in client.get(EVENT_URL).text
    assert '<html lang="nl">' in client.get(f"{EVENT_URL}?lang=nl").text


def test_choose_language() -> None:
    assert choose_language("en-US,en;q=0.9") == "en"
    assert choose_language("de-DE,nl;q=0.8,en;q=0.5") == "nl"
    assert choose_language("fr, en;q=0.1") == "en"
    assert choose_language("en;q=0.4, nl;q=0.6") == "nl"
    assert choose_language(None) == "nl"
    assert choose_language("en;q=oops") == "nl"


# --- my registration ------------------------------------------------------------------


def test_cancel_before_the_change_deadline_moves_the_next_person_up(
    world: World, client: TestClient
) -> None:
    world.app.register(
        WEEK, CLIENTS_DAY, Person("A", "a@example.org", CLIENT), consent=consent(world)
    )
    _status, location = post(client)
    waiting = world.app.register(
        WEEK, CLIENTS_DAY, Person("Sem", "sem@example.org", CLIENT), consent=consent(world)
    )
    assert waiting.state is RegistrationState.WAITLISTED
    path = location.split("?")[0]
    token = csrf_token(client, path)
    response = client.post(f"{path}/cancel", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}?done=cancelled"
    assert "U bent afgemeld." in client.get(response.headers["location"]).text
    assert world.app.registration(waiting.id).state is RegistrationState.REGISTERED
    # Cancelling twice changes nothing and says so.
    again = client.post(f"{path}/cancel", data={"csrf_token": token})
    assert again.headers["location"] == f"{path}?problem=not-possible"


def test_no_cancelling_after_the_change_deadline(world: World, client: TestClient) -> None:
    _status, location = post(client)
    path = location.split("?")[0]
    world.clock.set(at(2020, 11, 4, 12))
    html = client.get(path).text
    assert "Afmelden via deze pagina kan niet meer." in html
    token = csrf_token(client, EVENT_URL)
    response = client.post(f"{path}/cancel", data={"csrf_token": token})
    assert response.headers["location"] == f"{path}?problem=too-late"
    [registration] = world.app.registrations(WEEK)
    assert registration.state is RegistrationState.REGISTERED


def test_an_offer_accepted_and_an_offer_lapsed(world: World, client: TestClient) -> None:
    app = world.app
    first = app.register(
        WEEK, AFTERNOON, Person("A", "a@example.org", CLIENT), consent=consent(world)
    )
    second = app.register(
        WEEK, AFTERNOON, Person("B", "b@example.org", CLIENT), consent=consent(world)
    )
    third = app.register(
        WEEK, AFTERNOON, Person("C", "c@example.org", CLIENT), consent=consent(world)
    )
    app.cancel(first.id)
    assert app.registration(second.id).state is RegistrationState.OFFERED
    path = "/my/" + world.signer.registration_token(second)
    html = client.get(path).text
    assert "Er is een plaats vrij voor u." in html
    assert "Ja, ik neem de plaats" in html
    token = csrf_token(client, path)
    assert client.post(f"{path}/accept", data={"csrf_token": token}).headers["location"] == (
        f"{path}?done=accepted"
    )
    assert app.registration(second.id).state is RegistrationState.REGISTERED

    app.cancel(second.id)
    assert app.registration(third.id).state is RegistrationState.OFFERED
    path = "/my/" + world.signer.registration_token(third)
    world.clock.advance(timedelta(hours=25))
    html = client.get(path).text
    assert "Het aanbod is verlopen." in html
    assert "Ja, ik neem de plaats" not in html
    response = client.post(f"{path}/accept", data={"csrf_token": token})
    assert response.headers["location"] == f"{path}?problem=expired"
    assert app.registration(third.id).state is RegistrationState.EXPIRED


def test_an_offer_declined(world: World, client: TestClient) -> None:
    app = world.app
    first = app.register(
        WEEK, AFTERNOON, Person("A", "a@example.org", CLIENT), consent=consent(world)
    )
    second = app.register(
        WEEK, AFTERNOON, Person("B", "b@example.org", CLIENT), consent=consent(world)
    )
    app.cancel(first.id)
    path = "/my/" + world.signer.registration_token(second)
    token = csrf_token(client, path)
    assert client.post(f"{path}/decline", data={"csrf_token": token}).headers["location"] == (
        f"{path}?done=declined"
    )
    assert app.registration(second.id).state is RegistrationState.DECLINED
    assert client.post(f"{path}/nonsense", data={"csrf_token": token}).status_code == 404


def test_group_and_calendar(world: World, client: TestClient) -> None:
    app = world.app
    _status, location = post(client)
    app.register(
        WEEK, CLIENTS_DAY, Person("Fleur", "fleur@example.org", CLIENT), consent=consent(world)
    )
    app.form_groups(WEEK, CLIENTS_DAY)
    path = location.split("?")[0]
    assert "Groep 1" in client.get(path).text
    calendar = client.get(f"{path}/calendar.ics")
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "attachment" in calendar.headers["content-disposition"]
    text = calendar.text
    assert "BEGIN:VEVENT" in text
    assert "Groep 1" in text
    assert "/my/" not in text  # no personal link in a calendar, which is often shared


# --- feedback rounds --------------------------------------------------------------------


def test_feedback_before_during_and_after_the_round(world: World, client: TestClient) -> None:
    world.clock.set(at(2021, 5, 27, 9))  # the invitation (with the link) goes out early
    path = feedback_link_path(world, "gert@example.org")
    html = client.get(path).text
    assert "U kunt nog niet reageren." in html
    assert "<form" not in html
    world.clock.set(at(2021, 5, 29, 9))
    token = csrf_token(client, path)
    empty = client.post(path, data={"csrf_token": token})
    assert empty.status_code == 400
    assert "U heeft nog niets ingevuld." in empty.text
    answer = {
        "csrf_token": token,
        "opinion-visie": "agree",
        "comment-nodig": "Meer tijd, ja.",
        "wording-nodig": "Er is veel meer tijd per gezin nodig.",
        "general": "Dank voor de bijeenkomst.",
        "named": "yes",
    }
    response = client.post(path, data=answer)
    assert response.status_code == 303
    assert "Uw reactie is bewaard" in client.get(response.headers["location"]).text
    stored = world.app.response(world.round_id, "gert@example.org")
    assert stored is not None
    assert stored.may_be_named
    assert stored.general_comment == "Dank voor de bijeenkomst."
    assert [(a.section, a.opinion, a.suggested_wording) for a in stored.sections][1] == (
        "nodig",
        None,
        "Er is veel meer tijd per gezin nodig.",
    )
    world.clock.set(at(2021, 6, 4, 17))
    late = client.post(path, data={**answer, "general": "Te laat"})
    assert late.status_code == 409
    assert "De ronde is gesloten." in late.text
    stored_after = world.app.response(world.round_id, "gert@example.org")
    assert stored_after is not None
    assert stored_after.general_comment == "Dank voor de bijeenkomst."

    world.app.record_disposition(
        world.round_id, "gert@example.org", "nodig", DispositionOutcome.ADOPTED
    )
    world.app.record_disposition(
        world.round_id, "gert@example.org", None, DispositionOutcome.NOT_ADOPTED, "Geen tekst."
    )
    world.app.add_draft_version("reactie", SECTIONS)
    world.app.conclude_round(world.round_id, 2)
    summary = client.get(path, headers={"Accept-Language": "en"}).text
    assert "What we did with your input" in summary
    assert "Adopted" in summary
    assert "Not adopted" in summary
    assert "Geen tekst." in summary


def test_someone_not_asked_for_feedback_has_no_link(world: World) -> None:
    feedback_round = world.app.feedback_round(world.round_id)
    assert feedback_round.recipient("noor@example.org") is None


# --- status, mounting and the command -----------------------------------------------------


def test_status_page_counts(world: World, client: TestClient) -> None:
    post(client)
    html = client.get(f"/status/{STATUS_TOKEN}").text
    row = re.search(r"Sessie voor cliënten en ervaringsdeskundigen</th>(.*?)</tr>", html, re.S)
    assert row is not None
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == ["2", "1", "0", "0", "1"]
    assert "Reactie op de consultatie (v1)" in html


def test_mounted_under_a_path(world: World) -> None:
    settings = WebSettings(world.signer)
    outer = Starlette(routes=[Mount("/meedoen", create_app(world.app, settings))])
    with TestClient(outer, follow_redirects=False) as client:
        page = client.get(f"/meedoen{EVENT_URL}")
        assert page.status_code == 200
        assert f'action="/meedoen{EVENT_URL}#register"' in page.text
        assert 'href="/meedoen/static/style.css"' in page.text
        assert page.headers["x-frame-options"] == "DENY"
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert token is not None
        response = client.post(
            f"/meedoen{EVENT_URL}", data={**registration_form(), "csrf_token": token.group(1)}
        )
        assert response.headers["location"].startswith("/meedoen/my/")
        assert client.get(response.headers["location"]).status_code == 200


def test_print_links(world: World) -> None:
    world.app.register(
        WEEK,
        PROFESSIONALS_DAY,
        Person("Tom", "tom@example.org", PROFESSIONAL),
        consent=consent(world),
    )
    out = io.StringIO()
    # Tom, the three dialogue participants, and the same three as feedback recipients.
    assert print_links(world.app, world.signer, out) == 7
    assert "tom@example.org  http://testserver/my/" in out.getvalue()


def test_the_command_refuses_a_bad_now(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--now", "gisteren ergens", "--store", "memory://"]) == 2
    assert "--now" in capsys.readouterr().err


def test_the_plugin_is_found_and_keeps_no_personal_data(world: World) -> None:
    assert "web" in world.app.plugins.plugin_names()
    assert "web" in world.app.plugins.implementers("participatie_personal_data")
    assert not [field for name, field in world.app.plugins.personal_data() if name == "web"]
    assert world.app.check_personal_data() == []
