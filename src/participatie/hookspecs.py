"""Every hook a participatie plugin can implement, in one module.

Implement a hook by writing a function of the same name decorated with
:data:`participatie.hookimpl`, in a module registered through the entry-point
group ``participatie``. An implementation may accept fewer arguments than the
spec lists (new arguments can then be added later without breaking it); never
give an implementation's argument a default value, because pluggy will not
pass it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from participatie.channels import ChannelFactory
    from participatie.grouping import GroupingStrategy
    from participatie.model import Event, Transition
    from participatie.storage import Store

__all__ = [
    "hookspec",
    "participatie_event_saved",
    "participatie_open_store",
    "participatie_register_channels",
    "participatie_register_grouping_strategies",
    "participatie_registration_changed",
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
        same name is an error that names both. The channel's ``send`` gets one
        message for one person at a time, and raises
        :class:`~participatie.exceptions.TransientDeliveryError` or
        :class:`~participatie.exceptions.PermanentDeliveryError` on failure
        (anything else counts as transient).
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
