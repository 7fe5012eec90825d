"""Dialoogbijeenkomst: one online dialogue meeting with three central questions.

A national organisation of client councils invites client councils from youth
protection to an online meeting on Friday 21 May 2021, 10:00-11:30, about the
future scenario for child and family protection that is open for public
consultation. Three central questions steer the conversation; what is said goes
into the organisation's response to the consultation, which is first sent to the
participants for feedback.

This example replays the whole story, with fictional client councils and
people, on a :class:`participatie.FixedClock` that moves from May into June:

* :func:`describe_event`: the event with its help desk, purpose, central
  questions and its one online session (capacity, waiting list, groups of 4);
* :func:`take_registrations`: the export of the registration form imported in
  one go with :meth:`participatie.Participatie.register_many`; a double
  submission and an entry without consent are refused, the rest get a place
  or wait;
* :func:`hold_meeting`: groups formed, attendance recorded (two no-shows);
* :func:`collect_input`: note-takers record what each group said on each of
  the three questions, and two participants send input themselves;
* :func:`write_first_version`: the draft response, its sections linked to
  the input they draw on;
* :func:`run_first_round`: a feedback round for everyone who attended, with
  the invitations, a reminder two days before the deadline, a changed
  response, and a response that came too late (:class:`RoundClosedError`);
* :func:`decide_and_revise`: a disposition for every comment, version 2, the
  round concluded and everyone's "what we did with your input" summary;
* :func:`run_second_round`: a short second round on version 2 that leads to
  the final version 3;
* :func:`write_reports`: the public report (no personal data) and an internal
  one for colleagues, as Markdown, HTML and CSV.

Every message goes through the notification system: queued in the store's
outbox together with the record that it was queued, then delivered by the
dispatcher as an ``.eml`` file into ``outbox/`` (the embedded default channel).

Run it with ``python examples/dialoogbijeenkomst.py --output demo-output``. It
writes ``dialoogbijeenkomst.db``, ``dialoogbijeenkomst.md``, the messages under
``outbox/`` and the reports under ``reports/`` into the output
directory, starting afresh on every run.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    Audience,
    Consent,
    DispositionOutcome,
    Draft,
    EnteredBy,
    Event,
    FeedbackRound,
    FixedClock,
    HelpDesk,
    Notifications,
    Opinion,
    Participatie,
    ParticipatieError,
    Person,
    ReminderRule,
    ReportOptions,
    RoundClosedError,
    Section,
    SectionResponse,
    Session,
    WaitingListPolicy,
    parse_datetime,
    to_local,
    write_report,
)

TIMEZONE = "Europe/Amsterdam"
EVENT_KEY = "dialoog-toekomstscenario-2021"
SESSION_KEY = "online-21-mei-2021"
CLIENT_COUNCIL = "client-council"
CONSENT_VERSION = "privacyverklaring-2021-04"
DATABASE_NAME = "dialoogbijeenkomst.db"
REPORT_NAME = "dialoogbijeenkomst.md"
MESSAGES_DIR = "outbox"
REPORTS_DIR = "reports"
DRAFT_KEY = "reactie-consultatie"

#: The three questions of the invitation, as written there.
CENTRAL_QUESTIONS = (
    "Hoe moet jeugdbescherming er in de toekomst uit zien?",
    "Wat is er nodig om dit te realiseren?",
    "Draagt het toekomstscenario daar aan bij?",
)


def describe_event() -> Event:
    """The meeting as the invitation describes it."""
    return Event(
        key=EVENT_KEY,
        title="Dialoogbijeenkomst consultatie Toekomstscenario kind- en gezinsbescherming",
        organiser="Landelijk Platform Cliëntenraden Voorbeeldland",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="030 000 00 00"),
        timezone=TIMEZONE,
        purpose=(
            "Ophalen wat cliëntenraden uit de jeugdbescherming belangrijk vinden voor de "
            "jeugdbescherming in de toekomst, zodat we vanuit hun perspectief een reactie "
            "op de internetconsultatie van het toekomstscenario kunnen geven.\n"
            "Die reactie sturen we vóór verzending eerst naar de deelnemers voor feedback."
        ),
        # Participants register as members of a client council; what they say
        # is recorded with the perspective it comes from: a (former) client
        # or parent, an expert by experience, or a council's professional
        # supporter.
        audiences=(
            Audience(CLIENT_COUNCIL, "cliëntenraad"),
            Audience(CLIENT, "cliënt of ouder"),
            Audience(EXPERT_BY_EXPERIENCE, "ervaringsdeskundige"),
            Audience(PROFESSIONAL, "ondersteuner"),
        ),
        central_questions=CENTRAL_QUESTIONS,
        consent_version=CONSENT_VERSION,
        sessions=(
            Session(
                SESSION_KEY,
                "Online dialoogbijeenkomst",
                parse_datetime("vrijdag 21 mei 2021 10:00", TIMEZONE),
                parse_datetime("vrijdag 21 mei 2021 11:30", TIMEZONE),
                online_link="https://meet.example.org/dialoogbijeenkomst-2021-05-21",
                audiences={CLIENT_COUNCIL},
                capacity=12,
                max_group_size=4,
                waiting_list=WaitingListPolicy.AUTOMATIC,
                # The invitation names no deadline: registration stays open
                # until the meeting starts (registration_closes=None).
            ),
        ),
    )


@dataclass(frozen=True)
class FormEntry:
    """One row of the registration form's export."""

    name: str
    email: str
    council: str
    submitted: str  # as the form writes it: "3 mei 2021 14:12"
    consent_ticked: bool = True


