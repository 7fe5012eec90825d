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
    from participatie.event_file import Problem
    from participatie.model import Transition

__all__ = [
    "AlreadyRegisteredError",
    "AmbiguousTimeError",
    "CalendarImportError",
    "ChangeDeadlinePassedError",
    "ColumnMappingError",
    "ConsentRequiredError",
    "ConstraintConflictError",
    "DateTextError",
    "DeliveryError",
    "DispositionsMissingError",
    "ErasureError",
    "EventFileError",
    "ExportLimitError",
    "ExtraNotInstalledError",
    "FeedbackRefusedError",
    "GuardianConsentRequiredError",
    "IllegalTransitionError",
    "ImportRefusedError",
    "InvalidInputError",
    "NaiveDatetimeError",
    "NonExistentTimeError",
    "NotARecipientError",
    "NotEligibleError",
    "NotFoundError",
    "OfferExpiredError",
    "ParticipatieError",
    "PermanentDeliveryError",
    "PluginError",
    "RegistrationClosedError",
    "RegistrationNotOpenError",
    "RegistrationRefusedError",
    "RoundClosedError",
    "RoundConcludedError",
    "RoundNotOpenError",
    "RoundOverlapError",
    "RoundStillOpenError",
    "SchemaVersionError",
    "SessionCancelledError",
    "SessionFullError",
    "SessionInUseError",
    "StorageError",
    "TemplateError",
    "TransientDeliveryError",
    "UnknownCommentError",
    "UnknownContributionError",
    "UnknownDraftError",
    "UnknownEventError",
    "UnknownPluginError",
    "UnknownRegistrationError",
    "UnknownRoundError",
    "UnknownSessionError",
    "UnreadableTableError",
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


# --- group assignment ------------------------------------------------------


class ConstraintConflictError(ParticipatieError, ValueError):
    """Hard constraints of an assignment or grouping cannot all hold.

    Nothing is assigned or stored. The message names the constraints in
    conflict in plain words.

    Attributes:
        constraints: Short names of the constraints in conflict, e.g.
            ``("keep-together:a@example.org+b@example.org", "pin:a@example.org->2")``.
    """

    def __init__(self, message: str, constraints: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.constraints: tuple[str, ...] = tuple(constraints)


class ExportLimitError(InvalidInputError):
    """An export would break a limit of the program that reads it (e.g. more
    breakout rooms than a meeting may have)."""


class ExtraNotInstalledError(ParticipatieError, ImportError):
    """A feature needs an optional extra that is not installed, e.g.
    ``pip install "participatie[xlsx]"`` to read Excel files."""


# --- event files and imports (the organiser's command line) ----------------


class EventFileError(InvalidInputError):
    """An event description file has problems; :attr:`problems` lists every one.

    Attributes:
        problems: Each problem with its line, so an organiser can fix them all
            in one pass instead of one per run.
    """

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)


class UnreadableTableError(InvalidInputError):
    """A registration export cannot be read (unknown encoding, no header row, a
    spreadsheet without the ``xlsx`` extra installed)."""


class ColumnMappingError(InvalidInputError):
    """The columns of an export do not give what an import needs (no e-mail
    column, a mapped header that is not in the file)."""


class ImportRefusedError(RegistrationRefusedError):
    """An import was not applied because some of its rows are refused.

    Nothing was stored: an import is applied whole or not at all, unless the
    organiser explicitly chooses to leave the refused rows out.

    Attributes:
        refused: How many rows were refused.
    """

    def __init__(self, message: str, refused: int = 0) -> None:
        super().__init__(message)
        self.refused = refused


# --- calendars ---------------------------------------------------------------


class SessionCancelledError(RegistrationClosedError):
    """The organiser cancelled the session; it takes no registrations."""


class CalendarImportError(InvalidInputError):
    """An organiser's calendar file could not be turned into sessions.

    Nothing is imported when this is raised: every problem found is listed in
    :attr:`problems`, each naming the calendar entry it is about, so the
    organiser can fix the file in one go.

    Attributes:
        problems: One plain sentence per problem found.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        if self.problems:
            message = message + ":\n" + "\n".join(f"- {problem}" for problem in self.problems)
        super().__init__(message)


# --- input and feedback rounds ----------------------------------------------


class FeedbackRefusedError(ParticipatieError, ValueError):
    """A step of a feedback round is refused by a rule (a response after the
    round closed, a disposition before it closed, ...)."""


class RoundNotOpenError(FeedbackRefusedError):
    """The feedback round has not opened yet."""


class RoundClosedError(FeedbackRefusedError):
    """The feedback round has closed: responses can no longer be given or changed.

    Raised for every response that arrives at or after the closing time (or
    after the organiser closed the round early); nothing is stored then.
    """


class RoundStillOpenError(FeedbackRefusedError):
    """The step needs a closed round (dispositions, concluding), but the round
    is still open: a participant could still change what is being judged."""


class RoundConcludedError(FeedbackRefusedError):
    """The round is concluded: participants were (or are being) told what was
    done with their comments, so the dispositions can no longer change."""


class RoundOverlapError(FeedbackRefusedError):
    """Another feedback round on the same draft is open, or would be open, at
    the same time; one draft is discussed in one round at a time."""


class NotARecipientError(FeedbackRefusedError):
    """Someone who is not among the round's recipients tried to respond."""


class DispositionsMissingError(FeedbackRefusedError):
    """A round cannot be concluded while comments have no disposition.

    Attributes:
        missing: ``(respondent, section)`` of each comment without a
            disposition (``section`` is ``None`` for a general comment).
    """

    def __init__(self, message: str, missing: Iterable[tuple[str, str | None]] = ()) -> None:
        super().__init__(message)
        self.missing: tuple[tuple[str, str | None], ...] = tuple(missing)


class UnknownDraftError(NotFoundError):
    """No draft document (or no such version of it) is stored."""


class UnknownRoundError(NotFoundError):
    """No feedback round with that identifier is stored."""


class UnknownContributionError(NotFoundError):
    """A draft section names input (a contribution) that the event does not have."""


class UnknownCommentError(NotFoundError):
    """A disposition names a comment that nobody made in the round."""


# --- privacy (issue 9) -----------------------------------------------------


class GuardianConsentRequiredError(ConsentRequiredError):
    """A minor registered without the consent of a parent or guardian, for a
    session that requires it below the participant's age category."""


class ErasureError(PluginError):
    """A plugin failed to erase (or purge) its part of a person's data.

    Nothing was erased from the core store yet, so the person can still be
    found: fix the plugin and erase again (erasing is safe to repeat).

    Attributes:
        plugin: The name of the plugin that failed.
    """

    def __init__(self, message: str, plugin: str) -> None:
        super().__init__(message)
        self.plugin = plugin


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
