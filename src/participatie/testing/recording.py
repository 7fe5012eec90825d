"""Recorders for tests: a channel that keeps what it was given, and a plugin that
keeps every lifecycle hook call."""

from __future__ import annotations

import attrs

from participatie.channels import Message
from participatie.model import Event, RegistrationState, Transition
from participatie.plugins import hookimpl

__all__ = ["HookRecorder", "RecordingChannel"]


@attrs.define
class RecordingChannel:
    """A channel that delivers nothing and remembers every message.

    Attributes:
        sent: The messages, in the order they were sent.
        rich: Whether it takes HTML and calendar parts, like e-mail
            (see :mod:`participatie.channels`).
        address: ``"email"`` or ``"phone"``: what it delivers to.
    """

    sent: list[Message] = attrs.Factory(list)
    rich: bool = attrs.field(default=False, kw_only=True)
    address: str = attrs.field(default="email", kw_only=True)

    def send(self, message: Message) -> None:
        """Remember the message."""
        self.sent.append(message)


@attrs.define
class HookRecorder:
    """A plugin that records the lifecycle hooks called on it.

    Register it with ``plugins.register(recorder)``.

    Attributes:
        transitions: Every ``participatie_registration_changed`` call's transition.
        events_saved: Every event passed to ``participatie_event_saved``.
    """

    transitions: list[Transition] = attrs.Factory(list)
    events_saved: list[Event] = attrs.Factory(list)

    @hookimpl
    def participatie_registration_changed(self, transition: Transition) -> None:
        """Record the transition."""
        self.transitions.append(transition)

    @hookimpl
    def participatie_event_saved(self, event: Event) -> None:
        """Record the event."""
        self.events_saved.append(event)

    def reasons(self) -> list[str]:
        """The reasons of the recorded transitions, in order."""
        return [transition.reason for transition in self.transitions]

    def states(self) -> list[RegistrationState]:
        """The new states of the recorded transitions, in order."""
        return [transition.state for transition in self.transitions]