# Fictional client councils.
RAAD_STAD = "Cliëntenraad Jeugdbescherming Voorbeeldstad"
JONGERENRAAD = "Jongerenraad Gecertificeerde Instelling Noord-Voorbeeld"
OUDERRAAD = "Ouderraad Gezinsvoogdij Oost-Voorbeeld"
RAAD_ZUID = "Cliëntenraad Jeugdreclassering Zuid-Voorbeeld"

#: The form export: members of fictional client councils, sixteen rows for
#: twelve places. Two rows are wrong on purpose: Tom submitted twice (with his
#: address typed differently), and Vera did not tick the consent box.
FORM_EXPORT = (
    FormEntry("Annemiek Post", "annemiek.post@example.org", RAAD_STAD, "3 mei 2021 09:05"),
    FormEntry("Tom Verhoeven", "tom.verhoeven@example.org", RAAD_STAD, "3 mei 2021 09:40"),
    FormEntry("Selin Aydemir", "selin.aydemir@example.org", JONGERENRAAD, "3 mei 2021 11:15"),
    FormEntry("Tom Verhoeven", " Tom.Verhoeven@Example.ORG", RAAD_STAD, "3 mei 2021 11:20"),
    FormEntry("Gert-Jan Hoekstra", "gj.hoekstra@example.org", OUDERRAAD, "4 mei 2021 10:02"),
    FormEntry(
        "Vera Lambregts",
        "vera.lambregts@example.org",
        OUDERRAAD,
        "4 mei 2021 13:30",
        consent_ticked=False,
    ),
    FormEntry("Kevin Scholten", "kevin.scholten@example.org", JONGERENRAAD, "4 mei 2021 16:45"),
    FormEntry("Wilma de Haan", "wilma.dehaan@example.org", RAAD_ZUID, "5 mei 2021 08:30"),
    FormEntry("Ahmed Ouali", "ahmed.ouali@example.org", RAAD_ZUID, "5 mei 2021 12:00"),
    FormEntry("Joyce van der Meer", "joyce.vandermeer@example.org", RAAD_STAD, "6 mei 2021 19:10"),
    FormEntry("Ricardo Martina", "ricardo.martina@example.org", OUDERRAAD, "7 mei 2021 09:55"),
    FormEntry("Linda Groen", "linda.groen@example.org", RAAD_ZUID, "7 mei 2021 14:20"),
    FormEntry("Mehmet Kaya", "mehmet.kaya@example.org", JONGERENRAAD, "10 mei 2021 10:10"),
    FormEntry("Petra Willemsen", "petra.willemsen@example.org", OUDERRAAD, "10 mei 2021 15:45"),
    FormEntry("Dirk Jan Bosman", "dirkjan.bosman@example.org", RAAD_STAD, "11 mei 2021 09:00"),
    FormEntry("Naima Benali", "naima.benali@example.org", RAAD_ZUID, "11 mei 2021 11:25"),
)

#: When the organiser imports the export.
IMPORTED_AT = parse_datetime("woensdag 12 mei 2021 09:00", TIMEZONE)


@dataclass(frozen=True)
class Refused:
    """A form entry that a rule refused, with the library's reason."""

    name: str
    error: ParticipatieError


