"""What a calendar was last told about one entry, and the rule for what comes next.

iTIP (RFC 5546) lets a calendar tell an update from an old message by two
numbers: SEQUENCE, which the organiser raises on every significant change,
and DTSTAMP. So for every calendar entry we ever wrote (one per person's place
in a session, one per session in a feed) the store keeps a
:class:`CalendarState`: the sequence number, fingerprints of what the entry
said, and when it last changed. :func:`advance` is the pure rule that turns
the stored state and the entry as it is now into the next state; storage
backends run it inside their locked transaction
(:meth:`participatie.Store.advance_calendar_states`), so two processes never
hand out the same sequence number for different content.
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from participatie import _validate as v
from participatie.calendar._text import check_uid
from participatie.exceptions import InvalidInputError

__all__ = ["CalendarProposal", "CalendarState", "advance"]


def _uid(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    check_uid(value)


def _sequence(_instance: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(f"a SEQUENCE is a whole number of 0 or more, not {value!r}")


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value


@attrs.frozen
class CalendarProposal:
    """A calendar entry as it would be written now, reduced to what decides its state.

    Attributes:
        uid: The entry's UID.
        significant: Fingerprint of what a participant acts on (time, place,
            link, title with the group, status); a change raises SEQUENCE.
        content: Fingerprint of everything the entry shows; a change alone
            (a better description) keeps SEQUENCE and renews LAST-MODIFIED.
        cancelled: Whether the entry is a cancellation.
    """

    uid: str = attrs.field(validator=_uid)
    significant: str
    content: str
    cancelled: bool = False


@attrs.frozen
class CalendarState:
    """What the calendar was last told about one entry.

    Attributes:
        uid: The entry's UID (the key).
        sequence: Its SEQUENCE: 0 at first, raised by every significant change.
        significant: Fingerprint of the significant fields last written.
        content: Fingerprint of everything last written.
        last_modified: When what it says last changed (UTC): LAST-MODIFIED,
            and DTSTAMP in files without METHOD.
        cancelled: Whether the last word was a cancellation.
    """

    uid: str = attrs.field(validator=_uid)
    sequence: int = attrs.field(validator=_sequence)
    significant: str
    content: str
    last_modified: datetime = attrs.field(converter=_to_utc, validator=v.aware)
    cancelled: bool = False


def advance(
    previous: CalendarState | None, proposal: CalendarProposal, now: datetime
) -> CalendarState | None:
    """The state after writing ``proposal`` at ``now``, given the ``previous`` state.

    * Nothing written before: a cancellation needs no message (``None``);
      anything else starts at SEQUENCE 0.
    * A significant change (or a change between cancelled and not): SEQUENCE
      goes up by one and LAST-MODIFIED becomes ``now``.
    * Another change: same SEQUENCE, LAST-MODIFIED becomes ``now``.
    * No change: the previous state, unchanged, so sending the same entry
      again is harmless (calendars see the same SEQUENCE and LAST-MODIFIED).

    LAST-MODIFIED never goes backwards, even when ``now`` does.
    """
    v.aware(None, attrs.fields(CalendarState).last_modified, now)
    if previous is None:
        if proposal.cancelled:
            return None
        return CalendarState(
            proposal.uid, 0, proposal.significant, proposal.content, now, cancelled=False
        )
    if previous.uid != proposal.uid:
        raise InvalidInputError(f"state {previous.uid!r} does not belong to {proposal.uid!r}")
    later = max(now.astimezone(UTC), previous.last_modified)
    if previous.significant != proposal.significant or previous.cancelled != proposal.cancelled:
        sequence = previous.sequence + 1
    elif previous.content != proposal.content:
        sequence = previous.sequence
    else:
        return previous
    return CalendarState(
        proposal.uid,
        sequence,
        proposal.significant,
        proposal.content,
        later,
        cancelled=proposal.cancelled,
    )
