"""participatie's own privacy plugin: the core declarations and the files it writes.

Registered like any plugin (see :data:`participatie.DEFAULT_PLUGINS`), it

- declares every field the built-in backends store (SQLite tables and the
  values the memory store keeps) through ``participatie_personal_data``;
- erases people from the files participatie wrote on request (named group
  lists, Zoom room files, subject-access exports; recorded in the privacy
  log) through ``participatie_erase_person``, and removes an event's named
  exports when its retention is over (``participatie_purge_event``);
- tells a person, in their subject-access export, which recorded files hold
  their data and which privacy-log entries they requested.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from participatie.model import Event, Registration
from participatie.plugins import hookimpl
from participatie.privacy.erasure import Erased
from participatie.privacy.files import file_mentions, remove_file, remove_rows_with
from participatie.privacy.registry import DataKind, PersonalField, declare
from participatie.storage import Store

__all__ = ["CORE_FIELDS"]

P, S, N = DataKind.PERSONAL, DataKind.PSEUDONYMOUS, DataKind.NOT_PERSONAL

_TOMBSTONE = "moved to the tombstone, which keeps it"
_GONE = "deleted"
_PERSON_GONE = "deleted with the person's record"
_EVENT = "describes the event, not a person"
_HELP_DESK = (
    "the help desk's address (a shared function mailbox, not a person's; "
    "do not use a personal address)"
)

#: Every field the built-in backends store.
CORE_FIELDS: tuple[PersonalField, ...] = (
    # --- SQLite --------------------------------------------------------------
    *declare("events", N, _EVENT, "key", "saved_at"),
    PersonalField("events", "document", N, f"the event description as JSON; holds {_HELP_DESK}"),
    *declare("sessions", N, _EVENT, "event_key", "key"),
    *declare(
        "persons",
        P,
        "to address, recognise and reach the person",
        "email",
        "name",
        "organisation",
        "phone",
        "language",
        "age_category",
        on_erasure=_PERSON_GONE,
    ),
    PersonalField(
        "persons",
        "audience",
        P,
        "eligibility for sessions and counts per audience",
        "deleted with the person's record; the tombstone keeps the audience alone, "
        "so counts per audience stay right",
    ),
    PersonalField(
        "persons",
        "id",
        S,
        "links registrations, assignments and groups to the person",
        _PERSON_GONE + "; the tombstone gets a new id",
    ),
    *declare(
        "registrations",
        S,
        "the registration itself: place, waiting list, consent, attendance",
        "id",
        "event_key",
        "session_key",
        "state",
        "registered_at",
        "updated_at",
        "consent_version",
        "consent_given_at",
        "consent_given_by",
        "offer_expires_at",
        on_erasure="kept on the tombstone, so places, waiting-list order and counts stay right",
    ),
    PersonalField(
        "registrations",
        "person_id",
        S,
        "whose registration it is",
        "points to a new tombstone (no name, a random address, the audience only)",
    ),
    *declare(
        "registration_log",
        S,
        "the history of each registration (accountability, counts)",
        "id",
        "registration_id",
        "at",
        "previous",
        "state",
        "reason",
        on_erasure="kept: it refers to the registration, which is a tombstone",
    ),
    *declare(
        "assignment_runs",
        N,
        "how the last session assignment was made",
        "event_key",
        "mode",
        "seed",
    ),
    *declare(
        "assignment_entries",
        S,
        "the person's ranked sessions, priority and lottery number",
        "event_key",
        "person_id",
        "ranking",
        "priority",
        "lottery",
        "session_key",
        "notified",
        on_erasure=_GONE,
    ),
    *declare(
        "group_runs",
        N,
        "how a session's groups were formed",
        "event_key",
        "session_key",
        "strategy",
        "seed",
    ),
    *declare(
        "group_placements",
        S,
        "the person's group and role in a session",
        "event_key",
        "session_key",
        "person_id",
        "group_number",
        "role",
        "reason",
        "notified",
        on_erasure=_GONE,
    ),
    *declare(
        "privacy_log",
        N,
        "accountability: names disclosed on request, erasures, purges (counts only)",
        "id",
        "at",
        "action",
        "event_key",
        "subject",
        "count",
    ),
    PersonalField(
        "privacy_log",
        "path",
        N,
        "where a named export was written, so erasure can find it "
        "(name files after sessions, never after people)",
    ),
    PersonalField(
        "privacy_log",
        "requested_by",
        P,
        "who asked for names or handled a request (an organiser's address)",
        "cleared when that organiser is erased",
    ),
    # --- the memory store and the values it keeps ----------------------------
    *declare(
        "MemoryStore",
        N,
        "the memory store's bookkeeping",
        "_lock",
        "_closed",
        "_next_person_id",
        "_next_registration_id",
    ),
    *declare("MemoryStore", N, _EVENT, "_events"),
    *declare(
        "MemoryStore",
        P,
        "people by id, and their ids by e-mail address",
        "_persons",
        "_person_ids",
        on_erasure=_PERSON_GONE,
    ),
    *declare(
        "MemoryStore",
        S,
        "registrations, their history, assignments, groups",
        "_rows",
        "_by_session",
        "_log",
        "_assignments",
        "_groups",
        on_erasure="see the record types they hold",
    ),
    *declare("MemoryStore", P, "the privacy log", "_privacy_log", on_erasure="see PrivacyRecord"),
    *declare(
        "Event",
        N,
        _EVENT,
        "key",
        "title",
        "organiser",
        "purpose",
        "timezone",
        "audiences",
        "central_questions",
        "sessions",
        "consent_version",
        "retention",
    ),
    PersonalField("Event", "help_desk", N, _HELP_DESK),
    *declare("HelpDesk", N, _HELP_DESK, "email", "phone"),
    *declare("Audience", N, _EVENT, "key", "label"),
    *declare(
        "Session",
        N,
        _EVENT,
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
        "offer_period",
        "consent_required",
        "guardian_consent_below",
        "cancelled",
    ),
    *declare(
        "Person",
        P,
        "to address, recognise and reach the person",
        "name",
        "email",
        "organisation",
        "phone",
        "language",
        "age_category",
        on_erasure=_PERSON_GONE,
    ),
    PersonalField(
        "Person",
        "audience",
        P,
        "eligibility for sessions and counts per audience",
        "the tombstone keeps the audience alone",
    ),
    *declare(
        "_Row",
        S,
        "the registration itself",
        "id",
        "event_key",
        "session_key",
        "state",
        "registered_at",
        "updated_at",
        "consent",
        "offer_expires_at",
        on_erasure=_TOMBSTONE,
    ),
    PersonalField("_Row", "person_id", S, "whose registration it is", "points to the tombstone"),
    *declare(
        "Consent",
        S,
        "which consent text was agreed to, when, by whom",
        "text_version",
        "given_at",
        "given_by",
        on_erasure=_TOMBSTONE,
    ),
    *declare(
        "_LogEntry",
        S,
        "the history of each registration",
        "registration_id",
        "previous",
        "state",
        "at",
        "reason",
        on_erasure="kept: it refers to the registration, which is a tombstone",
    ),
    *declare(
        "StoredAssignment", N, "how the last assignment was made", "event_key", "mode", "seed"
    ),
    PersonalField(
        "StoredAssignment", "entries", S, "one entry per person", "the person's entry is deleted"
    ),
    *declare(
        "AssignmentEntry",
        S,
        "the person's ranked sessions, priority and lottery number",
        "person",
        "ranking",
        "priority",
        "lottery",
        "session_key",
        "notified",
        on_erasure=_GONE,
    ),
    *declare(
        "StoredGroups",
        N,
        "how a session's groups were formed",
        "event_key",
        "session_key",
        "strategy",
        "seed",
    ),
    PersonalField(
        "StoredGroups", "placements", S, "one placement per person", "the person's is deleted"
    ),
    *declare(
        "GroupPlacement",
        S,
        "the person's group and role",
        "person",
        "group",
        "role",
        "reason",
        "notified",
        on_erasure=_GONE,
    ),
    *declare(
        "PrivacyRecord",
        N,
        "accountability (counts only)",
        "at",
        "action",
        "event_key",
        "subject",
        "path",
        "count",
    ),
    PersonalField(
        "PrivacyRecord",
        "requested_by",
        P,
        "who asked (an organiser's address)",
        "cleared when that organiser is erased",
    ),
)

#: Privacy-log actions whose file holds people's data.
_NAMED_EXPORT = "names-exported"
_ACCESS_EXPORT = "access-exported"


@hookimpl(trylast=True)
def participatie_personal_data() -> tuple[PersonalField, ...]:
    """The fields of the built-in backends."""
    return CORE_FIELDS


@hookimpl(trylast=True)
def participatie_erase_person(email: str, store: Store) -> Erased | None:
    """Take the person out of every recorded file participatie wrote."""
    rows = 0
    touched: list[str] = []
    for record in store.privacy_records():
        if record.path is None:
            continue
        path = Path(record.path)
        if record.action == _ACCESS_EXPORT and file_mentions(path, email):
            remove_file(path)
            rows += 1
            touched.append(record.path)
        elif record.action == _NAMED_EXPORT:
            removed = remove_rows_with(path, email)
            if removed:
                rows += removed
                touched.append(record.path)
    if not touched:
        return None
    return Erased(rows, tuple(touched), "rows removed from named exports")


@hookimpl(trylast=True)
def participatie_purge_event(event: Event, store: Store) -> Erased | None:
    """Remove the named exports of an event whose retention is over."""
    removed = [
        record.path
        for record in store.privacy_records()
        if record.action == _NAMED_EXPORT
        and record.event_key == event.key
        and record.path is not None
        and remove_file(Path(record.path))
    ]
    if not removed:
        return None
    return Erased(len(removed), tuple(removed), "named exports of the event removed")


@hookimpl(trylast=True)
def participatie_subject_access(
    email: str, registrations: Sequence[Registration], store: Store
) -> dict[str, Any] | None:
    """Which recorded files hold the person's data, and what they asked for themselves."""
    del registrations  # the files are found by address
    records = store.privacy_records()
    files = [
        {
            "file": record.path,
            "written_at": record.at.isoformat(),
            "what": record.subject,
            "event": record.event_key,
            "requested_by": record.requested_by,
        }
        for record in records
        if record.action == _NAMED_EXPORT
        and record.path is not None
        and file_mentions(Path(record.path), email)
    ]
    requested = [
        {"at": r.at.isoformat(), "action": r.action, "what": r.subject, "event": r.event_key}
        for r in records
        if r.requested_by == email
    ]
    if not files and not requested:
        return None
    return {"files_holding_your_data": files, "privacy_actions_you_requested": requested}