def take_registrations(app: Participatie) -> list[Refused]:
    """Import the form export in one transaction; return the refused entries."""
    entries: list[tuple[Person, Consent | None]] = []
    for row in FORM_EXPORT:
        person = Person(row.name, row.email, CLIENT_COUNCIL, organisation=row.council)
        given = parse_datetime(row.submitted, TIMEZONE)
        consent = Consent(CONSENT_VERSION, given) if row.consent_ticked else None
        entries.append((person, consent))
    result = app.register_many(EVENT_KEY, SESSION_KEY, entries)
    return [Refused(FORM_EXPORT[index].name, error) for index, error in result.refused]


def report(app: Participatie, refused: Sequence[Refused] = ()) -> str:
    """The meeting as Markdown: questions, places, participants, waiting list, refusals."""
    event = app.event(EVENT_KEY)
    session = event.session(SESSION_KEY)
    start, end = to_local(session.start, TIMEZONE), to_local(session.end, TIMEZONE)
    places = app.places(EVENT_KEY, SESSION_KEY)
    lines = [
        f"# {event.title}",
        "",
        f"- Organiser: {event.organiser}",
        f"- Help desk: {event.help_desk.email}, {event.help_desk.phone}",
        f"- When: {start:%A} {start.day} {start:%B %Y, %H:%M}-{end:%H:%M} ({event.timezone})",
        f"- Online: {session.online_link}",
        f"- Places: {places.taken} of {places.capacity} taken; {places.waiting} waiting",
        "",
        *(f"> {line}" for line in event.purpose.splitlines()),
        "",
        "## Central questions",
        "",
        *(f"{n}. {question}" for n, question in enumerate(event.central_questions, start=1)),
        "",
        "## Participants",
        "",
    ]
    for n, registration in enumerate(app.participants(EVENT_KEY, SESSION_KEY), start=1):
        lines.append(f"{n}. {registration.person.name} ({registration.person.organisation})")
    waiting = app.waiting_list(EVENT_KEY, SESSION_KEY)
    if waiting:
        lines += ["", "## Waiting list", ""]
        for n, registration in enumerate(waiting, start=1):
            lines.append(f"{n}. {registration.person.name} ({registration.person.organisation})")
    if refused:
        lines += ["", "## Refused", ""]
        lines += [f"- {r.name}: {type(r.error).__name__}: {r.error}" for r in refused]
    return "\n".join(lines) + "\n"


# --- the meeting --------------------------------------------------------------

#: The meeting is over at 11:30; the organiser records attendance at 11:45.
AFTER_MEETING = parse_datetime("vrijdag 21 mei 2021 11:45", TIMEZONE)
#: Kevin and Linda did not show up.
NO_SHOWS = ("kevin.scholten@example.org", "linda.groen@example.org")
#: The seed of the group lottery, so that every run forms the same groups.
GROUP_SEED = 2021


def hold_meeting(app: Participatie) -> dict[str, list[str]]:
    """Form the breakout groups and record who attended; return group key -> e-mails.

    Groups are formed with the built-in strategy under the session's group
    size and kept as plain keys (``Groep 1`` ...), which is all the input and
    the reports need.
    """
    groups = {
        f"Groep {group.number}": [member.person.email for member in group.members]
        for group in app.form_groups(EVENT_KEY, SESSION_KEY, seed=GROUP_SEED)
    }
    came = [
        r.person.email
        for r in app.participants(EVENT_KEY, SESSION_KEY)
        if r.person.email not in NO_SHOWS
    ]
    app.record_attendance(EVENT_KEY, SESSION_KEY, attended=came, no_show=NO_SHOWS)
    return groups


# --- input -----------------------------------------------------------------------

