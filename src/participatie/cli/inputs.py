"""``participatie input``: what was said, per central question, session and group.

* ``add TEXT`` records one contribution, as a note-taker types it in: the
  session, the central question (by its number), the group, the audience it
  came from, themes, and optionally the participant it came from.
* ``import FILE`` records the note-takers' input from a spreadsheet, one row
  per contribution: a dry run that lists every row it cannot use, and with
  ``--apply`` stores all rows or none. Rows already recorded are left out,
  so importing the same file again adds nothing twice.
* ``list`` shows the input with its numbers (a draft's sections name the
  input they draw on by these numbers), as a table, CSV or JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs
import click

from participatie.cli._context import CliState, ExitCode, event_option, group, pass_state
from participatie.cli._output import (
    add_texts,
    echo,
    echo_error,
    progress,
    table,
    text,
)
from participatie.cli._values import Lookup, columns_by_name, is_yes, key_values, number_in
from participatie.event_file import ImportSettings
from participatie.exceptions import InvalidInputError, ParticipatieError
from participatie.feedback import Contribution, EnteredBy
from participatie.feedback.input import check_contribution
from participatie.model import Event, RegistrationState
from participatie.tabular import Row, read_table, write_csv

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "input.recorded": "Inbreng #{id} vastgelegd ({session}, {question}, {audience}).",
            "input.question": "vraag {number}",
            "input.no-question": "geen centrale vraag",
            "input.file": "Bestand: {file} ({rows} rijen)",
            "input.columns": "Kolommen:",
            "input.add": "Vast te leggen ({count}):",
            "input.added": "Vastgelegd ({count}).",
            "input.duplicates": "Al vastgelegd of dubbel, niet opnieuw ({count}):",
            "input.refused": "Niet te gebruiken ({count}):",
            "input.dry-run": (
                "Proef: er is niets opgeslagen. Leg de {count} bijdrage(n) vast met --apply."
            ),
            "input.nothing": "Niets vast te leggen.",
            "input.blocked": (
                "Niet vastgelegd: {count} rij(en) niet te gebruiken, dus is er niets opgeslagen. "
                "Verbeter ze, of leg de andere vast met --apply --skip-refused."
            ),
            "input.none": "Nog geen inbreng.",
            "input.total": "{count} bijdrage(n)",
            "input.needs-text": (
                "het bestand heeft geen kolom met de inbreng (tekst, inbreng, text)"
            ),
            "input.needs-audience": (
                "geef --audience of --participant: van welke doelgroep komt deze inbreng?"
            ),
            "input.same-as": "zelfde als #{id}",
            "input.same-line": "zelfde als regel {line}",
            "input.unknown-session": "sessie {value} niet herkend",
            "input.no-session": "geen sessie",
            "input.unknown-audience": "doelgroep {value} niet herkend",
            "input.no-audience": "geen doelgroep en geen deelnemer",
            "input.bad-question": "vraag {value} is geen nummer van een centrale vraag",
            "input.empty": "geen tekst",
            "input.invalid": "{detail}",
            "input.col.question": "vraag",
            "input.col.group": "groep",
            "input.col.audience": "doelgroep",
            "input.col.themes": "thema's",
            "input.col.text": "inbreng",
            "input.col.source": "bron",
            "input.col.recorded": "vastgelegd",
            "input.anonymous": "anoniem",
        },
        "en": {
            "input.recorded": "Input #{id} recorded ({session}, {question}, {audience}).",
            "input.question": "question {number}",
            "input.no-question": "no central question",
            "input.file": "File: {file} ({rows} rows)",
            "input.columns": "Columns:",
            "input.add": "To record ({count}):",
            "input.added": "Recorded ({count}).",
            "input.duplicates": "Recorded before or repeated, not again ({count}):",
            "input.refused": "Cannot be used ({count}):",
            "input.dry-run": (
                "Dry run: nothing was stored. Record the {count} item(s) with --apply."
            ),
            "input.nothing": "Nothing to record.",
            "input.blocked": (
                "Not recorded: {count} row(s) cannot be used, so nothing was stored. "
                "Fix them, or record the others with --apply --skip-refused."
            ),
            "input.none": "No input yet.",
            "input.total": "{count} item(s)",
            "input.needs-text": "the file has no column with the input (text, input, inbreng)",
            "input.needs-audience": (
                "give --audience or --participant: which audience does this input come from?"
            ),
            "input.same-as": "same as #{id}",
            "input.same-line": "same as line {line}",
            "input.unknown-session": "session {value} not recognised",
            "input.no-session": "no session",
            "input.unknown-audience": "audience {value} not recognised",
            "input.no-audience": "no audience and no participant",
            "input.bad-question": "question {value} is not the number of a central question",
            "input.empty": "no text",
            "input.invalid": "{detail}",
            "input.col.question": "question",
            "input.col.group": "group",
            "input.col.audience": "audience",
            "input.col.themes": "themes",
            "input.col.text": "input",
            "input.col.source": "source",
            "input.col.recorded": "recorded",
            "input.anonymous": "anonymous",
        },
    }
)

#: The fields of an input file, and the headers each is recognised by.
INPUT_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "text": ("text", "tekst", "inbreng", "input", "contribution", "bijdrage", "notitie", "note"),
    "session": ("session", "sessie"),
    "question": ("question", "vraag", "centrale vraag", "central question"),
    "group": ("group", "groep", "deelgroep"),
    "audience": ("audience", "doelgroep"),
    "themes": ("themes", "theme", "thema", "themas", "thema's", "tags"),
    "participant": ("participant", "deelnemer", "email", "e-mail", "e-mailadres"),
    "may_be_named": ("may be named", "naam noemen", "mag genoemd worden", "genoemd", "named"),
}


@group("input")
def input_group() -> None:
    """Record what was said: input per central question, session and group."""


def _question_text(language: str, question: int | None) -> str:
    if question is None:
        return text(language, "input.no-question")
    return text(language, "input.question", number=question)


def _themes(value: str) -> list[str]:
    for separator in (";", ",", "|"):
        if separator in value:
            return [part.strip() for part in value.split(separator) if part.strip()]
    return [value.strip()] if value.strip() else []


def _same(contribution: Contribution) -> tuple[object, ...]:
    """What makes two contributions the same input."""
    return (
        contribution.session_key,
        contribution.question,
        contribution.group,
        contribution.audience,
        " ".join(contribution.text.split()),
        contribution.participant,
    )


@input_group.command("add")
@click.argument("words", nargs=-1, required=True, metavar="TEXT")
@click.option("--session", "session_key", metavar="KEY", required=True, help="The session.")
@click.option(
    "--question",
    type=click.IntRange(min=1),
    help="The number of the central question it answers (leave out: outside the questions).",
)
@click.option("--group", "group_name", metavar="NAME", help="The breakout group (number or name).")
@click.option(
    "--audience",
    metavar="KEY",
    help="The audience it came from (default: the participant's, with --participant).",
)
@click.option("--theme", "themes", multiple=True, help="A theme or tag. Repeatable.")
@click.option(
    "--participant", metavar="EMAIL", help="The participant it came from (leave out: anonymous)."
)
@click.option(
    "--from-participant",
    is_flag=True,
    help="The participant sent it themselves (default: a note-taker recorded it).",
)
@click.option(
    "--may-be-named",
    is_flag=True,
    help="The participant agreed to be named with it in a published report.",
)
@event_option
@pass_state
def add(
    state: CliState,
    words: tuple[str, ...],
    session_key: str,
    question: int | None,
    group_name: str | None,
    audience: str | None,
    themes: tuple[str, ...],
    participant: str | None,
    from_participant: bool,
    may_be_named: bool,
    event_key: str | None,
) -> None:
    """Record one contribution: TEXT, said in a session, on a central question."""
    language = state.language
    if audience is None and participant is None:
        raise click.UsageError(text(language, "input.needs-audience"))
    with state.app() as app:
        event = state.event(app, event_key)
        stored = app.record_input(
            event.key,
            session_key,
            " ".join(words),
            question=question,
            audience=audience,
            group=group_name,
            themes=themes,
            participant=participant,
            entered_by=EnteredBy.PARTICIPANT if from_participant else EnteredBy.NOTE_TAKER,
            may_be_named=may_be_named,
        )
        echo(
            text(
                language,
                "input.recorded",
                id=stored.id,
                session=stored.session_key,
                question=_question_text(language, stored.question),
                audience=stored.audience,
            )
        )


@attrs.frozen
class _Planned:
    line: int
    contribution: Contribution | None = None
    reason: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    def why(self, language: str) -> str:
        assert self.reason is not None
        return text(language, f"input.{self.reason}", **dict(self.params))


class _Reader:
    """Turns rows of a note-takers' file into contributions, judged one by one."""

    def __init__(
        self,
        event: Event,
        columns: Mapping[str, int],
        lookup: Lookup,
        session: str | None,
        places: Mapping[str, Mapping[str, str]],
    ) -> None:
        self.event = event
        self.columns = columns
        self.lookup = lookup
        self.session = session
        self.places = places

    def cell(self, row: Row, field: str) -> str:
        index = self.columns.get(field)
        return "" if index is None else row.values[index]

    def plan(self, row: Row) -> _Planned:
        def refuse(reason: str, **params: object) -> _Planned:
            return _Planned(
                row.line, reason=reason, params=tuple((k, str(v)) for k, v in params.items())
            )

        words = self.cell(row, "text")
        if not words:
            return refuse("empty")
        written_session = self.cell(row, "session")
        session = self.session or self.lookup.session(written_session)
        if session is None:
            if written_session:
                return refuse("unknown-session", value=repr(written_session))
            if len(self.event.sessions) != 1:
                return refuse("no-session")
            session = self.event.sessions[0].key
        written_question = self.cell(row, "question")
        question = number_in(written_question) if written_question else None
        if written_question and question is None:
            return refuse("bad-question", value=repr(written_question))
        participant = self.cell(row, "participant").strip().lower() or None
        written_audience = self.cell(row, "audience")
        audience = self.lookup.audience(written_audience) if written_audience else None
        if written_audience and audience is None:
            return refuse("unknown-audience", value=repr(written_audience))
        if audience is None and participant is not None:
            audience = self.places.get(session, {}).get(participant)
        if audience is None:
            if participant is None and len(self.event.audiences) != 1:
                return refuse("no-audience")
            if participant is None:
                audience = self.event.audiences[0].key
        try:
            if audience is None:
                raise InvalidInputError(
                    f"{participant} has no confirmed place in session {session!r}"
                )
            contribution = Contribution(
                self.event.key,
                session,
                words,
                audience,
                question=question,
                group=self.cell(row, "group") or None,
                themes=_themes(self.cell(row, "themes")),
                participant=participant,
                may_be_named=is_yes(self.cell(row, "may_be_named")),
            )
            check_contribution(self.event, contribution)
        except ParticipatieError as error:
            return refuse("invalid", detail=error)
        return _Planned(row.line, contribution)


