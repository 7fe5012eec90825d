"""Importing registrations from the export of a registration form.

An import is planned before anything is stored. :func:`plan_import` reads
every row of a :class:`~participatie.tabular.Table` and decides what it would
be: **added** (with the state it would get: a place or the waiting list), a
**duplicate** (the same person and session earlier in the file, or already
stored), or **refused**, with the reason (invalid e-mail address, no consent,
not eligible, after the deadline, ...). The organiser reads that plan (the
command line's dry run); :meth:`ImportPlan.apply` then stores it whole, one
bulk transaction per session through
:meth:`participatie.Participatie.register_submitted`, or refuses to store
anything while rows are refused (unless told to leave those out).

Rows are judged at the time they were *submitted* (the form's timestamp
column), not at the time of the import, and stored in order of submission, so
the waiting list follows the order in which people registered. Importing the
same file again adds nothing: every row is then a duplicate.

Which column holds what comes from the event file's ``[import.columns]``, from
the caller (``--column`` on the command line), or is recognised from common
Dutch and English headers (``Naam``, ``E-mailadres``, ``Toestemming``,
``Tijdstempel`` …).
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

import attrs

from participatie import rules
from participatie._facade import Participatie
from participatie._validate import normalise_email
from participatie.datetext import parse_datetime
from participatie.event_file import IMPORT_FIELDS, ImportSettings
from participatie.exceptions import (
    AmbiguousTimeError,
    ColumnMappingError,
    ConsentRequiredError,
    ImportRefusedError,
    InvalidInputError,
    NotEligibleError,
    ParticipatieError,
    RegistrationClosedError,
    RegistrationNotOpenError,
    SessionFullError,
)
from participatie.localtime import local_datetime
from participatie.model import Consent, Event, Person, Registration, RegistrationState, Session
from participatie.tabular import Row, Table

__all__ = [
    "DEFAULT_AUDIENCE",
    "REASONS",
    "ImportPlan",
    "ImportResult",
    "PlannedRow",
    "RowStatus",
    "plan_import",
    "read_timestamp",
    "resolve_columns",
]

#: The audience given to people when the event defines no audiences.
DEFAULT_AUDIENCE: Final = "participant"

#: The consent text version recorded when the event names none.
_FORM_CONSENT: Final = "form"

# Headers recognised without a mapping, compared after _key(): lower case,
# without accents, spaces or punctuation. Exact matches first; then a header
# that merely contains a keyword, if exactly one header does.
_HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "name": (
        "naam",
        "name",
        "volledigenaam",
        "fullname",
        "uwnaam",
        "yourname",
        "voorenachternaam",
        "naamdeelnemer",
        "deelnemer",
    ),
    "first_name": ("voornaam", "firstname", "givenname", "roepnaam"),
    "infix": ("tussenvoegsel", "tussenvoegsels", "infix"),
    "last_name": ("achternaam", "lastname", "surname", "familienaam", "familyname"),
    "email": (
        "email",
        "emailadres",
        "emailaddress",
        "mail",
        "mailadres",
        "uwemailadres",
        "youremailaddress",
        "emailadresdeelnemer",
    ),
    "audience": ("doelgroep", "audience", "ikben", "iam", "rol", "role", "categorie", "category"),
    "organisation": (
        "organisatie",
        "organisation",
        "organization",
        "clientenraad",
        "namensorganisatie",
        "werkgever",
        "employer",
    ),
    "phone": (
        "telefoon",
        "telefoonnummer",
        "telefoonnr",
        "phone",
        "phonenumber",
        "mobiel",
        "mobielnummer",
        "mobile",
    ),
    "language": ("taal", "language", "voorkeurstaal"),
    "consent": ("toestemming", "consent", "akkoord", "privacy", "avg", "gdpr"),
    "session": ("sessie", "session", "sessies", "sessions", "bijeenkomst", "welkesessie"),
    "submitted_at": (
        "tijdstempel",
        "timestamp",
        "ingediendop",
        "submittedat",
        "submitted",
        "voltooiingstijd",
        "completiontime",
        "ingevuldop",
        "verzonden",
    ),
}
# Keywords for headers that are whole questions ("Ik geef toestemming voor …").
# The order matters: a header "Naam organisatie" is the organisation's.
_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("email", ("email", "mailadres")),
    ("consent", ("toestemming", "consent", "akkoord", "privacy")),
    ("organisation", ("organisatie", "organisation", "organization", "clientenraad")),
    ("phone", ("telefoon", "phone")),
    ("submitted_at", ("tijdstempel", "timestamp")),
    ("session", ("sessie", "session")),
    ("audience", ("doelgroep", "audience")),
    ("name", ("naam", "name")),
)

_YES: Final = frozenset(
    {
        "ja",
        "j",
        "yes",
        "y",
        "true",
        "waar",
        "1",
        "x",
        "v",
        "akkoord",
        "ikgaakkoord",
        "agree",
        "iagree",
        "ikgeeftoestemming",
        "toestemming",
        "checked",
        "aangevinkt",
        "✓",
        "✔",
    }
)
_LANGUAGE_VALUES: Final = {
    "nl": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "engels": "en",
    "english": "en",
}
_MULTI_SEPARATORS: Final = (";", ",", "|", "\n")
_PHONE_OK: Final = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$").match  # as Person checks it


@functools.lru_cache(maxsize=4096)  # answers repeat on every row: "Ja", "Cliënt", "ochtend"
def _key(text: str) -> str:
    """A header or answer reduced for comparison: lower case, no accents, letters and digits."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


