"""What a session assignment produced, and the figures an organiser judges it by."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence

import attrs

from participatie.assignment.preferences import WAITLISTED, AssignmentProblem

__all__ = ["AssignmentSummary", "SessionAssignment", "blocking_pairs", "rank_costs_total"]


@attrs.frozen
class AssignmentSummary:
    """Headline figures of one assignment.

    Attributes:
        mode: ``stable`` or ``optimal``.
        people: How many people ranked sessions.
        placed: How many got a place.
        waitlisted: How many are on the waiting list.
        by_rank: How many got their 1st, 2nd, … choice (index 0 is the 1st).
        moved: People who had been told a session and were moved.
        free_places: Places left over in sessions with a capacity.
    """

    mode: str
    people: int
    placed: int
    waitlisted: int
    by_rank: tuple[int, ...]
    moved: int
    free_places: int

    @property
    def first_choice_share(self) -> float:
        """The share of people who got their first choice."""
        return self.by_rank[0] / self.people if self.people and self.by_rank else 0.0

    @property
    def waitlisted_share(self) -> float:
        """The share of people on the waiting list."""
        return self.waitlisted / self.people if self.people else 0.0

    def line(self) -> str:
        """One line for a report: ``stable: 870 placed (1st 610, 2nd 180, 3rd 80), 130 waiting``."""
        ranks = ", ".join(
            f"{_ordinal(rank)} {count}" for rank, count in enumerate(self.by_rank, start=1)
        )
        text = f"{self.mode}: {self.placed} placed ({ranks}), {self.waitlisted} waiting"
        if self.moved:
            text += f", {self.moved} moved after being told"
        return text


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


@attrs.frozen(eq=False)
class SessionAssignment:
    """Who goes to which session, or waits.

    Attributes:
        mode: ``stable`` or ``optimal``.
        problem: What was solved.
        placement: Per person the session index, or ``-1``
            (:data:`~participatie.assignment.WAITLISTED`).
        cutoffs: ``stable`` only: per session the order key (priority class
            and lottery number, see :meth:`AssignmentProblem.order_keys`) of
            the last person who got a place when it filled, or ``None`` if it
            never filled.
        moved: Indices of people who had been told a session and were moved.
    """

    mode: str
    problem: AssignmentProblem
    placement: array[int]
    cutoffs: tuple[int | None, ...] = ()
    moved: tuple[int, ...] = ()

    def session_of(self, person: int) -> str | None:
        """The session key of a person, or ``None`` when they wait."""
        index = self.placement[person]
        return None if index == WAITLISTED else self.problem.sessions[index]

    def rank_of(self, person: int) -> int | None:
        """Which choice (1 = first) the person got, or ``None`` when they wait."""
        index = self.placement[person]
        if index == WAITLISTED:
            return None
        ranking = self.problem.rankings[person]
        return ranking.index(index) + 1 if index in ranking else None

    def loads(self) -> list[int]:
        """People placed per session."""
        counts = Counter(self.placement)
        return [counts.get(index, 0) for index in range(len(self.problem.sessions))]

    def summary(self) -> AssignmentSummary:
        """The headline figures."""
        problem = self.problem
        longest = max(map(len, problem.rankings), default=0)
        by_rank = [0] * longest
        rank_counts = Counter(map(_rank_index, problem.rankings, self.placement))
        for rank, count in rank_counts.items():
            if rank >= 0:
                by_rank[rank] += count
        waitlisted = rank_counts.get(-1, 0)
        loads = self.loads()
        free = sum(
            capacity - load
            for capacity, load in zip(problem.capacities, loads, strict=True)
            if capacity is not None
        )
        return AssignmentSummary(
            mode=self.mode,
            people=problem.size,
            placed=problem.size - waitlisted,
            waitlisted=waitlisted,
            by_rank=tuple(by_rank),
            moved=len(self.moved),
            free_places=free,
        )


#: The rank of a session someone kept without ranking it: placed, but no choice of theirs.
_UNRANKED = -2


def _rank_index(ranking: tuple[int, ...], session: int) -> int:
    if session == WAITLISTED:
        return -1
    try:
        return ranking.index(session)
    except ValueError:  # a frozen person kept a session they no longer rank
        return _UNRANKED


def rank_costs_total(
    assignment: SessionAssignment, rank_costs: Sequence[int], waitlist_cost: int
) -> int:
    """The total weighted cost of an assignment (used to compare engines)."""
    total = 0
    for ranking, session in zip(assignment.problem.rankings, assignment.placement, strict=True):
        if session == WAITLISTED:
            total += waitlist_cost
        else:
            total += rank_costs[ranking.index(session)]
    return total


def blocking_pairs(assignment: SessionAssignment) -> int:
    """Pairs (person, session) where the person prefers the session to what they got,
    and the session has a free place or holds someone who chose after them.

    Zero for every ``stable`` assignment (people told their session earlier,
    who are fixed, are not counted as holding a place someone could claim).
    """
    problem = assignment.problem
    keys = problem.order_keys()
    capacities = problem.capacities
    placement = assignment.placement
    worst: list[int] = [-1] * len(problem.sessions)
    loads = [0] * len(problem.sessions)
    for person, session in enumerate(placement):
        if session != WAITLISTED:
            loads[session] += 1
            if person not in problem.fixed and keys[person] > worst[session]:
                worst[session] = keys[person]
    count = 0
    for person, (ranking, session) in enumerate(zip(problem.rankings, placement, strict=True)):
        if person in problem.fixed:
            continue
        better = ranking if session == WAITLISTED else ranking[: ranking.index(session)]
        for wanted in better:
            capacity = capacities[wanted]
            if capacity is None or loads[wanted] < capacity or worst[wanted] > keys[person]:
                count += 1
    return count
