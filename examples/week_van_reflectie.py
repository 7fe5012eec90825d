"""Week van reflectie en verrijking: registrations from invitation to groups.

In the first week of November 2020 a project group held interactive digital
sessions about the future of child and family protection: on Thursday
5 November for clients and experts by experience, on Friday 6 November for
professionals. Registration closed on Friday 30 October, and because a digital
session holds only so many people, each session was split into groups.

This script replays that registration period with fictional people on a
:class:`participatie.FixedClock` that the story moves forward through October
2020. It shows:

* an event with its organiser, help desk, audiences and purpose, and sessions
  whose times and deadline are written the way an organiser writes them
  (``parse_datetime("donderdag 5 november 2020 10:00")``,
  ``parse_deadline("vrijdag 30 oktober 2020")``);
* registrations filling a session, and a full session keeping a waiting list;
* a cancellation that moves the first person waiting into the freed place, and
  on a session with the *offer* policy: an offer accepted, an offer that lapses
  and passes to the next person;
* a professional refused on the clients' day (:class:`NotEligibleError`);
* the same person registering twice with a differently written e-mail address
  (:class:`AlreadyRegisteredError`);
* a registration at 23:45 on the day of the deadline accepted, and one the next
  morning refused (:class:`RegistrationClosedError`);
* a calendar invitation for every participant, with their group and its own
  join link; the afternoon session moved half an hour, and the update that
  moves the entry in each participant's calendar (same UID, SEQUENCE 1);
* the event's published calendar (and one per audience), without personal
  data or join links.
* groups formed per session under the session's group-size limit, with
  group lists that name people only on request (recorded) and pseudonymous
  lists otherwise;
* after the week, a participant's erasure request: everything about him is
  erased, and the script searches every file it keeps to prove it.
* every message these steps cause: invitations to partner organisations, a
  confirmation, waiting-list notice, offer, lapse or cancellation per change,
  change notices when the professionals' session moves, each person's group,
  and reminders the day before, each in Dutch, queued in the same transaction
  as the change and written by the ``outbox`` channel as an ``.eml`` file
  (with a calendar invitation where one belongs) into ``outbox/`` in the
  output directory.

The clocks in Amsterdam went back an hour on 25 October 2020; the times the
script prints change from CEST to CET there, and nothing else needs to care.

Run it with ``python examples/week_van_reflectie.py --output demo-output``. It
writes the SQLite database ``participatie.db``, the summary
``week-van-reflectie.md`` and the calendar files under ``calendar/`` into the
output directory (``calendar/uitnodigingen/<session>/`` for the invitations,
``calendar/updates/`` for the updates after the move, and the feeds), the
messages (``outbox/*.eml``), starting afresh on every run.
"""

from __future__ import annotations

import argparse
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import attrs
from dateutil.relativedelta import relativedelta

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    AlreadyRegisteredError,
    AttributeRule,
    Audience,
    CalendarInvitations,
    CalendarOptions,
    Consent,
    Contact,
    DeliveryState,
    Event,
    FixedClock,
    GroupPlan,
    HelpDesk,
    Invitation,
    NotEligibleError,
    Notifications,
    OfferExpiredError,
    Participatie,
    ParticipatieError,
    Person,
    Plugins,
    Registration,
    RegistrationClosedError,
    RegistrationState,
    Session,
    SessionReminder,
    WaitingListPolicy,
    hookimpl,
    parse_datetime,
    parse_deadline,
    to_local,
)
from participatie.privacy import DataKind, Erased, PersonalField, declare
from participatie.privacy.files import find_markers

TIMEZONE = "Europe/Amsterdam"
EVENT_KEY = "week-van-reflectie-2020"
MORNING = "clienten-5-nov-ochtend"
AFTERNOON = "clienten-5-nov-middag"
PROFESSIONALS = "professionals-6-nov"
CONSENT_VERSION = "privacyverklaring-2020-10"
DATABASE_NAME = "participatie.db"
SUMMARY_NAME = "week-van-reflectie.md"
CALENDAR_DIR = "calendar"
#: Participants' calendars remind them the day before and a quarter of an hour before.
CALENDAR_OPTIONS = CalendarOptions(reminders=(timedelta(days=1), timedelta(minutes=15)))
OUTBOX_NAME = "outbox"
REGISTRATION_LINK = "https://aanmelden.example.org/week-van-reflectie"

#: Registration opens when the invitation is published ...
REGISTRATION_OPENS = parse_datetime("maandag 19 oktober 2020 09:00", TIMEZONE)
#: ... and closes at the end of the day the invitation names: "meld je vóór
#: vrijdag 30 oktober aan". A bare date as a deadline means the whole day counts.
REGISTRATION_CLOSES = parse_deadline("vrijdag 30 oktober 2020", TIMEZONE)

