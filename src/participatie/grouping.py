"""Splitting a session's participants into groups that fit a (digital) meeting.

"Because a digital session can hold only so many people, several groups are
formed so that everyone gets the chance to give input." Strategies are plugins,
registered through the ``participatie_register_grouping_strategies`` hook; the
built-in ones are registered through that same hook:

``attributes`` (the default)
    The organiser's :class:`GroupPlan`: a rule per attribute (spread,
    cluster, together), keep-together and keep-apart pairs, pinned
    placements, fixed sizes, and people already told their group kept in it
    (see :mod:`participatie.assignment.groups` for how).
``balanced``
    A seeded shuffle cut into groups of balanced size; ignores attributes.

Both form as few groups as the group-size limit allows, with sizes that
differ by at most one unless the plan fixes them.
"""

from __future__ import annotations

import inspect
import math
import random
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs

from participatie.exceptions import ConstraintConflictError, InvalidInputError, PluginError
from participatie.model import Person, Registration
from participatie.plugins import hookimpl

__all__ = [
    "AttributeRule",
    "AttributeStrategy",
    "BalancedStrategy",
    "Group",
    "GroupPlan",
    "GroupingStrategy",
    "check_groups",
    "group_sizes",
    "moved_after_told",
    "run_strategy",
]


@attrs.frozen
class Group:
    """One breakout group of a session.

    Attributes:
        number: 1-based number within the session.
        members: The registrations placed in the group.
        facilitators: Who leads the group (gespreksleider), when given.
        reasons: Per member, why they are in this group (``dealt``,
            ``pinned``, ``frozen``, ``kept-together``, ``repaired``; for
            people told another group and moved at the move penalty:
            ``made-room``, ``moved-to-pair``, ``group-full`` or ``moved``, see
            :func:`moved_after_told`); empty when the strategy gives none.
    """

    number: int
    members: tuple[Registration, ...]
    facilitators: tuple[Person, ...] = ()
    reasons: tuple[str, ...] = ()


@runtime_checkable
class GroupingStrategy(Protocol):
    """Splits registrations into groups of at most ``max_size`` people.

    A strategy that also honours the organiser's :class:`GroupPlan` accepts a
    keyword argument ``plan`` (it is passed only to strategies whose
    ``form_groups`` names it, so simple strategies stay simple). Whatever a
    strategy returns is checked against the plan's hard constraints
    (:func:`check_groups`); a strategy that breaks one is a
    :class:`~participatie.exceptions.PluginError`. Facilitators are added
    by participatie afterwards, one per group.
    """

    def form_groups(
        self, registrations: Sequence[Registration], max_size: int, *, seed: int
    ) -> list[Group]:
        """Return groups covering every registration exactly once.

        The same input and seed must give the same groups.
        """
        ...


def _pair(value: Any) -> tuple[str, str]:
    first, second = value
    return (str(first).strip().lower(), str(second).strip().lower())


def _pairs(values: Any) -> tuple[tuple[str, str], ...]:
    return tuple(_pair(value) for value in values)


def _emails_to(values: Mapping[str, int]) -> dict[str, int]:
    return {email.strip().lower(): number for email, number in values.items()}


@attrs.frozen
class AttributeRule:
    """How the organiser wants one attribute mixed over the groups.

    Attributes:
        attribute: ``audience``, ``organisation``, ``language``, or the name
            of a custom field given in :attr:`GroupPlan.fields`.
        rule: ``spread`` (as even as arithmetic allows), ``cluster`` (never a
            lone member where numbers allow) or ``together`` (the same value
            in as few groups as possible).
    """

    attribute: str
    rule: str = attrs.field(validator=attrs.validators.in_(("spread", "cluster", "together")))


def _rules(values: Any) -> tuple[AttributeRule, ...]:
    return tuple(
        value if isinstance(value, AttributeRule) else AttributeRule(*value) for value in values
    )


