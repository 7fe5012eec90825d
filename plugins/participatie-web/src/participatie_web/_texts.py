"""Every text the site shows, in Dutch and English, at language level B1.

Dutch public bodies must write for citizens at level B1: short sentences,
common words, say what to do. The core's exception messages are written for
organisers (they name registration ids and internal keys), so the site never
shows them: :func:`refusal` turns each refusal into a sentence for the
participant, tied to the form field it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import attrs

from participatie import (
    AlreadyRegisteredError,
    ConsentRequiredError,
    Event,
    GuardianConsentRequiredError,
    InvalidInputError,
    NotEligibleError,
    ParticipatieError,
    RegistrationClosedError,
    RegistrationNotOpenError,
    Session,
    SessionCancelledError,
    SessionFullError,
    to_local,
)
from participatie.localtext import format_date, format_instant, format_when

__all__ = [
    "LANGUAGES",
    "TEXTS",
    "FieldError",
    "choose_language",
    "refusal",
    "session_when",
    "translate",
    "until",
]

#: The languages of the site, the first is the default.
LANGUAGES = ("nl", "en")

TEXTS: Mapping[str, Mapping[str, str]] = {
    # --- the frame of every page
    "skip": {"nl": "Naar de inhoud", "en": "Skip to content"},
    "language": {"nl": "Taal", "en": "Language"},
    "help_desk": {
        "nl": "Vragen? Mail de vraagbaak: {email}",
        "en": "Questions? E-mail the help desk: {email}",
    },
    "help_desk_phone": {"nl": "of bel {phone}", "en": "or call {phone}"},
    "organised_by": {"nl": "Georganiseerd door {organiser}", "en": "Organised by {organiser}"},
    # --- events
    "events_title": {"nl": "Bijeenkomsten", "en": "Meetings"},
    "no_events": {"nl": "Er zijn nu geen bijeenkomsten.", "en": "There are no meetings now."},
    "sessions_for": {"nl": "Sessies voor {audience}", "en": "Sessions for {audience}"},
    "sessions_for_all": {"nl": "Sessies voor iedereen", "en": "Sessions for everyone"},
    "when": {"nl": "Wanneer", "en": "When"},
    "where": {"nl": "Waar", "en": "Where"},
    "online": {"nl": "Online", "en": "Online"},
    "places_left": {"nl": "Plaatsen vrij", "en": "Places left"},
    "places_left_n": {"nl": "{free} van de {capacity}", "en": "{free} of {capacity}"},
    "places_unlimited": {"nl": "Genoeg plaats", "en": "Enough room"},
    "full_waiting": {
        "nl": "Vol. U kunt op de wachtlijst.",
        "en": "Full. You can join the waiting list.",
    },
    "full": {"nl": "Vol", "en": "Full"},
    "deadline": {"nl": "Aanmelden kan", "en": "You can register"},
    "until_day": {"nl": "tot en met {day}", "en": "until the end of {day}"},
    "until_moment": {"nl": "tot {moment}", "en": "until {moment}"},
    "closed": {"nl": "Aanmelden is gesloten", "en": "Registration is closed"},
    "cancelled_session": {"nl": "Gaat niet door", "en": "Cancelled"},
    "register_for": {"nl": "Aanmelden voor {title}", "en": "Register for {title}"},
    "central_questions": {"nl": "Waar gaat het over?", "en": "What is it about?"},
    # --- the registration form
    "register_title": {"nl": "Aanmelden", "en": "Register"},
    "register_intro": {
        "nl": "Vul het formulier in. Velden met een * moet u invullen.",
        "en": "Fill in the form. You must fill in the fields with a *.",
    },
    "field_session": {"nl": "Kies een sessie", "en": "Choose a session"},
    "field_name": {"nl": "Uw naam", "en": "Your name"},
    "field_email": {"nl": "Uw e-mailadres", "en": "Your e-mail address"},
    "hint_email": {
        "nl": "Hier sturen wij uw bevestiging en uw persoonlijke link naartoe.",
        "en": "We send your confirmation and your personal link here.",
    },
    "field_audience": {"nl": "Ik doe mee als", "en": "I take part as"},
    "field_organisation": {
        "nl": "Uw organisatie (niet verplicht)",
        "en": "Your organisation (optional)",
    },
    "hint_organisation": {
        "nl": "Bijvoorbeeld uw cliëntenraad.",
        "en": "For example your client council.",
    },
    "field_age": {"nl": "Uw leeftijd", "en": "Your age"},
    "age_adult": {"nl": "18 jaar of ouder", "en": "18 or older"},
    "age_16-17": {"nl": "16 of 17 jaar", "en": "16 or 17"},
    "age_12-15": {"nl": "12 tot en met 15 jaar", "en": "12 to 15"},
    "age_under-12": {"nl": "Jonger dan 12 jaar", "en": "Younger than 12"},
    "age_unknown": {"nl": "Zeg ik liever niet", "en": "I prefer not to say"},
    "hint_age": {
        "nl": "Bent u jonger dan {age}? Dan moet uw ouder of voogd toestemming geven.",
        "en": "Are you younger than {age}? Then your parent or guardian must agree.",
    },
    "field_consent": {"nl": "Toestemming", "en": "Consent"},
    "consent_default": {
        "nl": (
            "{organiser} bewaart uw naam, e-mailadres en organisatie om deze "
            "bijeenkomst te regelen. Wij gebruiken ze niet voor iets anders. Na de "
            "bijeenkomst wissen wij ze."
        ),
        "en": (
            "{organiser} keeps your name, e-mail address and organisation to arrange "
            "this meeting. We do not use them for anything else. After the meeting we "
            "delete them."
        ),
    },
    "consent_agree": {
        "nl": "Ik heb dit gelezen en ik geef toestemming.",
        "en": "I have read this and I give my consent.",
    },
    "consent_version": {"nl": "Versie {version}", "en": "Version {version}"},
    "guardian_agree": {
        "nl": "Ik ben jonger dan {age} en mijn ouder of voogd geeft toestemming.",
        "en": "I am younger than {age} and my parent or guardian gives consent.",
    },
    "submit_register": {"nl": "Aanmelden", "en": "Register"},
    "errors_title": {"nl": "Er ging iets mis", "en": "There is a problem"},
    "error_prefix": {"nl": "Fout:", "en": "Error:"},
    # --- field checks of our own
    "need_name": {"nl": "Vul uw naam in.", "en": "Enter your name."},
    "bad_name": {
        "nl": "Vul uw naam in op één regel, zonder bijzondere tekens.",
        "en": "Enter your name on one line, without special characters.",
    },
    "need_email": {"nl": "Vul uw e-mailadres in.", "en": "Enter your e-mail address."},
    "bad_email": {
        "nl": "Dit e-mailadres klopt niet. Een e-mailadres ziet er zo uit: naam@voorbeeld.nl",
        "en": "This e-mail address is not right. An e-mail address looks like name@example.org",
    },
    "bad_organisation": {
        "nl": "Vul de naam van uw organisatie in op één regel.",
        "en": "Enter the name of your organisation on one line.",
    },
    "need_audience": {
        "nl": "Kies hoe u meedoet.",
        "en": "Choose how you take part.",
    },
    "need_session": {"nl": "Kies een sessie.", "en": "Choose a session."},
    # --- refusals by the rules of the core
    "refused_not_open": {
        "nl": "U kunt zich nog niet aanmelden voor deze sessie. Dat kan vanaf {opens}.",
        "en": "You cannot register for this session yet. You can from {opens}.",
    },
    "refused_closed": {
        "nl": "U kunt zich niet meer aanmelden voor deze sessie. Dat kon {closes}.",
        "en": "You can no longer register for this session. You could {closes}.",
    },
    "refused_cancelled": {
        "nl": "Deze sessie gaat niet door. Kies een andere sessie.",
        "en": "This session is cancelled. Choose another session.",
    },
    "refused_not_eligible": {
        "nl": (
            "Deze sessie is alleen voor {allowed}. U doet mee als {audience}. "
            "Kies een sessie voor {audience}."
        ),
        "en": (
            "This session is only for {allowed}. You take part as {audience}. "
            "Choose a session for {audience}."
        ),
    },
    "refused_no_consent": {
        "nl": "Geef toestemming. Zonder uw toestemming kunnen wij u niet aanmelden.",
        "en": "Please give your consent. Without it we cannot register you.",
    },
    "refused_consent_version": {
        "nl": (
            "De tekst over toestemming is veranderd. Lees de nieuwe tekst en geef "
            "opnieuw toestemming."
        ),
        "en": "The consent text has changed. Read the new text and give your consent again.",
    },
    "refused_guardian": {
        "nl": (
            "U bent jonger dan {age}. Dan moet uw ouder of voogd toestemming geven. "
            "Vraag dit aan uw ouder of voogd en vink het vakje aan."
        ),
        "en": (
            "You are younger than {age}. Then your parent or guardian must agree. Ask "
            "your parent or guardian and tick the box."
        ),
    },
    "refused_duplicate": {
        "nl": (
            "U bent al aangemeld voor deze sessie met dit e-mailadres. Gebruik de "
            "persoonlijke link uit uw bevestiging."
        ),
        "en": (
            "You are already registered for this session with this e-mail address. "
            "Use the personal link from your confirmation."
        ),
    },
    "refused_full": {
        "nl": "Deze sessie is vol en heeft geen wachtlijst. Kies een andere sessie.",
        "en": "This session is full and has no waiting list. Choose another session.",
    },
    "refused_other": {
        "nl": "Dit kan niet. Neem contact op met de vraagbaak.",
        "en": "This is not possible. Please contact the help desk.",
    },
    # --- my registration
    "my_title": {"nl": "Mijn aanmelding", "en": "My registration"},
    "just_registered": {
        "nl": "Gelukt! Uw aanmelding is ontvangen.",
        "en": "Done! We have received your registration.",
    },
    "keep_link": {
        "nl": (
            "Bewaar de link van deze pagina. Met deze link ziet u uw aanmelding en kunt "
            "u zich afmelden. Deel de link niet met anderen."
        ),
        "en": (
            "Keep the link of this page. With it you see your registration and can "
            "cancel. Do not share the link with others."
        ),
    },
    "session": {"nl": "Sessie", "en": "Session"},
    "status": {"nl": "Stand van zaken", "en": "Status"},
    "state_registered": {"nl": "U bent aangemeld. U heeft een plaats.", "en": "You have a place."},
    "state_waitlisted": {
        "nl": "U staat op de wachtlijst. U bent nummer {position}.",
        "en": "You are on the waiting list. You are number {position}.",
    },
    "state_offered": {
        "nl": "Er is een plaats vrij voor u. Wilt u die? Zeg het voor {expires}.",
        "en": "A place is free for you. Do you want it? Tell us before {expires}.",
    },
    "state_cancelled": {"nl": "U heeft zich afgemeld.", "en": "You have cancelled."},
    "state_declined": {
        "nl": "U heeft de vrije plaats niet aangenomen.",
        "en": "You did not take the free place.",
    },
    "state_expired": {
        "nl": "U heeft de vrije plaats niet op tijd aangenomen.",
        "en": "You did not take the free place in time.",
    },
    "state_attended": {"nl": "U was erbij. Dank u wel!", "en": "You took part. Thank you!"},
    "state_no-show": {"nl": "U was er niet bij.", "en": "You did not take part."},
    "group": {"nl": "Uw groep", "en": "Your group"},
    "group_n": {"nl": "Groep {number}", "en": "Group {number}"},
    "group_facilitator": {"nl": "Gespreksleider: {names}", "en": "Facilitator: {names}"},
    "group_not_yet": {
        "nl": "De groepen zijn nog niet gemaakt. U hoort het op tijd.",
        "en": "The groups have not been made yet. We will tell you in time.",
    },
    "join": {"nl": "Meedoen", "en": "Join"},
    "join_link": {"nl": "Link naar de online bijeenkomst", "en": "Link to the online meeting"},
    "calendar": {"nl": "In uw agenda zetten (.ics)", "en": "Add to your calendar (.ics)"},
    "cancel_title": {"nl": "Afmelden", "en": "Cancel"},
    "cancel_intro": {
        "nl": "Kunt u niet komen? Meld u dan af. Dan krijgt iemand anders uw plaats.",
        "en": "Can you not come? Then please cancel. Someone else gets your place.",
    },
    "cancel_until": {"nl": "Afmelden kan {until}.", "en": "You can cancel {until}."},
    "cancel_button": {"nl": "Ja, ik meld mij af", "en": "Yes, cancel my registration"},
    "cancel_too_late": {
        "nl": "Afmelden via deze pagina kan niet meer. Neem contact op met de vraagbaak.",
        "en": "You can no longer cancel on this page. Please contact the help desk.",
    },
    "done_cancelled": {"nl": "U bent afgemeld.", "en": "Your registration is cancelled."},
    "done_accepted": {
        "nl": "U heeft de plaats aangenomen. Tot dan!",
        "en": "You took the place. See you then!",
    },
    "done_declined": {
        "nl": "U heeft de plaats niet aangenomen. Iemand anders krijgt de plaats.",
        "en": "You did not take the place. Someone else gets it.",
    },
    "offer_title": {"nl": "Een vrije plaats", "en": "A free place"},
    "offer_accept": {"nl": "Ja, ik neem de plaats", "en": "Yes, I take the place"},
    "offer_decline": {"nl": "Nee, ik kan niet", "en": "No, I cannot come"},
    "offer_expired": {
        "nl": "Het aanbod is verlopen. De plaats gaat naar de volgende op de wachtlijst.",
        "en": "The offer has expired. The place goes to the next person waiting.",
    },
    "change_not_possible": {
        "nl": "Dit kan nu niet meer. De pagina laat zien hoe het nu staat.",
        "en": "This is no longer possible. The page shows how things are now.",
    },
    # --- feedback
    "feedback_title": {"nl": "Uw mening over: {title}", "en": "Your opinion on: {title}"},
    "feedback_intro": {
        "nl": (
            "Wij schreven deze tekst met wat u en anderen zeiden. Lees hem per deel. "
            "Zeg wat u ervan vindt. U hoeft niet alles in te vullen."
        ),
        "en": (
            "We wrote this text with what you and others said. Read it part by part. "
            "Tell us what you think. You do not have to fill in everything."
        ),
    },
    "feedback_until": {
        "nl": "U kunt reageren en uw reactie veranderen {closes}.",
        "en": "You can respond, and change your response, {closes}.",
    },
    "feedback_not_open": {
        "nl": "U kunt nog niet reageren. Dat kan vanaf {opens}.",
        "en": "You cannot respond yet. You can from {opens}.",
    },
    "feedback_closed": {
        "nl": (
            "De ronde is gesloten. Wij verwerken alle reacties. Daarna leest u hier wat "
            "wij met uw reactie deden."
        ),
        "en": (
            "The round is closed. We are working on all responses. Then you can read "
            "here what we did with yours."
        ),
    },
    "opinion": {"nl": "Wat vindt u van dit deel?", "en": "What do you think of this part?"},
    "opinion_agree": {"nl": "Eens", "en": "Agree"},
    "opinion_partly": {"nl": "Deels eens", "en": "Partly agree"},
    "opinion_disagree": {"nl": "Oneens", "en": "Disagree"},
    "opinion_none": {"nl": "Geen mening", "en": "No opinion"},
    "comment": {"nl": "Uw opmerking", "en": "Your comment"},
    "wording": {"nl": "Uw voorstel voor de tekst", "en": "Your suggested wording"},
    "hint_wording": {
        "nl": "Schrijf hoe u de tekst zou schrijven.",
        "en": "Write how you would write the text.",
    },
    "general_comment": {"nl": "Wilt u nog iets zeggen?", "en": "Anything else to say?"},
    "may_be_named": {
        "nl": "Mijn naam mag bij mijn reactie staan in het verslag.",
        "en": "My name may be shown with my response in the report.",
    },
    "submit_feedback": {"nl": "Reactie versturen", "en": "Send response"},
    "feedback_saved": {
        "nl": "Dank u wel! Uw reactie is bewaard. U kunt hem veranderen {closes}.",
        "en": "Thank you! Your response is saved. You can change it {closes}.",
    },
    "feedback_empty": {
        "nl": "U heeft nog niets ingevuld. Vul bij minstens één deel iets in.",
        "en": "You have not filled in anything yet. Fill in at least one part.",
    },
    "bad_text": {
        "nl": "Deze tekst kan niet worden bewaard. Haal bijzondere tekens weg.",
        "en": "This text cannot be saved. Please remove special characters.",
    },
    "refused_round_closed": {
        "nl": "De ronde is gesloten. U kunt uw reactie niet meer veranderen.",
        "en": "The round is closed. You can no longer change your response.",
    },
    "summary_title": {"nl": "Wat wij met uw reactie deden", "en": "What we did with your input"},
    "summary_intro": {
        "nl": "Dank u wel voor uw reactie. Hieronder leest u wat wij ermee deden.",
        "en": "Thank you for your response. Below you can read what we did with it.",
    },
    "summary_no_comments": {
        "nl": "U gaf geen opmerkingen in deze ronde.",
        "en": "You gave no comments in this round.",
    },
    "general": {"nl": "Algemeen", "en": "General"},
    "you_wrote": {"nl": "U schreef", "en": "You wrote"},
    "your_wording": {"nl": "Uw tekstvoorstel", "en": "Your suggested wording"},
    "our_decision": {"nl": "Ons besluit", "en": "Our decision"},
    "outcome_adopted": {"nl": "Overgenomen", "en": "Adopted"},
    "outcome_partly-adopted": {"nl": "Gedeeltelijk overgenomen", "en": "Partly adopted"},
    "outcome_not-adopted": {"nl": "Niet overgenomen", "en": "Not adopted"},
    "outcome_none": {"nl": "Nog geen besluit", "en": "No decision yet"},
    "what_changed": {"nl": "Wat er veranderde", "en": "What changed"},
    "change_added": {"nl": "nieuw", "en": "new"},
    "change_removed": {"nl": "geschrapt", "en": "removed"},
    "change_changed": {"nl": "veranderd", "en": "changed"},
    "removed_text": {"nl": "Geschrapt:", "en": "Removed:"},
    "added_text": {"nl": "Toegevoegd:", "en": "Added:"},
    "input_used": {"nl": "Waar uw inbreng staat", "en": "Where your input went"},
    # --- errors and the status page
    "link_invalid_title": {"nl": "Deze link werkt niet", "en": "This link does not work"},
    "link_invalid": {
        "nl": (
            "Deze link is niet goed, verlopen of ingetrokken. Neem contact op met de "
            "vraagbaak voor een nieuwe link."
        ),
        "en": (
            "This link is not right, has expired or was withdrawn. Please contact the "
            "help desk for a new link."
        ),
    },
    "not_found_title": {"nl": "Pagina niet gevonden", "en": "Page not found"},
    "not_found": {
        "nl": "Deze pagina bestaat niet. Kijk of het adres goed is.",
        "en": "This page does not exist. Check the address.",
    },
    "csrf_title": {"nl": "Het formulier is verlopen", "en": "The form has expired"},
    "csrf": {
        "nl": "Ga terug, laad de pagina opnieuw en probeer het nog een keer.",
        "en": "Go back, reload the page and try again.",
    },
    "rate_title": {"nl": "Even wachten", "en": "Please wait"},
    "rate": {
        "nl": "Er kwamen veel aanmeldingen van uw adres. Probeer het over {minutes} minuten.",
        "en": "There were many registrations from your address. Try again in {minutes} minutes.",
    },
    "failed_title": {"nl": "Er ging iets mis bij ons", "en": "Something went wrong on our side"},
    "failed": {
        "nl": (
            "Probeer het over een paar minuten opnieuw. Lukt het dan nog niet? Neem "
            "contact op met de vraagbaak."
        ),
        "en": "Please try again in a few minutes. Still not working? Contact the help desk.",
    },
    "back_to_event": {"nl": "Terug naar de bijeenkomst", "en": "Back to the meeting"},
    "status_title": {"nl": "Stand van zaken", "en": "Status"},
    "status_intro": {
        "nl": "Alleen tellingen, geen namen. Deze pagina verandert niets.",
        "en": "Counts only, no names. This page changes nothing.",
    },
    "col_session": {"nl": "Sessie", "en": "Session"},
    "col_capacity": {"nl": "Plaatsen", "en": "Places"},
    "col_taken": {"nl": "Bezet", "en": "Taken"},
    "col_offered": {"nl": "Aangeboden", "en": "Offered"},
    "col_waiting": {"nl": "Wachtlijst", "en": "Waiting"},
    "col_free": {"nl": "Vrij", "en": "Free"},
    "col_round": {"nl": "Feedbackronde", "en": "Feedback round"},
    "col_state": {"nl": "Stand", "en": "State"},
    "col_responses": {"nl": "Reacties", "en": "Responses"},
    "col_recipients": {"nl": "Gevraagd", "en": "Asked"},
    "round_scheduled": {"nl": "gepland", "en": "scheduled"},
    "round_open": {"nl": "open", "en": "open"},
    "round_closed": {"nl": "gesloten", "en": "closed"},
    "round_concluded": {"nl": "afgerond", "en": "concluded"},
}


def translate(key: str, language: str, **values: object) -> str:
    """The text ``key`` in ``language``, with ``{placeholders}`` filled in."""
    texts = TEXTS[key]
    text = texts.get(language, texts[LANGUAGES[0]])
    return text.format(**values) if values else text


def choose_language(accept_language: str | None, default: str = LANGUAGES[0]) -> str:
    """The best of our languages for an ``Accept-Language`` header (RFC 9110 weights)."""
    best, best_weight = default, 0.0
    for part in (accept_language or "").split(","):
        tag, _, parameters = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                weight = 0.0
        if primary in LANGUAGES and weight > best_weight:
            best, best_weight = primary, weight
    return best


@attrs.frozen
class FieldError:
    """A message for one form field.

    Attributes:
        field: The field's name in the form (``email``, ``session`` …).
        message: What is wrong and what to do, in the page's language.
    """

    field: str
    message: str


def _when(instant: datetime, event: Event, language: str) -> str:
    return format_instant(instant, event.timezone, language)


def until(instant: datetime, timezone: str, language: str) -> str:
    """``tot en met vrijdag 30 oktober 2020`` for a deadline at midnight, else
    ``tot vrijdag 30 oktober 2020, 17:00``.

    A deadline written as a date is stored as the next midnight (exclusive);
    "until Saturday 00:00" reads as the wrong day to most people.
    """
    local = to_local(instant, timezone)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        day = format_date(instant - timedelta(minutes=1), timezone, language)
        return translate("until_day", language, day=day)
    return translate("until_moment", language, moment=format_instant(instant, timezone, language))


def session_when(session: Session, event: Event, language: str) -> str:
    """``donderdag 5 november 2020, 10:00–11:30``."""
    return format_when(session.start, session.end, event.timezone, language)


def refusal(
    error: ParticipatieError,
    *,
    event: Event,
    session: Session,
    audience: str,
    consent_given: bool,
    language: str,
) -> FieldError:
    """The participant's message for a refused registration, next to the field it is about.

    The order of the checks follows the exception hierarchy: a subclass
    (a cancelled session is a closed one, a guardian's consent is a consent)
    is matched before its base.
    """

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    if isinstance(error, SessionCancelledError):
        return FieldError("session", t("refused_cancelled"))
    if isinstance(error, RegistrationNotOpenError) and session.registration_opens is not None:
        return FieldError(
            "session",
            t("refused_not_open", opens=_when(session.registration_opens, event, language)),
        )
    if isinstance(error, RegistrationClosedError):
        return FieldError(
            "session",
            t("refused_closed", closes=until(session.closes_at, event.timezone, language)),
        )
    if isinstance(error, NotEligibleError):
        allowed = sorted(event.audience(key).label for key in session.audiences)
        joiner = " of " if language == "nl" else " or "
        return FieldError(
            "session",
            t(
                "refused_not_eligible",
                allowed=joiner.join(allowed),
                audience=event.audience(audience).label,
            ),
        )
    if isinstance(error, GuardianConsentRequiredError):
        return FieldError("guardian", t("refused_guardian", age=session.guardian_consent_below))
    if isinstance(error, ConsentRequiredError):
        return FieldError(
            "consent", t("refused_consent_version" if consent_given else "refused_no_consent")
        )
    if isinstance(error, AlreadyRegisteredError):
        return FieldError("email", t("refused_duplicate"))
    if isinstance(error, SessionFullError):
        return FieldError("session", t("refused_full"))
    if isinstance(error, InvalidInputError):
        return FieldError("email", t("bad_email"))
    return FieldError("session", t("refused_other"))
