"""The rules of input and feedback rounds, as pure functions of their inputs.

Nothing here reads a clock, a store or a plugin: the caller passes the round,
what is stored about it and ``now``. Storage backends call the checks inside
their own locked transaction, so a response that races the closing of a round
is judged against the round as it is at that moment; the facade calls the
schedule functions to find out which messages are due.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime

import attrs

from participatie._validate import is_erased_address
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
    UnknownDraftError,
)
from participatie.feedback.drafts import Draft, DraftVersion
from participatie.feedback.responses import Comment, Disposition, Opinion, Response
from participatie.feedback.rounds import FeedbackRound, Recipient, RoundStatus
from participatie.localtime import DEFAULT_TIMEZONE, to_local

__all__ = [
    "INVITATION",
    "REMINDER",
    "SUMMARY",
    "RatePoint",
    "SectionAgreement",
    "agreement_per_section",
    "check_can_close",
    "check_can_conclude",
    "check_can_dispose",
    "check_can_respond",
    "check_round",
    "invitations_due",
    "message_key",
    "missing_dispositions",
    "pseudonym_numbers",
    "reminders_due",
    "response_rate_over_time",
    "round_status",
    "summaries_due",
]

#: Message kinds, as they appear in idempotency keys and ``Message.kind``.
INVITATION = "feedback-invitation"
REMINDER = "feedback-reminder"
SUMMARY = "feedback-summary"


def _local(instant: datetime, timezone: str) -> str:
    return to_local(instant, timezone).strftime("%Y-%m-%d %H:%M %Z")


def round_status(feedback_round: FeedbackRound, now: datetime) -> RoundStatus:
    """Where the round stands at ``now``: scheduled, open or closed.

    Open from ``opens_at`` (inclusive) until the closing time (exclusive): the
    deadline, or the moment the organiser closed it early.
    """
    return feedback_round.status(now)


def check_round(
    feedback_round: FeedbackRound,
    draft: Draft | None,
    versions: Iterable[int],
    other_rounds: Iterable[FeedbackRound],
    now: datetime,
) -> None:
    """Refuse a new round that does not fit its draft; return quietly otherwise.

    The draft and the version must exist and belong to the round's event, the
    round must not have closed already at ``now``, and no other round on the
    same draft may be open at any moment the new one is (one draft, one
    conversation at a time).
    """
    if draft is None:
        raise UnknownDraftError(f"no draft {feedback_round.draft_key!r} is stored")
    if draft.event_key != feedback_round.event_key:
        raise InvalidInputError(
            f"draft {draft.key!r} belongs to event {draft.event_key!r}, "
            f"not {feedback_round.event_key!r}"
        )
    if feedback_round.version not in set(versions):
        raise UnknownDraftError(f"draft {draft.key!r} has no version {feedback_round.version}")
    if feedback_round.closes_at <= now:
        raise InvalidInputError("the round would close before it is created")
    for other in other_rounds:
        if other.draft_key != feedback_round.draft_key or other.id == feedback_round.id:
            continue
        if (
            feedback_round.opens_at < other.closing_time
            and other.opens_at < feedback_round.closing_time
        ):
            raise RoundOverlapError(
                f"round {other.id} on draft {draft.key!r} is open from "
                f"{other.opens_at.isoformat()} until {other.closing_time.isoformat()}; "
                "a new round must open after it closes"
            )


def check_can_respond(
    feedback_round: FeedbackRound,
    version: DraftVersion,
    response: Response,
    now: datetime,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> None:
    """Refuse a response (or a change to one) that breaks a rule.

    In the order a participant would want to hear them: the round must be
    open (not yet: :class:`RoundNotOpenError`; no more:
    :class:`RoundClosedError`), they must be a recipient, and every section
    they answer must be in the version under discussion.

    A deadline is an instant: a response that arrived (``now``) before it is
    accepted, even if it is stored a moment later. Closing early is a state:
    once the organiser closed the round, nothing is accepted any more, also
    not a response that arrived just before the close but reaches the store
    after it.
    """
    status = feedback_round.status(now)
    if feedback_round.closed_at is not None and status is RoundStatus.OPEN:
        status = RoundStatus.CLOSED
    if status is RoundStatus.SCHEDULED:
        raise RoundNotOpenError(
            f"the feedback round opens at {_local(feedback_round.opens_at, timezone)}"
        )
    if status is RoundStatus.CLOSED:
        raise RoundClosedError(
            f"the feedback round closed at {_local(feedback_round.closing_time, timezone)}; "
            "responses can no longer be given or changed"
        )
    if feedback_round.recipient(response.respondent) is None:
        raise NotARecipientError(f"{response.respondent} was not asked for feedback in this round")
    for answer in response.sections:
        version.section(answer.section)


def check_can_close(feedback_round: FeedbackRound, now: datetime) -> None:
    """Refuse to close a round early before it has opened."""
    if feedback_round.status(now) is RoundStatus.SCHEDULED:
        raise RoundNotOpenError("a round that has not opened cannot be closed")


def check_can_dispose(
    feedback_round: FeedbackRound,
    comments: Iterable[Comment],
    disposition: Disposition,
    now: datetime,
) -> None:
    """Refuse a disposition before the round closes, after it is concluded, or
    for a comment nobody made."""
    if feedback_round.status(now) is not RoundStatus.CLOSED:
        raise RoundStillOpenError(
            "dispositions are recorded after the round closes: until then a "
            "participant may still change their comment"
        )
    if feedback_round.concluded_at is not None:
        raise RoundConcludedError(
            "the round is concluded and participants are told what was done with their "
            "comments; its dispositions can no longer change"
        )
    if disposition.key not in {comment.key for comment in comments}:
        where = (
            "a general comment"
            if disposition.section is None
            else (f"a comment on section {disposition.section!r}")
        )
        raise UnknownCommentError(f"{disposition.respondent} did not make {where} in this round")


def missing_dispositions(
    comments: Iterable[Comment], dispositions: Iterable[Disposition]
) -> list[Comment]:
    """The comments that have no disposition yet, in order."""
    decided = {disposition.key for disposition in dispositions}
    return [comment for comment in comments if comment.key not in decided]


def check_can_conclude(
    feedback_round: FeedbackRound,
    next_version: int,
    versions: Iterable[int],
    comments: Iterable[Comment],
    dispositions: Iterable[Disposition],
    now: datetime,
) -> None:
    """Refuse to conclude a round that is open, already concluded otherwise, points
    at a version that does not exist or is older, or leaves comments undecided."""
    if feedback_round.status(now) is not RoundStatus.CLOSED:
        raise RoundStillOpenError("a round is concluded after it closes")
    if feedback_round.concluded_at is not None and feedback_round.next_version != next_version:
        raise RoundConcludedError(
            f"the round was concluded with version {feedback_round.next_version}"
        )
    if next_version not in set(versions):
        raise UnknownDraftError(f"draft {feedback_round.draft_key!r} has no version {next_version}")
    if next_version < feedback_round.version:
        raise InvalidInputError(
            f"the round discussed version {feedback_round.version}; it cannot lead to the "
            f"older version {next_version}"
        )
    missing = missing_dispositions(comments, dispositions)
    if missing:
        raise DispositionsMissingError(
            f"{len(missing)} comment{'s' if len(missing) != 1 else ''} still "
            f"need{'s' if len(missing) == 1 else ''} a disposition",
            [comment.key for comment in missing],
        )


# --- messages: what is due when --------------------------------------------


def message_key(round_id: int, kind: str, email: str, rule: int | None = None) -> str:
    """A stable idempotency key for one message of a round to one recipient.

    The address is hashed, so the key can go into a message header or a log
    without carrying personal data; the same inputs always give the same key.
    """
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:20]
    suffix = "" if rule is None else f"-{rule}"
    return f"participatie-round-{round_id}-{kind}{suffix}-{digest}"


def _reachable(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Recipients a message may go to: never the tombstone of an erased person."""
    return [r for r in recipients if not is_erased_address(r.email)]


