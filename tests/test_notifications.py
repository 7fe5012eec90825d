"""Which messages registration changes cause, what they say, and when they go out."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import attrs
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from participatie import (
    MESSAGE_KINDS,
    CalendarPart,
    Consent,
    Contact,
    DeliveryState,
    Event,
    FixedClock,
    InvalidInputError,
    Message,
    Notifications,
    Participatie,
    Person,
    Registration,
    RegistrationState,
    SessionReminder,
    TemplateError,
    TextOverride,
    WaitingListPolicy,
)
from participatie.mail import build_email
from participatie.messages import MessageTexts, sample_context
from participatie.notifications import Planner, session_changes
from participatie.plugins import Plugins, make_plugin_manager
from participatie.testing import RecordingChannel
from tests.calendar_stub import calendar_part
from tests.conftest import EVENT_KEY, TZ, at, client, week_event

S = DeliveryState
NOW = at(2020, 10, 20, 9, 0)


def plugins() -> Plugins:
    return Plugins(make_plugin_manager(load_entry_points=False, environ={}))


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/n.db"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(2020, 10, 20, 9, 0))


@pytest.fixture
def mail() -> RecordingChannel:
    return RecordingChannel(rich=True)  # an e-mail-like channel


@pytest.fixture
def app(store_url: str, clock: FixedClock, mail: RecordingChannel) -> Iterator[Participatie]:
    notifications = Notifications(
        channels=("mail",),
        reminders=(
            SessionReminder("day-before", relativedelta(days=-1)),
            SessionReminder("four-weeks-before", relativedelta(weeks=-4)),
        ),
        calendar=calendar_part,
    )
    with Participatie.open(
        store_url,
        clock=clock,
        plugins=plugins(),
        notifications=notifications,
        channels={"mail": mail},
    ) as app:
        app.save_event(week_event(capacity=2, policy=WaitingListPolicy.OFFER))
        yield app


def consent(app: Participatie) -> Consent:
    return Consent("2020-10", app.now())


def queued(app: Participatie, *states: DeliveryState) -> list[tuple[str, str]]:
    return [
        (record.message.kind, record.message.recipient) for record in app.outbox(states or None)
    ]


def test_each_change_queues_its_message(app: Participatie, clock: FixedClock) -> None:
    first = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    app.register(EVENT_KEY, "clienten", client(2), consent=consent(app))
    third = app.register(EVENT_KEY, "clienten", client(3), consent=consent(app))
    app.cancel(first.id)  # offers the place to client 3
    clock.advance(timedelta(hours=49))
    app.expire_offers()  # the offer lapses
    assert queued(app) == [
        ("confirmation", "deelnemer1@example.org"),
        ("reminder", "deelnemer1@example.org"),  # the day before; four weeks before has passed
        ("confirmation", "deelnemer2@example.org"),
        ("reminder", "deelnemer2@example.org"),
        ("waiting-list", "deelnemer3@example.org"),
        ("cancellation", "deelnemer1@example.org"),
        ("offer", "deelnemer3@example.org"),
        ("offer-expired", "deelnemer3@example.org"),
    ]
    records = app.outbox()
    reminder = records[1]
    assert reminder.due_at == at(2020, 11, 4, 10, 0)  # the day before, at the same time
    assert reminder.state is S.SUPERSEDED  # client 1 cancelled
    assert records[3].state is S.PENDING
    offer = records[6].message
    assert "Het aanbod geldt tot donderdag 22 oktober 2020, 09:00." in offer.text
    assert app.registration(third.id).state.value == "expired"


def test_messages_carry_calendar_parts_where_they_belong(app: Participatie) -> None:
    first = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    app.register(EVENT_KEY, "clienten", client(2), consent=consent(app))
    app.register(EVENT_KEY, "clienten", client(3), consent=consent(app))
    app.cancel(first.id)
    methods = {
        record.message.kind: None
        if record.message.calendar is None
        else record.message.calendar.method
        for record in app.outbox()
    }
    assert methods == {
        "confirmation": "REQUEST",
        "reminder": None,
        "waiting-list": None,
        "cancellation": "CANCEL",
        "offer": None,
    }


def test_the_same_cause_queues_nothing_twice(app: Participatie) -> None:
    app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    before = app.outbox()
    # Saving the same event again changes nothing and queues nothing.
    app.save_event(app.event(EVENT_KEY))
    assert app.outbox() == before
    contacts = [Contact("Partner", "partner@example.org"), Contact("Raad", "raad@example.org")]
    assert app.invite(EVENT_KEY, contacts, registration_link="https://example.org/aanmelden") == 2
    assert app.invite(EVENT_KEY, contacts) == 0  # the same round again: nothing new
    assert app.invite(EVENT_KEY, contacts[:1], round_name="herinnering") == 1


def test_a_moved_session_sends_change_notices_and_moves_reminders(
    app: Participatie, clock: FixedClock, mail: RecordingChannel
) -> None:
    registered = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    app.register(EVENT_KEY, "clienten", client(2), consent=consent(app))
    waiting = app.register(EVENT_KEY, "clienten", client(3), consent=consent(app))
    event = app.event(EVENT_KEY)
    session = event.session("clienten")
    moved = attrs.evolve(
        session, start=at(2020, 11, 5, 11, 0), end=at(2020, 11, 5, 12, 30), place="Zaal 2"
    )
    app.save_event(attrs.evolve(event, sessions=[moved, event.session("professionals")]))

    changes = [r for r in app.outbox() if r.message.kind == "change"]
    assert [(r.registration_id, r.message.calendar is not None) for r in changes] == [
        (registered.id, True),
        (registered.id + 1, True),
        (waiting.id, False),  # told, but has no calendar entry to update
    ]
    text = changes[0].message.text
    assert "- tijd: 10:00 → 11:00" in text
    assert "- plaats: (geen) → Zaal 2" in text
    assert "Wanneer: donderdag 5 november 2020, 11:00–12:30" in text

    reminders = [r for r in app.outbox() if r.message.kind == "reminder"]
    assert [(r.state, r.due_at) for r in reminders if r.registration_id == registered.id] == [
        (S.SUPERSEDED, at(2020, 11, 4, 10, 0)),
        (S.PENDING, at(2020, 11, 4, 11, 0)),
    ]
    # The day before the old time: the reminder for the old time never goes out.
    clock.set(at(2020, 11, 4, 10, 30))
    app.dispatch()
    sent_kinds = [m.kind for m in mail.sent]
    assert "reminder" not in sent_kinds
    clock.set(at(2020, 11, 4, 11, 0))
    app.dispatch()
    reminders_sent = [m for m in mail.sent if m.kind == "reminder"]
    assert [m.recipient for m in reminders_sent] == [
        "deelnemer1@example.org",
        "deelnemer2@example.org",
    ]
    assert all("11:00–12:30" in m.text for m in reminders_sent)
    assert all(m.subject.startswith("Herinnering: ") for m in reminders_sent)


def test_reminders_keep_the_wall_clock_time_across_daylight_saving(clock: FixedClock) -> None:
    # Two weeks before 5 November 2020 is 22 October: summer time (CEST).
    rule = SessionReminder("two-weeks", relativedelta(weeks=-2))
    session = week_event().session("clienten")
    due = rule.due_at(session, TZ)
    assert due == at(2020, 10, 22, 10, 0)
    assert due.astimezone(UTC).hour == 8  # 10:00 CEST, while the session is 10:00 CET (09 UTC)


def test_overrides_per_event_and_language(store_url: str, clock: FixedClock) -> None:
    override = TextOverride(
        EVENT_KEY,
        "confirmation",
        "nl",
        subject="Tot donderdag, {{ person.name }}!",
        body="Beste {{ person.name }},\n\nWelkom bij {{ session.title }} ({{ session.when }}).",
    )
    channel = RecordingChannel()
    notifications = Notifications(channels=("list",), overrides=(override,), reminders=())
    with Participatie.open(
        store_url,
        clock=clock,
        plugins=plugins(),
        notifications=notifications,
        channels={"list": channel},
    ) as app:
        app.save_event(week_event())
        app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
        english = Person("Sam Example", "sam@example.org", "client", language="en")
        app.register(EVENT_KEY, "clienten", english, consent=consent(app))
        app.dispatch()
    dutch, other = channel.sent
    assert dutch.subject == "Tot donderdag, Deelnemer 1!"
    assert dutch.text.startswith("Beste Deelnemer 1,\n\nWelkom bij Sessie voor cliënten")
    assert "vraagbaak@example.org" in dutch.text  # the help desk is always added
    assert other.subject.startswith("Registration confirmed: ")  # no English override


def test_broken_overrides(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(TemplateError, match="cannot be read"):
        TextOverride(EVENT_KEY, "reminder", "nl", subject="{% if %}")
    with pytest.raises(TemplateError, match="'persoon' is undefined"):
        TextOverride(EVENT_KEY, "reminder", "nl", body="{{ persoon.naam }}")
    with pytest.raises(TemplateError, match="unsafe"):
        TextOverride(EVENT_KEY, "reminder", "nl", body="{{ person.__class__.__mro__ }}")
    with pytest.raises(InvalidInputError, match="no message kind"):
        TextOverride(EVENT_KEY, "newsletter", "nl", body="Hallo")
    with pytest.raises(InvalidInputError, match="a subject, a body, or both"):
        TextOverride(EVENT_KEY, "reminder", "nl")
    # Fine on sample data (which has a place), failing on a real session without one:
    # the default text is used and the failure logged; nothing is blocked.
    fragile = TextOverride(EVENT_KEY, "reminder", "nl", body="Zaal: {{ session.place.upper() }}")
    texts = MessageTexts([fragile])
    context = sample_context("reminder", "nl")
    context["session"] = {**context["session"], "place": None}
    with caplog.at_level(logging.ERROR, logger="participatie.messages"):
        rendered = texts.render("reminder", "nl", context, event_key=EVENT_KEY)
    assert rendered.text.startswith("Beste Noor Voorbeeld,\n\nEen herinnering")
    assert "using the default text" in caplog.text
    with pytest.raises(InvalidInputError, match="two text overrides"):
        MessageTexts([fragile, fragile])


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", MESSAGE_KINDS)
def test_every_kind_has_texts_with_the_help_desk(kind: str, language: str) -> None:
    rendered = MessageTexts().render(kind, language, sample_context(kind, language))
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.text.startswith("Beste Noor Voorbeeld," if language == "nl" else "Dear Noor")
    assert "vraagbaak@example.org" in rendered.text
    assert "+31 30 000 0000" in rendered.text
    assert "vraagbaak@example.org" in rendered.html
    assert "{{" not in rendered.text
    assert "\n\n\n" not in rendered.text


def test_dates_are_written_the_dutch_and_english_way() -> None:
    dutch = sample_context("confirmation", "nl")["session"]["when"]
    english = sample_context("confirmation", "en")["session"]["when"]
    assert dutch == "vrijdag 21 mei 2021, 10:00–11:30"
    assert english == "Friday 21 May 2021, 10:00–11:30"


def test_html_is_escaped() -> None:
    context = sample_context("confirmation", "nl")
    context["person"] = {"name": "<b>Noor</b> & Co", "organisation": None}
    rendered = MessageTexts().render("confirmation", "nl", context)
    assert "&lt;b&gt;Noor&lt;/b&gt; &amp; Co" in rendered.html
    assert "<b>Noor" not in rendered.html
    assert "Beste <b>Noor</b> & Co," in rendered.text  # plain text stays as typed


def test_channels_get_only_what_they_need(store_url: str, clock: FixedClock) -> None:
    # An SMS-like channel (phone numbers, plain text) and an e-mail-like one.
    phone, mail = RecordingChannel(address="phone"), RecordingChannel(rich=True)
    notifications = Notifications(channels=("mail", "sms"), calendar=calendar_part)
    with Participatie.open(
        store_url,
        clock=clock,
        plugins=plugins(),
        notifications=notifications,
        channels={"mail": mail, "sms": phone},
    ) as app:
        app.save_event(week_event())
        with_phone = attrs.evolve(client(1), phone="+31 6 0000 0001")
        app.register(EVENT_KEY, "clienten", with_phone, consent=consent(app))
        app.register(EVENT_KEY, "clienten", client(2), consent=consent(app))  # no phone
        app.dispatch()
    [sms] = [m for m in phone.sent if m.kind == "confirmation"]
    assert sms.recipient == "+31 6 0000 0001"
    assert (sms.html, sms.calendar, sms.recipient_name, sms.reply_to) == (None, None, None, None)
    assert "vraagbaak@example.org" in sms.text
    assert {m.recipient for m in phone.sent} == {"+31 6 0000 0001"}
    rich = [m for m in mail.sent if m.kind == "confirmation"]
    assert [m.recipient for m in rich] == ["deelnemer1@example.org", "deelnemer2@example.org"]
    assert all(m.calendar is not None and m.html is not None for m in rich)
    assert len({m.key for m in phone.sent + mail.sent}) == len(phone.sent) + len(mail.sent)


def test_a_failing_calendar_provider_does_not_block(
    store_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: Event, registration: Registration, kind: str) -> CalendarPart | None:
        raise RuntimeError("calendar down")

    channel = RecordingChannel()
    notifications = Notifications(channels=("list",), calendar=broken)
    with Participatie.open(
        store_url,
        clock=clock,
        plugins=plugins(),
        notifications=notifications,
        channels={"list": channel},
    ) as app:
        app.save_event(week_event())
        with caplog.at_level(logging.ERROR, logger="participatie.notifications"):
            registration = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
        assert registration.state.value == "registered"
        [confirmation, _reminder] = app.outbox()
        assert confirmation.message.calendar is None
    assert "calendar provider failed" in caplog.text


def test_kinds_for_other_modules(app: Participatie, mail: RecordingChannel) -> None:
    registration = app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    deadline = datetime(2020, 11, 20, 16, 0, tzinfo=UTC)
    assert (
        app.queue_message(
            "group-assignment",
            registration.id,
            context={"group": {"number": 2, "facilitator": "Sam Gespreksleider"}},
        )
        == 1
    )
    assert (
        app.queue_message(
            "feedback-invitation",
            registration.id,
            context={"feedback": {"link": "https://example.org/concept", "deadline": deadline}},
        )
        == 1
    )
    assert app.queue_message("feedback-invitation", registration.id) == 0  # queued before
    assert (
        app.queue_message(
            "thank-you", registration.id, context={"thanks": {"outcome": "Zie de reactie."}}
        )
        == 1
    )
    app.dispatch()
    by_kind = {m.kind: m for m in mail.sent}
    group = by_kind["group-assignment"]
    assert "ingedeeld in groep 2" in group.text
    assert "Uw gespreksleider is Sam Gespreksleider." in group.text
    assert group.calendar is not None
    assert group.calendar.method == "REQUEST"
    feedback = by_kind["feedback-invitation"]
    assert "Uw reactie is welkom tot vrijdag 20 november 2020, 17:00." in feedback.text
    assert feedback.calendar is None
    assert "Zie de reactie." in by_kind["thank-you"].text
    with pytest.raises(InvalidInputError, match="no message kind"):
        app.queue_message("newsletter", registration.id)


def test_without_notifications_nothing_is_queued(store_url: str, clock: FixedClock) -> None:
    with Participatie.open(store_url, clock=clock, plugins=plugins()) as app:
        app.save_event(week_event())
        app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
        assert app.outbox() == []
        with pytest.raises(InvalidInputError, match="notifications are not set up"):
            app.dispatch()


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="at least one channel"):
        Notifications(channels=())
    with pytest.raises(InvalidInputError, match="named twice"):
        Notifications(channels=("smtp", "smtp"))
    with pytest.raises(InvalidInputError, match="share a name"):
        Notifications(
            reminders=(
                SessionReminder("r", relativedelta(days=-1)),
                SessionReminder("r", relativedelta(hours=-1)),
            )
        )
    with pytest.raises(InvalidInputError, match="relativedelta"):
        SessionReminder("r", timedelta(days=-1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="no channel instance"):
        Notifications(channels=("sms",)).planner({})
    assert Notifications(channels="outbox").channels == ("outbox",)  # type: ignore[arg-type]


def test_invitation_link_is_checked(app: Participatie) -> None:
    with pytest.raises(InvalidInputError, match="registration link"):
        app.invite(EVENT_KEY, [Contact("P", "p@example.org")], registration_link="javascript:x")


def test_change_lines() -> None:
    session = week_event().session("clienten")
    later = attrs.evolve(session, start=at(2020, 11, 6, 10, 0), end=at(2020, 11, 6, 12, 0))
    assert session_changes(session, later, TZ, "en") == [
        {"what": "date", "before": "Thursday 5 November 2020", "after": "Friday 6 November 2020"},
        {"what": "time", "before": "10:00–11:30", "after": "10:00–12:00"},
    ]
    assert session_changes(session, session, TZ, "nl") == []


@settings(max_examples=60, deadline=None)
@given(name=st.text(min_size=1, max_size=40), title=st.text(min_size=1, max_size=60))
def test_names_and_titles_never_change_a_header(name: str, title: str) -> None:
    """Any name or title typed ends up in the headers as text, or is refused up front."""
    try:
        event = week_event()
        session = attrs.evolve(event.session("clienten"), title=title)
        event = attrs.evolve(event, sessions=[session, event.session("professionals")])
        person = Person(name, "noor@example.org", "client")
    except InvalidInputError:
        return
    registration = Registration(
        1, EVENT_KEY, "clienten", person, RegistrationState.REGISTERED, NOW, NOW
    )
    [entry] = Planner({"mail": RecordingChannel(rich=True)}).personal(
        event, registration, "confirmation", key="k", now=NOW
    )
    assert entry.message.subject == " ".join(f"Aanmelding bevestigd: {title}".split())
    email = build_email(entry.message, sender="vraagbaak@example.org", now=NOW)
    parsed = BytesParser(policy=policy.default).parsebytes(email.as_bytes())
    assert (parsed["Bcc"], parsed["Cc"]) == (None, None)
    assert str(parsed["Subject"]) == entry.message.subject
    assert [a.addr_spec for a in parsed["To"].addresses] == ["noor@example.org"]


def test_message_keys_must_be_header_safe() -> None:
    with pytest.raises(InvalidInputError, match="message key"):
        Message("noor@example.org", "Onderwerp", "Tekst", key="a key\nwith newline")