# Fictional organisations: the people below belong to them.
RAAD_VOORBEELDSTAD = "Cliëntenraad Voorbeeldstad"
JONGERENRAAD = "Jongerenraad Jeugdbescherming Voorbeeldstad"
NETWERK = "Netwerk Ervaringsdeskundigen Voorbeeldland"
OUDERPLATFORM = "Ouderplatform Gezinsvoogdij Noord-Voorbeeld"
ADVOCATEN = "Advocatenkantoor Voorbeeld & Partners"
UNIVERSITEIT = "Universiteit van Voorbeeldstad"
PILOT = "Pilot Gezinsbescherming Regio Voorbeeld"
GEMEENTE = "Gemeente Voorbeeldstad"


def person(name: str, mailbox: str, audience: str, organisation: str) -> Person:
    """A fictional person with an address at example.org."""
    return Person(name, f"{mailbox}@example.org", audience, organisation=organisation)


#: Clients and experts by experience for Thursday morning: twelve people for ten places.
MORNING_PEOPLE = (
    person("Sanne de Vries", "sanne.devries", CLIENT, RAAD_VOORBEELDSTAD),
    person("Mohamed El Amrani", "m.elamrani", EXPERT_BY_EXPERIENCE, NETWERK),
    person("Anouk Jansen", "anouk.jansen", CLIENT, JONGERENRAAD),
    person("Pieter Bakker", "pieter.bakker", EXPERT_BY_EXPERIENCE, OUDERPLATFORM),
    person("Fatima Yilmaz", "fatima.yilmaz", CLIENT, RAAD_VOORBEELDSTAD),
    person("Daan Visser", "daan.visser", CLIENT, JONGERENRAAD),
    person("Lotte Smit", "lotte.smit", EXPERT_BY_EXPERIENCE, NETWERK),
    person("Kees Mulder", "kees.mulder", CLIENT, OUDERPLATFORM),
    person("Noor Hendriks", "noor.hendriks", EXPERT_BY_EXPERIENCE, NETWERK),
    person("Ruben de Boer", "ruben.deboer", CLIENT, RAAD_VOORBEELDSTAD),
    person("Iris van Dijk", "iris.vandijk", EXPERT_BY_EXPERIENCE, OUDERPLATFORM),
    person("Jesse Kok", "jesse.kok", CLIENT, JONGERENRAAD),
)

#: Thursday afternoon: nine people for six places; freed places are offered.
AFTERNOON_PEOPLE = (
    person("Esther Dekker", "esther.dekker", CLIENT, RAAD_VOORBEELDSTAD),
    person("Thijs van Leeuwen", "thijs.vanleeuwen", EXPERT_BY_EXPERIENCE, NETWERK),
    person("Maaike Bos", "maaike.bos", CLIENT, JONGERENRAAD),
    person("Youssef Bouzid", "youssef.bouzid", EXPERT_BY_EXPERIENCE, OUDERPLATFORM),
    person("Femke Vos", "femke.vos", CLIENT, RAAD_VOORBEELDSTAD),
    person("Gerrit Peters", "gerrit.peters", EXPERT_BY_EXPERIENCE, NETWERK),
    person("Sophie Meijer", "sophie.meijer", CLIENT, OUDERPLATFORM),
    person("Wouter de Graaf", "wouter.degraaf", EXPERT_BY_EXPERIENCE, NETWERK),
    person("Lisa Kuipers", "lisa.kuipers", CLIENT, JONGERENRAAD),
)

#: Professionals the project group invited by other routes; imported as a list.
INVITED_PROFESSIONALS = (
    person("Jeroen van den Berg", "j.vandenberg", PROFESSIONAL, ADVOCATEN),
    person("Marieke Schouten", "m.schouten", PROFESSIONAL, UNIVERSITEIT),
    person("Hans Koster", "h.koster", PROFESSIONAL, PILOT),
    person("Esra Demir", "e.demir", PROFESSIONAL, PILOT),
    person("Bas Prins", "b.prins", PROFESSIONAL, GEMEENTE),
    person("Ingrid Huisman", "i.huisman", PROFESSIONAL, UNIVERSITEIT),
    person("Tim Vermeulen", "t.vermeulen", PROFESSIONAL, ADVOCATEN),
    person("Rachida Amrani", "r.amrani", PROFESSIONAL, GEMEENTE),
    person("Joost van Wijk", "j.vanwijk", PROFESSIONAL, PILOT),
)

#: A professional who first picks the clients' session by mistake.
MARLOES = person("Marloes Verbeek", "marloes.verbeek", PROFESSIONAL, ADVOCATEN)
#: A professional who registers fifteen minutes before the deadline.
HANNA = person("Hanna Brouwer", "hanna.brouwer", PROFESSIONAL, UNIVERSITEIT)
#: A client who tries the morning after the deadline.
BRAM = person("Bram Willems", "bram.willems", CLIENT, RAAD_VOORBEELDSTAD)


