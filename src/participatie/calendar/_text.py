"""Text that goes into a calendar file: cleaned, or refused.

A calendar file is a list of lines, so one stray line break in a title could
end a property early and start a new one (``ATTENDEE:...`` smuggled in through
a session title). icalendar escapes line breaks in TEXT values, but what it
does with other control characters is its own business; we decide here, so
the file we write is the same whatever icalendar version writes it:

* free text (titles, descriptions, places, names) is *cleaned*: every line
  break becomes ``\\n`` (which icalendar writes as the escape ``\\n``), other
  control characters and lone surrogates become a space or U+FFFD, so text is
  kept, never dropped;
* identifiers and links (UID, URL) are *refused* when they hold anything but
  visible characters: a changed link or identifier is a different one, and
  quietly "repairing" it would send people to the wrong place.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from participatie.exceptions import InvalidInputError

__all__ = ["check_domain", "check_link", "check_uid", "clean_line", "clean_text"]

_LINE_BREAKS = re.compile("\r\n|\r|\u2028|\u2029|\x85|\x0b|\x0c")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_UID_CHARACTERS = re.compile(r"[A-Za-z0-9@._+=-]+")
_MAX_UID = 255


def clean_text(text: str) -> str:
    """Free text as it may stand in a calendar TEXT value.

    Line breaks of every kind become ``\\n``; tabs and other control
    characters become a space; lone surrogates (which cannot be written as
    UTF-8) become U+FFFD. Everything else is kept as it is.
    """
    text = _LINE_BREAKS.sub("\n", text)
    if text.isprintable():  # the common case: nothing to replace
        return text
    out: list[str] = []
    for char in text:
        if char == "\n" or char.isprintable():
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            out.append("\ufffd")
        elif category == "Cc":
            out.append(" ")
        else:  # format characters, non-breaking spaces: harmless in TEXT
            out.append(char)
    return "".join(out)


def clean_line(text: str) -> str:
    """Free text for a one-line value (a title, a place, a name).

    Like :func:`clean_text`, with line breaks turned into ``" / "`` so that
    what was on several lines stays readable on one.
    """
    lines = [line.strip() for line in clean_text(text).split("\n")]
    return " / ".join(line for line in lines if line)


def _visible(value: str) -> bool:
    """Only characters that show: no spaces, line breaks or other control characters."""
    return value.isprintable() and not any(char.isspace() for char in value)


def check_uid(uid: str) -> str:
    """Return ``uid`` if it may be written as a UID, else refuse it.

    We only write UIDs we derive ourselves, from letters, digits and
    ``@._+=-``; anything else (a line break, a space, a semicolon) means the
    UID was not made by us and is refused with
    :class:`~participatie.exceptions.InvalidInputError`.
    """
    if (
        not isinstance(uid, str)
        or not uid
        or len(uid) > _MAX_UID
        or not _UID_CHARACTERS.fullmatch(uid)
    ):
        raise InvalidInputError(f"not a calendar UID participatie can write: {uid!r}")
    return uid


def check_link(url: str) -> str:
    """Return ``url`` if it is an http(s) link with only visible characters, else refuse it.

    A link is written into URL and CONFERENCE as it is; a line break or a
    space in it would break the file or change where people go, so the link
    is refused (:class:`~participatie.exceptions.InvalidInputError`), not
    repaired.
    """
    if not isinstance(url, str) or not url or not _visible(url) or '"' in url:
        raise InvalidInputError(
            f"a calendar link must be a plain http:// or https:// address: {url!r}"
        )
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInputError(f"a calendar link must start with http:// or https://: {url!r}")
    return url


def check_domain(domain: str) -> str:
    """Return ``domain`` (lower case) if it is a host name fit for the right side of a UID."""
    if not isinstance(domain, str):
        raise InvalidInputError(f"a UID domain must be text, not {type(domain).__name__}")
    lowered = domain.lower()
    labels = lowered.split(".")
    if len(lowered) > 200 or len(labels) < 2 or not all(_HOST_LABEL.fullmatch(x) for x in labels):
        raise InvalidInputError(f"not a domain name for calendar UIDs: {domain!r}")
    return lowered
