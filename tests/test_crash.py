"""kill -9 the dispatcher at random moments while it sends: nothing lost, few duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest

from participatie.testing.crash import kill_the_dispatcher


@pytest.mark.slow
def test_no_message_lost_and_at_most_one_duplicate_per_kill(tmp_path: Path) -> None:
    result = kill_the_dispatcher(f"sqlite:///{tmp_path}/crash.db", messages=400, kills=100)
    assert result.kills == 100
    assert result.lost == ()
    assert result.not_sent == 0
    assert result.received >= result.messages
    assert result.duplicates <= result.kills
    assert result.ok
    print(result)  # the figures, with pytest -s
