"""``participatie groups``: sessions by preference, breakout groups, explanations, exports.

* ``assign FILE`` places people in sessions by the ranked choices in a form's
  export (``stable`` or ``optimal``, a lottery seed, priority classes); a dry
  run until ``--apply``, which stores the assignment and registers everyone.
* ``form`` splits each session's participants into groups under its group
  size, with the organiser's plan: a rule per attribute (spread, cluster,
  together), pairs kept together or apart, pinned people, facilitators, fixed
  sizes, and a move penalty for people already told their group.
* ``show``, ``explain EMAIL``, ``freeze`` (record who was told), ``export
  FOLDER`` (group lists) and ``zoom FILE`` (Zoom's breakout-room file).

The engine is :mod:`participatie.assignment`; this module reads options and
files and prints.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import click

from participatie._validate import normalise_email
from participatie.assignment.export import ZOOM_MAX_PARTICIPANTS, ZOOM_MAX_ROOMS
from participatie.assignment.report import MODES, AssignmentReport
from participatie.assignment.result import AssignmentSummary
from participatie.cli._context import CliState, ExitCode, event_option, group, pass_state
from participatie.cli._output import add_texts, echo, echo_error, progress, table, text
from participatie.cli._preferences import PreferenceRow, read_preferences
from participatie.cli._privacy import requested_by_option, require
from participatie.cli._values import find_column, key_values, pairs, whole_numbers
from participatie.event_file import ImportSettings
from participatie.exceptions import InvalidInputError
from participatie.grouping import AttributeRule, Group, GroupPlan
from participatie.importing import _key
from participatie.model import Event, Person, RegistrationState
from participatie.tabular import read_table, write_csv

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "groups.file": "Bestand: {file} ({rows} rijen)",
            "groups.choices": "Keuzekolommen: {columns}",
            "groups.refused": "Niet te gebruiken ({count}):",
            "groups.duplicates": "Dubbel, de eerste rij telt ({count}):",
            "groups.duplicate-of": "zelfde persoon als regel {line}",
            "groups.summary": (
                "{mode}: {placed} geplaatst ({ranks}), {waiting} op de wachtlijst, "
                "{free} plaats(en) over"
            ),
            "groups.moved": "verplaatst na bericht: {count}",
            "groups.compare": "ter vergelijking, {line}",
            "groups.no-optimal": "ter vergelijking: de andere werkwijze kan niet met deze gegevens",
            "groups.rank": "{rank}e keuze {count}",
            "groups.dry-run": (
                "Proef: er is niets opgeslagen. Sla de indeling op en meld iedereen aan "
                "met --apply."
            ),
            "groups.blocked": (
                "Niet ingedeeld: {count} rij(en) niet te gebruiken, dus is er niets opgeslagen. "
                "Verbeter ze, of deel de anderen in met --apply --skip-refused."
            ),
            "groups.applied": "{session}: {registered} aangemeld, {waiting} op de wachtlijst",
            "groups.stored": "Indeling opgeslagen ({mode}, loting {seed}).",
            "groups.nobody": "Niemand om in te delen.",
            "groups.formed": (
                "{session}: {count} groep(en) van hoogstens {size} ({strategy}, seed {seed})"
            ),
            "groups.none-formed": "{session}: geen deelnemers, geen groepen",
            "groups.saved": "Groepen opgeslagen. Bekijk ze met: participatie groups show",
            "groups.form-dry-run": "Proef: er is niets opgeslagen.",
            "groups.one-session": "{option} kan alleen met één sessie (--session)",
            "groups.unknown-strategy": "onbekende strategie {name!r}; kies uit: {names}",
            "groups.not-placed": (
                "{option} noemt {email}, die geen plaats heeft in de sessie(s) die worden ingedeeld"
            ),
            "groups.no-groups": (
                "{session}: nog geen groepen; vorm ze met: participatie groups form"
            ),
            "groups.none-stored": "Er zijn nog geen groepen opgeslagen.",
            "groups.session-header": "{session}: {title}",
            "groups.explain": "Waarom {email} deze plaats heeft:",
            "groups.frozen": "{count} persoon/personen vastgezet (ze houden hun plaats).",
            "groups.choose-freeze": "kies --session KEY (groepen) of --assignment (sessies)",
            "groups.written": "Geschreven: {file}",
            "groups.zoom-written": "Geschreven: {file} ({rooms} kamers, {people} personen)",
            "reason.pref.missing-email": "geen e-mailadres",
            "reason.pref.invalid-email": "ongeldig e-mailadres {value}",
            "reason.pref.missing-name": "geen naam",
            "reason.pref.unknown-audience": "doelgroep {value} niet herkend",
            "reason.pref.unknown-session": "sessie {value} niet herkend",
            "reason.pref.ranked-twice": "{value} twee keer gekozen",
            "reason.pref.not-eligible": "sessie {session} is niet voor doelgroep {audience}",
            "reason.pref.no-choice": "geen sessie gekozen",
            "reason.pref.bad-priority": "voorrang {value} is geen heel getal",
            "reason.pref.invalid": "ongeldig: {detail}",
            "col.group": "groep",
            "col.size": "grootte",
            "col.facilitator": "gespreksleider",
            "col.role": "rol",
            "col.told": "bericht",
            "col.choice": "keuze",
            "col.lottery": "lot",
            "col.placed": "geplaatst",
            "col.audience": "doelgroep",
            "role.facilitator": "gespreksleider",
            "role.participant": "deelnemer",
        },
        "en": {
            "groups.file": "File: {file} ({rows} rows)",
            "groups.choices": "Choice columns: {columns}",
            "groups.refused": "Cannot be used ({count}):",
            "groups.duplicates": "Repeated, the first row counts ({count}):",
            "groups.duplicate-of": "same person as line {line}",
            "groups.summary": (
                "{mode}: {placed} placed ({ranks}), {waiting} on the waiting list, "
                "{free} place(s) left"
            ),
            "groups.moved": "moved after being told: {count}",
            "groups.compare": "for comparison, {line}",
            "groups.no-optimal": "for comparison: the other mode is not possible on this input",
            "groups.rank": "choice {rank}: {count}",
            "groups.dry-run": (
                "Dry run: nothing was stored. Store the assignment and register everyone "
                "with --apply."
            ),
            "groups.blocked": (
                "Not assigned: {count} row(s) cannot be used, so nothing was stored. "
                "Fix them, or assign the others with --apply --skip-refused."
            ),
            "groups.applied": "{session}: {registered} registered, {waiting} on the waiting list",
            "groups.stored": "Assignment stored ({mode}, lottery seed {seed}).",
            "groups.nobody": "Nobody to assign.",
            "groups.formed": (
                "{session}: {count} group(s) of at most {size} ({strategy}, seed {seed})"
            ),
            "groups.none-formed": "{session}: no participants, no groups",
            "groups.saved": "Groups stored. Look at them with: participatie groups show",
            "groups.form-dry-run": "Dry run: nothing was stored.",
            "groups.one-session": "{option} needs exactly one session (--session)",
            "groups.unknown-strategy": "unknown strategy {name!r}; choose from: {names}",
            "groups.not-placed": (
                "{option} names {email}, who has no place in the session(s) being grouped"
            ),
            "groups.no-groups": (
                "{session}: no groups yet; form them with: participatie groups form"
            ),
            "groups.none-stored": "No groups are stored yet.",
            "groups.session-header": "{session}: {title}",
            "groups.explain": "Why {email} has this place:",
            "groups.frozen": "{count} person(s) frozen (they keep their place).",
            "groups.choose-freeze": "choose --session KEY (groups) or --assignment (sessions)",
            "groups.written": "Written: {file}",
            "groups.zoom-written": "Written: {file} ({rooms} rooms, {people} people)",
            "reason.pref.missing-email": "no e-mail address",
            "reason.pref.invalid-email": "invalid e-mail address {value}",
            "reason.pref.missing-name": "no name",
            "reason.pref.unknown-audience": "audience {value} not recognised",
            "reason.pref.unknown-session": "session {value} not recognised",
            "reason.pref.ranked-twice": "{value} chosen twice",
            "reason.pref.not-eligible": "session {session} is not for audience {audience}",
            "reason.pref.no-choice": "no session chosen",
            "reason.pref.bad-priority": "priority {value} is not a whole number",
            "reason.pref.invalid": "invalid: {detail}",
            "col.group": "group",
            "col.size": "size",
            "col.facilitator": "facilitator",
            "col.role": "role",
            "col.told": "told",
            "col.choice": "choice",
            "col.lottery": "lottery",
            "col.placed": "placed",
            "col.audience": "audience",
            "role.facilitator": "facilitator",
            "role.participant": "participant",
        },
    }
)


@group("groups")
def groups_group() -> None:
    """Sessions by preference, breakout groups, explanations and group lists."""


def _why(row: PreferenceRow, language: str) -> str:
    if row.duplicate_of is not None:
        return text(language, "groups.duplicate-of", line=row.duplicate_of)
    assert row.reason is not None
    return text(language, f"reason.pref.{row.reason}", **dict(row.params))


def _rows_table(rows: Sequence[PreferenceRow], language: str) -> None:
    table(
        [
            text(language, "col.line"),
            text(language, "col.name"),
            text(language, "col.email"),
            text(language, "col.reason"),
        ],
        [(row.line, row.name or "-", row.email or "-", _why(row, language)) for row in rows],
    )


def _summary_line(report_summary: AssignmentSummary, language: str) -> str:
    ranks = ", ".join(
        text(language, "groups.rank", rank=rank, count=count)
        for rank, count in enumerate(report_summary.by_rank, start=1)
    )
    line = text(
        language,
        "groups.summary",
        mode=report_summary.mode,
        placed=report_summary.placed,
        ranks=ranks,
        waiting=report_summary.waitlisted,
        free=report_summary.free_places,
    )
    if report_summary.moved:
        line += "; " + text(language, "groups.moved", count=report_summary.moved)
    return line


def _print_report(report: AssignmentReport, event: Event, language: str, listing: bool) -> None:
    echo(_summary_line(report.summary, language))
    if report.other is not None:
        echo("  " + text(language, "groups.compare", line=_summary_line(report.other, language)))
    else:
        echo("  " + text(language, "groups.no-optimal"))
    loads = Counter(entry.session_key for entry in report.stored.entries)
    table(
        [
            text(language, "col.session"),
            text(language, "col.capacity"),
            text(language, "col.placed"),
        ],
        [
            (
                session.key,
                session.capacity if session.capacity is not None else text(language, "no-limit"),
                loads.get(session.key, 0),
            )
            for session in event.sessions
        ]
        + [(text(language, "state.waitlisted"), "-", loads.get(None, 0))],
    )
    if report.moved:
        echo(
            text(language, "groups.moved", count=len(report.moved)) + ": " + ", ".join(report.moved)
        )
    if listing:
        table(
            [
                text(language, "col.lottery"),
                text(language, "col.name"),
                text(language, "col.email"),
                text(language, "col.session"),
                text(language, "col.choice"),
            ],
            [
                (
                    entry.lottery,
                    entry.person.name,
                    entry.person.email,
                    entry.session_key or text(language, "state.waitlisted"),
                    entry.ranking.index(entry.session_key) + 1
                    if entry.session_key in entry.ranking
                    else "-",
                )
                for entry in sorted(report.stored.entries, key=lambda e: (e.priority, e.lottery))
            ],
        )


@groups_group.command("assign")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="stable",
    show_default=True,
    help="stable: better lottery numbers choose first, nobody envies a worse number. "
    "optimal: fewest people waiting, then the best choices.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The lottery seed (write it down)."
)
@click.option(
    "--priority",
    "priorities",
    multiple=True,
    metavar="AUDIENCE=CLASS",
    help="A priority class per audience: lower classes choose first, e.g. "
    "--priority expert-by-experience=0 --priority client=1. Audiences not named come last. "
    "A 'priority' column in the file wins. Repeatable.",
)
@click.option(
    "--move-penalty",
    type=click.IntRange(min=0),
    help="optimal only: people already told their session may move when that saves more "
    "than this much (default: they never move).",
)
@click.option(
    "--rank-costs",
    metavar="0,1,3",
    help="optimal only: the cost of a 1st, 2nd, 3rd ... choice (default 0,1,2,...).",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Which column holds a field (name, email, audience, organisation, language). Repeatable.",
)
@click.option(
    "--choice-column",
    "choice_columns",
    multiple=True,
    metavar="HEADER",
    help="The columns of the 1st, 2nd, ... choice, in order (default: found by their "
    "headers, such as '1e keuze' or 'Second choice'). Repeatable.",
)
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Store the assignment and register everyone (default: dry run).",
)
@click.option(
    "--skip-refused",
    is_flag=True,
    help="With --apply: assign the other rows even though some cannot be used.",
)
@click.option("--list", "listing", is_flag=True, help="List every person's session.")
@event_option
@pass_state
def assign(
    state: CliState,
    file: Path,
    mode: str,
    seed: int,
    priorities: tuple[str, ...],
    move_penalty: int | None,
    rank_costs: str | None,
    columns: tuple[str, ...],
    choice_columns: tuple[str, ...],
    apply_: bool,
    skip_refused: bool,
    listing: bool,
    event_key: str | None,
) -> None:
    """Place people in sessions by the ranked choices in FILE (.csv or .xlsx).

    Each row is a person (name, e-mail address, audience) and their 1st,
    2nd, ... choice of session (a session key, its title, or an answer mapped
    under [import.sessions]). Rows that cannot be used are listed with their
    reasons. Without --apply this is a dry run; with --apply the assignment
    is stored and everyone is registered: placed people in their session,
    the others on the waiting list of their first choice. Lottery numbers
    are kept, so running it again with late additions moves nobody who was
    told (see groups freeze).
    """
    language = state.language
    event_file = state.event_file()
    settings = event_file.import_settings if event_file is not None else ImportSettings()
    classes = {}
    for audience, klass in key_values(priorities, "--priority", "AUDIENCE=CLASS"):
        if not klass.isdigit():
            raise click.BadParameter(
                f"{klass!r}: a priority class is a whole number", param_hint="--priority"
            )
        classes[audience] = int(klass)
    costs = whole_numbers(rank_costs, "--rank-costs") if rank_costs else None
    given = dict(key_values(columns, "--column", "FIELD=HEADER"))
    exported = read_table(file)
    echo(text(language, "groups.file", file=file.name, rows=len(exported.rows)))
    with state.app() as app:
        event = state.event(app, event_key)
        known = {audience.key for audience in event.audiences}
        for audience in classes:
            if known and audience not in known:
                raise click.BadParameter(
                    f"{audience!r} is not an audience of {event.key!r} "
                    f"({', '.join(sorted(known))})",
                    param_hint="--priority",
                )
        read = read_preferences(
            exported,
            event,
            settings,
            columns=given,
            choice_headers=choice_columns,
            priorities=classes,
            progress=lambda rows: progress(rows, file.name),
        )
        echo(text(language, "groups.choices", columns=", ".join(map(repr, read.choices))))
        refused = read.refused
        if read.duplicates:
            echo(text(language, "groups.duplicates", count=len(read.duplicates)))
            _rows_table(read.duplicates, language)
        if refused:
            echo(text(language, "groups.refused", count=len(refused)))
            _rows_table(refused, language)
        preferences = read.preferences
        if not preferences:
            echo(text(language, "groups.nobody"))
            click.get_current_context().exit(ExitCode.REFUSED if refused else ExitCode.OK)
        blocked = apply_ and refused and not skip_refused
        report = app.assign_sessions(
            event.key,
            preferences,
            mode=mode,
            seed=seed,
            move_penalty=move_penalty,
            rank_costs=costs,
            save=apply_ and not blocked,
        )
        _print_report(report, event, language, listing)
        if not apply_:
            echo(text(language, "groups.dry-run"))
        elif blocked:
            echo_error(text(language, "groups.blocked", count=len(refused)))
        else:
            echo(text(language, "groups.stored", mode=mode, seed=seed))
            changes = app.apply_assignment(event.key)
            for session in event.sessions:
                states = Counter(
                    change.state
                    for change in changes
                    if change.registration.session_key == session.key
                )
                if states:
                    echo(
                        "  "
                        + text(
                            language,
                            "groups.applied",
                            session=session.key,
                            registered=states[RegistrationState.REGISTERED],
                            waiting=states[RegistrationState.WAITLISTED],
                        )
                    )
        if refused:
            click.get_current_context().exit(ExitCode.REFUSED)


# --- groups within a session -------------------------------------------------------------


def _read_facilitators(path: Path) -> list[tuple[str | None, Person]]:
    """``(session or None, facilitator)`` from a CSV with name, e-mail and optional session."""
    exported = read_table(path)
    name = find_column(exported.headers, ("name", "naam"))
    email = find_column(exported.headers, ("email", "e-mail", "e-mailadres", "mail"))
    session = find_column(exported.headers, ("session", "sessie"))
    if name is None or email is None:
        raise click.BadParameter(
            f"{path.name} needs a name and an e-mail column; it has: "
            + ", ".join(repr(h) for h in exported.headers),
            param_hint="--facilitators",
        )
    result = []
    for row in exported.rows:
        try:
            person = Person(row.values[name], row.values[email], "facilitator")
        except InvalidInputError as error:
            raise click.BadParameter(
                f"{path.name}, line {row.line}: {error}", param_hint="--facilitators"
            ) from error
        result.append((row.values[session] or None if session is not None else None, person))
    return result


def _facilitator(value: str) -> Person:
    """``Name <email>`` as a facilitator."""
    name, _, rest = value.partition("<")
    email = rest.rstrip().removesuffix(">").strip()
    try:
        return Person(name.strip(), email, "facilitator")
    except InvalidInputError as error:
        raise click.BadParameter(
            f"{value!r}: write the facilitator as 'Name <e-mail address>' ({error})",
            param_hint="--facilitator",
        ) from error


def _read_fields(path: Path) -> dict[str, dict[str, str]]:
    """Custom attributes from a CSV: an e-mail column, and one column per attribute."""
    exported = read_table(path)
    email = find_column(exported.headers, ("email", "e-mail", "e-mailadres", "mail"))
    if email is None:
        raise click.BadParameter(
            f"{path.name} needs an e-mail column; it has: "
            + ", ".join(repr(h) for h in exported.headers),
            param_hint="--fields",
        )
    fields: dict[str, dict[str, str]] = {
        header: {} for index, header in enumerate(exported.headers) if index != email
    }
    for row in exported.rows:
        try:
            address = normalise_email(row.values[email])
        except InvalidInputError as error:
            raise click.BadParameter(
                f"{path.name}, line {row.line}: {error}", param_hint="--fields"
            ) from error
        for index, header in enumerate(exported.headers):
            if index != email and row.values[index]:
                fields[header][address] = row.values[index]
    return fields


def _rules(values: tuple[str, ...], fields: Mapping[str, object]) -> list[AttributeRule]:
    rules = []
    names = {_key(name): name for name in fields}
    for attribute, rule in key_values(values, "--rule", "ATTRIBUTE=spread|cluster|together"):
        if rule not in ("spread", "cluster", "together"):
            raise click.BadParameter(
                f"{rule!r}: a rule is spread, cluster or together", param_hint="--rule"
            )
        name = names.get(_key(attribute), attribute)
        rules.append(AttributeRule(name, rule))
    return rules


@attrs.frozen
class _PlanOptions:
    rules: tuple[AttributeRule, ...]
    together: tuple[tuple[str, str], ...]
    apart: tuple[tuple[str, str], ...]
    pins: Mapping[str, int]
    facilitators: tuple[tuple[str | None, Person], ...]
    sizes: tuple[int, ...] | None
    fields: Mapping[str, Mapping[str, str]]
    move_penalty: int | None

    def for_session(self, session_key: str, emails: set[str]) -> GroupPlan:
        # GroupPlan converts its sequences with tuple(), which mypy cannot type.
        choices: dict[str, Any] = {
            "facilitators": [
                person for key, person in self.facilitators if key in (None, session_key)
            ],
            "sizes": self.sizes,
        }
        return GroupPlan(
            rules=self.rules,
            keep_together=[pair for pair in self.together if emails & set(pair)],
            keep_apart=[pair for pair in self.apart if set(pair) <= emails],
            pinned={email: number for email, number in self.pins.items() if email in emails},
            fields=self.fields,
            move_penalty=self.move_penalty,
            **choices,
        )

    def named(self) -> list[tuple[str, str]]:
        """``(option, e-mail address)`` for everyone the options name."""
        named = [("--keep-together", email) for pair in self.together for email in pair]
        named += [("--keep-apart", email) for pair in self.apart for email in pair]
        named += [("--pin", email) for email in self.pins]
        return named


def _lowered(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((a.strip().lower(), b.strip().lower()) for a, b in values)


def _cell_counts(group: Group, attribute: str, plan: GroupPlan) -> str:
    counts = Counter(str(plan.value(attribute, member.person) or "-") for member in group.members)
    return ", ".join(f"{value} {count}" for value, count in sorted(counts.items()))


@groups_group.command("form")
@click.option(
    "--session",
    "sessions",
    multiple=True,
    metavar="KEY",
    help="The session to group (repeatable; default: every session with participants).",
)
@click.option(
    "--strategy",
    default="attributes",
    show_default=True,
    help="The grouping strategy: attributes (the plan below), balanced, or a plugin's.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="The seed (write it down).")
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="ATTRIBUTE=RULE",
    help="How to mix an attribute (audience, organisation, language or a --fields column): "
    "spread (evenly), cluster (never alone) or together (few groups). Most important "
    "first. Repeatable.",
)
@click.option(
    "--keep-together",
    multiple=True,
    metavar="EMAIL,EMAIL",
    help="Two people who share a group (someone and their support person). Repeatable.",
)
@click.option(
    "--keep-apart",
    multiple=True,
    metavar="EMAIL,EMAIL",
    help="Two people who must not share a group. Repeatable.",
)
@click.option(
    "--pin",
    "pins",
    multiple=True,
    metavar="EMAIL=GROUP",
    help="Put someone in a group by its number. Repeatable.",
)
@click.option(
    "--facilitator",
    "facilitator_values",
    multiple=True,
    metavar="'NAME <EMAIL>'",
    help="A facilitator, one per group in group order (one session only). Repeatable.",
)
@click.option(
    "--facilitators",
    "facilitators_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV of facilitators: name, e-mail and, for several sessions, session.",
)
@click.option(
    "--sizes",
    metavar="4,4,3",
    help="Fixed group sizes instead of balanced ones (one session only).",
)
@click.option(
    "--fields",
    "fields_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV with an e-mail column and a column per custom attribute (region, role ...).",
)
@click.option(
    "--move-penalty",
    type=click.IntRange(min=0),
    help="People already told their group may move when that improves the mix by more "
    "than this much (default: they never move).",
)
@click.option("--dry-run", is_flag=True, help="Show the groups without storing them.")
@event_option
@pass_state
def form(
    state: CliState,
    sessions: tuple[str, ...],
    strategy: str,
    seed: int,
    rules: tuple[str, ...],
    keep_together: tuple[str, ...],
    keep_apart: tuple[str, ...],
    pins: tuple[str, ...],
    facilitator_values: tuple[str, ...],
    facilitators_file: Path | None,
    sizes: str | None,
    fields_file: Path | None,
    move_penalty: int | None,
    dry_run: bool,
    event_key: str | None,
) -> None:
    """Split each session's participants into groups under its group size.

    The first --rule is dealt exactly, the others are improved after it.
    Pairs, pins and sizes are hard: they hold, or nothing is stored and the
    conflict is named (exit code 1). People told their group (groups
    freeze) keep it unless --move-penalty allows a move. The same input and
    seed give the same groups.
    """
    language = state.language
    fields = _read_fields(fields_file) if fields_file is not None else {}
    pin_numbers = {}
    for email, number in key_values(pins, "--pin", "EMAIL=GROUP"):
        if not number.isdigit() or int(number) < 1:
            raise click.BadParameter(f"{number!r}: a group number is 1 or more", param_hint="--pin")
        pin_numbers[email.lower()] = int(number)
    facilitators: list[tuple[str | None, Person]] = [
        (None, _facilitator(value)) for value in facilitator_values
    ]
    if facilitators_file is not None:
        facilitators += _read_facilitators(facilitators_file)
    options = _PlanOptions(
        rules=tuple(_rules(rules, fields)),
        together=_lowered(pairs(keep_together, "--keep-together")),
        apart=_lowered(pairs(keep_apart, "--keep-apart")),
        pins=pin_numbers,
        facilitators=tuple(facilitators),
        sizes=whole_numbers(sizes, "--sizes") if sizes else None,
        fields=fields,
        move_penalty=move_penalty,
    )
    with state.app() as app:
        if strategy not in app.plugins.grouping_strategies():
            names = ", ".join(sorted(app.plugins.grouping_strategies()))
            raise click.BadParameter(
                text(language, "groups.unknown-strategy", name=strategy, names=names),
                param_hint="--strategy",
            )
        event = state.event(app, event_key)
        chosen = [event.session(key) for key in sessions] or [
            session for session in event.sessions if app.participants(event.key, session.key)
        ]
        if len(chosen) != 1:
            for option, given in (("--facilitator", facilitator_values), ("--sizes", sizes)):
                if given:
                    raise click.UsageError(text(language, "groups.one-session", option=option))
        members = {
            session.key: {r.person.email for r in app.participants(event.key, session.key)}
            for session in chosen
        }
        everyone = set().union(*members.values()) if members else set()
        for option, email in options.named():
            if email not in everyone:
                raise click.BadParameter(
                    text(language, "groups.not-placed", option=option, email=email),
                    param_hint=option,
                )
        for session in progress(chosen, text(language, "col.session")):
            plan = options.for_session(session.key, members[session.key])
            formed = app.form_groups(
                event.key, session.key, strategy=strategy, seed=seed, plan=plan, save=not dry_run
            )
            if not formed:
                echo(text(language, "groups.none-formed", session=session.key))
                continue
            size = session.max_group_size or max(len(g.members) for g in formed)
            echo(
                text(
                    language,
                    "groups.formed",
                    session=session.key,
                    count=len(formed),
                    size=size,
                    strategy=strategy,
                    seed=seed,
                )
            )
            attributes = [rule.attribute for rule in plan.rules] or ["audience"]
            table(
                [
                    text(language, "col.group"),
                    text(language, "col.size"),
                    text(language, "col.facilitator"),
                    *attributes,
                ],
                [
                    (
                        g.number,
                        len(g.members),
                        ", ".join(person.name for person in g.facilitators) or "-",
                        *(_cell_counts(g, attribute, plan) for attribute in attributes),
                    )
                    for g in formed
                ],
            )
        echo(text(language, "groups.form-dry-run" if dry_run else "groups.saved"))


@groups_group.command("show")
@click.option("--session", "session_key", metavar="KEY", help="Only this session (default: all).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("table", "csv")),
    default="table",
    show_default=True,
    help="table to read, csv for a spreadsheet (safe against formulas).",
)
@event_option
@pass_state
def show(
    state: CliState, session_key: str | None, output_format: str, event_key: str | None
) -> None:
    """Show the stored groups: who is in which group, and who was told."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        sessions = [event.session(session_key)] if session_key else list(event.sessions)
        headers = [
            text(language, "col.session"),
            text(language, "col.group"),
            text(language, "col.role"),
            text(language, "col.id"),
            text(language, "col.name"),
            text(language, "col.email"),
            text(language, "col.audience"),
            text(language, "col.organisation"),
            text(language, "col.told"),
        ]
        all_rows: list[tuple[object, ...]] = []
        for session in sessions:
            stored = app.store.get_groups(event.key, session.key)
            told = (
                {}
                if stored is None
                else {(p.person.email, p.role): p.notified for p in stored.placements}
            )
            rows: list[tuple[object, ...]] = []
            for g in app.groups(event.key, session.key):
                for person in g.facilitators:
                    rows.append(
                        (
                            session.key,
                            g.number,
                            text(language, "role.facilitator"),
                            "-",
                            person.name,
                            person.email,
                            "-",
                            person.organisation or "",
                            text(
                                language, "yes" if told.get((person.email, "facilitator")) else "no"
                            ),
                        )
                    )
                for member in g.members:
                    person = member.person
                    rows.append(
                        (
                            session.key,
                            g.number,
                            text(language, "role.participant"),
                            f"#{member.id}",
                            person.name,
                            person.email,
                            person.audience,
                            person.organisation or "",
                            text(
                                language, "yes" if told.get((person.email, "participant")) else "no"
                            ),
                        )
                    )
            if output_format == "table":
                if not rows:
                    if session_key is not None:
                        echo(text(language, "groups.no-groups", session=session.key))
                    continue
                echo(
                    text(
                        language, "groups.session-header", session=session.key, title=session.title
                    )
                )
                table(headers[1:], [row[1:] for row in rows])
            all_rows += rows
        if output_format == "csv":
            write_csv(sys.stdout, headers, all_rows)
        elif not all_rows and session_key is None:
            echo(text(language, "groups.none-stored"))


