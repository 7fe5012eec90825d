"""Personal invitations: what calendars read back, through a whole lifecycle and under bad input."""

from __future__ import annotations

import copy
import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from participatie import (
    Event,
    HelpDesk,
    InvalidInputError,
    Person,
    Session,
)
from participatie.calendar import (
    CalendarOptions,
    CalendarState,
    GroupDetails,
    InvitationWriter,
    invitation,
    invitation_uid,
)
from participatie.calendar._render import fold
from participatie.calendar._text import check_domain, check_link, check_uid, clean_line, clean_text

from .calendar_helpers import (
    check_physical_lines,
    icalendar_events,
    property_names,
    unfold,
    utc,
    vobject_events,
)
from .conftest import at, client, week_event

NOW = at(2020, 10, 20, 9, 0)
PERSONAL = {"UID", "DTSTAMP", "SEQUENCE", "LAST-MODIFIED", "ATTENDEE"}
SHARED = {"SUMMARY", "DESCRIPTION", "DTSTART", "DTEND", "ORGANIZER", "STATUS"}
ONLINE = {"URL", "CONFERENCE"}


def first_invitation(**kwargs: object) -> tuple[Event, Session, Person, object]:
    event = week_event()
    session = event.session("clienten")
    person = client(1)
    sent = invitation(event, session, person, now=NOW, **kwargs)  # type: ignore[arg-type]
    return event, session, person, sent


# --- what a calendar reads back -----------------------------------------------


def test_invitation_round_trip_with_icalendar_and_vobject() -> None:
    event, session, person, sent = first_invitation()
    assert sent is not None
    check_physical_lines(sent.ics)
    calendar = Calendar.from_ical(sent.ics)
    assert calendar["METHOD"] == "REQUEST"
    assert sent.content_type == 'text/calendar; charset="utf-8"; method=REQUEST'
    [vevent] = calendar.walk("VEVENT")
    assert vevent["UID"] == sent.uid
    assert vevent["SEQUENCE"] == 0
    assert utc(vevent["DTSTART"].dt) == utc(session.start)
    assert utc(vevent["DTEND"].dt) == utc(session.end)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert vevent["DTSTAMP"].dt == NOW.astimezone(UTC)
    assert str(vevent["ORGANIZER"]) == "mailto:vraagbaak@example.org"
    assert vevent["ORGANIZER"].params["CN"] == event.organiser
    assert str(vevent["ATTENDEE"]) == f"mailto:{person.email}"
    assert vevent["ATTENDEE"].params["CN"] == person.name
    assert str(vevent["URL"]) == session.online_link
    assert str(vevent["CONFERENCE"]) == session.online_link
    assert vevent["STATUS"] == "CONFIRMED"
    assert str(vevent["SUMMARY"]) == f"{event.title}: {session.title}"
    assert set(property_names(sent.ics)[0]) == PERSONAL | SHARED | ONLINE
    assert property_names(sent.ics, "VCALENDAR") == [["PRODID", "VERSION", "METHOD"]]

    [independent] = vobject_events(sent.ics)
    assert independent.uid.value == sent.uid  # type: ignore[attr-defined]
    assert utc(independent.dtstart.value) == utc(session.start)  # type: ignore[attr-defined]
    assert utc(independent.dtend.value) == utc(session.end)  # type: ignore[attr-defined]
    assert independent.sequence.value == "0"  # type: ignore[attr-defined]


def test_time_zone_is_bounded_to_the_days_of_the_session() -> None:
    _event, _session, _person, sent = first_invitation()
    assert sent is not None
    [timezone] = Calendar.from_ical(sent.ics).walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Amsterdam"
    # Unbounded (1970-2038) it would list about 140 changes of offset.
    assert len(timezone.subcomponents) <= 2