@input_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--apply", "apply_", is_flag=True, help="Record the input (default: dry run).")
@click.option(
    "--skip-refused",
    is_flag=True,
    help="With --apply: record the other rows even though some cannot be used.",
)
@click.option("--session", "session_key", metavar="KEY", help="Put every row in this session.")
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Which column holds a field: " + ", ".join(INPUT_FIELDS) + ". Repeatable.",
)
@event_option
@pass_state
def import_input(
    state: CliState,
    file: Path,
    apply_: bool,
    skip_refused: bool,
    session_key: str | None,
    columns: tuple[str, ...],
    event_key: str | None,
) -> None:
    """Record the note-takers' input in FILE (.csv or .xlsx), one row per contribution.

    Columns (found by their Dutch or English headers, or named with
    --column): the text, and optionally the session, the central question
    (1, 2, "Vraag 3"), the group, the audience, themes (separated by ;), the
    participant's e-mail address and whether they may be named. Without
    --apply this is a dry run. All rows are recorded or none; rows recorded
    before are left out. Exit code 1 when a row cannot be used.
    """
    language = state.language
    given = dict(key_values(columns, "--column", "FIELD=HEADER"))
    unknown = sorted(set(given) - set(INPUT_FIELDS))
    if unknown:
        raise click.BadParameter(
            f"unknown field {unknown[0]!r}; the fields are: {', '.join(INPUT_FIELDS)}",
            param_hint="--column",
        )
    exported = read_table(file)
    found = columns_by_name(exported.headers, INPUT_FIELDS, given)
    if "text" not in found:
        raise click.BadParameter(text(language, "input.needs-text"), param_hint="FILE")
    echo(text(language, "input.file", file=file.name, rows=len(exported.rows)))
    echo(text(language, "input.columns"))
    for field, index in found.items():
        echo(f"  {field:<12}  <- {exported.headers[index]!r}")
    event_file = state.event_file()
    settings = event_file.import_settings if event_file is not None else ImportSettings()
    with state.app() as app:
        event = state.event(app, event_key)
        if session_key is not None:
            event.session(session_key)
        places = {
            session.key: {
                r.person.email: r.person.audience
                for r in app.registrations(
                    event.key,
                    session.key,
                    states=(
                        RegistrationState.REGISTERED,
                        RegistrationState.ATTENDED,
                        RegistrationState.NO_SHOW,
                    ),
                )
            }
            for session in event.sessions
        }
        reader = _Reader(event, found, Lookup(event, settings), session_key, places)
        planned = [reader.plan(row) for row in progress(exported.rows, file.name)]
        to_add, duplicates = _split(planned, app.contributions(event.key), language)
        refused = [item for item in planned if item.contribution is None]
        _print_rows(to_add, language, text(language, "input.add", count=len(to_add)))
        if duplicates:
            echo(text(language, "input.duplicates", count=len(duplicates)))
            table(
                [text(language, "col.line"), text(language, "col.reason")],
                [(item.line, why) for item, why in duplicates],
            )
        if refused:
            echo(text(language, "input.refused", count=len(refused)))
            table(
                [text(language, "col.line"), text(language, "col.reason")],
                [(item.line, item.why(language)) for item in refused],
            )
        if not to_add:
            echo(text(language, "input.nothing"))
        elif not apply_:
            echo(text(language, "input.dry-run", count=len(to_add)))
        elif refused and not skip_refused:
            echo_error(text(language, "input.blocked", count=len(refused)))
        else:
            stored = app.record_inputs(item.contribution for item in to_add if item.contribution)
            echo(text(language, "input.added", count=len(stored)))
        if refused:
            click.get_current_context().exit(ExitCode.REFUSED)


