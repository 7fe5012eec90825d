"""Plugins are found, loaded once, blockable, traceable, and fail loudly."""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import participatie.plugins as plugins_module
from participatie import (
    DEFAULT_PLUGINS,
    Consent,
    ConsoleChannel,
    FixedClock,
    Message,
    Participatie,
    PluginError,
    Plugins,
    UnknownPluginError,
    UnsupportedStoreURLError,
    get_plugins,
    hookimpl,
)
from participatie.channels import Channel
from participatie.grouping import BalancedStrategy, GroupingStrategy
from participatie.model import Event, Transition
from participatie.plugins import make_plugin_manager, reset_plugins
from participatie.storage.memory import MemoryStore
from participatie.testing import HookRecorder, RecordingChannel

from .conftest import EVENT_KEY, client, week_event


def fresh(environ: dict[str, str] | None = None, *, entry_points: bool = False) -> Plugins:
    return Plugins(make_plugin_manager(load_entry_points=entry_points, environ=environ or {}))


def test_built_ins_are_plugins() -> None:
    plugins = fresh()
    assert set(DEFAULT_PLUGINS) <= set(plugins.plugin_names())
    assert isinstance(plugins.open_store("memory://"), MemoryStore)
    assert set(plugins.grouping_strategies()) == {"attributes", "balanced"}
    assert set(plugins.channel_factories()) == {"console", "outbox", "smtp"}


def test_unknown_scheme() -> None:
    with pytest.raises(UnsupportedStoreURLError, match="postgresql://"):
        fresh().open_store("postgresql://localhost/db")
    with pytest.raises(LookupError):
        fresh().open_store("nonsense")


def test_blocking_a_built_in() -> None:
    plugins = fresh({"PARTICIPATIE_BLOCK_PLUGINS": "participatie.storage.sqlite, other"})
    assert "participatie.storage.sqlite" not in plugins.plugin_names()
    with pytest.raises(UnsupportedStoreURLError):
        plugins.open_store("sqlite://")
    plugins.open_store("memory://").close()


class SchemeOverride:
    """A plugin that takes over the memory:// scheme."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    @hookimpl
    def participatie_open_store(self, url: str) -> MemoryStore | None:
        self.opened.append(url)
        return MemoryStore() if url.startswith("memory:") else None


def test_plugins_override_built_in_schemes() -> None:
    plugins = fresh()
    override = SchemeOverride()
    plugins.register(override, name="override")
    plugins.open_store("memory://")
    assert override.opened == ["memory://"]


def test_misspelt_hook_fails_loudly() -> None:
    class Misspelt:
        @hookimpl
        def participatie_open_stor(self, url: str) -> None:
            return None

    with pytest.raises(Exception, match="participatie_open_stor"):
        fresh().register(Misspelt(), name="misspelt")


def write_distribution(root: Path, module: str, source: str, entry_name: str) -> None:
    """A minimal installed distribution with an entry point in the participatie group."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[participatie]\n{entry_name} = {module}\n")


PLUGIN_SOURCE = """
    from participatie import hookimpl
    from participatie.channels import ConsoleChannel

    @hookimpl
    def participatie_register_channels(register):
        register("shout", lambda **options: ConsoleChannel(**options))
"""


def test_entry_points_are_discovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_distribution(tmp_path, "shout_plugin", PLUGIN_SOURCE, "shout")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins = fresh(entry_points=True)
    assert "shout" in plugins.plugin_names()
    assert "shout" in plugins.channel_factories()
    # Allow-list: only the named entry points load.
    assert "shout" not in fresh({"PARTICIPATIE_LOAD_PLUGINS": ""}, entry_points=True).plugin_names()
    allowed = fresh({"PARTICIPATIE_LOAD_PLUGINS": "shout"}, entry_points=True)
    assert "shout" in allowed.plugin_names()
    # Block list wins.
    blocked = fresh({"PARTICIPATIE_BLOCK_PLUGINS": "shout"}, entry_points=True)
    assert "shout" not in blocked.plugin_names()