def test_place_and_reminders() -> None:
    event = week_event()
    session = attrs.evolve(event.session("professionals"), online_link=None, place="Zaal 3")
    options = CalendarOptions(reminders=[timedelta(days=1), timedelta(minutes=30)])
    sent = invitation(event, session, client(2), now=NOW, options=options)
    assert sent is not None
    [vevent] = icalendar_events(sent.ics)
    assert vevent["LOCATION"] == "Zaal 3"  # type: ignore[index]
    assert "URL" not in vevent
    assert "CONFERENCE" not in vevent
    triggers = sorted(alarm["TRIGGER"].dt for alarm in vevent.walk("VALARM"))  # type: ignore[attr-defined]
    assert triggers == [-timedelta(days=1), -timedelta(minutes=30)]


def test_english_reader_gets_english_words() -> None:
    event = week_event()
    person = attrs.evolve(client(3), language="en")
    sent = invitation(event, event.session("clienten"), person, now=NOW)
    assert sent is not None
    description = str(icalendar_events(sent.ics)[0]["DESCRIPTION"])  # type: ignore[index]
    assert "Join: https://meet.example.org/5-november" in description
    assert "help desk" in description


# --- the lifecycle --------------------------------------------------------------


def test_lifecycle_keeps_the_uid_and_raises_the_sequence() -> None:
    """Invitation, time change, group change, cancellation: one entry, updated in place."""
    event = week_event()
    person = client(4)
    session = event.session("clienten")
    writer_uid = InvitationWriter(event).uid(session, person)
    messages = []

    first = invitation(event, session, person, now=NOW)
    assert first is not None
    messages.append(first)

    moved = attrs.evolve(
        session, start=session.start + timedelta(hours=2), end=session.end + timedelta(hours=2)
    )
    later = NOW + timedelta(days=1)
    update = invitation(event, moved, person, now=later, previous=first.state)
    assert update is not None
    messages.append(update)

    group = GroupDetails("Groep 2", online_link="https://meet.example.org/5-november/groep-2")
    grouped = invitation(
        event, moved, person, now=later + timedelta(hours=1), previous=update.state, group=group
    )
    assert grouped is not None
    messages.append(grouped)

    other_group = GroupDetails("Groep 3", online_link="https://meet.example.org/5-november/groep-3")
    regrouped = invitation(
        event,
        moved,
        person,
        now=later + timedelta(hours=2),
        previous=grouped.state,
        group=other_group,
    )
    assert regrouped is not None
    messages.append(regrouped)

    cancelled = invitation(
        event,
        moved,
        person,
        now=later + timedelta(days=1),
        previous=regrouped.state,
        cancelled=True,
    )
    assert cancelled is not None
    messages.append(cancelled)

    parsed = [Calendar.from_ical(message.ics) for message in messages]
    events = [calendar.walk("VEVENT")[0] for calendar in parsed]
    assert {str(vevent["UID"]) for vevent in events} == {writer_uid}
    sequences = [int(vevent["SEQUENCE"]) for vevent in events]
    assert sequences == sorted(set(sequences)) == [0, 1, 2, 3, 4]
    assert [str(calendar["METHOD"]) for calendar in parsed] == ["REQUEST"] * 4 + ["CANCEL"]
    assert [message.method for message in messages] == ["REQUEST"] * 4 + ["CANCEL"]
    assert str(events[-1]["STATUS"]) == "CANCELLED"
    assert utc(events[1]["DTSTART"].dt) == utc(moved.start)
    assert str(events[2]["URL"]) == group.online_link
    assert "Groep 2" in str(events[2]["SUMMARY"])
    assert str(events[3]["URL"]) == other_group.online_link
    stamps = [vevent["DTSTAMP"].dt for vevent in events]
    assert stamps == sorted(stamps)
    # The independent parser agrees on UID and SEQUENCE.
    assert [int(vobject_events(m.ics)[0].sequence.value) for m in messages] == sequences  # type: ignore[attr-defined]
    assert not cancelled.calendar.walk("VALARM")