@attrs.frozen
class GroupPlan:
    """The organiser's choices for the groups of one session.

    Everyone is named by e-mail address; group numbers start at 1.

    Attributes:
        rules: One rule per attribute, most important first: the first is
            dealt exactly, the others are improved by the repair.
        keep_together: Pairs who share a group (a participant and their
            support person). Hard.
        keep_apart: Pairs who must not share a group. Hard.
        pinned: E-mail address -> group number the organiser fixed. Hard.
        facilitators: One per group, in group order; at least as many as
            there are groups.
        sizes: Fixed group sizes instead of balanced ones (each at most the
            session's group size; their sum is the number of participants).
        fields: Custom attributes: field name -> e-mail address -> value.
        move_penalty: ``None`` (the default): people already told their
            group never move. A number: they may move when that lowers the
            attribute penalty by more than this much per person moved.
    """

    rules: tuple[AttributeRule, ...] = attrs.field(default=(), converter=_rules)
    keep_together: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    keep_apart: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)
    pinned: Mapping[str, int] = attrs.field(factory=dict, converter=_emails_to)
    facilitators: tuple[Person, ...] = attrs.field(default=(), converter=tuple)
    sizes: tuple[int, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(tuple)
    )
    fields: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    move_penalty: int | None = None

    def value(self, attribute: str, person: Person) -> Hashable:
        """The value of ``attribute`` for ``person`` (``None`` if they have none)."""
        if attribute in self.fields:
            return self.fields[attribute].get(person.email)
        if attribute in {"audience", "organisation", "language"}:
            value: Hashable = getattr(person, attribute)
            return value
        raise InvalidInputError(
            f"unknown attribute {attribute!r}: use audience, organisation, language or a "
            f"custom field given in GroupPlan.fields ({', '.join(sorted(self.fields)) or 'none'})"
        )


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


#: Why someone told their group was moved, as :attr:`Group.reasons` says it.
MOVE_REASONS = {
    "made-room": "made room for people who must stay together",
    "moved-to-pair": "joined someone they must stay together with",
    "group-full": "their group no longer had room",
    "moved": "the groups became more balanced by more than the move penalty",
}


def moved_after_told(groups: Sequence[Group]) -> list[tuple[str, int, str]]:
    """Everyone who was told another group and was moved: ``(email, new group, why)``.

    Only a plan with a move penalty moves people who were told their group;
    this is the list to tell them again, with the reason in words.
    """
    return [
        (member.person.email, group.number, MOVE_REASONS[reason])
        for group in groups
        for member, reason in zip(group.members, group.reasons, strict=False)
        if reason in MOVE_REASONS
    ]


def plan_sizes(count: int, max_size: int, plan: GroupPlan | None) -> list[int]:
    """The group sizes for ``count`` people: the plan's, checked, or balanced ones."""
    if plan is None or plan.sizes is None:
        return group_sizes(count, max_size)
    sizes = list(plan.sizes)
    if sum(sizes) != count or any(size < 1 or size > max_size for size in sizes):
        raise ConstraintConflictError(
            f"fixed group sizes {sizes} must each be 1..{max_size} (the session's group "
            f"size) and add up to the {count} participants",
            ("fixed-sizes:" + ",".join(map(str, sizes)), f"group-size:{max_size}"),
        )
    return sizes


@attrs.frozen
class AttributeStrategy:
    """The organiser's plan: attribute rules, pairs, pins, freeze (see the module docstring)."""

    def form_groups(
        self,
        registrations: Sequence[Registration],
        max_size: int,
        *,
        seed: int,
        plan: GroupPlan | None = None,
        frozen: Mapping[str, int] | None = None,
    ) -> list[Group]:
        """Groups by the plan; people in ``frozen`` (e-mail -> group) were told theirs."""
        from participatie.assignment.groups import GroupingInput, arrange

        plan = plan or GroupPlan()
        members = sorted(registrations, key=lambda registration: registration.id)
        sizes = plan_sizes(len(members), max_size, plan)
        if not members:
            return []
        index = {registration.person.email: number for number, registration in enumerate(members)}

        def known(email: str, what: str) -> int:
            if email not in index:
                raise ConstraintConflictError(
                    f"{what} names {email}, who has no place in this session", (f"{what}:{email}",)
                )
            return index[email]

        together = tuple(
            (known(a, "keep-together"), known(b, "keep-together")) for a, b in plan.keep_together
        )
        apart = tuple((known(a, "keep-apart"), known(b, "keep-apart")) for a, b in plan.keep_apart)
        pinned = {known(email, "pin"): group - 1 for email, group in sorted(plan.pinned.items())}
        told = {
            index[email]: group - 1
            for email, group in sorted((frozen or {}).items())
            if email in index and 1 <= group <= len(sizes)
        }
        names = tuple(rule.attribute for rule in plan.rules)
        columns = tuple(
            [plan.value(name, registration.person) for registration in members] for name in names
        )
        outcome = arrange(
            GroupingInput(
                labels=[registration.person.email for registration in members],
                sizes=tuple(sizes),
                names=names,
                rules=tuple(rule.rule for rule in plan.rules),
                columns=columns,
                together=together,
                apart=apart,
                pinned=pinned,
                frozen=told,
                move_penalty=plan.move_penalty,
                seed=seed,
            )
        )
        placed: list[list[int]] = [[] for _ in sizes]
        for member, group in enumerate(outcome.group_of):
            placed[group].append(member)
        return [
            Group(
                number,
                tuple(members[m] for m in chosen),
                reasons=tuple(outcome.reasons[m] for m in chosen),
            )
            for number, chosen in enumerate(placed, start=1)
        ]