def describe_event() -> Event:
    """The week as the organiser describes it: three sessions on two days."""
    return Event(
        key=EVENT_KEY,
        title="Week van reflectie en verrijking",
        organiser="Projectgroep Kwartiermakers Jeugdbescherming Voorbeeldland",
        help_desk=HelpDesk(email="vraagbaak@example.org", phone="030 000 00 00"),
        timezone=TIMEZONE,
        purpose=(
            "In gesprek met cliënten, ervaringsdeskundigen en professionals over de "
            "contouren van een toekomstscenario voor effectieve jeugd- en "
            "gezinsbescherming.\nDe reflecties en inzichten worden gebruikt voor het "
            "kaderstellend scenario en het advies over de vervolgaanpak."
        ),
        audiences=(
            Audience(CLIENT, "cliënt"),
            Audience(EXPERT_BY_EXPERIENCE, "ervaringsdeskundige"),
            Audience(PROFESSIONAL, "professional"),
        ),
        consent_version=CONSENT_VERSION,
        sessions=(
            Session(
                MORNING,
                "Cliënten en ervaringsdeskundigen (ochtend)",
                parse_datetime("donderdag 5 november 2020 10:00", TIMEZONE),
                parse_datetime("donderdag 5 november 2020 12:00", TIMEZONE),
                online_link="https://meet.example.org/week-van-reflectie/5-nov-ochtend",
                audiences={CLIENT, EXPERT_BY_EXPERIENCE},
                capacity=10,
                max_group_size=4,
                waiting_list=WaitingListPolicy.AUTOMATIC,
                registration_opens=REGISTRATION_OPENS,
                registration_closes=REGISTRATION_CLOSES,
            ),
            Session(
                AFTERNOON,
                "Cliënten en ervaringsdeskundigen (middag)",
                parse_datetime("donderdag 5 november 2020 14:00", TIMEZONE),
                parse_datetime("donderdag 5 november 2020 16:00", TIMEZONE),
                online_link="https://meet.example.org/week-van-reflectie/5-nov-middag",
                audiences={CLIENT, EXPERT_BY_EXPERIENCE},
                capacity=6,
                max_group_size=3,
                waiting_list=WaitingListPolicy.OFFER,
                offer_period=timedelta(hours=24),
                registration_opens=REGISTRATION_OPENS,
                registration_closes=REGISTRATION_CLOSES,
            ),
            Session(
                PROFESSIONALS,
                "Professionals",
                parse_datetime("vrijdag 6 november 2020 10:00", TIMEZONE),
                parse_datetime("vrijdag 6 november 2020 12:00", TIMEZONE),
                online_link="https://meet.example.org/week-van-reflectie/6-nov",
                audiences={PROFESSIONAL},
                capacity=12,
                max_group_size=5,
                registration_opens=REGISTRATION_OPENS,
                registration_closes=REGISTRATION_CLOSES,
            ),
        ),
    )


# --- messages ---------------------------------------------------------------

#: The networks of advocacy organisations that pass the invitation on.
PARTNERS = (
    Contact("Cliëntenraad Voorbeeldstad", "secretariaat@raad-voorbeeldstad.example.org"),
    Contact("Netwerk Ervaringsdeskundigen", "info@netwerk-ervaring.example.org"),
    Contact("Ouderplatform Gezinsvoogdij", "contact@ouderplatform.example.org"),
    Contact("Youth Advocacy Network", "office@youth-advocacy.example.org", language="en"),
)


def notifications(outbox: Path, clock: FixedClock) -> Notifications:
    """Messages in Dutch or English, as .eml files, with reminders the day before."""
    return Notifications(
        channels=("outbox",),
        options={
            "outbox": {"folder": outbox, "sender": "vraagbaak@example.org", "clock": clock.now}
        },
        reminders=(SessionReminder("dag-ervoor", relativedelta(days=-1)),),
        # The built-in calendar parts: one entry per person per session, its
        # SEQUENCE kept by the store and raised on every change.
        calendar=CalendarInvitations(CALENDAR_OPTIONS, group_link="{online_link}/groep-{number}"),
    )


# --- telling the story ------------------------------------------------------


def when(instant: datetime) -> str:
    """An instant as a reader in Amsterdam sees it: ``Thu 5 Nov 2020 10:00 CET``."""
    local = to_local(instant, TIMEZONE)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M %Z}"


@dataclass(frozen=True)
class Refusal:
    """A registration (or acceptance) that a rule refused."""

    at: datetime
    name: str
    session_title: str
    error: ParticipatieError


