"""Which messages each change causes, for whom, on which channels.

:class:`Notifications` is the organiser's configuration: the channels to use,
the reminder rules, text overrides and the calendar provider. Given to
:class:`~participatie.Participatie`, it puts a :class:`Planner` into the
store, which the store calls *inside* the transaction of every change, so a
registration and its confirmation commit together (see
:mod:`participatie.outbox`). The planner only composes and queues; the
:class:`~participatie.dispatch.Dispatcher` sends later.

What is queued, per change:

==========================================  ==============================================
change (``Transition.reason``)              message
==========================================  ==============================================
``registered``, ``promoted``, ``accepted``  confirmation (calendar ``REQUEST``), reminders
``assigned`` (by a session assignment)      confirmation, reminders
``waitlisted``                              waiting-list notice
``offered``                                 offer of a freed place, with its expiry
``expired``                                 the offer lapsed
``cancelled``                               cancellation (calendar ``CANCEL`` if they had
                                            a place); their reminders are superseded
``moved`` (by a session assignment)         cancellation of the old place (``CANCEL``)
a session's time, place, link or title      change notice ("time: 10:00 → 11:00"),
changes (``save_event``)                    updated calendar entry; reminders recomputed
a session is cancelled (``save_event``)     cancellation with calendar ``CANCEL``
groups told (``notify_groups``)             group assignment (calendar ``REQUEST``)
==========================================  ==============================================

One message per recipient and channel, always, with a stable idempotency key,
so a re-run step queues nothing twice.

**The calendar seam.** A message may carry a
:class:`~participatie.CalendarPart`. By default :class:`CalendarInvitations`
makes it: a full iTIP entry from :mod:`participatie.calendar` whose UID is
derived from the person's place and whose SEQUENCE comes from the store's
calendar state, read and advanced *inside the change's transaction* (through
the :class:`~participatie.outbox.CalendarLedger` the store hands the
planner), so a rolled-back change raises no SEQUENCE and a later change
always gets a higher one. The same states serve
:meth:`~participatie.Participatie.invitations`, so both paths number one
entry alike. A plain :data:`CalendarProvider` — ``provider(event,
registration, kind)`` — may be given instead; it owns UID and SEQUENCE itself.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from participatie import _validate as v
from participatie.calendar import (
    CalendarOptions,
    CalendarState,
    GroupDetails,
    InvitationWriter,
    advance,
)
from participatie.channels import (
    CalendarPart,
    Channel,
    Message,
    channel_address,
    channel_is_rich,
)
from participatie.exceptions import InvalidInputError
from participatie.localtext import EN_DASH, format_date, format_instant, format_time
from participatie.localtime import to_local
from participatie.messages import (
    CANCELLATION,
    CHANGE,
    CONFIRMATION,
    GROUP_ASSIGNMENT,
    INVITATION,
    MESSAGE_KINDS,
    OFFER,
    OFFER_EXPIRED,
    REMINDER,
    WAITING_LIST,
    MessageTexts,
    TextOverride,
    event_context,
    localise,
)
from participatie.model import Event, Registration, RegistrationState, Session, Transition
from participatie.outbox import CalendarLedger, MessagePlan, OutgoingMessage, Supersede

__all__ = [
    "CalendarInvitations",
    "CalendarProvider",
    "Contact",
    "Notifications",
    "PersonalLink",
    "Planner",
    "ReminderRule",
    "session_changes",
]

logger = logging.getLogger(__name__)

#: ``provider(event, registration, kind)``: the calendar part a message of
#: ``kind`` to this registration carries, or ``None``. Called inside the
#: store's transaction: it must be quick and do no I/O. An exception is logged
#: and the message goes without a calendar part.
CalendarProvider = Callable[[Event, Registration, str], CalendarPart | None]

#: ``link(registration)``: the web address of the person's own registration page.
PersonalLink = Callable[[Registration], str]

#: Message kinds that carry the personal link, when one is configured.
_LINKED_KINDS = frozenset({CONFIRMATION, WAITING_LIST, OFFER, CHANGE, GROUP_ASSIGNMENT, REMINDER})

_S = RegistrationState
_CONFIRMING = frozenset({"registered", "promoted", "accepted", "assigned"})
#: Registration states whose place belongs in the person's calendar.
IN_CALENDAR = frozenset({_S.REGISTERED, _S.ATTENDED, _S.NO_SHOW})
#: Message kinds that carry the person's calendar entry.
_CALENDAR_KINDS = frozenset({CONFIRMATION, CHANGE, GROUP_ASSIGNMENT, CANCELLATION})
_GROUP_NAME = {"nl": "Groep {number}", "en": "Group {number}"}


def group_details(
    number: int, language: str, session: Session | None = None, link: str | None = None
) -> GroupDetails:
    """How a participant's calendar shows their breakout group: ``Groep 2`` and its link.

    ``link`` is a template such as ``"{online_link}/groep-{number}"``; it is
    filled with the session's link and the group number.
    """
    online_link = None
    if link is not None and session is not None:
        online_link = link.format(online_link=session.online_link or "", number=number)
    return GroupDetails(
        _GROUP_NAME.get(language, _GROUP_NAME["en"]).format(number=number),
        online_link=online_link,
    )


def _check_group_link(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise InvalidInputError("a group link is a text such as '{online_link}/groep-{number}'")
    try:
        sample = value.format(online_link="https://meet.example.org/s", number=1)
    except (KeyError, IndexError, ValueError) as error:
        raise InvalidInputError(
            f"a group link may use {{online_link}} and {{number}} only: {value!r} ({error})"
        ) from None
    v.web_link(None, _attribute, sample)


@attrs.frozen
class CalendarInvitations:
    """The built-in calendar parts: invitations, updates and cancellations the store numbers.

    For a confirmation, a change notice or a group assignment to someone who
    holds a place, the part is ``METHOD:REQUEST``; for a cancellation (or
    any of those to someone whose place is gone) it is ``METHOD:CANCEL``,
    and only if the entry was ever announced. The person's group, once
    groups are formed, is part of the entry. SEQUENCE and the stored state
    come from the :class:`~participatie.outbox.CalendarLedger`, inside the
    transaction of the change.

    Attributes:
        options: How entries are written (UID domain, reminders, …); the
            same options serve :meth:`~participatie.Participatie.invitations`.
        group_link: Each group's own join link, as a template filled with
            the session's ``{online_link}`` and the group ``{number}``, e.g.
            ``"{online_link}/groep-{number}"``; ``None``: the session's link.
    """

    options: CalendarOptions | None = None
    group_link: str | None = attrs.field(default=None, validator=_check_group_link)

    def group(self, session: Session, number: int, language: str) -> GroupDetails:
        """What the calendar shows of group ``number`` of ``session``."""
        return group_details(number, language, session, self.group_link)

    def writer(self, event: Event) -> InvitationWriter:
        """A writer for one event (it caches the parts every entry shares)."""
        return InvitationWriter(event, self.options)

    def part(
        self,
        writer: InvitationWriter,
        event: Event,
        registration: Registration,
        kind: str,
        ledger: CalendarLedger,
        now: datetime,
    ) -> CalendarPart | None:
        """The calendar part of a ``kind`` message to ``registration``, its new state stored."""
        if kind not in _CALENDAR_KINDS:
            return None
        session = event.session(registration.session_key)
        person = registration.person
        holds = registration.state in IN_CALENDAR and not session.cancelled
        number = ledger.group_number(event.key, session.key, person.email) if holds else None
        group = None if number is None else self.group(session, number, person.language)
        proposal = writer.proposal(
            session, person, group=group, cancelled=kind == CANCELLATION or not holds
        )
        previous = ledger.calendar_states([proposal.uid]).get(proposal.uid)
        state: CalendarState | None = advance(previous, proposal, now)
        if state is None:
            return None
        if state != previous:
            ledger.save_calendar_states([state])
        invitation = writer.render(
            session,
            person,
            state,
            now,
            group=group,
            changed=state != previous,
            registration_id=registration.id,
        )
        return CalendarPart(invitation.method, invitation.ics)


def _relativedelta(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, relativedelta):
        raise InvalidInputError("a reminder offset is a dateutil relativedelta")


@attrs.frozen
class ReminderRule:
    """Send a reminder at an offset from the session's start.

    The offset is a :class:`dateutil.relativedelta.relativedelta` applied to
    the start in the event's time zone, so "one day before" is the same
    wall-clock time on the day before, also across a daylight-saving change.
    The send time is computed again whenever the session moves; a reminder
    queued for the old time is superseded and never goes out. A reminder
    whose time has passed when the place is confirmed is not sent.

    Attributes:
        name: Identifies the rule (part of the idempotency key), e.g. ``"day-before"``.
        offset: When, relative to the start: ``relativedelta(days=-1)``.
    """

    name: str = attrs.field(validator=v.slug)
    offset: relativedelta = attrs.field(validator=_relativedelta)

    def due_at(self, session: Session, timezone: str) -> datetime:
        """When the reminder for ``session`` is due (in UTC)."""
        local = to_local(session.start, timezone)
        due: datetime = local + self.offset
        return due.astimezone(UTC)


@attrs.frozen
class Contact:
    """Someone to invite who has not registered (a contact list, a partner organisation).

    Attributes:
        name: How to address them.
        email: Their e-mail address.
        language: ``"nl"`` or ``"en"``.
        organisation: The organisation they belong to.
        phone: A phone number, for channels that deliver to one.
    """

    name: str = attrs.field(validator=v.single_line)
    email: str = attrs.field(converter=v.normalise_email)
    language: str = attrs.field(default="nl", validator=attrs.validators.in_(("nl", "en")))
    organisation: str | None = attrs.field(
        default=None, validator=v.optional_single_line, kw_only=True
    )
    phone: str | None = attrs.field(default=None, validator=v.phone, kw_only=True)


def _channel_names(values: Iterable[str]) -> tuple[str, ...]:
    names = tuple(values)
    if isinstance(values, str):
        names = (values,)
    if not names:
        raise InvalidInputError("notifications need at least one channel")
    if len(set(names)) != len(names):
        raise InvalidInputError(f"a channel is named twice: {names}")
    return names


@attrs.frozen
class Notifications:
    """The organiser's notification settings.

    Attributes:
        channels: The channels every message goes out on, by name
            (``"outbox"``, ``"smtp"``, ``"console"``, or a plugin's).
        options: Each channel's options by channel name, e.g.
            ``{"smtp": {"host": "smtp.example.org", "sender": "vraagbaak@example.org"}}``.
        reminders: When reminders go out.
        overrides: The organisers' own texts.
        calendar: Gives the calendar part of a message: :class:`CalendarInvitations`
            (the default), a :data:`CalendarProvider` of your own, or ``None``
            for messages without calendar parts.
        personal_link: Makes a registration's personal link (to a page where
            the person sees, changes or cancels it, such as the site of
            ``participatie-web``); confirmations, waiting-list notices, offers,
            changes, group assignments and reminders then carry it. Called
            inside the store's transaction: quick, no I/O. If it fails, the
            message goes without the link (logged).
    """

    channels: tuple[str, ...] = attrs.field(default=("outbox",), converter=_channel_names)
    options: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    reminders: tuple[ReminderRule, ...] = attrs.field(
        default=(ReminderRule("day-before", relativedelta(days=-1)),), converter=tuple
    )
    overrides: tuple[TextOverride, ...] = attrs.field(default=(), converter=tuple)
    calendar: CalendarInvitations | CalendarProvider | None = attrs.field(
        factory=CalendarInvitations
    )
    personal_link: PersonalLink | None = attrs.field(default=None, kw_only=True)

    @reminders.validator
    def _check_reminders(
        self, _attribute: attrs.Attribute[Any], value: tuple[ReminderRule, ...]
    ) -> None:
        names = [rule.name for rule in value]
        if len(set(names)) != len(names):
            raise InvalidInputError(f"two reminder rules share a name: {names}")

    def planner(self, channels: Mapping[str, Channel]) -> Planner:
        """The planner for these settings, delivering through ``channels`` (by name)."""
        missing = [name for name in self.channels if name not in channels]
        if missing:
            raise InvalidInputError(f"no channel instance for {', '.join(missing)}")
        return Planner(
            channels={name: channels[name] for name in self.channels},
            reminders=self.reminders,
            texts=MessageTexts(self.overrides),
            calendar=self.calendar,
            personal_link=self.personal_link,
        )


# --- what changed in a session ------------------------------------------------------

_LABELS = {
    "nl": {"title": "titel", "date": "datum", "time": "tijd", "place": "plaats", "link": "link"},
    "en": {"title": "title", "date": "date", "time": "time", "place": "place", "link": "link"},
}
_NOTHING = {"nl": "(geen)", "en": "(none)"}


def session_changes(
    before: Session, after: Session, timezone: str, language: str
) -> list[dict[str, str]]:
    """What a participant needs to know changed: ``[{"what": "tijd", "before": "10:00", ...}]``."""
    labels, nothing = _LABELS[language], _NOTHING[language]
    changes: list[dict[str, str]] = []

    def add(what: str, old: str | None, new: str | None) -> None:
        if old != new:
            changes.append(
                {"what": labels[what], "before": old or nothing, "after": new or nothing}
            )

    add("title", before.title, after.title)
    add(
        "date",
        format_date(before.start, timezone, language),
        format_date(after.start, timezone, language),
    )
    same_length = after.end - after.start == before.end - before.start

    def times(session: Session) -> str:
        start = format_time(session.start, timezone, language)
        if same_length:
            return start
        return f"{start}{EN_DASH}{format_time(session.end, timezone, language)}"

    add("time", times(before), times(after))
    add("place", before.place, after.place)
    add("link", before.online_link, after.online_link)
    return changes


def _moved(before: Session, after: Session) -> bool:
    return (before.start, before.end) != (after.start, after.end)


def _differs(before: Session, after: Session) -> bool:
    return (
        _moved(before, after)
        or before.cancelled != after.cancelled
        or (before.title, before.place, before.online_link)
        != (after.title, after.place, after.online_link)
    )


@attrs.frozen
class _Link:
    registration_link: str | None = attrs.field(validator=v.web_link)


def _digest(*parts: object) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- the planner ----------------------------------------------------------------


@attrs.define
class Planner:
    """Turns committed changes into queued messages: a :class:`~participatie.outbox.MessagePlanner`.

    Attributes:
        channels: The channels to queue for, by name.
        reminders: The reminder rules.
        texts: Renders the texts.
        calendar: Gives calendar parts.
    """

    channels: Mapping[str, Channel]
    reminders: tuple[ReminderRule, ...] = ()
    texts: MessageTexts = attrs.field(factory=MessageTexts)
    calendar: CalendarInvitations | CalendarProvider | None = None
    personal_link: PersonalLink | None = None
    _writers: dict[int, tuple[Event, InvitationWriter]] = attrs.field(
        factory=dict, init=False, repr=False
    )

    # --- the MessagePlanner protocol ---------------------------------------

    def sessions_to_recheck(self, previous: Event, event: Event) -> Collection[str]:
        """Sessions kept in the event whose time, place, link or title changed."""
        old = {session.key: session for session in previous.sessions}
        return [
            session.key
            for session in event.sessions
            if session.key in old and _differs(old[session.key], session)
        ]

    def plan(
        self,
        event: Event,
        transitions: Sequence[Transition],
        now: datetime,
        *,
        previous: Event | None = None,
        holders: Mapping[str, Sequence[Registration]] | None = None,
        ledger: CalendarLedger | None = None,
    ) -> MessagePlan:
        """The messages ``transitions`` and a changed event cause."""
        self._writers.clear()
        supersede: list[Supersede] = []
        queue: list[OutgoingMessage] = []
        if previous is not None:
            old_sessions = {session.key: session for session in previous.sessions}
            for session_key, registrations in (holders or {}).items():
                before, after = old_sessions[session_key], event.session(session_key)
                if after.cancelled and not before.cancelled:
                    supersede.append(Supersede(frozenset({REMINDER}), event.key, session_key))
                    for registration in registrations:
                        queue += self.personal(
                            event,
                            registration,
                            CANCELLATION,
                            key=f"{event.key}/{registration.id}/{CANCELLATION}/session-cancelled",
                            now=now,
                            ledger=ledger,
                            with_calendar=registration.state in IN_CALENDAR,
                        )
                    continue
                if _moved(before, after):
                    supersede.append(Supersede(frozenset({REMINDER}), event.key, session_key))
                for registration in registrations:
                    queue += self._change_notice(event, before, after, registration, now, ledger)
                    if _moved(before, after) and registration.state is _S.REGISTERED:
                        queue += self._reminders(event, registration, now)
        # Where an assignment moved someone: their new place, by address.
        moved_to = {
            t.registration.person.email: t.registration.session_key
            for t in transitions
            if t.previous is None or t.reason == "assigned"
        }
        for transition in transitions:
            registration = transition.registration
            reason = transition.reason
            if reason in _CONFIRMING:
                queue += self._personal(event, registration, CONFIRMATION, reason, now, ledger)
                queue += self._reminders(event, registration, now)
            elif reason == "waitlisted":
                queue += self._personal(event, registration, WAITING_LIST, reason, now, ledger)
            elif reason == "offered":
                queue += self._personal(event, registration, OFFER, reason, now, ledger)
            elif reason == "expired":
                queue += self._personal(event, registration, OFFER_EXPIRED, reason, now, ledger)
            elif reason in {"cancelled", "moved"}:
                supersede.append(
                    Supersede(
                        frozenset({REMINDER}),
                        event.key,
                        registration.session_key,
                        registration_id=registration.id,
                    )
                )
                context: dict[str, Any] = {}
                target = moved_to.get(registration.person.email)
                if reason == "moved" and target is not None:
                    new = event.session(target)
                    language = registration.person.language
                    when = format_date(new.start, event.timezone, language)
                    start = format_time(new.start, event.timezone, language)
                    context["moved"] = {"to": f"{new.title} ({when}, {start})"}
                queue += self._personal(
                    event,
                    registration,
                    CANCELLATION,
                    reason,
                    now,
                    ledger,
                    with_calendar=transition.previous is _S.REGISTERED,
                    context=context,
                )
        return MessagePlan(supersede=tuple(supersede), queue=tuple(queue))

    # --- composing ---------------------------------------------------------

    def compose(
        self,
        event: Event,
        kind: str,
        *,
        key: str,
        name: str,
        email: str,
        phone: str | None,
        language: str,
        organisation: str | None = None,
        session: Session | None = None,
        context: Mapping[str, Any] | None = None,
        calendar: CalendarPart | None = None,
        due_at: datetime,
        registration_id: int | None = None,
    ) -> list[OutgoingMessage]:
        """One message of ``kind`` to one person, for each channel that can reach them.

        ``key`` identifies the message (the channel name is appended); values
        in ``context`` replace the template namespaces of the same name, with
        datetimes written out in the person's language.
        """
        if kind not in MESSAGE_KINDS:
            raise InvalidInputError(f"no message kind {kind!r}")
        values = event_context(
            event, language, name=name, organisation=organisation, session=session
        )
        for namespace, value in (context or {}).items():
            if isinstance(value, Mapping) and isinstance(values.get(namespace), dict):
                values[namespace] = {
                    **values[namespace],
                    **localise(value, event.timezone, language),
                }
            else:
                values[namespace] = localise(value, event.timezone, language)
        values["calendar"] = calendar is not None
        rendered = self.texts.render(kind, language, values, event_key=event.key)
        queued = []
        for channel_name, channel in self.channels.items():
            address = email if channel_address(channel) == "email" else phone
            if address is None:
                continue
            message = Message(
                address,
                rendered.subject,
                rendered.text,
                kind,
                language,
                html=rendered.html,
                calendar=calendar,
                recipient_name=name,
                sender_name=event.organiser,
                reply_to=event.help_desk.email,
                key=f"{key}/{channel_name}",
            )
            if not channel_is_rich(channel):
                message = message.plain()
            queued.append(
                OutgoingMessage(
                    channel_name,
                    message,
                    due_at,
                    event_key=event.key,
                    session_key=None if session is None else session.key,
                    registration_id=registration_id,
                )
            )
        return queued

    def _personal_link(self, registration: Registration) -> str | None:
        if self.personal_link is None:
            return None
        try:
            link = self.personal_link(registration)
            _Link(link)
        except Exception as error:
            logger.error(  # no traceback: the link maker's message may name the person
                "the personal link failed for registration %s (%s); the message goes without it",
                registration.id,
                type(error).__name__,
            )
            return None
        return link

    def _writer(self, event: Event) -> InvitationWriter:
        assert isinstance(self.calendar, CalendarInvitations)
        found = self._writers.get(id(event))
        if found is None or found[0] is not event:
            found = self._writers[id(event)] = (event, self.calendar.writer(event))
        return found[1]

    def _calendar_part(
        self,
        event: Event,
        registration: Registration,
        kind: str,
        ledger: CalendarLedger | None,
        now: datetime,
    ) -> CalendarPart | None:
        if self.calendar is None:
            return None
        if isinstance(self.calendar, CalendarInvitations):
            if ledger is None:
                # Numbering an entry without the store would send SEQUENCE 0
                # again and again; calendars would ignore the update.
                return None
            return self.calendar.part(self._writer(event), event, registration, kind, ledger, now)
        try:
            return self.calendar(event, registration, kind)
        except Exception as error:
            logger.error(  # no traceback: the provider's message may name the person
                "the calendar provider failed for registration %s (%s: %s); "
                "the message goes without a calendar part",
                registration.id,
                kind,
                type(error).__name__,
            )
            return None

    def personal(
        self,
        event: Event,
        registration: Registration,
        kind: str,
        *,
        key: str,
        now: datetime,
        due_at: datetime | None = None,
        context: Mapping[str, Any] | None = None,
        with_calendar: bool = True,
        ledger: CalendarLedger | None = None,
    ) -> list[OutgoingMessage]:
        """A ``kind`` message to a registered person, with the calendar part the provider gives.

        The built-in :class:`CalendarInvitations` needs the store's ``ledger``
        (a store passes one inside its transaction; see
        :meth:`participatie.Participatie.queue_message`); without it the
        message goes without a calendar part.
        """
        person = registration.person
        session = event.session(registration.session_key)
        calendar = (
            self._calendar_part(event, registration, kind, ledger, now) if with_calendar else None
        )
        link = self._personal_link(registration) if kind in _LINKED_KINDS else None
        if link is not None:
            context = {**(context or {}), "registration": {"link": link}}
        return self.compose(
            event,
            kind,
            key=key,
            name=person.name,
            email=person.email,
            phone=person.phone,
            language=person.language,
            organisation=person.organisation,
            session=session,
            context=context,
            calendar=calendar,
            due_at=now if due_at is None else due_at,
            registration_id=registration.id,
        )

    def _personal(
        self,
        event: Event,
        registration: Registration,
        kind: str,
        reason: str,
        now: datetime,
        ledger: CalendarLedger | None,
        *,
        with_calendar: bool = True,
        context: Mapping[str, Any] | None = None,
    ) -> list[OutgoingMessage]:
        context = dict(context or {})
        if kind == OFFER and registration.offer_expires_at is not None:
            context["offer"] = {
                "expires": format_instant(
                    registration.offer_expires_at, event.timezone, registration.person.language
                )
            }
        return self.personal(
            event,
            registration,
            kind,
            key=f"{event.key}/{registration.id}/{kind}/{reason}",
            now=now,
            context=context,
            with_calendar=with_calendar,
            ledger=ledger,
        )

    def _reminders(
        self, event: Event, registration: Registration, now: datetime
    ) -> list[OutgoingMessage]:
        session = event.session(registration.session_key)
        queued: list[OutgoingMessage] = []
        for rule in self.reminders:
            due = rule.due_at(session, event.timezone)
            if due <= now or due >= session.start:
                continue
            start = session.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            queued += self.personal(
                event,
                registration,
                REMINDER,
                key=f"{event.key}/{registration.id}/{REMINDER}/{rule.name}/{start}",
                now=now,
                due_at=due,
                with_calendar=False,
            )
        return queued

    def _change_notice(
        self,
        event: Event,
        before: Session,
        after: Session,
        registration: Registration,
        now: datetime,
        ledger: CalendarLedger | None,
    ) -> list[OutgoingMessage]:
        language = registration.person.language
        changes = session_changes(before, after, event.timezone, language)
        if not changes:
            return []
        digest = _digest(
            after.title,
            after.start.isoformat(),
            after.end.isoformat(),
            after.place,
            after.online_link,
        )
        return self.personal(
            event,
            registration,
            CHANGE,
            key=f"{event.key}/{registration.id}/{CHANGE}/{digest}",
            now=now,
            context={"changes": changes},
            with_calendar=registration.state is _S.REGISTERED,
            ledger=ledger,
        )

    def group_assignment(
        self,
        event: Event,
        registration: Registration,
        number: int,
        now: datetime,
        ledger: CalendarLedger | None,
        *,
        facilitators: Sequence[str] = (),
    ) -> list[OutgoingMessage]:
        """The message that tells one participant their group, with the updated calendar entry.

        Keyed by the group number: forming the groups again without moving
        them queues nothing new; a move to another group is a new message.
        """
        link = None
        if isinstance(self.calendar, CalendarInvitations):
            session = event.session(registration.session_key)
            link = self.calendar.group(session, number, registration.person.language).online_link
        return self.personal(
            event,
            registration,
            GROUP_ASSIGNMENT,
            key=f"{event.key}/{registration.id}/{GROUP_ASSIGNMENT}/{number}",
            now=now,
            context={
                "group": {
                    "number": number,
                    "name": None,
                    "facilitator": ", ".join(facilitators) or None,
                    "link": link,
                }
            },
            ledger=ledger,
        )

    def invitations(
        self,
        event: Event,
        contacts: Iterable[Contact],
        now: datetime,
        *,
        registration_link: str | None = None,
        round_name: str = "1",
    ) -> list[OutgoingMessage]:
        """One invitation to register per contact; the same round again queues nothing new."""
        v.slug(self, attrs.fields(ReminderRule).name, round_name)
        _Link(registration_link)
        queued: list[OutgoingMessage] = []
        closes = [session.closes_at for session in event.sessions]
        for contact in contacts:
            invitation = {
                "registration_link": registration_link,
                "closes": max(closes) if closes else None,
            }
            queued += self.compose(
                event,
                INVITATION,
                key=f"{event.key}/{INVITATION}/{round_name}/{_digest(contact.email)}",
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                language=contact.language,
                organisation=contact.organisation,
                context={"invitation": invitation},
                due_at=now,
            )
        return queued
