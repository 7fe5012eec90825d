"""Input (inbreng): what was said in a session, per central question.

A note-taker enters what a group said; a participant may also send input
themselves. Each contribution records the central question it answers, the
session and (optionally) the breakout group, the audience it came from (the
seeds care about the difference between clients, experts by experience and
professionals), optional themes, and its source: a participant, or nobody
(anonymous). Groups are plain keys here, so input can be recorded whether or
not groups were formed by participatie.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from participatie import _validate as v
from participatie.exceptions import InvalidInputError
from participatie.model import CLIENT, EXPERT_BY_EXPERIENCE, PROFESSIONAL, Event

__all__ = [
    "CLIENTS_AND_EXPERTS",
    "DEFAULT_PERSPECTIVES",
    "PROFESSIONALS",
    "Contribution",
    "EnteredBy",
    "check_contribution",
    "perspective_of",
]


class EnteredBy(enum.Enum):
    """Who typed the contribution in."""

    #: A note-taker recorded what a group (or someone in it) said.
    NOTE_TAKER = "note-taker"
    #: The participant sent it themselves (during or after the session).
    PARTICIPANT = "participant"


def _themes(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    cleaned = set()
    for value in values:
        if not isinstance(value, str):
            raise InvalidInputError(f"a theme must be text, not {type(value).__name__}")
        cleaned.add(" ".join(value.split()).lower())
    return frozenset(cleaned)


def _check_themes(
    instance: object, _attribute: attrs.Attribute[Any], value: frozenset[str]
) -> None:
    for theme in value:
        v.single_line(instance, attrs.fields(Contribution).themes, theme)


def _optional_email(value: str | None) -> str | None:
    return None if value is None else v.normalise_email(value)


def _text(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.multi_line(instance, attribute, value)
    if not str(value).strip():
        raise InvalidInputError("a contribution's text must not be empty")


def _check_question(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidInputError(
            f"question must be the number of a central question (1, 2, ...), not {value!r}"
        )


@attrs.frozen
class Contribution:
    """One piece of input, as recorded (and, with an ``id``, as stored).

    Attributes:
        event_key: The event.
        session_key: The session in which (or after which) it was given.
        text: What was said or written, in the words of the note or the sender.
        audience: The key of the audience it came from (``client``,
            ``expert-by-experience``, ``professional``, or any key the event
            defines). For a participant's own input it defaults to their
            registration's audience.
        question: The number of the central question it answers (1-based,
            as in the invitation); ``None`` for input outside the questions.
        group: The breakout group's key or name, if any (a plain key).
        themes: Optional tags (lower-cased, spaces collapsed).
        participant: The e-mail address of the participant it came from;
            ``None`` means anonymous.
        entered_by: Whether a note-taker or the participant entered it.
        may_be_named: Whether the participant agreed to be named with it in a
            published report (only possible with a participant).
        id: Assigned by the store; ``None`` before it is stored.
        recorded_at: When it was stored (UTC); set by the store.
    """

    event_key: str = attrs.field(validator=v.slug)
    session_key: str = attrs.field(validator=v.slug)
    text: str = attrs.field(converter=_text, validator=_check_text)
    audience: str = attrs.field(validator=v.slug)
    question: int | None = attrs.field(default=None, validator=_check_question, kw_only=True)
    group: str | None = attrs.field(
        default=None, converter=_text, validator=v.optional_single_line, kw_only=True
    )
    themes: frozenset[str] = attrs.field(
        default=frozenset(), converter=_themes, validator=_check_themes, kw_only=True
    )
    participant: str | None = attrs.field(default=None, converter=_optional_email, kw_only=True)
    entered_by: EnteredBy = attrs.field(
        default=EnteredBy.NOTE_TAKER,
        validator=attrs.validators.instance_of(EnteredBy),
        kw_only=True,
    )
    may_be_named: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool), kw_only=True
    )
    id: int | None = attrs.field(default=None, kw_only=True)
    recorded_at: datetime | None = attrs.field(
        default=None, validator=v.optional_aware, kw_only=True
    )

    def __attrs_post_init__(self) -> None:
        if self.entered_by is EnteredBy.PARTICIPANT and self.participant is None:
            raise InvalidInputError(
                "input a participant sends themselves has that participant as its source"
            )
        if self.may_be_named and self.participant is None:
            raise InvalidInputError("anonymous input cannot be published with a name")

    @property
    def anonymous(self) -> bool:
        """Whether the contribution has no participant as its source."""
        return self.participant is None


def check_contribution(event: Event, contribution: Contribution) -> None:
    """Refuse input that does not fit the event; return quietly otherwise.

    The session must be one of the event's, the question one of its central
    questions, and the audience one it defines (when it defines any).
    """
    if contribution.event_key != event.key:
        raise InvalidInputError(
            f"input for event {contribution.event_key!r} cannot be recorded for {event.key!r}"
        )
    event.session(contribution.session_key)
    if contribution.question is not None and contribution.question > len(event.central_questions):
        count = len(event.central_questions)
        raise InvalidInputError(
            f"event {event.key!r} has {count} central question{'s' if count != 1 else ''}; "
            f"there is no question {contribution.question}"
        )
    known = {audience.key for audience in event.audiences}
    if known and contribution.audience not in known:
        raise InvalidInputError(
            f"event {event.key!r} does not define the audience {contribution.audience!r} "
            f"(it defines {', '.join(sorted(known))})"
        )


#: Perspective key for clients and experts by experience together.
CLIENTS_AND_EXPERTS = "clients-and-experts"
#: Perspective key for professionals.
PROFESSIONALS = "professionals"

#: The perspectives the seeds compare: clients and experts by experience on
#: one side, professionals on the other (audience key -> perspective key).
#: An audience not listed is a perspective of its own, under its own key.
DEFAULT_PERSPECTIVES: Mapping[str, str] = {
    CLIENT: CLIENTS_AND_EXPERTS,
    EXPERT_BY_EXPERIENCE: CLIENTS_AND_EXPERTS,
    PROFESSIONAL: PROFESSIONALS,
}


def perspective_of(audience: str, perspectives: Mapping[str, str] | None = None) -> str:
    """The key of the perspective an audience belongs to in reports."""
    mapping = DEFAULT_PERSPECTIVES if perspectives is None else perspectives
    return mapping.get(audience, audience)
