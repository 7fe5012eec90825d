"""Commands for registrations, one person at a time and session by session.

``register`` and ``cancel`` a person, ``accept`` or ``decline`` an offered
place, record ``attendance``, look at the ``waiting-list``, the ``places`` and
the ``registrations``, let lapsed offers expire (``expire-offers``, for a
scheduler) and read a registration's ``history``.

A registration is named by its number (``#12`` in every listing) or by the
person's e-mail address. Each change prints who it affected, including the
people who moved up from the waiting list.

This module is the pattern for a new one: texts with :func:`add_texts`,
commands with :func:`command`, the organiser's settings through
``@pass_state``, and a ``register(cli)`` function listed in
:data:`participatie.cli.main.COMMAND_MODULES`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

import click

from participatie.cli._context import CliState, command, event_option, pass_state
from participatie.cli._output import (
    add_texts,
    echo,
    format_instant,
    reason_name,
    state_name,
    table,
    text,
)
from participatie.importing import DEFAULT_AUDIENCE
from participatie.model import Consent, Event, Person, Registration, RegistrationState
from participatie.storage import Outcome
from participatie.tabular import write_csv

__all__ = ["register"]

_S = RegistrationState

add_texts(
    {
        "nl": {
            "reg.line": "#{id} {name} <{email}> ({session}): {state}",
            "reg.moved-up": "Doorgeschoven of plaats aangeboden:",
            "reg.until": "aanbod geldig tot {until}",
            "reg.audience-needed": "geef --audience, een van: {keys}",
            "reg.waiting-none": "{session}: niemand op de wachtlijst",
            "reg.offers": "{session}: plaats aangeboden aan",
            "reg.expired-none": "Geen aanbiedingen verlopen.",
            "reg.expired": "Verlopen en doorgegeven:",
            "reg.none": "Geen aanmeldingen.",
            "reg.total": "{count} aanmelding(en)",
        },
        "en": {
            "reg.line": "#{id} {name} <{email}> ({session}): {state}",
            "reg.moved-up": "Moved up or offered a place:",
            "reg.until": "offer open until {until}",
            "reg.audience-needed": "give --audience, one of: {keys}",
            "reg.waiting-none": "{session}: nobody on the waiting list",
            "reg.offers": "{session}: a place is offered to",
            "reg.expired-none": "No offers expired.",
            "reg.expired": "Expired and passed on:",
            "reg.none": "No registrations.",
            "reg.total": "{count} registration(s)",
        },
    }
)

_ACTIVE = frozenset(state for state in RegistrationState if state.is_active)
#: The consent text version recorded when an organiser registers someone for
#: an event that names no version.
_BY_ORGANISER = "organiser"


def _line(registration: Registration, event: Event, language: str) -> str:
    line = text(
        language,
        "reg.line",
        id=registration.id,
        name=registration.person.name,
        email=registration.person.email,
        session=registration.session_key,
        state=state_name(language, registration.state),
    )
    if registration.state is _S.OFFERED and registration.offer_expires_at is not None:
        until = format_instant(registration.offer_expires_at, event.timezone)
        line += "; " + text(language, "reg.until", until=until)
    return line


def _print_outcome(outcome: Outcome, event: Event, language: str) -> None:
    echo(_line(outcome.registration, event, language))
    if outcome.moved_up:
        echo(text(language, "reg.moved-up"))
        for registration in outcome.moved_up:
            echo("  " + _line(registration, event, language))


def _sessions(event: Event, session_key: str | None) -> list[str]:
    if session_key is not None:
        return [event.session(session_key).key]
    return [session.key for session in event.sessions]


session_option = click.option(
    "--session", "session_key", metavar="KEY", help="Only this session (default: all)."
)
#: For commands about one person: which of their registrations.
which_session = click.option(
    "--session",
    "session_key",
    metavar="KEY",
    help="The session, when the person has registrations for more than one.",
)


# --- one person ----------------------------------------------------------------------


@command("register")
@click.option("--session", "session_key", metavar="KEY", required=True, help="The session.")
@click.option("--name", required=True, help="The person's name.")
@click.option("--email", required=True, help="The person's e-mail address.")
@click.option(
    "--audience",
    metavar="KEY",
    help="Their audience (needed when the event has more than one).",
)
@click.option("--organisation", help="The organisation they belong to.")
@click.option("--phone", help="A phone number.")
@click.option(
    "--language",
    "person_language",
    type=click.Choice(("nl", "en")),
    default="nl",
    show_default=True,
    help="The language of their messages.",
)
@click.option(
    "--consent/--no-consent",
    default=False,
    help="They gave consent to process their data (now, to the event's consent text).",
)
@event_option
@pass_state
def register_person(
    state: CliState,
    session_key: str,
    name: str,
    email: str,
    audience: str | None,
    organisation: str | None,
    phone: str | None,
    person_language: str,
    consent: bool,
    event_key: str | None,
) -> None:
    """Register one person for a session: a place, or a place on the waiting list.

    For someone who registered by phone or at the help desk. The same rules
    apply as to the form: the registration window, the audience, consent.
    """
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        if audience is None:
            keys = [known.key for known in event.audiences]
            if len(keys) > 1:
                raise click.UsageError(text(language, "reg.audience-needed", keys=", ".join(keys)))
            audience = keys[0] if keys else DEFAULT_AUDIENCE
        person = Person(
            name, email, audience, organisation=organisation, phone=phone, language=person_language
        )
        # The consent text is the event's; without one, record who took the consent.
        version = event.consent_version or _BY_ORGANISER
        given = Consent(version, app.now()) if consent else None
        registration = app.register(event.key, session_key, person, consent=given)
        echo(_line(registration, event, language))


def _change(
    state: CliState,
    event_key: str | None,
    who: str,
    session_key: str | None,
    states: frozenset[RegistrationState],
    action: str,
    *,
    by_organiser: bool = False,
) -> None:
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        registration = state.registration(app, event, who, session=session_key, states=states)
        if action == "cancel":
            outcome = app.cancel(registration.id, by_organiser=by_organiser)
        elif action == "accept":
            outcome = app.accept_offer(registration.id)
        else:
            outcome = app.decline_offer(registration.id)
        _print_outcome(outcome, event, language)


_WHO = click.argument("who", metavar="NUMBER|EMAIL")


@command("cancel")
@_WHO
@which_session
@click.option(
    "--by-organiser",
    is_flag=True,
    help="Cancel also after the change deadline (someone told the help desk).",
)
@event_option
@pass_state
def cancel(
    state: CliState,
    who: str,
    session_key: str | None,
    by_organiser: bool,
    event_key: str | None,
) -> None:
    """Cancel a registration; the freed place goes to the first person waiting."""
    _change(state, event_key, who, session_key, _ACTIVE, "cancel", by_organiser=by_organiser)


@command("accept")
@_WHO
@which_session
@event_option
@pass_state
def accept(state: CliState, who: str, session_key: str | None, event_key: str | None) -> None:
    """Accept an offered place (before the offer lapses)."""
    _change(state, event_key, who, session_key, frozenset({_S.OFFERED}), "accept")


@command("decline")
@_WHO
@which_session
@event_option
@pass_state
def decline(state: CliState, who: str, session_key: str | None, event_key: str | None) -> None:
    """Decline an offered place; it is offered to the next person waiting."""
    _change(state, event_key, who, session_key, frozenset({_S.OFFERED}), "decline")


@command("attendance")
@click.argument("who", metavar="NUMBER|EMAIL...", nargs=-1, required=True)
@click.option(
    "--present/--absent", default=True, help="Took part (default), or did not come (no-show)."
)
@which_session
@event_option
@pass_state
def attendance(
    state: CliState,
    who: tuple[str, ...],
    present: bool,
    session_key: str | None,
    event_key: str | None,
) -> None:
    """Record who took part, or who did not come, after the session."""
    language = state.language
    held = frozenset({_S.REGISTERED, _S.ATTENDED, _S.NO_SHOW})
    with state.app() as app:
        event = state.event(app, event_key)
        for name in who:
            registration = state.registration(app, event, name, session=session_key, states=held)
            if present:
                outcome = app.mark_attended(registration.id)
            else:
                outcome = app.mark_no_show(registration.id)
            echo(_line(outcome.registration, event, language))


# --- looking ---------------------------------------------------------------------------


@command("waiting-list")
@session_option
@event_option
@pass_state
def waiting_list(state: CliState, session_key: str | None, event_key: str | None) -> None:
    """Show the waiting list of each session, first in line first, and open offers."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        for key in _sessions(event, session_key):
            offers = app.registrations(event.key, key, states=(_S.OFFERED,))
            if offers:
                echo(text(language, "reg.offers", session=key))
                table(
                    [
                        text(language, "col.id"),
                        text(language, "col.name"),
                        text(language, "col.email"),
                        text(language, "col.until"),
                    ],
                    [
                        (
                            f"#{r.id}",
                            r.person.name,
                            r.person.email,
                            format_instant(r.offer_expires_at, event.timezone),
                        )
                        for r in offers
                    ],
                )
            waiting = app.waiting_list(event.key, key)
            if not waiting:
                echo(text(language, "reg.waiting-none", session=key))
                continue
            echo(f"{key}:")
            table(
                [
                    text(language, "col.position"),
                    text(language, "col.id"),
                    text(language, "col.name"),
                    text(language, "col.email"),
                    text(language, "col.since"),
                ],
                [
                    (
                        position,
                        f"#{r.id}",
                        r.person.name,
                        r.person.email,
                        format_instant(r.registered_at, event.timezone),
                    )
                    for position, r in enumerate(waiting, start=1)
                ],
            )


