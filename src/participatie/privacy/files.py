"""Files participatie wrote that hold personal data: finding and erasing people in them.

Only files written on an explicit request for names are recorded (see
:class:`~participatie.PrivacyRecord`); pseudonymous exports name nobody. A
recorded CSV file is rewritten without the rows that hold the erased
person's address; a subject-access export is removed whole. Copies made
outside participatie (a file mailed on, a printout) are out of its reach:
the privacy log tells the organiser which files went where.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["file_mentions", "find_markers", "remove_file", "remove_rows_with"]


def _cells(row: list[str]) -> set[str]:
    # A cell made safe for spreadsheets carries a leading apostrophe.
    return {cell.strip().lstrip("'").strip().lower() for cell in row}


def _unfolded(text: str) -> str:
    """``text`` with folded lines joined: a line break followed by a space or tab.

    Calendar files (RFC 5545) and mail headers (RFC 5322) fold long lines
    that way, so an address can be split over two lines of the file.
    """
    return text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "").replace("\n\t", "")


def file_mentions(path: Path, email: str) -> bool:
    """Whether the file exists and holds ``email`` anywhere (case-insensitive, also folded)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return False
    return email.lower() in text.lower() or email.lower() in _unfolded(text).lower()


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and move it over ``path``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_rows_with(path: Path, email: str) -> int:
    """Rewrite a CSV file without the rows that hold ``email``; return how many went.

    A missing file is skipped (0). The header row stays.
    """
    if not file_mentions(path, email):
        return 0
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    wanted = email.lower()
    kept = [row for row in rows if wanted not in _cells(row)]
    removed = len(rows) - len(kept)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(kept)
    if removed or wanted in buffer.getvalue().lower():
        # The address in a cell of its own is gone with its row; an address
        # inside a longer cell would survive, so such a file goes whole.
        if wanted in buffer.getvalue().lower():
            path.unlink()
            return removed or 1
        _replace(path, buffer.getvalue())
    elif wanted not in text.lower():
        # Only found across a folded line (a calendar file, a mail header):
        # the file is about the person, so it goes whole.
        path.unlink()
        return 1
    return removed


def remove_file(path: Path) -> bool:
    """Remove a file if it is there; whether it was."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def find_markers(
    roots: Iterable[Path], markers: Iterable[str], *, texts: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Where each marker occurs: in any file under ``roots`` (read as bytes) or in ``texts``.

    Every file is searched byte for byte (a database, its write-ahead log,
    exports), for the marker in UTF-8 and, case-insensitively, in lower
    case. ``texts`` adds named texts that are not files (captured logs).
    Returns each marker with the places it was found (empty: nowhere).
    """
    wanted = list(markers)
    found: dict[str, list[str]] = {marker: [] for marker in wanted}
    sources: list[tuple[str, bytes]] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        sources += [(str(path), path.read_bytes()) for path in files]
    sources += [(name, text.encode("utf-8")) for name, text in (texts or {}).items()]
    for name, data in sources:
        lowered = data.lower()
        for marker in wanted:
            encoded = marker.encode("utf-8")
            if encoded in data or encoded.lower() in lowered:
                found[marker].append(name)
    return found
