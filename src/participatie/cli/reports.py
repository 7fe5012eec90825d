"""``participatie report FOLDER``: the event's report as Markdown, HTML and CSV.

Attendance, the groups, the input per central question and audience, and
every feedback round with its response rate, agreement per section and the
decisions on comments. By default the report is for publication: it holds
no personal data. ``--names`` names the people who agreed to be named with
their input or response; ``--internal`` writes the report for the
organiser's colleagues, which names sources and group members (except in
rounds whose answers are anonymous to colleagues). The building and writing
live in :mod:`participatie.feedback.reports` and
:mod:`participatie.feedback.formats`.
"""

from __future__ import annotations

from pathlib import Path

import click

from participatie.cli._context import CliState, command, event_option, pass_state
from participatie.cli._output import add_texts, echo, echo_error, text
from participatie.cli._privacy import record_files, requested_by_option, require
from participatie.feedback import ReportOptions, write_report

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "report.written": "Rapport geschreven naar {folder}:",
            "report.public": "Voor publicatie: zonder persoonsgegevens.",
            "report.names": (
                "Voor publicatie: alleen mensen die daarmee instemden staan er met naam in."
            ),
            "report.internal": (
                "Intern rapport voor collega's: bevat persoonsgegevens; niet publiceren."
            ),
            "report.both": "kies --names (publicatie) of --internal, niet allebei",
        },
        "en": {
            "report.written": "Report written to {folder}:",
            "report.public": "For publication: no personal data.",
            "report.names": "For publication: only people who agreed to it are named.",
            "report.internal": (
                "Internal report for colleagues: contains personal data; do not publish."
            ),
            "report.both": "choose --names (publication) or --internal, not both",
        },
    }
)


@command("report")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--names",
    is_flag=True,
    help="Name the people who agreed to be named with their input or response "
    "(default: nobody is named).",
)
@click.option(
    "--internal",
    is_flag=True,
    help="The report for colleagues, with sources and group members (personal data).",
)
@click.option(
    "--name",
    "file_name",
    default="report",
    show_default=True,
    help="The files' name: NAME.md, NAME.html, NAME-TABLE.csv.",
)
@requested_by_option()
@event_option
@pass_state
def report(
    state: CliState,
    folder: Path,
    names: bool,
    internal: bool,
    file_name: str,
    requested_by: str | None,
    event_key: str | None,
) -> None:
    """Write the event's report to FOLDER: Markdown, a self-contained HTML page, and CSV.

    Attendance, groups, input per central question and audience, and the
    feedback rounds. For publication, without personal data, unless
    --names or --internal: then the files are recorded in the privacy log
    with --requested-by. The report is in the output language (--lang).
    """
    language = state.language
    if names and internal:
        raise click.UsageError(text(language, "report.both"))
    if names or internal:
        require(requested_by, "report --names/--internal", language)
    with state.app() as app:
        event = state.event(app, event_key)
        groups = {
            session.key: {
                str(formed.number): [member.person.email for member in formed.members]
                for formed in app.groups(event.key, session.key)
            }
            for session in event.sessions
        }
        built = app.feedback_report(
            event.key,
            groups={key: value for key, value in groups.items() if value},
            options=ReportOptions(for_publication=not internal, names=names, language=language),
        )
        written = write_report(built, folder, name=file_name)
        if requested_by is not None and (names or internal):
            people = len({r.person.email for r in app.registrations(event.key)})
            record_files(
                app, event.key, "report", [(path, people) for path in written], requested_by
            )
    echo(text(language, "report.written", folder=folder))
    for path in written:
        echo(f"  {path}")
    if internal:
        echo_error(text(language, "report.internal"))
    else:
        echo(text(language, "report.names" if names else "report.public"))


def register(cli: click.Group) -> None:
    """Add the ``report`` command to the main group."""
    cli.add_command(report)
