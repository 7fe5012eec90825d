"""The CalDAV plugin against a real Radicale server on 127.0.0.1 (no mocks)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import attrs
import caldav
import pytest
from icalendar import Calendar
from participatie_caldav import (
    CalDAVPublisher,
    participatie_event_saved,
    publisher_from_environment,
)

from participatie import (
    Audience,
    Consent,
    Event,
    FixedClock,
    HelpDesk,
    Participatie,
    Person,
    Session,
    local_datetime,
)
from participatie.calendar import CalendarOptions
from participatie.plugins import Plugins, make_plugin_manager

TZ = "Europe/Amsterdam"
NOW = datetime(2020, 10, 20, 7, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Radicale server on 127.0.0.1 for this module, with its own storage folder."""
    folder = tmp_path_factory.mktemp("radicale")
    port = _free_port()
    config = folder / "config"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\ntype = none\n"
        "[rights]\ntype = owner_only\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
        "[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    log = (folder / "radicale.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "Radicale did not start: " + (folder / "radicale.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture
def calendar_url(radicale: str, request: pytest.FixtureRequest) -> str:
    """A new, empty calendar collection for one test."""
    client = caldav.DAVClient(url=radicale, username="organiser", password="secret")
    name = request.node.name.replace("[", "-").replace("]", "").replace("_", "-").lower()[:40]
    calendar = client.principal().make_calendar(name=name, cal_id=name)
    return str(calendar.url)


def week() -> Event:
    return Event(
        key="week-van-reflectie",
        title="Week van reflectie en verrijking",
        organiser="Projectgroep Voorbeeld",
        help_desk=HelpDesk("vraagbaak@example.org"),
        audiences=[Audience("client", "cliënt"), Audience("professional", "professional")],
        sessions=[
            Session(
                "clienten",
                "Sessie voor cliënten",
                local_datetime(datetime(2020, 11, 5, 10, 0), TZ),
                local_datetime(datetime(2020, 11, 5, 11, 30), TZ),
                online_link="https://meet.example.org/5-november",
                audiences={"client"},
            ),
            Session(
                "professionals",
                "Sessie voor professionals",
                local_datetime(datetime(2020, 11, 6, 10, 0), TZ),
                local_datetime(datetime(2020, 11, 6, 11, 30), TZ),
                place="Zaal 2",
                audiences={"professional"},
            ),
        ],
    )


def on_server(url: str) -> dict[str, Calendar]:
    """What the server holds, read with a fresh client: UID -> the stored calendar."""
    calendar = caldav.DAVClient(url=url, username="organiser", password="secret").calendar(url=url)
    found = {}
    for resource in calendar.events():
        parsed = Calendar.from_ical(resource.data)
        [vevent] = parsed.walk("VEVENT")
        found[str(vevent["UID"])] = parsed
    return found


def publisher(url: str, **options: object) -> CalDAVPublisher:
    return CalDAVPublisher.connect(
        url,
        username="organiser",
        password="secret",
        options=CalendarOptions(**options),  # type: ignore[arg-type]
    )


def moved(event: Event, key: str, hours: int) -> Event:
    sessions = [
        attrs.evolve(s, start=s.start + timedelta(hours=hours), end=s.end + timedelta(hours=hours))
        if s.key == key
        else s
        for s in event.sessions
    ]
    return attrs.evolve(event, sessions=sessions)


def test_publish_update_and_remove(calendar_url: str) -> None:
    event = week()
    first = publisher(calendar_url).publish(event, NOW)
    uids = [
        "clienten.week-van-reflectie@example.org",
        "professionals.week-van-reflectie@example.org",
    ]
    assert first.added == tuple(uids)
    stored = on_server(calendar_url)
    assert sorted(stored) == uids
    for session in event.sessions:
        copy = stored[f"{session.key}.week-van-reflectie@example.org"]
        assert "METHOD" not in copy
        [vevent] = copy.walk("VEVENT")
        assert vevent["DTSTART"].dt == session.start
        assert vevent["SEQUENCE"] == 0
        assert "ATTENDEE" not in vevent
        assert "URL" not in vevent  # join links stay private by default
    assert copy.walk("VTIMEZONE")

    # Publishing again without a change touches nothing.
    again = publisher(calendar_url).publish(event, NOW + timedelta(hours=1))
    assert again.unchanged == tuple(uids)
    assert again.added == again.updated == again.removed == ()

    # A moved session is updated in place: same UID, higher SEQUENCE, new time.
    later = moved(event, "clienten", 2)
    update = publisher(calendar_url).publish(later, NOW + timedelta(hours=2))
    assert update.updated == (uids[0],)
    assert update.unchanged == (uids[1],)
    [vevent] = on_server(calendar_url)[uids[0]].walk("VEVENT")
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == later.session("clienten").start

    # A cancelled session is removed; the other stays.
    off = attrs.evolve(
        later,
        sessions=[
            attrs.evolve(later.session("clienten"), cancelled=True),
            later.session("professionals"),
        ],
    )
    removal = publisher(calendar_url).publish(off, NOW + timedelta(hours=3))
    assert removal.removed == (uids[0],)
    assert sorted(on_server(calendar_url)) == [uids[1]]

    # A session taken out of the event goes too.
    empty = attrs.evolve(off, sessions=[])
    assert publisher(calendar_url).publish(empty, NOW).removed == (uids[1],)
    assert on_server(calendar_url) == {}


def test_links_when_allowed_and_other_objects_left_alone(calendar_url: str) -> None:
    calendar = caldav.DAVClient(url=calendar_url, username="organiser", password="secret").calendar(
        url=calendar_url
    )
    calendar.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:lunch@example.org\r\nDTSTAMP:20201001T000000Z\r\nDTSTART:20201105T110000Z\r\n"
        "DTEND:20201105T120000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    report = publisher(calendar_url, join_links_in_public_feeds=True).publish(week(), NOW)
    assert len(report.added) == 2
    stored = on_server(calendar_url)
    assert "lunch@example.org" in stored
    [vevent] = stored["clienten.week-van-reflectie@example.org"].walk("VEVENT")
    assert str(vevent["URL"]) == "https://meet.example.org/5-november"
    publisher(calendar_url).publish(attrs.evolve(week(), sessions=[]), NOW)
    assert sorted(on_server(calendar_url)) == ["lunch@example.org"]


def test_a_copy_edited_elsewhere_is_overwritten_with_a_higher_sequence(calendar_url: str) -> None:
    publisher(calendar_url).publish(week(), NOW)
    calendar = caldav.DAVClient(url=calendar_url, username="organiser", password="secret").calendar(
        url=calendar_url
    )
    resource = calendar.event_by_uid("clienten.week-van-reflectie@example.org")
    edited = Calendar.from_ical(resource.data)
    [vevent] = edited.walk("VEVENT")
    del vevent["X-PARTICIPATIE-SIGNIFICANT"]
    vevent["SUMMARY"] = "Iemand heeft dit aangepast"
    resource.data = edited.to_ical().decode()
    resource.save()  # another client, which raises SEQUENCE as it saves
    [vevent] = on_server(calendar_url)["clienten.week-van-reflectie@example.org"].walk("VEVENT")
    theirs = int(vevent["SEQUENCE"])
    report = publisher(calendar_url).publish(week(), NOW + timedelta(hours=1))
    assert report.updated == ("clienten.week-van-reflectie@example.org",)
    [vevent] = on_server(calendar_url)["clienten.week-van-reflectie@example.org"].walk("VEVENT")
    assert vevent["SEQUENCE"] == theirs + 1
    assert "Sessie voor cliënten" in str(vevent["SUMMARY"])


def test_the_hook_publishes_every_saved_event(
    calendar_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Installed through the entry point, configured by the environment, run on save."""
    [entry_point] = [e for e in metadata.entry_points(group="participatie") if e.name == "caldav"]
    assert entry_point.load().participatie_event_saved is participatie_event_saved
    monkeypatch.setenv("PARTICIPATIE_CALDAV_URL", calendar_url)
    monkeypatch.setenv("PARTICIPATIE_CALDAV_USERNAME", "organiser")
    monkeypatch.setenv("PARTICIPATIE_CALDAV_PASSWORD", "secret")
    plugins = Plugins(make_plugin_manager(environ={"PARTICIPATIE_LOAD_PLUGINS": "caldav"}))
    assert "caldav" in plugins.plugin_names()
    clock = FixedClock(NOW)
    with Participatie.open(f"sqlite:///{tmp_path}/week.db", clock=clock, plugins=plugins) as app:
        app.save_event(week())
        assert len(on_server(calendar_url)) == 2
        app.register(
            "week-van-reflectie",
            "clienten",
            Person("Noor Voorbeeld", "noor@example.org", "client"),
            consent=Consent("2020-10", NOW),
        )
        app.cancel_session("week-van-reflectie", "clienten")
    # The cancelled session left the server; no personal data ever reached it.
    stored = on_server(calendar_url)
    assert sorted(stored) == ["professionals.week-van-reflectie@example.org"]
    assert b"noor" not in b"".join(c.to_ical() for c in stored.values())


def test_not_configured_means_not_publishing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTICIPATIE_CALDAV_URL", raising=False)
    assert publisher_from_environment() is None
    participatie_event_saved(week())  # does nothing, raises nothing
    configured = publisher_from_environment(
        {
            "PARTICIPATIE_CALDAV_URL": "http://127.0.0.1:9/cal/",
            "PARTICIPATIE_CALDAV_JOIN_LINKS": "1",
        }
    )
    assert configured is not None
    assert configured.options.join_links_in_public_feeds
