"""How long importing a registration export takes (printed, never asserted).

A form export with N rows (timestamps day first, Dutch headers, ``;``) is
read, planned (every row checked: e-mail address, audience, consent, window,
duplicates, places) and applied to a fresh SQLite database, the way
``participatie import registrations FILE --apply`` does it. Prints one JSON
object per line: the seconds for each step and the microseconds per row.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from participatie import (
    Audience,
    Event,
    FixedClock,
    HelpDesk,
    Participatie,
    Session,
    plan_import,
)
from participatie.tabular import read_table

START = datetime(2030, 11, 5, 9, tzinfo=UTC)
NOW = datetime(2030, 10, 31, 9, tzinfo=UTC)


def event() -> Event:
    return Event(
        key="bench",
        title="Benchmark",
        organiser="Benchmark",
        help_desk=HelpDesk(email="helpdesk@example.org"),
        audiences=[Audience("client", "cliënt"), Audience("professional", "professional")],
        sessions=[
            Session(
                key=f"s{n}",
                title=f"Sessie {n}",
                start=START,
                end=START + timedelta(hours=2),
                audiences={"client", "professional"},
                capacity=None,
            )
            for n in range(4)
        ],
    )


def export(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["Tijdstempel", "Naam", "E-mailadres", "Ik ben", "Sessie", "Toestemming"])
        for n in range(rows):
            day = 1 + n % 28
            writer.writerow(
                [
                    f"{day}-10-2030 {n % 24:02d}:{n % 60:02d}:00",
                    f"Deelnemer {n}",
                    f"Deelnemer.{n}@Example.org ",
                    "Cliënt" if n % 3 else "Professional",
                    f"Sessie {n % 4}",
                    "Ja",
                ]
            )


def run(rows: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "export.csv"
        export(path, rows)
        began = time.perf_counter()
        table = read_table(path)
        read = time.perf_counter()
        with Participatie.open(
            f"sqlite:///{Path(directory) / 'bench.db'}", clock=FixedClock(NOW)
        ) as app:
            app.save_event(event())
            planning = time.perf_counter()
            plan = plan_import(app, "bench", table)
            planned = time.perf_counter()
            result = plan.apply(app)
            applied = time.perf_counter()
        assert len(result.registrations) == rows, (len(plan.refused), plan.refused[:3])
    return {
        "benchmark": "import",
        "rows": rows,
        "read_s": round(read - began, 3),
        "plan_s": round(planned - planning, 3),
        "apply_s": round(applied - planned, 3),
        "total_s": round(read - began + applied - planning, 3),
        "us_per_row": round((read - began + applied - planning) / rows * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    for rows in parser.parse_args().rows:
        print(json.dumps(run(rows)), flush=True)


if __name__ == "__main__":
    main()
