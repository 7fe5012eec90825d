"""``participatie calendar``: invitations, feeds, cancellations and sessions from an .ics file.

* ``invitation WHO FOLDER`` and ``invitations FOLDER`` write each person's
  calendar file (an invitation, an update or a cancellation, with their
  breakout group when groups are formed) to a folder, with an ``index.csv``
  saying which file goes to whom, for sending until participatie sends them
  itself. By default only files that say something new are written.
* ``feed FOLDER`` writes the event's published calendar and one per audience
  (no personal data, no join links unless asked).
* ``cancel SESSION FOLDER`` calls a session off: it writes a cancellation for
  everyone it was announced to, and ``cancelled = true`` in the event file.
* ``import FILE.ics`` reads sessions from the organiser's own calendar into
  the event file or the store; every problem in the file is reported.

The calendar rules (UIDs, SEQUENCE, what counts as a change) live in
:mod:`participatie.calendar`; the store keeps what each calendar was told.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import attrs
import click

from participatie._facade import Participatie
from participatie.calendar import CalendarOptions, GroupDetails, Invitation, import_sessions
from participatie.cli._context import CliState, ExitCode, event_option, group, pass_state
from participatie.cli._output import add_texts, echo, echo_error, progress, table, text
from participatie.cli._privacy import record_files, requested_by_option
from participatie.cli._values import deadline, duration, opening, write_index
from participatie.event_file import read_event_file
from participatie.exceptions import CalendarImportError, EventFileError
from participatie.localtime import to_local
from participatie.model import Event, Registration, Session, WaitingListPolicy

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "cal.written": "{count} agendabestand(en) geschreven naar {folder}",
            "cal.unchanged": (
                "{count} ongewijzigd, niet geschreven (--all schrijft ook die; ze zijn al "
                "verstuurd)"
            ),
            "cal.nothing": "Niets te melden: {who} heeft geen plaats die in de agenda hoort.",
            "cal.index": "Welk bestand naar wie gaat: {file}",
            "cal.feed": "Geschreven: {file} ({count} sessie(s))",
            "cal.cancel-confirm": "Sessie {session} ({title}) afgelasten?",
            "cal.cancelled": "Sessie {session} is afgelast.",
            "cal.file-updated": "{file}: cancelled = true gezet bij sessie {session}",
            "cal.file-not-updated": (
                "Zet cancelled = true bij sessie {session} in {file}; anders brengt "
                "participatie event save de sessie terug."
            ),
            "cal.import-problems": (
                "{file} kan niet worden geïmporteerd ({count} probleem/problemen):"
            ),
            "cal.import-sessions": "Nieuwe sessies in {file} ({count}):",
            "cal.import-known": "Al in de bijeenkomst, niet opnieuw toegevoegd ({count}):",
            "cal.import-clash": (
                "sessie {session} bestaat al met andere tijden; verander de sleutel of de tijden"
            ),
            "cal.import-dry-run": (
                "Proef: er is niets opgeslagen. Voeg de {count} sessie(s) toe met --apply."
            ),
            "cal.import-nothing": "Niets toe te voegen.",
            "cal.import-file": (
                "Toegevoegd aan {file}: {count} sessie(s). Sla ze op met: participatie event save"
            ),
            "cal.import-store": "Opgeslagen in {store}: {count} sessie(s).",
            "cal.import-needs-file": "--into file vraagt een bijeenkomstbestand (--file)",
            "cal.col.file": "bestand",
            "cal.col.method": "soort",
            "cal.col.sequence": "volgnummer",
            "cal.col.changed": "nieuw",
            "cal.col.group": "groep",
            "cal.col.place": "plaats",
            "method.REQUEST": "uitnodiging",
            "method.CANCEL": "afzegging",
            "cal.group": "Groep {number}",
        },
        "en": {
            "cal.written": "{count} calendar file(s) written to {folder}",
            "cal.unchanged": (
                "{count} unchanged, not written (--all writes those too; they were sent before)"
            ),
            "cal.nothing": "Nothing to tell: {who} holds no place that belongs in a calendar.",
            "cal.index": "Which file goes to whom: {file}",
            "cal.feed": "Written: {file} ({count} session(s))",
            "cal.cancel-confirm": "Cancel session {session} ({title})?",
            "cal.cancelled": "Session {session} is cancelled.",
            "cal.file-updated": "{file}: cancelled = true set on session {session}",
            "cal.file-not-updated": (
                "Set cancelled = true on session {session} in {file}; otherwise "
                "participatie event save brings the session back."
            ),
            "cal.import-problems": "{file} cannot be imported ({count} problem(s)):",
            "cal.import-sessions": "New sessions in {file} ({count}):",
            "cal.import-known": "Already in the event, not added again ({count}):",
            "cal.import-clash": (
                "session {session} exists already with other times; change the key or the times"
            ),
            "cal.import-dry-run": (
                "Dry run: nothing was stored. Add the {count} session(s) with --apply."
            ),
            "cal.import-nothing": "Nothing to add.",
            "cal.import-file": (
                "Added to {file}: {count} session(s). Store them with: participatie event save"
            ),
            "cal.import-store": "Stored in {store}: {count} session(s).",
            "cal.import-needs-file": "--into file needs an event file (--file)",
            "cal.col.file": "file",
            "cal.col.method": "kind",
            "cal.col.sequence": "sequence",
            "cal.col.changed": "new",
            "cal.col.group": "group",
            "cal.col.place": "place",
            "method.REQUEST": "invitation",
            "method.CANCEL": "cancellation",
            "cal.group": "Group {number}",
        },
    }
)


@group("calendar")
def calendar_group() -> None:
    """Calendar files: invitations, the event's feed, cancellations, sessions from .ics."""