# --- columns ---------------------------------------------------------------------


def resolve_columns(headers: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int]:
    """Which column (index) holds each field: the mapping first, then common headers.

    A mapped header that is not in the file raises
    :class:`~participatie.exceptions.ColumnMappingError` naming the headers
    the file does have; so does a file without an e-mail or a name column.
    """
    keys = [_key(header) for header in headers]
    found: dict[str, int] = {}
    for field, header in mapping.items():
        if field not in IMPORT_FIELDS:
            raise ColumnMappingError(
                f"unknown field {field!r}; the fields are: {', '.join(IMPORT_FIELDS)}"
            )
        wanted = _key(header)
        if wanted not in keys:
            raise ColumnMappingError(
                f"the column {header!r} (for {field}) is not in the file; its columns are: "
                + ", ".join(repr(h) for h in headers)
            )
        found[field] = keys.index(wanted)
    taken = set(found.values())
    for field, synonyms in _HEADERS.items():
        if field in found:
            continue
        for index, key in enumerate(keys):
            if index not in taken and key in synonyms:
                found[field] = index
                taken.add(index)
                break
    for field, words in _KEYWORDS:
        if field in found:
            continue
        matches = [
            index
            for index, key in enumerate(keys)
            if index not in taken and any(word in key for word in words)
        ]
        if len(matches) == 1:
            found[field] = matches[0]
            taken.add(matches[0])
    if "email" not in found:
        raise ColumnMappingError(
            "no column with e-mail addresses was found; name it with --column email=HEADER "
            "or under [import.columns]; the columns are: " + ", ".join(repr(h) for h in headers)
        )
    if "name" not in found and not ({"first_name", "last_name"} & set(found)):
        raise ColumnMappingError(
            "no column with names was found; name it with --column name=HEADER (or "
            "first_name= and last_name=); the columns are: " + ", ".join(repr(h) for h in headers)
        )
    return found


# --- the plan --------------------------------------------------------------------


class RowStatus(enum.Enum):
    """What an import does with a row."""

    ADD = "add"
    DUPLICATE = "duplicate"
    REFUSED = "refused"


