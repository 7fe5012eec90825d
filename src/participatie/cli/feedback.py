"""``participatie feedback``: the draft response and the feedback rounds on it.

* ``draft FILE`` stores a version of a draft from a Markdown or text file
  with headed sections (see :mod:`participatie.cli._draft_file`); a file that
  did not change stores nothing, so it is safe to run again.
* ``open DRAFT`` puts a version before its recipients (by default everyone
  who attended) from an opening to a closing time, with reminders.
* ``respond``, ``close``, ``comments`` (with a CSV to fill in), ``dispose``
  (one comment, or the filled-in CSV), ``conclude`` (the round led to the
  next version) and ``rounds`` (where each round stands).
* ``due FOLDER`` writes every message that is due (invitations, reminders,
  "what we did with your input") as an e-mail file per person, with an
  ``index.csv``, and records them as queued, so they are never due twice.
"""

from __future__ import annotations

import email.policy
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Final

import click

from participatie.cli._context import CliState, ExitCode, event_option, group, pass_state
from participatie.cli._draft_file import read_draft_text
from participatie.cli._output import (
    add_texts,
    echo,
    echo_error,
    format_instant,
    progress,
    table,
    text,
)
from participatie.cli._privacy import record_files, requested_by_option, require
from participatie.cli._values import (
    columns_by_name,
    deadline,
    duration,
    key_values,
    opening,
    write_index,
)
from participatie.exceptions import InvalidInputError, UnknownDraftError
from participatie.feedback import (
    ChangeKind,
    Disposition,
    DispositionOutcome,
    Draft,
    FeedbackMessage,
    FeedbackRound,
    Opinion,
    Recipient,
    ReminderAnchor,
    ReminderRule,
    SectionResponse,
)
from participatie.model import Event
from participatie.tabular import read_table, write_csv

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "fb.file-problems": "{file} heeft {count} probleem/problemen:",
            "fb.needs-title": "geef de titel van het concept: --title, of een # kop bovenaan",
            "fb.unchanged": (
                "Concept {draft}: {file} is gelijk aan versie {version}; er is niets opgeslagen."
            ),
            "fb.version": (
                "Concept {draft} ({title}): versie {version}, {count} onderdeel/onderdelen"
            ),
            "fb.drafts-none": "Nog geen concepten.",
            "fb.opened": "Feedbackronde {id} op {draft} versie {version}: {status}",
            "fb.period": "Open van {opens} tot {closes}; {count} ontvanger(s)",
            "fb.reminder-at": "Herinnering op {at}",
            "fb.anonymous": "Antwoorden zijn anoniem voor collega's.",
            "fb.named": "Antwoorden staan op naam voor collega's.",
            "fb.rounds-none": "Nog geen feedbackrondes.",
            "fb.responded": "Reactie van {email} vastgelegd (versie {revision}).",
            "fb.closed": "Feedbackronde {id} is gesloten ({responded} van {count} reageerden).",
            "fb.comments-none": "Geen opmerkingen in ronde {id}.",
            "fb.comments-written": (
                "Geschreven: {file}. Vul besluit en reden in en lees het in met: "
                "participatie feedback dispose {id} --file {file}"
            ),
            "fb.disposed": "{count} besluit(en) vastgelegd; nog open: {open}.",
            "fb.dispose-args": "geef EMAIL en BESLUIT, of --file",
            "fb.bad-outcome": "{value}: kies adopted, partly-adopted of not-adopted",
            "fb.bad-opinion": "{value}: kies agree, partly of disagree",
            "fb.file-line": "{file}, regel {line}: {problem}",
            "fb.concluded": (
                "Feedbackronde {id} afgerond: leidde tot versie {version}. "
                "Iedereen krijgt nu te horen wat er met de inbreng is gedaan (feedback due)."
            ),
            "fb.due-none": "Er zijn geen berichten te versturen.",
            "fb.due": "Te versturen ({count}):",
            "fb.due-hint": (
                "Er is niets vastgelegd. Schrijf ze weg met: participatie feedback due MAP"
            ),
            "fb.due-written": (
                "{count} bericht(en) geschreven naar {folder} en vastgelegd als verzonden; "
                "ze worden niet nog eens klaargezet."
            ),
            "fb.index": "Welk bestand naar wie gaat: {file}",
            "fb.changes": "Wijzigingen sinds versie {version}:",
            "fb.col.draft": "concept",
            "fb.col.version": "versie",
            "fb.col.versions": "versies",
            "fb.col.status": "status",
            "fb.col.opens": "open vanaf",
            "fb.col.closes": "sluit",
            "fb.col.recipients": "ontvangers",
            "fb.col.responded": "gereageerd",
            "fb.col.next": "volgende versie",
            "fb.col.respondent": "van",
            "fb.col.section": "onderdeel",
            "fb.col.opinion": "oordeel",
            "fb.col.comment": "opmerking",
            "fb.col.wording": "voorgestelde tekst",
            "fb.col.outcome": "besluit",
            "fb.col.reason": "reden",
            "fb.col.kind": "soort",
            "fb.col.subject": "onderwerp",
            "fb.col.file": "bestand",
            "fb.col.change": "wijziging",
            "fb.general": "(algemeen)",
            "fb.status.scheduled": "gepland",
            "fb.status.open": "open",
            "fb.status.closed": "gesloten",
            "fb.status.concluded": "afgerond",
            "fb.change.added": "nieuw",
            "fb.change.removed": "weggehaald",
            "fb.change.changed": "gewijzigd",
            "fb.change.unchanged": "ongewijzigd",
        },
        "en": {
            "fb.file-problems": "{file} has {count} problem(s):",
            "fb.needs-title": "give the draft's title: --title, or a # heading at the top",
            "fb.unchanged": "Draft {draft}: {file} equals version {version}; nothing was stored.",
            "fb.version": "Draft {draft} ({title}): version {version}, {count} section(s)",
            "fb.drafts-none": "No drafts yet.",
            "fb.opened": "Feedback round {id} on {draft} version {version}: {status}",
            "fb.period": "Open from {opens} until {closes}; {count} recipient(s)",
            "fb.reminder-at": "Reminder at {at}",
            "fb.anonymous": "Answers are anonymous to colleagues.",
            "fb.named": "Answers carry names for colleagues.",
            "fb.rounds-none": "No feedback rounds yet.",
            "fb.responded": "Response of {email} recorded (revision {revision}).",
            "fb.closed": "Feedback round {id} is closed ({responded} of {count} responded).",
            "fb.comments-none": "No comments in round {id}.",
            "fb.comments-written": (
                "Written: {file}. Fill in outcome and reason, then read it with: "
                "participatie feedback dispose {id} --file {file}"
            ),
            "fb.disposed": "{count} disposition(s) recorded; still open: {open}.",
            "fb.dispose-args": "give EMAIL and OUTCOME, or --file",
            "fb.bad-outcome": "{value}: choose adopted, partly-adopted or not-adopted",
            "fb.bad-opinion": "{value}: choose agree, partly or disagree",
            "fb.file-line": "{file}, line {line}: {problem}",
            "fb.concluded": (
                "Feedback round {id} concluded: it led to version {version}. Everyone is now "
                "due a message on what was done with their input (feedback due)."
            ),
            "fb.due-none": "No messages are due.",
            "fb.due": "Due ({count}):",
            "fb.due-hint": (
                "Nothing was recorded. Write them out with: participatie feedback due FOLDER"
            ),
            "fb.due-written": (
                "{count} message(s) written to {folder} and recorded as queued; "
                "they will not be due again."
            ),
            "fb.index": "Which file goes to whom: {file}",
            "fb.changes": "Changes since version {version}:",
            "fb.col.draft": "draft",
            "fb.col.version": "version",
            "fb.col.versions": "versions",
            "fb.col.status": "status",
            "fb.col.opens": "opens",
            "fb.col.closes": "closes",
            "fb.col.recipients": "recipients",
            "fb.col.responded": "responded",
            "fb.col.next": "next version",
            "fb.col.respondent": "from",
            "fb.col.section": "section",
            "fb.col.opinion": "opinion",
            "fb.col.comment": "comment",
            "fb.col.wording": "suggested wording",
            "fb.col.outcome": "outcome",
            "fb.col.reason": "reason",
            "fb.col.kind": "kind",
            "fb.col.subject": "subject",
            "fb.col.file": "file",
            "fb.col.change": "change",
            "fb.general": "(general)",
            "fb.status.scheduled": "scheduled",
            "fb.status.open": "open",
            "fb.status.closed": "closed",
            "fb.status.concluded": "concluded",
            "fb.change.added": "added",
            "fb.change.removed": "removed",
            "fb.change.changed": "changed",
            "fb.change.unchanged": "unchanged",
        },
    }
)

