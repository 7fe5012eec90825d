"""Input and feedback rounds: from what participants said to a response they have checked.

* :mod:`~participatie.feedback.input`: contributions per central question,
  session, group and audience.
* :mod:`~participatie.feedback.drafts`: draft documents in versions of
  sections with stable keys.
* :mod:`~participatie.feedback.rounds` and
  :mod:`~participatie.feedback.responses`: feedback rounds, responses,
  comments and dispositions.
* :mod:`~participatie.feedback.rules`: the pure rules (open or closed at an
  instant, who is due which message, response rates, agreement).
* :mod:`~participatie.feedback.diff`: what changed between two versions.
* :mod:`~participatie.feedback.summary`: "what we did with your input".
* :mod:`~participatie.feedback.messages`: what must be sent to whom (the seam
  to the notification system).
* :mod:`~participatie.feedback.reports` and
  :mod:`~participatie.feedback.formats`: reports as Markdown, HTML and CSV.

The organiser's steps are methods of :class:`participatie.Participatie`
(from :class:`FeedbackSteps`).
"""

from typing import TYPE_CHECKING

from participatie.feedback.diff import ChangeKind, SectionChange, Segment, compare_versions
from participatie.feedback.drafts import Draft, DraftVersion, Section
from participatie.feedback.formats import (
    neutralise_cell,
    to_csv,
    to_html,
    to_markdown,
    write_report,
)
from participatie.feedback.input import (
    CLIENTS_AND_EXPERTS,
    DEFAULT_PERSPECTIVES,
    PROFESSIONALS,
    Contribution,
    EnteredBy,
)
from participatie.feedback.messages import (
    FeedbackMessage,
    InputSummary,
    RoundInvitation,
    RoundReminder,
)
from participatie.feedback.reports import FeedbackReport, ReportOptions
from participatie.feedback.responses import (
    Comment,
    Disposition,
    DispositionOutcome,
    Opinion,
    Response,
    SectionResponse,
)
from participatie.feedback.rounds import (
    FeedbackRound,
    Recipient,
    ReminderAnchor,
    ReminderRule,
    RoundStatus,
)
from participatie.feedback.summary import PersonalSummary

if TYPE_CHECKING:
    from participatie.feedback._steps import FeedbackSteps

__all__ = [
    "CLIENTS_AND_EXPERTS",
    "DEFAULT_PERSPECTIVES",
    "PROFESSIONALS",
    "ChangeKind",
    "Comment",
    "Contribution",
    "Disposition",
    "DispositionOutcome",
    "Draft",
    "DraftVersion",
    "EnteredBy",
    "FeedbackMessage",
    "FeedbackReport",
    "FeedbackRound",
    "FeedbackSteps",
    "InputSummary",
    "Opinion",
    "PersonalSummary",
    "Recipient",
    "ReminderAnchor",
    "ReminderRule",
    "ReportOptions",
    "Response",
    "RoundInvitation",
    "RoundReminder",
    "RoundStatus",
    "Section",
    "SectionChange",
    "SectionResponse",
    "Segment",
    "compare_versions",
    "neutralise_cell",
    "to_csv",
    "to_html",
    "to_markdown",
    "write_report",
]


def __getattr__(name: str) -> object:
    # The facade's feedback steps need the storage layer, and the storage
    # layer needs this package's values: importing the steps lazily breaks
    # the cycle whichever side is imported first.
    if name == "FeedbackSteps":
        from participatie.feedback._steps import FeedbackSteps

        return FeedbackSteps
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
