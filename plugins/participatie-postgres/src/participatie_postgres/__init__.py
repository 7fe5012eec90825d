"""participatie on PostgreSQL: many application servers and dispatch workers, one database.

Installing the distribution registers this module in the ``participatie``
entry-point group; :func:`participatie.open_store` (and
:meth:`participatie.Participatie.open`) then open ``postgresql://`` and
``postgres://`` URLs with :class:`PostgresStore`::

    store = participatie.open_store("postgresql://app@db.example.org/participatie")

Besides libpq's own parameters (``sslmode=``, ``host=`` for a Unix socket
directory …) the URL takes ``schema=``, ``pool_min_size=``,
``pool_max_size=``, ``pool_timeout=`` and ``retries=``
(:class:`StoreSettings`).
"""

from __future__ import annotations

from participatie.plugins import hookimpl
from participatie_postgres._connection import StoreSettings, parse_url
from participatie_postgres._schema import MIGRATIONS
from participatie_postgres._store import (
    DatabaseBusyError,
    DatabaseUnavailableError,
    PostgresStore,
)

__all__ = [
    "MIGRATIONS",
    "DatabaseBusyError",
    "DatabaseUnavailableError",
    "PostgresStore",
    "StoreSettings",
    "parse_url",
    "participatie_open_store",
]

_SCHEMES = frozenset({"postgresql", "postgres"})


@hookimpl
def participatie_open_store(url: str) -> PostgresStore | None:
    """Open ``postgresql://…`` and ``postgres://…`` URLs; leave every other scheme alone."""
    if url.split(":", 1)[0].lower() not in _SCHEMES:
        return None
    return PostgresStore(url)
