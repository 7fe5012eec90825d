"""``optimal``: the fewest people on the waiting list, then the best ranks.

The objective is a weighted cost, minimised exactly:

- a person placed in their k-th choice costs ``rank_costs[k-1]`` (by default
  ``0, 1, 2, …``: a second choice costs one, a third two);
- a person who was already told a session and is moved costs ``move_penalty``
  more;
- a person who was told a session and is put on the waiting list costs
  ``2 W`` plus the move penalty: taking a place away from someone who holds
  one comes before everything else, so it happens only when the places
  cannot hold everyone who was told (capacity lowered);
- a person on the waiting list costs ``W = (sessions + 1) * worst + 1``, where
  ``worst`` is the dearest rank cost plus the move penalty. That is enough to
  make the number waiting come first: one more person placed changes the
  other costs by at most ``(sessions + 1) * worst`` (placing them pushes a
  chain of people on to other sessions, and a shortest such chain visits each
  session at most once), so *no* rearrangement of ranks or moves is ever
  bought with one more person waiting. A small ``W`` also keeps the numbers
  the solver sees small.

It is solved on preference *profiles*: people with the same ranked list (and
the same session they were told, if any) are interchangeable, so the flow
problem has one variable per profile and choice, not per person: with 20
sessions and 3 choices at most 6,840 profiles, however many people register.
The profile problem is a transportation problem, solved exactly in whole
numbers by :func:`~participatie.assignment.flow.min_cost_flows`: successive
shortest paths on a graph of the sessions (at most 22 nodes), whose edges
stand for all profiles that can move people between two sessions at the
same price. Its final node potentials *prove* the answer optimal (no residual
edge has a negative reduced cost); should that proof ever fail, the cycles
are cancelled by :func:`improve_flows`, which checks with Bellman-Ford that
the residual graph has no negative cycle. There are no tolerances anywhere.

Inside a profile the places are handed out by lottery: better numbers get the
better-ranked places, the worst numbers wait. That is one pass over the people
in their turn order with C-level ``map`` calls, so the run time is linear in
the number of people apart from the solver, and the result deterministic.

Nothing here needs SciPy or NumPy (the ``optimal`` extra is no longer
needed; it is kept so that existing installs keep working).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, pairwise, repeat
from operator import add

from participatie.assignment._gc import collector_paused
from participatie.assignment.flow import flat_min_cost_flows
from participatie.assignment.preferences import (
    WAITLISTED,
    AssignmentProblem,
    compact,
    profile_ids,
    turn_order,
)
from participatie.assignment.result import SessionAssignment
from participatie.assignment.stable import seat_fixed
from participatie.exceptions import InvalidInputError

__all__ = ["OptimalCosts", "assign_optimal", "costs_for", "improve_flows"]


class OptimalCosts:
    """The cost weights of one ``optimal`` run.

    Attributes:
        rank_costs: Cost of a 1st, 2nd, … choice.
        move_penalty: Extra cost of moving someone who was told a session.
        waitlist_cost: Cost of one person waiting; large enough that the
            number waiting is minimised first (see the module docstring).
    """

    def __init__(self, rank_costs: Sequence[int], move_penalty: int, sessions: int) -> None:
        if any(cost < 0 for cost in rank_costs) or move_penalty < 0:
            raise InvalidInputError("costs and the move penalty cannot be negative")
        self.rank_costs = tuple(rank_costs)
        self.move_penalty = move_penalty
        worst = max(self.rank_costs, default=0) + move_penalty
        self.waitlist_cost = (sessions + 1) * worst + 1

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
        range(longest) if rank_costs is None else rank_costs,
        move_penalty,
        len(problem.sessions),
    )


#: One profile's options: (session or WAITLISTED, cost), best rank first, waiting last.
Options = list[tuple[int, int]]


def improve_flows(
    options: Sequence[Options], flows: list[list[int]], remaining: Sequence[int]
) -> int:
    """Cancel negative cycles until ``flows`` is optimal in whole numbers; return how many.

    ``flows[p][k]`` is how many people of profile ``p`` take its option ``k``
    (see :data:`Options`); ``remaining[s]`` is session ``s``'s capacity
    (negative: no limit). The residual graph has a node per session, one for
    the waiting list and one (``slack``) standing for "any free place": moving
    a person of profile ``p`` from option ``u`` to option ``v`` is an edge
    ``u → v`` costing the difference; a session with a free place has an edge
    to ``slack`` and ``slack`` has an edge to every node, so a path that ends
    in a free place is a cycle too. No negative cycle means no cheaper
    assignment exists (the negative-cycle optimality condition of min-cost
    flow). The flows are changed in place.
    """
    sessions = len(remaining)
    waiting, slack = sessions, sessions + 1
    nodes = sessions + 2
    cancelled = 0
    while True:
        loads = [0] * sessions
        for choices, flow in zip(options, flows, strict=True):
            for (session, _price), number in zip(choices, flow, strict=True):
                if number and session != WAITLISTED:
                    loads[session] += number
        # The cheapest edge per (from, to), and whose people it moves.
        best: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for profile, (choices, flow) in enumerate(zip(options, flows, strict=True)):
            for out, ((source, leave_price), number) in enumerate(zip(choices, flow, strict=True)):
                if not number:
                    continue
                u = waiting if source == WAITLISTED else source
                for into, (target, price) in enumerate(choices):
                    if into == out:
                        continue
                    v = waiting if target == WAITLISTED else target
                    edge = (price - leave_price, profile, out, into)
                    if (u, v) not in best or edge < best[u, v]:
                        best[u, v] = edge
        edges: list[tuple[int, int, int]] = [(u, v, e[0]) for (u, v), e in sorted(best.items())]
        for session in range(sessions):
            if remaining[session] < 0 or loads[session] < remaining[session]:
                edges.append((session, slack, 0))
        edges.append((waiting, slack, 0))
        edges += [(slack, node, 0) for node in range(nodes) if node != slack]
        cycle = _negative_cycle(nodes, edges)
        if cycle is None:
            return cancelled
        # Push as many people round the cycle as its narrowest edge allows.
        amount: int | None = None
        for u, v in cycle:
            if (u, v) in best:
                _cost, profile, out, _into = best[u, v]
                room = flows[profile][out]
            elif v == slack and u != waiting and remaining[u] >= 0:
                room = remaining[u] - loads[u]
            else:
                continue
            amount = room if amount is None else min(amount, room)
        assert amount is not None
        assert amount > 0
        for u, v in cycle:
            if (u, v) in best:
                _cost, profile, out, into = best[u, v]
                flows[profile][out] -= amount
                flows[profile][into] += amount
        cancelled += 1


def _negative_cycle(nodes: int, edges: list[tuple[int, int, int]]) -> list[tuple[int, int]] | None:
    """A negative cycle as a list of edges ``(u, v)``, or ``None`` (Bellman-Ford)."""
    distance = [0] * nodes
    parent: list[int | None] = [None] * nodes
    changed = -1
    for _ in range(nodes):
        changed = -1
        for u, v, cost in edges:
            if distance[u] + cost < distance[v]:
                distance[v] = distance[u] + cost
                parent[v] = u
                changed = v
        if changed == -1:
            return None
    node = changed
    for _ in range(nodes):  # step back onto the cycle
        previous = parent[node]
        assert previous is not None
        node = previous
    cycle: list[tuple[int, int]] = []
    current = node
    while True:
        previous = parent[current]
        assert previous is not None
        cycle.append((previous, current))
        current = previous
        if current == node:
            break
    cycle.reverse()
    return cycle


@collector_paused
def assign_optimal(
    problem: AssignmentProblem,
    *,
    rank_costs: Sequence[int] | None = None,
    move_penalty: int = 0,
) -> SessionAssignment:
    """The exact optimum of the weighted cost (see the module docstring).

    People in :attr:`AssignmentProblem.fixed` keep their session; people in
    :attr:`AssignmentProblem.current` may be moved at ``move_penalty`` each.
    """
    costs = costs_for(problem, rank_costs, move_penalty)
    fixed = problem.fixed
    remaining = seat_fixed(problem, dict(fixed))
    # A profile: the ranked list and the session the person was told (-1:
    # none), numbered after the plain rankings.
    rankings, profile_of = profile_ids(problem.rankings)
    profiles: list[tuple[tuple[int, ...], int]] = [(ranking, WAITLISTED) for ranking in rankings]
    told_numbers: dict[tuple[tuple[int, ...], int], int] = {}
    for person in sorted(problem.current):
        key = (problem.rankings[person], problem.current[person])
        number = told_numbers.setdefault(key, len(profiles) + len(told_numbers))
        profile_of[person] = number
    profiles += list(told_numbers)
    nobody = len(profiles)
    turns = turn_order(problem)
    laid = turns.lay_out(profile_of, nobody)
    for person in fixed:
        laid[turns.slot_of[person]] = nobody
    demand = Counter(laid)
    used = [number for number in range(nobody) if demand.get(number)]
    sessions = len(problem.sessions)
    # Per profile in use its sessions in order, the waiting list last, laid
    # end to end for the solver (node `sessions` is the waiting list).
    plain = [profiles[number][0] for number in used] if not told_numbers else []
    longest = max(map(len, rankings), default=0)
    price = [costs.rank_cost(rank) for rank in range(longest + 1)]
    if plain and all(map(longest.__eq__, map(len, plain))):
        # The usual case: nobody told, everyone ranks as many sessions. All C-level.
        rows: list[tuple[int, ...]] = list(map(add, plain, repeat((WAITLISTED,))))
        node_of = list(chain.from_iterable(map(add, plain, repeat((sessions,)))))
        cost_of = [*price[:longest], costs.waitlist_cost] * len(plain)
    else:
        rows, node_of, cost_of = [], [], []
        for number in used:
            ranking, told = profiles[number]
            choices = list(ranking)
            if told != WAITLISTED and told not in choices:
                choices.append(told)
            rows.append((*choices, WAITLISTED))
            node_of += choices
            node_of.append(sessions)
            cost_of += [
                price[rank] + (0 if told in (session, WAITLISTED) else costs.move_penalty)
                for rank, session in enumerate(choices)
            ]
            # Someone told a session waits only when nothing else fits them all.
            cost_of.append(
                costs.waitlist_cost
                if told == WAITLISTED
                else 2 * costs.waitlist_cost + costs.move_penalty
            )
    widths = list(map(len, rows))
    sizes = list(map(demand.__getitem__, used))
    flat, certified = flat_min_cost_flows(node_of, cost_of, widths, sizes, remaining)
    edges = list(pairwise([0, *accumulate(widths)]))
    flows = [flat[low:high] for low, high in edges]
    if not certified:  # pragma: no cover - the potentials always prove the optimum
        options = [
            list(zip(row, cost_of[low:high], strict=True))
            for row, (low, high) in zip(rows, edges, strict=True)
        ]
        improve_flows(options, flows, remaining)
    # Hand the places out inside each profile by lottery: better numbers first.
    # Each profile's places are a lazy chain of repeats, one C-level call each.
    handouts: list[Iterator[int]] = [repeat(WAITLISTED)] * (nobody + 1)
    for number, row, flow in zip(used, rows, flows, strict=True):
        handouts[number] = chain.from_iterable(map(repeat, row, flow))
    picked = array(compact(len(problem.sessions)), map(next, map(handouts.__getitem__, laid)))
    placement = turns.gather(picked)
    for person, session in fixed.items():
        placement[person] = session
    moved = tuple(
        sorted(
            person for person, session in problem.current.items() if placement[person] != session
        )
    )
    return SessionAssignment("optimal", problem, placement, (), moved)