class Story:
    """The app, the clock it runs on, and what happened, told as it happens."""

    def __init__(
        self, app: Participatie, clock: FixedClock, calendar_dir: Path | None = None
    ) -> None:
        self.app = app
        self.clock = clock
        self.event = describe_event()
        self.log: list[str] = []
        self.refusals: list[Refusal] = []
        #: Where calendar files go (``None``: nowhere).
        self.calendar_dir = calendar_dir
        self.calendar_files: list[Path] = []

    def at(self, text: str) -> None:
        """Move the clock to a time written in Dutch, e.g. ``"dinsdag 20 oktober 2020 09:00"``."""
        self.clock.set(parse_datetime(text, TIMEZONE))

    def tell(self, text: str) -> None:
        """Print one line of the story, stamped with the clock's local time."""
        line = f"[{when(self.clock.now())}] {text}"
        print(line)
        self.log.append(line)

    def title(self, session_key: str) -> str:
        """The title of one of the week's sessions."""
        return self.event.session(session_key).title

    def consent(self) -> Consent:
        """Consent to the current privacy statement, given now (a tick box on the form)."""
        return Consent(CONSENT_VERSION, self.clock.now())

    def register(self, session_key: str, someone: Person) -> Registration:
        """Register ``someone`` and tell whether they got a place or wait."""
        registration = self.app.register(EVENT_KEY, session_key, someone, consent=self.consent())
        if registration.state is RegistrationState.REGISTERED:
            places = self.app.places(EVENT_KEY, session_key)
            outcome = f"place {places.taken} of {places.capacity}"
        else:
            waiting = len(self.app.waiting_list(EVENT_KEY, session_key))
            outcome = f"session full, waiting list position {waiting}"
        self.tell(f"{someone.name} registers for {self.title(session_key)!r}: {outcome}")
        # The next registration comes in a little later.
        self.clock.advance(timedelta(minutes=37))
        return registration

    def refused(self, someone: Person, session_key: str, error: ParticipatieError) -> None:
        """Record and tell a refusal, with the library's own message."""
        self.refusals.append(
            Refusal(self.clock.now(), someone.name, self.title(session_key), error)
        )
        self.tell(f"REFUSED ({type(error).__name__}): {error}")

    def deliver(self) -> None:
        """Run the dispatcher, as a scheduler would every few minutes."""
        report = self.app.dispatch()
        if report.sent or report.failures:
            self.tell(
                f"The dispatcher delivers {report.sent} message(s) to the outbox folder"
                + (f"; {len(report.failures)} failed" if report.failures else "")
                + "."
            )

    def active_registration(self, someone: Person, session_key: str) -> Registration:
        """The registration ``someone`` holds for a session, found by e-mail address."""
        for registration in self.app.registrations_of(someone.email):
            if registration.session_key == session_key and registration.state.is_active:
                return registration
        raise LookupError(f"{someone.name} holds no registration for {session_key}")


# --- the weeks before the sessions ------------------------------------------


def publish(story: Story) -> None:
    """Monday 19 October: the invitation goes out and registration opens."""
    story.at("maandag 19 oktober 2020 09:00")
    story.app.save_event(story.event)
    story.tell(f"{story.event.title!r} is published; registration is open.")
    story.tell(f"Registration closes at the end of Friday 30 October: {when(REGISTRATION_CLOSES)}.")
    invited = story.app.invite(EVENT_KEY, PARTNERS, registration_link=REGISTRATION_LINK)
    story.tell(f"Invitations to {invited} partner organisations, one message each.")


def fill_the_morning(story: Story) -> None:
    """Twelve people register for ten places: the last two wait."""
    story.at("dinsdag 20 oktober 2020 09:15")
    for someone in MORNING_PEOPLE:
        story.register(MORNING, someone)


def professional_on_the_clients_day(story: Story) -> None:
    """A professional picks the clients' session, is refused, and picks her own day."""
    story.at("donderdag 22 oktober 2020 11:00")
    try:
        story.register(MORNING, MARLOES)
    except NotEligibleError as error:
        story.refused(MARLOES, MORNING, error)
    story.register(PROFESSIONALS, MARLOES)


def fill_the_afternoon(story: Story) -> None:
    """Nine people for six places on Thursday afternoon: three wait."""
    story.at("donderdag 22 oktober 2020 14:00")
    for someone in AFTERNOON_PEOPLE:
        story.register(AFTERNOON, someone)


def import_professionals(story: Story) -> None:
    """The project group invited professionals itself and imports their list at once."""
    story.at("vrijdag 23 oktober 2020 10:00")
    result = story.app.register_many(
        EVENT_KEY,
        PROFESSIONALS,
        [(someone, story.consent()) for someone in INVITED_PROFESSIONALS],
    )
    places = story.app.places(EVENT_KEY, PROFESSIONALS)
    story.tell(
        f"Imported {len(INVITED_PROFESSIONALS)} invited professionals: "
        f"{len(result.registrations)} registered, {len(result.refused)} refused; "
        f"{places.taken} of {places.capacity} places taken."
    )


def register_twice(story: Story) -> None:
    """Sanne fills in the form again, typing her address differently: still one person."""
    story.at("maandag 26 oktober 2020 20:30")
    typed = "  Sanne.deVries@EXAMPLE.org "
    again = Person("Sanne de Vries", typed, CLIENT, organisation=RAAD_VOORBEELDSTAD)
    story.tell(f"Sanne de Vries registers again as {typed!r}, which is {again.email!r}.")
    try:
        story.register(MORNING, again)
    except AlreadyRegisteredError as error:
        story.refused(again, MORNING, error)


def cancel_in_the_morning(story: Story) -> None:
    """Daan cancels; the first person waiting moves into his place at once."""
    story.at("dinsdag 27 oktober 2020 08:45")
    by_name = {someone.name: someone for someone in MORNING_PEOPLE}
    outcome = story.app.cancel(story.active_registration(by_name["Daan Visser"], MORNING).id)
    story.tell(f"Daan Visser cancels his place in {story.title(MORNING)!r}.")
    for moved in outcome.moved_up:
        story.tell(f"{moved.person.name} moves up from the waiting list: {moved.state.value}.")


