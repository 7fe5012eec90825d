"""One object that ties a store, the plugins and the clock together.

A script that uses :class:`Participatie` reads like the organiser's steps:
describe the event, register people, cancel, let offers lapse, record who came.
The facade checks the pure rules (window, eligibility, consent, deadlines)
before it asks the store for the atomic part (places and waiting list), and
tells plugins about every committed change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from participatie import rules
from participatie.clock import Clock, SystemClock
from participatie.exceptions import OfferExpiredError, ParticipatieError
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

if TYPE_CHECKING:
    from participatie.channels import Channel
    from participatie.dispatch import Dispatcher, DispatchReport
    from participatie.notifications import Contact, Notifications, Planner
    from participatie.outbox import DeliveryState, OutboxRecord

__all__ = ["DEFAULT_STORE_URL", "Participatie", "open_store"]

#: The embedded default: one SQLite file in the working directory.
DEFAULT_STORE_URL = "sqlite:///participatie.db"

_S = RegistrationState


def open_store(url: str = DEFAULT_STORE_URL, *, plugins: Plugins | None = None) -> Store:
    """Open the storage backend for ``url`` (``memory://``, ``sqlite:///file.db``, …)."""
    return (plugins or get_plugins()).open_store(url)


class Participatie:
    """The organiser's steps, on one store, with one clock.

    Attributes:
        store: Where events and registrations are kept.
        plugins: The plugins to call.
        clock: Where "now" comes from.
        notifications: The notification settings; ``None``: no messages are queued.
        channels: The channel instances messages go out on, by name.
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        plugins: Plugins | None = None,
        notifications: Notifications | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.plugins = plugins if plugins is not None else get_plugins()
        self.notifications = notifications
        self.channels: dict[str, Channel] = {}
        self._planner: Planner | None = None
        if notifications is not None:
            given = dict(channels or {})
            self.channels = {
                name: given[name]
                if name in given
                else self.plugins.channel(name, **dict(notifications.options.get(name, {})))
                for name in notifications.channels
            }
            self._planner = notifications.planner(self.channels)
            # The store calls the planner inside each change's transaction, so
            # a change and the messages it causes commit together.
            store.message_planner = self._planner

    @classmethod
    def open(
        cls,
        url: str = DEFAULT_STORE_URL,
        *,
        clock: Clock | None = None,
        plugins: Plugins | None = None,
        notifications: Notifications | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> Participatie:
        """Open the store at ``url`` through the storage plugins.

        With ``notifications``, every change queues its messages (see
        :class:`~participatie.Notifications`); ``channels`` gives ready-made
        channel instances instead of building them from the options.
        """
        plugins = plugins if plugins is not None else get_plugins()
        return cls(
            plugins.open_store(url),
            clock=clock,
            plugins=plugins,
            notifications=notifications,
            channels=channels,
        )

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

    # --- notifications ----------------------------------------------------

    def _require_planner(self) -> Planner:
        if self._planner is None:
            from participatie.exceptions import InvalidInputError

            raise InvalidInputError(
                "notifications are not set up: open with Participatie.open(url, "
                "notifications=Notifications(...))"
            )
        return self._planner

    def invite(
        self,
        event_key: str,
        contacts: Iterable[Contact],
        *,
        registration_link: str | None = None,
        round_name: str = "1",
    ) -> int:
        """Queue an invitation to register for each contact, one message per person.

        ``round_name`` names the mailing: inviting the same contact again in
        the same round queues nothing (so a re-run is safe); a new round
        invites again. Returns how many messages were queued.
        """
        planner = self._require_planner()
        event = self.event(event_key)
        now = self.now()
        entries = planner.invitations(
            event, contacts, now, registration_link=registration_link, round_name=round_name
        )
        return self.store.queue_messages(entries, now)

    def queue_message(
        self,
        kind: str,
        registration_id: int,
        *,
        context: Mapping[str, Any] | None = None,
        key: str | None = None,
        due_at: datetime | None = None,
    ) -> int:
        """Queue a message of ``kind`` to a registered person (group, feedback, thanks).

        ``context`` fills the kind's template namespace, e.g.
        ``{"group": {"number": 2, "facilitator": "…"}}`` or
        ``{"feedback": {"link": "…", "deadline": datetime(...)}}``; datetimes
        are written out in the person's language. ``key`` makes the message
        idempotent (default: one message of this kind per registration).
        Returns how many messages were queued (one per channel that reaches
        the person; 0 if queued before).
        """
        planner = self._require_planner()
        registration = self.registration(registration_id)
        event = self.event(registration.event_key)
        now = self.now()
        entries = planner.personal(
            event,
            registration,
            kind,
            key=key or f"{event.key}/{registration.id}/{kind}",
            now=now,
            due_at=due_at,
            context=context,
        )
        return self.store.queue_messages(entries, now)

    def outbox(
        self,
        states: Iterable[DeliveryState] | None = None,
        *,
        event_key: str | None = None,
    ) -> list[OutboxRecord]:
        """The queued messages (optionally in ``states`` or of one event), in queue order."""
        return self.store.outbox(states, event_key=event_key)

    def dispatcher(self, **settings: Any) -> Dispatcher:
        """A :class:`~participatie.dispatch.Dispatcher` for this store, channels and clock.

        ``settings`` are passed on (``batch_size``, ``lease``, ``retry`` …).
        """
        from participatie.dispatch import Dispatcher

        self._require_planner()
        return Dispatcher(self.store, self.channels, clock=self.clock, **settings)

    def dispatch(self, **settings: Any) -> DispatchReport:
        """Send every message that is due now, once (see :meth:`dispatcher`)."""
        return self.dispatcher(**settings).run_once()


def _first(item: tuple[int, ParticipatieError]) -> int:
    return item[0]
