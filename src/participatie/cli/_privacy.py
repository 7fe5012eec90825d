"""Files with names: who asked for them, and the privacy log that keeps track of them.

participatie exports name nobody unless someone asks (see the organiser's
privacy page). A command that writes names or e-mail addresses to a file —
calendar invitations, messages to send, the comments of a round, a named
report, a Zoom file — takes ``--requested-by`` (or ``PARTICIPATIE_REQUESTED_BY``):
the organiser's own address. Each such file is recorded in the privacy log
with it, so that the organiser can account for it, retention removes it when
the event's period is over, and an erasure request takes the person out of
it (rows of a CSV file; a file of its own, such as one person's message,
whole).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final, TypeVar

import click

from participatie._facade import Participatie
from participatie._validate import normalise_email
from participatie.cli._output import add_texts, text
from participatie.exceptions import InvalidInputError
from participatie.storage import PrivacyRecord

__all__ = ["REQUESTED_BY_ENV", "record_files", "requested_by_option", "require"]

#: The environment variable that holds the organiser's address for ``--requested-by``.
REQUESTED_BY_ENV: Final = "PARTICIPATIE_REQUESTED_BY"
#: The privacy-log action of a file written with people's data on request.
NAMES_EXPORTED: Final = "names-exported"

F = TypeVar("F", bound=Callable[..., Any])

add_texts(
    {
        "nl": {
            "privacy.requested-by": (
                "{what} schrijft namen of e-mailadressen: geef uw eigen adres met --requested-by "
                "(of {env}), zodat het bestand in het privacylogboek komt"
            ),
        },
        "en": {
            "privacy.requested-by": (
                "{what} writes names or e-mail addresses: give your own address with "
                "--requested-by (or {env}), so that the file is recorded in the privacy log"
            ),
        },
    }
)


def _check(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_email(value)
    except InvalidInputError as error:
        raise click.BadParameter(str(error)) from error


def requested_by_option(*, required: bool = False) -> Callable[[F], F]:
    """The ``--requested-by EMAIL`` option (default: ``PARTICIPATIE_REQUESTED_BY``)."""
    return click.option(
        "--requested-by",
        "requested_by",
        metavar="EMAIL",
        envvar=REQUESTED_BY_ENV,
        required=required,
        callback=_check,
        help="Your e-mail address: files with names are recorded in the privacy log with it "
        f"(default: {REQUESTED_BY_ENV}).",
    )


def require(requested_by: str | None, what: str, language: str) -> str:
    """The address, or a usage error saying that ``what`` needs it."""
    if requested_by is None:
        raise click.UsageError(
            text(language, "privacy.requested-by", what=what, env=REQUESTED_BY_ENV)
        )
    return requested_by


def record_files(
    app: Participatie,
    event_key: str,
    subject: str,
    files: Iterable[tuple[Path, int]],
    requested_by: str,
) -> None:
    """Record each ``(file, people in it)`` in the privacy log as written on request."""
    now = app.now()
    for path, people in files:
        app.store.record_privacy(
            PrivacyRecord(
                now,
                NAMES_EXPORTED,
                event_key,
                subject,
                str(path.resolve()),
                requested_by,
                people,
            )
        )
