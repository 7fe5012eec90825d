"""Notification channels: how a message reaches one person.

A channel gets one :class:`Message` at a time, for one recipient: never a list
of participants (a mailing with every recipient visible reveals who is a
youth-care client). Channels are plugins, registered through the
``participatie_register_channels`` hook; the built-in ``console``, ``outbox``
(``.eml`` files in a folder) and ``smtp`` channels are registered the same way.

A channel is any object with a ``send(message)`` method. It may also say what
it needs, through optional attributes the notification code reads:

``address``
    ``"email"`` (the default) or ``"phone"``: which of a person's details
    becomes :attr:`Message.recipient`. People without that detail get no
    message on the channel.
``rich``
    ``True`` if the channel delivers the HTML text and the calendar part
    (e-mail does); otherwise (the default) the channel gets the plain text
    only, so a chat or SMS plugin receives no more personal data than its
    text contains.
``batch()``
    A context manager around a run of messages, e.g. to reuse one SMTP
    connection for a whole batch.

``send`` raises :class:`~participatie.exceptions.TransientDeliveryError` when
trying again later may help, :class:`~participatie.exceptions.PermanentDeliveryError`
when it cannot; any other exception counts as transient.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from typing import Any, Protocol, TextIO, runtime_checkable

import attrs

from participatie import _validate as v
from participatie.exceptions import InvalidInputError
from participatie.plugins import hookimpl

__all__ = [
    "CalendarPart",
    "Channel",
    "ChannelFactory",
    "ConsoleChannel",
    "Message",
    "channel_address",
    "channel_batch",
    "channel_is_rich",
]

_METHOD = re.compile(r"^[A-Z][A-Z-]{0,31}$")
_METHOD_LINE = re.compile(rb"(?m)^METHOD:([^\r\n]*)\r?$")
_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: Idempotency keys travel in a header: printable ASCII without spaces only.
_KEY = re.compile(r"^[A-Za-z0-9._:/@+=-]{1,200}$")


def _check_method(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _METHOD.match(value):
        raise InvalidInputError(f"calendar method must be an iTIP method like REQUEST: {value!r}")


def _check_ics(instance: CalendarPart, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bytes) or not value.startswith(b"BEGIN:VCALENDAR"):
        raise InvalidInputError("a calendar part must hold a VCALENDAR (bytes)")
    methods = _METHOD_LINE.findall(value)
    # iMIP (RFC 6047): the MIME method= parameter must equal the METHOD inside.
    if methods != [instance.method.encode("ascii")]:
        raise InvalidInputError(
            f"the calendar's METHOD ({b', '.join(methods).decode('ascii', 'replace') or 'none'}) "
            f"does not match the part's method {instance.method!r}"
        )


def _check_filename(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _FILENAME.match(value):
        raise InvalidInputError(f"not a safe attachment file name: {value!r}")


def _check_key(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _KEY.match(value)):
        raise InvalidInputError(
            f"a message key is 1-200 ASCII letters, digits and ._:/@+=- only: {value!r}"
        )


def _optional_email(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.email(instance, attribute, value)


def _optional_multi_line(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        v.multi_line(instance, attribute, value)


@attrs.frozen
class CalendarPart:
    """A calendar object that travels with a message (an iMIP invitation).

    The e-mail channels put it into the message twice, as e-mail clients
    expect: as a ``text/calendar; method=…`` alternative and as an ``.ics``
    attachment. Whoever builds it (the calendar module) owns the UID and
    SEQUENCE; this value only carries the bytes.

    Attributes:
        method: The iTIP method, e.g. ``"REQUEST"`` or ``"CANCEL"``; it must
            equal the ``METHOD`` inside :attr:`ics`.
        ics: The VCALENDAR, as bytes (UTF-8, CRLF line ends).
        filename: The attachment's file name.
    """

    method: str = attrs.field(validator=_check_method)
    ics: bytes = attrs.field(validator=_check_ics)
    filename: str = attrs.field(default="invite.ics", validator=_check_filename)


@attrs.frozen
class Message:
    """One message to one person.

    Attributes:
        recipient: The recipient's address on the channel (an e-mail address,
            a phone number, a chat handle).
        subject: One line, without control characters (it may become a header).
        text: The plain-text body.
        kind: What the message is for, e.g. ``"confirmation"``.
        language: ``"nl"`` or ``"en"``.
        html: The same text as HTML, for channels that show it.
        calendar: A calendar invitation to send with the message.
        recipient_name: How to address the recipient in a header.
        sender_name: Who the message is from (the organiser), for the header.
        reply_to: Where replies go: the help desk.
        key: The idempotency key: the same key means the same message, so a
            message sent twice can be recognised (e-mail carries it in the
            ``Message-ID`` and in an ``X-Participatie-Key`` header).
    """

    recipient: str = attrs.field(validator=v.single_line)
    subject: str = attrs.field(validator=v.single_line)
    text: str = attrs.field(validator=v.multi_line)
    kind: str = attrs.field(default="notice", validator=v.slug)
    language: str = attrs.field(default="nl", validator=attrs.validators.in_(("nl", "en")))
    html: str | None = attrs.field(default=None, validator=_optional_multi_line, kw_only=True)
    calendar: CalendarPart | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(CalendarPart)),
        kw_only=True,
    )
    recipient_name: str | None = attrs.field(
        default=None, validator=v.optional_single_line, kw_only=True
    )
    sender_name: str | None = attrs.field(
        default=None, validator=v.optional_single_line, kw_only=True
    )
    reply_to: str | None = attrs.field(default=None, validator=_optional_email, kw_only=True)
    key: str | None = attrs.field(default=None, validator=_check_key, kw_only=True)

    def plain(self) -> Message:
        """This message without HTML, calendar part or names: for channels that are not rich."""
        return attrs.evolve(
            self, html=None, calendar=None, recipient_name=None, sender_name=None, reply_to=None
        )


@runtime_checkable
class Channel(Protocol):
    """Anything that can deliver a :class:`Message`."""

    def send(self, message: Message) -> None:
        """Deliver one message; raise on failure (the caller records it)."""
        ...


#: Builds a channel from its options (keyword arguments).
ChannelFactory = Callable[..., Channel]


def channel_address(channel: Channel) -> str:
    """Which detail of a person the channel delivers to: ``"email"`` or ``"phone"``."""
    address = getattr(channel, "address", "email")
    if address not in {"email", "phone"}:
        raise InvalidInputError(f"a channel's address must be 'email' or 'phone', not {address!r}")
    return str(address)


def channel_is_rich(channel: Channel) -> bool:
    """Whether the channel delivers HTML and calendar parts (see the module docstring)."""
    return getattr(channel, "rich", False) is True


def channel_batch(channel: Channel) -> contextlib.AbstractContextManager[object]:
    """The channel's ``batch()`` context, or one that does nothing."""
    batch = getattr(channel, "batch", None)
    if batch is None:
        return contextlib.nullcontext()
    context: contextlib.AbstractContextManager[object] = batch()
    return context


@attrs.define
class ConsoleChannel:
    """Writes each message to a text stream: for trying things out and for demos.

    Attributes:
        stream: Where to write (standard output by default).
    """

    stream: TextIO = attrs.field(factory=lambda: sys.stdout)

    def send(self, message: Message) -> None:
        """Write the message with a header line saying to whom it goes."""
        self.stream.write(
            f"--- {message.kind} to {message.recipient} ({message.language})\n"
            f"Subject: {message.subject}\n\n{message.text}\n"
        )


def _console(**options: Any) -> Channel:
    return ConsoleChannel(**options)


def _outbox(**options: Any) -> Channel:
    from participatie.folder import FolderChannel

    return FolderChannel(**options)


def _smtp(**options: Any) -> Channel:
    from participatie.smtp import SMTPChannel

    return SMTPChannel(**options)


@hookimpl(trylast=True)
def participatie_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the built-in ``console``, ``outbox`` and ``smtp`` channels."""
    register("console", _console)
    register("outbox", _outbox)
    register("smtp", _smtp)
