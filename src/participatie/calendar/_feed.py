"""Published calendars: one per event, one per audience.

A feed is what a website links to ("zet in je agenda") and what a CalDAV
calendar holds: every session that takes place, no personal data, and no
METHOD (RFC 4791 forbids it in stored calendars; a subscription is not a
message). Each session keeps one UID across versions of the feed, and its
SEQUENCE rises with significant changes, so a calendar that keeps a copy sees
a moved session move. A cancelled session leaves the feed, so it disappears
from subscribed calendars at their next refresh.

Join links stay out of feeds unless the organiser allows them
(:attr:`CalendarOptions.join_links_in_public_feeds`): calendars are often
shared, and a link in the open lets anyone into the meeting.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import attrs
from icalendar import Calendar
from icalendar import Event as VEvent

from participatie.calendar import _render
from participatie.calendar._options import CalendarOptions
from participatie.calendar._state import CalendarProposal, CalendarState, advance
from participatie.calendar._text import check_uid, clean_line
from participatie.exceptions import InvalidInputError
from participatie.model import Event, Session

__all__ = ["Feed", "FeedEntry", "feed", "feed_proposals", "render_feed", "session_uid"]

#: How often subscribers are asked to fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=1)


def session_uid(event_key: str, session_key: str, domain: str) -> str:
    """The UID of a session in published calendars: readable, and free of personal data."""
    return check_uid(f"{session_key}.{event_key}@{domain}")


@attrs.frozen
class FeedEntry:
    """One session as published: what a CalDAV server stores as one object.

    Attributes:
        session_key: The session.
        uid: Its UID in every published calendar.
        state: Its calendar state (SEQUENCE, LAST-MODIFIED).
        ics: A calendar file with just this session and its time zone, no METHOD.
    """

    session_key: str
    uid: str
    state: CalendarState
    ics: bytes = attrs.field(repr=False)


@attrs.frozen
class Feed:
    """A published calendar of an event (or of one audience's sessions).

    Attributes:
        event_key: The event.
        audience: The audience it is for, or ``None`` for everyone.
        ics: The whole calendar file.
        entries: The sessions in it, in order of start.
        removed: UIDs of sessions that are cancelled and so left out; a
            copy elsewhere (a CalDAV calendar) should drop them.
        states: The calendar state of every session, to keep for next time.
    """

    event_key: str
    audience: str | None
    ics: bytes = attrs.field(repr=False)
    entries: tuple[FeedEntry, ...]
    removed: tuple[str, ...]
    states: tuple[CalendarState, ...]

    @property
    def calendar(self) -> Calendar:
        """The file parsed back into an icalendar ``Calendar``."""
        return Calendar.from_ical(self.ics)


def _sessions(event: Event, audience: str | None) -> list[Session]:
    if audience is not None and event.audiences:
        known = {item.key for item in event.audiences}
        if audience not in known:
            raise InvalidInputError(
                f"event {event.key!r} has no audience {audience!r} "
                f"(it has: {', '.join(sorted(known))})"
            )
    chosen = [s for s in event.sessions if audience is None or s.is_for(audience)]
    return sorted(chosen, key=lambda s: (s.start, s.key))


def _vevent(event: Event, session: Session, options: CalendarOptions) -> tuple[VEvent, str, str]:
    allowed = options.join_links_in_public_feeds
    link = session.online_link if allowed else None
    summary = _render.summary(event, session)
    text = _render.description(
        event,
        session,
        language="nl",
        link=link,
        link_withheld=session.online_link is not None and not allowed,
        place=session.place,
        audiences=True,
        cancelled=session.cancelled,
    )
    vevent, significant = _render.session_vevent(
        event,
        session,
        summary_text=summary,
        description_text=text,
        place=session.place,
        link=link,
        cancelled=session.cancelled,
        language="nl",
        organizer=False,
    )
    content = _render.fingerprint((significant, text))
    return vevent, significant, content


def feed_proposals(
    event: Event, *, audience: str | None = None, options: CalendarOptions | None = None
) -> list[CalendarProposal]:
    """What each session's published entry says now, for :func:`advance`.

    Every session of the event is included (cancelled ones as cancellations),
    whatever the audience: a session's published state is one and the same
    in every feed.
    """
    del audience  # the states are shared by all feeds of the event
    options = options if options is not None else CalendarOptions()
    domain = _render.uid_domain(event, options)
    proposals = []
    for session in event.sessions:
        _unused, significant, content = _vevent(event, session, options)
        proposals.append(
            CalendarProposal(
                session_uid(event.key, session.key, domain),
                significant,
                content,
                cancelled=session.cancelled,
            )
        )
    return proposals


def render_feed(
    event: Event,
    states: Mapping[str, CalendarState],
    *,
    audience: str | None = None,
    options: CalendarOptions | None = None,
) -> Feed:
    """The published calendar of ``event`` (or of ``audience``), given each session's state.

    ``states`` maps session UIDs to their states (from :func:`advance` on
    :func:`feed_proposals`); DTSTAMP and LAST-MODIFIED are the state's
    last change, so the file is the same until something changes (a stable
    ETag for web servers and CalDAV).
    """
    options = options if options is not None else CalendarOptions()
    domain = _render.uid_domain(event, options)
    sessions = _sessions(event, audience)
    entries: list[FeedEntry] = []
    vevents: list[VEvent] = []
    removed: list[str] = []
    for session in sessions:
        uid = session_uid(event.key, session.key, domain)
        if session.cancelled:
            removed.append(uid)
            continue
        state = states.get(uid)
        if state is None:
            raise InvalidInputError(f"no calendar state for session {session.key!r} ({uid})")
        vevent, _significant, _content = _vevent(event, session, options)
        stamp = state.last_modified.replace(microsecond=0)
        vevent.uid = uid
        vevent.DTSTAMP = stamp
        vevent.last_modified = stamp
        vevent.sequence = state.sequence
        vevents.append(vevent)
        one = _render.build_calendar(
            [vevent],
            window=_render.timezone_window((session.start, session.end), event.timezone),
        )
        entries.append(FeedEntry(session.key, uid, state, bytes(one.to_ical())))
    name = event.title
    calendar_uid = f"{event.key}@{domain}"
    if audience is not None:
        name = f"{event.title} ({event.audience(audience).label})"
        calendar_uid = f"{audience}.{calendar_uid}"
    instants = [moment for s in sessions if not s.cancelled for moment in (s.start, s.end)]
    calendar = _render.build_calendar(
        vevents,
        window=_render.timezone_window(instants, event.timezone) if instants else None,
        name=clean_line(name),
        # One line: icalendar 7.3 writes X-WR-CALDESC without escaping line breaks.
        calendar_description=clean_line(event.purpose) or None,
        uid=check_uid(calendar_uid),
        refresh_interval=REFRESH_INTERVAL,
    )
    return Feed(
        event_key=event.key,
        audience=audience,
        ics=bytes(calendar.to_ical()),
        entries=tuple(entries),
        removed=tuple(removed),
        states=tuple(states.values()),
    )


def feed(
    event: Event,
    *,
    now: datetime,
    previous: Mapping[str, CalendarState] | None = None,
    audience: str | None = None,
    options: CalendarOptions | None = None,
) -> Feed:
    """The published calendar of ``event`` now, given the states of the previous version.

    Pure: keep :attr:`Feed.states` (all sessions, also those left out) for
    the next call. :meth:`participatie.Participatie.calendar_feed` does that
    in the store.
    """
    previous = previous or {}
    states: dict[str, CalendarState] = {}
    for proposal in feed_proposals(event, audience=audience, options=options):
        state = advance(previous.get(proposal.uid), proposal, now)
        if state is not None:
            states[proposal.uid] = state
    return render_feed(event, states, audience=audience, options=options)
