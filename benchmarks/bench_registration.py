"""Registration throughput through the SQLite backend (printed, never asserted).

Targets from the foundation issue, on a 2-core machine:
- at least 500 single registrations per second, one transaction each
  (durable: WAL with synchronous=FULL, so each commit reaches the disk);
- a bulk load of 100,000 registrations in under 5 seconds.

Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def event(capacity: int | None) -> Event:
    start = NOW + timedelta(days=30)
    return Event(
        key="bench",
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
            for n in range(4)
        ],
    )


def people(count: int, offset: int = 0) -> list[tuple[Person, Consent]]:
    consent = Consent("1", NOW)
    return [
        (Person(f"Deelnemer {n}", f"deelnemer-{n}@example.org", "client"), consent)
        for n in range(offset, offset + count)
    ]


def single(folder: Path, count: int) -> dict[str, object]:
    with Participatie.open(f"sqlite:///{folder}/single.db", clock=FixedClock(NOW)) as app:
        # Capacity below the count, so the waiting list and counting are exercised too.
        app.save_event(event(capacity=count // 8))
        entries = people(count)
        started = time.perf_counter()
        for index, (person, consent) in enumerate(entries):
            app.register("bench", f"s{index % 4}", person, consent=consent)
        seconds = time.perf_counter() - started
        waiting = sum(app.places("bench", f"s{n}").waiting for n in range(4))
    return {
        "bench": "register_single_sqlite",
        "n": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "waitlisted": waiting,
        "target_per_second": 500,
        "synchronous": "FULL",
    }


def bulk(folder: Path, count: int) -> dict[str, object]:
    with Participatie.open(f"sqlite:///{folder}/bulk.db", clock=FixedClock(NOW)) as app:
        app.save_event(event(capacity=count - count // 10))
        entries = people(count)
        started = time.perf_counter()
        result = app.register_many("bench", "s0", entries)
        seconds = time.perf_counter() - started
    return {
        "bench": "register_bulk_sqlite",
        "n": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "registered": len(result.registrations),
        "refused": len(result.refused),
        "target_seconds": 5.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--single", type=int, default=3000)
    parser.add_argument("--bulk", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(single(Path(folder), args.single)), flush=True)
        print(json.dumps(bulk(Path(folder), args.bulk)), flush=True)


if __name__ == "__main__":
    main()
