"""Reading calendar files back, with icalendar and with an independent parser (vobject)."""

from __future__ import annotations

from datetime import UTC, datetime

import vobject
from icalendar import Calendar


def unfold(data: bytes) -> list[str]:
    """The content lines of a file, unfolded (for checks on what the file literally says)."""
    text = data.decode("utf-8")
    assert "\n" not in text.replace("\r\n", ""), "a bare LF (or CR) outside CRLF"
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def check_physical_lines(data: bytes) -> None:
    """Every physical line ends with CRLF and is at most 75 octets long."""
    assert data.endswith(b"\r\n")
    for raw in data.split(b"\r\n")[:-1]:
        assert b"\r" not in raw
        assert b"\n" not in raw
        assert len(raw) <= 75, raw
        raw.decode("utf-8")  # folding never cuts a character in two


def property_names(data: bytes, component: str = "VEVENT") -> list[list[str]]:
    """For each ``component`` in the file, the names of its own properties, in order."""
    found: list[list[str]] = []
    depth_component: list[str] = []
    for content in unfold(data):
        name = content.split(":", 1)[0].split(";", 1)[0].upper()
        if name == "BEGIN":
            depth_component.append(content.split(":", 1)[1])
            if depth_component[-1] == component:
                found.append([])
        elif name == "END":
            depth_component.pop()
        elif depth_component and depth_component[-1] == component:
            found[-1].append(name)
    return found


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _forget_vobject_time_zones() -> None:
    """vobject keeps the first VTIMEZONE it saw for a TZID for the rest of the process;
    each file must be read with its own."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    registry.clear()
    vobject.icalendar.registerTzid("UTC", vobject.icalendar.utc)


def vobject_events(data: bytes) -> list[object]:
    """The VEVENTs as the independent parser (vobject, with its own VTIMEZONE reading) sees them."""
    _forget_vobject_time_zones()
    calendar = vobject.readOne(data.decode("utf-8"))
    return list(calendar.vevent_list) if hasattr(calendar, "vevent_list") else []


def icalendar_events(data: bytes) -> list[object]:
    return list(Calendar.from_ical(data).walk("VEVENT"))