#: Texts for reasons and notes, by code and language; ``{detail}`` etc. are params.
REASONS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "missing-email": "no e-mail address",
        "invalid-email": "invalid e-mail address {value}",
        "missing-name": "no name",
        "missing-consent": "no consent",
        "consent-unclear": "consent answer {value} not understood (add it to consent_yes)",
        "not-eligible": "not eligible: {detail}",
        "after-deadline": "after the deadline: {detail}",
        "not-open": "before registration opened: {detail}",
        "full": "session full: {detail}",
        "unknown-audience": "audience {value} not recognised",
        "unknown-session": "session {value} not recognised",
        "no-session": "no session chosen",
        "bad-time": "submission time {value} cannot be read",
        "future": "submitted after the current time ({value})",
        "invalid": "invalid: {detail}",
        "refused": "{detail}",
        "in-file": "same person and session as line {line}",
        "stored": "already registered (#{id}, {state})",
        "phone-dropped": "phone number {value} not understood, left out",
        "language-default": "language {value} not understood, Dutch used",
        "ambiguous-time": "{value} happened twice (clocks went back); the first was taken",
    },
    "nl": {
        "missing-email": "geen e-mailadres",
        "invalid-email": "ongeldig e-mailadres {value}",
        "missing-name": "geen naam",
        "missing-consent": "geen toestemming",
        "consent-unclear": "toestemming {value} niet begrepen (zet het antwoord bij consent_yes)",
        "not-eligible": "niet voor deze doelgroep: {detail}",
        "after-deadline": "na de aanmelddeadline: {detail}",
        "not-open": "voordat de aanmelding openging: {detail}",
        "full": "sessie vol: {detail}",
        "unknown-audience": "doelgroep {value} niet herkend",
        "unknown-session": "sessie {value} niet herkend",
        "no-session": "geen sessie gekozen",
        "bad-time": "tijdstip van aanmelden {value} is onleesbaar",
        "future": "aangemeld na het huidige tijdstip ({value})",
        "invalid": "ongeldig: {detail}",
        "refused": "{detail}",
        "in-file": "zelfde persoon en sessie als regel {line}",
        "stored": "al aangemeld (#{id}, {state})",
        "phone-dropped": "telefoonnummer {value} niet begrepen, weggelaten",
        "language-default": "taal {value} niet begrepen, Nederlands gebruikt",
        "ambiguous-time": "{value} kwam twee keer voor (klok ging terug); de eerste is genomen",
    },
}

_RULE_REASONS: Final[tuple[tuple[type[ParticipatieError], str], ...]] = (
    (RegistrationNotOpenError, "not-open"),
    (RegistrationClosedError, "after-deadline"),
    (NotEligibleError, "not-eligible"),
    (ConsentRequiredError, "missing-consent"),
    (SessionFullError, "full"),
)


def reason_code(error: ParticipatieError) -> str:
    """The reason code for a rule's refusal."""
    for kind, code in _RULE_REASONS:
        if isinstance(error, kind):
            return code
    return "refused"


def describe(code: str, params: Iterable[tuple[str, str]], language: str = "en") -> str:
    """A reason or note in words."""
    texts = REASONS.get(language, REASONS["en"])
    return texts[code].format(**dict(params))


@attrs.frozen
class PlannedRow:
    """What the import does with one row (for one session).

    Attributes:
        line: The row's line in the file.
        status: Added, duplicate or refused.
        session_key: The session, when it could be told.
        person: The person, when the row gives a valid one.
        consent: The consent recorded with the registration.
        submitted_at: When the row was submitted (the import's time without
            a timestamp column).
        state: For an added row, the state it would get.
        reason: For a duplicate or refused row, why (a code: see :data:`REASONS`).
        params: The values the reason's text is built from.
        notes: Codes and params of things changed on the way (a phone number
            left out).
        name: The name as written in the row (also when the row is refused).
        email: The e-mail address as written in the row.
    """

    line: int
    status: RowStatus
    session_key: str | None = None
    person: Person | None = None
    consent: Consent | None = None
    submitted_at: datetime | None = None
    state: RegistrationState | None = None
    reason: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    name: str = ""
    email: str = ""

    def why(self, language: str = "en") -> str:
        """The reason in words (empty for an added row)."""
        return "" if self.reason is None else describe(self.reason, self.params, language)


@attrs.frozen
class ImportResult:
    """What :meth:`ImportPlan.apply` stored.

    Attributes:
        registrations: The new registrations, per session in the plan's order.
        refused: Rows the store refused although the plan accepted them (the
            data changed in between, e.g. someone registered by hand); each
            with its error.
    """

    registrations: tuple[Registration, ...]
    refused: tuple[tuple[PlannedRow, ParticipatieError], ...]


