"""The canary test: erase one person, then search every byte we keep.

Each personal field of several fictional people carries a marker that occurs
nowhere else. The lifecycle that exists so far runs on a real SQLite file
(registration, waiting list and offers, session assignment, groups, exports,
a subject-access export), with every log record captured. Then one person is
erased, and the database file with its write-ahead log, every exported file
and the captured logs are searched byte for byte: no marker of the erased
person may remain, and every marker of everyone else must still be there.

To extend the lifecycle when a capability arrives (notifications with their
outbox, calendars, input and feedback rounds), add one function per stage to
:data:`LIFECYCLE` that uses the canaries in every personal field it stores,
and add any folder it writes to :attr:`World.kept`. The test then proves
that erasure reaches the new data too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    GUARDIAN,
    PROFESSIONAL,
    AgeCategory,
    Consent,
    Draft,
    EnteredBy,
    FixedClock,
    GroupPlan,
    Notifications,
    Opinion,
    Participatie,
    Person,
    Preference,
    Recipient,
    Section,
    SectionResponse,
    Transition,
    WaitingListPolicy,
    hookimpl,
)
from participatie.plugins import Plugins, make_plugin_manager
from participatie.privacy.files import find_markers
from participatie.privacy.schema import memory_fields, sqlite_fields
from tests.conftest import EVENT_KEY, at, week_event

ORGANISER = "projectgroep@example.org"


@attrs.frozen
class Canary:
    """A fictional person whose every personal field holds a unique marker."""

    label: str
    person: Person

    @property
    def markers(self) -> dict[str, str]:
        """Field name -> the text that must (or must not) be found."""
        return {
            "name": self.person.name,
            "email": self.person.email.split("@", 1)[0],
            "organisation": self.person.organisation or "",
            "phone": self.person.phone or "",
        }


def canary(label: str, audience: str, **extra: object) -> Canary:
    """``label`` is two letters; every marker contains ``kanarie`` and the label."""
    number = sum(ord(c) for c in label)
    return Canary(
        label,
        Person(
            f"Kanarie{label.upper()} Naamveld",
            f"kanarie{label}.adresveld@example.org",
            audience,
            organisation=f"Kanarie{label.upper()} Raadveld",
            phone=f"+31 6 7{number:03d} 9{number:03d}",
            **extra,  # type: ignore[arg-type]
        ),
    )


@attrs.define
class World:
    """Everything one run of the lifecycle made, and where it keeps things."""

    app: Participatie
    clock: FixedClock
    output: Path
    database: Path
    canaries: dict[str, Canary]
    #: Folders and files the lifecycle wrote to; all are searched.
    kept: list[Path] = attrs.Factory(list)

    def consent(self, **extra: object) -> Consent:
        return Consent("2020-10", self.clock.now() - timedelta(minutes=1), **extra)  # type: ignore[arg-type]


# --- the lifecycle, one function per stage ----------------------------------


def stage_registration(world: World) -> None:
    """Clients fill the session (capacity 3) and wait; a minor registers with a guardian."""
    app = world.app
    for label in ("aa", "bb", "cc", "dd", "ee"):
        app.register(EVENT_KEY, "clienten", world.canaries[label].person, consent=world.consent())
    minor = world.canaries["mm"].person
    app.register(EVENT_KEY, "professionals", world.canaries["pp"].person, consent=world.consent())
    app.register(EVENT_KEY, "clienten", minor, consent=world.consent(given_by=GUARDIAN))


def stage_waiting_list(world: World) -> None:
    """A cancellation moves the first person waiting up."""
    world.clock.advance(timedelta(hours=2))
    (registration,) = world.app.registrations_of(world.canaries["bb"].person.email)
    world.app.cancel(registration.id)


def stage_assignment(world: World) -> None:
    """Everyone states preferences; the assignment is stored and some are told."""
    preferences = [
        Preference(world.canaries[label].person, ("clienten",))
        for label in ("aa", "cc", "dd", "ee", "mm")
    ]
    world.app.assign_sessions(EVENT_KEY, preferences, seed=7)
    world.app.mark_assignment_notified(EVENT_KEY, [world.canaries["aa"].person.email])


def stage_groups(world: World) -> None:
    """Groups with a canary facilitator; the groups are marked as told."""
    plan = GroupPlan(facilitators=[world.canaries["ff"].person, world.canaries["gg"].person])
    groups = world.app.form_groups(EVENT_KEY, "clienten", plan=plan, seed=1)
    told = [member.person.email for group in groups for member in group.members]
    world.app.mark_groups_notified(EVENT_KEY, "clienten", told)


def stage_exports(world: World) -> None:
    """Pseudonymous and named group lists, a Zoom file and a subject-access export."""
    app = world.app
    app.export_groups(EVENT_KEY, world.output / "pseudonymous")
    app.export_groups(EVENT_KEY, world.output / "named", names=True, requested_by=ORGANISER)
    app.export_zoom_rooms(
        EVENT_KEY, "clienten", world.output / "zoom" / "clienten.csv", requested_by=ORGANISER
    )
    for label in ("aa", "cc"):
        app.export_subject_access(
            world.canaries[label].person.email,
            world.output / "access" / f"request-{label}.json",
            requested_by=ORGANISER,
        )


def stage_calendar(world: World) -> None:
    """Every client gets a calendar invitation; the stored states are keyed by a digest."""
    world.app.invitations(EVENT_KEY, "clienten")


def stage_messages(world: World) -> None:
    """The registrations above queued confirmations (the outbox holds them whole)."""
    queued = world.app.outbox()
    assert any(record.message.recipient == world.canaries[ERASED].person.email for record in queued)


def stage_feedback(world: World) -> None:
    """Input from a canary, a draft, a round and the canary's response."""
    app, person = world.app, world.canaries[ERASED].person
    app.record_input(
        EVENT_KEY,
        "clienten",
        "Luister naar jongeren.",
        question=1,
        participant=person.email,
        entered_by=EnteredBy.PARTICIPANT,
        may_be_named=True,
    )
    app.save_draft(Draft("reactie", EVENT_KEY, "Reactie"))
    version = app.add_draft_version("reactie", [Section("visie", "Onze visie.")])
    opens = world.clock.now()
    created = app.create_round(
        "reactie",
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        recipients=[Recipient(person.email, person.name)],
    )
    assert created.id is not None
    app.respond(
        created.id,
        person.email,
        sections=[SectionResponse(version.sections[0].key, Opinion.AGREE, "Eens.")],
    )


