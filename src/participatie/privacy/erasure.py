"""Erasing one person, and purging events whose retention period is over.

The order matters. Plugins erase first, while the person can still be found
by address and registration ids; if one fails, nothing in the core store is
touched, so running the erasure again finds everything again. Then the store
erases atomically (tombstones keep counts right), the people who got a freed
place are told through the usual lifecycle hook, the act is recorded in the
privacy log (without saying who was erased), and finally the store scrubs
old copies from its files (SQLite: the write-ahead log).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import attrs

from participatie import _validate as v
from participatie.model import Transition
from participatie.storage._base import Detached, PersonErasure, PrivacyRecord, Scrubbed

if TYPE_CHECKING:
    from participatie._facade import Participatie

__all__ = ["Erased", "ErasureReport", "PurgeReport", "erase_person", "purge_expired"]


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Erased:
    """What a plugin erased (returned by the erasure and purge hooks).

    Attributes:
        items: Records, rows or messages removed or replaced.
        files: Files rewritten or removed.
        detail: One sentence for the organiser.
    """

    items: int = 0
    files: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    detail: str = ""


@attrs.frozen
class ErasureReport:
    """What :meth:`Participatie.erase_person <participatie.Participatie.erase_person>` did.

    It never holds the erased address or name.

    Attributes:
        found: Whether the store held the person.
        store: What the store erased.
        plugins: What each plugin erased, by plugin name.
        scrubbed: Whether old copies are gone from the store's files.
    """

    found: bool
    store: PersonErasure
    plugins: Mapping[str, Erased]
    scrubbed: Scrubbed

    @property
    def complete(self) -> bool:
        """Whether everything is erased, old copies in files included."""
        return self.scrubbed.complete

    def lines(self) -> list[str]:
        """The report as sentences for an organiser."""
        detached = self.store.detached
        lines = [
            "person found and erased" if self.found else "nobody with that address is stored",
            f"{detached.registrations} registration(s) kept as anonymous tombstones, "
            f"{detached.assignment_entries} assignment entr(y/ies) and "
            f"{detached.group_placements} group placement(s) deleted",
        ]
        cancelled = sum(1 for t in self.store.transitions if t.reason == "erased")
        moved = sum(1 for t in self.store.transitions if t.reason in {"promoted", "offered"})
        if cancelled:
            lines.append(
                f"{cancelled} upcoming registration(s) cancelled, {moved} place(s) moved up"
            )
        lines += [
            f"{name}: {erased.items} item(s)"
            + (f" in {len(erased.files)} file(s)" if erased.files else "")
            for name, erased in sorted(self.plugins.items())
        ]
        lines.append(self.scrubbed.detail)
        return lines


@attrs.frozen
class PurgeReport:
    """What :meth:`Participatie.purge_expired <participatie.Participatie.purge_expired>` did.

    Attributes:
        events: Keys of the events whose retention was over.
        store: What the store erased, by event key.
        plugins: What each plugin erased, by event key, then plugin name.
        scrubbed: Whether old copies are gone from the store's files
            (``None`` when nothing was due).
    """

    events: tuple[str, ...]
    store: Mapping[str, Detached]
    plugins: Mapping[str, Mapping[str, Erased]]
    scrubbed: Scrubbed | None

    @property
    def erased(self) -> int:
        """Everything the store removed or replaced, over all events."""
        return sum(detached.total for detached in self.store.values())


def _notify_others(app: Participatie, transitions: Iterable[Transition], mine: set[int]) -> None:
    # People who moved up into a freed place are told as usual. The erased
    # person's own cancellations are not reported: nobody may be told
    # anything about them any more.
    by_event: dict[str, list[Transition]] = {}
    for transition in transitions:
        if transition.registration.id not in mine:
            by_event.setdefault(transition.registration.event_key, []).append(transition)
    for event_key, changes in by_event.items():
        app.plugins.registration_changed(changes, app.event(event_key))


def erase_person(app: Participatie, email: str, *, requested_by: str | None) -> ErasureReport:
    """See :meth:`participatie.Participatie.erase_person`."""
    key = v.lookup_email(email)
    handler = None if requested_by is None else v.normalise_email(requested_by)
    now = app.now()
    registrations = app.store.registrations_of(key)
    plugins = app.plugins.erase_person(key, registrations, app.store, now)
    outcome = app.store.erase_person(key, now)
    _notify_others(app, outcome.transitions, set(outcome.registrations))
    if handler == key:
        handler = None  # the record must not keep the address just erased
    app.store.record_privacy(
        PrivacyRecord(
            now,
            "erased",
            subject="person",
            requested_by=handler,
            count=1 if outcome.found else 0,
        )
    )
    return ErasureReport(outcome.found, outcome, plugins, app.store.scrub())


def purge_expired(app: Participatie) -> PurgeReport:
    """See :meth:`participatie.Participatie.purge_expired`."""
    now = app.now()
    due = [event for event in app.events() if (when := event.purge_due) is not None and when <= now]
    store: dict[str, Detached] = {}
    plugins: dict[str, Mapping[str, Erased]] = {}
    for event in due:
        plugins[event.key] = app.plugins.purge_event(event, app.store, now)
        store[event.key] = app.store.purge_event(event.key, now)
        if store[event.key].total or plugins[event.key]:
            app.store.record_privacy(
                PrivacyRecord(
                    now,
                    "purged",
                    event.key,
                    "retention over",
                    count=store[event.key].registrations,
                )
            )
    scrubbed = app.store.scrub() if due else None
    return PurgeReport(tuple(event.key for event in due), store, plugins, scrubbed)
