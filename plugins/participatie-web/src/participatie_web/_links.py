"""Personal links: signed, expiring, and void once the person is erased.

A participant has no account and no password: a link is the key to their
registration or their feedback. The link carries only numbers (a
registration id, or a round id and a position in its recipients) and a
short *fingerprint*, all signed with the site's secret and a timestamp
(``itsdangerous``). Nothing in it names the person: the payload is readable
by anyone who has the link, so it must not hold an e-mail address.

The fingerprint is a keyed hash of what the store holds about the person
(their address, and for a registration when it was made). Erasing a person
replaces the address with a tombstone, so every link made before no longer
matches: erasure revokes the links without the site keeping a table of
its own.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import attrs
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from participatie import (
    Clock,
    FeedbackRound,
    InvalidInputError,
    Recipient,
    Registration,
    SystemClock,
)
from participatie.model import ERASED_DOMAIN

__all__ = ["FeedbackKey", "LinkSigner", "RegistrationKey"]

_REGISTRATION = "participatie-web/registration"
_FEEDBACK = "participatie-web/feedback"


@attrs.frozen
class RegistrationKey:
    """What a registration link opens.

    Attributes:
        registration_id: The registration.
        fingerprint: Must match :meth:`LinkSigner.registration_fingerprint` now.
    """

    registration_id: int
    fingerprint: str


@attrs.frozen
class FeedbackKey:
    """What a feedback link opens.

    Attributes:
        round_id: The feedback round.
        position: The recipient's place in the round's recipients.
        fingerprint: Must match the recipient's fingerprint now.
    """

    round_id: int
    position: int
    fingerprint: str


def _check_secret(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if len(value) < 32:
        raise InvalidInputError(
            "the secret must be at least 32 characters (use secrets.token_urlsafe)"
        )


def _strip_slash(url: str) -> str:
    return url.rstrip("/")


@attrs.define
class LinkSigner:
    """Makes and reads the personal links of the site.

    Use :meth:`feedback_link` as the ``link=`` of
    :meth:`participatie.Participatie.feedback_messages_due`, so invitations
    to a feedback round carry each recipient's own link.

    Attributes:
        secret: The site's secret (at least 32 characters). Changing it voids
            every link made before.
        base_url: The site's address as participants reach it, e.g.
            ``https://meedoen.example.org``; links are made below it.
        registration_max_age: How long a registration link works.
        feedback_max_age: How long a feedback link works (long enough to
            read "what we did with your input" after the round).
        clock: Where "now" comes from when a link is signed and checked:
            the same clock as the rules, so a test or demo on a fixed clock
            sees links age with it.
    """

    secret: str = attrs.field(repr=False, validator=_check_secret)
    base_url: str = attrs.field(default="http://127.0.0.1:8000", converter=_strip_slash)
    registration_max_age: timedelta = timedelta(days=120)
    feedback_max_age: timedelta = timedelta(days=180)
    clock: Clock = attrs.field(factory=SystemClock)

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        clock = self.clock

        class _ClockSigner(TimestampSigner):
            # The link's age counts on the site's clock, the one the rules use.
            def get_timestamp(self) -> int:
                return int(clock.now().timestamp())

        return URLSafeTimedSerializer(self.secret, salt=salt, signer=_ClockSigner)

    def _fingerprint(self, *parts: str) -> str:
        digest = hmac.new(
            self.secret.encode(), "\x1f".join(parts).encode(), hashlib.sha256
        ).hexdigest()
        return digest[:20]

    # --- registrations

    def registration_fingerprint(self, registration: Registration) -> str:
        """The keyed hash of what identifies the registration's person now."""
        return self._fingerprint(
            str(registration.id),
            registration.person.email,
            registration.registered_at.isoformat(),
        )

    def registration_token(self, registration: Registration) -> str:
        """The signed token of a registration's personal link."""
        payload = [registration.id, self.registration_fingerprint(registration)]
        return str(self._serializer(_REGISTRATION).dumps(payload))

    def registration_link(self, registration: Registration) -> str:
        """The full personal link of a registration."""
        return f"{self.base_url}/my/{self.registration_token(registration)}"

    def read_registration(self, token: str) -> RegistrationKey | None:
        """The key in a registration token; ``None`` if forged, tampered with or expired."""
        try:
            payload = self._serializer(_REGISTRATION).loads(
                token, max_age=int(self.registration_max_age.total_seconds())
            )
        except BadData:
            return None
        match payload:
            case [int(registration_id), str(fingerprint)]:
                return RegistrationKey(registration_id, fingerprint)
        return None

    def matches_registration(self, key: RegistrationKey, registration: Registration) -> bool:
        """Whether the key still belongs to the registration (not erased, not another one)."""
        if registration.person.is_erased:
            return False
        return hmac.compare_digest(key.fingerprint, self.registration_fingerprint(registration))

    # --- feedback rounds

    def recipient_fingerprint(self, feedback_round: FeedbackRound, recipient: Recipient) -> str:
        """The keyed hash of one recipient of a round."""
        return self._fingerprint(str(feedback_round.id), recipient.email)

    def feedback_token(self, feedback_round: FeedbackRound, recipient: Recipient) -> str:
        """The signed token of a recipient's feedback link."""
        position = feedback_round.recipients.index(recipient)
        payload = [
            feedback_round.id,
            position,
            self.recipient_fingerprint(feedback_round, recipient),
        ]
        return str(self._serializer(_FEEDBACK).dumps(payload))

    def feedback_link(self, feedback_round: FeedbackRound, recipient: Recipient) -> str:
        """The full feedback link of a recipient (fits ``feedback_messages_due(link=...)``)."""
        return f"{self.base_url}/feedback/{self.feedback_token(feedback_round, recipient)}"

    def read_feedback(self, token: str) -> FeedbackKey | None:
        """The key in a feedback token; ``None`` if forged, tampered with or expired."""
        try:
            payload = self._serializer(_FEEDBACK).loads(
                token, max_age=int(self.feedback_max_age.total_seconds())
            )
        except BadData:
            return None
        match payload:
            case [int(round_id), int(position), str(fingerprint)]:
                return FeedbackKey(round_id, position, fingerprint)
        return None

    def recipient_for(self, key: FeedbackKey, feedback_round: FeedbackRound) -> Recipient | None:
        """The recipient the key opens, if it still matches (``None`` after erasure)."""
        if not 0 <= key.position < len(feedback_round.recipients):
            return None
        recipient = feedback_round.recipients[key.position]
        expected = self.recipient_fingerprint(feedback_round, recipient)
        if recipient.email.endswith("@" + ERASED_DOMAIN) or not hmac.compare_digest(
            key.fingerprint, expected
        ):
            return None
        return recipient
