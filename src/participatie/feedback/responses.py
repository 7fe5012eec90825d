"""What participants answer in a feedback round, and what the organiser did with it.

A response gives, per section, an opinion (agree, partly, disagree), a comment
and optionally suggested wording; or one general comment; or both. It can be
changed until the round closes. Every comment (a section comment, suggested
wording, or the general comment) then gets a disposition: adopted, partly
adopted or not adopted, with a reason, which is what each participant is told
in "what we did with your input".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import attrs

from participatie import _validate as v
from participatie.exceptions import InvalidInputError
from participatie.localtime import require_aware

__all__ = [
    "Comment",
    "Disposition",
    "DispositionOutcome",
    "Opinion",
    "Response",
    "SectionResponse",
    "comments_of",
]


class Opinion(enum.Enum):
    """A participant's opinion of one section."""

    AGREE = "agree"
    PARTLY = "partly"
    DISAGREE = "disagree"


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return value


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.multi_line(instance, attribute, value)


def _optional_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return require_aware(value).astimezone(UTC)


@attrs.frozen
class SectionResponse:
    """A participant's answer on one section.

    Attributes:
        section: The section's key.
        opinion: Agree, partly or disagree; ``None`` if they gave none.
        comment: Their comment (blank counts as none).
        suggested_wording: Text they propose instead (blank counts as none).
    """

    section: str = attrs.field(validator=v.slug)
    opinion: Opinion | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Opinion))
    )
    comment: str | None = attrs.field(
        default=None, converter=_blank_to_none, validator=_optional_text
    )
    suggested_wording: str | None = attrs.field(
        default=None, converter=_blank_to_none, validator=_optional_text
    )

    def __attrs_post_init__(self) -> None:
        if self.opinion is None and self.comment is None and self.suggested_wording is None:
            raise InvalidInputError(
                f"the answer on section {self.section!r} holds no opinion, comment or wording"
            )

    @property
    def has_comment(self) -> bool:
        """Whether there is something to act on (a comment or suggested wording)."""
        return self.comment is not None or self.suggested_wording is not None


def _sections(values: Iterable[SectionResponse]) -> tuple[SectionResponse, ...]:
    return tuple(values)


def _check_sections(
    _instance: object, _attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    seen: set[str] = set()
    for answer in value:
        if not isinstance(answer, SectionResponse):
            raise InvalidInputError(f"{answer!r} is not a SectionResponse")
        if answer.section in seen:
            raise InvalidInputError(f"section {answer.section!r} is answered twice")
        seen.add(answer.section)


@attrs.frozen
class Response:
    """One participant's response to a round (the latest one they gave).

    Attributes:
        round_id: The round.
        respondent: Their e-mail address (normalised).
        sections: Their answers per section, in the order given.
        general_comment: One comment on the whole draft.
        may_be_named: Whether they agree to be named with their comments in a
            published report.
        submitted_at: When they first responded (UTC); set by the store.
        updated_at: When they last changed it (UTC); set by the store.
        revision: 1 for the first response, 2 after the first change, ...;
            set by the store.
    """

    round_id: int = attrs.field(validator=attrs.validators.instance_of(int))
    respondent: str = attrs.field(converter=v.normalise_email)
    sections: tuple[SectionResponse, ...] = attrs.field(
        default=(), converter=_sections, validator=_check_sections
    )
    general_comment: str | None = attrs.field(
        default=None, converter=_blank_to_none, validator=_optional_text
    )
    may_be_named: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool), kw_only=True
    )
    submitted_at: datetime | None = attrs.field(default=None, converter=_optional_utc, kw_only=True)
    updated_at: datetime | None = attrs.field(default=None, converter=_optional_utc, kw_only=True)
    revision: int = attrs.field(default=0, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.sections and self.general_comment is None:
            raise InvalidInputError(
                "a response needs an answer on at least one section, or a general comment"
            )

    def answer(self, section: str) -> SectionResponse | None:
        """The answer on ``section``, or ``None``."""
        for answer in self.sections:
            if answer.section == section:
                return answer
        return None


@attrs.frozen
class Comment:
    """Something in a response the organiser must decide about.

    Attributes:
        round_id: The round.
        respondent: Who made it.
        section: The section it is about; ``None`` for the general comment.
        opinion: The opinion given with it, if any.
        text: The comment; ``None`` if only wording was suggested.
        suggested_wording: Proposed text, if any.
        may_be_named: Whether the respondent agreed to be named in public.
    """

    round_id: int
    respondent: str
    section: str | None
    opinion: Opinion | None
    text: str | None
    suggested_wording: str | None
    may_be_named: bool = False

    @property
    def key(self) -> tuple[str, str | None]:
        """``(respondent, section)``: what a :class:`Disposition` refers to."""
        return (self.respondent, self.section)


def comments_of(responses: Iterable[Response]) -> list[Comment]:
    """Every comment in the responses, in response order, sections before the general one.

    An opinion without a comment or wording is not a comment: there is
    nothing to adopt.
    """
    comments: list[Comment] = []
    for response in responses:
        for answer in response.sections:
            if answer.has_comment:
                comments.append(
                    Comment(
                        response.round_id,
                        response.respondent,
                        answer.section,
                        answer.opinion,
                        answer.comment,
                        answer.suggested_wording,
                        response.may_be_named,
                    )
                )
        if response.general_comment is not None:
            comments.append(
                Comment(
                    response.round_id,
                    response.respondent,
                    None,
                    None,
                    response.general_comment,
                    None,
                    response.may_be_named,
                )
            )
    return comments


class DispositionOutcome(enum.Enum):
    """What was done with a comment."""

    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly-adopted"
    NOT_ADOPTED = "not-adopted"


@attrs.frozen
class Disposition:
    """What the organiser did with one comment, and why.

    Attributes:
        round_id: The round.
        respondent: Whose comment.
        section: The section commented on; ``None`` for the general comment.
        outcome: Adopted, partly adopted or not adopted.
        reason: Why; required unless the comment was adopted as it was.
        decided_at: When it was recorded (UTC); set by the store.
    """

    round_id: int = attrs.field(validator=attrs.validators.instance_of(int))
    respondent: str = attrs.field(converter=v.normalise_email)
    section: str | None = attrs.field(validator=attrs.validators.optional(v.slug))
    outcome: DispositionOutcome = attrs.field(
        validator=attrs.validators.instance_of(DispositionOutcome)
    )
    reason: str = attrs.field(default="", converter=_strip, validator=v.multi_line)
    decided_at: datetime | None = attrs.field(default=None, converter=_optional_utc, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.outcome is not DispositionOutcome.ADOPTED and not self.reason:
            raise InvalidInputError(
                f"a comment that is {self.outcome.value.replace('-', ' ')} needs a reason: "
                "participants are told why"
            )

    @property
    def key(self) -> tuple[str, str | None]:
        """``(respondent, section)``: the comment it is about."""
        return (self.respondent, self.section)
