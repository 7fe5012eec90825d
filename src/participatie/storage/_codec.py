"""Events as JSON, for backends that keep the event description as one document.

An event description is read whole and changed rarely, so a document is the
simplest faithful form; registrations, which change all the time, get real
columns. Datetimes are written with their UTC offset and read back in the
event's time zone, so the instants are exactly equal after a round trip.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from participatie.exceptions import StorageError
from participatie.localtime import zone
from participatie.model import Audience, Event, HelpDesk, Session, WaitingListPolicy

__all__ = ["decode_event", "encode_event", "from_utc_text", "to_utc_text"]

_FORMAT = 1


@functools.lru_cache(maxsize=4096)  # one transaction writes the same instant many times
def to_utc_text(instant: datetime) -> str:
    """A sortable UTC text for an aware datetime.

    Always UTC and always with microseconds, so every value has the same width
    and text order is time order (SQL compares them as text).
    """
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(text: str) -> datetime:
    """Read :func:`to_utc_text` back into an aware UTC datetime."""
    return datetime.fromisoformat(text)


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _session_to_dict(session: Session) -> dict[str, Any]:
    return {
        "key": session.key,
        "title": session.title,
        "start": _dt(session.start),
        "end": _dt(session.end),
        "online_link": session.online_link,
        "place": session.place,
        "audiences": sorted(session.audiences),
        "capacity": session.capacity,
        "max_group_size": session.max_group_size,
        "registration_opens": _dt(session.registration_opens),
        "registration_closes": _dt(session.registration_closes),
        "change_deadline": _dt(session.change_deadline),
        "waiting_list": session.waiting_list.value,
        "offer_period_seconds": session.offer_period.total_seconds(),
        "consent_required": session.consent_required,
        "cancelled": session.cancelled,
        "guardian_consent_below": session.guardian_consent_below,
    }


def encode_event(event: Event) -> str:
    """The event as compact JSON text."""
    data = {
        "format": _FORMAT,
        "key": event.key,
        "title": event.title,
        "organiser": event.organiser,
        "help_desk": {"email": event.help_desk.email, "phone": event.help_desk.phone},
        "purpose": event.purpose,
        "timezone": event.timezone,
        "audiences": [{"key": a.key, "label": a.label} for a in event.audiences],
        "central_questions": list(event.central_questions),
        "sessions": [_session_to_dict(session) for session in event.sessions],
        "consent_version": event.consent_version,
        "retention_seconds": (None if event.retention is None else event.retention.total_seconds()),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def decode_event(text: str) -> Event:
    """Read :func:`encode_event` back; a document of a newer format is refused."""
    data = json.loads(text)
    if data.get("format") != _FORMAT:
        raise StorageError(
            f"event {data.get('key')!r} was stored in format {data.get('format')!r}, "
            f"which this version of participatie cannot read"
        )
    tz = zone(data["timezone"])

    def local(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).astimezone(tz)

    def guardian(s: dict[str, Any]) -> dict[str, Any]:
        # Documents written before issue 9 have no such key: use the default.
        if "guardian_consent_below" not in s:
            return {}
        return {"guardian_consent_below": s["guardian_consent_below"]}

    sessions = [
        Session(
            key=s["key"],
            title=s["title"],
            start=datetime.fromisoformat(s["start"]).astimezone(tz),
            end=datetime.fromisoformat(s["end"]).astimezone(tz),
            online_link=s["online_link"],
            place=s["place"],
            audiences=frozenset(s["audiences"]),
            capacity=s["capacity"],
            max_group_size=s["max_group_size"],
            registration_opens=local(s["registration_opens"]),
            registration_closes=local(s["registration_closes"]),
            change_deadline=local(s["change_deadline"]),
            waiting_list=WaitingListPolicy(s["waiting_list"]),
            offer_period=timedelta(seconds=s["offer_period_seconds"]),
            consent_required=s["consent_required"],
            # Documents written before sessions could be cancelled lack the key.
            cancelled=s.get("cancelled", False),
            **guardian(s),
        )
        for s in data["sessions"]
    ]
    return Event(
        key=data["key"],
        title=data["title"],
        organiser=data["organiser"],
        help_desk=HelpDesk(email=data["help_desk"]["email"], phone=data["help_desk"]["phone"]),
        purpose=data["purpose"],
        timezone=data["timezone"],
        audiences=[Audience(key=a["key"], label=a["label"]) for a in data["audiences"]],
        central_questions=data["central_questions"],
        sessions=sessions,
        consent_version=data["consent_version"],
        retention=(
            None
            if data.get("retention_seconds") is None
            else timedelta(seconds=data["retention_seconds"])
        ),
    )
