"""The things an organiser describes and the records registration produces.

Descriptions (:class:`Event`, :class:`Session`, :class:`Person`) are frozen
values: change one with :func:`attrs.evolve`, which runs the validators again,
so an invalid description can never exist. :class:`Registration` is a frozen
snapshot of a stored record; only a storage backend makes new snapshots.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from participatie import _validate as v
from participatie.exceptions import InvalidInputError, UnknownSessionError
from participatie.localtime import DEFAULT_TIMEZONE, zone

__all__ = [
    "CLIENT",
    "DEFAULT_GUARDIAN_AGE",
    "ERASED_DOMAIN",
    "ERASED_NAME",
    "EXPERT_BY_EXPERIENCE",
    "GUARDIAN",
    "PARTICIPANT",
    "PROFESSIONAL",
    "AgeCategory",
    "Audience",
    "Consent",
    "Event",
    "HelpDesk",
    "Person",
    "Registration",
    "RegistrationState",
    "Session",
    "Transition",
    "WaitingListPolicy",
    "erased_person",
]

#: Audience key for clients of youth and family protection (seed 001); events
#: may define any other keys.
CLIENT = "client"
#: Audience key for experts by experience (*ervaringsdeskundigen*).
EXPERT_BY_EXPERIENCE = "expert-by-experience"
#: Audience key for professionals (workers, managers, partner organisations).
PROFESSIONAL = "professional"

#: The age below which a session asks for a parent's or guardian's consent
#: when consent is the legal basis: 16 in the Netherlands (GDPR article 8,
#: UAVG article 5). An organiser may choose 12 or 18 instead, or ``None``.
DEFAULT_GUARDIAN_AGE = 16
#: Who gave a consent: the participant themself ...
PARTICIPANT = "participant"
#: ... or their parent or guardian (for a minor).
GUARDIAN = "guardian"
#: The name every erased person's tombstone carries.
ERASED_NAME = "[erased]"
#: The domain of tombstone addresses (a reserved name no real address has).
ERASED_DOMAIN = v.ERASED_DOMAIN


class AgeCategory(enum.Enum):
    """How old someone is, as a category: participatie never stores a birth date.

    A category is all the registration rules need (is a guardian's consent
    required?), and it identifies nobody. The boundaries 12, 16 and 18 are
    the ages Dutch law attaches consequences to.
    """

    UNDER_12 = "under-12"
    FROM_12_TO_15 = "12-15"
    FROM_16_TO_17 = "16-17"
    ADULT = "adult"

    @property
    def below(self) -> int | None:
        """The age everyone in this category is younger than (``None`` for adults)."""
        return _AGE_UPPER[self]

    def is_below(self, age: int) -> bool:
        """Whether everyone in this category is younger than ``age``."""
        upper = self.below
        return upper is not None and upper <= age


_AGE_UPPER = {
    AgeCategory.UNDER_12: 12,
    AgeCategory.FROM_12_TO_15: 16,
    AgeCategory.FROM_16_TO_17: 18,
    AgeCategory.ADULT: None,
}
#: The ages a session may set as its guardian-consent limit: the category
#: boundaries, so that every category is wholly above or below the limit.
GUARDIAN_AGES = (12, 16, 18)


def _to_age_category(value: object) -> object:
    if isinstance(value, str):
        try:
            return AgeCategory(value)
        except ValueError:
            choices = ", ".join(category.value for category in AgeCategory)
            raise InvalidInputError(
                f"age category must be one of {choices}, not {value!r}"
            ) from None
    return value


def _check_age_category(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, AgeCategory):
        raise InvalidInputError(f"age category must be an AgeCategory, not {value!r}")


def _check_guardian_age(instance: Session, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or value not in GUARDIAN_AGES):
        raise InvalidInputError(
            f"session {instance.key!r}: the age below which a guardian must consent must be "
            f"one of {', '.join(map(str, GUARDIAN_AGES))} (or None), not {value!r}"
        )


def _default_guardian_age(session: Session) -> int | None:
    return DEFAULT_GUARDIAN_AGE if session.consent_required else None


def _check_retention(instance: Event, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
        raise InvalidInputError(
            f"event {instance.key!r}: retention must be a timedelta of zero or more, or None"
        )


def _to_frozenset(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        # A lone string would become a set of its letters; that is never meant.
        return frozenset({values})
    return frozenset(values)


def _to_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


@attrs.frozen
class Audience:
    """A group of people a session is meant for (doelgroep).

    Attributes:
        key: Identifier used in sessions and registrations, e.g. ``"client"``.
        label: How the audience is named to people, e.g. ``"cliënt"``.
    """

    key: str = attrs.field(validator=v.slug)
    label: str = attrs.field(validator=v.single_line)


@attrs.frozen
class HelpDesk:
    """Where participants can ask questions (vraagbaak); every message carries it.

    Attributes:
        email: The help desk's e-mail address (normalised to lower case).
        phone: An optional phone number.
    """

    email: str = attrs.field(converter=v.normalise_email)
    phone: str | None = attrs.field(default=None, validator=v.phone)


class WaitingListPolicy(enum.Enum):
    """What happens when a full session gets a registration, and when a place frees up."""

    #: Full means full: a registration is refused, nobody waits.
    NONE = "none"
    #: The next person waiting is moved into a freed place at once.
    AUTOMATIC = "automatic"
    #: The next person waiting is offered the freed place for a limited time
    #: (:attr:`Session.offer_period`); if they do not accept in time the offer
    #: lapses and goes to the person after them.
    OFFER = "offer"


@attrs.frozen
class Session:
    """A dated part of an event that people register for (sessie).

    Attributes:
        key: Identifier, unique within the event (used in calendar UIDs and URLs).
        title: Short name shown to participants.
        start: When the session starts (aware).
        end: When it ends (aware, after ``start``).
        online_link: Where to join an online session.
        place: Where to be for a session on location, or a room name.
        audiences: Keys of the audiences the session is for; empty means everyone.
        capacity: How many people can take part; ``None`` means no limit.
        max_group_size: The largest breakout group; ``None`` means one group.
        registration_opens: From when registration is accepted; ``None`` means now.
        registration_closes: Until when (exclusive); ``None`` means until the start.
            A deadline written as a date means the end of that day: use
            :func:`participatie.end_of_day`.
        change_deadline: Until when participants may cancel or change;
            ``None`` means until the start.
        waiting_list: The waiting-list policy.
        offer_period: How long an offer of a freed place stays open
            (only with :attr:`WaitingListPolicy.OFFER`).
        consent_required: Whether a registration needs recorded consent.
        cancelled: Whether the organiser called the session off. A cancelled
            session takes no registrations, and calendars are told to drop it
            (``METHOD:CANCEL``; it leaves the published feeds).
        guardian_consent_below: Participants whose :class:`AgeCategory` is
            below this age need their parent's or guardian's consent (a
            :class:`Consent` with ``given_by=GUARDIAN``). One of 12, 16 or 18,
            or ``None`` for no such rule; by default
            :data:`DEFAULT_GUARDIAN_AGE` (16) when consent is required, and
            ``None`` otherwise.
    """

    key: str = attrs.field(validator=v.slug)
    title: str = attrs.field(validator=v.single_line)
    start: datetime = attrs.field(validator=v.aware)
    end: datetime = attrs.field(validator=v.aware)
    online_link: str | None = attrs.field(default=None, validator=v.web_link, kw_only=True)
    place: str | None = attrs.field(default=None, validator=v.optional_single_line, kw_only=True)
    audiences: frozenset[str] = attrs.field(
        default=frozenset(), converter=_to_frozenset, kw_only=True
    )
    capacity: int | None = attrs.field(
        default=None, validator=v.optional_positive_int, kw_only=True
    )
    max_group_size: int | None = attrs.field(
        default=None, validator=v.optional_positive_int, kw_only=True
    )
    registration_opens: datetime | None = attrs.field(
        default=None, validator=v.optional_aware, kw_only=True
    )
    registration_closes: datetime | None = attrs.field(
        default=None, validator=v.optional_aware, kw_only=True
    )
    change_deadline: datetime | None = attrs.field(
        default=None, validator=v.optional_aware, kw_only=True
    )
    waiting_list: WaitingListPolicy = attrs.field(
        default=WaitingListPolicy.AUTOMATIC,
        validator=attrs.validators.instance_of(WaitingListPolicy),
        kw_only=True,
    )
    offer_period: timedelta = attrs.field(default=timedelta(hours=48), kw_only=True)
    consent_required: bool = attrs.field(default=True, kw_only=True)
    cancelled: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool), kw_only=True
    )
    guardian_consent_below: int | None = attrs.field(
        default=attrs.Factory(_default_guardian_age, takes_self=True),
        validator=_check_guardian_age,
        kw_only=True,
    )

    @end.validator
    def _check_end(self, _attribute: attrs.Attribute[datetime], value: datetime) -> None:
        # Compare instants: within one zone Python compares wall-clock readings
        # and ignores fold, so 02:14 (second time) would come before 02:59 (first).
        if _utc(value) <= _utc(self.start):
            raise InvalidInputError(
                f"session {self.key!r} ends ({value.isoformat()}) before it starts "
                f"({self.start.isoformat()})"
            )

    @audiences.validator
    def _check_audiences(
        self, _attribute: attrs.Attribute[frozenset[str]], value: frozenset[str]
    ) -> None:
        for key in value:
            v.slug(self, attrs.fields(Audience).key, key)

    @registration_closes.validator
    def _check_window(self, _attribute: attrs.Attribute[Any], value: datetime | None) -> None:
        opens = self.registration_opens
        if value is not None and opens is not None and _utc(value) <= _utc(opens):
            raise InvalidInputError(f"session {self.key!r}: registration closes before it opens")

    @offer_period.validator
    def _check_offer_period(self, _attribute: attrs.Attribute[Any], value: timedelta) -> None:
        if not isinstance(value, timedelta) or value <= timedelta(0):
            raise InvalidInputError(f"session {self.key!r}: offer period must be positive")

    @property
    def closes_at(self) -> datetime:
        """The instant registration closes: the deadline, or else the start."""
        return self.registration_closes if self.registration_closes is not None else self.start

    @property
    def changes_until(self) -> datetime:
        """The instant after which participants can no longer cancel or change."""
        return self.change_deadline if self.change_deadline is not None else self.start

    def is_for(self, audience: str) -> bool:
        """Whether someone of ``audience`` may register for this session."""
        return not self.audiences or audience in self.audiences


def _check_sessions(event: Event, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    seen: set[str] = set()
    known = {audience.key for audience in event.audiences}
    for session in value:
        if not isinstance(session, Session):
            raise InvalidInputError(f"event {event.key!r}: {session!r} is not a Session")
        if session.key in seen:
            raise InvalidInputError(f"event {event.key!r} has two sessions named {session.key!r}")
        seen.add(session.key)
        unknown = session.audiences - known
        if known and unknown:
            raise InvalidInputError(
                f"session {session.key!r} is for audiences the event does not define: "
                + ", ".join(sorted(unknown))
            )


def _check_audience_keys(
    event: Event, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    keys = [audience.key for audience in value if isinstance(audience, Audience)]
    if len(keys) != len(value):
        raise InvalidInputError(f"event {event.key!r}: audiences must be Audience values")
    if len(set(keys)) != len(keys):
        raise InvalidInputError(f"event {event.key!r} defines an audience twice")


def _check_questions(
    event: Event, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    for question in value:
        v.multi_line(event, attrs.fields(Event).purpose, question)
        if not question.strip():
            raise InvalidInputError(f"event {event.key!r} has an empty central question")


def _check_timezone(_event: Event, _attribute: attrs.Attribute[Any], value: str) -> None:
    zone(value)


@attrs.frozen
class Event:
    """One thing people are invited to (bijeenkomst), with its sessions.

    Attributes:
        key: Identifier (lower-case letters, digits and hyphens).
        title: The event's name.
        organiser: Who organises it.
        help_desk: Where participants ask questions.
        purpose: Why the event is held, in a few sentences.
        timezone: IANA time zone for dates written without one and for
            deadlines given as a date.
        audiences: The audiences the event distinguishes; sessions refer to them.
        central_questions: The questions that steer the conversation.
        sessions: The sessions, each with a key unique in the event.
        consent_version: The version of the consent text registrants agree to;
            a registration that records another version is refused.
        retention: How long personal data of the event is kept after its
            last session ends; :meth:`Participatie.purge_expired
            <participatie.Participatie.purge_expired>` erases it then.
            ``None`` (the default) keeps it until it is erased by hand.
    """

    key: str = attrs.field(validator=v.slug)
    title: str = attrs.field(validator=v.single_line)
    organiser: str = attrs.field(validator=v.single_line)
    help_desk: HelpDesk = attrs.field(validator=attrs.validators.instance_of(HelpDesk))
    purpose: str = attrs.field(default="", validator=v.multi_line, kw_only=True)
    timezone: str = attrs.field(default=DEFAULT_TIMEZONE, validator=_check_timezone, kw_only=True)
    audiences: tuple[Audience, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_audience_keys, kw_only=True
    )
    central_questions: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_questions, kw_only=True
    )
    sessions: tuple[Session, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_check_sessions, kw_only=True
    )
    consent_version: str | None = attrs.field(
        default=None, validator=v.optional_single_line, kw_only=True
    )
    retention: timedelta | None = attrs.field(
        default=None, validator=_check_retention, kw_only=True
    )

    @property
    def purge_due(self) -> datetime | None:
        """When the event's personal data is due to be purged (``None``: never).

        The retention period counts from the end of the last session; an
        event without retention, or without sessions, is never purged.
        """
        if self.retention is None or not self.sessions:
            return None
        return max(session.end for session in self.sessions) + self.retention

    def session(self, key: str) -> Session:
        """The session with ``key``.

        Raises :class:`~participatie.exceptions.UnknownSessionError` if there is none.
        """
        for session in self.sessions:
            if session.key == key:
                return session
        raise UnknownSessionError(f"event {self.key!r} has no session {key!r}")

    def audience(self, key: str) -> Audience:
        """The audience with ``key`` (a plain label equal to the key if undefined)."""
        for audience in self.audiences:
            if audience.key == key:
                return audience
        return Audience(key=key, label=key)


@attrs.frozen
class Person:
    """Someone who registers: only the personal data the meeting needs.

    Attributes:
        name: How to address them.
        email: Their e-mail address, normalised (trimmed, lower case); it
            identifies the person, so case and spaces never make a duplicate.
        audience: The key of their audience (client, professional, …).
        organisation: The organisation they belong to, such as a client council.
        phone: An optional phone number.
        language: ``"nl"`` or ``"en"``: the language of their messages.
        age_category: Their :class:`AgeCategory` (or its value, such as
            ``"12-15"``), when the registration form asks for it; ``None``
            when it does not. Never a birth date.

    Names and organisations are trimmed and their accents composed (NFC);
    they are single lines of at most 200 characters without control
    characters. The e-mail address follows the address rule on the privacy
    page of the documentation (NFKC, then ``email-validator``, then no mixed
    scripts).
    """

    name: str = attrs.field(converter=v.clean_line, validator=v.single_line)
    email: str = attrs.field(converter=v.normalise_email)
    audience: str = attrs.field(validator=v.slug)
    organisation: str | None = attrs.field(
        default=None,
        converter=v.clean_optional_line,
        validator=v.optional_single_line,
        kw_only=True,
    )
    phone: str | None = attrs.field(default=None, validator=v.phone, kw_only=True)
    language: str = attrs.field(
        default="nl", validator=attrs.validators.in_(("nl", "en")), kw_only=True
    )
    age_category: AgeCategory | None = attrs.field(
        default=None, converter=_to_age_category, validator=_check_age_category, kw_only=True
    )

    @property
    def is_erased(self) -> bool:
        """Whether this is the tombstone of an erased person (see :func:`erased_person`)."""
        return v.is_erased_address(self.email)


def erased_person(audience: str) -> Person:
    """A tombstone: what is left of a person after erasure, on their old registrations.

    It keeps only the audience, so counts per audience stay right, and gets a
    random address at :data:`ERASED_DOMAIN` that is not derived from the old
    one (a hash could be checked against a guessed address).
    """
    return Person(
        ERASED_NAME, f"erased-{secrets.token_hex(12)}@{ERASED_DOMAIN}", audience, language="nl"
    )


@attrs.frozen
class Consent:
    """That a person agreed to the processing of their data, to which text, and when.

    Attributes:
        text_version: The version of the consent text shown to them.
        given_at: When they agreed (aware).
        given_by: :data:`PARTICIPANT` (the default) or :data:`GUARDIAN`, when
            a parent or guardian consented for a minor.
    """

    text_version: str = attrs.field(validator=v.single_line)
    given_at: datetime = attrs.field(validator=v.aware)
    given_by: str = attrs.field(
        default=PARTICIPANT,
        validator=attrs.validators.in_((PARTICIPANT, GUARDIAN)),
        kw_only=True,
    )


class RegistrationState(enum.Enum):
    """Where a registration stands. :data:`ALLOWED_TRANSITIONS` says where it may go."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"
    ATTENDED = "attended"
    NO_SHOW = "no-show"

    @property
    def holds_place(self) -> bool:
        """Whether a registration in this state takes one of the session's places."""
        return self in _HOLDS_PLACE

    @property
    def is_active(self) -> bool:
        """Whether the person still takes part (a new registration would be a duplicate)."""
        return self in _ACTIVE

    @property
    def is_final(self) -> bool:
        """Whether no transition leads out of this state."""
        return not ALLOWED_TRANSITIONS[self]