def test_sending_again_changes_nothing_and_small_edits_keep_the_sequence() -> None:
    event, session, person, first = first_invitation()
    assert first is not None
    again = invitation(event, session, person, now=NOW + timedelta(hours=1), previous=first.state)
    assert again is not None
    assert not again.changed
    assert again.state == first.state
    reworded = attrs.evolve(event, purpose="Een betere uitleg.")
    edited = invitation(
        reworded, session, person, now=NOW + timedelta(hours=2), previous=first.state
    )
    assert edited is not None
    assert edited.changed
    assert edited.sequence == first.sequence
    assert edited.state.last_modified > first.state.last_modified
    # A new name is news for the entry too, but not a significant change.
    renamed = invitation(
        event, session, attrs.evolve(person, name="D. Eelnemer"), now=NOW, previous=first.state
    )
    assert renamed is not None
    assert (renamed.changed, renamed.sequence) == (True, 0)


def test_cancelling_what_was_never_announced_tells_nothing() -> None:
    event = week_event()
    assert invitation(event, event.session("clienten"), client(5), now=NOW, cancelled=True) is None
    cancelled_session = attrs.evolve(event.session("clienten"), cancelled=True)
    assert invitation(event, cancelled_session, client(5), now=NOW) is None


def test_a_cancelled_session_cancels_the_entry() -> None:
    event, session, person, first = first_invitation()
    assert first is not None
    off = invitation(
        event, attrs.evolve(session, cancelled=True), person, now=NOW, previous=first.state
    )
    assert off is not None
    assert (off.method, off.sequence) == ("CANCEL", 1)


def test_state_of_another_place_is_refused() -> None:
    event, session, _person, first = first_invitation()
    assert first is not None
    writer = InvitationWriter(event)
    with pytest.raises(InvalidInputError, match="not the state"):
        writer.render(session, client(9), first.state, NOW)


# --- UIDs -----------------------------------------------------------------------


def test_uid_is_stable_personal_and_reveals_nothing() -> None:
    uid = invitation_uid("week", "s1", "noor@example.org", "example.org")
    assert uid == invitation_uid("week", "s1", "noor@example.org", "example.org")
    assert uid != invitation_uid("week", "s2", "noor@example.org", "example.org")
    assert uid != invitation_uid("week", "s1", "noor2@example.org", "example.org")
    assert uid != invitation_uid("week2", "s1", "noor@example.org", "example.org")
    assert uid.endswith("@example.org")
    assert "noor" not in uid
    assert check_uid(uid) == uid
    # The same person typed differently is the same person, so the same entry.
    event = week_event()
    writer = InvitationWriter(event)
    session = event.session("clienten")
    typed = Person("Noor", "  NOOR@Example.org ", "client")
    assert writer.uid(session, typed) == writer.uid(
        session, Person("Noor", "noor@example.org", "client")
    )


def test_uid_domain_is_the_organisers() -> None:
    *_, sent = first_invitation(options=CalendarOptions(uid_domain="Gemeente.Example.NL"))
    assert sent is not None
    assert sent.uid.endswith("@gemeente.example.nl")


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "uid",
    [
        "",
        "a b@example.org",
        "x@example.org\r\nATTENDEE:mailto:evil@example.org",
        "x\n",
        "é@example.org",
        "x;y",
        "x" * 256,
    ],
)
def test_uids_with_odd_characters_are_refused(uid: str) -> None:
    with pytest.raises(InvalidInputError):
        check_uid(uid)
    with pytest.raises(InvalidInputError):
        CalendarState(uid, 0, "s", "c", NOW)


