"""The event description file: an event and the organiser's settings, in TOML.

Organisers who do not write Python describe their event in one file: the
event, its audiences and sessions (capacities, group sizes, registration
windows), the central questions, overrides of the messages participants get,
the channels to send them through, where the data is stored, and how the
columns of a registration form's export map to our fields. The command line
reads it (``participatie check``, ``participatie event save``, ``participatie
import registrations``); Python code can too, with :func:`load_event_file`.

Dates may be written as TOML dates and times (``2020-11-05T10:00:00``, local
time in the event's time zone) or in the organiser's own words, in Dutch or
English (``"donderdag 5 november 2020 10.00 uur"``), read by
:func:`participatie.parse_datetime` and :func:`participatie.parse_deadline`.

A file is checked completely before anything is built from it: every problem
is reported, each with its line (:class:`Problem`), in one
:class:`~participatie.exceptions.EventFileError`, because an organiser fixing
a file wants the whole list, not one error per run.
"""

from __future__ import annotations

import codecs
import difflib
import re
import string
import tomllib
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Final, cast

import attrs

from participatie import _validate as v
from participatie._toml_lines import Path as KeyPath
from participatie._toml_lines import line_of, locate
from participatie.datetext import parse_date, parse_datetime, parse_deadline
from participatie.exceptions import EventFileError, InvalidInputError, PluginError
from participatie.localtime import DEFAULT_TIMEZONE, end_of_day, local_datetime, start_of_day, zone
from participatie.model import Audience, Event, HelpDesk, Session, WaitingListPolicy
from participatie.plugins import Plugins, get_plugins

__all__ = [
    "FORMAT",
    "IMPORT_FIELDS",
    "PLACEHOLDERS",
    "ChannelSettings",
    "EventFile",
    "ImportSettings",
    "MessageTemplate",
    "Problem",
    "load_event_file",
    "read_event_file",
]

#: The version of the file format this participatie reads (``format = 1``).
FORMAT: Final = 1

#: The fields an import can fill, and so the keys allowed under ``[import.columns]``.
#: ``name`` may instead be given in parts: ``first_name``, ``infix`` (the Dutch
#: *tussenvoegsel*, "van", "de") and ``last_name``.
IMPORT_FIELDS: Final = (
    "name",
    "first_name",
    "infix",
    "last_name",
    "email",
    "audience",
    "organisation",
    "phone",
    "language",
    "consent",
    "session",
    "submitted_at",
)

#: The placeholders a message override may use, written ``{name}``. A message
#: that names anything else is refused by ``participatie check``, so a typo
#: does not reach a participant's inbox.
PLACEHOLDERS: Final = frozenset(
    {
        "name",
        "email",
        "event",
        "organiser",
        "session",
        "date",
        "start",
        "end",
        "link",
        "place",
        "help_desk_email",
        "help_desk_phone",
        "deadline",
        "change_deadline",
        "offer_expires",
        "group",
        "facilitator",
        "feedback_link",
        "feedback_deadline",
    }
)

_LANGUAGES: Final = ("nl", "en")
_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_STORE_URL = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_WAITING_LIST = {policy.value: policy for policy in WaitingListPolicy}

# --- problems ------------------------------------------------------------------

