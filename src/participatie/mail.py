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
therefore never goes through that parser: unless it is short, plain printable
ASCII without ``=?``, it is written as RFC 2047 encoded words by us, which a
reader decodes back to exactly the text. The message is written out by this
module itself (see ``_body``), and its header block is then parsed again
with the standard library's modern policy and compared with what was meant;
any difference refuses the message.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import quopri
import re
import secrets
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.policy import compat32
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid

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
    """A header value we encoded ourselves (printable ASCII, folded with LF and a space)."""

    __slots__ = ()


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
    """The e-mail for ``message``, from ``sender``, dated ``now``, read back by ``email``.

    Raises :class:`~participatie.exceptions.PermanentDeliveryError` when the
    recipient is not an e-mail address, and
    :class:`~participatie.exceptions.InvalidInputError` if a header would not
    come out exactly as meant.
    """
    parsed = BytesParser(policy=_READ_POLICY).parsebytes(
        email_bytes(message, sender=sender, now=now)
    )
    assert isinstance(parsed, EmailMessage)
    return parsed


def email_bytes(message: Message, *, sender: str, now: datetime) -> bytes:
    """The e-mail for ``message`` as it goes over SMTP (CRLF line ends); see :func:`build_email`."""
    recipient = _address(message.recipient, "the recipient")
    sender = _address(sender, "the sender")
    try:
        return _build(message, sender, recipient, now, names=True)
    except _NameMismatchError:
        # A name no reader would decode exactly as written: leave names out
        # rather than send a header that says something else.
        return _build(message, sender, recipient, now, names=False)


#: How :func:`build_email` reads the bytes back: header lines are kept exactly
#: as written, so writing the message out again (``as_bytes()``) gives the same
#: headers. (Re-folding them would decode the encoded words first, which is
#: how CVE-2024-6923 turns text into headers.)
_READ_POLICY = default_policy.clone(refold_source="none", linesep="\r\n")


class _NameMismatchError(Exception):
    """A name in an address header would not read back as written (internal)."""


# --- writing the MIME structure ---------------------------------------------------
#
# The structure is fixed and small, so it is written directly rather than with
# the email package's generator, which is some fifty times slower (it parses
# every header it sets and weighs two encodings for every part). The text is
# quoted-printable, readable in any mail program's source view; HTML and the
# calendar are base64. Boundaries start with "=_": neither encoding can
# produce that, so no boundary can occur inside a part.

_CRLF = b"\r\n"


def _qp(text: str) -> bytes:
    return quopri.encodestring(text.encode("utf-8")).replace(b"\n", _CRLF)


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", _CRLF)


def _part(headers: list[str], body: bytes) -> list[bytes]:
    return [*(f"{line}\r\n".encode("ascii") for line in headers), _CRLF, body]


def _multipart(subtype: str, parts: list[list[bytes]]) -> list[bytes]:
    boundary = f"=_{subtype}_{secrets.token_hex(12)}"
    chunks = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode()]
    for part in parts:
        chunks += [f"--{boundary}\r\n".encode(), *part, _CRLF]
    chunks.append(f"--{boundary}--\r\n".encode())
    return chunks


