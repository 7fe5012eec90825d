"""Security of the site through Starlette's TestClient: links, CSRF, headers, limits.

Each test would fail if its protection broke: a forged, tampered, expired,
cross-used or erased link must open nothing; a form without its token must
change nothing; a failing request must leave nothing half-written.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from participatie_web import HEADERS, LinkSigner
from starlette.testclient import TestClient
from web_support import (
    CLIENTS_DAY,
    STATUS_TOKEN,
    WEEK,
    World,
    at,
    build_world,
    csrf_token,
    feedback_link_path,
    registration_form,
)

from participatie import RegistrationState

EVENT_URL = f"/events/{WEEK}"


def register(client: TestClient, **changes: str) -> str:
    """Register through the form; return the personal page's path."""
    token = csrf_token(client, EVENT_URL)
    response = client.post(EVENT_URL, data={**registration_form(**changes), "csrf_token": token})
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


def later(world: World, delta: timedelta) -> None:
    """Move the clock by ``delta`` of real time (aware arithmetic in a zone is wall-clock time)."""
    world.clock.set(world.clock.now().astimezone(UTC) + delta)


def count(world: World) -> int:
    return len(world.app.registrations(WEEK))


# --- personal links -------------------------------------------------------------


def test_a_forged_link_opens_nothing(client: TestClient) -> None:
    for token in ["abc", "WzEsImZvbyJd.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "1"]:
        response = client.get(f"/my/{token}")
        assert response.status_code == 404
        assert "Deze link werkt niet" in response.text
        assert client.get(f"/feedback/{token}").status_code == 404


def test_a_link_signed_with_another_secret_opens_nothing(world: World, client: TestClient) -> None:
    path = register(client)
    registration = world.app.registrations(WEEK)[0]
    other = LinkSigner("another-secret-" + "y" * 40, clock=world.clock)
    assert client.get(path).status_code == 200
    assert client.get(f"/my/{other.registration_token(registration)}").status_code == 404


def test_a_tampered_link_opens_nothing(world: World, client: TestClient) -> None:
    path = register(client)
    token = path.removeprefix("/my/")
    payload, stamp, signature = token.split(".")
    # Another registration id in the payload, with the old signature.
    forged = base64.urlsafe_b64encode(json.dumps([2, "x" * 20]).encode()).decode().rstrip("=")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for bad in [f"{forged}.{stamp}.{signature}", f"{payload}.{stamp}.{flipped}", token[:-3]]:
        assert client.get(f"/my/{bad}").status_code == 404
    assert client.get(path).status_code == 200


def test_a_link_carries_no_personal_data(world: World, client: TestClient) -> None:
    path = register(client, email="Noor.Voorbeeld@Example.org")
    payload = path.removeprefix("/my/").split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert "noor" not in decoded.lower()
    assert "example" not in decoded.lower()
    feedback = feedback_link_path(world, "annemiek@example.org").split("/")[-1].split(".")[0]
    decoded = base64.urlsafe_b64decode(feedback + "=" * (-len(feedback) % 4)).decode()
    assert "annemiek" not in decoded


def test_an_expired_link_opens_nothing(world: World, client: TestClient) -> None:
    path = register(client)
    later(world, world.signer.registration_max_age - timedelta(minutes=1))
    assert client.get(path).status_code == 200
    later(world, timedelta(minutes=2))
    response = client.get(path)
    assert response.status_code == 404
    assert "verlopen" in response.text


def test_an_expired_feedback_link_opens_nothing(world: World, client: TestClient) -> None:
    path = feedback_link_path(world, "annemiek@example.org")
    assert client.get(path).status_code == 200
    later(world, world.signer.feedback_max_age + timedelta(seconds=1))
    assert client.get(path).status_code == 404


def test_a_feedback_link_does_not_open_a_registration(world: World, client: TestClient) -> None:
    token = feedback_link_path(world, "annemiek@example.org").split("/")[-1]
    assert client.get(f"/my/{token}").status_code == 404
    path = register(client)
    assert client.get("/feedback/" + path.removeprefix("/my/")).status_code == 404


def test_erasure_voids_the_links(world: World, client: TestClient) -> None:
    path = register(client)
    feedback = feedback_link_path(world, "annemiek@example.org")
    assert client.get(path).status_code == 200
    assert client.get(feedback).status_code == 200
    world.app.erase_person("noor@example.org", requested_by="vraagbaak@example.org")
    world.app.erase_person("annemiek@example.org", requested_by="vraagbaak@example.org")
    assert client.get(path).status_code == 404
    assert client.get(feedback).status_code == 404
    # Another recipient's link still works.
    assert client.get(feedback_link_path(world, "gert@example.org")).status_code == 200


# --- CSRF -------------------------------------------------------------------------


def test_a_form_without_its_token_changes_nothing(world: World, client: TestClient) -> None:
    csrf_token(client, EVENT_URL)  # the browser has its cookie
    response = client.post(EVENT_URL, data=registration_form())
    assert response.status_code == 403
    assert "Het formulier is verlopen" in response.text
    assert count(world) == 0


def test_a_token_without_its_cookie_is_refused(world: World, tmp_path: Path) -> None:
    with TestClient(world.site, follow_redirects=False) as first:
        token = csrf_token(first, EVENT_URL)
    with TestClient(world.site, follow_redirects=False) as second:
        # A forging site can make the browser post, but not with the victim's token.
        csrf_token(second, EVENT_URL)
        response = second.post(EVENT_URL, data={**registration_form(), "csrf_token": token})
        assert response.status_code == 403
        second.cookies.clear()
        response = second.post(EVENT_URL, data={**registration_form(), "csrf_token": token})
        assert response.status_code == 403
    assert count(world) == 0


def test_cancel_without_token_changes_nothing(world: World, client: TestClient) -> None:
    path = register(client)
    assert client.post(f"{path}/cancel").status_code == 403
    [registration] = world.app.registrations(WEEK)
    assert registration.state is RegistrationState.REGISTERED


def test_feedback_without_token_changes_nothing(world: World, client: TestClient) -> None:
    world.clock.set(at(2021, 5, 29, 10))
    path = feedback_link_path(world, "annemiek@example.org")
    csrf_token(client, path)
    response = client.post(path, data={"opinion-visie": "agree"})
    assert response.status_code == 403
    assert world.app.responses(world.round_id) == []


def test_the_csrf_cookie_is_strict_and_http_only(client: TestClient) -> None:
    response = client.get(EVENT_URL)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie


# --- headers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", EVENT_URL, "/my/forged", "/nowhere", "/static/style.css", "/status/wrong"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    for name, value in HEADERS.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'none'" in response.headers["content-security-policy"]


def test_an_error_page_keeps_the_headers_and_tells_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[object]:
        raise RuntimeError("database file at /srv/secret/path is gone")

    monkeypatch.setattr(world.app, "events", broken)
    with TestClient(world.site, raise_server_exceptions=False) as client:
        response = client.get("/")
    assert response.status_code == 500
    assert "Er ging iets mis bij ons" in response.text
    assert "/srv/secret" not in response.text
    for name, value in HEADERS.items():
        assert response.headers[name] == value


def test_pages_have_no_scripts_or_inline_styles(world: World, client: TestClient) -> None:
    path = register(client)
    for url in ["/", EVENT_URL, path, feedback_link_path(world, "gert@example.org")]:
        text = client.get(url).text
        assert "<script" not in text
        assert "style=" not in text
        assert " on" + "click" not in text


# --- rate limit -------------------------------------------------------------------


def test_registration_is_rate_limited_per_address(tmp_path: Path) -> None:
    world = build_world(tmp_path, rate_limit=2)
    try:
        with TestClient(world.site, follow_redirects=False) as client:
            token = csrf_token(client, EVENT_URL)
            for number in range(2):
                form = registration_form(email=f"person{number}@example.org")
                assert client.post(EVENT_URL, data={**form, "csrf_token": token}).status_code == 303
            form = registration_form(email="person2@example.org")
            refused = client.post(EVENT_URL, data={**form, "csrf_token": token})
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) > 0
            assert count(world) == 2
            world.clock.advance(timedelta(minutes=11))
            assert client.post(EVENT_URL, data={**form, "csrf_token": token}).status_code == 303
    finally:
        world.app.close()


