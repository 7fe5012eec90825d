"""Personal calendar invitations, updates and cancellations (iTIP, RFC 5546; iMIP, RFC 6047).

One participant's place in one session is one calendar entry, with a UID
*derived* from the event, the session and the person's address: sending the
invitation again (after a move, a new group, a new link) updates the entry the
person already has instead of adding a second one. A significant change
raises SEQUENCE (see :func:`~participatie.calendar.advance`); a person who
cancels, or a session that is called off, gets ``METHOD:CANCEL`` with the
same UID, so the entry disappears.

Everything here is pure: the functions take the event, the session, the
person, the previous :class:`~participatie.calendar.CalendarState` and ``now``
and return bytes. The facade (:meth:`participatie.Participatie.invitation`)
keeps the states in the store.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import attrs
from icalendar import Calendar
from icalendar import Event as VEvent

from participatie.calendar import _render
from participatie.calendar._options import CalendarOptions, GroupDetails
from participatie.calendar._state import CalendarProposal, CalendarState, advance
from participatie.calendar._text import check_uid
from participatie.exceptions import InvalidInputError
from participatie.model import Event, Person, Session

__all__ = [
    "Invitation",
    "InvitationWriter",
    "invitation",
    "invitation_uid",
]

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def invitation_token(event_key: str, session_key: str, email: str) -> str:
    """The part of an invitation's UID before the ``@``: a digest of the person's place.

    Independent of the UID domain, so erasure finds a person's calendar
    states whatever domain the organiser configured.
    """
    return hashlib.sha256(
        "\x1f".join(("participatie-invitation", event_key, session_key, email)).encode("utf-8")
    ).hexdigest()[:32]


def invitation_uid(event_key: str, session_key: str, email: str, domain: str) -> str:
    """The UID of one person's place in one session.

    A digest, so it is stable (the same person in the same session always
    gets the same UID, whatever their group) and reveals neither the address
    nor the session to whoever sees the UID.
    """
    return check_uid(f"{invitation_token(event_key, session_key, email)}@{domain}")


@attrs.frozen
class Invitation:
    """One calendar message for one person: an invitation, an update or a cancellation.

    Attributes:
        method: ``"REQUEST"`` (an invitation or an update) or ``"CANCEL"``.
        uid: The entry's UID, the same in every message about this place.
        sequence: The entry's SEQUENCE in this message.
        email: The address to send it to (one message per person, always).
        state: The calendar state this message leaves behind.
        changed: Whether this message says something the previous one did
            not (a first invitation, a change, a cancellation). An unchanged
            message may be sent again safely, but need not be.
        ics: The iCalendar file (UTF-8, CRLF lines folded at 75 octets).
        registration_id: The registration it is about, if known.
    """

    method: str
    uid: str
    sequence: int
    email: str
    state: CalendarState
    changed: bool
    ics: bytes = attrs.field(repr=False)
    registration_id: int | None = None

    @property
    def calendar(self) -> Calendar:
        """The file parsed back into an icalendar ``Calendar``."""
        return Calendar.from_ical(self.ics)

    @property
    def content_type(self) -> str:
        """The MIME type for e-mail (RFC 6047): ``text/calendar`` with the method."""
        return f'text/calendar; charset="utf-8"; method={self.method}'


@attrs.frozen
class _Template:
    parts: _render.CalendarParts
    significant: str
    content: str


class InvitationWriter:
    """Writes the invitations of one event, building each session's shared part only once.

    Use one writer for a batch (all participants of a session); it caches
    the part of the file every participant shares (per session, group,
    language and status), so each further person costs a few lines.

    Attributes:
        event: The event the invitations are about.
        options: The organiser's calendar options.
    """

    def __init__(self, event: Event, options: CalendarOptions | None = None) -> None:
        self.event = event
        self.options = options if options is not None else CalendarOptions()
        self._domain = _render.uid_domain(event, self.options)
        self._templates: dict[tuple[object, ...], _Template] = {}
        self._uids: dict[tuple[str, str], str] = {}
        self._cores: dict[tuple[Session, str, bool], tuple[bytes, bytes]] = {}

    def uid(self, session: Session, person: Person) -> str:
        """The UID of ``person``'s place in ``session``."""
        key = (session.key, person.email)
        uid = self._uids.get(key)
        if uid is None:
            uid = self._uids[key] = invitation_uid(
                self.event.key, session.key, person.email, self._domain
            )
        return uid

    def _template(
        self, session: Session, group: GroupDetails | None, language: str, cancelled: bool
    ) -> _Template:
        key = (session, group, language, cancelled)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = self._build(session, group, language, cancelled)
        return template

    def _build(
        self, session: Session, group: GroupDetails | None, language: str, cancelled: bool
    ) -> _Template:
        event = self.event
        link = session.online_link
        place = session.place
        group_name = None
        if group is not None:
            group_name = group.name
            link = group.online_link or link
            place = group.place or place
        summary = _render.summary(event, session, group_name)
        text = _render.description(
            event,
            session,
            language=language,
            link=link,
            link_withheld=False,
            group_name=group_name,
            place=place,
            cancelled=cancelled,
        )
        varying = VEvent()
        _render.set_text(
            varying,
            summary_text=summary,
            description_text=text,
            place=place,
            link=link,
            language=language,
        )
        head, core = self._core(session, language, cancelled)
        significant = _render.significant_fingerprint(session, summary, place, link, cancelled)
        content = _render.fingerprint(
            (significant, text, event.organiser, event.help_desk.email, *self.options.reminders)
        )
        parts = _render.CalendarParts(head, _render.inner(varying) + core)
        return _Template(parts, significant, content)

    def _core(self, session: Session, language: str, cancelled: bool) -> tuple[bytes, bytes]:
        """The calendar head and the lines every group of a session shares (built once)."""
        key = (session, language, cancelled)
        found = self._cores.get(key)
        if found is None:
            event = self.event
            core = VEvent()
            _render.set_core(
                core,
                event,
                session,
                cancelled=cancelled,
                language=language,
                reminders=self.options.reminders,
            )
            first, last = _render.timezone_window((session.start, session.end), event.timezone)
            method = CANCEL if cancelled else REQUEST
            head = _render.calendar_head(method, event.timezone, first, last)
            found = self._cores[key] = (head, _render.inner(core))
        return found

    def proposal(
        self,
        session: Session,
        person: Person,
        *,
        group: GroupDetails | None = None,
        cancelled: bool = False,
    ) -> CalendarProposal:
        """What ``person``'s entry for ``session`` would say now, for :func:`advance`.

        ``cancelled`` (or a cancelled session) makes it a cancellation.
        """
        cancelled = cancelled or session.cancelled
        template = self._template(session, group, person.language, cancelled)
        return CalendarProposal(
            self.uid(session, person),
            template.significant,
            _render.fingerprint((template.content, person.email, person.name)),
            cancelled=cancelled,
        )

    def render(
        self,
        session: Session,
        person: Person,
        state: CalendarState,
        now: datetime,
        *,
        group: GroupDetails | None = None,
        changed: bool = True,
        registration_id: int | None = None,
    ) -> Invitation:
        """The message that brings ``person``'s calendar to ``state``, stamped ``now``.

        ``state`` says whether it is an invitation or a cancellation and which
        SEQUENCE to write; it must be the state for this person's place (the
        result of :func:`advance` on :meth:`proposal`).
        """
        uid = self.uid(session, person)
        if state.uid != uid:
            raise InvalidInputError(
                f"calendar state {state.uid!r} is not the state of {person.email}'s place "
                f"in {session.key!r} ({uid!r})"
            )
        template = self._template(session, group, person.language, state.cancelled)
        personal = b"".join(
            (
                _render.uid_line(uid),
                _render.line("DTSTAMP", _utc_second(now)),
                _render.line("SEQUENCE", state.sequence),
                _render.line("LAST-MODIFIED", _utc_second(state.last_modified)),
                _render.attendee_line(person.email, person.name),
            )
        )
        return Invitation(
            method=CANCEL if state.cancelled else REQUEST,
            uid=uid,
            sequence=state.sequence,
            email=person.email,
            state=state,
            changed=changed,
            ics=template.parts.join(personal),
            registration_id=registration_id,
        )


def _utc_second(instant: datetime) -> datetime:
    """UTC, whole seconds: how DTSTAMP and LAST-MODIFIED are written."""
    return instant.astimezone(UTC).replace(microsecond=0)


def invitation(
    event: Event,
    session: Session,
    person: Person,
    *,
    now: datetime,
    previous: CalendarState | None = None,
    group: GroupDetails | None = None,
    cancelled: bool = False,
    options: CalendarOptions | None = None,
) -> Invitation | None:
    """The message to send ``person`` about their place in ``session`` now.

    Pure: give it the state the previous message left (``None`` before the
    first) and keep the returned :attr:`Invitation.state` for the next time.
    Returns ``None`` when there is nothing to tell: a cancellation for a place
    that was never announced.

    ``cancelled=True`` (the person cancelled, or was moved out of the
    session) or a cancelled session gives ``METHOD:CANCEL``.
    """
    writer = InvitationWriter(event, options)
    proposal = writer.proposal(session, person, group=group, cancelled=cancelled)
    state = advance(previous, proposal, now)
    if state is None:
        return None
    return writer.render(session, person, state, now, group=group, changed=state != previous)
