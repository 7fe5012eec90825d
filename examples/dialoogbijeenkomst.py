"""Dialoogbijeenkomst: one online dialogue meeting with three central questions.

A national organisation of client councils invites client councils from youth
protection to an online meeting on Friday 21 May 2021, 10:00-11:30, about the
future scenario for child and family protection that is open for public
consultation. Three central questions steer the conversation; what is said goes
into the organisation's response to the consultation, which is first sent to the
participants for feedback.

This example covers the first steps, with fictional client councils and people:

* :func:`describe_event`: the event with its help desk, purpose, central
  questions and its one online session (capacity, waiting list);
* :func:`take_registrations`: the export of the registration form imported in
  one go with :meth:`participatie.Participatie.register_many`; a double
  submission and an entry without consent are refused, the rest get a place
  or wait;
* :func:`report`: the meeting as Markdown: questions, places, participants,
  waiting list and refusals.

Later steps (collecting input per question, the feedback round on the draft
response) will be added as functions next to these.

Run it with ``python examples/dialoogbijeenkomst.py --output demo-output``. It
writes ``dialoogbijeenkomst.db`` and ``dialoogbijeenkomst.md`` into the output
directory, starting from a fresh database on every run.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from participatie import (
    Audience,
    Consent,
    Event,
    FixedClock,
    HelpDesk,
    Participatie,
    ParticipatieError,
    Person,
    Session,
    WaitingListPolicy,
    parse_datetime,
    to_local,
)

TIMEZONE = "Europe/Amsterdam"
EVENT_KEY = "dialoog-toekomstscenario-2021"
SESSION_KEY = "online-21-mei-2021"
CLIENT_COUNCIL = "client-council"
CONSENT_VERSION = "privacyverklaring-2021-04"
DATABASE_NAME = "dialoogbijeenkomst.db"
REPORT_NAME = "dialoogbijeenkomst.md"

#: The three questions of the invitation, as written there.
CENTRAL_QUESTIONS = (
    "Hoe moet jeugdbescherming er in de toekomst uit zien?",
    "Wat is er nodig om dit te realiseren?",
    "Draagt het toekomstscenario daar aan bij?",
)


def describe_event() -> Event:
    """The meeting as the invitation describes it."""
    return Event(
        key=EVENT_KEY,
        title="Dialoogbijeenkomst consultatie Toekomstscenario kind- en gezinsbescherming",
        organiser="Landelijk Platform Cliëntenraden Voorbeeldland",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="030 000 00 00"),
        timezone=TIMEZONE,
        purpose=(
            "Ophalen wat cliëntenraden uit de jeugdbescherming belangrijk vinden voor de "
            "jeugdbescherming in de toekomst, zodat we vanuit hun perspectief een reactie "
            "op de internetconsultatie van het toekomstscenario kunnen geven.\n"
            "Die reactie sturen we vóór verzending eerst naar de deelnemers voor feedback."
        ),
        audiences=(Audience(CLIENT_COUNCIL, "cliëntenraad"),),
        central_questions=CENTRAL_QUESTIONS,
        consent_version=CONSENT_VERSION,
        sessions=(
            Session(
                SESSION_KEY,
                "Online dialoogbijeenkomst",
                parse_datetime("vrijdag 21 mei 2021 10:00", TIMEZONE),
                parse_datetime("vrijdag 21 mei 2021 11:30", TIMEZONE),
                online_link="https://meet.example.org/dialoogbijeenkomst-2021-05-21",
                audiences={CLIENT_COUNCIL},
                capacity=12,
                waiting_list=WaitingListPolicy.AUTOMATIC,
                # The invitation names no deadline: registration stays open
                # until the meeting starts (registration_closes=None).
            ),
        ),
    )


@dataclass(frozen=True)
class FormEntry:
    """One row of the registration form's export."""

    name: str
    email: str
    council: str
    submitted: str  # as the form writes it: "3 mei 2021 14:12"
    consent_ticked: bool = True


# Fictional client councils.
RAAD_STAD = "Cliëntenraad Jeugdbescherming Voorbeeldstad"
JONGERENRAAD = "Jongerenraad Gecertificeerde Instelling Noord-Voorbeeld"
OUDERRAAD = "Ouderraad Gezinsvoogdij Oost-Voorbeeld"
RAAD_ZUID = "Cliëntenraad Jeugdreclassering Zuid-Voorbeeld"

