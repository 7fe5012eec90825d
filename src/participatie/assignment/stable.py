"""``stable``: everyone with a better lottery number chose first.

Random serial dictatorship with capacities: people take, in order of priority
class and lottery number, the first session on their list that still has a
place. Nobody envies someone with a worse number (zero blocking pairs) and no
place is left free while someone who wanted it waits (zero wasted places).

The loop is run on *preference profiles* (people with the same ranked list
make the same choice until a session fills), over people laid out by their
turn (:class:`~participatie.assignment.preferences.TurnOrder`: the lottery
number is the slot, so there is no sort), in chunks: a chunk in which no
session fills is decided with C-level ``map`` and ``Counter`` calls; only the
few pieces in which a session fills (at most one per session) are walked
person by person. The result is exactly that of the plain loop (the tests
compare them). Nothing here needs NumPy.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter

from participatie.assignment._gc import collector_paused
from participatie.assignment.preferences import (
    WAITLISTED,
    AssignmentProblem,
    compact,
    profile_ids,
    turn_order,
)
from participatie.assignment.result import SessionAssignment
from participatie.exceptions import ConstraintConflictError

__all__ = ["assign_stable", "seat_fixed"]

#: People decided per C-level pass, and per pass inside a chunk where a session fills.
_CHUNK = 8192
_PIECE = 128


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


@collector_paused
def assign_stable(problem: AssignmentProblem) -> SessionAssignment:  # noqa: PLR0915
    """Assign in lottery order (within priority classes); see the module docstring."""
    told = {**problem.current, **problem.fixed}
    remaining = seat_fixed(problem, told)
    sessions = len(problem.sessions)
    unlimited = sys.maxsize
    skip = sessions  # the "session" of an empty slot or a person who keeps their place
    # left[s] for each session, then the skip marker, then (index -1) the waiting list.
    left = [unlimited if value < 0 else value for value in remaining]
    left += [unlimited, unlimited]

    profiles, profile_of = profile_ids(problem.rankings)
    turns = turn_order(problem)
    nobody = len(profiles)  # the profile of an empty slot
    laid = turns.lay_out(profile_of, nobody)
    for person in told:
        laid[turns.slot_of[person]] = nobody

    def first_open(ranking: tuple[int, ...]) -> int:
        for session in ranking:
            if left[session] > 0:
                return session
        return WAITLISTED

    # choice[profile]: the session its people take now.
    choice = [first_open(ranking) for ranking in profiles]
    choice.append(skip)
    choosing: dict[int, list[int]] = {}
    for profile, session in enumerate(choice[:-1]):
        choosing.setdefault(session, []).append(profile)
    cutoffs: list[int | None] = [None] * sessions
    picked = array(compact(sessions))

    def fits(demand: Counter[int]) -> bool:
        return all(number < left[session] for session, number in demand.items())

    def take(picks: list[int], demand: Counter[int]) -> None:
        for session, number in demand.items():
            left[session] -= number
        picked.extend(picks)

    def walk(start: int, part: array[int]) -> None:
        for offset, profile in enumerate(part):
            session = choice[profile]
            picked.append(session)
            if session in (WAITLISTED, skip):
                continue
            left[session] -= 1
            if left[session] == 0:
                cutoffs[session] = turns.key_at(start + offset)
                for other in choosing.pop(session, []):
                    moved_to = first_open(profiles[other])
                    choice[other] = moved_to
                    choosing.setdefault(moved_to, []).append(other)

    for start in range(0, len(laid), _CHUNK):
        chunk = laid[start : start + _CHUNK]
        picks = list(map(choice.__getitem__, chunk))
        demand = Counter(picks)
        if fits(demand):
            take(picks, demand)
            continue
        # A session fills in this chunk: find the piece, walk only that.
        for begin in range(0, len(chunk), _PIECE):
            part = chunk[begin : begin + _PIECE]
            picks = list(map(choice.__getitem__, part))
            demand = Counter(picks)
            if fits(demand):
                take(picks, demand)
            else:
                walk(start + begin, part)
    placement = turns.gather(picked)
    for person, session in told.items():
        placement[person] = session
    return SessionAssignment("stable", problem, placement, tuple(cutoffs), ())
