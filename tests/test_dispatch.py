"""The dispatcher: claims, sends, records, retries; broken channels stay contained."""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import (
    Consent,
    DeliveryState,
    Dispatcher,
    FixedClock,
    InvalidInputError,
    Message,
    Notifications,
    Participatie,
    PermanentDeliveryError,
    RetryPolicy,
    SMTPChannel,
    TransientDeliveryError,
    open_store,
)
from participatie.dispatch import main
from participatie.mail import KEY_HEADER
from participatie.plugins import Plugins, make_plugin_manager
from participatie.storage import Store
from participatie.testing import RecordingChannel, SMTPTestServer, outgoing
from tests.conftest import EVENT_KEY, at, client, week_event

NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)
S = DeliveryState


@attrs.define
class FlakyChannel:
    """Fails ``failures`` times (with ``error``), then delivers."""

    failures: int
    error: Exception = attrs.Factory(lambda: TransientDeliveryError("451 try again"))
    sent: list[Message] = attrs.Factory(list)
    attempts: int = 0

    def send(self, message: Message) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise self.error
        self.sent.append(message)


@attrs.define
class RefusesOne:
    """Delivers to everyone except one address."""

    refused: str
    sent: list[Message] = attrs.Factory(list)

    def send(self, message: Message) -> None:
        if message.recipient == self.refused:
            raise RuntimeError("this channel has a bug")
        self.sent.append(message)


@attrs.define
class HangingChannel:
    """Never answers until released."""

    release: threading.Event = attrs.Factory(threading.Event)
    started: threading.Event = attrs.Factory(threading.Event)

    def send(self, message: Message) -> None:
        self.started.set()
        self.release.wait(30)


@attrs.define
class BrokenBatch:
    """Its batch cannot even be opened (say, the server is unreachable)."""

    def send(self, message: Message) -> None:  # pragma: no cover - never reached
        raise AssertionError("send without a batch")

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        raise TransientDeliveryError("connection refused")
        yield  # pragma: no cover


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/d.db"
    with open_store(url) as store:
        yield store


def dispatcher(store: Store, clock: FixedClock, **channels: object) -> Dispatcher:
    return Dispatcher(
        store,
        channels,  # type: ignore[arg-type]
        clock=clock,
        retry=RetryPolicy(first_delay=timedelta(minutes=1), max_attempts=3, jitter=0.5),
        rng=random.Random(5),
        send_timeout=1.0,
    )


@given(attempt=st.integers(1, 60), draw=st.floats(0, 1))
def test_retry_delays_grow_and_are_capped(attempt: int, draw: float) -> None:
    policy = RetryPolicy(
        first_delay=timedelta(seconds=30), max_delay=timedelta(hours=1), jitter=0.25
    )

    class Fixed(random.Random):
        def random(self) -> float:
            return draw

    base = timedelta(seconds=min(3600.0, 30.0 * 2.0 ** (attempt - 1)))
    delay = policy.delay(attempt, Fixed())
    assert base * 0.75 - timedelta(microseconds=1) <= delay <= base
    assert delay <= timedelta(hours=1)


