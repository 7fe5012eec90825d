"""What a store really keeps, compared with the registry of personal data.

:func:`stored_fields` reads the real schema: every table and column of a
SQLite database (``sqlite_master`` and ``PRAGMA table_info``), or every
attribute of the memory store and of every value it holds. A field there that
nobody declared is a field nobody thought about; :func:`personal_data_problems`
lists those, and every plugin that declares personal data but implements no
erasure or subject-access hook.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from participatie.privacy.registry import DataKind, PersonalDataRegistry

if TYPE_CHECKING:
    from participatie.plugins import Plugins
    from participatie.storage import Store

__all__ = ["memory_fields", "personal_data_problems", "sqlite_fields", "stored_fields"]

#: The hooks a plugin that stores personal data must implement.
REQUIRED_HOOKS = ("participatie_erase_person", "participatie_subject_access")


def sqlite_fields(path: str | Path) -> set[tuple[str, str]]:
    """``(table, column)`` of every table of a SQLite database (opened read-only)."""
    with contextlib_closing(sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)) as db:
        return _sqlite_fields(db)


def _sqlite_fields(db: sqlite3.Connection) -> set[tuple[str, str]]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    fields = set()
    for table in tables:
        quoted = table.replace('"', '""')
        for row in db.execute(f'PRAGMA table_info("{quoted}")'):
            fields.add((table, row[1]))
    return fields


def contextlib_closing(db: sqlite3.Connection) -> Any:
    """``contextlib.closing`` for a connection (``sqlite3``'s own context manager only commits)."""
    import contextlib

    return contextlib.closing(db)


#: Store attributes that hold settings, not records: declared, not walked.
_CONFIGURATION = frozenset({"message_planner"})


def memory_fields(store: object) -> set[tuple[str, str]]:
    """``(class, attribute)`` of the store's attributes and of every attrs value it holds.

    The store's own attributes are reported as ``(class name of the store,
    attribute)``; values are walked through dictionaries (keys and values),
    lists, tuples and sets, so a new kind of record is found as soon as the
    store holds one.
    """
    found: set[tuple[str, str]] = set()
    owner = type(store).__name__
    seen: set[int] = set()

    def walk(value: object) -> None:
        if isinstance(value, str | bytes | int | float | bool | enum.Enum) or value is None:
            return
        if id(value) in seen:
            return
        seen.add(id(value))
        if attrs.has(type(value)):
            for field in attrs.fields(type(value)):  # type: ignore[arg-type]
                found.add((type(value).__name__, field.name))
                walk(getattr(value, field.name))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                walk(item)

    for name, value in vars(store).items():
        found.add((owner, name))
        if name not in _CONFIGURATION:
            walk(value)
    return found


def stored_fields(store: Store) -> set[tuple[str, str]] | None:
    """The fields a built-in store keeps; ``None`` for a backend this cannot read."""
    from participatie.storage.memory import MemoryStore
    from participatie.storage.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        with store._lock:  # the live connection also sees an in-memory database
            return _sqlite_fields(store._db)
    if isinstance(store, MemoryStore):
        return memory_fields(store)
    return None


def personal_data_problems(
    registry: PersonalDataRegistry, plugins: Plugins, found: Iterable[tuple[str, str]] = ()
) -> list[str]:
    """Everything wrong with the declarations, as sentences (empty: nothing).

    - a stored field in ``found`` that nobody declared;
    - a plugin that declares personal or pseudonymous fields but implements
      no :func:`~participatie.hookspecs.participatie_erase_person` or
      :func:`~participatie.hookspecs.participatie_subject_access`.
    """
    problems = [
        f"{name} is stored but not declared (implement participatie_personal_data)"
        for name in registry.undeclared(found)
    ]
    for plugin in sorted(registry.plugins_declaring(DataKind.PERSONAL, DataKind.PSEUDONYMOUS)):
        for hook in REQUIRED_HOOKS:
            if plugin not in plugins.implementers(hook):
                problems.append(
                    f"plugin {plugin!r} declares personal data but does not implement {hook}"
                )
    return problems
