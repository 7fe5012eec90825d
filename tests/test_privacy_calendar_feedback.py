"""Erasure reaches calendar states, input and feedback: unlinked, still counted, never sent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from participatie import (
    Draft,
    EnteredBy,
    FixedClock,
    Opinion,
    Participatie,
    ReminderRule,
    SectionResponse,
)

from .feedback_data import BRAM, CHANTAL, EVENT, SESSION, at, meeting_held, sections_v1

OPENS = at(2021, 5, 28, 9, 0)
CLOSES = at(2021, 6, 4, 17, 0)


@pytest.fixture(params=["memory://", "sqlite"])
def app(
    request: pytest.FixtureRequest, tmp_path: object, participatie_clock: FixedClock
) -> Participatie:
    url = "memory://" if request.param == "memory://" else f"sqlite:///{tmp_path}/p.db"
    with Participatie.open(url, clock=participatie_clock) as opened:
        meeting_held(opened, participatie_clock)
        yield opened


def _everything(app: Participatie, round_id: int) -> str:
    parts = [repr(app.contributions(EVENT)), repr(app.responses(round_id))]
    parts += [repr(app.feedback_round(round_id)), repr(app.dispositions(round_id))]
    return "\n".join(parts)


def test_erasure_unlinks_input_feedback_and_calendar(
    app: Participatie, participatie_clock: FixedClock
) -> None:
    clock = participatie_clock
    app.record_input(
        EVENT,
        SESSION,
        "Minder wisselingen van jeugdbeschermer.",
        question=1,
        participant=CHANTAL,
        entered_by=EnteredBy.PARTICIPANT,
        may_be_named=True,
    )
    [chantal] = [r for r in app.registrations(EVENT) if r.person.email == CHANTAL]
    invitation = app.invitation(chantal.id)
    uid = invitation.uid
    assert app.store.calendar_states([uid])
    app.save_draft(Draft("reactie", EVENT, "Reactie op de consultatie"))
    version = app.add_draft_version("reactie", sections_v1())
    created = app.create_round(
        "reactie", opens_at=OPENS, closes_at=CLOSES, reminders=[ReminderRule(timedelta(days=2))]
    )
    assert created.id is not None
    clock.set(OPENS)
    section = version.sections[0].key
    app.respond(
        created.id,
        CHANTAL,
        sections=[SectionResponse(section, Opinion.PARTLY, "Te vaag over wisselingen.")],
    )
    app.respond(created.id, BRAM, general_comment="Goed.")
    recipients_before = len(app.feedback_round(created.id).recipients)

    app.erase_person(CHANTAL, requested_by="vraagbaak@example.org")

    assert CHANTAL not in _everything(app, created.id)
    assert app.store.calendar_states([uid]) == {}
    # Still counted: her input and her response stay, anonymous, with a tombstone.
    [her_input] = [c for c in app.contributions(EVENT) if c.text.startswith("Minder")]
    assert her_input.participant is not None
    assert her_input.participant.endswith("@erased.invalid")
    assert not her_input.may_be_named
    responses = app.responses(created.id)
    assert len(responses) == 2
    tombstones = {r.respondent for r in responses if r.respondent.endswith("@erased.invalid")}
    assert len(tombstones) == 1
    assert len(app.feedback_round(created.id).recipients) == recipients_before
    # Nothing is ever due for the tombstone.
    clock.set(CLOSES - timedelta(days=1))
    due = app.feedback_messages_due(EVENT)
    assert due
    assert not [m for m in due if m.recipient.email.endswith("@erased.invalid")]
    # Erasing twice is harmless.
    app.erase_person(CHANTAL, requested_by="vraagbaak@example.org")
    assert len(app.responses(created.id)) == 2


def test_subject_access_lists_input_and_responses(
    app: Participatie, participatie_clock: FixedClock
) -> None:
    app.record_input(
        EVENT,
        SESSION,
        "Laat jongeren kiezen.",
        question=1,
        participant=CHANTAL,
        entered_by=EnteredBy.PARTICIPANT,
    )
    access = app.subject_access(CHANTAL)
    part = access["plugins"]["participatie.privacy.calendar_feedback"]
    assert part["your_input"][0]["text"] == "Laat jongeren kiezen."


def test_erasing_messages_by_registration_alone_spares_everyone_else(
    app: Participatie, participatie_clock: FixedClock
) -> None:
    """A purge erases messages by registration; no address means no match, not every match."""
    from participatie import OutgoingMessage
    from participatie.channels import Message

    [chantal] = [r for r in app.registrations(EVENT) if r.person.email == CHANTAL]
    [bram] = [r for r in app.registrations(EVENT) if r.person.email == BRAM]
    now = participatie_clock.now()
    app.store.queue_messages(
        [
            OutgoingMessage(
                "console",
                Message(r.person.email, "Onderwerp", "Tekst.", key=f"k-{r.id}"),
                now,
                registration_id=r.id,
            )
            for r in (chantal, bram)
        ],
        now,
    )
    assert app.store.erase_outbox_person(None, []) == 0
    assert app.store.erase_outbox_person(None, [chantal.id]) == 1
    assert [r.message.recipient for r in app.outbox()] == [BRAM]
