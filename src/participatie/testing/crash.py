"""Kill the dispatcher (``kill -9``) again and again while it sends; count what arrived.

The promise of the outbox is "no message lost, at most one duplicate per
crash" (FACTS.md: pretix's outbox, measured the same way). This harness
checks it for real: messages are queued in a store, a dispatcher process
sends them through the ``smtp`` channel to a real SMTP server
(:class:`~participatie.testing.SMTPTestServer`), and is killed with
``SIGKILL`` at random moments, ``kills`` times; then one last dispatcher
runs undisturbed. Duplicates are recognised by the ``X-Participatie-Key``
header each message carries.

Dispatcher processes are forked from a fork server that has participatie
imported already, so each start takes milliseconds and a hundred kills take
seconds, not minutes.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from participatie.clock import SystemClock
from participatie.dispatch import Dispatcher, RetryPolicy
from participatie.mail import KEY_HEADER
from participatie.outbox import DeliveryState
from participatie.smtp import SMTPChannel
from participatie.testing.outbox import outgoing
from participatie.testing.race import resolve
from participatie.testing.smtp import SMTPTestServer

__all__ = ["CrashResult", "kill_the_dispatcher"]

_QUEUED_AT = datetime(2020, 1, 1, 9, tzinfo=UTC)  # long due, on any real clock


@attrs.frozen
class CrashResult:
    """What the crash test found.

    Attributes:
        messages: Messages queued.
        kills: Dispatchers killed with SIGKILL.
        received: Messages the SMTP server accepted (duplicates included).
        lost: Keys of queued messages that never arrived.
        duplicates: Messages that arrived more than once, counted beyond the first.
        not_sent: Messages the store does not record as sent at the end.
        seconds: How long it all took.
    """

    messages: int
    kills: int
    received: int
    lost: tuple[str, ...]
    duplicates: int
    not_sent: int
    seconds: float

    @property
    def ok(self) -> bool:
        """Nothing lost, everything recorded as sent, at most one duplicate per kill."""
        return not self.lost and not self.not_sent and self.duplicates <= self.kills


def _dispatch_forever(
    opener: str, url: str, host: str, port: int, lease: float, batch: int
) -> None:  # pragma: no cover - runs in a child process that is killed
    store = resolve(opener)(url)
    channel = SMTPChannel(sender="vraagbaak@example.org", host=host, port=port, security="none")
    dispatcher = Dispatcher(
        store,
        {"smtp": channel},
        clock=SystemClock(),
        retry=RetryPolicy(first_delay=timedelta(milliseconds=50), max_attempts=1000),
        batch_size=batch,
        lease=timedelta(seconds=lease),
        send_timeout=10.0,
    )
    while True:
        dispatcher.run_once()
        time.sleep(0.01)


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["participatie.testing.crash"])
    return context


def kill_the_dispatcher(
    url: str,
    *,
    messages: int = 400,
    kills: int = 100,
    server_delay: float = 0.004,
    lease: float = 0.5,
    batch: int = 5,
    max_wait: float = 0.04,
    seed: int = 0,
    opener: str = "participatie:open_store",
    timeout: float = 300.0,
) -> CrashResult:
    """Queue ``messages``, kill the dispatcher ``kills`` times while it sends, then finish.

    ``url`` must name a fresh store that several processes can open (a
    SQLite file, a server database). Each dispatcher lives a random time up
    to ``max_wait`` seconds after it has started sending. ``lease`` is the
    claim lease the dispatchers use: a killed dispatcher's claims are sent
    again after it.
    """
    rng = random.Random(seed)
    context = _context()
    started = time.monotonic()
    store = resolve(opener)(url)
    try:
        store.queue_messages(
            [outgoing(n, channel="smtp", due_at=_QUEUED_AT) for n in range(messages)], _QUEUED_AT
        )
        with SMTPTestServer(delay=server_delay) as server:
            arguments = (opener, url, server.host, server.port, lease, batch)
            done = 0
            while done < kills and time.monotonic() - started < timeout:
                before = len(server.received)
                process = context.Process(target=_dispatch_forever, args=arguments, daemon=True)
                process.start()
                # Kill it while it sends: once something arrived (or soon after
                # it started, when the queue waits for lapsed claims).
                deadline = time.monotonic() + 2.0
                while len(server.received) == before and time.monotonic() < deadline:
                    time.sleep(0.002)
                time.sleep(rng.uniform(0.0, max_wait))
                process.kill()
                process.join(10)
                done += 1
            # One last dispatcher, undisturbed, until the store says all is sent.
            process = context.Process(target=_dispatch_forever, args=arguments, daemon=True)
            process.start()
            deadline = time.monotonic() + max(30.0, timeout - (time.monotonic() - started))
            while time.monotonic() < deadline:
                if not store.outbox([DeliveryState.PENDING, DeliveryState.SENDING]):
                    break
                time.sleep(0.05)
            process.kill()
            process.join(10)
            arrived = Counter(mail.parse()[KEY_HEADER] for mail in server.received)
        expected = {f"test/{n}" for n in range(messages)}
        not_sent = len(store.outbox()) - len(store.outbox([DeliveryState.SENT]))
        return CrashResult(
            messages=messages,
            kills=done,
            received=sum(arrived.values()),
            lost=tuple(sorted(expected - set(arrived))),
            duplicates=sum(count - 1 for count in arrived.values()),
            not_sent=not_sent,
            seconds=time.monotonic() - started,
        )
    finally:
        store.close()
