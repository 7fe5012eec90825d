"""Splitting a session's participants into groups that fit a (digital) meeting.

"Because a digital session can hold only so many people, several groups are
formed so that everyone gets the chance to give input." Strategies are plugins,
registered through the ``participatie_register_grouping_strategies`` hook. The
built-in ``balanced`` strategy forms as few groups as the group-size limit
allows, with sizes that differ by at most one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import attrs

from participatie.exceptions import InvalidInputError
from participatie.model import Registration
from participatie.plugins import hookimpl

__all__ = ["BalancedStrategy", "Group", "GroupingStrategy", "group_sizes"]


@attrs.frozen
class Group:
    """One breakout group of a session.

    Attributes:
        number: 1-based number within the session.
        members: The registrations placed in the group.
    """

    number: int
    members: tuple[Registration, ...]


@runtime_checkable
class GroupingStrategy(Protocol):
    """Splits registrations into groups of at most ``max_size`` people."""

    def form_groups(
        self, registrations: Sequence[Registration], max_size: int, *, seed: int
    ) -> list[Group]:
        """Return groups covering every registration exactly once.

        The same input and seed must give the same groups.
        """
        ...


def group_sizes(count: int, max_size: int) -> list[int]:
    """Sizes of the fewest groups of at most ``max_size`` holding ``count`` people.

    Sizes differ by at most one, larger groups first: 11 people with a limit
    of 5 make groups of 4, 4 and 3, not 5, 5 and 1.
    """
    if max_size < 1:
        raise InvalidInputError("the group size must be at least 1")
    if count <= 0:
        return []
    groups = math.ceil(count / max_size)
    base, extra = divmod(count, groups)
    return [base + 1 if index < extra else base for index in range(groups)]


@attrs.frozen
class BalancedStrategy:
    """Shuffle with the seed, then cut into groups of balanced size."""

    def form_groups(
        self, registrations: Sequence[Registration], max_size: int, *, seed: int
    ) -> list[Group]:
        """Balanced groups in a seeded random order (same seed, same groups)."""
        ordered = sorted(registrations, key=lambda registration: registration.id)
        random.Random(seed).shuffle(ordered)
        groups, start = [], 0
        for number, size in enumerate(group_sizes(len(ordered), max_size), start=1):
            groups.append(Group(number, tuple(ordered[start : start + size])))
            start += size
        return groups


@hookimpl(trylast=True)
def participatie_register_grouping_strategies(
    register: Callable[[str, GroupingStrategy], None],
) -> None:
    """Register the built-in ``balanced`` strategy."""
    register("balanced", BalancedStrategy())
