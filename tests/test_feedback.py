"""Input, attendance, drafts and feedback rounds through the facade, at chosen instants."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participatie import (
    CLIENT,
    PROFESSIONAL,
    DispositionOutcome,
    DispositionsMissingError,
    Draft,
    EnteredBy,
    FixedClock,
    InputSummary,
    InvalidInputError,
    NotARecipientError,
    Opinion,
    Participatie,
    Recipient,
    RegistrationState,
    ReminderAnchor,
    ReminderRule,
    Response,
    RoundClosedError,
    RoundInvitation,
    RoundNotOpenError,
    RoundReminder,
    RoundStatus,
    RoundStillOpenError,
    Section,
    SectionResponse,
    UnknownDraftError,
    UnknownRegistrationError,
)
from participatie.feedback import rules
from participatie.testing import HookRecorder

from .feedback_data import (
    ANNEMIEK,
    BRAM,
    CHANTAL,
    DAAN,
    ESRA,
    EVENT,
    SESSION,
    at,
    meeting_held,
    sections_v1,
    sections_v2,
)

OPENS = at(2021, 5, 28, 9, 0)
CLOSES = at(2021, 6, 4, 17, 0)


@pytest.fixture
def clock(participatie_clock: FixedClock) -> FixedClock:
    return participatie_clock


@pytest.fixture
def app(participatie_app: Participatie, clock: FixedClock) -> Participatie:
    meeting_held(participatie_app, clock)
    return participatie_app


def _round(app: Participatie, **options: object) -> int:
    app.save_draft(Draft("reactie", EVENT, "Reactie op de consultatie"))
    app.add_draft_version("reactie", sections_v1())
    created = app.create_round(
        "reactie",
        opens_at=OPENS,
        closes_at=CLOSES,
        reminders=[ReminderRule(timedelta(days=2))],
        **options,  # type: ignore[arg-type]
    )
    assert created.id is not None
    return created.id


# --- attendance ----------------------------------------------------------------


def test_attendance_uses_the_registration_states(app: Participatie) -> None:
    states = {r.person.email: r.state for r in app.registrations(EVENT)}
    assert states[ANNEMIEK] is RegistrationState.ATTENDED
    assert states[ESRA] is RegistrationState.NO_SHOW
    assert [r.person.email for r in app.attendees(EVENT)] == [ANNEMIEK, BRAM, CHANTAL, DAAN]
    # Recording the same again changes nothing; correcting one changes one.
    assert app.record_attendance(EVENT, SESSION, attended=[ANNEMIEK]) == []
    [esra] = app.record_attendance(EVENT, SESSION, attended=[" Esra@Example.org "])
    assert esra.state is RegistrationState.ATTENDED


def test_attendance_checks_every_address_before_changing_any(app: Participatie) -> None:
    before = app.registrations(EVENT)
    with pytest.raises(UnknownRegistrationError, match=r"nobody@example\.org"):
        app.record_attendance(EVENT, SESSION, no_show=[ANNEMIEK, "nobody@example.org"])
    with pytest.raises(InvalidInputError, match="both"):
        app.record_attendance(EVENT, SESSION, attended=[BRAM], no_show=[BRAM])
    assert app.registrations(EVENT) == before


# --- input ---------------------------------------------------------------------


def test_input_from_note_takers_and_participants(app: Participatie) -> None:
    note = app.record_input(
        EVENT,
        SESSION,
        "  Luister echt naar jongeren.  ",
        question=1,
        audience=CLIENT,
        group="groep-1",
        themes=["Inspraak", " Inspraak "],
    )
    assert note.text == "Luister echt naar jongeren."
    assert note.anonymous
    assert note.themes == frozenset({"inspraak"})
    own = app.record_input(
        EVENT,
        SESSION,
        "Minder wisselingen van jeugdbeschermer.",
        question=2,
        participant=" Chantal@Example.org",
        entered_by=EnteredBy.PARTICIPANT,
        may_be_named=True,
    )
    assert own.audience == PROFESSIONAL  # from her registration
    assert own.participant == CHANTAL
    assert [c.id for c in app.contributions(EVENT)] == [note.id, own.id]
    assert app.contributions(EVENT, question=2) == [own]
    assert app.contributions(EVENT, group="groep-1") == [note]
    assert app.contributions(EVENT, session_key="other") == []


def test_input_refusals(app: Participatie) -> None:
    with pytest.raises(InvalidInputError, match="audience"):
        app.record_input(EVENT, SESSION, "Wie zei dit?", question=1)
    with pytest.raises(UnknownRegistrationError):
        app.record_input(EVENT, SESSION, "Ik was er niet.", participant="nobody@example.org")
    with pytest.raises(InvalidInputError, match="3 central questions"):
        app.record_input(EVENT, SESSION, "Vraag vier?", question=4, audience=CLIENT)
    with pytest.raises(InvalidInputError, match="source"):
        app.record_input(
            EVENT, SESSION, "Anoniem zelf?", audience=CLIENT, entered_by=EnteredBy.PARTICIPANT
        )
    with pytest.raises(InvalidInputError, match="name"):
        app.record_input(EVENT, SESSION, "Noem mij", audience=CLIENT, may_be_named=True)
    with pytest.raises(InvalidInputError):
        app.record_input(EVENT, SESSION, "   ", audience=CLIENT)
    assert app.contributions(EVENT) == []


# --- drafts ----------------------------------------------------------------------


def test_draft_versions_link_to_input(app: Participatie) -> None:
    source = app.record_input(EVENT, SESSION, "Luister naar het kind.", question=1, audience=CLIENT)
    assert source.id is not None
    app.save_draft(Draft("reactie", EVENT, "Reactie"))
    with pytest.raises(UnknownDraftError):
        app.draft_version("reactie")
    one = app.add_draft_version("reactie", sections_v1({"visie": source.id}), note="opzet")
    two = app.add_draft_version("reactie", sections_v2())
    assert app.draft_version("reactie") == two
    assert app.draft_version("reactie", 1) == one
    with pytest.raises(UnknownDraftError):
        app.draft_version("reactie", 3)
    assert one.section("visie").sources == frozenset({source.id})
    assert [d.key for d in app.drafts(EVENT)] == ["reactie"]
    assert app.draft("reactie").title == "Reactie"
    kinds = {c.key: c.kind.value for c in app.compare_draft_versions("reactie", 1, 2)}
    assert kinds == {
        "inleiding": "unchanged",
        "visie": "changed",
        "oordeel": "added",
        "nodig": "removed",
    }


# --- rounds ------------------------------------------------------------------------


def test_attendees_are_asked_by_default(app: Participatie) -> None:
    rid = _round(app)
    feedback_round = app.feedback_round(rid)
    assert feedback_round.emails == (ANNEMIEK, BRAM, CHANTAL, DAAN)
    assert feedback_round.recipient(DAAN) == Recipient(DAAN, "Daan Voorbeeld", "en")
    assert feedback_round.anonymous_to_colleagues
    assert app.feedback_rounds(EVENT) == [feedback_round]


def test_a_round_needs_recipients(participatie_app: Participatie, clock: FixedClock) -> None:
    meeting_held(participatie_app, clock)
    participatie_app.record_attendance(EVENT, SESSION, no_show=[ANNEMIEK, BRAM, CHANTAL, DAAN])
    participatie_app.save_draft(Draft("reactie", EVENT, "Reactie"))
    participatie_app.add_draft_version("reactie", sections_v1())
    with pytest.raises(InvalidInputError, match="record attendance"):
        participatie_app.create_round("reactie", opens_at=OPENS, closes_at=CLOSES)
    chosen = participatie_app.create_round(
        "reactie",
        opens_at=OPENS,
        closes_at=CLOSES,
        recipients=[Recipient("voorzitter@example.org", "Voorzitter")],
    )
    assert chosen.emails == ("voorzitter@example.org",)


def test_a_rounds_life_and_its_hooks(
    app: Participatie, clock: FixedClock, hook_recorder: HookRecorder
) -> None:
    rid = _round(app)
    assert hook_recorder.feedback_kinds() == []  # scheduled, not open yet
    with pytest.raises(RoundNotOpenError):
        app.respond(rid, ANNEMIEK, general_comment="Te vroeg")

    clock.set(OPENS)
    first = app.respond(
        rid,
        ANNEMIEK,
        sections=[SectionResponse("visie", Opinion.PARTLY, "Noem ook de ouders.")],
    )
    assert first.revision == 1
    assert hook_recorder.feedback_kinds() == ["opened", "response"]

    clock.set(OPENS + timedelta(days=1))
    changed = app.respond(
        rid,
        ANNEMIEK,
        sections=[SectionResponse("visie", Opinion.PARTLY, "Noem ook de ouders en broers.")],
        general_comment="Fijn dat we mochten meedenken.",
    )
    assert (changed.revision, changed.submitted_at) == (2, first.submitted_at)
    with pytest.raises(NotARecipientError):
        app.respond(rid, ESRA, general_comment="Ik was er niet")  # no-show: not asked
    with pytest.raises(InvalidInputError, match="no section"):
        app.respond(rid, BRAM, sections=[SectionResponse("onbekend", Opinion.AGREE)])
    app.respond(rid, BRAM, sections=[SectionResponse("visie", Opinion.AGREE)])
    assert app.response(rid, " Annemiek@example.org") == changed
    assert app.response(rid, CHANTAL) is None

    clock.set(CLOSES)
    with pytest.raises(RoundClosedError, match="closed at 2021-06-04 17:00"):
        app.respond(rid, CHANTAL, general_comment="Net te laat")
    assert [r.respondent for r in app.responses(rid)] == [ANNEMIEK, BRAM]
    assert hook_recorder.feedback_kinds() == [
        "opened",
        "response",
        "response",
        "response",
        "closed",
    ]
    assert app.advance_rounds() == []  # reported once only
    assert app.close_round(rid).closed_at is None  # already closed at the deadline


def test_closing_early_reports_once(
    app: Participatie, clock: FixedClock, hook_recorder: HookRecorder
) -> None:
    rid = _round(app)
    with pytest.raises(RoundNotOpenError):
        app.close_round(rid)
    clock.set(OPENS + timedelta(hours=1))
    assert [what for what, _ in app.advance_rounds()] == ["opened"]
    closed = app.close_round(rid)
    assert closed.status(clock.now()) is RoundStatus.CLOSED
    assert closed.closed_at == clock.now()
    assert hook_recorder.feedback_kinds() == ["opened", "closed"]
    assert app.close_round(rid) == closed
    assert hook_recorder.feedback_kinds() == ["opened", "closed"]


def test_a_round_nobody_watched_still_reports_in_order(
    app: Participatie, clock: FixedClock, hook_recorder: HookRecorder
) -> None:
    rid = _round(app)
    clock.set(CLOSES + timedelta(days=1))
    assert [(what, r.id) for what, r in app.advance_rounds()] == [("opened", rid), ("closed", rid)]
    assert hook_recorder.feedback_kinds() == ["opened", "closed"]


def test_a_failing_plugin_does_not_undo_a_response(
    app: Participatie, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        from participatie import hookimpl

        @hookimpl
        def participatie_feedback_response_received(self, response: object) -> None:
            raise RuntimeError("plugin bug")

    app.plugins.register(Broken(), name="broken")
    rid = _round(app)
    clock.set(OPENS)
    app.respond(rid, BRAM, general_comment="Goed.")
    assert [r.respondent for r in app.responses(rid)] == [BRAM]
    assert "RuntimeError" in caplog.text


# --- dispositions, conclusion, summaries ----------------------------------------------


def _responded_and_closed(app: Participatie, clock: FixedClock) -> int:
    rid = _round(app)
    clock.set(OPENS)
    app.respond(
        rid,
        ANNEMIEK,
        sections=[
            SectionResponse(
                "visie", Opinion.PARTLY, "Noem ook de ouders.", "Het kind en de ouders."
            ),
            SectionResponse("nodig", Opinion.AGREE),
        ],
        general_comment="Dank voor het gesprek.",
    )
    app.respond(rid, DAAN, sections=[SectionResponse("nodig", Opinion.DISAGREE, "Too vague.")])
    clock.set(CLOSES + timedelta(hours=1))
    return rid


def test_dispositions_then_the_next_version(app: Participatie, clock: FixedClock) -> None:
    rid = _round(app)
    clock.set(OPENS)
    app.respond(rid, BRAM, general_comment="Prima.")
    with pytest.raises(RoundStillOpenError):
        app.record_disposition(rid, BRAM, None, DispositionOutcome.ADOPTED)
    clock.set(CLOSES)
    app.record_disposition(rid, BRAM, None, DispositionOutcome.ADOPTED)
    with pytest.raises(InvalidInputError, match="needs a reason"):
        app.record_disposition(rid, BRAM, None, DispositionOutcome.NOT_ADOPTED)
    app.add_draft_version("reactie", sections_v2())
    assert app.conclude_round(rid, 2).next_version == 2


def test_conclusion_needs_every_comment_decided(app: Participatie, clock: FixedClock) -> None:
    rid = _responded_and_closed(app, clock)
    assert [(c.respondent, c.section) for c in app.comments(rid)] == [
        (ANNEMIEK, "visie"),
        (ANNEMIEK, None),
        (DAAN, "nodig"),
    ]
    app.add_draft_version("reactie", sections_v2())
    app.record_disposition(
        rid, ANNEMIEK, "visie", DispositionOutcome.PARTLY_ADOPTED, "Ouders genoemd."
    )
    with pytest.raises(DispositionsMissingError) as missing:
        app.conclude_round(rid, 2)
    assert missing.value.missing == ((ANNEMIEK, None), (DAAN, "nodig"))
    with pytest.raises(RoundStillOpenError):
        app.personal_summary(rid, ANNEMIEK)


def test_what_we_did_with_your_input(app: Participatie, clock: FixedClock) -> None:
    spoken = app.record_input(
        EVENT, SESSION, "Het kind moet gehoord worden.", question=1, participant=ANNEMIEK
    )
    assert spoken.id is not None
    rid = _responded_and_closed(app, clock)
    app.add_draft_version(
        "reactie",
        [
            *sections_v2()[:1],
            Section("visie", sections_v2()[1].text, heading="Visie", sources=[spoken.id]),
            *sections_v2()[2:],
        ],
    )
    app.record_disposition(
        rid, ANNEMIEK, "visie", DispositionOutcome.PARTLY_ADOPTED, "De ouders staan er nu in."
    )
    app.record_disposition(rid, ANNEMIEK, None, DispositionOutcome.ADOPTED)
    app.record_disposition(
        rid, DAAN, "nodig", DispositionOutcome.NOT_ADOPTED, "The section was dropped."
    )
    app.conclude_round(rid, 2)

    summary = app.personal_summary(rid, ANNEMIEK)
    text = summary.text()
    assert summary.subject() == "Wat we met uw inbreng hebben gedaan: Reactie op de consultatie"
    assert "Beste Annemiek Voorbeeld," in text
    assert "U schreef: \u201cNoem ook de ouders.\u201d" in text
    assert "Uw tekstvoorstel: \u201cHet kind en de ouders.\u201d" in text
    assert "Ons besluit: Gedeeltelijk overgenomen: De ouders staan er nu in." in text
    assert "Ons besluit: Overgenomen" in text
    assert "luistert naar het kind{+ en de ouders+}." in text
    assert "\u201cHet kind moet gehoord worden.\u201d (vraag 1): terug te vinden in: Visie." in text
    assert "Too vague" not in text  # somebody else's comment
    assert "vraagbaak@example.org" in text

    daan = app.personal_summary(rid, DAAN).text()
    assert daan.startswith("Dear Daan Voorbeeld,")
    assert "Our decision: Not adopted: The section was dropped." in daan
    assert "Noem ook de ouders" not in daan
    bram = app.personal_summary(rid, BRAM).text()
    assert bram.startswith("Beste Bram Voorbeeld,")
    assert "U heeft in deze feedbackronde niet gereageerd." in bram
    with pytest.raises(NotARecipientError):
        app.personal_summary(rid, ESRA)


# --- messages due ----------------------------------------------------------------------


def test_messages_due_at_each_moment(app: Participatie, clock: FixedClock) -> None:
    rid = _round(app, title="Uw reactie op onze reactie")
    assert app.feedback_messages_due() == []  # not open yet

    clock.set(OPENS + timedelta(minutes=5))
    due = app.feedback_messages_due(link=lambda r, person: f"https://example.org/r/{r.id}")
    assert all(isinstance(m, RoundInvitation) for m in due)
    assert [m.recipient.email for m in due] == [ANNEMIEK, BRAM, CHANTAL, DAAN]
    invitation = due[0]
    assert invitation.key == rules.message_key(rid, rules.INVITATION, ANNEMIEK)
    assert ANNEMIEK not in invitation.key
    assert invitation.subject == "Uw feedback gevraagd: Uw reactie op onze reactie"
    assert "vrijdag 4 juni 2021, 17:00" in invitation.text
    assert "https://example.org/r/1" in invitation.text
    assert "luistert naar het kind" in invitation.text
    assert "anoniem" in invitation.text
    english = due[3]
    assert english.subject == "Your feedback, please: Uw reactie op onze reactie"
    message = english.to_message()
    assert (message.recipient, message.kind, message.language) == (
        DAAN,
        "feedback-invitation",
        "en",
    )

    # Queued twice by a crashed scheduler: recorded once, not due again.
    assert app.mark_feedback_messages_queued(due) == due
    assert app.mark_feedback_messages_queued(due) == []
    assert app.feedback_messages_due() == []

    app.respond(rid, BRAM, general_comment="Goed stuk.")
    clock.set(CLOSES - timedelta(days=2))
    reminders = app.feedback_messages_due()
    assert all(isinstance(m, RoundReminder) for m in reminders)
    assert [m.recipient.email for m in reminders] == [ANNEMIEK, CHANTAL, DAAN]
    assert reminders[0].subject.startswith("Herinnering: uw feedback op")
    app.mark_feedback_messages_queued(reminders)
    clock.set(CLOSES - timedelta(hours=1))
    assert app.feedback_messages_due() == []

    clock.set(CLOSES)
    assert app.feedback_messages_due() == []  # closed: no reminders, no summaries yet
    app.record_disposition(rid, BRAM, None, DispositionOutcome.ADOPTED)
    app.add_draft_version("reactie", sections_v2())
    app.conclude_round(rid, 2)
    summaries = app.feedback_messages_due()
    assert all(isinstance(m, InputSummary) for m in summaries)
    assert [m.recipient.email for m in summaries] == [ANNEMIEK, BRAM, CHANTAL, DAAN]
    assert summaries[1].summary.responded
    assert not summaries[0].summary.responded
    app.mark_feedback_messages_queued(summaries[:2])
    assert [m.recipient.email for m in app.feedback_messages_due()] == [CHANTAL, DAAN]


def test_a_late_scheduler_sends_one_reminder_not_a_burst(
    app: Participatie, clock: FixedClock
) -> None:
    app.save_draft(Draft("reactie", EVENT, "Reactie"))
    app.add_draft_version("reactie", sections_v1())
    created = app.create_round(
        "reactie",
        opens_at=OPENS,
        closes_at=CLOSES,
        recipients=[Recipient(BRAM, "Bram")],
        reminders=[
            ReminderRule(timedelta(days=1), ReminderAnchor.AFTER_OPENING),
            ReminderRule(timedelta(days=2)),
        ],
    )
    clock.set(OPENS)
    app.mark_feedback_messages_queued(app.feedback_messages_due())
    clock.set(CLOSES - timedelta(hours=1))  # both rules due by now
    [reminder] = app.feedback_messages_due()
    assert isinstance(reminder, RoundReminder)
    assert reminder.rule_index == 1
    app.mark_feedback_messages_queued([reminder])
    assert app.feedback_messages_due() == []
    assert created.id is not None


def test_nothing_is_accepted_after_an_early_close(app: Participatie, clock: FixedClock) -> None:
    """A response that arrived just before the organiser closed the round, but
    reaches the store after the close, is refused: closing is a state."""
    rid = _round(app)
    arrived = OPENS + timedelta(hours=1)
    clock.set(arrival_and_close := arrived + timedelta(seconds=1))
    app.close_round(rid)
    assert app.feedback_round(rid).closed_at == arrival_and_close
    with pytest.raises(RoundClosedError):
        app.store.submit_response(
            app_response(rid, BRAM),
            arrived,  # judged at the moment it arrived
        )
    assert app.responses(rid) == []


def app_response(round_id: int, email: str) -> Response:
    return Response(round_id, email, [], "Net op tijd?")
