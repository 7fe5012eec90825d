"""``stable``: everyone with a better lottery number chose first.

Random serial dictatorship with capacities: people take, in order of priority
class and lottery number, the first session on their list that still has a
place. Nobody envies someone with a worse number (zero blocking pairs) and no
place is left free while someone who wanted it waits (zero wasted places).

The loop is run on *preference profiles* (people with the same ranked list
make the same choice until a session fills), in chunks: a chunk in which no
session fills is decided with C-level ``map`` and ``Counter`` calls; only the
at most one chunk per session in which it fills is walked person by person.
The result is exactly that of the plain loop (the tests compare them).
"""

from __future__ import annotations

from array import array
from collections import Counter

from participatie.assignment.preferences import (
    WAITLISTED,
    AssignmentProblem,
    lottery_order,
    profile_indices,
)
from participatie.assignment.result import SessionAssignment
from participatie.exceptions import ConstraintConflictError

__all__ = ["assign_stable", "seat_fixed"]

_CHUNK = 4096


def seat_fixed(problem: AssignmentProblem, told: dict[int, int]) -> list[int]:
    """Capacities left after seating people who keep their session.

    Raises :class:`~participatie.exceptions.ConstraintConflictError` when more
    people were told a session than it now holds.
    """
    remaining = [(-1 if capacity is None else capacity) for capacity in problem.capacities]
    counts = Counter(told.values())
    for session in sorted(counts):
        if remaining[session] >= 0:
            if counts[session] > remaining[session]:
                raise ConstraintConflictError(
                    f"session {problem.sessions[session]!r}: {counts[session]} people were "
                    f"already told they have a place, but only {remaining[session]} places "
                    "are left (capacity lowered?); allow moves or raise the capacity",
                    constraints=(
                        f"freeze:{problem.sessions[session]}",
                        f"capacity:{problem.sessions[session]}",
                    ),
                )
            remaining[session] -= counts[session]
    return remaining


def assign_stable(problem: AssignmentProblem) -> SessionAssignment:
    """Assign in lottery order (within priority classes); see the module docstring."""
    count = problem.size
    told = {**problem.current, **problem.fixed}
    remaining = seat_fixed(problem, told)
    unlimited = count + 1
    left = [unlimited if value < 0 else value for value in remaining]
    left.append(unlimited)  # index -1: the waiting list never fills
    keys = problem.order_keys()

    order = lottery_order(problem)
    if told:
        order = array("q", [person for person in order if person not in told])
    rankings, profile_of = profile_indices(problem.rankings)
    sequence = array("l", map(profile_of.__getitem__, order))

    def first_open(ranking: tuple[int, ...]) -> int:
        for session in ranking:
            if left[session] > 0:
                return session
        return WAITLISTED

    choice = [first_open(ranking) for ranking in rankings]
    choosing: dict[int, list[int]] = {}
    for profile, session in enumerate(choice):
        choosing.setdefault(session, []).append(profile)
    cutoffs: list[int | None] = [None] * len(problem.sessions)
    picked = array("l")
    for start in range(0, len(sequence), _CHUNK):
        part = sequence[start : start + _CHUNK]
        picks = list(map(choice.__getitem__, part))
        demand = Counter(picks)
        if all(demand[session] < left[session] for session in demand):
            for session, number in demand.items():
                left[session] -= number
            picked.extend(picks)
            continue
        for offset, profile in enumerate(part):
            session = choice[profile]
            picked.append(session)
            if session == WAITLISTED:
                continue
            left[session] -= 1
            if left[session] == 0:
                cutoffs[session] = keys[order[start + offset]]
                for other in choosing.pop(session, []):
                    moved_to = first_open(rankings[other])
                    choice[other] = moved_to
                    choosing.setdefault(moved_to, []).append(other)
    placement = array("l", [WAITLISTED]) * count
    list(map(placement.__setitem__, order, picked))
    for person, session in told.items():
        placement[person] = session
    return SessionAssignment("stable", problem, placement, tuple(cutoffs), ())
