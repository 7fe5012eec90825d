"""Validators shared by the domain classes: text, identifiers, e-mail, links.

They run at the edge (when a value is built), so everything inside the library
can trust its inputs. Each raises :class:`~participatie.exceptions.InvalidInputError`
with a message that names the field.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import attrs

from participatie.exceptions import InvalidInputError, NaiveDatetimeError

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# A practical address check: one @, no spaces or control characters, a dot in
# the domain. Deliverability is the mail server's business, not ours.
_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\\\]]+@[^@\s\"(),:;<>\[\\\]]+\.[^@\s\"(),:;<>\[\\\]]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{4,30}$")


def has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    """True if ``text`` holds control, format or line/paragraph separator characters.

    Such characters break e-mail headers and calendar lines (CR, LF, NUL,
    U+2028), so single-line fields refuse them outright.
    """
    for char in text:
        if allow_newlines and char == "\n":
            continue
        category = unicodedata.category(char)
        if category in {"Cc", "Cf", "Zl", "Zp"}:
            return True
    return False


def _name_of(attribute: attrs.Attribute[Any]) -> str:
    return attribute.name.replace("_", " ")


def single_line(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A non-empty line of text without control characters."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{_name_of(attribute)} must be text, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(f"{_name_of(attribute)} must not be empty")
    if has_control_characters(value):
        raise InvalidInputError(
            f"{_name_of(attribute)} must be one line without control characters: {value!r}"
        )


def optional_single_line(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Like :func:`single_line`, but ``None`` is allowed."""
    if value is not None:
        single_line(instance, attribute, value)


def multi_line(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Text that may span lines (``\\n``) but holds no other control characters."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{_name_of(attribute)} must be text, not {type(value).__name__}")
    if has_control_characters(value, allow_newlines=True):
        raise InvalidInputError(f"{_name_of(attribute)} holds control characters: {value!r}")


def slug(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An identifier: lower-case letters, digits and inner hyphens, at most 64 long.

    Identifiers end up in calendar UIDs, file names and URLs, so they are kept
    to characters that are safe in all three.
    """
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise InvalidInputError(
            f"{_name_of(attribute)} {value!r} must be 1-64 lower-case letters, digits "
            "and hyphens, not starting or ending with a hyphen"
        )


def normalise_email(value: str) -> str:
    """Trim and lower-case an e-mail address, then check its form.

    Case and surrounding spaces must not make one person two registrants.
    (Mailbox names are case-sensitive in theory; no provider our users meet
    treats them so, and treating them so would create duplicates.)
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"e-mail address must be text, not {type(value).__name__}")
    cleaned = unicodedata.normalize("NFC", value.strip()).lower()
    if not _EMAIL.fullmatch(cleaned) or has_control_characters(cleaned) or len(cleaned) > 254:
        raise InvalidInputError(f"not a valid e-mail address: {value!r}")
    return cleaned


def email(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An already normalised e-mail address (see :func:`normalise_email`)."""
    if not isinstance(value, str) or normalise_email(value) != value:
        raise InvalidInputError(f"{_name_of(attribute)} is not a valid e-mail address: {value!r}")


def phone(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An optional phone number: digits with an optional leading +, spaces, hyphens."""
    if value is None:
        return
    if not isinstance(value, str) or not _PHONE.fullmatch(value):
        raise InvalidInputError(f"{_name_of(attribute)} is not a phone number: {value!r}")


def web_link(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An optional http(s) URL with a host and no spaces or control characters.

    Links go into calendar files and e-mails verbatim, so a link that could
    smuggle a line break or a ``javascript:`` scheme is refused.
    """
    if value is None:
        return
    if (
        not isinstance(value, str)
        or has_control_characters(value)
        or any(c.isspace() for c in value)
    ):
        raise InvalidInputError(f"{_name_of(attribute)} is not a valid link: {value!r}")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InvalidInputError(
            f"{_name_of(attribute)} must be an http:// or https:// link: {value!r}"
        )


def aware(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A datetime that carries a time zone (an instant, not a wall-clock reading)."""
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{_name_of(attribute)} must be a datetime, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{_name_of(attribute)} {value.isoformat()} has no time zone; "
            "give an aware datetime (for example with participatie.local_datetime)"
        )


def optional_aware(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Like :func:`aware`, but ``None`` is allowed."""
    if value is not None:
        aware(instance, attribute, value)


def positive_int(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A whole number of at least one (``bool`` is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{_name_of(attribute)} must be a whole number of at least 1")


def optional_positive_int(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Like :func:`positive_int`, but ``None`` (no limit) is allowed."""
    if value is not None:
        positive_int(instance, attribute, value)
