"""Ranked choices from a form's export: the input of ``participatie groups assign``.

A form that asks "which session do you want most, and next?" exports one
column per choice ("1e keuze", "Keuze 2", "Second choice", …). Each row
becomes a :class:`~participatie.Preference`: the person (name, e-mail,
audience, organisation, language, read like an import of registrations), the
sessions in order, and a priority class. Every row is judged before anything
is assigned, and every problem is kept with its line, so the organiser sees
them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

import attrs

from participatie._validate import normalise_email
from participatie.assignment.preferences import Preference
from participatie.cli._values import Lookup, find_column
from participatie.event_file import ImportSettings
from participatie.exceptions import ColumnMappingError, InvalidInputError
from participatie.importing import DEFAULT_AUDIENCE, _key, resolve_columns
from participatie.model import Event, Person
from participatie.tabular import Row, Table

__all__ = ["PreferenceRow", "PreferencesRead", "choice_columns", "read_preferences"]

_CHOICE_WORDS: Final = ("keuze", "voorkeur", "choice", "preference", "sessie", "session")
_ORDINALS: Final = {
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "vijfde": 5,
    "zesde": 6,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
}
_DIGITS = re.compile(r"\d+")
_PRIORITY_HEADERS: Final = ("priority", "prioriteit", "voorrang", "priority class", "klasse")
_ENGLISH: Final = frozenset({"en", "engels", "english"})
_PERSON_FIELDS: Final = frozenset(
    {"name", "first_name", "infix", "last_name", "email", "audience", "organisation", "language"}
)


def _rank(header: str) -> int | None:
    """The rank a header asks for ("1e keuze" is 1, "Second choice" 2), or ``None``."""
    key = _key(header)
    if not any(word in key for word in _CHOICE_WORDS):
        return None
    digits = _DIGITS.findall(key)
    if len(digits) == 1:
        return int(digits[0])
    found = [number for word, number in _ORDINALS.items() if word in key]
    return found[0] if len(found) == 1 else None


def choice_columns(headers: Sequence[str], given: Sequence[str] = ()) -> list[int]:
    """The columns holding the 1st, 2nd, … choice.

    ``given`` names them in order; otherwise every header with a choice word
    (keuze, voorkeur, choice, preference, sessie, session) and a rank (a
    number, or eerste/first …) is one, in order of rank.
    """
    if given:
        indices = []
        for header in given:
            index = find_column(headers, [header])
            if index is None:
                raise ColumnMappingError(
                    f"the column {header!r} is not in the file; its columns are: "
                    + ", ".join(repr(h) for h in headers)
                )
            indices.append(index)
        return indices
    ranked = sorted(
        (rank, index) for index, header in enumerate(headers) if (rank := _rank(header)) is not None
    )
    ranks = [rank for rank, _index in ranked]
    if not ranked:
        raise ColumnMappingError(
            "no columns with ranked choices were found (e.g. '1e keuze', 'Keuze 2', "
            "'Second choice'); name them in order with --choice-column; the columns are: "
            + ", ".join(repr(h) for h in headers)
        )
    if len(set(ranks)) != len(ranks):
        raise ColumnMappingError(
            "two columns ask for the same choice: "
            + ", ".join(repr(headers[index]) for _rank, index in ranked)
            + "; name them in order with --choice-column"
        )
    return [index for _rank, index in ranked]


@attrs.frozen
class PreferenceRow:
    """One row of the export, judged.

    Attributes:
        line: The row's line in the file.
        name: The name as written.
        email: The address as written.
        preference: The ranked choices, when the row is usable.
        reason: Why the row cannot be used (a text key), or ``None``.
        params: The values the reason's text names.
        duplicate_of: The line of the same person's first row, for a repeat.
    """

    line: int
    name: str
    email: str
    preference: Preference | None = None
    reason: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    duplicate_of: int | None = None

    @property
    def usable(self) -> bool:
        """Whether the row takes part in the assignment."""
        return self.preference is not None and self.duplicate_of is None


@attrs.frozen
class PreferencesRead:
    """Everything read from the export.

    Attributes:
        rows: Every row, in file order.
        choices: The headers of the choice columns, in order of rank.
    """

    rows: tuple[PreferenceRow, ...]
    choices: tuple[str, ...]

    @property
    def preferences(self) -> list[Preference]:
        """The usable preferences, in file order."""
        return [row.preference for row in self.rows if row.usable and row.preference]

    @property
    def refused(self) -> list[PreferenceRow]:
        """The rows that cannot be used."""
        return [row for row in self.rows if row.reason is not None]

    @property
    def duplicates(self) -> list[PreferenceRow]:
        """Repeated rows of the same person (the first one counts)."""
        return [row for row in self.rows if row.duplicate_of is not None]


def read_preferences(
    table: Table,
    event: Event,
    settings: ImportSettings,
    *,
    columns: Mapping[str, str],
    choice_headers: Sequence[str] = (),
    priorities: Mapping[str, int] | None = None,
    progress: Callable[[Sequence[Row]], Iterable[Row]] | None = None,
) -> PreferencesRead:
    """Judge every row of ``table``.

    ``columns`` maps our fields to headers (as ``--column`` and
    ``[import.columns]`` do); ``priorities`` maps audience keys to priority
    classes (audiences not named get the class after the highest one named);
    a priority column, if there is one, wins.
    """
    # The event file's [import.columns] describe the registration form; a
    # preferences form may be another one, so they count only where they fit.
    present = {_key(header) for header in table.headers}
    mapping = {
        field: header
        for field, header in settings.columns.items()
        if field in _PERSON_FIELDS and _key(header) in present
    }
    mapping.update(columns)
    person_columns = resolve_columns(table.headers, mapping)
    choices = choice_columns(table.headers, choice_headers)
    for field in ("session", "submitted_at", "consent"):
        person_columns.pop(field, None)
    clash = set(person_columns.values()) & set(choices)
    for field, index in list(person_columns.items()):
        if index in clash and field not in mapping:
            del person_columns[field]
    priority_column = find_column(table.headers, _PRIORITY_HEADERS)
    lookup = Lookup(event, settings)
    classes = dict(priorities or {})
    rest = max(classes.values(), default=-1) + 1
    seen: dict[str, int] = {}
    rows: list[PreferenceRow] = []
    for row in progress(table.rows) if progress is not None else table.rows:
        judged = _judge(row, event, lookup, person_columns, choices, priority_column, classes, rest)
        if judged.preference is not None:
            email = judged.preference.person.email
            if email in seen:
                judged = attrs.evolve(judged, duplicate_of=seen[email])
            else:
                seen[email] = row.line
        rows.append(judged)
    return PreferencesRead(tuple(rows), tuple(table.headers[index] for index in choices))


def _judge(
    row: Row,
    event: Event,
    lookup: Lookup,
    columns: Mapping[str, int],
    choices: Sequence[int],
    priority_column: int | None,
    classes: Mapping[str, int],
    rest: int,
) -> PreferenceRow:
    def cell(field: str) -> str:
        index = columns.get(field)
        return "" if index is None else row.values[index]

    if "name" in columns:
        name = cell("name")
    else:
        name = " ".join(p for p in (cell("first_name"), cell("infix"), cell("last_name")) if p)
    email = cell("email")
    base = PreferenceRow(row.line, name, email)

    def refuse(reason: str, **params: object) -> PreferenceRow:
        return attrs.evolve(
            base, reason=reason, params=tuple((k, str(v)) for k, v in params.items())
        )

    if not email:
        return refuse("missing-email")
    if not name:
        return refuse("missing-name")
    if not event.audiences:
        audience: str | None = DEFAULT_AUDIENCE
    elif "audience" in columns:
        audience = lookup.audience(cell("audience"))
    else:
        audience = event.audiences[0].key if len(event.audiences) == 1 else None
    if audience is None:
        return refuse("unknown-audience", value=repr(cell("audience")))
    ranking: list[str] = []
    for index in choices:
        answer = row.values[index]
        if not answer:
            continue
        key = lookup.session(answer)
        if key is None:
            return refuse("unknown-session", value=repr(answer))
        if key in ranking:
            return refuse("ranked-twice", value=repr(answer))
        session = event.session(key)
        if not session.is_for(audience):
            return refuse("not-eligible", session=key, audience=audience)
        ranking.append(key)
    if not ranking:
        return refuse("no-choice")
    priority = classes.get(audience, rest if classes else 0)
    if priority_column is not None and row.values[priority_column]:
        text = row.values[priority_column]
        if not text.isdigit():
            return refuse("bad-priority", value=repr(text))
        priority = int(text)
    language = "en" if _key(cell("language")) in _ENGLISH else "nl"
    try:
        person = Person(
            name, email, audience, organisation=cell("organisation") or None, language=language
        )
        preference = Preference(person, tuple(ranking), priority=priority)
    except InvalidInputError as error:
        # The address is checked here, once, by Person: the common case pays nothing extra.
        try:
            normalise_email(email)
        except InvalidInputError:
            return refuse("invalid-email", value=repr(email))
        return refuse("invalid", detail=error)
    return attrs.evolve(base, preference=preference)