#: What the note-takers wrote down per group: (question, audience, text, themes).
#: ``None`` as the question: input outside the three questions.
GROUP_NOTES: dict[str, tuple[tuple[int | None, str, str, tuple[str, ...]], ...]] = {
    "Groep 1": (
        (1, CLIENT, "Jongeren willen zelf gehoord worden, niet alleen via hun ouders of de voogd.",
         ("inspraak",)),
        (1, EXPERT_BY_EXPERIENCE, "Eén vaste jeugdbeschermer die je kent en die blijft.",
         ("continuïteit",)),
        (2, CLIENT, "Minder wisselingen van jeugdbeschermer: bij elke wissel vertel je je "
         "verhaal opnieuw.", ("continuïteit",)),
        (3, PROFESSIONAL, "Het scenario zegt veel over de structuur en weinig over wat een "
         "gezin ervan merkt.", ("uitvoering",)),
    ),
    "Groep 2": (
        (1, CLIENT, "Ouders willen als partner gezien worden, ook als er een maatregel is.",
         ("gezin",)),
        (2, EXPERT_BY_EXPERIENCE, "Ervaringsdeskundigen moeten meepraten over het inrichten "
         "van de nieuwe teams.", ("inspraak",)),
        (2, PROFESSIONAL, "Cliëntenraden hebben ondersteuning en budget nodig om mee te "
         "kunnen denken.", ("financiering", "inspraak")),
        (3, CLIENT, "Goed dat rechtsbescherming een eigen plek krijgt, maar hoe krijg je die "
         "als ouder?", ("rechtsbescherming",)),
    ),
    "Groep 3": (
        (1, CLIENT, "Hulp moet dichtbij zijn, in je eigen buurt.", ("gezin",)),
        (2, CLIENT, "Een onafhankelijke vertrouwenspersoon voor elk kind met een maatregel.",
         ("rechtsbescherming",)),
        (3, EXPERT_BY_EXPERIENCE, "Het scenario draagt bij als de routekaart ook zegt wanneer "
         "cliënten mee mogen beslissen.", ("inspraak", "uitvoering")),
        (None, CLIENT, "Maak de uitnodiging voor zo'n bijeenkomst ook in gewone taal.", ()),
    ),
}  # fmt: skip

#: Input two participants sent themselves after the meeting:
#: (e-mail, question, audience, text, may be named).
SENT_IN = (
    ("selin.aydemir@example.org", 2, CLIENT,
     "Laat jongeren zelf een vertrouwenspersoon kiezen, met een eigen budget daarvoor.", True),
    ("ricardo.martina@example.org", 3, CLIENT,
     "Het scenario vergeet de broers en zussen van een kind met een maatregel.", False),
)  # fmt: skip


def collect_input(app: Participatie, groups: dict[str, list[str]]) -> dict[str, list[int]]:
    """Record each group's notes and the input sent in; return contribution ids per question.

    The keys of the result are ``"1"``, ``"2"``, ``"3"`` and ``"other"``, so
    the draft can name the input each section draws on.
    """
    by_question: dict[str, list[int]] = {"1": [], "2": [], "3": [], "other": []}

    def keep(question: int | None, contribution_id: int | None) -> None:
        assert contribution_id is not None
        by_question["other" if question is None else str(question)].append(contribution_id)

    for group, notes in GROUP_NOTES.items():
        for question, audience, text, themes in notes:
            stored = app.record_input(
                EVENT_KEY,
                SESSION_KEY,
                text,
                question=question,
                audience=audience,
                group=group,
                themes=themes,
            )
            keep(question, stored.id)
    group_of = {email: key for key, emails in groups.items() for email in emails}
    for email, question, audience, text, named in SENT_IN:
        stored = app.record_input(
            EVENT_KEY,
            SESSION_KEY,
            text,
            question=question,
            audience=audience,
            group=group_of.get(email),
            participant=email,
            entered_by=EnteredBy.PARTICIPANT,
            may_be_named=named,
        )
        keep(question, stored.id)
    return by_question


# --- the draft response ------------------------------------------------------------------

INTRO = (
    "Op 21 mei 2021 spraken leden van cliëntenraden uit de jeugdbescherming met elkaar over "
    "het toekomstscenario kind- en gezinsbescherming. Deze reactie geeft weer wat zij "
    "belangrijk vinden."
)
CLOSING = (
    "Wij vragen het Rijk en de VNG de cliëntenraden te betrekken bij de uitwerking van de "
    "routekaart."
)


