"""Commands for the event file: ``init``, ``check`` and ``event save|show|list``.

The event file (TOML, see :mod:`participatie.event_file`) is where an
organiser describes the event. ``init`` writes a commented one to start from,
``check`` reports every problem in it with its line, and ``event save``
stores the event so registrations can be taken.
"""

from __future__ import annotations

import string
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import click

from participatie.cli._context import (
    DEFAULT_EVENT_FILE,
    CliState,
    ExitCode,
    command,
    event_option,
    group,
    pass_state,
)
from participatie.cli._output import (
    add_texts,
    echo,
    format_day,
    format_deadline,
    format_instant,
    state_name,
    table,
    text,
)
from participatie.event_file import EventFile, load_event_file
from participatie.exceptions import EventFileError
from participatie.localtime import to_local
from participatie.model import Event, Registration, Session, WaitingListPolicy

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "init.exists": "{file} bestaat al; kies een andere naam, of overschrijf met --force",
            "init.written": "Geschreven: {file}",
            "init.next": "Pas het aan en controleer het met: participatie check {file}",
            "check.ok": "{file}: in orde",
            "check.problems": "{count} probleem/problemen gevonden in {file}",
            "no-file": (
                "geen bijeenkomstbestand: geef er een op, of maak er een met participatie init"
            ),
            "event.summary": "Bijeenkomst {key}: {title} ({organiser})",
            "event.help-desk": "Vraagbaak: {help_desk}",
            "event.timezone": "Tijdzone: {timezone}",
            "event.questions": "Centrale vragen:",
            "event.sessions": "Sessies ({count}):",
            "event.saved": "Opgeslagen: bijeenkomst {key} met {count} sessie(s) in {store}",
            "event.moved": "Door de nieuwe beschrijving:",
            "event.none": "Er zijn nog geen bijeenkomsten opgeslagen in {store}.",
            "policy.none": "geen wachtlijst",
            "policy.automatic": "wachtlijst, automatisch",
            "policy.offer": "wachtlijst, aanbod {hours} uur",
            "col.waiting-list": "wachtlijst",
        },
        "en": {
            "init.exists": "{file} exists already; choose another name, or overwrite with --force",
            "init.written": "Written: {file}",
            "init.next": "Edit it, then check it with: participatie check {file}",
            "check.ok": "{file}: OK",
            "check.problems": "{count} problem(s) found in {file}",
            "no-file": "no event file: name one, or write one with participatie init",
            "event.summary": "Event {key}: {title} ({organiser})",
            "event.help-desk": "Help desk: {help_desk}",
            "event.timezone": "Time zone: {timezone}",
            "event.questions": "Central questions:",
            "event.sessions": "Sessions ({count}):",
            "event.saved": "Saved: event {key} with {count} session(s) in {store}",
            "event.moved": "Because of the new description:",
            "event.none": "No events are stored in {store} yet.",
            "policy.none": "no waiting list",
            "policy.automatic": "waiting list, automatic",
            "policy.offer": "waiting list, {hours} h offers",
            "col.waiting-list": "waiting list",
        },
    }
)


# --- init ----------------------------------------------------------------------------


def _first_thursday_from(day: date) -> date:
    return day + timedelta(days=(3 - day.weekday()) % 7)


def starting_file(language: str, *, file: str, key: str, today: date) -> str:
    """The commented starting file ``init`` writes, with dates a few weeks from ``today``."""
    template = resources.files("participatie.cli").joinpath("templates", f"event.{language}.toml")
    day = _first_thursday_from(today + timedelta(days=42))
    values = {
        "file": file,
        "key": key,
        "start": format_day(day, language, at=(10, 0)),
        "end": format_day(day, language, at=(11, 30)),
        "opens": format_day(today, language),
        "closes": format_day(day - timedelta(days=7), language),
        "change": format_day(day - timedelta(days=1), language, at=(12, 0)),
    }
    return string.Template(template.read_text(encoding="utf-8")).substitute(values)


@command("init")
@click.argument(
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_EVENT_FILE,
    required=False,
)
@click.option("--key", metavar="KEY", help="The event's key (default: mijn-bijeenkomst/my-event).")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@pass_state
def init(state: CliState, path: Path, key: str | None, force: bool) -> None:
    """Write a commented event file to start from (PATH: participatie.toml).

    The file is in Dutch, or in English with --lang en; dates are a few weeks
    ahead. It passes participatie check as written: edit it, check it, save it.
    """
    language = state.language
    if path.exists() and not force:
        echo(text(language, "init.exists", file=path))
        click.get_current_context().exit(ExitCode.REFUSED)
    today = to_local(state.now(), state.timezone()).date()
    chosen_key = key or ("mijn-bijeenkomst" if language == "nl" else "my-event")
    path.write_text(
        starting_file(language, file=str(path), key=chosen_key, today=today), encoding="utf-8"
    )
    echo(text(language, "init.written", file=path))
    echo(text(language, "init.next", file=path))


# --- check ---------------------------------------------------------------------------


def _file_argument(state: CliState, given: Path | None) -> Path:
    path = given or state.event_file_path()
    if path is None:
        raise click.UsageError(text(state.language, "no-file"))
    return path


