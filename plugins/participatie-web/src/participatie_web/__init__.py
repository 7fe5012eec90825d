"""participatie-web: the participant's side of participatie, as a small web site.

Participants register for a session, see their registration through a
personal link (cancel, accept or decline an offered place, download the
calendar file), and give feedback on a draft response section by section,
then read what was done with it. Every rule is the core's; the site shows
each refusal in plain Dutch or English next to the field it is about.

Run it with ``python -m participatie_web`` (see ``--help``), or mount
:func:`create_app` in your own ASGI application.
"""

from participatie_web._app import WebSettings, create_app
from participatie_web._links import FeedbackKey, LinkSigner, RegistrationKey
from participatie_web._security import HEADERS, CsrfTokens, RateLimiter, SecurityHeaders
from participatie_web._texts import TEXTS, choose_language, translate

__all__ = [
    "HEADERS",
    "TEXTS",
    "CsrfTokens",
    "FeedbackKey",
    "LinkSigner",
    "RateLimiter",
    "RegistrationKey",
    "SecurityHeaders",
    "WebSettings",
    "choose_language",
    "create_app",
    "translate",
]
