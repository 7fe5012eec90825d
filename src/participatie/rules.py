"""The registration rules, as pure functions of their inputs.

Nothing here reads a clock, a database or a plugin: the caller passes the
event, the session, the person and ``now``. That keeps every rule testable at
any instant and shared by every storage backend, which call the placement
functions inside their own locked transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from participatie.exceptions import (
    AlreadyRegisteredError,
    ChangeDeadlinePassedError,
    ConsentRequiredError,
    GuardianConsentRequiredError,
    IllegalTransitionError,
    InvalidInputError,
    NotEligibleError,
    RegistrationClosedError,
    RegistrationNotOpenError,
    SessionCancelledError,
    SessionFullError,
)
from participatie.localtime import to_local
from participatie.model import (
    ALLOWED_TRANSITIONS,
    GUARDIAN,
    Consent,
    Event,
    Person,
    Registration,
    RegistrationState,
    Session,
    WaitingListPolicy,
)

__all__ = [
    "Placement",
    "check_can_cancel",
    "check_can_register",
    "check_guardian_consent",
    "check_transition",
    "initial_state",
    "local_text",
    "plan_fill",
]


def local_text(instant: datetime, event: Event) -> str:
    """An instant as the organiser reads it: local time in the event's time zone."""
    return to_local(instant, event.timezone).strftime("%Y-%m-%d %H:%M %Z")


def check_can_register(
    event: Event,
    session: Session,
    person: Person,
    consent: Consent | None,
    now: datetime,
) -> None:
    """Refuse a registration that breaks a rule; return quietly otherwise.

    Checks, in the order a person would want to hear about them: the
    registration window, eligibility by audience, consent, and a guardian's
    consent for a minor (see :func:`check_guardian_consent`). Capacity and
    duplicates are not checked here: they depend on what is stored and are
    decided atomically by the storage backend (see :func:`initial_state`).
    A cancelled session takes no registrations at all.
    """
    if session.cancelled:
        raise SessionCancelledError(f"{session.title!r} has been cancelled by the organiser")
    if session.registration_opens is not None and now < session.registration_opens:
        raise RegistrationNotOpenError(
            f"registration for {session.title!r} opens at "
            f"{local_text(session.registration_opens, event)}"
        )
    if now >= session.closes_at:
        raise RegistrationClosedError(
            f"registration for {session.title!r} closed at {local_text(session.closes_at, event)}"
        )
    if not session.is_for(person.audience):
        allowed = ", ".join(event.audience(key).label for key in sorted(session.audiences))
        raise NotEligibleError(
            f"{session.title!r} is for {allowed}; "
            f"{person.name} registered as {event.audience(person.audience).label}"
        )
    if session.consent_required:
        if consent is None:
            raise ConsentRequiredError(
                f"{person.name} has not given consent to process their data for {session.title!r}"
            )
        if event.consent_version is not None and consent.text_version != event.consent_version:
            raise ConsentRequiredError(
                f"consent was given to text version {consent.text_version!r}, "
                f"but the current version is {event.consent_version!r}"
            )
        if consent.given_at > now:
            raise ConsentRequiredError("consent cannot be given in the future")
    check_guardian_consent(session, person, consent)
    if person.is_erased:
        raise InvalidInputError(
            "addresses at erased.invalid mark erased people; they cannot register"
        )


def check_guardian_consent(session: Session, person: Person, consent: Consent | None) -> None:
    """Refuse a minor's registration without a parent's or guardian's consent.

    The rule applies when the session sets
    :attr:`~participatie.Session.guardian_consent_below` and the person's
    :attr:`~participatie.Person.age_category` lies wholly below that age.
    A person whose age category is not known (the form did not ask) is not
    treated as a minor: a form for sessions that minors may join must ask.
    The message names neither the person nor their age category.
    """
    limit = session.guardian_consent_below
    if limit is None or person.age_category is None or not person.age_category.is_below(limit):
        return
    if consent is None or consent.given_by != GUARDIAN:
        given = "no consent" if consent is None else "consent given by the participant"
        raise GuardianConsentRequiredError(
            f"{session.title!r} needs the consent of a parent or guardian for participants "
            f"under {limit}; this registration records {given}"
        )