#: The lifecycle stages, in order. Append a stage per new capability.
LIFECYCLE: list[Callable[[World], None]] = [
    stage_registration,
    stage_waiting_list,
    stage_assignment,
    stage_groups,
    stage_exports,
    stage_calendar,
    stage_messages,
    stage_feedback,
]

#: Who is erased: a client with a place, an assignment entry, a group, rows in
#: the named exports and a subject-access export of their own.
ERASED = "aa"


def canaries() -> dict[str, Canary]:
    return {
        c.label: c
        for c in (
            canary("aa", CLIENT),
            canary("bb", CLIENT),
            canary("cc", EXPERT_BY_EXPERIENCE),
            canary("dd", CLIENT),
            canary("ee", CLIENT),
            canary("mm", CLIENT, age_category=AgeCategory.FROM_12_TO_15),
            canary("pp", PROFESSIONAL),
            canary("ff", "facilitator"),
            canary("gg", "facilitator"),
        )
    }


class LogCapture(logging.Handler):
    """Keeps every record of every logger, formatted with its traceback if any."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    root = logging.getLogger()
    capture = LogCapture()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)


class LeakyPlugin:
    """A plugin that fails with personal data in its message: our logs must not repeat it."""

    @hookimpl
    def participatie_registration_changed(self, transition: Transition) -> None:
        person = transition.registration.person
        raise RuntimeError(f"cannot reach {person.name} at {person.email}")


def run_lifecycle(tmp_path: Path) -> World:
    plugins = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    plugins.register(LeakyPlugin(), name="leaky")
    clock = FixedClock(at(2020, 10, 20, 9, 0))
    database = tmp_path / "store" / "participatie.db"
    app = Participatie.open(
        f"sqlite:///{database}",
        clock=clock,
        plugins=plugins,
        notifications=Notifications(channels=("console",)),
    )
    app.save_event(week_event(capacity=3, policy=WaitingListPolicy.AUTOMATIC))
    world = World(app, clock, tmp_path / "output", database, canaries())
    world.kept += [database.parent, world.output]
    for stage in LIFECYCLE:
        stage(world)
    return world


def all_markers(world: World, labels: list[str]) -> list[str]:
    return [m for label in labels for m in world.canaries[label].markers.values() if m]


def test_erasure_leaves_no_marker_of_the_erased_person(tmp_path: Path, logs: LogCapture) -> None:
    world = run_lifecycle(tmp_path)
    others = [label for label in world.canaries if label != ERASED]
    mine = all_markers(world, [ERASED])

    # Before: the erased person's markers are really there, in the database
    # and in the named exports, so the search below can find them.
    world.app.store.scrub()
    before = find_markers(world.kept, mine)
    for marker, places in before.items():
        assert any("participatie.db" in place for place in places), marker
    assert any("named" in place for place in before[mine[0]])
    assert any("access" in place for place in before[mine[0]])

    report = world.app.erase_person(world.canaries[ERASED].person.email, requested_by=ORGANISER)
    assert report.found
    assert report.complete

    # Searched while the store is still open, as in a long-running service
    # (closing the last SQLite connection would checkpoint by itself).
    log_text = {"captured logs": "\n".join(logs.lines)}
    after = find_markers(world.kept, mine, texts=log_text)
    assert after == {marker: [] for marker in mine}
    # The log did record the leaky plugin's failure, without its message.
    assert any("leaky" in line and "RuntimeError" in line for line in logs.lines)

    # Everyone else is intact: every marker still in the database.
    kept = find_markers([world.database.parent], all_markers(world, others))
    missing = [marker for marker, places in kept.items() if not places]
    assert missing == []
    # ... and no log line holds anyone's personal data.
    everyone = find_markers([], all_markers(world, others), texts=log_text)
    assert all(places == [] for places in everyone.values())
    world.app.close()


def test_the_lifecycle_stores_only_declared_fields(tmp_path: Path) -> None:
    world = run_lifecycle(tmp_path)
    registry = world.app.personal_data_registry()
    assert registry.undeclared(sqlite_fields(world.database)) == []
    assert world.app.check_personal_data() == []
    world.app.close()


def test_the_memory_store_keeps_only_declared_fields(tmp_path: Path) -> None:
    plugins = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    clock = FixedClock(at(2020, 10, 20, 9, 0))
    app = Participatie.open(
        "memory://",
        clock=clock,
        plugins=plugins,
        notifications=Notifications(channels=("console",)),
    )
    app.save_event(week_event())
    world = World(app, clock, tmp_path / "output", tmp_path / "unused.db", canaries())
    for stage in LIFECYCLE:
        stage(world)
    found = memory_fields(app.store)
    assert ("Person", "email") in found
    assert ("PrivacyRecord", "requested_by") in found
    assert app.personal_data_registry().undeclared(found) == []
    # The erased person is gone from everything the memory store holds.
    app.erase_person(world.canaries[ERASED].person.email)
    dump = repr(vars(app.store))
    for marker in all_markers(world, [ERASED]):
        assert marker.lower() not in dump.lower()
    for marker in all_markers(world, ["cc", "mm", "ff"]):
        assert marker in dump