def _split(
    planned: Sequence[_Planned], recorded: Sequence[Contribution], language: str
) -> tuple[list[_Planned], list[tuple[_Planned, str]]]:
    """The rows to record, and the repeats (recorded before, or earlier in the file)."""
    known = {_same(c): c.id for c in recorded}
    first: dict[tuple[object, ...], int] = {}
    to_add: list[_Planned] = []
    duplicates: list[tuple[_Planned, str]] = []
    for item in planned:
        if item.contribution is None:
            continue
        same = _same(item.contribution)
        if same in known:
            duplicates.append((item, text(language, "input.same-as", id=known[same])))
        elif same in first:
            duplicates.append((item, text(language, "input.same-line", line=first[same])))
        else:
            first[same] = item.line
            to_add.append(item)
    return to_add, duplicates


def _print_rows(items: Sequence[_Planned], language: str, heading: str) -> None:
    if not items:
        return
    echo(heading)
    table(
        [
            text(language, "col.line"),
            text(language, "col.session"),
            text(language, "input.col.question"),
            text(language, "input.col.group"),
            text(language, "input.col.audience"),
            text(language, "input.col.text"),
        ],
        [
            (
                item.line,
                item.contribution.session_key,
                item.contribution.question or "-",
                item.contribution.group or "-",
                item.contribution.audience,
                _short(item.contribution.text),
            )
            for item in items
            if item.contribution is not None
        ],
    )


