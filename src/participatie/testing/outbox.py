"""Helpers for testing a store's outbox: messages to queue, a planner, a claim race.

- :func:`outgoing`: a small keyed message to queue.
- :class:`EchoPlanner`: a :class:`~participatie.outbox.MessagePlanner` that
  queues one message per transition (and can be told to fail), to test that a
  change and its messages commit, or roll back, together.
- :func:`race_for_messages`: several workers claim from one outbox at once;
  a correct backend hands every message to exactly one of them.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from participatie.channels import Message
from participatie.exceptions import StorageError
from participatie.model import Event, Registration, Transition
from participatie.outbox import CalendarLedger, MessagePlan, OutgoingMessage
from participatie.storage import Store
from participatie.testing.race import resolve

__all__ = ["ClaimRaceResult", "EchoPlanner", "outgoing", "race_for_messages"]

_NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)


def outgoing(
    number: int,
    *,
    channel: str = "outbox",
    due_at: datetime = _NOW,
    kind: str = "notice",
    event_key: str | None = "conformance",
    session_key: str | None = "s",
    registration_id: int | None = None,
    key: str | None = None,
) -> OutgoingMessage:
    """Message number ``number`` to a fictional person, with key ``test/<number>``."""
    message = Message(
        f"deelnemer-{number}@example.org",
        f"Bericht {number}",
        f"Tekst van bericht {number}.\nTweede regel.",
        kind,
        "en" if number % 2 else "nl",
        key=key or f"test/{number}",
        recipient_name=f"Deelnemer {number}",
    )
    return OutgoingMessage(
        channel,
        message,
        due_at,
        event_key=event_key,
        session_key=session_key,
        registration_id=registration_id,
    )


@attrs.define
class EchoPlanner:
    """Queues one ``notice`` per transition; raises after queuing when told to.

    Attributes:
        fail: Raise :class:`RuntimeError` at the end of :meth:`plan` (after the
            messages are in the plan), to check that nothing is committed.
        calls: How often :meth:`plan` was called.
    """

    fail: bool = False
    calls: int = 0

    def sessions_to_recheck(self, previous: Event, event: Event) -> Collection[str]:
        """Sessions whose start moved."""
        old = {session.key: session.start for session in previous.sessions}
        return [s.key for s in event.sessions if s.key in old and old[s.key] != s.start]

    def plan(
        self,
        event: Event,
        transitions: Sequence[Transition],
        now: datetime,
        *,
        previous: Event | None = None,
        holders: Mapping[str, Sequence[Registration]] | None = None,
        ledger: CalendarLedger | None = None,
    ) -> MessagePlan:
        """One message per transition and per holder of a moved session."""
        self.calls += 1
        queue = [
            outgoing(
                t.registration.id,
                kind="notice",
                key=f"echo/{t.registration.id}/{t.reason}",
                registration_id=t.registration.id,
                event_key=event.key,
                session_key=t.registration.session_key,
                due_at=now,
            )
            for t in transitions
        ]
        for session_key, registrations in (holders or {}).items():
            queue += [
                outgoing(
                    r.id,
                    kind="change",
                    key=f"echo/{r.id}/moved/{event.session(session_key).start.isoformat()}",
                    registration_id=r.id,
                    event_key=event.key,
                    session_key=session_key,
                    due_at=now,
                )
                for r in registrations
            ]
        plan = MessagePlan(queue=tuple(queue))
        if self.fail:
            raise RuntimeError("the planner fails on purpose")
        return plan


@attrs.frozen
class ClaimRaceResult:
    """What a claim race found.

    Attributes:
        messages: How many messages were queued.
        claimed: How many claims were handed out in all.
        doubled: Message ids handed to more than one claim.
        missing: Message ids nobody claimed.
        errors: Errors the workers met.
    """

    messages: int
    claimed: int
    doubled: tuple[int, ...]
    missing: tuple[int, ...]
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Every message claimed exactly once, no errors."""
        return not (self.doubled or self.missing or self.errors)


def _claim_all(store: Store, batch: int, results: Any) -> None:
    try:
        while True:
            records = store.claim_messages(
                _NOW, limit=batch, lease=timedelta(hours=1), max_attempts=5
            )
            if not records:
                break
            results.put([record.id for record in records])
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}")
    finally:
        results.put(None)


def _claim_process(opener: str, url: str, batch: int, results: Any) -> None:
    store = resolve(opener)(url)
    try:
        _claim_all(store, batch, results)
    finally:
        store.close()


def race_for_messages(
    url: str,
    *,
    messages: int = 200,
    workers: int = 4,
    batch: int = 7,
    opener: str = "participatie:open_store",
) -> ClaimRaceResult:
    """Queue ``messages`` and let ``workers`` claim them in batches of ``batch`` at once.

    Processes when the store is shared between processes, threads otherwise.
    """
    store = resolve(opener)(url)
    try:
        store.queue_messages([outgoing(n) for n in range(messages)], _NOW)
        if store.shared_between_processes:
            context = multiprocessing.get_context("spawn")
            results: Any = context.Queue()
            workers_: list[Any] = [
                context.Process(target=_claim_process, args=(opener, url, batch, results))
                for _ in range(workers)
            ]
        else:
            results = queue_module.Queue()
            workers_ = [
                threading.Thread(target=_claim_all, args=(store, batch, results))
                for _ in range(workers)
            ]
        for worker in workers_:
            worker.start()
        claimed: list[int] = []
        errors: list[str] = []
        finished = 0
        while finished < workers:
            try:
                item = results.get(timeout=120)
            except queue_module.Empty:
                errors.append("a worker did not finish within 120 s")
                break
            if item is None:
                finished += 1
            elif isinstance(item, str):
                errors.append(item)
            else:
                claimed += item
        for worker in workers_:
            worker.join(timeout=60)
        ids = {record.id for record in store.outbox()}
        if len(ids) != messages:  # pragma: no cover - the queue itself is broken
            raise StorageError(f"{messages} messages queued but {len(ids)} stored")
        seen: dict[int, int] = {}
        for message_id in claimed:
            seen[message_id] = seen.get(message_id, 0) + 1
        return ClaimRaceResult(
            messages=messages,
            claimed=len(claimed),
            doubled=tuple(sorted(i for i, count in seen.items() if count > 1)),
            missing=tuple(sorted(ids - set(seen))),
            errors=tuple(errors),
        )
    finally:
        store.close()
