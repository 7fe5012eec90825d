"""The nested parts of feedback records as JSON, for backends that keep them as documents.

A version's sections, a response's answers, a round's recipients and reminder
rules are read and written whole, never queried into, so a JSON document is
their simplest faithful form; the parts that are queried (keys, times,
states) get real columns. Shared by the built-in SQLite backend and open to
other backends (a PostgreSQL plugin can put the same text in ``jsonb``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from participatie.feedback.drafts import Section
from participatie.feedback.responses import Opinion, SectionResponse
from participatie.feedback.rounds import Recipient, ReminderAnchor, ReminderRule

__all__ = [
    "decode_answers",
    "decode_recipients",
    "decode_reminders",
    "decode_sections",
    "decode_themes",
    "encode_answers",
    "encode_recipients",
    "encode_reminders",
    "encode_sections",
    "encode_themes",
]


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def encode_sections(sections: Iterable[Section]) -> str:
    """A version's sections, in order."""
    return _dump(
        [
            {
                "key": section.key,
                "heading": section.heading,
                "text": section.text,
                "sources": sorted(section.sources),
            }
            for section in sections
        ]
    )


@functools.lru_cache(maxsize=256)  # a version is read at every response: decode it once
def decode_sections(text: str) -> tuple[Section, ...]:
    """Read :func:`encode_sections` back (the result is immutable and cached)."""
    return tuple(
        Section(item["key"], item["text"], heading=item["heading"], sources=item["sources"])
        for item in json.loads(text)
    )


def encode_answers(answers: Iterable[SectionResponse]) -> str:
    """A response's answers per section, in order."""
    return _dump(
        [
            {
                "section": answer.section,
                "opinion": None if answer.opinion is None else answer.opinion.value,
                "comment": answer.comment,
                "suggested_wording": answer.suggested_wording,
            }
            for answer in answers
        ]
    )


def decode_answers(text: str) -> tuple[SectionResponse, ...]:
    """Read :func:`encode_answers` back."""
    return tuple(
        SectionResponse(
            item["section"],
            None if item["opinion"] is None else Opinion(item["opinion"]),
            item["comment"],
            item["suggested_wording"],
        )
        for item in json.loads(text)
    )


def encode_recipients(recipients: Iterable[Recipient]) -> str:
    """A round's recipients, in order."""
    return _dump([[r.email, r.name, r.language] for r in recipients])


@functools.lru_cache(maxsize=64)  # a round is read at every response: decode it once
def decode_recipients(text: str) -> tuple[Recipient, ...]:
    """Read :func:`encode_recipients` back (the result is immutable and cached)."""
    return tuple(Recipient(email, name, language) for email, name, language in json.loads(text))


def encode_reminders(reminders: Iterable[ReminderRule]) -> str:
    """A round's reminder rules, in order (offsets in whole microseconds)."""
    return _dump(
        [[rule.offset // timedelta(microseconds=1), rule.anchor.value] for rule in reminders]
    )


def decode_reminders(text: str) -> tuple[ReminderRule, ...]:
    """Read :func:`encode_reminders` back."""
    return tuple(
        ReminderRule(timedelta(microseconds=micro), ReminderAnchor(anchor))
        for micro, anchor in json.loads(text)
    )


def encode_themes(themes: Iterable[str]) -> str:
    """A contribution's themes, sorted."""
    return _dump(sorted(themes))


def decode_themes(text: str) -> frozenset[str]:
    """Read :func:`encode_themes` back."""
    return frozenset(json.loads(text))