#: Problem texts by code, per language. ``{key}`` is the key as written.
_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "syntax": "this is not valid TOML: {detail}",
        "format": "format {value} is not supported; this version reads format 1",
        "missing": "{key} is missing",
        "unknown": "unknown key {key}{hint}",
        "type": "{key} must be {expected}, not {got}",
        "invalid": "{key}: {detail}",
        "date": "{key}: cannot read {value} as a date and time: {detail}",
        "needs-time": "{key} needs a time of day as well as a date",
        "empty": "{key} must not be empty",
        "no-sessions": "the event needs at least one [[sessions]] table",
        "duplicate": "{key} {value} is used twice (first on line {first})",
        "undefined-audience": "{key}: audience {value} is not defined under [[audiences]]",
        "undefined-session": "{key}: session {value} is not defined under [[sessions]]",
        "choice": "{key} must be one of {choices}, not {value}",
        "positive": "{key} must be more than zero",
        "channel": "{key}: there is no channel {value}; available: {available}",
        "language": "{key}: messages are written in nl or en, not {value}",
        "kind": "{key}: a message kind is lower-case letters, digits and _, not {value}",
        "placeholder": "{key}: unknown placeholder {{{value}}}; known: {known}",
        "placeholder-form": "{key}: write a placeholder as a name such as {{name}}, not {value}",
        "template": "{key}: {detail}",
        "store-url": "{key}: {value} is not a store URL such as sqlite:///participatie.db",
        "encoding": "{key}: unknown character encoding {value}",
        "delimiter": "{key}: the delimiter is one character, such as ; or ,",
        "session": "{key}: {detail}",
        "event": "event: {detail}",
    },
    "nl": {
        "syntax": "dit is geen geldige TOML: {detail}",
        "format": "format {value} wordt niet ondersteund; deze versie leest format 1",
        "missing": "{key} ontbreekt",
        "unknown": "onbekende sleutel {key}{hint}",
        "type": "{key} moet {expected} zijn, niet {got}",
        "invalid": "{key}: {detail}",
        "date": "{key}: {value} is niet te lezen als datum en tijd: {detail}",
        "needs-time": "{key} heeft naast een datum ook een tijd nodig",
        "empty": "{key} mag niet leeg zijn",
        "no-sessions": "de bijeenkomst heeft minstens één [[sessions]]-tabel nodig",
        "duplicate": "{key} {value} komt twee keer voor (eerst op regel {first})",
        "undefined-audience": "{key}: doelgroep {value} staat niet onder [[audiences]]",
        "undefined-session": "{key}: sessie {value} staat niet onder [[sessions]]",
        "choice": "{key} moet een van {choices} zijn, niet {value}",
        "positive": "{key} moet groter dan nul zijn",
        "channel": "{key}: er is geen kanaal {value}; beschikbaar: {available}",
        "language": "{key}: berichten zijn in nl of en, niet {value}",
        "kind": "{key}: een berichtsoort bestaat uit kleine letters, cijfers en _, niet {value}",
        "placeholder": "{key}: onbekende invulplek {{{value}}}; bekend zijn: {known}",
        "placeholder-form": "{key}: schrijf een invulplek als naam, zoals {{name}}, niet {value}",
        "template": "{key}: {detail}",
        "store-url": "{key}: {value} is geen opslag-URL zoals sqlite:///participatie.db",
        "encoding": "{key}: onbekende tekenset {value}",
        "delimiter": "{key}: het scheidingsteken is één teken, zoals ; of ,",
        "session": "{key}: {detail}",
        "event": "bijeenkomst: {detail}",
    },
}

_TYPE_NAMES: Final[dict[str, dict[str, str]]] = {
    "en": {
        "text": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "list": "a list",
        "table": "a table",
        "instant": "a date and time",
        "date": "a date",
        "time": "a time",
    },
    "nl": {
        "text": "tekst",
        "integer": "een geheel getal",
        "number": "een getal",
        "boolean": "true of false",
        "list": "een lijst",
        "table": "een tabel",
        "instant": "een datum en tijd",
        "date": "een datum",
        "time": "een tijd",
    },
}


def _type_of(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, datetime):
        return "instant"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    return type(value).__name__  # pragma: no cover - tomllib yields nothing else


@attrs.frozen
class Problem:
    """One thing wrong in an event file.

    Attributes:
        line: The 1-based line it is about (the table's line for a missing
            key), or ``None`` when the file could not be read at all.
        where: The key as a path, e.g. ``sessions[2].capacity`` (numbered from 1).
        code: What kind of problem, e.g. ``"missing"``, ``"type"``, ``"date"``.
        params: The values the message is built from.
    """

    line: int | None
    where: str
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, language: str = "en") -> str:
        """The problem in words, in ``"nl"`` or ``"en"``."""
        texts = _TEXTS.get(language, _TEXTS["en"])
        params = dict(self.params)
        if "expected" in params or "got" in params:
            names = _TYPE_NAMES.get(language, _TYPE_NAMES["en"])
            for name in ("expected", "got"):
                if name in params:
                    params[name] = names.get(params[name], params[name])
        return texts[self.code].format(key=self.where, **params)

    @property
    def message(self) -> str:
        """The problem in English."""
        return self.text("en")


