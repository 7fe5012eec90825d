"""What must be sent to whom in a feedback round: the seam to the notification system.

This module decides *what* is due and builds it; it never sends anything.
Each value names one recipient (one message per person, never a list), the
round, an idempotency key that is the same every time the same message is
due, the data a template needs, and a ready plain-text subject and body in
the recipient's language. :meth:`FeedbackMessage.to_message` turns it into a
:class:`participatie.Message` for any channel.

The intended flow (see the organiser's how-to): a scheduler calls
:meth:`participatie.Participatie.feedback_messages_due`, hands each message
to the outbox under its :attr:`~FeedbackMessage.key`, and then calls
:meth:`participatie.Participatie.mark_feedback_messages_queued`. If the
process dies between the two, the same messages (same keys) are due again
and an outbox that keeps one message per key queues each once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

import attrs

from participatie.channels import Message
from participatie.feedback import rules, texts
from participatie.feedback.drafts import Draft, DraftVersion
from participatie.feedback.rounds import FeedbackRound, Recipient
from participatie.feedback.summary import PersonalSummary
from participatie.model import Event

__all__ = [
    "FeedbackMessage",
    "InputSummary",
    "LinkMaker",
    "RoundInvitation",
    "RoundReminder",
    "build_invitation",
    "build_reminder",
    "build_summary_message",
]

#: Makes the personal link where a recipient responds (for a participant
#: site); ``None`` leaves links out of the messages.
LinkMaker = Callable[[FeedbackRound, Recipient], str]


@attrs.frozen
class FeedbackMessage:
    """One message of a feedback round, to one recipient.

    Attributes:
        key: Idempotency key: equal for the same message each time it is due
            (see :func:`participatie.feedback.rules.message_key`); carries no
            personal data.
        recipient: Who it is for (address, name, language).
        round_id: The round.
        event_key: The event.
        subject: A single line in the recipient's language.
        text: The plain-text body in the recipient's language.
    """

    #: What the message is for (also ``Message.kind``).
    kind: ClassVar[str] = "feedback"

    key: str
    recipient: Recipient
    round_id: int
    event_key: str
    subject: str
    text: str

    def to_message(self) -> Message:
        """The message as a :class:`participatie.Message` for a channel."""
        return Message(
            recipient=self.recipient.email,
            subject=self.subject,
            text=self.text,
            kind=self.kind,
            language=self.recipient.language,
        )


@attrs.frozen
class RoundInvitation(FeedbackMessage):
    """The invitation to give feedback on a draft version.

    Attributes:
        draft_title: The draft's title.
        version: The version under discussion.
        closes_at: The deadline (UTC).
        link: Where to respond, if a link maker was given.
    """

    kind: ClassVar[str] = rules.INVITATION

    draft_title: str
    version: int
    closes_at: datetime
    link: str | None = None


@attrs.frozen
class RoundReminder(FeedbackMessage):
    """A reminder to someone who has not responded yet.

    Attributes:
        rule_index: Which of the round's reminder rules it is (0-based).
        draft_title: The draft's title.
        closes_at: The deadline (UTC).
        link: Where to respond, if a link maker was given.
    """

    kind: ClassVar[str] = rules.REMINDER

    rule_index: int
    draft_title: str
    closes_at: datetime
    link: str | None = None


@attrs.frozen
class InputSummary(FeedbackMessage):
    """'What we did with your input', sent when a round is concluded.

    Attributes:
        summary: The personal summary the text was written from.
    """

    kind: ClassVar[str] = rules.SUMMARY

    summary: PersonalSummary


def _closing(words: dict[str, str], round_: FeedbackRound, event: Event, language: str) -> str:
    return texts.local_when(round_.closing_time, event.timezone, language)


def build_invitation(
    event: Event,
    draft: Draft,
    version: DraftVersion,
    feedback_round: FeedbackRound,
    recipient: Recipient,
    *,
    link: LinkMaker | None = None,
) -> RoundInvitation:
    """The invitation for one recipient, with the draft's text in the body."""
    assert feedback_round.id is not None
    language = recipient.language
    words = texts.WORDS[language]
    deadline = _closing(words, feedback_round, event, language)
    title = feedback_round.title or draft.title
    url = None if link is None else link(feedback_round, recipient)
    lines = [
        words["dear"].format(name=recipient.name),
        "",
        words["invitation_intro"].format(event=event.title, title=title, version=version.number),
        "",
        words["invitation_how"].format(deadline=deadline),
        "",
        words["anonymous"] if feedback_round.anonymous_to_colleagues else words["named"],
        "",
    ]
    if url is not None:
        lines += [words["respond_at"].format(link=url), ""]
    lines += [f"{words['the_draft']} (v{version.number}):", ""]
    for section in version.sections:
        heading = (
            f"[{section.key}]" if section.heading is None else f"[{section.key}] {section.heading}"
        )
        lines += [heading, "", section.text, ""]
    lines += [texts.help_desk_line(event.help_desk, language), ""]
    return RoundInvitation(
        key=rules.message_key(feedback_round.id, rules.INVITATION, recipient.email),
        recipient=recipient,
        round_id=feedback_round.id,
        event_key=event.key,
        subject=words["invitation_subject"].format(title=title),
        text="\n".join(lines),
        draft_title=title,
        version=version.number,
        closes_at=feedback_round.closing_time,
        link=url,
    )


def build_reminder(
    event: Event,
    draft: Draft,
    feedback_round: FeedbackRound,
    recipient: Recipient,
    rule_index: int,
    *,
    link: LinkMaker | None = None,
) -> RoundReminder:
    """The reminder for one recipient who has not responded."""
    assert feedback_round.id is not None
    language = recipient.language
    words = texts.WORDS[language]
    deadline = _closing(words, feedback_round, event, language)
    title = feedback_round.title or draft.title
    url = None if link is None else link(feedback_round, recipient)
    lines = [
        words["dear"].format(name=recipient.name),
        "",
        words["reminder_body"].format(title=title, deadline=deadline),
        "",
    ]
    if url is not None:
        lines += [words["respond_at"].format(link=url), ""]
    lines += [texts.help_desk_line(event.help_desk, language), ""]
    return RoundReminder(
        key=rules.message_key(feedback_round.id, rules.REMINDER, recipient.email, rule_index),
        recipient=recipient,
        round_id=feedback_round.id,
        event_key=event.key,
        subject=words["reminder_subject"].format(title=title, deadline=deadline),
        text="\n".join(lines),
        rule_index=rule_index,
        draft_title=title,
        closes_at=feedback_round.closing_time,
        link=url,
    )


def build_summary_message(event: Event, summary: PersonalSummary) -> InputSummary:
    """The 'what we did with your input' message for the summary's recipient."""
    return InputSummary(
        key=rules.message_key(summary.round_id, rules.SUMMARY, summary.recipient.email),
        recipient=summary.recipient,
        round_id=summary.round_id,
        event_key=event.key,
        subject=summary.subject(),
        text=summary.text(),
        summary=summary,
    )
