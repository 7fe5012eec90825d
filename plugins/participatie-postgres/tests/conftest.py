"""One throwaway PostgreSQL server and database for the whole test session, fresh schemas per test.

A new schema (``?schema=`` in the store URL) is a new, empty store; it costs
only the migrations, where a new database per test would cost a
``CREATE DATABASE`` each. Every schema a test made is dropped after it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import psycopg
import pytest
from participatie_postgres.testing import TemporaryPostgres, temporary_postgres
from psycopg import sql

DATABASE = "participatie_tests"
_stores = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[TemporaryPostgres]:
    """A running server with the test database, started once; removed with its directory.

    Not skipped when the binaries are missing: the error says what to install.
    """
    with temporary_postgres() as server:
        server.create_database(DATABASE)
        yield server


@pytest.fixture
def database(postgres_server: TemporaryPostgres) -> str:
    """The name of the test database (each test works in schemas of its own)."""
    return DATABASE


@pytest.fixture
def store_urls(postgres_server: TemporaryPostgres) -> Iterator[Callable[[], str]]:
    """Each call names a new, empty store: a new schema, dropped after the test."""
    made: list[str] = []

    def new_url() -> str:
        schema = f"store_{next(_stores)}"
        made.append(schema)
        return postgres_server.url(DATABASE, schema=schema)

    yield new_url
    if made:
        with psycopg.connect(postgres_server.conninfo(DATABASE), autocommit=True) as conn:
            for schema in made:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