def _policy(session: Session, language: str) -> str:
    policy = session.waiting_list
    if policy is WaitingListPolicy.OFFER:
        hours = session.offer_period.total_seconds() / 3600
        return text(language, "policy.offer", hours=f"{hours:g}")
    return text(language, f"policy.{policy.value}")


def print_sessions(event: Event, language: str) -> None:
    """The event's sessions as a table (dates in the event's time zone)."""
    tz = event.timezone
    table(
        [
            text(language, "col.key"),
            text(language, "col.start"),
            text(language, "col.end"),
            text(language, "col.capacity"),
            text(language, "col.group-size"),
            text(language, "col.deadline"),
            text(language, "col.audiences"),
            text(language, "col.waiting-list"),
        ],
        [
            (
                session.key,
                format_instant(session.start, tz),
                format_instant(session.end, tz),
                session.capacity if session.capacity is not None else "-",
                session.max_group_size if session.max_group_size is not None else "-",
                format_deadline(session.closes_at, tz),
                ", ".join(sorted(session.audiences)) or "-",
                _policy(session, language),
            )
            for session in event.sessions
        ],
    )


def print_event(event: Event, language: str) -> None:
    """What an organiser checks in an event: title, help desk, questions, sessions."""
    echo(
        text(language, "event.summary", key=event.key, title=event.title, organiser=event.organiser)
    )
    help_desk = event.help_desk.email + (
        f", {event.help_desk.phone}" if event.help_desk.phone else ""
    )
    echo(text(language, "event.help-desk", help_desk=help_desk))
    echo(text(language, "event.timezone", timezone=event.timezone))
    if event.central_questions:
        echo(text(language, "event.questions"))
        for number, question in enumerate(event.central_questions, start=1):
            echo(f"  {number}. {' '.join(question.split())}")
    echo(text(language, "event.sessions", count=len(event.sessions)))
    print_sessions(event, language)


@command("check")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@pass_state
def check(state: CliState, file: Path | None) -> None:
    """Check an event file and report every problem with its line.

    FILE defaults to the event file in use (--file, or participatie.toml).
    Exits with 1 when there are problems, listing all of them as FILE:LINE.
    """
    language = state.language
    path = _file_argument(state, file)
    try:
        event_file = load_event_file(path)
    except EventFileError as error:
        for problem in error.problems:
            line = f"{path}:{problem.line}" if problem.line is not None else str(path)
            echo(f"{line}: {problem.text(language)}")
        echo(text(language, "check.problems", count=len(error.problems), file=path))
        click.get_current_context().exit(ExitCode.REFUSED)
    echo(text(language, "check.ok", file=path))
    print_event(event_file.event, language)


# --- event save | show | list ---------------------------------------------------------


@group("event")
def event_group() -> None:
    """Store and look at events."""


def print_registrations_moved(
    registrations: list[Registration], event: Event, language: str
) -> None:
    """Registrations whose state changed, as lines: who, and where they stand now."""
    for registration in registrations:
        line = (
            f"  #{registration.id} {registration.person.name} <{registration.person.email}> "
            f"({registration.session_key}): {state_name(language, registration.state)}"
        )
        if registration.offer_expires_at is not None:
            line += f", {text(language, 'col.until')} "
            line += format_instant(registration.offer_expires_at, event.timezone)
        echo(line)


@event_group.command("save")
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False
)
@pass_state
def save(state: CliState, file: Path | None) -> None:
    """Store the event described in FILE (default: the event file in use).

    Run it again after changing the file: sessions are updated in place, and
    when a capacity grows, people waiting get the new places at once. A
    session that has registrations cannot be removed.
    """
    language = state.language
    path = _file_argument(state, file)
    state.file_option = path
    event_file: EventFile | None = state.event_file()
    assert event_file is not None
    with state.app() as app:
        event = event_file.event
        stored = {event.key for event in app.events()}
        before = (
            {r.id: r.state for r in app.registrations(event.key)} if event.key in stored else {}
        )
        app.save_event(event)
        echo(
            text(
                language,
                "event.saved",
                key=event.key,
                count=len(event.sessions),
                store=state.store_url(),
            )
        )
        changed = [r for r in app.registrations(event.key) if before.get(r.id, r.state) != r.state]
        if changed:
            echo(text(language, "event.moved"))
            print_registrations_moved(changed, event, language)


@event_group.command("show")
@event_option
@pass_state
def show(state: CliState, event_key: str | None) -> None:
    """Show a stored event: help desk, central questions and sessions."""
    with state.app() as app:
        print_event(state.event(app, event_key), state.language)


@event_group.command("list")
@pass_state
def list_events(state: CliState) -> None:
    """List the stored events."""
    language = state.language
    with state.app() as app:
        events = app.events()
        if not events:
            echo(text(language, "event.none", store=state.store_url()))
            return
        table(
            [
                text(language, "col.key"),
                text(language, "col.title"),
                text(language, "col.sessions"),
            ],
            [(event.key, event.title, len(event.sessions)) for event in events],
        )


def register(cli: click.Group) -> None:
    """Add ``init``, ``check`` and ``event`` to the main group."""
    cli.add_command(init)
    cli.add_command(check)
    cli.add_command(event_group)
