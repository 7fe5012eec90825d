"""Security headers, CSRF tokens and the registration rate limit.

Each is small on purpose, so a reviewer can read all of it:

* :class:`SecurityHeaders` puts the same headers on every response, also
  on errors: a CSP without inline scripts (the site has no scripts at all),
  no framing, no referrer (a personal link must not leak to the join link's
  host), no MIME sniffing.
* :class:`CsrfTokens`: a double-submit token. The browser gets a random
  value in a ``SameSite=Strict`` cookie; every form carries an HMAC of that
  value under the site's secret. A forged form on another site can neither
  read the cookie nor compute the HMAC.
* :class:`RateLimiter`: at most ``limit`` registrations per client address
  in a sliding window, counted in memory (a restart forgets; that is fine
  for a limit meant to slow a script down, not to be a record).
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta

import attrs
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "HEADERS", "CsrfTokens", "RateLimiter", "SecurityHeaders"]

#: The headers every response carries.
HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: The cookie that holds the browser's CSRF value.
CSRF_COOKIE = "participatie_csrf"
#: The hidden form field that carries its HMAC.
CSRF_FIELD = "csrf_token"


class SecurityHeaders:
    """ASGI middleware: adds :data:`HEADERS` to every HTTP response.

    Personal pages must not be kept by shared caches either, so every
    response without its own ``Cache-Control`` gets ``no-store``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


@attrs.define
class CsrfTokens:
    """Double-submit CSRF tokens bound to a cookie by an HMAC.

    Attributes:
        secret: The site's secret.
    """

    secret: str = attrs.field(repr=False)

    @staticmethod
    def new_cookie_value() -> str:
        """A fresh random cookie value."""
        return secrets.token_urlsafe(32)

    def token_for(self, cookie_value: str) -> str:
        """The token a form must carry for this cookie value."""
        return hmac.new(
            self.secret.encode(), b"csrf\x1f" + cookie_value.encode(), hashlib.sha256
        ).hexdigest()

    def is_valid(self, cookie_value: str | None, token: str | None) -> bool:
        """Whether a posted token belongs to the browser's cookie."""
        if not cookie_value or not token:
            return False
        return hmac.compare_digest(self.token_for(cookie_value), token)


@attrs.define
class RateLimiter:
    """At most ``limit`` attempts per key within ``window`` (a sliding window).

    Attributes:
        limit: Attempts allowed per window; ``None`` switches the limit off.
        window: The length of the window.
    """

    limit: int | None = 10
    window: timedelta = timedelta(minutes=10)
    _seen: dict[str, collections.deque[datetime]] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def attempt(self, key: str, now: datetime) -> timedelta | None:
        """Count one attempt; return ``None`` if allowed, else how long to wait."""
        if self.limit is None:
            return None
        with self._lock:
            recent = self._seen.setdefault(key, collections.deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return recent[0] + self.window - now
            recent.append(now)
            if len(self._seen) > 10_000:
                self._forget_idle(now)
            return None

    def _forget_idle(self, now: datetime) -> None:
        # Keep memory bounded: drop addresses with nothing in the window.
        for key in [
            k for k, seen in self._seen.items() if not seen or seen[-1] <= now - self.window
        ]:
            del self._seen[key]