def _body(message: Message) -> list[bytes]:
    plain = _part(
        [
            'Content-Type: text/plain; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
        ],
        _qp(message.text),
    )
    calendar = message.calendar
    if message.html is None and calendar is None:
        return plain
    alternatives = [plain]
    if message.html is not None:
        alternatives.append(
            _part(
                ['Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: base64"],
                _b64(message.html.encode("utf-8")),
            )
        )
    if calendar is None:
        return _multipart("alternative", alternatives)
    alternatives.append(
        _part(
            [
                f'Content-Type: text/calendar; charset="utf-8"; method="{calendar.method}"',
                "Content-Transfer-Encoding: base64",
            ],
            _b64(calendar.ics),
        )
    )
    attachment = _part(
        [
            f'Content-Type: application/ics; name="{calendar.filename}"',
            f'Content-Disposition: attachment; filename="{calendar.filename}"',
            "Content-Transfer-Encoding: base64",
        ],
        _b64(calendar.ics),
    )
    return _multipart("mixed", [_multipart("alternative", alternatives), attachment])


def _build(message: Message, sender: str, recipient: str, now: datetime, *, names: bool) -> bytes:
    headers: list[tuple[str, str]] = [
        ("From", _mailbox(message.sender_name if names else None, sender)),
        ("To", _mailbox(message.recipient_name if names else None, recipient)),
    ]
    if message.reply_to is not None:
        headers.append(("Reply-To", _mailbox(None, message.reply_to)))
    headers += [
        ("Subject", _text_header(message.subject, "Subject")),
        ("Date", format_datetime(now)),
        ("Message-ID", message_id(message.key, sender_domain(sender))),
        ("Auto-Submitted", "auto-generated"),
        ("Content-Language", message.language),
        (KIND_HEADER, message.kind),
    ]
    if message.key is not None:
        # The key is printable ASCII of at most 200 characters (Message checks).
        headers.append((KEY_HEADER, message.key))
    headers.append(("MIME-Version", "1.0"))
    lines = [
        f"{name}: {value}".replace("\n", "\r\n").encode("ascii") + _CRLF for name, value in headers
    ]
    data = b"".join([*lines, *_body(message)])
    _check_headers(data, headers, message, recipient, names=names)
    return data


_FOLD = re.compile(r"\r?\n(?=[ \t])")
_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$")


def _unfold(value: str) -> str:
    return _FOLD.sub("", value)


@functools.lru_cache(maxsize=4096)
def _reads_as(name: str, value: str) -> tuple[str, ...]:
    """What a modern reader (the standard library's default policy) makes of a header value.

    Cached: the same subject or name is read the same way every time.
    """
    header = default_policy.header_fetch_parse(name, value)
    if name in {"To", "From"}:
        return tuple(f"{a.display_name}\x00{a.addr_spec}" for a in header.addresses)
    return (str(header),)


def _mailbox_reads_as(name: str, value: str, address: str) -> str | None:
    """The display name a reader sees in ``value`` for ``address`` (``None``: not one mailbox)."""
    phrase = value.removesuffix(f" <{address}>") if value != f"<{address}>" else ""
    if _PLAIN_ADDRESS.match(address):
        # Read the phrase on its own (cached: names repeat) with a stand-in address.
        read = _reads_as(name, f"{phrase} <x@x.invalid>" if phrase else "<x@x.invalid>")
        ok = len(read) == 1 and read[0].endswith("\x00x@x.invalid")
    else:
        read = _reads_as(name, value)
        ok = len(read) == 1 and read[0].endswith(f"\x00{address}")
    return read[0].partition("\x00")[0] if ok else None


def _check_headers(
    data: bytes, written: list[tuple[str, str]], message: Message, recipient: str, *, names: bool
) -> None:
    """Split the header block as a reader does and refuse anything but what was written.

    Structure first: exactly the headers we wrote, each with exactly its
    value. Then the values that carry people's text are read as a modern
    reader (the standard library's default policy, which decodes encoded
    words) reads them, and must say what was meant.
    """
    raw = data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    block = BytesHeaderParser(policy=compat32).parsebytes(raw)
    read = [(name.lower(), _unfold(str(value))) for name, value in block.items()]
    if "content-type" not in dict(read):
        raise InvalidInputError("refusing an e-mail without a Content-Type")
    meant = [(name.lower(), _unfold(value)) for name, value in written]
    meant.append(("content-type", dict(read)["content-type"]))  # written with the body
    if "content-transfer-encoding" in dict(read):  # a single text part carries its own
        meant.append(("content-transfer-encoding", dict(read)["content-transfer-encoding"]))
    problems = []
    if sorted(read) != sorted(meant):
        problems.append("the header block would not read back as written")
    values = dict(meant)
    if _reads_as("Subject", values["subject"]) != (message.subject,):
        problems.append("the subject would read differently")
    to = _mailbox_reads_as("To", values["to"], recipient)
    sender = _mailbox_reads_as("From", values["from"], values["from"].rpartition("<")[2][:-1])
    if to is None or sender is None:
        problems.append("the sender or recipient would change")
    if problems:
        raise InvalidInputError(
            "refusing to build an e-mail whose headers would not be what was meant: "
            + "; ".join(problems)
        )
    expected_to = display_name(message.recipient_name) if names else None
    expected_from = display_name(message.sender_name) if names else None
    if (to or None, sender or None) != (expected_to, expected_from):
        raise _NameMismatchError
