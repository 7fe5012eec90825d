"""``participatie import registrations``: the export of a registration form, in one go.

A dry run by default: it shows what would be added (and whether each person
gets a place or the waiting list), what is a duplicate, and every refused row
with its reason. ``--apply`` stores it, all or nothing: while any row is
refused nothing is stored, unless ``--skip-refused`` says to leave those rows
out. Importing the same file again adds nothing twice. The planning itself
lives in :mod:`participatie.importing`; this module reads the options and
prints.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import attrs
import click

from participatie.cli._context import CliState, ExitCode, event_option, group, pass_state
from participatie.cli._output import (
    add_texts,
    echo,
    echo_error,
    progress,
    state_name,
    table,
    text,
)
from participatie.event_file import IMPORT_FIELDS, ImportSettings
from participatie.importing import ImportPlan, PlannedRow, describe, plan_import
from participatie.model import RegistrationState
from participatie.tabular import Table, read_table, write_csv

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "import.file": "Bestand: {file} ({rows} rijen{details})",
            "import.columns": "Kolommen:",
            "import.add": "Toe te voegen ({count}):",
            "import.added": "Toegevoegd ({count}):",
            "import.duplicates": "Dubbel, niet toegevoegd ({count}):",
            "import.refused": "Geweigerd ({count}):",
            "import.notes": "Opmerkingen:",
            "import.summary": "{session}: {registered} aangemeld, {waitlisted} op de wachtlijst",
            "import.dry-run": (
                "Proefimport: er is niets opgeslagen. Sla de {count} aanmelding(en) op met --apply."
            ),
            "import.nothing": "Niets toe te voegen.",
            "import.blocked": (
                "Niet geïmporteerd: {count} rij(en) geweigerd, dus is er niets opgeslagen. "
                "Verbeter ze, of importeer de andere met --apply --skip-refused."
            ),
            "import.done": "Geïmporteerd: {count} aanmelding(en).",
            "import.skipped": "{count} geweigerde rij(en) zijn niet geïmporteerd.",
            "import.late": "Bij het opslaan alsnog geweigerd ({count}):",
            "import.refused-file": "Geweigerde rijen geschreven naar {file}",
            "import.bad-column": "schrijf --column als VELD=KOLOM, met VELD een van: {fields}",
            "col.note": "opmerking",
        },
        "en": {
            "import.file": "File: {file} ({rows} rows{details})",
            "import.columns": "Columns:",
            "import.add": "To add ({count}):",
            "import.added": "Added ({count}):",
            "import.duplicates": "Duplicates, not added ({count}):",
            "import.refused": "Refused ({count}):",
            "import.notes": "Notes:",
            "import.summary": (
                "{session}: {registered} registered, {waitlisted} on the waiting list"
            ),
            "import.dry-run": (
                "Dry run: nothing was stored. Store the {count} registration(s) with --apply."
            ),
            "import.nothing": "Nothing to add.",
            "import.blocked": (
                "Not imported: {count} row(s) refused, so nothing was stored. "
                "Fix them, or import the others with --apply --skip-refused."
            ),
            "import.done": "Imported: {count} registration(s).",
            "import.skipped": "{count} refused row(s) were left out.",
            "import.late": "Refused while storing ({count}):",
            "import.refused-file": "Refused rows written to {file}",
            "import.bad-column": "write --column as FIELD=HEADER, with FIELD one of: {fields}",
            "col.note": "note",
        },
    }
)


@group("import")
def import_group() -> None:
    """Import data exported from other tools."""


def _columns(state: CliState, values: tuple[str, ...]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for value in values:
        field, sep, header = value.partition("=")
        if not sep or field.strip() not in IMPORT_FIELDS or not header.strip():
            raise click.BadParameter(
                text(state.language, "import.bad-column", fields=", ".join(IMPORT_FIELDS)),
                param_hint="--column",
            )
        columns[field.strip()] = header.strip()
    return columns


def _rows_table(rows: list[PlannedRow], language: str, *, with_state: bool) -> None:
    headers = [
        text(language, "col.line"),
        text(language, "col.session"),
        text(language, "col.name"),
        text(language, "col.email"),
        text(language, "col.becomes" if with_state else "col.reason"),
    ]
    table(
        headers,
        [
            (
                row.line,
                row.session_key or "-",
                row.person.name if row.person else row.name or "-",
                row.person.email if row.person else row.email or "-",
                state_name(language, row.state)
                if with_state and row.state is not None
                else row.why(language),
            )
            for row in rows
        ],
    )


def _print_plan(plan: ImportPlan, language: str, *, summary_only: bool, applied: bool) -> None:
    add = plan.to_add
    duplicates = plan.duplicates
    refused = plan.refused
    if add:
        echo(text(language, "import.added" if applied else "import.add", count=len(add)))
        if not summary_only:
            _rows_table(add, language, with_state=True)
        for session in plan.event.sessions:
            states = Counter(row.state for row in add if row.session_key == session.key)
            if states:
                echo(
                    "  "
                    + text(
                        language,
                        "import.summary",
                        session=session.key,
                        registered=states[RegistrationState.REGISTERED],
                        waitlisted=states[RegistrationState.WAITLISTED],
                    )
                )
    if duplicates:
        echo(text(language, "import.duplicates", count=len(duplicates)))
        if not summary_only:
            _rows_table(duplicates, language, with_state=False)
    if refused:
        echo(text(language, "import.refused", count=len(refused)))
        _rows_table(refused, language, with_state=False)
    notes = [(row, code, params) for row in plan.rows for code, params in row.notes]
    if notes:
        echo(text(language, "import.notes"))
        for row, code, params in sorted(notes, key=lambda note: note[0].line):
            echo(f"  {text(language, 'col.line')} {row.line}: {describe(code, params, language)}")


def _write_refused(path: Path, plan: ImportPlan, exported: Table, language: str) -> None:
    """The refused rows as they were, plus the reason: fix them there and import that file."""
    rows = {row.line: row for row in exported.rows}
    reasons: dict[int, list[str]] = {}
    for planned in plan.refused:
        reasons.setdefault(planned.line, []).append(planned.why(language))
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        write_csv(
            stream,
            [*exported.headers, text(language, "col.line"), text(language, "col.reason")],
            [
                [*rows[line].values, line, "; ".join(dict.fromkeys(why))]
                for line, why in sorted(reasons.items())
            ],
            delimiter=exported.delimiter or ",",
        )


@import_group.command("registrations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Store the registrations (default: dry run).")
@click.option(
    "--skip-refused",
    is_flag=True,
    help="With --apply: store the other rows even though some are refused.",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Which column holds a field, e.g. --column email='E-mailadres'. Repeatable. Fields: "
    + ", ".join(IMPORT_FIELDS)
    + ".",
)
@click.option("--session", "session_key", metavar="KEY", help="Put every row in this session.")
@click.option("--audience", metavar="KEY", help="Give every row this audience.")
@click.option("--delimiter", metavar="CHAR", help="The column separator (default: detected).")
@click.option("--encoding", metavar="NAME", help="The character encoding (default: detected).")
@click.option("--sheet", metavar="NAME", help="For .xlsx: the sheet to read (default: the first).")
@click.option(
    "--refused-csv",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the refused rows, with their reasons, to this CSV file.",
)
@click.option("--summary", is_flag=True, help="Only count the rows to add and duplicates.")
@event_option
@pass_state
def registrations(
    state: CliState,
    file: Path,
    apply_: bool,
    skip_refused: bool,
    columns: tuple[str, ...],
    session_key: str | None,
    audience: str | None,
    delimiter: str | None,
    encoding: str | None,
    sheet: str | None,
    refused_csv: Path | None,
    summary: bool,
    event_key: str | None,
) -> None:
    """Import the registrations in FILE (.csv or .xlsx), the export of a registration form.

    Without --apply this is a dry run: it shows what would be added, what is
    a duplicate, and every refused row with its reason (invalid e-mail
    address, no consent, not eligible, after the deadline, ...). With --apply
    the registrations are stored all at once; while any row is refused
    nothing is stored, unless --skip-refused is given too. Importing the same
    file again adds nothing twice.

    Columns are found from the event file's [import.columns], from --column,
    or from common Dutch and English headers. Exit code 1 when any row is
    refused.
    """
    language = state.language
    event_file = state.event_file()
    settings = event_file.import_settings if event_file is not None else ImportSettings()
    # The command line's options win over the event file's [import] settings.
    settings = attrs.evolve(
        settings,
        columns={**settings.columns, **_columns(state, columns)},
        delimiter=delimiter or settings.delimiter,
        encoding=encoding or settings.encoding,
        sheet=sheet or settings.sheet,
    )
    exported = read_table(
        file, delimiter=settings.delimiter, encoding=settings.encoding, sheet=settings.sheet
    )
    details = ""
    if exported.encoding is not None:
        details += f", {exported.encoding}"
    if exported.delimiter is not None:
        details += f", {exported.delimiter!r}"
    echo(text(language, "import.file", file=file.name, rows=len(exported.rows), details=details))
    with state.app() as app:
        event = state.event(app, event_key)
        plan = plan_import(
            app,
            event.key,
            exported,
            settings,
            session=session_key,
            audience=audience,
            progress=lambda rows: progress(rows, file.name),
        )
        echo(text(language, "import.columns"))
        width = max(len(field) for field in plan.columns)
        for field, header in plan.columns.items():
            echo(f"  {field:<{width}}  <- {header!r}")
        refused = plan.refused
        late = False
        if refused_csv is not None and refused:
            _write_refused(refused_csv, plan, exported, language)
        if not apply_:
            _print_plan(plan, language, summary_only=summary, applied=False)
            if plan.to_add:
                echo(text(language, "import.dry-run", count=len(plan.to_add)))
            else:
                echo(text(language, "import.nothing"))
        elif refused and not skip_refused:
            _print_plan(plan, language, summary_only=summary, applied=False)
            echo_error(text(language, "import.blocked", count=len(refused)))
        else:
            result = plan.apply(app, skip_refused=skip_refused)
            _print_plan(plan, language, summary_only=summary, applied=True)
            echo(text(language, "import.done", count=len(result.registrations)))
            if refused:
                echo(text(language, "import.skipped", count=len(refused)))
            late = bool(result.refused)
            if late:
                echo(text(language, "import.late", count=len(result.refused)))
                for row, error in result.refused:
                    echo(f"  {text(language, 'col.line')} {row.line}: {error}")
        if refused_csv is not None and refused:
            echo(text(language, "import.refused-file", file=refused_csv))
        if refused or late:
            click.get_current_context().exit(ExitCode.REFUSED)


def register(cli: click.Group) -> None:
    """Add the ``import`` group to the main group."""
    cli.add_command(import_group)