@attrs.frozen
class ImportPlan:
    """Everything an import would do, decided before anything is stored.

    Attributes:
        event: The event imported into.
        source: The file's name.
        columns: Our field to the header it is read from.
        rows: Every planned row, in the order they would be stored.
        now: When the plan was made.
    """

    event: Event
    source: str
    columns: Mapping[str, str]
    rows: tuple[PlannedRow, ...]
    now: datetime

    def _with(self, status: RowStatus) -> list[PlannedRow]:
        return sorted((row for row in self.rows if row.status is status), key=_by_line)

    @property
    def to_add(self) -> list[PlannedRow]:
        """Rows that would be registered, by line."""
        return self._with(RowStatus.ADD)

    @property
    def duplicates(self) -> list[PlannedRow]:
        """Rows left out as duplicates, by line."""
        return self._with(RowStatus.DUPLICATE)

    @property
    def refused(self) -> list[PlannedRow]:
        """Rows refused, with their reasons, by line."""
        return self._with(RowStatus.REFUSED)

    def apply(self, app: Participatie, *, skip_refused: bool = False) -> ImportResult:
        """Store the rows to add, one transaction per session.

        While any row is refused nothing is stored and
        :class:`~participatie.exceptions.ImportRefusedError` is raised, unless
        ``skip_refused`` says to store the others and leave those out. Every
        row is checked again by the rules as it is stored.
        """
        refused = self.refused
        if refused and not skip_refused:
            raise ImportRefusedError(
                f"{len(refused)} row(s) of {self.source} are refused, so nothing was imported; "
                "fix them, or leave them out explicitly",
                refused=len(refused),
            )
        registrations: list[Registration] = []
        problems: list[tuple[PlannedRow, ParticipatieError]] = []
        for session in self.event.sessions:
            rows = [
                row
                for row in self.rows
                if row.status is RowStatus.ADD and row.session_key == session.key
            ]
            if not rows:
                continue
            entries = []
            for row in rows:
                assert row.person is not None
                assert row.submitted_at is not None
                entries.append((row.person, row.consent, row.submitted_at))
            result = app.register_submitted(self.event.key, session.key, entries)
            registrations += result.registrations
            problems += [(rows[index], error) for index, error in result.refused]
        return ImportResult(tuple(registrations), tuple(problems))


def _by_line(row: PlannedRow) -> tuple[int, str]:
    return (row.line, row.session_key or "")


