"""Dealing a session into groups so that several attributes come out balanced at once.

Position ``p`` of a line of people goes to group ``p mod g``: everyone who is
next to each other on the line lands in different groups, and a stretch of
the line that is ``k`` people long puts ``floor(k/g)`` or ``ceil(k/g)`` of them
in every group. So the first attribute is balanced exactly by putting its
values in blocks on the line, and group sizes come out as
:func:`~participatie.grouping.group_sizes` gives them.

Two more attributes are balanced on the same line, by construction:

- The *second* attribute (with any further ones) orders the people inside
  each block: its values are runs, in the same order in every block, so
  each run is spread like the block. Values are only out of step across
  blocks, which costs at most one person per group here and there.
- The *third* attribute gets a *pattern*. Think of the line as laps round the
  groups: lap ``l`` holds positions ``l·g … l·g + g - 1``, so group ``c``
  holds the ``c``-th place of every lap. The pattern gives each place
  ``(c, l)`` a value of the third attribute, by the residue
  ``(c + l·K) mod M`` on a circle of ``M = laps * K`` residues on which every
  value owns an arc as long as its share. A group's residues are evenly
  spaced round the circle, so it holds each value ``floor`` or ``ceil`` of
  its share: balanced exactly. Within a block, the people with value ``z``
  take the places whose pattern is ``z``, run after run; only a block's
  surplus over its pattern places (a few per thousand) goes elsewhere, and
  there to places in groups that lack that value.

Everything per person is one C-level pass: each cell (people with the same
values) gets an iterator of group numbers built from ``range``, ``map`` and
``chain`` objects, and every person takes the next number from their cell's
iterator. The work in Python is per block, run and value, never per person,
except for the surplus. A million people are dealt in well under a second
without NumPy.
"""

from __future__ import annotations

import random
from array import array
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from itertools import chain, islice, repeat
from itertools import count as counter
from operator import add

__all__ = ["MAX_PATTERN_LAPS", "deal", "sort_key"]

#: Above this many people per group the pattern is not used (its arcs would
#: be short on a very long circle); the second and later attributes are then
#: all run keys.
MAX_PATTERN_LAPS = 64


def sort_key(value: Hashable) -> tuple[object, ...]:
    """Order values of any type the same way in every process: ``None`` last, then by text."""
    values = value if isinstance(value, tuple) else (value,)
    return tuple((item is None, str(item)) for item in values)


