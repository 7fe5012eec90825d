"""The organiser's registration rules, through the facade, at chosen instants."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from participatie import (
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    AlreadyRegisteredError,
    ChangeDeadlinePassedError,
    Consent,
    ConsentRequiredError,
    FixedClock,
    IllegalTransitionError,
    NotEligibleError,
    OfferExpiredError,
    Participatie,
    Person,
    RegistrationClosedError,
    RegistrationNotOpenError,
    RegistrationRefusedError,
    RegistrationState,
    SessionFullError,
    UnknownEventError,
    WaitingListPolicy,
)
from participatie.testing import HookRecorder

from .conftest import EVENT_KEY, at, client, week_event

S = RegistrationState


@pytest.fixture
def app(participatie_app: Participatie, clock: FixedClock) -> Participatie:
    participatie_app.clock = clock
    participatie_app.save_event(week_event())
    return participatie_app


def test_register_and_read_back(app: Participatie, consent: Consent) -> None:
    registration = app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    assert registration.state is S.REGISTERED
    assert app.registration(registration.id) == registration
    assert app.participants(EVENT_KEY, "clienten") == [registration]
    assert app.registrations_of(" Deelnemer1@Example.org ") == [registration]
    assert app.places(EVENT_KEY, "clienten").free == 2
    assert app.events() == [week_event()]
    assert app.session(EVENT_KEY, "clienten").capacity == 3


def test_deadline_is_the_end_of_friday_local_time(
    app: Participatie, clock: FixedClock, consent: Consent
) -> None:
    clock.set(at(2020, 10, 30, 23, 59))
    app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    clock.set(at(2020, 10, 31, 0, 0))
    with pytest.raises(RegistrationClosedError, match="2020-10-31 00:00 CET"):
        app.register(EVENT_KEY, "clienten", client(2), consent=consent)
    assert len(app.registrations(EVENT_KEY)) == 1


def test_not_open_yet(app: Participatie, clock: FixedClock, consent: Consent) -> None:
    clock.set(at(2020, 10, 19, 8, 59))
    with pytest.raises(RegistrationNotOpenError, match="opens at 2020-10-19 09:00"):
        app.register(EVENT_KEY, "clienten", client(1), consent=consent)


def test_eligibility_by_audience(app: Participatie, consent: Consent) -> None:
    professional = Person("Prof Voorbeeld", "prof@example.org", PROFESSIONAL)
    with pytest.raises(NotEligibleError, match="professional"):
        app.register(EVENT_KEY, "clienten", professional, consent=consent)
    app.register(EVENT_KEY, "professionals", professional, consent=consent)
    app.register(EVENT_KEY, "clienten", client(2, EXPERT_BY_EXPERIENCE), consent=consent)
    with pytest.raises(NotEligibleError):
        app.register(EVENT_KEY, "professionals", client(3), consent=consent)


def test_consent_is_required_with_the_current_text(app: Participatie, clock: FixedClock) -> None:
    with pytest.raises(ConsentRequiredError, match="consent"):
        app.register(EVENT_KEY, "clienten", client(1))
    with pytest.raises(ConsentRequiredError, match="current version"):
        app.register(EVENT_KEY, "clienten", client(1), consent=Consent("2019-01", clock.now()))
    future = Consent("2020-10", clock.now() + timedelta(hours=1))
    with pytest.raises(ConsentRequiredError, match="future"):
        app.register(EVENT_KEY, "clienten", client(1), consent=future)
    assert app.registrations(EVENT_KEY) == []


def test_consent_can_be_switched_off(app: Participatie) -> None:
    event = week_event()
    free = attrs.evolve(event.sessions[1], consent_required=False)
    app.save_event(attrs.evolve(event, sessions=[event.sessions[0], free]))
    professional = Person("Prof Voorbeeld", "prof@example.org", PROFESSIONAL)
    assert app.register(EVENT_KEY, "professionals", professional).consent is None


def test_duplicates_by_case_and_spaces(app: Participatie, consent: Consent) -> None:
    app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    same = Person("Deelnemer Een", "  DEELNEMER1@example.ORG ", "client")
    with pytest.raises(AlreadyRegisteredError):
        app.register(EVENT_KEY, "clienten", same, consent=consent)


def test_every_refusal_is_one_of_ours_and_a_value_error() -> None:
    for error in (
        NotEligibleError,
        RegistrationClosedError,
        SessionFullError,
        AlreadyRegisteredError,
        ConsentRequiredError,
    ):
        assert issubclass(error, RegistrationRefusedError)
        assert issubclass(error, ValueError)
    assert issubclass(UnknownEventError, LookupError)


def test_full_session_waiting_list_and_promotion(
    app: Participatie, consent: Consent, hook_recorder: HookRecorder
) -> None:
    ids = [app.register(EVENT_KEY, "clienten", client(n), consent=consent).id for n in range(5)]
    assert [r.id for r in app.waiting_list(EVENT_KEY, "clienten")] == ids[3:]
    cancelled = app.cancel(ids[1])
    assert cancelled.registration.state is S.CANCELLED
    assert [r.id for r in cancelled.moved_up] == [ids[3]]
    assert app.registration(ids[3]).state is S.REGISTERED
    assert [r.id for r in app.waiting_list(EVENT_KEY, "clienten")] == [ids[4]]
    assert hook_recorder.reasons()[-2:] == ["cancelled", "promoted"]
    assert [t.reason for t in app.history(ids[3])] == ["waitlisted", "promoted"]


def test_no_waiting_list(app: Participatie, consent: Consent) -> None:
    app.save_event(week_event(capacity=1, policy=WaitingListPolicy.NONE))
    app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    with pytest.raises(SessionFullError, match="full"):
        app.register(EVENT_KEY, "clienten", client(2), consent=consent)


def test_offer_policy(app: Participatie, clock: FixedClock, consent: Consent) -> None:
    app.save_event(week_event(capacity=1, policy=WaitingListPolicy.OFFER))
    first, second, third = (
        app.register(EVENT_KEY, "clienten", client(n), consent=consent).id for n in range(3)
    )
    app.cancel(first)
    offered = app.registration(second)
    assert offered.state is S.OFFERED
    assert offered.offer_expires_at == clock.now() + timedelta(hours=48)
    clock.advance(timedelta(hours=48))
    with pytest.raises(OfferExpiredError, match=r"lapsed at 2020-10-22 09:00 CEST") as caught:
        app.accept_offer(second)
    assert [(t.registration.id, t.state) for t in caught.value.transitions] == [
        (second, S.EXPIRED),
        (third, S.OFFERED),
    ]
    assert app.expire_offers() == ()
    assert app.accept_offer(third).registration.state is S.REGISTERED
    with pytest.raises(IllegalTransitionError):
        app.decline_offer(third)


def test_an_offer_lapses_at_the_start_of_the_session_at_the_latest(
    app: Participatie, clock: FixedClock, consent: Consent
) -> None:
    app.save_event(week_event(capacity=1, policy=WaitingListPolicy.OFFER))
    first, second = (
        app.register(EVENT_KEY, "clienten", client(n), consent=consent).id for n in range(2)
    )
    clock.set(at(2020, 11, 4, 20, 0))  # 14 hours before the start
    app.cancel(first, by_organiser=True)
    assert app.registration(second).offer_expires_at == at(2020, 11, 5, 10, 0)


def test_nobody_moves_up_once_the_session_has_started(
    app: Participatie, clock: FixedClock, consent: Consent
) -> None:
    ids = [app.register(EVENT_KEY, "clienten", client(n), consent=consent).id for n in range(4)]
    clock.set(at(2020, 11, 5, 10, 0))
    outcome = app.cancel(ids[0], by_organiser=True)
    assert outcome.moved_up == ()
    assert app.registration(ids[3]).state is S.WAITLISTED
    assert app.places(EVENT_KEY, "clienten").free == 1


def test_one_place_is_singular(app: Participatie, consent: Consent) -> None:
    app.save_event(week_event(capacity=1, policy=WaitingListPolicy.NONE))
    app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    with pytest.raises(SessionFullError, match=r"is full \(1 place\)$"):
        app.register(EVENT_KEY, "clienten", client(2), consent=consent)


def test_declining_passes_the_offer_on(app: Participatie, consent: Consent) -> None:
    app.save_event(week_event(capacity=1, policy=WaitingListPolicy.OFFER))
    ids = [app.register(EVENT_KEY, "clienten", client(n), consent=consent).id for n in range(3)]
    app.cancel(ids[0])
    assert app.decline_offer(ids[1]).registration.state is S.DECLINED
    assert app.registration(ids[2]).state is S.OFFERED


def test_change_deadline(app: Participatie, clock: FixedClock, consent: Consent) -> None:
    ids = [app.register(EVENT_KEY, "clienten", client(n), consent=consent).id for n in range(4)]
    clock.set(at(2020, 11, 4, 12, 0))
    with pytest.raises(ChangeDeadlinePassedError, match=r"vraagbaak@example\.org"):
        app.cancel(ids[0])
    # Leaving the waiting list is always possible, and so is the organiser's cancellation.
    assert app.cancel(ids[3]).registration.state is S.CANCELLED
    assert app.cancel(ids[0], by_organiser=True).registration.state is S.CANCELLED


def test_attendance(app: Participatie, clock: FixedClock, consent: Consent) -> None:
    rid = app.register(EVENT_KEY, "clienten", client(1), consent=consent).id
    clock.set(at(2020, 11, 5, 12, 0))
    assert app.mark_no_show(rid).registration.state is S.NO_SHOW
    assert app.mark_attended(rid).registration.state is S.ATTENDED
    assert app.participants(EVENT_KEY, "clienten")[0].state is S.ATTENDED


def test_bulk_registration_reports_each_refusal(app: Participatie, consent: Consent) -> None:
    professional = Person("Prof Voorbeeld", "prof@example.org", PROFESSIONAL)
    entries = [
        (client(1), consent),
        (professional, consent),
        (client(2), None),
        (client(1), consent),
        (client(3), consent),
    ]
    result = app.register_many(EVENT_KEY, "clienten", entries)
    assert [r.person.email for r in result.registrations] == [
        "deelnemer1@example.org",
        "deelnemer3@example.org",
    ]
    assert [(index, type(error).__name__) for index, error in result.refused] == [
        (1, "NotEligibleError"),
        (2, "ConsentRequiredError"),
        (3, "AlreadyRegisteredError"),
    ]


def test_lifecycle_hooks_see_committed_changes(
    app: Participatie, consent: Consent, hook_recorder: HookRecorder
) -> None:
    assert hook_recorder.events_saved == [week_event()]
    registration = app.register(EVENT_KEY, "clienten", client(1), consent=consent)
    assert hook_recorder.transitions[-1].registration == registration
    assert hook_recorder.states() == [S.REGISTERED]


def test_groups_respect_the_group_size(app: Participatie, consent: Consent) -> None:
    for n in range(3):
        app.register(EVENT_KEY, "clienten", client(n), consent=consent)
    groups = app.form_groups(EVENT_KEY, "clienten", seed=7)
    assert [len(g.members) for g in groups] == [2, 1]
    assert groups == app.form_groups(EVENT_KEY, "clienten", seed=7)
    # Without a group size everyone is in one group.
    assert [len(g.members) for g in app.form_groups(EVENT_KEY, "professionals")] == []


def test_open_by_url_and_close(tmp_path: object, clock: FixedClock) -> None:
    with Participatie.open(f"sqlite:///{tmp_path}/x.db", clock=clock) as app:
        app.save_event(week_event())
        assert app.event(EVENT_KEY).title.startswith("Week")
