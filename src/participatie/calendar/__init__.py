"""Calendar files that every calendar understands: invitations, updates, cancellations, feeds.

- :func:`invitation` and :class:`InvitationWriter`: one participant's entry
  per session, as an iTIP message (``METHOD:REQUEST`` / ``METHOD:CANCEL``)
  with a stable UID and a SEQUENCE that rises on every significant change;
- :func:`feed`: the published calendar of an event or of one audience (no
  METHOD, no personal data);
- :class:`SessionSeries` and :func:`series_calendar`: sessions given as a
  recurrence rule, written as RRULE/EXDATE and expanded into single sessions;
- :func:`import_sessions`: sessions read from an organiser's ``.ics`` file;
- :class:`CalendarState` and :func:`advance`: what a calendar was last told,
  and the pure rule for the next SEQUENCE.

Everything here is pure; :class:`participatie.Participatie` keeps the
calendar states in the store. The modules inside are private: import from
``participatie.calendar``.
"""

from participatie.calendar._feed import (
    Feed,
    FeedEntry,
    feed,
    feed_proposals,
    render_feed,
    session_uid,
)
from participatie.calendar._importer import import_sessions
from participatie.calendar._invitation import (
    Invitation,
    InvitationWriter,
    invitation,
    invitation_token,
    invitation_uid,
)
from participatie.calendar._options import PRODID, CalendarOptions, GroupDetails
from participatie.calendar._render import uid_domain
from participatie.calendar._series import (
    MAX_OCCURRENCES,
    SessionSeries,
    series_calendar,
    series_uid,
)
from participatie.calendar._state import CalendarProposal, CalendarState, advance

__all__ = [
    "MAX_OCCURRENCES",
    "PRODID",
    "CalendarOptions",
    "CalendarProposal",
    "CalendarState",
    "Feed",
    "FeedEntry",
    "GroupDetails",
    "Invitation",
    "InvitationWriter",
    "SessionSeries",
    "advance",
    "feed",
    "feed_proposals",
    "import_sessions",
    "invitation",
    "invitation_token",
    "invitation_uid",
    "render_feed",
    "series_calendar",
    "series_uid",
    "session_uid",
    "uid_domain",
]