@pytest.mark.parametrize(
    "domain", ["example.org\r\nX:1", "example", "exa mple.org", "-x.org", "example.org\n", 3]
)
def test_uid_domains_are_checked(domain: object) -> None:
    with pytest.raises(InvalidInputError):
        check_domain(domain)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        CalendarOptions(uid_domain=domain)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "link",
    [
        "https://meet.example.org/x\r\nATTENDEE:mailto:evil@example.org",
        "https://meet.example.org/x\n",
        "https://meet.example.org/a b",
        'https://meet.example.org/"x',
        "javascript:alert(1)",
        "ftp://example.org/x",
        "https://meet.example.org/\x00",
        "",
    ],
)
def test_links_with_odd_characters_are_refused(link: str) -> None:
    with pytest.raises(InvalidInputError):
        check_link(link)
    if link.startswith("https") and '"' not in link:
        with pytest.raises(InvalidInputError):
            GroupDetails("Groep 1", online_link=link)
    # Even a session that slipped past validation is refused when written.
    event = week_event()
    session = copy.copy(event.session("clienten"))
    object.__setattr__(session, "online_link", link)
    with pytest.raises(InvalidInputError):
        invitation(event, session, client(1), now=NOW)


def test_options_are_checked() -> None:
    with pytest.raises(InvalidInputError):
        CalendarOptions(reminders=[timedelta(0)])
    with pytest.raises(InvalidInputError):
        CalendarOptions(reminders=[timedelta(hours=1), timedelta(hours=1)])
    with pytest.raises(InvalidInputError):
        CalendarOptions(reminders=[timedelta(days=60)])
    with pytest.raises(InvalidInputError):
        CalendarOptions(reminders=[timedelta(minutes=n + 1) for n in range(6)])
    assert CalendarOptions(reminders=timedelta(hours=1)).reminders == (timedelta(hours=1),)
    with pytest.raises(InvalidInputError):
        CalendarState("a@example.org", -1, "s", "c", NOW)
    with pytest.raises(InvalidInputError):
        CalendarState("a@example.org", 0, "s", "c", datetime(2020, 1, 1))


def test_long_text_is_folded_at_75_octets_with_crlf() -> None:
    event = attrs.evolve(week_event(), title="Wéék van reflectie 🌱 " * 9)
    sent = invitation(event, event.session("clienten"), client(1), now=NOW)
    assert sent is not None
    check_physical_lines(sent.ics)
    assert b"\r\n " in sent.ics  # it really was folded
    [summary] = [line for line in unfold(sent.ics) if line.startswith("SUMMARY")]
    assert summary == "SUMMARY:" + clean_line(f"{event.title}: {event.session('clienten').title}")


def test_clean_text_keeps_text_and_removes_line_tricks() -> None:
    assert clean_text("a\r\nb\rc\u2028d\x0be") == "a\nb\nc\nd\ne"
    assert clean_text("tab\there\x00nul\x7f") == "tab here nul "
    assert clean_text("\ud800") == "\ufffd"
    assert clean_text("zero\u200bwidth") == "zero\u200bwidth"
    assert clean_line(" a \r\n\n b ") == "a / b"


# --- arbitrary text, arbitrary zones --------------------------------------------

#: Text as people type it: any character, including quotes, separators and emoji.
ANY_TEXT = st.text(min_size=1, max_size=120)
#: Text that breaks lines, as a careless import or a hostile form would deliver it.
NASTY = st.lists(
    st.sampled_from(
        [
            "a",
            "é",
            " ",
            "\r",
            "\n",
            "\r\n",
            "\x00",
            "\x1b",
            "\t",
            "\u2028",
            "\x85",
            ";",
            ",",
            ":",
            '"',
            "\\",
            "^",
            "BEGIN:VEVENT",
            "END:VCALENDAR",
            "ATTENDEE:mailto:x@example.org",
            "🌱",
        ]
    ),
    min_size=1,
    max_size=40,
).map("".join)


def forced(value: object, **fields: object) -> object:
    """A copy of a frozen value with fields set *without* validation (text that slipped through)."""
    clone = copy.copy(value)
    for name, field_value in fields.items():
        object.__setattr__(clone, name, field_value)
    return clone