def _where(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


# --- what a file holds besides the event ---------------------------------------


@attrs.frozen
class MessageTemplate:
    """An organiser's own wording for one kind of message, in one language.

    Attributes:
        subject: The subject line (``None``: keep the standard one).
        body: The text (``None``: keep the standard one). Placeholders are
            written ``{name}``; :data:`PLACEHOLDERS` lists them.
    """

    subject: str | None = None
    body: str | None = None


@attrs.frozen
class ChannelSettings:
    """Which channels send the messages, and their options.

    Attributes:
        enabled: The channel names, in order of preference.
        options: Per channel name, the keyword arguments for its factory.
    """

    enabled: tuple[str, ...] = ()
    options: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)


@attrs.frozen
class ImportSettings:
    """How the export of a registration form maps to our fields.

    Attributes:
        columns: Our field (see :data:`IMPORT_FIELDS`) to the form's column header.
        audiences: A value in the audience column to an audience key.
        sessions: A value in the session column to a session key.
        consent_yes: Extra answers in the consent column that mean "yes".
        submitted_at_format: A :func:`~datetime.datetime.strptime` format for
            the submission time, when the form tool writes it in a form that
            cannot be read unambiguously (``%m/%d/%Y %H:%M:%S``).
        delimiter: The column separator, when it should not be detected.
        encoding: The character encoding, when it should not be detected.
        sheet: For a spreadsheet, the sheet to read (the first one by default).
    """

    columns: Mapping[str, str] = attrs.field(factory=dict)
    audiences: Mapping[str, str] = attrs.field(factory=dict)
    sessions: Mapping[str, str] = attrs.field(factory=dict)
    consent_yes: tuple[str, ...] = ()
    submitted_at_format: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None


@attrs.frozen
class EventFile:
    """An event file, read and checked.

    Attributes:
        event: The event with its sessions, ready for
            :meth:`participatie.Participatie.save_event`.
        path: Where the file was read from (``None`` for text).
        store_url: Where to keep the data (``None``: the default). A relative
            ``sqlite:///`` path is resolved against the file's directory, so
            the same database is used from wherever the command runs.
        channels: The notification channels and their options.
        messages: Per language (``"nl"``, ``"en"``) and message kind, the
            organiser's wording.
        import_settings: How registration exports map to our fields.
    """

    event: Event
    path: Path | None = None
    store_url: str | None = None
    channels: ChannelSettings = ChannelSettings()
    messages: Mapping[str, Mapping[str, MessageTemplate]] = attrs.field(factory=dict)
    import_settings: ImportSettings = ImportSettings()

    def message(self, kind: str, language: str) -> MessageTemplate | None:
        """The organiser's wording for ``kind`` in ``language``, if they gave one."""
        return self.messages.get(language, {}).get(kind)


# --- reading ---------------------------------------------------------------------

_TOP: Final = (
    "format",
    "event",
    "audiences",
    "sessions",
    "store",
    "channels",
    "messages",
    "import",
)
_EVENT: Final = (
    "key",
    "title",
    "organiser",
    "purpose",
    "timezone",
    "consent_version",
    "central_questions",
    "help_desk",
    "retention_days",
)
_SESSION: Final = (
    "key",
    "title",
    "start",
    "end",
    "online_link",
    "place",
    "audiences",
    "capacity",
    "max_group_size",
    "registration_opens",
    "registration_closes",
    "change_deadline",
    "waiting_list",
    "offer_period_hours",
    "consent_required",
    "cancelled",
    "guardian_consent_below",
)
_IMPORT: Final = (
    "columns",
    "audiences",
    "sessions",
    "consent_yes",
    "submitted_at_format",
    "delimiter",
    "encoding",
    "sheet",
)

_Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


