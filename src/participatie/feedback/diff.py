"""What changed between two versions of a draft, section by section.

Sections are matched by their stable keys, not by position: a section that
moved is the same section. Within a section the change is shown word by word
(with :mod:`difflib`), which reads far better for prose than a line diff:
"de [-gemeente-] {+jeugdbeschermer+} beslist". Renderers for plain text,
Markdown and HTML live here too, because every consumer (the personal
summary, the reports) needs the same reading of a change.
"""

from __future__ import annotations

import difflib
import enum
import html
import re

import attrs

from participatie.feedback.drafts import DraftVersion, Section

__all__ = [
    "ChangeKind",
    "SectionChange",
    "Segment",
    "compare_versions",
    "escape_markdown",
    "word_diff",
]

# Words, runs of whitespace, and single other characters (punctuation): the
# units a reader notices when a sentence changes.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)


class ChangeKind(enum.Enum):
    """What happened to a section between two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@attrs.frozen
class Segment:
    """A run of text that is the same, inserted or deleted.

    Attributes:
        op: ``"equal"``, ``"insert"`` or ``"delete"``.
        text: The text of the run.
    """

    op: str
    text: str


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """The change from ``old`` to ``new`` as runs of equal, deleted and inserted text.

    Joining the ``equal`` and ``delete`` runs gives ``old`` back; joining the
    ``equal`` and ``insert`` runs gives ``new``. A change reads as one change:
    all that was deleted, then all that was inserted. A short equal run (at
    most two words) squeezed between larger changes is folded into them, as
    diff-match-patch's semantic cleanup does, so a rewritten sentence shows
    as one rewrite instead of a mosaic of single words.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    # (equal?, old tokens, new tokens), merged until no short equal run is left
    # between two changes.
    runs: list[tuple[bool, list[str], list[str]]] = [
        (tag == "equal", a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    merged = True
    while merged:
        merged = False
        for index in range(1, len(runs) - 1):
            before, here, after = runs[index - 1], runs[index], runs[index + 1]
            if not here[0] or before[0] or after[0]:
                continue
            text = "".join(here[1])
            words = sum(1 for token in here[1] if _WORD.match(token))
            changed = max(
                len("".join(before[1])) + len("".join(before[2])),
                len("".join(after[1])) + len("".join(after[2])),
            )
            if words <= 2 and len(text) <= changed:
                runs[index - 1 : index + 2] = [
                    (False, before[1] + here[1] + after[1], before[2] + here[1] + after[2])
                ]
                merged = True
                break
    segments: list[Segment] = []
    for equal, old_tokens, new_tokens in runs:
        if equal:
            segments.append(Segment("equal", "".join(old_tokens)))
            continue
        for op, tokens in (("delete", old_tokens), ("insert", new_tokens)):
            if tokens:
                segments.append(Segment(op, "".join(tokens)))
    # Adjacent changes (a replace next to an insert) read as one change.
    tidy: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if tidy and tidy[-1].op == segment.op:
            tidy[-1] = Segment(segment.op, tidy[-1].text + segment.text)
        elif (
            segment.op == "delete"
            and len(tidy) >= 2
            and tidy[-1].op == "insert"
            and tidy[-2].op == "delete"
        ):
            tidy[-2] = Segment("delete", tidy[-2].text + segment.text)
        else:
            tidy.append(segment)
    return tuple(tidy)


@attrs.frozen
class SectionChange:
    """One section compared between two versions.

    Attributes:
        key: The section's key.
        kind: Added, removed, changed or unchanged.
        old: The section in the older version (``None`` if added).
        new: The section in the newer version (``None`` if removed).
        segments: The word-level change of the text.
        heading_changed: Whether the heading changed.
    """

    key: str
    kind: ChangeKind
    old: Section | None
    new: Section | None
    segments: tuple[Segment, ...]
    heading_changed: bool = False

    @property
    def label(self) -> str:
        """The section's heading (newest available) or key."""
        section = self.new if self.new is not None else self.old
        assert section is not None
        return section.label

    def as_text(self) -> str:
        """Plain text with ``[-deleted-]`` and ``{+inserted+}`` marks.

        The marks are those of ``git diff --word-diff``; they survive any
        mail client, which colours and strike-through do not.
        """
        marks = {"equal": ("", ""), "delete": ("[-", "-]"), "insert": ("{+", "+}")}
        return "".join(f"{marks[s.op][0]}{s.text}{marks[s.op][1]}" for s in self.segments)

    def as_markdown(self) -> str:
        """Markdown: deletions struck through, insertions in bold.

        The text is escaped, so a participant's ``*`` or ``<`` stays a
        character and does not become formatting or markup.
        """
        parts = []
        for segment in self.segments:
            text = escape_markdown(segment.text)
            if segment.op == "equal" or not segment.text.strip():
                parts.append(text)
            elif segment.op == "delete":
                parts.append(_wrap(text, "~~"))
            else:
                parts.append(_wrap(text, "**"))
        return "".join(parts)

    def as_html(self) -> str:
        """HTML with ``<del>`` and ``<ins>``; every piece of text escaped."""
        parts = []
        for segment in self.segments:
            text = html.escape(segment.text, quote=True)
            if segment.op == "equal":
                parts.append(text)
            elif segment.op == "delete":
                parts.append(f"<del>{text}</del>")
            else:
                parts.append(f"<ins>{text}</ins>")
        return "".join(parts)


def _wrap(text: str, mark: str) -> str:
    # Markdown emphasis must hug the words: keep surrounding spaces outside.
    stripped = text.strip()
    start = text[: len(text) - len(text.lstrip())]
    end = text[len(text.rstrip()) :]
    return f"{start}{mark}{stripped}{mark}{end}"


# Characters that mean something anywhere in a line, and line starts that make
# a heading, a list, a quote or a numbered item.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+)([.)]?)", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Text that Markdown shows as it is: no formatting, links or raw HTML.

    Characters that format anywhere (``* _ ` [ ] < > | ~ & \\``) are
    backslash-escaped everywhere; ``# > + - =`` and ``1.`` only where they
    start a line (a heading, quote, list or numbered item), so ordinary
    sentences stay readable in the raw file. Line breaks are kept.
    """
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark, after = match.groups()
    if mark.isdigit():  # "1." or "1)" starts a numbered item; a bare number does not
        return f"{indent}{mark}\\{after}" if after else match.group(0)
    return f"{indent}\\{mark}{after}"


def compare_versions(old: DraftVersion, new: DraftVersion) -> list[SectionChange]:
    """Every section of both versions, matched by key.

    In the new version's order, followed by the sections the new version no
    longer has (in the old version's order).
    """
    before = {section.key: section for section in old.sections}
    changes: list[SectionChange] = []
    for section in new.sections:
        previous = before.get(section.key)
        if previous is None:
            changes.append(
                SectionChange(
                    section.key,
                    ChangeKind.ADDED,
                    None,
                    section,
                    (Segment("insert", section.text),),
                )
            )
            continue
        segments = word_diff(previous.text, section.text)
        heading_changed = previous.heading != section.heading
        same = previous.text == section.text and not heading_changed
        changes.append(
            SectionChange(
                section.key,
                ChangeKind.UNCHANGED if same else ChangeKind.CHANGED,
                previous,
                section,
                segments,
                heading_changed,
            )
        )
    kept = {section.key for section in new.sections}
    for section in old.sections:
        if section.key not in kept:
            changes.append(
                SectionChange(
                    section.key,
                    ChangeKind.REMOVED,
                    section,
                    None,
                    (Segment("delete", section.text),),
                )
            )
    return changes