@groups_group.command("explain")
@click.argument("email")
@event_option
@pass_state
def explain(state: CliState, email: str, event_key: str | None) -> None:
    """Explain why someone got their session and group, in sentences you can pass on."""
    language = state.language
    with state.app() as app:
        event = state.event(app, event_key)
        explanation = app.explain(event.key, email)
        echo(text(language, "groups.explain", email=explanation.email))
        for line in explanation.lines:
            echo("  " + line)


@groups_group.command("freeze")
@click.argument("emails", nargs=-1, metavar="[EMAIL]...")
@click.option("--session", "session_key", metavar="KEY", help="The session whose groups were told.")
@click.option(
    "--assignment", is_flag=True, help="People were told their session (not their group)."
)
@event_option
@pass_state
def freeze(
    state: CliState,
    emails: tuple[str, ...],
    session_key: str | None,
    assignment: bool,
    event_key: str | None,
) -> None:
    """Record that people were told their group (or session), so later runs keep it.

    Without EMAIL: everyone in the session's stored groups (or, with
    --assignment, everyone the stored assignment placed).
    """
    language = state.language
    if (session_key is None) == (not assignment):
        raise click.UsageError(text(language, "groups.choose-freeze"))
    with state.app() as app:
        event = state.event(app, event_key)
        wanted = [email.strip().lower() for email in emails]
        if assignment:
            if not wanted:
                stored = app.store.get_assignment(event.key)
                entries = () if stored is None else stored.entries
                wanted = [e.person.email for e in entries if e.session_key is not None]
            count = app.mark_assignment_notified(event.key, wanted)
        else:
            assert session_key is not None
            event.session(session_key)
            if not wanted:
                stored_groups = app.store.get_groups(event.key, session_key)
                placements = () if stored_groups is None else stored_groups.placements
                wanted = [p.person.email for p in placements]
            count = app.mark_groups_notified(event.key, session_key, wanted)
        echo(text(language, "groups.frozen", count=count))


