"""Storage backends: where events and registrations are kept.

A backend is a :class:`Store` opened by URL through the
``participatie_open_store`` hook. The built-in ones are ``memory://`` and
``sqlite:///path`` (the embedded default). Third-party backends subclass
:class:`LedgerStore` (which supplies the registration algorithm, run inside
the backend's own lock) or implement :class:`Store` outright, and prove
themselves with :mod:`participatie.testing`. Input, drafts and feedback rounds
are part of the same contract (:class:`FeedbackStore`, :class:`FeedbackTx`);
an in-process backend can keep them in :class:`FeedbackTables`.
"""

from participatie.storage._base import (
    AssignmentEntry,
    BulkResult,
    Detached,
    GroupPlacement,
    LedgerStore,
    Outcome,
    PersonErasure,
    PlaceCount,
    PrivacyRecord,
    Scrubbed,
    Store,
    StoredAssignment,
    StoredGroups,
    Tx,
)
from participatie.storage._feedback import FeedbackLedger, FeedbackStore, FeedbackTx
from participatie.storage._feedback_tables import FeedbackTables, FeedbackTablesTx

__all__ = [
    "AssignmentEntry",
    "BulkResult",
    "Detached",
    "FeedbackLedger",
    "FeedbackStore",
    "FeedbackTables",
    "FeedbackTablesTx",
    "FeedbackTx",
    "GroupPlacement",
    "LedgerStore",
    "Outcome",
    "PersonErasure",
    "PlaceCount",
    "PrivacyRecord",
    "Scrubbed",
    "Store",
    "StoredAssignment",
    "StoredGroups",
    "Tx",
]
