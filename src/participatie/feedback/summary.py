"""'What we did with your input': one participant's personal summary of a round.

It tells a participant what became of each of their comments (adopted,
partly adopted or not adopted, and why), where their input from the meeting
ended up in the draft, and what changed between the version they saw and the
next one, section by section. It holds their own words and nobody else's, so
it can be sent to them and to nobody else.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from participatie.exceptions import InvalidInputError
from participatie.feedback import texts
from participatie.feedback.diff import ChangeKind, SectionChange, compare_versions
from participatie.feedback.drafts import Draft, DraftVersion
from participatie.feedback.input import Contribution
from participatie.feedback.responses import Comment, Disposition, Response, comments_of
from participatie.feedback.rounds import FeedbackRound, Recipient
from participatie.model import Event, HelpDesk

__all__ = ["CommentOutcome", "InputUse", "PersonalSummary", "personal_summary"]


@attrs.frozen
class CommentOutcome:
    """One of the participant's comments and what was done with it.

    Attributes:
        comment: The comment.
        section_label: The heading of the section it is about (``None``: general).
        disposition: What was decided (``None`` if nothing was decided).
    """

    comment: Comment
    section_label: str | None
    disposition: Disposition | None


@attrs.frozen
class InputUse:
    """One of the participant's contributions and the sections that draw on it.

    Attributes:
        contribution: What they said (as recorded).
        sections: Labels of the sections of the new version that name it as a source.
    """

    contribution: Contribution
    sections: tuple[str, ...]


@attrs.frozen
class PersonalSummary:
    """Everything one participant is told when a round is concluded.

    Attributes:
        recipient: Who it is for.
        event_title: The meeting's title.
        draft_title: The draft's title.
        round_id: The round.
        from_version: The version they were asked about.
        to_version: The version the round led to.
        responded: Whether they responded in the round.
        comments: Their comments, each with its disposition.
        changes: The sections that changed between the two versions.
        input_used: Their contributions from the meeting and where they went.
        help_desk: Where to ask questions.
        timezone: The event's time zone.
    """

    recipient: Recipient
    event_title: str
    draft_title: str
    round_id: int
    from_version: int
    to_version: int
    responded: bool
    comments: tuple[CommentOutcome, ...]
    changes: tuple[SectionChange, ...]
    input_used: tuple[InputUse, ...]
    help_desk: HelpDesk
    timezone: str

    @property
    def language(self) -> str:
        """The recipient's language."""
        return self.recipient.language

    def subject(self) -> str:
        """One line, in the recipient's language."""
        return texts.WORDS[self.language]["summary_subject"].format(title=self.draft_title)

    def text(self) -> str:
        """The summary as plain text, in the recipient's language."""
        words = texts.WORDS[self.language]
        lines = [
            words["dear"].format(name=self.recipient.name),
            "",
            words["summary_intro"].format(
                event=self.event_title,
                title=self.draft_title,
                old=self.from_version,
                new=self.to_version,
            ),
            "",
            f"{words['your_comments']}:",
            "",
        ]
        if not self.responded:
            lines += [words["no_response"], ""]
        elif not self.comments:
            lines += [words["no_comments"], ""]
        for outcome in self.comments:
            lines += self._comment_lines(outcome)
        if self.input_used:
            lines += [f"{words['your_input']}:", ""]
            for use in self.input_used:
                where = (
                    f"{words['used_in']}: {', '.join(use.sections)}"
                    if use.sections
                    else words["not_used"]
                )
                question = (
                    ""
                    if use.contribution.question is None
                    else f" ({words['question'].format(number=use.contribution.question)})"
                )
                lines.append(f"- \u201c{use.contribution.text}\u201d{question}: {where}.")
            lines.append("")
        lines += [f"{words['changes']} (v{self.from_version} \u2192 v{self.to_version}):", ""]
        if not self.changes:
            lines += [words["no_changes"], ""]
        else:
            lines += [words["legend"], ""]
            for change in self.changes:
                kind = texts.CHANGE_LABELS[self.language][change.kind.value]
                lines += [f"## {change.label} ({kind})", "", change.as_text(), ""]
        lines += [texts.help_desk_line(self.help_desk, self.language), ""]
        return "\n".join(lines)

    def _comment_lines(self, outcome: CommentOutcome) -> list[str]:
        words = texts.WORDS[self.language]
        comment = outcome.comment
        if comment.section is None:
            heading = words["general"]
        else:
            opinion = texts.OPINION_LABELS[self.language][
                None if comment.opinion is None else comment.opinion.value
            ]
            heading = words["on_section"].format(section=outcome.section_label, opinion=opinion)
        lines = [f"- {heading}"]
        if comment.text is not None:
            lines.append(f"  {words['you_wrote']}: \u201c{_one_line(comment.text)}\u201d")
        if comment.suggested_wording is not None:
            lines.append(
                f"  {words['you_suggested']}: \u201c{_one_line(comment.suggested_wording)}\u201d"
            )
        disposition = outcome.disposition
        label = texts.OUTCOME_LABELS[self.language][
            None if disposition is None else disposition.outcome.value
        ]
        reason = "" if disposition is None or not disposition.reason else f": {disposition.reason}"
        lines += [f"  {words['decision']}: {label}{_one_line(reason)}", ""]
        return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def personal_summary(
    event: Event,
    draft: Draft,
    feedback_round: FeedbackRound,
    recipient: Recipient,
    *,
    responses: Iterable[Response],
    dispositions: Iterable[Disposition],
    old: DraftVersion,
    new: DraftVersion,
    contributions: Iterable[Contribution] = (),
    changes: Iterable[SectionChange] | None = None,
) -> PersonalSummary:
    """Build one recipient's summary from what is stored about the round.

    Only the recipient's own response, comments and contributions are used
    (the others may be passed and are left out). ``changes`` may pass
    :func:`~participatie.feedback.compare_versions` of ``old`` and ``new``
    when it was computed already, for many summaries at once.
    """
    if feedback_round.id is None:
        raise InvalidInputError("the round must be stored first")
    own = [response for response in responses if response.respondent == recipient.email]
    decided = {
        disposition.key: disposition
        for disposition in dispositions
        if disposition.respondent == recipient.email
    }
    outcomes = tuple(
        CommentOutcome(
            comment,
            None if comment.section is None else _label(old, new, comment.section),
            decided.get(comment.key),
        )
        for comment in comments_of(own)
    )
    compared = compare_versions(old, new) if changes is None else changes
    changed = tuple(change for change in compared if change.kind is not ChangeKind.UNCHANGED)
    uses = tuple(
        InputUse(
            contribution,
            tuple(
                section.label
                for section in new.sections
                if contribution.id is not None and contribution.id in section.sources
            ),
        )
        for contribution in contributions
        if contribution.participant == recipient.email
    )
    return PersonalSummary(
        recipient=recipient,
        event_title=event.title,
        draft_title=draft.title,
        round_id=feedback_round.id,
        from_version=old.number,
        to_version=new.number,
        responded=bool(own),
        comments=outcomes,
        changes=changed,
        input_used=uses,
        help_desk=event.help_desk,
        timezone=event.timezone,
    )


def _label(old: DraftVersion, new: DraftVersion, key: str) -> str:
    for version in (new, old):
        if version.has_section(key):
            return version.section(key).label
    return key