class _Reader:
    """Walks the parsed document, collecting every problem instead of stopping."""

    def __init__(self, lines: dict[KeyPath, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, code: str, **params: object) -> None:
        self.problems.append(
            Problem(
                line_of(self.lines, path),
                _where(path),
                code,
                tuple((name, str(value)) for name, value in params.items()),
            )
        )

    def failed_since(self, count: int) -> bool:
        return len(self.problems) > count

    # --- shapes ----------------------------------------------------------------

    def table(
        self, parent: Mapping[str, Any], path: KeyPath, key: str, *, required: bool = False
    ) -> dict[str, Any] | None:
        if key not in parent:
            if required:
                self.add((*path, key), "missing")
            return None
        value = parent[key]
        if not isinstance(value, dict):
            self.add((*path, key), "type", expected="table", got=_type_of(value))
            return None
        return value

    def tables(self, parent: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        """An array of tables (``[[sessions]]``), keeping only the well-formed entries."""
        value = parent.get(key, [])
        if not isinstance(value, list):
            self.add((key,), "type", expected="list", got=_type_of(value))
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.add((key, index), "type", expected="table", got=_type_of(item))
                good.append({})
        return good

    def known_keys(self, table: Mapping[str, Any], path: KeyPath, allowed: Collection[str]) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
                hint = f" ({close[0]}?)" if close else ""
                self.add((*path, key), "unknown", hint=hint)

    # --- values ----------------------------------------------------------------

    def value(
        self,
        table: Mapping[str, Any],
        path: KeyPath,
        key: str,
        kind: type | tuple[type, ...],
        expected: str,
        *,
        required: bool = False,
    ) -> Any:
        if key not in table:
            if required:
                self.add((*path, key), "missing")
            return None
        value = table[key]
        wrong_bool = isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,)
        )
        if not isinstance(value, kind) or wrong_bool:
            self.add((*path, key), "type", expected=expected, got=_type_of(value))
            return None
        return value

    def text(
        self,
        table: Mapping[str, Any],
        path: KeyPath,
        key: str,
        *,
        required: bool = False,
        validator: _Validator | None = None,
        attribute: attrs.Attribute[Any] | None = None,
    ) -> str | None:
        """Non-empty text, checked by one of the model's own validators if given."""
        value = self.value(table, path, key, str, "text", required=required)
        if value is None:
            return None
        if not value.strip():
            self.add((*path, key), "empty")
            return None
        if validator is not None and not self.check(
            (*path, key), validator, attribute or _named(key), value
        ):
            return None
        return str(value)

    def check(
        self,
        path: KeyPath,
        validator: _Validator,
        attribute: attrs.Attribute[Any],
        value: object,
    ) -> bool:
        try:
            validator(None, attribute, value)
        except InvalidInputError as error:
            self.add(path, "invalid", detail=error)
            return False
        return True

    def integer(self, table: Mapping[str, Any], path: KeyPath, key: str) -> int | None:
        value = self.value(table, path, key, int, "integer")
        if value is not None and value < 1:
            self.add((*path, key), "positive")
            return None
        return value  # type: ignore[no-any-return]

    def text_list(self, table: Mapping[str, Any], path: KeyPath, key: str) -> list[str] | None:
        value = self.value(table, path, key, list, "list")
        if value is None:
            return None
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.add((*path, key, index), "type", expected="text", got=_type_of(item))
                ok = False
            elif not item.strip():
                self.add((*path, key, index), "empty")
                ok = False
            else:
                items.append(item)
        return items if ok else None

    def instant(
        self,
        table: Mapping[str, Any],
        path: KeyPath,
        key: str,
        tz: str,
        *,
        kind: str,
        required: bool = False,
    ) -> datetime | None:
        """A moment (start, end), an opening (a date: its start) or a deadline (a date: its end)."""
        if key not in table:
            if required:
                self.add((*path, key), "missing")
            return None
        value = table[key]
        where = (*path, key)
        try:
            if isinstance(value, datetime):
                if value.tzinfo is not None:
                    return value
                return local_datetime(value, tz)
            if isinstance(value, date):
                if kind == "moment":
                    self.add(where, "needs-time")
                    return None
                return start_of_day(value, tz) if kind == "opens" else end_of_day(value, tz)
            if isinstance(value, str):
                return _read_instant(value, tz, kind)
        except InvalidInputError as error:
            self.add(where, "date", value=repr(value), detail=error)
            return None
        self.add(where, "type", expected="instant", got=_type_of(value))
        return None


def _read_instant(text: str, tz: str, kind: str) -> datetime:
    if kind == "deadline":
        return parse_deadline(text, tz)
    if kind == "opens":
        try:
            return start_of_day(parse_date(text), tz)
        except InvalidInputError:
            pass
    return parse_datetime(text, tz)


