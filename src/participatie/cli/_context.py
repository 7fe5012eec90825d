"""What every command shares: options, the store, the event, exit codes and errors.

A command module builds its commands with :func:`command` and :func:`group`
(instead of ``click.command``/``click.group``). That gives each command the
common ``--lang`` option, turns every :class:`~participatie.ParticipatieError`
into a message and a documented exit code, and lets the command reach the
organiser's settings through :class:`CliState` (``@pass_state``): the event
file, the store, the clock (``--now``) and the output language.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TypeVar, cast

import attrs
import click

from participatie._facade import DEFAULT_STORE_URL, Participatie
from participatie.cli._help_nl import HELP_NL
from participatie.cli._output import LANGUAGES, detect_language, echo_error, text
from participatie.clock import Clock, FixedClock, SystemClock
from participatie.datetext import parse_datetime
from participatie.event_file import EventFile, load_event_file
from participatie.exceptions import (
    EventFileError,
    InvalidInputError,
    NotFoundError,
    ParticipatieError,
    PluginError,
    RegistrationRefusedError,
    StorageError,
    UnknownEventError,
    UnknownRegistrationError,
)
from participatie.importing import REASONS, reason_code
from participatie.localtime import DEFAULT_TIMEZONE
from participatie.model import Event, Registration, RegistrationState

__all__ = [
    "DEFAULT_EVENT_FILE",
    "CliError",
    "CliState",
    "ExitCode",
    "ParticipatieCommand",
    "ParticipatieGroup",
    "command",
    "event_option",
    "group",
    "pass_state",
]

#: The event file used when ``--file`` is not given (if it exists).
DEFAULT_EVENT_FILE: Final = "participatie.toml"

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(enum.IntEnum):
    """The exit statuses scripts can rely on."""

    #: Done; for a dry run: nothing would be refused.
    OK = 0
    #: Refused: a rule said no, rows of an import were refused, or a file has problems.
    REFUSED = 1
    #: The command line is wrong: an unknown option, a missing argument, an ambiguous choice.
    USAGE = 2
    #: The event, session or registration named does not exist.
    NOT_FOUND = 3
    #: The store or a plugin failed: cannot open, newer database, broken plugin.
    STORE = 4
    #: Stopped with Ctrl-C.
    INTERRUPTED = 130


class CliError(click.ClickException):
    """A message for the organiser and the exit code that goes with it."""

    def __init__(self, message: str, exit_code: int, label: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # Click declares a class default
        self.label = label

    def show(self, file: Any = None) -> None:
        """Print ``Label: message`` on standard error."""
        echo_error(f"{self.label}: {self.message}")


def _translate(error: ParticipatieError, state: CliState) -> CliError:
    language = state.language
    if isinstance(error, EventFileError):
        path = state.event_file_path()
        name = str(path) if path is not None else "event file"
        echo_error(text(language, "problems-in", file=name, count=len(error.problems)))
        for problem in error.problems:
            line = f"{name}:{problem.line}: " if problem.line is not None else f"{name}: "
            echo_error(f"  {line}{problem.text(language)}")
        return CliError(
            text(language, "fix-file", file=name), ExitCode.REFUSED, text(language, "error")
        )
    if isinstance(error, RegistrationRefusedError):
        code = reason_code(error)
        label = text(language, "refused")
        if code != "refused":
            label += " (" + REASONS[language][code].split(":")[0] + ")"
        return CliError(str(error), ExitCode.REFUSED, label)
    if isinstance(error, NotFoundError):
        return CliError(str(error), ExitCode.NOT_FOUND, text(language, "not-found"))
    if isinstance(error, PluginError | StorageError):
        return CliError(str(error), ExitCode.STORE, text(language, "store-error"))
    return CliError(str(error), ExitCode.REFUSED, text(language, "error"))


@attrs.define
class CliState:
    """The organiser's settings for one run of the command line.

    Attributes:
        language: ``"nl"`` or ``"en"``.
        language_chosen: Whether ``language`` was decided (by ``--lang``, the
            environment or the locale) rather than left at its default.
        file_option: The event file given with ``--file``, if any.
        store_option: The store URL given with ``--store``, if any.
        now_text: The moment given with ``--now``, if any.
    """

    language: str = "nl"
    language_chosen: bool = False
    file_option: Path | None = None
    store_option: str | None = None
    now_text: str | None = None
    _event_file: EventFile | None = None
    _loaded: bool = False

    def event_file_path(self) -> Path | None:
        """The event file in use: ``--file``, or ``participatie.toml`` here if there is one."""
        if self.file_option is not None:
            return self.file_option
        default = Path(DEFAULT_EVENT_FILE)
        return default if default.is_file() else None

    def event_file(self) -> EventFile | None:
        """The event file, read and checked once (problems raise EventFileError)."""
        if not self._loaded:
            path = self.event_file_path()
            self._event_file = None if path is None else load_event_file(path)
            self._loaded = True
        return self._event_file

    def store_url(self) -> str:
        """``--store``, else the event file's ``[store] url``, else the default."""
        if self.store_option is not None:
            return self.store_option
        event_file = self.event_file()
        if event_file is not None and event_file.store_url is not None:
            return event_file.store_url
        return DEFAULT_STORE_URL

    def timezone(self) -> str:
        """The event file's time zone (for ``--now``), or the default."""
        try:
            event_file = self.event_file()
        except EventFileError:
            return DEFAULT_TIMEZONE
        return event_file.event.timezone if event_file is not None else DEFAULT_TIMEZONE

    def clock(self) -> Clock:
        """The computer's clock, or the moment ``--now`` names (for rehearsals and replays)."""
        if self.now_text is None:
            return SystemClock()
        try:
            return FixedClock(parse_datetime(self.now_text, self.timezone()))
        except InvalidInputError as error:
            raise click.BadParameter(str(error), param_hint="--now") from error

    def now(self) -> datetime:
        """The current instant according to :meth:`clock`."""
        return self.clock().now()

    @contextlib.contextmanager
    def app(self) -> Iterator[Participatie]:
        """The store opened with the clock; closed when the block ends."""
        clock = self.clock()
        with Participatie.open(self.store_url(), clock=clock) as app:
            yield app

    def event(self, app: Participatie, given: str | None) -> Event:
        """The event a command is about.

        ``--event`` if given; else the event file's event; else the only event
        in the store. Several events and no choice is a usage error.
        """
        if given is not None:
            return app.event(given)
        event_file = self.event_file()
        if event_file is not None:
            try:
                stored = app.event(event_file.event.key)
            except UnknownEventError as error:
                raise UnknownEventError(
                    f"event {event_file.event.key!r} is not stored in {self.store_url()}; "
                    f"store it first: participatie event save"
                ) from error
            if stored != event_file.event:
                # Edited but not saved: the commands work with what is stored.
                echo_error(text(self.language, "event-differs", file=self.event_file_path()))
            return stored
        events = app.events()
        if len(events) == 1:
            return events[0]
        if not events:
            raise UnknownEventError(
                f"no event is stored in {self.store_url()}; "
                "store one first: participatie event save FILE"
            )
        keys = ", ".join(event.key for event in events)
        raise click.UsageError(text(self.language, "choose-event", keys=keys))

    def registration(
        self,
        app: Participatie,
        event: Event,
        given: str,
        *,
        session: str | None = None,
        states: frozenset[RegistrationState] | None = None,
    ) -> Registration:
        """A registration named by its number or by the person's e-mail address.

        With an address, the person's registrations for the event (and
        ``session``) in one of ``states`` are considered; more than one is a
        usage error that lists them by number.
        """
        if given.isdigit():
            registration = app.registration(int(given))
            if registration.event_key != event.key:
                raise UnknownRegistrationError(
                    f"registration {given} belongs to event {registration.event_key!r}, "
                    f"not {event.key!r}"
                )
            return registration
        found = [
            registration
            for registration in app.registrations_of(given.strip())
            if registration.event_key == event.key
            and (session is None or registration.session_key == session)
            and (states is None or registration.state in states)
        ]
        if not found:
            raise UnknownRegistrationError(
                f"no matching registration of {given!r} in {event.key!r}"
            )
        if len(found) > 1:
            listed = ", ".join(
                f"#{registration.id} ({registration.session_key}, {registration.state.value})"
                for registration in found
            )
            raise click.UsageError(
                text(self.language, "several-registrations", who=given, listed=listed)
            )
        return found[0]


