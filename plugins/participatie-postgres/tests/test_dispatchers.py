"""Two dispatcher processes on one PostgreSQL outbox never send a message twice.

Each round queues a batch of messages, then starts two real dispatch
workers (``python -m participatie.dispatch``, separate processes, as cron or
systemd would) at the same moment against a real SMTP server. Over all
rounds every message arrives exactly once, and both workers did part of the
work (so they really ran at the same time).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from participatie import DeliveryState, open_store
from participatie.mail import KEY_HEADER
from participatie.testing import SMTPTestServer, outgoing

PAST = datetime(2020, 1, 1, 9, tzinfo=UTC)  # the command line runs on the real clock
ROUNDS = 4
PER_ROUND = 40


def _dispatcher(url: str, port: int) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "participatie.dispatch", "--store", url, "--channel", "smtp"]
    for option in (
        "smtp.host=127.0.0.1",
        f"smtp.port={port}",
        "smtp.security=none",
        "smtp.sender=vraagbaak@example.org",
    ):
        argv += ["--option", option]
    argv += ["--batch-size", "3"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_dispatcher_processes_never_send_the_same_message(
    store_urls: Callable[[], str],
) -> None:
    url = store_urls()
    sent_by_worker: list[tuple[int, int]] = []
    with SMTPTestServer(delay=0.005) as server:
        for round_number in range(ROUNDS):
            with open_store(url) as store:
                numbers = range(round_number * PER_ROUND, (round_number + 1) * PER_ROUND)
                queued = [outgoing(n, channel="smtp", due_at=PAST) for n in numbers]
                assert store.queue_messages(queued, PAST) == PER_ROUND
            workers = [_dispatcher(url, server.port) for _ in range(2)]
            counts = []
            for worker in workers:
                out, err = worker.communicate(timeout=120)
                assert worker.returncode == 0, err
                found = re.search(r"sent (\d+), to retry 0, failed 0", out)
                assert found, out
                counts.append(int(found.group(1)))
            assert sum(counts) == PER_ROUND
            sent_by_worker.append((counts[0], counts[1]))
        keys = [mail.parse()[KEY_HEADER] for mail in server.received]
    assert len(keys) == ROUNDS * PER_ROUND
    assert len(set(keys)) == len(keys), "a message was sent twice"
    # Both workers shared the outbox in at least one round.
    assert any(min(pair) > 0 for pair in sent_by_worker), sent_by_worker
    with open_store(url) as store:
        assert {record.state for record in store.outbox()} == {DeliveryState.SENT}