def write_first_version(app: Participatie, sources: dict[str, list[int]]) -> None:
    """The first version of the response: one section per central question."""
    app.save_draft(Draft(DRAFT_KEY, EVENT_KEY, "Reactie op de consultatie toekomstscenario"))
    app.add_draft_version(
        DRAFT_KEY,
        [
            Section("inleiding", INTRO, heading="Inleiding"),
            Section(
                "visie",
                "De jeugdbescherming van de toekomst luistert naar het kind en ziet ouders als "
                "partner. Kinderen en jongeren hebben één vaste jeugdbeschermer die zij kennen, "
                "en hulp is dichtbij.",
                heading="Hoe jeugdbescherming eruit moet zien",
                sources=sources["1"],
            ),
            Section(
                "nodig",
                "Daarvoor is nodig: minder wisselingen van jeugdbeschermer, een onafhankelijke "
                "vertrouwenspersoon voor elk kind met een maatregel, en cliëntenraden die "
                "ondersteuning en budget krijgen om mee te denken.",
                heading="Wat daarvoor nodig is",
                sources=sources["2"],
            ),
            Section(
                "scenario",
                "Het toekomstscenario draagt hieraan bij, omdat rechtsbescherming een eigen "
                "plek krijgt.",
                heading="Draagt het toekomstscenario bij?",
                sources=sources["3"],
            ),
            Section("slot", CLOSING, heading="Tot slot"),
        ],
        note="Eerste versie, na de bijeenkomst van 21 mei",
    )


# --- messages: the seam to the notification system ------------------------------------------


def queue_messages(app: Participatie, directory: Path) -> int:
    """What a scheduler does every few minutes: report rounds that opened or
    closed, queue every due message in the outbox (and record it as queued,
    in the same transaction), then run the dispatcher.

    The outbox channel writes each message as an ``.eml`` file into
    ``directory``; with the ``smtp`` channel the same messages go out by e-mail.
    """
    del directory  # the channel knows its folder
    app.advance_rounds()
    queued = app.queue_feedback_messages()
    app.dispatch()
    return queued


@dataclass(frozen=True)
class Answer:
    """One response as a participant gives it, at a moment written the Dutch way."""

    email: str
    when: str
    sections: tuple[SectionResponse, ...] = ()
    general: str | None = None
    named: bool = False


ROUND_1_OPENS = parse_datetime("vrijdag 28 mei 2021 09:00", TIMEZONE)
ROUND_1_CLOSES = parse_datetime("vrijdag 4 juni 2021 17:00", TIMEZONE)
REMINDER_1 = parse_datetime("woensdag 2 juni 2021 17:00", TIMEZONE)

ROUND_1_BEFORE_REMINDER = (
    Answer("annemiek.post@example.org", "zaterdag 29 mei 2021 10:12", (
        SectionResponse("visie", Opinion.AGREE),
        SectionResponse("nodig", Opinion.PARTLY,
                        "Noem ook dat een jeugdbeschermer tijd moet hebben om het kind te leren "
                        "kennen."),
    )),
    Answer("selin.aydemir@example.org", "zaterdag 29 mei 2021 21:40", (
        SectionResponse("nodig", Opinion.PARTLY,
                        "De jongere moet de vertrouwenspersoon zelf kunnen kiezen.",
                        "een onafhankelijke vertrouwenspersoon die het kind of de jongere zelf "
                        "kiest"),
    ), named=True),
    Answer("gj.hoekstra@example.org", "maandag 31 mei 2021 08:05", (
        SectionResponse("scenario", Opinion.DISAGREE, "Te positief."),
    )),
    Answer("tom.verhoeven@example.org", "dinsdag 1 juni 2021 19:30", (
        SectionResponse("visie", Opinion.AGREE),
    ), general="Helder stuk, goed dat het kort is."),
    Answer("wilma.dehaan@example.org", "woensdag 2 juni 2021 09:00", (
        SectionResponse("slot", Opinion.PARTLY, "Vraag ook om een vervolgbijeenkomst."),
    )),
    # Gert-Jan thinks again and changes his response.
    Answer("gj.hoekstra@example.org", "woensdag 2 juni 2021 10:15", (
        SectionResponse("scenario", Opinion.DISAGREE,
                        "Te positief: het scenario is nog niet uitgewerkt, dus we weten nog niet "
                        "of het bijdraagt.",
                        "Het toekomstscenario kan hieraan bijdragen, als de uitwerking dat "
                        "waarmaakt."),
    )),
)  # fmt: skip
ROUND_1_AFTER_REMINDER = (
    Answer("joyce.vandermeer@example.org", "donderdag 3 juni 2021 12:00", (
        SectionResponse("visie", Opinion.AGREE),
        SectionResponse("nodig", Opinion.AGREE),
        SectionResponse("scenario", Opinion.PARTLY,
                        "Zeg erbij dat het scenario nog uitgewerkt moet worden."),
    )),
    Answer("ricardo.martina@example.org", "vrijdag 4 juni 2021 16:50",
           general="Noem de broers en zussen."),
)  # fmt: skip
#: Mehmet answers twenty minutes after the deadline.
TOO_LATE = Answer("mehmet.kaya@example.org", "vrijdag 4 juni 2021 17:20", (
    SectionResponse("visie", Opinion.AGREE),
))  # fmt: skip