class _Planner:
    """Turns rows into planned rows; holds the lookups built once per import."""

    def __init__(
        self,
        app: Participatie,
        event: Event,
        columns: dict[str, int],
        settings: ImportSettings,
        session_key: str | None,
        audience: str | None,
    ) -> None:
        self.app = app
        self.event = event
        self.columns = columns
        self.settings = settings
        self.now = app.now()
        self.fixed_session = session_key
        self.fixed_audience = audience
        self.yes = _YES | {_key(answer) for answer in settings.consent_yes}
        self.audiences = self._audience_lookup()
        self.sessions = self._session_lookup()
        self.stored: dict[str, dict[str, list[Registration]]] = {}
        self.counts: dict[str, tuple[int, int]] = {}
        for session in event.sessions:
            by_email: dict[str, list[Registration]] = {}
            for registration in app.registrations(event.key, session.key):
                by_email.setdefault(registration.person.email, []).append(registration)
            self.stored[session.key] = by_email
            places = app.places(event.key, session.key)
            self.counts[session.key] = (places.taken, places.waiting)
        self.first_line: dict[tuple[str, str], int] = {}
        self.submitted: dict[int, datetime | None] = {}
        self.ambiguous: set[str] = set()

    def _audience_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for audience in self.event.audiences:
            lookup[_key(audience.key)] = audience.key
            lookup[_key(audience.label)] = audience.key
        for answer, key in self.settings.audiences.items():
            lookup[_key(answer)] = key
        return lookup

    def _session_lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for session in self.event.sessions:
            lookup[_key(session.key)] = session.key
            lookup[_key(session.title)] = session.key
        for answer, key in self.settings.sessions.items():
            lookup[_key(answer)] = key
        return lookup

    def cell(self, row: Row, field: str) -> str:
        index = self.columns.get(field)
        return "" if index is None else row.values[index]

    # --- per row -------------------------------------------------------------

    def submitted_at(self, row: Row) -> datetime | None:
        """When the row was submitted (now without a timestamp column); ``None`` if unreadable."""
        if "submitted_at" not in self.columns:
            return self.now
        if row.line not in self.submitted:
            self.submitted[row.line] = self._read_time(self.cell(row, "submitted_at"))
        return self.submitted[row.line]

    def _read_time(self, text: str) -> datetime | None:
        if not text:
            return None
        try:
            return self._read_time_in(text, None)
        except AmbiguousTimeError:
            # The hour the clocks go back happens twice, and the form did not
            # say which: take the first. Registration rules are not decided
            # at 02:30 on a Sunday night, and the organiser cannot tell either.
            self.ambiguous.add(text)
            return self._read_time_in(text, 0)
        except (ValueError, InvalidInputError):
            return None

    def _read_time_in(self, text: str, fold: int | None) -> datetime | None:
        try:
            if self.settings.submitted_at_format is not None:
                wall = datetime.strptime(text, self.settings.submitted_at_format)  # noqa: DTZ007
                if wall.tzinfo is not None:
                    return wall
                return local_datetime(wall, self.event.timezone, fold=fold)
            return read_timestamp(text, self.event.timezone, fold=fold)
        except AmbiguousTimeError:
            raise
        except (ValueError, InvalidInputError):
            return None

    def session_keys(self, row: Row) -> list[str] | tuple[str, str]:
        """The sessions a row chooses, or ``(reason, value)`` if they cannot be told."""
        if self.fixed_session is not None:
            return [self.fixed_session]
        if "session" not in self.columns:
            return [self.event.sessions[0].key]
        text = self.cell(row, "session")
        if not text:
            return ("no-session", "")
        whole = self.sessions.get(_key(text))
        if whole is not None:
            return [whole]
        for separator in _MULTI_SEPARATORS:
            parts = [part.strip() for part in text.split(separator) if part.strip()]
            if len(parts) > 1 and all(_key(part) in self.sessions for part in parts):
                return list(dict.fromkeys(self.sessions[_key(part)] for part in parts))
        return ("unknown-session", text)

    def audience(self, row: Row) -> str | None:
        if self.fixed_audience is not None:
            return self.fixed_audience
        if not self.event.audiences:
            return DEFAULT_AUDIENCE
        if "audience" not in self.columns:
            return self.event.audiences[0].key if len(self.event.audiences) == 1 else None
        return self.audiences.get(_key(self.cell(row, "audience")))

    def name(self, row: Row) -> str:
        if "name" in self.columns:
            return self.cell(row, "name")
        parts = (self.cell(row, field) for field in ("first_name", "infix", "last_name"))
        return " ".join(part for part in parts if part)

    def consent_given(self, row: Row) -> bool | None:
        """True, False (empty or a clear no), or None when the answer is not understood."""
        answer = _key(self.cell(row, "consent"))
        if not answer or answer in {"nee", "n", "no", "false", "onwaar", "0"}:
            return False
        if answer in self.yes:
            return True
        return None

    def plan(self, row: Row) -> list[PlannedRow]:
        refuse = _refuser(row.line, self.name(row), self.cell(row, "email"))
        chosen = self.session_keys(row)
        if isinstance(chosen, tuple):
            reason, value = chosen
            return [refuse(reason, value=repr(value))]
        submitted = self.submitted_at(row)
        if submitted is None:
            value = repr(self.cell(row, "submitted_at"))
            return [refuse("bad-time", key, value=value) for key in chosen]
        notes: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        if self.cell(row, "submitted_at") in self.ambiguous:
            notes.append(("ambiguous-time", (("value", repr(self.cell(row, "submitted_at"))),)))
        person = self.person(row, notes)
        if isinstance(person, tuple):
            reason, value = person
            return [refuse(reason, key, value=repr(value)) for key in chosen]
        if submitted > self.now:
            when = rules.local_text(submitted, self.event)
            return [refuse("future", key, person=person, value=when) for key in chosen]
        if "consent" in self.columns and self.consent_given(row) is None:
            value = repr(self.cell(row, "consent"))
            return [refuse("consent-unclear", key, person=person, value=value) for key in chosen]
        consent = self.consent(row, submitted)
        return [
            self.plan_session(row, self.event.session(key), person, consent, submitted, notes)
            for key in chosen
        ]

    def person(
        self, row: Row, notes: list[tuple[str, tuple[tuple[str, str], ...]]]
    ) -> Person | tuple[str, str]:
        """The row's person, or ``(reason, value)`` when the row does not give a valid one."""
        email = self.cell(row, "email")
        if not email:
            return ("missing-email", "")
        try:
            normalise_email(email)
        except InvalidInputError:
            return ("invalid-email", email)
        name = self.name(row)
        if not name:
            return ("missing-name", "")
        audience = self.audience(row)
        if audience is None:
            return ("unknown-audience", self.cell(row, "audience"))
        language_text = self.cell(row, "language")
        language = _LANGUAGE_VALUES.get(_key(language_text), "nl")
        if language_text and _key(language_text) not in _LANGUAGE_VALUES:
            notes.append(("language-default", (("value", repr(language_text)),)))
        organisation = self.cell(row, "organisation") or None
        phone = self.cell(row, "phone") or None
        if phone is not None and not _PHONE_OK(phone):
            notes.append(("phone-dropped", (("value", repr(phone)),)))
            phone = None
        try:
            return Person(
                name, email, audience, organisation=organisation, phone=phone, language=language
            )
        except InvalidInputError as error:
            return ("invalid", str(error))

    def consent(self, row: Row, submitted: datetime) -> Consent | None:
        if "consent" not in self.columns or not self.consent_given(row):
            return None
        return Consent(self.event.consent_version or _FORM_CONSENT, submitted)

    def plan_session(
        self,
        row: Row,
        session: Session,
        person: Person,
        consent: Consent | None,
        submitted: datetime,
        notes: list[tuple[str, tuple[tuple[str, str], ...]]],
    ) -> PlannedRow:
        base = PlannedRow(
            row.line,
            RowStatus.REFUSED,
            session.key,
            person,
            consent,
            submitted,
            notes=tuple(notes),
            name=person.name,
            email=person.email,
        )
        if self.now >= session.start:
            started = f"{session.title!r} started at {rules.local_text(session.start, self.event)}"
            return attrs.evolve(base, reason="after-deadline", params=(("detail", started),))
        try:
            rules.check_can_register(self.event, session, person, consent, submitted)
        except ParticipatieError as error:
            return attrs.evolve(base, reason=reason_code(error), params=(("detail", str(error)),))
        earlier = self.first_line.get((person.email, session.key))
        if earlier is not None:
            return attrs.evolve(
                base, status=RowStatus.DUPLICATE, reason="in-file", params=(("line", str(earlier)),)
            )
        known = self.stored[session.key].get(person.email, [])
        duplicate = self.stored_duplicate(known, submitted)
        if duplicate is not None:
            return attrs.evolve(
                base,
                status=RowStatus.DUPLICATE,
                reason="stored",
                params=(("id", str(duplicate.id)), ("state", duplicate.state.value)),
            )
        taken, waiting = self.counts[session.key]
        try:
            state = rules.initial_state(
                session, places_taken=taken, waiting=waiting, already_active=False, who=person.name
            )
        except SessionFullError as error:
            return attrs.evolve(base, reason="full", params=(("detail", str(error)),))
        if state is RegistrationState.REGISTERED:
            taken += 1
        else:
            waiting += 1
        self.counts[session.key] = (taken, waiting)
        self.first_line[(person.email, session.key)] = row.line
        return attrs.evolve(base, status=RowStatus.ADD, state=state)

    def stored_duplicate(
        self, known: list[Registration], submitted: datetime
    ) -> Registration | None:
        """The stored registration this row repeats, if any.

        An active registration always makes the row a duplicate. A finished
        one (cancelled, declined, expired) does too, unless the row was
        submitted after it finished: then the person registered again.
        Without a timestamp column every earlier registration counts.
        """
        for registration in known:
            if registration.state.is_active:
                return registration
        if not known:
            return None
        if "submitted_at" not in self.columns:
            return known[-1]
        latest = max(known, key=lambda registration: registration.updated_at)
        return latest if latest.updated_at >= submitted else None