_OUTCOMES: Final = {
    "adopted": DispositionOutcome.ADOPTED,
    "partly-adopted": DispositionOutcome.PARTLY_ADOPTED,
    "not-adopted": DispositionOutcome.NOT_ADOPTED,
    "overgenomen": DispositionOutcome.ADOPTED,
    "deels-overgenomen": DispositionOutcome.PARTLY_ADOPTED,
    "niet-overgenomen": DispositionOutcome.NOT_ADOPTED,
}
_OPINIONS: Final = {
    "agree": Opinion.AGREE,
    "partly": Opinion.PARTLY,
    "disagree": Opinion.DISAGREE,
    "eens": Opinion.AGREE,
    "deels": Opinion.PARTLY,
    "oneens": Opinion.DISAGREE,
}
#: The columns of the comments CSV that ``dispose --file`` reads back.
_COMMENT_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "respondent": ("respondent", "from", "van", "email", "e-mail"),
    "section": ("section", "onderdeel"),
    "outcome": ("outcome", "besluit"),
    "reason": ("reason", "reden"),
}
_GENERAL_MARKS: Final = ("", "-", "(general)", "(algemeen)", "general", "algemeen")


@group("feedback")
def feedback_group() -> None:
    """The draft response and its feedback rounds: versions, rounds, responses, decisions."""


