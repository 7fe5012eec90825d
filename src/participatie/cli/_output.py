"""What the command line prints: texts in Dutch and English, tables, progress bars, CSV.

Texts live in :data:`TEXTS`, one dict per language, looked up by key with
:func:`text`. A command module with texts of its own adds them with
:func:`add_texts`, so the catalogue stays one simple structure that a
translator can read top to bottom. Messages that come from the library (a
rule's refusal) are English; the command line puts a translated label in front.

Tables are plain text with aligned columns, readable in a terminal and in a
log file alike. Progress bars are drawn only when standard error is a
terminal: piped or redirected, a command prints its results and nothing else.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Final, TypeVar

import click

from participatie.localtime import to_local
from participatie.model import RegistrationState

__all__ = [
    "LANGUAGES",
    "TEXTS",
    "add_texts",
    "detect_language",
    "echo",
    "echo_error",
    "format_day",
    "format_deadline",
    "format_instant",
    "progress",
    "state_name",
    "table",
    "text",
]

#: The languages of the command line's output.
LANGUAGES: Final = ("nl", "en")
LANG_ENV: Final = "PARTICIPATIE_LANG"

T = TypeVar("T")

#: Every text the command line prints, per language, by key.
TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "error": "Fout",
        "refused": "Geweigerd",
        "not-found": "Niet gevonden",
        "store-error": "Opslag- of pluginfout",
        "interrupted": "Onderbroken.",
        "problems-in": "{file} heeft {count} probleem/problemen:",
        "fix-file": "verbeter {file} (participatie check toont alle problemen)",
        "event-differs": (
            "Let op: {file} wijkt af van de opgeslagen bijeenkomst; "
            "sla de wijzigingen op met: participatie event save"
        ),
        "choose-event": "de opslag bevat meer bijeenkomsten ({keys}); kies er een met --event",
        "several-registrations": (
            "{who} heeft meer aanmeldingen: {listed}; geef het nummer of --session"
        ),
        "yes": "ja",
        "no": "nee",
        "none": "-",
        "no-limit": "geen grens",
        # states and reasons
        "state.registered": "aangemeld",
        "state.waitlisted": "wachtlijst",
        "state.offered": "plaats aangeboden",
        "state.cancelled": "afgemeld",
        "state.declined": "aanbod afgewezen",
        "state.expired": "aanbod verlopen",
        "state.attended": "aanwezig",
        "state.no-show": "afwezig",
        "reason.registered": "aangemeld",
        "reason.waitlisted": "op de wachtlijst",
        "reason.promoted": "doorgeschoven van de wachtlijst",
        "reason.offered": "plaats aangeboden",
        "reason.accepted": "aanbod aangenomen",
        "reason.declined": "aanbod afgewezen",
        "reason.expired": "aanbod verlopen",
        "reason.cancelled": "afgemeld",
        "reason.attended": "aanwezig",
        "reason.no-show": "afwezig",
        # column headers
        "col.line": "regel",
        "col.session": "sessie",
        "col.title": "titel",
        "col.name": "naam",
        "col.email": "e-mail",
        "col.state": "status",
        "col.becomes": "wordt",
        "col.reason": "reden",
        "col.id": "nr",
        "col.key": "sleutel",
        "col.start": "begin",
        "col.end": "einde",
        "col.capacity": "plaatsen",
        "col.group-size": "groep",
        "col.deadline": "aanmelden tot",
        "col.audiences": "doelgroepen",
        "col.taken": "bezet",
        "col.offered": "aangeboden",
        "col.waiting": "wachtend",
        "col.free": "vrij",
        "col.position": "plaats",
        "col.since": "sinds",
        "col.until": "tot",
        "col.at": "tijdstip",
        "col.from": "van",
        "col.to": "naar",
        "col.organisation": "organisatie",
        "col.sessions": "sessies",
        "col.registered-at": "aangemeld op",
    },
    "en": {
        "error": "Error",
        "refused": "Refused",
        "not-found": "Not found",
        "store-error": "Storage or plugin error",
        "interrupted": "Interrupted.",
        "problems-in": "{file} has {count} problem(s):",
        "fix-file": "fix {file} (participatie check lists every problem)",
        "event-differs": (
            "Note: {file} differs from the stored event; "
            "store the changes with: participatie event save"
        ),
        "choose-event": "the store holds several events ({keys}); choose one with --event",
        "several-registrations": (
            "{who} has several registrations: {listed}; give the number or --session"
        ),
        "yes": "yes",
        "no": "no",
        "none": "-",
        "no-limit": "no limit",
        "state.registered": "registered",
        "state.waitlisted": "waiting list",
        "state.offered": "place offered",
        "state.cancelled": "cancelled",
        "state.declined": "offer declined",
        "state.expired": "offer expired",
        "state.attended": "attended",
        "state.no-show": "no-show",
        "reason.registered": "registered",
        "reason.waitlisted": "put on the waiting list",
        "reason.promoted": "moved up from the waiting list",
        "reason.offered": "offered a place",
        "reason.accepted": "accepted the offer",
        "reason.declined": "declined the offer",
        "reason.expired": "offer expired",
        "reason.cancelled": "cancelled",
        "reason.attended": "attended",
        "reason.no-show": "did not come",
        "col.line": "line",
        "col.session": "session",
        "col.title": "title",
        "col.name": "name",
        "col.email": "e-mail",
        "col.state": "state",
        "col.becomes": "becomes",
        "col.reason": "reason",
        "col.id": "id",
        "col.key": "key",
        "col.start": "start",
        "col.end": "end",
        "col.capacity": "places",
        "col.group-size": "group",
        "col.deadline": "register until",
        "col.audiences": "audiences",
        "col.taken": "taken",
        "col.offered": "offered",
        "col.waiting": "waiting",
        "col.free": "free",
        "col.position": "position",
        "col.since": "since",
        "col.until": "until",
        "col.at": "at",
        "col.from": "from",
        "col.to": "to",
        "col.organisation": "organisation",
        "col.sessions": "sessions",
        "col.registered-at": "registered at",
    },
}

_WEEKDAYS: Final = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS: Final = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def add_texts(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Add a command module's texts (``{"nl": {...}, "en": {...}}``) to the catalogue.

    Both languages must hold the same keys, and no key may be added twice:
    a missing translation or a clash is a bug caught when the module loads.
    """
    keys = {language: set(texts.get(language, {})) for language in LANGUAGES}
    if keys["nl"] != keys["en"]:
        raise RuntimeError(f"texts differ between nl and en: {sorted(keys['nl'] ^ keys['en'])}")
    clash = keys["nl"] & set(TEXTS["nl"])
    if clash:
        raise RuntimeError(f"texts defined twice: {sorted(clash)}")
    for language in LANGUAGES:
        TEXTS[language].update(texts[language])


