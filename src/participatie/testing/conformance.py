"""The storage conformance suite: subclass it to prove a backend correct.

Usage in a backend's own tests::

    import pytest
    from participatie.testing import StoreConformance

    class TestMyBackend(StoreConformance):
        @pytest.fixture
        def fresh_store_url(self, tmp_path):
            # Each call must name a new, empty store.
            names = itertools.count()
            return lambda: f"mybackend://{tmp_path}/{next(names)}"

Every test of :class:`StoreConformance` then runs against the backend: the
basic contract, a Hypothesis state machine against a reference model, and a
race of 8 workers for the last places (processes when the store is shared
between processes, threads otherwise).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from participatie.calendar import CalendarProposal, CalendarState
from participatie.exceptions import (
    AlreadyRegisteredError,
    ConstraintConflictError,
    IllegalTransitionError,
    InvalidInputError,
    OfferExpiredError,
    SessionFullError,
    SessionInUseError,
    StorageError,
    UnknownEventError,
    UnknownRegistrationError,
    UnknownSessionError,
)
from participatie.model import (
    GUARDIAN,
    AgeCategory,
    Audience,
    Consent,
    Event,
    HelpDesk,
    Person,
    RegistrationState,
    Session,
    WaitingListPolicy,
)
from participatie.outbox import DeliveryState, OutgoingMessage, Supersede
from participatie.storage import (
    AssignedPlace,
    AssignmentEntry,
    GroupPlacement,
    PrivacyRecord,
    Store,
    StoredAssignment,
    StoredGroups,
)
from participatie.testing.feedback_conformance import FeedbackStoreConformance
from participatie.testing.machine import make_registration_machine
from participatie.testing.outbox import EchoPlanner, outgoing, race_for_messages
from participatie.testing.race import race_for_last_places, resolve

__all__ = ["StoreConformance", "conformance_event"]

S = RegistrationState
NOW = datetime(2030, 5, 1, 9, tzinfo=UTC)
START = datetime(2030, 6, 1, 8, tzinfo=UTC)


def conformance_event(
    capacity: int | None = 2,
    policy: WaitingListPolicy = WaitingListPolicy.AUTOMATIC,
    *,
    offer_period: timedelta = timedelta(hours=24),
) -> Event:
    """A small event with one session ``s`` of ``capacity`` places and ``policy``."""
    return Event(
        key="conformance",
        title="Conformance",
        organiser="participatie",
        help_desk=HelpDesk(email="helpdesk@example.org", phone="+31 20 000 0000"),
        audiences=[Audience("client", "cliënt"), Audience("professional", "professional")],
        central_questions=["Wat gaat goed?", "Wat kan beter?"],
        sessions=[
            Session(
                key="s",
                title="Session",
                start=START,
                end=START + timedelta(hours=2),
                capacity=capacity,
                waiting_list=policy,
                offer_period=offer_period,
                online_link="https://meet.example.org/s",
                audiences={"client"},
                max_group_size=5,
            ),
            Session(
                key="t",
                title="Other session",
                start=START + timedelta(days=1),
                end=START + timedelta(days=1, hours=2),
                place="Zaal 1",
            ),
        ],
    )


def person(number: int) -> Person:
    """A fictional client."""
    return Person(
        name=f"Deelnemer {number}",
        email=f"deelnemer-{number}@example.org",
        audience="client",
        organisation="Cliëntenraad Voorbeeld",
        phone="+31 6 0000 000" + str(number % 10),
        language="en" if number % 2 else "nl",
    )


CONSENT = Consent(text_version="2030-1", given_at=NOW)


class StoreConformance(FeedbackStoreConformance):
    """Tests every storage backend must pass. Override :meth:`fresh_store_url`.

    Includes the tests for input and feedback rounds
    (:class:`~participatie.testing.FeedbackStoreConformance`).
    """

    #: ``module:function`` that opens a store from a URL (also in worker processes).
    opener = "participatie:open_store"
    #: Trials per race; raise it for a slower, more thorough run.
    race_trials = 30
    #: Hypothesis examples for the state machine.
    machine_examples = 60

    @pytest.fixture
    def fresh_store_url(self) -> Callable[[], str]:
        """Returns a callable giving the URL of a new, empty store at each call.

        Override in the subclass.
        """
        raise NotImplementedError("override the fresh_store_url fixture")  # pragma: no cover

    @pytest.fixture
    def store_url(self, fresh_store_url: Callable[[], str]) -> str:
        """The URL of one fresh store for this test."""
        return fresh_store_url()

    @pytest.fixture
    def new_store(self, store_url: str) -> Iterator[Callable[[], Store]]:
        """Opens stores by URL and closes them all at the end of the test."""
        opened: list[Store] = []

        def open_() -> Store:
            store = resolve(self.opener)(store_url)
            opened.append(store)
            return store

        yield open_
        for store in opened:
            store.close()

    @pytest.fixture
    def store(self, new_store: Callable[[], Store]) -> Store:
        """A fresh store holding :func:`conformance_event`."""
        store = new_store()
        store.save_event(conformance_event(), NOW)
        return store

    # --- events ------------------------------------------------------------

    def test_event_round_trip(self, store: Store) -> None:
        assert store.get_event("conformance") == conformance_event()
        assert store.list_events() == [conformance_event()]
        stored = store.get_event("conformance")
        assert stored.session("s").start == START
        assert stored.session("s").audiences == frozenset({"client"})

    def test_event_replaced(self, store: Store) -> None:
        changed = attrs.evolve(conformance_event(), title="Renamed")
        store.save_event(changed, NOW)
        assert store.get_event("conformance").title == "Renamed"
        assert len(store.list_events()) == 1

    def test_unknown_things(self, store: Store) -> None:
        with pytest.raises(UnknownEventError):
            store.get_event("nope")
        with pytest.raises(UnknownRegistrationError):
            store.get_registration(999_999)
        with pytest.raises(UnknownSessionError):
            store.register("conformance", "nope", person(1), CONSENT, NOW)
        with pytest.raises(UnknownEventError):
            store.register("nope", "s", person(1), CONSENT, NOW)
        with pytest.raises(UnknownRegistrationError):
            store.change_state(999_999, S.CANCELLED, NOW)

    def test_session_in_use_cannot_be_removed(self, store: Store) -> None:
        store.register("conformance", "s", person(1), CONSENT, NOW)
        event = conformance_event()
        without = attrs.evolve(event, sessions=[event.session("t")])
        with pytest.raises(SessionInUseError):
            store.save_event(without, NOW)
        assert store.get_event("conformance") == event
        # A session nobody registered for may go.
        store.save_event(attrs.evolve(event, sessions=[event.session("s")]), NOW)
        assert [s.key for s in store.get_event("conformance").sessions] == ["s"]

    # --- registering -------------------------------------------------------

    def test_register_until_full_then_wait(self, store: Store) -> None:
        states = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.state
            for n in range(4)
        ]
        assert states == [S.REGISTERED, S.REGISTERED, S.WAITLISTED, S.WAITLISTED]
        count = store.count_places("conformance", "s")
        assert (count.capacity, count.taken, count.waiting, count.free) == (2, 2, 2, 0)

    def test_registration_fields_are_kept(self, store: Store) -> None:
        outcome = store.register("conformance", "s", person(3), CONSENT, NOW)
        registration = store.get_registration(outcome.registration.id)
        assert registration == outcome.registration
        assert registration.person == person(3)
        assert registration.consent == CONSENT
        assert registration.registered_at == NOW
        assert (registration.event_key, registration.session_key) == ("conformance", "s")
        [transition] = outcome.transitions
        assert (transition.previous, transition.state, transition.reason) == (
            None,
            S.REGISTERED,
            "registered",
        )

    def test_duplicate_is_refused_and_nothing_is_written(self, store: Store) -> None:
        store.register("conformance", "s", person(1), CONSENT, NOW)
        shouting = attrs.evolve(person(1), name="Someone Else")
        with pytest.raises(AlreadyRegisteredError):
            store.register("conformance", "s", shouting, CONSENT, NOW)
        assert len(store.list_registrations("conformance")) == 1
        # The refused attempt did not overwrite the stored person either.
        assert store.list_registrations("conformance")[0].person.name == "Deelnemer 1"

    def test_same_person_may_register_for_another_session(self, store: Store) -> None:
        store.register("conformance", "s", person(1), CONSENT, NOW)
        store.register("conformance", "t", person(1), CONSENT, NOW)
        assert len(store.registrations_of("deelnemer-1@example.org")) == 2
        assert store.registrations_of("nobody@example.org") == []

    def test_register_again_after_cancelling(self, store: Store) -> None:
        first = store.register("conformance", "s", person(1), CONSENT, NOW).registration
        store.change_state(first.id, S.CANCELLED, NOW)
        again = store.register("conformance", "s", person(1), CONSENT, NOW).registration
        assert again.id > first.id
        assert again.state is S.REGISTERED

    def test_no_waiting_list_means_full(self, new_store: Callable[[], Store]) -> None:
        store = new_store()
        store.save_event(conformance_event(1, WaitingListPolicy.NONE), NOW)
        store.register("conformance", "s", person(1), CONSENT, NOW)
        with pytest.raises(SessionFullError):
            store.register("conformance", "s", person(2), CONSENT, NOW)
        assert len(store.list_registrations("conformance")) == 1
        assert store.registrations_of("deelnemer-2@example.org") == []

    def test_unlimited_capacity(self, store: Store) -> None:
        for n in range(10):
            outcome = store.register("conformance", "t", person(n), CONSENT, NOW)
            assert outcome.registration.state is S.REGISTERED
        assert store.count_places("conformance", "t").free is None

    # --- waiting list ------------------------------------------------------

    def test_cancellation_promotes_first_in_line(self, store: Store) -> None:
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(4)
        ]
        outcome = store.change_state(ids[0], S.CANCELLED, NOW)
        assert [(t.registration.id, t.reason) for t in outcome.transitions] == [
            (ids[0], "cancelled"),
            (ids[2], "promoted"),
        ]
        assert store.get_registration(ids[2]).state is S.REGISTERED
        assert store.get_registration(ids[3]).state is S.WAITLISTED
        assert [t.reason for t in store.history(ids[2])] == ["waitlisted", "promoted"]

    def test_withdrawing_from_the_waiting_list_frees_no_place(self, store: Store) -> None:
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(3)
        ]
        outcome = store.change_state(ids[2], S.CANCELLED, NOW)
        assert len(outcome.transitions) == 1
        assert store.count_places("conformance", "s").taken == 2

    def test_waiting_list_cannot_be_jumped_by_hand(self, store: Store) -> None:
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(3)
        ]
        with pytest.raises(IllegalTransitionError):
            store.change_state(ids[2], S.REGISTERED, NOW)

    def test_more_capacity_promotes(self, store: Store) -> None:
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(4)
        ]
        transitions = store.save_event(conformance_event(3), NOW)
        assert [(t.registration.id, t.reason) for t in transitions] == [(ids[2], "promoted")]

    def test_offers_lapse_and_move_on(self, new_store: Callable[[], Store]) -> None:
        store = new_store()
        store.save_event(conformance_event(1, WaitingListPolicy.OFFER), NOW)
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(4)
        ]
        store.change_state(ids[0], S.CANCELLED, NOW)
        offered = store.get_registration(ids[1])
        assert offered.state is S.OFFERED
        assert offered.offer_expires_at == NOW + timedelta(hours=24)
        # An offer holds the place: a newcomer waits.
        late = store.register("conformance", "s", person(9), CONSENT, NOW).registration
        assert late.state is S.WAITLISTED
        # Declining passes the offer on.
        store.change_state(ids[1], S.DECLINED, NOW)
        assert store.get_registration(ids[2]).state is S.OFFERED
        # Lapsing passes it on too.
        later = NOW + timedelta(hours=24)
        transitions = store.expire_offers(later)
        assert [(t.registration.id, t.state) for t in transitions] == [
            (ids[2], S.EXPIRED),
            (ids[3], S.OFFERED),
        ]
        # Accepting in time works.
        accepted = store.change_state(ids[3], S.REGISTERED, later + timedelta(hours=1))
        assert accepted.registration.state is S.REGISTERED
        assert accepted.registration.offer_expires_at is None
        assert store.get_registration(late.id).state is S.WAITLISTED
        # Too late: refused, the lapse is recorded and the place moves on.
        store.change_state(ids[3], S.CANCELLED, later + timedelta(hours=2))
        assert store.get_registration(late.id).state is S.OFFERED
        too_late = later + timedelta(hours=26)
        with pytest.raises(OfferExpiredError, match="lapsed") as caught:
            store.change_state(late.id, S.REGISTERED, too_late)
        assert [(t.registration.id, t.state) for t in caught.value.transitions] == [
            (late.id, S.EXPIRED)
        ]
        assert store.get_registration(late.id).state is S.EXPIRED
        assert store.expire_offers(too_late) == ()

    def test_attendance(self, store: Store) -> None:
        rid = store.register("conformance", "s", person(1), CONSENT, NOW).registration.id
        after = START + timedelta(hours=3)
        assert store.change_state(rid, S.NO_SHOW, after).registration.state is S.NO_SHOW
        assert store.change_state(rid, S.ATTENDED, after).registration.state is S.ATTENDED
        with pytest.raises(IllegalTransitionError):
            store.change_state(rid, S.CANCELLED, after)
        assert [t.state for t in store.history(rid)] == [S.REGISTERED, S.NO_SHOW, S.ATTENDED]

    def test_bulk(self, store: Store) -> None:
        entries = [(person(n), CONSENT) for n in itertools.chain(range(5), [1])]
        result = store.register_many("conformance", "s", entries, NOW)
        assert [r.state for r in result.registrations] == [
            S.REGISTERED,
            S.REGISTERED,
            S.WAITLISTED,
            S.WAITLISTED,
            S.WAITLISTED,
        ]
        assert [(index, type(error)) for index, error in result.refused] == [
            (5, AlreadyRegisteredError)
        ]
        assert len(store.list_registrations("conformance", "s")) == 5
        for registration in result.registrations:
            assert store.get_registration(registration.id) == registration
        assert [t.registration for t in result.transitions] == list(result.registrations)
        assert [len(store.history(r.id)) for r in result.registrations] == [1] * 5
        again = store.register_many("conformance", "s", entries, NOW)
        assert again.registrations == ()
        assert len(again.refused) == 6

    def test_listing_filters(self, store: Store) -> None:
        for n in range(3):
            store.register("conformance", "s", person(n), CONSENT, NOW)
        store.register("conformance", "t", person(7), CONSENT, NOW)
        assert len(store.list_registrations("conformance")) == 4
        assert len(store.list_registrations("conformance", "s")) == 3
        waiting = store.list_registrations("conformance", "s", [S.WAITLISTED])
        assert [r.person.email for r in waiting] == ["deelnemer-2@example.org"]
        assert store.list_registrations("other") == []

    def test_data_survives_reopening(self, store: Store, new_store: Callable[[], Store]) -> None:
        rid = store.register("conformance", "s", person(1), CONSENT, NOW).registration.id
        store.close()
        reopened = new_store()
        if store.shared_between_processes:
            assert reopened.get_registration(rid).person == person(1)
            assert reopened.get_event("conformance") == conformance_event()
        else:
            # A store private to one process or connection starts empty again.
            assert reopened.list_events() == []

    def test_closed_store_refuses_work(self, store: Store) -> None:
        store.close()
        with pytest.raises(StorageError):
            store.register("conformance", "s", person(1), CONSENT, NOW)

    # --- group assignment (issue 3) -----------------------------------------

    def test_assignment_round_trip_and_notified(self, store: Store) -> None:
        assert store.get_assignment("conformance") is None
        entries = (
            AssignmentEntry(person(2), ("s", "t"), 0, 2, "t"),
            AssignmentEntry(person(1), ("s",), 1, 1, "s", notified=True),
            AssignmentEntry(person(3), ("s",), 0, 3, None),
        )
        store.save_assignment(StoredAssignment("conformance", "stable", 7, entries))
        stored = store.get_assignment("conformance")
        assert stored is not None
        assert (stored.mode, stored.seed) == ("stable", 7)
        # Entries come back ordered by e-mail address, with every field.
        assert stored.entries == tuple(sorted(entries, key=lambda e: e.person.email))
        assert store.mark_assignment_notified("conformance", ["DEELNEMER-3@example.org "]) == 1
        assert store.mark_assignment_notified("conformance", ["deelnemer-3@example.org"]) == 0
        again = store.get_assignment("conformance")
        assert again is not None
        assert [e.notified for e in again.entries] == [True, False, True]
        # A new run replaces the old one completely.
        store.save_assignment(StoredAssignment("conformance", "optimal", 8, entries[:1]))
        replaced = store.get_assignment("conformance")
        assert replaced is not None
        assert (replaced.mode, len(replaced.entries)) == ("optimal", 1)

    def test_assignment_refuses_unknown_things_and_writes_nothing(self, store: Store) -> None:
        bad = StoredAssignment(
            "conformance",
            "stable",
            1,
            (
                AssignmentEntry(person(1), ("s",), 0, 1, "s"),
                AssignmentEntry(person(2), ("nope",), 0, 2, None),
            ),
        )
        with pytest.raises(UnknownSessionError):
            store.save_assignment(bad)
        assert store.get_assignment("conformance") is None
        with pytest.raises(UnknownEventError):
            store.save_assignment(StoredAssignment("nope", "stable", 1, ()))

    def test_groups_round_trip_and_notified(self, store: Store) -> None:
        assert store.get_groups("conformance", "s") is None
        placements = (
            GroupPlacement(person(4), 2, "participant", "dealt"),
            GroupPlacement(person(5), 1, "facilitator", "facilitator"),
            GroupPlacement(person(1), 1, "participant", "pinned", notified=True),
        )
        store.save_groups(StoredGroups("conformance", "s", "attributes", 3, placements))
        stored = store.get_groups("conformance", "s")
        assert stored is not None
        assert (stored.strategy, stored.seed) == ("attributes", 3)
        assert [(p.group, p.role, p.person.email) for p in stored.placements] == [
            (1, "facilitator", "deelnemer-5@example.org"),
            (1, "participant", "deelnemer-1@example.org"),
            (2, "participant", "deelnemer-4@example.org"),
        ]
        assert stored.placements[1] == placements[2]
        assert store.get_groups("conformance", "t") is None
        assert store.mark_groups_notified("conformance", "s", ["deelnemer-4@example.org"]) == 1
        again = store.get_groups("conformance", "s")
        assert again is not None
        assert [p.notified for p in again.placements] == [False, True, True]
        with pytest.raises(UnknownSessionError):
            store.save_groups(StoredGroups("conformance", "nope", "attributes", 3, ()))

    def test_groups_of_a_removed_session_are_gone(self, store: Store) -> None:
        placements = (GroupPlacement(person(1), 1),)
        store.save_groups(StoredGroups("conformance", "t", "attributes", 0, placements))
        event = conformance_event()
        store.save_event(attrs.evolve(event, sessions=[event.session("s")]), NOW)
        assert store.get_groups("conformance", "t") is None

    def test_place_assigned_moves_people_atomically(self, store: Store) -> None:
        # t: 1 is registered there but assigned to s; s (2 places): 2 and 3
        # hold places, 4 waits.
        store.register("conformance", "t", person(1), None, NOW)
        for n in (2, 3, 4):
            store.register("conformance", "s", person(n), None, NOW)
        places = [
            AssignedPlace(person(1), "s"),  # moves t -> s
            AssignedPlace(person(2), "t"),  # moves s -> t
            AssignedPlace(person(4), "s", waiting=True),  # stays on the waiting list
            AssignedPlace(person(5), "t"),  # new
        ]
        transitions = store.place_assigned("conformance", places, NOW)
        assert [(t.registration.person.email[:12], t.state, t.reason) for t in transitions] == [
            ("deelnemer-1@", S.CANCELLED, "moved"),
            ("deelnemer-1@", S.REGISTERED, "registered"),
            ("deelnemer-2@", S.CANCELLED, "moved"),
            ("deelnemer-2@", S.REGISTERED, "registered"),
            ("deelnemer-5@", S.REGISTERED, "registered"),
        ]

        def active(n: int) -> list[tuple[str, S]]:
            return sorted(
                (r.session_key, r.state)
                for r in store.registrations_of(person(n).email)
                if r.state.is_active
            )

        assert active(1) == [("s", S.REGISTERED)]
        assert active(2) == [("t", S.REGISTERED)]
        assert active(3) == [("s", S.REGISTERED)]
        assert active(4) == [("s", S.WAITLISTED)]
        assert store.count_places("conformance", "s").taken == 2
        # Applying the same places again changes nothing.
        assert store.place_assigned("conformance", places, NOW) == ()

    def test_place_assigned_promotes_and_fills_after_moves(self, store: Store) -> None:
        for n in (1, 2, 3, 4):
            store.register("conformance", "s", person(n), None, NOW)  # 3 and 4 wait
        places = [
            AssignedPlace(person(1), "t"),  # frees a place in s
            AssignedPlace(person(4), "s"),  # takes it, before 3 who waits longer
        ]
        transitions = store.place_assigned("conformance", places, NOW)
        seen = [
            (t.registration.person.email[:12], t.previous, t.state, t.reason) for t in transitions
        ]
        assert seen == [
            ("deelnemer-1@", S.REGISTERED, S.CANCELLED, "moved"),
            ("deelnemer-1@", None, S.REGISTERED, "registered"),
            ("deelnemer-4@", S.WAITLISTED, S.REGISTERED, "assigned"),
        ]
        assert store.count_places("conformance", "s").waiting == 1

    def test_place_assigned_refuses_and_writes_nothing(self, store: Store) -> None:
        store.register("conformance", "s", person(1), None, NOW)
        store.register("conformance", "s", person(2), None, NOW)
        before = store.list_registrations("conformance")
        with pytest.raises(ConstraintConflictError, match="take a place away") as caught:
            store.place_assigned(
                "conformance",
                [AssignedPlace(person(3), "t"), AssignedPlace(person(1), "s", waiting=True)],
                NOW,
            )
        assert caught.value.constraints == ("holds-place:deelnemer-1@example.org (s)",)
        with pytest.raises(ConstraintConflictError, match="no longer fits") as caught:
            store.place_assigned(
                "conformance", [AssignedPlace(person(3), "t"), AssignedPlace(person(4), "s")], NOW
            )
        assert caught.value.constraints == ("capacity:s",)
        with pytest.raises(InvalidInputError):
            store.place_assigned(
                "conformance", [AssignedPlace(person(3), "t"), AssignedPlace(person(3), "t")], NOW
            )
        with pytest.raises(UnknownSessionError):
            store.place_assigned("conformance", [AssignedPlace(person(3), "nope")], NOW)
        assert store.list_registrations("conformance") == before

    # --- the deep checks ---------------------------------------------------

    def test_state_machine_against_reference(self, fresh_store_url: Callable[[], str]) -> None:
        def fresh() -> Store:
            return resolve(self.opener)(fresh_store_url())

        machine = make_registration_machine(fresh)
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=self.machine_examples,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )

    @pytest.mark.slow
    @pytest.mark.parametrize("capacity", [1, 3])
    def test_race_for_the_last_places(self, store_url: str, capacity: int) -> None:
        result = race_for_last_places(
            store_url, capacity=capacity, workers=8, trials=self.race_trials, opener=self.opener
        )
        assert result.errors == ()
        assert result.overbooked == 0
        assert result.underfilled == 0

    # --- calendar states ---------------------------------------------------

    def test_calendar_state_lifecycle(self, store: Store) -> None:
        uid = "entry-1@example.org"
        assert store.calendar_states([uid]) == {}
        later = NOW + timedelta(hours=1)
        [first] = store.advance_calendar_states([CalendarProposal(uid, "s1", "c1")], NOW)
        assert first == CalendarState(uid, 0, "s1", "c1", NOW, cancelled=False)
        assert store.calendar_states([uid, "missing@example.org"]) == {uid: first}
        # The same entry again: nothing changes, not even LAST-MODIFIED.
        assert store.advance_calendar_states([CalendarProposal(uid, "s1", "c1")], later) == (first,)
        # A better description: same SEQUENCE, new LAST-MODIFIED.
        [edited] = store.advance_calendar_states([CalendarProposal(uid, "s1", "c2")], later)
        assert edited is not None
        assert (edited.sequence, edited.last_modified, edited.content) == (0, later, "c2")
        # A new time: SEQUENCE up.
        [moved] = store.advance_calendar_states([CalendarProposal(uid, "s2", "c3")], later)
        assert moved is not None
        assert moved.sequence == 1
        # A cancellation: SEQUENCE up again, and remembered as one.
        cancel = CalendarProposal(uid, "s3", "c4", cancelled=True)
        [cancelled] = store.advance_calendar_states([cancel], later)
        assert cancelled is not None
        assert (cancelled.sequence, cancelled.cancelled) == (2, True)
        assert store.calendar_states([uid]) == {uid: cancelled}

    def test_calendar_state_cancelling_the_unknown_tells_nothing(self, store: Store) -> None:
        proposal = CalendarProposal("never@example.org", "s", "c", cancelled=True)
        assert store.advance_calendar_states([proposal], NOW) == (None,)
        assert store.calendar_states(["never@example.org"]) == {}

    def test_calendar_states_in_a_batch(self, store: Store) -> None:
        proposals = [CalendarProposal(f"p{n}@example.org", "s", f"c{n}") for n in range(700)]
        states = store.advance_calendar_states(proposals, NOW)
        assert [state.uid for state in states if state is not None] == [p.uid for p in proposals]
        stored = store.calendar_states(p.uid for p in proposals)
        assert len(stored) == 700
        assert stored["p699@example.org"].content == "c699"

    def test_calendar_states_are_all_or_nothing(self, store: Store) -> None:
        good = CalendarProposal("good@example.org", "s", "c")
        with pytest.raises(InvalidInputError):
            store.advance_calendar_states([good, good], NOW)
        assert store.calendar_states(["good@example.org"]) == {}

    def test_forgetting_calendar_entries_by_token(self, store: Store) -> None:
        proposals = [
            CalendarProposal("aaaa@one.example.org", "s", "c"),
            CalendarProposal("aaaa@two.example.org", "s", "c"),
            CalendarProposal("aaaab@one.example.org", "s", "c"),
            CalendarProposal("bbbb@one.example.org", "s", "c"),
        ]
        store.advance_calendar_states(proposals, NOW)
        assert store.forget_calendar_entries(["aaaa"]) == 2
        left = store.calendar_states(p.uid for p in proposals)
        assert sorted(left) == ["aaaab@one.example.org", "bbbb@one.example.org"]
        assert store.forget_calendar_entries(["aaaa", "cccc"]) == 0

    def test_calendar_states_survive_reopening(
        self, store: Store, new_store: Callable[[], Store]
    ) -> None:
        [state] = store.advance_calendar_states([CalendarProposal("k@example.org", "s", "c")], NOW)
        store.close()
        reopened = new_store()
        expected = {"k@example.org": state} if store.shared_between_processes else {}
        assert reopened.calendar_states(["k@example.org"]) == expected

    def test_calendar_sequence_is_never_handed_out_twice(
        self, store: Store, new_store: Callable[[], Store]
    ) -> None:
        """Eight writers change one entry at once: every change gets its own SEQUENCE."""
        uid = "raced@example.org"
        store.advance_calendar_states([CalendarProposal(uid, "start", "start")], NOW)
        workers = 8
        stores = [new_store() if store.shared_between_processes else store for _ in range(workers)]
        barrier = threading.Barrier(workers)
        sequences: list[int] = []
        errors: list[BaseException] = []

        def work(number: int) -> None:
            try:
                barrier.wait(timeout=30)
                proposal = CalendarProposal(uid, f"change-{number}", f"content-{number}")
                [state] = stores[number].advance_calendar_states([proposal], NOW)
                assert state is not None
                sequences.append(state.sequence)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert sorted(sequences) == list(range(1, workers + 1))
        assert store.calendar_states([uid])[uid].sequence == workers

    # --- privacy (issue 9) ---------------------------------------------------

    def test_erasure_cancels_upcoming_and_keeps_counts(self, store: Store) -> None:
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(4)
        ]
        other = store.register("conformance", "t", person(0), CONSENT, NOW).registration.id
        erased = store.erase_person(" Deelnemer-0@Example.org", NOW)
        assert erased.found
        assert set(erased.registrations) == {ids[0], other}
        assert erased.detached.registrations == 2
        assert erased.detached.persons_deleted == 1
        # The place went to the first in line; the erased person's own
        # changes are reported with the tombstone, never with their data.
        assert [(t.registration.id, t.reason) for t in erased.transitions] == [
            (ids[0], "erased"),
            (ids[2], "promoted"),
            (other, "erased"),
        ]
        for transition in erased.transitions[::2]:
            assert transition.registration.person.is_erased
        assert store.registrations_of("deelnemer-0@example.org") == []
        tombstone = store.get_registration(ids[0])
        assert tombstone.state is S.CANCELLED
        assert tombstone.person.is_erased
        assert tombstone.person.audience == "client"
        assert (tombstone.person.organisation, tombstone.person.phone) == (None, None)
        assert tombstone.person.name == "[erased]"
        assert [t.reason for t in store.history(ids[0])] == ["registered", "erased"]
        # Both registrations point to one tombstone; everyone else is untouched.
        assert store.get_registration(other).person == tombstone.person
        assert store.get_registration(ids[1]).person == person(1)
        count = store.count_places("conformance", "s")
        assert (count.taken, count.waiting) == (2, 1)
        assert len(store.list_registrations("conformance")) == 5

    def test_erasure_leaves_the_past_and_is_harmless_twice(self, store: Store) -> None:
        rid = store.register("conformance", "s", person(1), CONSENT, NOW).registration.id
        after = START + timedelta(hours=3)
        store.change_state(rid, S.ATTENDED, after)
        first = store.erase_person("deelnemer-1@example.org", after)
        assert first.found
        assert first.transitions == ()  # nothing upcoming to cancel
        kept = store.get_registration(rid)
        assert kept.state is S.ATTENDED
        assert kept.person.is_erased
        assert store.count_places("conformance", "s").taken == 1
        again = store.erase_person("deelnemer-1@example.org", after)
        assert not again.found
        assert again.detached.total == 0
        assert store.get_registration(rid) == kept
        assert not store.erase_person("nobody@example.org", after).found

    def test_erasure_removes_assignment_entries_and_placements(self, store: Store) -> None:
        store.save_assignment(
            StoredAssignment(
                "conformance",
                "stable",
                1,
                (
                    AssignmentEntry(person(1), ("s",), 0, 1, "s"),
                    AssignmentEntry(person(2), ("s",), 0, 2, "s"),
                ),
            )
        )
        store.save_groups(
            StoredGroups(
                "conformance",
                "s",
                "attributes",
                1,
                (GroupPlacement(person(1), 1), GroupPlacement(person(2), 1)),
            )
        )
        erased = store.erase_person("deelnemer-1@example.org", NOW)
        assert erased.found  # held only in the assignment and the groups
        assert (erased.detached.assignment_entries, erased.detached.group_placements) == (1, 1)
        assert erased.detached.registrations == 0
        assignment = store.get_assignment("conformance")
        groups = store.get_groups("conformance", "s")
        assert assignment is not None
        assert groups is not None
        assert [e.person for e in assignment.entries] == [person(2)]
        assert [p.person for p in groups.placements] == [person(2)]

    def test_purge_event_keeps_other_events(self, store: Store) -> None:
        other = attrs.evolve(conformance_event(), key="other")
        store.save_event(other, NOW)
        here = store.register("conformance", "s", person(1), CONSENT, NOW).registration.id
        store.register("conformance", "s", person(2), CONSENT, NOW)
        there = store.register("other", "s", person(1), CONSENT, NOW).registration.id
        store.save_groups(
            StoredGroups("conformance", "s", "attributes", 1, (GroupPlacement(person(1), 1),))
        )
        purged = store.purge_event("conformance", NOW)
        assert purged.registrations == 2
        assert purged.group_placements == 1
        assert purged.persons_deleted == 1  # person 2 had nothing else; person 1 has
        assert store.get_registration(here).person.is_erased
        assert store.get_registration(there).person == person(1)
        assert [r.id for r in store.registrations_of("deelnemer-1@example.org")] == [there]
        assert store.registrations_of("deelnemer-2@example.org") == []
        assert store.count_places("conformance", "s").taken == 2
        assert store.purge_event("conformance", NOW).total == 0
        with pytest.raises(UnknownEventError):
            store.purge_event("nope", NOW)

    def test_privacy_log_round_trip_and_forgetting_a_requester(self, store: Store) -> None:
        assert store.privacy_records() == []
        first = PrivacyRecord(
            NOW,
            "names-exported",
            "conformance",
            "groups-csv",
            "exports/x.csv",
            "org@example.org",
            3,
        )
        second = PrivacyRecord(NOW, "erased", subject="person", count=1)
        store.record_privacy(first)
        store.record_privacy(second)
        assert store.privacy_records() == [first, second]
        erased = store.erase_person("ORG@example.org", NOW)
        assert not erased.found
        assert erased.requester_records == 1
        assert store.privacy_records() == [attrs.evolve(first, requested_by=None), second]

    def test_minor_with_guardian_consent_round_trips(self, store: Store) -> None:
        minor = attrs.evolve(person(5), age_category=AgeCategory.FROM_12_TO_15)
        consent = Consent("2030-1", NOW, given_by=GUARDIAN)
        registration = store.register("conformance", "s", minor, consent, NOW).registration
        stored = store.get_registration(registration.id)
        assert stored.person.age_category is AgeCategory.FROM_12_TO_15
        assert stored.consent == consent

    def test_retention_and_guardian_age_round_trip(self, store: Store) -> None:
        event = conformance_event()
        session = attrs.evolve(event.session("s"), guardian_consent_below=18)
        changed = attrs.evolve(
            event, retention=timedelta(days=90), sessions=[session, event.session("t")]
        )
        store.save_event(changed, NOW)
        assert store.get_event("conformance") == changed

    def test_scrub_reports(self, store: Store) -> None:
        store.register("conformance", "s", person(1), CONSENT, NOW)
        store.erase_person("deelnemer-1@example.org", NOW)
        assert store.scrub().complete

    # --- the outbox (notifications) ------------------------------------------

    def test_outbox_keeps_one_message_per_key(self, store: Store) -> None:
        assert store.queue_messages([_message(1), _message(2), _message(1)], NOW) == 2
        assert store.queue_messages([_message(2), _message(3)], NOW) == 1
        records = store.outbox()
        assert [record.key for record in records] == ["test/1", "test/2", "test/3"]
        first = records[0]
        assert first.message == _message(1).message
        assert (first.state, first.attempts, first.due_at) == (DeliveryState.PENDING, 0, NOW)
        assert (first.event_key, first.session_key, first.channel) == ("conformance", "s", "outbox")
        assert first.created_at == NOW
        assert (first.sent_at, first.lease_until, first.last_error) == (None, None, None)

    def test_change_and_its_messages_commit_together(self, store: Store) -> None:
        store.message_planner = EchoPlanner()
        outcome = store.register("conformance", "s", person(1), CONSENT, NOW)
        [record] = store.outbox()
        assert record.registration_id == outcome.registration.id
        assert record.key == f"echo/{outcome.registration.id}/registered"
        # A cancellation that promotes someone: both messages, in one go.
        store.register("conformance", "s", person(2), CONSENT, NOW)
        waiting = store.register("conformance", "s", person(3), CONSENT, NOW).registration
        store.change_state(outcome.registration.id, S.CANCELLED, NOW)
        keys = [record.key for record in store.outbox()]
        assert keys[-2:] == [
            f"echo/{outcome.registration.id}/cancelled",
            f"echo/{waiting.id}/promoted",
        ]

    def test_rolled_back_change_leaves_no_message(self, store: Store) -> None:
        store.message_planner = EchoPlanner(fail=True)
        with pytest.raises(RuntimeError, match="on purpose"):
            store.register("conformance", "s", person(1), CONSENT, NOW)
        assert store.list_registrations("conformance") == []
        assert store.outbox() == []
        with pytest.raises(RuntimeError, match="on purpose"):
            store.register_many("conformance", "s", [(person(2), CONSENT)], NOW)
        assert store.list_registrations("conformance") == []
        assert store.outbox() == []

    def test_moved_session_tells_its_participants(self, store: Store) -> None:
        planner = EchoPlanner()
        store.message_planner = planner
        ids = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration.id
            for n in range(3)
        ]
        store.change_state(ids[2], S.CANCELLED, NOW)
        event = conformance_event()
        later = START + timedelta(hours=1)
        moved = attrs.evolve(
            event,
            sessions=[
                attrs.evolve(event.session("s"), start=later, end=later + timedelta(hours=2)),
                event.session("t"),
            ],
        )
        store.save_event(moved, NOW)
        told = [r.registration_id for r in store.outbox() if r.message.kind == "change"]
        assert told == ids[:2]  # the active registrations, not the cancelled one

    def test_claims_are_exclusive_and_lapse(self, store: Store) -> None:
        store.queue_messages([_message(n) for n in range(5)], NOW)
        store.queue_messages([_message(9, due_at=NOW + timedelta(hours=1))], NOW)
        lease = timedelta(minutes=10)
        first = store.claim_messages(NOW, limit=3, lease=lease, max_attempts=3)
        assert [r.key for r in first] == ["test/0", "test/1", "test/2"]
        assert {(r.state, r.attempts, r.lease_until) for r in first} == {
            (DeliveryState.SENDING, 1, NOW + lease)
        }
        second = store.claim_messages(NOW, limit=10, lease=lease, max_attempts=3)
        assert [r.key for r in second] == ["test/3", "test/4"]  # not yet due: test/9
        assert store.claim_messages(NOW, limit=10, lease=lease, max_attempts=3) == []
        # The dispatcher holding test/0..4 dies: after the lease they are due again.
        later = NOW + timedelta(hours=1)
        again = store.claim_messages(later, limit=10, lease=lease, max_attempts=3)
        assert [(r.key, r.attempts) for r in again] == [
            ("test/0", 2),
            ("test/1", 2),
            ("test/2", 2),
            ("test/3", 2),
            ("test/4", 2),
            ("test/9", 1),
        ]
        only = store.claim_messages(
            later + lease, limit=10, lease=lease, max_attempts=3, channels=["sms"]
        )
        assert only == []

    def test_delivery_outcomes(self, store: Store) -> None:
        store.queue_messages([_message(n) for n in range(4)], NOW)
        claimed = store.claim_messages(NOW, limit=4, lease=timedelta(minutes=5), max_attempts=5)
        a, b, c, d = (record.id for record in claimed)
        later = NOW + timedelta(seconds=1)
        assert store.record_delivery(a, 1, DeliveryState.SENT, later)
        assert not store.record_delivery(a, 1, DeliveryState.SENT, later)  # once
        assert store.record_delivery(b, 1, DeliveryState.FAILED, later, error="550 no such user")
        retry_at = NOW + timedelta(minutes=2)
        assert store.record_delivery(
            c, 1, DeliveryState.PENDING, later, error="451 try later", retry_at=retry_at
        )
        # An outcome for a claim that is not the current one changes nothing...
        assert not store.record_delivery(d, 7, DeliveryState.FAILED, later, error="stale")
        # ...except "sent": a delivered message is recorded whatever happened.
        by_id = {record.id: record for record in store.outbox()}
        assert (by_id[a].state, by_id[a].sent_at) == (DeliveryState.SENT, later)
        assert (by_id[b].state, by_id[b].last_error) == (DeliveryState.FAILED, "550 no such user")
        assert (by_id[c].state, by_id[c].due_at, by_id[c].last_error) == (
            DeliveryState.PENDING,
            retry_at,
            "451 try later",
        )
        assert by_id[d].state is DeliveryState.SENDING
        assert (
            store.claim_messages(later, limit=9, lease=timedelta(minutes=5), max_attempts=5) == []
        )
        [retried] = store.claim_messages(
            retry_at, limit=9, lease=timedelta(minutes=5), max_attempts=5
        )
        assert (retried.id, retried.attempts) == (c, 2)
        assert store.outbox([DeliveryState.SENT]) == [by_id[a]]
        assert len(store.outbox(event_key="conformance")) == 4
        assert store.outbox(event_key="other") == []

    def test_too_many_attempts_fail(self, store: Store) -> None:
        store.queue_messages([_message(1)], NOW)
        lease = timedelta(minutes=1)
        for attempt in range(2):
            [record] = store.claim_messages(
                NOW + attempt * lease, limit=1, lease=lease, max_attempts=2
            )
            assert record.attempts == attempt + 1
        # Claimed twice and never finished (a message that kills its dispatcher).
        assert store.claim_messages(NOW + 2 * lease, limit=1, lease=lease, max_attempts=2) == []
        [record] = store.outbox()
        assert record.state is DeliveryState.FAILED
        assert record.last_error is not None
        assert "2 attempts" in record.last_error

    def test_superseded_messages_never_go_out(self, store: Store) -> None:
        store.queue_messages(
            [
                _message(1, kind="reminder", registration_id=1),
                _message(2, kind="reminder", registration_id=2),
                _message(3, kind="reminder", session_key="t", registration_id=3),
                _message(4, kind="confirmation", registration_id=1),
                _message(5, kind="reminder", registration_id=1, due_at=NOW - timedelta(days=1)),
            ],
            NOW,
        )
        # A dispatcher has claimed test/5 (the earliest due) when the session moves.
        [claimed] = store.claim_messages(NOW, limit=1, lease=timedelta(minutes=5), max_attempts=5)
        assert claimed.key == "test/5"
        one = Supersede(frozenset({"reminder"}), "conformance", "s", registration_id=1)
        assert _supersede(store, one) == {"test/1", "test/5"}
        whole_session = Supersede(frozenset({"reminder"}), "conformance", "s")
        assert _supersede(store, whole_session) == {"test/2"}
        states = {record.key: record.state for record in store.outbox()}
        assert states == {
            "test/1": DeliveryState.SUPERSEDED,
            "test/2": DeliveryState.SUPERSEDED,
            "test/3": DeliveryState.PENDING,
            "test/4": DeliveryState.PENDING,
            "test/5": DeliveryState.SUPERSEDED,
        }
        due = store.claim_messages(
            NOW + timedelta(hours=1), limit=9, lease=timedelta(minutes=5), max_attempts=5
        )
        assert {r.key for r in due} == {"test/3", "test/4"}

    @pytest.mark.slow
    def test_purged_messages_keep_their_keys(self, store: Store) -> None:
        store.queue_messages([_message(1), _message(2), _message(3)], NOW)
        claimed = store.claim_messages(NOW, limit=2, lease=timedelta(minutes=5), max_attempts=5)
        for record in claimed:
            store.record_delivery(record.id, record.attempts, DeliveryState.SENT, NOW)
        later = NOW + timedelta(days=31)
        # Only final messages older than the cut-off go; the pending one stays.
        assert store.purge_outbox(NOW, later) == 0
        assert store.purge_outbox(NOW + timedelta(seconds=1), later) == 2
        assert [record.key for record in store.outbox()] == ["test/3"]
        # A purged key is still known: queuing it again queues nothing.
        assert store.queue_messages([_message(1), _message(2), _message(4)], later) == 1
        assert store.purge_outbox(NOW + timedelta(seconds=1), later) == 0

    def test_messages_composed_in_the_transaction_number_calendars(self, store: Store) -> None:
        from participatie.outbox import CalendarLedger

        state = CalendarState("uid-1@example.org", 0, "sig", "content", NOW)

        def build(ledger: CalendarLedger) -> list[OutgoingMessage]:
            assert ledger.calendar_states(["uid-1@example.org"]) == {}
            ledger.save_calendar_states([state])
            assert ledger.group_number("conformance", "s", person(1).email) is None
            return [_message(1)]

        assert store.queue_planned(build, NOW) == 1
        assert store.calendar_states(["uid-1@example.org"]) == {"uid-1@example.org": state}

        def failing(ledger: CalendarLedger) -> list[OutgoingMessage]:
            ledger.save_calendar_states([attrs.evolve(state, uid="uid-2@example.org")])
            raise RuntimeError("on purpose")

        with pytest.raises(RuntimeError, match="on purpose"):
            store.queue_planned(failing, NOW)
        assert store.calendar_states(["uid-2@example.org"]) == {}
        assert [record.key for record in store.outbox()] == ["test/1"]

    def test_telling_groups_marks_and_queues_together(self, store: Store) -> None:
        from participatie.outbox import CalendarLedger

        store.save_event(conformance_event(capacity=None), NOW)
        regs = [
            store.register("conformance", "s", person(n), CONSENT, NOW).registration
            for n in range(3)
        ]
        store.change_state(regs[2].id, S.CANCELLED, NOW)  # placed, but no longer holds a place
        facilitator = Person("Gespreksleider", "leider@example.org", "professional")
        placements = (
            GroupPlacement(person(0), 1),
            GroupPlacement(person(1), 2),
            GroupPlacement(person(2), 2),
            GroupPlacement(facilitator, 1, "facilitator"),
        )
        store.save_groups(StoredGroups("conformance", "s", "attributes", 0, placements))
        seen: list[tuple[int, int, tuple[str, ...]]] = []

        def compose(
            event: Event,
            registration: Any,
            number: int,
            facilitators: Any,
            ledger: CalendarLedger,
        ) -> list[OutgoingMessage]:
            assert ledger.group_number("conformance", "s", registration.person.email) == number
            seen.append((registration.id, number, tuple(facilitators)))
            return [_message(100 + registration.id, registration_id=registration.id)]

        def failing(*_: Any) -> list[OutgoingMessage]:
            raise RuntimeError("on purpose")

        with pytest.raises(RuntimeError, match="on purpose"):
            store.notify_groups("conformance", "s", failing, NOW)
        stored = store.get_groups("conformance", "s")
        assert stored is not None
        assert not any(p.notified for p in stored.placements)
        assert store.outbox() == []

        assert store.notify_groups("conformance", "s", compose, NOW) == 2
        assert seen == [(regs[0].id, 1, ("Gespreksleider",)), (regs[1].id, 2, ())]
        assert len(store.outbox()) == 2
        stored = store.get_groups("conformance", "s")
        assert stored is not None
        told = {p.person.email: p.notified for p in stored.placements}
        assert told == {
            person(0).email: True,
            person(1).email: True,
            person(2).email: False,
            "leider@example.org": True,
        }
        assert store.notify_groups("conformance", "s", compose, NOW) == 0
        with pytest.raises(UnknownSessionError):
            store.notify_groups("conformance", "nope", compose, NOW)

    def test_race_for_messages(self, store_url: str) -> None:
        result = race_for_messages(store_url, messages=200, workers=4, opener=self.opener)
        assert result.errors == ()
        assert result.doubled == ()
        assert result.missing == ()
        assert result.claimed == 200


def _message(number: int, **details: Any) -> OutgoingMessage:
    """:func:`~participatie.testing.outgoing`, due at the suite's ``NOW`` unless told."""
    details.setdefault("due_at", NOW)
    return outgoing(number, **details)


class _SupersedeOnSave:
    """A planner that only supersedes (to reach Tx.supersede_messages through the store)."""

    def __init__(self, rule: Supersede) -> None:
        self.rule = rule

    def sessions_to_recheck(self, previous: Event, event: Event) -> list[str]:
        return []

    def plan(self, event: Event, transitions: object, now: datetime, **_: object) -> object:
        from participatie.outbox import MessagePlan

        return MessagePlan(supersede=(self.rule,))


def _supersede(store: Store, rule: Supersede) -> set[str]:
    """Apply ``rule`` in a registration's transaction; the keys it superseded."""
    before = {r.key for r in store.outbox() if r.state is DeliveryState.SUPERSEDED}
    store.message_planner = _SupersedeOnSave(rule)  # type: ignore[assignment]
    try:
        store.register("conformance", "t", person(99), CONSENT, NOW)
    finally:
        store.message_planner = None
    after = {r.key for r in store.outbox() if r.state is DeliveryState.SUPERSEDED}
    registration = store.registrations_of(person(99).email)[-1]
    store.change_state(registration.id, S.CANCELLED, NOW)
    return after - before
