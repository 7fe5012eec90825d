"""The ``smtp`` channel: e-mail through an SMTP server, with the standard library.

One connection is opened per batch and reused for every message in it (the
dispatcher opens a batch per run), and reopened if the server drops it. The
connection is encrypted with STARTTLS (port 587, the default) or implicit TLS
(port 465); a plain connection is allowed only to a server on this machine.

Each message goes to exactly one recipient (``RCPT TO`` once). Server replies
are sorted for the dispatcher: a 4xx reply, a timeout or a lost connection is
:class:`~participatie.exceptions.TransientDeliveryError` (tried again later);
a 5xx reply to the sender, recipient or message is
:class:`~participatie.exceptions.PermanentDeliveryError`. A refused login is
transient: it is the configuration that is wrong, not the message, and the
messages should go once the password is fixed.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import attrs

from participatie import _validate as v
from participatie._validate import normalise_email
from participatie.channels import Message
from participatie.exceptions import (
    DeliveryError,
    InvalidInputError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from participatie.mail import email_bytes

__all__ = ["SECURITY_MODES", "SMTPChannel", "classify_smtp_error"]

#: ``starttls``: upgrade a plain connection (port 587); ``tls``: TLS from the
#: first byte (port 465); ``none``: no encryption, only to this machine.
SECURITY_MODES = ("starttls", "tls", "none")
_DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _utc_now() -> datetime:
    return datetime.now(UTC)


@functools.lru_cache(maxsize=1)
def _this_host() -> str:
    # smtplib asks the resolver for this name on every connection it opens,
    # which can take longer than sending the message; once per process is enough.
    return socket.getfqdn()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def classify_smtp_error(error: BaseException) -> DeliveryError:
    """Sort an exception from :mod:`smtplib` (or the socket) into transient or permanent."""
    if isinstance(error, DeliveryError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        text = f"recipient refused: {error.recipients}"
        if codes and all(code >= 500 for code in codes):
            return PermanentDeliveryError(text)
        return TransientDeliveryError(text)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return TransientDeliveryError(f"the SMTP server refused the login: {error}")
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        text = f"SMTP {code}: {error.smtp_error!r}"
        if 500 <= code < 600:
            return PermanentDeliveryError(text)
        return TransientDeliveryError(text)
    return TransientDeliveryError(f"{type(error).__name__}: {error}")


@attrs.define
class SMTPChannel:
    """Sends each message as one e-mail through an SMTP server.

    Attributes:
        sender: The ``From`` address (required).
        host: The SMTP server.
        port: Its port; by default 587 for STARTTLS, 465 for TLS, 25 for none.
        security: One of :data:`SECURITY_MODES`.
        username: Log in with this name (after encryption is set up).
        password: The password (never shown in the channel's ``repr``).
        timeout: Seconds to wait for the server before giving up on a message.
        ssl_context: The TLS settings; the system's trusted certificates by default.
        local_hostname: The name to greet the server with (``EHLO``).
        clock: Gives the ``Date`` of each message.
    """

    sender: str = attrs.field(converter=v.normalise_email)
    host: str = attrs.field(default="localhost", validator=v.single_line)
    port: int | None = attrs.field(default=None, converter=attrs.converters.optional(int))
    security: str = attrs.field(default="starttls", validator=attrs.validators.in_(SECURITY_MODES))
    username: str | None = attrs.field(default=None)
    password: str | None = attrs.field(default=None, repr=False)
    timeout: float = attrs.field(default=30.0, converter=float)
    ssl_context: ssl.SSLContext | None = attrs.field(default=None, repr=False)
    local_hostname: str | None = attrs.field(default=None)
    clock: Callable[[], datetime] = attrs.field(default=_utc_now, repr=False)
    _connection: smtplib.SMTP | None = attrs.field(default=None, init=False, repr=False)
    _batching: bool = attrs.field(default=False, init=False, repr=False)

    #: E-mail: the recipient is the person's e-mail address.
    address = "email"
    #: It sends the HTML text and the calendar part.
    rich = True

    def __attrs_post_init__(self) -> None:
        if self.security == "none" and not _is_loopback(self.host):
            raise InvalidInputError(
                f"refusing to send e-mail unencrypted to {self.host!r}: use security='starttls' "
                "or 'tls' (an unencrypted connection is allowed only to this machine)"
            )
        if (self.username is None) != (self.password is None):
            raise InvalidInputError("give both a username and a password, or neither")

    @property
    def effective_port(self) -> int:
        """The port connected to."""
        return self.port if self.port is not None else _DEFAULT_PORTS[self.security]

    def _context(self) -> ssl.SSLContext:
        # Loading the system's certificates takes tens of milliseconds: once
        # per channel, and only when encryption is used.
        if self.ssl_context is None:
            self.ssl_context = ssl.create_default_context()
        return self.ssl_context

    def _connect(self) -> smtplib.SMTP:
        local_hostname = self.local_hostname or _this_host()
        connection: smtplib.SMTP
        if self.security == "tls":
            context = self._context()
            connection = smtplib.SMTP_SSL(
                self.host,
                self.effective_port,
                local_hostname=local_hostname,
                timeout=self.timeout,
                context=context,
            )
        else:
            connection = smtplib.SMTP(
                self.host,
                self.effective_port,
                local_hostname=local_hostname,
                timeout=self.timeout,
            )
        try:
            if self.security == "starttls":
                connection.ehlo()
                connection.starttls(context=self._context())
                connection.ehlo()
            if self.username is not None and self.password is not None:
                connection.login(self.username, self.password)
        except BaseException:
            _close(connection)
            raise
        return connection

    @contextlib.contextmanager
    def batch(self) -> Iterator[SMTPChannel]:
        """Reuse one connection for every message sent inside the ``with`` block."""
        self._batching = True
        try:
            yield self
        finally:
            self._batching = False
            if self._connection is not None:
                connection, self._connection = self._connection, None
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    connection.quit()
                _close(connection)

    def send(self, message: Message) -> None:
        """Send one message; raises a :class:`~participatie.exceptions.DeliveryError` subclass."""
        data = email_bytes(message, sender=self.sender, now=self.clock())
        recipient = normalise_email(message.recipient)  # checked by email_bytes already
        try:
            if not self._batching:
                connection = self._connect()
                try:
                    connection.sendmail(self.sender, [recipient], data)
                    connection.quit()
                finally:
                    _close(connection)
                return
            if self._connection is None:
                self._connection = self._connect()
            self._connection.sendmail(self.sender, [recipient], data)
        except (smtplib.SMTPException, OSError) as error:
            if not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                # The connection is in an unknown state: start afresh next time.
                self._drop_connection()
            raise classify_smtp_error(error) from error

    def _drop_connection(self) -> None:
        if self._connection is not None:
            _close(self._connection)
            self._connection = None


def _close(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        connection.close()
