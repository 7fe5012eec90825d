"""The registry of personal data: every stored field, declared.

Every field participatie or a plugin stores is declared through the
``participatie_personal_data`` hook as personal, pseudonymous or not
personal, with its purpose and what erasure does to it. The registry is what
a data-protection impact assessment starts from, and the test suite compares
it with the real schema (every SQLite table and column, every attribute of
the memory store): a field nobody declared fails the tests, so a new table
cannot slip in unnoticed.

Naming: SQL tables and columns by their names (``persons.email``); values a
backend keeps in memory by their class name and attribute (``Person.email``);
the memory store's own attributes under ``MemoryStore``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from participatie.exceptions import InvalidInputError, PluginError

__all__ = [
    "DataKind",
    "PersonalDataRegistry",
    "PersonalField",
    "declare",
]


class DataKind(enum.Enum):
    """How much a stored value says about a person."""

    #: Identifies a person, or says something about them together with what
    #: identifies them: a name, an address, an organisation, an audience.
    PERSONAL = "personal"
    #: About a person, but linked to them only through an internal key (a
    #: person or registration id): states, times, group numbers. Personal
    #: data in law; once the person is erased it points to a tombstone.
    PSEUDONYMOUS = "pseudonymous"
    #: About the event, not about anyone: titles, times, capacities.
    NOT_PERSONAL = "not-personal"


def _text(_instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"a personal-data declaration needs a {attribute.name}")


@attrs.frozen
class PersonalField:
    """One stored field and what it means for privacy.

    Attributes:
        table: The SQL table, record class or ``MemoryStore``.
        column: The column or attribute.
        kind: Personal, pseudonymous or not personal.
        purpose: Why it is stored (what a DPIA asks first).
        on_erasure: What erasing a person does to it; required for personal
            and pseudonymous fields.
    """

    table: str = attrs.field(validator=_text)
    column: str = attrs.field(validator=_text)
    kind: DataKind = attrs.field(validator=attrs.validators.instance_of(DataKind))
    purpose: str = attrs.field(validator=_text)
    on_erasure: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind is not DataKind.NOT_PERSONAL and not self.on_erasure.strip():
            raise InvalidInputError(
                f"{self.table}.{self.column} is {self.kind.value}: say what erasure does to it"
            )

    @property
    def name(self) -> str:
        """``table.column``."""
        return f"{self.table}.{self.column}"


def declare(
    table: str,
    kind: DataKind,
    purpose: str,
    *columns: str,
    on_erasure: str = "",
) -> list[PersonalField]:
    """Declare several columns of one table with the same kind, purpose and erasure."""
    return [PersonalField(table, column, kind, purpose, on_erasure) for column in columns]


@attrs.frozen
class _Entry:
    field: PersonalField
    plugin: str


class PersonalDataRegistry:
    """Every declared field, by ``(table, column)``, with the plugin that declared it.

    Two plugins may declare the same field only if they say the same thing
    about it; otherwise the registry refuses to be built (a
    :class:`~participatie.PluginError` naming both).
    """

    def __init__(self, declarations: Iterable[tuple[str, PersonalField]]) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}
        for plugin, field in declarations:
            if not isinstance(field, PersonalField):
                raise PluginError(
                    f"plugin {plugin!r} declared {field!r}, which is not a PersonalField"
                )
            key = (field.table, field.column)
            known = self._entries.get(key)
            if known is not None and known.field != field:
                raise PluginError(
                    f"plugins {known.plugin!r} and {plugin!r} declare {field.name} differently"
                )
            if known is None:
                self._entries[key] = _Entry(field, plugin)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, table: str, column: str) -> PersonalField | None:
        """The declaration of one field, or ``None``."""
        entry = self._entries.get((table, column))
        return None if entry is None else entry.field

    def declared_by(self, table: str, column: str) -> str | None:
        """The plugin that declared a field, or ``None``."""
        entry = self._entries.get((table, column))
        return None if entry is None else entry.plugin

    def fields(self, *kinds: DataKind) -> list[PersonalField]:
        """Every declaration (of these kinds, if given), ordered by table and column."""
        return [
            entry.field
            for key, entry in sorted(self._entries.items())
            if not kinds or entry.field.kind in kinds
        ]

    def plugins_declaring(self, *kinds: DataKind) -> set[str]:
        """Names of the plugins that declared fields of these kinds."""
        return {
            entry.plugin
            for entry in self._entries.values()
            if not kinds or entry.field.kind in kinds
        }

    def undeclared(self, found: Iterable[tuple[str, str]]) -> list[str]:
        """``table.column`` of every field in ``found`` that nobody declared, sorted."""
        return sorted(f"{table}.{column}" for table, column in set(found) - set(self._entries))

    def markdown(self, *kinds: DataKind, tables: Iterable[str] | None = None) -> str:
        """The declarations as a Markdown table (for a DPIA or the documentation)."""
        wanted = None if tables is None else set(tables)
        lines = ["| field | kind | purpose | on erasure |", "|---|---|---|---|"]
        for field in self.fields(*kinds):
            if wanted is not None and field.table not in wanted:
                continue
            lines.append(
                f"| `{field.name}` | {field.kind.value} | {field.purpose} | "
                f"{field.on_erasure or '-'} |"
            )
        return "\n".join(lines)
