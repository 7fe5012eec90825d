"""Turning a :class:`~participatie.Message` into an e-mail that is safe to send.

Two jobs, both shared by the ``outbox`` and ``smtp`` channels:

**The iMIP structure.** A message with a calendar part becomes the structure
Outlook, Gmail and Apple Mail all accept (CalConnect's iMIP practice, RFC
6047)::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain
    │   ├── text/html                     (when the message has HTML)
    │   └── text/calendar; method=REQUEST (the same METHOD as inside)
    └── application/ics                   (the same calendar, as an attachment)

Without a calendar it is ``multipart/alternative`` (text and HTML) or plain
text. Every message has one recipient in ``To`` and no ``Cc``/``Bcc``.

**Headers that cannot be injected.** Python's e-mail package (3.11.7 here)
decodes an encoded word in a header value as it is set, so a subject holding
the *text* ``=?UTF-8?Q?=0A?=Bcc: …`` turns into a real ``Bcc`` header when the
message is written (CVE-2024-6923). Text from people (names, titles, subjects)
therefore never goes through that parser: unless it is plain printable ASCII
without ``=?``, it is written as RFC 2047 encoded words by us, which a reader
decodes back to exactly the text. After building, the header block is parsed
again and compared with what was meant; any difference refuses the message.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy, compat32
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid
from typing import Any

from participatie._validate import normalise_email
from participatie.channels import Message
from participatie.exceptions import InvalidInputError, PermanentDeliveryError

__all__ = [
    "KEY_HEADER",
    "KIND_HEADER",
    "build_email",
    "display_name",
    "email_bytes",
    "message_id",
    "sender_domain",
]

#: The header that carries a message's idempotency key.
KEY_HEADER = "X-Participatie-Key"
#: The header that carries the message kind (``confirmation``, ``reminder`` …).
KIND_HEADER = "X-Participatie-Kind"

_SAFE_ASCII = re.compile(r"^[\x20-\x7e]{0,900}$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .'-]{0,60}$")


class _Encoded(str):
    """A header value we encoded ourselves; stored and written as it is."""

    __slots__ = ()


class _SafePolicy(EmailPolicy):
    """The default e-mail policy, except that our own encoded values are not re-parsed."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        if isinstance(value, _Encoded):
            return (name, value)
        return super().header_store_parse(name, value)


_POLICY = _SafePolicy(linesep="\r\n", refold_source="none")


def _b_word(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode('utf-8')).decode('ascii')}?="


def _encoded_words(text: str) -> _Encoded:
    """RFC 2047 "B" encoded words of at most 45 bytes of text each, one per line.

    Split between characters, never inside one; readers join adjacent encoded
    words of unstructured text (a subject) without a space.
    """
    words: list[str] = []
    chunk = ""
    size = 0
    for char in text:
        width = len(char.encode("utf-8"))
        if size + width > 45:
            words.append(_b_word(chunk))
            chunk, size = "", 0
        chunk += char
        size += width
    if chunk or not words:
        words.append(_b_word(chunk))
    return _Encoded("\n ".join(words))


def _encoded_word(text: str) -> str:
    # One encoded word for the whole phrase: readers join the several words a
    # folded phrase would need with a space, changing the name.
    return _b_word(text)


def display_name(name: str | None) -> str | None:
    """The name as it appears in an address header: runs of spaces become one."""
    if name is None:
        return None
    return " ".join(name.split()) or None


def _text_header(text: str, header_name: str) -> str:
    # Short printable ASCII goes as it is. Anything longer is encoded by us
    # too: the standard library folds some long plain values so that they
    # read back with a leading space.
    if _SAFE_ASCII.match(text) and "=?" not in text and len(header_name) + len(text) <= 76:
        return _Encoded(text)
    return _encoded_words(text)


def _mailbox(name: str | None, address: str) -> _Encoded:
    name = display_name(name)
    if not name:
        return _Encoded(f"<{address}>")
    phrase = f'"{name}"' if _SAFE_NAME.match(name) else _encoded_word(name)
    return _Encoded(f"{phrase} <{address}>")


def sender_domain(sender: str) -> str:
    """The domain of a sender address (for Message-IDs)."""
    return sender.rpartition("@")[2]


def message_id(key: str | None, domain: str) -> str:
    """A ``Message-ID``: derived from the idempotency key, so every retry has the same one."""
    if key is None:
        return make_msgid(domain=domain)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _address(value: str, what: str) -> str:
    try:
        return normalise_email(value)
    except InvalidInputError as error:
        raise PermanentDeliveryError(f"{what} {value!r} is not an e-mail address") from error


def build_email(message: Message, *, sender: str, now: datetime) -> EmailMessage:
    """The e-mail for ``message``, from ``sender``, dated ``now``.

    Raises :class:`~participatie.exceptions.PermanentDeliveryError` when the
    recipient is not an e-mail address, and
    :class:`~participatie.exceptions.InvalidInputError` if a header would not
    come out exactly as meant.
    """
    return _render(message, sender, now)[0]


