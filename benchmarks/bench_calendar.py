"""Personal calendar invitations at scale (printed, never asserted).

Target from the calendar issue, on a 2-core machine: personal invitations for
10,000 participants rendered in at most 2 seconds.

Three figures:
- ``invitations_render``: the pure rendering of 10,000 invitations (five
  sessions, groups of ten with their own links, two reminders), with the
  calendar states computed in memory: what the issue's target is about;
- ``invitations_sqlite``: the same through the facade on SQLite, reading the
  registrations and advancing every calendar state in one durable transaction;
- ``invitations_update``: all 10,000 again after one session moved (the
  states are read, 2,000 entries get SEQUENCE 1, the rest are unchanged).

Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

from participatie import (
    CalendarOptions,
    Event,
    FixedClock,
    GroupDetails,
    HelpDesk,
    Participatie,
    Person,
    Session,
    local_datetime,
)
from participatie.calendar import InvitationWriter, advance

NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)
SESSIONS = 5
GROUP_SIZE = 10
OPTIONS = CalendarOptions(reminders=(timedelta(days=1), timedelta(minutes=15)))


def event() -> Event:
    return Event(
        key="bench",
        title="Week van reflectie en verrijking",
        organiser="Projectgroep Voorbeeld",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="+31 30 000 0000"),
        purpose="Reflecteren op de contouren van een toekomstscenario.",
        central_questions=["Wat vindt u van het scenario?", "Wat is er nodig?"],
        sessions=[
            Session(
                key=f"s{n}",
                title=f"Sessie {n}",
                start=local_datetime(datetime(2030, 3, 26 + n, 19, 30), "Europe/Amsterdam"),
                end=local_datetime(datetime(2030, 3, 26 + n, 21, 30), "Europe/Amsterdam"),
                online_link=f"https://meet.example.org/sessie-{n}",
                consent_required=False,
            )
            for n in range(SESSIONS)
        ],
    )


def person(n: int) -> Person:
    return Person(f"Deelnemer {n}", f"deelnemer-{n}@example.org", "client")


def group(session: Session, index: int) -> GroupDetails:
    number = index // GROUP_SIZE + 1
    return GroupDetails(f"Groep {number}", online_link=f"{session.online_link}/groep-{number}")


def render(count: int) -> dict[str, object]:
    """The pure path: proposals, the SEQUENCE rule and the files, no store."""
    described = event()
    people = [person(n) for n in range(count)]
    # The groups exist before the invitations go out (formed and stored elsewhere).
    groups = [group(described.sessions[i % SESSIONS], i // SESSIONS) for i in range(count)]
    started = time.perf_counter()
    writer = InvitationWriter(described, OPTIONS)
    total = 0
    for index, someone in enumerate(people):
        session = described.sessions[index % SESSIONS]
        details = groups[index]
        state = advance(None, writer.proposal(session, someone, group=details), NOW)
        assert state is not None
        total += len(writer.render(session, someone, state, NOW, group=details).ics)
    seconds = time.perf_counter() - started
    return {
        "bench": "invitations_render",
        "n": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "mean_bytes": round(total / count),
        "target_seconds": 2.0,
    }


def through_sqlite(folder: Path, count: int) -> list[dict[str, object]]:
    """The facade on SQLite: first invitations for everyone, then updates after a move."""
    clock = FixedClock(NOW)
    with Participatie.open(f"sqlite:///{folder}/calendar.db", clock=clock) as app:
        described = event()
        app.save_event(described)
        groups: dict[int, GroupDetails] = {}
        for n, session in enumerate(described.sessions):
            result = app.register_many(
                "bench", session.key, [(person(i), None) for i in range(n, count, SESSIONS)]
            )
            groups.update(
                {r.id: group(session, index) for index, r in enumerate(result.registrations)}
            )
        started = time.perf_counter()
        first = app.invitations("bench", groups=groups, options=OPTIONS)
        first_seconds = time.perf_counter() - started

        clock.advance(timedelta(days=1))
        moved = attrs.evolve(
            described.sessions[0],
            start=described.sessions[0].start + timedelta(minutes=30),
            end=described.sessions[0].end + timedelta(minutes=30),
        )
        app.save_event(attrs.evolve(described, sessions=[moved, *described.sessions[1:]]))
        started = time.perf_counter()
        again = app.invitations("bench", groups=groups, options=OPTIONS)
        again_seconds = time.perf_counter() - started
    return [
        {
            "bench": "invitations_sqlite",
            "n": len(first),
            "seconds": round(first_seconds, 3),
            "per_second": round(len(first) / first_seconds, 1),
            "synchronous": "FULL",
        },
        {
            "bench": "invitations_update",
            "n": len(again),
            "changed": sum(m.changed for m in again),
            "sequence_1": sum(m.sequence == 1 for m in again),
            "seconds": round(again_seconds, 3),
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(render(args.participants)), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for figure in through_sqlite(Path(folder), args.participants):
            print(json.dumps(figure), flush=True)


if __name__ == "__main__":
    main()
