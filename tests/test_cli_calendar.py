"""``participatie calendar``: invitations, feeds, cancellations and sessions from .ics.

Through Click's runner on the sample files in ``tests/data`` (the dialogue
meeting with the registrations of ``clean.csv``); the calendar files are
read back with the independent parser vobject. One test runs the installed
command as a process.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from participatie import RegistrationState
from participatie.event_file import load_event_file
from tests.calendar_helpers import unfold, vobject_events
from tests.cli_support import Organiser, make_organiser

_S = RegistrationState
MORNING = [
    "noor.voorbeeld@example.org",
    "daan.devries@example.org",
    "sem.bakker@example.org",
    "yara.elamrani@example.org",
]


@pytest.fixture
def organiser(tmp_path: Path) -> Organiser:
    return make_organiser(tmp_path)


@pytest.fixture
def registered(organiser: Organiser) -> Organiser:
    assert organiser.run("event", "save").exit_code == 0
    imported = organiser.run("import", "registrations", "clean.csv", "--apply")
    assert imported.exit_code == 0, imported.output
    return organiser


def index(folder: Path) -> list[dict[str, str]]:
    text = (folder / "index.csv").read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def method(data: bytes) -> str:
    return next(line for line in unfold(data) if line.startswith("METHOD:")).split(":", 1)[1]


def test_invitations_for_a_session_one_file_per_person(registered: Organiser) -> None:
    result = registered.run("calendar", "invitations", "uit", "--session", "ochtend")
    assert result.exit_code == 0, result.output
    assert "4 calendar file(s) written to uit" in result.output
    folder = registered.directory / "uit"
    rows = index(folder)
    assert [row["e-mail"] for row in rows] == MORNING
    for row in rows:
        data = (folder / row["file"]).read_bytes()
        assert method(data) == "REQUEST"
        [event] = vobject_events(data)
        attendees = [a.value.lower() for a in event.contents["attendee"]]
        assert attendees == [f"mailto:{row['e-mail']}"]  # one person per file, never a list
        assert event.summary.value.endswith("Dialoog voor cliëntenraden")
        assert row["kind"] == "invitation"
        assert row["sequence"] == "0"
    again = registered.run("calendar", "invitations", "uit", "--session", "ochtend")
    assert "0 calendar file(s) written" in again.output
    assert "4 unchanged, not written" in again.output
    everything = registered.run("calendar", "invitations", "alles", "--all")
    assert "6 calendar file(s) written" in everything.output  # the four, and middag's two


def test_a_cancellation_and_the_person_moving_up(registered: Organiser) -> None:
    assert registered.run("calendar", "invitations", "eerst").exit_code == 0
    assert registered.run("cancel", "sem.bakker@example.org").exit_code == 0  # Milan moves up
    result = registered.run("calendar", "invitations", "daarna")
    assert result.exit_code == 0, result.output
    rows = {row["e-mail"]: row for row in index(registered.directory / "daarna")}
    assert set(rows) == {"sem.bakker@example.org", "milan.smit@example.org"}
    cancelled = (
        registered.directory / "daarna" / rows["sem.bakker@example.org"]["file"]
    ).read_bytes()
    assert method(cancelled) == "CANCEL"
    assert rows["sem.bakker@example.org"]["sequence"] == "1"
    first = (registered.directory / "eerst" / rows["sem.bakker@example.org"]["file"]).read_bytes()
    [before] = vobject_events(first)
    [after] = vobject_events(cancelled)
    assert before.uid.value == after.uid.value  # the same calendar entry, now cancelled
    assert (
        method(
            (registered.directory / "daarna" / rows["milan.smit@example.org"]["file"]).read_bytes()
        )
        == "REQUEST"
    )


def test_the_breakout_group_is_in_the_invitation(registered: Organiser) -> None:
    assert registered.run("groups", "form", "--session", "ochtend").exit_code == 0
    assert registered.run("calendar", "invitations", "uit", "--session", "ochtend").exit_code == 0
    rows = index(registered.directory / "uit")
    assert sorted(row["group"] for row in rows) == ["Groep 1", "Groep 1", "Groep 2", "Groep 2"]
    data = (registered.directory / "uit" / rows[0]["file"]).read_bytes()
    assert rows[0]["group"] in data.decode("utf-8").replace("\r\n ", "")


def test_one_persons_invitation_again_with_reminders(registered: Organiser) -> None:
    assert registered.run("calendar", "invitations", "uit").exit_code == 0
    result = registered.run(
        "calendar",
        "invitation",
        "noor.voorbeeld@example.org",
        "opnieuw",
        "--reminder",
        "1d",
        "--reminder",
        "30m",
    )
    assert result.exit_code == 0, result.output
    [row] = index(registered.directory / "opnieuw")
    assert row["e-mail"] == "noor.voorbeeld@example.org"
    data = (registered.directory / "opnieuw" / row["file"]).read_bytes()
    lines = unfold(data)
    assert "TRIGGER:-P1D" in lines
    assert "TRIGGER:-PT30M" in lines
    waiting = registered.run("calendar", "invitation", "milan.smit@example.org", "wacht")
    assert waiting.exit_code == 0
    assert "Nothing to tell" in waiting.output
    bad = registered.run(
        "calendar", "invitation", "noor.voorbeeld@example.org", "x", "--reminder", "morgen"
    )
    assert bad.exit_code == 2
    assert "30m, 6h, 2d or 1w" in bad.stderr
    nobody = registered.run("calendar", "invitation", "niemand@example.org", "x")
    assert nobody.exit_code == 3


def test_feeds_for_the_event_and_each_audience(registered: Organiser) -> None:
    result = registered.run("calendar", "feed", "agenda")
    assert result.exit_code == 0, result.output
    folder = registered.directory / "agenda"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "dialoog-2021-client.ics",
        "dialoog-2021-expert-by-experience.ics",
        "dialoog-2021-professional.ics",
        "dialoog-2021.ics",
    ]
    everyone = (folder / "dialoog-2021.ics").read_bytes()
    assert len(vobject_events(everyone)) == 2
    assert not any(line.startswith("METHOD") for line in unfold(everyone))
    unfolded = "\n".join(unfold(everyone))
    for email in [*MORNING, "iris.vandijk@example.org", "bram.willems@example.org"]:
        assert email not in unfolded  # no personal data in a published calendar
    assert "meet.example.org" not in unfolded  # join links stay out of shared files
    professionals = vobject_events((folder / "dialoog-2021-professional.ics").read_bytes())
    assert [event.summary.value.split(": ")[-1] for event in professionals] == [
        "Dialoog voor professionals"
    ]
    linked = registered.run("calendar", "feed", "open", "--audience", "client", "--join-links")
    assert linked.exit_code == 0
    assert [path.name for path in (registered.directory / "open").iterdir()] == [
        "dialoog-2021-client.ics"
    ]
    assert (
        b"meet.example.org/dialoog"
        in (registered.directory / "open" / "dialoog-2021-client.ics").read_bytes()
    )


def test_cancel_a_session_asks_writes_cancellations_and_the_event_file(
    registered: Organiser,
) -> None:
    assert registered.run("calendar", "invitations", "uit").exit_code == 0
    path = registered.directory / "participatie.toml"
    before = path.read_text(encoding="utf-8")
    declined = registered.run("calendar", "cancel", "ochtend", "af")
    assert declined.exit_code == 1  # no answer: not cancelled
    assert path.read_text(encoding="utf-8") == before
    with registered.app() as app:
        assert not app.event("dialoog-2021").session("ochtend").cancelled
    result = registered.run("calendar", "cancel", "ochtend", "af", "--yes")
    assert result.exit_code == 0, result.output
    rows = index(registered.directory / "af")
    assert sorted(row["e-mail"] for row in rows) == sorted(MORNING)
    for row in rows:
        assert method((registered.directory / "af" / row["file"]).read_bytes()) == "CANCEL"
    assert "cancelled = true set on session ochtend" in result.output
    event_file = load_event_file(path)
    assert event_file.event.session("ochtend").cancelled
    assert not event_file.event.session("middag").cancelled
    assert path.read_text(encoding="utf-8").count("cancelled = true") == 1
    assert registered.run("check").exit_code == 0
    assert registered.run("event", "save").exit_code == 0
    with registered.app() as app:
        assert app.event("dialoog-2021").session("ochtend").cancelled
    refused = registered.run(
        "register",
        "--session",
        "ochtend",
        "--name",
        "Laat",
        "--email",
        "laat@example.org",
        "--audience",
        "client",
        "--consent",
    )
    assert refused.exit_code == 1
    feed = registered.run("calendar", "feed", "agenda", "--audience", "client")
    assert "(0 session(s))" in feed.output


def test_import_sessions_dry_run_then_into_the_event_file(registered: Organiser) -> None:
    path = registered.directory / "participatie.toml"
    before = path.read_text(encoding="utf-8")
    dry = registered.run(
        "calendar",
        "import",
        "sessies.ics",
        "--capacity",
        "10",
        "--audience",
        "client",
        "--registration-closes",
        "vrijdag 28 mei 2021",
    )
    assert dry.exit_code == 0, dry.output
    assert "New sessions in sessies.ics (4):" in dry.output
    assert "terugkombijeenkomst-20210604" in dry.output
    assert "avondgesprek-20210621" in dry.output
    assert "gaat-niet-door" not in dry.output  # a cancelled entry is left out
    assert "Dry run: nothing was stored." in dry.output
    assert path.read_text(encoding="utf-8") == before
    applied = registered.run(
        "calendar",
        "import",
        "sessies.ics",
        "--capacity",
        "10",
        "--audience",
        "client",
        "--registration-closes",
        "vrijdag 28 mei 2021",
        "--apply",
    )
    assert applied.exit_code == 0, applied.output
    assert "Added to" in applied.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith(before.split("[store]")[0].rstrip("\n"))  # comments and layout kept
    event_file = load_event_file(path)
    keys = [session.key for session in event_file.event.sessions]
    assert keys[:2] == ["ochtend", "middag"]
    assert len(keys) == 6
    evening = event_file.event.session("avondgesprek-20210614")
    assert evening.place == "Buurthuis De Brug"
    assert evening.capacity == 10
    assert evening.audiences == frozenset({"client"})
    assert str(evening.start.astimezone(evening.start.tzinfo)).startswith("2021-06-14 19:00")
    again = registered.run("calendar", "import", "sessies.ics", "--apply")
    assert "Nothing to add." in again.output
    assert path.read_text(encoding="utf-8") == text
    assert registered.run("event", "save").exit_code == 0


def test_import_sessions_into_the_store(registered: Organiser) -> None:
    result = registered.run(
        "calendar",
        "import",
        "sessies.ics",
        "--apply",
        "--into",
        "store",
        "--max-group-size",
        "4",
        "--waiting-list",
        "none",
    )
    assert result.exit_code == 0, result.output
    with registered.app() as app:
        event = app.event("dialoog-2021")
    assert len(event.sessions) == 6
    assert event.session("terugkombijeenkomst-20210604").online_link == (
        "https://meet.example.org/terugkom"
    )
    assert event.session("avondgesprek-20210607").max_group_size == 4


def test_every_problem_in_a_calendar_file_is_reported(registered: Organiser) -> None:
    path = registered.directory / "participatie.toml"
    before = path.read_text(encoding="utf-8")
    result = registered.run("calendar", "import", "sessies-fout.ics", "--apply")
    assert result.exit_code == 1
    assert "cannot be imported (5 problem(s))" in result.stderr
    for fragment in ("'Hele dag'", "'Zonder einde'", "'Eindeloos'", "'Verkeerde link'", "VTODO"):
        assert fragment in result.stderr, fragment
    assert path.read_text(encoding="utf-8") == before
    dutch = registered.run("calendar", "import", "sessies-fout.ics", lang="nl")
    assert "kan niet worden geïmporteerd (5 probleem/problemen)" in dutch.stderr


def test_calendar_speaks_dutch(registered: Organiser) -> None:
    result = registered.run("calendar", "invitations", "uit", lang="nl")
    assert "6 agendabestand(en) geschreven naar uit" in result.output
    assert "uitnodiging" in result.output
    assert "bestand" in (registered.directory / "uit" / "index.csv").read_text("utf-8-sig")


def test_the_calendar_commands_run_as_a_process(registered: Organiser) -> None:
    done = registered.process("calendar", "invitations", "uit")
    assert done.returncode == 0, done.stderr
    assert "6 calendar file(s) written" in done.stdout
    assert done.stderr == ""
    feed = registered.process("calendar", "feed", "agenda")
    assert feed.returncode == 0, feed.stderr
    assert (registered.directory / "agenda" / "dialoog-2021.ics").is_file()


def test_cancel_a_later_session_in_the_event_file(registered: Organiser) -> None:
    path = registered.directory / "participatie.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('waiting_list = "none"', 'waiting_list = "none"\ncancelled = false'),
        encoding="utf-8",
    )
    assert registered.run("event", "save").exit_code == 0
    result = registered.run("calendar", "cancel", "middag", "af", "--yes", lang="nl")
    assert result.exit_code == 0, result.output
    assert "cancelled = true gezet bij sessie middag" in result.output
    written = path.read_text(encoding="utf-8")
    assert "cancelled = false" not in written
    assert written.count("cancelled = true") == 1
    event_file = load_event_file(path)
    assert event_file.event.session("middag").cancelled
    assert not event_file.event.session("ochtend").cancelled
    # Nothing was announced before, so there is nobody to send a cancellation to.
    assert "0 agendabestand(en) geschreven" in result.output


def test_cancel_without_an_event_file_keeps_the_store_only(registered: Organiser) -> None:
    (registered.directory / "participatie.toml").unlink()
    result = registered.run(
        "--store", "sqlite:///event.db", "calendar", "cancel", "middag", "af", "--yes"
    )
    assert result.exit_code == 0, result.output
    assert "Session middag is cancelled." in result.output
    with registered.app() as app:
        assert app.event("dialoog-2021").session("middag").cancelled


def test_import_keeps_the_next_tables_comment_and_refuses_a_clash(registered: Organiser) -> None:
    path = registered.directory / "participatie.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[store]", "# Where the data is kept\n[store]"), encoding="utf-8")
    applied = registered.run(
        "calendar",
        "import",
        "sessies.ics",
        "--apply",
        "--audience",
        "client",
        "--audience",
        "expert-by-experience",
        "--waiting-list",
        "offer",
        "--max-group-size",
        "3",
        "--registration-opens",
        "maandag 17 mei 2021",
    )
    assert applied.exit_code == 0, applied.output
    written = path.read_text(encoding="utf-8")
    assert written.index("# Sessions imported from sessies.ics") < written.index(
        "# Where the data is kept\n[store]"
    )
    evening = load_event_file(path).event.session("avondgesprek-20210607")
    assert evening.audiences == frozenset({"client", "expert-by-experience"})
    assert evening.waiting_list.value == "offer"
    assert evening.registration_opens is not None
    assert evening.registration_opens.isoformat().startswith("2021-05-17T00:00")
    moved = (
        (registered.directory / "sessies.ics")
        .read_bytes()
        .replace(b"20210604T100000", b"20210604T120000")
        .replace(b"20210604T113000", b"20210604T133000")
    )
    (registered.directory / "verplaatst.ics").write_bytes(moved)
    clash = registered.run("calendar", "import", "verplaatst.ics", "--apply")
    assert clash.exit_code == 1
    assert "session terugkombijeenkomst-20210604 exists already with other times" in clash.stderr
    assert path.read_text(encoding="utf-8") == written
    unknown = registered.run("calendar", "import", "sessies.ics", "--audience", "ouder")
    assert unknown.exit_code == 2
    assert "'ouder' is not an audience" in unknown.stderr


def test_import_without_an_event_file_goes_to_the_store(registered: Organiser) -> None:
    (registered.directory / "participatie.toml").unlink()
    into_file = registered.run(
        "--store",
        "sqlite:///event.db",
        "calendar",
        "import",
        "sessies.ics",
        "--apply",
        "--into",
        "file",
    )
    assert into_file.exit_code == 2
    assert "--into file needs an event file" in into_file.stderr
    stored = registered.run(
        "--store", "sqlite:///event.db", "calendar", "import", "sessies.ics", "--apply"
    )
    assert stored.exit_code == 0, stored.output
    assert "Stored in sqlite:///event.db: 4 session(s)." in stored.output