def read_event_file(
    source: str,
    *,
    path: Path | None = None,
    plugins: Plugins | None = None,
) -> EventFile:
    """Read and check the text of an event file.

    Raises :class:`~participatie.exceptions.EventFileError` listing every
    problem found, each with its line. ``plugins`` (the process-wide ones by
    default) says which channel names exist.
    """
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or _line_in_message(str(error))
        problem = Problem(line, "(file)", "syntax", (("detail", str(error)),))
        raise EventFileError(f"{path or 'event file'}: {problem.message}", [problem]) from error
    reader = _Reader(locate(source))
    result = _read(reader, data, path, plugins)
    if result is None and not reader.problems:  # pragma: no cover - a failure always says why
        reader.add((), "event", detail="the event could not be built")
    if reader.problems or result is None:
        problems = sorted(reader.problems, key=lambda p: (p.line or 0, p.where))
        raise EventFileError(
            f"{path or 'event file'} has {len(problems)} problem(s); the first: "
            f"line {problems[0].line}: {problems[0].message}",
            problems,
        )
    return result


def _line_in_message(message: str) -> int | None:
    """The line tomllib names in its message ("... (at line 3, column 7)") before 3.14."""
    found = re.search(r"at line (\d+)", message)
    return int(found.group(1)) if found else None


def load_event_file(path: str | Path, *, plugins: Plugins | None = None) -> EventFile:
    """Read and check the event file at ``path`` (UTF-8, as TOML requires).

    Raises :class:`~participatie.exceptions.EventFileError` listing every
    problem, each with its line; an unreadable file is one problem without a line.
    """
    file = Path(path)
    try:
        source = file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        problem = Problem(None, "(file)", "syntax", (("detail", str(error)),))
        raise EventFileError(f"{file}: {problem.message}", [problem]) from error
    return read_event_file(source, path=file, plugins=plugins)


def _read(
    reader: _Reader, data: dict[str, Any], path: Path | None, plugins: Plugins | None
) -> EventFile | None:
    reader.known_keys(data, (), _TOP)
    version = reader.value(data, (), "format", int, "integer")
    if version is not None and version != FORMAT:
        reader.add(("format",), "format", value=version)

    event_table = reader.table(data, (), "event", required=True) or {}
    reader.known_keys(event_table, ("event",), _EVENT)
    tz = reader.text(event_table, ("event",), "timezone") or DEFAULT_TIMEZONE
    try:
        zone(tz)
    except InvalidInputError as error:
        reader.add(("event", "timezone"), "invalid", detail=error)
        tz = DEFAULT_TIMEZONE
    audiences = _read_audiences(reader, data)
    audience_keys = {audience.key for audience in audiences}
    sessions = _read_sessions(reader, data, tz, audience_keys)
    event = _read_event(reader, event_table, tz, audiences, sessions)

    store_url = _read_store(reader, data, path)
    channels = _read_channels(reader, data, plugins)
    messages = _read_messages(reader, data)
    import_settings = _read_import(
        reader, data, audience_keys, {session.key for session in sessions if session}
    )
    if event is None:
        return None
    return EventFile(
        event=event,
        path=path,
        store_url=store_url,
        channels=channels,
        messages=messages,
        import_settings=import_settings,
    )


def _unique(reader: _Reader, path_of: Callable[[int], KeyPath], keys: list[str | None]) -> None:
    first: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            reader.add(
                path_of(index),
                "duplicate",
                value=repr(key),
                first=line_of(reader.lines, path_of(first[key])),
            )
        else:
            first[key] = index


def _read_audiences(reader: _Reader, data: Mapping[str, Any]) -> list[Audience]:
    audiences: list[Audience] = []
    keys: list[str | None] = []
    for index, table in enumerate(reader.tables(data, "audiences")):
        here: KeyPath = ("audiences", index)
        reader.known_keys(table, here, ("key", "label"))
        key = reader.text(
            table, here, "key", required=True, validator=v.slug, attribute=_field(Audience, "key")
        )
        label = reader.text(
            table,
            here,
            "label",
            required=True,
            validator=v.single_line,
            attribute=_field(Audience, "label"),
        )
        keys.append(key)
        if key is not None and label is not None:
            audiences.append(Audience(key, label))
    _unique(reader, lambda index: ("audiences", index, "key"), keys)
    return audiences


def _field(cls: type, name: str) -> attrs.Attribute[Any]:
    return getattr(attrs.fields(cls), name)  # type: ignore[no-any-return]


def _named(name: str) -> attrs.Attribute[Any]:
    """Something a shared validator can name in its message (it reads only ``.name``)."""
    return cast("attrs.Attribute[Any]", SimpleNamespace(name=name))


