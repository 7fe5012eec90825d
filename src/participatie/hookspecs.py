"""Every hook a participatie plugin can implement, in one module.

Implement a hook by writing a function of the same name decorated with
:data:`participatie.hookimpl`, in a module registered through the entry-point
group ``participatie``. An implementation may accept fewer arguments than the
spec lists (new arguments can then be added later without breaking it); never
give an implementation's argument a default value, because pluggy will not
pass it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from participatie.channels import ChannelFactory
    from participatie.feedback.responses import Response
    from participatie.feedback.rounds import FeedbackRound
    from participatie.grouping import GroupingStrategy
    from participatie.model import Event, Registration, Transition
    from participatie.privacy import Erased, PersonalField
    from participatie.storage import Store

__all__ = [
    "hookspec",
    "participatie_erase_person",
    "participatie_event_saved",
    "participatie_feedback_response_received",
    "participatie_feedback_round_closed",
    "participatie_feedback_round_opened",
    "participatie_open_store",
    "participatie_personal_data",
    "participatie_purge_event",
    "participatie_register_channels",
    "participatie_register_grouping_strategies",
    "participatie_registration_changed",
    "participatie_subject_access",
]

hookspec = pluggy.HookspecMarker("participatie")


@hookspec(firstresult=True)
def participatie_open_store(url: str) -> Store | None:
    """Open a storage backend for ``url``, if this plugin handles its scheme.

    Called by :meth:`participatie.Participatie.open` and
    :func:`participatie.open_store` each time a store is opened.

    :param url: The store URL as the user gave it, e.g. ``sqlite:///event.db``.
    :return: An open :class:`~participatie.storage.Store`, or ``None`` when the
        URL's scheme is not this plugin's. Stops at the first non-``None``
        result. Built-in backends are registered with ``trylast=True``, so a
        plugin can take over their schemes. Raise
        :class:`~participatie.exceptions.StorageError` (or a subclass) when the
        scheme is yours but the store cannot be opened.
    """


@hookspec
def participatie_register_channels(register: Callable[[str, ChannelFactory], None]) -> None:
    """Contribute notification channels.

    Called the first time the plugin manager is asked for channels, and again
    after :meth:`~participatie.Plugins.register` adds a plugin (so do not count the calls).

    :param register: Call ``register(name, factory)`` once per channel. ``name``
        is how organisers select the channel (e.g. ``"console"``); ``factory``
        is called with the channel's options as keyword arguments and returns
        a :class:`~participatie.channels.Channel`. Two plugins registering the
        same name is an error that names both.
    :return: Nothing.
    """


@hookspec
def participatie_register_grouping_strategies(
    register: Callable[[str, GroupingStrategy], None],
) -> None:
    """Contribute strategies that split a session's participants into groups.

    Called the first time the plugin manager is asked for strategies, and again
    after :meth:`~participatie.Plugins.register` adds a plugin (so do not count the calls).

    :param register: Call ``register(name, strategy)`` once per strategy, where
        ``strategy`` is a :class:`~participatie.grouping.GroupingStrategy`.
        Two plugins registering the same name is an error that names both.
    :return: Nothing.
    """


@hookspec
def participatie_registration_changed(transition: Transition, event: Event) -> None:
    """React to a registration changing state.

    Called once per change, in the order they happened, *after* the change is
    committed to the store: a new registration, a place on the waiting list,
    a promotion, an offer made, accepted, declined or lapsed, a cancellation,
    attendance recorded. One operation may cause several changes (a
    cancellation promotes the next person waiting).

    :param transition: The change, with the registration as it is after it.
    :param event: The event the registration belongs to.
    :return: Nothing. An exception is logged and does not undo the change or
        stop other plugins from being called.
    """


@hookspec
def participatie_event_saved(event: Event) -> None:
    """React to an event being stored or replaced.

    Called after :meth:`participatie.Participatie.save_event` has committed.

    :param event: The event as stored.
    :return: Nothing. An exception is logged and does not undo the save.
    """


@hookspec
def participatie_feedback_round_opened(feedback_round: FeedbackRound, event: Event) -> None:
    """React to a feedback round opening.

    Called once per round, after the store recorded that the opening was
    reported: when a round is created that opens at once, or else by the
    first of :meth:`~participatie.Participatie.advance_rounds`,
    :meth:`~participatie.Participatie.respond`,
    :meth:`~participatie.Participatie.close_round` or
    :meth:`~participatie.Participatie.conclude_round` that runs after its
    opening time. Several schedulers never report one opening twice.

    :param feedback_round: The round as stored (``opened_announced_at`` set).
    :param event: The event whose participants are asked.
    :return: Nothing. An exception is logged and does not undo anything.
    """


@hookspec
def participatie_feedback_response_received(
    response: Response, feedback_round: FeedbackRound, event: Event
) -> None:
    """React to a response arriving (or being changed) in an open feedback round.

    Called after :meth:`~participatie.Participatie.respond` committed it; a
    refused response (the round closed, not a recipient) is never reported.
    ``response.revision`` is 1 for a first response and counts up with each
    change.

    :param response: The response as stored.
    :param feedback_round: Its round.
    :param event: The event.
    :return: Nothing. An exception is logged and does not undo the response.
    """


@hookspec
def participatie_feedback_round_closed(feedback_round: FeedbackRound, event: Event) -> None:
    """React to a feedback round closing (at its deadline, or closed early).

    Called once per round, by the first step that runs after the closing
    (:meth:`~participatie.Participatie.advance_rounds` from a scheduler,
    :meth:`~participatie.Participatie.close_round`, a late
    :meth:`~participatie.Participatie.respond`, ...), always after the
    opening was reported.

    :param feedback_round: The round as stored (``closed_announced_at`` set).
    :param event: The event.
    :return: Nothing. An exception is logged and does not undo anything.
    """


# --- privacy (issue 9) -----------------------------------------------------


@hookspec
def participatie_personal_data() -> Iterable[PersonalField] | None:
    """Declare every field this plugin stores, personal or not.

    Called by :meth:`~participatie.Plugins.personal_data` whenever the
    registry of personal data is built (the test suite builds it and
    compares it with the real schema: a table or column nobody declared
    fails the tests).

    :return: :class:`~participatie.privacy.PersonalField` values, one per
        column (SQL) or attribute (a record kept in memory); see
        :func:`participatie.privacy.declare`. A plugin that declares
        personal or pseudonymous fields must also implement
        :func:`participatie_erase_person` and
        :func:`participatie_subject_access`.
    """


@hookspec
def participatie_erase_person(
    email: str, registrations: Sequence[Registration], store: Store, now: datetime
) -> Erased | None:
    """Erase everything this plugin keeps about one person: rows, files, messages.

    Called by :meth:`participatie.Participatie.erase_person` *before* the
    core store erases the person, so the person can still be found: by
    ``email`` or by the ids of ``registrations``. Those registrations keep
    their ids afterwards (they become tombstones), so data keyed by
    registration id must be erased now, not later.

    :param email: The person's normalised e-mail address.
    :param registrations: Their registrations, as stored before erasure.
    :param store: The store (for plugins that keep tables in it).
    :param now: The current instant.
    :return: An :class:`~participatie.privacy.Erased` saying what was
        removed, or ``None`` when nothing was. Must be safe to call again
        (erasing twice is harmless). An exception stops the erasure before
        the core store is touched and is raised to the caller as
        :class:`~participatie.ErasureError` naming this plugin.
    """


@hookspec
def participatie_subject_access(
    email: str, registrations: Sequence[Registration], store: Store
) -> Mapping[str, Any] | None:
    """Contribute this plugin's data to a person's subject-access export.

    Called by :meth:`participatie.Participatie.subject_access` (the person's
    right of access, GDPR article 15).

    :param email: The person's normalised e-mail address.
    :param registrations: Their registrations.
    :param store: The store.
    :return: A mapping of JSON-compatible values (text, numbers, lists,
        mappings; datetimes as ISO 8601 text) that holds everything the
        plugin keeps about the person, or ``None`` when it keeps nothing. It
        appears in the export under the plugin's name.
    """


@hookspec
def participatie_purge_event(event: Event, store: Store, now: datetime) -> Erased | None:
    """Erase this plugin's personal data of one event whose retention is over.

    Called by :meth:`participatie.Participatie.purge_expired` before the
    core store purges the event. Keep only what was made anonymous (counts,
    input no longer linked to anyone).

    :param event: The event whose retention period is over.
    :param store: The store.
    :param now: The current instant.
    :return: An :class:`~participatie.privacy.Erased`, or ``None``. Must be
        safe to call again. An exception stops the purge before the core
        store is touched and is raised as :class:`~participatie.ErasureError`.
    """