def deal(
    count: int,
    groups: int,
    columns: Sequence[Sequence[Hashable]],
    *,
    seed: int,
    pattern: int | None = None,
) -> array[int]:
    """Per member the group (``0..groups-1``), balanced as the module docstring says.

    ``columns`` hold the attributes, most important first; ``pattern`` is
    the index of the attribute balanced by the pattern (``None``: none).
    The seed orders the blocks and the values round the pattern's circle;
    the same input and seed give the same groups in every process.
    """
    if groups <= 0 or count == 0:
        return array("q")
    if not columns:
        return array("q", map(groups.__rmod__, range(count)))
    laps = -(-count // groups)
    if pattern is not None and (
        groups == 1 or laps > MAX_PATTERN_LAPS or not 0 < pattern < len(columns)
    ):
        pattern = None
    rng = random.Random(seed)
    keys: Iterable[Hashable] = columns[0] if len(columns) == 1 else zip(*columns, strict=True)
    names: dict[Hashable, int] = {}
    # One hashing pass: each member's cell, named by its first member's index.
    ids = list(map(names.setdefault, keys, counter()))
    sizes = Counter(ids)
    # blocks[first value][run key][pattern value] = cell name
    blocks: dict[Hashable, dict[Hashable, dict[Hashable, int]]] = {}
    for key, name in names.items():
        values = key if len(columns) > 1 else (key,)
        assert isinstance(values, tuple)
        rest = tuple(v for index, v in enumerate(values) if index not in (0, pattern))
        value = values[pattern] if pattern is not None else None
        blocks.setdefault(values[0], {}).setdefault(rest, {})[value] = name
    firsts = sorted(blocks, key=sort_key)
    rng.shuffle(firsts)
    iters: dict[int, Iterator[int]] = {}
    if pattern is None:
        position = 0
        for first in firsts:
            for run in sorted(blocks[first], key=sort_key):
                (name,) = blocks[first][run].values()
                iters[name] = map(groups.__rmod__, range(position, position + sizes[name]))
                position += sizes[name]
    else:
        totals: Counter[Hashable] = Counter()
        for runs_of in blocks.values():
            for cells in runs_of.values():
                for value, name in cells.items():
                    totals[value] += sizes[name]
        circle = _Pattern(totals, count, groups, laps, rng)
        position = 0
        for first in firsts:
            # Runs in the same (sorted) order in every block: a value's runs
            # then sit at about the same place of each block, which keeps
            # them from piling up in the same groups.
            runs = [blocks[first][run] for run in sorted(blocks[first], key=sort_key)]
            width = sum(sizes[name] for cells in runs for name in cells.values())
            circle.fill_block(position, width, runs, sizes, iters)
            position += width
    return array("q", map(next, map(iters.__getitem__, ids)))


class _Stream:
    """The places of one value of the pattern inside one block, in line order.

    A block spans one or more laps; in each lap its places are columns
    ``[start, stop)``, and the pattern value's columns there are blocks of
    ``share`` consecutive columns every ``circle`` columns (see
    :class:`_Pattern`). Everything is arithmetic on those, so any stretch of
    the stream becomes a lazy iterator of C-level objects.
    """

    def __init__(self, portions: list[tuple[int, int, int]], share: int, circle: int) -> None:
        # portions: (offset of the arc's first column, start, stop) per lap
        self.share = share
        self.circle = circle
        self.portions = [p for p in portions if self._upto(p, p[2]) > 0]
        self.sizes = [self._upto(p, p[2]) for p in self.portions]
        self.length = sum(self.sizes)

    def _before(self, shift: int, column: int) -> int:
        """How many columns below ``column`` have the value (counted from a far-left origin)."""
        y = column - shift
        return (y // self.circle) * self.share + min(self.share, y % self.circle)

    def _upto(self, portion: tuple[int, int, int], column: int) -> int:
        shift, start, _stop = portion
        return self._before(shift, column) - self._before(shift, start)

    def _column(self, portion: tuple[int, int, int], index: int) -> int:
        """The column of the ``index``-th place (0-based) in a portion."""
        shift, start, _stop = portion
        target = self._before(shift, start) + index
        return (target // self.share) * self.circle + target % self.share + shift

    def _from(self, portion: tuple[int, int, int], index: int) -> Iterator[int]:
        shift, _start, stop = portion
        column = self._column(portion, index)
        first = column - (column - shift) % self.circle
        starts = range(first, stop, self.circle)
        return chain.from_iterable(
            map(
                range,
                map(max, starts, repeat(column)),
                map(min, map(add, starts, repeat(self.share)), repeat(stop)),
            )
        )

    def slice(self, begin: int) -> Iterator[int]:
        """The places from the ``begin``-th on (the caller takes as many as it needs)."""
        parts: list[Iterator[int]] = []
        for portion, size in zip(self.portions, self.sizes, strict=True):
            if begin < size:
                parts.append(self._from(portion, begin))
                begin = 0
            else:
                begin -= size
        return chain.from_iterable(parts)


class _Pattern:
    """The residue circle of the pattern attribute (see the module docstring)."""

    def __init__(
        self, totals: Counter[Hashable], count: int, groups: int, laps: int, rng: random.Random
    ) -> None:
        values = sorted(totals, key=sort_key)
        rng.shuffle(values)
        self.groups = groups
        self.laps = laps
        # K: enough residues per lap that every value's arc matches its share
        # closely; the circle has M = laps * K residues.
        self.step = max(1, -(-64 * len(values) // laps))
        circle = laps * self.step
        raw = [totals[value] * circle / count for value in values]
        shares = [int(part) for part in raw]
        behind = sorted(range(len(values)), key=lambda i: (shares[i] - raw[i], i))
        for index in behind[: circle - sum(shares)]:
            shares[index] += 1
        self.circle = circle
        self.arc: dict[Hashable, tuple[int, int]] = {}
        start = 0
        for value, share in zip(values, shares, strict=True):
            self.arc[value] = (start, share)
            start += share
        # Per column class (column mod K): how many of each value the
        # pattern gives a full column, and the most and fewest a group should hold.
        owner = [value for value, share in zip(values, shares, strict=True) for _ in range(share)]
        self.holds = [
            Counter(owner[(kappa + lap * self.step) % circle] for lap in range(laps))
            for kappa in range(self.step)
        ]
        self.order: dict[Hashable, list[int]] = {}
        self.most = {value: -(-total // groups) for value, total in totals.items()}
        self.fewest = {value: total // groups for value, total in totals.items()}

    def stream(self, value: Hashable, begin: int, end: int) -> _Stream:
        """The places of ``value`` among line positions ``[begin, end)``."""
        arc_start, share = self.arc[value]
        portions = []
        groups = self.groups
        for lap in range(begin // groups, (end - 1) // groups + 1):
            start = max(begin - lap * groups, 0)
            stop = min(end - lap * groups, groups)
            shift = (arc_start - lap * self.step) % self.circle
            portions.append((shift, start, stop))
        return _Stream(portions, share, self.circle)

    def fill_block(
        self,
        begin: int,
        width: int,
        runs: list[dict[Hashable, int]],
        sizes: Counter[int],
        iters: dict[int, Iterator[int]],
    ) -> None:
        """Give every cell of one block (runs in order) its iterator of groups."""
        end = begin + width
        streams = {value: self.stream(value, begin, end) for value in self.arc}
        taken = dict.fromkeys(self.arc, 0)
        surplus: list[tuple[int, Hashable, int, Iterator[int]]] = []
        for cells in runs:
            for value, name in cells.items():
                stream = streams[value]
                need = sizes[name]
                own = stream.slice(taken[value]) if taken[value] < stream.length else iter(())
                fits = max(0, min(need, stream.length - taken[value]))
                taken[value] += need
                if fits == need:
                    iters[name] = own
                else:
                    surplus.append((name, value, need - fits, own))
        if not surplus:
            return
        # Places the pattern keeps for values with fewer people than places.
        free: list[list[tuple[int, Hashable]]] = [[] for _ in range(self.step)]
        for value, stream in streams.items():
            spare = stream.length - taken[value]
            if spare > 0:
                for column in islice(stream.slice(taken[value]), spare):
                    free[column % self.step].append((column, value))
        added: Counter[tuple[int, Hashable]] = Counter()
        for name, value, missing, own in surplus:
            chosen = self._choose(value, missing, free, added)
            iters[name] = chain(own, chosen)

    def _choose(
        self,
        value: Hashable,
        missing: int,
        free: list[list[tuple[int, Hashable]]],
        added: Counter[tuple[int, Hashable]],
    ) -> list[int]:
        """``missing`` free places for people with ``value``, in groups that lack it first.

        A place is fine when its group then holds no more of ``value`` than
        its share allows and still holds enough of the value whose place it
        takes; ``added`` counts what earlier choices changed per group.
        """
        most, fewest, holds = self.most[value], self.fewest, self.holds
        chosen: list[int] = []
        # Column classes where a group holds the fewest of this value first.
        classes = self.order.get(value)
        if classes is None:
            classes = sorted(range(self.step), key=lambda kappa: (holds[kappa][value], kappa))
            self.order[value] = classes
        for strict in (True, False):
            for kappa in classes:
                spot = free[kappa]
                if strict and holds[kappa][value] + 1 > most:
                    break  # the classes after this one hold even more of it
                kept = []
                while spot and len(chosen) < missing:
                    column, other = spot.pop()
                    fine = (
                        holds[kappa][value] + added[column, value] + 1 <= most
                        and holds[kappa][other] + added[column, other] - 1 >= fewest[other]
                    )
                    if fine or not strict:
                        chosen.append(column)
                        added[column, value] += 1
                        added[column, other] -= 1
                    else:
                        kept.append((column, other))
                spot.extend(reversed(kept))
                if len(chosen) == missing:
                    return chosen
        return chosen
