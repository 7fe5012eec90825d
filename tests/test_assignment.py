"""Sessions by preference: stable and optimal, against independent references."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participatie.assignment import (
    WAITLISTED,
    AssignmentProblem,
    assign_optimal,
    assign_stable,
    blocking_pairs,
    draw_lottery,
)
from participatie.assignment.optimal import costs_for, improve_flows
from participatie.exceptions import (
    ConstraintConflictError,
    InvalidInputError,
)


@st.composite
def problems(draw: st.DrawFn, max_people: int = 40, max_sessions: int = 5) -> AssignmentProblem:
    sessions = draw(st.integers(1, max_sessions))
    people = draw(st.integers(0, max_people))
    capacities = tuple(draw(st.one_of(st.none(), st.integers(0, 8))) for _ in range(sessions))
    rankings = [
        tuple(
            draw(
                st.lists(
                    st.integers(0, sessions - 1),
                    min_size=1,
                    max_size=min(3, sessions),
                    unique=True,
                )
            )
        )
        for _ in range(people)
    ]
    lottery = draw(st.permutations(range(1, people + 1)))
    priority = draw(
        st.one_of(st.none(), st.lists(st.integers(0, 2), min_size=people, max_size=people))
    )
    return AssignmentProblem(
        tuple(f"s{n}" for n in range(sessions)), capacities, rankings, list(lottery), priority
    )


def plain_lottery_loop(problem: AssignmentProblem) -> list[int]:
    """The reference: one person at a time, in order, first session with a place."""
    left = list(problem.capacities)
    keys = problem.order_keys()
    placement = [WAITLISTED] * problem.size
    for person in sorted(range(problem.size), key=lambda p: keys[p]):
        for session in problem.rankings[person]:
            if left[session] is None or left[session] > 0:  # type: ignore[operator]
                if left[session] is not None:
                    left[session] -= 1  # type: ignore[operator]
                placement[person] = session
                break
    return placement


def check_feasible(problem: AssignmentProblem, placement: list[int]) -> None:
    loads = [0] * len(problem.sessions)
    for person, session in enumerate(placement):
        if session != WAITLISTED:
            # Placed in a session they ranked (or were told), never both placed and waiting.
            assert (
                session in problem.rankings[person]
                or person in problem.fixed
                or problem.current.get(person) == session
            )
            loads[session] += 1
    for load, capacity in zip(loads, problem.capacities, strict=True):
        assert capacity is None or load <= capacity


@settings(max_examples=300, deadline=None)
@given(problems())
def test_stable_equals_the_plain_lottery_loop(problem: AssignmentProblem) -> None:
    result = assign_stable(problem)
    assert list(result.placement) == plain_lottery_loop(problem)
    check_feasible(problem, list(result.placement))
    assert blocking_pairs(result) == 0
    summary = result.summary()
    assert summary.placed + summary.waitlisted == problem.size


def test_stable_takes_the_chunked_path_at_scale() -> None:
    # More people than one chunk, so fills happen inside and between chunks.
    import random

    rng = random.Random(7)
    people = 20_000
    rankings = [tuple(rng.sample(range(6), 3)) for _ in range(people)]
    lottery = list(range(1, people + 1))
    rng.shuffle(lottery)
    problem = AssignmentProblem(
        tuple(f"s{n}" for n in range(6)), (3000, 2500, None, 100, 4000, 0), rankings, lottery
    )
    result = assign_stable(problem)
    assert list(result.placement) == plain_lottery_loop(problem)
    assert blocking_pairs(result) == 0


def brute_force_cost(problem: AssignmentProblem) -> int:
    """Try every way of placing everyone (or not): the independent exact solver."""
    costs = costs_for(problem, None, 0)
    best = None
    options = [(*ranking, WAITLISTED) for ranking in problem.rankings]
    for choice in itertools.product(*options):
        loads = [0] * len(problem.sessions)
        total = 0
        for ranking, session in zip(problem.rankings, choice, strict=True):
            if session == WAITLISTED:
                total += costs.waitlist_cost
            else:
                loads[session] += 1
                total += costs.rank_cost(ranking.index(session))
        if all(c is None or load <= c for load, c in zip(loads, problem.capacities, strict=True)):
            best = total if best is None else min(best, total)
    assert best is not None
    return best


@settings(max_examples=150, deadline=None)
@given(problems(max_people=6, max_sessions=3))
def test_optimal_cost_equals_brute_force(problem: AssignmentProblem) -> None:
    result = assign_optimal(problem)
    check_feasible(problem, list(result.placement))
    costs = costs_for(problem, None, 0)
    total = sum(
        costs.waitlist_cost if s == WAITLISTED else costs.rank_cost(r.index(s))
        for r, s in zip(problem.rankings, result.placement, strict=True)
    )
    assert total == brute_force_cost(problem)
    # Never more people waiting than stable leaves waiting.
    assert result.summary().waitlisted <= assign_stable(problem).summary().waitlisted


@settings(max_examples=100, deadline=None)
@given(problems(), st.data())
def test_freeze_moves_nobody(problem: AssignmentProblem, data: st.DataObject) -> None:
    first = assign_stable(problem)
    placed = [p for p in range(problem.size) if first.placement[p] != WAITLISTED]
    told = data.draw(st.lists(st.sampled_from(placed), unique=True)) if placed else []
    fixed = {p: first.placement[p] for p in told}
    later = AssignmentProblem(
        problem.sessions,
        problem.capacities,
        problem.rankings,
        problem.lottery,
        problem.priority,
        fixed=fixed,
    )
    for solve in (assign_stable, assign_optimal):
        result = solve(later)
        assert all(result.placement[p] == s for p, s in fixed.items())
        check_feasible(later, list(result.placement))


def test_move_penalty_trades_moves_against_ranks() -> None:
    # Two people, one place each in a and b. Anna was told b; Bas only wants b.
    problem = AssignmentProblem(("a", "b"), (1, 1), [(1, 0), (1,)], [1, 2], current={0: 1})
    stay = assign_optimal(problem, move_penalty=10)
    # Keeping Anna in b would put Bas on the waiting list: the fewest waiting wins.
    assert list(stay.placement) == [0, 1]
    assert stay.moved == (0,)


def test_too_many_told_for_a_lowered_capacity_is_a_named_conflict() -> None:
    problem = AssignmentProblem(("a",), (1,), [(0,), (0,)], [1, 2], fixed={0: 0, 1: 0})
    with pytest.raises(ConstraintConflictError, match="already told") as caught:
        assign_stable(problem)
    assert caught.value.constraints == ("freeze:a", "capacity:a")


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        AssignmentProblem(("a",), (1, 2), [(0,)], [1])
    with pytest.raises(InvalidInputError):
        AssignmentProblem(("a",), (1,), [(0,)], [1, 2])
    with pytest.raises(InvalidInputError, match="distinct"):
        assign_stable(AssignmentProblem(("a",), (1,), [(0,), (0,)], [5, 5]))


def test_lottery_is_reproducible_and_independent_of_order() -> None:
    emails = [f"p{n}@example.org" for n in range(50)]
    drawn = draw_lottery(emails, seed=3)
    assert drawn == draw_lottery(reversed(emails), seed=3)
    assert sorted(drawn.values()) == list(range(1, 51))
    assert drawn != draw_lottery(emails, seed=4)


SCRIPT = textwrap.dedent(
    """
    import hashlib, random
    from participatie.assignment import AssignmentProblem, assign_optimal, assign_stable
    from participatie.assignment import draw_lottery
    rng = random.Random(11)
    emails = [f"p{n}@example.org" for n in range(3000)]
    lottery = draw_lottery(set(emails), seed=5)
    rankings = [tuple(rng.sample(range(8), 3)) for _ in emails]
    problem = AssignmentProblem(tuple(f"s{n}" for n in range(8)), (300,) * 8, rankings,
                                [lottery[e] for e in emails])
    out = bytes(assign_stable(problem).placement) + bytes(assign_optimal(problem).placement)
    print(hashlib.sha256(out).hexdigest())
    """
)


def test_same_seed_same_bytes_across_processes() -> None:
    digests = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(digests) == 1


def test_optimal_needs_no_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The exact solver is pure Python: both modes run on the core install.
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    monkeypatch.setitem(sys.modules, "numpy", None)
    problem = AssignmentProblem(("a", "b"), (1, 1), [(0, 1), (0,)], [1, 2])
    assert assign_optimal(problem).placement.tolist() == [1, 0]
    assert assign_stable(problem).placement.tolist() == [0, WAITLISTED]


def lexicographic_optimum(
    problem: AssignmentProblem, rank_costs: list[int], move_penalty: int
) -> tuple[int, int, int]:
    """Brute force: the fewest told people waiting, then the fewest waiting, then the
    lowest rank-and-move cost."""
    best = None
    options = []
    for person, ranking in enumerate(problem.rankings):
        told = problem.current.get(person)
        extra = () if told is None or told in ranking else (told,)
        options.append((*ranking, *extra, WAITLISTED))
    for choice in itertools.product(*options):
        loads = [0] * len(problem.sessions)
        told_waiting = waiting = cost = 0
        for person, session in enumerate(choice):
            told = problem.current.get(person)
            if told is not None and session != told:
                cost += move_penalty
            if session == WAITLISTED:
                waiting += 1
                told_waiting += told is not None
                continue
            loads[session] += 1
            ranking = problem.rankings[person]
            rank = ranking.index(session) if session in ranking else len(ranking)
            cost += rank_costs[min(rank, len(rank_costs) - 1)]
        if all(c is None or load <= c for load, c in zip(loads, problem.capacities, strict=True)):
            found = (told_waiting, waiting, cost)
            best = found if best is None else min(best, found)
    assert best is not None
    return best


@settings(max_examples=150, deadline=None)
@given(
    problems(max_people=6, max_sessions=3),
    st.lists(st.integers(0, 6), min_size=1, max_size=3),
    st.integers(0, 5),
    st.data(),
)
def test_optimal_is_lexicographic_with_moves(
    problem: AssignmentProblem, rank_costs: list[int], move_penalty: int, data: st.DataObject
) -> None:
    # The small waiting-list cost still puts "fewest waiting" first, also with
    # people told a session who may move at a price (and who wait only when
    # nothing else fits them all).
    told = data.draw(
        st.dictionaries(
            st.integers(0, max(problem.size - 1, 0)),
            st.integers(0, len(problem.sessions) - 1),
            max_size=problem.size,
        )
        if problem.size
        else st.just({})
    )
    problem = AssignmentProblem(
        problem.sessions,
        problem.capacities,
        problem.rankings,
        problem.lottery,
        problem.priority,
        current=told,
    )
    result = assign_optimal(problem, rank_costs=rank_costs, move_penalty=move_penalty)
    told_waiting = waiting = cost = 0
    for person, session in enumerate(result.placement):
        told_session = problem.current.get(person)
        if told_session is not None and session != told_session:
            cost += move_penalty
        if session == WAITLISTED:
            waiting += 1
            told_waiting += told_session is not None
            continue
        ranking = problem.rankings[person]
        rank = ranking.index(session) if session in ranking else len(ranking)
        cost += rank_costs[min(rank, len(rank_costs) - 1)]
    check_feasible(problem, list(result.placement))
    assert (told_waiting, waiting, cost) == lexicographic_optimum(problem, rank_costs, move_penalty)
    assert result.moved == tuple(
        sorted(p for p, s in problem.current.items() if result.placement[p] != s)
    )


@pytest.mark.parametrize(
    "lottery",
    [
        [10**12 + 7, 10**12 + 3, 10**12 + 5, 10**12 + 1],  # far from 1..n: ranked by a sort
        [2.5, 0.5, 1.5, 3.5],  # not whole numbers: ranked by a sort
        [4, 1, 3, 2],  # 1..n: the number is the slot
    ],
)
def test_turn_order_takes_any_distinct_numbers(lottery: list[float]) -> None:
    problem = AssignmentProblem(
        ("a", "b"),
        (1, 1),
        [(0, 1), (0, 1), (0,), (1, 0)],
        lottery,  # type: ignore[arg-type]
    )
    result = assign_stable(problem)
    assert list(result.placement) == plain_lottery_loop(problem)
    duplicated = [lottery[0], *lottery[:-1]]
    with pytest.raises(InvalidInputError, match="distinct"):
        assign_stable(AssignmentProblem(("a",), (1,), [(0,)] * 4, duplicated))  # type: ignore[arg-type]


def test_priority_classes_choose_first() -> None:
    # Three people want the one place; the expert by experience (class 0)
    # gets it despite the worst lottery number.
    problem = AssignmentProblem(("a",), (1,), [(0,), (0,), (0,)], [1, 2, 3], [1, 1, 0])
    assert list(assign_stable(problem).placement) == [WAITLISTED, WAITLISTED, 0]
    assert assign_stable(problem).cutoffs == (problem.order_keys()[2],)


def flows_of(problem: AssignmentProblem, placement: list[int]) -> tuple[list, list, list[int]]:
    """The profile flows of a placement, in the form improve_flows takes."""
    costs = costs_for(problem, None, 0)
    counts = Counter(zip(problem.rankings, placement, strict=True))
    options, flows = [], []
    for ranking in sorted(set(problem.rankings)):
        choices = [(s, costs.rank_cost(k)) for k, s in enumerate(ranking)]
        choices.append((WAITLISTED, costs.waitlist_cost))
        options.append(choices)
        flows.append([counts.get((ranking, s), 0) for s, _ in choices])
    remaining = [-1 if c is None else c for c in problem.capacities]
    return options, flows, remaining


@settings(max_examples=150, deadline=None)
@given(problems(max_people=25, max_sessions=4))
def test_cancelling_cycles_from_stable_reaches_the_optimum(problem: AssignmentProblem) -> None:
    # improve_flows proves (and if needed makes) the solver's answer optimal:
    # started from the stable placement it must reach the optimal cost alone.
    options, flows, remaining = flows_of(problem, list(assign_stable(problem).placement))
    improve_flows(options, flows, remaining)
    total = sum(
        price * number
        for choices, flow in zip(options, flows, strict=True)
        for (_s, price), number in zip(choices, flow, strict=True)
    )
    optimal = assign_optimal(problem)
    options2, flows2, _ = flows_of(problem, list(optimal.placement))
    assert total == sum(
        price * number
        for choices, flow in zip(options2, flows2, strict=True)
        for (_s, price), number in zip(choices, flow, strict=True)
    )
    assert improve_flows(options2, flows2, remaining) == 0, "the optimum has no negative cycle"
    loads = Counter()
    for choices, flow in zip(options, flows, strict=True):
        for (session, _price), number in zip(choices, flow, strict=True):
            if session != WAITLISTED:
                loads[session] += number
    assert all(c < 0 or loads[s] <= c for s, c in enumerate(remaining))


@settings(max_examples=100, deadline=None)
@given(problems(max_people=40, max_sessions=4))
def test_optimal_hands_out_places_by_lottery_inside_a_profile(problem: AssignmentProblem) -> None:
    result = assign_optimal(problem)
    keys = problem.order_keys()

    def rank(person: int) -> int:
        session = result.placement[person]
        ranking = problem.rankings[person]
        return len(ranking) if session == WAITLISTED else ranking.index(session)

    for a in range(problem.size):
        for b in range(problem.size):
            if problem.rankings[a] == problem.rankings[b] and keys[a] < keys[b]:
                assert rank(a) <= rank(b)


def test_engines_pause_the_collector_and_resume_it_as_it_was() -> None:
    import gc

    from participatie.assignment._gc import collector_paused

    seen: list[bool] = []

    @collector_paused
    def engine(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise InvalidInputError("bad input")

    assert gc.isenabled()
    engine(False)
    with pytest.raises(InvalidInputError):
        engine(True)
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        engine(False)  # a caller that paused it keeps it paused
        assert not gc.isenabled()
    finally:
        gc.enable()
