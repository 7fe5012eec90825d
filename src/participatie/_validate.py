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
import email_validator

from participatie.exceptions import InvalidInputError, NaiveDatetimeError

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
#: The domain of the addresses given to erased people's tombstones. It is a
#: reserved name (RFC 6761) that no real address has, so the validator
#: refuses it; only this exact form is let through, for stored tombstones.
ERASED_DOMAIN = "erased.invalid"
_TOMBSTONE_EMAIL = re.compile(r"^erased-[0-9a-f]{16,64}@erased\.invalid$")


def is_erased_address(email: str) -> bool:
    """Whether ``email`` is the address of an erased person's tombstone (never written to)."""
    return email.endswith("@" + ERASED_DOMAIN)


#: The longest name, title or other single line of text (characters).
MAX_LINE_LENGTH = 200
#: The longest multi-line text (a purpose, a message body).
MAX_TEXT_LENGTH = 100_000
#: Scripts that may be mixed in one identifier (Unicode TS #39, "highly
#: restrictive"): Japanese, Chinese with Bopomofo, Korean, each with Latin.
_SCRIPT_SETS = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
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
    _check_length(attribute, value, MAX_LINE_LENGTH)
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
    _check_length(attribute, value, MAX_TEXT_LENGTH)
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


def _check_length(attribute: attrs.Attribute[Any], value: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidInputError(
            f"{_name_of(attribute)} is {len(value)} characters long; at most {limit} are allowed"
        )


def clean_line(value: object) -> object:
    """Trim a line of text and compose its accents (NFC), before it is validated.

    Spaces around a name and two encodings of the same "é" must not make two
    spellings of one name. Anything that is not text is passed on unchanged,
    for the validator to refuse with a clear message.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def clean_optional_line(value: object) -> object:
    """Like :func:`clean_line`; ``None`` stays ``None``."""
    return None if value is None else clean_line(value)


def script_of(char: str) -> str | None:
    """The script of a letter (``"LATIN"``, ``"CYRILLIC"``, ``"HAN"`` …); ``None`` otherwise.

    Digits, punctuation, marks and symbols belong to every script (Unicode's
    *Common* and *Inherited*). The script is read from the character's
    Unicode name, which starts with it for letters.
    """
    if not unicodedata.category(char).startswith("L"):
        return None
    name = unicodedata.name(char, "")
    if not name or name.startswith("MODIFIER LETTER"):
        return None
    first = name.split(" ", 1)[0]
    return "HAN" if first == "CJK" else first


def mixes_scripts(text: str) -> bool:
    """Whether ``text`` mixes scripts beyond what one writing system uses.

    One script is fine, and so are the combinations of Unicode TS #39's
    *highly restrictive* profile (Latin with Han and Japanese kana, with Han
    and Bopomofo, or with Han and Hangul). Latin mixed with Cyrillic or Greek
    is refused: that is how ``paypal`` written with a Cyrillic U+0430 for
    the first ``a`` imitates the real name.
    """
    scripts = {script for char in text if (script := script_of(char)) is not None}
    if len(scripts) <= 1:
        return False
    return not any(scripts <= allowed for allowed in _SCRIPT_SETS)


def normalise_email(value: str) -> str:
    """Normalise an e-mail address and check it; the one rule for every address.

    1. Trim surrounding spaces and apply Unicode NFKC normalisation, so
       full-width forms (U+FF4E ... U+FF20 ..., as some Asian keyboards type
       them) and other compatibility
       characters become their plain equivalents, then lower-case it: case
       and spaces must not make one person two registrants. (Mailbox names
       are case-sensitive in theory; no provider our users meet treats them
       so, and treating them so would create duplicates.)
    2. Check the syntax with the ``email-validator`` package, without any DNS
       lookup: international domains are allowed (and a domain written in
       ``xn--`` form is stored in its Unicode form, so the two spellings are
       one address); quoted local parts, IP-address domains, reserved names
       such as ``.test`` or ``localhost``, control, format and bidirectional
       characters are refused.
    3. Refuse a part before the ``@`` or a domain label that mixes scripts
       (see :func:`mixes_scripts`): look-alike letters from another script
       would make an address that reads like someone else's.

    The addresses of erased people's tombstones (``erased-…@erased.invalid``)
    are the one exception to step 2; see :data:`ERASED_DOMAIN`.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"e-mail address must be text, not {type(value).__name__}")
    cleaned = unicodedata.normalize("NFKC", value.strip()).lower()
    if _TOMBSTONE_EMAIL.match(cleaned):
        return cleaned
    try:
        checked = email_validator.validate_email(
            cleaned,
            check_deliverability=False,
            allow_smtputf8=True,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except email_validator.EmailNotValidError as error:
        raise InvalidInputError(f"not a valid e-mail address: {value!r}: {error}") from None
    normalised = checked.normalized.lower()
    local, _, domain = normalised.rpartition("@")
    for part in (local, *domain.split(".")):
        if mixes_scripts(part):
            raise InvalidInputError(
                f"not a valid e-mail address: {value!r}: {part!r} mixes letters of different "
                "scripts (for example Latin and Cyrillic), which makes look-alike addresses"
            )
    return normalised


def lookup_email(value: str) -> str:
    """The form an address is stored in, for looking someone up.

    A valid address is normalised exactly as when it was stored; anything
    else (an address stored before the current rule) is trimmed, NFKC-
    normalised and lower-cased, so a lookup never fails on the rule itself.
    """
    try:
        return normalise_email(value)
    except InvalidInputError:
        return unicodedata.normalize("NFKC", str(value).strip()).lower()


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