def _read_sessions(
    reader: _Reader, data: Mapping[str, Any], tz: str, audience_keys: set[str]
) -> list[Session | None]:
    tables = reader.tables(data, "sessions")
    if not data.get("sessions"):
        reader.add(("sessions",), "no-sessions")
    sessions: list[Session | None] = []
    keys: list[str | None] = []
    for index, table in enumerate(tables):
        session, key = _read_session(reader, table, ("sessions", index), tz, audience_keys)
        sessions.append(session)
        keys.append(key)
    _unique(reader, lambda index: ("sessions", index, "key"), keys)
    return sessions


def _read_session(
    reader: _Reader,
    table: Mapping[str, Any],
    here: KeyPath,
    tz: str,
    audience_keys: set[str],
) -> tuple[Session | None, str | None]:
    before = len(reader.problems)
    reader.known_keys(table, here, _SESSION)
    key = reader.text(
        table, here, "key", required=True, validator=v.slug, attribute=_field(Session, "key")
    )
    title = reader.text(
        table,
        here,
        "title",
        required=True,
        validator=v.single_line,
        attribute=_field(Session, "title"),
    )
    start = reader.instant(table, here, "start", tz, kind="moment", required=True)
    end = reader.instant(table, here, "end", tz, kind="moment", required=True)
    online_link = reader.text(
        table, here, "online_link", validator=v.web_link, attribute=_field(Session, "online_link")
    )
    place = reader.text(
        table, here, "place", validator=v.single_line, attribute=_field(Session, "place")
    )
    audiences = reader.text_list(table, here, "audiences") or []
    for number, audience in enumerate(audiences):
        where = (*here, "audiences", number)
        if reader.check(where, v.slug, _field(Audience, "key"), audience) and (
            audience_keys and audience not in audience_keys
        ):
            reader.add(where, "undefined-audience", value=repr(audience))
    capacity = reader.integer(table, here, "capacity")
    max_group_size = reader.integer(table, here, "max_group_size")
    opens = reader.instant(table, here, "registration_opens", tz, kind="opens")
    closes = reader.instant(table, here, "registration_closes", tz, kind="deadline")
    change_deadline = reader.instant(table, here, "change_deadline", tz, kind="deadline")
    policy_name = reader.text(table, here, "waiting_list")
    policy = WaitingListPolicy.AUTOMATIC
    if policy_name is not None:
        if policy_name in _WAITING_LIST:
            policy = _WAITING_LIST[policy_name]
        else:
            reader.add(
                (*here, "waiting_list"),
                "choice",
                choices=", ".join(_WAITING_LIST),
                value=repr(policy_name),
            )
    hours = reader.value(table, here, "offer_period_hours", (int, float), "number")
    if hours is not None and hours <= 0:
        reader.add((*here, "offer_period_hours"), "positive")
    consent_required = reader.value(table, here, "consent_required", bool, "boolean")
    cancelled = reader.value(table, here, "cancelled", bool, "boolean")
    guardian = reader.value(table, here, "guardian_consent_below", int, "number")
    if reader.failed_since(before):
        return None, key
    assert key is not None
    assert title is not None
    assert start is not None
    assert end is not None
    try:
        session = Session(
            key,
            title,
            start,
            end,
            online_link=online_link,
            place=place,
            audiences=frozenset(audiences),
            capacity=capacity,
            max_group_size=max_group_size,
            registration_opens=opens,
            registration_closes=closes,
            change_deadline=change_deadline,
            waiting_list=policy,
            offer_period=timedelta(hours=hours) if hours is not None else timedelta(hours=48),
            consent_required=True if consent_required is None else consent_required,
            cancelled=bool(cancelled),
            **({} if guardian is None else {"guardian_consent_below": guardian}),
        )
    except InvalidInputError as error:
        reader.add(here, "session", value=repr(key), detail=error)
        return None, key
    return session, key


