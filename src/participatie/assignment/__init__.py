"""Capacity-based assignment: sessions by preference, groups within a session."""

from participatie.assignment.optimal import assign_optimal
from participatie.assignment.preferences import (
    WAITLISTED,
    AssignmentProblem,
    Preference,
    build_problem,
    draw_lottery,
    lottery_order,
)
from participatie.assignment.result import AssignmentSummary, SessionAssignment, blocking_pairs
from participatie.assignment.stable import assign_stable

__all__ = [
    "WAITLISTED",
    "AssignmentProblem",
    "AssignmentSummary",
    "Preference",
    "SessionAssignment",
    "assign_optimal",
    "assign_stable",
    "blocking_pairs",
    "build_problem",
    "draw_lottery",
    "lottery_order",
]
