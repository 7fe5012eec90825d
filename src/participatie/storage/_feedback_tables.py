"""Input and feedback rounds kept in memory: the primitives for in-process backends.

:class:`FeedbackTables` holds the records; :class:`FeedbackTablesTx`
implements every :class:`~participatie.storage.Tx` primitive for input,
drafts and feedback rounds on top of it. The built-in ``memory://`` backend
uses them with its undo log; a backend that copies its data per transaction
(like the one built in the plugin author's guide) copies the tables with
:meth:`FeedbackTables.copy` and needs no undo at all.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs

from participatie.feedback.drafts import Draft, DraftVersion
from participatie.feedback.input import Contribution
from participatie.feedback.responses import Disposition, Response
from participatie.feedback.rounds import FeedbackRound
from participatie.storage._feedback import FeedbackTx

__all__ = ["FeedbackTables", "FeedbackTablesTx"]

_MISSING = object()


@attrs.define
class FeedbackTables:
    """Every input and feedback record of one store; the values are immutable.

    Attributes:
        contributions: By id.
        drafts: By key.
        versions: By ``(draft key, number)``.
        rounds: By id.
        responses: By ``(round id, respondent)``.
        dispositions: By ``(round id, respondent, section or "")``.
        marks: Queued messages: ``(round id, key)`` -> when.
        next_contribution: The next contribution id.
        next_round: The next round id.
    """

    contributions: dict[int, Contribution] = attrs.Factory(dict)
    drafts: dict[str, Draft] = attrs.Factory(dict)
    versions: dict[tuple[str, int], DraftVersion] = attrs.Factory(dict)
    rounds: dict[int, FeedbackRound] = attrs.Factory(dict)
    responses: dict[tuple[int, str], Response] = attrs.Factory(dict)
    dispositions: dict[tuple[int, str, str], Disposition] = attrs.Factory(dict)
    marks: dict[tuple[int, str], datetime] = attrs.Factory(dict)
    next_contribution: int = 1
    next_round: int = 1

    def copy(self) -> FeedbackTables:
        """A copy whose dictionaries can change without touching this one."""
        return FeedbackTables(
            dict(self.contributions),
            dict(self.drafts),
            dict(self.versions),
            dict(self.rounds),
            dict(self.responses),
            dict(self.dispositions),
            dict(self.marks),
            self.next_contribution,
            self.next_round,
        )


class FeedbackTablesTx(FeedbackTx):
    """The feedback :class:`~participatie.storage.Tx` primitives on :class:`FeedbackTables`.

    A subclass provides :attr:`feedback_tables` and, if it rolls back with an
    undo log, overrides :meth:`remember_undo`.
    """

    @property
    @abc.abstractmethod
    def feedback_tables(self) -> FeedbackTables:
        """The tables this transaction reads and writes."""

    def remember_undo(self, undo: Callable[[], object]) -> None:
        """Called with a function that reverses the write just made; ignored by default."""

    def _put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        old = table.get(key, _MISSING)
        table[key] = value
        if old is _MISSING:
            self.remember_undo(lambda: table.pop(key))
        else:
            self.remember_undo(lambda: table.__setitem__(key, old))

    def _count(self, name: str) -> int:
        tables = self.feedback_tables
        value: int = getattr(tables, name)
        setattr(tables, name, value + 1)
        self.remember_undo(lambda: setattr(tables, name, value))
        return value

    def insert_contribution(self, contribution: Contribution, now: datetime) -> int:
        new_id = self._count("next_contribution")
        stored = attrs.evolve(contribution, id=new_id, recorded_at=now.astimezone(UTC))
        self._put(self.feedback_tables.contributions, new_id, stored)
        return new_id

    def select_contributions(self, event_key: str) -> list[Contribution]:
        return [
            contribution
            for _id, contribution in sorted(self.feedback_tables.contributions.items())
            if contribution.event_key == event_key
        ]

    def load_draft(self, draft_key: str) -> Draft | None:
        return self.feedback_tables.drafts.get(draft_key)

    def write_draft(self, draft: Draft, now: datetime) -> None:
        self._put(self.feedback_tables.drafts, draft.key, draft)

    def select_drafts(self, event_key: str) -> list[Draft]:
        return [d for d in self.feedback_tables.drafts.values() if d.event_key == event_key]

    def select_versions(self, draft_key: str) -> list[DraftVersion]:
        return [
            version
            for (key, _number), version in self.feedback_tables.versions.items()
            if key == draft_key
        ]

    def insert_version(self, version: DraftVersion) -> None:
        self._put(self.feedback_tables.versions, (version.draft_key, version.number), version)

    def insert_round(self, feedback_round: FeedbackRound) -> int:
        new_id = self._count("next_round")
        self._put(self.feedback_tables.rounds, new_id, attrs.evolve(feedback_round, id=new_id))
        return new_id

    def load_round(self, round_id: int) -> FeedbackRound | None:
        return self.feedback_tables.rounds.get(round_id)

    def update_round(self, feedback_round: FeedbackRound) -> None:
        assert feedback_round.id is not None
        self._put(self.feedback_tables.rounds, feedback_round.id, feedback_round)

    def select_rounds(self, event_key: str | None) -> list[FeedbackRound]:
        return [
            feedback_round
            for feedback_round in self.feedback_tables.rounds.values()
            if event_key is None or feedback_round.event_key == event_key
        ]

    def load_response(self, round_id: int, respondent: str) -> Response | None:
        return self.feedback_tables.responses.get((round_id, respondent))

    def write_response(self, response: Response) -> None:
        key = (response.round_id, response.respondent)
        self._put(self.feedback_tables.responses, key, response)

    def select_responses(self, round_id: int) -> list[Response]:
        return [
            response
            for (rid, _respondent), response in self.feedback_tables.responses.items()
            if rid == round_id
        ]

    def write_disposition(self, disposition: Disposition) -> None:
        key = (disposition.round_id, disposition.respondent, disposition.section or "")
        self._put(self.feedback_tables.dispositions, key, disposition)

    def select_dispositions(self, round_id: int) -> list[Disposition]:
        return [
            disposition
            for (rid, _who, _section), disposition in self.feedback_tables.dispositions.items()
            if rid == round_id
        ]

    def insert_message_mark(self, round_id: int, key: str, at: datetime) -> bool:
        if (round_id, key) in self.feedback_tables.marks:
            return False
        self._put(self.feedback_tables.marks, (round_id, key), at.astimezone(UTC))
        return True

    def select_message_marks(self, round_id: int) -> dict[str, datetime]:
        return {key: at for (rid, key), at in self.feedback_tables.marks.items() if rid == round_id}

    def reassign_feedback_person(
        self, email: str, tombstone: str, event_key: str | None = None
    ) -> int:
        tables = self.feedback_tables

        def in_scope(round_id: int) -> bool:
            return event_key is None or tables.rounds[round_id].event_key == event_key

        changed = 0
        for key, contribution in list(tables.contributions.items()):
            if contribution.participant == email and event_key in (None, contribution.event_key):
                new = attrs.evolve(contribution, participant=tombstone, may_be_named=False)
                self._put(tables.contributions, key, new)
                changed += 1
        for (round_id, who), response in list(tables.responses.items()):
            if who == email and in_scope(round_id):
                self._drop(tables.responses, (round_id, who))
                new_response = attrs.evolve(response, respondent=tombstone, may_be_named=False)
                self._put(tables.responses, (round_id, tombstone), new_response)
                changed += 1
        for (round_id, who, section), disposition in list(tables.dispositions.items()):
            if who == email and in_scope(round_id):
                self._drop(tables.dispositions, (round_id, who, section))
                new_disposition = attrs.evolve(disposition, respondent=tombstone)
                self._put(tables.dispositions, (round_id, tombstone, section), new_disposition)
                changed += 1
        return changed

    def _drop(self, table: dict[Any, Any], key: Any) -> None:
        old = table.pop(key)
        self.remember_undo(lambda: table.__setitem__(key, old))
