"""``participatie input``: contributions from flags and from the note-takers' spreadsheet.

Through Click's runner on ``tests/data/inbreng.csv`` (and ``inbreng-fout.csv``,
one bad row of each kind) for the dialogue meeting with the registrations of
``clean.csv``; one test runs the installed command as a process.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli_support import Organiser, make_organiser


@pytest.fixture
def registered(tmp_path: Path) -> Organiser:
    organiser = make_organiser(tmp_path)
    assert organiser.run("event", "save").exit_code == 0
    imported = organiser.run("import", "registrations", "clean.csv", "--apply")
    assert imported.exit_code == 0, imported.output
    return organiser


def stored(organiser: Organiser) -> list[tuple[object, ...]]:
    with organiser.app() as app:
        return [
            (c.session_key, c.question, c.group, c.audience, c.participant, c.text)
            for c in app.contributions("dialoog-2021")
        ]


def test_add_one_contribution(registered: Organiser) -> None:
    result = registered.run(
        "input",
        "add",
        "--session",
        "ochtend",
        "--question",
        "2",
        "--group",
        "1",
        "--audience",
        "client",
        "--theme",
        "Inspraak",
        "Jongeren",
        "willen",
        "gehoord",
        "worden.",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Input #1 recorded (ochtend, question 2, client).\n"
    own = registered.run(
        "input",
        "add",
        "--session",
        "ochtend",
        "--participant",
        "noor.voorbeeld@example.org",
        "--from-participant",
        "--may-be-named",
        "Mijn eigen inbreng.",
    )
    assert own.exit_code == 0, own.output
    assert "no central question, client" in own.output  # the audience from her registration
    with registered.app() as app:
        first, second = app.contributions("dialoog-2021")
    assert first.text == "Jongeren willen gehoord worden."
    assert first.themes == frozenset({"inspraak"})
    assert second.participant == "noor.voorbeeld@example.org"
    assert second.may_be_named


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (("--session", "ochtend", "Zonder doelgroep."), 2, "give --audience or --participant"),
        (
            ("--session", "ochtend", "--question", "7", "--audience", "client", "x"),
            1,
            "there is no question 7",
        ),
        (("--session", "avond", "--audience", "client", "x"), 3, "avond"),
        (
            ("--session", "ochtend", "--participant", "niemand@example.org", "x"),
            3,
            "no confirmed place",
        ),
    ],
)
def test_add_refuses_what_does_not_fit(
    registered: Organiser, arguments: tuple[str, ...], code: int, message: str
) -> None:
    result = registered.run("input", "add", *arguments)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert stored(registered) == []


def test_import_is_a_dry_run_then_records_everything_once(registered: Organiser) -> None:
    dry = registered.run("input", "import", "inbreng.csv")
    assert dry.exit_code == 0, dry.output
    assert "text          <- 'Inbreng'" in dry.output
    assert "question      <- 'Vraag'" in dry.output
    assert "To record (5):" in dry.output
    assert "Dry run: nothing was stored." in dry.output
    assert stored(registered) == []
    applied = registered.run("input", "import", "inbreng.csv", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Recorded (5)." in applied.output
    rows = stored(registered)
    assert rows[0] == (
        "ochtend",
        1,
        "1",
        "client",
        None,
        "Jongeren willen zelf gehoord worden, niet alleen via hun ouders.",
    )
    assert rows[1][3] == "expert-by-experience"  # 'ervaringsdeskundige', the audience's label
    assert rows[3] == (
        "middag",
        1,
        None,
        "professional",
        "iris.vandijk@example.org",
        "Meer tijd per gezin.",
    )
    assert rows[4][1] is None  # outside the central questions
    with registered.app() as app:
        assert app.contributions("dialoog-2021")[1].themes == frozenset(
            {"continuïteit", "vertrouwen"}
        )
    again = registered.run("input", "import", "inbreng.csv", "--apply")
    assert again.exit_code == 0
    assert "Recorded before or repeated, not again (5):" in again.output
    assert "same as #1" in again.output
    assert "Nothing to record." in again.output
    assert len(stored(registered)) == 5


#: Every bad row of tests/data/inbreng-fout.csv and what is said about it.
REFUSED = {
    2: "no text",
    3: "session 'avond' not recognised",
    4: "there is no question 7",
    5: "question 'een' is not the number",
    6: "audience 'ouder' not recognised",
    7: "no audience and no participant",
    8: "niemand@example.org has no confirmed place",
}


def test_every_bad_row_is_reported_and_nothing_is_half_recorded(registered: Organiser) -> None:
    result = registered.run("input", "import", "inbreng-fout.csv", "--apply")
    assert result.exit_code == 1
    lines = {
        int(line.split()[0]): line
        for line in result.output.splitlines()
        if line.strip()[:1].isdigit()
    }
    for number, reason in REFUSED.items():
        assert reason in lines[number], (number, lines.get(number))
    assert "Not recorded: 7 row(s) cannot be used" in result.stderr
    assert stored(registered) == []
    skipped = registered.run("input", "import", "inbreng-fout.csv", "--apply", "--skip-refused")
    assert skipped.exit_code == 1
    assert [row[-1] for row in stored(registered)] == ["Deze rij is goed."]
    dutch = registered.run("input", "import", "inbreng-fout.csv", lang="nl")
    assert "sessie 'avond' niet herkend" in dutch.output
    assert "Niet te gebruiken (7):" in dutch.output


def test_columns_can_be_named_and_a_file_without_text_is_refused(registered: Organiser) -> None:
    registered.write("eigen.csv", "Wat werd er gezegd,Sessie,Doelgroep\nHallo,ochtend,client\n")
    missing = registered.run("input", "import", "eigen.csv")
    assert missing.exit_code == 2
    assert "no column with the input" in missing.stderr
    named = registered.run(
        "input", "import", "eigen.csv", "--column", "text=Wat werd er gezegd", "--apply"
    )
    assert named.exit_code == 0, named.output
    assert stored(registered)[0][-1] == "Hallo"
    unknown = registered.run("input", "import", "eigen.csv", "--column", "kleur=Sessie")
    assert unknown.exit_code == 2
    assert "unknown field 'kleur'" in unknown.stderr


def test_list_as_table_csv_and_json(registered: Organiser) -> None:
    assert registered.run("input", "import", "inbreng.csv", "--apply").exit_code == 0
    shown = registered.run("input", "list", "--question", "1")
    assert "2 item(s)" in shown.output
    assert "iris.vandijk@example.org" in shown.output
    assert "anonymous" in shown.output
    as_csv = registered.run("input", "list", "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == [
        "id",
        "session",
        "question",
        "group",
        "audience",
        "themes",
        "source",
        "input",
    ]
    texts = [row[-1] for row in rows[1:]]
    assert "'=SOM(1,2) zei iemand: het scenario is te abstract." in texts  # never a formula
    assert not any(text.startswith("=") for text in texts)
    as_json = json.loads(registered.run("input", "list", "--format", "json", "--group", "2").stdout)
    assert [item["id"] for item in as_json] == [3, 5]
    assert as_json[0]["text"].startswith("=SOM")  # JSON is for scripts: kept as written
    empty = registered.run("input", "list", "--session", "middag", "--group", "9")
    assert "No input yet." in empty.output


def test_the_input_commands_run_as_a_process(registered: Organiser) -> None:
    done = registered.process("input", "import", "inbreng.csv", "--apply", lang="nl")
    assert done.returncode == 0, done.stderr
    assert "Vastgelegd (5)." in done.stdout
    listed = registered.process("input", "list")
    assert listed.returncode == 0
    assert "5 item(s)" in listed.stdout