def test_broken_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_distribution(tmp_path, "broken_plugin", "raise RuntimeError('boom')\n", "broken")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match=r"'broken'.*boom"):
        fresh(entry_points=True)


def test_entry_point_with_a_misspelt_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = """
        from participatie import hookimpl

        @hookimpl
        def participatie_registration_changd(transition):
            pass
    """
    write_distribution(tmp_path, "typo_plugin", source, "typo")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="does not exist"):
        fresh(entry_points=True)


def test_duplicate_names_name_both_plugins() -> None:
    class Other:
        @hookimpl
        def participatie_register_channels(self, register: Callable[..., None]) -> None:
            register("console", ConsoleChannel)

    plugins = fresh()
    plugins.register(Other(), name="other-console")
    with pytest.raises(PluginError, match=r"'participatie\.channels' and 'other-console'"):
        plugins.channel_factories()


def test_nameless_registration_is_refused() -> None:
    class Nameless:
        @hookimpl
        def participatie_register_grouping_strategies(self, register: Callable[..., None]) -> None:
            register("", BalancedStrategy())

    plugins = fresh()
    plugins.register(Nameless(), name="nameless")
    with pytest.raises(PluginError, match="without a name"):
        plugins.grouping_strategies()


def test_channels_and_strategies_by_name() -> None:
    plugins = fresh()
    stream = io.StringIO()
    channel = plugins.channel("console", stream=stream)
    assert isinstance(channel, Channel)
    channel.send(Message("noor@example.org", "Bevestiging", "U bent aangemeld.", "confirmation"))
    assert "Subject: Bevestiging" in stream.getvalue()
    assert "confirmation to noor@example.org (nl)" in stream.getvalue()
    with pytest.raises(UnknownPluginError, match="available: console, outbox, smtp"):
        plugins.channel("sms")
    assert isinstance(plugins.grouping_strategy("balanced"), GroupingStrategy)
    with pytest.raises(UnknownPluginError, match="balanced"):
        plugins.grouping_strategy("cp-sat")
    assert isinstance(RecordingChannel(), Channel)


def test_a_failing_lifecycle_plugin_does_not_undo_or_silence(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    class Failing:
        @hookimpl
        def participatie_registration_changed(self, transition: Transition, event: Event) -> None:
            raise RuntimeError("plugin bug")

    plugins = fresh()
    recorder = HookRecorder()
    plugins.register(Failing(), name="failing")
    plugins.register(recorder, name="recorder")
    with (
        caplog.at_level(logging.ERROR),
        Participatie.open("memory://", clock=clock, plugins=plugins) as app,
    ):
        app.save_event(week_event())
        consent = Consent("2020-10", clock.now())
        registration = app.register(EVENT_KEY, "clienten", client(1), consent=consent)
        assert app.registration(registration.id).state.value == "registered"
    assert recorder.reasons() == ["registered"]
    assert "plugin 'failing' failed in participatie_registration_changed" in caplog.text


def test_tracing(capsys: pytest.CaptureFixture[str]) -> None:
    plugins = fresh({"PARTICIPATIE_TRACE_PLUGINS": "1"})
    plugins.open_store("memory://")
    assert "participatie_open_store" in capsys.readouterr().err


def test_process_wide_plugins_are_built_once() -> None:
    reset_plugins()
    try:
        first = get_plugins()
        assert get_plugins() is first
        assert plugins_module._default is first
    finally:
        reset_plugins()


def test_registering_an_invalid_plugin_is_refused_and_undone() -> None:
    class Misspelt:
        @hookimpl
        def participatie_regster_channels(self, register: object) -> None:
            """A typo in the hook name: it would never be called."""

    plugins = fresh()
    before = plugins.plugin_names()
    with pytest.raises(PluginError, match="participatie_regster_channels"):
        plugins.register(Misspelt(), name="misspelt")
    assert plugins.plugin_names() == before
    plugins.register(object(), name="harmless")  # no hooks at all: fine
    with pytest.raises(PluginError, match="harmless"):
        plugins.register(object(), name="harmless")