_folder = click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
_reminders = click.option(
    "--reminder",
    "reminders",
    multiple=True,
    metavar="DURATION",
    help="Remind people this long before the start (30m, 2h, 1d). Repeatable.",
)


def _options(reminders: Iterable[str], *, join_links: bool = False) -> CalendarOptions:
    return CalendarOptions(
        reminders=tuple(duration(value, "--reminder") for value in reminders),
        join_links_in_public_feeds=join_links,
    )


def _group_details(
    app: Participatie, event: Event, registrations: Iterable[Registration]
) -> dict[int, GroupDetails]:
    """Each registration's breakout group, named in the person's language, when formed."""
    details: dict[int, GroupDetails] = {}
    sessions = {registration.session_key for registration in registrations}
    for key in sorted(sessions):
        for formed in app.groups(event.key, key):
            for member in formed.members:
                name = text(member.person.language, "cal.group", number=formed.number)
                details[member.id] = GroupDetails(name)
    return details


def _write_invitations(
    app: Participatie,
    event_key: str,
    folder: Path,
    invitations: Sequence[Invitation],
    registrations: Mapping[int, Registration],
    groups: Mapping[int, GroupDetails],
    language: str,
    *,
    everything: bool,
    requested_by: str,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    chosen = [invitation for invitation in invitations if everything or invitation.changed]
    for invitation in progress(chosen, folder.name or str(folder)):
        registration = registrations[invitation.registration_id or 0]
        name = f"{registration.session_key}-{registration.id}.ics"
        (folder / name).write_bytes(invitation.ics)
        details = groups.get(registration.id)
        rows.append(
            (
                name,
                invitation.email,
                registration.person.name,
                registration.session_key,
                details.name if details is not None else "",
                text(language, f"method.{invitation.method}"),
                invitation.sequence,
                text(language, "yes" if invitation.changed else "no"),
            )
        )
    index = write_index(
        folder,
        [
            text(language, "cal.col.file"),
            text(language, "col.email"),
            text(language, "col.name"),
            text(language, "col.session"),
            text(language, "cal.col.group"),
            text(language, "cal.col.method"),
            text(language, "cal.col.sequence"),
            text(language, "cal.col.changed"),
        ],
        rows,
    )
    # Each file holds someone's address: recorded, so retention and erasure reach it.
    record_files(
        app,
        event_key,
        "calendar-invitation",
        [*((folder / row[0], 1) for row in rows), (index, len(rows))],
        requested_by,
    )
    echo(text(language, "cal.written", count=len(rows), folder=folder))
    if rows:
        table(
            [
                text(language, "cal.col.file"),
                text(language, "col.email"),
                text(language, "cal.col.group"),
                text(language, "cal.col.method"),
                text(language, "cal.col.sequence"),
            ],
            [(row[0], row[1], row[4] or "-", row[5], row[6]) for row in rows],
        )
    unchanged = len(invitations) - len(chosen)
    if unchanged:
        echo(text(language, "cal.unchanged", count=unchanged))
    echo(text(language, "cal.index", file=index))


@calendar_group.command("invitation")
@click.argument("who", metavar="NUMBER|EMAIL")
@_folder
@click.option(
    "--session",
    "session_key",
    metavar="KEY",
    help="The session, when the person has registrations for more than one.",
)
@_reminders
@requested_by_option(required=True)
@event_option
@pass_state
def invitation(
    state: CliState,
    who: str,
    folder: Path,
    session_key: str | None,
    reminders: tuple[str, ...],
    requested_by: str,
    event_key: str | None,
) -> None:
    """Write one person's calendar file to FOLDER: an invitation, update or cancellation.

    For someone who asks the help desk for the invitation again: the file
    is written even when nothing changed since the last one.
    """
    language = state.language
    options = _options(reminders)
    with state.app() as app:
        event = state.event(app, event_key)
        registration = state.registration(app, event, who, session=session_key)
        groups = _group_details(app, event, [registration])
        message = app.invitation(
            registration.id, group=groups.get(registration.id), options=options
        )
        if message is None:
            echo(text(language, "cal.nothing", who=registration.person.email))
            return
        # The message may speak for another registration of the same place.
        registrations = {registration.id: registration}
        if message.registration_id is not None:
            registrations[message.registration_id] = app.registration(message.registration_id)
        _write_invitations(
            app,
            event.key,
            folder,
            [message],
            registrations,
            groups,
            language,
            everything=True,
            requested_by=requested_by,
        )


@calendar_group.command("invitations")
@_folder
@click.option("--session", "session_key", metavar="KEY", help="Only this session (default: all).")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also write the files that say nothing new (default: only new and changed ones).",
)
@_reminders
@requested_by_option(required=True)
@event_option
@pass_state
def invitations(
    state: CliState,
    folder: Path,
    session_key: str | None,
    everything: bool,
    reminders: tuple[str, ...],
    requested_by: str,
    event_key: str | None,
) -> None:
    """Write everyone's calendar files to FOLDER, with index.csv saying which goes to whom.

    People with a place get an invitation (or an update, after a change);
    people whose place was announced but is gone get a cancellation. Send
    each file to its own person (never one mail to all). Run it again after
    any change: only the new and changed files are written. The files hold
    addresses, so each is recorded in the privacy log with --requested-by.
    """
    language = state.language
    options = _options(reminders)
    with state.app() as app:
        event = state.event(app, event_key)
        if session_key is not None:
            event.session(session_key)
        registrations = app.registrations(event.key, session_key)
        groups = _group_details(app, event, registrations)
        messages = app.invitations(event.key, session_key, groups=groups, options=options)
        by_id = {registration.id: registration for registration in registrations}
        _write_invitations(
            app,
            event.key,
            folder,
            messages,
            by_id,
            groups,
            language,
            everything=everything,
            requested_by=requested_by,
        )