@command("places")
@event_option
@pass_state
def places(state: CliState, event_key: str | None) -> None:
    """Show how full each session is: places, taken, offered, waiting, free."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        rows = []
        for session in event.sessions:
            count = app.places(event.key, session.key)
            rows.append(
                (
                    session.key,
                    count.capacity if count.capacity is not None else text(language, "no-limit"),
                    count.taken,
                    count.offered,
                    count.waiting,
                    count.free if count.free is not None else "-",
                )
            )
        table(
            [
                text(language, "col.session"),
                text(language, "col.capacity"),
                text(language, "col.taken"),
                text(language, "col.offered"),
                text(language, "col.waiting"),
                text(language, "col.free"),
            ],
            rows,
        )


_FORMATS = ("table", "csv", "json")


@command("registrations")
@session_option
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice([state.value for state in RegistrationState]),
    help="Only registrations in this state. Repeatable.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(_FORMATS),
    default="table",
    show_default=True,
    help="table to read, csv for a spreadsheet (safe against formulas), json for scripts.",
)
@event_option
@pass_state
def registrations(
    state: CliState,
    session_key: str | None,
    states: tuple[str, ...],
    output_format: str,
    event_key: str | None,
) -> None:
    """List registrations: number, session, name, e-mail, organisation, state."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        if session_key is not None:
            event.session(session_key)
        found = app.registrations(
            event.key,
            session_key,
            states=[RegistrationState(value) for value in states] if states else None,
        )
        _print_registrations(found, event, language, output_format)


