"""Clocks: the system one is aware, the fixed one moves only when told."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from participatie import Clock, FixedClock, NaiveDatetimeError, SystemClock

from .conftest import at


def test_system_clock_is_aware() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert isinstance(SystemClock(), Clock)


def test_fixed_clock() -> None:
    clock = FixedClock(at(2020, 10, 30, 23, 0))
    assert clock.now() == at(2020, 10, 30, 23, 0)
    assert clock.advance(timedelta(hours=2)) == at(2020, 10, 31, 1, 0)
    clock.set(at(2020, 1, 1, 0, 0))
    assert clock.now() == at(2020, 1, 1, 0, 0)
    with pytest.raises(NaiveDatetimeError):
        clock.set(datetime(2020, 1, 1))
    with pytest.raises(NaiveDatetimeError):
        FixedClock(datetime(2020, 1, 1))