def offers_in_the_afternoon(story: Story) -> None:
    """Freed places in the afternoon are offered for 24 hours: one accepted, one lapses."""
    by_name = {someone.name: someone for someone in AFTERNOON_PEOPLE}
    app = story.app

    story.at("dinsdag 27 oktober 2020 10:00")
    app.cancel(story.active_registration(by_name["Maaike Bos"], AFTERNOON).id)
    story.tell(f"Maaike Bos cancels her place in {story.title(AFTERNOON)!r}.")
    tell_offers(story)

    story.at("dinsdag 27 oktober 2020 16:30")
    app.accept_offer(story.active_registration(by_name["Sophie Meijer"], AFTERNOON).id)
    story.tell("Sophie Meijer accepts the offer: she has a place.")

    story.at("woensdag 28 oktober 2020 09:00")
    app.cancel(story.active_registration(by_name["Femke Vos"], AFTERNOON).id)
    story.tell(f"Femke Vos cancels her place in {story.title(AFTERNOON)!r}.")
    tell_offers(story)

    story.at("donderdag 29 oktober 2020 09:30")
    wouter = by_name["Wouter de Graaf"]
    try:
        app.accept_offer(story.active_registration(wouter, AFTERNOON).id)
    except OfferExpiredError as error:
        story.refused(wouter, AFTERNOON, error)
        # The late answer records the lapse and passes the place on at once.
        # (A scheduler running app.expire_offers() does the same without one.)
        for change in error.transitions:
            if change.state is RegistrationState.EXPIRED:
                story.tell(f"The offer to {change.registration.person.name} has lapsed.")
    tell_offers(story)

    story.at("donderdag 29 oktober 2020 13:15")
    app.accept_offer(story.active_registration(by_name["Lisa Kuipers"], AFTERNOON).id)
    story.tell("Lisa Kuipers accepts the offer: she has a place.")


def tell_offers(story: Story) -> None:
    """Tell who holds an open offer in the afternoon session, and until when."""
    for registration in story.app.registrations(
        EVENT_KEY, AFTERNOON, states=(RegistrationState.OFFERED,)
    ):
        until = registration.offer_expires_at
        story.tell(
            f"{registration.person.name} is offered the place"
            + (f" until {when(until)}." if until else ".")
        )


def around_the_deadline(story: Story) -> None:
    """The whole Friday counts: 23:45 is in time, Saturday morning is too late."""
    story.at("vrijdag 30 oktober 2020 23:45")
    story.register(PROFESSIONALS, HANNA)

    story.at("zaterdag 31 oktober 2020 09:10")
    try:
        story.register(MORNING, BRAM)
    except RegistrationClosedError as error:
        story.refused(BRAM, MORNING, error)


def form_groups(story: Story) -> None:
    """Monday before the sessions: split every session into groups under its limit."""
    story.at("maandag 2 november 2020 09:00")
    plan = GroupPlan(rules=[AttributeRule("audience", "spread"), ("organisation", "spread")])
    for session in story.event.sessions:
        groups = story.app.form_groups(EVENT_KEY, session.key, seed=2020, plan=plan)
        sizes = ", ".join(str(len(group.members)) for group in groups)
        story.tell(
            f"{session.title!r}: {len(groups)} groups of at most "
            f"{session.max_group_size} ({sizes})."
        )
    # One message per participant with their group and the updated calendar
    # entry; queued and marked as told in one step, so nobody is moved later.
    told = story.app.notify_groups(EVENT_KEY)
    story.tell(f"{told} participants are told their group (with the updated calendar entry).")


def move_the_professionals(story: Story) -> None:
    """A speaker is delayed: the professionals' session starts half an hour later."""
    story.at("maandag 2 november 2020 15:00")
    event = story.app.event(EVENT_KEY)
    session = event.session(PROFESSIONALS)
    later = attrs.evolve(
        session,
        start=session.start + timedelta(minutes=30),
        end=session.end + timedelta(minutes=30),
    )
    story.event = attrs.evolve(
        event, sessions=[later if s.key == PROFESSIONALS else s for s in event.sessions]
    )
    story.app.save_event(story.event)
    story.tell(
        f"{session.title!r} moves to {when(later.start)}: everyone in it gets a change "
        "notice with the updated calendar entry, and their reminder moves along."
    )


def the_days_before(story: Story) -> None:
    """The reminders go out the day before each session, at the session's time."""
    for moment in ("woensdag 4 november 2020 10:00", "woensdag 4 november 2020 14:00"):
        story.at(moment)
        story.deliver()
    story.at("donderdag 5 november 2020 10:30")
    story.deliver()


# --- calendars -----------------------------------------------------------------