def _status(language: str, feedback_round: FeedbackRound, now: datetime) -> str:
    if feedback_round.concluded_at is not None:
        return text(language, "fb.status.concluded")
    return text(language, f"fb.status.{feedback_round.status(now).value}")


def _problems(name: str, problems: Sequence[tuple[int, str]], language: str) -> None:
    echo_error(text(language, "fb.file-problems", file=name, count=len(problems)))
    for line, problem in problems:
        echo_error(f"  {name}:{line}: {problem}")
    click.get_current_context().exit(ExitCode.REFUSED)


@feedback_group.command("draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--key", "draft_key", metavar="KEY", help="The draft's key (default: from the file name)."
)
@click.option("--title", help="The draft's title (default: the # heading at the top).")
@click.option("--note", default="", help="What to say about this version ('after round 1').")
@event_option
@pass_state
def draft(
    state: CliState,
    file: Path,
    draft_key: str | None,
    title: str | None,
    note: str,
    event_key: str | None,
) -> None:
    """Store FILE (Markdown or text with a heading per section) as the next version of a draft.

    Each heading starts a section; its key is written after it ({#visie}) or
    made from it, and must stay the same in later versions so that comments
    can be followed. A line <!-- bronnen: 3, 5 --> names the input a section
    draws on (see input list). A file equal to the latest version stores
    nothing.
    """
    language = state.language
    read = read_draft_text(file.read_bytes().decode("utf-8-sig"))
    if read.problems:
        _problems(file.name, read.problems, language)
    key = draft_key or _file_key(file)
    with state.app() as app:
        event = state.event(app, event_key)
        try:
            stored = app.draft(key)
        except UnknownDraftError:
            stored = None
        wanted = title or read.title or (stored.title if stored is not None else None)
        if wanted is None:
            raise click.UsageError(text(language, "fb.needs-title"))
        if stored is None or stored.title != wanted:
            stored = app.save_draft(Draft(key, event.key, wanted))
        versions = app.draft_versions(key)
        if versions and versions[-1].sections == read.sections:
            echo(
                text(
                    language,
                    "fb.unchanged",
                    draft=key,
                    file=file.name,
                    version=versions[-1].number,
                )
            )
            return
        version = app.add_draft_version(key, read.sections, note=note)
        echo(
            text(
                language,
                "fb.version",
                draft=key,
                title=stored.title,
                version=version.number,
                count=len(version.sections),
            )
        )
        if versions:
            changes = app.compare_draft_versions(key, versions[-1].number, version.number)
            echo(text(language, "fb.changes", version=versions[-1].number))
            table(
                [text(language, "fb.col.section"), text(language, "fb.col.change")],
                [
                    (change.key, text(language, f"fb.change.{change.kind.value}"))
                    for change in changes
                    if change.kind is not ChangeKind.UNCHANGED or change.heading_changed
                ],
            )


