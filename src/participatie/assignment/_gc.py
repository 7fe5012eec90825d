"""Pausing Python's cyclic garbage collector while an engine runs.

The engines allocate many short-lived objects (iterators, small lists) next
to the caller's large, long-lived data: a million labels, rankings and
attribute values. Each allocation burst can trigger a full collection, and a
full collection walks every element of those big lists again, which cost a
quarter of the run time at a million people. The engines make no reference
cycles that need collecting during a run (their garbage is freed by
reference counting), so the collector is paused for the run and resumed
after it, exactly as it was; nothing that is computed changes.

The collector is one per process: while an engine runs in one thread, other
threads run without cyclic collection too (reference counting still frees
their memory), and an engine started while another runs leaves the
collector as it finds it.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["collector_paused"]

P = ParamSpec("P")
R = TypeVar("R")


def collector_paused(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with the cyclic collector paused (and resumed as it was)."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():  # already paused, by an outer engine or the caller
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return run