@calendar_group.command("feed")
@_folder
@click.option(
    "--audience",
    "audiences",
    multiple=True,
    metavar="KEY",
    help="Only this audience's feed (repeatable; default: the event's and every audience's).",
)
@click.option(
    "--join-links",
    is_flag=True,
    help="Put the online sessions' join links in the feeds (off: feeds are often shared).",
)
@event_option
@pass_state
def feed(
    state: CliState,
    folder: Path,
    audiences: tuple[str, ...],
    join_links: bool,
    event_key: str | None,
) -> None:
    """Write the event's published calendar to FOLDER: EVENT.ics and EVENT-AUDIENCE.ics.

    For a website's "add to your calendar" link or a shared calendar: no
    personal data, no METHOD, cancelled sessions left out. A session that
    moved reaches subscribers as an update.
    """
    language = state.language
    options = _options((), join_links=join_links)
    folder.mkdir(parents=True, exist_ok=True)
    with state.app() as app:
        event = state.event(app, event_key)
        chosen: list[str | None] = list(audiences)
        if not chosen:
            chosen = [None, *(audience.key for audience in event.audiences)]
        for audience in chosen:
            published = app.calendar_feed(event.key, audience, options=options)
            name = event.key if audience is None else f"{event.key}-{audience}"
            path = folder / f"{name}.ics"
            path.write_bytes(published.ics)
            echo(text(language, "cal.feed", file=path, count=len(published.entries)))