def _short(words: str, width: int = 60) -> str:
    flat = " ".join(words.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@input_group.command("list")
@click.option("--session", "session_key", metavar="KEY", help="Only this session.")
@click.option("--question", type=click.IntRange(min=1), help="Only this central question.")
@click.option("--group", "group_name", metavar="NAME", help="Only this group.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("table", "csv", "json")),
    default="table",
    show_default=True,
    help="table to read, csv for a spreadsheet (safe against formulas), json for scripts.",
)
@event_option
@pass_state
def list_input(
    state: CliState,
    session_key: str | None,
    question: int | None,
    group_name: str | None,
    output_format: str,
    event_key: str | None,
) -> None:
    """List the input with its numbers (a draft's sections name their sources by number)."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        found = app.contributions(
            event.key, session_key=session_key, question=question, group=group_name
        )
        if output_format == "json":
            echo(json.dumps([_as_json(c) for c in found], ensure_ascii=False, indent=2))
            return
        headers = [
            text(language, "col.id"),
            text(language, "col.session"),
            text(language, "input.col.question"),
            text(language, "input.col.group"),
            text(language, "input.col.audience"),
            text(language, "input.col.themes"),
            text(language, "input.col.source"),
            text(language, "input.col.text"),
        ]
        rows = [
            (
                c.id,
                c.session_key,
                c.question or "",
                c.group or "",
                c.audience,
                "; ".join(sorted(c.themes)),
                c.participant or text(language, "input.anonymous"),
                c.text if output_format == "csv" else _short(c.text),
            )
            for c in found
        ]
        if output_format == "csv":
            write_csv(sys.stdout, headers, rows)
            return
        if not found:
            echo(text(language, "input.none"))
            return
        table(headers, rows)
        echo(text(language, "input.total", count=len(found)))


def _as_json(contribution: Contribution) -> dict[str, object]:
    return {
        "id": contribution.id,
        "session": contribution.session_key,
        "question": contribution.question,
        "group": contribution.group,
        "audience": contribution.audience,
        "themes": sorted(contribution.themes),
        "participant": contribution.participant,
        "entered_by": contribution.entered_by.value,
        "may_be_named": contribution.may_be_named,
        "text": contribution.text,
        "recorded_at": contribution.recorded_at.isoformat() if contribution.recorded_at else None,
    }


def register(cli: click.Group) -> None:
    """Add the ``input`` group to the main group."""
    cli.add_command(input_group)