def invitations_due(
    feedback_round: FeedbackRound, queued: Mapping[str, datetime], now: datetime
) -> list[Recipient]:
    """Recipients whose invitation is due: the round is open and none was queued yet."""
    if feedback_round.id is None or feedback_round.status(now) is not RoundStatus.OPEN:
        return []
    return [
        recipient
        for recipient in _reachable(feedback_round.recipients)
        if message_key(feedback_round.id, INVITATION, recipient.email) not in queued
    ]


def reminders_due(
    feedback_round: FeedbackRound,
    responded: Collection[str],
    queued: Mapping[str, datetime],
    now: datetime,
) -> list[tuple[Recipient, int]]:
    """``(recipient, rule index)`` for each reminder due at ``now``.

    A recipient is reminded while the round is open, if they have not
    responded, their invitation was queued, and a reminder rule fell due
    after that invitation. When a scheduler ran late and several rules are
    due at once, only the latest is sent (one reminder, not a burst); a rule
    is never sent twice, nor after a later one.
    """
    round_id = feedback_round.id
    if round_id is None or feedback_round.status(now) is not RoundStatus.OPEN:
        return []
    due_times = feedback_round.reminder_times()
    result: list[tuple[Recipient, int]] = []
    for recipient in _reachable(feedback_round.recipients):
        if recipient.email in responded:
            continue
        invited = queued.get(message_key(round_id, INVITATION, recipient.email))
        if invited is None:
            continue
        candidates = [(due, index) for index, due in enumerate(due_times) if invited < due <= now]
        if not candidates:
            continue
        latest_due, latest = max(candidates)
        already = any(
            due >= latest_due and message_key(round_id, REMINDER, recipient.email, index) in queued
            for index, due in enumerate(due_times)
        )
        if not already:
            result.append((recipient, latest))
    return result


