"""Reading the values organisers type after options, and writing folders of files.

Shared by the command modules for the steps after registration (groups,
calendars, input, feedback rounds, reports): durations (``2d``, ``30m``),
pairs (``a@example.org,b@example.org``), ``KEY=VALUE`` settings, moments in
the event's time zone, answers in a column matched to a session, an audience
or a yes/no, and the ``index.csv`` that lists what a command wrote to a
folder. A value that cannot be read is a :class:`click.BadParameter` naming
the option, so it exits with the usage code (2) and says what to write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import click

from participatie.datetext import parse_date, parse_datetime, parse_deadline
from participatie.event_file import ImportSettings
from participatie.exceptions import InvalidInputError
from participatie.importing import _key
from participatie.localtime import start_of_day
from participatie.model import Event
from participatie.tabular import write_csv

__all__ = [
    "INDEX_FILE",
    "Lookup",
    "deadline",
    "duration",
    "folder_argument",
    "key_values",
    "moment",
    "number_in",
    "opening",
    "pairs",
    "whole_numbers",
    "write_index",
]

#: The file in which a command lists what it wrote to a folder.
INDEX_FILE: Final = "index.csv"

_DURATION = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$")
_UNITS: Final = {
    "w": timedelta(weeks=1),
    "week": timedelta(weeks=1),
    "weeks": timedelta(weeks=1),
    "weken": timedelta(weeks=1),
    "d": timedelta(days=1),
    "day": timedelta(days=1),
    "days": timedelta(days=1),
    "dag": timedelta(days=1),
    "dagen": timedelta(days=1),
    "h": timedelta(hours=1),
    "u": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "hours": timedelta(hours=1),
    "uur": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "minute": timedelta(minutes=1),
    "minutes": timedelta(minutes=1),
    "minuten": timedelta(minutes=1),
}
_NUMBER = re.compile(r"\d+")


def folder_argument(name: str = "folder") -> click.Argument:
    """A FOLDER argument: created when missing, never an existing file."""
    return click.Argument(
        [name], type=click.Path(file_okay=False, path_type=Path), metavar="FOLDER"
    )


def duration(text: str, option: str) -> timedelta:
    """``2d``, ``36h``, ``30m``, ``1w`` (also ``2 dagen``, ``3 uur``) as a timedelta."""
    found = _DURATION.match(text.lower())
    if found is None or found.group(2) not in _UNITS or int(found.group(1)) <= 0:
        raise click.BadParameter(
            f"{text!r}: write a positive number and a unit: 30m, 6h, 2d or 1w",
            param_hint=option,
        )
    return int(found.group(1)) * _UNITS[found.group(2)]


def pairs(values: Iterable[str], option: str) -> list[tuple[str, str]]:
    """``a@example.org,b@example.org`` values as pairs of addresses."""
    result = []
    for value in values:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 2 or not all(parts) or parts[0].lower() == parts[1].lower():
            raise click.BadParameter(
                f"{value!r}: write two different e-mail addresses separated by a comma",
                param_hint=option,
            )
        result.append((parts[0], parts[1]))
    return result


def key_values(values: Iterable[str], option: str, what: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` values, in order; ``what`` names the two parts for the message."""
    result = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise click.BadParameter(f"{value!r}: write {what}", param_hint=option)
        result.append((key.strip(), rest.strip()))
    return result


def whole_numbers(text: str, option: str) -> tuple[int, ...]:
    """``4,4,3`` as whole numbers."""
    try:
        numbers = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: write whole numbers separated by commas, e.g. 4,4,3", param_hint=option
        ) from None
    if any(number < 0 for number in numbers):
        raise click.BadParameter(f"{text!r}: numbers cannot be negative", param_hint=option)
    return numbers


def number_in(text: str) -> int | None:
    """The first whole number in ``text`` (``"Vraag 2"`` is 2), or ``None``."""
    found = _NUMBER.search(text)
    return int(found.group()) if found else None


def moment(text: str, event: Event, option: str) -> datetime:
    """A moment as organisers write it, in the event's time zone."""
    try:
        return parse_datetime(text, event.timezone)
    except InvalidInputError as error:
        raise click.BadParameter(str(error), param_hint=option) from error


def opening(text: str, event: Event, option: str) -> datetime:
    """An opening time: a date alone starts at the beginning of that day."""
    try:
        try:
            return start_of_day(parse_date(text), event.timezone)
        except InvalidInputError:
            return parse_datetime(text, event.timezone)
    except InvalidInputError as error:
        raise click.BadParameter(str(error), param_hint=option) from error


def deadline(text: str, event: Event, option: str) -> datetime:
    """A deadline: a date alone lasts until the end of that day."""
    try:
        return parse_deadline(text, event.timezone)
    except InvalidInputError as error:
        raise click.BadParameter(str(error), param_hint=option) from error


class Lookup:
    """Answers in a column matched to session and audience keys.

    A session is found by its key, its title, or an answer mapped under
    ``[import.sessions]``; an audience by its key, its label, or
    ``[import.audiences]``: the same answers an import of registrations
    understands, compared without case, accents, spaces or punctuation.
    """

    def __init__(self, event: Event, settings: ImportSettings | None = None) -> None:
        settings = settings or ImportSettings()
        self.event = event
        self.sessions: dict[str, str] = {}
        for session in event.sessions:
            self.sessions[_key(session.key)] = session.key
            self.sessions[_key(session.title)] = session.key
        for answer, key in settings.sessions.items():
            self.sessions[_key(answer)] = key
        self.audiences: dict[str, str] = {}
        for audience in event.audiences:
            self.audiences[_key(audience.key)] = audience.key
            self.audiences[_key(audience.label)] = audience.key
        for answer, key in settings.audiences.items():
            self.audiences[_key(answer)] = key

    def session(self, answer: str) -> str | None:
        """The session key an answer names, or ``None``."""
        return self.sessions.get(_key(answer)) if answer.strip() else None

    def audience(self, answer: str) -> str | None:
        """The audience key an answer names, or ``None``."""
        return self.audiences.get(_key(answer)) if answer.strip() else None


def find_column(headers: Sequence[str], names: Iterable[str]) -> int | None:
    """The index of the first header that is one of ``names`` (compared loosely)."""
    wanted = {_key(name) for name in names}
    for index, header in enumerate(headers):
        if _key(header) in wanted:
            return index
    return None


def columns_by_name(
    headers: Sequence[str],
    known: Mapping[str, Iterable[str]],
    given: Mapping[str, str],
) -> dict[str, int]:
    """Which column holds each field: ``given`` (field -> header) first, then ``known`` names.

    A given header that is not in the file is a :class:`click.BadParameter`
    listing the headers the file has.
    """
    found: dict[str, int] = {}
    for field, header in given.items():
        index = find_column(headers, [header])
        if index is None:
            raise click.BadParameter(
                f"the column {header!r} (for {field}) is not in the file; its columns are: "
                + ", ".join(repr(h) for h in headers),
                param_hint="--column",
            )
        found[field] = index
    for field, names in known.items():
        if field not in found:
            index = find_column(headers, names)
            if index is not None and index not in found.values():
                found[field] = index
    return found


def is_yes(answer: str) -> bool:
    """Whether a cell says yes (``ja``, ``yes``, ``x``, ``1``, ``true`` …)."""
    return _key(answer) in {"ja", "j", "yes", "y", "true", "waar", "1", "x", "v"}


def write_index(folder: Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write ``index.csv`` in ``folder``: what was written, one row per file (formula-safe)."""
    path = folder / INDEX_FILE
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        write_csv(stream, headers, rows)
    return path
