"""The throwaway-server helper says what to install when the server binaries are missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from participatie_postgres.testing import (
    PostgresServerMissingError,
    TemporaryPostgres,
    find_server_binaries,
)

from participatie.exceptions import StorageError


def test_missing_binaries_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTICIPATIE_PG_BIN", str(tmp_path))
    with pytest.raises(PostgresServerMissingError, match="apt-get install postgresql") as caught:
        find_server_binaries()
    assert isinstance(caught.value, StorageError)


def test_the_session_server_runs_as_an_unprivileged_user(
    postgres_server: TemporaryPostgres,
) -> None:
    """initdb refuses root: as root the helper runs the server as another user."""
    assert postgres_server.running
    assert (postgres_server.data_dir / "PG_VERSION").is_file()
    if os.geteuid() == 0:
        assert postgres_server.os_user not in (None, "root")
        assert postgres_server.data_dir.owner() == postgres_server.os_user