@calendar_group.command("cancel")
@click.argument("session_key", metavar="SESSION")
@_folder
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@requested_by_option(required=True)
@event_option
@pass_state
def cancel(
    state: CliState,
    session_key: str,
    folder: Path,
    yes: bool,
    requested_by: str,
    event_key: str | None,
) -> None:
    """Call SESSION off and write a cancellation for everyone it was announced to, to FOLDER.

    The session keeps its registrations (for the record) but takes no new
    ones and leaves the feeds. The event file gets cancelled = true, so
    participatie event save keeps it cancelled.
    """
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        session = event.session(session_key)
        if not yes:
            click.confirm(
                text(language, "cal.cancel-confirm", session=session.key, title=session.title),
                abort=True,
                err=True,
            )
        registrations = app.registrations(event.key, session_key)
        messages = app.cancel_session(event.key, session_key)
        echo(text(language, "cal.cancelled", session=session_key))
        by_id = {registration.id: registration for registration in registrations}
        _write_invitations(
            app,
            event.key,
            folder,
            messages,
            by_id,
            {},
            language,
            everything=False,
            requested_by=requested_by,
        )
    _mark_cancelled_in_file(state, session_key, language)


def _mark_cancelled_in_file(state: CliState, session_key: str, language: str) -> None:
    path = state.event_file_path()
    event_file = state.event_file()
    if path is None or event_file is None:
        return
    if not any(session.key == session_key for session in event_file.event.sessions):
        return
    source = path.read_bytes().decode("utf-8-sig")
    updated = _with_cancelled(source, session_key)
    if updated is not None:
        try:
            checked = read_event_file(updated, path=path)
        except EventFileError:
            checked = None
        if checked is not None and checked.event.session(session_key).cancelled:
            path.write_text(updated, encoding="utf-8")
            echo(text(language, "cal.file-updated", file=path, session=session_key))
            return
    echo_error(text(language, "cal.file-not-updated", file=path, session=session_key))


def _with_cancelled(source: str, session_key: str) -> str | None:
    """The event file with ``cancelled = true`` in the session's table, or ``None``.

    The line goes right after the session's ``key = "..."`` line, so comments
    and layout stay as the organiser wrote them; an existing ``cancelled``
    line of that session is replaced.
    """
    from participatie._toml_lines import locate

    lines = source.splitlines(keepends=True)
    positions = locate(source)
    index = 0
    while ("sessions", index) in positions:
        key_line = positions.get(("sessions", index, "key"))
        if key_line is not None and _is_key_line(lines[key_line - 1], session_key):
            existing = positions.get(("sessions", index, "cancelled"))
            newline = "\r\n" if lines[key_line - 1].endswith("\r\n") else "\n"
            if existing is not None:
                lines[existing - 1] = "cancelled = true" + newline
            else:
                if not lines[key_line - 1].endswith(("\n", "\r")):
                    lines[key_line - 1] += newline
                lines.insert(key_line, "cancelled = true" + newline)
            return "".join(lines)
        index += 1
    return None


def _is_key_line(line: str, session_key: str) -> bool:
    name, _, value = line.partition("=")
    return name.strip() == "key" and value.split("#")[0].strip().strip("\"'") == session_key


# --- import ---------------------------------------------------------------------------


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (the same escapes).
    return json.dumps(value, ensure_ascii=False)


def _toml_local(instant: datetime, tz: str) -> str:
    return to_local(instant, tz).replace(tzinfo=None).isoformat(timespec="minutes") + ":00"


