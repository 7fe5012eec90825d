"""The smtp channel against a real SMTP server (aiosmtpd on 127.0.0.1).

What arrives is parsed with the ``email`` package: the iMIP structure, the
calendar's METHOD against the MIME ``method=``, exactly one recipient, the
Dutch and English texts and the help desk.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from participatie import (
    Consent,
    FixedClock,
    InvalidInputError,
    Notifications,
    Participatie,
    PermanentDeliveryError,
    SMTPChannel,
    TransientDeliveryError,
)
from participatie.mail import KEY_HEADER
from participatie.plugins import Plugins, make_plugin_manager
from participatie.testing import SMTPTestServer, make_tls_contexts
from participatie.testing.outbox import outgoing
from tests.calendar_stub import calendar_part
from tests.conftest import EVENT_KEY, at, client, week_event


def channel(server: SMTPTestServer, **options: object) -> SMTPChannel:
    return SMTPChannel(
        sender="vraagbaak@example.org",
        host=server.host,
        port=server.port,
        security="none",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def app(smtp_server: SMTPTestServer, tmp_path: Path) -> Iterator[Participatie]:
    clock = FixedClock(at(2020, 10, 20, 9, 0))
    notifications = Notifications(
        channels=("smtp",),
        options={
            "smtp": {
                "sender": "vraagbaak@example.org",
                "host": smtp_server.host,
                "port": smtp_server.port,
                "security": "none",
            }
        },
        calendar=calendar_part,
    )
    plugins = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    with Participatie.open(
        f"sqlite:///{tmp_path}/smtp.db", clock=clock, plugins=plugins, notifications=notifications
    ) as app:
        app.save_event(week_event(capacity=1))
        yield app


def test_confirmations_arrive_in_both_languages(
    app: Participatie, smtp_server: SMTPTestServer
) -> None:
    consent = Consent("2020-10", app.now())
    dutch = client(1)
    english = client(2).__class__(
        "Second Participant", "second@example.org", "client", language="en"
    )
    app.register(EVENT_KEY, "clienten", dutch, consent=consent)
    app.register(EVENT_KEY, "clienten", english, consent=consent)  # waits: capacity 1
    report = app.dispatch()
    assert (report.sent, report.failed) == (2, 0)
    received = {mail.rcpt_tos: mail for mail in smtp_server.wait_for(2)}
    assert set(received) == {("deelnemer1@example.org",), ("second@example.org",)}

    confirmation = received[("deelnemer1@example.org",)].parse()
    assert [str(a) for a in confirmation["To"].addresses] == [
        "Deelnemer 1 <deelnemer1@example.org>"
    ]
    assert confirmation["Cc"] is None
    assert confirmation["Bcc"] is None
    assert confirmation["Subject"] == (
        "Aanmelding bevestigd: Sessie voor cliënten en ervaringsdeskundigen"
    )
    assert confirmation.get_content_type() == "multipart/mixed"
    alternative, attachment = confirmation.iter_parts()
    plain, html, calendar = alternative.iter_parts()
    text = plain.get_content()
    assert "U bent aangemeld voor Week van reflectie en verrijking." in text
    assert "donderdag 5 november 2020, 10:00–11:30" in text
    assert "vraagbaak@example.org of +31 30 000 0000" in text  # the help desk
    assert "vraagbaak@example.org" in html.get_content()
    ics = icalendar.Calendar.from_ical(calendar.get_content())
    assert calendar.get_param("method") == str(ics["METHOD"]) == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    assert icalendar.Calendar.from_ical(attachment.get_content())["METHOD"] == "REQUEST"
    [vevent] = ics.walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == "mailto:deelnemer1@example.org"

    waiting = received[("second@example.org",)].parse()
    assert waiting["Subject"] == "On the waiting list: Sessie voor cliënten en ervaringsdeskundigen"
    assert waiting["Content-Language"] == "en"
    body = waiting.get_body(preferencelist=("plain",))
    assert body is not None
    assert "you are on the waiting list" in body.get_content()
    assert "Questions? Contact the help desk: vraagbaak@example.org" in body.get_content()
    # No calendar entry for someone who has no place.
    assert all(part.get_content_type() != "text/calendar" for part in waiting.walk())


def test_cancellation_withdraws_the_calendar_entry(
    app: Participatie, smtp_server: SMTPTestServer
) -> None:
    consent = Consent("2020-10", app.now())
    first = app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    app.register(EVENT_KEY, "clienten", client(2), consent=consent)
    app.cancel(first.id)
    assert app.dispatch().sent == 4  # confirmation, waiting list, cancellation, promotion
    mails = [mail.parse() for mail in smtp_server.wait_for(4)]
    cancellation = next(m for m in mails if m["X-Participatie-Kind"] == "cancellation")
    calendar = next(p for p in cancellation.walk() if p.get_content_type() == "text/calendar")
    ics = icalendar.Calendar.from_ical(calendar.get_content())
    assert calendar.get_param("method") == str(ics["METHOD"]) == "CANCEL"
    [vevent] = ics.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    promoted = [m for m in mails if m["X-Participatie-Kind"] == "confirmation"]
    assert [m["To"].addresses[0].addr_spec for m in promoted] == [
        "deelnemer1@example.org",
        "deelnemer2@example.org",
    ]
    # Every message to exactly one person.
    assert all(len(mail.rcpt_tos) == 1 for mail in smtp_server.received)


def test_one_connection_per_batch(smtp_server: SMTPTestServer) -> None:
    smtp = channel(smtp_server)
    with smtp.batch():
        for number in range(5):
            smtp.send(outgoing(number).message)
    assert smtp_server.connections == 1
    for number in range(5, 8):
        smtp.send(outgoing(number).message)  # outside a batch: a connection each
    assert smtp_server.connections == 4
    keys = [mail.parse()[KEY_HEADER] for mail in smtp_server.wait_for(8)]
    assert keys == [f"test/{n}" for n in range(8)]


def test_reconnects_when_the_server_drops_the_connection(smtp_server: SMTPTestServer) -> None:
    smtp = channel(smtp_server)
    with smtp.batch():
        smtp.send(outgoing(1).message)
        assert smtp._connection is not None
        smtp._connection.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
        with pytest.raises(TransientDeliveryError):
            smtp.send(outgoing(2).message)
        smtp.send(outgoing(3).message)  # a new connection
    assert [mail.parse()[KEY_HEADER] for mail in smtp_server.wait_for(2)] == ["test/1", "test/3"]


def test_replies_are_sorted_into_transient_and_permanent(smtp_server: SMTPTestServer) -> None:
    smtp = channel(smtp_server)
    smtp_server.reply_with("451 4.3.0 Try again later")
    with pytest.raises(TransientDeliveryError, match="451"):
        smtp.send(outgoing(1).message)
    smtp_server.reply_with("552 5.3.4 Message too big")
    with pytest.raises(PermanentDeliveryError, match="552"):
        smtp.send(outgoing(2).message)
    smtp_server.refused_recipients["deelnemer-3@example.org"] = "550 5.1.1 No such user"
    with pytest.raises(PermanentDeliveryError, match="550"):
        smtp.send(outgoing(3).message)
    smtp_server.refused_recipients["deelnemer-4@example.org"] = "450 4.2.1 Mailbox busy"
    with pytest.raises(TransientDeliveryError, match="450"):
        smtp.send(outgoing(4).message)
    smtp.send(outgoing(5).message)
    assert [mail.rcpt_tos for mail in smtp_server.wait_for(1)] == [("deelnemer-5@example.org",)]


def test_no_server_is_transient() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    smtp = SMTPChannel(
        sender="vraagbaak@example.org", host="127.0.0.1", port=port, security="none", timeout=2
    )
    with pytest.raises(TransientDeliveryError, match="ConnectionRefused"):
        smtp.send(outgoing(1).message)


def test_starttls_and_login(tmp_path: Path) -> None:
    server_context, client_context = make_tls_contexts(tmp_path)
    users = {"organisator": "geheim wachtwoord"}
    with SMTPTestServer(starttls_context=server_context, users=users) as server:
        smtp = SMTPChannel(
            sender="vraagbaak@example.org",
            host=server.host,
            port=server.port,
            security="starttls",
            username="organisator",
            password="geheim wachtwoord",
            ssl_context=client_context,
        )
        assert "geheim" not in repr(smtp)
        smtp.send(outgoing(1).message)
        [mail] = server.wait_for(1)
        assert mail.encrypted
        assert mail.authenticated_as == "organisator"
        wrong = SMTPChannel(
            sender="vraagbaak@example.org",
            host=server.host,
            port=server.port,
            username="organisator",
            password="fout",
            ssl_context=client_context,
        )
        with pytest.raises(TransientDeliveryError, match="refused the login"):
            wrong.send(outgoing(2).message)
        # A client that does not trust the certificate does not send.
        untrusting = SMTPChannel(
            sender="vraagbaak@example.org",
            host=server.host,
            port=server.port,
            ssl_context=ssl.create_default_context(),
        )
        with pytest.raises(TransientDeliveryError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusting.send(outgoing(3).message)
        assert len(server.received) == 1


def test_implicit_tls(tmp_path: Path) -> None:
    server_context, client_context = make_tls_contexts(tmp_path)
    with SMTPTestServer(tls_context=server_context) as server:
        smtp = SMTPChannel(
            sender="vraagbaak@example.org",
            host=server.host,
            port=server.port,
            security="tls",
            ssl_context=client_context,
        )
        with smtp.batch():
            smtp.send(outgoing(1).message)
            smtp.send(outgoing(2).message)
        assert [mail.encrypted for mail in server.wait_for(2)] == [True, True]
        assert server.connections == 1


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="unencrypted"):
        SMTPChannel(sender="vraagbaak@example.org", host="smtp.example.org", security="none")
    with pytest.raises(InvalidInputError, match="both a username and a password"):
        SMTPChannel(sender="vraagbaak@example.org", username="organisator")
    assert SMTPChannel(sender="vraagbaak@example.org").effective_port == 587
    assert SMTPChannel(sender="vraagbaak@example.org", security="tls").effective_port == 465
    assert SMTPChannel(sender="vraagbaak@example.org", port="2525").effective_port == 2525  # type: ignore[arg-type]


def test_wait_for_times_out(smtp_server: SMTPTestServer) -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        smtp_server.wait_for(1, timeout=timedelta(milliseconds=50).total_seconds())
