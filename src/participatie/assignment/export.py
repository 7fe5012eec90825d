"""CSV files an organiser needs: group lists per session and Zoom breakout rooms.

Group lists are pseudonymous unless names are asked for: each person is a
keyed pseudonym (:class:`~participatie.privacy.Pseudonymiser`, a fresh key
per export unless one is given) with their audience, and nothing else that
points to them. A Zoom file needs e-mail addresses by its nature; the facade
records every export that holds names or addresses in the privacy log.

Every cell is made safe for spreadsheets: a value starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would run as a formula (CSV
injection), so it gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from participatie.exceptions import ExportLimitError
from participatie.grouping import Group
from participatie.privacy.pseudonyms import Pseudonymiser

__all__ = [
    "ZOOM_MAX_PARTICIPANTS",
    "ZOOM_MAX_ROOMS",
    "group_list_csv",
    "safe_cell",
    "zoom_rooms_csv",
]

#: Zoom's documented limits for pre-assigning breakout rooms (100 rooms,
#: 1,000 participants); pass smaller limits if an account has lower ones.
ZOOM_MAX_ROOMS = 100
ZOOM_MAX_PARTICIPANTS = 1000

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def group_list_csv(
    session_title: str,
    groups: list[Group],
    *,
    names: bool = False,
    pseudonymiser: Pseudonymiser | None = None,
) -> str:
    """One row per person in each group of a session.

    By default the columns are session, group, role, participant (a keyed
    pseudonym) and audience. With ``names=True`` they are session, group,
    role, name, e-mail, audience and organisation. ``pseudonymiser`` lets
    several lists of one export share pseudonyms; by default each list gets
    a fresh key.
    """
    if names:
        rows: list[list[object]] = [
            ["session", "group", "role", "name", "email", "audience", "organisation"]
        ]
    else:
        rows = [["session", "group", "role", "participant", "audience"]]
    pseudonym = pseudonymiser if pseudonymiser is not None else Pseudonymiser()
    for group in groups:
        people = [(person, "facilitator") for person in group.facilitators]
        people += [(member.person, "participant") for member in group.members]
        for person, role in people:
            if names:
                rows.append(
                    [
                        session_title,
                        group.number,
                        role,
                        person.name,
                        person.email,
                        person.audience,
                        person.organisation,
                    ]
                )
            else:
                rows.append(
                    [session_title, group.number, role, pseudonym(person.email), person.audience]
                )
    return _write(rows)


def zoom_rooms_csv(
    groups: list[Group],
    *,
    room_name: str = "Groep {number}",
    max_rooms: int = ZOOM_MAX_ROOMS,
    max_participants: int = ZOOM_MAX_PARTICIPANTS,
) -> str:
    """Zoom's breakout-room pre-assignment file: ``Pre-assign Room Name,Email Address``.

    Raises :class:`~participatie.exceptions.ExportLimitError` beyond Zoom's
    limits (rooms per meeting, participants pre-assigned).
    """
    people = sum(len(group.members) + len(group.facilitators) for group in groups)
    if len(groups) > max_rooms:
        raise ExportLimitError(
            f"{len(groups)} groups, but a Zoom meeting can pre-assign at most {max_rooms} "
            "breakout rooms: split the session over more meetings or use larger groups"
        )
    if people > max_participants:
        raise ExportLimitError(
            f"{people} people, but Zoom pre-assigns at most {max_participants} participants "
            "to breakout rooms in one meeting"
        )
    rows: list[list[object]] = [["Pre-assign Room Name", "Email Address"]]
    for group in groups:
        name = room_name.format(number=group.number)
        rows += [[name, person.email] for person in group.facilitators]
        rows += [[name, member.person.email] for member in group.members]
    return _write(rows)
