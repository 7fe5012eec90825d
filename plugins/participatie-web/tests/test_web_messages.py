"""A registration on the site queues its confirmation, and the message carries the personal link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_support import (
    CLIENTS_DAY,
    WEEK,
    World,
    build_world,
    csrf_token,
    registration_form,
)

EVENT_URL = f"/events/{WEEK}"


@pytest.fixture
def noisy_world(tmp_path: Path) -> Iterator[World]:
    built = build_world(tmp_path, messages=True)
    try:
        yield built
    finally:
        built.app.close()


def test_the_confirmation_carries_the_link_that_opens_the_page(noisy_world: World) -> None:
    with TestClient(noisy_world.site, follow_redirects=False) as client:
        token = csrf_token(client, EVENT_URL)
        answer = client.post(EVENT_URL, data={**registration_form(), "csrf_token": token})
        assert answer.status_code == 303, answer.text
        [registration] = noisy_world.app.registrations(WEEK, CLIENTS_DAY)
        confirmations = [
            r
            for r in noisy_world.app.outbox()
            if r.message.kind == "confirmation" and r.registration_id == registration.id
        ]
        assert len(confirmations) == 1
        text = confirmations[0].message.text
        found = re.search(r"http://testserver(/my/[^\s]+)", text)
        assert found is not None, text
        # The link in the e-mail opens the person's own page.
        page = client.get(found.group(1))
        assert page.status_code == 200
        assert "Mijn aanmelding" in page.text
        assert "U heeft een plaats" in page.text
        assert confirmations[0].message.calendar is not None  # and the calendar entry