def _file_key(file: Path) -> str:
    from participatie.cli._draft_file import _slug

    key = _slug(file.stem)
    if not key:
        raise click.UsageError("give the draft's key with --key")
    return key


@feedback_group.command("drafts")
@event_option
@pass_state
def drafts(state: CliState, event_key: str | None) -> None:
    """List the drafts and their versions."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        found = app.drafts(event.key)
        if not found:
            echo(text(language, "fb.drafts-none"))
            return
        rows = []
        for stored in found:
            versions = app.draft_versions(stored.key)
            latest = versions[-1] if versions else None
            rows.append(
                (
                    stored.key,
                    stored.title,
                    len(versions),
                    format_instant(latest.created_at, event.timezone) if latest else "-",
                )
            )
        table(
            [
                text(language, "col.key"),
                text(language, "col.title"),
                text(language, "fb.col.versions"),
                text(language, "col.at"),
            ],
            rows,
        )


def _recipients(path: Path) -> list[Recipient]:
    exported = read_table(path)
    columns = columns_by_name(
        exported.headers,
        {
            "name": ("name", "naam"),
            "email": ("email", "e-mail", "e-mailadres", "mail"),
            "language": ("language", "taal"),
        },
        {},
    )
    if "name" not in columns or "email" not in columns:
        raise click.BadParameter(
            f"{path.name} needs a name and an e-mail column; it has: "
            + ", ".join(repr(h) for h in exported.headers),
            param_hint="--recipients",
        )
    recipients = []
    for row in exported.rows:
        language = row.values[columns["language"]].lower() if "language" in columns else "nl"
        try:
            recipients.append(
                Recipient(
                    row.values[columns["email"]],
                    row.values[columns["name"]],
                    "en" if language in ("en", "engels", "english") else "nl",
                )
            )
        except InvalidInputError as error:
            raise click.BadParameter(
                f"{path.name}, line {row.line}: {error}", param_hint="--recipients"
            ) from error
    return recipients


def _print_round(feedback_round: FeedbackRound, event: Event, language: str, now: datetime) -> None:
    tz = event.timezone
    echo(
        text(
            language,
            "fb.opened",
            id=feedback_round.id,
            draft=feedback_round.draft_key,
            version=feedback_round.version,
            status=_status(language, feedback_round, now),
        )
    )
    echo(
        "  "
        + text(
            language,
            "fb.period",
            opens=format_instant(feedback_round.opens_at, tz),
            closes=format_instant(feedback_round.closes_at, tz),
            count=len(feedback_round.recipients),
        )
    )
    for at in feedback_round.reminder_times():
        echo("  " + text(language, "fb.reminder-at", at=format_instant(at, tz)))
    anonymous = feedback_round.anonymous_to_colleagues
    echo("  " + text(language, "fb.anonymous" if anonymous else "fb.named"))


@feedback_group.command("open")
@click.argument("draft_key", metavar="DRAFT")
@click.option(
    "--closes",
    required=True,
    metavar="WHEN",
    help="The deadline ('vrijdag 4 juni 2021 17.00'; a day alone lasts until its end).",
)
@click.option("--opens", metavar="WHEN", help="When the round opens (default: now).")
@click.option(
    "--version", "version", type=click.IntRange(min=1), help="The version (default: the latest)."
)
@click.option(
    "--recipients",
    "recipients_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV of recipients: name, e-mail, language (default: everyone who attended).",
)
@click.option(
    "--reminder",
    "reminders",
    multiple=True,
    metavar="DURATION",
    help="Remind those who have not answered this long before the deadline (2d). Repeatable.",
)
@click.option(
    "--reminder-after",
    "reminders_after",
    multiple=True,
    metavar="DURATION",
    help="Remind those who have not answered this long after the opening (7d). Repeatable.",
)
@click.option(
    "--named",
    is_flag=True,
    help="Show colleagues who answered what (default: answers are anonymous to colleagues).",
)
@click.option("--title", help="How the round is named in messages (default: the draft's title).")
@pass_state
def open_round(
    state: CliState,
    draft_key: str,
    closes: str,
    opens: str | None,
    version: int | None,
    recipients_file: Path | None,
    reminders: tuple[str, ...],
    reminders_after: tuple[str, ...],
    named: bool,
    title: str | None,
) -> None:
    """Open a feedback round: put a version of DRAFT before its recipients until a deadline."""
    language = state.language
    rules = [ReminderRule(duration(value, "--reminder")) for value in reminders]
    rules += [
        ReminderRule(duration(value, "--reminder-after"), ReminderAnchor.AFTER_OPENING)
        for value in reminders_after
    ]
    recipients = _recipients(recipients_file) if recipients_file is not None else None
    with state.app() as app:
        stored = app.draft(draft_key)
        event = app.event(stored.event_key)
        created = app.create_round(
            draft_key,
            opens_at=opening(opens, event, "--opens") if opens else app.now(),
            closes_at=deadline(closes, event, "--closes"),
            version=version,
            recipients=recipients,
            reminders=rules,
            anonymous_to_colleagues=not named,
            title=title,
        )
        _print_round(created, event, language, app.now())


@feedback_group.command("rounds")
@event_option
@pass_state
def rounds(state: CliState, event_key: str | None) -> None:
    """List the feedback rounds: where each stands and how many responded."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        found = app.feedback_rounds(event.key)
        if not found:
            echo(text(language, "fb.rounds-none"))
            return
        now = app.now()
        tz = event.timezone
        rows = []
        for feedback_round in found:
            assert feedback_round.id is not None
            rows.append(
                (
                    feedback_round.id,
                    feedback_round.draft_key,
                    feedback_round.version,
                    _status(language, feedback_round, now),
                    format_instant(feedback_round.opens_at, tz),
                    format_instant(feedback_round.closing_time, tz),
                    len(feedback_round.recipients),
                    len(app.responses(feedback_round.id)),
                    feedback_round.next_version or "-",
                )
            )
        table(
            [
                text(language, "col.id"),
                text(language, "fb.col.draft"),
                text(language, "fb.col.version"),
                text(language, "fb.col.status"),
                text(language, "fb.col.opens"),
                text(language, "fb.col.closes"),
                text(language, "fb.col.recipients"),
                text(language, "fb.col.responded"),
                text(language, "fb.col.next"),
            ],
            rows,
        )


