"""A race for the last places: many workers register for the same session at once.

Each trial is a fresh session with ``capacity`` places and a waiting list;
``workers`` workers (processes when the store is shared between processes,
threads otherwise) wait at a barrier and then register at the same moment.
A correct backend places exactly ``capacity`` people and puts the rest on the
waiting list, every trial. A backend that counts and then inserts in two
steps overbooks (see :mod:`participatie.testing.broken`).
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue as queue_module
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import attrs

from participatie.exceptions import ParticipatieError
from participatie.model import (
    Consent,
    Event,
    HelpDesk,
    Person,
    RegistrationState,
    Session,
    WaitingListPolicy,
)
from participatie.storage import Store

__all__ = ["RaceResult", "race_for_last_places"]

EVENT_KEY = "race"
_NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)


class _Barrier(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...

    def abort(self) -> None: ...


class _Queue(Protocol):
    def put(self, item: Any) -> None: ...


@attrs.frozen
class RaceResult:
    """What a race found.

    Attributes:
        trials: How many sessions were raced for.
        capacity: Places per session.
        workers: Racers per session.
        overbooked: Trials in which more people got a place than there were places.
        underfilled: Trials in which a place stayed free while someone waited.
        errors: Unexpected errors raised by the backend (messages).
    """

    trials: int
    capacity: int
    workers: int
    overbooked: int
    underfilled: int
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No overbooking, no under-filling, no errors."""
        return not (self.overbooked or self.underfilled or self.errors)


def resolve(path: str) -> Callable[[str], Store]:
    """The callable named ``module:function``."""
    module_name, _, attribute = path.partition(":")
    opener: Callable[[str], Store] = getattr(importlib.import_module(module_name), attribute)
    return opener


def race_event(trials: int, capacity: int) -> Event:
    """The event raced for: one session per trial."""
    start = _NOW + timedelta(days=30)
    return Event(
        key=EVENT_KEY,
        title="Race",
        organiser="Conformance suite",
        help_desk=HelpDesk(email="helpdesk@example.org"),
        sessions=[
            Session(
                key=f"trial-{trial}",
                title=f"Trial {trial}",
                start=start,
                end=start + timedelta(hours=1),
                capacity=capacity,
                waiting_list=WaitingListPolicy.AUTOMATIC,
            )
            for trial in range(trials)
        ],
    )


def _race(store: Store, worker: int, trials: int, barrier: _Barrier, results: _Queue) -> None:
    person = Person(name=f"Racer {worker}", email=f"racer-{worker}@example.org", audience="client")
    consent = Consent(text_version="race", given_at=_NOW)
    for trial in range(trials):
        barrier.wait(timeout=120)
        try:
            outcome = store.register(EVENT_KEY, f"trial-{trial}", person, consent, _NOW)
            results.put((trial, outcome.registration.state.value))
        except ParticipatieError as error:
            results.put((trial, f"error: {type(error).__name__}: {error}"))
        except Exception as error:
            results.put((trial, f"error: {type(error).__name__}: {error}"))


def _process_worker(
    opener_path: str, url: str, worker: int, trials: int, barrier: _Barrier, results: _Queue
) -> None:
    store = resolve(opener_path)(url)
    try:
        _race(store, worker, trials, barrier, results)
    finally:
        store.close()


def race_for_last_places(
    url: str,
    *,
    capacity: int,
    workers: int = 8,
    trials: int = 30,
    opener: str = "participatie:open_store",
) -> RaceResult:
    """Race ``workers`` registrations for ``capacity`` places, ``trials`` times.

    ``url`` must name a fresh, empty store. ``opener`` names (as
    ``module:function``) the callable that opens a store from a URL, in each
    worker process.
    """
    open_ = resolve(opener)
    setup = open_(url)
    try:
        setup.save_event(race_event(trials, capacity), _NOW)
        if setup.shared_between_processes:
            context = multiprocessing.get_context("spawn")
            barrier: _Barrier = context.Barrier(workers)
            results_q: Any = context.Queue()
            processes = [
                context.Process(
                    target=_process_worker,
                    args=(opener, url, worker, trials, barrier, results_q),
                    daemon=True,
                )
                for worker in range(workers)
            ]
            for process in processes:
                process.start()
            outcomes, died = _collect(results_q, processes, barrier, workers * trials)
            for process in processes:
                process.join(timeout=60)
        else:
            died = []
            thread_barrier = threading.Barrier(workers)
            thread_results: queue_module.Queue[tuple[int, str]] = queue_module.Queue()
            threads = [
                threading.Thread(
                    target=_race, args=(setup, worker, trials, thread_barrier, thread_results)
                )
                for worker in range(workers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            outcomes = [thread_results.get_nowait() for _ in range(workers * trials)]
        errors = tuple(state for _trial, state in outcomes if state.startswith("error")) + tuple(
            died
        )
        overbooked = underfilled = 0
        for trial in range(trials):
            placed = setup.list_registrations(
                EVENT_KEY, f"trial-{trial}", states=[RegistrationState.REGISTERED]
            )
            waiting = setup.list_registrations(
                EVENT_KEY, f"trial-{trial}", states=[RegistrationState.WAITLISTED]
            )
            if len(placed) > capacity:
                overbooked += 1
            elif len(placed) < capacity and waiting:
                underfilled += 1
        return RaceResult(trials, capacity, workers, overbooked, underfilled, errors)
    finally:
        setup.close()


def _collect(
    results: Any, processes: list[Any], barrier: _Barrier, expected: int, limit: float = 300.0
) -> tuple[list[tuple[int, str]], list[str]]:
    """Gather ``expected`` outcomes; notice workers that die instead of hanging.

    A worker that crashes (its store cannot be opened, say) would leave the
    others waiting at the barrier and the parent waiting for results; here
    the barrier is broken at once and the dead workers are reported as
    errors, so a broken backend fails the test quickly and says why.
    """
    outcomes: list[tuple[int, str]] = []
    deadline = time.monotonic() + limit
    while len(outcomes) < expected and time.monotonic() < deadline:
        try:
            outcomes.append(results.get(timeout=0.5))
        except queue_module.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                barrier.abort()
            if not any(p.is_alive() for p in processes):
                break
    died = [
        f"error: worker {number} exited with code {p.exitcode} before finishing"
        for number, p in enumerate(processes)
        if p.exitcode not in (None, 0)
    ]
    if len(outcomes) < expected and not died:
        died.append(f"error: only {len(outcomes)} of {expected} outcomes within {limit:.0f} s")
    return outcomes, died
