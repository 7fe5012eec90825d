"""``optimal``: the fewest people on the waiting list, then the best ranks.

The objective is a weighted cost, minimised exactly:

- a person placed in their k-th choice costs ``rank_costs[k-1]`` (by default
  ``0, 1, 2, …``: a second choice costs one, a third two);
- a person who was already told a session and is moved costs ``move_penalty``
  more;
- a person on the waiting list costs more than every other cost of all people
  together, so *no* rearrangement of ranks or moves is ever bought with one
  more person waiting: the number waiting is minimised first.

It is solved on preference *profiles*: people with the same ranked list (and
the same session they were told, if any) are interchangeable, so the flow
problem has one variable per profile and choice, not per person: with 20
sessions and 3 choices at most 6,840 profiles, however many people register.
The profile problem is a transportation problem (its constraint matrix is
totally unimodular), so the vertex the dual simplex method of HiGHS returns is
integral. Inside a profile the places are handed out by lottery: better
numbers get the better-ranked places, the worst numbers wait. The result is
deterministic (single-threaded simplex on variables in sorted order) and linear
in the number of people apart from the solver.

HiGHS comes with SciPy, an optional extra: ``pip install "participatie[optimal]"``.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from typing import Any

from participatie.assignment.preferences import (
    WAITLISTED,
    AssignmentProblem,
    lottery_order,
    profile_indices,
)
from participatie.assignment.result import SessionAssignment
from participatie.assignment.stable import seat_fixed
from participatie.exceptions import ExtraNotInstalledError, InvalidInputError, StorageError

__all__ = ["OptimalCosts", "assign_optimal", "costs_for"]


class OptimalCosts:
    """The cost weights of one ``optimal`` run.

    Attributes:
        rank_costs: Cost of a 1st, 2nd, … choice.
        move_penalty: Extra cost of moving someone who was told a session.
        waitlist_cost: Cost of one person waiting; larger than all other costs
            of all people together.
    """

    def __init__(self, rank_costs: Sequence[int], move_penalty: int, people: int) -> None:
        if any(cost < 0 for cost in rank_costs) or move_penalty < 0:
            raise InvalidInputError("costs and the move penalty cannot be negative")
        self.rank_costs = tuple(rank_costs)
        self.move_penalty = move_penalty
        worst = max(self.rank_costs, default=0) + move_penalty
        self.waitlist_cost = people * worst + 1

    def rank_cost(self, rank: int) -> int:
        """Cost of the (0-based) rank; ranks past the list cost like the last one."""
        if not self.rank_costs:
            return rank
        return self.rank_costs[min(rank, len(self.rank_costs) - 1)]


def costs_for(
    problem: AssignmentProblem, rank_costs: Sequence[int] | None, move_penalty: int
) -> OptimalCosts:
    """The weights used for ``problem`` (defaults: ``0, 1, 2, …``)."""
    longest = max(map(len, problem.rankings), default=1)
    return OptimalCosts(
        range(longest) if rank_costs is None else rank_costs, move_penalty, problem.size
    )


def _linprog() -> Any:
    try:
        from scipy.optimize import linprog  # type: ignore[import-untyped]
        from scipy.sparse import coo_array  # type: ignore[import-untyped]
    except ImportError as error:
        raise ExtraNotInstalledError(
            "the 'optimal' mode needs SciPy (its HiGHS solver): "
            "pip install \"participatie[optimal]\"; the 'stable' mode needs nothing extra"
        ) from error
    return linprog, coo_array


def assign_optimal(  # noqa: PLR0915 - build, solve, hand out: one readable pass
    problem: AssignmentProblem,
    *,
    rank_costs: Sequence[int] | None = None,
    move_penalty: int = 0,
) -> SessionAssignment:
    """The exact optimum of the weighted cost (see the module docstring).

    People in :attr:`AssignmentProblem.fixed` keep their session; people in
    :attr:`AssignmentProblem.current` may be moved at ``move_penalty`` each.
    """
    linprog, coo_array = _linprog()
    costs = costs_for(problem, rank_costs, move_penalty)
    fixed = dict(problem.fixed)
    remaining = seat_fixed(problem, fixed)
    count = problem.size
    current = problem.current
    # A profile: the ranked list and the session the person was told (-1: none).
    rankings, profile_of = profile_indices(problem.rankings)
    profiles: list[tuple[tuple[int, ...], int]] = [(ranking, WAITLISTED) for ranking in rankings]
    if current:
        extra: dict[tuple[tuple[int, ...], int], int] = {}
        for person in sorted(current):
            key = (problem.rankings[person], current[person])
            profile_of[person] = extra.setdefault(key, len(profiles) + len(extra))
        profiles += list(extra)
    order = lottery_order(problem)
    if fixed:
        order = array("q", [person for person in order if person not in fixed])
    sequence = array("l", map(profile_of.__getitem__, order))
    demand = Counter(sequence)
    sizes = [demand.get(number, 0) for number in range(len(profiles))]
    columns: list[tuple[int, int]] = []  # (profile, session or -1)
    cost: list[float] = []
    for number, (ranking, told) in enumerate(profiles):
        options = list(ranking)
        if told != WAITLISTED and told not in options:
            options.append(told)
        for rank, session in enumerate(options):
            columns.append((number, session))
            moving = told not in (WAITLISTED, session)
            cost.append(costs.rank_cost(rank) + (costs.move_penalty if moving else 0))
        columns.append((number, WAITLISTED))
        cost.append(costs.waitlist_cost + (costs.move_penalty if told != WAITLISTED else 0))
    limited = [session for session, left in enumerate(remaining) if left >= 0]
    row_of = {session: row for row, session in enumerate(limited)}
    eq_rows, eq_cols, ub_rows, ub_cols = [], [], [], []
    for column, (profile, session) in enumerate(columns):
        eq_rows.append(profile)
        eq_cols.append(column)
        if session in row_of:
            ub_rows.append(row_of[session])
            ub_cols.append(column)
    width = len(columns)
    a_eq = coo_array(([1.0] * len(eq_rows), (eq_rows, eq_cols)), shape=(len(profiles), width))
    b_eq = [float(size) for size in sizes]
    a_ub = b_ub = None
    if limited and ub_rows:
        a_ub = coo_array(([1.0] * len(ub_rows), (ub_rows, ub_cols)), shape=(len(limited), width))
        b_ub = [float(remaining[session]) for session in limited]
    flows: list[int] = []
    if columns:
        solution = linprog(
            cost,
            A_ub=a_ub.tocsr() if a_ub is not None else None,
            b_ub=b_ub,
            A_eq=a_eq.tocsr(),
            b_eq=b_eq,
            bounds=(0, None),
            method="highs-ds",
        )
        if solution.status != 0:  # pragma: no cover - the waiting list makes it always feasible
            raise StorageError(f"the optimal assignment could not be solved: {solution.message}")
        flows = [round(value) for value in solution.x]
        if any(abs(value - flow) > 1e-6 for value, flow in zip(solution.x, flows, strict=True)):
            raise StorageError("the solver returned a fractional assignment")  # pragma: no cover
    # Hand the places out inside each profile by lottery: better numbers first.
    handouts: list[list[int]] = [[] for _ in profiles]
    for (profile, session), flow in zip(columns, flows, strict=True):
        handouts[profile].extend([session] * flow)
    queues = [iter(places) for places in handouts]
    picked = array("l", map(next, map(queues.__getitem__, sequence)))
    placement = array("l", [WAITLISTED]) * count
    list(map(placement.__setitem__, order, picked))
    for person, session in fixed.items():
        placement[person] = session
    moved = tuple(
        sorted(person for person, session in current.items() if placement[person] != session)
    )
    return SessionAssignment("optimal", problem, placement, (), moved)
