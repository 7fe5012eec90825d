"""Storage backends: where events and registrations are kept.

A backend is a :class:`Store` opened by URL through the
``participatie_open_store`` hook. The built-in ones are ``memory://`` and
``sqlite:///path`` (the embedded default). Third-party backends subclass
:class:`LedgerStore` (which supplies the registration algorithm, run inside
the backend's own lock) or implement :class:`Store` outright, and prove
themselves with :mod:`participatie.testing`.
"""

from participatie.storage._base import (
    AssignedPlace,
    AssignmentEntry,
    BulkResult,
    GroupPlacement,
    LedgerStore,
    Outcome,
    PlaceCount,
    Store,
    StoredAssignment,
    StoredGroups,
    Tx,
)

__all__ = [
    "AssignedPlace",
    "AssignmentEntry",
    "BulkResult",
    "GroupPlacement",
    "LedgerStore",
    "Outcome",
    "PlaceCount",
    "Store",
    "StoredAssignment",
    "StoredGroups",
    "Tx",
]
