"""The outbox folder channel works without configuration, and checks a configured sender."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from participatie import InvalidInputError, Message
from participatie.folder import DEFAULT_SENDER, FolderChannel


def test_the_default_sender_is_accepted_and_written(tmp_path: Path) -> None:
    channel = FolderChannel(folder=tmp_path)
    assert channel.sender == DEFAULT_SENDER
    channel.send(Message("deelnemer1@example.org", "Bevestiging", "U bent aangemeld.", key="k-1"))
    [path] = tmp_path.glob("*.eml")
    parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert parsed["From"].addresses[0].addr_spec == DEFAULT_SENDER
    assert parsed["To"].addresses[0].addr_spec == "deelnemer1@example.org"


def test_a_configured_sender_is_checked(tmp_path: Path) -> None:
    assert FolderChannel(folder=tmp_path, sender=" Vraagbaak@Example.org ").sender == (
        "vraagbaak@example.org"
    )
    with pytest.raises(InvalidInputError):
        FolderChannel(folder=tmp_path, sender="not an address")