def respond(app: Participatie, clock: FixedClock, round_id: int, answer: Answer) -> None:
    """One participant responds (or changes their response) at the moment given."""
    clock.set(parse_datetime(answer.when, TIMEZONE))
    app.respond(
        round_id,
        answer.email,
        sections=answer.sections,
        general_comment=answer.general,
        may_be_named=answer.named,
    )


@dataclass
class Story:
    """What happened, for the account the script prints."""

    lines: list[str]

    def say(self, clock: FixedClock, text: str) -> None:
        moment = to_local(clock.now(), TIMEZONE)
        self.lines.append(f"{moment:%Y-%m-%d %H:%M}  {text}")


def run_first_round(
    app: Participatie, clock: FixedClock, outbox: Path, story: Story
) -> FeedbackRound:
    """The first feedback round on version 1, from invitation to deadline."""
    clock.set(parse_datetime("woensdag 26 mei 2021 16:00", TIMEZONE))
    feedback_round = app.create_round(
        DRAFT_KEY,
        opens_at=ROUND_1_OPENS,
        closes_at=ROUND_1_CLOSES,
        reminders=[ReminderRule(timedelta(days=2))],
        title="Reactie op de consultatie (ronde 1)",
    )
    assert feedback_round.id is not None
    story.say(
        clock,
        f"feedback round 1 on version 1 scheduled for {len(feedback_round.recipients)} "
        "attendees, reminder two days before the deadline",
    )
    clock.set(ROUND_1_OPENS)
    sent = queue_messages(app, outbox)
    story.say(clock, f"round 1 opens: {sent} invitations queued")
    for answer in ROUND_1_BEFORE_REMINDER:
        respond(app, clock, feedback_round.id, answer)
        story.say(clock, f"response from {answer.email}")
    clock.set(REMINDER_1)
    sent = queue_messages(app, outbox)
    story.say(clock, f"{sent} reminders queued for those who have not responded")
    for answer in ROUND_1_AFTER_REMINDER:
        respond(app, clock, feedback_round.id, answer)
        story.say(clock, f"response from {answer.email}")
    try:
        respond(app, clock, feedback_round.id, TOO_LATE)
    except RoundClosedError as error:
        story.say(clock, f"response from {TOO_LATE.email} REFUSED (RoundClosedError): {error}")
    queue_messages(app, outbox)
    done = app.feedback_round(feedback_round.id)
    responded = len(app.responses(feedback_round.id))
    story.say(clock, f"round 1 closed: {responded} of {len(done.recipients)} responded")
    return done


#: What the organiser decided about each comment of round 1.
DISPOSITIONS_1 = (
    ("annemiek.post@example.org", "nodig", DispositionOutcome.ADOPTED,
     "Toegevoegd aan 'Wat daarvoor nodig is'."),
    ("selin.aydemir@example.org", "nodig", DispositionOutcome.PARTLY_ADOPTED,
     "We schrijven dat de jongere de vertrouwenspersoon mee kiest; helemaal zelf kiezen kan "
     "niet in elke situatie."),
    ("gj.hoekstra@example.org", "scenario", DispositionOutcome.ADOPTED,
     "De conclusie is nu voorwaardelijk."),
    ("tom.verhoeven@example.org", None, DispositionOutcome.ADOPTED, ""),
    ("wilma.dehaan@example.org", "slot", DispositionOutcome.NOT_ADOPTED,
     "Een vervolgbijeenkomst hoort niet in de reactie op de consultatie; we nemen het mee in "
     "onze eigen planning."),
    ("joyce.vandermeer@example.org", "scenario", DispositionOutcome.ADOPTED,
     "Zie de nieuwe tekst."),
    ("ricardo.martina@example.org", None, DispositionOutcome.PARTLY_ADOPTED,
     "Broers en zussen staan nu in de visie; een eigen paragraaf werd te lang."),
)  # fmt: skip


