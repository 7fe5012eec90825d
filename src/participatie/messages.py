"""What each kind of message says, in Dutch and English, and how organisers change it.

The default texts are Jinja2 templates shipped in ``participatie/templates``:
``<language>/<kind>.txt`` with a ``subject`` and a ``body`` block. Every
message gets the help-desk line (``<language>/_help_desk.txt``) appended, and
an HTML version made from the same text by ``layout.html`` with
autoescaping on, so a name like ``<b>Noor</b>`` shows as typed and cannot add
markup.

Organisers override the subject or body of any kind per event and language
with a :class:`TextOverride`. Their templates run in Jinja2's immutable
sandbox (no access to Python internals, no changing data), are compiled and
tried on sample data when the override is made, so a typo is reported then,
and if one still fails when a message is made, the default text is used and
the failure logged: a broken template never blocks a registration.

Templates see plain values, never model objects: ``person`` (``name``,
``organisation``), ``event`` (``title``, ``organiser``, ``purpose``,
``central_questions``, ``sessions``), ``session`` (``title``, ``when``,
``date``, ``start``, ``end``, ``place``, ``online_link``), ``help_desk``
(``email``, ``phone``), ``offer`` (``expires``), ``changes`` (a list of
``what``/``before``/``after``), ``group`` (``number``, ``name``,
``facilitator``, ``link``), ``feedback`` (``link``, ``deadline``), ``thanks``
(``outcome``, ``link``), ``invitation`` (``registration_link``, ``closes``), ``moved`` (``to``: the
session someone was moved to, in a cancellation of their old place),
``registration`` (``link``: the person's own page, when
:attr:`~participatie.Notifications.personal_link` is set), ``calendar``
(whether a calendar part is attached) and ``language``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from participatie import _validate as v
from participatie.exceptions import InvalidInputError, TemplateError
from participatie.localtext import format_date, format_instant, format_time, format_when
from participatie.model import Event, HelpDesk, Session

__all__ = [
    "CANCELLATION",
    "CHANGE",
    "CONFIRMATION",
    "FEEDBACK_INVITATION",
    "FEEDBACK_REMINDER",
    "GROUP_ASSIGNMENT",
    "INVITATION",
    "MESSAGE_KINDS",
    "OFFER",
    "OFFER_EXPIRED",
    "REMINDER",
    "THANK_YOU",
    "WAITING_LIST",
    "MessageTexts",
    "RenderedText",
    "TextOverride",
    "event_context",
    "localise",
    "sample_context",
    "session_context",
]

logger = logging.getLogger(__name__)

#: An invitation to register, to contact lists and partner organisations.
INVITATION = "invitation"
#: A place is confirmed (registered, promoted from the waiting list, offer accepted).
CONFIRMATION = "confirmation"
#: The session is full; the person waits.
WAITING_LIST = "waiting-list"
#: A freed place is offered until a deadline.
OFFER = "offer"
#: An offered place was not accepted in time.
OFFER_EXPIRED = "offer-expired"
#: The person's group, with its link and a calendar invitation.
GROUP_ASSIGNMENT = "group-assignment"
#: A reminder before the session starts.
REMINDER = "reminder"
#: What changed ("time: 10:00 → 11:00"), with the updated calendar entry.
CHANGE = "change"
#: The registration is cancelled; the calendar entry is withdrawn (CANCEL).
CANCELLATION = "cancellation"
#: An invitation to respond to the draft response (a feedback round).
FEEDBACK_INVITATION = "feedback-invitation"
#: A reminder to those who have not responded in a feedback round.
FEEDBACK_REMINDER = "feedback-reminder"
#: Thanks, and what was done with the input.
THANK_YOU = "thank-you"

#: Every message kind with default texts in both languages.
MESSAGE_KINDS: tuple[str, ...] = (
    INVITATION,
    CONFIRMATION,
    WAITING_LIST,
    OFFER,
    OFFER_EXPIRED,
    GROUP_ASSIGNMENT,
    REMINDER,
    CHANGE,
    CANCELLATION,
    FEEDBACK_INVITATION,
    FEEDBACK_REMINDER,
    THANK_YOU,
)

_LANGUAGES = ("nl", "en")
_BLANK_LINES = re.compile(r"\n{3,}")


def _environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        loader=jinja2.PackageLoader("participatie", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html",), default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
    )


def _kind(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in MESSAGE_KINDS:
        raise InvalidInputError(
            f"no message kind {value!r}; the kinds are: {', '.join(MESSAGE_KINDS)}"
        )


def _compile(environment: jinja2.Environment, source: str, what: str) -> jinja2.Template:
    try:
        return environment.from_string(source)
    except jinja2.TemplateError as error:
        raise TemplateError(f"the {what} template cannot be read: {error}") from error


@attrs.frozen
class TextOverride:
    """An organiser's own subject and/or body for one kind of message, event and language.

    The texts are Jinja2 templates (``{{ person.name }}``, ``{% if … %}``),
    rendered in a sandbox. The help-desk line is always added after the body.
    Made, it has been compiled and tried on sample data: a template that
    cannot be read or uses an unknown name raises
    :class:`~participatie.exceptions.TemplateError` here.

    Attributes:
        event_key: The event the texts are for.
        kind: The message kind (one of :data:`MESSAGE_KINDS`).
        language: ``"nl"`` or ``"en"``.
        subject: The subject template (one line), or ``None`` for the default.
        body: The body template, or ``None`` for the default.
    """

    event_key: str = attrs.field(validator=v.slug)
    kind: str = attrs.field(validator=_kind)
    language: str = attrs.field(validator=attrs.validators.in_(_LANGUAGES))
    subject: str | None = attrs.field(default=None, kw_only=True)
    body: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.subject is None and self.body is None:
            raise InvalidInputError("a text override needs a subject, a body, or both")
        texts = MessageTexts([])
        try:
            texts.render_override(self, sample_context(self.kind, self.language))
        except (jinja2.TemplateError, InvalidInputError) as error:
            if isinstance(error, TemplateError):
                raise
            raise TemplateError(
                f"the {self.language} {self.kind} text for {self.event_key!r} fails on "
                f"sample data: {error}"
            ) from error


@attrs.frozen
class RenderedText:
    """The texts of one message.

    Attributes:
        subject: One line.
        text: The plain text, ending with the help-desk line.
        html: The same as an HTML document.
    """

    subject: str
    text: str
    html: str


class MessageTexts:
    """Renders the texts of every kind, with the organisers' overrides.

    Attributes:
        overrides: The overrides, by ``(event_key, kind, language)``.
    """

    def __init__(self, overrides: Iterable[TextOverride] = ()) -> None:
        self._environment = _environment()
        self.overrides: dict[tuple[str, str, str], TextOverride] = {}
        self._compiled: dict[tuple[str, str, str], tuple[Any, Any]] = {}
        for override in overrides:
            key = (override.event_key, override.kind, override.language)
            if key in self.overrides:
                raise InvalidInputError(
                    f"two text overrides for the {override.language} {override.kind} "
                    f"message of {override.event_key!r}"
                )
            self.overrides[key] = override

    def _override_templates(self, override: TextOverride) -> tuple[Any, Any]:
        key = (override.event_key, override.kind, override.language)
        if key not in self._compiled:
            subject = (
                None
                if override.subject is None
                else _compile(self._environment, override.subject, "subject")
            )
            body = (
                None
                if override.body is None
                else _compile(self._environment, override.body, "body")
            )
            self._compiled[key] = (subject, body)
        return self._compiled[key]

    def _default(self, kind: str, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
        template = self._environment.get_template(f"{language}/{kind}.txt")
        blocks = template.new_context(dict(context))
        subject = "".join(template.blocks["subject"](blocks))
        body = "".join(template.blocks["body"](blocks))
        return subject, body

    def render_override(self, override: TextOverride, context: Mapping[str, Any]) -> RenderedText:
        """Render with ``override`` (raising on any failure): used to check an override."""
        subject, body = self._default(override.kind, override.language, context)
        subject_template, body_template = self._override_templates(override)
        if subject_template is not None:
            subject = subject_template.render(context)
        if body_template is not None:
            body = body_template.render(context)
        return self._finish(subject, body, override.language, context)

    def render(
        self,
        kind: str,
        language: str,
        context: Mapping[str, Any],
        *,
        event_key: str | None = None,
    ) -> RenderedText:
        """The texts of a ``kind`` message in ``language``, with the event's override if any."""
        if kind not in MESSAGE_KINDS:
            raise InvalidInputError(f"no message kind {kind!r}")
        override = self.overrides.get((event_key or "", kind, language))
        if override is not None:
            try:
                return self.render_override(override, context)
            except (jinja2.TemplateError, InvalidInputError) as error:
                logger.error(
                    "the organiser's %s %s text for %r failed (%s); using the default text",
                    language,
                    kind,
                    event_key,
                    type(error).__name__,
                )
        subject, body = self._default(kind, language, context)
        return self._finish(subject, body, language, context)

    def _finish(
        self, subject: str, body: str, language: str, context: Mapping[str, Any]
    ) -> RenderedText:
        subject = " ".join(subject.split())
        lines = [line.rstrip() for line in body.strip("\n").splitlines()]
        body = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
        help_desk = (
            self._environment.get_template(f"{language}/_help_desk.txt").render(context).strip()
        )
        text = f"{body}\n\n{help_desk}\n"
        paragraphs = [paragraph.split("\n") for paragraph in body.split("\n\n") if paragraph]
        html = self._environment.get_template("layout.html").render(
            language=language, subject=subject, paragraphs=paragraphs, help_desk=help_desk
        )
        if not subject:
            raise InvalidInputError("the subject came out empty")
        return RenderedText(subject=subject, text=text, html=html)


