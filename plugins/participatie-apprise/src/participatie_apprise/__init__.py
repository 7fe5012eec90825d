"""A participatie channel that sends through Apprise (chat, SMS, push; 100+ services by URL).

Registered as ``apprise`` through the ``participatie`` entry-point group. See
the README for the options and what the channel receives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import apprise
import attrs

from participatie import (
    Channel,
    ChannelFactory,
    InvalidInputError,
    Message,
    PermanentDeliveryError,
    TransientDeliveryError,
    hookimpl,
)

__all__ = ["RECIPIENT", "AppriseChannel", "participatie_register_channels"]

#: Where the recipient goes in the URL.
RECIPIENT = "{recipient}"


def _check_url(channel: AppriseChannel, _attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or "://" not in value:
        raise InvalidInputError(f"an Apprise URL looks like json://host/path, not {value!r}")


@attrs.define
class AppriseChannel:
    """Sends each message's subject and plain text to one Apprise URL per recipient.

    Attributes:
        url: The Apprise URL, with :data:`RECIPIENT` where the recipient goes.
        address: ``"phone"`` or ``"email"``: the person's detail that is the recipient.
        shared: Allow a URL without :data:`RECIPIENT` (everyone there reads every message).
    """

    url: str = attrs.field(validator=_check_url, repr=False)
    address: str = attrs.field(default="phone", validator=attrs.validators.in_(("phone", "email")))
    shared: bool = attrs.field(default=False)

    #: Plain text only: no names, HTML or calendar parts.
    rich = False

    def __attrs_post_init__(self) -> None:
        if RECIPIENT not in self.url and not self.shared:
            raise InvalidInputError(
                f"the Apprise URL has no {RECIPIENT}: every message would go to the same "
                "place, where everyone reads every participant's message; put "
                f"{RECIPIENT} in the URL, or pass shared=True if that is really meant"
            )

    def send(self, message: Message) -> None:
        """Send the message's subject and text; raise if Apprise reports a failure."""
        target = self.url.replace(RECIPIENT, quote(message.recipient, safe=""))
        sender = apprise.Apprise()
        if not sender.add(target):
            raise PermanentDeliveryError("Apprise does not understand the channel's URL")
        with apprise.LogCapture(level=logging.WARNING) as log:  # type: ignore[no-untyped-call]
            delivered = sender.notify(title=message.subject, body=message.text)
        if not delivered:
            details = " ".join(str(log.getvalue()).split())
            raise TransientDeliveryError(
                "Apprise could not deliver the message" + (f": {details}" if details else "")
            )


def _apprise(**options: Any) -> Channel:
    return AppriseChannel(**options)


@hookimpl
def participatie_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Register the ``apprise`` channel."""
    register("apprise", _apprise)