def _session_toml(session: Session, tz: str, texts: Mapping[str, str]) -> str:
    lines = [
        "[[sessions]]",
        f"key = {_toml_string(session.key)}",
        f"title = {_toml_string(session.title)}",
        f"start = {_toml_local(session.start, tz)}",
        f"end = {_toml_local(session.end, tz)}",
    ]
    if session.online_link:
        lines.append(f"online_link = {_toml_string(session.online_link)}")
    if session.place:
        lines.append(f"place = {_toml_string(session.place)}")
    if session.audiences:
        keys = ", ".join(_toml_string(key) for key in sorted(session.audiences))
        lines.append(f"audiences = [{keys}]")
    if session.capacity is not None:
        lines.append(f"capacity = {session.capacity}")
    if session.max_group_size is not None:
        lines.append(f"max_group_size = {session.max_group_size}")
    for name, written in texts.items():
        lines.append(f"{name} = {_toml_string(written)}")
    if session.waiting_list is not WaitingListPolicy.AUTOMATIC:
        lines.append(f"waiting_list = {_toml_string(session.waiting_list.value)}")
    return "\n".join(lines) + "\n"


def _append_sessions(source: str, blocks: Sequence[str], comment: str) -> str:
    """``source`` with session tables added after its last ``[[sessions]]`` table."""
    from participatie._toml_lines import locate

    lines = source.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    positions = locate(source)
    count = 0
    while ("sessions", count) in positions:
        count += 1
    at = len(lines)
    if count:
        last = positions[("sessions", count - 1)]
        at = next(
            (
                number
                for number in range(last, len(lines))
                if lines[number].lstrip().startswith("[")
            ),
            len(lines),
        )
        # Leave the comments that introduce the next table with that table.
        while at > last and lines[at - 1].lstrip().startswith("#"):
            at -= 1
    added = ["\n", f"# {comment}\n"]
    for block in blocks:
        added += [*block.splitlines(keepends=True), "\n"]
    return "".join(lines[:at] + added + lines[at:])


@attrs.frozen
class _ImportFields:
    capacity: int | None
    max_group_size: int | None
    audiences: tuple[str, ...]
    opens: str | None
    closes: str | None
    waiting_list: str | None


@calendar_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Add the sessions (default: dry run).")
@click.option(
    "--into",
    type=click.Choice(("file", "store")),
    help="Where to add them: the event file (default when there is one), or the store.",
)
@click.option("--capacity", type=click.IntRange(min=1), help="Places per session.")
@click.option("--max-group-size", type=click.IntRange(min=1), help="The largest breakout group.")
@click.option(
    "--audience",
    "audiences",
    multiple=True,
    metavar="KEY",
    help="An audience the sessions are for (repeatable; default: everyone).",
)
@click.option("--registration-opens", metavar="WHEN", help="When registration opens.")
@click.option("--registration-closes", metavar="WHEN", help="The registration deadline.")
@click.option(
    "--waiting-list",
    type=click.Choice([policy.value for policy in WaitingListPolicy]),
    help="The waiting-list policy (default: automatic).",
)
@event_option
@pass_state
def import_calendar(
    state: CliState,
    file: Path,
    apply_: bool,
    into: str | None,
    capacity: int | None,
    max_group_size: int | None,
    audiences: tuple[str, ...],
    registration_opens: str | None,
    registration_closes: str | None,
    waiting_list: str | None,
    event_key: str | None,
) -> None:
    """Read the sessions in FILE (.ics, from your own calendar) into the event.

    Each entry becomes a session (a recurring one, one per date), keyed by
    its title and date; cancelled entries are left out. An entry that
    cannot be a session (all-day, no end, a link that is not https, a rule
    that never ends) is a problem: every problem is listed and nothing is
    added (exit code 1). Without --apply this is a dry run; importing the
    same file again adds nothing twice.
    """
    language = state.language
    fields = _ImportFields(
        capacity, max_group_size, audiences, registration_opens, registration_closes, waiting_list
    )
    with state.app() as app:
        event = state.event(app, event_key)
        session_fields = _fields(fields, event)
        try:
            imported = import_sessions(file.read_bytes(), timezone=event.timezone, **session_fields)
        except CalendarImportError as error:
            echo_error(
                text(language, "cal.import-problems", file=file.name, count=len(error.problems))
            )
            for problem in error.problems:
                echo_error(f"  {file.name}: {problem}")
            click.get_current_context().exit(ExitCode.REFUSED)
        existing = {session.key: session for session in event.sessions}
        event_file = state.event_file()
        if event_file is not None and event_file.event.key == event.key:
            # Added to the file but not stored yet: not new either.
            existing.update({session.key: session for session in event_file.event.sessions})
        new: list[Session] = []
        known: list[Session] = []
        clashes: list[str] = []
        for session in imported:
            old = existing.get(session.key)
            if old is None:
                new.append(session)
            elif (old.start, old.end) == (session.start, session.end):
                known.append(session)
            else:
                clashes.append(text(language, "cal.import-clash", session=session.key))
        _print_sessions(file.name, new, event, language)
        if known:
            echo(text(language, "cal.import-known", count=len(known)))
            for session in known:
                echo(f"  {session.key}")
        if clashes:
            echo_error(text(language, "cal.import-problems", file=file.name, count=len(clashes)))
            for clash in clashes:
                echo_error(f"  {file.name}: {clash}")
            click.get_current_context().exit(ExitCode.REFUSED)
        if not new:
            echo(text(language, "cal.import-nothing"))
            return
        if not apply_:
            echo(text(language, "cal.import-dry-run", count=len(new)))
            return
        target = into or ("file" if state.event_file_path() is not None else "store")
        if target == "store":
            app.save_event(attrs.evolve(event, sessions=[*event.sessions, *new]))
            echo(text(language, "cal.import-store", store=state.store_url(), count=len(new)))
            return
    _add_to_file(state, file, new, event, fields, language)


