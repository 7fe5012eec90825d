"""The organiser's command line: ``participatie`` (also ``python -m participatie``).

One module per group of commands, each registered on the main group by
:mod:`participatie.cli.main` (see :data:`~participatie.cli.main.COMMAND_MODULES`).
"""

from participatie.cli.main import COMMAND_MODULES, cli, main

__all__ = ["COMMAND_MODULES", "cli", "main"]
