"""A real SMTP server on 127.0.0.1 for tests: aiosmtpd, keeping what it receives.

Not a mock: messages travel over a TCP connection through Python's
:mod:`smtplib` (or any client) into an aiosmtpd server running in a thread,
with STARTTLS, implicit TLS and AUTH when asked for. Tests then parse what
arrived with the :mod:`email` package. The pytest fixture ``smtp_server``
(:mod:`participatie.testing.pytest_plugin`) starts one per test.

The server can also misbehave on purpose: answer the next messages with a
4xx or 5xx reply (:meth:`SMTPTestServer.reply_with`), refuse a recipient,
or take its time over each message (``delay``).

Needs the ``test`` extra (aiosmtpd); TLS certificates are made with the
``openssl`` command (:func:`make_tls_contexts`).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import attrs
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["ReceivedMail", "SMTPTestServer", "make_tls_contexts"]


@attrs.frozen
class ReceivedMail:
    """One message as the server received it.

    Attributes:
        mail_from: The envelope sender (``MAIL FROM``).
        rcpt_tos: The envelope recipients (``RCPT TO``).
        data: The message bytes as received.
        authenticated_as: The login used, if the client logged in.
        encrypted: Whether the connection was encrypted (TLS or STARTTLS).
    """

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    authenticated_as: str | None
    encrypted: bool

    def parse(self) -> EmailMessage:
        """The message, parsed with the standard library's modern e-mail policy."""
        message = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(message, EmailMessage)
        return message


class _Handler:
    def __init__(self, server: SMTPTestServer) -> None:
        self.server = server

    async def handle_RCPT(  # noqa: N802 - the name aiosmtpd calls
        self,
        _server: SMTP,
        _session: Session,
        envelope: Envelope,
        address: str,
        _rcpt_options: list[str],
    ) -> str:
        refusal = self.server.refused_recipients.get(address.lower())
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        reply = self.server._next_reply()
        if reply is not None:
            return reply
        content = envelope.original_content or b""
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=bytes(content),
            authenticated_as=None if login is None else login.decode("utf-8"),
            encrypted=session.ssl is not None
            or (
                server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None
            ),
        )
        with self.server._lock:
            self.server._received.append(mail)
            self.server._arrived.notify_all()
        return "250 Message accepted for delivery"


class _BoundController(Controller):
    """aiosmtpd's controller on a socket bound beforehand (port 0: no port races)."""

    def __init__(
        self, handler: Any, sock: socket.socket, counter: Callable[[], None], **kwargs: Any
    ):
        self._sock = sock
        self._count = counter
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)

    def factory(self) -> SMTP:
        self._count()
        return super().factory()  # type: ignore[no-untyped-call,no-any-return]


class SMTPTestServer:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts.

    Use it as a context manager (or :meth:`start` / :meth:`stop`)::

        with SMTPTestServer() as server:
            channel = SMTPChannel(sender="vraagbaak@example.org", host=server.host,
                                  port=server.port, security="none")
            ...
            [mail] = server.wait_for(1)

    Attributes:
        host: ``127.0.0.1``.
        port: The port it listens on (chosen by the system).
        delay: Seconds to wait before answering each message.
        refused_recipients: Address (lower case) -> reply, e.g. ``"550 No such user"``.
    """

    def __init__(
        self,
        *,
        delay: float = 0.0,
        tls_context: ssl.SSLContext | None = None,
        starttls_context: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
    ) -> None:
        """Make (not start) a server.

        ``tls_context``: speak TLS from the first byte (like port 465).
        ``starttls_context``: offer STARTTLS and require it before anything else.
        ``users``: login -> password; then AUTH is required (over TLS only).
        """
        self.host = "127.0.0.1"
        self.delay = delay
        self.refused_recipients: dict[str, str] = {}
        self._tls_context = tls_context
        self._starttls_context = starttls_context
        self._users = users
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._received: list[ReceivedMail] = []
        self._replies: list[str] = []
        self._connections = 0
        self._baseline = 0
        self._controller: _BoundController | None = None
        self.port = 0

    def _count_connection(self) -> None:
        with self._lock:
            self._connections += 1

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        users = self._users or {}
        if isinstance(data, LoginPassword):
            login, password = data.login.decode("utf-8"), data.password.decode("utf-8")
            if users.get(login) == password:
                return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    def start(self) -> SMTPTestServer:
        """Start listening on a free port of 127.0.0.1."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # aiosmtpd writes a multi-line reply (EHLO) line by line; without
        # TCP_NODELAY, Nagle's algorithm and the client's delayed ACK add 40 ms
        # to every new connection, which real mail servers do not. (Accepted
        # connections inherit the option on Linux.)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        kwargs: dict[str, Any] = {"ssl_context": self._tls_context}
        if self._starttls_context is not None:
            kwargs.update(tls_context=self._starttls_context, require_starttls=True)
        if self._users is not None:
            kwargs.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=True
            )
        self._controller = _BoundController(
            _Handler(self), sock, self._count_connection, ready_timeout=10.0, **kwargs
        )
        self._controller.start()
        with self._lock:
            self._baseline = self._connections  # the controller's own probe
        return self

    def stop(self) -> None:
        """Stop the server (waiting messages are kept)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SMTPTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- what arrived ------------------------------------------------------

    @property
    def received(self) -> list[ReceivedMail]:
        """Every accepted message so far, in order of arrival."""
        with self._lock:
            return list(self._received)

    @property
    def connections(self) -> int:
        """How many SMTP connections clients opened."""
        with self._lock:
            return self._connections - self._baseline

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """The first ``count`` messages, waiting up to ``timeout`` seconds for them."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self._received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(self._received)} of {count} messages arrived within {timeout} s"
                    )
                self._arrived.wait(left)
            return list(self._received[:count])

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._lock:
            self._received.clear()

    # --- misbehaving on purpose -----------------------------------------------

    def reply_with(self, reply: str, times: int = 1) -> None:
        """Answer the next ``times`` messages with ``reply`` (e.g. ``"451 Try later"``)."""
        with self._lock:
            self._replies += [reply] * times

    def _next_reply(self) -> str | None:
        with self._lock:
            return self._replies.pop(0) if self._replies else None


def make_tls_contexts(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: ``(server_context, client_context)``.

    The client context trusts exactly that certificate and checks the host
    name, as a real client would. Uses the ``openssl`` command.
    """
    certificate, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FileNotFoundError("making a test certificate needs the openssl command")
    subprocess.run(  # noqa: S603 - fixed arguments, our own file names
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(certificate, key)
    client = ssl.create_default_context(cafile=str(certificate))
    return server, client