def check_can_cancel(
    event: Event,
    session: Session,
    registration: Registration,
    now: datetime,
    *,
    by_organiser: bool = False,
) -> None:
    """Refuse a participant's cancellation after the change deadline.

    Someone on the waiting list (or with an open offer) may always withdraw:
    that frees nobody's place. An organiser may cancel at any time, because
    people also tell the help desk at the last minute that they cannot come.
    """
    check_transition(registration.state, RegistrationState.CANCELLED)
    if by_organiser or registration.state in {
        RegistrationState.WAITLISTED,
        RegistrationState.OFFERED,
    }:
        return
    if now >= session.changes_until:
        raise ChangeDeadlinePassedError(
            f"changes to {session.title!r} were possible until "
            f"{local_text(session.changes_until, event)}; please contact the help desk "
            f"({event.help_desk.email})"
        )


def check_transition(current: RegistrationState, new: RegistrationState) -> None:
    """Raise :class:`IllegalTransitionError` unless ``current → new`` is allowed."""
    if new not in ALLOWED_TRANSITIONS[current]:
        raise IllegalTransitionError(
            f"a registration that is {current.value} cannot become {new.value}"
        )


def initial_state(
    session: Session,
    *,
    places_taken: int,
    waiting: int,
    already_active: bool,
    who: str = "this person",
) -> RegistrationState:
    """The state a new registration gets, decided inside the backend's lock.

    ``places_taken`` counts registrations that hold a place (including open
    offers); ``waiting`` counts the waiting list. Someone new never jumps the
    queue: while anyone is waiting, a newcomer waits too, and the backend's
    :func:`plan_fill` then gives any free place to the first in line.
    """
    if already_active:
        raise AlreadyRegisteredError(f"{who} is already registered for {session.title!r}")
    if session.capacity is None or (places_taken < session.capacity and waiting == 0):
        return RegistrationState.REGISTERED
    if session.waiting_list is WaitingListPolicy.NONE:
        places = "1 place" if session.capacity == 1 else f"{session.capacity} places"
        raise SessionFullError(f"{session.title!r} is full ({places})")
    return RegistrationState.WAITLISTED


@attrs.frozen
class Placement:
    """A change :func:`plan_fill` asks the backend to make.

    Attributes:
        registration_id: Whose registration.
        state: The new state (registered or offered).
        offer_expires_at: For an offer, when it lapses.
        reason: ``promoted`` or ``offered``.
    """

    registration_id: int
    state: RegistrationState
    offer_expires_at: datetime | None
    reason: str


def plan_fill(
    session: Session,
    *,
    places_taken: int,
    first_waiting: Sequence[int],
    now: datetime,
) -> list[Placement]:
    """Who on the waiting list gets a free place now, in waiting-list order.

    ``first_waiting`` holds the ids at the head of the waiting list (the
    caller may pass only as many as there are free places). With the
    automatic policy they are promoted; with the offer policy they receive an
    offer that lapses after :attr:`Session.offer_period`, or at the start of
    the session if that comes first.

    Once the session has started nobody is moved up any more: a place that
    frees up during the meeting cannot be used, and an offer nobody can act
    on in time would only confuse.
    """
    if session.waiting_list is WaitingListPolicy.NONE or now >= session.start:
        return []
    free = len(first_waiting) if session.capacity is None else session.capacity - places_taken
    if free <= 0:
        return []
    chosen = first_waiting[:free]
    if session.waiting_list is WaitingListPolicy.AUTOMATIC:
        return [Placement(rid, RegistrationState.REGISTERED, None, "promoted") for rid in chosen]
    expires = min(now + session.offer_period, session.start)
    return [Placement(rid, RegistrationState.OFFERED, expires, "offered") for rid in chosen]


def free_places(session: Session, places_taken: int) -> int | None:
    """How many places are left (``None`` without a capacity); never negative."""
    if session.capacity is None:
        return None
    return max(0, session.capacity - places_taken)
