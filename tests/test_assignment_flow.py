"""The pure-Python min-cost flow behind ``optimal``, against cycle cancelling."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from participatie.assignment import WAITLISTED
from participatie.assignment.flow import min_cost_flows
from participatie.assignment.optimal import Options, improve_flows


@st.composite
def profile_problems(draw: st.DrawFn) -> tuple[list[Options], list[int], list[int]]:
    """Profiles with any prices (not only rising by rank), sizes and capacities.

    Every profile can wait, at a price above its dearest place, as in ``optimal``
    (told people wait at twice the price); capacities may be 0 or unlimited (-1).
    """
    sessions = draw(st.integers(1, 5))
    remaining = draw(st.lists(st.integers(-1, 8), min_size=sessions, max_size=sessions))
    count = draw(st.integers(0, 8))
    # Half the time every profile ranks as many sessions at rising prices,
    # as in the usual case (the solver has a quicker start for it).
    usual = draw(st.booleans())
    width = draw(st.integers(1, min(3, sessions)))
    options: list[Options] = []
    sizes: list[int] = []
    for _ in range(count):
        ranked = draw(
            st.lists(
                st.integers(0, sessions - 1),
                min_size=width if usual else 1,
                max_size=width if usual else 3,
                unique=True,
            )
        )
        prices = draw(st.lists(st.integers(0, 9), min_size=len(ranked), max_size=len(ranked)))
        if usual:
            prices = sorted(prices)
        wait = draw(st.sampled_from([100, 200]))
        options.append([*zip(ranked, prices, strict=True), (WAITLISTED, wait)])
        sizes.append(draw(st.integers(0, 12)))
    return options, sizes, remaining


def total(options: list[Options], flows: list[list[int]]) -> int:
    return sum(
        price * number
        for choices, flow in zip(options, flows, strict=True)
        for (_session, price), number in zip(choices, flow, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(profile_problems())
def test_flows_are_optimal_feasible_and_certified(
    problem: tuple[list[Options], list[int], list[int]],
) -> None:
    options, sizes, remaining = problem
    flows, certified = min_cost_flows(options, sizes, remaining)
    assert certified
    assert [sum(flow) for flow in flows] == sizes
    assert all(number >= 0 for flow in flows for number in flow)
    loads = [0] * len(remaining)
    for choices, flow in zip(options, flows, strict=True):
        for (session, _price), number in zip(choices, flow, strict=True):
            if session != WAITLISTED:
                loads[session] += number
    assert all(places < 0 or load <= places for load, places in zip(loads, remaining, strict=True))
    # Cycle cancelling from "everyone waits" reaches the optimum on its own;
    # on our flows it finds nothing to cancel.
    reference = [
        [0] * (len(choices) - 1) + [size] for choices, size in zip(options, sizes, strict=True)
    ]
    improve_flows(options, reference, remaining)
    assert total(options, flows) == total(options, reference)
    assert improve_flows(options, flows, remaining) == 0


def test_same_input_same_flows() -> None:
    options: list[Options] = [
        [(0, 0), (1, 1), (WAITLISTED, 9)],
        [(1, 0), (0, 1), (WAITLISTED, 9)],
        [(0, 0), (WAITLISTED, 9)],
    ]
    first = min_cost_flows(options, [5, 5, 5], [6, 6])
    assert first == min_cost_flows(options, [5, 5, 5], [6, 6])
    flows, _certified = first
    # Ten want the six places of session 0; one moves to session 1's free
    # place (cost 1), three wait (9 each).
    assert total(options, flows) == 1 + 3 * 9
    assert sum(flow[-1] for flow in flows) == 3
