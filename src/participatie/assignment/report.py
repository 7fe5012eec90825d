"""The organiser's step "assign sessions by preference", with its report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from participatie.assignment.optimal import assign_optimal
from participatie.assignment.preferences import Preference, build_problem, draw_lottery
from participatie.assignment.result import AssignmentSummary, SessionAssignment
from participatie.assignment.stable import assign_stable
from participatie.exceptions import (
    ConstraintConflictError,
    ExtraNotInstalledError,
    InvalidInputError,
)
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
            were moved (only ``optimal`` with a move penalty).
        stored: What was stored.
        moves: Per moved person ``(email, told session, new session or
            None)``.
        kept: With moves: the headline figures had everyone told a session
            kept it, which is *why* they were moved (more people placed, or
            better ranks, by more than the move penalty per move).
        move_penalty: The move penalty of the run (``None``: told people
            were frozen).
    """

    assignment: SessionAssignment
    summary: AssignmentSummary
    other: AssignmentSummary | None
    moved: tuple[str, ...]
    stored: StoredAssignment
    moves: tuple[tuple[str, str, str | None], ...] = ()
    kept: AssignmentSummary | None = None
    move_penalty: int | None = None

    def lines(self) -> list[str]:
        """The report as lines of text."""
        result = [self.summary.line()]
        if self.other is not None:
            result.append(f"(for comparison) {self.other.line()}")
        elif self.summary.mode == "stable":
            result.append("(for comparison) optimal: not possible on this input")
        else:
            result.append(
                "(for comparison) stable: impossible without moving people who were told "
                "their session (there are fewer places now)"
            )
        if self.moved:
            who = "1 person" if len(self.moved) == 1 else f"{len(self.moved)} people"
            result.append(
                f"{who} told their session {'was' if len(self.moved) == 1 else 'were'} moved "
                f"(move penalty {self.move_penalty} per move):"
            )
            if self.kept is None:
                result.append(
                    "  why: the sessions they were told no longer have room for all of them"
                )
            else:
                result.append(
                    f"  why: had everyone kept their session, {self.kept.waitlisted} would "
                    f"wait (now {self.summary.waitlisted}) and the ranks would be "
                    f"{_ranks(self.kept)} (now {_ranks(self.summary)})"
                )
            for email, was, now in self.moves:
                result.append(f"  {email}: {was} -> {now or 'waiting list'}")
        elif self.move_penalty is not None:
            result.append(
                f"nobody told their session was moved: no move saved more than the "
                f"move penalty ({self.move_penalty})"
            )
        return result


def _ranks(summary: AssignmentSummary) -> str:
    return ", ".join(f"{count} at choice {rank}" for rank, count in enumerate(summary.by_rank, 1))


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
    # A place someone already holds counts as told: it is theirs, so the
    # assignment keeps it (or moves it only at the move penalty), and places
    # held by people who rank nothing are not handed out again.
    taking_part = set(emails)
    holding = (
        RegistrationState.REGISTERED,
        RegistrationState.OFFERED,
        RegistrationState.ATTENDED,
        RegistrationState.NO_SHOW,
    )
    taken = dict.fromkeys((session.key for session in event.sessions), 0)
    for registration in app.registrations(event_key, states=holding):
        email = registration.person.email
        if email not in taking_part:
            taken[registration.session_key] += 1
        else:
            told.setdefault(email, registration.session_key)
    frozen = told if move_penalty is None else {}
    movable = told if move_penalty is not None else {}
    problem = build_problem(event, preferences, lottery, taken=taken, fixed=frozen, current=movable)
    assignment = _solve(mode, problem, move_penalty, rank_costs)
    other_mode = "optimal" if mode == "stable" else "stable"
    try:
        other: AssignmentSummary | None = _solve(
            other_mode, problem, move_penalty, rank_costs
        ).summary()
    except (ExtraNotInstalledError, ConstraintConflictError):
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
    moves = tuple(
        sorted(
            (problem_email(preferences, m), problem.sessions[problem.current[m]], key)
            for m in assignment.moved
            for key in [assignment.session_of(m)]
        )
    )
    kept = None
    if assignment.moved:
        everyone_kept = attrs.evolve(
            problem, fixed={**problem.current, **problem.fixed}, current={}
        )
        try:
            kept = _solve(mode, everyone_kept, move_penalty, rank_costs).summary()
        except ConstraintConflictError:  # they no longer fit their sessions at all
            kept = None
    return AssignmentReport(
        assignment,
        assignment.summary(),
        other,
        moved,
        stored,
        moves=moves,
        kept=kept,
        move_penalty=move_penalty,
    )


def problem_email(preferences: Sequence[Preference], person: int) -> str:
    """The e-mail address of person number ``person``."""
    return preferences[person].person.email
