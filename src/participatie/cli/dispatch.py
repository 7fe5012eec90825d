"""The ``dispatch`` command: send the messages waiting in the store's outbox.

Changes made through the library (with notifications set up) queue their
messages in the store; this command sends what is due, once, or every
``--interval`` seconds with ``--loop``. The channels come from the event
file's ``[channels]`` section (``enabled`` and each channel's options);
without one, messages go to the ``outbox`` channel, which writes ``.eml``
files into ``--folder``. Only messages queued for these channels are sent;
others wait for a run that has their channel.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from participatie._facade import Participatie
from participatie.cli._context import CliState, ExitCode, command, pass_state
from participatie.cli._output import add_texts, echo, echo_error, text
from participatie.dispatch import DispatchReport
from participatie.notifications import Notifications

__all__ = ["register"]

add_texts(
    {
        "nl": {
            "dispatch.counts": "verzonden {sent}, opnieuw te proberen {retried}, mislukt {failed}",
            "dispatch.failure": "  {final} {kind} via {channel} ({key}): {error}",
            "dispatch.final": "MISLUKT",
            "dispatch.retry": "later opnieuw",
            "dispatch.hung": "kanaal reageert niet: {channel}",
            "dispatch.purged": "{count} oude bericht(en) gewist (ouder dan {days} dagen)",
        },
        "en": {
            "dispatch.counts": "sent {sent}, to retry {retried}, failed {failed}",
            "dispatch.failure": "  {final} {kind} via {channel} ({key}): {error}",
            "dispatch.final": "FAILED",
            "dispatch.retry": "retry",
            "dispatch.hung": "channel not responding: {channel}",
            "dispatch.purged": "{count} old message(s) deleted (older than {days} days)",
        },
    }
)


def _notifications(state: CliState, folder: Path) -> Notifications:
    """The event file's channels; else the ``outbox`` channel writing into ``folder``.

    The outbox channel's sender is the help desk of the event (the event
    file's, or the only one stored), so that replies reach someone.
    """
    event_file = state.event_file()
    if event_file is not None and event_file.channels.enabled:
        settings = event_file.channels
        options: dict[str, dict[str, Any]] = {
            name: dict(settings.options.get(name, {})) for name in settings.enabled
        }
        return Notifications(channels=settings.enabled, options=options)
    with state.app() as app:
        sender = state.event(app, None).help_desk.email
    return Notifications(
        channels=("outbox",), options={"outbox": {"folder": str(folder), "sender": sender}}
    )


def _print(report: DispatchReport, language: str) -> None:
    echo(
        text(
            language,
            "dispatch.counts",
            sent=report.sent,
            retried=report.retried,
            failed=report.failed,
        )
    )
    for failure in report.failures:
        # The key and the kind of error name the message, never the person's
        # address (a mail server's refusal may quote it; the outbox keeps it).
        echo_error(
            text(
                language,
                "dispatch.failure",
                final=text(language, "dispatch.final" if failure.final else "dispatch.retry"),
                kind=failure.kind,
                channel=failure.channel,
                key=failure.key,
                error=failure.error.split(":", 1)[0],
            )
        )
    for channel in report.hung_channels:
        echo_error(text(language, "dispatch.hung", channel=channel))


@command("dispatch")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("outbox"),
    show_default=True,
    help="Where the outbox channel writes its .eml files, when the event file names no [channels].",
)
@click.option(
    "--loop/--once",
    default=False,
    help="Keep sending every --interval seconds until stopped (Ctrl-C); default: once.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds between runs with --loop.",
)
@click.option(
    "--purge-after",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="After sending, delete sent, failed and superseded messages older than DAYS "
    "(their keys are kept, so nothing is sent twice).",
)
@pass_state
def dispatch(
    state: CliState, folder: Path, loop: bool, interval: float, purge_after: int | None
) -> None:
    """Send the messages that are due, once (or with --loop, again and again).

    The channels are the event file's [channels] (enabled, and each one's
    options); without them, messages go out on the outbox channel as .eml
    files in --folder. Prints how many were sent, are to be retried and
    failed for good; exits with 1 when any failed for good.
    """
    notifications = _notifications(state, folder)
    with Participatie.open(
        state.store_url(), clock=state.clock(), notifications=notifications
    ) as app:
        dispatcher = app.dispatcher()
        if loop:
            dispatcher.run(interval=interval, stop=threading.Event())
            return  # pragma: no cover - run() returns only when stopped
        report = dispatcher.run_once()
        purged = None if purge_after is None else app.purge_outbox(timedelta(days=purge_after))
    _print(report, state.language)
    if purged is not None:
        echo(text(state.language, "dispatch.purged", count=purged, days=purge_after))
    if report.failed:
        raise click.exceptions.Exit(ExitCode.REFUSED)


def register(cli: click.Group) -> None:
    """Add ``dispatch`` to the main command."""
    cli.add_command(dispatch)