# --- what the templates see -------------------------------------------------


def _empty_namespaces() -> dict[str, Any]:
    return {
        "offer": {"expires": None},
        "changes": [],
        "group": {"number": None, "name": None, "facilitator": None, "link": None},
        "feedback": {"link": None, "deadline": None},
        "thanks": {"outcome": None, "link": None},
        "invitation": {"registration_link": None, "closes": None},
        "moved": {"to": None},
        "registration": {"link": None},
        "calendar": False,
    }


def session_context(event: Event, session: Session, language: str) -> dict[str, Any]:
    """The ``session`` namespace: its title, when it is (in the event's zone), where."""
    zone = event.timezone
    return {
        "key": session.key,
        "title": session.title,
        "when": format_when(session.start, session.end, zone, language),
        "date": format_date(session.start, zone, language),
        "start": format_time(session.start, zone, language),
        "end": format_time(session.end, zone, language),
        "place": session.place,
        "online_link": session.online_link,
    }


def event_context(
    event: Event,
    language: str,
    *,
    name: str,
    organisation: str | None = None,
    session: Session | None = None,
) -> dict[str, Any]:
    """Everything a template may use for one person (the kind-specific parts empty)."""
    context: dict[str, Any] = {
        "language": language,
        "person": {"name": name, "organisation": organisation},
        "event": {
            "key": event.key,
            "title": event.title,
            "organiser": event.organiser,
            "purpose": event.purpose,
            "central_questions": list(event.central_questions),
            "sessions": [session_context(event, item, language) for item in event.sessions],
        },
        "help_desk": _help_desk(event.help_desk),
        "session": None if session is None else session_context(event, session, language),
    }
    context.update(_empty_namespaces())
    return context