def summaries_due(
    feedback_round: FeedbackRound, queued: Mapping[str, datetime], now: datetime
) -> list[Recipient]:
    """Recipients due a "what we did with your input" summary: the round is
    concluded and theirs was not queued yet."""
    if (
        feedback_round.id is None
        or feedback_round.concluded_at is None
        or feedback_round.concluded_at > now
    ):
        return []
    return [
        recipient
        for recipient in _reachable(feedback_round.recipients)
        if message_key(feedback_round.id, SUMMARY, recipient.email) not in queued
    ]


# --- figures -----------------------------------------------------------------


@attrs.frozen
class RatePoint:
    """The response rate at one instant.

    Attributes:
        at: The instant (UTC).
        responded: How many recipients had responded by then.
        recipients: How many were asked.
    """

    at: datetime
    responded: int
    recipients: int

    @property
    def rate(self) -> float:
        """``responded / recipients`` (0 when nobody was asked)."""
        return self.responded / self.recipients if self.recipients else 0.0


def response_rate_over_time(
    feedback_round: FeedbackRound, responses: Iterable[Response]
) -> list[RatePoint]:
    """The cumulative response rate: at the opening, at each first response, at the close.

    Only recipients count, and only their first submission (a change is not a
    new response).
    """
    asked = set(feedback_round.emails)
    firsts = sorted(
        response.submitted_at
        for response in responses
        if response.respondent in asked and response.submitted_at is not None
    )
    points = [RatePoint(feedback_round.opens_at, 0, len(asked))]
    for count, instant in enumerate(firsts, start=1):
        points.append(RatePoint(instant, count, len(asked)))
    if not firsts or firsts[-1] < feedback_round.closing_time:
        points.append(RatePoint(feedback_round.closing_time, len(firsts), len(asked)))
    return points


@attrs.frozen
class SectionAgreement:
    """How the respondents judged one section.

    Attributes:
        section: The section's key.
        label: Its heading (or key).
        agree: How many agreed.
        partly: How many partly agreed.
        disagree: How many disagreed.
        no_opinion: Respondents who gave no opinion on it.
        comments: How many commented on it or suggested wording.
    """

    section: str
    label: str
    agree: int
    partly: int
    disagree: int
    no_opinion: int
    comments: int

    @property
    def opinions(self) -> int:
        """How many gave an opinion."""
        return self.agree + self.partly + self.disagree


def agreement_per_section(
    version: DraftVersion, responses: Iterable[Response]
) -> list[SectionAgreement]:
    """Opinions per section of ``version``, in the version's order."""
    answered = list(responses)
    result = []
    for section in version.sections:
        counts = dict.fromkeys(Opinion, 0)
        comments = 0
        for response in answered:
            answer = response.answer(section.key)
            if answer is None:
                continue
            if answer.opinion is not None:
                counts[answer.opinion] += 1
            if answer.has_comment:
                comments += 1
        opinions = sum(counts.values())
        result.append(
            SectionAgreement(
                section.key,
                section.label,
                counts[Opinion.AGREE],
                counts[Opinion.PARTLY],
                counts[Opinion.DISAGREE],
                len(answered) - opinions,
                comments,
            )
        )
    return result


def pseudonym_numbers(responses: Iterable[Response]) -> dict[str, int]:
    """A number per respondent (1, 2, ...) in order of first response.

    Used where answers are anonymous to the organiser's colleagues: the same
    respondent keeps the same number throughout one report, and the number
    says nothing but the order in which people answered.
    """
    ordered = sorted(
        responses,
        key=lambda response: (
            response.submitted_at is None,
            response.submitted_at,
            response.respondent,
        ),
    )
    return {response.respondent: number for number, response in enumerate(ordered, start=1)}