pass_state = click.make_pass_decorator(CliState, ensure=True)


def _set_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        state = ctx.ensure_object(CliState)
        state.language = value
        state.language_chosen = True
    return value


def _lang_option() -> click.Option:
    return click.Option(
        ["--lang"],
        type=click.Choice(LANGUAGES),
        expose_value=False,
        is_eager=True,
        callback=_set_language,
        help="Language of the output: nl (Dutch) or en (English).",
    )


def _help_path(ctx: click.Context) -> str:
    """The command's path without the program name: ``"import registrations"``."""
    names: list[str] = []
    current: click.Context | None = ctx
    while current is not None and current.parent is not None:
        names.append(current.info_name or "")
        current = current.parent
    return " ".join(reversed(names)) or "participatie"


def _help_language(ctx: click.Context) -> str:
    state = ctx.find_object(CliState)
    if state is not None and state.language_chosen:
        return state.language
    return detect_language()


def _dutch(path: str, option: str | None = None) -> str | None:
    if option is None:
        return HELP_NL.get(path)
    return HELP_NL.get(f"{path} {option}") or HELP_NL.get(f"* {option}")


def _option_name(param: click.Parameter) -> str | None:
    if not isinstance(param, click.Option) or not param.opts:
        return None
    return max(param.opts, key=len)


