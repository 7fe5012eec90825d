"""The built-in backends pass the conformance suite plugin authors run."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from participatie.testing import StoreConformance, race_for_last_places


class TestMemoryStore(StoreConformance):
    @pytest.fixture
    def fresh_store_url(self) -> Callable[[], str]:
        return lambda: "memory://"


class TestSQLiteStore(StoreConformance):
    @pytest.fixture
    def fresh_store_url(self, tmp_path: Path) -> Callable[[], str]:
        numbers = itertools.count()
        return lambda: f"sqlite:///{tmp_path}/store-{next(numbers)}.db"


class TestSQLiteInMemory(StoreConformance):
    """``sqlite://`` is private to its connection: the race runs in threads."""

    race_trials = 10

    @pytest.fixture
    def fresh_store_url(self) -> Callable[[], str]:
        return lambda: "sqlite://"


@pytest.mark.slow
def test_race_catches_count_then_insert(tmp_path: Path) -> None:
    """The race is not a formality: a backend that counts, then inserts, is caught."""
    result = race_for_last_places(
        f"sqlite:///{tmp_path}/broken.db",
        capacity=3,
        workers=8,
        trials=20,
        opener="participatie.testing:open_count_then_insert",
    )
    assert result.overbooked > 0
    assert not result.ok


def test_race_reports_workers_that_die(tmp_path: Path) -> None:
    """A worker that crashes fails the race at once, with its exit code, not after minutes."""
    result = race_for_last_places(
        f"sqlite:///{tmp_path}/crash.db",
        capacity=1,
        workers=2,
        trials=2,
        opener="participatie.testing.broken:open_in_parent_only",
    )
    assert not result.ok
    assert "error: worker 0 exited with code 3 before finishing" in result.errors
