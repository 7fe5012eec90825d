"""The built-in Dutch and English wording of feedback-round messages.

Plain text, one function per message kind, in the recipient's language. The
notification system (templates that organisers can override, a locale
library for dates) can render the same messages from the data fields of
:mod:`participatie.feedback.messages` instead; these texts are the defaults
and what the example and the tests use.
"""

from __future__ import annotations

from datetime import datetime

from participatie.localtime import to_local
from participatie.model import HelpDesk

__all__ = [
    "CHANGE_LABELS",
    "OPINION_LABELS",
    "OUTCOME_LABELS",
    "WORDS",
    "help_desk_line",
    "local_when",
]

_DAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def local_when(instant: datetime, timezone: str, language: str) -> str:
    """An instant as people read it: "vrijdag 4 juni 2021, 17:00" in the event's zone."""
    local = to_local(instant, timezone)
    day = _DAYS[language][local.weekday()]
    month = _MONTHS[language][local.month - 1]
    return f"{day} {local.day} {month} {local.year}, {local:%H:%M}"


def help_desk_line(help_desk: HelpDesk, language: str) -> str:
    """The help-desk sentence every message ends with."""
    contact = (
        help_desk.email if help_desk.phone is None else f"{help_desk.email}, {help_desk.phone}"
    )
    if language == "en":
        return f"Questions? Contact our help desk: {contact}."
    return f"Vragen? Neem contact op met onze vraagbaak: {contact}."


OUTCOME_LABELS = {
    "nl": {
        "adopted": "Overgenomen",
        "partly-adopted": "Gedeeltelijk overgenomen",
        "not-adopted": "Niet overgenomen",
        None: "Nog geen besluit",
    },
    "en": {
        "adopted": "Adopted",
        "partly-adopted": "Partly adopted",
        "not-adopted": "Not adopted",
        None: "Not yet decided",
    },
}

OPINION_LABELS = {
    "nl": {"agree": "eens", "partly": "deels eens", "disagree": "oneens", None: "geen oordeel"},
    "en": {"agree": "agree", "partly": "partly agree", "disagree": "disagree", None: "no opinion"},
}

CHANGE_LABELS = {
    "nl": {
        "added": "nieuw",
        "removed": "geschrapt",
        "changed": "gewijzigd",
        "unchanged": "ongewijzigd",
    },
    "en": {
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "unchanged": "unchanged",
    },
}

WORDS = {
    "nl": {
        "dear": "Beste {name},",
        "invitation_subject": "Uw feedback gevraagd: {title}",
        "invitation_intro": (
            "Tijdens \u201c{event}\u201d hebben we met u gesproken. Wat u en de andere "
            "deelnemers inbrachten, hebben we verwerkt in het concept \u201c{title}\u201d "
            "(versie {version}). Voordat we het versturen, leggen we het aan u voor."
        ),
        "invitation_how": (
            "Geef per onderdeel aan of u het ermee eens bent, deels eens of oneens, met "
            "een toelichting of een voorstel voor andere tekst. U mag ook \u00e9\u00e9n "
            "algemene opmerking geven. U kunt uw reactie aanpassen tot de ronde sluit: "
            "{deadline}."
        ),
        "respond_at": "Reageren kan hier: {link}",
        "anonymous": (
            "Uw reactie is voor onze collega\u2019s anoniem: zij zien uw naam niet bij uw "
            "opmerkingen."
        ),
        "named": "Onze collega\u2019s die de reacties verwerken, zien uw naam bij uw opmerkingen.",
        "the_draft": "Het concept",
        "reminder_subject": "Herinnering: uw feedback op {title} (tot {deadline})",
        "reminder_body": (
            "We hebben uw reactie op het concept \u201c{title}\u201d nog niet ontvangen. "
            "U kunt reageren tot {deadline}. Ook een korte reactie helpt ons."
        ),
        "summary_subject": "Wat we met uw inbreng hebben gedaan: {title}",
        "summary_intro": (
            "Dank u wel voor uw bijdrage aan \u201c{event}\u201d. Hieronder leest u wat we "
            "met uw inbreng hebben gedaan, en wat er is veranderd van versie {old} naar "
            "versie {new} van \u201c{title}\u201d."
        ),
        "your_comments": "Uw opmerkingen",
        "no_response": "U heeft in deze feedbackronde niet gereageerd.",
        "no_comments": "U gaf een oordeel, maar geen opmerkingen die om een besluit vroegen.",
        "on_section": "Over \u201c{section}\u201d ({opinion})",
        "general": "Algemene opmerking",
        "you_wrote": "U schreef",
        "you_suggested": "Uw tekstvoorstel",
        "decision": "Ons besluit",
        "changes": "Wat er veranderde",
        "no_changes": "De tekst is niet veranderd.",
        "legend": "[-doorgehaald-] is geschrapt, {+tussen plustekens+} is toegevoegd.",
        "your_input": "Uw inbreng tijdens de bijeenkomst",
        "used_in": "terug te vinden in",
        "not_used": "niet rechtstreeks verwerkt in een onderdeel",
        "question": "vraag {number}",
        "regards": "Met vriendelijke groet,",
    },
    "en": {
        "dear": "Dear {name},",
        "invitation_subject": "Your feedback, please: {title}",
        "invitation_intro": (
            "At \u201c{event}\u201d we talked with you. What you and the other "
            "participants said has gone into the draft \u201c{title}\u201d (version "
            "{version}). Before we send it, we ask for your feedback."
        ),
        "invitation_how": (
            "For each section, tell us whether you agree, partly agree or disagree, with a "
            "comment or a suggestion for other wording. You may also give one general "
            "comment. You can change your response until the round closes: {deadline}."
        ),
        "respond_at": "Respond here: {link}",
        "anonymous": (
            "Your response is anonymous to our colleagues: they do not see your name with "
            "your comments."
        ),
        "named": "The colleagues who process the responses see your name with your comments.",
        "the_draft": "The draft",
        "reminder_subject": "Reminder: your feedback on {title} (until {deadline})",
        "reminder_body": (
            "We have not received your response to the draft \u201c{title}\u201d yet. "
            "You can respond until {deadline}. A short response helps us too."
        ),
        "summary_subject": "What we did with your input: {title}",
        "summary_intro": (
            "Thank you for taking part in \u201c{event}\u201d. Below you can read what we "
            "did with your input, and what changed from version {old} to version {new} of "
            "\u201c{title}\u201d."
        ),
        "your_comments": "Your comments",
        "no_response": "You did not respond in this feedback round.",
        "no_comments": "You gave your opinion, but no comments that called for a decision.",
        "on_section": "On \u201c{section}\u201d ({opinion})",
        "general": "General comment",
        "you_wrote": "You wrote",
        "you_suggested": "Your suggested wording",
        "decision": "Our decision",
        "changes": "What changed",
        "no_changes": "The text did not change.",
        "legend": "[-struck-] was removed, {+between plus signs+} was added.",
        "your_input": "Your input during the meeting",
        "used_in": "found in",
        "not_used": "not worked into a particular section",
        "question": "question {number}",
        "regards": "Kind regards,",
    },
}
