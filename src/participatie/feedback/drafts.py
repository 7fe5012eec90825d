"""Draft documents (the consultation response) and their versions.

A draft is written in versions; each version is a sequence of sections
(paragraphs) with **stable identifiers**, so that a participant's comment on
section ``visie`` in version 1 can be followed into version 2, and a
per-section diff says what changed. A section may name the input
(contributions) it draws on, which lets a participant see where their words
went.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from participatie import _validate as v
from participatie.exceptions import InvalidInputError, UnknownContributionError

__all__ = ["Draft", "DraftVersion", "Section", "check_sources"]


@attrs.frozen
class Draft:
    """A document participants are asked to check, such as a consultation response.

    Attributes:
        key: Identifier (lower-case letters, digits and hyphens).
        event_key: The event whose input it works out.
        title: The document's title.
    """

    key: str = attrs.field(validator=v.slug)
    event_key: str = attrs.field(validator=v.slug)
    title: str = attrs.field(validator=v.single_line)


def _ids(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values)


def _check_ids(_instance: object, _attribute: attrs.Attribute[Any], value: frozenset[int]) -> None:
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item < 1:
            raise InvalidInputError(f"a section's sources are contribution ids, not {item!r}")


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _check_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    v.multi_line(instance, attribute, value)
    if not str(value).strip():
        raise InvalidInputError("a section's text must not be empty")


@attrs.frozen
class Section:
    """One paragraph of a draft version.

    Attributes:
        key: The section's stable identifier: the same key in the next version
            is the same section, changed or not.
        text: The section's text (paragraphs separated by blank lines).
        heading: An optional heading.
        sources: Ids of the contributions the section draws on.
    """

    key: str = attrs.field(validator=v.slug)
    text: str = attrs.field(converter=_strip, validator=_check_text)
    heading: str | None = attrs.field(
        default=None, converter=_strip, validator=v.optional_single_line, kw_only=True
    )
    sources: frozenset[int] = attrs.field(
        default=frozenset(), converter=_ids, validator=_check_ids, kw_only=True
    )

    @property
    def label(self) -> str:
        """How the section is named to people: its heading, or else its key."""
        return self.heading if self.heading is not None else self.key


def _sections(values: Iterable[Section]) -> tuple[Section, ...]:
    return tuple(values)


def _check_sections(
    version: DraftVersion, _attribute: attrs.Attribute[Any], value: tuple[Section, ...]
) -> None:
    if not value:
        raise InvalidInputError(
            f"version {version.number} of {version.draft_key!r} has no sections"
        )
    seen: set[str] = set()
    for section in value:
        if not isinstance(section, Section):
            raise InvalidInputError(f"{section!r} is not a Section")
        if section.key in seen:
            raise InvalidInputError(
                f"version {version.number} of {version.draft_key!r} has two sections "
                f"named {section.key!r}"
            )
        seen.add(section.key)


def _check_number(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"a version number is a whole number of at least 1, not {value!r}")


@attrs.frozen
class DraftVersion:
    """One version of a draft: its sections, in order.

    Attributes:
        draft_key: The draft.
        number: 1 for the first version, then 2, 3, ... (assigned by the store).
        sections: The sections, in reading order, with unique keys.
        note: What the author says about this version ("after round 1").
        created_at: When it was stored (UTC); set by the store.
    """

    draft_key: str = attrs.field(validator=v.slug)
    number: int = attrs.field(validator=_check_number)
    sections: tuple[Section, ...] = attrs.field(converter=_sections, validator=_check_sections)
    note: str = attrs.field(default="", validator=v.multi_line, kw_only=True)
    created_at: datetime | None = attrs.field(
        default=None, validator=v.optional_aware, kw_only=True
    )

    @property
    def keys(self) -> tuple[str, ...]:
        """The section keys, in order."""
        return tuple(section.key for section in self.sections)

    def section(self, key: str) -> Section:
        """The section with ``key``; :class:`InvalidInputError` if there is none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise InvalidInputError(
            f"version {self.number} of {self.draft_key!r} has no section {key!r} "
            f"(it has {', '.join(self.keys)})"
        )

    def has_section(self, key: str) -> bool:
        """Whether the version has a section with ``key``."""
        return key in self.keys


def check_sources(sections: Iterable[Section], known: Iterable[int]) -> None:
    """Refuse sections that draw on input the event does not have."""
    available = set(known)
    for section in sections:
        unknown = sorted(section.sources - available)
        if unknown:
            raise UnknownContributionError(
                f"section {section.key!r} draws on input "
                f"{', '.join(str(i) for i in unknown)}, which the event does not have"
            )
