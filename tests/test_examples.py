"""The example scripts run, and what they store is what their story says.

Each example is run in-process through its ``main()`` and the SQLite database
it wrote is then opened again with the public API, so the assertions are about
stored outcomes, not about printed text alone. One test runs the main example
as a subprocess, the way ``make demo`` does.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from participatie import Participatie, Registration, RegistrationState

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

_S = RegistrationState


def _load(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a module (examples/ is not a package)."""
    path = EXAMPLES / f"{name}.py"
    module_name = f"_example_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[module_name]
    return module


@pytest.fixture(scope="module")
def week() -> ModuleType:
    return _load("week_van_reflectie")


@pytest.fixture(scope="module")
def dialoog() -> ModuleType:
    return _load("dialoogbijeenkomst")


def _open(database: Path) -> Participatie:
    return Participatie.open(f"sqlite:///{database.resolve()}")


def _emails(registrations: list[Registration]) -> list[str]:
    return [registration.person.email for registration in registrations]


# --- week van reflectie en verrijking --------------------------------------


@pytest.fixture
def week_output(
    week: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, str]:
    assert week.main(["--output", str(tmp_path)]) == 0
    return tmp_path, capsys.readouterr().out


def test_week_writes_database_and_summary(week_output: tuple[Path, str]) -> None:
    output, printed = week_output
    database = output / "participatie.db"
    summary = output / "week-van-reflectie.md"
    assert database.is_file()
    assert summary.is_file()
    assert str(database.resolve()) in printed
    assert str(summary.resolve()) in printed