def _opinion(value: str, language: str) -> Opinion:
    found = _OPINIONS.get(value.strip().lower())
    if found is None:
        raise click.BadParameter(text(language, "fb.bad-opinion", value=repr(value)))
    return found


@feedback_group.command("respond")
@click.argument("round_id", metavar="ROUND", type=int)
@click.argument("email")
@click.option(
    "--opinion",
    "opinions",
    multiple=True,
    metavar="SECTION=OPINION",
    help="Their opinion of a section: agree, partly or disagree. Repeatable.",
)
@click.option(
    "--comment",
    "comments",
    multiple=True,
    metavar="SECTION=TEXT",
    help="Their comment on a section. Repeatable.",
)
@click.option(
    "--wording",
    "wordings",
    multiple=True,
    metavar="SECTION=TEXT",
    help="The text they propose for a section. Repeatable.",
)
@click.option("--general", "general_comment", metavar="TEXT", help="One comment on the whole.")
@click.option(
    "--may-be-named", is_flag=True, help="They agree to be named with it in a published report."
)
@pass_state
def respond(
    state: CliState,
    round_id: int,
    email: str,
    opinions: tuple[str, ...],
    comments: tuple[str, ...],
    wordings: tuple[str, ...],
    general_comment: str | None,
    may_be_named: bool,
) -> None:
    """Record the response of EMAIL to round ROUND (given by mail, phone or on paper).

    A later response replaces the earlier one as a whole, until the round
    closes.
    """
    language = state.language
    given_opinions = {
        section: _opinion(value, language)
        for section, value in key_values(opinions, "--opinion", "SECTION=OPINION")
    }
    given_comments = dict(key_values(comments, "--comment", "SECTION=TEXT"))
    given_wordings = dict(key_values(wordings, "--wording", "SECTION=TEXT"))
    keys = dict.fromkeys([*given_opinions, *given_comments, *given_wordings])
    sections = [
        SectionResponse(
            key, given_opinions.get(key), given_comments.get(key), given_wordings.get(key)
        )
        for key in keys
    ]
    with state.app() as app:
        stored = app.respond(
            round_id,
            email,
            sections=sections,
            general_comment=general_comment,
            may_be_named=may_be_named,
        )
        echo(text(language, "fb.responded", email=stored.respondent, revision=stored.revision))


