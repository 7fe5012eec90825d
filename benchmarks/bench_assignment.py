"""Session assignment and grouping: ours against peers (printed, never asserted).

Targets (issue 3, 2 cores; 20 sessions, 3 ranked choices, 15 % oversubscribed):
stable <= 0.1 s at 100,000 and <= 1 s at 1,000,000 people; optimal equal to
the OR-Tools optimum and <= 1.5 s at 1,000,000; groups with spread <= 0.5 s
at 1,000,000. Peers (`matching`, `ortools`) are installed by `make bench`.
Prints one JSON object per line.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time

from participatie.assignment import (
    WAITLISTED,
    AssignmentProblem,
    assign_optimal,
    assign_stable,
    blocking_pairs,
)
from participatie.assignment.groups import GroupingInput, arrange, attribute_excess, lone_members
from participatie.assignment.optimal import costs_for
from participatie.grouping import group_sizes

SESSIONS = 20
CHOICES = 3


def instance(people: int, seed: int) -> AssignmentProblem:
    rng = random.Random(seed)
    weights = [1.0 / (rank + 3) for rank in range(SESSIONS)]
    rankings = []
    for _ in range(people):
        chosen: list[int] = []
        while len(chosen) < CHOICES:
            (session,) = rng.choices(range(SESSIONS), weights)
            if session not in chosen:
                chosen.append(session)
        rankings.append(tuple(chosen))
    capacity = int(people / 1.15 / SESSIONS)
    lottery = list(range(1, people + 1))
    rng.shuffle(lottery)
    return AssignmentProblem(
        tuple(f"s{n}" for n in range(SESSIONS)), (capacity,) * SESSIONS, rankings, lottery
    )


def cost(problem: AssignmentProblem, placement: list[int]) -> int:
    costs = costs_for(problem, None, 0)
    return sum(
        costs.waitlist_cost if s == WAITLISTED else costs.rank_cost(r.index(s))
        for r, s in zip(problem.rankings, placement, strict=True)
    )


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def ours(problem: AssignmentProblem, mode: str, optimum: int | None) -> int:
    before = peak_mb()
    solve = assign_stable if mode == "stable" else assign_optimal
    started = time.perf_counter()
    result = solve(problem)
    seconds = time.perf_counter() - started
    summary = result.summary()
    total = cost(problem, list(result.placement))
    emit(
        bench="sessions",
        engine="participatie",
        mode=mode,
        n=problem.size,
        seconds=round(seconds, 3),
        first_choice_share=round(summary.first_choice_share, 4),
        waitlisted_share=round(summary.waitlisted_share, 4),
        blocking_pairs=blocking_pairs(result) if problem.size <= 100_000 else None,
        wasted_places=summary.free_places if summary.waitlisted else 0,
        cost=total,
        gap_to_optimum=None if optimum is None else total - optimum,
        peak_rss_growth_mb=round(peak_mb() - before, 1),
    )
    return total


def ortools_persons(problem: AssignmentProblem) -> int | None:
    try:
        from ortools.graph.python import min_cost_flow
    except ImportError:
        return None
    costs = costs_for(problem, None, 0)
    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    people, sessions = problem.size, len(problem.sessions)
    source, sink, waiting = people + sessions, people + sessions + 1, people + sessions + 2
    for person, ranking in enumerate(problem.rankings):
        flow.add_arc_with_capacity_and_unit_cost(source, person, 1, 0)
        for rank, session in enumerate(ranking):
            flow.add_arc_with_capacity_and_unit_cost(
                person, people + session, 1, costs.rank_cost(rank)
            )
        flow.add_arc_with_capacity_and_unit_cost(person, waiting, 1, costs.waitlist_cost)
    for session, capacity in enumerate(problem.capacities):
        flow.add_arc_with_capacity_and_unit_cost(people + session, sink, capacity or people, 0)
    flow.add_arc_with_capacity_and_unit_cost(waiting, sink, people, 0)
    flow.set_node_supply(source, people)
    flow.set_node_supply(sink, -people)
    status = flow.solve()
    seconds = time.perf_counter() - started
    optimum = flow.optimal_cost() if status == flow.OPTIMAL else None
    emit(
        bench="sessions",
        engine="ortools-min-cost-flow-persons",
        mode="optimal",
        n=people,
        seconds=round(seconds, 3),
        cost=optimum,
    )
    return optimum


def matching_peer(problem: AssignmentProblem, reference: list[int]) -> None:
    try:
        from matching.games import HospitalResident
    except ImportError:
        return
    order = sorted(range(problem.size), key=problem.lottery.__getitem__)
    residents = {f"p{p}": [f"s{s}" for s in problem.rankings[p]] for p in range(problem.size)}
    hospitals = {
        f"s{s}": [f"p{p}" for p in order if s in problem.rankings[p]]
        for s in range(len(problem.sessions))
    }
    capacities = {f"s{s}": c for s, c in enumerate(problem.capacities)}
    started = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    solution = game.solve(optimal="resident")
    seconds = time.perf_counter() - started
    placement = [WAITLISTED] * problem.size
    for hospital, members in solution.items():
        for resident in members:
            placement[int(resident.name[1:])] = int(hospital.name[1:])
    emit(
        bench="sessions",
        engine="matching-hospital-resident",
        mode="stable",
        n=problem.size,
        seconds=round(seconds, 3),
        identical_to_ours=placement == reference,
    )


def groups_bench(people: int, seed: int) -> None:
    rng = random.Random(seed)
    columns = (
        rng.choices(["client", "expert-by-experience", "professional"], [5, 1, 4], k=people),
        [f"org{int(rng.paretovariate(1.2)) % 300}" for _ in range(people)],
        rng.choices([f"region{n}" for n in range(12)], k=people),
    )
    sizes = tuple(group_sizes(people, 5))
    problem = GroupingInput(
        [str(n) for n in range(people)],
        sizes,
        ("audience", "organisation", "region"),
        ("spread",) * 3,
        columns,
        seed=seed,
    )
    before = peak_mb()
    started = time.perf_counter()
    outcome = arrange(problem)
    seconds = time.perf_counter() - started
    rss = round(peak_mb() - before, 1)
    shuffled = list(range(people))
    random.Random(seed).shuffle(shuffled)
    split = [0] * people
    for position, member in enumerate(shuffled):
        split[member] = position % len(sizes)
    for engine, group_of, took in (
        ("participatie", list(outcome.group_of), seconds),
        ("random-even-split", split, None),
    ):
        emit(
            bench="groups",
            engine=engine,
            mode="spread",
            n=people,
            seconds=None if took is None else round(took, 3),
            size_spread=max(sizes) - min(sizes),
            worst_excess=[attribute_excess(group_of, c, len(sizes)) for c in columns],
            lone_minority_groups=lone_members(group_of, columns[0]),
            peak_rss_growth_mb=rss if took is not None else None,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    assign_optimal(instance(100, args.seed))  # import SciPy before timing
    for people in map(int, args.sizes.split(",")):
        problem = instance(people, args.seed)
        optimum = ortools_persons(problem)
        stable_result = assign_stable(problem)
        ours(problem, "stable", None)
        ours(problem, "optimal", optimum)
        if people <= 20_000:
            matching_peer(problem, list(stable_result.placement))
        groups_bench(people, args.seed)


if __name__ == "__main__":
    main()
