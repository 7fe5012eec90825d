"""Ranked preferences, lottery numbers and priority classes: the input of session assignment.

People rank the sessions of an event they are eligible for; sessions have
capacities. The engine works on an :class:`AssignmentProblem`, a compact,
index-based form (sessions and people are numbered) so that a million people
fit in memory and in a second. :func:`build_problem` makes one from the
organiser's :class:`Preference` values and checks them at the edge;
:func:`draw_lottery` draws the lottery numbers, reproducibly from a seed.
"""

from __future__ import annotations

import random
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat

import attrs

from participatie.exceptions import InvalidInputError, NotEligibleError
from participatie.model import Event, Person

__all__ = [
    "WAITLISTED",
    "AssignmentProblem",
    "Preference",
    "TurnOrder",
    "build_problem",
    "compact",
    "draw_lottery",
    "lottery_order",
    "profile_ids",
    "profile_indices",
    "turn_order",
]

#: The session index of someone who is not placed (on the waiting list).
WAITLISTED = -1


def _ranking(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,)
    return tuple(values)


@attrs.frozen
class Preference:
    """One person's ranked sessions.

    Attributes:
        person: Who ranks.
        ranking: Session keys, most wanted first; at least one, no repeats.
        priority: The priority class: a lower class chooses before a higher
            one in ``stable`` mode (e.g. experts by experience ``0``, others
            ``1``); the lottery orders people within a class.
    """

    person: Person = attrs.field(validator=attrs.validators.instance_of(Person))
    ranking: tuple[str, ...] = attrs.field(converter=_ranking)
    priority: int = attrs.field(default=0, kw_only=True)

    @ranking.validator
    def _check_ranking(
        self, _attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
    ) -> None:
        if not value:
            raise InvalidInputError(f"{self.person.name} ranks no session")
        if len(set(value)) != len(value):
            raise InvalidInputError(f"{self.person.name} ranks a session twice: {list(value)}")

    @priority.validator
    def _check_priority(self, _attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidInputError(f"priority class must be a whole number >= 0, not {value!r}")


def draw_lottery(keys: Iterable[str], seed: int) -> dict[str, int]:
    """Lottery numbers ``1..n`` for ``keys`` (e.g. e-mail addresses), drawn with ``seed``.

    The keys are sorted first, so the draw depends on who takes part and on
    the seed, never on the order in which people registered or on the
    process's hash seed: the same people and seed give the same numbers on
    every machine and Python version that keeps :class:`random.Random`'s
    documented reproducibility for ``shuffle``.
    """
    ordered = sorted(set(keys))
    random.Random(seed).shuffle(ordered)
    return {key: number for number, key in enumerate(ordered, start=1)}


@attrs.frozen(eq=False)
class AssignmentProblem:
    """Sessions with capacities and people with rankings, numbered for speed.

    Attributes:
        sessions: Session keys; a session's index is its position here.
        capacities: Places per session still to hand out (``None``: no limit).
        rankings: Per person, session indices, most wanted first.
        lottery: Per person a lottery number; lower numbers choose first.
            Numbers are distinct.
        priority: Per person a priority class (lower first), or ``None`` when
            everyone is in one class.
        fixed: Person index -> session index for people who were already told
            their session and are not to be moved (freeze).
        current: Person index -> session index for people who were told their
            session but *may* be moved at a price (``optimal`` with a move
            penalty). Stable mode treats them as fixed.
    """

    sessions: tuple[str, ...]
    capacities: tuple[int | None, ...]
    rankings: Sequence[tuple[int, ...]]
    lottery: Sequence[int]
    priority: Sequence[int] | None = None
    fixed: Mapping[int, int] = attrs.field(factory=dict)
    current: Mapping[int, int] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        count = len(self.rankings)
        if len(self.capacities) != len(self.sessions):
            raise InvalidInputError("one capacity per session is needed")
        if len(self.lottery) != count:
            raise InvalidInputError(f"{count} people but {len(self.lottery)} lottery numbers")
        if self.priority is not None and len(self.priority) != count:
            raise InvalidInputError(f"{count} people but {len(self.priority)} priority classes")
        for capacity in self.capacities:
            if capacity is not None and capacity < 0:
                raise InvalidInputError("a capacity cannot be negative")
        for person, session in (*self.fixed.items(), *self.current.items()):
            if not 0 <= person < count or not 0 <= session < len(self.sessions):
                raise InvalidInputError(f"person {person} fixed to unknown session {session}")

    @property
    def size(self) -> int:
        """The number of people."""
        return len(self.rankings)

    def order_keys(self) -> Sequence[int]:
        """Per person the key that orders people: priority class, then lottery number."""
        if self.priority is None:
            return self.lottery
        shift = max(self.lottery, default=0) + 1
        return [
            klass * shift + number
            for klass, number in zip(self.priority, self.lottery, strict=True)
        ]


def lottery_order(problem: AssignmentProblem) -> array[int]:
    """Person indices, best (lowest priority class, then lottery number) first."""
    keys = problem.order_keys()
    count = len(keys)
    if count and problem.priority is None:
        # The usual case, lottery numbers 1..n: invert the permutation with a
        # C-level scatter instead of sorting. n writes that fill all n slots
        # prove the numbers are exactly 1..n.
        order = array("q", [-1]) * (count + 1)
        try:
            list(map(order.__setitem__, keys, range(count)))
        except (IndexError, OverflowError, TypeError):
            pass
        else:
            inverse = order[1:]
            if order[0] == -1 and inverse.count(-1) == 0:
                return inverse
    if len(set(keys)) != count:
        raise InvalidInputError("lottery numbers must be distinct")
    return array("q", sorted(range(count), key=keys.__getitem__))


def profile_indices(
    rankings: Sequence[tuple[int, ...]],
) -> tuple[list[tuple[int, ...]], array[int]]:
    """The distinct rankings (preference profiles) and each person's profile index.

    Profiles are numbered in order of first appearance, so the numbering
    depends only on the input, never on hashing.
    """
    profiles = list(dict.fromkeys(rankings))
    numbers = {ranking: number for number, ranking in enumerate(profiles)}
    return profiles, array("l", map(numbers.__getitem__, rankings))


def build_problem(
    event: Event,
    preferences: Sequence[Preference],
    lottery: Mapping[str, int],
    *,
    taken: Mapping[str, int] | None = None,
    fixed: Mapping[str, str] | None = None,
    current: Mapping[str, str] | None = None,
) -> AssignmentProblem:
    """Check the organiser's preferences against the event and number everything.

    ``lottery`` maps each person's e-mail address to their lottery number
    (see :func:`draw_lottery`); ``taken`` holds places already taken per
    session (e.g. by registrations made outside the assignment); ``fixed``
    and ``current`` map e-mail addresses of people already told their session
    to that session key (frozen, or movable at a price).

    Raises :class:`~participatie.exceptions.NotEligibleError` when someone
    ranks a session that is not for their audience, and
    :class:`~participatie.exceptions.InvalidInputError` for unknown sessions,
    a person listed twice, or a missing lottery number.
    """
    keys = tuple(session.key for session in event.sessions)
    index = {key: number for number, key in enumerate(keys)}
    taken = taken or {}
    capacities = tuple(
        None if session.capacity is None else max(0, session.capacity - taken.get(session.key, 0))
        for session in event.sessions
    )
    seen: set[str] = set()
    rankings: list[tuple[int, ...]] = []
    numbers: list[int] = []
    classes: list[int] = []
    by_email: dict[str, int] = {}
    for position, preference in enumerate(preferences):
        person = preference.person
        if person.email in seen:
            raise InvalidInputError(f"{person.email} has two preference lists")
        seen.add(person.email)
        by_email[person.email] = position
        ranked = []
        for key in preference.ranking:
            if key not in index:
                raise InvalidInputError(
                    f"{person.name} ranks {key!r}, which is not a session of {event.key!r}"
                )
            session = event.sessions[index[key]]
            if not session.is_for(person.audience):
                raise NotEligibleError(
                    f"{person.name} ({person.audience}) ranks {session.title!r}, "
                    f"which is for {', '.join(sorted(session.audiences))}"
                )
            ranked.append(index[key])
        rankings.append(tuple(ranked))
        if person.email not in lottery:
            raise InvalidInputError(f"{person.email} has no lottery number")
        numbers.append(lottery[person.email])
        classes.append(preference.priority)

    def told(mapping: Mapping[str, str] | None) -> dict[int, int]:
        result: dict[int, int] = {}
        for email, key in sorted((mapping or {}).items()):
            if email in by_email:
                if key not in index:
                    raise InvalidInputError(f"{email} was told session {key!r}, which is gone")
                result[by_email[email]] = index[key]
        return result

    return AssignmentProblem(
        sessions=keys,
        capacities=capacities,
        rankings=rankings,
        lottery=numbers,
        priority=classes if any(classes) else None,
        fixed=told(fixed),
        current=told(current),
    )


def profile_ids(
    rankings: Sequence[tuple[int, ...]],
) -> tuple[list[tuple[int, ...]], list[int]]:
    """Each person's preference profile, in one hashing pass over the rankings.

    Profiles are numbered ``0, 1, …`` in order of first appearance, so the
    numbering depends only on the input. Returns the profiles (the distinct
    rankings, by number) and each person's profile number.
    """
    first: dict[tuple[int, ...], int] = {}
    # setdefault(ranking, number of profiles so far): a new ranking gets the
    # next number, a known one keeps its own; len is taken just before each call.
    numbers = list(map(first.setdefault, rankings, map(len, repeat(first))))
    return list(first), numbers


def compact(largest: int) -> str:
    """The smallest signed array type code that holds ``-1 .. largest``."""
    for code in ("b", "h", "i"):
        if largest < 2 ** (8 * array(code).itemsize - 1):
            return code
    return "q"


@attrs.frozen(eq=False)
class TurnOrder:
    """People laid out in the order they choose, for C-level passes.

    Slot ``s`` is a person's turn: lower slots choose first. With lottery
    numbers (or priority classes times a shift plus lottery numbers) that are
    small whole numbers, a person's slot *is* their order key, so laying out
    is one scatter and no sort; other keys are ranked by sorting.

    Attributes:
        slot_of: Per person their slot.
        span: The number of slots (some may be empty).
        key_at: The order key of the person in a slot.
    """

    slot_of: Sequence[int]
    span: int
    key_at: Callable[[int], int]

    def lay_out(self, values: Sequence[int], empty: int) -> array[int]:
        """``values`` (one per person, ``0 .. empty - 1``) placed at each person's slot.

        Empty slots hold ``empty``. The array uses the smallest type that
        fits, which keeps the scattered writes in the processor's cache.
        Raises :class:`~participatie.exceptions.InvalidInputError` when two
        people share a slot (equal lottery numbers): fewer slots are then
        filled than there are people.
        """
        laid = array(compact(empty), [empty]) * self.span
        deque(map(laid.__setitem__, self.slot_of, values), maxlen=0)
        if self.span - laid.count(empty) != len(self.slot_of):
            raise InvalidInputError("lottery numbers must be distinct")
        return laid

    def gather(self, laid: Sequence[int]) -> array[int]:
        """Per person the value at their slot: the inverse of :meth:`lay_out`.

        A compact ``laid`` (e.g. ``array("b")`` of session numbers) makes the
        scattered reads cheap.
        """
        return array("q", map(laid.__getitem__, self.slot_of))


def turn_order(problem: AssignmentProblem) -> TurnOrder:
    """The :class:`TurnOrder` of ``problem``'s people (priority class, then lottery number)."""
    keys = problem.order_keys()
    count = len(keys)
    if not count:
        return TurnOrder((), 0, int)
    try:
        # One pass over the keys as Python objects (which sit all over memory
        # once shuffled); every later pass reads this compact copy instead.
        slots = array("q", keys)
    except (TypeError, OverflowError):
        slots = None
    if slots is not None:
        low, high = min(slots), max(slots)
        if low >= 0 and high <= 4 * count + 64:
            return TurnOrder(slots, high + 1, int)
    if len(set(keys)) != count:
        raise InvalidInputError("lottery numbers must be distinct")
    ranked = sorted(range(count), key=keys.__getitem__)
    slot_of = array("q", [0]) * count
    deque(map(slot_of.__setitem__, ranked, range(count)), maxlen=0)
    return TurnOrder(slot_of, count, lambda slot: keys[ranked[slot]])
