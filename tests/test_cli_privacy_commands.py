"""``participatie privacy``: erase, access, purge and check, from the command line."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from tests.cli_support import ORGANISER, Organiser, make_organiser

NOOR = "noor.voorbeeld@example.org"


@pytest.fixture
def registered(tmp_path: Path) -> Organiser:
    organiser = make_organiser(tmp_path)
    assert organiser.run("event", "save").exit_code == 0
    assert organiser.run("import", "registrations", "clean.csv", "--apply").exit_code == 0
    with organiser.app() as app:
        assert app.registrations_of(NOOR)
    return organiser


def test_erase_removes_the_person_and_never_prints_the_address(registered: Organiser) -> None:
    result = registered.run("privacy", "erase", NOOR, "--yes")
    assert result.exit_code == 0, result.output
    assert "Erasure done:" in result.output
    assert "person found and erased" in result.output
    assert NOOR not in result.output
    with registered.app() as app:
        assert app.registrations_of(NOOR) == []
        log = app.privacy_log()
    assert any(record.requested_by == ORGANISER for record in log)
    assert all(NOOR not in repr(record) for record in log)
    again = registered.run("privacy", "erase", NOOR, "--yes", lang="nl")
    assert again.exit_code == 0
    assert "Wissen uitgevoerd:" in again.output
    assert "nobody with that address is stored" in again.output


def test_erase_asks_first(registered: Organiser) -> None:
    result = registered.run("privacy", "erase", NOOR)  # no input: no confirmation
    assert result.exit_code == 1
    with registered.app() as app:
        assert app.registrations_of(NOOR)


def test_erase_needs_someone_who_asks(registered: Organiser) -> None:
    registered.env["PARTICIPATIE_REQUESTED_BY"] = None
    result = registered.run("privacy", "erase", NOOR, "--yes")
    assert result.exit_code == 2
    with registered.app() as app:
        assert app.registrations_of(NOOR)


def test_access_writes_the_persons_data(registered: Organiser) -> None:
    result = registered.run("privacy", "access", NOOR, "noor.json", lang="nl")
    assert result.exit_code == 0, result.output
    assert "Overzicht geschreven naar" in result.output
    document = json.loads((registered.directory / "noor.json").read_text(encoding="utf-8"))
    assert document["found"] is True
    assert NOOR in json.dumps(document)
    with registered.app() as app:
        assert any(record.action == "access-exported" for record in app.privacy_log())
    nobody = registered.run("privacy", "access", "niemand@example.org", "niemand.json")
    assert nobody.exit_code == 0
    assert "Nobody with this address is stored" in nobody.output


def test_purge_before_and_after_retention(registered: Organiser) -> None:
    result = registered.run("privacy", "purge")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "No event is past its retention period."
    with registered.app() as app:
        event = app.events()[0]
        app.save_event(attrs.evolve(event, retention=timedelta(days=30)))
    registered.env["PARTICIPATIE_NOW"] = "2031-01-01 12:00"
    later = registered.run("privacy", "purge", lang="nl")
    assert later.exit_code == 0, later.output
    assert "Gewist voor" in later.output
    with registered.app() as app:
        assert app.registrations_of(NOOR) == []


def test_check_passes_for_the_built_in_store(registered: Organiser) -> None:
    result = registered.run("privacy", "check")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "The personal-data declarations are right."
    dutch = registered.run("privacy", "check", lang="nl")
    assert dutch.output.strip() == "De opgaven van persoonsgegevens kloppen."
