"""A Hypothesis state machine that checks a backend against a reference model.

The model below is written independently of :mod:`participatie.rules` and
:class:`~participatie.storage.LedgerStore`, as plainly as the rules can be
said: a place goes to whoever registers while places are free and nobody
waits; the waiting list is first come, first served; a freed place goes to the
head of the line (at once, or as an offer that lapses). Random sequences of
registrations, cancellations, offers accepted and declined, attendance and the
passing of time run against the backend and the model, and every registration
must agree after every step.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from participatie.exceptions import ParticipatieError
from participatie.model import (
    Consent,
    Event,
    HelpDesk,
    Person,
    RegistrationState,
    Session,
    WaitingListPolicy,
)
from participatie.storage import Store

__all__ = ["make_registration_machine"]

S = RegistrationState
EVENT = "machine"
SESSIONS = ("first", "second")
PEOPLE = 6
OFFER_PERIOD = timedelta(hours=24)
HOLDS = {S.REGISTERED, S.OFFERED, S.ATTENDED, S.NO_SHOW}
ACTIVE = HOLDS | {S.WAITLISTED}


@attrs.define
class _Reg:
    id: int
    session: str
    person: int
    state: RegistrationState
    expires: datetime | None = None


@attrs.define
class Model:
    """The reference: registrations as plain records, rules as plain code."""

    capacity: dict[str, int | None]
    policy: dict[str, WaitingListPolicy]
    start: datetime
    regs: dict[int, _Reg] = attrs.Factory(dict)

    def in_session(self, session: str) -> list[_Reg]:
        return [r for _id, r in sorted(self.regs.items()) if r.session == session]

    def sweep(self, session: str, now: datetime) -> None:
        for r in self.in_session(session):
            if r.state is S.OFFERED and r.expires is not None and r.expires <= now:
                r.state, r.expires = S.EXPIRED, None

    def fill(self, session: str, now: datetime) -> None:
        capacity, policy = self.capacity[session], self.policy[session]
        if policy is WaitingListPolicy.NONE or now >= self.start:
            return
        for r in self.in_session(session):
            if r.state is not S.WAITLISTED:
                continue
            taken = sum(1 for x in self.in_session(session) if x.state in HOLDS)
            if capacity is not None and taken >= capacity:
                return
            if policy is WaitingListPolicy.AUTOMATIC:
                r.state = S.REGISTERED
            else:
                r.state, r.expires = S.OFFERED, min(now + OFFER_PERIOD, self.start)

    def expected_registration(self, session: str, person: int, now: datetime) -> str:
        """The outcome of a registration: a state name, or the error's class name."""
        self.sweep(session, now)
        regs = self.in_session(session)
        if any(r.person == person and r.state in ACTIVE for r in regs):
            return "AlreadyRegisteredError"
        taken = sum(1 for r in regs if r.state in HOLDS)
        waiting = sum(1 for r in regs if r.state is S.WAITLISTED)
        capacity = self.capacity[session]
        if capacity is None or (taken < capacity and waiting == 0):
            return S.REGISTERED.value
        if self.policy[session] is WaitingListPolicy.NONE:
            return "SessionFullError"
        return S.WAITLISTED.value

    def expected_change(self, reg: _Reg, new: RegistrationState, now: datetime) -> str | None:
        """Apply the sweep and judge a change: the error's class name, or ``None``."""
        if reg.state is S.OFFERED and new is S.REGISTERED:
            assert reg.expires is not None
            if now >= reg.expires:
                return "OfferExpiredError"
        self.sweep(reg.session, now)
        allowed = {
            S.REGISTERED: {S.CANCELLED, S.ATTENDED, S.NO_SHOW},
            S.WAITLISTED: {S.CANCELLED},
            S.OFFERED: {S.REGISTERED, S.DECLINED, S.CANCELLED},
            S.ATTENDED: {S.NO_SHOW},
            S.NO_SHOW: {S.ATTENDED},
        }.get(reg.state, set())
        if new not in allowed:
            return "IllegalTransitionError"
        return None


