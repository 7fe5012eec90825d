"""One throwaway PostgreSQL server for the whole test session, a fresh database per test."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from participatie_postgres.testing import TemporaryPostgres, temporary_postgres

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres]:
    """A running server, started once; removed with its directory at the end.

    Not skipped when the binaries are missing: the error says what to install.
    """
    with temporary_postgres() as server:
        yield server


@pytest.fixture
def database(postgres_server: TemporaryPostgres) -> Iterator[str]:
    """The name of a new, empty database, dropped after the test."""
    name = f"test_{next(_databases)}"
    postgres_server.create_database(name)
    yield name
    postgres_server.drop_database(name)


@pytest.fixture
def store_urls(postgres_server: TemporaryPostgres, database: str) -> Callable[[], str]:
    """Each call names a new, empty store: a new schema in this test's database."""
    schemas = itertools.count()
    return lambda: postgres_server.url(database, schema=f"store_{next(schemas)}")
