"""CSV files an organiser needs: group lists per session and Zoom breakout rooms.

Every cell is made safe for spreadsheets: a value starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would run as a formula (CSV
injection), so it gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

from participatie.exceptions import ExportLimitError
from participatie.grouping import Group

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


def group_list_csv(session_title: str, groups: list[Group]) -> str:
    """One row per person: session, group, role, name, e-mail, audience, organisation."""
    rows: list[list[object]] = [
        ["session", "group", "role", "name", "email", "audience", "organisation"]
    ]
    for group in groups:
        for person in group.facilitators:
            rows.append(
                [
                    session_title,
                    group.number,
                    "facilitator",
                    person.name,
                    person.email,
                    person.audience,
                    person.organisation,
                ]
            )
        for member in group.members:
            person = member.person
            rows.append(
                [
                    session_title,
                    group.number,
                    "participant",
                    person.name,
                    person.email,
                    person.audience,
                    person.organisation,
                ]
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