def _fields(fields: _ImportFields, event: Event) -> dict[str, object]:
    values: dict[str, object] = {}
    if fields.capacity is not None:
        values["capacity"] = fields.capacity
    if fields.max_group_size is not None:
        values["max_group_size"] = fields.max_group_size
    if fields.audiences:
        known = {audience.key for audience in event.audiences}
        for key in fields.audiences:
            if known and key not in known:
                raise click.BadParameter(
                    f"{key!r} is not an audience of {event.key!r} ({', '.join(sorted(known))})",
                    param_hint="--audience",
                )
        values["audiences"] = frozenset(fields.audiences)
    if fields.opens is not None:
        values["registration_opens"] = opening(fields.opens, event, "--registration-opens")
    if fields.closes is not None:
        values["registration_closes"] = deadline(fields.closes, event, "--registration-closes")
    if fields.waiting_list is not None:
        values["waiting_list"] = WaitingListPolicy(fields.waiting_list)
    return values


def _print_sessions(name: str, sessions: Sequence[Session], event: Event, language: str) -> None:
    echo(text(language, "cal.import-sessions", file=name, count=len(sessions)))
    if not sessions:
        return
    table(
        [
            text(language, "col.key"),
            text(language, "col.title"),
            text(language, "col.start"),
            text(language, "col.end"),
            text(language, "cal.col.place"),
        ],
        [
            (
                session.key,
                session.title,
                to_local(session.start, event.timezone).strftime("%Y-%m-%d %H:%M"),
                to_local(session.end, event.timezone).strftime("%Y-%m-%d %H:%M"),
                session.online_link or session.place or "-",
            )
            for session in sessions
        ],
    )


def _add_to_file(
    state: CliState,
    file: Path,
    sessions: Sequence[Session],
    event: Event,
    fields: _ImportFields,
    language: str,
) -> None:
    path = state.event_file_path()
    if path is None:
        raise click.UsageError(text(language, "cal.import-needs-file"))
    texts = {
        name: value
        for name, value in (
            ("registration_opens", fields.opens),
            ("registration_closes", fields.closes),
        )
        if value is not None
    }
    blocks = [_session_toml(session, event.timezone, texts) for session in sessions]
    source = path.read_bytes().decode("utf-8-sig")
    updated = _append_sessions(source, blocks, f"Sessions imported from {file.name}")
    read_event_file(updated, path=path)  # every problem, with its line, before anything is written
    path.write_text(updated, encoding="utf-8")
    echo(text(language, "cal.import-file", file=path, count=len(sessions)))


def register(cli: click.Group) -> None:
    """Add the ``calendar`` group to the main group."""
    cli.add_command(calendar_group)