def make_registration_machine(new_store: Callable[[], Store]) -> type[RuleBasedStateMachine]:
    """A state machine class for the backend that ``new_store`` opens (fresh and empty).

    Run it in a test with ``run_state_machine_as_test(machine)`` or expose
    ``machine.TestCase``.
    """

    class RegistrationMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = new_store()
            self.now = datetime(2030, 3, 1, 9, tzinfo=UTC)
            self.model: Model | None = None

        def teardown(self) -> None:
            self.store.close()

        @precondition(lambda self: self.model is None)
        @rule(
            capacities=st.tuples(st.sampled_from([1, 2, 3, None]), st.sampled_from([1, 2])),
            policies=st.tuples(
                st.sampled_from(list(WaitingListPolicy)), st.sampled_from(list(WaitingListPolicy))
            ),
        )
        def describe_event(
            self,
            capacities: tuple[int | None, int],
            policies: tuple[WaitingListPolicy, WaitingListPolicy],
        ) -> None:
            # Close enough that time passing reaches it: nobody moves up
            # once a session has started, and offers lapse at its start.
            start = self.now + timedelta(days=4)
            sessions = [
                Session(
                    key=key,
                    title=key.title(),
                    start=start,
                    end=start + timedelta(hours=2),
                    capacity=capacity,
                    waiting_list=policy,
                    offer_period=OFFER_PERIOD,
                )
                for key, capacity, policy in zip(SESSIONS, capacities, policies, strict=True)
            ]
            event = Event(
                key=EVENT,
                title="Machine",
                organiser="Conformance suite",
                help_desk=HelpDesk(email="helpdesk@example.org"),
                sessions=sessions,
            )
            self.store.save_event(event, self.now)
            self.model = Model(
                capacity=dict(zip(SESSIONS, capacities, strict=True)),
                policy=dict(zip(SESSIONS, policies, strict=True)),
                start=start,
            )

        def _person(self, index: int) -> Person:
            return Person(
                name=f"Deelnemer {index}", email=f"deelnemer-{index}@example.org", audience="client"
            )

        @precondition(lambda self: self.model is not None)
        @rule(session=st.sampled_from(SESSIONS), person=st.integers(0, PEOPLE - 1))
        def register(self, session: str, person: int) -> None:
            assert self.model is not None
            # Judge on a copy: when the store refuses, it rolls back everything
            # (the sweep of lapsed offers included), and so must the model.
            model = copy.deepcopy(self.model)
            expected = model.expected_registration(session, person, self.now)
            try:
                outcome = self.store.register(
                    EVENT,
                    session,
                    self._person(person),
                    Consent(text_version="1", given_at=self.now),
                    self.now,
                )
            except ParticipatieError as error:
                assert type(error).__name__ == expected, (expected, error)
                return
            assert outcome.registration.state.value == expected
            model.regs[outcome.registration.id] = _Reg(
                outcome.registration.id, session, person, outcome.registration.state
            )
            model.fill(session, self.now)
            self.model = model

        def _change(self, index: int, new: RegistrationState) -> None:
            assert self.model is not None
            if not self.model.regs:
                return
            model = copy.deepcopy(self.model)
            ids = sorted(model.regs)
            reg = model.regs[ids[index % len(ids)]]
            expected_error = model.expected_change(reg, new, self.now)
            try:
                self.store.change_state(reg.id, new, self.now)
            except ParticipatieError as error:
                assert type(error).__name__ == expected_error, (expected_error, error)
                if expected_error == "OfferExpiredError":
                    # A late acceptance records the lapse and passes the place on.
                    model.sweep(reg.session, self.now)
                    model.fill(reg.session, self.now)
                    self.model = model
                # Any other refusal rolled back, the sweep of lapsed offers included.
                return
            assert expected_error is None, f"expected {expected_error}"
            reg.state, reg.expires = new, None
            model.fill(reg.session, self.now)
            self.model = model

        @precondition(lambda self: self.model is not None)
        @rule(index=st.integers(0, 50))
        def cancel(self, index: int) -> None:
            self._change(index, S.CANCELLED)

        @precondition(lambda self: self.model is not None)
        @rule(index=st.integers(0, 50))
        def accept(self, index: int) -> None:
            self._change(index, S.REGISTERED)

        @precondition(lambda self: self.model is not None)
        @rule(index=st.integers(0, 50))
        def decline(self, index: int) -> None:
            self._change(index, S.DECLINED)

        @precondition(lambda self: self.model is not None)
        @rule(index=st.integers(0, 50), attended=st.booleans())
        def record_attendance(self, index: int, attended: bool) -> None:
            self._change(index, S.ATTENDED if attended else S.NO_SHOW)

        @precondition(lambda self: self.model is not None)
        @rule(hours=st.sampled_from([1, 12, 23, 24, 25, 48]))
        def time_passes(self, hours: int) -> None:
            self.now += timedelta(hours=hours)

        @precondition(lambda self: self.model is not None)
        @rule()
        def expire_offers(self) -> None:
            assert self.model is not None
            self.store.expire_offers(self.now)
            for session in SESSIONS:
                self.model.sweep(session, self.now)
                self.model.fill(session, self.now)

        @invariant()
        def store_agrees_with_model(self) -> None:
            if self.model is None:
                return
            stored = {r.id: r for r in self.store.list_registrations(EVENT)}
            assert sorted(stored) == sorted(self.model.regs)
            for rid, expected in self.model.regs.items():
                actual = stored[rid]
                assert actual.state is expected.state, (rid, actual.state, expected.state)
                assert actual.session_key == expected.session
                assert actual.person.email == f"deelnemer-{expected.person}@example.org"
                assert actual.offer_expires_at == expected.expires

        @invariant()
        def never_overbooked(self) -> None:
            if self.model is None:
                return
            for session in SESSIONS:
                capacity = self.model.capacity[session]
                count = self.store.count_places(EVENT, session)
                if capacity is not None:
                    assert count.taken <= capacity

    return RegistrationMachine
