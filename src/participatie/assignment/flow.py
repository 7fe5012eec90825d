"""An exact min-cost flow on preference profiles, in pure Python.

The ``optimal`` mode is a transportation problem: every profile (people with
the same ranked list) sends its people to its options (sessions, or the
waiting list) at a cost per person, and sessions hold at most their capacity.
A general LP solver spends most of its time on thousands of columns; here the
work is done on a graph of the *sessions* only (at most a few dozen nodes),
which is why it is fast at every size:

- Nodes are the sessions, the waiting list and a sink (any free place).
  Moving people of a profile from option ``u`` to option ``v`` is an edge
  ``u → v`` costing the difference of the two prices; all profiles whose move
  costs the same are one *bucket* whose capacity is the sum of their people
  at ``u``. Buckets are kept up to date as people move (a profile with four
  options touches three buckets), so the graph is never rebuilt.
- Start: everyone at their cheapest option, places or not. With zero node
  potentials every edge then has a non-negative reduced cost, and the only
  trouble is *excess*: sessions holding more people than places.
- Successive shortest paths: a Dijkstra pass on reduced costs from every
  session with excess gives new potentials; then as many people as fit are
  pushed along paths of zero reduced cost (found by breadth-first search)
  to a free place or the waiting list, and the pass is repeated until no
  session has excess. Each push keeps every reduced cost non-negative, so
  the result is a minimum-cost flow: exact, in whole numbers, with no
  tolerances. On the benchmark's instances this takes three passes and
  about eighty pushes, whether there are ten thousand or a million people.
- The final potentials are a certificate: :func:`min_cost_flows` checks that
  no residual edge has a negative reduced cost, which proves the flow optimal
  (and says so in its result, so a caller can fall back on cycle cancelling
  if it ever did not hold).

Everything is deterministic: buckets are insertion-ordered dictionaries and
people are taken from the most recently added profile first.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from itertools import accumulate, chain, compress, pairwise, repeat
from operator import add, le, not_

__all__ = ["flat_min_cost_flows", "min_cost_flows"]

_UNLIMITED = 1 << 62


def min_cost_flows(
    options: Sequence[Sequence[tuple[int, int]]],
    sizes: Sequence[int],
    remaining: Sequence[int],
) -> tuple[list[list[int]], bool]:
    """Optimal flows per profile and option, and whether the potentials prove it.

    ``options[p]`` lists profile ``p``'s options as ``(session, price)``,
    with session ``-1`` for the waiting list (which every profile must have:
    it takes anyone); ``sizes[p]`` is the number of people in the profile;
    ``remaining[s]`` the places of session ``s`` (negative: no limit).
    ``flows[p][k]`` is how many people of profile ``p`` take option ``k``.
    """
    sessions = len(remaining)
    node_of = [sessions if session < 0 else session for row in options for session, _ in row]
    cost_of = [price for row in options for _, price in row]
    widths = list(map(len, options))
    flat, certified = flat_min_cost_flows(node_of, cost_of, widths, sizes, remaining)
    return [flat[low:high] for low, high in pairwise([0, *accumulate(widths)])], certified


def flat_min_cost_flows(  # noqa: PLR0915 - one algorithm, read top to bottom
    node_of: Sequence[int],
    cost_of: Sequence[int],
    widths: Sequence[int],
    sizes: Sequence[int],
    remaining: Sequence[int],
) -> tuple[list[int], bool]:
    """:func:`min_cost_flows` on the options of all profiles laid end to end.

    Profile ``p`` has the next ``widths[p]`` options; option ``i`` goes to
    ``node_of[i]`` (a session, or ``len(remaining)`` for the waiting list) at
    ``cost_of[i]`` per person. Returns the flow per option, laid out the
    same way. This form is cheaper to build for thousands of profiles.
    """
    sessions = len(remaining)
    sink = sessions + 1  # the waiting list is node `sessions`
    nodes = sessions + 2
    count = len(sizes)
    owner = list(chain.from_iterable(map(repeat, range(count), widths)))
    start = [0, *accumulate(widths)]
    flow = [0] * len(node_of)
    # A bucket: profiles with people at node u whose move to v costs d, keyed
    # by one whole number, u * nodes + v + pairs * (d + offset), which is
    # cheaper to make and hash than a tuple; for option i of a profile whose
    # people are at node u at price c the key is key_base[i] + u * nodes - pairs * c.
    pairs = nodes * nodes
    offset = max(cost_of, default=0) - min(cost_of, default=0)
    key_base = [v + pairs * (price + offset) for v, price in zip(node_of, cost_of, strict=True)]
    # Per (u, v) the costs d of the non-empty buckets, for the shortest paths.
    deltas: list[dict[int, None]] = [{} for _ in range(nodes * nodes)]
    load = [0] * nodes
    limit = [_UNLIMITED if places < 0 else places for places in remaining]
    limit += [_UNLIMITED, _UNLIMITED]

    # Everyone at their cheapest option (the first one, unless the organiser's
    # rank costs say otherwise), built with C-level passes where it can be.
    width = widths[0] if widths else 0
    if (
        width
        and all(map(width.__eq__, widths))
        and all(
            all(map(le, cost_of[0::width], cost_of[column::width])) for column in range(1, width)
        )
    ):
        here_of = list(range(0, len(cost_of), width))  # the usual case: the first is cheapest
    else:
        here_of = [
            cost_of.index(min(cost_of[low:high]), low, high) for low, high in pairwise(start)
        ]
    deque(map(flow.__setitem__, here_of, sizes), maxlen=0)
    for u, size in zip(map(node_of.__getitem__, here_of), sizes, strict=True):
        load[u] += size
    # Each option's bucket key, given where its profile's people are; -1 for
    # the option they are at, and for every option of an empty profile.
    shift_of = [node_of[here] * nodes - pairs * cost_of[here] for here in here_of]
    flat_keys = list(map(add, key_base, map(shift_of.__getitem__, owner)))
    deque(map(flat_keys.__setitem__, here_of, repeat(-1)), maxlen=0)
    for profile in compress(range(count), map(not_, sizes)):
        low, high = start[profile], start[profile + 1]
        flat_keys[low:high] = [-1] * (high - low)
    grouped: defaultdict[int, dict[int, None]] = defaultdict(dict)
    for key, profile in zip(flat_keys, owner, strict=True):
        grouped[key][profile] = None
    grouped.pop(-1, None)
    buckets: dict[int, dict[int, None]] = dict(grouped)
    caps = {key: sum(map(sizes.__getitem__, members)) for key, members in buckets.items()}
    for key in buckets:
        deltas[key % pairs][key // pairs - offset] = None

    def move(profile: int, u: int, v: int, amount: int) -> int:
        """Move up to ``amount`` people of a profile from node u to node v; how many moved.

        Every bucket the profile is in is kept right: those of its people
        at u lose them (and the profile, if none are left there), those at
        v gain them (and the profile, if it had nobody there).
        """
        low, high = start[profile], start[profile + 1]
        row = node_of[low:high]
        here, there = low + row.index(u), low + row.index(v)
        moved = min(amount, flow[here])
        left = flow[here] - moved
        flow[here] = left
        load[u] -= moved
        shift = u * nodes - pairs * cost_of[here]
        for other in range(low, high):
            if other != here:
                key = key_base[other] + shift
                caps[key] -= moved
                if not left:
                    bucket = buckets[key]
                    del bucket[profile]
                    if not bucket:
                        del buckets[key], caps[key], deltas[key % pairs][key // pairs - offset]
        was = flow[there]
        flow[there] = was + moved
        load[v] += moved
        shift = v * nodes - pairs * cost_of[there]
        for other in range(low, high):
            if other != there:
                key = key_base[other] + shift
                if was:
                    caps[key] += moved
                    continue
                joined = buckets.get(key)
                if joined is None:
                    buckets[key] = {profile: None}
                    caps[key] = moved
                    deltas[key % pairs][key // pairs - offset] = None
                else:
                    joined[profile] = None
                    caps[key] += moved
        return moved

    potential = [0] * nodes
    while True:
        excess = [s for s in range(sessions) if load[s] > limit[s]]
        if not excess:
            break
        # Dijkstra on reduced costs (dense: the graph has a few dozen nodes).
        distance = [_UNLIMITED] * nodes
        for s in excess:
            distance[s] = 0
        done = [False] * nodes
        for _ in range(nodes):
            u, best = -1, _UNLIMITED
            for v in range(nodes):
                if not done[v] and distance[v] < best:
                    u, best = v, distance[v]
            if u < 0:
                break
            done[u] = True
            if u == sink:
                # Back from the sink: a place someone holds (or the waiting list).
                for v in range(sessions + 1):
                    if load[v] and not done[v]:
                        reached = best + potential[sink] - potential[v]
                        distance[v] = min(distance[v], reached)
                continue
            base = best + potential[u]
            row = u * nodes
            for v in range(sessions + 1):
                costs = deltas[row + v]
                if costs and not done[v]:
                    reached = base + min(costs) - potential[v]
                    distance[v] = min(distance[v], reached)
            if load[u] < limit[u] and not done[sink]:
                reached = base - potential[sink]
                distance[sink] = min(distance[sink], reached)
        furthest = max(d for d in distance if d < _UNLIMITED)
        for v in range(nodes):
            potential[v] += distance[v] if distance[v] < _UNLIMITED else furthest
        # Push along paths of zero reduced cost until there are none.
        while True:
            queue = [s for s in range(sessions) if load[s] > limit[s]]
            if not queue:
                break
            parent = [-2] * nodes
            for s in queue:
                parent[s] = -1
            end = -1
            head = 0
            at_sink = potential[sink]
            while head < len(queue):
                u = queue[head]
                head += 1
                if load[u] < limit[u] and potential[u] == at_sink:
                    end = u
                    break
                row = u * nodes
                here = potential[u]
                for v, costs in enumerate(deltas[row : row + sessions + 1]):
                    if costs and parent[v] == -2 and potential[v] - here in costs:
                        parent[v] = u
                        queue.append(v)
            if end < 0:
                break
            path: list[tuple[int, int, int]] = []
            v = end
            while parent[v] != -1:
                u = parent[v]
                path.append((u, v, u * nodes + v + pairs * (potential[v] - potential[u] + offset)))
                v = u
            amount = min(load[v] - limit[v], limit[end] - load[end], *(caps[e[2]] for e in path))
            for u, v, key in reversed(path):
                need = amount
                while need:
                    need -= move(next(reversed(buckets[key])), u, v, need)
    certified = all(
        key // pairs - offset + potential[key % pairs // nodes] - potential[key % nodes] >= 0
        for key in buckets
    ) and all(
        (load[s] >= limit[s] or potential[s] >= potential[sink])
        and (not load[s] or potential[sink] >= potential[s])
        for s in range(sessions + 1)
    )
    return flow, certified
