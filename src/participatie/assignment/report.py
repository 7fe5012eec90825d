"""The organiser's step "assign sessions by preference", with its report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from participatie.assignment.optimal import assign_optimal
from participatie.assignment.preferences import Preference, build_problem, draw_lottery
from participatie.assignment.result import AssignmentSummary, SessionAssignment
from participatie.assignment.stable import assign_stable
from participatie.exceptions import ExtraNotInstalledError, InvalidInputError
from participatie.model import RegistrationState
from participatie.storage import AssignmentEntry, StoredAssignment

if TYPE_CHECKING:
    from participatie._facade import Participatie

__all__ = ["MODES", "AssignmentReport", "run_assignment"]

#: The assignment modes an organiser can choose.
MODES = ("stable", "optimal")


@attrs.frozen
class AssignmentReport:
    """What :meth:`Participatie.assign_sessions` did.

    Attributes:
        assignment: The solved assignment (people numbered as in ``preferences``).
        summary: Its headline figures.
        other: The headline figures of the other mode on the same input, so
            the trade-off is visible; ``None`` when that mode could not run
            (``optimal`` without its extra).
        moved: E-mail addresses of people who had been told a session and
            were moved (only with a move penalty).
        stored: What was stored.
    """

    assignment: SessionAssignment
    summary: AssignmentSummary
    other: AssignmentSummary | None
    moved: tuple[str, ...]
    stored: StoredAssignment

    def lines(self) -> list[str]:
        """The report as lines of text."""
        result = [self.summary.line()]
        if self.other is not None:
            result.append(f"(for comparison) {self.other.line()}")
        else:
            result.append("(for comparison) optimal: needs the 'optimal' extra (SciPy)")
        if self.moved:
            result.append("moved after being told: " + ", ".join(self.moved))
        return result


def _solve(
    mode: str, problem: object, move_penalty: int | None, rank_costs: Sequence[int] | None
) -> SessionAssignment:
    from participatie.assignment.preferences import AssignmentProblem

    assert isinstance(problem, AssignmentProblem)
    if mode == "stable":
        return assign_stable(problem)
    return assign_optimal(problem, rank_costs=rank_costs, move_penalty=move_penalty or 0)


def run_assignment(
    app: Participatie,
    event_key: str,
    preferences: Sequence[Preference],
    *,
    mode: str,
    seed: int,
    move_penalty: int | None,
    rank_costs: Sequence[int] | None,
    save: bool = True,
) -> AssignmentReport:
    """See :meth:`participatie.Participatie.assign_sessions`."""
    if mode not in MODES:
        raise InvalidInputError(f"unknown assignment mode {mode!r}; choose one of {MODES}")
    event = app.event(event_key)
    previous = app.store.get_assignment(event_key)
    emails = [preference.person.email for preference in preferences]
    old = {} if previous is None else {e.person.email: e for e in previous.entries}
    lottery = {email: old[email].lottery for email in emails if email in old}
    start = max((e.lottery for e in old.values()), default=0)
    newcomers = draw_lottery([email for email in emails if email not in lottery], seed)
    lottery.update({email: start + number for email, number in newcomers.items()})
    told = {
        email: entry.session_key
        for email, entry in old.items()
        if entry.notified and entry.session_key is not None
    }
    taking_part = set(emails)
    taken = {
        session.key: sum(
            1
            for registration in app.participants(event_key, session.key)
            if registration.person.email not in taking_part
        )
        + len(app.registrations(event_key, session.key, states=(RegistrationState.OFFERED,)))
        for session in event.sessions
    }
    frozen = told if move_penalty is None else {}
    movable = told if move_penalty is not None else {}
    problem = build_problem(event, preferences, lottery, taken=taken, fixed=frozen, current=movable)
    assignment = _solve(mode, problem, move_penalty, rank_costs)
    other_mode = "optimal" if mode == "stable" else "stable"
    try:
        other: AssignmentSummary | None = _solve(
            other_mode, problem, move_penalty, rank_costs
        ).summary()
    except ExtraNotInstalledError:
        other = None
    entries = []
    for person, preference in enumerate(preferences):
        key = assignment.session_of(person)
        was = old.get(preference.person.email)
        keeps_news = was is not None and was.notified and was.session_key == key
        entries.append(
            AssignmentEntry(
                person=preference.person,
                ranking=preference.ranking,
                priority=preference.priority,
                lottery=lottery[preference.person.email],
                session_key=key,
                notified=keeps_news,
            )
        )
    stored = StoredAssignment(event_key, mode, seed, tuple(entries))
    if save:
        app.store.save_assignment(stored)
    moved = tuple(sorted(problem_email(preferences, m) for m in assignment.moved))
    return AssignmentReport(assignment, assignment.summary(), other, moved, stored)


def problem_email(preferences: Sequence[Preference], person: int) -> str:
    """The e-mail address of person number ``person``."""
    return preferences[person].person.email