@contextlib.contextmanager
def _in_dutch(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """Swap the English help texts for Dutch ones while help is written."""
    path = _help_path(ctx)
    saved: list[tuple[object, str, object]] = []

    def swap(target: object, attribute: str, dutch: str | None) -> None:
        if dutch is not None:
            saved.append((target, attribute, getattr(target, attribute)))
            setattr(target, attribute, dutch)

    swap(command, "help", _dutch(path))
    swap(command, "epilog", _dutch(f"{path} epilog"))
    for param in command.get_params(ctx):
        name = _option_name(param)
        if name is not None:
            swap(param, "help", _dutch(path, name))
    if isinstance(command, click.Group):
        prefix = "" if path == "participatie" else f"{path} "
        for name, sub in command.commands.items():
            swap(sub, "help", _dutch(f"{prefix}{name}"))
    swap(command, "_participatie_dutch", "nl")
    try:
        yield
    finally:
        for target, attribute, value in reversed(saved):
            setattr(target, attribute, value)


class _Translating:
    """Turns our errors into messages with exit codes, and writes help in Dutch or English."""

    _participatie_dutch: str | None = None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except ParticipatieError as error:
            raise _translate(error, ctx.ensure_object(CliState)) from error
        except KeyboardInterrupt:
            state = ctx.ensure_object(CliState)
            raise CliError("", ExitCode.INTERRUPTED, text(state.language, "interrupted")) from None

    def get_help(self, ctx: click.Context) -> str:
        """The help text, in Dutch when the output language is Dutch."""
        command = cast("click.Command", self)
        if _help_language(ctx) != "nl":
            return super().get_help(ctx)  # type: ignore[misc, no-any-return]
        with _in_dutch(command, ctx):
            return super().get_help(ctx)  # type: ignore[misc, no-any-return]

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = cast("click.Command", self)
        prefix = "Gebruik: " if self._participatie_dutch else None
        formatter.write_usage(
            ctx.command_path, " ".join(command.collect_usage_pieces(ctx)), prefix=prefix
        )

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self._participatie_dutch:
            super().format_options(ctx, formatter)  # type: ignore[misc]
            return
        command = cast("click.Command", self)
        records = [
            param.get_help_record(ctx)
            for param in command.get_params(ctx)
            if not isinstance(param, click.Argument)
        ]
        options = [record for record in records if record is not None]
        if options:
            with formatter.section("Opties"):
                formatter.write_dl(options)
        if isinstance(command, click.Group):
            self._dutch_commands(command, ctx, formatter)

    @staticmethod
    def _dutch_commands(
        group: click.Group, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = []
        names = group.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        for name in names:
            sub = group.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, sub.get_short_help_str(limit)))
        if rows:
            with formatter.section("Opdrachten"):
                formatter.write_dl(rows)


class ParticipatieCommand(_Translating, click.Command):
    """A command with the common ``--lang`` option and translated errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_lang_option())


class ParticipatieGroup(_Translating, click.Group):
    """A group whose commands are :class:`ParticipatieCommand` (and groups of this kind)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands (written with the options when the help is in Dutch)."""
        if not self._participatie_dutch:
            super().format_commands(ctx, formatter)

    command_class = ParticipatieCommand
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(param.name == "lang" for param in self.params):
            self.params.append(_lang_option())


def command(name: str | None = None, **kwargs: Any) -> Callable[[F], ParticipatieCommand]:
    """``click.command`` for participatie: a :class:`ParticipatieCommand`."""
    return click.command(name, cls=ParticipatieCommand, **kwargs)


def group(name: str | None = None, **kwargs: Any) -> Callable[[F], ParticipatieGroup]:
    """``click.group`` for participatie: a :class:`ParticipatieGroup`."""
    return click.group(name, cls=ParticipatieGroup, **kwargs)


def event_option(function: F) -> F:
    """The ``--event KEY`` option: which stored event a command is about."""
    return click.option(
        "--event",
        "event_key",
        metavar="KEY",
        help="The event (default: the event file's, or the only one stored).",
    )(function)