def run_strategy(
    strategy: GroupingStrategy,
    registrations: Sequence[Registration],
    max_size: int,
    *,
    seed: int,
    plan: GroupPlan | None,
    frozen: Mapping[str, int],
) -> list[Group]:
    """Call a strategy with what it accepts, check its groups, add facilitators."""
    accepted = inspect.signature(strategy.form_groups).parameters
    extra: dict[str, Any] = {}
    if "plan" in accepted:
        extra["plan"] = plan
    if "frozen" in accepted:
        extra["frozen"] = frozen
    groups = strategy.form_groups(registrations, max_size, seed=seed, **extra)
    try:
        check_groups(groups, registrations, max_size, plan, frozen if "frozen" in extra else {})
    except ConstraintConflictError as error:
        raise PluginError(f"grouping strategy {strategy!r} broke a constraint: {error}") from error
    return add_facilitators(groups, plan, registrations)


def add_facilitators(
    groups: list[Group], plan: GroupPlan | None, registrations: Sequence[Registration]
) -> list[Group]:
    """One facilitator per group, in the plan's order.

    Raises :class:`~participatie.exceptions.ConstraintConflictError` when
    there are fewer facilitators than groups, or a facilitator is also a
    participant of the session.
    """
    if plan is None or not plan.facilitators or not groups:
        return groups
    facilitators = plan.facilitators
    if len(facilitators) < len(groups):
        raise ConstraintConflictError(
            f"{len(groups)} groups need a facilitator each, but {len(facilitators)} are given",
            (f"facilitators:{len(facilitators)}", f"groups:{len(groups)}"),
        )
    participants = {registration.person.email for registration in registrations}
    for facilitator in facilitators:
        if facilitator.email in participants:
            raise ConstraintConflictError(
                f"{facilitator.email} is both a facilitator and a participant of the session",
                (f"facilitator:{facilitator.email}",),
            )
    return [
        attrs.evolve(group, facilitators=(facilitator,))
        for group, facilitator in zip(groups, facilitators, strict=False)
    ]


def check_groups(
    groups: Sequence[Group],
    registrations: Sequence[Registration],
    max_size: int,
    plan: GroupPlan | None,
    frozen: Mapping[str, int] | None = None,
) -> None:
    """Raise :class:`~participatie.exceptions.ConstraintConflictError` unless every
    hard constraint holds: everyone exactly once, numbered groups, sizes, pairs,
    pins and (without a move penalty) the frozen groups."""
    where: dict[str, int] = {}
    for expected, group in enumerate(groups, start=1):
        if group.number != expected:
            raise ConstraintConflictError(
                f"groups are not numbered 1..{len(groups)}", ("numbering",)
            )
        if not 1 <= len(group.members) <= max_size:
            raise ConstraintConflictError(
                f"group {group.number} has {len(group.members)} members (limit {max_size})",
                (f"group-size:{max_size}",),
            )
        for member in group.members:
            if member.person.email in where:
                raise ConstraintConflictError(f"{member.person.email} is in two groups", ("once",))
            where[member.person.email] = group.number
    if sorted(where) != sorted(r.person.email for r in registrations):
        raise ConstraintConflictError("the groups do not hold every participant once", ("once",))
    if plan is None:
        return
    if plan.sizes is not None and [len(g.members) for g in groups] != list(plan.sizes):
        raise ConstraintConflictError("the groups do not have the fixed sizes", ("fixed-sizes",))
    for a, b in plan.keep_together:
        if where.get(a) != where.get(b):
            raise ConstraintConflictError(
                f"{a} and {b} are not together", (f"keep-together:{a}+{b}",)
            )
    for a, b in plan.keep_apart:
        if where.get(a) == where.get(b):
            raise ConstraintConflictError(f"{a} and {b} are not apart", (f"keep-apart:{a}+{b}",))
    for email, number in plan.pinned.items():
        if where.get(email) != number:
            raise ConstraintConflictError(f"{email} is not in group {number}", (f"pin:{email}",))
    if plan.move_penalty is None:
        for email, number in (frozen or {}).items():
            if email in where and number <= len(groups) and where[email] != number:
                raise ConstraintConflictError(
                    f"{email} was told group {number} and was moved", (f"freeze:{email}",)
                )


@hookimpl(trylast=True)
def participatie_register_grouping_strategies(
    register: Callable[[str, GroupingStrategy], None],
) -> None:
    """Register the built-in ``attributes`` and ``balanced`` strategies."""
    register("attributes", AttributeStrategy())
    register("balanced", BalancedStrategy())