@feedback_group.command("close")
@click.argument("round_id", metavar="ROUND", type=int)
@pass_state
def close(state: CliState, round_id: int) -> None:
    """Close round ROUND now, before its deadline (when everyone has answered)."""
    language = state.language
    with state.app() as app:
        closed = app.close_round(round_id)
        echo(
            text(
                language,
                "fb.closed",
                id=round_id,
                responded=len(app.responses(round_id)),
                count=len(closed.recipients),
            )
        )


@feedback_group.command("comments")
@click.argument("round_id", metavar="ROUND", type=int)
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write them to this CSV, with outcome and reason columns to fill in (formula-safe).",
)
@requested_by_option()
@pass_state
def comments(
    state: CliState, round_id: int, csv_file: Path | None, requested_by: str | None
) -> None:
    """List the comments of round ROUND that need a decision, and the decisions made.

    The CSV holds the respondents' addresses, so it is recorded in the
    privacy log with --requested-by.
    """
    language = state.language
    if csv_file is not None:
        require(requested_by, "feedback comments --csv", language)
    with state.app() as app:
        found = app.comments(round_id)
        decided = {d.key: d for d in app.dispositions(round_id)}
        if not found:
            echo(text(language, "fb.comments-none", id=round_id))
            return
        headers = [
            text(language, "fb.col.respondent"),
            text(language, "fb.col.section"),
            text(language, "fb.col.opinion"),
            text(language, "fb.col.comment"),
            text(language, "fb.col.wording"),
            text(language, "fb.col.outcome"),
            text(language, "fb.col.reason"),
        ]
        rows = []
        for comment in found:
            disposition = decided.get(comment.key)
            rows.append(
                (
                    comment.respondent,
                    comment.section or text(language, "fb.general"),
                    comment.opinion.value if comment.opinion else "",
                    comment.text or "",
                    comment.suggested_wording or "",
                    disposition.outcome.value if disposition else "",
                    disposition.reason if disposition else "",
                )
            )
        if csv_file is not None:
            with csv_file.open("w", encoding="utf-8-sig", newline="") as stream:
                write_csv(stream, headers, rows)
            assert requested_by is not None
            respondents = len({comment.respondent for comment in found})
            event_key = app.feedback_round(round_id).event_key
            record_files(
                app, event_key, "feedback-comments", [(csv_file, respondents)], requested_by
            )
            echo(text(language, "fb.comments-written", file=csv_file, id=round_id))
            return
        table(headers, rows)