def test_retry_policy_is_checked() -> None:
    with pytest.raises(InvalidInputError):
        RetryPolicy(first_delay=timedelta(0))
    with pytest.raises(InvalidInputError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(InvalidInputError):
        RetryPolicy(jitter=1.5)


def test_transient_failures_are_retried_with_back_off(store: Store) -> None:
    clock = FixedClock(NOW)
    flaky = FlakyChannel(failures=2)
    store.queue_messages([outgoing(1, channel="flaky", due_at=NOW)], NOW)
    first = dispatcher(store, clock, flaky=flaky).run_once()
    [failure] = first.failures
    assert (first.sent, first.retried, failure.final) == (0, 1, False)
    assert "451" in failure.error
    [record] = store.outbox()
    assert record.state is S.PENDING
    assert NOW + timedelta(seconds=30) <= record.due_at <= NOW + timedelta(minutes=1)
    # Not due yet: nothing happens.
    assert dispatcher(store, clock, flaky=flaky).run_once().failures == ()
    clock.set(record.due_at)
    dispatcher(store, clock, flaky=flaky).run_once()
    [record] = store.outbox()
    # The second wait is twice as long: 2 minutes, less up to half of it.
    assert timedelta(minutes=1) <= record.due_at - clock.now() <= timedelta(minutes=2)
    clock.set(record.due_at)
    report = dispatcher(store, clock, flaky=flaky).run_once()
    assert report.sent == 1
    [record] = store.outbox()
    assert (record.state, record.attempts, record.sent_at) == (S.SENT, 3, clock.now())
    assert [m.key for m in flaky.sent] == ["test/1"]


def test_permanent_failures_fail_at_once(store: Store) -> None:
    clock = FixedClock(NOW)
    refusing = FlakyChannel(failures=99, error=PermanentDeliveryError("550 no such user"))
    store.queue_messages([outgoing(1, channel="refusing", due_at=NOW)], NOW)
    report = dispatcher(store, clock, refusing=refusing).run_once()
    [failure] = report.failures
    assert (report.failed, failure.final, failure.channel) == (1, True, "refusing")
    assert "550" in failure.error
    [record] = store.outbox()
    assert (record.state, record.last_error) == (S.FAILED, failure.error)
    clock.advance(timedelta(days=1))
    assert dispatcher(store, clock, refusing=refusing).run_once().failures == ()
    assert refusing.attempts == 1


def test_a_bug_in_a_channel_is_retried_then_given_up(store: Store) -> None:
    clock = FixedClock(NOW)
    buggy = RefusesOne("deelnemer-2@example.org")
    store.queue_messages([outgoing(n, channel="buggy", due_at=NOW) for n in range(4)], NOW)
    for _ in range(3):
        dispatcher(store, clock, buggy=buggy).run_once()
        clock.advance(timedelta(hours=1))
    # The other recipients got theirs on the first run.
    assert [m.recipient for m in buggy.sent] == [
        "deelnemer-0@example.org",
        "deelnemer-1@example.org",
        "deelnemer-3@example.org",
    ]
    states = {r.key: (r.state, r.attempts) for r in store.outbox()}
    assert states["test/2"] == (S.FAILED, 3)
    assert "RuntimeError: this channel has a bug" in (store.outbox([S.FAILED])[0].last_error or "")


def test_a_hanging_channel_blocks_nothing_else(tmp_path: Path) -> None:
    clock = FixedClock(at(2020, 10, 20, 9, 0))
    hanging, working = HangingChannel(), RecordingChannel()
    notifications = Notifications(channels=("hanging", "working"), reminders=())
    plugins = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    with Participatie.open(
        f"sqlite:///{tmp_path}/h.db",
        clock=clock,
        plugins=plugins,
        notifications=notifications,
        channels={"hanging": hanging, "working": working},
    ) as app:
        app.save_event(week_event(capacity=10))
        consent = Consent("2020-10", clock.now())
        for number in range(3):
            app.register(EVENT_KEY, "clienten", client(number), consent=consent)
        results: list[object] = []
        runner = threading.Thread(
            target=lambda: results.append(app.dispatch(send_timeout=1.0)), daemon=True
        )
        started = time.monotonic()
        runner.start()
        assert hanging.started.wait(10)
        # While the channel hangs, registration goes on as usual.
        registration = app.register(EVENT_KEY, "clienten", client(9), consent=consent)
        assert registration.state.value == "registered"
        runner.join(15)
        elapsed = time.monotonic() - started
        [report] = results
        hanging.release.set()
    assert elapsed < 10
    assert report.hung_channels == ("hanging",)  # type: ignore[attr-defined]
    # (The registration made meanwhile was picked up by the same run.)
    assert {m.recipient for m in working.sent} >= {f"deelnemer{n}@example.org" for n in range(3)}


def test_hung_messages_wait_for_a_later_run(store: Store) -> None:
    clock = FixedClock(NOW)
    hanging = HangingChannel()
    store.queue_messages([outgoing(n, channel="hanging", due_at=NOW) for n in range(2)], NOW)
    report = dispatcher(store, clock, hanging=hanging).run_once()
    hanging.release.set()
    assert report.hung_channels == ("hanging",)
    assert [failure.final for failure in report.failures] == [False, False]
    assert "did not answer" in report.failures[0].error
    assert {record.state for record in store.outbox()} == {S.PENDING}


def test_a_channel_whose_batch_breaks(store: Store) -> None:
    clock = FixedClock(NOW)
    working = RecordingChannel()
    store.queue_messages(
        [outgoing(1, channel="broken", due_at=NOW), outgoing(2, channel="working", due_at=NOW)],
        NOW,
    )
    report = dispatcher(store, clock, broken=BrokenBatch(), working=working).run_once()
    assert report.sent == 1
    assert [f.channel for f in report.failures] == ["broken"]
    assert "connection refused" in report.failures[0].error
    assert [m.key for m in working.sent] == ["test/2"]


def test_messages_stuck_mid_send_are_sent_after_the_lease(store: Store) -> None:
    clock = FixedClock(NOW)
    store.queue_messages([outgoing(1, due_at=NOW)], NOW)
    # A dispatcher claims it and dies (kill -9) before recording anything.
    store.claim_messages(NOW, limit=1, lease=timedelta(minutes=10), max_attempts=5)
    channel = RecordingChannel()
    clock.advance(timedelta(minutes=9))
    assert dispatcher(store, clock, outbox=channel).run_once().sent == 0
    clock.advance(timedelta(minutes=1))
    assert dispatcher(store, clock, outbox=channel).run_once().sent == 1
    [record] = store.outbox()
    assert (record.state, record.attempts) == (S.SENT, 2)


def test_messages_for_other_channels_are_left_alone(store: Store) -> None:
    clock = FixedClock(NOW)
    store.queue_messages([outgoing(1, channel="sms", due_at=NOW), outgoing(2, due_at=NOW)], NOW)
    channel = RecordingChannel()
    report = dispatcher(store, clock, outbox=channel).run_once(max_messages=5)
    assert report.sent == 1
    assert [(r.channel, r.state) for r in store.outbox()] == [
        ("sms", S.PENDING),
        ("outbox", S.SENT),
    ]


def test_max_messages(store: Store) -> None:
    clock = FixedClock(NOW)
    store.queue_messages([outgoing(n, due_at=NOW) for n in range(5)], NOW)
    channel = RecordingChannel()
    assert dispatcher(store, clock, outbox=channel).run_once(max_messages=2).sent == 2
    assert len(store.outbox([S.PENDING])) == 3


@pytest.mark.slow
def test_two_dispatchers_never_send_the_same_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/two.db"
    with open_store(url) as store:
        store.queue_messages([outgoing(n, due_at=NOW) for n in range(120)], NOW)
    with SMTPTestServer(delay=0.002) as server:

        def run() -> None:
            with open_store(url) as own:
                smtp = SMTPChannel(
                    sender="vraagbaak@example.org",
                    host=server.host,
                    port=server.port,
                    security="none",
                )
                Dispatcher(own, {"outbox": smtp}, clock=FixedClock(NOW), batch_size=4).run_once()

        workers = [threading.Thread(target=run) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        keys = [mail.parse()[KEY_HEADER] for mail in server.received]
    assert len(keys) == 120
    assert len(set(keys)) == 120
    with open_store(url) as store:
        assert {record.state for record in store.outbox()} == {S.SENT}


PAST = datetime(2020, 1, 1, 9, tzinfo=UTC)  # the command line runs on the real clock


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    with open_store(url) as store:
        store.queue_messages([outgoing(n, due_at=PAST) for n in range(3)], PAST)
    folder = tmp_path / "outbox"
    code = main(
        [
            "--store",
            url,
            "--channel",
            "outbox",
            "--option",
            f"outbox.folder={folder}",
            "--option",
            "outbox.sender=vraagbaak@example.org",
        ]
    )
    assert code == 0
    assert "sent 3, to retry 0, failed 0" in capsys.readouterr().out
    assert len(list(folder.glob("*.eml"))) == 3


def test_command_line_reports_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    with open_store(url) as store:
        store.queue_messages([outgoing(1, channel="smtp", due_at=PAST)], PAST)
    with SMTPTestServer() as server:
        server.reply_with("554 5.7.1 Rejected")
        monkeypatch.setenv("TEST_SMTP_PORT", str(server.port))
        code = main(
            [
                "--store",
                url,
                "--channel",
                "smtp",
                "--option",
                "smtp.host=127.0.0.1",
                "--option",
                "smtp.port=env:TEST_SMTP_PORT",
                "--option",
                "smtp.security=none",
                "--option",
                "smtp.sender=vraagbaak@example.org",
            ]
        )
    assert code == 1
    captured = capsys.readouterr()
    assert "failed 1" in captured.out
    assert "FAILED notice via smtp (test/1): PermanentDeliveryError: SMTP 554" in captured.err
    with pytest.raises(SystemExit):
        main(["--store", url, "--channel", "smtp", "--option", "nonsense"])
    with pytest.raises(SystemExit):
        main(["--store", url, "--channel", "smtp", "--option", "sms.host=x"])
    with pytest.raises(SystemExit):
        main(["--store", url, "--channel", "smtp", "--option", "smtp.password=env:NOT_SET_HERE"])


def test_a_failing_store_stops_the_sending(tmp_path: Path) -> None:
    """If outcomes cannot be recorded, no more is sent than can be recorded later."""

    channel = RecordingChannel()
    with open_store(f"sqlite:///{tmp_path}/f.db") as store:
        store.queue_messages([outgoing(n, due_at=NOW) for n in range(5)], NOW)
        original = store.record_delivery

        def broken(*args: object, **kwargs: object) -> bool:
            raise RuntimeError("disk full")

        store.record_delivery = broken  # type: ignore[method-assign]
        with pytest.raises(RuntimeError, match="disk full"):
            dispatcher(store, FixedClock(NOW), outbox=channel).run_once()
        store.record_delivery = original  # type: ignore[method-assign]
        time.sleep(0.2)
        # The first message went out; the rest were not sent blind.
        assert [m.key for m in channel.sent] == ["test/0"]
        assert {r.state for r in store.outbox()} == {S.SENDING}
