"""The storage conformance tests for input, drafts and feedback rounds.

Part of :class:`~participatie.testing.StoreConformance` (mixed in), so every
backend that runs the conformance suite runs these too: the contract of each
:class:`~participatie.storage.FeedbackStore` method, all-or-nothing writes,
the round's rules judged inside the transaction, data that survives
reopening, and the Hypothesis state machine over a round's life
(:func:`~participatie.testing.make_feedback_round_machine`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from participatie.exceptions import (
    DispositionsMissingError,
    InvalidInputError,
    NotARecipientError,
    RoundClosedError,
    RoundConcludedError,
    RoundNotOpenError,
    RoundOverlapError,
    RoundStillOpenError,
    UnknownCommentError,
    UnknownContributionError,
    UnknownDraftError,
    UnknownEventError,
    UnknownRoundError,
    UnknownSessionError,
)
from participatie.feedback.drafts import Draft, Section
from participatie.feedback.input import Contribution, EnteredBy
from participatie.feedback.responses import (
    Disposition,
    DispositionOutcome,
    Opinion,
    Response,
    SectionResponse,
)
from participatie.feedback.rounds import (
    FeedbackRound,
    Recipient,
    ReminderAnchor,
    ReminderRule,
    RoundStatus,
)
from participatie.storage import Store
from participatie.testing.feedback_machine import make_feedback_round_machine
from participatie.testing.race import resolve

__all__ = ["FeedbackStoreConformance"]

EVENT = "conformance"
NOW = datetime(2030, 6, 2, 9, tzinfo=UTC)
OPENS = datetime(2030, 6, 3, 9, tzinfo=UTC)
CLOSES = datetime(2030, 6, 10, 17, tzinfo=UTC)
ANNA = "anna@example.org"
BAS = "bas@example.org"
CEES = "cees@example.org"


def _contributions() -> list[Contribution]:
    return [
        Contribution(
            EVENT,
            "s",
            "Luister naar de jongere.",
            "client",
            question=1,
            group="groep-1",
            themes=["Inspraak", "jeugd"],
            participant=ANNA,
            entered_by=EnteredBy.PARTICIPANT,
            may_be_named=True,
        ),
        Contribution(EVENT, "s", "Minder wisselingen van voogd.", "client", question=2),
        Contribution(EVENT, "t", "Zorg voor de ouders.", "professional", group="2"),
    ]


def _sections(version: int = 1, sources: frozenset[int] = frozenset()) -> list[Section]:
    return [
        Section("inleiding", f"Inleiding, versie {version}.", heading="Inleiding"),
        Section("visie", f"De jongere staat centraal (v{version}).", sources=sources),
        Section("slot", "Tot slot."),
    ]


def _recipients() -> list[Recipient]:
    return [
        Recipient(ANNA, "Anna Voorbeeld"),
        Recipient(BAS, "Bas Voorbeeld", "en"),
        Recipient(CEES, "Cees Voorbeeld"),
    ]


def _round(version: int = 1, opens: datetime = OPENS, closes: datetime = CLOSES) -> FeedbackRound:
    return FeedbackRound(
        EVENT,
        "reactie",
        version,
        opens,
        closes,
        _recipients(),
        reminders=[
            ReminderRule(timedelta(days=2)),
            ReminderRule(timedelta(days=3), ReminderAnchor.AFTER_OPENING),
        ],
        anonymous_to_colleagues=False,
        title="Reactie, eerste ronde",
    )


class FeedbackStoreConformance:
    """Tests every backend passes for input and feedback rounds (mixed into
    :class:`~participatie.testing.StoreConformance`, which provides the
    ``store``, ``new_store`` and ``fresh_store_url`` fixtures)."""

    opener: str
    #: Hypothesis examples for the feedback round machine.
    feedback_machine_examples = 40

    def _with_draft(self, store: Store) -> None:
        store.save_draft(Draft("reactie", EVENT, "Reactie op de consultatie"), NOW)
        store.add_draft_version("reactie", _sections(), "", NOW)

    def _with_round(self, store: Store) -> FeedbackRound:
        self._with_draft(store)
        return store.create_round(_round(), NOW)

    # --- input --------------------------------------------------------------

    def test_contributions_round_trip(self, store: Store) -> None:
        given = _contributions()
        stored = store.add_contributions(given, NOW)
        ids = [c.id for c in stored if c.id is not None]
        assert len(ids) == 3
        assert ids == sorted(ids)
        assert len(set(ids)) == 3
        for before, after in zip(given, stored, strict=True):
            assert attrs.evolve(after, id=None, recorded_at=None) == before
            assert after.recorded_at == NOW
        assert store.list_contributions(EVENT) == stored
        assert store.list_contributions("other") == []
        more = store.add_contributions(_contributions()[:1], NOW + timedelta(hours=1))
        assert more[0].id is not None
        assert more[0].id > max(ids)

    @pytest.mark.parametrize(
        ("bad", "error"),
        [
            (Contribution(EVENT, "nope", "Tekst.", "client"), UnknownSessionError),
            (Contribution(EVENT, "s", "Tekst.", "client", question=3), InvalidInputError),
            (Contribution(EVENT, "s", "Tekst.", "politician"), InvalidInputError),
            (Contribution("other", "s", "Tekst.", "client"), UnknownEventError),
        ],
    )
    def test_contributions_all_or_none(
        self, store: Store, bad: Contribution, error: type[Exception]
    ) -> None:
        with pytest.raises(error):
            store.add_contributions([*_contributions(), bad], NOW)
        assert store.list_contributions(EVENT) == []

    # --- drafts ---------------------------------------------------------------

    def test_drafts_and_versions(self, store: Store) -> None:
        with pytest.raises(UnknownEventError):
            store.save_draft(Draft("reactie", "other", "Reactie"), NOW)
        with pytest.raises(UnknownDraftError):
            store.get_draft("reactie")
        draft = store.save_draft(Draft("reactie", EVENT, "Reactie"), NOW)
        assert store.get_draft("reactie") == draft
        store.save_draft(Draft("reactie", EVENT, "Reactie op de consultatie"), NOW)
        assert store.get_draft("reactie").title == "Reactie op de consultatie"
        store.save_event(attrs.evolve(store.get_event(EVENT), key="tweede"), NOW)
        with pytest.raises(InvalidInputError):
            store.save_draft(Draft("reactie", "tweede", "Elders"), NOW)
        store.save_draft(Draft("aanvulling", EVENT, "Aanvulling"), NOW)
        assert [d.key for d in store.list_drafts(EVENT)] == ["aanvulling", "reactie"]
        assert store.list_drafts("tweede") == []

        [first, *_] = store.add_contributions(_contributions(), NOW)
        assert first.id is not None
        one = store.add_draft_version("reactie", _sections(1), "eerste opzet", NOW)
        assert (one.number, one.note, one.created_at) == (1, "eerste opzet", NOW)
        with pytest.raises(UnknownContributionError):
            store.add_draft_version("reactie", _sections(2, frozenset({9999})), "", NOW)
        two = store.add_draft_version(
            "reactie", _sections(2, frozenset({first.id})), "", NOW + timedelta(days=1)
        )
        assert two.number == 2
        assert two.section("visie").sources == frozenset({first.id})
        assert store.list_draft_versions("reactie") == [one, two]
        assert store.list_draft_versions("aanvulling") == []
        with pytest.raises(UnknownDraftError):
            store.add_draft_version("nope", _sections(), "", NOW)
        with pytest.raises(UnknownDraftError):
            store.list_draft_versions("nope")

    # --- rounds -----------------------------------------------------------------

    def test_round_round_trip(self, store: Store) -> None:
        self._with_draft(store)
        created = store.create_round(_round(), NOW)
        assert created.id is not None
        assert created.created_at == NOW
        assert attrs.evolve(created, id=None, created_at=None) == _round()
        assert store.get_round(created.id) == created
        assert store.list_rounds(EVENT) == [created]
        assert store.list_rounds() == [created]
        assert store.list_rounds("other") == []
        with pytest.raises(UnknownRoundError):
            store.get_round(created.id + 1000)

    def test_round_refusals(self, store: Store) -> None:
        self._with_draft(store)
        with pytest.raises(UnknownDraftError):
            store.create_round(_round(version=2), NOW)
        with pytest.raises(UnknownDraftError):
            store.create_round(attrs.evolve(_round(), draft_key="nope"), NOW)
        with pytest.raises(InvalidInputError):
            store.create_round(_round(), CLOSES)
        first = store.create_round(_round(), NOW)
        with pytest.raises(RoundOverlapError):
            store.create_round(
                _round(opens=CLOSES - timedelta(hours=1), closes=CLOSES + timedelta(days=4)), NOW
            )
        assert store.list_rounds() == [first]
        later = store.create_round(_round(opens=CLOSES, closes=CLOSES + timedelta(days=4)), NOW)
        assert later.id is not None
        assert first.id is not None
        assert later.id > first.id

    def test_responses_while_open(self, store: Store) -> None:
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        answer = Response(
            rid, ANNA, [SectionResponse("visie", Opinion.PARTLY, "Meer over ouders.")]
        )
        with pytest.raises(RoundNotOpenError):
            store.submit_response(answer, OPENS - timedelta(seconds=1))
        with pytest.raises(NotARecipientError):
            store.submit_response(Response(rid, "dora@example.org", [], "Hallo"), OPENS)
        with pytest.raises(InvalidInputError):
            store.submit_response(
                Response(rid, ANNA, [SectionResponse("onbekend", Opinion.AGREE)]), OPENS
            )
        assert store.list_responses(rid) == []

        first = store.submit_response(answer, OPENS)
        assert (first.submitted_at, first.updated_at, first.revision) == (OPENS, OPENS, 1)
        store.submit_response(Response(rid, BAS, [], "Good draft."), OPENS + timedelta(hours=1))
        changed = Response(
            rid,
            " Anna@Example.org ",
            [SectionResponse("inleiding", Opinion.AGREE)],
            "Toch nog iets.",
            may_be_named=True,
        )
        later = OPENS + timedelta(days=2)
        second = store.submit_response(changed, later)
        assert (second.submitted_at, second.updated_at, second.revision) == (OPENS, later, 2)
        assert store.list_responses(rid) == [
            second,
            store.list_responses(rid)[1],
        ]
        assert [r.respondent for r in store.list_responses(rid)] == [ANNA, BAS]
        assert store.list_responses(rid)[0].sections == changed.sections
        assert store.list_responses(rid)[0].may_be_named

        # The deadline itself is too late, and a refused change changes nothing.
        with pytest.raises(RoundClosedError):
            store.submit_response(answer, CLOSES)
        assert store.list_responses(rid)[0] == second
        with pytest.raises(UnknownRoundError):
            store.submit_response(Response(rid + 1000, ANNA, [], "x"), OPENS)

    def test_closing_early(self, store: Store) -> None:
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        with pytest.raises(RoundNotOpenError):
            store.close_round(rid, NOW)
        moment = OPENS + timedelta(days=1)
        closed = store.close_round(rid, moment)
        assert closed.closed_at == moment
        assert closed.closing_time == moment
        assert store.get_round(rid).status(moment) is RoundStatus.CLOSED
        with pytest.raises(RoundClosedError):
            store.submit_response(Response(rid, ANNA, [], "Te laat."), moment)
        # Arrived before the close, stored after it: closing early is a state.
        with pytest.raises(RoundClosedError):
            store.submit_response(
                Response(rid, ANNA, [], "Net op tijd?"), moment - timedelta(hours=1)
            )
        assert store.close_round(rid, moment + timedelta(hours=1)) == closed
        assert store.list_responses(rid) == []

    def test_dispositions_and_conclusion(self, store: Store) -> None:
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        store.submit_response(
            Response(
                rid,
                ANNA,
                [
                    SectionResponse("visie", Opinion.DISAGREE, "Noem de ouders."),
                    SectionResponse("slot", Opinion.AGREE),
                ],
                "Dank.",
            ),
            OPENS,
        )
        on_vision = Disposition(rid, ANNA, "visie", DispositionOutcome.ADOPTED)
        general = Disposition(rid, ANNA, None, DispositionOutcome.NOT_ADOPTED, "Geen wijziging.")
        with pytest.raises(RoundStillOpenError):
            store.record_dispositions(rid, [on_vision], OPENS)
        after = CLOSES + timedelta(hours=1)
        with pytest.raises(UnknownCommentError):  # an opinion alone is not a comment
            store.record_dispositions(
                rid,
                [on_vision, Disposition(rid, ANNA, "slot", DispositionOutcome.ADOPTED)],
                after,
            )
        assert store.list_dispositions(rid) == []
        with pytest.raises(InvalidInputError):
            store.record_dispositions(rid, [attrs.evolve(on_vision, round_id=rid + 1)], after)
        [stored] = store.record_dispositions(rid, [on_vision], after)
        assert stored.decided_at == after

        store.add_draft_version("reactie", _sections(2), "", after)
        with pytest.raises(DispositionsMissingError) as missing:
            store.conclude_round(rid, 2, after)
        assert missing.value.missing == ((ANNA, None),)
        revised = attrs.evolve(
            on_vision, outcome=DispositionOutcome.PARTLY_ADOPTED, reason="Deels."
        )
        store.record_dispositions(rid, [revised, general], after)
        assert [(d.section, d.outcome) for d in store.list_dispositions(rid)] == [
            (None, DispositionOutcome.NOT_ADOPTED),
            ("visie", DispositionOutcome.PARTLY_ADOPTED),
        ]
        with pytest.raises(UnknownDraftError):
            store.conclude_round(rid, 3, after)
        concluded = store.conclude_round(rid, 2, after)
        assert (concluded.concluded_at, concluded.next_version) == (after, 2)
        assert store.get_round(rid) == concluded
        assert store.conclude_round(rid, 2, after + timedelta(days=1)) == concluded
        with pytest.raises(RoundConcludedError):
            store.conclude_round(rid, 1, after)
        with pytest.raises(RoundConcludedError):
            store.record_dispositions(rid, [on_vision], after)

    def test_conclusion_cannot_go_back_a_version(self, store: Store) -> None:
        self._with_draft(store)
        store.add_draft_version("reactie", _sections(2), "", NOW)
        created = store.create_round(_round(version=2), NOW)
        assert created.id is not None
        with pytest.raises(InvalidInputError):
            store.conclude_round(created.id, 1, CLOSES)
        assert store.conclude_round(created.id, 2, CLOSES).next_version == 2

    def test_announcements_happen_once(self, store: Store) -> None:
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        assert store.mark_round_announced(rid, "opened", NOW) is None
        assert store.mark_round_announced(rid, "closed", OPENS) is None
        opened = store.mark_round_announced(rid, "opened", OPENS)
        assert opened is not None
        assert opened.opened_announced_at == OPENS
        assert store.mark_round_announced(rid, "opened", OPENS + timedelta(days=1)) is None
        closed = store.mark_round_announced(rid, "closed", CLOSES)
        assert closed is not None
        assert closed.closed_announced_at == CLOSES
        assert store.mark_round_announced(rid, "closed", CLOSES) is None
        assert store.get_round(rid) == closed
        with pytest.raises(InvalidInputError):
            store.mark_round_announced(rid, "reopened", CLOSES)

    def test_message_marks(self, store: Store) -> None:
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        assert store.queued_messages(rid) == {}
        assert store.mark_messages_queued(rid, ["a", "b", "a"], OPENS) == ["a", "b"]
        assert store.mark_messages_queued(rid, ["b", "c"], CLOSES) == ["c"]
        assert store.queued_messages(rid) == {"a": OPENS, "b": OPENS, "c": CLOSES}
        with pytest.raises(UnknownRoundError):
            store.mark_messages_queued(rid + 1000, ["a"], OPENS)

    def test_feedback_messages_queue_with_their_marks(self, store: Store) -> None:
        from participatie.testing.outbox import outgoing

        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        store.submit_response(Response(rid, BAS, [], "Good draft."), OPENS)
        batch = [
            (rid, "invite/anna", None, [outgoing(1, key="fb/1", registration_id=None)]),
            (rid, "remind/bas", BAS, [outgoing(2, key="fb/2", registration_id=None)]),
            (rid, "remind/cees", CEES, [outgoing(3, key="fb/3", registration_id=None)]),
        ]
        # Bas responded: his reminder is no longer due, and is neither queued nor marked.
        assert store.queue_feedback_messages(batch, OPENS) == ["invite/anna", "remind/cees"]
        assert [r.key for r in store.outbox()] == ["fb/1", "fb/3"]
        assert set(store.queued_messages(rid)) == {"invite/anna", "remind/cees"}
        # A second run (or a concurrent one) queues nothing again.
        assert store.queue_feedback_messages(batch, OPENS) == []
        assert len(store.outbox()) == 2

    def test_erasing_a_person_unlinks_them(self, store: Store) -> None:
        store.add_contributions(_contributions(), NOW)
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        store.submit_response(
            Response(rid, ANNA, [SectionResponse("visie", Opinion.PARTLY, "Ja, maar.")]), OPENS
        )
        tombstone = "erased-0123456789abcdef@erased.invalid"
        # Scoped to another event (a purge of that event), nothing of this one changes.
        assert store.erase_feedback_person(ANNA, tombstone, "another-event") == 0
        assert ANNA in repr(store.list_responses(rid))
        changed = store.erase_feedback_person(ANNA, tombstone, EVENT)
        assert changed >= 3  # her input, her response, the round's recipients
        everything = repr(store.list_contributions(EVENT)) + repr(store.list_responses(rid))
        everything += repr(store.get_round(rid))
        assert ANNA not in everything
        [response] = store.list_responses(rid)
        assert response.respondent == tombstone
        assert response.sections[0].comment == "Ja, maar."
        assert not any(c.may_be_named for c in store.list_contributions(EVENT))
        assert store.erase_feedback_person(ANNA, tombstone) == 0

    def test_feedback_survives_reopening(
        self, store: Store, new_store: Callable[[], Store]
    ) -> None:
        contributions = store.add_contributions(_contributions(), NOW)
        created = self._with_round(store)
        assert created.id is not None
        rid = created.id
        response = store.submit_response(
            Response(rid, ANNA, [SectionResponse("visie", Opinion.PARTLY, "Ja, maar.")]), OPENS
        )
        store.mark_messages_queued(rid, ["uitnodiging"], OPENS)
        store.close()
        reopened = new_store()
        if not store.shared_between_processes:
            assert reopened.list_rounds() == []
            return
        assert reopened.list_contributions(EVENT) == contributions
        assert reopened.get_round(rid) == created
        assert reopened.list_responses(rid) == [response]
        assert reopened.queued_messages(rid) == {"uitnodiging": OPENS}
        assert [v.number for v in reopened.list_draft_versions("reactie")] == [1]

    def test_feedback_round_machine(self, fresh_store_url: Callable[[], str]) -> None:
        def fresh() -> Store:
            store: Store = resolve(self.opener)(fresh_store_url())
            return store

        run_state_machine_as_test(
            make_feedback_round_machine(fresh),
            settings=settings(
                max_examples=self.feedback_machine_examples,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