def _dispositions_from(
    path: Path, round_id: int, language: str
) -> tuple[list[Disposition], list[tuple[int, str]]]:
    exported = read_table(path)
    columns = columns_by_name(exported.headers, _COMMENT_COLUMNS, {})
    missing = [field for field in ("respondent", "section", "outcome") if field not in columns]
    if missing:
        raise click.BadParameter(
            f"{path.name} has no {', '.join(missing)} column; write it with "
            "participatie feedback comments ROUND --csv FILE",
            param_hint="--file",
        )
    found: list[Disposition] = []
    problems: list[tuple[int, str]] = []
    for row in exported.rows:
        written = row.values[columns["outcome"]].strip().lower()
        if not written:
            continue  # not decided yet
        outcome = _OUTCOMES.get(written)
        if outcome is None:
            problems.append((row.line, text(language, "fb.bad-outcome", value=repr(written))))
            continue
        section = row.values[columns["section"]].strip()
        reason = row.values[columns["reason"]] if "reason" in columns else ""
        try:
            found.append(
                Disposition(
                    round_id,
                    row.values[columns["respondent"]],
                    None if section.lower() in _GENERAL_MARKS else section,
                    outcome,
                    reason,
                )
            )
        except InvalidInputError as error:
            problems.append((row.line, str(error)))
    return found, problems


@feedback_group.command("dispose")
@click.argument("round_id", metavar="ROUND", type=int)
@click.argument("email", required=False)
@click.argument("outcome", required=False, metavar="[OUTCOME]")
@click.option(
    "--section", metavar="KEY", help="The section commented on (leave out: the general comment)."
)
@click.option("--reason", default="", help="Why (needed unless it was adopted as it was).")
@click.option(
    "--file",
    "disposition_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The comments CSV with outcome and reason filled in (feedback comments --csv).",
)
@pass_state
def dispose(
    state: CliState,
    round_id: int,
    email: str | None,
    outcome: str | None,
    section: str | None,
    reason: str,
    disposition_file: Path | None,
) -> None:
    """Record what was done with a comment: adopted, partly-adopted or not-adopted.

    One comment: ROUND EMAIL OUTCOME [--section KEY] [--reason TEXT]. Many:
    ROUND --file comments.csv, as written by feedback comments --csv with
    the outcome and reason filled in (rows without an outcome are left for
    later). All decisions in a file are recorded, or none.
    """
    language = state.language
    if disposition_file is not None:
        dispositions, problems = _dispositions_from(disposition_file, round_id, language)
        if problems:
            _problems(disposition_file.name, problems, language)
    elif email is not None and outcome is not None:
        chosen = _OUTCOMES.get(outcome.strip().lower())
        if chosen is None:
            raise click.BadParameter(
                text(language, "fb.bad-outcome", value=repr(outcome)), param_hint="OUTCOME"
            )
        dispositions = [Disposition(round_id, email, section, chosen, reason)]
    else:
        raise click.UsageError(text(language, "fb.dispose-args"))
    with state.app() as app:
        app.record_dispositions(round_id, dispositions)
        decided = {d.key for d in app.dispositions(round_id)}
        still_open = sum(1 for comment in app.comments(round_id) if comment.key not in decided)
        echo(text(language, "fb.disposed", count=len(dispositions), open=still_open))


