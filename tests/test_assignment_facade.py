"""The organiser's steps on a real store: assign, apply, group, freeze, explain, export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest

from participatie import (
    AttributeRule,
    ConstraintConflictError,
    Event,
    ExportLimitError,
    FixedClock,
    GroupPlan,
    HelpDesk,
    Participatie,
    Person,
    PluginError,
    Preference,
    Session,
    moved_after_told,
)
from participatie.assignment.export import group_list_csv, safe_cell, zoom_rooms_csv
from participatie.grouping import MOVE_REASONS, Group

NOW = datetime(2030, 3, 1, 9, tzinfo=UTC)
START = datetime(2030, 4, 1, 8, tzinfo=UTC)


def event() -> Event:
    return Event(
        "week",
        "Week",
        "Projectgroep",
        HelpDesk("vraagbaak@example.org"),
        sessions=[
            Session(
                key,
                key.title(),
                START + timedelta(days=n),
                START + timedelta(days=n, hours=2),
                capacity=capacity,
                max_group_size=3,
                consent_required=False,
            )
            for n, (key, capacity) in enumerate([("ochtend", 7), ("middag", 5)])
        ],
    )


def person(n: int) -> Person:
    return Person(
        f"Deelnemer {n}",
        f"d{n}@example.org",
        "client" if n % 3 else "professional",
        organisation=f"Raad {n % 4}",
    )


PREFERENCES = [
    Preference(person(n), ("ochtend", "middag") if n % 2 else ("middag", "ochtend"))
    for n in range(15)
]


@pytest.fixture(params=["memory://", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Participatie:
    url = request.param if request.param == "memory://" else f"sqlite:///{tmp_path}/a.db"
    participatie = Participatie.open(url, clock=FixedClock(NOW))
    participatie.save_event(event())
    return participatie


def test_assign_apply_group_explain_export(app: Participatie, tmp_path: Path) -> None:
    report = app.assign_sessions("week", PREFERENCES, mode="stable", seed=4)
    summary = report.summary
    assert (summary.placed, summary.waitlisted) == (12, 3)
    assert report.other is not None
    assert report.other.mode == "optimal"
    assert report.lines()[0].startswith("stable: 12 placed")
    stored = app.store.get_assignment("week")
    assert stored is not None
    assert len(stored.entries) == 15
    app.apply_assignment("week")
    assert app.places("week", "ochtend").taken == 7
    assert app.places("week", "middag").taken == 5
    assert app.places("week", "ochtend").waiting + app.places("week", "middag").waiting == 3
    plan = GroupPlan(
        rules=[AttributeRule("audience", "spread"), ("organisation", "spread")],
        facilitators=[
            Person(f"Leider {n}", f"leider{n}@example.org", "facilitator") for n in range(3)
        ],
    )
    groups = app.form_groups("week", "ochtend", plan=plan, seed=1)
    assert [len(g.members) for g in groups] == [3, 2, 2]
    assert [g.facilitators[0].email for g in groups] == [f"leider{n}@example.org" for n in range(3)]
    assert app.groups("week", "ochtend") == groups
    someone = groups[0].members[0].person.email
    text = str(app.explain("week", someone))
    assert "Lottery number" in text
    assert "group 1" in text
    written = app.export_groups(
        "week", tmp_path / "out", names=True, requested_by="organiser@example.org"
    )
    assert [p.name for p in written] == ["groups-ochtend.csv"]
    rows = list(csv.reader(io.StringIO(written[0].read_text(encoding="utf-8"))))
    assert rows[0] == ["session", "group", "role", "name", "email", "audience", "organisation"]
    assert len(rows) == 1 + 7 + 3
    zoom = app.export_zoom_rooms(
        "week", "ochtend", tmp_path / "zoom.csv", requested_by="organiser@example.org"
    )
    zoom_rows = list(csv.reader(io.StringIO(zoom.read_text(encoding="utf-8"))))
    assert zoom_rows[0] == ["Pre-assign Room Name", "Email Address"]
    assert {row[0] for row in zoom_rows[1:]} == {"Groep 1", "Groep 2", "Groep 3"}


def test_told_people_are_not_moved(app: Participatie) -> None:
    first = app.assign_sessions("week", PREFERENCES[:10], seed=1)
    told = [e.person.email for e in first.stored.entries if e.session_key is not None]
    app.mark_assignment_notified("week", told)
    # Late registrations with better luck cannot push anyone out.
    late = app.assign_sessions("week", PREFERENCES, seed=99)
    after = {e.person.email: e for e in late.stored.entries}
    before = {e.person.email: e for e in first.stored.entries}
    for email in told:
        assert after[email].session_key == before[email].session_key
        assert after[email].notified
        assert after[email].lottery == before[email].lottery
    app.apply_assignment("week")
    groups = app.form_groups("week", "ochtend", seed=3)
    members = [m.person.email for g in groups for m in g.members]
    app.mark_groups_notified("week", "ochtend", members)
    regrouped = app.form_groups(
        "week", "ochtend", seed=77, plan=GroupPlan(rules=[("organisation", "cluster")])
    )
    assert [[m.id for m in g.members] for g in regrouped] == [
        [m.id for m in g.members] for g in groups
    ]


def test_hard_constraint_conflicts_store_nothing(app: Participatie) -> None:
    app.assign_sessions("week", PREFERENCES, seed=4)
    app.apply_assignment("week")
    members = [r.person.email for r in app.participants("week", "middag")]
    plan = GroupPlan(
        keep_together=[(members[0], members[1])], keep_apart=[(members[1], members[0])]
    )
    with pytest.raises(ConstraintConflictError, match="kept apart"):
        app.form_groups("week", "middag", plan=plan)
    assert app.groups("week", "middag") == []
    with pytest.raises(ConstraintConflictError, match="facilitator"):
        app.form_groups("week", "middag", plan=GroupPlan(facilitators=[person(99)]))
    with pytest.raises(ConstraintConflictError):
        app.form_groups("week", "middag", plan=GroupPlan(sizes=(4, 1)))
    pinned = app.form_groups("week", "middag", plan=GroupPlan(pinned={members[4]: 1}))
    assert members[4] in [m.person.email for m in pinned[0].members]


def test_a_strategy_that_breaks_a_constraint_is_refused(app: Participatie) -> None:
    class Careless:
        def form_groups(self, registrations, max_size, *, seed):  # type: ignore[no-untyped-def]
            return [Group(1, tuple(registrations))]

    from types import SimpleNamespace

    from participatie import Plugins, hookimpl
    from participatie.plugins import make_plugin_manager

    @hookimpl
    def participatie_register_grouping_strategies(register):  # type: ignore[no-untyped-def]
        register("careless", Careless())

    plugins = Plugins(make_plugin_manager(load_entry_points=False))
    plugins.register(
        SimpleNamespace(
            participatie_register_grouping_strategies=participatie_register_grouping_strategies
        ),
        name="careless",
    )
    app = Participatie(app.store, clock=app.clock, plugins=plugins)
    app.assign_sessions("week", PREFERENCES, seed=4)
    app.apply_assignment("week")
    with pytest.raises(PluginError, match="broke a constraint"):
        app.form_groups("week", "ochtend", strategy="careless")


def test_csv_cells_cannot_run_as_formulas() -> None:
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("+31 6") == "'+31 6"
    assert safe_cell("-1") == "'-1"
    assert safe_cell("@SUM") == "'@SUM"
    assert safe_cell("Raad") == "Raad"
    evil = Person("=cmd|' /C calc'!A0", "evil@example.org", "client", organisation="@x")
    from participatie.model import Registration, RegistrationState

    member = Registration(1, "e", "s", evil, RegistrationState.REGISTERED, NOW, NOW)
    text = group_list_csv("S", [Group(1, (member,))], names=True)
    assert "'=cmd" in text
    assert "'@x" in text


def test_zoom_limits_are_checked() -> None:
    from participatie.model import Registration, RegistrationState

    groups = [
        Group(n, (Registration(n, "e", "s", person(n), RegistrationState.REGISTERED, NOW, NOW),))
        for n in range(1, 4)
    ]
    with pytest.raises(ExportLimitError, match="breakout rooms"):
        zoom_rooms_csv(groups, max_rooms=2)
    with pytest.raises(ExportLimitError, match="participants"):
        zoom_rooms_csv(groups, max_participants=2)
    assert zoom_rooms_csv(groups).count("\r\n") == 4


def test_apply_moves_people_registered_elsewhere_atomically(app: Participatie) -> None:
    # Deelnemer 1 registered for the afternoon by hand but ranks the morning
    # first. A held place is kept, unless the organiser allows moves (here
    # free of charge): then applying moves them, in one step.
    app.register("week", "middag", person(1))
    kept = app.assign_sessions("week", PREFERENCES[:4], mode="optimal", seed=4)
    assert {e.person.email: e.session_key for e in kept.stored.entries}["d1@example.org"] == (
        "middag"
    )
    report = app.assign_sessions("week", PREFERENCES[:4], mode="optimal", seed=4, move_penalty=0)
    assert report.moved == ("d1@example.org",)
    assert report.moves == (("d1@example.org", "middag", "ochtend"),)
    placed = {e.person.email: e.session_key for e in report.stored.entries}
    assert placed["d1@example.org"] == "ochtend"
    transitions = app.apply_assignment("week")
    moved = [t for t in transitions if t.reason == "moved"]
    assert [(t.registration.session_key, t.registration.person.email) for t in moved] == [
        ("middag", "d1@example.org")
    ]
    active = [r for r in app.store.registrations_of("d1@example.org") if r.state.is_active]
    assert [(r.session_key, r.state.value) for r in active] == [("ochtend", "registered")]
    # Running it again changes nothing.
    assert app.apply_assignment("week") == ()


def test_a_place_held_already_is_kept_and_never_taken_away(app: Participatie) -> None:
    small = attrs.evolve(event(), sessions=[attrs.evolve(s, capacity=1) for s in event().sessions])
    app.save_event(small)
    prefs = [Preference(person(n), ("middag", "ochtend")) for n in (1, 2, 3)]
    # Seed 5 gives d3 the worst lottery number: without a place d3 would wait.
    app.register("week", "middag", person(3))
    report = app.assign_sessions("week", prefs, seed=5)
    placed = {e.person.email: e.session_key for e in report.stored.entries}
    assert placed == {
        "d1@example.org": "ochtend",
        "d2@example.org": None,
        "d3@example.org": "middag",
    }, "the place d3 holds is theirs"
    app.apply_assignment("week")
    assert [r.person.email for r in app.participants("week", "middag")] == ["d3@example.org"]


def test_apply_refuses_to_take_a_place_away_and_changes_nothing(app: Participatie) -> None:
    small = attrs.evolve(event(), sessions=[attrs.evolve(s, capacity=1) for s in event().sessions])
    app.save_event(small)
    prefs = [Preference(person(n), ("middag", "ochtend")) for n in (1, 2, 3)]
    report = app.assign_sessions("week", prefs, seed=5)
    assert [e.person.email for e in report.stored.entries if e.session_key is None] == [
        "d3@example.org"
    ]
    # d3 takes the afternoon by hand after the assignment was made.
    app.register("week", "middag", person(3))
    before = app.store.list_registrations("week")
    with pytest.raises(ConstraintConflictError, match="take a place away") as caught:
        app.apply_assignment("week")
    assert caught.value.constraints == ("holds-place:d3@example.org (middag)",)
    assert app.store.list_registrations("week") == before


def test_apply_refuses_an_assignment_that_no_longer_fits(app: Participatie) -> None:
    app.assign_sessions("week", PREFERENCES[:12], seed=2)
    for n in range(20, 25):  # the afternoon fills up by hand afterwards
        app.register("week", "middag", person(n))
    before = app.store.list_registrations("week")
    with pytest.raises(ConstraintConflictError, match="no longer fits"):
        app.apply_assignment("week")
    assert app.store.list_registrations("week") == before


def test_the_report_says_who_moved_and_why(app: Participatie) -> None:
    # Five people were told the morning; the morning shrinks to three places.
    told_prefs = [Preference(person(n), ("ochtend", "middag")) for n in range(5)]
    first = app.assign_sessions("week", told_prefs, mode="optimal", seed=3)
    app.mark_assignment_notified("week", [e.person.email for e in first.stored.entries])
    smaller = attrs.evolve(
        event(),
        sessions=[
            attrs.evolve(s, capacity=3) if s.key == "ochtend" else s for s in event().sessions
        ],
    )
    app.save_event(smaller)
    with pytest.raises(ConstraintConflictError, match="already told"):
        app.assign_sessions("week", told_prefs, mode="optimal", seed=3)
    report = app.assign_sessions("week", told_prefs, mode="optimal", seed=3, move_penalty=5)
    assert len(report.moved) == 2
    assert {(was, now) for _email, was, now in report.moves} == {("ochtend", "middag")}
    lines = "\n".join(report.lines())
    assert "2 people told their session were moved (move penalty 5 per move)" in lines
    assert "no longer have room" in lines
    assert "stable: impossible without moving people" in lines
    # Nobody moves when it does not pay.
    calm = app.assign_sessions("week", told_prefs[:3], mode="optimal", seed=3, move_penalty=5)
    assert calm.moved == ()
    assert "nobody told their session was moved" in "\n".join(calm.lines())


def test_moved_after_told_lists_group_moves_with_reasons(app: Participatie) -> None:
    app.assign_sessions("week", PREFERENCES, seed=4)
    app.apply_assignment("week")
    groups = app.form_groups("week", "ochtend", seed=1)
    members = [m.person.email for g in groups for m in g.members]
    app.mark_groups_notified("week", "ochtend", members)
    # Two who must stay together now, in different groups: one moves.
    a, b = groups[0].members[0].person.email, groups[1].members[0].person.email
    with pytest.raises(ConstraintConflictError):
        app.form_groups("week", "ochtend", plan=GroupPlan(keep_together=[(a, b)]))
    regrouped = app.form_groups(
        "week", "ochtend", plan=GroupPlan(keep_together=[(a, b)], move_penalty=3)
    )
    moves = moved_after_told(regrouped)
    assert moves
    assert all(why in MOVE_REASONS.values() for _email, _group, why in moves)
    where = {m.person.email: g.number for g in regrouped for m in g.members}
    assert where[a] == where[b]


def test_a_dry_run_assignment_stores_nothing(app: Participatie) -> None:
    dry = app.assign_sessions("week", PREFERENCES, seed=4, save=False)
    assert app.store.get_assignment("week") is None
    stored = app.assign_sessions("week", PREFERENCES, seed=4)
    # The same input and seed give the same result, stored or not.
    assert dry.stored == stored.stored
    kept = app.store.get_assignment("week")
    assert kept is not None
    assert {e.person.email: e for e in kept.entries} == {
        e.person.email: e for e in dry.stored.entries
    }