def _read_event(
    reader: _Reader,
    table: Mapping[str, Any],
    tz: str,
    audiences: list[Audience],
    sessions: list[Session | None],
) -> Event | None:
    here: KeyPath = ("event",)
    before = len(reader.problems)
    key = reader.text(
        table, here, "key", required=True, validator=v.slug, attribute=_field(Event, "key")
    )
    title = reader.text(
        table,
        here,
        "title",
        required=True,
        validator=v.single_line,
        attribute=_field(Event, "title"),
    )
    organiser = reader.text(
        table,
        here,
        "organiser",
        required=True,
        validator=v.single_line,
        attribute=_field(Event, "organiser"),
    )
    purpose = reader.value(table, here, "purpose", str, "text")
    if purpose is not None:
        reader.check((*here, "purpose"), v.multi_line, _field(Event, "purpose"), purpose)
    consent_version = reader.text(
        table,
        here,
        "consent_version",
        validator=v.single_line,
        attribute=_field(Event, "consent_version"),
    )
    questions = reader.text_list(table, here, "central_questions") or []
    for number, question in enumerate(questions):
        reader.check(
            (*here, "central_questions", number), v.multi_line, _named("central question"), question
        )
    help_desk = _read_help_desk(reader, table)
    retention_days = reader.value(table, here, "retention_days", int, "number")
    if retention_days is not None and retention_days <= 0:
        reader.add((*here, "retention_days"), "positive")
    if reader.failed_since(before) or None in sessions:
        return None
    assert key is not None
    assert title is not None
    assert organiser is not None
    assert help_desk is not None
    try:
        return Event(
            key=key,
            title=title,
            organiser=organiser,
            help_desk=help_desk,
            purpose=(purpose or "").strip(),
            timezone=tz,
            audiences=audiences,
            central_questions=[question.strip() for question in questions],
            sessions=[session for session in sessions if session is not None],
            consent_version=consent_version,
            retention=None if retention_days is None else timedelta(days=retention_days),
        )
    except InvalidInputError as error:  # pragma: no cover - every field was checked above
        reader.add(here, "event", detail=error)
        return None


def _read_help_desk(reader: _Reader, event_table: Mapping[str, Any]) -> HelpDesk | None:
    here: KeyPath = ("event", "help_desk")
    table = reader.table(event_table, ("event",), "help_desk", required=True)
    if table is None:
        return None
    reader.known_keys(table, here, ("email", "phone"))
    email = reader.text(table, here, "email", required=True)
    phone = reader.text(
        table, here, "phone", validator=v.phone, attribute=_field(HelpDesk, "phone")
    )
    if email is None:
        return None
    try:
        return HelpDesk(email=email, phone=phone)
    except InvalidInputError as error:
        reader.add((*here, "email"), "invalid", detail=error)
        return None


def _read_store(reader: _Reader, data: Mapping[str, Any], path: Path | None) -> str | None:
    table = reader.table(data, (), "store")
    if table is None:
        return None
    reader.known_keys(table, ("store",), ("url",))
    url = reader.text(table, ("store",), "url")
    if url is None:
        return None
    if not _STORE_URL.match(url) or v.has_control_characters(url):
        reader.add(("store", "url"), "store-url", value=repr(url))
        return None
    return _resolve_sqlite(url, path)


def _resolve_sqlite(url: str, path: Path | None) -> str:
    prefix = "sqlite:///"
    rest = url[len(prefix) :]
    if path is None or not url.startswith(prefix) or not rest or rest.startswith("/"):
        return url
    if rest == ":memory:":
        return url
    return prefix + str((path.parent / rest).resolve())


def _read_channels(
    reader: _Reader, data: Mapping[str, Any], plugins: Plugins | None
) -> ChannelSettings:
    table = reader.table(data, (), "channels")
    if table is None:
        return ChannelSettings()
    here: KeyPath = ("channels",)
    try:
        available = sorted((plugins or get_plugins()).channel_factories())
    except PluginError as error:
        reader.add(here, "invalid", detail=error)
        return ChannelSettings()
    enabled = reader.text_list(table, here, "enabled") or []
    for number, name in enumerate(enabled):
        if name not in available:
            reader.add(
                (*here, "enabled", number),
                "channel",
                value=repr(name),
                available=", ".join(available) or "-",
            )
    options: dict[str, dict[str, Any]] = {}
    for name, value in table.items():
        if name == "enabled":
            continue
        if name not in available:
            reader.add(
                (*here, name), "channel", value=repr(name), available=", ".join(available) or "-"
            )
        elif not isinstance(value, dict):
            reader.add((*here, name), "type", expected="table", got=_type_of(value))
        else:
            options[name] = value
    return ChannelSettings(enabled=tuple(enabled), options=options)