_ISO_TIMESTAMP: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?"
)
_DAY_FIRST_TIMESTAMP: Final = re.compile(
    r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})[ T](\d{1,2})[:.](\d{2})(?::(\d{2}))?"
)


def read_timestamp(text: str, tz: str, *, fold: int | None = None) -> datetime:
    """A form's timestamp as an aware datetime, as :func:`participatie.parse_datetime` reads it.

    Form tools write the same two or three shapes on every row (ISO
    ``2021-05-03 09:10:00``, or day first ``3-5-2021 09:10:00``); those are
    read directly, which is many times faster than the general reader of
    written dates, with the same result. Anything else goes to
    :func:`~participatie.parse_datetime`. ``fold`` picks one of the two
    instants of a time that happens twice, as there.
    """
    if _ISO_TIMESTAMP.fullmatch(text):
        instant = datetime.fromisoformat(text)
        if instant.tzinfo is not None:
            return instant
        return local_datetime(instant, tz, fold=fold)
    found = _DAY_FIRST_TIMESTAMP.fullmatch(text)
    if found is not None:
        day, _sep, month, year, hour, minute, second = found.groups()
        try:
            wall = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
            )
        except ValueError:
            pass  # e.g. a month-first date: let the general reader decide
        else:
            return local_datetime(wall, tz, fold=fold)
    return parse_datetime(text, tz, fold=fold)