def second_version(sources: dict[str, list[int]]) -> list[Section]:
    """Version 2: the comments of round 1 worked in."""
    return [
        Section("inleiding", INTRO, heading="Inleiding"),
        Section(
            "visie",
            "De jeugdbescherming van de toekomst luistert naar het kind en ziet ouders, broers "
            "en zussen als partner. Kinderen en jongeren hebben één vaste jeugdbeschermer die "
            "zij kennen, en hulp is dichtbij.",
            heading="Hoe jeugdbescherming eruit moet zien",
            sources=sources["1"] + sources["3"][-1:],
        ),
        Section(
            "nodig",
            "Daarvoor is nodig: minder wisselingen van jeugdbeschermer, die ook de tijd krijgt "
            "om het kind te leren kennen; een onafhankelijke vertrouwenspersoon die het kind of "
            "de jongere mee kiest; en cliëntenraden die ondersteuning en budget krijgen om mee "
            "te denken.",
            heading="Wat daarvoor nodig is",
            sources=sources["2"],
        ),
        Section(
            "scenario",
            "Het toekomstscenario kan hieraan bijdragen, als de uitwerking dat waarmaakt: "
            "rechtsbescherming krijgt een eigen plek, maar het scenario moet nog worden "
            "uitgewerkt.",
            heading="Draagt het toekomstscenario bij?",
            sources=sources["3"],
        ),
        Section("slot", CLOSING, heading="Tot slot"),
    ]


def decide_and_revise(
    app: Participatie,
    clock: FixedClock,
    round_id: int,
    sources: dict[str, list[int]],
    outbox: Path,
    story: Story,
) -> None:
    """Record a disposition for every comment, write version 2, conclude the round."""
    clock.set(parse_datetime("maandag 7 juni 2021 10:00", TIMEZONE))
    for email, section, outcome, reason in DISPOSITIONS_1:
        app.record_disposition(round_id, email, section, outcome, reason)
    story.say(clock, f"{len(DISPOSITIONS_1)} comments decided")
    clock.set(parse_datetime("dinsdag 8 juni 2021 11:00", TIMEZONE))
    version = app.add_draft_version(DRAFT_KEY, second_version(sources), note="Na ronde 1")
    app.conclude_round(round_id, version.number)
    sent = queue_messages(app, outbox)
    story.say(
        clock,
        f"version {version.number} written, round 1 concluded: {sent} personal "
        "'what we did with your input' summaries queued",
    )


ROUND_2_OPENS = parse_datetime("woensdag 9 juni 2021 09:00", TIMEZONE)
ROUND_2_CLOSES = parse_datetime("vrijdag 11 juni 2021 17:00", TIMEZONE)
ROUND_2_ANSWERS = (
    Answer("gj.hoekstra@example.org", "woensdag 9 juni 2021 11:00",
           (SectionResponse("scenario", Opinion.AGREE),)),
    Answer("selin.aydemir@example.org", "woensdag 9 juni 2021 19:45",
           (SectionResponse("nodig", Opinion.AGREE),), named=True),
    Answer("annemiek.post@example.org", "donderdag 10 juni 2021 08:30",
           (SectionResponse("slot", Opinion.PARTLY, "Zet er een termijn bij."),)),
)  # fmt: skip


def run_second_round(
    app: Participatie,
    clock: FixedClock,
    sources: dict[str, list[int]],
    outbox: Path,
    story: Story,
) -> FeedbackRound:
    """A short check of version 2, leading to the final version 3."""
    clock.set(parse_datetime("dinsdag 8 juni 2021 15:00", TIMEZONE))
    feedback_round = app.create_round(
        DRAFT_KEY,
        opens_at=ROUND_2_OPENS,
        closes_at=ROUND_2_CLOSES,
        reminders=[ReminderRule(timedelta(days=1))],
        title="Reactie op de consultatie (ronde 2)",
    )
    assert feedback_round.id is not None
    clock.set(ROUND_2_OPENS)
    sent = queue_messages(app, outbox)
    story.say(clock, f"round 2 on version 2 opens: {sent} invitations queued")
    for answer in ROUND_2_ANSWERS:
        respond(app, clock, feedback_round.id, answer)
        story.say(clock, f"response from {answer.email}")
    clock.set(parse_datetime("donderdag 10 juni 2021 17:00", TIMEZONE))
    sent = queue_messages(app, outbox)
    story.say(clock, f"{sent} reminders queued")
    clock.set(ROUND_2_CLOSES)
    queue_messages(app, outbox)
    story.say(clock, f"round 2 closed: {len(app.responses(feedback_round.id))} responded")
    clock.set(parse_datetime("maandag 14 juni 2021 10:00", TIMEZONE))
    app.record_disposition(
        feedback_round.id,
        "annemiek.post@example.org",
        "slot",
        DispositionOutcome.PARTLY_ADOPTED,
        "We vragen om betrokkenheid vóór het einde van het jaar; een precieze datum kunnen wij "
        "niet beloven.",
    )
    final = second_version(sources)
    final[-1] = Section(
        "slot",
        CLOSING.replace("routekaart.", "routekaart, nog vóór het einde van dit jaar."),
        heading="Tot slot",
    )
    version = app.add_draft_version(DRAFT_KEY, final, note="Definitief, na ronde 2")
    app.conclude_round(feedback_round.id, version.number)
    sent = queue_messages(app, outbox)
    story.say(
        clock,
        f"version {version.number} (final) written, round 2 concluded: {sent} summaries queued",
    )
    return app.feedback_round(feedback_round.id)


