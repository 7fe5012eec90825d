"""The organiser's command line, through its real entry points.

Most tests use Click's runner on the real ``cli`` group (same process, fast);
a few run the installed ``participatie`` console script and ``python -m
participatie`` as processes. Every test works on copies of ``tests/data``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import click
import pytest

from participatie import RegistrationState, __version__
from participatie.cli import COMMAND_MODULES, cli
from participatie.cli._context import ExitCode
from participatie.cli._help_nl import HELP_NL
from participatie.cli._output import TEXTS, detect_language
from tests.cli_support import DATA, Organiser, make_organiser

_S = RegistrationState


@pytest.fixture
def organiser(tmp_path: Path) -> Organiser:
    return make_organiser(tmp_path)


@pytest.fixture
def saved(organiser: Organiser) -> Organiser:
    result = organiser.run("event", "save")
    assert result.exit_code == 0, result.output
    return organiser


def all_commands(
    group: click.Group = cli, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
    return found


# --- the framework ------------------------------------------------------------------


def test_the_command_modules_register_the_commands() -> None:
    names = {" ".join(path) for path, _command in all_commands()}
    assert {
        "init",
        "check",
        "event save",
        "event show",
        "event list",
        "import registrations",
        "register",
        "cancel",
        "accept",
        "decline",
        "attendance",
        "waiting-list",
        "places",
        "registrations",
        "expire-offers",
        "history",
        "groups assign",
        "groups form",
        "groups show",
        "groups explain",
        "groups freeze",
        "groups export",
        "groups zoom",
        "calendar invitation",
        "calendar invitations",
        "calendar feed",
        "calendar cancel",
        "calendar import",
        "input add",
        "input import",
        "input list",
        "feedback draft",
        "feedback drafts",
        "feedback open",
        "feedback rounds",
        "feedback respond",
        "feedback close",
        "feedback comments",
        "feedback dispose",
        "feedback conclude",
        "feedback due",
        "report",
    } <= names
    # One module per group of commands, each registered by its name.
    assert [name.rsplit(".", 1)[1] for name in COMMAND_MODULES] == [
        "eventfile",
        "importing",
        "registrations",
        "groups",
        "calendars",
        "inputs",
        "feedback",
        "reports",
        "dispatch",
        "privacy",
    ]


@pytest.mark.parametrize("path", [path for path, _command in all_commands()], ids=" ".join)
def test_every_command_has_help(organiser: Organiser, path: tuple[str, ...]) -> None:
    result = organiser.run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: participatie {' '.join(path)}" in result.output
    command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help
    assert command.help.split("\n")[0][:40] in " ".join(result.output.split())
    assert "--lang" in result.output


def help_key(path: tuple[str, ...]) -> str:
    return " ".join(path) or "participatie"


@pytest.mark.parametrize("path", [(), *(path for path, _command in all_commands())], ids=" ".join)
def test_every_command_and_option_has_dutch_help(
    organiser: Organiser, path: tuple[str, ...]
) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    key = help_key(path)
    assert key in HELP_NL, f"no Dutch help for {key!r} in participatie/cli/_help_nl.py"
    context = click.Context(command)
    for param in command.get_params(context):
        if isinstance(param, click.Option):
            option = max(param.opts, key=len)
            assert f"{key} {option}" in HELP_NL or f"* {option}" in HELP_NL, (key, option)
    dutch = organiser.run(*path, "--help", lang="nl")
    assert dutch.exit_code == 0
    assert dutch.output.startswith("Gebruik: ")
    assert HELP_NL[key].split("\n")[0][:40] in " ".join(dutch.output.split())
    assert "Opties:" in dutch.output
    english = organiser.run(*path, "--lang", "en", "--help", lang="nl") if path else None
    if english is not None:
        assert english.output.startswith("Usage: ")


def test_help_follows_lang_wherever_it_is_given(organiser: Organiser) -> None:
    assert organiser.run("--lang", "en", "places", "--help", lang="nl").output.startswith("Usage")
    assert organiser.run("places", "--lang", "en", "--help", lang="nl").output.startswith("Usage")
    assert organiser.run("--lang", "nl", "--help", lang="en").output.startswith("Gebruik")
    assert "Afsluitcodes: 0 klaar" in organiser.run("--help", lang="nl").output
    assert "Opdrachten:" in organiser.run("event", "--help", lang="nl").output


def test_texts_exist_in_both_languages() -> None:
    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    for key in TEXTS["nl"]:
        fields_nl = set(re.findall(r"{(\w+)}", TEXTS["nl"][key]))
        fields_en = set(re.findall(r"{(\w+)}", TEXTS["en"][key]))
        assert fields_nl == fields_en, key


def test_the_console_script_and_python_m_run(organiser: Organiser) -> None:
    script = organiser.process("--version")
    assert script.returncode == 0, script.stderr
    assert __version__ in script.stdout
    module = organiser.process("--help", command=[sys.executable, "-m", "participatie"])
    assert module.returncode == 0, module.stderr
    assert "import" in module.stdout
    assert "Exit codes" in module.stdout


def test_a_usage_error_exits_with_2(organiser: Organiser) -> None:
    result = organiser.run("places", "--no-such-option")
    assert result.exit_code == ExitCode.USAGE == 2
    assert "No such option" in result.stderr
    process = organiser.process("cancel")
    assert process.returncode == 2
    assert "Missing argument" in process.stderr


# --- languages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "nl"),
        ({"LANG": "C.UTF-8"}, "nl"),
        ({"LANG": "nl_NL.UTF-8"}, "nl"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LC_ALL": "nl_BE.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ({"PARTICIPATIE_LANG": "en", "LANG": "nl_NL.UTF-8"}, "en"),
        ({"PARTICIPATIE_LANG": "fr", "LANG": "nl_NL"}, "nl"),
    ],
)
def test_the_output_language_follows_the_environment(
    environ: dict[str, str], expected: str
) -> None:
    assert detect_language(environ) == expected


def test_lang_works_before_and_after_the_command(saved: Organiser) -> None:
    dutch = saved.run("places", lang="nl")
    assert "plaatsen" in dutch.output
    english_after = saved.run("places", "--lang", "en", lang="nl")
    assert "places" in english_after.output
    assert "plaatsen" not in english_after.output
    english_before = saved.run("--lang", "en", "places", lang="nl")
    assert "places" in english_before.output


def test_refusals_are_explained_in_the_chosen_language(saved: Organiser) -> None:
    arguments = ("register", "--session", "middag", "--name", "Noor Voorbeeld")
    arguments += ("--email", "noor@example.org", "--audience", "client", "--consent")
    dutch = saved.run(*arguments, lang="nl")
    assert dutch.exit_code == 1
    assert "Geweigerd (niet voor deze doelgroep)" in dutch.stderr
    english = saved.run(*arguments, lang="en")
    assert "Refused (not eligible)" in english.stderr


# --- init and check ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "marker"), [("nl", "Beschrijving"), ("en", "Description")])
def test_init_writes_a_file_that_check_accepts(
    organiser: Organiser, lang: str, marker: str
) -> None:
    written = organiser.run("--now", "2026-03-02 09:00", "init", "nieuw.toml", lang=lang)
    text = (organiser.directory / "nieuw.toml").read_text(encoding="utf-8")
    assert written.exit_code == 0, written.output
    assert marker in text
    assert "$" not in text  # every placeholder was filled in
    checked = organiser.run("-f", "nieuw.toml", "check", lang=lang)
    assert checked.exit_code == 0, checked.output
    # The session is a few weeks after "now" and its deadline a week before it.
    assert "2026-04-16 10:00" in checked.output
    assert "2026-04-09 24:00" in checked.output
    stored = organiser.run("-f", "nieuw.toml", "event", "save", lang=lang)
    assert stored.exit_code == 0, stored.output
    assert (organiser.directory / "participatie.db").is_file()


def test_init_follows_the_language_and_the_clock(organiser: Organiser) -> None:
    organiser.run("init", "today.toml", "--key", "proef", lang="en")
    text = (organiser.directory / "today.toml").read_text(encoding="utf-8")
    assert 'key = "proef"' in text
    # --now is the test's 2021-05-10; six weeks on, the first Thursday is 24 June.
    assert "Thursday 24 June 2021 10:00" in text
    assert "Monday 10 May 2021" in text


def test_init_does_not_overwrite_without_force(organiser: Organiser) -> None:
    before = (organiser.directory / "participatie.toml").read_text(encoding="utf-8")
    refused = organiser.run("init")
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert (organiser.directory / "participatie.toml").read_text(encoding="utf-8") == before
    forced = organiser.run("init", "--force")
    assert forced.exit_code == 0
    assert (organiser.directory / "participatie.toml").read_text(encoding="utf-8") != before


#: Every problem planted in tests/data/broken.toml: its line and what it is about.
BROKEN = {
    1: "format 2",
    3: "'Week Van Reflectie'",
    4: "event.title",
    6: "Europe/Amsterdan",
    7: "central_questions[2]",
    8: "event.colour",
    10: "vraagbaak@",
    15: "used twice (first on line 12)",
    20: "donderdag",
    21: "needs a time",
    22: "more than zero",
    23: "whole number",
    24: "'professional'",
    25: "'soms'",
    26: "capacty (capacity?)",
    27: "ends",
    28: "used twice (first on line 18)",
    37: "ftp://",
    39: "'participatie.db'",
    41: "'postduif'",
    43: "{naam}",
    44: "{name.__class__}",
    45: "'de'",
    48: "emial (email?)",
    50: "'nacht'",
}


def test_check_reports_every_problem_with_its_line(organiser: Organiser) -> None:
    result = organiser.run("check", "broken.toml")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("broken.toml:")]
    reported = {int(line.split(":")[1]): line for line in lines}
    assert set(reported) == set(BROKEN)
    for number, fragment in BROKEN.items():
        assert fragment in reported[number], reported[number]
    assert f"{len(lines)} problem(s) found in broken.toml" in result.stdout


def test_check_speaks_dutch_too(organiser: Organiser) -> None:
    result = organiser.run("check", "broken.toml", lang="nl")
    assert result.exit_code == 1
    assert "broken.toml:4: event.title mag niet leeg zijn" in result.stdout
    assert "broken.toml:26: onbekende sleutel sessions[1].capacty (capacity?)" in result.stdout
    assert "probleem/problemen gevonden" in result.stdout


def test_check_names_the_line_of_a_syntax_error(organiser: Organiser) -> None:
    organiser.write("syntax.toml", '[event]\nkey = "a"\ntitle = "no end\n')
    result = organiser.run("check", "syntax.toml")
    assert result.exit_code == 1
    assert result.stdout.startswith("syntax.toml:3: this is not valid TOML")


def test_check_without_a_file_is_a_usage_error(tmp_path: Path) -> None:
    organiser = Organiser(tmp_path, {"PARTICIPATIE_FILE": None, "PARTICIPATIE_NOW": None})
    result = organiser.run("check")
    assert result.exit_code == 2
    assert "participatie init" in result.stderr


def test_commands_refuse_an_event_file_with_problems(organiser: Organiser) -> None:
    result = organiser.run("-f", "broken.toml", "places")
    assert result.exit_code == 1
    assert "broken.toml:22:" in result.stderr
    assert "fix broken.toml" in result.stderr


# --- the event ------------------------------------------------------------------------------


def test_event_save_show_and_list(organiser: Organiser) -> None:
    empty = organiser.run("event", "list")
    assert "No events are stored" in empty.output
    saved = organiser.run("event", "save")
    assert saved.exit_code == 0, saved.output
    assert "Saved: event dialoog-2021 with 2 session(s)" in saved.output
    assert str(organiser.directory / "event.db") in saved.output
    shown = organiser.run("event", "show")
    assert "Dialoogbijeenkomst toekomstscenario" in shown.output
    assert "2. Wat is er nodig om dit te realiseren?" in shown.output
    assert "2021-05-14 24:00" in shown.output  # "until Friday 14 May" means to the end of it
    assert "no waiting list" in shown.output
    listed = organiser.run("event", "list")
    assert "dialoog-2021" in listed.output
    with organiser.app() as app:
        assert [session.key for session in app.event("dialoog-2021").sessions] == [
            "ochtend",
            "middag",
        ]


def test_saving_a_larger_capacity_moves_people_up(saved: Organiser) -> None:
    for number in range(6):
        saved.run(
            "register",
            "--session",
            "ochtend",
            "--name",
            f"Deelnemer {number}",
            "--email",
            f"deelnemer{number}@example.org",
            "--audience",
            "client",
            "--consent",
        )
    path = saved.directory / "participatie.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("capacity = 4", "capacity = 5"), encoding="utf-8"
    )
    result = saved.run("event", "save")
    assert "Because of the new description:" in result.output
    assert "Deelnemer 4 <deelnemer4@example.org> (ochtend): registered" in result.output
    assert "Deelnemer 5" not in result.output


def test_several_events_need_a_choice(saved: Organiser) -> None:
    other = (DATA / "event.toml").read_text(encoding="utf-8").replace("dialoog-2021", "tweede")
    saved.write("tweede.toml", other.replace("sqlite:///event.db", "sqlite:///event.db"))
    assert saved.run("-f", "tweede.toml", "event", "save").exit_code == 0
    (saved.directory / "participatie.toml").unlink()
    ambiguous = saved.run("--store", "sqlite:///event.db", "places")
    assert ambiguous.exit_code == 2
    assert "dialoog-2021, tweede" in ambiguous.stderr
    chosen = saved.run("--store", "sqlite:///event.db", "places", "--event", "tweede")
    assert chosen.exit_code == 0


# --- registrations, one person at a time -------------------------------------------------------


def register(organiser: Organiser, number: int, session: str = "ochtend", *extra: str) -> str:
    result = organiser.run(
        "register",
        "--session",
        session,
        "--name",
        f"Deelnemer {number}",
        "--email",
        f"deelnemer{number}@example.org",
        "--audience",
        "professional" if session == "middag" else "client",
        "--consent",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_register_cancel_and_the_waiting_list(saved: Organiser) -> None:
    outputs = [register(saved, number) for number in range(1, 7)]
    assert outputs[0].startswith("#1 Deelnemer 1 <deelnemer1@example.org> (ochtend): registered")
    assert "(ochtend): waiting list" in outputs[4]
    places = saved.run("places")
    assert re.search(r"ochtend\s+4\s+4\s+0\s+2\s+0", places.output), places.output
    waiting = saved.run("waiting-list", "--session", "ochtend")
    assert re.search(r"1\s+#5\s+Deelnemer 5", waiting.output)
    assert re.search(r"2\s+#6\s+Deelnemer 6", waiting.output)
    cancelled = saved.run("cancel", "deelnemer2@example.org")
    assert cancelled.exit_code == 0, cancelled.output
    assert "#2 Deelnemer 2 <deelnemer2@example.org> (ochtend): cancelled" in cancelled.output
    assert "#5 Deelnemer 5 <deelnemer5@example.org> (ochtend): registered" in cancelled.output
    with saved.app() as app:
        assert app.registration(5).state is _S.REGISTERED
        assert [r.id for r in app.waiting_list("dialoog-2021", "ochtend")] == [6]


def test_a_second_registration_and_a_full_session_are_refused(saved: Organiser) -> None:
    register(saved, 1)
    again = saved.run(
        "register",
        "--session",
        "ochtend",
        "--name",
        "Deelnemer 1",
        "--email",
        " DEELNEMER1@example.org",
        "--audience",
        "client",
        "--consent",
    )
    assert again.exit_code == 1
    assert "already registered" in again.stderr
    register(saved, 2, "middag")
    register(saved, 3, "middag")
    full = saved.run(
        "register",
        "--session",
        "middag",
        "--name",
        "Deelnemer 4",
        "--email",
        "deelnemer4@example.org",
        "--audience",
        "professional",
        "--consent",
    )
    assert full.exit_code == 1
    assert "Refused (session full)" in full.stderr


def test_register_needs_consent_and_an_audience(saved: Organiser) -> None:
    base = ("register", "--session", "ochtend", "--name", "Vera", "--email", "vera@example.org")
    no_consent = saved.run(*base, "--audience", "client")
    assert no_consent.exit_code == 1
    assert "no consent" in no_consent.stderr
    no_audience = saved.run(*base, "--consent")
    assert no_audience.exit_code == 2
    assert "client, expert-by-experience, professional" in no_audience.stderr
    with saved.app() as app:
        assert app.registrations("dialoog-2021") == []


def test_after_the_deadline_only_the_organiser_may_cancel(saved: Organiser) -> None:
    register(saved, 1)
    late = ("--now", "2021-05-21 10:30")  # the session has started
    refused = saved.run(*late, "cancel", "1")
    assert refused.exit_code == 1
    assert "vraagbaak@example.org" in refused.stderr
    allowed = saved.run(*late, "cancel", "1", "--by-organiser")
    assert allowed.exit_code == 0, allowed.output


def offers_event(organiser: Organiser) -> None:
    path = organiser.directory / "participatie.toml"
    text = path.read_text(encoding="utf-8").replace(
        'waiting_list = "none"', 'waiting_list = "offer"\noffer_period_hours = 24'
    )
    path.write_text(text, encoding="utf-8")
    assert organiser.run("event", "save").exit_code == 0


def test_offers_accept_decline_and_expire(organiser: Organiser) -> None:
    offers_event(organiser)
    for number in range(1, 6):
        register(organiser, number, "middag")
    cancelled = organiser.run("cancel", "deelnemer1@example.org")
    assert "#3 Deelnemer 3 <deelnemer3@example.org> (middag): place offered" in cancelled.output
    assert "offer open until 2021-05-11 12:00" in cancelled.output
    accepted = organiser.run("accept", "deelnemer3@example.org")
    assert accepted.exit_code == 0
    assert "(middag): registered" in accepted.output
    organiser.run("cancel", "2")
    declined = organiser.run("decline", "deelnemer4@example.org")
    assert "(middag): offer declined" in declined.output
    assert "#5 Deelnemer 5 <deelnemer5@example.org> (middag): place offered" in declined.output
    waiting = organiser.run("waiting-list", "--session", "middag")
    assert "a place is offered to" in waiting.output
    assert "2021-05-11 12:00" in waiting.output
    nothing = organiser.run("expire-offers")
    assert "No offers expired." in nothing.output
    expired = organiser.run("--now", "2021-05-12 09:00", "expire-offers")
    assert "#5 Deelnemer 5" in expired.output
    assert "offer expired" in expired.output
    too_late = organiser.run("--now", "2021-05-12 09:00", "accept", "5")
    assert too_late.exit_code in {1, 3}
    with organiser.app() as app:
        assert app.registration(5).state is _S.EXPIRED


def test_accepting_a_lapsed_offer_is_refused(organiser: Organiser) -> None:
    offers_event(organiser)
    for number in range(1, 4):
        register(organiser, number, "middag")
    organiser.run("cancel", "1")
    late = organiser.run("--now", "2021-05-11 12:00", "accept", "deelnemer3@example.org")
    assert late.exit_code == 1
    assert "Refused" in late.stderr
    assert "lapsed" in late.stderr


def test_attendance_and_history(saved: Organiser) -> None:
    register(saved, 1)
    register(saved, 2)
    after = ("--now", "2021-05-21 12:00")
    present = saved.run(*after, "attendance", "1")
    assert "(ochtend): attended" in present.output
    absent = saved.run(*after, "attendance", "deelnemer2@example.org", "--absent")
    assert "(ochtend): no-show" in absent.output
    history = saved.run("history", "deelnemer2@example.org")
    assert history.exit_code == 0
    assert re.search(r"2021-05-10 12:00\s+-\s+registered\s+registered", history.output)
    assert re.search(r"2021-05-21 12:00\s+registered\s+no-show\s+did not come", history.output)


def test_naming_a_registration(saved: Organiser) -> None:
    register(saved, 1)
    missing = saved.run("history", "999")
    assert missing.exit_code == ExitCode.NOT_FOUND == 3
    unknown = saved.run("cancel", "nobody@example.org")
    assert unknown.exit_code == 3
    # The same person in two sessions: the address alone does not say which.
    saved.run(
        "register",
        "--session",
        "middag",
        "--name",
        "Deelnemer 1",
        "--email",
        "deelnemer1@example.org",
        "--audience",
        "professional",
        "--consent",
    )
    ambiguous = saved.run("history", "deelnemer1@example.org")
    assert ambiguous.exit_code == 2
    assert "#1 (ochtend, registered), #2 (middag, registered)" in ambiguous.stderr
    chosen = saved.run("history", "deelnemer1@example.org", "--session", "middag")
    assert chosen.exit_code == 0
    assert chosen.output.startswith("#2 Deelnemer 1")
    by_number = saved.run("cancel", "2")
    assert "#2 Deelnemer 1 <deelnemer1@example.org> (middag): cancelled" in by_number.output


def test_registrations_as_table_csv_and_json(saved: Organiser) -> None:
    register(saved, 1)
    saved.run(
        "register",
        "--session",
        "ochtend",
        "--name",
        "=HYPERLINK(evil)",
        "--email",
        "formula@example.org",
        "--audience",
        "client",
        "--organisation",
        "@Cliëntenraad",
        "--consent",
    )
    listed = saved.run("registrations")
    assert "2 registration(s)" in listed.output
    assert "Deelnemer 1" in listed.output
    as_csv = saved.run("registrations", "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0][:4] == ["id", "session", "name", "e-mail"]
    assert rows[2][2] == "'=HYPERLINK(evil)"  # never a formula in a spreadsheet
    assert rows[2][4] == "'@Cliëntenraad"
    as_json = json.loads(saved.run("registrations", "--format", "json").stdout)
    assert [entry["email"] for entry in as_json] == [
        "deelnemer1@example.org",
        "formula@example.org",
    ]
    assert as_json[1]["name"] == "=HYPERLINK(evil)"  # JSON is data, not a spreadsheet
    only = saved.run("registrations", "--state", "waitlisted")
    assert "No registrations." in only.output


def test_storage_failures_exit_with_4(organiser: Organiser) -> None:
    result = organiser.run("--store", "nosuchscheme://x", "places")
    assert result.exit_code == ExitCode.STORE == 4
    assert "no storage backend accepts" in result.stderr


def test_an_unknown_session_is_not_found(saved: Organiser) -> None:
    result = saved.run("waiting-list", "--session", "avond")
    assert result.exit_code == 3
    assert "no session 'avond'" in result.stderr


def test_now_must_be_readable(saved: Organiser) -> None:
    result = saved.run("--now", "volgende week", "places")
    assert result.exit_code == 2
    assert "--now" in result.stderr


def test_dates_in_init_are_weekdays_people_recognise() -> None:
    from participatie import parse_datetime
    from participatie.cli._output import format_day

    day = date(2026, 10, 25)
    for offset in range(14):
        current = day + timedelta(days=offset)
        for language in ("nl", "en"):
            written = format_day(current, language, at=(9, 30))
            assert parse_datetime(written).date() == current


def test_an_edited_but_unsaved_file_is_pointed_out(saved: Organiser) -> None:
    quiet = saved.run("places")
    assert quiet.stderr == ""  # stored and written are the same event
    path = saved.directory / "participatie.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("capacity = 4", "capacity = 6"), encoding="utf-8"
    )
    warned = saved.run("places")
    assert "participatie.toml differs from the stored event" in warned.stderr
    assert re.search(r"ochtend\s+4\s", warned.stdout)  # the commands use what is stored
    saved.run("event", "save")
    assert saved.run("places").stderr == ""


def test_an_event_that_is_not_stored_yet(organiser: Organiser) -> None:
    result = organiser.run("places")
    assert result.exit_code == 3
    assert "store it first: participatie event save" in result.stderr
    (organiser.directory / "participatie.toml").unlink()
    empty = organiser.run("places")
    assert empty.exit_code == 3
    assert "no event is stored" in empty.stderr


def test_ctrl_c_exits_with_130(organiser: Organiser, monkeypatch: pytest.MonkeyPatch) -> None:
    import participatie.cli.importing

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(participatie.cli.importing, "read_table", interrupted)
    result = organiser.run("import", "registrations", "clean.csv", lang="nl")
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    assert "Onderbroken." in result.stderr


def test_consent_taken_by_the_organiser_is_recorded(organiser: Organiser) -> None:
    path = organiser.directory / "participatie.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('consent_version = "2021-05"\n', ""),
        encoding="utf-8",
    )
    organiser.run("event", "save")
    for lang in ("nl", "en"):
        register(organiser, {"nl": 1, "en": 2}[lang], "ochtend", "--lang", lang)
    with organiser.app() as app:
        versions = {r.consent.text_version for r in app.registrations("dialoog-2021") if r.consent}
    assert versions == {"organiser"}  # the same whatever language the output was in
