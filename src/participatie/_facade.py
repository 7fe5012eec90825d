"""One object that ties a store, the plugins and the clock together.

A script that uses :class:`Participatie` reads like the organiser's steps:
describe the event, register people, cancel, let offers lapse, record who came.
The facade checks the pure rules (window, eligibility, consent, deadlines)
before it asks the store for the atomic part (places and waiting list), and
tells plugins about every committed change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from participatie import rules
from participatie.assignment.explain import Explanation, explain
from participatie.assignment.preferences import Preference
from participatie.calendar import (
    CalendarOptions,
    Feed,
    GroupDetails,
    Invitation,
    InvitationWriter,
    feed_proposals,
    render_feed,
)
from participatie.channels import channel_address
from participatie.clock import Clock, SystemClock
from participatie.exceptions import (
    InvalidInputError,
    OfferExpiredError,
    ParticipatieError,
    RegistrationClosedError,
)
from participatie.feedback._steps import FeedbackSteps
from participatie.feedback.messages import FeedbackMessage, LinkMaker
from participatie.feedback.rules import REMINDER as FEEDBACK_REMINDER
from participatie.grouping import Group, GroupPlan, run_strategy
from participatie.localtime import require_aware
from participatie.model import (
    Consent,
    Event,
    Person,
    Registration,
    RegistrationState,
    Session,
    Transition,
)
from participatie.notifications import IN_CALENDAR as _IN_CALENDAR
from participatie.notifications import CalendarInvitations
from participatie.outbox import OutgoingMessage
from participatie.plugins import Plugins, get_plugins
from participatie.privacy.pseudonyms import Pseudonymiser
from participatie.privacy.registry import PersonalDataRegistry
from participatie.storage import (
    AssignedPlace,
    BulkResult,
    GroupPlacement,
    Outcome,
    PlaceCount,
    PrivacyRecord,
    Store,
    StoredGroups,
)

if TYPE_CHECKING:
    from participatie.assignment.report import AssignmentReport
    from participatie.privacy.erasure import ErasureReport, PurgeReport

if TYPE_CHECKING:
    from participatie.channels import Channel
    from participatie.dispatch import Dispatcher, DispatchReport
    from participatie.notifications import Contact, Notifications, Planner
    from participatie.outbox import CalendarLedger, DeliveryState, OutboxRecord

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
        strategy: str = "attributes",
        seed: int = 0,
        plan: GroupPlan | None = None,
        save: bool = True,
    ) -> list[Group]:
        """Split a session's confirmed participants into groups under its group size.

        Uses the named grouping strategy (a plugin) and the organiser's
        ``plan``. People already told their group (see
        :meth:`mark_groups_notified`) stay in it unless the plan's move
        penalty allows moving them. Every hard constraint holds, or
        :class:`~participatie.exceptions.ConstraintConflictError` names the
        ones in conflict and nothing is stored. With ``save`` the groups are
        stored; forming them again with the same input and seed gives the
        same groups.
        """
        session = self.session(event_key, session_key)
        members: Sequence[Registration] = self.participants(event_key, session_key)
        max_size = session.max_group_size or max(1, len(members))
        stored = self.store.get_groups(event_key, session_key)
        told: dict[str, int] = {}
        if stored is not None:
            told = {
                p.person.email: p.group
                for p in stored.placements
                if p.notified and p.role == "participant"
            }
        groups = run_strategy(
            self.plugins.grouping_strategy(strategy),
            members,
            max_size,
            seed=seed,
            plan=plan,
            frozen=told,
        )
        if save:
            notified_facilitators = (
                {}
                if stored is None
                else {
                    p.person.email: p.group
                    for p in stored.placements
                    if p.notified and p.role == "facilitator"
                }
            )
            placements = []
            for group in groups:
                for person in group.facilitators:
                    placements.append(
                        GroupPlacement(
                            person,
                            group.number,
                            "facilitator",
                            "facilitator",
                            notified_facilitators.get(person.email) == group.number,
                        )
                    )
                reasons = group.reasons or ("",) * len(group.members)
                for member, reason in zip(group.members, reasons, strict=True):
                    placements.append(
                        GroupPlacement(
                            member.person,
                            group.number,
                            "participant",
                            reason,
                            told.get(member.person.email) == group.number,
                        )
                    )
            self.store.save_groups(
                StoredGroups(event_key, session_key, strategy, seed, tuple(placements))
            )
        return groups

    def groups(self, event_key: str, session_key: str) -> list[Group]:
        """The stored groups of a session, with the participants' current registrations.

        People who no longer hold a place are left out.
        """
        stored = self.store.get_groups(event_key, session_key)
        if stored is None:
            return []
        current = {r.person.email: r for r in self.participants(event_key, session_key)}
        numbers = sorted({p.group for p in stored.placements})
        result = []
        for number in numbers:
            here = [p for p in stored.placements if p.group == number]
            members = sorted(
                (p for p in here if p.role == "participant" and p.person.email in current),
                key=lambda p: current[p.person.email].id,
            )
            result.append(
                Group(
                    number,
                    tuple(current[p.person.email] for p in members),
                    tuple(p.person for p in here if p.role == "facilitator"),
                    tuple(p.reason for p in members),
                )
            )
        return result

    def mark_groups_notified(self, event_key: str, session_key: str, emails: Iterable[str]) -> int:
        """Record that these people were told their group (they are then frozen)."""
        return self.store.mark_groups_notified(event_key, session_key, emails)

    # --- sessions by preference -------------------------------------------

    def assign_sessions(
        self,
        event_key: str,
        preferences: Sequence[Preference],
        *,
        mode: str = "stable",
        seed: int = 0,
        move_penalty: int | None = None,
        rank_costs: Sequence[int] | None = None,
        save: bool = True,
    ) -> AssignmentReport:
        """Place people in sessions by their ranked preferences, and store the result.

        ``mode`` is ``stable`` (lottery order within priority classes) or
        ``optimal`` (fewest waiting, then best ranks; needs the ``optimal``
        extra). Lottery numbers are drawn with ``seed`` the first time someone
        takes part and kept on later runs; newcomers draw numbers after them.
        People already told their session (:meth:`mark_assignment_notified`)
        keep it, unless ``move_penalty`` lets ``optimal`` move them at that
        cost. Places held by registrations of people who are not in
        ``preferences`` are not handed out again. With ``save=False`` nothing
        is stored (a dry run: lottery numbers are drawn but not kept).
        """
        from participatie.assignment.report import run_assignment

        return run_assignment(
            self,
            event_key,
            preferences,
            mode=mode,
            seed=seed,
            move_penalty=move_penalty,
            rank_costs=rank_costs,
            save=save,
        )

    def mark_assignment_notified(self, event_key: str, emails: Iterable[str]) -> int:
        """Record that these people were told their session (they are then frozen)."""
        return self.store.mark_assignment_notified(event_key, emails)

    def apply_assignment(self, event_key: str) -> tuple[Transition, ...]:
        """Make the registrations match the stored assignment, atomically.

        Everyone placed gets a place in their session; everyone waiting goes
        on the waiting list of their first choice, in lottery order (priority
        class first). The organiser places them, so the registration window
        is not checked. Someone already registered in another session of the
        event is *moved*: that registration is cancelled (reason ``moved``)
        and the new place taken in the same transaction, so nobody ends up
        with two places or none; someone on the waiting list of their
        session gets the place (reason ``assigned``). Places freed by moves
        go to waiting lists only after everyone is placed.

        Nothing is changed, and
        :class:`~participatie.exceptions.ConstraintConflictError` says why,
        when a session filled up after the assignment was made (run it
        again), or when the assignment would take a place away from someone
        who holds one (mark them as told with
        :meth:`mark_assignment_notified` so the assignment keeps them, or
        cancel them first). Returns every change of state, in order.
        """
        stored = self.store.get_assignment(event_key)
        if stored is None:
            return ()
        event = self.event(event_key)
        ordered = sorted(stored.entries, key=lambda e: (e.priority, e.lottery))
        places = [
            AssignedPlace(e.person, e.session_key, waiting=False)
            if e.session_key is not None
            else AssignedPlace(e.person, e.ranking[0], waiting=True)
            for e in ordered
        ]
        transitions = self.store.place_assigned(event_key, places, self.now())
        self.plugins.registration_changed(transitions, event)
        return transitions

    def explain(self, event_key: str, email: str) -> Explanation:
        """Why this person got their session and group, in sentences."""
        event = self.event(event_key)
        groups = [
            stored
            for session in event.sessions
            if (stored := self.store.get_groups(event_key, session.key)) is not None
        ]
        return explain(email, self.store.get_assignment(event_key), groups)

    def export_groups(
        self,
        event_key: str,
        directory: str | Path,
        *,
        names: bool = False,
        requested_by: str | None = None,
        pseudonymiser: Pseudonymiser | None = None,
    ) -> list[Path]:
        """Write ``groups-<session>.csv`` for every session with stored groups.

        The lists are pseudonymous by default: a keyed pseudonym per person
        (the same in every list of this export, different in the next
        export) and their audience. ``names=True`` writes names, e-mail
        addresses and organisations; it needs ``requested_by`` (the e-mail
        address of whoever asks), and each file is recorded in the privacy
        log, so that erasure can later take people out of it.
        """
        from participatie.assignment.export import group_list_csv

        handler = _requester(names, requested_by)
        pseudonym = pseudonymiser if pseudonymiser is not None else Pseudonymiser()
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for session in self.event(event_key).sessions:
            groups = self.groups(event_key, session.key)
            if groups:
                path = folder / f"groups-{session.key}.csv"
                path.write_text(
                    group_list_csv(session.title, groups, names=names, pseudonymiser=pseudonym),
                    encoding="utf-8",
                )
                written.append(path)
                if handler is not None:
                    people = sum(len(g.members) + len(g.facilitators) for g in groups)
                    self._record_names(event_key, "groups-csv", path, handler, people)
        return written

    def export_zoom_rooms(
        self,
        event_key: str,
        session_key: str,
        path: str | Path,
        *,
        requested_by: str,
        max_rooms: int = 100,
        max_participants: int = 1000,
    ) -> Path:
        """Write the Zoom breakout-room pre-assignment CSV of a session's stored groups.

        Zoom matches people by e-mail address, so the file holds addresses:
        ``requested_by`` (whoever asks) is required and the file is recorded
        in the privacy log.
        """
        from participatie.assignment.export import zoom_rooms_csv

        handler = _requester(True, requested_by)
        assert handler is not None
        groups = self.groups(event_key, session_key)
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            zoom_rooms_csv(groups, max_rooms=max_rooms, max_participants=max_participants),
            encoding="utf-8",
        )
        people = sum(len(g.members) + len(g.facilitators) for g in groups)
        self._record_names(event_key, "zoom-rooms", target, handler, people)
        return target

    # --- imports (the organiser's command line) ---------------------------

    def register_submitted(
        self,
        event_key: str,
        session_key: str,
        entries: Iterable[tuple[Person, Consent | None, datetime]],
    ) -> BulkResult:
        """Register people whose form submissions arrived earlier: an import of a form export.

        Each entry is ``(person, consent, submitted_at)`` and is judged by the
        rules at its own submission time, so someone who registered before the
        deadline stays registered when the export is imported after it. The
        accepted entries are stored in one transaction at the current time, in
        the order given (give them in order of submission: that is the order
        of the waiting list). A submission time after now, or an import into a
        session that has started, is refused. Refused entries are reported in
        :attr:`BulkResult.refused` with their index, as with :meth:`register_many`.
        """
        now = self.now()
        event = self.event(event_key)
        session = event.session(session_key)
        accepted: list[tuple[Person, Consent | None]] = []
        positions: list[int] = []
        refused: list[tuple[int, ParticipatieError]] = []
        for index, (person, consent, submitted_at) in enumerate(entries):
            try:
                require_aware(submitted_at, "submission time")
                if submitted_at > now:
                    raise InvalidInputError(
                        f"{person.name} submitted at {rules.local_text(submitted_at, event)}, "
                        f"which is after now ({rules.local_text(now, event)})"
                    )
                if now >= session.start:
                    raise RegistrationClosedError(
                        f"{session.title!r} started at {rules.local_text(session.start, event)}"
                    )
                rules.check_can_register(event, session, person, consent, submitted_at)
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

    # --- calendars --------------------------------------------------------

    def invitation(
        self,
        registration_id: int,
        *,
        group: GroupDetails | None = None,
        options: CalendarOptions | None = None,
    ) -> Invitation | None:
        """The calendar message for one registration now: invitation, update or cancellation.

        A registration that holds a place (registered, attended, no-show) in
        a session that goes ahead gets ``METHOD:REQUEST``; one that no longer
        does (cancelled, declined, expired, or the session was cancelled)
        gets ``METHOD:CANCEL`` if its place was ever announced. The SEQUENCE
        comes from the stored calendar state and the new state is stored in
        the same step, so sending the result again is harmless and a later
        change always gets a higher SEQUENCE. Returns ``None`` when there is
        nothing to tell (a waiting list place, or a cancellation of a place
        that was never announced). ``group`` is the person's breakout group,
        if groups are formed.
        """
        registration = self.registration(registration_id)
        same_place = [
            other
            for other in self.registrations_of(registration.person.email)
            if (other.event_key, other.session_key)
            == (registration.event_key, registration.session_key)
        ]
        groups = {} if group is None else {registration.id: group}
        messages = self._calendar_messages(registration.event_key, same_place, groups, options)
        return messages[0] if messages else None

    def invitations(
        self,
        event_key: str,
        session_key: str | None = None,
        *,
        groups: Mapping[int, GroupDetails] | None = None,
        options: CalendarOptions | None = None,
    ) -> list[Invitation]:
        """The calendar messages for everyone in an event (or one session), in one step.

        Everyone holding a place gets an invitation or update; everyone whose
        place was announced but is gone gets a cancellation. ``groups`` maps
        registration ids to their breakout group. Each message says whether
        it is :attr:`~participatie.calendar.Invitation.changed`: send those
        (one message per person, never a shared recipient list).
        """
        registrations = self.registrations(event_key, session_key)
        return self._calendar_messages(event_key, registrations, dict(groups or {}), options)

    def cancel_session(
        self, event_key: str, session_key: str, *, options: CalendarOptions | None = None
    ) -> list[Invitation]:
        """Call a session off and return the cancellations for everyone it was announced to.

        The session is kept (with its registrations, for the record) but
        marked cancelled: it takes no registrations, leaves the published
        feeds, and every participant's calendar entry gets ``METHOD:CANCEL``.
        """
        event = self.event(event_key)
        session = event.session(session_key)
        if not session.cancelled:
            sessions = [
                attrs.evolve(s, cancelled=True) if s.key == session_key else s
                for s in event.sessions
            ]
            self.save_event(attrs.evolve(event, sessions=sessions))
        return self.invitations(event_key, session_key, options=options)

    def calendar_feed(
        self,
        event_key: str,
        audience: str | None = None,
        *,
        options: CalendarOptions | None = None,
    ) -> Feed:
        """The published calendar of an event, or of one audience's sessions.

        No METHOD and no personal data: fit for a website's "add to your
        calendar" link and for a CalDAV calendar. Each session's SEQUENCE
        and LAST-MODIFIED come from the store and are advanced in the same
        step, so a moved session reaches subscribers as an update.
        """
        event = self.event(event_key)
        proposals = feed_proposals(event, audience=audience, options=options)
        states = self.store.advance_calendar_states(proposals, self.now())
        known = {state.uid: state for state in states if state is not None}
        return render_feed(event, known, audience=audience, options=options)

    def _calendar_messages(
        self,
        event_key: str,
        registrations: Sequence[Registration],
        groups: Mapping[int, GroupDetails],
        options: CalendarOptions | None,
    ) -> list[Invitation]:
        now = self.now()
        event = self.event(event_key)
        provider = None if self.notifications is None else self.notifications.calendar
        if isinstance(provider, CalendarInvitations):
            # Number the entries exactly as the messages do, or SEQUENCE
            # would go up every time the two disagree.
            options = options if options is not None else provider.options
            groups = {**self._stored_group_details(event, registrations, provider), **groups}
        writer = InvitationWriter(event, options)
        # One entry per person per session: if the same person has several
        # registrations for a session (cancelled, then registered again), the
        # one that holds a place speaks for the entry, else the latest.
        chosen: dict[str, tuple[Session, Registration, bool]] = {}
        for registration in registrations:
            session = event.session(registration.session_key)
            uid = writer.uid(session, registration.person)
            holds = registration.state in _IN_CALENDAR and not session.cancelled
            current = chosen.get(uid)
            if current is None or holds or not current[2]:
                chosen[uid] = (session, registration, holds)
        planned = list(chosen.items())
        proposals = [
            writer.proposal(
                session, registration.person, group=groups.get(registration.id), cancelled=not holds
            )
            for _uid, (session, registration, holds) in planned
        ]
        previous = self.store.calendar_states(chosen)
        states = self.store.advance_calendar_states(proposals, now)
        messages = []
        for (uid, (session, registration, _holds)), state in zip(planned, states, strict=True):
            if state is None:
                continue
            messages.append(
                writer.render(
                    session,
                    registration.person,
                    state,
                    now,
                    group=groups.get(registration.id),
                    changed=state != previous.get(uid),
                    registration_id=registration.id,
                )
            )
        return messages

    def _stored_group_details(
        self,
        event: Event,
        registrations: Sequence[Registration],
        provider: CalendarInvitations,
    ) -> dict[int, GroupDetails]:
        """Each registration's stored group, as the built-in calendar parts show it."""
        numbers: dict[str, dict[str, int]] = {}
        details: dict[int, GroupDetails] = {}
        for registration in registrations:
            key = registration.session_key
            if key not in numbers:
                stored = self.store.get_groups(event.key, key)
                numbers[key] = {} if stored is None else stored.participant_groups()
            number = numbers[key].get(registration.person.email)
            holds = registration.state in _IN_CALENDAR and not event.session(key).cancelled
            if number is not None and holds:
                details[registration.id] = provider.group(
                    event.session(key), number, registration.person.language
                )
        return details

    def _record_names(
        self, event_key: str, what: str, path: Path, requested_by: str, people: int
    ) -> None:
        self.store.record_privacy(
            PrivacyRecord(
                self.now(),
                "names-exported",
                event_key,
                what,
                str(path.resolve()),
                requested_by,
                people,
            )
        )

    # --- privacy (issue 9) ------------------------------------------------

    def erase_person(self, email: str, *, requested_by: str | None = None) -> ErasureReport:
        """Erase everything held about one person (the right to erasure).

        Plugins erase their part first (their rows, files and messages);
        then the store, in one transaction: upcoming registrations are
        cancelled (freed places go to people waiting, who are told as
        usual), past ones stay as anonymous tombstones so counts stay right,
        and assignment entries, group placements and the person record are
        deleted. Recorded exports lose the person's rows. The act is
        recorded in the privacy log (who handled it, never who was erased),
        and the store scrubs old copies from its files. Erasing twice is
        harmless. A failing plugin raises
        :class:`~participatie.ErasureError` before the store is touched.
        """
        from participatie.privacy.erasure import erase_person

        return erase_person(self, email, requested_by=requested_by)

    def subject_access(self, email: str) -> dict[str, Any]:
        """Everything held about one person, as JSON-compatible data (the right of access)."""
        from participatie.privacy.access import subject_access

        return subject_access(self, email)

    def export_subject_access(
        self, email: str, path: str | Path, *, requested_by: str | None = None
    ) -> Path:
        """Write :meth:`subject_access` to a JSON file, and record that it was written.

        The file is recorded in the privacy log so that erasing the person
        later removes it too; delete it once it has been handed over.
        """
        from participatie.privacy.access import export_subject_access

        return export_subject_access(self, email, path, requested_by=requested_by)

    def purge_expired(self) -> PurgeReport:
        """Erase the personal data of every event whose retention period is over.

        An event's :attr:`~participatie.Event.retention` counts from the end
        of its last session. Run this from a scheduler (daily is plenty);
        running it again changes nothing.
        """
        from participatie.privacy.erasure import purge_expired

        return purge_expired(self)

    def privacy_log(self) -> list[PrivacyRecord]:
        """The privacy log: named exports, erasures, purges, access exports; oldest first."""
        return self.store.privacy_records()

    def personal_data_registry(self) -> PersonalDataRegistry:
        """Every field the store and the plugins keep, declared through the hook."""
        return PersonalDataRegistry(self.plugins.personal_data())

    def check_personal_data(self) -> list[str]:
        """What is wrong with the personal-data declarations, as sentences; empty if nothing.

        Compares the registry with what the store really keeps (for the
        built-in backends: every SQLite table and column, every attribute
        of the memory store and its values), and checks that every plugin
        declaring personal data can also erase it and report it to the
        person it is about.
        """
        from participatie.privacy.schema import personal_data_problems, stored_fields

        return personal_data_problems(
            self.personal_data_registry(), self.plugins, stored_fields(self.store) or ()
        )

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
        return self.store.queue_planned(
            lambda ledger: planner.personal(
                event,
                registration,
                kind,
                key=key or f"{event.key}/{registration.id}/{kind}",
                now=now,
                due_at=due_at,
                context=context,
                ledger=ledger,
            ),
            now,
        )

    def notify_groups(self, event_key: str, session_key: str | None = None) -> int:
        """Tell everyone placed in a group (and not told yet) their group, and mark them told.

        One group-assignment message per participant, with their calendar
        entry updated to show the group; queuing the messages and marking
        the people as told (so later runs of :meth:`form_groups` keep them
        in place) commit together. Run it again after forming groups again:
        only people who are new or were moved are told. ``session_key=None``
        tells every session of the event. Returns how many people were told.
        """
        planner = self._require_planner()
        event = self.event(event_key)
        keys = [session_key] if session_key is not None else [s.key for s in event.sessions]
        now = self.now()

        def compose(
            event: Event,
            registration: Registration,
            number: int,
            facilitators: Sequence[str],
            ledger: CalendarLedger,
        ) -> list[OutgoingMessage]:
            return planner.group_assignment(
                event, registration, number, now, ledger, facilitators=facilitators
            )

        return sum(self.store.notify_groups(event_key, key, compose, now) for key in keys)

    def queue_feedback_messages(
        self, event_key: str | None = None, *, link: LinkMaker | None = None
    ) -> int:
        """Queue every feedback-round message that is due in the outbox, and record it, atomically.

        Invitations, reminders and "what we did with your input" summaries
        (see :meth:`feedback_messages_due`) go into the outbox and are
        recorded as queued in one transaction, which checks again under the
        store's lock that each is still due: a reminder to someone who
        responded a moment ago is dropped, and two runs at once queue each
        message once. Run it from the same scheduler as the dispatcher.
        Returns how many messages were queued.
        """
        self._require_planner()
        event_cache: dict[str, Event] = {}
        batch = []
        for message in self.feedback_messages_due(event_key, link=link):
            event = event_cache.get(message.event_key)
            if event is None:
                event = event_cache[message.event_key] = self.event(message.event_key)
            respondent = message.recipient.email if message.kind == FEEDBACK_REMINDER else None
            batch.append(
                (message.round_id, message.key, respondent, self._feedback_outgoing(event, message))
            )
        marked = self.store.queue_feedback_messages(batch, self.now())
        return len(marked)

    def _feedback_outgoing(self, event: Event, message: FeedbackMessage) -> list[OutgoingMessage]:
        now = self.now()
        queued = []
        for channel_name, channel in self.channels.items():
            if channel_address(channel) != "email":
                continue
            queued.append(
                OutgoingMessage(
                    channel_name,
                    attrs.evolve(
                        message.to_message(),
                        recipient_name=message.recipient.name,
                        sender_name=event.organiser,
                        reply_to=event.help_desk.email,
                        key=f"{event.key}/feedback/{message.round_id}/{message.key}/{channel_name}",
                    ),
                    now,
                    event_key=event.key,
                )
            )
        return queued

    def purge_outbox(self, older_than: timedelta = timedelta(days=30)) -> int:
        """Delete sent, failed and superseded messages older than ``older_than``.

        A sent message holds a name, an address and what was said: keep it
        only as long as the organiser needs it for questions ("did I get the
        confirmation?"). Each purged message's idempotency key is kept, so
        re-running an old step never sends it again. Run it from a scheduler
        (daily is plenty). Returns how many messages were deleted.
        """
        now = self.now()
        return self.store.purge_outbox(now - older_than, now)

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


def _requester(names: bool, requested_by: str | None) -> str | None:
    from participatie import _validate as v
    from participatie.exceptions import InvalidInputError

    if not names:
        return None
    if requested_by is None:
        raise InvalidInputError(
            "an export with names or e-mail addresses needs requested_by (the e-mail address "
            "of whoever asks for it); the request is recorded in the privacy log"
        )
    return v.normalise_email(requested_by)


def _first(item: tuple[int, ParticipatieError]) -> int:
    return item[0]
