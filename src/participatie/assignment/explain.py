"""Why each person got what they got, in words an organiser can pass on."""

from __future__ import annotations

import attrs

from participatie.storage import StoredAssignment, StoredGroups

__all__ = ["Explanation", "explain"]

_REASONS = {
    "dealt": "dealt out by the first attribute rule so that groups are mixed evenly",
    "pinned": "placed here by the organiser (pinned)",
    "frozen": "already told this group, so kept in it",
    "kept-together": "kept together with the person they come with",
    "repaired": "swapped here to balance the other attributes",
    "moved": "moved after being told, because the organiser allowed moves at a price "
    "and the groups became more balanced by more than that price",
    "made-room": "moved after being told, to make room for people who must stay together "
    "(the organiser allowed moves at a price)",
    "moved-to-pair": "moved after being told, to join someone they must stay together with "
    "(the organiser allowed moves at a price)",
    "group-full": "moved after being told, because that group no longer had room "
    "(the organiser allowed moves at a price)",
    "": "placed by the grouping strategy",
}


@attrs.frozen
class Explanation:
    """One person's explanation.

    Attributes:
        email: Who.
        lines: Sentences, most important first.
    """

    email: str
    lines: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def explain(
    email: str,
    assignment: StoredAssignment | None,
    groups: list[StoredGroups],
) -> Explanation:
    """Explain a person's session (from the stored assignment) and group(s)."""
    email = email.strip().lower()
    lines: list[str] = []
    entry = None
    if assignment is not None:
        entry = next((e for e in assignment.entries if e.person.email == email), None)
    if entry is not None and assignment is not None:
        lines.append(
            f"Lottery number {entry.lottery} of {len(assignment.entries)}"
            + (f", priority class {entry.priority}" if entry.priority else "")
            + f"; mode {assignment.mode}."
        )
        got = entry.session_key
        better = entry.ranking if got is None else entry.ranking[: entry.ranking.index(got)]
        if got is not None:
            lines.append(f"Placed in {got!r}, your choice {entry.ranking.index(got) + 1}.")
        else:
            lines.append("On the waiting list: none of your choices had a place for you.")
        for key in better:
            placed = [e for e in assignment.entries if e.session_key == key]
            rank = entry.ranking.index(key) + 1
            if assignment.mode == "stable":
                choosers = [e for e in placed if not e.notified or e.person.email == email]
                last = max(choosers, key=lambda e: (e.priority, e.lottery), default=None)
                if last is None:
                    lines.append(
                        f"Choice {rank} {key!r}: no place was left after people told earlier."
                    )
                else:
                    lines.append(
                        f"Choice {rank} {key!r} was full: its last place went to lottery number "
                        f"{last.lottery}"
                        + (f" in priority class {last.priority}" if last.priority else "")
                        + f", a better number than yours ({entry.lottery})."
                    )
            else:
                lines.append(
                    f"Choice {rank} {key!r} was full: in the optimal assignment its "
                    f"{len(placed)} places went to people for whom it kept the waiting list "
                    "shortest and the ranks best; within the same ranking, better lottery "
                    "numbers got the better places."
                )
        if entry.notified:
            lines.append("You were told your session; later changes do not move you by default.")
    for stored in groups:
        for placement in stored.placements:
            if placement.person.email == email:
                role = "facilitator of" if placement.role == "facilitator" else "in"
                lines.append(
                    f"Session {stored.session_key!r}: {role} group {placement.group}, "
                    f"{_REASONS.get(placement.reason, placement.reason)}."
                )
    if not lines:
        lines.append("No session assignment or group is stored for this person.")
    return Explanation(email, tuple(lines))
