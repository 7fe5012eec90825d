"""Fixtures for testing code that uses participatie (a pytest plugin).

Loaded automatically through the ``pytest11`` entry point when participatie is
installed. The fixtures are cheap and isolated: a fixed clock, an app on a
``memory://`` store with its own plugin manager, recorders, and a real SMTP
server on 127.0.0.1 (``smtp_server``, which needs the ``test`` extra's
aiosmtpd; it is imported only when the fixture is used).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from participatie._facade import Participatie
from participatie.clock import FixedClock
from participatie.localtime import local_datetime
from participatie.plugins import Plugins, make_plugin_manager
from participatie.testing.recording import HookRecorder, RecordingChannel

if TYPE_CHECKING:
    from participatie.testing.smtp import SMTPTestServer

__all__ = [
    "hook_recorder",
    "participatie_app",
    "participatie_clock",
    "recording_channel",
    "smtp_server",
]


@pytest.fixture
def participatie_clock() -> FixedClock:
    """A clock standing at Monday 19 October 2020, 09:00 in Amsterdam."""
    return FixedClock(local_datetime(datetime(2020, 10, 19, 9, 0), "Europe/Amsterdam"))


@pytest.fixture
def hook_recorder() -> HookRecorder:
    """A plugin that records lifecycle hook calls (registered by ``participatie_app``)."""
    return HookRecorder()


@pytest.fixture
def recording_channel() -> RecordingChannel:
    """A channel that records the messages it is given."""
    return RecordingChannel()


@pytest.fixture
def participatie_app(
    participatie_clock: FixedClock, hook_recorder: HookRecorder
) -> Iterator[Participatie]:
    """A :class:`Participatie` on ``memory://`` with the fixed clock and the hook recorder."""
    plugins = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    plugins.register(hook_recorder, name="hook-recorder")
    app = Participatie.open("memory://", clock=participatie_clock, plugins=plugins)
    yield app
    app.close()


@pytest.fixture
def smtp_server() -> Iterator[SMTPTestServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, without TLS, stopped after the test.

    Its :attr:`~participatie.testing.SMTPTestServer.received` messages can be
    parsed with :meth:`~participatie.testing.ReceivedMail.parse`. Point an
    ``smtp`` channel at it with ``host=smtp_server.host, port=smtp_server.port,
    security="none"``.
    """
    from participatie.testing.smtp import SMTPTestServer

    with SMTPTestServer() as server:
        yield server