def _read_messages(
    reader: _Reader, data: Mapping[str, Any]
) -> dict[str, dict[str, MessageTemplate]]:
    table = reader.table(data, (), "messages")
    messages: dict[str, dict[str, MessageTemplate]] = {}
    if table is None:
        return messages
    for language, kinds in table.items():
        here: KeyPath = ("messages", language)
        if language not in _LANGUAGES:
            reader.add(here, "language", value=repr(language))
            continue
        if not isinstance(kinds, dict):
            reader.add(here, "type", expected="table", got=_type_of(kinds))
            continue
        for kind, template in kinds.items():
            where = (*here, kind)
            if not _KIND.match(kind):
                reader.add(where, "kind", value=repr(kind))
                continue
            if not isinstance(template, dict):
                reader.add(where, "type", expected="table", got=_type_of(template))
                continue
            reader.known_keys(template, where, ("subject", "body"))
            subject = reader.text(
                template, where, "subject", validator=v.single_line, attribute=_named("subject")
            )
            body = reader.value(template, where, "body", str, "text")
            if body is not None:
                reader.check((*where, "body"), v.multi_line, _named("body"), body)
            for name, text in (("subject", subject), ("body", body)):
                if text is not None:
                    _check_placeholders(reader, (*where, name), text)
            messages.setdefault(language, {})[kind] = MessageTemplate(subject=subject, body=body)
    return messages


def _check_placeholders(reader: _Reader, where: KeyPath, text: str) -> None:
    try:
        fields = [field for _literal, field, _spec, _conv in string.Formatter().parse(text)]
    except ValueError as error:
        reader.add(where, "template", detail=error)
        return
    for field in fields:
        if field is None:
            continue
        if not field.isidentifier():
            # {0}, {} and {x.attr} / {x[0]} are refused: a message template
            # must not reach into the objects it is filled from.
            reader.add(where, "placeholder-form", value=repr("{" + field + "}"))
        elif field not in PLACEHOLDERS:
            reader.add(where, "placeholder", value=field, known=", ".join(sorted(PLACEHOLDERS)))


def _read_import(
    reader: _Reader,
    data: Mapping[str, Any],
    audience_keys: set[str],
    session_keys: set[str],
) -> ImportSettings:
    table = reader.table(data, (), "import")
    if table is None:
        return ImportSettings()
    here: KeyPath = ("import",)
    reader.known_keys(table, here, _IMPORT)
    columns = _text_table(reader, table, here, "columns")
    reader.known_keys(columns, (*here, "columns"), IMPORT_FIELDS)
    audiences = _text_table(reader, table, here, "audiences")
    for value, key in audiences.items():
        if audience_keys and key not in audience_keys:
            reader.add((*here, "audiences", value), "undefined-audience", value=repr(key))
    sessions = _text_table(reader, table, here, "sessions")
    for value, key in sessions.items():
        if key not in session_keys:
            reader.add((*here, "sessions", value), "undefined-session", value=repr(key))
    consent_yes = reader.text_list(table, here, "consent_yes") or []
    submitted_at_format = reader.text(table, here, "submitted_at_format")
    delimiter = reader.value(table, here, "delimiter", str, "text")
    if delimiter is not None and len(delimiter) != 1:
        reader.add((*here, "delimiter"), "delimiter")
        delimiter = None
    encoding = reader.text(table, here, "encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            reader.add((*here, "encoding"), "encoding", value=repr(encoding))
            encoding = None
    sheet = reader.text(table, here, "sheet")
    return ImportSettings(
        columns={key: value for key, value in columns.items() if key in IMPORT_FIELDS},
        audiences=audiences,
        sessions=sessions,
        consent_yes=tuple(consent_yes),
        submitted_at_format=submitted_at_format,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
    )


def _text_table(
    reader: _Reader, parent: Mapping[str, Any], path: KeyPath, key: str
) -> dict[str, str]:
    table = reader.table(parent, path, key)
    if table is None:
        return {}
    out: dict[str, str] = {}
    for name, value in table.items():
        if not isinstance(value, str):
            reader.add((*path, key, name), "type", expected="text", got=_type_of(value))
        elif not value.strip():
            reader.add((*path, key, name), "empty")
        else:
            out[name] = value
    return out
