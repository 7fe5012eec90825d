"""A Hypothesis state machine over a feedback round's life, against a simple model.

The model is written without :mod:`participatie.feedback.rules`, as plainly
as the rules can be said: a round takes responses from its opening until its
deadline or until the organiser closes it, whichever comes first; a
recipient's later response replaces the earlier one but keeps the time of the
first; nothing is accepted after the close; dispositions come after the
close and before the conclusion, for comments that were made; a round is
concluded when every comment has one, and then a next round may open on a
newer version. Random sequences of responses (by recipients and by someone
who was not asked), changes, early closes, the passing of time, dispositions,
new versions, conclusions and second rounds run against a store and the
model; after every step the round's status, its responses and its
dispositions must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from participatie.exceptions import (
    DispositionsMissingError,
    InvalidInputError,
    NotARecipientError,
    RoundClosedError,
    RoundConcludedError,
    RoundNotOpenError,
    RoundStillOpenError,
    UnknownCommentError,
)
from participatie.feedback.drafts import Draft, Section
from participatie.feedback.responses import (
    Disposition,
    DispositionOutcome,
    Opinion,
    Response,
    SectionResponse,
)
from participatie.feedback.rounds import FeedbackRound, Recipient, RoundStatus
from participatie.model import Event, HelpDesk, Session
from participatie.storage import Store

__all__ = ["make_feedback_round_machine"]

EVENT = "round-machine"
DRAFT = "response"
START = datetime(2031, 3, 3, 9, tzinfo=UTC)
OPEN_FOR = timedelta(days=7)
MEETING = START - timedelta(days=7)
SECTIONS = ("intro", "vision", "needs")
PEOPLE = tuple(f"deelnemer-{n}@example.org" for n in range(4))
STRANGER = "buitenstaander@example.org"


def _event() -> Event:
    return Event(
        key=EVENT,
        title="Dialoog",
        organiser="participatie",
        help_desk=HelpDesk(email="vraagbaak@example.org"),
        central_questions=["Hoe moet het?", "Wat is nodig?"],
        sessions=[Session("s", "Sessie", MEETING, MEETING + timedelta(hours=2))],
    )


def _sections(version: int) -> list[Section]:
    return [Section(key, f"Tekst van {key}, versie {version}.") for key in SECTIONS]


@attrs.define
class _Answer:
    sections: tuple[SectionResponse, ...]
    general: str | None
    submitted_at: datetime
    revision: int


@attrs.define
class _Round:
    id: int
    version: int
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None = None
    concluded: bool = False
    opened_announced: bool = False
    closed_announced: bool = False
    answers: dict[str, _Answer] = attrs.Factory(dict)
    decided: dict[tuple[str, str | None], DispositionOutcome] = attrs.Factory(dict)

    def status(self, now: datetime) -> RoundStatus:
        end = self.closes_at if self.closed_at is None else min(self.closes_at, self.closed_at)
        if now < self.opens_at:
            return RoundStatus.SCHEDULED
        return RoundStatus.CLOSED if now >= end else RoundStatus.OPEN

    def comment_keys(self) -> set[tuple[str, str | None]]:
        keys: set[tuple[str, str | None]] = set()
        for who, answer in self.answers.items():
            keys |= {
                (who, a.section)
                for a in answer.sections
                if a.comment is not None or a.suggested_wording is not None
            }
            if answer.general is not None:
                keys.add((who, None))
        return keys


def _answer(parts: tuple[str, Opinion | None, str | None, str | None]) -> SectionResponse:
    return SectionResponse(*parts)


def _has_content(parts: tuple[str, Opinion | None, str | None, str | None]) -> bool:
    _section, opinion, comment, wording = parts
    return opinion is not None or bool(comment and comment.strip()) or wording is not None


answer_strategy = (
    st.tuples(
        st.sampled_from(SECTIONS),
        st.sampled_from([None, *Opinion]),
        st.sampled_from([None, "Mee eens, maar korter.", "  ", "=SUM(A1)"]),
        st.sampled_from([None, "Andere tekst."]),
    )
    .filter(_has_content)
    .map(_answer)
)


def _unique(answers: list[SectionResponse]) -> tuple[SectionResponse, ...]:
    seen: dict[str, SectionResponse] = {}
    for answer in answers:
        seen.setdefault(answer.section, answer)
    return tuple(seen.values())


def make_feedback_round_machine(open_store: Callable[[], Store]) -> type[RuleBasedStateMachine]:
    """A state machine class that runs feedback rounds on stores made by ``open_store``.

    Run it with :func:`hypothesis.stateful.run_state_machine_as_test`; the
    conformance suite does so for every backend.
    """

    class FeedbackRoundMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = open_store()
            self.now = START - timedelta(days=1)
            self.store.save_event(_event(), self.now)
            self.store.save_draft(Draft(DRAFT, EVENT, "Reactie op de consultatie"), self.now)
            self.store.add_draft_version(DRAFT, _sections(1), "", self.now)
            self.versions = 1
            created = self.store.create_round(
                FeedbackRound(
                    EVENT,
                    DRAFT,
                    1,
                    START,
                    START + OPEN_FOR,
                    [Recipient(email, f"Deelnemer {n}") for n, email in enumerate(PEOPLE)],
                ),
                self.now,
            )
            assert created.id is not None
            self.rounds = [_Round(created.id, 1, START, START + OPEN_FOR)]

        @initialize(
            start=st.sampled_from(
                [timedelta(0), timedelta(hours=1), timedelta(days=6), -timedelta(hours=2)]
            )
        )
        def begin(self, start: timedelta) -> None:
            # Most interesting things happen while the round is open: start
            # just before it opens, as it opens, or well inside it.
            self.now = START + start

        @property
        def current(self) -> _Round:
            return self.rounds[-1]

        def teardown(self) -> None:
            self.store.close()

        # --- time -------------------------------------------------------

        @rule(
            step=st.sampled_from(
                [
                    timedelta(minutes=30),
                    timedelta(hours=7),
                    timedelta(days=2),
                    timedelta(seconds=1),
                    timedelta(days=5),
                ]
            )
        )
        def time_passes(self, step: timedelta) -> None:
            self.now += step

        @rule()
        def exactly_at_the_deadline(self) -> None:
            self.now = self.current.closes_at

        # --- responses --------------------------------------------------

        @rule(
            who=st.sampled_from([*PEOPLE[:2], STRANGER, *PEOPLE[2:]]),
            answers=st.lists(answer_strategy, max_size=3),
            general=st.sampled_from([None, "Goed stuk.", "@niet doen"]),
            after=st.sampled_from([timedelta(minutes=10), timedelta(hours=3), timedelta(0)]),
        )
        def respond(
            self,
            who: str,
            answers: list[SectionResponse],
            general: str | None,
            after: timedelta,
        ) -> None:
            # People take their time: a change usually comes later than the
            # first response, which is what tells a kept first-submission
            # time from an overwritten one.
            self.now += after
            model = self.current
            sections = _unique(answers)
            try:
                response = Response(model.id, who, sections, general)
            except InvalidInputError:
                assert not sections
                assert general is None
                return
            status = model.status(self.now)
            expected: type[Exception] | None = None
            if status is RoundStatus.SCHEDULED:
                expected = RoundNotOpenError
            elif status is RoundStatus.CLOSED:
                expected = RoundClosedError
            elif who == STRANGER:
                expected = NotARecipientError
            if expected is not None:
                try:
                    self.store.submit_response(response, self.now)
                except expected:
                    return
                raise AssertionError(f"expected {expected.__name__}")
            stored = self.store.submit_response(response, self.now)
            earlier = model.answers.get(who)
            model.answers[who] = _Answer(
                sections,
                response.general_comment,
                self.now if earlier is None else earlier.submitted_at,
                1 if earlier is None else earlier.revision + 1,
            )
            assert stored.revision == model.answers[who].revision

        @rule()
        def close_early(self) -> None:
            model = self.current
            status = model.status(self.now)
            if status is RoundStatus.SCHEDULED:
                try:
                    self.store.close_round(model.id, self.now)
                except RoundNotOpenError:
                    return
                raise AssertionError("a scheduled round was closed")
            closed = self.store.close_round(model.id, self.now)
            if status is RoundStatus.OPEN:
                model.closed_at = self.now
            assert closed.status(self.now) is RoundStatus.CLOSED

        @rule(what=st.sampled_from(["opened", "closed"]))
        def announce(self, what: str) -> None:
            model = self.current
            status = model.status(self.now)
            marked = self.store.mark_round_announced(model.id, what, self.now)
            if what == "opened":
                due = status is not RoundStatus.SCHEDULED and not model.opened_announced
                model.opened_announced = model.opened_announced or due
            else:
                due = status is RoundStatus.CLOSED and not model.closed_announced
                model.closed_announced = model.closed_announced or due
            assert (marked is not None) == due

        # --- dispositions and versions ----------------------------------

        @rule(
            who=st.sampled_from(PEOPLE),
            section=st.sampled_from([None, *SECTIONS]),
            outcome=st.sampled_from(list(DispositionOutcome)),
        )
        def dispose(self, who: str, section: str | None, outcome: DispositionOutcome) -> None:
            model = self.current
            disposition = Disposition(model.id, who, section, outcome, "Toegelicht.")
            expected: type[Exception] | None = None
            if model.status(self.now) is not RoundStatus.CLOSED:
                expected = RoundStillOpenError
            elif model.concluded:
                expected = RoundConcludedError
            elif (who, section) not in model.comment_keys():
                expected = UnknownCommentError
            if expected is not None:
                try:
                    self.store.record_dispositions(model.id, [disposition], self.now)
                except expected:
                    return
                raise AssertionError(f"expected {expected.__name__}")
            self.store.record_dispositions(model.id, [disposition], self.now)
            model.decided[(who, section)] = outcome

        @rule()
        def dispose_everything(self) -> None:
            model = self.current
            if model.status(self.now) is not RoundStatus.CLOSED or model.concluded:
                return
            keys = sorted(model.comment_keys(), key=lambda k: (k[0], k[1] or ""))
            self.store.record_dispositions(
                model.id,
                [Disposition(model.id, w, s, DispositionOutcome.ADOPTED) for w, s in keys],
                self.now,
            )
            for key in keys:
                model.decided[key] = DispositionOutcome.ADOPTED

        @precondition(lambda self: self.versions < 4)
        @rule()
        def next_version(self) -> None:
            stored = self.store.add_draft_version(DRAFT, _sections(self.versions + 1), "", self.now)
            self.versions += 1
            assert stored.number == self.versions

        @rule()
        def conclude(self) -> None:
            model = self.current
            target = self.versions
            expected: type[Exception] | None = None
            if model.status(self.now) is not RoundStatus.CLOSED:
                expected = RoundStillOpenError
            elif model.comment_keys() - set(model.decided):
                expected = DispositionsMissingError
            if expected is not None:
                try:
                    self.store.conclude_round(model.id, target, self.now)
                except expected:
                    return
                raise AssertionError(f"expected {expected.__name__}")
            if model.concluded:
                return  # concluding again is tested in the contract tests
            concluded = self.store.conclude_round(model.id, target, self.now)
            assert concluded.next_version == target
            model.concluded = True

        @precondition(lambda self: len(self.rounds) < 3)
        @rule()
        def second_round(self) -> None:
            model = self.current
            if not model.concluded:
                return
            opens = max(self.now, model.closes_at if model.closed_at is None else model.closed_at)
            created = self.store.create_round(
                FeedbackRound(
                    EVENT,
                    DRAFT,
                    self.versions,
                    opens,
                    opens + OPEN_FOR,
                    [Recipient(email, f"Deelnemer {n}") for n, email in enumerate(PEOPLE)],
                ),
                self.now,
            )
            assert created.id is not None
            assert created.id > model.id
            self.rounds.append(_Round(created.id, self.versions, opens, opens + OPEN_FOR))

        # --- what must hold after every step ----------------------------

        @invariant()
        def rounds_agree(self) -> None:
            for model in self.rounds:
                stored = self.store.get_round(model.id)
                assert stored.status(self.now) is model.status(self.now)
                assert (stored.concluded_at is not None) == model.concluded
                assert stored.version == model.version
                assert (stored.opened_announced_at is not None) == model.opened_announced
                assert (stored.closed_announced_at is not None) == model.closed_announced

        @invariant()
        def responses_agree(self) -> None:
            model = self.current
            stored = {r.respondent: r for r in self.store.list_responses(model.id)}
            assert set(stored) == set(model.answers)
            for who, answer in model.answers.items():
                response = stored[who]
                assert response.sections == answer.sections
                assert response.general_comment == answer.general
                assert response.submitted_at == answer.submitted_at
                assert response.revision == answer.revision
                assert response.updated_at is not None
                assert response.submitted_at is not None
                assert response.updated_at >= response.submitted_at

        @invariant()
        def dispositions_agree(self) -> None:
            model = self.current
            stored = {d.key: d.outcome for d in self.store.list_dispositions(model.id)}
            assert stored == model.decided

    return FeedbackRoundMachine
