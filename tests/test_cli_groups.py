"""``participatie groups``: sessions by preference, groups, explanations and exports.

Through the real ``cli`` group (Click's runner) on the sample files in
``tests/data``; one test runs the installed command as a process. The
assignment uses ``week.toml`` (three sessions people rank), the groups the
dialogue meeting of ``event.toml`` with the registrations of ``clean.csv``:
four people in the morning session, groups of at most two.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from participatie import Participatie, RegistrationState
from tests.cli_support import Organiser, make_organiser

_S = RegistrationState
MORNING = {
    "noor.voorbeeld@example.org": "client",
    "daan.devries@example.org": "expert-by-experience",
    "sem.bakker@example.org": "client",
    "yara.elamrani@example.org": "expert-by-experience",
}


@pytest.fixture
def organiser(tmp_path: Path) -> Organiser:
    return make_organiser(tmp_path)


@pytest.fixture
def week(organiser: Organiser) -> Organiser:
    saved = organiser.run("-f", "week.toml", "event", "save")
    assert saved.exit_code == 0, saved.output
    return organiser


@pytest.fixture
def registered(organiser: Organiser) -> Organiser:
    assert organiser.run("event", "save").exit_code == 0
    imported = organiser.run("import", "registrations", "clean.csv", "--apply")
    assert imported.exit_code == 0, imported.output
    return organiser


def week_app(organiser: Organiser) -> Participatie:
    return Participatie.open(f"sqlite:///{organiser.directory / 'week.db'}")


def groups_of(organiser: Organiser, session: str = "ochtend") -> list[set[str]]:
    with organiser.app() as app:
        return [{m.person.email for m in g.members} for g in app.groups("dialoog-2021", session)]


# --- sessions by preference ---------------------------------------------------------------


def test_assign_is_a_dry_run_until_apply(week: Organiser) -> None:
    result = week.run("-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--list")
    assert result.exit_code == 0, result.output
    assert "Choice columns: '1e keuze', '2e keuze', '3e keuze'" in result.output
    assert "same person as line 11" in result.output  # Fleur's second submission
    assert "8 placed" in result.output
    assert "1 on the waiting list" in result.output
    assert "Dry run: nothing was stored" in result.output
    with week_app(week) as app:
        assert app.store.get_assignment("week-2021") is None
        assert app.registrations("week-2021") == []


def test_assign_apply_registers_everyone_and_running_it_again_adds_nothing(
    week: Organiser,
) -> None:
    first = week.run("-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--apply")
    assert first.exit_code == 0, first.output
    assert "Assignment stored (stable, lottery seed 0)." in first.output
    with week_app(week) as app:
        stored = app.store.get_assignment("week-2021")
        assert stored is not None
        lottery = {e.person.email: e.lottery for e in stored.entries}
        placed = {
            key: sorted(r.person.email for r in app.participants("week-2021", key))
            for key in ("maandag", "dinsdag", "woensdag")
        }
        waiting = {
            r.person.email: r.session_key
            for r in app.registrations("week-2021")
            if r.state is _S.WAITLISTED
        }
    assert sum(map(len, placed.values())) == 8
    assert all(
        len(placed[key]) <= capacity
        for key, capacity in (("maandag", 3), ("dinsdag", 3), ("woensdag", 2))
    )
    # Whoever waits, waits for their first choice; professionals got their day.
    assert len(waiting) == 1
    assert placed["woensdag"] == ["hanna.brouwer@example.org", "iris.vandijk@example.org"]
    again = week.run(
        "-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--apply", "--seed", "99"
    )
    assert again.exit_code == 0, again.output
    with week_app(week) as app:
        assert len(app.registrations("week-2021")) == 9
        stored = app.store.get_assignment("week-2021")
        assert stored is not None
        # Lottery numbers are kept: a new seed does not redraw them.
        assert {e.person.email: e.lottery for e in stored.entries} == lottery


def test_priority_classes_choose_first(week: Organiser) -> None:
    result = week.run(
        "-f",
        "week.toml",
        "groups",
        "assign",
        "voorkeuren.csv",
        "--priority",
        "client=0",
        "--list",
        "--apply",
    )
    assert result.exit_code == 0, result.output
    with week_app(week) as app:
        stored = app.store.get_assignment("week-2021")
        assert stored is not None
        entries = {e.person.email: e for e in stored.entries}
    clients = [e for e in entries.values() if e.person.audience == "client"]
    others = [e for e in entries.values() if e.person.audience != "client"]
    assert {e.priority for e in clients} == {0}
    assert {e.priority for e in others} == {1}  # not named: after the highest named
    # Every client got a place (they chose first); the one waiting is not a client.
    assert all(e.session_key is not None for e in clients)
    assert [e.person.audience for e in entries.values() if e.session_key is None] != ["client"]


def test_the_optimal_mode_and_its_options(week: Organiser) -> None:
    result = week.run(
        "-f",
        "week.toml",
        "groups",
        "assign",
        "voorkeuren.csv",
        "--mode",
        "optimal",
        "--rank-costs",
        "0,1,5",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("optimal: 8 placed") == 1
    assert "for comparison, stable:" in result.output
    bad = week.run("-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--rank-costs", "a,b")
    assert bad.exit_code == 2
    assert "whole numbers" in bad.stderr
    unknown = week.run(
        "-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--priority", "ouder=0"
    )
    assert unknown.exit_code == 2
    assert "'ouder' is not an audience" in unknown.stderr


#: Every bad row of tests/data/voorkeuren-fout.csv and what is said about it.
REFUSED = {
    2: "invalid e-mail address 'kees.jacobs@example'",
    3: "no name",
    4: "audience 'ouder' not recognised",
    5: "session 'donderdag' not recognised",
    6: "session woensdag is not for audience client",
    7: "no session chosen",
    8: "'Maandagochtend' chosen twice",
}


def test_every_bad_preference_row_is_reported_and_nothing_is_half_done(week: Organiser) -> None:
    result = week.run("-f", "week.toml", "groups", "assign", "voorkeuren-fout.csv", "--apply")
    assert result.exit_code == 1
    rows = {
        int(line.split()[0]): line
        for line in result.output.splitlines()
        if line.strip()[:1].isdigit() and "@" in line
    }
    for number, reason in REFUSED.items():
        assert reason in rows[number], rows.get(number)
    assert 9 not in rows  # Finn's row is fine
    assert "Not assigned: 7 row(s) cannot be used" in result.stderr
    with week_app(week) as app:
        assert app.store.get_assignment("week-2021") is None
        assert app.registrations("week-2021") == []
    skipped = week.run(
        "-f", "week.toml", "groups", "assign", "voorkeuren-fout.csv", "--apply", "--skip-refused"
    )
    assert skipped.exit_code == 1  # still: rows were refused
    with week_app(week) as app:
        assert [r.person.email for r in app.registrations("week-2021")] == [
            "finn.peters@example.org"
        ]


def test_assign_speaks_dutch(week: Organiser) -> None:
    result = week.run("-f", "week.toml", "groups", "assign", "voorkeuren-fout.csv", lang="nl")
    assert "Niet te gebruiken (7):" in result.output
    assert "doelgroep 'ouder' niet herkend" in result.output
    assert "op de wachtlijst" in result.output
    assert "Proef: er is niets opgeslagen." in result.output


def test_choice_columns_can_be_named(week: Organiser) -> None:
    week.write(
        "eigen.csv",
        "Naam,E-mail,Doelgroep,Liefst,Anders\n"
        "Noor Voorbeeld,noor@example.org,client,dinsdag,maandag\n",
    )
    unnamed = week.run("-f", "week.toml", "groups", "assign", "eigen.csv")
    assert unnamed.exit_code == 1
    assert "no columns with ranked choices" in unnamed.stderr
    named = week.run(
        "-f",
        "week.toml",
        "groups",
        "assign",
        "eigen.csv",
        "--choice-column",
        "Liefst",
        "--choice-column",
        "Anders",
        "--list",
    )
    assert named.exit_code == 0, named.output
    assert "Choice columns: 'Liefst', 'Anders'" in named.output
    assert re.search(r"noor@example\.org\s+dinsdag\s+1$", named.output, re.MULTILINE)


# --- groups ---------------------------------------------------------------------------------


def test_form_spreads_an_attribute_and_stores_the_groups(registered: Organiser) -> None:
    result = registered.run("groups", "form", "--session", "ochtend", "--rule", "audience=spread")
    assert result.exit_code == 0, result.output
    assert "ochtend: 2 group(s) of at most 2 (attributes, seed 0)" in result.output
    assert "client 1, expert-by-experience 1" in result.output
    formed = groups_of(registered)
    assert len(formed) == 2
    for members in formed:
        assert sorted(MORNING[email] for email in members) == ["client", "expert-by-experience"]


def test_pairs_and_pins_hold(registered: Organiser) -> None:
    result = registered.run(
        "groups",
        "form",
        "--session",
        "ochtend",
        "--rule",
        "audience=spread",
        "--keep-together",
        "noor.voorbeeld@example.org,sem.bakker@example.org",
        "--pin",
        "daan.devries@example.org=2",
    )
    assert result.exit_code == 0, result.output
    first, second = groups_of(registered)
    assert {"noor.voorbeeld@example.org", "sem.bakker@example.org"} == first
    assert "daan.devries@example.org" in second


def test_a_conflict_is_named_and_nothing_is_stored(registered: Organiser) -> None:
    assert registered.run("groups", "form", "--session", "ochtend").exit_code == 0
    before = groups_of(registered)
    pair = "noor.voorbeeld@example.org,sem.bakker@example.org"
    result = registered.run(
        "groups",
        "form",
        "--session",
        "ochtend",
        "--keep-together",
        pair,
        "--keep-apart",
        pair,
    )
    assert result.exit_code == 1
    assert "Error:" in result.stderr
    assert "noor.voorbeeld@example.org" in result.stderr
    assert groups_of(registered) == before
    dutch = registered.run(
        "groups",
        "form",
        "--session",
        "ochtend",
        "--keep-together",
        pair,
        "--keep-apart",
        pair,
        lang="nl",
    )
    assert dutch.exit_code == 1
    assert dutch.stderr.startswith("Fout:")


def test_facilitators_and_custom_fields(registered: Organiser) -> None:
    result = registered.run(
        "groups",
        "form",
        "--session",
        "ochtend",
        "--facilitators",
        "gespreksleiders.csv",
        "--fields",
        "kenmerken.csv",
        "--rule",
        "regio=spread",
    )
    assert result.exit_code == 0, result.output
    assert "Leider Anna" in result.output
    assert "Noord 1, Zuid 1" in result.output
    region = {
        "noor.voorbeeld@example.org": "Noord",
        "daan.devries@example.org": "Noord",
        "sem.bakker@example.org": "Zuid",
        "yara.elamrani@example.org": "Zuid",
    }
    with registered.app() as app:
        formed = app.groups("dialoog-2021", "ochtend")
    assert [g.facilitators[0].name for g in formed] == ["Leider Anna", "Leider Bas"]
    for g in formed:
        assert sorted(region[m.person.email] for m in g.members) == ["Noord", "Zuid"]
    too_few = registered.run(
        "groups",
        "form",
        "--session",
        "ochtend",
        "--facilitator",
        "Leider Anna <anna@example.org>",
    )
    assert too_few.exit_code == 1
    assert "2 groups need a facilitator each, but 1 are given" in too_few.stderr


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (("--rule", "kleur=spread"), 1, "unknown attribute 'kleur'"),
        (("--rule", "audience=mix"), 2, "a rule is spread, cluster or together"),
        (("--pin", "iris.vandijk@example.org=1"), 2, "who has no place"),
        (("--pin", "noor.voorbeeld@example.org=nul"), 2, "a group number is 1 or more"),
        (("--keep-apart", "noor.voorbeeld@example.org"), 2, "two different e-mail addresses"),
        (("--strategy", "kleurtjes"), 2, "unknown strategy 'kleurtjes'"),
        (("--facilitator", "Zonder adres"), 2, "Name <e-mail address>"),
    ],
)
def test_form_explains_what_is_wrong(
    registered: Organiser, arguments: tuple[str, ...], code: int, message: str
) -> None:
    result = registered.run("groups", "form", "--session", "ochtend", *arguments)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert groups_of(registered) == []


def test_options_for_one_session_need_one_session(registered: Organiser) -> None:
    result = registered.run("groups", "form", "--sizes", "2,2")
    assert result.exit_code == 2
    assert "--sizes needs exactly one session" in result.stderr


def test_form_every_session_and_dry_run(registered: Organiser) -> None:
    dry = registered.run("groups", "form", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "ochtend: 2 group(s)" in dry.output
    assert "middag: 1 group(s)" in dry.output
    assert "Dry run: nothing was stored." in dry.output
    assert groups_of(registered) == []
    stored = registered.run("groups", "form")
    assert stored.exit_code == 0
    assert len(groups_of(registered, "middag")) == 1


def test_told_people_keep_their_group(registered: Organiser) -> None:
    assert registered.run("groups", "form", "--session", "ochtend", "--seed", "1").exit_code == 0
    before = groups_of(registered)
    frozen = registered.run("groups", "freeze", "--session", "ochtend")
    assert frozen.exit_code == 0
    assert "4 person(s) frozen" in frozen.output
    for seed in ("2", "3", "4"):
        again = registered.run(
            "groups", "form", "--session", "ochtend", "--seed", seed, "--rule", "audience=together"
        )
        assert again.exit_code == 0, again.output
        assert groups_of(registered) == before
    shown = registered.run("groups", "show", "--session", "ochtend")
    assert shown.output.count(" yes") == 4
    explained = registered.run("groups", "explain", "noor.voorbeeld@example.org")
    assert "already told this group, so kept in it" in explained.output


def test_freeze_needs_a_choice(registered: Organiser) -> None:
    result = registered.run("groups", "freeze")
    assert result.exit_code == 2
    assert "--session KEY" in result.stderr


def test_show_export_and_zoom_are_safe_for_spreadsheets(registered: Organiser) -> None:
    attack = '=HYPERLINK("https://example.org","klik")'
    register = registered.run(
        "register",
        "--session",
        "middag",
        "--name",
        attack,
        "--email",
        "aanval@example.org",
        "--audience",
        "professional",
        "--consent",
    )
    # middag is full (2 places, no waiting list): replace Bram by the attacker.
    assert register.exit_code == 1
    assert registered.run("cancel", "bram.willems@example.org").exit_code == 0
    assert (
        registered.run(
            "register",
            "--session",
            "middag",
            "--name",
            attack,
            "--email",
            "aanval@example.org",
            "--audience",
            "professional",
            "--consent",
        ).exit_code
        == 0
    )
    assert registered.run("groups", "form").exit_code == 0
    shown = registered.run("groups", "show", "--format", "csv")
    rows = list(csv.reader(io.StringIO(shown.stdout)))
    assert rows[0][:3] == ["session", "group", "role"]
    names = [row[4] for row in rows[1:]]
    assert "'" + attack in names
    assert attack not in names
    exported = registered.run("groups", "export", "lijsten", "--names")
    assert exported.exit_code == 0, exported.output
    text = (registered.directory / "lijsten" / "groups-middag.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    invitations = registered.run("calendar", "invitations", "agenda", "--session", "middag")
    assert invitations.exit_code == 0, invitations.output
    index = (registered.directory / "agenda" / "index.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in index
    assert ",=HYPERLINK" not in index
    zoom = registered.run("groups", "zoom", "--session", "ochtend", "zoom.csv")
    assert zoom.exit_code == 0, zoom.output
    rooms = list(csv.reader(io.StringIO((registered.directory / "zoom.csv").read_text("utf-8"))))
    assert rooms[0] == ["Pre-assign Room Name", "Email Address"]
    assert sorted(email for _room, email in rooms[1:]) == sorted(MORNING)
    assert {room for room, _email in rooms[1:]} == {"Groep 1", "Groep 2"}


def test_zoom_limits_are_a_clear_error(registered: Organiser) -> None:
    assert registered.run("groups", "form", "--session", "ochtend").exit_code == 0
    result = registered.run(
        "groups", "zoom", "--session", "ochtend", "zoom.csv", "--max-rooms", "1"
    )
    assert result.exit_code == 1
    assert "2 groups, but a Zoom meeting can pre-assign at most 1 breakout rooms" in result.stderr
    assert not (registered.directory / "zoom.csv").exists()
    people = registered.run(
        "groups", "zoom", "--session", "ochtend", "zoom.csv", "--max-participants", "3"
    )
    assert people.exit_code == 1
    assert "4 people" in people.stderr
    no_groups = registered.run("groups", "zoom", "--session", "middag", "zoom.csv")
    assert no_groups.exit_code == 1
    assert "no groups yet" in no_groups.stderr
    assert registered.run("groups", "export", "leeg", "--lang", "en").exit_code == 0
    unknown = registered.run("groups", "zoom", "--session", "avond", "zoom.csv")
    assert unknown.exit_code == 3


def test_export_without_groups_says_so(registered: Organiser) -> None:
    result = registered.run("groups", "export", "lijsten")
    assert result.exit_code == 1
    assert "No groups are stored yet." in result.stderr


def test_the_groups_commands_run_as_a_process(registered: Organiser) -> None:
    formed = registered.process("groups", "form", "--session", "ochtend", lang="nl")
    assert formed.returncode == 0, formed.stderr
    assert "ochtend: 2 groep(en) van hoogstens 2" in formed.stdout
    shown = registered.process("groups", "show", "--session", "ochtend")
    assert shown.returncode == 0, shown.stderr
    assert all(email in shown.stdout for email in MORNING)
    assert shown.stderr == ""


def test_people_told_their_session_are_not_moved(week: Organiser) -> None:
    assert (
        week.run("-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--apply").exit_code == 0
    )
    with week_app(week) as app:
        stored = app.store.get_assignment("week-2021")
        assert stored is not None
        before = {e.person.email: e.session_key for e in stored.entries}
    frozen = week.run("-f", "week.toml", "groups", "freeze", "--assignment")
    assert "8 person(s) frozen" in frozen.output
    # Newcomers with the best luck arrive: they cannot push anyone out.
    rows = (week.directory / "voorkeuren.csv").read_text(encoding="utf-8").rstrip("\n")
    late = [
        f"6-5-2021 12:0{n};Laat {n};laat{n}@example.org;Cliënt;;Maandag 7 juni, ochtend;;"
        for n in range(3)
    ]
    week.write("voorkeuren-laat.csv", rows + "\n" + "\n".join(late) + "\n")
    for seed in ("1", "2"):
        again = week.run(
            "-f", "week.toml", "groups", "assign", "voorkeuren-laat.csv", "--seed", seed, "--apply"
        )
        assert again.exit_code == 0, again.output
        with week_app(week) as app:
            stored = app.store.get_assignment("week-2021")
            assert stored is not None
            after = {e.person.email: e.session_key for e in stored.entries}
        assert all(after[email] == session for email, session in before.items() if session)
        assert {after[f"laat{n}@example.org"] for n in range(3)} == {None}
    explained = week.run("-f", "week.toml", "groups", "explain", "sem.bakker@example.org")
    assert "You were told your session" in explained.output
    assert "Lottery number" in explained.output


def test_show_lists_facilitators_and_who_was_told(registered: Organiser) -> None:
    assert (
        registered.run(
            "groups", "form", "--session", "ochtend", "--facilitators", "gespreksleiders.csv"
        ).exit_code
        == 0
    )
    assert (
        registered.run(
            "groups", "freeze", "--session", "ochtend", "noor.voorbeeld@example.org"
        ).exit_code
        == 0
    )
    shown = registered.run("groups", "show", lang="nl")
    assert "ochtend: Dialoog voor cliëntenraden" in shown.output
    lines = [" ".join(line.split()) for line in shown.output.splitlines()]
    assert any(
        line.startswith("1 gespreksleider - Leider Anna anna.leider@example.org") for line in lines
    )
    told = [line for line in lines if line.endswith(" ja")]
    assert len(told) == 1
    assert "noor.voorbeeld@example.org" in told[0]
    nothing = registered.run("groups", "show", "--session", "middag")
    assert "middag: no groups yet" in nothing.output


def test_the_event_files_registration_columns_do_not_get_in_the_way(week: Organiser) -> None:
    path = week.directory / "week.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[import.columns]\nemail = "E-mailadres"\nsession = "Welke sessie?"\n',
        encoding="utf-8",
    )
    result = week.run("-f", "week.toml", "groups", "assign", "voorkeuren.csv")
    assert result.exit_code == 0, result.output
    assert "8 placed" in result.output
    named = week.run(
        "-f", "week.toml", "groups", "assign", "voorkeuren.csv", "--column", "email=Mail"
    )
    assert named.exit_code == 1
    assert "the column 'Mail' (for email) is not in the file" in named.stderr


def test_group_lists_are_pseudonymous_unless_names_are_asked_for(registered: Organiser) -> None:
    assert registered.run("groups", "form", "--session", "ochtend").exit_code == 0
    plain = registered.run("groups", "export", "anoniem")
    assert plain.exit_code == 0, plain.output
    text = (registered.directory / "anoniem" / "groups-ochtend.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "session,group,role,participant,audience"
    assert not any(email in text for email in MORNING)
    assert "Noor" not in text
    registered.env["PARTICIPATIE_REQUESTED_BY"] = None
    refused = registered.run("groups", "export", "namen", "--names")
    assert refused.exit_code == 2
    assert "--requested-by" in refused.stderr
    assert not (registered.directory / "namen").exists()
    zoom = registered.run("groups", "zoom", "--session", "ochtend", "zoom.csv")
    assert zoom.exit_code == 2
    assert not (registered.directory / "zoom.csv").exists()
    named = registered.run(
        "groups", "export", "namen", "--names", "--requested-by", "Projectgroep@Example.org"
    )
    assert named.exit_code == 0, named.output
    text = (registered.directory / "namen" / "groups-ochtend.csv").read_text(encoding="utf-8")
    assert all(email in text for email in MORNING)
    with registered.app() as app:
        log = [(r.action, r.subject, r.requested_by, r.count) for r in app.privacy_log()]
    assert log == [("names-exported", "groups-csv", "projectgroep@example.org", 4)]