#: The form export: members of fictional client councils, sixteen rows for
#: twelve places. Two rows are wrong on purpose: Tom submitted twice (with his
#: address typed differently), and Vera did not tick the consent box.
FORM_EXPORT = (
    FormEntry("Annemiek Post", "annemiek.post@example.org", RAAD_STAD, "3 mei 2021 09:05"),
    FormEntry("Tom Verhoeven", "tom.verhoeven@example.org", RAAD_STAD, "3 mei 2021 09:40"),
    FormEntry("Selin Aydemir", "selin.aydemir@example.org", JONGERENRAAD, "3 mei 2021 11:15"),
    FormEntry("Tom Verhoeven", " Tom.Verhoeven@Example.ORG", RAAD_STAD, "3 mei 2021 11:20"),
    FormEntry("Gert-Jan Hoekstra", "gj.hoekstra@example.org", OUDERRAAD, "4 mei 2021 10:02"),
    FormEntry(
        "Vera Lambregts",
        "vera.lambregts@example.org",
        OUDERRAAD,
        "4 mei 2021 13:30",
        consent_ticked=False,
    ),
    FormEntry("Kevin Scholten", "kevin.scholten@example.org", JONGERENRAAD, "4 mei 2021 16:45"),
    FormEntry("Wilma de Haan", "wilma.dehaan@example.org", RAAD_ZUID, "5 mei 2021 08:30"),
    FormEntry("Ahmed Ouali", "ahmed.ouali@example.org", RAAD_ZUID, "5 mei 2021 12:00"),
    FormEntry("Joyce van der Meer", "joyce.vandermeer@example.org", RAAD_STAD, "6 mei 2021 19:10"),
    FormEntry("Ricardo Martina", "ricardo.martina@example.org", OUDERRAAD, "7 mei 2021 09:55"),
    FormEntry("Linda Groen", "linda.groen@example.org", RAAD_ZUID, "7 mei 2021 14:20"),
    FormEntry("Mehmet Kaya", "mehmet.kaya@example.org", JONGERENRAAD, "10 mei 2021 10:10"),
    FormEntry("Petra Willemsen", "petra.willemsen@example.org", OUDERRAAD, "10 mei 2021 15:45"),
    FormEntry("Dirk Jan Bosman", "dirkjan.bosman@example.org", RAAD_STAD, "11 mei 2021 09:00"),
    FormEntry("Naima Benali", "naima.benali@example.org", RAAD_ZUID, "11 mei 2021 11:25"),
)

#: When the organiser imports the export.
IMPORTED_AT = parse_datetime("woensdag 12 mei 2021 09:00", TIMEZONE)


@dataclass(frozen=True)
class Refused:
    """A form entry that a rule refused, with the library's reason."""

    name: str
    error: ParticipatieError


def take_registrations(app: Participatie) -> list[Refused]:
    """Import the form export in one transaction; return the refused entries."""
    entries: list[tuple[Person, Consent | None]] = []
    for row in FORM_EXPORT:
        person = Person(row.name, row.email, CLIENT_COUNCIL, organisation=row.council)
        given = parse_datetime(row.submitted, TIMEZONE)
        consent = Consent(CONSENT_VERSION, given) if row.consent_ticked else None
        entries.append((person, consent))
    result = app.register_many(EVENT_KEY, SESSION_KEY, entries)
    return [Refused(FORM_EXPORT[index].name, error) for index, error in result.refused]


def report(app: Participatie, refused: Sequence[Refused] = ()) -> str:
    """The meeting as Markdown: questions, places, participants, waiting list, refusals."""
    event = app.event(EVENT_KEY)
    session = event.session(SESSION_KEY)
    start, end = to_local(session.start, TIMEZONE), to_local(session.end, TIMEZONE)
    places = app.places(EVENT_KEY, SESSION_KEY)
    lines = [
        f"# {event.title}",
        "",
        f"- Organiser: {event.organiser}",
        f"- Help desk: {event.help_desk.email}, {event.help_desk.phone}",
        f"- When: {start:%A} {start.day} {start:%B %Y, %H:%M}-{end:%H:%M} ({event.timezone})",
        f"- Online: {session.online_link}",
        f"- Places: {places.taken} of {places.capacity} taken; {places.waiting} waiting",
        "",
        *(f"> {line}" for line in event.purpose.splitlines()),
        "",
        "## Central questions",
        "",
        *(f"{n}. {question}" for n, question in enumerate(event.central_questions, start=1)),
        "",
        "## Participants",
        "",
    ]
    for n, registration in enumerate(app.participants(EVENT_KEY, SESSION_KEY), start=1):
        lines.append(f"{n}. {registration.person.name} ({registration.person.organisation})")
    waiting = app.waiting_list(EVENT_KEY, SESSION_KEY)
    if waiting:
        lines += ["", "## Waiting list", ""]
        for n, registration in enumerate(waiting, start=1):
            lines.append(f"{n}. {registration.person.name} ({registration.person.organisation})")
    if refused:
        lines += ["", "## Refused", ""]
        lines += [f"- {r.name}: {type(r.error).__name__}: {r.error}" for r in refused]
    return "\n".join(lines) + "\n"


def fresh_database(path: Path) -> None:
    """Remove an earlier run's database, with SQLite's write-ahead log files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Describe the meeting, import the registrations and write a report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--output",
        default="demo-output",
        help="directory for the database and the report (default: demo-output)",
    )
    args = parser.parse_args(argv)

    output = Path(args.output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    database = output / DATABASE_NAME
    report_path = output / REPORT_NAME
    fresh_database(database)

    clock = FixedClock(IMPORTED_AT)
    # An absolute path after "sqlite:///" gives the four slashes an absolute path needs.
    with Participatie.open(f"sqlite:///{database}", clock=clock) as app:
        app.save_event(describe_event())
        refused = take_registrations(app)
        text = report(app, refused)

    print(text)
    report_path.write_text(text, encoding="utf-8")
    print(f"Database: {database}")
    print(f"Report:   {report_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