_S = RegistrationState
_HOLDS_PLACE = frozenset({_S.REGISTERED, _S.OFFERED, _S.ATTENDED, _S.NO_SHOW})
_ACTIVE = _HOLDS_PLACE | {_S.WAITLISTED}

#: Every legal change of state. Attendance may be corrected both ways after the
#: session; cancelled, declined and expired registrations are final (the person
#: may register again, which makes a new registration).
ALLOWED_TRANSITIONS: dict[RegistrationState, frozenset[RegistrationState]] = {
    _S.REGISTERED: frozenset({_S.CANCELLED, _S.ATTENDED, _S.NO_SHOW}),
    _S.WAITLISTED: frozenset({_S.REGISTERED, _S.OFFERED, _S.CANCELLED}),
    _S.OFFERED: frozenset({_S.REGISTERED, _S.DECLINED, _S.EXPIRED, _S.CANCELLED}),
    _S.ATTENDED: frozenset({_S.NO_SHOW}),
    _S.NO_SHOW: frozenset({_S.ATTENDED}),
    _S.CANCELLED: frozenset(),
    _S.DECLINED: frozenset(),
    _S.EXPIRED: frozenset(),
}


@attrs.frozen
class Registration:
    """A snapshot of one person's registration for one session, as stored.

    Stores return every datetime of a registration in UTC; convert with
    :func:`participatie.to_local` to show it.

    Attributes:
        id: Assigned by the store; also the order of the waiting list.
        event_key: The event.
        session_key: The session within the event.
        person: The person as they registered.
        state: Where the registration stands.
        registered_at: When it was made.
        updated_at: When its state last changed.
        consent: The recorded consent, if any.
        offer_expires_at: Until when an open offer may be accepted.
    """

    id: int
    event_key: str
    session_key: str
    person: Person
    state: RegistrationState
    registered_at: datetime
    updated_at: datetime
    consent: Consent | None = None
    offer_expires_at: datetime | None = None


@attrs.frozen
class Transition:
    """One change of a registration's state, reported to lifecycle hooks.

    Attributes:
        registration: The registration after the change (in a history: as it
            is now).
        previous: The state before; ``None`` when the registration is new.
        state: The state the change led to.
        at: When the change happened, in UTC (as stores return it), so a
            transition reported to a hook equals the same one read back from
            :meth:`Participatie.history`.
        reason: Why, in one word: ``registered``, ``waitlisted``, ``promoted``,
            ``offered``, ``accepted``, ``declined``, ``expired``, ``cancelled``,
            ``attended``, ``no-show`` or ``erased`` (a cancellation because
            the person was erased).
    """

    registration: Registration
    previous: RegistrationState | None
    state: RegistrationState
    at: datetime = attrs.field(validator=v.aware)
    reason: str

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "at", self.at.astimezone(UTC))
