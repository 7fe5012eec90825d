"""Subject access: everything held about one person, as one JSON document.

The right of access (GDPR article 15) asks for a copy of the data and for
what it is used. The document gathers the person's details, every
registration with its history and consent, their session-assignment entries
and group placements, and each plugin's part (through
``participatie_subject_access``), and says where to read the purposes.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from participatie import _validate as v
from participatie.model import Person, Registration
from participatie.storage._base import PrivacyRecord

if TYPE_CHECKING:
    from participatie._facade import Participatie

__all__ = ["SUBJECT_ACCESS_FORMAT", "export_subject_access", "subject_access"]

#: The ``format`` of the document; a consumer checks it before reading on.
SUBJECT_ACCESS_FORMAT = "participatie-subject-access/1"


def _when(instant: datetime | None) -> str | None:
    return None if instant is None else instant.isoformat()


def _person(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "audience": person.audience,
        "organisation": person.organisation,
        "phone": person.phone,
        "language": person.language,
        "age_category": None if person.age_category is None else person.age_category.value,
    }


def _registration(app: Participatie, registration: Registration) -> dict[str, Any]:
    consent = registration.consent
    event = app.event(registration.event_key)
    return {
        "id": registration.id,
        "event": registration.event_key,
        "event_title": event.title,
        "session": registration.session_key,
        "session_title": event.session(registration.session_key).title,
        "state": registration.state.value,
        "registered_at": _when(registration.registered_at),
        "updated_at": _when(registration.updated_at),
        "offer_expires_at": _when(registration.offer_expires_at),
        "consent": None
        if consent is None
        else {
            "text_version": consent.text_version,
            "given_at": _when(consent.given_at),
            "given_by": consent.given_by,
        },
        "history": [
            {
                "at": _when(change.at),
                "from": None if change.previous is None else change.previous.value,
                "to": change.state.value,
                "reason": change.reason,
            }
            for change in app.history(registration.id)
        ],
    }


def subject_access(app: Participatie, email: str) -> dict[str, Any]:
    """See :meth:`participatie.Participatie.subject_access`."""
    key = v.lookup_email(email)
    registrations = app.store.registrations_of(key)
    persons: list[Person] = [r.person for r in registrations]
    assignments: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    for event in app.events():
        stored = app.store.get_assignment(event.key)
        for entry in () if stored is None else stored.entries:
            if entry.person.email == key:
                persons.append(entry.person)
                assignments.append(
                    {
                        "event": event.key,
                        "ranking": list(entry.ranking),
                        "priority": entry.priority,
                        "lottery": entry.lottery,
                        "session": entry.session_key,
                        "told": entry.notified,
                    }
                )
        for session in event.sessions:
            placed = app.store.get_groups(event.key, session.key)
            for placement in () if placed is None else placed.placements:
                if placement.person.email == key:
                    persons.append(placement.person)
                    groups.append(
                        {
                            "event": event.key,
                            "session": session.key,
                            "group": placement.group,
                            "role": placement.role,
                            "reason": placement.reason,
                            "told": placement.notified,
                        }
                    )
    return {
        "format": SUBJECT_ACCESS_FORMAT,
        "generated_at": _when(app.now()),
        "email": key,
        "found": bool(persons),
        "person": _person(persons[0]) if persons else None,
        "purposes": "see the organiser's privacy statement; the fields and their purposes "
        "are listed in participatie's registry of personal data",
        "registrations": [_registration(app, r) for r in registrations],
        "session_assignments": assignments,
        "groups": groups,
        "plugins": app.plugins.subject_access(key, registrations, app.store),
    }


def export_subject_access(
    app: Participatie, email: str, path: str | Path, *, requested_by: str | None
) -> Path:
    """See :meth:`participatie.Participatie.export_subject_access`."""
    document = subject_access(app, email)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    app.store.record_privacy(
        PrivacyRecord(
            app.now(),
            "access-exported",
            subject="subject-access",
            path=str(target.resolve()),
            requested_by=requested_by,
            count=1 if document["found"] else 0,
        )
    )
    return target
