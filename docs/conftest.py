"""Run the code in the documentation's Markdown pages as tests (Sybil).

Every ```` ```python ```` block of a page runs, top to bottom, in one namespace
per page; blocks that start with ``>>>`` are doctests whose output must match.
Each page runs in its own empty working directory, so a page that opens
``sqlite:///week.db`` writes there and nowhere else. Blocks fenced as
``console``, ``toml``, ``text`` … are illustrations and do not run.
"""

from __future__ import annotations

import doctest
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.myst import ClearNamespaceParser, PythonCodeBlockParser, SkipParser

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.fixture(scope="module")
def page_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty working directory for the examples of one page."""
    directory = tmp_path_factory.mktemp("page")
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield directory
    finally:
        os.chdir(previous)


pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
        SkipParser(),
        ClearNamespaceParser(),
    ],
    patterns=["*.md"],
    excludes=["_build/*"],
    fixtures=["page_directory"],
).pytest()
