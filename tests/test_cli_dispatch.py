"""``participatie dispatch``: the queued messages go out through the outbox channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from participatie import Notifications, Participatie
from tests.cli_support import Organiser, make_organiser


@pytest.fixture
def queued(tmp_path: Path) -> Organiser:
    """Registrations imported, and one group message queued per registration."""
    organiser = make_organiser(tmp_path)
    assert organiser.run("event", "save").exit_code == 0
    assert organiser.run("import", "registrations", "clean.csv", "--apply").exit_code == 0
    notifications = Notifications(
        channels=("outbox",), options={"outbox": {"sender": "vraagbaak@example.org"}}
    )
    with Participatie.open(
        f"sqlite:///{organiser.directory / 'event.db'}", notifications=notifications
    ) as app:
        event = app.events()[0]
        registrations = app.registrations(event.key)
        assert registrations
        for registration in registrations:
            queued = app.queue_message(
                "group-assignment",
                registration.id,
                context={"group": {"number": 1, "facilitator": "Sam Gespreksleider"}},
            )
            assert queued == 1
    # The messages were queued on the computer's clock: send on it too.
    organiser.env["PARTICIPATIE_NOW"] = None
    return organiser


def test_dispatch_sends_queued_messages_into_the_folder(queued: Organiser) -> None:
    with queued.app() as app:
        waiting = len(app.outbox())
    result = queued.run("dispatch", "--folder", "verzonden")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"sent {waiting}, to retry 0, failed 0"
    files = sorted((queued.directory / "verzonden").glob("*.eml"))
    assert len(files) == waiting
    # A second run finds nothing left to send.
    again = queued.run("dispatch", "--folder", "verzonden", lang="nl")
    assert again.exit_code == 0
    assert again.output.strip() == "verzonden 0, opnieuw te proberen 0, mislukt 0"
    assert len(list((queued.directory / "verzonden").glob("*.eml"))) == waiting


def test_dispatch_uses_the_event_files_channels(queued: Organiser) -> None:
    toml = queued.directory / "participatie.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[channels]\nenabled = ["outbox"]\n[channels.outbox]\nfolder = "uit-bestand"\n'
        + 'sender = "vraagbaak@example.org"\n',
        encoding="utf-8",
    )
    result = queued.run("dispatch")
    assert result.exit_code == 0, result.output
    assert list((queued.directory / "uit-bestand").glob("*.eml"))
    assert not (queued.directory / "outbox").exists()


def test_dispatch_help_in_dutch(queued: Organiser) -> None:
    result = queued.run("dispatch", "--help", lang="nl")
    assert result.exit_code == 0
    assert "Verstuur de berichten" in result.output
    assert "--folder" in result.output


def test_a_failing_send_is_kept_for_a_retry(queued: Organiser) -> None:
    (queued.directory / "bezet").write_text("not a folder\n", encoding="utf-8")
    with queued.app() as app:
        waiting = len(app.outbox())
    result = queued.run("dispatch", "--folder", "bezet/uit")
    # Not permanent: the messages wait for the next run, so the run itself succeeded.
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"sent 0, to retry {waiting}, failed 0"
    assert result.stderr.count("retry group-assignment via outbox") == waiting
    for line in result.stderr.splitlines():
        assert "@" not in line.split("):", 1)[0]  # the key names no address


def test_dispatch_purges_old_messages_and_keeps_their_keys(queued: Organiser) -> None:
    with queued.app() as app:
        waiting = len(app.outbox())
    sent = queued.run("dispatch", "--folder", "verzonden", "--purge-after", "30")
    assert sent.exit_code == 0, sent.output
    # Just sent: younger than 30 days, nothing purged.
    assert "0 old message(s) deleted (older than 30 days)" in sent.output
    purged = queued.run("dispatch", "--folder", "verzonden", "--purge-after", "0")
    assert purged.exit_code == 0, purged.output
    assert f"{waiting} old message(s) deleted" in purged.output
    with queued.app() as app:
        assert app.outbox() == []
        # Queuing one of them again (an old step run again) queues nothing.
        registration = app.registrations(app.events()[0].key)[0]
        app_with_outbox = Participatie(
            app.store,
            notifications=Notifications(
                channels=("outbox",), options={"outbox": {"sender": "vraagbaak@example.org"}}
            ),
        )
        assert app_with_outbox.queue_message("group-assignment", registration.id) == 0
