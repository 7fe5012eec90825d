"""Publish an event's sessions to a CalDAV calendar, and keep it in step.

The calendar on the server holds one object per session that takes place:
the same entry as in the event's published feed (no METHOD, no personal data,
join links only if the organiser allows them). Publishing again brings the
server in step with the event: a moved session is written again with the same
UID and a higher SEQUENCE (calendars that sync update it in place), a
cancelled or removed session is deleted, and an unchanged one is not touched.

The server is the record of what was published: each object carries the
fingerprints participatie uses to decide whether a change is significant
(``X-PARTICIPATIE-SIGNIFICANT`` and ``X-PARTICIPATIE-CONTENT``), so the plugin
keeps no state of its own and several machines can publish the same event.

Two ways to use it:

* set ``PARTICIPATIE_CALDAV_URL`` (and, if the server asks for them,
  ``PARTICIPATIE_CALDAV_USERNAME`` and ``PARTICIPATIE_CALDAV_PASSWORD``;
  ``PARTICIPATIE_CALDAV_JOIN_LINKS=1`` to publish join links): every event
  saved through participatie is then published by the
  ``participatie_event_saved`` hook;
* or call :meth:`CalDAVPublisher.publish` yourself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs
from icalendar import Calendar

from participatie import Event, StorageError, hookimpl
from participatie.calendar import CalendarOptions, CalendarState, FeedEntry, feed, uid_domain

if TYPE_CHECKING:
    import caldav

__all__ = [
    "CalDAVPublisher",
    "PublishError",
    "PublishReport",
    "participatie_event_saved",
    "publisher_from_environment",
]

SIGNIFICANT = "X-PARTICIPATIE-SIGNIFICANT"
CONTENT = "X-PARTICIPATIE-CONTENT"


class PublishError(StorageError):
    """The CalDAV server did not accept a session."""


@attrs.frozen
class PublishReport:
    """What one publication changed on the server, by UID.

    Attributes:
        added: Sessions written for the first time.
        updated: Sessions written again because they changed.
        removed: Sessions deleted (cancelled, or no longer in the event).
        unchanged: Sessions already in step.
    """

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


def _vevent(data: str | bytes) -> Any:
    events = Calendar.from_ical(data).walk("VEVENT")
    return events[0] if len(events) == 1 else None


def _state(vevent: Any, uid: str) -> CalendarState:
    """What the server copy says was published: sequence, fingerprints, last change."""
    modified = vevent.get("LAST-MODIFIED")
    stamp = modified.dt if modified is not None else vevent["DTSTAMP"].dt
    return CalendarState(
        uid=uid,
        sequence=int(vevent.get("SEQUENCE", 0)),
        # A copy without our fingerprints (edited elsewhere) counts as changed.
        significant=str(vevent.get(SIGNIFICANT, "unknown")),
        content=str(vevent.get(CONTENT, "unknown")),
        last_modified=stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC),
    )


def _marked(entry: FeedEntry) -> str:
    """The entry's file with its fingerprints, as the server stores it."""
    calendar = Calendar.from_ical(entry.ics)
    [vevent] = calendar.walk("VEVENT")
    vevent.add(SIGNIFICANT, entry.state.significant)
    vevent.add(CONTENT, entry.state.content)
    text: bytes = calendar.to_ical()
    return text.decode("utf-8")


class CalDAVPublisher:
    """Keeps one CalDAV calendar in step with the sessions of events.

    Attributes:
        calendar: The ``caldav.Calendar`` written to.
        options: The organiser's calendar options (join links in public
            calendars or not, the UID domain).
    """

    def __init__(self, calendar: caldav.Calendar, options: CalendarOptions | None = None) -> None:
        self.calendar = calendar
        self.options = options if options is not None else CalendarOptions()

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        options: CalendarOptions | None = None,
    ) -> CalDAVPublisher:
        """A publisher for the calendar collection at ``url``."""
        import caldav

        client = caldav.DAVClient(url=url, username=username, password=password)
        calendar = caldav.Calendar(client=client, url=url)
        return cls(calendar, options)

    def _put(self, uid: str, data: str, url: Any = None) -> None:
        # A plain PUT: the SEQUENCE is ours to decide, and caldav 2.1's
        # save() raises it on every save, whatever it is asked.
        client, base = self.calendar.client, self.calendar.url
        if client is None or base is None:  # pragma: no cover - connect() always sets both
            raise PublishError("the CalDAV calendar has no client or URL")
        if url is None:
            url = base.join(quote(uid.replace("/", "%2F")) + ".ics")
        response = client.put(str(url), data, {"Content-Type": 'text/calendar; charset="utf-8"'})
        if response.status not in {200, 201, 204}:
            raise PublishError(
                f"the CalDAV server refused {uid}: HTTP {response.status} {response.reason}"
            )

    def _ours(self, event: Event) -> dict[str, Any]:
        """The server's objects for this event's sessions, by UID."""
        suffix = f".{event.key}@{uid_domain(event, self.options)}"
        found: dict[str, Any] = {}
        for resource in self.calendar.events():
            vevent = _vevent(resource.data)
            uid = None if vevent is None else str(vevent.get("UID", ""))
            if uid and uid.endswith(suffix) and ".series." not in uid:
                found[uid] = (resource, vevent)
        return found

    def publish(self, event: Event, now: datetime | None = None) -> PublishReport:
        """Bring the calendar in step with ``event``'s sessions; return what changed."""
        now = now if now is not None else datetime.now(UTC)
        existing = self._ours(event)
        previous: Mapping[str, CalendarState] = {
            uid: _state(vevent, uid) for uid, (_resource, vevent) in existing.items()
        }
        published = feed(event, now=now, previous=previous, options=self.options)
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        for entry in published.entries:
            if entry.uid in existing and previous.get(entry.uid) == entry.state:
                unchanged.append(entry.uid)
                continue
            known = existing.get(entry.uid)
            self._put(entry.uid, _marked(entry), None if known is None else known[0].url)
            (updated if entry.uid in existing else added).append(entry.uid)
        kept = {entry.uid for entry in published.entries}
        removed = sorted(uid for uid in existing if uid not in kept)
        for uid in removed:
            existing[uid][0].delete()
        return PublishReport(tuple(added), tuple(updated), tuple(removed), tuple(unchanged))


def publisher_from_environment(
    environ: Mapping[str, str] | None = None,
) -> CalDAVPublisher | None:
    """The publisher configured by ``PARTICIPATIE_CALDAV_*`` variables, or ``None`` if unset."""
    environ = os.environ if environ is None else environ
    url = environ.get("PARTICIPATIE_CALDAV_URL", "").strip()
    if not url:
        return None
    links = environ.get("PARTICIPATIE_CALDAV_JOIN_LINKS", "").strip().lower() in {
        "1",
        "yes",
        "true",
    }
    return CalDAVPublisher.connect(
        url,
        username=environ.get("PARTICIPATIE_CALDAV_USERNAME") or None,
        password=environ.get("PARTICIPATIE_CALDAV_PASSWORD") or None,
        options=CalendarOptions(join_links_in_public_feeds=links),
    )


@hookimpl
def participatie_event_saved(event: Event) -> None:
    """Publish the saved event to the configured CalDAV calendar (if one is configured)."""
    publisher = publisher_from_environment()
    if publisher is not None:
        publisher.publish(event)