# --- nothing half-written -----------------------------------------------------------


def test_a_refused_registration_stores_nothing(world: World, client: TestClient) -> None:
    token = csrf_token(client, EVENT_URL)
    bad = [
        registration_form(email="not-an-address"),
        registration_form(name=""),
        registration_form(consent=""),
        registration_form(session="professionals-6-nov"),
        registration_form(session="no-such-session"),
        registration_form(audience="nobody"),
    ]
    for form in bad:
        response = client.post(EVENT_URL, data={**form, "csrf_token": token})
        assert response.status_code == 400, form
        assert 'aria-invalid="true"' in response.text
    assert count(world) == 0


def test_a_feedback_response_with_one_bad_part_changes_nothing(
    world: World, client: TestClient
) -> None:
    world.clock.set(at(2021, 5, 29, 10))
    path = feedback_link_path(world, "annemiek@example.org")
    token = csrf_token(client, path)
    first = {"csrf_token": token, "opinion-visie": "partly", "comment-visie": "Noem de ouders."}
    assert client.post(path, data=first).status_code == 303
    changed = {
        "csrf_token": token,
        "opinion-visie": "disagree",
        "comment-visie": "Anders.",
        "opinion-nodig": "agree",
        "comment-nodig": "Een bel\x07 in de tekst",
    }
    response = client.post(path, data=changed)
    assert response.status_code == 400
    assert 'id="comment-nodig-error"' in response.text
    [stored] = world.app.responses(world.round_id)
    assert [
        (a.section, a.opinion.value if a.opinion else None, a.comment) for a in stored.sections
    ] == [("visie", "partly", "Noem de ouders.")]
    assert stored.revision == 1


# --- the status page ----------------------------------------------------------------


def test_the_status_page_needs_its_token_and_names_nobody(world: World, client: TestClient) -> None:
    register(client)
    assert client.get("/status/wrong-token-000000000").status_code == 404
    response = client.get(f"/status/{STATUS_TOKEN}")
    assert response.status_code == 200
    assert "Sessie voor cliënten en ervaringsdeskundigen" in response.text
    assert "noor" not in response.text.lower()
    assert "@" not in response.text.replace("vraagbaak@example.org", "")


def test_the_status_page_is_off_without_a_token(tmp_path: Path) -> None:
    world = build_world(tmp_path)
    try:
        from participatie_web import WebSettings, create_app

        site = create_app(world.app, WebSettings(world.signer))
        with TestClient(site) as client:
            assert client.get(f"/status/{STATUS_TOKEN}").status_code == 404
    finally:
        world.app.close()


def test_a_registration_for_the_clients_day_is_counted_once(
    world: World, client: TestClient
) -> None:
    register(client)
    token = csrf_token(client, EVENT_URL)
    again = client.post(EVENT_URL, data={**registration_form(), "csrf_token": token})
    assert again.status_code == 400
    assert "al aangemeld" in again.text
    assert world.app.places(WEEK, CLIENTS_DAY).taken == 1