def _print_registrations(
    found: list[Registration], event: Event, language: str, output_format: str
) -> None:
    tz = event.timezone
    if output_format == "json":
        echo(json.dumps([_as_json(r, tz) for r in found], ensure_ascii=False, indent=2))
        return
    headers = [
        text(language, "col.id"),
        text(language, "col.session"),
        text(language, "col.name"),
        text(language, "col.email"),
        text(language, "col.organisation"),
        text(language, "col.state"),
        text(language, "col.registered-at"),
    ]
    rows: Iterable[tuple[object, ...]] = [
        (
            r.id,
            r.session_key,
            r.person.name,
            r.person.email,
            r.person.organisation or "",
            state_name(language, r.state),
            format_instant(r.registered_at, tz),
        )
        for r in found
    ]
    if output_format == "csv":
        write_csv(sys.stdout, headers, rows)
        return
    if not found:
        echo(text(language, "reg.none"))
        return
    table(headers, rows)
    echo(text(language, "reg.total", count=len(found)))


def _as_json(registration: Registration, tz: str) -> dict[str, object]:
    person = registration.person
    return {
        "id": registration.id,
        "session": registration.session_key,
        "name": person.name,
        "email": person.email,
        "audience": person.audience,
        "organisation": person.organisation,
        "phone": person.phone,
        "language": person.language,
        "state": registration.state.value,
        "registered_at": registration.registered_at.isoformat(),
        "offer_expires_at": registration.offer_expires_at.isoformat()
        if registration.offer_expires_at
        else None,
        "registered_at_local": format_instant(registration.registered_at, tz),
    }


@command("expire-offers")
@pass_state
def expire_offers(state: CliState) -> None:
    """Let offers that lapsed expire and offer the places to the next people.

    Offers also lapse whenever their session changes; run this from a
    scheduler (cron) so places move on when nothing else happens.
    """
    language = state.language
    with state.app() as app:
        transitions = app.expire_offers()
        if not transitions:
            echo(text(language, "reg.expired-none"))
            return
        echo(text(language, "reg.expired"))
        for transition in transitions:
            registration = transition.registration
            echo(
                f"  #{registration.id} {registration.person.name} <{registration.person.email}> "
                f"({registration.event_key}/{registration.session_key}): "
                f"{reason_name(language, transition.reason)}"
            )


@command("history")
@_WHO
@which_session
@event_option
@pass_state
def history(state: CliState, who: str, session_key: str | None, event_key: str | None) -> None:
    """Show every change of one registration's state, oldest first."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        registration = state.registration(app, event, who, session=session_key)
        echo(_line(registration, event, language))
        table(
            [
                text(language, "col.at"),
                text(language, "col.from"),
                text(language, "col.to"),
                text(language, "col.reason"),
            ],
            [
                (
                    format_instant(transition.at, event.timezone),
                    state_name(language, transition.previous) if transition.previous else "-",
                    state_name(language, transition.state),
                    reason_name(language, transition.reason),
                )
                for transition in app.history(registration.id)
            ],
        )


def register(cli: click.Group) -> None:
    """Add the registration commands to the main group."""
    for each in (
        register_person,
        cancel,
        accept,
        decline,
        attendance,
        waiting_list,
        places,
        registrations,
        expire_offers,
        history,
    ):
        cli.add_command(each)