def text(language: str, key: str, /, **params: object) -> str:
    """The text ``key`` in ``language``, with ``{params}`` filled in."""
    template = TEXTS.get(language, TEXTS["en"]).get(key) or TEXTS["en"][key]
    return template.format(**params) if params else template


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The output language when ``--lang`` is not given.

    ``PARTICIPATIE_LANG`` first; then the locale (``LC_ALL``, ``LC_MESSAGES``,
    ``LANG``, ``LANGUAGE``): Dutch for ``nl…``, English for any other named
    language. Without a usable locale (unset, ``C``, ``POSIX``) the answer is
    Dutch, the language of the people participatie is made for.
    """
    env = os.environ if environ is None else environ
    chosen = env.get(LANG_ENV, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "").strip()
        if not value:
            continue
        code = value.split(":")[0].split(".")[0].split("_")[0].lower()
        if code in {"c", "posix", ""}:
            return "nl"
        return "nl" if code == "nl" else "en"
    return "nl"


def state_name(language: str, state: RegistrationState) -> str:
    """A registration state in words."""
    return text(language, f"state.{state.value}")


def reason_name(language: str, reason: str) -> str:
    """A transition's reason in words."""
    return text(language, f"reason.{reason}")


def format_instant(instant: datetime | None, tz: str) -> str:
    """An instant as local wall-clock time in ``tz``: ``2020-11-05 10:00``."""
    if instant is None:
        return "-"
    return to_local(instant, tz).strftime("%Y-%m-%d %H:%M")


def format_deadline(instant: datetime | None, tz: str) -> str:
    """A deadline as organisers write it: the end of 30 October is ``2020-10-30 24:00``."""
    if instant is None:
        return "-"
    local = to_local(instant, tz)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return (local.date() - timedelta(days=1)).isoformat() + " 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def format_day(day: date, language: str, *, at: tuple[int, int] | None = None) -> str:
    """A day as people write it, readable by :func:`participatie.parse_datetime`.

    ``donderdag 5 november 2026 10.00 uur`` / ``Thursday 5 November 2026 10:00``.
    """
    words = (
        f"{_WEEKDAYS[language][day.weekday()]} {day.day} "
        f"{_MONTHS[language][day.month - 1]} {day.year}"
    )
    if at is None:
        return words
    hour, minute = at
    if language == "nl":
        return f"{words} {hour}.{minute:02d} uur"
    return f"{words} {hour}:{minute:02d}"


# --- printing ------------------------------------------------------------------


def echo(message: str = "") -> None:
    """Print a line of results to standard output."""
    click.echo(message)


def echo_error(message: str) -> None:
    """Print a line to standard error."""
    click.echo(message, err=True)


def _width(cell: str) -> int:
    """Columns a cell takes in a terminal (wide East Asian characters take two)."""
    return sum(
        0
        if unicodedata.combining(char)
        else 2
        if unicodedata.east_asian_width(char) in {"W", "F"}
        else 1
        for char in cell
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, indent: int = 2) -> None:
    """Print rows as a table with aligned columns under a header line."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [_width(header) for header in headers]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], _width(cell))
    pad = " " * indent

    def line(values: Sequence[str]) -> str:
        parts = [value + " " * (widths[i] - _width(value)) for i, value in enumerate(values)]
        return (pad + "  ".join(parts)).rstrip()

    echo(line(list(headers)))
    echo(line(["-" * width for width in widths]))
    for row in cells:
        echo(line(row))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    # One line per row: a cell with a line break would break the table.
    return " ".join(str(value).split())


def progress(items: Sequence[T], label: str) -> Iterator[T]:
    """Iterate over ``items``, with a progress bar on standard error if it is a terminal.

    Piped or redirected, nothing at all is drawn (not even the label), so
    scripts and log files get only the results.
    """
    stream = sys.stderr
    if not stream.isatty():
        yield from items
        return
    with click.progressbar(items, label=label, file=stream, show_pos=True) as bar:
        yield from bar