def _help_desk(help_desk: HelpDesk) -> dict[str, str | None]:
    return {"email": help_desk.email, "phone": help_desk.phone}


def localise(value: Any, timezone: str, language: str) -> Any:
    """Datetimes inside ``value`` (dicts and lists too) as local text; the rest unchanged."""
    if isinstance(value, datetime):
        return format_instant(value, timezone, language)
    if isinstance(value, Mapping):
        return {key: localise(item, timezone, language) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [localise(item, timezone, language) for item in value]
    return value


def sample_context(kind: str, language: str) -> dict[str, Any]:
    """Fictional data for trying a template of ``kind`` (every name filled in)."""
    start = datetime(2021, 5, 21, 8, 0, tzinfo=UTC)
    session = Session(
        "voorbeeld",
        "Dialoogbijeenkomst",
        start,
        start + timedelta(hours=1, minutes=30),
        online_link="https://meet.example.org/voorbeeld",
        place="Vanaf uw eigen werkplek",
    )
    event = Event(
        key="voorbeeld",
        title="Dialoogbijeenkomst toekomstscenario",
        organiser="Landelijke organisatie van cliëntenraden",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="+31 30 000 0000"),
        purpose="In gesprek over het toekomstscenario.",
        central_questions=["Wat vindt u van het scenario?"],
        sessions=[session],
    )
    context = event_context(
        event, language, name="Noor Voorbeeld", organisation="Cliëntenraad", session=session
    )
    when = format_instant(start + timedelta(days=2), event.timezone, language)
    context.update(
        offer={"expires": when},
        changes=[
            {"what": "tijd" if language == "nl" else "time", "before": "10:00", "after": "11:00"}
        ],
        group={"number": 2, "name": "Groep B", "facilitator": "Sam Gespreksleider", "link": None},
        feedback={"link": "https://example.org/concept", "deadline": when},
        thanks={
            "outcome": "Uw inbreng staat in de reactie.",
            "link": "https://example.org/reactie",
        },
        invitation={"registration_link": "https://example.org/aanmelden", "closes": when},
        registration={"link": "https://example.org/mijn/voorbeeld"},
        calendar=kind in {CONFIRMATION, CHANGE, CANCELLATION, GROUP_ASSIGNMENT},
    )
    return context
