"""The built-in balanced grouping: fewest groups, sizes within one, seeded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import BalancedStrategy, InvalidInputError, group_sizes
from participatie.model import Person, Registration, RegistrationState

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def registrations(count: int) -> list[Registration]:
    return [
        Registration(
            id=n,
            event_key="e",
            session_key="s",
            person=Person(f"Deelnemer {n}", f"d{n}@example.org", "client"),
            state=RegistrationState.REGISTERED,
            registered_at=NOW,
            updated_at=NOW,
        )
        for n in range(1, count + 1)
    ]


def test_eleven_people_in_groups_of_five() -> None:
    assert group_sizes(11, 5) == [4, 4, 3]
    assert group_sizes(10, 5) == [5, 5]
    assert group_sizes(0, 5) == []
    with pytest.raises(InvalidInputError):
        group_sizes(3, 0)


@given(st.integers(0, 500), st.integers(1, 40))
def test_group_sizes_properties(count: int, max_size: int) -> None:
    sizes = group_sizes(count, max_size)
    assert sum(sizes) == count
    assert all(1 <= size <= max_size for size in sizes)
    if sizes:
        assert max(sizes) - min(sizes) <= 1
        assert len(sizes) == -(-count // max_size)  # no more groups than needed


@given(st.integers(0, 60), st.integers(1, 9), st.integers(0, 2**32))
def test_balanced_strategy_covers_everyone_once(count: int, max_size: int, seed: int) -> None:
    people = registrations(count)
    groups = BalancedStrategy().form_groups(people, max_size, seed=seed)
    placed = [member.id for group in groups for member in group.members]
    assert sorted(placed) == [p.id for p in people]
    assert [g.number for g in groups] == list(range(1, len(groups) + 1))
    # The same input in another order with the same seed gives the same groups.
    assert BalancedStrategy().form_groups(people[::-1], max_size, seed=seed) == groups
