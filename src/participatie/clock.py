"""Where "now" comes from.

Every rule takes the current instant as an argument; the facade asks a
:class:`Clock` for it. Tests and simulations pass a :class:`FixedClock`, so any
rule can be tried at any instant (the evening before a deadline, the hour a
clock goes back) without waiting for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from participatie import _validate as v

__all__ = ["Clock", "FixedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current instant as an aware datetime."""

    def now(self) -> datetime:
        """The current instant (aware)."""
        ...


@attrs.frozen
class SystemClock:
    """The computer's clock, in UTC."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


@attrs.define
class FixedClock:
    """A clock that stands still until it is moved: for tests, demos and replays.

    Attributes:
        current: The instant it shows (aware).
    """

    current: datetime = attrs.field(validator=v.aware)

    def now(self) -> datetime:
        """The instant the clock shows."""
        return self.current

    def set(self, instant: datetime) -> None:
        """Move the clock to ``instant`` (aware; may go backwards)."""
        v.aware(self, attrs.fields(FixedClock).current, instant)
        self.current = instant

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new instant."""
        self.current = self.current + delta
        return self.current
