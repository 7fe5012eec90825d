"""Recorders for tests: a channel that keeps what it was given, and a plugin that
keeps every lifecycle hook call."""

from __future__ import annotations

import attrs

from participatie.channels import Message
from participatie.feedback.responses import Response
from participatie.feedback.rounds import FeedbackRound
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
        feedback: Every feedback-round hook call, in order, as
            ``("opened" | "response" | "closed", round, response or None)``.
    """

    transitions: list[Transition] = attrs.Factory(list)
    events_saved: list[Event] = attrs.Factory(list)
    feedback: list[tuple[str, FeedbackRound, Response | None]] = attrs.Factory(list)

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

    @hookimpl
    def participatie_feedback_round_opened(self, feedback_round: FeedbackRound) -> None:
        """Record the opening."""
        self.feedback.append(("opened", feedback_round, None))

    @hookimpl
    def participatie_feedback_response_received(
        self, response: Response, feedback_round: FeedbackRound
    ) -> None:
        """Record the response."""
        self.feedback.append(("response", feedback_round, response))

    @hookimpl
    def participatie_feedback_round_closed(self, feedback_round: FeedbackRound) -> None:
        """Record the closing."""
        self.feedback.append(("closed", feedback_round, None))

    def feedback_kinds(self) -> list[str]:
        """The kinds of the recorded feedback-round hook calls, in order."""
        return [kind for kind, _round, _response in self.feedback]
