"""Groups within a session: sizes, attribute rules, pairs, pins, freeze.

The people of a session are split into groups under the group-size limit
(sizes differ by at most one unless the organiser fixes them). Per attribute
(audience, organisation, region, any custom field) the organiser chooses:

``spread``
    As even as arithmetic allows: every group holds ``floor(c/g)`` or
    ``ceil(c/g)`` of the ``c`` people with a value, over ``g`` groups.
``cluster``
    Never a lone member: a group that has someone with a value has at least
    two of them (where numbers allow: a value held by one person is alone).
``together``
    People with the same value share a group, in as few groups as the group
    size allows.

Hard constraints always hold, or nothing is returned and a
:class:`~participatie.exceptions.ConstraintConflictError` names the
constraints in conflict: group sizes, keep-together pairs (a participant and
their support person), keep-apart pairs, pinned placements, and people who
were already told their group (frozen) unless a move penalty allows moving
them. The attribute rules are goals, met as well as the constraints allow.

How: people joined by keep-together pairs form units; pinned and frozen units
are placed first; the rest are sorted by their attribute values (a seeded
order breaks ties) and dealt out in the pattern of the *first* attribute's
rule — round-robin for ``spread`` (which balances it exactly), in pairs for
``cluster``, filling group after group for ``together``. A seeded local-swap
repair then improves the other attributes: it swaps two people of the same
unit size between groups when that lowers the weighted penalty (earlier
attributes weigh more, moving a frozen person costs the move penalty) and
never breaks a hard constraint or worsens the first attribute.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from itertools import compress, repeat
from operator import add, mul

import attrs

from participatie.assignment._gc import collector_paused
from participatie.assignment.dealing import deal
from participatie.exceptions import ConstraintConflictError, InvalidInputError

__all__ = [
    "CLUSTER",
    "RULES",
    "SPREAD",
    "TOGETHER",
    "GroupingInput",
    "GroupingOutcome",
    "arrange",
    "attribute_excess",
    "lone_members",
    "together_splits",
]

SPREAD = "spread"
CLUSTER = "cluster"
TOGETHER = "together"
#: The attribute rules an organiser can choose.
RULES = (SPREAD, CLUSTER, TOGETHER)

#: Why a member is in their group (see :attr:`GroupingOutcome.reasons`).
PINNED, FROZEN, PAIRED, DEALT, REPAIRED, MOVED = (
    "pinned",
    "frozen",
    "kept-together",
    "dealt",
    "repaired",
    "moved",
)
#: Why someone who was told their group is now in another one (with a move penalty).
MADE_ROOM, GROUP_FULL, TO_PAIR = ("made-room", "group-full", "moved-to-pair")


@attrs.frozen(eq=False)
class GroupingInput:
    """One session's grouping problem, with members numbered ``0..count-1``.

    Attributes:
        labels: How to name each member in an error message (e-mail address).
        sizes: The size of each group (their sum is the number of members).
        names: Attribute names, most important first.
        rules: The rule per attribute (``spread``, ``cluster``, ``together``).
        columns: Per attribute, each member's value (``None``: no value).
        together: Pairs of members that must share a group.
        apart: Pairs of members that must not share a group.
        pinned: Member -> group index (0-based) the organiser fixed.
        frozen: Member -> group index for people already told their group.
        move_penalty: ``None``: frozen people never move. A number: they may
            move when that saves more than this much penalty per person.
        seed: Seeds every random choice.
    """

    labels: Sequence[str]
    sizes: tuple[int, ...]
    names: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    columns: tuple[Sequence[Hashable], ...] = ()
    together: tuple[tuple[int, int], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()
    pinned: Mapping[int, int] = attrs.field(factory=dict)
    frozen: Mapping[int, int] = attrs.field(factory=dict)
    move_penalty: int | None = None
    seed: int = 0

    def __attrs_post_init__(self) -> None:
        if not len(self.names) == len(self.rules) == len(self.columns):
            raise InvalidInputError("one rule and one column per attribute")
        for rule in self.rules:
            if rule not in RULES:
                raise InvalidInputError(f"unknown attribute rule {rule!r}; use one of {RULES}")
        if sum(self.sizes) != len(self.labels) or any(size < 1 for size in self.sizes):
            raise InvalidInputError(
                f"group sizes {list(self.sizes)} do not hold exactly {len(self.labels)} people"
            )
        for column in self.columns:
            if len(column) != len(self.labels):
                raise InvalidInputError("an attribute column has the wrong length")
        if self.move_penalty is not None and self.move_penalty < 0:
            raise InvalidInputError("the move penalty cannot be negative")


@attrs.frozen(eq=False)
class GroupingOutcome:
    """Where everyone goes, and why.

    Attributes:
        group_of: Per member the group index (0-based).
        reasons: Per member why they are there: ``pinned``, ``frozen``,
            ``kept-together``, ``dealt`` (by the first attribute's rule),
            ``repaired`` (moved by the repair to improve another attribute),
            or, for people who were told another group and were moved at the
            move penalty: ``made-room`` (to make room for people who must be
            kept together), ``moved-to-pair`` (to join someone they must be
            kept together with, who was told another group), ``group-full``
            (their group no longer has room for them, e.g. there are fewer
            groups now) or ``moved`` (the balance of the attributes gained
            more than the penalty).
        moved: Frozen members who were moved.
        swaps: How many swaps the repair made.
    """

    group_of: array[int]
    reasons: tuple[str, ...]
    moved: tuple[int, ...]
    swaps: int


def _codes(column: Sequence[Hashable]) -> tuple[list[int], int]:
    """Small integer codes in sorted order of the values (``None`` last)."""
    distinct = sorted(set(column), key=lambda value: (value is None, str(value)))
    code = {value: number for number, value in enumerate(distinct)}
    return list(map(code.__getitem__, column)), len(distinct)


class _Units:
    """Members joined by keep-together pairs (union-find)."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def find(self, member: int) -> int:
        root = member
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[member] != root:
            self.parent[member], member = root, self.parent[member]
        return root

    def join(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


@collector_paused
def arrange(problem: GroupingInput) -> GroupingOutcome:
    """Split the members into groups; see the module docstring."""
    count = len(problem.labels)
    groups = len(problem.sizes)
    simple = not (problem.together or problem.apart or problem.pinned or problem.frozen)
    simple = simple and list(problem.sizes) == _balanced(count, groups)
    if simple and (not problem.rules or problem.rules[0] == SPREAD):
        rules = problem.rules
        # Three or more attributes spread: the third is balanced by the
        # pattern of the deal, the second by its runs (see dealing.py).
        patterned = len(rules) >= 3 and rules[1] == rules[2] == SPREAD
        dealt = deal(
            count, groups, problem.columns, seed=problem.seed, pattern=2 if patterned else None
        )
        if all(rule == SPREAD for rule in rules):
            # The deal is balanced by construction; the repair only fixes
            # what is two or more off, and only where counting is cheap.
            if count > _THOROUGH:
                return GroupingOutcome(dealt, (DEALT,) * count, (), 0)
            swaps, group_of = _repair(problem, dealt, set(), first_fixed=True, severity=2)
        else:
            swaps, group_of = _repair(problem, dealt, set(), first_fixed=True)
        reasons: tuple[str, ...] = (DEALT,) * count
        if swaps:
            reasons = tuple(
                REPAIRED if new != old else DEALT for new, old in zip(group_of, dealt, strict=True)
            )
        return GroupingOutcome(group_of, reasons, (), swaps)
    return _arrange_units(problem, count, groups)


def _balanced(count: int, groups: int) -> list[int]:
    base, extra = divmod(count, groups) if groups else (0, 0)
    return [base + 1 if index < extra else base for index in range(groups)]


# --- penalties ---------------------------------------------------------------


class _Attribute:
    """Counts of one attribute per group, and the penalty of a count."""

    def __init__(
        self, rule: str, codes: list[int], values: int, groups: int, max_size: int, weight: int
    ) -> None:
        self.rule = rule
        self.codes = codes
        self.values = values
        self.weight = weight
        totals = Counter(codes)
        self.totals = [totals.get(code, 0) for code in range(values)]
        self.low = [total // groups for total in self.totals]
        self.high = [-(-total // groups) for total in self.totals]
        self.max_size = max_size
        self.counts: Counter[int] = Counter()
        # The penalty of every (value, count) as one flat table: row ``code``
        # holds counts 0 .. max_size + 1 (a group holds at most max_size; a
        # trial swap looks one further). The repair reads it millions of times.
        self.width = max_size + 2
        self.table = [
            self.penalty(code, number) for code in range(values) for number in range(self.width)
        ]

    def fill(self, group_of: Sequence[int]) -> None:
        self.counts = Counter(map(add, map(mul, group_of, repeat(self.values)), self.codes))

    def troubled_members(self, group_of: Sequence[int], severity: int) -> set[int]:
        """Members in a (group, value) cell whose penalty is at least ``severity``."""
        values, penalty = self.values, self.penalty
        if self.rule == SPREAD:
            # Cheap test first: a present value is troubled only when over;
            # groups short of it are fixed by swapping with those over.
            limit = [high + severity for high in self.high]
            bad = {cell for cell, number in self.counts.items() if number >= limit[cell % values]}
        else:
            bad = {
                cell
                for cell, number in self.counts.items()
                if number and penalty(cell % values, number) >= severity
            }
        cells = map(add, map(mul, group_of, repeat(values)), self.codes)
        return set(compress(range(len(group_of)), map(bad.__contains__, cells)))

    def short_groups(self, groups: int, severity: int) -> set[int]:
        """Groups holding at least ``severity`` fewer of some value than its share (spread).

        Nobody in such a group has the missing value, so its other members
        are the ones to swap out.
        """
        if self.rule != SPREAD:
            return set()
        counts, values = self.counts, self.values
        short: set[int] = set()
        for code, low in enumerate(self.low):
            if low >= severity:
                short.update(
                    group
                    for group in range(groups)
                    if low - counts.get(group * values + code, 0) >= severity
                )
        return short

    def penalty(self, code: int, number: int) -> int:
        if self.rule == SPREAD:
            return max(0, number - self.high[code]) + max(0, self.low[code] - number)
        if self.rule == CLUSTER:
            return 1 if number == 1 and self.totals[code] >= 2 else 0
        return 1 if number > 0 else 0  # together: every group a value spans counts

    def swap_delta(self, code_x: int, group_x: int, code_y: int, group_y: int) -> int:
        """Change of penalty when x (in group_x) and y (in group_y) trade places."""
        if code_x == code_y:
            return 0
        count, values, table, width = self.counts.get, self.values, self.table, self.width
        row_x, row_y = code_x * width, code_y * width
        # Group x: one fewer of x's value, one more of y's; group y the reverse.
        at = row_x + count(group_x * values + code_x, 0)
        delta = table[at - 1] - table[at]
        at = row_y + count(group_x * values + code_y, 0)
        delta += table[at + 1] - table[at]
        at = row_y + count(group_y * values + code_y, 0)
        delta += table[at - 1] - table[at]
        at = row_x + count(group_y * values + code_x, 0)
        delta += table[at + 1] - table[at]
        return delta * self.weight

    def move(self, code: int, source: int, target: int) -> None:
        self.counts[source * self.values + code] -= 1
        self.counts[target * self.values + code] += 1


def _attributes(problem: GroupingInput) -> list[_Attribute]:
    groups = len(problem.sizes)
    top = len(problem.rules)
    result = []
    for position, (rule, column) in enumerate(zip(problem.rules, problem.columns, strict=True)):
        codes, values = _codes(column)
        result.append(
            _Attribute(rule, codes, values, groups, max(problem.sizes), weight=top - position)
        )
    return result


#: Candidate partners tried per troubled member in one pass of the repair.
_TRIES = 24
#: Passes of the repair over the troubled members.
_PASSES = 6
#: Up to this many members the repair works on every troubled cell; above it
#: only on cells two or more away from their goal, to stay fast.
_THOROUGH = 200_000


def _repair(  # noqa: PLR0915 - one loop, kept together to read as the algorithm
    problem: GroupingInput,
    group_of: array[int],
    locked: set[int],
    *,
    first_fixed: bool,
    soft_frozen: Mapping[int, int] | None = None,
    apart: Mapping[int, set[int]] | None = None,
    severity: int | None = None,
    focus: set[int] | None = None,
) -> tuple[int, array[int]]:
    """Seeded local swaps that lower the weighted penalty; see the module docstring.

    Members in ``locked`` never move. Two members swap only when they share
    the first attribute's value (so its balance is kept) and the swap keeps
    every keep-apart pair apart. With ``focus``, only members of those
    groups start a swap (after late changes: the groups that changed).
    Returns the number of swaps and the groups.
    """
    if len(problem.rules) < (2 if first_fixed else 1) and not soft_frozen:
        return 0, group_of
    attributes = _attributes(problem)
    if not attributes:
        return 0, group_of
    group_of = array("l", group_of)
    for attribute in attributes:
        attribute.fill(group_of)
    others = attributes[1:] if first_fixed else attributes
    first = attributes[0].codes if first_fixed else [0] * len(group_of)
    soft_frozen = soft_frozen or {}
    penalty = problem.move_penalty or 0
    apart = apart or {}
    rng = random.Random(problem.seed)
    # One swap changes four (group, value) cells per attribute by at most one
    # each: when moving a person costs more than that, people already told
    # their group who are still in it never move, so they are left out of
    # the search altogether (this is what keeps late changes fast).
    most_gain = 4 * sum(attribute.weight for attribute in others)
    if soft_frozen and penalty >= most_gain:
        locked = locked | {m for m, g in soft_frozen.items() if group_of[m] == g}
    # Partners are drawn from members with the same first value.
    buckets: dict[int, list[int]] = {}
    for code in sorted(set(first)):
        members = compress(range(len(first)), map(code.__eq__, first))
        buckets[code] = (
            [member for member in members if member not in locked] if locked else list(members)
        )
    # People free to move (not told their group) are the likely partners
    # after late changes: every other try draws from them.
    cheap: dict[int, list[int]] = {}
    if soft_frozen:
        cheap = {
            code: [m for m in bucket if m not in soft_frozen] for code, bucket in buckets.items()
        }
    members_of: list[set[int]] = [set() for _ in problem.sizes]
    if apart:
        for member, group in enumerate(group_of):
            members_of[group].add(member)

    short: set[int] = set()

    def troubled(member: int, severity: int) -> bool:
        group = group_of[member]
        if group in short or (member in soft_frozen and soft_frozen[member] != group):
            return True
        return any(
            attribute.penalty(
                attribute.codes[member],
                attribute.counts[group * attribute.values + attribute.codes[member]],
            )
            >= severity
            for attribute in others
        )

    def move_cost(member: int, group: int) -> int:
        frozen = soft_frozen.get(member)
        return penalty if frozen is not None and frozen != group else 0

    def clash(member: int, group: int, leaving: int) -> bool:
        partners = apart.get(member)
        if not partners:
            return False
        return any(partner != leaving and partner in members_of[group] for partner in partners)

    # Large sessions: only the worst cells (two or more too many or too few).
    if severity is None:
        severity = 1 if len(group_of) <= _THOROUGH else 2
    swaps = 0
    for _ in range(_PASSES):
        found: set[int] = set()
        short = set()
        for attribute in others:
            found |= attribute.troubled_members(group_of, severity)
            short |= attribute.short_groups(len(problem.sizes), severity)
        if focus is not None:
            short &= focus
            found = set(compress(found, map(focus.__contains__, map(group_of.__getitem__, found))))
        if short:
            found.update(compress(range(len(group_of)), map(short.__contains__, group_of)))
        found |= {m for m, g in soft_frozen.items() if group_of[m] != g}
        candidates = sorted(found - locked)
        if not candidates:
            break
        rng.shuffle(candidates)
        improved = False
        made = swaps
        for x in candidates:
            if not troubled(x, severity):
                continue
            bucket = buckets[first[x]]
            near = cheap.get(first[x]) or bucket
            group_x = group_of[x]
            for attempt in range(min(_TRIES, len(bucket))):
                pool = near if attempt % 2 else bucket
                y = pool[rng.randrange(len(pool))]
                group_y = group_of[y]
                if group_y == group_x:
                    continue
                delta = move_cost(x, group_y) - move_cost(x, group_x)
                delta += move_cost(y, group_x) - move_cost(y, group_y)
                if delta >= most_gain:
                    continue  # no attribute can win back the price of the moves
                for attribute in others:
                    delta += attribute.swap_delta(
                        attribute.codes[x], group_x, attribute.codes[y], group_y
                    )
                if delta >= 0 or clash(x, group_y, y) or clash(y, group_x, x):
                    continue
                for attribute in attributes:
                    attribute.move(attribute.codes[x], group_x, group_y)
                    attribute.move(attribute.codes[y], group_y, group_x)
                group_of[x], group_of[y] = group_y, group_x
                if apart:
                    members_of[group_x].discard(x)
                    members_of[group_y].discard(y)
                    members_of[group_y].add(x)
                    members_of[group_x].add(y)
                swaps += 1
                improved = True
                break
        made = swaps - made
        # Stop when a pass fixes little: what is left is mostly what the
        # constraints and the arithmetic of the group sizes do not allow.
        if not improved or made * 20 < len(candidates):
            break
    return swaps, group_of


# --- the general path: units, pins, pairs, freeze ----------------------------


def _conflict(message: str, *constraints: str) -> ConstraintConflictError:
    return ConstraintConflictError(message, constraints)


def _arrange_units(  # noqa: PLR0915 - the steps in order, as the docstring tells them
    problem: GroupingInput, count: int, groups: int
) -> GroupingOutcome:
    sizes = problem.sizes
    labels = problem.labels
    units_of = _Units(count)
    for first, second in problem.together:
        units_of.join(first, second)
    grouped: dict[int, list[int]] = {}
    for member in range(count):
        grouped.setdefault(units_of.find(member), []).append(member)
    units = [grouped[root] for root in sorted(grouped)]
    unit_of = [0] * count
    for number, members in enumerate(units):
        for member in members:
            unit_of[member] = number
    apart: dict[int, set[int]] = {}
    for first, second in problem.apart:
        if unit_of[first] == unit_of[second]:
            raise _conflict(
                f"{labels[first]} and {labels[second]} must be kept apart, but keep-together "
                f"pairs join them: {', '.join(labels[m] for m in units[unit_of[first]])}",
                f"keep-apart:{labels[first]}+{labels[second]}",
                *(
                    f"keep-together:{labels[a]}+{labels[b]}"
                    for a, b in problem.together
                    if unit_of[a] == unit_of[first]
                ),
            )
        apart.setdefault(first, set()).add(second)
        apart.setdefault(second, set()).add(first)
    largest = max(sizes)
    for members in units:
        if len(members) > largest:
            raise _conflict(
                f"keep-together pairs join {len(members)} people "
                f"({', '.join(labels[m] for m in members)}), more than the largest group "
                f"({largest})",
                *(
                    f"keep-together:{labels[a]}+{labels[b]}"
                    for a, b in problem.together
                    if unit_of[a] == unit_of[members[0]]
                ),
                f"group-size:{largest}",
            )
    hard_frozen = problem.frozen if problem.move_penalty is None else {}
    soft_frozen = {} if problem.move_penalty is None else dict(problem.frozen)
    target: dict[int, tuple[int, str, str]] = {}
    for source, reason in ((problem.pinned, PINNED), (hard_frozen, FROZEN)):
        for member, group in sorted(source.items()):
            if not 0 <= group < groups:
                raise _conflict(
                    f"{labels[member]} is {reason} to group {group + 1}, but there are only "
                    f"{groups} groups",
                    f"{'pin' if reason == PINNED else 'freeze'}:{labels[member]}->{group + 1}",
                    f"groups:{groups}",
                )
            name = f"{'pin' if reason == PINNED else 'freeze'}:{labels[member]}->{group + 1}"
            unit = unit_of[member]
            if unit in target and target[unit][0] != group:
                raise _conflict(
                    f"{labels[member]} must be in group {group + 1} but is tied to group "
                    f"{target[unit][0] + 1} by {target[unit][2]}",
                    target[unit][2],
                    name,
                    *(
                        f"keep-together:{labels[a]}+{labels[b]}"
                        for a, b in problem.together
                        if unit_of[a] == unit
                    ),
                )
            target.setdefault(unit, (group, reason, name))
    load = [0] * groups
    group_of = array("l", [-1]) * count
    reasons = [""] * count
    members_of: list[set[int]] = [set() for _ in range(groups)]

    def clashes(unit: int, group: int) -> list[tuple[int, int]]:
        return [
            (member, partner)
            for member in units[unit]
            for partner in apart.get(member, ())
            if partner in members_of[group]
        ]

    def fits(unit: int, group: int) -> bool:
        return load[group] + len(units[unit]) <= sizes[group] and not clashes(unit, group)

    def put(unit: int, group: int, reason: str) -> None:
        for member in units[unit]:
            group_of[member] = group
            reasons[member] = reason if len(units[unit]) == 1 or reason != DEALT else PAIRED
            members_of[group].add(member)
        load[group] += len(units[unit])

    for unit in sorted(target):
        group, reason, name = target[unit]
        if load[group] + len(units[unit]) > sizes[group]:
            held = sorted(
                name_ for other, (g, _r, name_) in target.items() if g == group and other != unit
            )
            raise _conflict(
                f"group {group + 1} holds {sizes[group]} people, but more are pinned or "
                f"frozen to it ({', '.join([*held, name])})",
                *held,
                name,
                f"group-size:{group + 1}={sizes[group]}",
            )
        clash = clashes(unit, group)
        if clash:
            member, partner = clash[0]
            other = target.get(unit_of[partner])
            raise _conflict(
                f"{labels[member]} and {labels[partner]} must be kept apart, but both are "
                f"placed in group {group + 1}",
                f"keep-apart:{labels[member]}+{labels[partner]}",
                name,
                *((other[2],) if other else ()),
            )
        put(unit, group, reason)

    attributes = _attributes(problem)
    rng = random.Random(problem.seed)
    tiebreak = list(range(len(units)))
    rng.shuffle(tiebreak)
    free = [unit for unit in range(len(units)) if unit not in target]
    # Soft-frozen people go back to their group first when it still fits.
    no_room: set[int] = set()
    made_room: set[int] = set()
    split_pairs: set[int] = set()
    if soft_frozen:
        pending = []
        for unit in free:
            wanted = {soft_frozen[m] for m in units[unit] if m in soft_frozen}
            if len(wanted) == 1:
                (group,) = wanted
                if 0 <= group < groups and fits(unit, group):
                    put(unit, group, FROZEN)
                    continue
                no_room.update(units[unit])
            elif wanted:  # kept together now, but told different groups
                split_pairs.update(units[unit])
            pending.append(unit)
        free = pending

    def sort_key(unit: int) -> tuple[int, ...]:
        first = units[unit][0]
        return (
            -len(units[unit]) if len(units[unit]) > 1 else 0,
            *(attribute.codes[first] for attribute in attributes),
            tiebreak[unit],
        )

    free.sort(key=sort_key)
    rule = problem.rules[0] if problem.rules else SPREAD
    pointer = rng.randrange(groups)
    run_value, run_left = -1, 0
    room = _Room(load, sizes)
    queue = deque(free)
    while queue:
        unit = queue.popleft()
        value = attributes[0].codes[units[unit][0]] if attributes else 0
        start = pointer
        if rule == CLUSTER and (value != run_value or run_left <= 0):
            run_value = value
            run_left = 2
            pointer = (pointer + 1) % groups
            start = pointer
        chosen = room.first(start, lambda group: fits(unit, group))  # noqa: B023
        if chosen is None:
            # No group has room. People told their group may make room at the
            # move penalty; otherwise the constraints cannot all hold.
            evicted = _make_room(
                unit,
                units,
                unit_of,
                soft_frozen,
                reasons,
                load,
                sizes,
                members_of,
                apart,
                attributes,
            )
            if evicted is None:
                raise _no_room(problem, units[unit], load, apart, members_of)
            chosen, leaving = evicted
            made_room.update(leaving)
            for member in leaving:
                group_of[member] = -1
                members_of[chosen].discard(member)
                load[chosen] -= 1
            queue.extend(unit_of[member] for member in leaving)
        put(unit, chosen, DEALT)
        room.filled(chosen)
        if rule == SPREAD:
            pointer = (chosen + 1) % groups
        elif rule == CLUSTER:
            pointer = chosen
            run_left -= len(units[unit])
        else:
            pointer = chosen
    # Soft-frozen members who ended up elsewhere count as moved.
    locked = {m for unit in target for m in units[unit]}
    locked |= {m for members in units if len(members) > 1 for m in members}
    before = array("l", group_of)
    # After late changes, work on the groups that changed: the others were
    # as good as the constraints allowed when people were told them.
    focus: set[int] | None = None
    if problem.frozen:
        changed = {group_of[m] for m in range(count) if problem.frozen.get(m, -1) != group_of[m]}
        focus = changed or None
    swaps, group_of = _repair(
        problem,
        group_of,
        locked,
        # The deal balanced the first attribute unless people were placed
        # before it (pins, freeze); then the repair may work on it too.
        first_fixed=bool(problem.rules) and rule == SPREAD and not target and not soft_frozen,
        soft_frozen=soft_frozen,
        apart=apart,
        focus=focus,
    )
    final_reasons = []
    for member in range(count):
        reason = reasons[member]
        if group_of[member] != before[member]:
            reason = REPAIRED
        if member in soft_frozen and soft_frozen[member] != group_of[member]:
            reason = MOVED
            if member in made_room:
                reason = MADE_ROOM
            elif member in split_pairs:
                reason = TO_PAIR
            elif member in no_room:
                reason = GROUP_FULL
        final_reasons.append(reason)
    moved = tuple(m for m in sorted(soft_frozen) if soft_frozen[m] != group_of[m])
    return GroupingOutcome(group_of, tuple(final_reasons), moved, swaps)


class _Room:
    """Groups that still have room, found in cyclic order without scanning full ones."""

    def __init__(self, load: list[int], sizes: Sequence[int]) -> None:
        self.load = load
        self.sizes = sizes
        self.open = [group for group, size in enumerate(sizes) if load[group] < size]
        self.stale = 0

    def first(self, start: int, fits: Callable[[int], bool]) -> int | None:
        """The first group from ``start`` on (cyclically) with room that ``fits``."""
        groups = self.open
        begin = bisect_left(groups, start)
        for step in range(len(groups)):
            group = groups[(begin + step) % len(groups)]
            if self.load[group] < self.sizes[group] and fits(group):
                return group
        return None

    def filled(self, group: int) -> None:
        """Note that ``group`` gained people; drop full groups now and then."""
        if self.load[group] >= self.sizes[group]:
            self.stale += 1
            if self.stale * 2 > len(self.open):
                self.open = [g for g in self.open if self.load[g] < self.sizes[g]]
                self.stale = 0


#: Groups compared when people told their group make room for others.
_ROOM_CHOICES = 64


def _make_room(
    unit: int,
    units: list[list[int]],
    unit_of: list[int],
    soft_frozen: Mapping[int, int],
    reasons: list[str],
    load: list[int],
    sizes: Sequence[int],
    members_of: list[set[int]],
    apart: Mapping[int, set[int]],
    attributes: list[_Attribute],
) -> tuple[int, list[int]] | None:
    """A group and the people told it (movable at the move penalty) who leave it for ``unit``.

    Groups where the fewest of them must leave are compared (up to
    :data:`_ROOM_CHOICES` of them); the one whose attribute mix suffers
    least wins, the lowest number on a tie. ``None`` when no group can make
    room.
    """
    if not soft_frozen:
        return None
    members = units[unit]
    needs = [load[group] + len(members) - size for group, size in enumerate(sizes)]
    options: list[tuple[int, int, list[int]]] = []
    for need in sorted({need for need in needs if need > 0}):
        # Start the search at a different group for each unit, to spread them.
        groups = [group for group, wanted in enumerate(needs) if wanted == need]
        shift = unit % len(groups)
        for group in groups[shift:] + groups[:shift]:
            movable = [
                m
                for m in sorted(members_of[group])
                if m in soft_frozen and reasons[m] == FROZEN and len(units[unit_of[m]]) == 1
            ]
            if need > len(movable):
                continue
            # Those whose values the group will have most of leave first.
            crowd = [*members_of[group], *members]
            movable.sort(key=lambda m: -_crowding(m, crowd, attributes))
            leaving = movable[:need]
            staying = members_of[group] - set(leaving)
            if any(p in staying for member in members for p in apart.get(member, ())):
                continue
            options.append((group, need, leaving))
            if len(options) >= _ROOM_CHOICES:
                break
        if options:
            break
    if not options:
        return None
    group, _need, leaving = min(
        options,
        key=lambda option: (
            _mix_penalty(members_of[option[0]] - set(option[2]), members, attributes),
            option[0],
        ),
    )
    return group, leaving


def _crowding(member: int, group: Sequence[int], attributes: list[_Attribute]) -> int:
    """How many in ``group`` share ``member``'s values, weighted by attribute."""
    return sum(
        attribute.weight
        * sum(1 for other in group if attribute.codes[other] == attribute.codes[member])
        for attribute in attributes
    )


def _mix_penalty(staying: set[int], arriving: list[int], attributes: list[_Attribute]) -> int:
    """The attribute penalty of a group of ``staying`` and ``arriving`` members."""
    total = 0
    for attribute in attributes:
        counts = Counter(attribute.codes[m] for m in (*staying, *arriving))
        total += attribute.weight * sum(
            attribute.penalty(code, number) for code, number in counts.items()
        )
    return total


def _no_room(
    problem: GroupingInput,
    members: list[int],
    load: list[int],
    apart: Mapping[int, set[int]],
    members_of: list[set[int]],
) -> ConstraintConflictError:
    labels = problem.labels
    names = ", ".join(labels[m] for m in members)
    roomy = [g for g in range(len(load)) if load[g] + len(members) <= problem.sizes[g]]
    if not roomy:
        return _conflict(
            f"no group has room for {len(members)} people kept together ({names}) "
            f"with {len(problem.sizes)} groups of at most {max(problem.sizes)}",
            *(
                f"keep-together:{labels[a]}+{labels[b]}"
                for a, b in problem.together
                if a in members
            ),
            "group-sizes:" + ",".join(map(str, problem.sizes)),
        )
    blocking = sorted(
        f"keep-apart:{labels[m]}+{labels[p]}"
        for m in members
        for p in apart.get(m, ())
        if any(p in members_of[g] for g in roomy)
    )
    return _conflict(
        f"every group with room for {names} holds someone they must be kept apart from",
        *blocking,
    )


# --- measures ----------------------------------------------------------------


def attribute_excess(group_of: Sequence[int], column: Sequence[Hashable], groups: int) -> int:
    """The worst distance of any group from ``floor(c/g)``..``ceil(c/g)`` for any value."""
    if not groups:
        return 0
    totals = Counter(column)
    counts = Counter(zip(group_of, column, strict=False))
    worst = max(
        (number - -(-totals[value] // groups) for (_group, value), number in counts.items()),
        default=0,
    )
    for value, total in totals.items():
        low = total // groups
        if low:
            worst = max(worst, *(low - counts.get((group, value), 0) for group in range(groups)))
    return max(worst, 0)


def lone_members(group_of: Sequence[int], column: Sequence[Hashable]) -> int:
    """Groups with exactly one member of a value that more people share."""
    totals = Counter(column)
    counts = Counter(zip(group_of, column, strict=False))
    return sum(
        1
        for (_group, value), number in counts.items()
        if number == 1 and totals[value] >= 2 and value is not None
    )


def together_splits(group_of: Sequence[int], column: Sequence[Hashable], max_size: int) -> int:
    """Groups a value spans beyond the fewest the group size allows, summed over values."""
    totals = Counter(column)
    spans = Counter(value for (_group, value) in set(zip(group_of, column, strict=False)))
    return sum(
        spans[value] - math.ceil(total / max_size)
        for value, total in totals.items()
        if value is not None
    )
