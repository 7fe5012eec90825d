"""The pure rules of input and feedback rounds, and the validation of their values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import (
    Contribution,
    Disposition,
    DispositionOutcome,
    Draft,
    DraftVersion,
    FeedbackRound,
    InvalidInputError,
    NaiveDatetimeError,
    Opinion,
    Recipient,
    ReminderAnchor,
    ReminderRule,
    Response,
    RoundOverlapError,
    RoundStatus,
    Section,
    SectionResponse,
    UnknownDraftError,
    to_local,
)
from participatie.feedback import rules
from participatie.feedback.input import check_contribution, perspective_of
from participatie.feedback.responses import comments_of

from .feedback_data import EVENT, SESSION, at, dialogue_event

OPENS = at(2021, 5, 28, 9, 0)
CLOSES = at(2021, 6, 4, 17, 0)
PEOPLE = [Recipient(f"p{n}@example.org", f"Persoon {n}") for n in range(4)]


def a_round(**changes: object) -> FeedbackRound:
    base = FeedbackRound(EVENT, "reactie", 1, OPENS, CLOSES, PEOPLE, id=7)
    return attrs.evolve(base, **changes)


# --- status ------------------------------------------------------------------------


def test_open_from_opening_until_just_before_closing() -> None:
    tick = timedelta(microseconds=1)
    r = a_round()
    assert rules.round_status(r, OPENS - tick) is RoundStatus.SCHEDULED
    assert rules.round_status(r, OPENS) is RoundStatus.OPEN
    assert rules.round_status(r, CLOSES - tick) is RoundStatus.OPEN
    assert rules.round_status(r, CLOSES) is RoundStatus.CLOSED
    early = a_round(closed_at=OPENS + timedelta(days=1))
    assert early.closing_time == OPENS + timedelta(days=1)
    assert rules.round_status(early, OPENS + timedelta(days=1)) is RoundStatus.CLOSED
    # A "close" recorded after the deadline does not extend the round.
    late = a_round(closed_at=CLOSES + timedelta(days=1))
    assert late.closing_time == CLOSES


@given(st.datetimes(timezones=st.just(UTC)), st.timedeltas(min_value=timedelta(0)))
def test_status_only_moves_forward(now: datetime, later: timedelta) -> None:
    order = [RoundStatus.SCHEDULED, RoundStatus.OPEN, RoundStatus.CLOSED]
    r = a_round()
    try:
        after = now + later
    except OverflowError:
        return
    assert order.index(r.status(now)) <= order.index(r.status(after))


def test_times_are_kept_in_utc_and_naive_ones_refused() -> None:
    r = a_round()
    assert r.opens_at.tzinfo is UTC
    assert r.opens_at == OPENS
    with pytest.raises(NaiveDatetimeError):
        a_round(opens_at=datetime(2021, 5, 28, 9, 0))
    with pytest.raises(InvalidInputError, match="close after it opens"):
        a_round(closes_at=OPENS)


# --- reminders and DST -------------------------------------------------------------------


def test_reminder_days_follow_the_wall_clock_across_dst() -> None:
    # The clocks go back in the night of 30 to 31 October 2021.
    closes = at(2021, 11, 1, 17, 0)
    rule = ReminderRule(timedelta(days=2))
    due = rule.due_at(at(2021, 10, 25, 9, 0), closes, "Europe/Amsterdam")
    assert to_local(due, "Europe/Amsterdam").strftime("%a %d %H:%M") == "Sat 30 17:00"
    assert closes - due == timedelta(hours=49)
    after = ReminderRule(timedelta(days=1), ReminderAnchor.AFTER_OPENING)
    opened = at(2021, 10, 30, 9, 0)
    assert to_local(after.due_at(opened, closes), "Europe/Amsterdam").hour == 9


def test_reminders_must_fall_inside_the_round() -> None:
    with pytest.raises(InvalidInputError, match="outside the round"):
        a_round(reminders=[ReminderRule(timedelta(days=8))])
    with pytest.raises(InvalidInputError, match="positive"):
        ReminderRule(timedelta(0))


def test_who_is_due_a_reminder() -> None:
    r = a_round(
        reminders=[
            ReminderRule(timedelta(days=2), ReminderAnchor.AFTER_OPENING),
            ReminderRule(timedelta(days=1)),
        ]
    )
    first, second = r.reminder_times()
    invited = {rules.message_key(7, rules.INVITATION, p.email): OPENS for p in PEOPLE[:3]}
    # Not yet due; then due for those invited who did not respond.
    assert rules.reminders_due(r, set(), invited, first - timedelta(seconds=1)) == []
    due = rules.reminders_due(r, {PEOPLE[0].email}, invited, first)
    assert due == [(PEOPLE[1], 0), (PEOPLE[2], 0)]
    # Once queued, not again until the next rule.
    queued = {
        **invited,
        **{rules.message_key(7, rules.REMINDER, p.email, 0): first for p in PEOPLE},
    }
    assert rules.reminders_due(r, set(), queued, second - timedelta(seconds=1)) == []
    assert [p for p, _ in rules.reminders_due(r, set(), queued, second)] == PEOPLE[:3]
    # Nothing after the round closed.
    assert rules.reminders_due(r, set(), invited, CLOSES) == []
    # Someone invited late is not reminded of a rule that was due before.
    late = {rules.message_key(7, rules.INVITATION, PEOPLE[3].email): first + timedelta(hours=1)}
    assert rules.reminders_due(r, set(), late, first + timedelta(hours=2)) == []
    assert rules.reminders_due(r, set(), late, second) == [(PEOPLE[3], 1)]


def test_invitations_and_summaries_due() -> None:
    r = a_round()
    assert rules.invitations_due(r, {}, OPENS - timedelta(seconds=1)) == []
    assert rules.invitations_due(r, {}, OPENS) == PEOPLE
    queued = {rules.message_key(7, rules.INVITATION, PEOPLE[0].email): OPENS}
    assert rules.invitations_due(r, queued, OPENS) == PEOPLE[1:]
    assert rules.invitations_due(r, {}, CLOSES) == []
    assert rules.summaries_due(r, {}, CLOSES) == []
    concluded = a_round(concluded_at=CLOSES, next_version=2)
    assert rules.summaries_due(concluded, {}, CLOSES - timedelta(seconds=1)) == []
    assert rules.summaries_due(concluded, queued, CLOSES) == PEOPLE
    assert rules.invitations_due(attrs.evolve(r, id=None), {}, OPENS) == []


def test_message_keys_are_stable_and_carry_no_address() -> None:
    key = rules.message_key(7, rules.REMINDER, " P1@Example.org ", 1)
    assert key == rules.message_key(7, rules.REMINDER, "p1@example.org", 1)
    assert "p1" not in key
    assert "example" not in key
    others = {
        rules.message_key(8, rules.REMINDER, "p1@example.org", 1),
        rules.message_key(7, rules.REMINDER, "p1@example.org", 0),
        rules.message_key(7, rules.INVITATION, "p1@example.org"),
        rules.message_key(7, rules.REMINDER, "p2@example.org", 1),
    }
    assert key not in others
    assert len(others) == 4


# --- creating rounds -----------------------------------------------------------------


def test_check_round() -> None:
    draft = Draft("reactie", EVENT, "Reactie")
    r = a_round(id=None)
    now = OPENS - timedelta(days=1)
    rules.check_round(r, draft, [1], [], now)
    with pytest.raises(UnknownDraftError):
        rules.check_round(r, None, [1], [], now)
    with pytest.raises(UnknownDraftError, match="version 1"):
        rules.check_round(r, draft, [2], [], now)
    with pytest.raises(InvalidInputError, match="belongs to event"):
        rules.check_round(r, attrs.evolve(draft, event_key="elders"), [1], [], now)
    with pytest.raises(InvalidInputError, match="close before"):
        rules.check_round(r, draft, [1], [], CLOSES)
    touching = a_round(id=1, opens_at=CLOSES - timedelta(days=8), closes_at=OPENS)
    rules.check_round(r, draft, [1], [touching], now)  # one ends as the other opens
    overlapping = attrs.evolve(touching, closes_at=OPENS + timedelta(seconds=1))
    with pytest.raises(RoundOverlapError):
        rules.check_round(r, draft, [1], [overlapping], now)
    closed_early = attrs.evolve(overlapping, closed_at=OPENS)
    rules.check_round(r, draft, [1], [closed_early], now)
    other_draft = attrs.evolve(overlapping, draft_key="andere")
    rules.check_round(r, draft, [1], [other_draft], now)


# --- figures ---------------------------------------------------------------------------


def _response(who: int, when: datetime, *answers: SectionResponse) -> Response:
    return Response(
        7, PEOPLE[who].email, answers, None if answers else "Algemeen", submitted_at=when
    )


def test_response_rate_counts_first_submissions_of_recipients() -> None:
    r = a_round()
    responses = [
        _response(2, OPENS + timedelta(days=2)),
        _response(0, OPENS + timedelta(days=1)),
        Response(7, "stranger@example.org", (), "hoi", submitted_at=OPENS),
    ]
    points = rules.response_rate_over_time(r, responses)
    assert [(p.at, p.responded) for p in points] == [
        (OPENS, 0),
        (OPENS + timedelta(days=1), 1),
        (OPENS + timedelta(days=2), 2),
        (CLOSES, 2),
    ]
    assert points[-1].rate == 0.5
    assert rules.RatePoint(OPENS, 0, 0).rate == 0.0


def test_agreement_per_section() -> None:
    version = DraftVersion("reactie", 1, [Section("a", "A.", heading="Eerste"), Section("b", "B.")])
    responses = [
        _response(
            0,
            OPENS,
            SectionResponse("a", Opinion.AGREE),
            SectionResponse("b", Opinion.PARTLY, "Hm"),
        ),
        _response(1, OPENS, SectionResponse("a", Opinion.DISAGREE, "Nee")),
        _response(2, OPENS),
    ]
    a, b = rules.agreement_per_section(version, responses)
    assert (a.label, a.agree, a.partly, a.disagree, a.no_opinion, a.comments) == (
        "Eerste", 1, 0, 1, 1, 1,
    )  # fmt: skip
    assert (b.label, b.agree, b.partly, b.disagree, b.no_opinion, b.comments) == (
        "b", 0, 1, 0, 2, 1,
    )  # fmt: skip
    assert a.opinions == 2


def test_pseudonyms_follow_the_order_of_first_response() -> None:
    numbers = rules.pseudonym_numbers(
        [
            _response(2, OPENS + timedelta(hours=1)),
            _response(0, OPENS + timedelta(hours=2)),
            _response(1, OPENS),
        ]
    )
    assert numbers == {PEOPLE[1].email: 1, PEOPLE[2].email: 2, PEOPLE[0].email: 3}


# --- values -------------------------------------------------------------------------------


def test_contribution_checks_against_the_event() -> None:
    event = dialogue_event()
    check_contribution(event, Contribution(EVENT, SESSION, "Tekst.", "client", question=3))
    with pytest.raises(InvalidInputError, match="cannot be recorded"):
        check_contribution(event, Contribution("elders", SESSION, "Tekst.", "client"))
    with pytest.raises(InvalidInputError, match="question"):
        Contribution(EVENT, SESSION, "Tekst.", "client", question=0)
    with pytest.raises(InvalidInputError):
        Contribution(EVENT, SESSION, "Tekst.", "client", group="twee\nregels")
    with pytest.raises(InvalidInputError):
        Contribution(EVENT, SESSION, "Tekst.", "client", themes=[3])  # type: ignore[list-item]
    single = Contribution(EVENT, SESSION, "Tekst.", "client", themes="Inspraak")
    assert single.themes == frozenset({"inspraak"})
    assert perspective_of("client") == "clients-and-experts"
    assert perspective_of("expert-by-experience") == "clients-and-experts"
    assert perspective_of("professional") == "professionals"
    assert perspective_of("client-council") == "client-council"
    assert perspective_of("client", {"client": "eigen"}) == "eigen"


def test_draft_version_validation() -> None:
    with pytest.raises(InvalidInputError, match="no sections"):
        DraftVersion("reactie", 1, [])
    with pytest.raises(InvalidInputError, match="two sections"):
        DraftVersion("reactie", 1, [Section("a", "A."), Section("a", "B.")])
    with pytest.raises(InvalidInputError, match="version number"):
        DraftVersion("reactie", 0, [Section("a", "A.")])
    with pytest.raises(InvalidInputError, match="contribution ids"):
        Section("a", "A.", sources=[0])
    with pytest.raises(InvalidInputError, match="empty"):
        Section("a", "  ")
    with pytest.raises(InvalidInputError):
        Section("A B", "Tekst.")
    with pytest.raises(InvalidInputError, match="not a Section"):
        DraftVersion("reactie", 1, ["tekst"])  # type: ignore[list-item]
    version = DraftVersion("reactie", 1, [Section("a", "A.")])
    with pytest.raises(InvalidInputError, match="has no section 'b'"):
        version.section("b")


def test_round_validation() -> None:
    with pytest.raises(InvalidInputError, match="at least one recipient"):
        a_round(recipients=[])
    with pytest.raises(InvalidInputError, match="twice"):
        a_round(recipients=[PEOPLE[0], Recipient(" P0@Example.org", "Nog eens")])
    with pytest.raises(InvalidInputError, match="not a Recipient"):
        a_round(recipients=["p0@example.org"])
    with pytest.raises(InvalidInputError, match="not a ReminderRule"):
        a_round(reminders=[timedelta(days=1)])
    with pytest.raises(InvalidInputError):
        a_round(timezone="Mars/Olympus")
    with pytest.raises(InvalidInputError):
        Recipient("p@example.org", "Naam", "de")
    assert a_round().recipient("nobody@example.org") is None


def test_response_validation() -> None:
    with pytest.raises(InvalidInputError, match="no opinion, comment or wording"):
        SectionResponse("a", None, "   ", "")
    with pytest.raises(InvalidInputError, match="at least one section"):
        Response(1, "p@example.org", [], "  ")
    with pytest.raises(InvalidInputError, match="answered twice"):
        Response(1, "p@example.org", [SectionResponse("a", Opinion.AGREE)] * 2)
    with pytest.raises(InvalidInputError, match="not a SectionResponse"):
        Response(1, "p@example.org", ["eens"])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="control characters"):
        SectionResponse("a", None, "bel\x00letje")
    ok = Response(1, "p@example.org", [SectionResponse("a", Opinion.AGREE)])
    assert ok.answer("b") is None
    assert comments_of([ok]) == []  # an opinion alone is not a comment


def test_disposition_validation() -> None:
    with pytest.raises(InvalidInputError, match="needs a reason"):
        Disposition(1, "p@example.org", "a", DispositionOutcome.PARTLY_ADOPTED, "  ")
    adopted = Disposition(1, "p@example.org", None, DispositionOutcome.ADOPTED)
    assert adopted.key == ("p@example.org", None)
    with pytest.raises(InvalidInputError):
        Disposition(1, "p@example.org", "Niet Een Sleutel", DispositionOutcome.ADOPTED)
