"""The apprise channel against a real HTTP endpoint on 127.0.0.1 (Apprise's json:// and form://)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import attrs
import pytest
from participatie_apprise import AppriseChannel

from participatie import (
    Consent,
    DeliveryState,
    Event,
    FixedClock,
    HelpDesk,
    InvalidInputError,
    Message,
    Notifications,
    Participatie,
    PermanentDeliveryError,
    Person,
    Session,
    TransientDeliveryError,
    get_plugins,
)


@attrs.define
class Hook:
    """What the endpoint received, and the status it answers with."""

    requests: list[tuple[str, str, bytes]] = attrs.Factory(list)
    status: int = 200
    port: int = 0


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A webhook on 127.0.0.1 that records every POST."""
    received = Hook()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            received.requests.append(
                (self.path, self.headers.get("Content-Type", ""), self.rfile.read(length))
            )
            self.send_response(received.status)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received
    server.shutdown()
    server.server_close()
    thread.join(5)


def message(recipient: str = "+31 6 0000 0001") -> Message:
    return Message(
        recipient,
        "Herinnering: dialoogbijeenkomst",
        "Beste Noor,\n\nMorgen om 10:00.\n\nVragen? vraagbaak@example.org",
        "reminder",
    )


def test_json_webhook_gets_subject_and_text(hook: Hook) -> None:
    channel = AppriseChannel(f"json://127.0.0.1:{hook.port}/sms/{{recipient}}")
    channel.send(message())
    [(path, content_type, body)] = hook.requests
    assert path == "/sms/+31%206%200000%200001", path
    assert content_type.startswith("application/json")
    data = json.loads(body)
    assert data["title"] == "Herinnering: dialoogbijeenkomst"
    assert data["message"] == "Beste Noor,\n\nMorgen om 10:00.\n\nVragen? vraagbaak@example.org"


def test_form_webhook(hook: Hook) -> None:
    AppriseChannel(f"form://127.0.0.1:{hook.port}/form/{{recipient}}", address="email").send(
        message("noor@example.org")
    )
    [(path, content_type, body)] = hook.requests
    assert path == "/form/noor@example.org", path
    assert content_type == "application/x-www-form-urlencoded"
    fields = parse_qs(body.decode("utf-8"))
    assert fields["title"] == ["Herinnering: dialoogbijeenkomst"]


def test_a_refusing_endpoint_is_a_transient_failure(hook: Hook) -> None:
    hook.status = 500
    with pytest.raises(TransientDeliveryError, match="could not deliver"):
        AppriseChannel(f"json://127.0.0.1:{hook.port}/sms/{{recipient}}").send(message())


def test_urls_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="shared=True"):
        AppriseChannel("json://127.0.0.1:9/team-chat")
    assert AppriseChannel("json://127.0.0.1:9/team-chat", shared=True).shared
    with pytest.raises(InvalidInputError, match="json://host/path"):
        AppriseChannel("not a url")
    with pytest.raises(PermanentDeliveryError, match="does not understand"):
        AppriseChannel("nosuchservice://x/{recipient}").send(message())


def test_registered_through_the_entry_point() -> None:
    assert "apprise" in get_plugins().channel_factories()


def test_participants_get_their_messages_through_apprise(hook: Hook, tmp_path: Path) -> None:
    start = datetime(2021, 5, 21, 8, tzinfo=UTC)
    event = Event(
        key="dialoog",
        title="Dialoogbijeenkomst",
        organiser="Landelijke organisatie van cliëntenraden",
        help_desk=HelpDesk(email="vraagbaak@example.org"),
        sessions=[Session("online", "Online", start, start + timedelta(hours=1, minutes=30))],
    )
    clock = FixedClock(start - timedelta(days=7))
    notifications = Notifications(
        channels=("apprise",),
        options={"apprise": {"url": f"json://127.0.0.1:{hook.port}/sms/{{recipient}}"}},
        reminders=(),
    )
    with Participatie.open(
        f"sqlite:///{tmp_path}/a.db", clock=clock, notifications=notifications
    ) as app:
        app.save_event(event)
        consent = Consent("1", clock.now())
        with_phone = Person("Noor Voorbeeld", "noor@example.org", "client", phone="+31600000001")
        app.register("dialoog", "online", with_phone, consent=consent)
        app.register(
            "dialoog", "online", Person("Sam", "sam@example.org", "client"), consent=consent
        )
        report = app.dispatch()
        assert report.sent == 1  # Sam has no phone number: nothing for him on this channel
        [(path, _type, body)] = hook.requests
        assert path == "/sms/+31600000001"
        data = json.loads(body)
        assert data["title"] == "Aanmelding bevestigd: Online"
        assert "Beste Noor Voorbeeld," in data["message"]
        assert "vraagbaak@example.org" in data["message"]  # the help desk
        hook.status = 503
        app.register(
            "dialoog",
            "online",
            Person("Iris", "iris@example.org", "client", phone="+31600000002"),
            consent=consent,
        )
        report = app.dispatch()
        assert (report.sent, report.retried) == (0, 1)
        [waiting] = app.outbox([DeliveryState.PENDING])
        assert waiting.last_error is not None
        assert "could not deliver" in waiting.last_error