def _refuser(line: int, name: str, email: str) -> Callable[..., PlannedRow]:
    def refuse(
        reason: str, session_key: str | None = None, *, person: Person | None = None, **params: str
    ) -> PlannedRow:
        return PlannedRow(
            line,
            RowStatus.REFUSED,
            session_key,
            person,
            reason=reason,
            params=tuple(params.items()),
            name=name,
            email=email,
        )

    return refuse


def plan_import(
    app: Participatie,
    event_key: str,
    table: Table,
    settings: ImportSettings | None = None,
    *,
    session: str | None = None,
    audience: str | None = None,
    progress: Callable[[Sequence[Row]], Iterable[Row]] | None = None,
) -> ImportPlan:
    """Plan the import of ``table`` into a stored event; nothing is stored.

    Args:
        app: Where the event and its registrations are stored.
        event_key: The event to import into.
        table: The export, read by :func:`participatie.tabular.read_table`.
        settings: Column mapping and answers (the event file's ``[import]``).
        session: Put every row in this session (no session column needed).
        audience: Give every row this audience (no audience column needed).
        progress: Wraps the rows while they are planned (a progress bar).

    Raises :class:`~participatie.exceptions.ColumnMappingError` when the
    columns do not give what is needed (e-mail, name, the session when the
    event has several, the audience when it has several, consent when a
    session asks for it).
    """
    settings = settings or ImportSettings()
    event = app.event(event_key)
    if session is not None:
        event.session(session)
    if (
        audience is not None
        and event.audiences
        and audience not in {a.key for a in event.audiences}
    ):
        raise ColumnMappingError(
            f"audience {audience!r} is not one of the event's: "
            + ", ".join(a.key for a in event.audiences)
        )
    columns = resolve_columns(table.headers, settings.columns)
    if session is None and "session" not in columns and len(event.sessions) > 1:
        raise ColumnMappingError(
            f"event {event.key!r} has {len(event.sessions)} sessions but the file has no session "
            "column; name it with --column session=HEADER, or import into one with --session"
        )
    if audience is None and "audience" not in columns and len(event.audiences) > 1:
        raise ColumnMappingError(
            "the file has no audience column and the event has several audiences; name the "
            "column with --column audience=HEADER, or give everyone one with --audience"
        )
    targets = [event.session(session)] if session is not None else list(event.sessions)
    if "consent" not in columns and any(s.consent_required for s in targets):
        raise ColumnMappingError(
            "the file has no consent column, and registration needs consent; name it with "
            "--column consent=HEADER"
        )
    planner = _Planner(app, event, columns, settings, session, audience)
    ordered: Sequence[Row] = table.rows
    if "submitted_at" in columns:
        # Planned and stored in the order people registered: that decides who
        # of two rows for the same person is the duplicate, who gets the last
        # places, and the order of the waiting list.
        ordered = sorted(
            table.rows, key=lambda row: (planner.submitted_at(row) or planner.now, row.line)
        )
    planned: list[PlannedRow] = []
    for row in ordered if progress is None else progress(ordered):
        planned += planner.plan(row)
    return ImportPlan(
        event=event,
        source=table.name,
        columns={
            field: table.headers[columns[field]] for field in IMPORT_FIELDS if field in columns
        },
        rows=tuple(planned),
        now=planner.now,
    )
