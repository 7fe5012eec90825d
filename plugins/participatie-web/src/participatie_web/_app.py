"""The participant's site as a Starlette application.

Every decision is the core's: the site reads the form, hands it to
:class:`participatie.Participatie` and shows what the core decided, in the
participant's language. Core calls are blocking (SQLite, PostgreSQL), so
each request's work runs in Starlette's thread pool, never on the event
loop. Every change is a POST with a CSRF token, answered by a redirect, so
reloading a page never repeats a change.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import attrs
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from participatie import (
    GUARDIAN,
    PARTICIPANT,
    AgeCategory,
    ChangeDeadlinePassedError,
    Consent,
    DraftVersion,
    Event,
    FeedbackRefusedError,
    FeedbackRound,
    GroupDetails,
    IllegalTransitionError,
    InvalidInputError,
    NotFoundError,
    OfferExpiredError,
    Opinion,
    Participatie,
    ParticipatieError,
    Person,
    Recipient,
    Registration,
    RegistrationRefusedError,
    RegistrationState,
    RoundClosedError,
    RoundStatus,
    Section,
    SectionResponse,
    Session,
    rules,
)
from participatie.localtext import format_instant
from participatie_web._links import LinkSigner
from participatie_web._security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CsrfTokens,
    RateLimiter,
    SecurityHeaders,
)
from participatie_web._texts import (
    LANGUAGES,
    FieldError,
    choose_language,
    refusal,
    session_when,
    translate,
    until,
)

__all__ = ["WebSettings", "create_app"]

_STATIC = Path(__file__).parent / "static"
_LANGUAGE_COOKIE = "participatie_lang"
_LANGUAGE_NAMES = (("nl", "Nederlands"), ("en", "English"))
_S = RegistrationState
#: Notices after a change, by the code in the redirect's query (no personal data).
_DONE = {
    "cancelled": "done_cancelled",
    "accepted": "done_accepted",
    "declined": "done_declined",
}
_PROBLEMS = {
    "expired": "offer_expired",
    "too-late": "cancel_too_late",
    "not-possible": "change_not_possible",
}
_AGES = ("adult", "16-17", "12-15", "under-12")


def _no_consent_text() -> Mapping[str, str]:
    # An empty mapping: every language falls back to the plain default text.
    return {}


@attrs.define
class WebSettings:
    """How the site is set up by the organiser.

    Attributes:
        signer: Makes and checks personal links (holds the site's secret).
        status_token: The token of the read-only status page
            (``/status/<token>``); ``None`` switches the page off.
        rate_limit: The limit on registrations per client address.
        consent_text: The consent text per language (``{"nl": …, "en": …}``)
            shown above the consent box; a plain default when empty. Its
            version is the event's ``consent_version``, so a registration
            made on a form with an older text is refused by the core.
        consent_version: The version recorded when the event sets none.
        site_name: The name in the page header.
        default_language: The language when the browser states no preference.
        secure_cookies: Send cookies only over HTTPS (on by default when
            the signer's base URL starts with ``https``).
        show_link_after_registration: Send a new registrant straight to their
            personal page. Switch it off when the link goes out only by
            e-mail (the page then only confirms).
    """

    signer: LinkSigner
    status_token: str | None = attrs.field(default=None, repr=False)
    rate_limit: RateLimiter = attrs.field(factory=RateLimiter)
    consent_text: Mapping[str, str] = attrs.field(factory=_no_consent_text)
    consent_version: str = "web-1"
    site_name: str = "Meedoen"
    default_language: str = attrs.field(default="nl", validator=attrs.validators.in_(LANGUAGES))
    secure_cookies: bool | None = None
    show_link_after_registration: bool = True

    @status_token.validator
    def _check_status_token(self, _attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and len(value) < 16:
            raise InvalidInputError("the status token must be at least 16 characters")

    @property
    def cookies_secure(self) -> bool:
        """Whether cookies carry the ``Secure`` flag."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.signer.base_url.startswith("https://")


@attrs.frozen
class _Page:
    """What a request resolved to, before the language and CSRF cookies are added."""

    template: str | None
    context: dict[str, Any] = attrs.field(factory=dict)
    status: int = 200
    redirect: str | None = None
    body: bytes | None = None
    media_type: str | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)


class _Site:
    """The request handlers, on one :class:`Participatie` and one :class:`WebSettings`."""

    def __init__(self, app: Participatie, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings
        self.csrf = CsrfTokens(settings.signer.secret)
        self.templates = Environment(
            loader=PackageLoader("participatie_web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # --- plumbing -----------------------------------------------------------

    def language(self, request: Request) -> str:
        asked = request.query_params.get("lang")
        if asked in LANGUAGES:
            return asked
        cookie = request.cookies.get(_LANGUAGE_COOKIE)
        if cookie in LANGUAGES:
            return cookie
        return choose_language(
            request.headers.get("accept-language"), self.settings.default_language
        )

    async def handle(
        self, request: Request, handler: Callable[[Request, str, FormData | None], _Page]
    ) -> Response:
        language = self.language(request)
        form: FormData | None = None
        if request.method == "POST":
            form = await request.form()
            if not self.csrf.is_valid(
                request.cookies.get(CSRF_COOKIE), _text(form.get(CSRF_FIELD))
            ):
                page = self.message_page(language, "csrf_title", "csrf", status=403)
                return self.respond(request, language, page)
        page = await run_in_threadpool(handler, request, language, form)
        return self.respond(request, language, page)

    def respond(self, request: Request, language: str, page: _Page) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE) or CsrfTokens.new_cookie_value()
        response: Response
        if page.redirect is not None:
            response = RedirectResponse(page.redirect, status_code=303)
        elif page.body is not None:
            response = Response(
                page.body, status_code=page.status, media_type=page.media_type, headers=page.headers
            )
        else:
            assert page.template is not None
            base = request.scope.get("root_path", "")
            context = {
                "lang": language,
                "t": lambda key, **values: translate(key, language, **values),
                "base": base,
                "site_name": self.settings.site_name,
                "languages": _LANGUAGE_NAMES,
                "lang_links": {
                    code: f"{base}{request.url.path[len(base) :]}?{urlencode({'lang': code})}"
                    for code in LANGUAGES
                },
                "csrf_token": self.csrf.token_for(cookie),
                "errors": [],
                "errors_by_field": {},
                "event": None,
            }
            context.update(page.context)
            html = self.templates.get_template(page.template).render(context)
            response = HTMLResponse(html, status_code=page.status, headers=page.headers)
        secure = self.settings.cookies_secure
        if request.cookies.get(CSRF_COOKIE) != cookie:
            response.set_cookie(
                CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure, path="/"
            )
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(
                _LANGUAGE_COOKIE,
                language,
                max_age=365 * 24 * 3600,
                samesite="lax",
                secure=secure,
                path="/",
            )
        return response

    def message_page(
        self,
        language: str,
        title: str,
        text: str,
        *,
        status: int,
        event: Event | None = None,
        back: str | None = None,
        headers: Mapping[str, str] | None = None,
        **values: object,
    ) -> _Page:
        return _Page(
            "message.html",
            {
                "title": translate(title, language),
                "text": translate(text, language, **values),
                "event": event,
                "back": back,
            },
            status=status,
            headers=dict(headers or {}),
        )

    def invalid_link(self, language: str) -> _Page:
        return self.message_page(language, "link_invalid_title", "link_invalid", status=404)

    def not_found(self, language: str) -> _Page:
        return self.message_page(language, "not_found_title", "not_found", status=404)

    # --- events and registration ---------------------------------------------

    def index(self, request: Request, language: str, form: FormData | None) -> _Page:
        events = self.app.events()
        return _Page(
            "index.html",
            {"title": translate("events_title", language), "events": events},
        )

    def event_page(self, request: Request, language: str, form: FormData | None) -> _Page:
        try:
            event = self.app.event(request.path_params["event_key"])
        except NotFoundError:
            return self.not_found(language)
        if form is None:
            values: dict[str, Any] = {"session": request.query_params.get("session")}
            return self._event(event, language, values, [])
        return self._register(request, event, language, form)

    def _event(
        self,
        event: Event,
        language: str,
        values: Mapping[str, Any],
        errors: list[FieldError],
        status: int = 200,
    ) -> _Page:
        def t(key: str, **items: object) -> str:
            return translate(key, language, **items)

        now = self.app.now()
        rows: dict[str | None, list[dict[str, Any]]] = {}
        for session in event.sessions:
            places = self.app.places(event.key, session.key)
            if places.capacity is None:
                places_text = t("places_unlimited")
            elif places.free:
                places_text = t("places_left_n", free=places.free, capacity=places.capacity)
            elif session.waiting_list.value != "none":
                places_text = t("full_waiting")
            else:
                places_text = t("full")
            is_open = (
                not session.cancelled
                and (session.registration_opens is None or now >= session.registration_opens)
                and now < session.closes_at
            )
            row = {
                "session": session,
                "when": session_when(session, event, language),
                "where": _where(session, language),
                "places": places_text,
                "deadline": until(session.closes_at, event.timezone, language),
                "open": is_open,
                "closed_text": t("cancelled_session" if session.cancelled else "closed"),
            }
            audiences: str | None = "+".join(sorted(session.audiences)) or None
            rows.setdefault(audiences, []).append(row)
        session_groups = []
        for key, group_rows in rows.items():
            if key is None:
                heading = t("sessions_for_all")
            else:
                labels = [event.audience(part).label for part in key.split("+")]
                joiner = " en " if language == "nl" else " and "
                heading = t("sessions_for", audience=joiner.join(labels))
            session_groups.append({"heading": heading, "rows": group_rows})
        guardian_ages = [
            s.guardian_consent_below for s in event.sessions if s.guardian_consent_below
        ]
        by_field = {error.field: error.message for error in errors}
        consent_text = self.settings.consent_text.get(language) or t(
            "consent_default", organiser=event.organiser
        )
        return _Page(
            "event.html",
            {
                "title": event.title,
                "event": event,
                "session_groups": session_groups,
                "session_options": [
                    (s.key, f"{s.title} – {session_when(s, event, language)}")
                    for s in event.sessions
                    if not s.cancelled
                ],
                "audience_options": [(a.key, a.label) for a in event.audiences],
                "age_options": [(age, t(f"age_{age}")) for age in _AGES] + [("", t("age_unknown"))],
                "guardian_age": max(guardian_ages) if guardian_ages else None,
                "consent_text": consent_text,
                "consent_version": self._consent_version(event),
                "values": values,
                "errors": errors,
                "errors_by_field": by_field,
            },
            status=status,
        )

    def _consent_version(self, event: Event) -> str:
        return event.consent_version or self.settings.consent_version

    def _register(self, request: Request, event: Event, language: str, form: FormData) -> _Page:
        def t(key: str, **items: object) -> str:
            return translate(key, language, **items)

        values: dict[str, Any] = {
            name: _text(form.get(name)) or ""
            for name in ("session", "name", "email", "audience", "organisation", "age")
        }
        values["consent"] = _text(form.get("consent")) == "yes"
        values["guardian"] = _text(form.get("guardian")) == "yes"
        now = self.app.now()
        client = request.client.host if request.client is not None else "unknown"
        wait = self.settings.rate_limit.attempt(client, now)
        if wait is not None:
            minutes = max(1, int(wait / timedelta(minutes=1) + 0.999))
            return self.message_page(
                language,
                "rate_title",
                "rate",
                status=429,
                event=event,
                headers={"Retry-After": str(max(1, int(wait.total_seconds())))},
                minutes=minutes,
            )
        errors: list[FieldError] = []
        session: Session | None = None
        try:
            session = event.session(values["session"])
        except NotFoundError:
            errors.append(FieldError("session", t("need_session")))
        errors += _person_errors(values, event, language)
        if errors:
            return self._event(event, language, values, errors, status=400)
        assert session is not None
        person = _person(values, event, language)
        consent = None
        if values["consent"]:
            consent = Consent(
                _text(form.get("consent_version")) or self._consent_version(event),
                now,
                given_by=GUARDIAN if values["guardian"] else PARTICIPANT,
            )
        try:
            registration = self.app.register(event.key, session.key, person, consent=consent)
        except (RegistrationRefusedError, InvalidInputError) as error:
            found = refusal(
                error,
                event=event,
                session=session,
                audience=person.audience,
                consent_given=consent is not None,
                language=language,
            )
            return self._event(event, language, values, [found], status=400)
        base = request.scope.get("root_path", "")
        if not self.settings.show_link_after_registration:
            return self.message_page(
                language, "just_registered", "hint_email", status=200, event=event
            )
        token = self.settings.signer.registration_token(registration)
        return _Page(None, redirect=f"{base}/my/{token}?new=1")

    # --- my registration -------------------------------------------------------

    def _registration(self, token: str) -> Registration | None:
        key = self.settings.signer.read_registration(token)
        if key is None:
            return None
        try:
            registration = self.app.registration(key.registration_id)
        except NotFoundError:
            return None
        if not self.settings.signer.matches_registration(key, registration):
            return None
        return registration

    def my_page(self, request: Request, language: str, form: FormData | None) -> _Page:
        def t(key: str, **items: object) -> str:
            return translate(key, language, **items)

        token = request.path_params["token"]
        registration = self._registration(token)
        if registration is None:
            return self.invalid_link(language)
        event = self.app.event(registration.event_key)
        session = event.session(registration.session_key)
        now = self.app.now()
        state = registration.state
        state_values: dict[str, object] = {}
        if state is _S.WAITLISTED:
            waiting = [r.id for r in self.app.waiting_list(event.key, session.key)]
            state_values["position"] = waiting.index(registration.id) + 1
        offer_open = offer_lapsed = False
        if state is _S.OFFERED and registration.offer_expires_at is not None:
            state_values["expires"] = format_instant(
                registration.offer_expires_at, event.timezone, language
            )
            offer_open = now < registration.offer_expires_at
            offer_lapsed = not offer_open
        group_number, facilitators = self._group(registration)
        try:
            rules.check_can_cancel(event, session, registration, now)
        except ParticipatieError:
            can_cancel = False
        else:
            can_cancel = True
        done = request.query_params.get("done")
        problem = request.query_params.get("problem")
        notice = None
        if request.query_params.get("new"):
            notice = t("just_registered")
        elif done in _DONE:
            notice = t(_DONE[done])
        return _Page(
            "my.html",
            {
                "title": t("my_title"),
                "event": event,
                "session": session,
                "token": token,
                "when": session_when(session, event, language),
                "where": _where(session, language),
                "state_text": t(f"state_{state.value}", **state_values),
                "holds_place": state in {_S.REGISTERED, _S.ATTENDED, _S.NO_SHOW},
                "group": {"number": group_number} if group_number is not None else None,
                "facilitators": ", ".join(facilitators),
                "offer_open": offer_open,
                "offer_lapsed": offer_lapsed,
                "active": state.is_active,
                "can_cancel": can_cancel,
                "cancel_until": until(session.changes_until, event.timezone, language)
                if state is _S.REGISTERED
                else None,
                "notice": notice,
                "new": bool(request.query_params.get("new")),
                "problem": t(_PROBLEMS[problem]) if problem in _PROBLEMS else None,
            },
        )

    def _group(self, registration: Registration) -> tuple[int | None, list[str]]:
        for group in self.app.groups(registration.event_key, registration.session_key):
            if any(member.id == registration.id for member in group.members):
                return group.number, [person.name for person in group.facilitators]
        return None, []

    def calendar(self, request: Request, language: str, form: FormData | None) -> _Page:
        registration = self._registration(request.path_params["token"])
        if registration is None:
            return self.invalid_link(language)
        number, _facilitators = self._group(registration)
        group = (
            GroupDetails(translate("group_n", language, number=number))
            if number is not None
            else None
        )
        invitation = None
        if registration.state in {_S.REGISTERED, _S.ATTENDED, _S.NO_SHOW}:
            invitation = self.app.invitation(registration.id, group=group)
        if invitation is None:
            return self.not_found(language)
        return _Page(
            None,
            body=invitation.ics,
            media_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{registration.session_key}.ics"'
            },
        )

    def change(self, request: Request, language: str, form: FormData | None) -> _Page:
        token = request.path_params["token"]
        action = request.path_params["action"]
        registration = self._registration(token)
        if registration is None:
            return self.invalid_link(language)
        base = request.scope.get("root_path", "")
        target = f"{base}/my/{token}"
        steps: dict[str, tuple[Callable[[int], object], str]] = {
            "cancel": (self.app.cancel, "cancelled"),
            "accept": (self.app.accept_offer, "accepted"),
            "decline": (self.app.decline_offer, "declined"),
        }
        if action not in steps:
            return self.not_found(language)
        step, done = steps[action]
        try:
            step(registration.id)
        except OfferExpiredError:
            return _Page(None, redirect=f"{target}?problem=expired")
        except ChangeDeadlinePassedError:
            return _Page(None, redirect=f"{target}?problem=too-late")
        except (IllegalTransitionError, RegistrationRefusedError):
            return _Page(None, redirect=f"{target}?problem=not-possible")
        return _Page(None, redirect=f"{target}?done={done}")

    # --- feedback rounds ---------------------------------------------------------

    def _recipient(self, token: str) -> tuple[FeedbackRound, Recipient] | None:
        key = self.settings.signer.read_feedback(token)
        if key is None:
            return None
        try:
            feedback_round = self.app.feedback_round(key.round_id)
        except NotFoundError:
            return None
        recipient = self.settings.signer.recipient_for(key, feedback_round)
        if recipient is None:
            return None
        return feedback_round, recipient

    def feedback_page(self, request: Request, language: str, form: FormData | None) -> _Page:
        token = request.path_params["token"]
        found = self._recipient(token)
        if found is None:
            return self.invalid_link(language)
        feedback_round, recipient = found
        assert feedback_round.id is not None
        if form is not None:
            return self._respond(request, language, token, feedback_round, recipient, form)
        values = self._stored_values(feedback_round, recipient)
        notice = None
        if request.query_params.get("saved"):
            notice = translate(
                "feedback_saved",
                language,
                closes=until(feedback_round.closing_time, feedback_round.timezone, language),
            )
        return self._feedback(language, token, feedback_round, recipient, values, [], notice)

    def _stored_values(self, feedback_round: FeedbackRound, recipient: Recipient) -> dict[str, Any]:
        assert feedback_round.id is not None
        values: dict[str, Any] = {}
        response = self.app.response(feedback_round.id, recipient.email)
        if response is not None:
            for answer in response.sections:
                values[f"opinion-{answer.section}"] = (
                    answer.opinion.value if answer.opinion is not None else ""
                )
                values[f"comment-{answer.section}"] = answer.comment or ""
                values[f"wording-{answer.section}"] = answer.suggested_wording or ""
            values["general"] = response.general_comment or ""
            values["named"] = response.may_be_named
        return values

    def _feedback(
        self,
        language: str,
        token: str,
        feedback_round: FeedbackRound,
        recipient: Recipient,
        values: Mapping[str, Any],
        errors: list[FieldError],
        notice: str | None,
        status: int = 200,
    ) -> _Page:
        def t(key: str, **items: object) -> str:
            return translate(key, language, **items)

        assert feedback_round.id is not None
        event = self.app.event(feedback_round.event_key)
        draft = self.app.draft(feedback_round.draft_key)
        if feedback_round.next_version is not None:
            summary = self.app.personal_summary(feedback_round.id, recipient.email)
            return _Page(
                "summary.html",
                {
                    "title": t("summary_title"),
                    "event": event,
                    "draft": draft,
                    "summary": summary,
                    "changes": [c for c in summary.changes if c.kind.value != "unchanged"],
                },
                status=status,
            )
        version = self.app.draft_version(feedback_round.draft_key, feedback_round.version)
        now = self.app.now()
        status_now = feedback_round.status(now)
        zone = feedback_round.timezone
        if status_now is RoundStatus.OPEN:
            status_text = t(
                "feedback_until", closes=until(feedback_round.closing_time, zone, language)
            )
        elif status_now is RoundStatus.SCHEDULED:
            status_text = t(
                "feedback_not_open", opens=format_instant(feedback_round.opens_at, zone, language)
            )
        else:
            status_text = t("feedback_closed")
        defaults: dict[str, Any] = {}
        for section in version.sections:
            for prefix in ("opinion", "comment", "wording"):
                defaults[f"{prefix}-{section.key}"] = ""
        defaults |= {"general": "", "named": False}
        defaults |= dict(values)
        return _Page(
            "feedback.html",
            {
                "title": t("feedback_title", title=draft.title),
                "event": event,
                "draft": draft,
                "token": token,
                "parts": _parts(version),
                "editable": status_now is RoundStatus.OPEN,
                "status_text": status_text,
                "opinion_options": [
                    (opinion.value, t(f"opinion_{opinion.value}")) for opinion in Opinion
                ]
                + [("", t("opinion_none"))],
                "values": defaults,
                "errors": errors,
                "errors_by_field": {error.field: error.message for error in errors},
                "notice": notice,
            },
            status=status,
        )

    def _respond(
        self,
        request: Request,
        language: str,
        token: str,
        feedback_round: FeedbackRound,
        recipient: Recipient,
        form: FormData,
    ) -> _Page:
        assert feedback_round.id is not None
        version = self.app.draft_version(feedback_round.draft_key, feedback_round.version)
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        answers: list[SectionResponse] = []
        for section in version.sections:
            opinion_text = _text(form.get(f"opinion-{section.key}")) or ""
            comment = _text(form.get(f"comment-{section.key}")) or ""
            wording = _text(form.get(f"wording-{section.key}")) or ""
            values[f"opinion-{section.key}"] = opinion_text
            values[f"comment-{section.key}"] = comment
            values[f"wording-{section.key}"] = wording
            opinion = _opinion(opinion_text)
            if opinion is None and not comment.strip() and not wording.strip():
                continue
            for name, text in (
                (f"comment-{section.key}", comment),
                (f"wording-{section.key}", wording),
            ):
                if text.strip() and not _text_ok(section.key, text):
                    errors.append(FieldError(name, translate("bad_text", language)))
            if not errors:
                answers.append(SectionResponse(section.key, opinion, comment, wording))
        general = _text(form.get("general")) or ""
        values["general"] = general
        values["named"] = _text(form.get("named")) == "yes"
        if general.strip() and not _text_ok("general", general):
            errors.append(FieldError("general", translate("bad_text", language)))
        if not errors and not answers and not general.strip():
            first = version.sections[0].key if version.sections else "general"
            errors.append(FieldError(f"opinion-{first}", translate("feedback_empty", language)))
        if errors:
            return self._feedback(
                language, token, feedback_round, recipient, values, errors, None, status=400
            )
        try:
            self.app.respond(
                feedback_round.id,
                recipient.email,
                sections=answers,
                general_comment=general or None,
                may_be_named=bool(values["named"]),
            )
        except RoundClosedError:
            error = FieldError("general", translate("refused_round_closed", language))
            fresh = self.app.feedback_round(feedback_round.id)
            return self._feedback(language, token, fresh, recipient, values, [error], None, 409)
        except (FeedbackRefusedError, InvalidInputError):
            error = FieldError("general", translate("refused_other", language))
            return self._feedback(
                language, token, feedback_round, recipient, values, [error], None, 400
            )
        base = request.scope.get("root_path", "")
        return _Page(None, redirect=f"{base}/feedback/{token}?saved=1")

    # --- the organiser's status page -------------------------------------------

    def status_page(self, request: Request, language: str, form: FormData | None) -> _Page:
        expected = self.settings.status_token
        if expected is None or not _same(request.path_params["token"], expected):
            return self.not_found(language)
        now = self.app.now()
        items = []
        for event in self.app.events():
            sessions = [
                {"title": s.title, "places": self.app.places(event.key, s.key)}
                for s in event.sessions
            ]
            rounds = []
            for feedback_round in self.app.feedback_rounds(event.key):
                assert feedback_round.id is not None
                if feedback_round.next_version is not None:
                    state = "concluded"
                else:
                    state = feedback_round.status(now).value
                rounds.append(
                    {
                        "title": feedback_round.title
                        or f"{self.app.draft(feedback_round.draft_key).title} "
                        f"(v{feedback_round.version})",
                        "state": translate(f"round_{state}", language),
                        "responses": len(self.app.responses(feedback_round.id)),
                        "recipients": len(feedback_round.recipients),
                    }
                )
            items.append({"event": event, "sessions": sessions, "rounds": rounds})
        return _Page(
            "status.html",
            {"title": translate("status_title", language), "events": items},
            headers={"X-Robots-Tag": "noindex"},
        )

    def missing(self, request: Request, language: str, form: FormData | None) -> _Page:
        return self.not_found(language)


def _same(given: str, expected: str) -> bool:
    """Compare tokens in constant time, so timing tells nothing about the right one."""
    return hmac.compare_digest(given.encode(), expected.encode())


def _text(value: object) -> str | None:
    """A form value as text (an uploaded file counts as nothing)."""
    return value if isinstance(value, str) else None


def _opinion(value: str) -> Opinion | None:
    try:
        return Opinion(value)
    except ValueError:
        return None


def _text_ok(key: str, text: str) -> bool:
    try:
        SectionResponse(key if key != "general" else "x", None, text)
    except InvalidInputError:
        return False
    return True


def _where(session: Session, language: str) -> str:
    if session.place:
        return session.place
    return translate("online", language)


def _parts(version: DraftVersion) -> list[dict[str, Any]]:
    return [
        {"key": section.key, "label": section.label, "paragraphs": _paragraphs(section)}
        for section in version.sections
    ]


def _paragraphs(section: Section) -> list[str]:
    return [part.strip() for part in section.text.split("\n\n") if part.strip()]


_CHECK_EMAIL = "check@example.org"
_CHECK_NAME = "Check"


def _person_errors(values: Mapping[str, Any], event: Event, language: str) -> list[FieldError]:
    """Each field of the person checked on its own, so each message sits by its field.

    The core's :class:`~participatie.Person` validates all fields at once;
    building it with one field at a time (the others known to be good)
    tells which field a refusal is about.
    """
    errors: list[FieldError] = []
    audience = values["audience"]
    audience_keys = {a.key for a in event.audiences}
    name, email = values["name"].strip(), values["email"].strip()
    if not name:
        errors.append(FieldError("name", translate("need_name", language)))
    elif not _builds(name, _CHECK_EMAIL):
        errors.append(FieldError("name", translate("bad_name", language)))
    if not email:
        errors.append(FieldError("email", translate("need_email", language)))
    elif not _builds(_CHECK_NAME, email):
        errors.append(FieldError("email", translate("bad_email", language)))
    if audience_keys and audience not in audience_keys:
        errors.append(FieldError("audience", translate("need_audience", language)))
    if values["organisation"].strip() and not _builds(
        _CHECK_NAME, _CHECK_EMAIL, organisation=values["organisation"]
    ):
        errors.append(FieldError("organisation", translate("bad_organisation", language)))
    return errors


def _builds(name: str, email: str, **extra: Any) -> bool:
    try:
        Person(name, email, "check", **extra)
    except (InvalidInputError, ValueError, TypeError):
        return False
    return True


def _person(values: Mapping[str, Any], event: Event, language: str) -> Person:
    audience = values["audience"] or "participant"
    age = values["age"] if values["age"] in _AGES else None
    return Person(
        values["name"],
        values["email"],
        audience,
        organisation=values["organisation"] or None,
        language=language,
        age_category=AgeCategory(age) if age else None,
    )


def create_app(app: Participatie, settings: WebSettings) -> ASGIApp:
    """The participant's site for ``app``, as an ASGI application.

    Mount it in another Starlette (or any ASGI) application with
    ``Mount("/meedoen", create_app(...))``; links and forms follow the mount
    path. The security headers wrap the whole application, so they hold
    when it is mounted, and on an error page too.
    """
    site = _Site(app, settings)

    def route(
        path: str,
        handler: Callable[[Request, str, FormData | None], _Page],
        methods: tuple[str, ...] = ("GET",),
    ) -> Route:
        async def endpoint(request: Request) -> Response:
            return await site.handle(request, handler)

        return Route(path, endpoint, methods=list(methods))

    routes = [
        route("/", site.index),
        route("/events/{event_key}", site.event_page, ("GET", "POST")),
        route("/my/{token}", site.my_page),
        route("/my/{token}/calendar.ics", site.calendar),
        route("/my/{token}/{action}", site.change, ("POST",)),
        route("/feedback/{token}", site.feedback_page, ("GET", "POST")),
        route("/status/{token}", site.status_page),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return await site.handle(request, site.missing)

    async def failed(request: Request, exc: Exception) -> Response:
        # Nothing about the failure reaches the page; the server log has it.
        language = site.language(request)
        page = site.message_page(language, "failed_title", "failed", status=500)
        return site.respond(request, language, page)

    starlette = Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_found, 500: failed},
    )
    return SecurityHeaders(starlette)
