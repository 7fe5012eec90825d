"""Personal data of calendars, the outbox and feedback rounds: declared, erased, reported.

A built-in plugin (see :data:`participatie.DEFAULT_PLUGINS`) beside
:mod:`participatie.privacy.builtin`, registered through the same hooks a
third-party plugin uses:

- the outbox keeps every message whole (recipient, name, subject, body,
  calendar part): on erasure every message to the person or about one of
  their registrations is deleted, sent or not;
- calendar states are keyed by a digest of the person's place (event,
  session, e-mail address): pseudonymous, and deleted on erasure, so nothing
  links the person to an entry any more;
- input, responses and dispositions keep their text, but the person who
  gave them is replaced by the tombstone address the core gives their
  registrations: counts, response rates and agreement stay right, nothing
  points to the person, and nothing is ever sent to a tombstone. Free text
  that itself names someone is not rewritten: that is for the organiser to
  judge (see the privacy page in the docs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from participatie._validate import is_erased_address
from participatie.calendar import invitation_token
from participatie.model import Event, Registration, erased_person
from participatie.plugins import hookimpl
from participatie.privacy.erasure import Erased
from participatie.privacy.registry import DataKind, PersonalField, declare
from participatie.storage import Store

__all__ = ["CALENDAR_AND_FEEDBACK_FIELDS"]

P, S, N = DataKind.PERSONAL, DataKind.PSEUDONYMOUS, DataKind.NOT_PERSONAL

_DELETED = "deleted when the person is erased"
_UNLINKED = "the person is replaced by their tombstone address; the text stays as anonymous input"
_ORGANISER = "written by the organiser about the event, not about a person"

#: Every field calendars and feedback rounds store, in SQLite and in memory.
CALENDAR_AND_FEEDBACK_FIELDS: tuple[PersonalField, ...] = (
    # --- calendar states ------------------------------------------------------
    *declare(
        "calendar_states",
        S,
        "what each person's calendar entry was last told, so updates raise SEQUENCE",
        "uid",
        "sequence",
        "significant",
        "content",
        "last_modified",
        "cancelled",
        on_erasure=_DELETED,
    ),
    *declare(
        "CalendarState",
        S,
        "what each calendar entry was last told",
        "uid",
        "sequence",
        "significant",
        "content",
        "last_modified",
        "cancelled",
        on_erasure=_DELETED,
    ),
    PersonalField("MemoryStore", "_calendar_states", S, "calendar states by UID", _DELETED),
    # --- the outbox ---------------------------------------------------------------
    *declare(
        "outbox",
        N,
        "delivery bookkeeping",
        "id",
        "channel",
        "kind",
        "state",
        "due_at",
        "attempts",
        "lease_until",
        "sent_at",
        "created_at",
        "updated_at",
        "event_key",
        "session_key",
    ),
    *declare(
        "outbox",
        P,
        "the message itself (recipient, name, subject, body, calendar part), its key, "
        "the registration it is about and the last delivery error",
        "payload",
        "key",
        "registration_id",
        "last_error",
        on_erasure=_DELETED,
    ),
    *declare(
        "MemoryStore",
        P,
        "queued and sent messages, and their keys",
        "_outbox",
        "_outbox_keys",
        on_erasure=_DELETED,
    ),
    *declare(
        "outbox_spent",
        S,
        "the idempotency keys of purged messages (event, registration number, kind; a digest "
        "instead of an invited contact's address), kept so a re-run sends nothing twice",
        "key",
        on_erasure="deleted with the event's other messages when its retention period is over",
    ),
    *declare("outbox_spent", N, "delivery bookkeeping", "event_key", "purged_at"),
    PersonalField(
        "MemoryStore",
        "_outbox_spent",
        S,
        "the idempotency keys of purged messages, by event",
        "deleted with the event's other messages when its retention period is over",
    ),
    PersonalField("MemoryStore", "_next_message_id", N, "the memory store's bookkeeping"),
    PersonalField(
        "MemoryStore",
        "message_planner",
        N,
        "the notification settings (channels, texts, reminder rules): configuration",
    ),
    *declare(
        "OutboxRecord",
        N,
        "delivery bookkeeping",
        "id",
        "channel",
        "state",
        "due_at",
        "attempts",
        "created_at",
        "updated_at",
        "lease_until",
        "sent_at",
        "event_key",
        "session_key",
    ),
    *declare(
        "OutboxRecord",
        P,
        "the message and whom it is about",
        "message",
        "registration_id",
        "last_error",
        on_erasure=_DELETED,
    ),
    *declare(
        "Message",
        P,
        "one message to one person",
        "recipient",
        "subject",
        "text",
        "html",
        "calendar",
        "recipient_name",
        "key",
        on_erasure=_DELETED,
    ),
    *declare(
        "Message",
        N,
        "how the message is sent",
        "kind",
        "language",
        "sender_name",
        "reply_to",
    ),
    *declare(
        "CalendarPart",
        P,
        "the person's calendar entry",
        "method",
        "ics",
        "filename",
        on_erasure=_DELETED,
    ),
    # --- input --------------------------------------------------------------------
    *declare(
        "feedback_contributions",
        N,
        "what was said, where, on which question",
        "id",
        "event_key",
        "session_key",
        "group_key",
        "question",
        "themes",
        "audience",
        "entered_by",
        "recorded_at",
    ),
    PersonalField("feedback_contributions", "text", P, "the input itself", _UNLINKED),
    PersonalField("feedback_contributions", "participant", P, "who gave the input", _UNLINKED),
    PersonalField(
        "feedback_contributions", "may_be_named", S, "whether they may be named", "cleared"
    ),
    *declare(
        "Contribution",
        N,
        "what was said, where, on which question",
        "id",
        "event_key",
        "session_key",
        "group",
        "question",
        "themes",
        "audience",
        "entered_by",
        "recorded_at",
    ),
    PersonalField("Contribution", "text", P, "the input itself", _UNLINKED),
    PersonalField("Contribution", "participant", P, "who gave the input", _UNLINKED),
    PersonalField("Contribution", "may_be_named", S, "whether they may be named", "cleared"),
    # --- drafts ------------------------------------------------------------------
    *declare("feedback_drafts", N, _ORGANISER, "key", "event_key", "title", "saved_at"),
    *declare(
        "feedback_versions", N, _ORGANISER, "draft_key", "number", "sections", "note", "created_at"
    ),
    *declare("Draft", N, _ORGANISER, "key", "event_key", "title"),
    *declare(
        "DraftVersion", N, _ORGANISER, "draft_key", "number", "sections", "note", "created_at"
    ),
    *declare("Section", N, _ORGANISER, "key", "text", "heading", "sources"),
    # --- rounds --------------------------------------------------------------
    *declare(
        "feedback_rounds",
        N,
        "the round: draft version, times, reminder rules",
        "id",
        "event_key",
        "draft_key",
        "version",
        "title",
        "timezone",
        "opens_at",
        "closes_at",
        "reminders",
        "anonymous",
        "created_at",
        "closed_at",
        "concluded_at",
        "next_version",
        "opened_announced_at",
        "closed_announced_at",
    ),
    PersonalField(
        "feedback_rounds",
        "recipients",
        P,
        "who is asked for feedback (address, name, language)",
        "the person's entry becomes their tombstone, which is never sent anything",
    ),
    *declare(
        "FeedbackRound",
        N,
        "the round: draft version, times, reminder rules",
        "id",
        "event_key",
        "draft_key",
        "version",
        "title",
        "timezone",
        "opens_at",
        "closes_at",
        "reminders",
        "anonymous_to_colleagues",
        "created_at",
        "closed_at",
        "concluded_at",
        "next_version",
        "opened_announced_at",
        "closed_announced_at",
    ),
    PersonalField(
        "FeedbackRound", "recipients", P, "who is asked for feedback", "replaced by tombstones"
    ),
    *declare(
        "Recipient",
        P,
        "to address the person",
        "email",
        "name",
        "language",
        on_erasure="replaced by the tombstone",
    ),
    *declare("ReminderRule", N, "when reminders go out", "offset", "anchor"),
    # --- responses and dispositions --------------------------------------------------
    *declare(
        "feedback_responses",
        P,
        "the person's opinion and comments on the draft",
        "respondent",
        "sections",
        "general_comment",
        on_erasure=_UNLINKED,
    ),
    *declare(
        "feedback_responses",
        S,
        "bookkeeping of the response",
        "round_id",
        "revision",
        "submitted_at",
        "updated_at",
        "may_be_named",
        on_erasure="kept with the tombstone; may_be_named cleared",
    ),
    *declare(
        "Response",
        P,
        "the person's opinion and comments on the draft",
        "respondent",
        "sections",
        "general_comment",
        on_erasure=_UNLINKED,
    ),
    *declare(
        "Response",
        S,
        "bookkeeping of the response",
        "round_id",
        "revision",
        "submitted_at",
        "updated_at",
        "may_be_named",
        on_erasure="kept with the tombstone; may_be_named cleared",
    ),
    *declare(
        "SectionResponse",
        P,
        "an opinion on one section",
        "section",
        "opinion",
        "comment",
        "suggested_wording",
        on_erasure=_UNLINKED,
    ),
    *declare(
        "feedback_dispositions",
        S,
        "what the organiser did with a comment",
        "round_id",
        "respondent",
        "section",
        "outcome",
        "reason",
        "decided_at",
        on_erasure="the respondent becomes the tombstone",
    ),
    *declare(
        "Disposition",
        S,
        "what the organiser did with a comment",
        "round_id",
        "respondent",
        "section",
        "outcome",
        "reason",
        "decided_at",
        on_erasure="the respondent becomes the tombstone",
    ),
    *declare(
        "feedback_messages",
        S,
        "idempotency keys of queued round messages (a digest of the address)",
        "round_id",
        "key",
        "queued_at",
        on_erasure="kept: a digest only, and a tombstone is never sent anything",
    ),
    # --- the memory store's tables ------------------------------------------------
    PersonalField(
        "MemoryStore", "_feedback", P, "input and feedback records", "see the record types"
    ),
    *declare(
        "FeedbackTables",
        P,
        "input and feedback records",
        "contributions",
        "responses",
        "dispositions",
        "rounds",
        on_erasure="see the record types they hold",
    ),
    *declare(
        "FeedbackTables",
        N,
        "drafts and bookkeeping",
        "drafts",
        "versions",
        "next_contribution",
        "next_round",
    ),
    PersonalField(
        "FeedbackTables", "marks", S, "queued message keys (digests)", "kept: a digest only"
    ),
)


@hookimpl(trylast=True)
def participatie_personal_data() -> tuple[PersonalField, ...]:
    """The fields of calendar states and of input and feedback rounds."""
    return CALENDAR_AND_FEEDBACK_FIELDS


def _erase(
    store: Store, email: str, registrations: Sequence[Registration], event_key: str | None = None
) -> Erased | None:
    """Delete one person's calendar states and messages; unlink them from input and feedback.

    ``registrations`` are theirs (in ``event_key`` only, for a purge); with
    ``event_key`` their messages are found by registration alone and their
    feedback only in that event, so other events keep theirs.
    """
    tokens = {invitation_token(r.event_key, r.session_key, email) for r in registrations}
    calendar = store.forget_calendar_entries(sorted(tokens)) if tokens else 0
    ids = [r.id for r in registrations]
    messages = store.erase_outbox_person(email if event_key is None else None, ids)
    audience = registrations[0].person.audience if registrations else "erased"
    feedback = store.erase_feedback_person(email, erased_person(audience).email, event_key)
    if not calendar and not feedback and not messages:
        return None
    return Erased(
        calendar + feedback + messages,
        (),
        f"{messages} message(s) and {calendar} calendar state(s) deleted, "
        f"{feedback} input/feedback record(s) unlinked",
    )


@hookimpl
def participatie_erase_person(
    email: str, registrations: Sequence[Registration], store: Store
) -> Erased | None:
    """Delete the person's calendar states and messages; unlink them from input and feedback."""
    return _erase(store, email, registrations)


