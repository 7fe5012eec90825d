"""Where each key of a TOML document is written, for messages that name a line.

:mod:`tomllib` turns a document into plain dicts and lists and forgets where
anything was written, but an organiser fixing an event file wants "line 23:
capacity must be a whole number", for every problem at once. This scanner
walks a document that :mod:`tomllib` has already accepted and records the line
on which each table header, key and array element starts, under the same path
the parsed data uses: ``("sessions", 1, "capacity")`` is the ``capacity`` key
of the second ``[[sessions]]`` table, ``("event", "central_questions", 2)`` the
third central question.

It relies on the document being valid TOML (it does not report syntax errors;
tomllib does that, with a line number of its own).
"""

from __future__ import annotations

import bisect
import tomllib

__all__ = ["Path", "line_of", "locate"]

#: A position in the parsed data: table keys and array indexes.
Path = tuple[str | int, ...]

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}\n\r#")


class _Scanner:
    def __init__(self, source: str) -> None:
        self.text = source
        self.pos = 0
        self.line_starts = [0] + [i + 1 for i, char in enumerate(source) if char == "\n"]
        self.lines: dict[Path, int] = {}
        self.arrays_of_tables: dict[Path, int] = {}

    # --- positions ---------------------------------------------------------

    def line(self) -> int:
        return bisect.bisect_right(self.line_starts, self.pos)

    def record(self, path: Path, line: int) -> None:
        for cut in range(1, len(path) + 1):
            self.lines.setdefault(path[:cut], line)

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_blank(self, *, newlines: bool) -> None:
        blank = " \t\r\n" if newlines else " \t"
        while not self.at_end():
            char = self.text[self.pos]
            if char in blank:
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    # --- keys and strings ----------------------------------------------------

    def read_key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            char = self.peek()
            if char in {'"', "'"}:
                start = self.pos
                self.skip_string()
                parts.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            else:
                start = self.pos
                while not self.at_end() and self.text[self.pos] in _BARE_KEY:
                    self.pos += 1
                parts.append(self.text[start : self.pos])
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def skip_string(self) -> None:
        quote = self.peek()
        if self.peek(3) == quote * 3:
            self.pos += 3
            while not self.at_end():
                if quote == '"' and self.text[self.pos] == "\\":
                    self.pos += 2
                elif self.peek(3) == quote * 3:
                    self.pos += 3
                    # A closing delimiter may be preceded by up to two quotes of content.
                    extra = 0
                    while extra < 2 and self.peek() == quote:
                        self.pos += 1
                        extra += 1
                    return
                else:
                    self.pos += 1
            return
        self.pos += 1
        while not self.at_end():
            char = self.text[self.pos]
            if quote == '"' and char == "\\":
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return

    # --- values --------------------------------------------------------------

    def skip_value(self, path: Path) -> None:
        char = self.peek()
        if char in {'"', "'"}:
            self.skip_string()
        elif char == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.at_end() or self.peek() == "]":
                    self.pos += 1
                    return
                self.record((*path, index), self.line())
                self.skip_value((*path, index))
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.skip_blank(newlines=True)
                if self.at_end() or self.peek() == "}":
                    self.pos += 1
                    return
                line = self.line()
                key = (*path, *self.read_key())
                self.record(key, line)
                self.skip_blank(newlines=False)
                self.pos += 1  # "="
                self.skip_blank(newlines=False)
                self.skip_value(key)
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.pos += 1
        else:
            while not self.at_end() and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1

    # --- the document ----------------------------------------------------------

    def resolve(self, parts: list[str], *, new_array_entry: bool) -> Path:
        resolved: list[str | int] = []
        for number, part in enumerate(parts):
            resolved.append(part)
            key = tuple(resolved)
            last = number == len(parts) - 1
            if last and new_array_entry:
                self.arrays_of_tables[key] = self.arrays_of_tables.get(key, 0) + 1
            if key in self.arrays_of_tables:
                resolved.append(self.arrays_of_tables[key] - 1)
        return tuple(resolved)

    def scan(self) -> dict[Path, int]:
        table: Path = ()
        while True:
            self.skip_blank(newlines=True)
            if self.at_end():
                return self.lines
            line = self.line()
            if self.peek(2) == "[[":
                self.pos += 2
                table = self.resolve(self.read_key(), new_array_entry=True)
                self.pos += 2
            elif self.peek() == "[":
                self.pos += 1
                table = self.resolve(self.read_key(), new_array_entry=False)
                self.pos += 1
            else:
                key = (*table, *self.read_key())
                self.record(key, line)
                self.skip_blank(newlines=False)
                self.pos += 1  # "="
                self.skip_blank(newlines=False)
                self.skip_value(key)
                continue
            self.record(table, line)


def locate(source: str) -> dict[Path, int]:
    """The 1-based line of every table, key and array element in ``source``.

    ``source`` must be valid TOML (parse it with :mod:`tomllib` first).
    """
    return _Scanner(source).scan()


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest written ancestor (a missing key's table)."""
    for cut in range(len(path), 0, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None