def expect_one_clean_vevent(data: bytes, *, online: bool, place: bool) -> object:
    check_physical_lines(data)
    [names] = property_names(data)
    expected = (
        PERSONAL | SHARED | (ONLINE if online else set()) | ({"LOCATION"} if place else set())
    )
    assert sorted(names) == sorted(expected)
    assert property_names(data, "VCALENDAR") == [["PRODID", "VERSION", "METHOD"]]
    [vevent] = Calendar.from_ical(data).walk("VEVENT")
    assert len(vobject_events(data)) == 1
    return vevent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=ANY_TEXT,
    organiser=ANY_TEXT,
    purpose=ANY_TEXT,
    question=ANY_TEXT,
    session_title=ANY_TEXT,
    place=ANY_TEXT,
    name=ANY_TEXT,
    group=ANY_TEXT,
)
def test_any_text_the_model_accepts_is_written_safely(
    title: str,
    organiser: str,
    purpose: str,
    question: str,
    session_title: str,
    place: str,
    name: str,
    group: str,
) -> None:
    try:
        event = attrs.evolve(
            week_event(),
            title=title,
            organiser=organiser,
            purpose=purpose,
            central_questions=[question],
        )
        session = attrs.evolve(event.session("clienten"), title=session_title, place=place)
        person = attrs.evolve(client(1), name=name)
        details = GroupDetails(group)
    except InvalidInputError:
        return  # the model refused it at the edge, which is also safe
    sent = invitation(event, session, person, now=NOW, group=details)
    assert sent is not None
    vevent = expect_one_clean_vevent(sent.ics, online=True, place=True)
    assert str(vevent["SUMMARY"]) == clean_line(f"{title}: {session_title} ({group})")  # type: ignore[index]
    assert str(vevent["LOCATION"]) == clean_line(place)  # type: ignore[index]
    assert vevent["ATTENDEE"].params["CN"] == clean_line(name)  # type: ignore[index]
    assert vevent["ORGANIZER"].params["CN"] == clean_line(organiser)  # type: ignore[index]
    assert clean_text(purpose.strip()) in str(vevent["DESCRIPTION"])  # type: ignore[index]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=NASTY,
    organiser=NASTY,
    purpose=NASTY,
    session_title=NASTY,
    place=NASTY,
    name=NASTY,
    group=NASTY,
)
def test_line_breaks_and_control_characters_never_break_the_file(
    title: str, organiser: str, purpose: str, session_title: str, place: str, name: str, group: str
) -> None:
    """Even text that bypassed the model's validators cannot add a line or a property."""
    event = forced(week_event(), title=title, organiser=organiser, purpose=purpose)
    session = forced(event.session("clienten"), title=session_title, place=place)  # type: ignore[attr-defined]
    person = forced(client(1), name=name)
    details = forced(GroupDetails("Groep"), name=group, place=group)
    sent = invitation(event, session, person, now=NOW, group=details)  # type: ignore[arg-type]
    assert sent is not None
    # The group's room replaces the session's place; a room that cleans to nothing is left out.
    has_place = bool(clean_line(group))
    vevent = expect_one_clean_vevent(sent.ics, online=True, place=has_place)
    assert "\r" not in str(vevent["SUMMARY"])
    assert "\n" not in str(vevent["SUMMARY"])
    assert str(vevent["SUMMARY"]) == clean_line(f"{title}: {session_title} ({group})")  # type: ignore[index]


# Zones with daylight-saving time of every shape: northern, southern, half-hour
# changes (Lord Howe), odd offsets (Chatham, Tehran until 2022), and none (UTC).
ZONES = [
    "Europe/Amsterdam",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Tehran",
    "UTC",
]


@functools.cache
def transitions(name: str) -> tuple[datetime, ...]:
    """The instants at which the zone's UTC offset changed, 2020-2029 (found hour by hour)."""
    tz = ZoneInfo(name)
    found = []
    moment = datetime(2020, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(tz).utcoffset()
    while moment.year < 2030:
        moment += timedelta(hours=1)
        offset = moment.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(moment)
            previous = offset
    return tuple(found) or (datetime(2024, 6, 1, tzinfo=UTC),)


@st.composite
def around_a_clock_change(draw: st.DrawFn) -> tuple[str, datetime, datetime]:
    name = draw(st.sampled_from(ZONES))
    change = draw(st.sampled_from(transitions(name)))
    start = change + timedelta(minutes=draw(st.integers(-36 * 60, 36 * 60)))
    end = start + timedelta(minutes=draw(st.integers(15, 30 * 60)))
    return name, start.astimezone(ZoneInfo(name)), end.astimezone(ZoneInfo(name))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=around_a_clock_change())
