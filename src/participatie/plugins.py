"""Finding, loading and calling plugins.

Built-in backends, channels and strategies are plugins too: the modules in
:data:`DEFAULT_PLUGINS` are registered by name through the same hooks third
parties use, so a user can block any of them. Third-party plugins are found
through the entry-point group ``participatie``, loaded lazily (the first time
a :class:`Plugins` is needed, never at import) and once.

Environment variables:

``PARTICIPATIE_BLOCK_PLUGINS``
    Comma-separated plugin names not to register: entry-point names or built-in
    module names such as ``participatie.storage.sqlite``.
``PARTICIPATIE_LOAD_PLUGINS``
    If set, load only the entry points named here (comma-separated; empty
    means none). Built-ins are still registered unless blocked.
``PARTICIPATIE_TRACE_PLUGINS``
    If set to ``1``, write every hook call and its result to standard error.

Core code never calls ``pm.hook`` directly: it calls the typed methods of
:class:`Plugins`.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
import traceback
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import metadata
from typing import TYPE_CHECKING, Any

import pluggy

from participatie import hookspecs
from participatie.exceptions import (
    ErasureError,
    PluginError,
    UnknownPluginError,
    UnsupportedStoreURLError,
)

if TYPE_CHECKING:
    from participatie.channels import Channel, ChannelFactory
    from participatie.feedback.responses import Response
    from participatie.feedback.rounds import FeedbackRound
    from participatie.grouping import GroupingStrategy
    from participatie.model import Event, Registration, Transition
    from participatie.privacy import Erased, PersonalField
    from participatie.storage import Store

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "Plugins",
    "get_plugins",
    "hookimpl",
    "make_plugin_manager",
]

#: The pluggy project name: hook implementations are marked ``participatie``.
PROJECT = "participatie"
#: The entry-point group third-party plugins declare themselves in.
ENTRY_POINT_GROUP = "participatie"
BLOCK_ENV = "PARTICIPATIE_BLOCK_PLUGINS"
LOAD_ENV = "PARTICIPATIE_LOAD_PLUGINS"
TRACE_ENV = "PARTICIPATIE_TRACE_PLUGINS"

#: Mark a function as a hook implementation: ``@hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)

#: The built-in plugins, registered under their module names.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "participatie.storage.memory",
    "participatie.storage.sqlite",
    "participatie.channels",
    "participatie.grouping",
    "participatie.privacy.builtin",
    "participatie.privacy.calendar_feedback",
)

logger = logging.getLogger(__name__)


def _names(value: str | None) -> set[str]:
    if value is None:
        return set()
    return {name.strip() for name in value.split(",") if name.strip()}


def make_plugin_manager(
    *,
    load_entry_points: bool = True,
    environ: dict[str, str] | None = None,
) -> pluggy.PluginManager:
    """A new plugin manager with the hookspecs, the built-ins and (optionally) entry points.

    ``environ`` defaults to :data:`os.environ`; tests pass their own. After
    loading, every registered implementation is checked against a spec, so a
    misspelt hook name fails here, loudly, instead of never being called.
    """
    env = os.environ if environ is None else environ
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    blocked = _names(env.get(BLOCK_ENV))
    for name in blocked:
        pm.set_blocked(name)
    for module_name in DEFAULT_PLUGINS:
        if module_name not in blocked:
            pm.register(importlib.import_module(module_name), name=module_name)
    if load_entry_points:
        allowed = None if LOAD_ENV not in env else _names(env[LOAD_ENV])
        _load_entry_points(pm, allowed)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(f"a plugin implements a hook that does not exist: {error}") from error
    if env.get(TRACE_ENV) == "1":
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return pm


def _load_entry_points(pm: pluggy.PluginManager, allowed: set[str] | None) -> None:
    for entry_point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if allowed is not None and entry_point.name not in allowed:
            continue
        if pm.is_blocked(entry_point.name) or pm.has_plugin(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
        except Exception as error:
            raise PluginError(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {error}"
            ) from error
        try:
            pm.register(plugin, name=entry_point.name)
        except ValueError as error:
            raise PluginError(
                f"plugin {entry_point.name!r} cannot be registered: {error}"
            ) from error


class _Registry:
    """Collects ``register(name, thing)`` calls and refuses duplicate names."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.items: dict[str, Any] = {}
        self.owners: dict[str, str] = {}
        self.current = "?"

    def register(self, name: str, thing: Any) -> None:
        if not isinstance(name, str) or not name:
            raise PluginError(f"plugin {self.current!r} registered a {self.kind} without a name")
        if name in self.items:
            raise PluginError(
                f"two plugins register a {self.kind} named {name!r}: "
                f"{self.owners[name]!r} and {self.current!r}"
            )
        self.items[name] = thing
        self.owners[name] = self.current


