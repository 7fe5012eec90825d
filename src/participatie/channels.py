"""Notification channels: how a message reaches one person.

A channel gets one :class:`Message` at a time, for one recipient: never a list
of participants (a mailing with every recipient visible reveals who is a
youth-care client). Channels are plugins, registered through the
``participatie_register_channels`` hook; the built-in ``console`` channel is
registered the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol, TextIO, runtime_checkable

import attrs

from participatie import _validate as v
from participatie.plugins import hookimpl

__all__ = ["Channel", "ChannelFactory", "ConsoleChannel", "Message"]


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
    """

    recipient: str = attrs.field(validator=v.single_line)
    subject: str = attrs.field(validator=v.single_line)
    text: str = attrs.field(validator=v.multi_line)
    kind: str = attrs.field(default="notice", validator=v.slug)
    language: str = attrs.field(default="nl", validator=attrs.validators.in_(("nl", "en")))


@runtime_checkable
class Channel(Protocol):
    """Anything that can deliver a :class:`Message`."""

    def send(self, message: Message) -> None:
        """Deliver one message; raise on failure (the caller records it)."""
        ...


#: Builds a channel from its options (keyword arguments).
ChannelFactory = Callable[..., Channel]


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


@hookimpl(trylast=True)
def participatie_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the built-in ``console`` channel."""
    register("console", _console)