def slug(text: str) -> str:
    """A file-name-safe form of a name: ``Sanne de Vries`` -> ``sanne-de-vries``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write_invitation(story: Story, message: Invitation, folder: str) -> None:
    """Write one participant's calendar message as ``<folder>/<id>-<name>.ics``."""
    if story.calendar_dir is None:
        return
    registration = story.app.registration(message.registration_id or 0)
    target = story.calendar_dir / folder / registration.session_key
    target.mkdir(parents=True, exist_ok=True)
    # Named after the registration, never after the person (see the privacy docs).
    path = target / f"{registration.id:03d}.ics"
    path.write_bytes(message.ics)
    story.calendar_files.append(path)


def send_invitations(story: Story) -> None:
    """Every participant gets a calendar invitation with their group and its own link."""
    story.at("maandag 2 november 2020 09:30")
    for session in story.event.sessions:
        # The same entries the group messages carried (same UID, SEQUENCE and
        # group link), written out as files for the organiser to check.
        messages = [
            m for m in story.app.invitations(EVENT_KEY, session.key) if m.method == "REQUEST"
        ]
        for message in messages:
            write_invitation(story, message, "uitnodigingen")
        story.tell(
            f"{len(messages)} calendar invitations for {session.title!r}, each with its group."
        )


def move_the_afternoon(story: Story) -> None:
    """The afternoon session starts half an hour later: every calendar entry moves along."""
    story.at("dinsdag 3 november 2020 11:00")
    afternoon = story.event.session(AFTERNOON)
    later = attrs.evolve(
        afternoon,
        start=afternoon.start + timedelta(minutes=30),
        end=afternoon.end + timedelta(minutes=30),
    )
    story.event = attrs.evolve(
        story.event,
        sessions=[later if s.key == AFTERNOON else s for s in story.event.sessions],
    )
    story.app.save_event(story.event)
    # The change notices queued with the move carry the updated entries; these
    # are the same entries (same UID and SEQUENCE), written out for review.
    updates = [m for m in story.app.invitations(EVENT_KEY, AFTERNOON) if m.method == "REQUEST"]
    for message in updates:
        write_invitation(story, message, "updates")
    sequences = sorted({message.sequence for message in updates})
    story.tell(
        f"{later.title!r} now starts at {when(later.start)}: {len(updates)} participants get "
        f"an update of the same calendar entry (SEQUENCE {', '.join(map(str, sequences))})."
    )


def publish_feeds(story: Story) -> None:
    """The event's published calendar, and one per audience, for the website."""
    if story.calendar_dir is None:
        return
    story.calendar_dir.mkdir(parents=True, exist_ok=True)
    feeds = [("", story.app.calendar_feed(EVENT_KEY))]
    feeds += [
        (f"-{audience.key}", story.app.calendar_feed(EVENT_KEY, audience.key))
        for audience in story.event.audiences
    ]
    for suffix, feed in feeds:
        path = story.calendar_dir / f"{EVENT_KEY}{suffix}.ics"
        path.write_bytes(feed.ics)
        story.calendar_files.append(path)
    story.tell(f"The event's calendar is published with {len(feeds[0][1].entries)} sessions.")


def run_the_weeks(story: Story) -> None:
    """The registration period from invitation to groups, in order."""
    for step in (
        publish,
        fill_the_morning,
        professional_on_the_clients_day,
        fill_the_afternoon,
        import_professionals,
        register_twice,
        cancel_in_the_morning,
        offers_in_the_afternoon,
        around_the_deadline,
        form_groups,
        move_the_professionals,
    ):
        step(story)
        story.deliver()
    # In the order of the calendar: the invitations on 2 November, the
    # afternoon moved on the 3rd (its change notices go out at once), then
    # the reminders in the days before.
    send_invitations(story)
    move_the_afternoon(story)
    story.deliver()
    the_days_before(story)
    publish_feeds(story)


# --- the summary ------------------------------------------------------------


def describe(registration: Registration, event: Event) -> str:
    """``Name (audience, organisation)``: what an organiser needs to see in a list."""
    who = registration.person
    details = [event.audience(who.audience).label]
    if who.organisation:
        details.append(who.organisation)
    return f"{who.name} ({', '.join(details)})"


