"""Every error participatie raises on purpose.

All of them derive from :class:`ParticipatieError`, so a caller can catch
everything of ours in one place. Each also derives from the nearest builtin
(``ValueError``, ``LookupError``, ``RuntimeError``), so code that already
catches builtins keeps working. Messages are written for an organiser: they
say what was refused and why, in plain words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from participatie.model import Transition

__all__ = [
    "AlreadyRegisteredError",
    "AmbiguousTimeError",
    "ChangeDeadlinePassedError",
    "ConsentRequiredError",
    "DateTextError",
    "DeliveryError",
    "IllegalTransitionError",
    "InvalidInputError",
    "NaiveDatetimeError",
    "NonExistentTimeError",
    "NotEligibleError",
    "NotFoundError",
    "OfferExpiredError",
    "ParticipatieError",
    "PermanentDeliveryError",
    "PluginError",
    "RegistrationClosedError",
    "RegistrationNotOpenError",
    "RegistrationRefusedError",
    "SchemaVersionError",
    "SessionFullError",
    "SessionInUseError",
    "StorageError",
    "TemplateError",
    "TransientDeliveryError",
    "UnknownEventError",
    "UnknownPluginError",
    "UnknownRegistrationError",
    "UnknownSessionError",
    "UnsupportedStoreURLError",
]


class ParticipatieError(Exception):
    """Base class of every error participatie raises on purpose."""


# --- bad values at the edge -------------------------------------------------


class InvalidInputError(ParticipatieError, ValueError):
    """A value given to participatie is malformed or out of range."""


class NaiveDatetimeError(InvalidInputError):
    """A datetime without a time zone was given where an instant is needed.

    A naive datetime is ambiguous (whose 10:00?), so it is refused at the API
    edge rather than guessed.
    """


class NonExistentTimeError(InvalidInputError):
    """A local time falls in the gap of a daylight-saving change (e.g. 02:30 on
    the last Sunday of March in Europe/Amsterdam) and so never happens."""


class AmbiguousTimeError(InvalidInputError):
    """A local time happens twice (the last Sunday of October in
    Europe/Amsterdam) and the caller did not say which of the two is meant."""


class DateTextError(InvalidInputError):
    """An organiser's written date or time could not be read, or contradicts
    itself (e.g. a weekday that does not match the date)."""


# --- registration refused by a rule ----------------------------------------


class RegistrationRefusedError(ParticipatieError, ValueError):
    """A registration (or a change to one) is refused by a rule."""


class RegistrationNotOpenError(RegistrationRefusedError):
    """Registration for the session has not opened yet."""


class RegistrationClosedError(RegistrationRefusedError):
    """The registration deadline of the session has passed."""


class NotEligibleError(RegistrationRefusedError):
    """The person's audience is not one the session is for."""


class ConsentRequiredError(RegistrationRefusedError):
    """The person has not given consent to process their data."""


class AlreadyRegisteredError(RegistrationRefusedError):
    """The person already holds an active registration for the session."""


class SessionFullError(RegistrationRefusedError):
    """The session is full and keeps no waiting list."""


class ChangeDeadlinePassedError(RegistrationRefusedError):
    """The change/cancel deadline of the session has passed."""


class OfferExpiredError(RegistrationRefusedError):
    """An offer of a freed place lapsed before it was accepted.

    The lapse itself is recorded when the late acceptance arrives, and the
    place passes to the next person waiting; those changes are in
    :attr:`transitions`.

    Attributes:
        transitions: The changes committed when the late acceptance arrived.
    """

    def __init__(self, message: str, transitions: Iterable[Transition] = ()) -> None:
        super().__init__(message)
        self.transitions: tuple[Transition, ...] = tuple(transitions)


class IllegalTransitionError(ParticipatieError, ValueError):
    """A registration cannot go from its current state to the requested one
    (e.g. accepting an offer that was never made)."""


class SessionInUseError(ParticipatieError, ValueError):
    """A session cannot be removed from an event while it has registrations."""


# --- things that are not there ---------------------------------------------


class NotFoundError(ParticipatieError, LookupError):
    """Something asked for by its identifier does not exist."""


class UnknownEventError(NotFoundError):
    """No event with that identifier is stored."""


class UnknownSessionError(NotFoundError):
    """No session with that identifier is stored."""


class UnknownRegistrationError(NotFoundError):
    """No registration with that identifier is stored."""


# --- plugins and storage ---------------------------------------------------


class PluginError(ParticipatieError):
    """A plugin could not be loaded or broke its contract."""


class UnknownPluginError(PluginError, LookupError):
    """No plugin offers the channel, strategy or backend asked for."""


class UnsupportedStoreURLError(UnknownPluginError):
    """No storage backend accepts the store URL."""


class StorageError(ParticipatieError, RuntimeError):
    """The storage backend failed in a way the caller cannot fix by changing input."""


class SchemaVersionError(StorageError):
    """The database was written by a newer participatie than this one; opening
    it could lose data, so it is refused."""


# --- notifications -----------------------------------------------------------


class DeliveryError(ParticipatieError, RuntimeError):
    """A channel could not deliver a message.

    Channels raise one of the two subclasses so the dispatcher knows whether
    trying again can help. Any other exception from a channel is treated as
    transient (it is retried, up to the retry limit) and recorded.
    """


class TransientDeliveryError(DeliveryError):
    """Delivery failed for now and may succeed later: an SMTP 4xx reply, a
    timeout, a refused or dropped connection. The message is retried with
    back-off."""


class PermanentDeliveryError(DeliveryError):
    """Delivery failed for good: an SMTP 5xx reply (unknown mailbox, message
    refused). Retrying would not help; the message is marked failed at once and
    reported."""


class TemplateError(InvalidInputError):
    """A message template (an organiser's own text) cannot be compiled or
    rendered, or tries something the sandbox forbids."""
