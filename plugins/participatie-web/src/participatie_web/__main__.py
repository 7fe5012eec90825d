"""``python -m participatie_web``: run the participant's site on a store.

It listens on 127.0.0.1 by default: put it behind the reverse proxy that
serves your HTTPS address, and pass that address as ``--base-url``, so the
personal links it makes are the ones participants can open.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TextIO

import attrs

from participatie import (
    DEFAULT_STORE_URL,
    Clock,
    Notifications,
    Participatie,
    ParticipatieError,
    SystemClock,
    parse_datetime,
)
from participatie_web._app import WebSettings, create_app
from participatie_web._links import LinkSigner
from participatie_web._security import RateLimiter

__all__ = ["ShiftedClock", "main", "print_links"]


@attrs.frozen
class ShiftedClock:
    """The computer's clock moved by a fixed offset: a rehearsal at another date.

    Unlike a :class:`~participatie.FixedClock` it keeps running, so offers
    lapse and links age during a demonstration as they would for real.

    Attributes:
        offset: Added to the computer's time.
    """

    offset: timedelta

    def now(self) -> datetime:
        """The shifted current instant, in UTC."""
        return datetime.now(UTC) + self.offset


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m participatie_web",
        description="Run the participant's site: register, my registration, feedback rounds.",
    )
    parser.add_argument(
        "--store",
        default=os.environ.get("PARTICIPATIE_STORE", DEFAULT_STORE_URL),
        help="where the data is kept (default: $PARTICIPATIE_STORE or %(default)s)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (%(default)s)")
    parser.add_argument(
        "--base-url",
        help="the address participants use, e.g. https://meedoen.example.org "
        "(default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--secret-file",
        help="a file holding the site's secret (at least 32 characters); default: "
        "$PARTICIPATIE_WEB_SECRET, else a random secret that voids all links on restart",
    )
    parser.add_argument(
        "--status-token-file",
        help="a file holding the token of the status page /status/<token>; default: "
        "$PARTICIPATIE_WEB_STATUS_TOKEN, else no status page",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=10,
        help="registrations per client address per 10 minutes; 0 switches it off (%(default)s)",
    )
    parser.add_argument(
        "--trust-proxy",
        metavar="ADDRESS",
        help="the address of your reverse proxy (e.g. 127.0.0.1): its X-Forwarded-For "
        "header then gives the client address the rate limit counts; without it every "
        "participant behind the proxy shares one address",
    )
    parser.add_argument(
        "--now",
        default=os.environ.get("PARTICIPATIE_NOW"),
        help='act as if it is this moment ("2020-10-28 09:00"); the clock runs on from there',
    )
    parser.add_argument(
        "--print-links",
        action="store_true",
        help="print every personal link (registrations and feedback rounds) and exit: "
        "for a rehearsal, never for real participants' links in a shared terminal",
    )
    parser.add_argument(
        "--channel",
        action="append",
        metavar="NAME",
        help="queue the participants' messages (confirmation, waiting list, offers, with "
        "their personal link) for this channel; repeat for several; use the channels your "
        "dispatcher runs (default: outbox)",
    )
    parser.add_argument(
        "--no-messages",
        action="store_true",
        help="queue no messages (the organiser sends everything another way)",
    )
    parser.add_argument("--lang", choices=("nl", "en"), default="nl", help="default language")
    return parser


def _read_secret(path: str | None, variable: str) -> str | None:
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.environ.get(variable) or None


def print_links(app: Participatie, signer: LinkSigner, out: TextIO | None = None) -> int:
    """Print the personal link of every registration and feedback recipient; return how many."""
    stream = out if out is not None else sys.stdout
    count = 0
    for event in app.events():
        for registration in app.registrations(event.key):
            if registration.person.is_erased:
                continue
            print(
                f"{registration.session_key}  {registration.state.value:<10}  "
                f"{registration.person.email}  {signer.registration_link(registration)}",
                file=stream,
            )
            count += 1
        for feedback_round in app.feedback_rounds(event.key):
            for recipient in feedback_round.recipients:
                if recipient.email.endswith(".invalid"):
                    continue
                print(
                    f"round {feedback_round.id}  {recipient.email}  "
                    f"{signer.feedback_link(feedback_round, recipient)}",
                    file=stream,
                )
                count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    """Run the site (or print the links) and return the exit code."""
    arguments = _parser().parse_args(argv)
    import uvicorn

    secret = _read_secret(arguments.secret_file, "PARTICIPATIE_WEB_SECRET")
    if secret is None:
        secret = secrets.token_urlsafe(32)
        print(
            "No secret given: using a random one. Personal links stop working when the "
            "site restarts; set PARTICIPATIE_WEB_SECRET or --secret-file.",
            file=sys.stderr,
        )
    status_token = _read_secret(arguments.status_token_file, "PARTICIPATIE_WEB_STATUS_TOKEN")
    clock: Clock = SystemClock()
    if arguments.now:
        try:
            then = parse_datetime(arguments.now)
        except ParticipatieError as error:
            print(f"--now: {error}", file=sys.stderr)
            return 2
        clock = ShiftedClock(then - datetime.now(UTC))
    base_url = arguments.base_url or f"http://{arguments.host}:{arguments.port}"
    signer = LinkSigner(secret, base_url, clock=clock)
    # Registrations on the site queue their messages in the store's outbox,
    # each with the person's own link; the organiser's dispatcher sends them.
    notifications = (
        None
        if arguments.no_messages
        else Notifications(
            channels=tuple(arguments.channel or ("outbox",)),
            personal_link=signer.registration_link,
        )
    )
    try:
        app = Participatie.open(arguments.store, clock=clock, notifications=notifications)
    except ParticipatieError as error:
        print(f"Cannot open the store {arguments.store}: {error}", file=sys.stderr)
        return 4
    if arguments.print_links:
        with app:
            print_links(app, signer)
        return 0
    settings = WebSettings(
        signer,
        status_token=status_token,
        rate_limit=RateLimiter(arguments.rate_limit or None),
        default_language=arguments.lang,
    )
    if status_token:
        print(f"Status page: {base_url}/status/<token from the file or variable>", file=sys.stderr)
    with app:
        uvicorn.run(
            create_app(app, settings),
            host=arguments.host,
            port=arguments.port,
            log_level="info",
            # Paths hold personal links: never write them to a log.
            access_log=False,
            server_header=False,
            proxy_headers=arguments.trust_proxy is not None,
            forwarded_allow_ips=arguments.trust_proxy,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
