"""Sending what the outbox holds: claim, send, record, retry.

The :class:`Dispatcher` runs outside any registration: a registration only
*queues* its messages (in its own transaction, see :mod:`participatie.outbox`),
so a slow or broken channel can never hold it up. The organiser's scheduler
runs the dispatcher: from cron (``python -m participatie.dispatch …`` every
minute), in a loop (``--loop 30``), or in a worker of their own
(:meth:`Dispatcher.run`).

How a run goes:

1. **Claim** a batch of due messages in one transaction
   (:meth:`~participatie.Store.claim_messages`): each becomes ``SENDING`` with
   a lease, so two dispatchers never send the same message.
2. **Send** each through its channel. Every channel runs in a thread of its
   own, with one ``batch()`` (one SMTP connection) for the whole run, so a
   channel that hangs holds up neither the other channels nor the dispatcher:
   after :attr:`Dispatcher.send_timeout` without an answer its messages are
   given back for a later try and the channel is left alone for the rest of
   the run.
3. **Record** each outcome at once: sent; a transient failure (SMTP 4xx, a
   timeout, any unexpected exception) is tried again after a capped
   exponential back-off with jitter (:class:`RetryPolicy`); a permanent one
   (SMTP 5xx) fails at once and is reported.

If a dispatcher dies mid-send (``kill -9``), its claims lapse after the lease
and another run sends those messages. A message delivered just before the
crash but not yet recorded is sent again: the honest promise is "no message
lost, at most one duplicate per crash", and the ``X-Participatie-Key`` header
and stable ``Message-ID`` make such a duplicate recognisable.
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import random
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs

from participatie.channels import Channel, channel_batch
from participatie.clock import Clock, SystemClock
from participatie.exceptions import (
    InvalidInputError,
    ParticipatieError,
    PermanentDeliveryError,
)
from participatie.outbox import DeliveryState, OutboxRecord
from participatie.storage import Store

__all__ = ["DeliveryFailure", "DispatchReport", "Dispatcher", "RetryPolicy", "main"]

logger = logging.getLogger(__name__)

_DONE = object()


def _positive(_instance: object, attribute: attrs.Attribute[Any], value: timedelta) -> None:
    if value <= timedelta(0):
        raise InvalidInputError(f"{attribute.name} must be positive")


@attrs.frozen
class RetryPolicy:
    """When to try a message again after a transient failure.

    The n-th retry waits ``first_delay * 2**(n-1)``, capped at
    ``max_delay``, of which a random part (``jitter``) is taken off, so
    messages that failed together do not all come back at the same moment.

    Attributes:
        first_delay: The wait after the first failure.
        max_delay: The longest wait.
        max_attempts: After this many attempts a message is given up (failed).
        jitter: The share of each wait that is random (0 to 1).
    """

    first_delay: timedelta = attrs.field(default=timedelta(minutes=1), validator=_positive)
    max_delay: timedelta = attrs.field(default=timedelta(hours=6), validator=_positive)
    max_attempts: int = attrs.field(default=8)
    jitter: float = attrs.field(default=0.5)

    @max_attempts.validator
    def _check_attempts(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or value < 1:
            raise InvalidInputError("max_attempts must be at least 1")

    @jitter.validator
    def _check_jitter(self, _attribute: attrs.Attribute[float], value: float) -> None:
        if not 0 <= value <= 1:
            raise InvalidInputError("jitter is a share between 0 and 1")

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """How long to wait after failed attempt number ``attempt`` (1 for the first)."""
        exponent = min(max(attempt - 1, 0), 60)
        seconds = min(
            self.max_delay.total_seconds(), self.first_delay.total_seconds() * 2.0**exponent
        )
        return timedelta(seconds=seconds * (1 - self.jitter * rng.random()))


@attrs.frozen
class DeliveryFailure:
    """One failed delivery attempt, for the organiser's report (no personal data).

    Attributes:
        message_id: The outbox id.
        key: The idempotency key.
        kind: The message kind.
        channel: The channel.
        error: What went wrong.
        final: Whether the message is given up (``False``: it will be tried again).
    """

    message_id: int
    key: str
    kind: str
    channel: str
    error: str
    final: bool


@attrs.frozen
class DispatchReport:
    """What one run of the dispatcher did.

    Attributes:
        sent: Messages delivered.
        retried: Messages that failed for now and will be tried again.
        failed: Messages given up.
        failures: Every failed attempt.
        hung_channels: Channels that stopped answering during the run.
    """

    sent: int = 0
    retried: int = 0
    failed: int = 0
    failures: tuple[DeliveryFailure, ...] = ()
    hung_channels: tuple[str, ...] = ()

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            self.sent + other.sent,
            self.retried + other.retried,
            self.failed + other.failed,
            self.failures + other.failures,
            tuple(dict.fromkeys(self.hung_channels + other.hung_channels)),
        )


class _Lane:
    """One channel's worker thread, fed message by message.

    After each message it waits until the dispatcher has recorded the
    outcome, so that at most one message per channel is ever delivered but
    not yet recorded: that bounds the duplicates a crash can cause to one
    per channel.
    """

    def __init__(
        self, name: str, channel: Channel, results: queue.Queue[Any], ack_timeout: float
    ) -> None:
        self.name = name
        self.channel = channel
        self.inbox: queue.Queue[Any] = queue.Queue()
        self.results = results
        self.outstanding: list[OutboxRecord] = []
        self.last_progress = time.monotonic()
        self.hung = False
        self.stopping = False
        self.recorded = threading.Semaphore(0)
        self.ack_timeout = ack_timeout
        self.thread = threading.Thread(
            target=self._work, name=f"participatie-channel-{name}", daemon=True
        )
        self.thread.start()

    def give(self, record: OutboxRecord) -> None:
        if not self.outstanding:
            self.last_progress = time.monotonic()
        self.outstanding.append(record)
        self.inbox.put(record)

    def _work(self) -> None:
        try:
            with channel_batch(self.channel):
                while (record := self.inbox.get()) is not _DONE:
                    if self.hung or self.stopping:
                        continue  # what is left waits for a later run
                    try:
                        self.channel.send(record.message)
                    except Exception as error:
                        self.results.put((self, record, error))
                    else:
                        self.results.put((self, record, None))
                    # Wait until the outcome is recorded before the next send.
                    self.recorded.acquire(timeout=self.ack_timeout)
        except Exception as error:
            # Opening or closing the batch failed: whatever is left fails for now.
            self.results.put((self, None, error))
        finally:
            self.results.put((self, _DONE, None))


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= 500 else text[:497] + "..."


@attrs.define
class Dispatcher:
    """Sends due messages from a store's outbox through the channels.

    Attributes:
        store: The store whose outbox to empty.
        channels: The channels by name; messages for other channels are left
            for a dispatcher that has them.
        clock: Where "now" comes from.
        retry: When to try again after a transient failure.
        batch_size: How many messages one claim takes.
        lease: How long a claim holds; a message claimed longer ago than this
            (its dispatcher died) is sent by the next run. Keep it well above
            the time a batch takes.
        send_timeout: Seconds a channel may take for one message before it
            counts as hung.
        rng: Randomness for the jitter.
    """

    store: Store
    channels: Mapping[str, Channel]
    clock: Clock = attrs.field(factory=SystemClock)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=10)
    send_timeout: float = 60.0
    rng: random.Random = attrs.field(factory=random.Random)

    def run_once(self, *, max_messages: int | None = None) -> DispatchReport:
        """Send everything that is due now (or up to ``max_messages``), then return."""
        results: queue.Queue[Any] = queue.Queue()
        lanes: dict[str, _Lane] = {}
        report = DispatchReport()
        handled = 0
        try:
            while max_messages is None or handled < max_messages:
                healthy = [name for name in self.channels if not _is_hung(lanes, name)]
                if not healthy:
                    break
                limit = self.batch_size
                if max_messages is not None:
                    limit = min(limit, max_messages - handled)
                records = self.store.claim_messages(
                    self.clock.now(),
                    limit=limit,
                    lease=self.lease,
                    max_attempts=self.retry.max_attempts,
                    channels=healthy,
                )
                if not records:
                    break
                handled += len(records)
                for record in records:
                    lane = lanes.get(record.channel)
                    if lane is None:
                        lane = lanes[record.channel] = _Lane(
                            record.channel,
                            self.channels[record.channel],
                            results,
                            ack_timeout=self.send_timeout,
                        )
                    lane.give(record)
                report += self._collect(lanes, results)
        finally:
            report += self._close(lanes, results)
        return report

    def run(self, *, interval: float = 30.0, stop: threading.Event | None = None) -> None:
        """Run :meth:`run_once` every ``interval`` seconds until ``stop`` is set."""
        stop = stop if stop is not None else threading.Event()
        while not stop.is_set():
            try:
                report = self.run_once()
            except ParticipatieError as error:
                logger.error(  # no traceback: its messages may name people
                    "the dispatcher run failed (%s); trying again in %s s",
                    type(error).__name__,
                    interval,
                )
            else:
                if report.sent or report.failures:
                    logger.info(
                        "sent %d, to retry %d, failed %d",
                        report.sent,
                        report.retried,
                        report.failed,
                    )
            stop.wait(interval)

    # --- collecting outcomes ----------------------------------------------

    def _collect(self, lanes: Mapping[str, _Lane], results: queue.Queue[Any]) -> DispatchReport:
        report = DispatchReport()
        while any(lane.outstanding and not lane.hung for lane in lanes.values()):
            busy = [lane for lane in lanes.values() if lane.outstanding and not lane.hung]
            deadline = min(lane.last_progress for lane in busy) + self.send_timeout
            try:
                lane, record, error = results.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                report += self._hang(busy)
                continue
            report += self._outcome(lane, record, error)
        return report

    def _hang(self, busy: Sequence[_Lane]) -> DispatchReport:
        report = DispatchReport()
        now = time.monotonic()
        for lane in busy:
            if now - lane.last_progress < self.send_timeout:
                continue
            lane.hung = True
            logger.error(
                "channel %r did not answer within %s s; its messages wait for a later run",
                lane.name,
                self.send_timeout,
            )
            error = TimeoutError(
                f"channel {lane.name!r} did not answer within {self.send_timeout} s"
            )
            for record in lane.outstanding:
                report += self._failed(record, error)
            lane.outstanding.clear()
            report += DispatchReport(hung_channels=(lane.name,))
        return report

    def _outcome(self, lane: _Lane, record: Any, error: BaseException | None) -> DispatchReport:
        if record is _DONE:
            lane.outstanding.clear()
            return DispatchReport()
        lane.last_progress = time.monotonic()
        if record is None:
            # The channel's batch broke: nothing more will come for what it holds.
            report = DispatchReport()
            assert error is not None
            for waiting in lane.outstanding:
                report += self._failed(waiting, error)
            lane.outstanding.clear()
            lane.hung = True
            return report
        in_time = record in lane.outstanding
        if in_time:
            lane.outstanding.remove(record)
        try:
            if error is None:
                self.store.record_delivery(
                    record.id, record.attempts, DeliveryState.SENT, self.clock.now()
                )
                return DispatchReport(sent=1)
            if not in_time:
                return DispatchReport()  # already given back as hung
            return self._failed(record, error)
        finally:
            lane.recorded.release()

    def _failed(self, record: OutboxRecord, error: BaseException) -> DispatchReport:
        now = self.clock.now()
        text = _describe(error)
        # A message the channel cannot even build (InvalidInputError) will not
        # improve by waiting: like a 5xx reply, it fails at once.
        final = isinstance(error, PermanentDeliveryError | InvalidInputError) or (
            record.attempts >= self.retry.max_attempts
        )
        if final:
            self.store.record_delivery(
                record.id, record.attempts, DeliveryState.FAILED, now, error=text
            )
            # Only the kind of error: its text may name the recipient (a 550
            # reply quotes the address). The full text is in the outbox record.
            logger.error("giving up message %s: %s", record.id, type(error).__name__)
        else:
            retry_at = now + self.retry.delay(record.attempts, self.rng)
            self.store.record_delivery(
                record.id,
                record.attempts,
                DeliveryState.PENDING,
                now,
                error=text,
                retry_at=retry_at,
            )
            logger.warning("message %s failed for now: %s", record.id, type(error).__name__)
        failure = DeliveryFailure(
            record.id, record.key, record.message.kind, record.channel, text, final
        )
        return DispatchReport(
            retried=0 if final else 1, failed=1 if final else 0, failures=(failure,)
        )

    def _close(self, lanes: Mapping[str, _Lane], results: queue.Queue[Any]) -> DispatchReport:
        report = DispatchReport()
        open_lanes = [lane for lane in lanes.values() if not lane.hung]
        for lane in lanes.values():
            # Normally nothing is left to send; after an error (the store
            # failed), nothing more is sent that could not be recorded.
            lane.stopping = True
            lane.inbox.put(_DONE)
        deadline = time.monotonic() + self.send_timeout
        finished: set[str] = set()
        while len(finished) < len(open_lanes):
            try:
                lane, record, error = results.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if record is _DONE:
                finished.add(lane.name)
            elif record is not None:
                report += self._outcome(lane, record, error)
        return report


def _is_hung(lanes: Mapping[str, _Lane], name: str) -> bool:
    lane = lanes.get(name)
    return lane is not None and lane.hung


# --- the command line ---------------------------------------------------------------


def _option(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"an option is NAME=VALUE, not {text!r}")
    if value.startswith("env:"):
        variable = value.removeprefix("env:")
        if variable not in os.environ:
            raise argparse.ArgumentTypeError(f"the environment has no {variable}")
        value = os.environ[variable]
    return name.replace("-", "_"), value


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m participatie.dispatch``: send what is due, once or in a loop."""
    parser = argparse.ArgumentParser(
        prog="python -m participatie.dispatch",
        description="Send the messages that are due in a participatie store's outbox.",
    )
    parser.add_argument("--store", required=True, help="the store URL, e.g. sqlite:///event.db")
    parser.add_argument(
        "--channel", required=True, action="append", help="a channel to send through (repeatable)"
    )
    parser.add_argument(
        "--option",
        type=_option,
        action="append",
        default=[],
        metavar="CHANNEL.NAME=VALUE",
        help="a channel option, e.g. smtp.host=mail.example.org; VALUE env:NAME reads "
        "the environment variable NAME (for passwords)",
    )
    parser.add_argument("--loop", type=float, metavar="SECONDS", help="keep running, this often")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lease", type=float, default=600.0, metavar="SECONDS")
    parser.add_argument("--send-timeout", type=float, default=60.0, metavar="SECONDS")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    from participatie.plugins import get_plugins

    plugins = get_plugins()
    options: dict[str, dict[str, str]] = {name: {} for name in args.channel}
    for name, value in args.option:
        channel, sep, option = name.partition(".")
        if not sep or channel not in options:
            parser.error(f"option {name!r} is not CHANNEL.NAME for a --channel given")
        options[channel][option] = value
    channels = {name: plugins.channel(name, **options[name]) for name in args.channel}
    store = plugins.open_store(args.store)
    dispatcher = Dispatcher(
        store,
        channels,
        batch_size=args.batch_size,
        lease=timedelta(seconds=args.lease),
        send_timeout=args.send_timeout,
    )
    try:
        if args.loop is not None:
            dispatcher.run(interval=args.loop)
            return 0  # pragma: no cover - run() returns only when stopped
        report = dispatcher.run_once()
    finally:
        store.close()
    print(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
    for failure in report.failures:
        print(
            f"  {'FAILED' if failure.final else 'retry'} {failure.kind} via {failure.channel} "
            f"({failure.key}): {failure.error}",
            file=sys.stderr,
        )
    return 1 if report.failed else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