@feedback_group.command("conclude")
@click.argument("round_id", metavar="ROUND", type=int)
@click.option(
    "--next-version",
    type=click.IntRange(min=1),
    help="The version the round led to (default: the draft's latest).",
)
@pass_state
def conclude(state: CliState, round_id: int, next_version: int | None) -> None:
    """Conclude a closed round: every comment has a decision, and it led to the next version."""
    language = state.language
    with state.app() as app:
        feedback_round = app.feedback_round(round_id)
        number = next_version or app.draft_version(feedback_round.draft_key).number
        concluded = app.conclude_round(round_id, number)
        echo(text(language, "fb.concluded", id=round_id, version=concluded.next_version))


def _email_file(message: FeedbackMessage, event: Event) -> bytes:
    """The message as an e-mail file (.eml) a mail program can open and send."""
    for value in (message.subject, message.recipient.name, message.recipient.email):
        if "\r" in value or "\n" in value:  # never let text become a header of its own
            raise InvalidInputError(f"a line break in a message header: {value!r}")
    # Lines up to 120 octets (RFC 5322 allows 998), so the key header is never folded.
    mail = EmailMessage(policy=email.policy.default.clone(max_line_length=120))
    mail["From"] = event.help_desk.email
    mail["To"] = formataddr((message.recipient.name, message.recipient.email))
    mail["Subject"] = message.subject
    mail["X-Participatie-Key"] = message.key
    mail.set_content(message.text)
    return mail.as_bytes()


@feedback_group.command("due")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@requested_by_option()
@event_option
@pass_state
def due(
    state: CliState, folder: Path | None, requested_by: str | None, event_key: str | None
) -> None:
    """List the messages due now; with FOLDER, write them as e-mail files and record them.

    Invitations when a round opens, reminders to those who have not
    answered, and "what we did with your input" after a round is concluded:
    one .eml file per person (open it in a mail program, or hand the folder
    to a mailer), listed in index.csv. Once written they are recorded as
    queued and never due again, so run it from a scheduler. The files hold
    addresses, so each is recorded in the privacy log with --requested-by.
    """
    language = state.language
    if folder is not None:
        require(requested_by, "feedback due FOLDER", language)
    with state.app() as app:
        event = state.event(app, event_key)
        app.advance_rounds(event.key)
        messages = app.feedback_messages_due(event.key)
        if not messages:
            echo(text(language, "fb.due-none"))
            return
        rows = [
            (f"{message.key}.eml", message.recipient.email, message.kind, message.subject)
            for message in messages
        ]
        headers = [
            text(language, "fb.col.file"),
            text(language, "col.email"),
            text(language, "fb.col.kind"),
            text(language, "fb.col.subject"),
        ]
        if folder is None:
            echo(text(language, "fb.due", count=len(messages)))
            table(headers[1:], [row[1:] for row in rows])
            echo(text(language, "fb.due-hint"))
            return
        folder.mkdir(parents=True, exist_ok=True)
        # Written first, recorded after: a crash in between leaves them due again.
        for message in progress(messages, folder.name or str(folder)):
            (folder / f"{message.key}.eml").write_bytes(_email_file(message, event))
        index = write_index(folder, headers, rows)
        assert requested_by is not None
        record_files(
            app,
            event.key,
            "feedback-messages",
            [*((folder / row[0], 1) for row in rows), (index, len(rows))],
            requested_by,
        )
        app.mark_feedback_messages_queued(messages)
        echo(text(language, "fb.due-written", count=len(messages), folder=folder))
        echo(text(language, "fb.index", file=index))


def register(cli: click.Group) -> None:
    """Add the ``feedback`` group to the main group."""
    cli.add_command(feedback_group)
