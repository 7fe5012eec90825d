"""The PostgreSQL backend passes the whole storage conformance suite.

That includes the feedback-round tests, the Hypothesis state machine
against the in-memory reference, the race of 8 processes for the last
places and the race of claimers for the outbox.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from participatie.testing import StoreConformance


class TestPostgresStore(StoreConformance):
    # Fewer than the defaults (30 and 60) to keep `make test` within its
    # budget on 2 cores; each race trial still starts 8 processes, and
    # test_differential.py explores further against SQLite.
    race_trials = 20
    machine_examples = 40

    @pytest.fixture
    def fresh_store_url(self, store_urls: Callable[[], str]) -> Callable[[], str]:
        """A new schema in this test's fresh database at each call (conftest.py)."""
        return store_urls
