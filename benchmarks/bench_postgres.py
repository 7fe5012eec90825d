"""Registrations per second from 8 concurrent client processes: PostgreSQL vs SQLite.

Issue 7 asks for the throughput of the PostgreSQL backend under concurrent
clients, compared with SQLite on the same machine, and the number of
overbookings, which must be 0. Eight processes (as eight application-server
workers would) wait at a barrier, then each registers its share of people,
one transaction per registration, round-robin over four sessions whose
capacity is below the demand, so the last places and the waiting list are
fought over. Afterwards every session is checked: people holding a place
beyond its capacity are overbookings.

Both backends are durable: SQLite with WAL and ``synchronous=FULL``, and a
throwaway PostgreSQL server (``participatie_postgres.testing``, started
here and removed afterwards) with its default ``fsync=on`` and
``synchronous_commit=on``. Two PostgreSQL runs: all processes on one event
(they queue for the event's lock, as SQLite's writers queue for its file
lock) and each process on its own event (events do not wait for each
other). The figures are printed, never asserted; one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from participatie import (
    Consent,
    Event,
    FixedClock,
    HelpDesk,
    Participatie,
    Person,
    Session,
    WaitingListPolicy,
)

NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)
SESSIONS = 4


def event(key: str, capacity: int) -> Event:
    start = NOW + timedelta(days=30)
    return Event(
        key=key,
        title="Benchmark",
        organiser="Benchmark",
        help_desk=HelpDesk(email="helpdesk@example.org"),
        sessions=[
            Session(
                key=f"s{n}",
                title=f"Session {n}",
                start=start,
                end=start + timedelta(hours=2),
                capacity=capacity,
                waiting_list=WaitingListPolicy.AUTOMATIC,
            )
            for n in range(SESSIONS)
        ],
    )


def _client(url: str, event_key: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    """One client process: register ``count`` people, one transaction each."""
    consent = Consent("1", NOW)
    errors = 0
    with Participatie.open(url, clock=FixedClock(NOW)) as app:
        barrier.wait(timeout=120)
        started = time.perf_counter()
        for n in range(count):
            person = Person(f"Deelnemer {worker}-{n}", f"d-{worker}-{n}@example.org", "client")
            try:
                app.register(event_key, f"s{n % SESSIONS}", person, consent=consent)
            except Exception:  # counted and reported, never hidden
                errors += 1
        results.put((started, time.perf_counter(), errors))


def race(
    url: str, label: str, processes: int, per_process: int, *, own_events: bool
) -> dict[str, Any]:
    """Run ``processes`` clients against ``url``; throughput and overbookings."""
    keys = [f"bench-{n}" for n in range(processes)] if own_events else ["bench"]
    demand = per_process * (1 if own_events else processes)
    capacity = max(1, (demand // SESSIONS) * 3 // 4)  # a quarter of the demand waits
    with Participatie.open(url, clock=FixedClock(NOW)) as app:
        for key in keys:
            app.save_event(event(key, capacity))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=_client,
            args=(url, keys[n % len(keys)], n, per_process, barrier, results),
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(60)
    seconds = max(end for _start, end, _errors in outcomes) - min(s for s, _e, _x in outcomes)
    overbooked = waiting = 0
    with Participatie.open(url, clock=FixedClock(NOW)) as app:
        for key in keys:
            for n in range(SESSIONS):
                places = app.places(key, f"s{n}")
                overbooked += max(0, places.taken - capacity)
                waiting += places.waiting
    total = processes * per_process
    return {
        "bench": f"register_{processes}_processes_{label}",
        "processes": processes,
        "events": len(keys),
        "n": total,
        "seconds": round(seconds, 3),
        "per_second": round(total / seconds, 1),
        "overbooked": overbooked,
        "waitlisted": waiting,
        "errors": sum(errors for _s, _e, errors in outcomes),
    }


def bulk(url: str, count: int) -> dict[str, Any]:
    """One ``register_many`` of ``count`` people (an import) on PostgreSQL."""
    consent = Consent("1", NOW)
    entries = [
        (Person(f"Deelnemer {n}", f"bulk-{n}@example.org", "client"), consent) for n in range(count)
    ]
    with Participatie.open(url, clock=FixedClock(NOW)) as app:
        app.save_event(event("bulk", count - count // 10))
        started = time.perf_counter()
        result = app.register_many("bulk", "s0", entries)
        seconds = time.perf_counter() - started
    return {
        "bench": "register_bulk_postgres",
        "n": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "registered": len(result.registrations),
    }


def main() -> None:
    from participatie_postgres.testing import temporary_postgres

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--per-process", type=int, default=250)
    parser.add_argument("--bulk", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite:///{Path(folder)}/race.db"
        print(
            json.dumps(
                race(sqlite_url, "sqlite", args.processes, args.per_process, own_events=False)
            ),
            flush=True,
        )
    with temporary_postgres(durable=True) as server:
        one = server.url("postgres", schema="one_event")
        print(
            json.dumps(race(one, "postgres", args.processes, args.per_process, own_events=False)),
            flush=True,
        )
        own = server.url("postgres", schema="own_events")
        print(
            json.dumps(
                race(own, "postgres_own_events", args.processes, args.per_process, own_events=True)
            ),
            flush=True,
        )
        print(json.dumps(bulk(server.url("postgres", schema="bulk"), args.bulk)), flush=True)


if __name__ == "__main__":
    main()
