"""The ``privacy`` commands: erase a person, hand over what is held, purge, check.

``privacy erase`` and ``privacy access`` answer a person's request (the
right to erasure and the right of access); ``privacy purge`` removes the
data of events whose retention period is over (for a scheduler); and
``privacy check`` compares the personal-data declarations with what the
store really keeps. None of them prints the person's address: the privacy
log records who handled a request, never whom it was about.
"""

from __future__ import annotations

from pathlib import Path

import click

from participatie.cli._context import CliState, ExitCode, group, pass_state
from participatie.cli._output import add_texts, echo, echo_error, text
from participatie.cli._privacy import requested_by_option

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "privacy.confirm": "Alles over deze persoon wissen? Dit kan niet ongedaan worden",
            "privacy.erased": "Wissen uitgevoerd:",
            "privacy.access": "Overzicht geschreven naar {path}; verwijder het na overdracht.",
            "privacy.access-none": "Niemand met dit adres opgeslagen; {path} zegt dat.",
            "privacy.purge-none": "Geen bijeenkomst voorbij de bewaartermijn.",
            "privacy.purged": "Gewist voor {event}: {count} gegeven(s)",
            "privacy.check-ok": "De opgaven van persoonsgegevens kloppen.",
            "privacy.check-problems": "{count} probleem/problemen met persoonsgegevens:",
        },
        "en": {
            "privacy.confirm": "Erase everything held about this person? This cannot be undone",
            "privacy.erased": "Erasure done:",
            "privacy.access": "Overview written to {path}; delete it once handed over.",
            "privacy.access-none": "Nobody with this address is stored; {path} says so.",
            "privacy.purge-none": "No event is past its retention period.",
            "privacy.purged": "Erased for {event}: {count} item(s)",
            "privacy.check-ok": "The personal-data declarations are right.",
            "privacy.check-problems": "{count} problem(s) with personal data:",
        },
    }
)


@group("privacy")
def privacy() -> None:
    """Answer privacy requests, purge expired data and check the declarations."""


@privacy.command("erase")
@click.argument("email")
@requested_by_option(required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_state
def erase(state: CliState, email: str, requested_by: str, yes: bool) -> None:
    """Erase everything held about the person with EMAIL (the right to erasure).

    Upcoming registrations are cancelled (people waiting move up and are
    told), past ones stay as anonymous tombstones; plugins and recorded
    files lose the person too. The privacy log records who handled it
    (--requested-by), never whom it was about. Asks first, unless --yes.
    """
    language = state.language
    if not yes:
        click.confirm(text(language, "privacy.confirm"), abort=True)
    with state.app() as app:
        report = app.erase_person(email, requested_by=requested_by)
    echo(text(language, "privacy.erased"))
    for line in report.lines():
        echo("  " + line)


@privacy.command("access")
@click.argument("email")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@requested_by_option(required=True)
@pass_state
def access(state: CliState, email: str, file: Path, requested_by: str) -> None:
    """Write everything held about the person with EMAIL to FILE, as JSON (the right of access).

    The file is recorded in the privacy log, so that a later erasure removes
    it too; delete it once it has been handed over.
    """
    with state.app() as app:
        found = bool(app.subject_access(email)["found"])
        path = app.export_subject_access(email, file, requested_by=requested_by)
    echo(text(state.language, "privacy.access" if found else "privacy.access-none", path=path))


@privacy.command("purge")
@pass_state
def purge(state: CliState) -> None:
    """Erase the personal data of every event whose retention period is over.

    For a scheduler (daily is plenty): running it again changes nothing.
    """
    language = state.language
    with state.app() as app:
        report = app.purge_expired()
    if not report.events:
        echo(text(language, "privacy.purge-none"))
        return
    for event_key in report.events:
        detached = report.store.get(event_key)
        count = detached.total if detached is not None else 0
        echo(text(language, "privacy.purged", event=event_key, count=count))
    if report.scrubbed is not None:
        echo("  " + report.scrubbed.detail)


@privacy.command("check")
@pass_state
def check(state: CliState) -> None:
    """Check the personal-data declarations against what the store keeps.

    Prints each problem and exits with 1 when there is any.
    """
    language = state.language
    with state.app() as app:
        problems = app.check_personal_data()
    if not problems:
        echo(text(language, "privacy.check-ok"))
        return
    echo_error(text(language, "privacy.check-problems", count=len(problems)))
    for problem in problems:
        echo_error("  " + problem)
    raise click.exceptions.Exit(ExitCode.REFUSED)


def register(cli: click.Group) -> None:
    """Add the ``privacy`` group to the main command."""
    cli.add_command(privacy)
