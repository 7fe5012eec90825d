"""A draft version written as a Markdown (or plain text) file with headed sections.

Organisers write the draft response in a text editor or export it from a
word processor as Markdown. Each heading starts a section; the section's
key, which must stay the same from version to version so that comments can
be followed, is written after the heading or made from it::

    # Reactie op de consultatie            <- the draft's title (optional)

    ## Inleiding                           <- section "inleiding"
    Op 21 mei spraken cliëntenraden ...

    ## Hoe het eruit moet zien {#visie}    <- section "visie"
    De jeugdbescherming van de toekomst luistert naar het kind.
    <!-- bronnen: 1, 3 -->                 <- the input it draws on (input list)

A single ``#`` heading at the top is the title when the sections are ``##``
headings; otherwise the sections are the highest-level headings, and deeper
headings stay inside their section's text. Headings inside fenced code
blocks do not count. Every problem is reported with its line, all at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

import attrs

from participatie.exceptions import InvalidInputError
from participatie.feedback import Section

__all__ = ["DraftText", "read_draft_text"]

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_EXPLICIT_KEY = re.compile(r"^(.*?)\s*\{#([^}\s]*)\}$")
_SOURCES = re.compile(
    r"^\s*<!--\s*(?:bronnen|bron|sources|source)\s*:\s*(.*?)\s*-->\s*$", re.IGNORECASE
)
_FENCE: Final = ("```", "~~~")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:60].strip("-")


@attrs.frozen
class DraftText:
    """What a draft file holds.

    Attributes:
        title: The ``#`` title at the top, if the file has one.
        sections: The sections, in order (empty when there are problems).
        problems: ``(line, message)`` for everything wrong, in line order.
    """

    title: str | None
    sections: tuple[Section, ...]
    problems: tuple[tuple[int, str], ...]


@attrs.frozen
class _Heading:
    line: int
    level: int
    text: str


def _headings(lines: Sequence[str]) -> list[_Heading]:
    found = []
    fenced = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(_FENCE):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append(_Heading(number, len(match.group(1)), match.group(2)))
    return found


def read_draft_text(source: str) -> DraftText:
    """Read the sections (and title) of a draft file; see the module's docstring."""
    lines = source.lstrip("\ufeff").splitlines()
    headings = _headings(lines)
    problems: list[tuple[int, str]] = []
    title: _Heading | None = None
    if (
        headings
        and headings[0].level == 1
        and sum(1 for h in headings if h.level == 1) == 1
        and any(h.level > 1 for h in headings)
    ):
        title = headings.pop(0)
    if not headings:
        problems.append((1, "no sections: start each section with a heading (## Heading)"))
        return DraftText(title.text if title else None, (), tuple(problems))
    before = [
        number
        for number in range(1, headings[0].line)
        if lines[number - 1].strip() and (title is None or number != title.line)
    ]
    if before:
        problems.append((before[0], "text before the first section: give it a heading"))
    level = min(h.level for h in headings)
    starts = [h for h in headings if h.level == level]
    sections: list[Section] = []
    seen: dict[str, int] = {}
    for index, heading in enumerate(starts):
        end = starts[index + 1].line - 1 if index + 1 < len(starts) else len(lines)
        body = lines[heading.line : end]
        section = _section(heading, body, seen, problems)
        if section is not None:
            sections.append(section)
    problems.sort()
    return DraftText(
        title.text if title else None, tuple(sections) if not problems else (), tuple(problems)
    )


def _section(
    heading: _Heading, body: Sequence[str], seen: dict[str, int], problems: list[tuple[int, str]]
) -> Section | None:
    explicit = _EXPLICIT_KEY.match(heading.text)
    label = explicit.group(1) if explicit else heading.text
    key = explicit.group(2) if explicit else _slug(label)
    if not key:
        problems.append(
            (heading.line, f"heading {label!r} gives no key: write one after it, {{#key}}")
        )
        return None
    if key in seen:
        problems.append(
            (heading.line, f"section key {key!r} is used twice (first on line {seen[key]})")
        )
        return None
    seen[key] = heading.line
    sources: set[int] = set()
    kept: list[str] = []
    for offset, line in enumerate(body, start=heading.line + 1):
        found = _SOURCES.match(line)
        if found is None:
            kept.append(line)
            continue
        for part in re.split(r"[,;\s]+", found.group(1)):
            number = part.strip().lstrip("#")
            if not number:
                continue
            if not number.isdigit() or int(number) < 1:
                problems.append((offset, f"{part!r} is not the number of an input (input list)"))
            else:
                sources.add(int(number))
    text = "\n".join(kept).strip()
    if not text:
        problems.append((heading.line, f"section {key!r} has no text"))
        return None
    try:
        return Section(key, text, heading=label or None, sources=sources)
    except InvalidInputError as error:
        problems.append((heading.line, str(error)))
        return None