def test_week_morning_is_full_with_a_waiting_list_and_a_promotion(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    output, _ = week_output
    with _open(output / "participatie.db") as app:
        event, session = week.EVENT_KEY, week.MORNING
        places = app.places(event, session)
        assert places.capacity == 10
        assert places.taken == 10
        participants = _emails(app.participants(event, session))
        assert len(participants) == 10
        assert "daan.visser@example.org" not in participants
        # Iris was first on the waiting list and moved into Daan's place.
        assert "iris.vandijk@example.org" in participants
        iris = app.participants(event, session)[-1]
        assert iris.person.email == "iris.vandijk@example.org"
        assert [change.reason for change in app.history(iris.id)] == ["waitlisted", "promoted"]
        assert _emails(app.waiting_list(event, session)) == ["jesse.kok@example.org"]
        (daan,) = app.registrations_of("daan.visser@example.org")
        assert daan.state is _S.CANCELLED


def test_week_afternoon_offers_accepted_and_lapsed(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    output, _ = week_output
    with _open(output / "participatie.db") as app:
        event, session = week.EVENT_KEY, week.AFTERNOON
        assert app.places(event, session).taken == 6
        participants = _emails(app.participants(event, session))
        assert "sophie.meijer@example.org" in participants
        assert "lisa.kuipers@example.org" in participants
        assert app.waiting_list(event, session) == []
        (wouter,) = app.registrations_of("wouter.degraaf@example.org")
        assert wouter.state is _S.EXPIRED
        (sophie,) = app.registrations_of("sophie.meijer@example.org")
        assert [change.reason for change in app.history(sophie.id)] == [
            "waitlisted",
            "offered",
            "accepted",
        ]
        for cancelled in ("maaike.bos@example.org", "femke.vos@example.org"):
            (registration,) = app.registrations_of(cancelled)
            assert registration.state is _S.CANCELLED


def test_week_refused_people_hold_no_wrong_registration(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    output, _ = week_output
    with _open(output / "participatie.db") as app:
        # Too late: nothing stored.
        assert app.registrations_of("bram.willems@example.org") == []
        # Not eligible on the clients' day: only her professionals' registration.
        marloes = app.registrations_of("marloes.verbeek@example.org")
        assert [(r.session_key, r.state) for r in marloes] == [(week.PROFESSIONALS, _S.REGISTERED)]
        # The duplicate with another spelling of the address was not stored.
        sanne = app.registrations_of("sanne.devries@example.org")
        assert [(r.session_key, r.state) for r in sanne] == [(week.MORNING, _S.REGISTERED)]
        # Fifteen minutes before the deadline was still in time.
        (hanna,) = app.registrations_of("hanna.brouwer@example.org")
        assert hanna.state is _S.REGISTERED
        assert len(app.participants(week.EVENT_KEY, week.PROFESSIONALS)) == 11


def test_week_groups_respect_the_group_size(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    output, _ = week_output
    with _open(output / "participatie.db") as app:
        for session in app.event(week.EVENT_KEY).sessions:
            assert session.max_group_size is not None
            groups = app.form_groups(week.EVENT_KEY, session.key, seed=2020)
            assert len(groups) > 1
            assert all(len(group.members) <= session.max_group_size for group in groups)
            grouped = sorted(r.id for group in groups for r in group.members)
            assert grouped == sorted(r.id for r in app.participants(week.EVENT_KEY, session.key))


def test_week_summary_mentions_places_groups_and_refusals(
    week_output: tuple[Path, str],
) -> None:
    output, printed = week_output
    summary = (output / "week-van-reflectie.md").read_text(encoding="utf-8")
    for text in (
        "Places: 10 of 10 taken, 0 free; 1 on the waiting list",
        "Waiting list:",
        "Group 1",
        "NotEligibleError",
        "Marloes Verbeek",
        "RegistrationClosedError",
        "Bram Willems",
        "AlreadyRegisteredError",
        "## Timeline",
    ):
        assert text in summary
    assert "REFUSED (RegistrationClosedError)" in printed
    assert "REFUSED (NotEligibleError)" in printed


def test_week_runs_again_into_the_same_directory(
    week: ModuleType, week_output: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    output, _ = week_output
    assert week.main(["--output", str(output)]) == 0
    capsys.readouterr()
    with _open(output / "participatie.db") as app:
        # A fresh database: nobody is registered twice.
        assert len(app.registrations_of("sanne.devries@example.org")) == 1
        assert app.places(week.EVENT_KEY, week.MORNING).taken == 10


def test_week_runs_as_make_demo_runs_it(tmp_path: Path) -> None:
    command = [sys.executable, str(EXAMPLES / "week_van_reflectie.py"), "--output", "demo-output"]
    for _ in range(2):
        done = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "Database:" in done.stdout
    database = tmp_path / "demo-output" / "participatie.db"
    assert database.is_file()
    assert (tmp_path / "demo-output" / "week-van-reflectie.md").is_file()
    with _open(database) as app:
        assert len(app.registrations_of("iris.vandijk@example.org")) == 1


# --- dialoogbijeenkomst ----------------------------------------------------


def test_dialoog_stores_registrations_and_waiting_list(
    dialoog: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dialoog.main(["--output", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    database = tmp_path / "dialoogbijeenkomst.db"
    report = tmp_path / "dialoogbijeenkomst.md"
    assert database.is_file()
    assert report.is_file()
    assert str(report.resolve()) in printed
    with _open(database) as app:
        event = app.event(dialoog.EVENT_KEY)
        assert event.central_questions == (
            "Hoe moet jeugdbescherming er in de toekomst uit zien?",
            "Wat is er nodig om dit te realiseren?",
            "Draagt het toekomstscenario daar aan bij?",
        )
        assert event.help_desk.email == "vraagbaak@example.org"
        (session,) = event.sessions
        assert session.online_link is not None
        places = app.places(dialoog.EVENT_KEY, session.key)
        assert (places.capacity, places.taken, places.waiting) == (12, 12, 2)
        assert _emails(app.waiting_list(dialoog.EVENT_KEY, session.key)) == [
            "dirkjan.bosman@example.org",
            "naima.benali@example.org",
        ]
        # No consent, no registration; a double submission is stored once.
        assert app.registrations_of("vera.lambregts@example.org") == []
        assert len(app.registrations_of("tom.verhoeven@example.org")) == 1
    text = report.read_text(encoding="utf-8")
    assert "ConsentRequiredError" in text
    assert "AlreadyRegisteredError" in text
    assert "Draagt het toekomstscenario daar aan bij?" in text


def test_dialoog_runs_again_into_the_same_directory(
    dialoog: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        assert dialoog.main(["--output", str(tmp_path)]) == 0
    capsys.readouterr()
    with _open(tmp_path / "dialoogbijeenkomst.db") as app:
        assert len(app.registrations(dialoog.EVENT_KEY)) == 14


def test_week_writes_calendar_invitations_updates_and_feeds(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    """Every participant's invitation and the feeds are under calendar/, and they parse."""
    from icalendar import Calendar

    output, printed = week_output
    calendar_dir = output / "calendar"
    assert f"Calendar: {calendar_dir.resolve()}" in printed
    with _open(output / "participatie.db") as app:
        for session in app.event(week.EVENT_KEY).sessions:
            files = sorted((calendar_dir / "uitnodigingen" / session.key).glob("*.ics"))
            # The participant erased at the end of the demo left a tombstone, no file.
            participants = [
                r for r in app.participants(week.EVENT_KEY, session.key) if not r.person.is_erased
            ]
            assert len(files) == len(participants)
            attendees = set()
            for path in files:
                parsed = Calendar.from_ical(path.read_bytes())
                assert parsed["METHOD"] == "REQUEST"
                [vevent] = parsed.walk("VEVENT")
                attendees.add(str(vevent["ATTENDEE"]).removeprefix("mailto:"))
                assert "Groep" in str(vevent["SUMMARY"])
            assert attendees == {r.person.email for r in participants}
        # The afternoon moved: the updates carry the same UIDs with SEQUENCE 1 and the new time.
        afternoon = app.session(week.EVENT_KEY, week.AFTERNOON)
        updates = sorted((calendar_dir / "updates" / week.AFTERNOON).glob("*.ics"))
        assert len(updates) == len(app.participants(week.EVENT_KEY, week.AFTERNOON))
        for path in updates:
            [update] = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
            original = calendar_dir / "uitnodigingen" / week.AFTERNOON / path.name
            [first] = Calendar.from_ical(original.read_bytes()).walk("VEVENT")
            assert update["UID"] == first["UID"]
            # The group raised SEQUENCE once (0 → 1), the move once more.
            assert update["SEQUENCE"] == first["SEQUENCE"] + 1
            assert update["DTSTART"].dt == afternoon.start
        assert not (calendar_dir / "updates" / week.MORNING).exists()
    feed = Calendar.from_ical((calendar_dir / f"{week.EVENT_KEY}.ics").read_bytes())
    assert "METHOD" not in feed
    assert len(feed.walk("VEVENT")) == 3
    assert (
        b"example.org/week-van-reflectie"
        not in (calendar_dir / f"{week.EVENT_KEY}.ics").read_bytes()
    )
    professionals = Calendar.from_ical(
        (calendar_dir / f"{week.EVENT_KEY}-professional.ics").read_bytes()
    )
    assert len(professionals.walk("VEVENT")) == 1


# --- dialoogbijeenkomst: input and feedback rounds ----------------------------


@pytest.fixture(scope="module")
def dialoog_output(dialoog: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("dialoog")
    assert dialoog.main(["--output", str(output)]) == 0
    return output


def test_dialoog_records_attendance_and_input(dialoog: ModuleType, dialoog_output: Path) -> None:
    with _open(dialoog_output / "dialoogbijeenkomst.db") as app:
        attended = _emails(app.attendees(dialoog.EVENT_KEY))
        assert len(attended) == 10
        assert not set(dialoog.NO_SHOWS) & set(attended)
        no_show = app.registrations(dialoog.EVENT_KEY, states=[_S.NO_SHOW])
        assert sorted(_emails(no_show)) == sorted(dialoog.NO_SHOWS)
        contributions = app.contributions(dialoog.EVENT_KEY)
        assert len(contributions) == 14
        assert {c.question for c in contributions} == {1, 2, 3, None}
        assert {c.group for c in contributions if c.participant is None} == {
            "Groep 1",
            "Groep 2",
            "Groep 3",
        }
        sent_in = [c for c in contributions if c.participant is not None]
        assert [c.participant for c in sent_in] == [
            "selin.aydemir@example.org",
            "ricardo.martina@example.org",
        ]


def test_dialoog_runs_two_rounds_to_a_final_version(
    dialoog: ModuleType, dialoog_output: Path
) -> None:
    with _open(dialoog_output / "dialoogbijeenkomst.db") as app:
        versions = app.draft_versions(dialoog.DRAFT_KEY)
        assert [v.number for v in versions] == [1, 2, 3]
        first, second = app.feedback_rounds(dialoog.EVENT_KEY)
        assert first.id is not None
        assert second.id is not None
        assert (first.version, first.next_version) == (1, 2)
        assert (second.version, second.next_version) == (2, 3)
        assert len(first.recipients) == 10
        responses = {r.respondent: r for r in app.responses(first.id)}
        assert len(responses) == 7
        assert "mehmet.kaya@example.org" not in responses  # too late, refused
        assert responses["gj.hoekstra@example.org"].revision == 2
        decided = {d.key for d in app.dispositions(first.id)}
        assert {c.key for c in app.comments(first.id)} == decided
        assert len(decided) == 7
        assert len(app.responses(second.id)) == 3
        # Every message of both rounds was queued exactly once.
        queued = {**app.store.queued_messages(first.id), **app.store.queued_messages(second.id)}
        assert len(queued) == 52
        assert app.feedback_messages_due() == []


def test_dialoog_sends_the_feedback_messages_through_the_outbox(dialoog_output: Path) -> None:
    from email import policy
    from email.parser import BytesParser

    files = sorted((dialoog_output / "outbox").glob("feedback-*.eml"))
    kinds = [path.name.rsplit("-", 1)[0] for path in files]
    assert kinds.count("feedback-invitation") == 20
    assert kinds.count("feedback-reminder") == 12
    assert kinds.count("feedback-summary") == 20
    parsed = [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in files]
    # One recipient per message, never a list, and every message with its key.
    assert all(len(m.get_all("To")) == 1 and "," not in m["To"] for m in parsed)
    assert all(m["X-Participatie-Key"] for m in parsed)
    selin = next(
        m
        for m, kind in zip(parsed, kinds, strict=True)
        if kind == "feedback-summary" and "selin.aydemir@example.org" in m["To"]
    )
    body = selin.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "Ons besluit: Gedeeltelijk overgenomen" in text
    assert "Laat jongeren zelf een vertrouwenspersoon kiezen" in text  # her own input
    assert "{+" in text


def test_dialoog_reports_public_and_internal(dialoog_output: Path) -> None:
    reports = dialoog_output / "reports"
    public = (reports / "dialoogbijeenkomst.md").read_text(encoding="utf-8")
    page = (reports / "dialoogbijeenkomst.html").read_text(encoding="utf-8")
    for text in (public, page):
        assert "Inbreng per centrale vraag" in text
        assert "Draagt het toekomstscenario daar aan bij?" in text
        assert "@example.org" not in text
        assert "Selin" not in text
    assert page.count("<svg") == 4  # two charts per round
    assert (reports / "dialoogbijeenkomst-comments.csv").is_file()
    internal = (reports / "intern" / "dialoogbijeenkomst-intern.md").read_text(encoding="utf-8")
    assert "Deelnemer 1" in internal  # anonymous to colleagues
    assert "Selin Aydemir" in internal  # the source of input, for colleagues


def test_dialoog_runs_as_make_demo_runs_it(tmp_path: Path) -> None:
    command = [sys.executable, str(EXAMPLES / "dialoogbijeenkomst.py"), "--output", "demo-output"]
    for _ in range(2):
        done = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "REFUSED (RoundClosedError)" in done.stdout
    assert len(list((tmp_path / "demo-output" / "outbox").glob("feedback-*.eml"))) == 52
    assert (tmp_path / "demo-output" / "reports" / "dialoogbijeenkomst.html").is_file()


def test_week_ends_with_an_erasure_and_its_proof(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    output, printed = week_output
    assert "Before: 'Pieter Bakker' found in 7 file(s)" in printed
    assert "After: 'Pieter Bakker' found in 0 file(s)" in printed
    assert "Proof: no trace of the erased participant" in printed
    everything = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file()).lower()
    assert b"pieter bakker" not in everything
    assert b"pieter.bakker" not in everything
    assert b"sanne de vries" in everything  # everyone else is still there
    with _open(output / "participatie.db") as app:
        assert app.registrations_of(week.ERASED.email) == []
        # His place is kept by a tombstone: the week happened as it did.
        assert app.places(week.EVENT_KEY, week.MORNING).taken == 10
        assert [r.action for r in app.privacy_log()][-1] == "erased"
        # Named group lists were asked for and recorded; the others name nobody.
        named = [r for r in app.privacy_log() if r.action == "names-exported"]
        assert {r.requested_by for r in named} == {week.PROJECT_GROUP_ADDRESS}
    anonymous = (output / "pseudoniem" / f"groups-{week.MORNING}.csv").read_text(encoding="utf-8")
    assert "Sanne" not in anonymous


def test_week_leaves_one_eml_per_message(week: ModuleType, week_output: tuple[Path, str]) -> None:
    """make demo's outbox: every message an .eml file, parseable, with its calendar part."""
    import email
    from email import policy

    import icalendar

    from participatie import DeliveryState

    output, printed = week_output
    files = sorted((output / "outbox").glob("*.eml"))
    with _open(output / "participatie.db") as app:
        sent = app.outbox([DeliveryState.SENT])
        assert app.outbox([DeliveryState.PENDING, DeliveryState.FAILED]) == []
    assert len(files) == len(sent) > 100
    # The count is printed before the erasure at the end of the demo, which
    # deletes the erased participant's few messages (files and rows alike).
    printed_count = int(printed.split(" .eml files)")[0].rsplit("(", 1)[1])
    assert 0 < printed_count - len(files) <= 5
    kinds: dict[str, int] = {}
    keys = set()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        kind = message["X-Participatie-Kind"]
        kinds[kind] = kinds.get(kind, 0) + 1
        keys.add(message["X-Participatie-Key"])
        assert len(message["To"].addresses) == 1
        assert message["Cc"] is None
        assert message["Bcc"] is None
        text = message.get_body(preferencelist=("plain",))
        assert text is not None
        assert "vraagbaak@example.org" in text.get_content()
        calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        method = CALENDAR_METHODS.get(kind)
        if method is None:
            assert calendars == []
        elif calendars or kind in {"confirmation", "group-assignment"}:
            [calendar] = calendars
            inside = icalendar.Calendar.from_ical(calendar.get_content())
            assert calendar.get_param("method") == str(inside["METHOD"]) == method
            [attachment] = [p for p in message.walk() if p.get_content_type() == "application/ics"]
            assert attachment.get_filename() == "invite.ics"
    assert keys == {record.key for record in sent}
    assert kinds["invitation"] == len(week.PARTNERS)
    # everyone in the two sessions that moved: the professionals (11) and the afternoon (6)
    assert kinds["change"] == 17
    # everyone with a place, once; the erased participant's reminder is gone with him
    assert kinds["reminder"] == 10 + 6 + 11 - 1
    assert kinds["cancellation"] == 3
    assert kinds["offer-expired"] == 1


#: The messages that carry the participant's calendar entry, and its iTIP method.
#: (A cancellation or change notice to someone on the waiting list carries none.)
CALENDAR_METHODS = {
    "confirmation": "REQUEST",
    "change": "REQUEST",
    "group-assignment": "REQUEST",
    "cancellation": "CANCEL",
}


def test_week_reminders_follow_the_moved_session(
    week: ModuleType, week_output: tuple[Path, str]
) -> None:
    from participatie import DeliveryState, to_local

    output, _ = week_output
    with _open(output / "participatie.db") as app:
        reminders = [
            r
            for r in app.outbox()
            if r.message.kind == "reminder" and r.session_key == week.PROFESSIONALS
        ]
    superseded = [r for r in reminders if r.state is DeliveryState.SUPERSEDED]
    sent = [r for r in reminders if r.state is DeliveryState.SENT]
    assert len(superseded) == len(sent) == 11
    assert {to_local(r.due_at, week.TIMEZONE).strftime("%d %H:%M") for r in superseded} == {
        "05 10:00"
    }
    assert {to_local(r.due_at, week.TIMEZONE).strftime("%d %H:%M") for r in sent} == {"05 10:30"}
    assert all("10:30–12:30" in r.message.text for r in sent)
