"""Personal invitations rendered and delivered to a local SMTP server (printed, never asserted).

Target from the notifications issue, on a 2-core machine: at least 300
messages per second through the ``smtp`` channel with one reused connection.

Measured, each on 10,000 personal invitations (one message per person, Dutch
or English, text + HTML):

- ``render``: composing the messages (Jinja2 templates, Babel dates);
- ``smtp-reused-connection``: building each e-mail and sending it over one
  SMTP connection (``SMTPChannel.batch()``), as the dispatcher does;
- ``smtp-connection-per-message``: the same with a new connection for every
  message;
- ``outbox-and-dispatcher``: the whole way a real run goes: queued in a
  SQLite outbox (one transaction), then claimed, sent over one connection and
  recorded as sent, message by message, by the dispatcher.

The SMTP server is aiosmtpd (:class:`participatie.testing.SMTPTestServer`) on
127.0.0.1, in a process of its own, as a real mail server would be: in the
sender's process it would compete with the sender for the same interpreter
lock. Every message is counted as it arrives. Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from participatie import (
    Contact,
    Event,
    FixedClock,
    HelpDesk,
    Notifications,
    Participatie,
    Session,
    SMTPChannel,
)
from participatie.notifications import Planner
from participatie.testing import SMTPTestServer

NOW = datetime(2021, 5, 10, 9, tzinfo=UTC)


def event() -> Event:
    start = datetime(2021, 5, 21, 8, tzinfo=UTC)
    return Event(
        key="dialoogbijeenkomst",
        title="Dialoogbijeenkomst toekomstscenario kinder- en gezinsbescherming",
        organiser="Landelijke organisatie van cliëntenraden",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="+31 30 000 0000"),
        purpose="In gesprek over het toekomstscenario dat in consultatie is.",
        central_questions=[
            "Wat vindt u van het scenario?",
            "Wat mist u?",
            "Wat is nodig om het te laten werken?",
        ],
        sessions=[
            Session(
                "online",
                "Online dialoogbijeenkomst",
                start,
                start + timedelta(hours=1, minutes=30),
                online_link="https://meet.example.org/dialoog",
                registration_closes=start - timedelta(days=2),
            )
        ],
    )


def contacts(count: int) -> list[Contact]:
    return [
        Contact(
            f"Deelnemer {n}",
            f"deelnemer-{n}@example.org",
            "en" if n % 5 == 0 else "nl",
            organisation=f"Cliëntenraad {n % 40}",
        )
        for n in range(count)
    ]


def serve(connection: Connection) -> None:
    """Run an SMTP test server until told to stop; answer "received" and "clear"."""
    with SMTPTestServer() as server:
        connection.send((server.host, server.port))
        while True:
            command = connection.recv()
            if command == "stop":
                break
            if command == "received":
                connection.send((len(server.received), server.connections))
            elif command == "clear":
                server.clear()
                connection.send(None)


class Server:
    """The SMTP server in its own process."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs,), daemon=True)
        self.process.start()
        self.host, self.port = self.connection.recv()

    def received(self) -> tuple[int, int]:
        self.connection.send("received")
        count, connections = self.connection.recv()
        return int(count), int(connections)

    def wait_for(self, count: int, timeout: float = 120.0) -> int:
        deadline = time.monotonic() + timeout
        while (received := self.received()[0]) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return received

    def clear(self) -> None:
        self.connection.send("clear")
        self.connection.recv()

    def stop(self) -> None:
        self.connection.send("stop")
        self.process.join(30)


def report(name: str, count: int, seconds: float, **extra: object) -> None:
    print(
        json.dumps(
            {
                "benchmark": f"notifications/{name}",
                "messages": count,
                "seconds": round(seconds, 3),
                "messages_per_second": round(count / seconds, 1),
                **extra,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    count = args.count
    people = contacts(count)
    the_event = event()

    server = Server()
    try:
        smtp = SMTPChannel(
            sender="vraagbaak@example.org", host=server.host, port=server.port, security="none"
        )
        planner = Planner({"smtp": smtp})

        started = time.perf_counter()
        queued = planner.invitations(
            the_event, people, NOW, registration_link="https://example.org/aanmelden"
        )
        report("render", len(queued), time.perf_counter() - started)
        messages = [entry.message for entry in queued]

        started = time.perf_counter()
        with smtp.batch():
            for message in messages:
                smtp.send(message)
        seconds = time.perf_counter() - started
        received, connections = server.wait_for(count), server.received()[1]
        report(
            "smtp-reused-connection",
            count,
            seconds,
            received=received,
            connections=connections,
            target_messages_per_second=300,
        )

        server.clear()
        before = server.received()[1]
        started = time.perf_counter()
        for message in messages:
            smtp.send(message)
        seconds = time.perf_counter() - started
        received = server.wait_for(count)
        report(
            "smtp-connection-per-message",
            count,
            seconds,
            received=received,
            connections=server.received()[1] - before,
        )

        server.clear()
        with tempfile.TemporaryDirectory() as directory:
            notifications = Notifications(channels=("smtp",), reminders=())
            with Participatie.open(
                f"sqlite:///{Path(directory) / 'bench.db'}",
                clock=FixedClock(NOW),
                notifications=notifications,
                channels={"smtp": smtp},
            ) as app:
                app.save_event(the_event)
                started = time.perf_counter()
                app.invite(the_event.key, people, registration_link="https://example.org/aanmelden")
                queued_at = time.perf_counter()
                result = app.dispatch(batch_size=200)
                seconds = time.perf_counter() - started
            report(
                "outbox-and-dispatcher",
                result.sent,
                seconds,
                received=server.wait_for(count),
                render_and_queue_seconds=round(queued_at - started, 3),
                dispatch_seconds=round(seconds - (queued_at - started), 3),
                failed=result.failed,
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