# --- reports ---------------------------------------------------------------------------------


def write_reports(app: Participatie, groups: dict[str, list[str]], directory: Path) -> list[Path]:
    """The public report (no personal data) and the internal one for colleagues."""
    session_groups = {SESSION_KEY: groups}
    public = app.feedback_report(
        EVENT_KEY, groups=session_groups, options=ReportOptions(language="nl")
    )
    internal = app.feedback_report(
        EVENT_KEY,
        groups=session_groups,
        options=ReportOptions(for_publication=False, language="nl"),
    )
    written = write_report(public, directory, name="dialoogbijeenkomst")
    written += write_report(internal, directory / "intern", name="dialoogbijeenkomst-intern")
    return written


def fresh_database(path: Path) -> None:
    """Remove an earlier run's database, with SQLite's write-ahead log files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Replay the meeting from registration to the final, checked response."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--output",
        default="demo-output",
        help="directory for the database, the messages and the reports (default: demo-output)",
    )
    args = parser.parse_args(argv)

    output = Path(args.output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    database = output / DATABASE_NAME
    report_path = output / REPORT_NAME
    outbox = output / MESSAGES_DIR
    reports = output / REPORTS_DIR
    fresh_database(database)
    shutil.rmtree(reports, ignore_errors=True)
    for old in outbox.glob("feedback-*.eml"):  # the week example's messages stay
        old.unlink()

    clock = FixedClock(IMPORTED_AT)
    story = Story([])
    # An absolute path after "sqlite:///" gives the four slashes an absolute path needs.
    notifications = Notifications(
        channels=("outbox",),
        options={
            "outbox": {"folder": outbox, "sender": "vraagbaak@example.org", "clock": clock.now}
        },
    )
    with Participatie.open(
        f"sqlite:///{database}", clock=clock, notifications=notifications
    ) as app:
        app.save_event(describe_event())
        refused = take_registrations(app)
        text = report(app, refused)
        story.say(clock, f"{len(FORM_EXPORT)} form entries imported, {len(refused)} refused")

        clock.set(AFTER_MEETING)
        groups = hold_meeting(app)
        story.say(
            clock,
            f"meeting held in {len(groups)} groups; {len(app.attendees(EVENT_KEY))} attended, "
            f"{len(NO_SHOWS)} did not show up",
        )
        clock.set(parse_datetime("maandag 24 mei 2021 10:00", TIMEZONE))
        sources = collect_input(app, groups)
        story.say(clock, f"{len(app.contributions(EVENT_KEY))} contributions recorded")
        clock.set(parse_datetime("woensdag 26 mei 2021 14:00", TIMEZONE))
        write_first_version(app, sources)
        story.say(clock, "draft response, version 1, written")

        first = run_first_round(app, clock, outbox, story)
        assert first.id is not None
        decide_and_revise(app, clock, first.id, sources, outbox, story)
        run_second_round(app, clock, sources, outbox, story)

        clock.set(parse_datetime("dinsdag 15 juni 2021 09:00", TIMEZONE))
        written = write_reports(app, groups, reports)

    print(text)
    print("## What happened next\n")
    for line in story.lines:
        print(line)
    print()
    report_path.write_text(text, encoding="utf-8")
    print(f"Database: {database}")
    print(f"Report:   {report_path}")
    print(f"Messages: {outbox} ({len(list(outbox.glob('feedback-*.eml')))} .eml files)")
    print(f"Reports:  {reports} ({len(written)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