def summarise(story: Story) -> str:
    """The state of the week as Markdown: sessions, places, waiting lists, groups, refusals."""
    app, event = story.app, story.event
    lines = [
        f"# {event.title}",
        "",
        f"- Organiser: {event.organiser}",
        f"- Help desk: {event.help_desk.email}, {event.help_desk.phone}",
        f"- Times in: {event.timezone}",
        f"- Registration: from {when(REGISTRATION_OPENS)} until the end of Friday 30 October "
        f"({when(REGISTRATION_CLOSES)})",
        "",
        *(f"> {line}" for line in event.purpose.splitlines()),
        "",
        "## Sessions",
    ]
    for session in event.sessions:
        places = app.places(EVENT_KEY, session.key)
        start, end = to_local(session.start, TIMEZONE), to_local(session.end, TIMEZONE)
        audiences = ", ".join(event.audience(key).label for key in sorted(session.audiences))
        lines += [
            "",
            f"### {session.title}",
            "",
            f"- When: {start:%a} {start.day} {start:%b %Y, %H:%M}-{end:%H:%M %Z}",
            f"- For: {audiences}",
            f"- Online: {session.online_link}",
            f"- Places: {places.taken} of {places.capacity} taken, {places.free} free; "
            f"{places.waiting} on the waiting list",
            f"- Waiting list: {session.waiting_list.value}",
            "",
            "Participants:",
            "",
        ]
        participants = app.participants(EVENT_KEY, session.key)
        lines += [f"{n}. {describe(r, event)}" for n, r in enumerate(participants, start=1)]
        waiting = app.waiting_list(EVENT_KEY, session.key)
        if waiting:
            lines += ["", "Waiting list:", ""]
            lines += [f"{n}. {describe(r, event)}" for n, r in enumerate(waiting, start=1)]
        gone = app.registrations(
            EVENT_KEY,
            session.key,
            states=(
                RegistrationState.CANCELLED,
                RegistrationState.DECLINED,
                RegistrationState.EXPIRED,
            ),
        )
        if gone:
            lines += ["", "No longer taking part:", ""]
            lines += [f"- {describe(r, event)}: {r.state.value}" for r in gone]
        lines += ["", f"Groups (at most {session.max_group_size} people each):", ""]
        for group in app.groups(EVENT_KEY, session.key):
            members = "; ".join(describe(r, event) for r in group.members)
            lines.append(f"- Group {group.number} ({len(group.members)}): {members}")
    sent = app.outbox([DeliveryState.SENT])
    lines += ["", "## Messages", ""]
    lines += [
        f"- {kind}: {count}"
        for kind, count in sorted(Counter(record.message.kind for record in sent).items())
    ]
    lines += ["", f"Each is an .eml file in {OUTBOX_NAME}/."]
    lines += ["", "## Refused", ""]
    for refusal in story.refusals:
        lines.append(
            f"- {when(refusal.at)}: {refusal.name} for {refusal.session_title!r}: "
            f"{type(refusal.error).__name__}: {refusal.error}"
        )
    return "\n".join(lines) + "\n"


# --- running it -------------------------------------------------------------


def fresh_database(path: Path) -> None:
    """Remove an earlier run's database, with SQLite's write-ahead log files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fresh_outbox(folder: Path) -> None:
    """Remove an earlier run's messages."""
    for message in folder.glob("*.eml"):
        message.unlink()