def email_bytes(message: Message, *, sender: str, now: datetime) -> bytes:
    """:func:`build_email`, written out with CRLF line ends (what goes over SMTP)."""
    return _render(message, sender, now)[1]


def _render(message: Message, sender: str, now: datetime) -> tuple[EmailMessage, bytes]:
    recipient = _address(message.recipient, "the recipient")
    sender = _address(sender, "the sender")
    try:
        return _build(message, sender, recipient, now, names=True)
    except _NameMismatchError:
        # A name no reader would decode exactly as written: leave names out
        # rather than send a header that says something else.
        return _build(message, sender, recipient, now, names=False)


class _NameMismatchError(Exception):
    """A name in an address header would not read back as written (internal)."""


def _build(
    message: Message, sender: str, recipient: str, now: datetime, *, names: bool
) -> tuple[EmailMessage, bytes]:
    email = EmailMessage(policy=_POLICY)
    email["From"] = _mailbox(message.sender_name if names else None, sender)
    email["To"] = _mailbox(message.recipient_name if names else None, recipient)
    if message.reply_to is not None:
        email["Reply-To"] = _mailbox(None, message.reply_to)
    email["Subject"] = _text_header(message.subject, "Subject")
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message.key, sender_domain(sender))
    email["Auto-Submitted"] = "auto-generated"
    email[KIND_HEADER] = message.kind
    if message.key is not None:
        # As it is, unfolded: the key is printable ASCII of at most 200 characters
        # (Message.key checks), and a folded key would read back with a space.
        email[KEY_HEADER] = _Encoded(message.key)

    # Encodings chosen here, not guessed per part (the standard library would
    # compare two encodings of every part): quoted-printable for the text,
    # readable in any mail program's source view; base64 for HTML and the
    # calendar, which are read by programs and base64 is fast to write.
    email.set_content(message.text, cte="quoted-printable")
    if message.html is not None:
        email.add_alternative(message.html, subtype="html", cte="base64")
    calendar = message.calendar
    if calendar is not None:
        email.add_alternative(
            calendar.ics.decode("utf-8"),
            subtype="calendar",
            params={"method": calendar.method},
            cte="base64",
        )
        email.make_mixed()
        email.add_attachment(
            calendar.ics, maintype="application", subtype="ics", filename=calendar.filename
        )
    # Set last: building the body moves Content-* headers into the first part.
    email["Content-Language"] = message.language
    data = email.as_bytes()
    _check_headers(data, message, recipient, names=names)
    return email, data


_EXPECTED_HEADERS = (
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "auto-submitted",
    "content-language",
    KIND_HEADER.lower(),
    "mime-version",
    "content-type",
)


def _check_headers(data: bytes, message: Message, recipient: str, *, names: bool) -> None:
    """Parse the header block back and refuse anything that is not exactly what we set.

    The header block is split as any reader splits it; the values that carry
    text from people are then read as a modern reader (the standard library's
    default policy, which decodes encoded words) reads them.
    """
    raw = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    block = BytesHeaderParser(policy=compat32).parsebytes(raw)
    header_names = sorted(name.lower() for name in block)

    def read(name: str) -> Any:
        value = block.get(name)
        return None if value is None else default_policy.header_fetch_parse(name, value)

    parsed = {name: read(name) for name in ("Subject", "To", "From", KEY_HEADER)}
    expected = list(_EXPECTED_HEADERS)
    if message.reply_to is not None:
        expected.append("reply-to")
    if message.key is not None:
        expected.append(KEY_HEADER.lower())
    if "content-transfer-encoding" in header_names:  # a single text part carries its own
        expected.append("content-transfer-encoding")
    problems = []
    if header_names != sorted(expected):
        problems.append(f"headers {header_names} instead of {sorted(expected)}")
    if message.key is not None and str(parsed[KEY_HEADER]) != message.key:
        problems.append("the key would read differently")
    if str(parsed["Subject"]) != message.subject:
        problems.append("the subject would read differently")
    to: Sequence[Any] = parsed["To"].addresses if parsed["To"] is not None else ()
    sender: Sequence[Any] = parsed["From"].addresses if parsed["From"] is not None else ()
    if len(to) != 1 or to[0].addr_spec != recipient or len(sender) != 1:
        problems.append("the sender or recipient would change")
    if problems:
        raise InvalidInputError(
            "refusing to build an e-mail whose headers would not be what was meant: "
            + "; ".join(problems)
        )
    expected_to = display_name(message.recipient_name) if names else None
    expected_from = display_name(message.sender_name) if names else None
    if (to[0].display_name or None, sender[0].display_name or None) != (
        expected_to,
        expected_from,
    ):
        raise _NameMismatchError
