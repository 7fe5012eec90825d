"""One object that ties a store, the plugins and the clock together.

A script that uses :class:`Participatie` reads like the organiser's steps:
describe the event, register people, cancel, let offers lapse, record who came.
The facade checks the pure rules (window, eligibility, consent, deadlines)
before it asks the store for the atomic part (places and waiting list), and
tells plugins about every committed change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from participatie import rules
from participatie.clock import Clock, SystemClock
from participatie.exceptions import OfferExpiredError, ParticipatieError
from participatie.feedback._steps import FeedbackSteps
from participatie.grouping import Group
from participatie.model import (
    Consent,
    Event,
    Person,
    Registration,
    RegistrationState,
    Session,
    Transition,
)
from participatie.plugins import Plugins, get_plugins
from participatie.storage import BulkResult, Outcome, PlaceCount, Store

__all__ = ["DEFAULT_STORE_URL", "Participatie", "open_store"]

#: The embedded default: one SQLite file in the working directory.
DEFAULT_STORE_URL = "sqlite:///participatie.db"

_S = RegistrationState


def open_store(url: str = DEFAULT_STORE_URL, *, plugins: Plugins | None = None) -> Store:
    """Open the storage backend for ``url`` (``memory://``, ``sqlite:///file.db``, …)."""
    return (plugins or get_plugins()).open_store(url)


class Participatie(FeedbackSteps):
    """The organiser's steps, on one store, with one clock.

    The steps for input, attendance, drafts and feedback rounds come from
    :class:`~participatie.feedback.FeedbackSteps`.

    Attributes:
        store: Where events and registrations are kept.
        plugins: The plugins to call.
        clock: Where "now" comes from.
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        plugins: Plugins | None = None,
    ) -> None:
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.plugins = plugins if plugins is not None else get_plugins()

    @classmethod
    def open(
        cls,
        url: str = DEFAULT_STORE_URL,
        *,
        clock: Clock | None = None,
        plugins: Plugins | None = None,
    ) -> Participatie:
        """Open the store at ``url`` through the storage plugins."""
        plugins = plugins if plugins is not None else get_plugins()
        return cls(plugins.open_store(url), clock=clock, plugins=plugins)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Participatie:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def now(self) -> datetime:
        """The current instant according to the clock."""
        return self.clock.now()

    # --- events -----------------------------------------------------------

    def save_event(self, event: Event) -> Event:
        """Store (or replace) an event description.

        A larger capacity gives waiting people the new places at once.
        """
        transitions = self.store.save_event(event, self.now())
        self.plugins.event_saved(event)
        self.plugins.registration_changed(transitions, event)
        return event

    def event(self, event_key: str) -> Event:
        """The stored event."""
        return self.store.get_event(event_key)

    def events(self) -> list[Event]:
        """All stored events, by key."""
        return self.store.list_events()

    def session(self, event_key: str, session_key: str) -> Session:
        """One session of a stored event."""
        return self.event(event_key).session(session_key)

    # --- registration -----------------------------------------------------

    def register(
        self,
        event_key: str,
        session_key: str,
        person: Person,
        *,
        consent: Consent | None = None,
    ) -> Registration:
        """Register ``person`` for a session: a place, or a place on the waiting list.

        Raises a :class:`~participatie.exceptions.RegistrationRefusedError`
        subclass when a rule refuses it; nothing is stored then.
        """
        now = self.now()
        event = self.event(event_key)
        session = event.session(session_key)
        rules.check_can_register(event, session, person, consent, now)
        outcome = self.store.register(event_key, session_key, person, consent, now)
        self.plugins.registration_changed(outcome.transitions, event)
        return outcome.registration

    def register_many(
        self,
        event_key: str,
        session_key: str,
        entries: Iterable[tuple[Person, Consent | None]],
    ) -> BulkResult:
        """Register many people at once (an import), in one transaction.

        Each entry is checked against the rules; refused entries are reported
        in :attr:`BulkResult.refused` with their index, the rest are stored.
        """
        now = self.now()
        event = self.event(event_key)
        session = event.session(session_key)
        accepted: list[tuple[Person, Consent | None]] = []
        positions: list[int] = []
        refused: list[tuple[int, ParticipatieError]] = []
        for index, (person, consent) in enumerate(entries):
            try:
                rules.check_can_register(event, session, person, consent, now)
            except ParticipatieError as error:
                refused.append((index, error))
            else:
                accepted.append((person, consent))
                positions.append(index)
        result = self.store.register_many(event_key, session_key, accepted, now)
        refused += [(positions[index], error) for index, error in result.refused]
        self.plugins.registration_changed(result.transitions, event)
        return BulkResult(
            result.registrations, tuple(sorted(refused, key=_first)), result.transitions
        )

    def cancel(self, registration_id: int, *, by_organiser: bool = False) -> Outcome:
        """Cancel a registration; the freed place goes to the waiting list.

        Participants can cancel a place until the session's change deadline;
        ``by_organiser=True`` cancels at any time (someone told the help desk).
        The outcome's :attr:`~participatie.Outcome.moved_up` says who got the
        place (or an offer of it).
        """
        now = self.now()
        registration = self.store.get_registration(registration_id)
        event = self.event(registration.event_key)
        session = event.session(registration.session_key)
        rules.check_can_cancel(event, session, registration, now, by_organiser=by_organiser)
        return self._change(registration_id, _S.CANCELLED, event)

    def accept_offer(self, registration_id: int) -> Outcome:
        """Accept an offered place before the offer lapses.

        Too late raises :class:`~participatie.exceptions.OfferExpiredError`;
        the lapse is then recorded and the place offered to the next person.
        """
        return self._change(registration_id, _S.REGISTERED)

    def decline_offer(self, registration_id: int) -> Outcome:
        """Decline an offered place; it is offered to the next person waiting."""
        return self._change(registration_id, _S.DECLINED)

    def mark_attended(self, registration_id: int) -> Outcome:
        """Record that the person took part."""
        return self._change(registration_id, _S.ATTENDED)

    def mark_no_show(self, registration_id: int) -> Outcome:
        """Record that the person did not come."""
        return self._change(registration_id, _S.NO_SHOW)

    def expire_offers(self) -> tuple[Transition, ...]:
        """Let lapsed offers expire and offer their places to the next people.

        Offers also lapse on the next change to their session; run this from a
        scheduler so that places move on even when nothing else happens.
        """
        transitions = self.store.expire_offers(self.now())
        by_event: dict[str, list[Transition]] = {}
        for transition in transitions:
            by_event.setdefault(transition.registration.event_key, []).append(transition)
        for event_key, changes in by_event.items():
            self.plugins.registration_changed(changes, self.event(event_key))
        return transitions

    def _change(
        self, registration_id: int, state: RegistrationState, event: Event | None = None
    ) -> Outcome:
        try:
            outcome = self.store.change_state(registration_id, state, self.now())
        except OfferExpiredError as lapsed:
            if lapsed.transitions:
                key = lapsed.transitions[0].registration.event_key
                self.plugins.registration_changed(lapsed.transitions, event or self.event(key))
            raise
        if event is None:
            event = self.event(outcome.registration.event_key)
        self.plugins.registration_changed(outcome.transitions, event)
        return outcome

    # --- reading ----------------------------------------------------------

    def registration(self, registration_id: int) -> Registration:
        """One registration as stored now."""
        return self.store.get_registration(registration_id)

    def registrations(
        self,
        event_key: str,
        session_key: str | None = None,
        *,
        states: Iterable[RegistrationState] | None = None,
    ) -> list[Registration]:
        """Registrations of an event or session, in the order they were made."""
        return self.store.list_registrations(event_key, session_key, states)

    def participants(self, event_key: str, session_key: str) -> list[Registration]:
        """Who holds a confirmed place (registered, attended or no-show)."""
        return self.registrations(
            event_key, session_key, states=(_S.REGISTERED, _S.ATTENDED, _S.NO_SHOW)
        )

    def waiting_list(self, event_key: str, session_key: str) -> list[Registration]:
        """The waiting list, first in line first."""
        return self.registrations(event_key, session_key, states=(_S.WAITLISTED,))

    def places(self, event_key: str, session_key: str) -> PlaceCount:
        """How full a session is."""
        return self.store.count_places(event_key, session_key)

    def registrations_of(self, email: str) -> list[Registration]:
        """Every registration of one person, found by e-mail address."""
        return self.store.registrations_of(email)

    def history(self, registration_id: int) -> list[Transition]:
        """Every change of one registration's state, oldest first."""
        return self.store.history(registration_id)

    # --- groups -----------------------------------------------------------

    def form_groups(
        self,
        event_key: str,
        session_key: str,
        *,
        strategy: str = "balanced",
        seed: int = 0,
    ) -> list[Group]:
        """Split a session's confirmed participants into groups under its group size.

        Uses the named grouping strategy (a plugin). The groups are computed,
        not stored: forming them again with the same seed gives the same groups.
        """
        session = self.session(event_key, session_key)
        members: Sequence[Registration] = self.participants(event_key, session_key)
        max_size = session.max_group_size or max(1, len(members))
        return self.plugins.grouping_strategy(strategy).form_groups(members, max_size, seed=seed)


def _first(item: tuple[int, ParticipatieError]) -> int:
    return item[0]
