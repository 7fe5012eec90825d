"""The ``participatie`` command: the main group and the modules that add commands to it.

Each module in :data:`COMMAND_MODULES` has a ``register(cli)`` function that
adds its commands (or a group of them) to the main group. A new step of the
organiser's work is one new module in this package plus one line in that
tuple; see :mod:`participatie.cli.registrations` for a module to copy.

Exit codes (:class:`~participatie.cli._context.ExitCode`): 0 done; 1 refused
(a rule said no, import rows were refused, a file has problems); 2 wrong
command line; 3 the event, session or registration does not exist; 4 the
store or a plugin failed; 130 interrupted.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Final

import click

from participatie._version import __version__
from participatie.cli._context import CliState, _set_language, group
from participatie.cli._output import LANGUAGES, detect_language

__all__ = ["COMMAND_MODULES", "cli", "main"]

#: The modules that add commands, in the order their commands are listed.
COMMAND_MODULES: Final[tuple[str, ...]] = (
    "participatie.cli.eventfile",
    "participatie.cli.importing",
    "participatie.cli.registrations",
    "participatie.cli.groups",
    "participatie.cli.calendars",
    "participatie.cli.inputs",
    "participatie.cli.feedback",
    "participatie.cli.reports",
    "participatie.cli.dispatch",
    "participatie.cli.privacy",
)

_EPILOG = """\b
Exit codes: 0 done; 1 refused (a rule, refused import rows, a file with
problems); 2 wrong command line; 3 event, session or registration not found;
4 store or plugin failure; 130 interrupted.
"""


@group(
    "participatie",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=_EPILOG,
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    envvar="PARTICIPATIE_LANG",
    is_eager=True,  # before --help, so that the help is in this language
    callback=_set_language,
    help="Language of the output: nl (Dutch) or en (English). "
    "Default: PARTICIPATIE_LANG, else the locale, else Dutch.",
)
@click.option(
    "-f",
    "--file",
    "file_option",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="PARTICIPATIE_FILE",
    help="The event file (default: participatie.toml in this directory, if there is one).",
)
@click.option(
    "--store",
    "store_option",
    metavar="URL",
    envvar="PARTICIPATIE_STORE",
    help="Where the data is kept, e.g. sqlite:///participatie.db "
    "(default: the event file's [store] url, else sqlite:///participatie.db).",
)
@click.option(
    "--now",
    "now_text",
    metavar="WHEN",
    envvar="PARTICIPATIE_NOW",
    help='Act as if it is this moment ("maandag 26 oktober 2020 9.00 uur"): '
    "for rehearsals and for replaying what happened.",
)
@click.version_option(__version__, "-V", "--version", prog_name="participatie")
@click.pass_context
def cli(
    ctx: click.Context,
    lang: str | None,
    file_option: Path | None,
    store_option: str | None,
    now_text: str | None,
) -> None:
    """Run participation meetings from the command line.

    Describe the event in a file (participatie init, check, event save),
    import the registrations from your form's export (participatie import
    registrations), and take every next step: register and cancel people,
    offers, the waiting list, places, lists and history; sessions by
    preference and breakout groups (groups); calendar files (calendar);
    input per central question (input); the draft response and its feedback
    rounds (feedback); and the report (report).
    """
    state = ctx.ensure_object(CliState)
    state.language = lang or detect_language()
    state.language_chosen = True
    state.file_option = file_option
    state.store_option = store_option
    state.now_text = now_text


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    """Run the command line (the ``participatie`` console script)."""
    cli.main(prog_name="participatie")
