"""A feedback round with many recipients through the SQLite backend (printed, never asserted).

A dialogue meeting asks tens of people; a national consultation may ask
thousands. For each size this times the steps that grow with the number of
recipients: recording attendance, the invitations due at the opening,
responses (one durable transaction each), the summaries due after the
conclusion, and building and writing the report. Prints one JSON object per
line: ``{"bench": "feedback", "step": ..., "recipients": n, "seconds": s,
"per_second": ...}``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from participatie import (
    CLIENT,
    Disposition,
    DispositionOutcome,
    Draft,
    Event,
    FixedClock,
    HelpDesk,
    Opinion,
    Participatie,
    Person,
    ReminderRule,
    Section,
    SectionResponse,
    Session,
    write_report,
)

NOW = datetime(2030, 1, 1, 9, tzinfo=UTC)
MEETING = NOW + timedelta(days=7)
OPENS = MEETING + timedelta(days=7)
CLOSES = OPENS + timedelta(days=7)


def event() -> Event:
    return Event(
        key="bench",
        title="Benchmark",
        organiser="Benchmark",
        help_desk=HelpDesk(email="helpdesk@example.org"),
        central_questions=["Een?", "Twee?", "Drie?"],
        sessions=[
            Session("s", "Sessie", MEETING, MEETING + timedelta(hours=2), consent_required=False)
        ],
    )


def timed(step: str, count: int, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "bench": "feedback",
                "step": step,
                "recipients": count,
                "seconds": round(seconds, 4),
                "per_second": round(count / seconds, 1) if seconds else None,
            }
        ),
        flush=True,
    )


def run(count: int, directory: Path) -> None:
    clock = FixedClock(NOW)
    with Participatie.open(f"sqlite:///{directory}/feedback-{count}.db", clock=clock) as app:
        app.save_event(event())
        people = [
            (Person(f"Deelnemer {n}", f"deelnemer-{n}@example.org", CLIENT), None)
            for n in range(count)
        ]
        app.register_many("bench", "s", people)
        emails = [person.email for person, _ in people]
        clock.set(MEETING + timedelta(hours=3))
        timed("attendance", count, lambda: app.record_attendance("bench", "s", attended=emails))
        for n in range(0, count, 10):
            app.record_input("bench", "s", f"Inbreng {n}", question=n % 3 + 1, audience=CLIENT)
        app.save_draft(Draft("d", "bench", "Reactie"))
        sections = [Section(f"s{n}", f"Tekst van onderdeel {n}.") for n in range(8)]
        app.add_draft_version("d", sections)
        feedback_round = app.create_round(
            "d", opens_at=OPENS, closes_at=CLOSES, reminders=[ReminderRule(timedelta(days=2))]
        )
        assert feedback_round.id is not None
        rid = feedback_round.id
        clock.set(OPENS)

        def invite() -> None:
            app.mark_feedback_messages_queued(app.feedback_messages_due())

        timed("invitations due and queued", count, invite)

        def respond() -> None:
            for n, email in enumerate(emails):
                if n % 4 == 3:
                    continue  # a quarter does not respond
                clock.set(OPENS + timedelta(seconds=n))
                app.respond(
                    rid,
                    email,
                    sections=[
                        SectionResponse(f"s{n % 8}", Opinion.PARTLY, f"Opmerking {n}."),
                        SectionResponse(f"s{(n + 1) % 8}", Opinion.AGREE),
                    ],
                )

        timed("responses", count * 3 // 4, respond)
        clock.set(CLOSES - timedelta(days=2))
        timed("reminders due and queued", count, invite)
        clock.set(CLOSES)
        app.record_dispositions(
            rid,
            [
                Disposition(rid, c.respondent, c.section, DispositionOutcome.ADOPTED)
                for c in app.comments(rid)
            ],
        )
        app.add_draft_version("d", [*sections[1:], Section("s9", "Nieuw.")])
        app.conclude_round(rid, 2)
        timed("summaries due and queued", count, invite)

        def write() -> None:
            write_report(app.feedback_report("bench"), directory / f"report-{count}")

        timed("report built and written", count, write)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000,5000", help="recipient counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        for size in (int(part) for part in args.sizes.split(",")):
            run(size, Path(directory))


if __name__ == "__main__":
    main()