@groups_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--names",
    is_flag=True,
    help="Names, e-mail addresses and organisations (default: a pseudonym per person).",
)
@requested_by_option()
@event_option
@pass_state
def export(
    state: CliState, folder: Path, names: bool, requested_by: str | None, event_key: str | None
) -> None:
    """Write a group list per session to FOLDER: groups-SESSION.csv (safe against formulas).

    The lists are pseudonymous: a pseudonym per person (fresh for every
    export) and their audience. With --names they hold names, e-mail
    addresses and organisations, and each file is recorded in the privacy
    log with --requested-by.
    """
    language = state.language
    if names:
        require(requested_by, "groups export --names", language)
    with state.app() as app:
        event = state.event(app, event_key)
        written = app.export_groups(event.key, folder, names=names, requested_by=requested_by)
        if not written:
            echo_error(text(language, "groups.none-stored"))
            click.get_current_context().exit(ExitCode.REFUSED)
        for path in written:
            echo(text(language, "groups.written", file=path))


@groups_group.command("zoom")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--session", "session_key", metavar="KEY", required=True, help="The session.")
@click.option(
    "--max-rooms",
    type=click.IntRange(min=1),
    default=ZOOM_MAX_ROOMS,
    show_default=True,
    help="The most breakout rooms the Zoom account can pre-assign.",
)
@click.option(
    "--max-participants",
    type=click.IntRange(min=1),
    default=ZOOM_MAX_PARTICIPANTS,
    show_default=True,
    help="The most people the Zoom account can pre-assign.",
)
@requested_by_option()
@event_option
@pass_state
def zoom(
    state: CliState,
    file: Path,
    session_key: str,
    max_rooms: int,
    max_participants: int,
    requested_by: str | None,
    event_key: str | None,
) -> None:
    """Write Zoom's breakout-room pre-assignment CSV for a session's groups to FILE.

    Zoom matches people by e-mail address, so the file holds addresses and
    is recorded in the privacy log with --requested-by. Beyond Zoom's limits
    (100 rooms, 1,000 people, or the ones given) nothing is written and the
    exit code is 1.
    """
    language = state.language
    asked = require(requested_by, "groups zoom", language)
    with state.app() as app:
        event = state.event(app, event_key)
        event.session(session_key)
        formed = app.groups(event.key, session_key)
        if not formed:
            echo_error(text(language, "groups.no-groups", session=session_key))
            click.get_current_context().exit(ExitCode.REFUSED)
        app.export_zoom_rooms(
            event.key,
            session_key,
            file,
            requested_by=asked,
            max_rooms=max_rooms,
            max_participants=max_participants,
        )
        people = sum(len(g.members) + len(g.facilitators) for g in formed)
        echo(text(language, "groups.zoom-written", file=file, rooms=len(formed), people=people))


def register(cli: click.Group) -> None:
    """Add the ``groups`` group to the main group."""
    cli.add_command(groups_group)