def test_instants_survive_any_zone_and_clock_change(case: tuple[str, datetime, datetime]) -> None:
    name, start, end = case
    event = attrs.evolve(week_event(), timezone=name, help_desk=HelpDesk("vraagbaak@example.org"))
    session = attrs.evolve(event.session("clienten"), start=start, end=end, place="Online")
    sent = invitation(event, session, client(1), now=NOW)
    assert sent is not None
    vevent = expect_one_clean_vevent(sent.ics, online=True, place=True)
    assert utc(vevent["DTSTART"].dt) == utc(start)  # type: ignore[index]
    assert utc(vevent["DTEND"].dt) == utc(end)  # type: ignore[index]
    [independent] = vobject_events(sent.ics)
    assert utc(independent.dtstart.value) == utc(start)  # type: ignore[attr-defined]
    assert utc(independent.dtend.value) == utc(end)  # type: ignore[attr-defined]


@pytest.mark.parametrize("key", ["clienten\n", "clienten\r\n"])
def test_keys_that_end_in_a_line_break_are_refused(key: str) -> None:
    """Session keys go into published UIDs; a regex ``$`` would let a final newline through."""
    with pytest.raises(InvalidInputError):
        attrs.evolve(week_event().session("clienten"), key=key)
    with pytest.raises(InvalidInputError):
        HelpDesk("vraagbaak@example.org", phone="+31 30 000 0000\n")
    # (An e-mail address is trimmed on purpose: a final newline is removed, not kept.)
    assert Person("Noor", "noor@example.org\n", "client").email == "noor@example.org"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")))
def test_folding_keeps_every_octet_and_every_character(text: str) -> None:
    folded = fold(text)
    check_physical_lines(folded)
    assert folded.decode("utf-8")[:-2].replace("\r\n ", "") == text


def test_folding_never_ends_a_line_on_an_escape() -> None:
    text = "DESCRIPTION:" + "a" * 62 + "\\n" + "b" * 100
    lines = fold(text).split(b"\r\n")
    assert not any(line.endswith((b"\\", b"^")) for line in lines)
    assert fold("x" * 75) == b"x" * 75 + b"\r\n"
    assert fold("x" * 76) == b"x" * 75 + b"\r\n x\r\n"


def test_a_session_in_the_repeated_hour_is_judged_by_instants() -> None:
    """02:59 (summer time) to 02:14 (winter time, 15 minutes later): a valid session.

    Within one zone Python compares wall-clock readings and ignores ``fold``;
    the model compares instants, and the file writes the ambiguous times in UTC.
    """
    amsterdam = ZoneInfo("Europe/Amsterdam")
    start = datetime(2020, 10, 25, 2, 59, tzinfo=amsterdam)
    end = datetime(2020, 10, 25, 2, 14, fold=1, tzinfo=amsterdam)
    session = attrs.evolve(week_event().session("clienten"), start=start, end=end)
    assert session.end - session.start == timedelta(minutes=-45)  # what naive comparison sees
    sent = invitation(week_event(), session, client(1), now=NOW)
    assert sent is not None
    [vevent] = icalendar_events(sent.ics)
    assert vevent["DTSTART"].to_ical() == b"20201025T005900Z"  # type: ignore[index]
    assert utc(vevent["DTEND"].dt) - utc(vevent["DTSTART"].dt) == timedelta(minutes=15)  # type: ignore[index]
    with pytest.raises(InvalidInputError, match="before it starts"):
        attrs.evolve(session, end=start)