def main(argv: list[str] | None = None) -> int:
    """Replay the week's registration period and write the database and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--output",
        default="demo-output",
        help="directory for the database and the summary (default: demo-output)",
    )
    args = parser.parse_args(argv)

    output = Path(args.output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    database = output / DATABASE_NAME
    summary_path = output / SUMMARY_NAME
    outbox = output / OUTBOX_NAME
    fresh_database(database)
    fresh_outbox(outbox)

    calendar_dir = output / CALENDAR_DIR
    shutil.rmtree(calendar_dir, ignore_errors=True)

    clock = FixedClock(REGISTRATION_OPENS)
    # Our own plugin manager: the summary file below joins it as a plugin.
    plugins = Plugins()
    # An absolute path after "sqlite:///" gives the four slashes an absolute path needs.
    with Participatie.open(
        f"sqlite:///{database}",
        clock=clock,
        plugins=plugins,
        notifications=notifications(outbox, clock),
    ) as app:
        story = Story(app, clock, calendar_dir)
        print("What happened")
        print("=============")
        run_the_weeks(story)
        summary = summarise(story)
        # The facilitators get lists with names (asked for, and recorded);
        # anything shared further is pseudonymous.
        group_lists = app.export_groups(
            EVENT_KEY, output, names=True, requested_by=PROJECT_GROUP_ADDRESS
        )
        group_lists += app.export_groups(EVENT_KEY, output / "pseudoniem")
        print()
        print(summary)
        timeline = "\n".join(["## Timeline", "", *(f"- {line}" for line in story.log)])
        summary_path.write_text(f"{summary}\n{timeline}\n", encoding="utf-8")
        print(f"Database: {database}")
        print(f"Summary:  {summary_path}")
        for path in group_lists:
            print(f"Groups:   {path}")
        print(f"Calendar: {calendar_dir} ({len(story.calendar_files)} files)")
        print(f"Messages: {outbox} ({len(list(outbox.glob('*.eml')))} .eml files)")

        erase_on_request(story, output, summary_path)
    return 0


# --- after the week: an erasure request --------------------------------------

#: Who asked for the lists with names, and who handles requests.
PROJECT_GROUP_ADDRESS = "projectgroep@example.org"
#: The participant who asks to be erased after the week.
ERASED = person("Pieter Bakker", "pieter.bakker", EXPERT_BY_EXPERIENCE, OUDERPLATFORM)


class SummaryFile:
    """The summary and the calendar files this script writes hold names: files we keep.

    They take part in erasure through the same hooks as any plugin: the
    plugin declares what they hold, rewrites the summary without the erased
    person and deletes their calendar files (named after the registration).
    """

    def __init__(
        self, path: Path, calendar_dir: Path | None = None, outbox: Path | None = None
    ) -> None:
        self.path = path
        self.calendar_dir = calendar_dir
        self.outbox = outbox

    def _messages(self, email: str) -> list[Path]:
        """The ``.eml`` files the outbox channel wrote to this address."""
        if self.outbox is None or not self.outbox.exists():
            return []
        needle = email.encode("utf-8")
        return sorted(p for p in self.outbox.glob("*.eml") if needle in p.read_bytes())

    def _calendar_files(self, registrations: list[Registration]) -> list[Path]:
        if self.calendar_dir is None or not self.calendar_dir.exists():
            return []
        names = {f"{r.id:03d}.ics" for r in registrations}
        return sorted(p for p in self.calendar_dir.rglob("*.ics") if p.name in names)

    def _pattern(self, email: str, name: str | None) -> re.Pattern[str]:
        words = [re.escape(email)] + ([re.escape(name)] if name else [])
        return re.compile("|".join(words), re.IGNORECASE)

    @hookimpl
    def participatie_personal_data(self) -> list[PersonalField]:
        """The summary names people in its lists and its timeline."""
        return (
            declare(
                SUMMARY_NAME,
                DataKind.PERSONAL,
                "the organiser's account of the week",
                "names",
                "addresses",
                on_erasure="replaced by [erased]",
            )
            + declare(
                "message files",
                DataKind.PERSONAL,
                "each message the outbox channel wrote (.eml)",
                "To",
                "body",
                on_erasure="the person's files are deleted",
            )
            + declare(
                "calendar files",
                DataKind.PERSONAL,
                "each participant's invitation and its updates",
                "ATTENDEE",
                on_erasure="the person's files are deleted",
            )
        )

    @hookimpl
    def participatie_erase_person(
        self, email: str, registrations: list[Registration]
    ) -> Erased | None:
        """Replace the person's name and address in the summary; delete their calendar files."""
        files = self._calendar_files(registrations) + self._messages(email)
        for path in files:
            path.unlink()
        count = len(files)
        touched = [str(path) for path in files]
        if self.path.exists():
            name = registrations[0].person.name if registrations else None
            text = self.path.read_text(encoding="utf-8")
            changed, replaced = self._pattern(email, name).subn("[erased]", text)
            if replaced:
                self.path.write_text(changed, encoding="utf-8")
                count += replaced
                touched.append(str(self.path))
        if not count:
            return None
        return Erased(
            count, tuple(touched), "calendar files deleted, names replaced in the summary"
        )

    @hookimpl
    def participatie_subject_access(
        self, email: str, registrations: list[Registration]
    ) -> dict[str, list[str]] | None:
        """The summary's lines that mention the person."""
        if not self.path.exists():
            return None
        name = registrations[0].person.name if registrations else None
        pattern = self._pattern(email, name)
        lines = [
            line
            for line in self.path.read_text(encoding="utf-8").splitlines()
            if pattern.search(line)
        ]
        return {"summary_lines": lines} if lines else None

    @hookimpl
    def participatie_purge_event(self, event: Event) -> None:
        """The summary goes with the demo output; nothing to purge per event."""
        del event


def erase_on_request(story: Story, output: Path, summary_path: Path) -> None:
    """Pieter asks the help desk to erase his data; show that nothing of him is left."""
    app = story.app
    app.plugins.register(
        SummaryFile(summary_path, story.calendar_dir, output / OUTBOX_NAME),
        name="week-van-reflectie-summary",
    )
    print()
    print("An erasure request")
    print("==================")
    story.at("maandag 16 november 2020 10:00")
    story.tell(f"{ERASED.name} asks the help desk to erase everything about him.")
    problems = app.check_personal_data()
    story.tell(f"Every stored field is declared: {problems or 'yes'}.")
    markers = [ERASED.name, ERASED.email.split("@")[0]]
    others = [MORNING_PEOPLE[0].name, AFTERNOON_PEOPLE[0].name, INVITED_PROFESSIONALS[0].name]
    app.store.scrub()  # a fair "before": the database file itself, not only its log
    show("Before", find_markers([output], markers), output)
    report = app.erase_person(ERASED.email, requested_by=PROJECT_GROUP_ADDRESS)
    for line in report.lines():
        story.tell(f"Erasure: {line}")
    after = find_markers([output], markers)
    show("After", after, output)
    kept = find_markers([output / DATABASE_NAME], others)
    still = sum(1 for places in kept.values() if places)
    print(f"Others intact: {still} of {len(others)} other participants still in the database.")
    if any(after.values()) or still != len(others) or not report.complete:
        raise SystemExit("the erasure left something behind")
    print("Proof: no trace of the erased participant in anything this demo keeps.")


def show(when_: str, found: dict[str, list[str]], output: Path) -> None:
    """Print where each marker was found, relative to the output directory."""
    for marker, places in found.items():
        where = ", ".join(sorted({Path(p).relative_to(output).as_posix() for p in places}))
        print(f"{when_}: {marker!r} found in {len(places)} file(s){': ' + where if where else ''}")


if __name__ == "__main__":
    raise SystemExit(main())
