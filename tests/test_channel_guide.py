"""The channel plugin built in docs/guide-channel-plugin.md, and its tests, run for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from participatie import FixedClock
from tests.test_docs import marked_code

PAGE = "guide-channel-plugin.md"


def load(*markers: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": "participatie_sms_spool_guide"}
    for marker in markers:
        exec(compile(marked_code(PAGE, marker), PAGE, "exec"), namespace)
    return namespace


def test_the_channel_registers_itself() -> None:
    namespace = load("sms_spool.py")
    registered: dict[str, object] = {}
    hook = namespace["participatie_register_channels"]
    assert callable(hook)
    hook(registered.__setitem__)
    assert list(registered) == ["sms-spool"]
    assert isinstance(namespace["SpoolChannel"], type)


@pytest.mark.parametrize(
    "test",
    [
        "test_one_file_per_message",
        "test_the_dispatcher_retries_or_gives_up",
        "test_a_text_too_long_for_sms_fails_for_good",
    ],
)
def test_the_guides_tests_pass_with_the_real_fixtures(
    test: str, tmp_path: Path, participatie_clock: FixedClock
) -> None:
    namespace = load("sms_spool.py", "tests/test_sms_spool.py")
    function = namespace[test]
    assert callable(function)
    if test == "test_one_file_per_message":
        function(tmp_path)
    else:
        function(tmp_path, participatie_clock)