class Plugins:
    """The typed way core code calls hooks (one method per hook).

    Attributes:
        manager: The underlying :class:`pluggy.PluginManager`.
    """

    def __init__(self, manager: pluggy.PluginManager | None = None) -> None:
        self.manager = make_plugin_manager() if manager is None else manager
        self._channels: dict[str, ChannelFactory] | None = None
        self._strategies: dict[str, GroupingStrategy] | None = None

    def register(self, plugin: object, name: str | None = None) -> None:
        """Register one more plugin (a module or object with hook implementations).

        A plugin whose hooks do not match our specifications (a misspelt hook
        name, an unknown argument) is refused with :class:`PluginError` and
        left unregistered, so a typo cannot silently switch a feature off.
        """
        try:
            registered_as = self.manager.register(plugin, name=name)
        except ValueError as error:  # pluggy: the name or object is registered already
            raise PluginError(f"cannot register plugin {name or plugin!r}: {error}") from error
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as error:
            self.manager.unregister(plugin)
            raise PluginError(f"plugin {registered_as!r} is not valid: {error}") from error
        self._channels = None
        self._strategies = None

    def plugin_names(self) -> list[str]:
        """Names of every registered plugin, sorted."""
        return sorted(
            name for name, plugin in self.manager.list_name_plugin() if plugin is not None
        )

    def open_store(self, url: str) -> Store:
        """The store for ``url`` from the first plugin that accepts its scheme."""
        store: Store | None = self.manager.hook.participatie_open_store(url=url)
        if store is None:
            raise UnsupportedStoreURLError(
                f"no storage backend accepts {url!r}; built in are memory:// and "
                "sqlite:///path/to/file.db (is the plugin for this scheme installed?)"
            )
        return store

    def _collect(self, hook_name: str, kind: str) -> dict[str, Any]:
        registry = _Registry(kind)
        hook = getattr(self.manager.hook, hook_name)
        for impl in hook.get_hookimpls():
            registry.current = impl.plugin_name
            impl.function(register=registry.register)
        return registry.items

    def channel_factories(self) -> dict[str, ChannelFactory]:
        """Every registered channel factory, by name."""
        if self._channels is None:
            self._channels = self._collect("participatie_register_channels", "channel")
        return dict(self._channels)

    def channel(self, name: str, **options: Any) -> Channel:
        """A new channel named ``name``, built with ``options``."""
        factories = self.channel_factories()
        if name not in factories:
            raise UnknownPluginError(
                f"no channel named {name!r}; available: {', '.join(sorted(factories)) or 'none'}"
            )
        return factories[name](**options)

    def grouping_strategies(self) -> dict[str, GroupingStrategy]:
        """Every registered grouping strategy, by name."""
        if self._strategies is None:
            self._strategies = self._collect(
                "participatie_register_grouping_strategies", "grouping strategy"
            )
        return dict(self._strategies)

    def grouping_strategy(self, name: str) -> GroupingStrategy:
        """The grouping strategy named ``name``."""
        strategies = self.grouping_strategies()
        if name not in strategies:
            raise UnknownPluginError(
                f"no grouping strategy named {name!r}; available: "
                f"{', '.join(sorted(strategies)) or 'none'}"
            )
        return strategies[name]

    def registration_changed(self, transitions: Iterable[Transition], event: Event) -> None:
        """Tell plugins about committed changes, one call per change, in order."""
        for transition in transitions:
            self._notify("participatie_registration_changed", transition=transition, event=event)

    def event_saved(self, event: Event) -> None:
        """Tell plugins an event was stored."""
        self._notify("participatie_event_saved", event=event)

    def feedback_round_opened(self, feedback_round: FeedbackRound, event: Event) -> None:
        """Tell plugins a feedback round opened."""
        self._notify(
            "participatie_feedback_round_opened", feedback_round=feedback_round, event=event
        )

    def wants_feedback_responses(self) -> bool:
        """Whether any plugin implements ``participatie_feedback_response_received``
        (so the caller can skip reading what only the hook would need)."""
        return bool(self.manager.hook.participatie_feedback_response_received.get_hookimpls())

    def feedback_response_received(
        self, response: Response, feedback_round: FeedbackRound, event: Event
    ) -> None:
        """Tell plugins a response arrived or changed."""
        self._notify(
            "participatie_feedback_response_received",
            response=response,
            feedback_round=feedback_round,
            event=event,
        )

    def feedback_round_closed(self, feedback_round: FeedbackRound, event: Event) -> None:
        """Tell plugins a feedback round closed."""
        self._notify(
            "participatie_feedback_round_closed", feedback_round=feedback_round, event=event
        )

    def _notify(self, hook_name: str, **kwargs: Any) -> None:
        # Lifecycle hooks run after the commit: a failing plugin must not make
        # the caller believe the change did not happen, nor silence the others.
        hook: pluggy.HookCaller = getattr(self.manager.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            wanted = {name: kwargs[name] for name in impl.argnames}
            try:
                impl.function(**wanted)
            except Exception as error:
                # Never the message or a traceback with values: an exception
                # raised while handling a registration may quote personal data.
                logger.error(
                    "plugin %r failed in %s: %s at %s",
                    impl.plugin_name,
                    hook_name,
                    type(error).__name__,
                    _where(error),
                )

    # --- privacy (issue 9) ------------------------------------------------

    def _calls(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation (plugins before built-ins); ``(plugin, result)``."""
        hook: pluggy.HookCaller = getattr(self.manager.hook, hook_name)
        results = []
        for impl in reversed(hook.get_hookimpls()):
            wanted = {name: kwargs[name] for name in impl.argnames}
            results.append((impl.plugin_name, impl.function(**wanted)))
        return results

    def personal_data(self) -> list[tuple[str, PersonalField]]:
        """Every declared field, with the name of the plugin that declared it."""
        declared = []
        for plugin, fields in self._calls("participatie_personal_data"):
            declared += [(plugin, field) for field in fields or ()]
        return declared

    def implementers(self, hook_name: str) -> set[str]:
        """Names of the plugins that implement a hook."""
        hook: pluggy.HookCaller = getattr(self.manager.hook, hook_name)
        return {impl.plugin_name for impl in hook.get_hookimpls()}

    def _erasing(self, hook_name: str, **kwargs: Any) -> dict[str, Erased]:
        from participatie.privacy.erasure import Erased

        done: dict[str, Erased] = {}
        hook: pluggy.HookCaller = getattr(self.manager.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            wanted = {name: kwargs[name] for name in impl.argnames}
            try:
                result = impl.function(**wanted)
            except Exception as error:
                # The error's message may hold personal data; name the type only.
                raise ErasureError(
                    f"plugin {impl.plugin_name!r} failed in {hook_name} "
                    f"({type(error).__name__}); nothing in the core store was erased: "
                    "fix the plugin and run it again (that is safe)",
                    impl.plugin_name,
                ) from error
            if result is None:
                continue
            if not isinstance(result, Erased):
                raise ErasureError(
                    f"plugin {impl.plugin_name!r} returned {type(result).__name__} from "
                    f"{hook_name}; it must return an Erased or None",
                    impl.plugin_name,
                )
            done[impl.plugin_name] = result
        return done

    def erase_person(
        self, email: str, registrations: Sequence[Registration], store: Store, now: datetime
    ) -> dict[str, Erased]:
        """Ask every plugin to erase the person; what each erased, by plugin name."""
        return self._erasing(
            "participatie_erase_person",
            email=email,
            registrations=registrations,
            store=store,
            now=now,
        )

    def purge_event(self, event: Event, store: Store, now: datetime) -> dict[str, Erased]:
        """Ask every plugin to purge an event's personal data; by plugin name."""
        return self._erasing("participatie_purge_event", event=event, store=store, now=now)

    def subject_access(
        self, email: str, registrations: Sequence[Registration], store: Store
    ) -> dict[str, Any]:
        """Every plugin's part of a subject-access export, by plugin name."""
        return {
            plugin: dict(result)
            for plugin, result in self._calls(
                "participatie_subject_access",
                email=email,
                registrations=registrations,
                store=store,
            )
            if result is not None
        }


def _where(error: BaseException) -> str:
    """``file:line`` where an exception was raised: enough to find the bug, no values."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{os.path.basename(last.filename)}:{last.lineno} in {last.name}"


_default: Plugins | None = None
_default_lock = threading.Lock()


def get_plugins() -> Plugins:
    """The process-wide :class:`Plugins`, created on first use."""
    global _default  # noqa: PLW0603 - one lazily built manager per process
    with _default_lock:
        if _default is None:
            _default = Plugins()
        return _default


def reset_plugins() -> None:
    """Forget the process-wide :class:`Plugins` (tests, or after installing a plugin)."""
    global _default  # noqa: PLW0603
    with _default_lock:
        _default = None