@hookimpl
def participatie_subject_access(email: str, store: Store) -> dict[str, Any] | None:
    """The person's input, responses and the rounds they were asked in."""
    rounds = store.list_rounds(None)
    asked = [r for r in rounds if any(x.email == email for x in r.recipients)]
    contributions = [
        {"event": c.event_key, "session": c.session_key, "question": c.question, "text": c.text}
        for event in (e.key for e in store.list_events())
        for c in store.list_contributions(event)
        if c.participant == email
    ]
    responses = [
        {
            "round": r.id,
            "general_comment": response.general_comment,
            "sections": [
                {
                    "section": s.section,
                    "opinion": getattr(s.opinion, "value", s.opinion),
                    "comment": s.comment,
                    "suggested_wording": s.suggested_wording,
                }
                for s in response.sections
            ],
        }
        for r in asked
        if r.id is not None
        for response in store.list_responses(r.id)
        if response.respondent == email
    ]
    if not asked and not contributions and not responses:
        return None
    return {
        "feedback_rounds_you_were_asked_in": [r.id for r in asked],
        "your_input": contributions,
        "your_responses": responses,
    }


@hookimpl
def participatie_purge_event(event: Event, store: Store, now: datetime) -> Erased | None:
    """Erase, for everyone in the event, what :func:`participatie_erase_person` erases."""
    del now
    registrations: dict[str, list[Registration]] = {}
    for registration in store.list_registrations(event.key):
        registrations.setdefault(registration.person.email, []).append(registration)
    people = set(registrations)
    people |= {c.participant for c in store.list_contributions(event.key) if c.participant}
    for feedback_round in store.list_rounds(event.key):
        people |= {r.email for r in feedback_round.recipients}
    parts = [
        _erase(store, email, registrations.get(email, []), event.key)
        for email in sorted(people)
        if not is_erased_address(email)
    ]
    done = [part for part in parts if part is not None]
    # What is left is tied to no registration: invitations to contacts,
    # feedback-round messages, the keys of purged messages.
    rest = store.erase_event_messages(event.key)
    if not done and not rest:
        return None
    return Erased(
        sum(part.items for part in done) + rest,
        (),
        f"{len(done)} person(s) unlinked, {rest} other message(s) of the event deleted",
    )
