"""The ``outbox`` channel: every message becomes an ``.eml`` file in a folder.

It is the embedded default, like SQLite for storage: nothing to set up, and
everything it "sends" can be opened in any e-mail program, read by a person,
or handed to another system. ``make demo`` writes its messages here
(``demo-output/outbox/``). Each file is the exact e-mail the ``smtp`` channel
would send, calendar part included.

A file is written under a temporary name and then renamed, so a reader never
sees half a message; its name is derived from the message's idempotency key,
so sending the same message again replaces the file instead of adding one.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs

from participatie import _validate as v
from participatie.channels import Message
from participatie.mail import email_bytes

__all__ = ["FolderChannel"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


#: The sender written into ``.eml`` files when none is configured: an address
#: at a domain reserved for examples (RFC 2606), so nothing can ever reach or
#: impersonate anyone. Configure ``sender`` (the help desk's address) for
#: files that really go out.
DEFAULT_SENDER = "noreply@example.org"


@attrs.define
class FolderChannel:
    """Writes each message as an ``.eml`` file into :attr:`folder`.

    Attributes:
        folder: Where the files go (created when needed); ``outbox`` in the
            working directory by default.
        sender: The ``From`` address.
        clock: Gives the ``Date`` of each message.
    """

    folder: Path = attrs.field(default=Path("outbox"), converter=Path)
    sender: str = attrs.field(default=DEFAULT_SENDER, converter=v.normalise_email)
    clock: Callable[[], datetime] = attrs.field(default=_utc_now)

    #: E-mail: the recipient is the person's e-mail address.
    address = "email"
    #: It keeps the HTML text and the calendar part.
    rich = True

    def file_name(self, message: Message) -> str:
        """``<kind>-<hash of the key>.eml``: the same message always gets the same name."""
        identity = message.key if message.key is not None else uuid.uuid4().hex
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:20]
        return f"{message.kind}-{digest}.eml"

    def send(self, message: Message) -> None:
        """Write the message's e-mail into the folder."""
        data = email_bytes(message, sender=self.sender, now=self.clock())
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / self.file_name(message)
        temporary = self.folder / f".{target.name}.{os.getpid()}.tmp"
        with temporary.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(target)
