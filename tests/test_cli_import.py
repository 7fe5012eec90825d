"""``participatie import registrations`` on real-looking exports.

``tests/data`` holds a clean export, a messy one (BOM, ``;``, Dutch headers,
diacritics written two ways, trailing spaces, empty rows, a cell with a line
break) and one with every kind of bad row. Each refusal must be reported with
its reason, nothing may be half-imported, and importing again adds nothing.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from participatie import (
    ImportRefusedError,
    Participatie,
    RegistrationState,
    load_event_file,
    plan_import,
)
from participatie.importing import RowStatus
from participatie.tabular import read_table
from tests.cli_support import DATA, Organiser, make_organiser

_S = RegistrationState
EVENT = "dialoog-2021"


@pytest.fixture
def organiser(tmp_path: Path) -> Organiser:
    organiser = make_organiser(tmp_path)
    result = organiser.run("event", "save")
    assert result.exit_code == 0, result.output
    return organiser


def stored(organiser: Organiser) -> list[tuple[str, str, RegistrationState]]:
    with organiser.app() as app:
        return [(r.session_key, r.person.email, r.state) for r in app.registrations(EVENT)]


def lines_of(output: str, heading: str) -> dict[int, str]:
    """The table rows under a heading ("Refused (3):"), by their line number."""
    rows: dict[int, str] = {}
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    assert lines[start + 1].split()[0] in {"line", "regel"}
    for line in lines[start + 3 :]:
        if not line.startswith("  ") or not line.strip()[:1].isdigit():
            break
        rows[int(line.split()[0])] = line
    return rows


# --- a clean export ------------------------------------------------------------------


def test_clean_export_dry_run_then_apply_then_again(organiser: Organiser) -> None:
    dry = organiser.run("import", "registrations", "clean.csv")
    assert dry.exit_code == 0, dry.output
    assert "To add (7):" in dry.output
    assert "ochtend: 4 registered, 1 on the waiting list" in dry.output
    assert "middag: 2 registered, 0 on the waiting list" in dry.output
    assert "Dry run: nothing was stored" in dry.output
    assert stored(organiser) == []

    applied = organiser.run("import", "registrations", "clean.csv", "--apply")
    assert applied.exit_code == 0, applied.output
    assert "Imported: 7 registration(s)." in applied.output
    rows = stored(organiser)
    assert len(rows) == 7
    # Stored in order of submission: the last of five for four places waits.
    assert [email for _s, email, state in rows if state is _S.WAITLISTED] == [
        "milan.smit@example.org"
    ]

    again = organiser.run("import", "registrations", "clean.csv", "--apply")
    assert again.exit_code == 0, again.output
    assert "Duplicates, not added (7):" in again.output
    assert "already registered (#1, registered)" in again.output
    assert "Imported: 0 registration(s)." in again.output
    assert stored(organiser) == rows


def test_the_columns_used_are_shown(organiser: Organiser) -> None:
    dry = organiser.run("import", "registrations", "clean.csv")
    assert "  name          <- 'Name'\n  email         <- 'Email'\n" in dry.output
    assert "  submitted_at  <- 'Timestamp'" in dry.output


# --- a messy export -----------------------------------------------------------------------

MESSY_EXPECTED = {
    ("ochtend", "chloe.dewit@example.org", "Chloë de Wit", "client", 'Cliëntenraad "De Brug"'),
    ("ochtend", "anneloes@example.org", "Anneloes van 't Hof", "expert-by-experience", None),
    ("ochtend", "jose.urun@example.org", "José Ürün", "client", "Cliëntenraad Zuid"),
    ("middag", "omer.celik@example.org", "Ömer Çelik", "professional", "Gemeente Voorbeeldstad"),
    ("ochtend", "zoe.maas@example.org", "Zoë Maas", "client", None),
}


def stored_people(organiser: Organiser) -> set[tuple[str, str, str, str, str | None]]:
    with organiser.app() as app:
        return {
            (
                r.session_key,
                r.person.email,
                r.person.name,
                r.person.audience,
                r.person.organisation,
            )
            for r in app.registrations(EVENT)
        }


def test_messy_export(organiser: Organiser) -> None:
    dry = organiser.run("import", "registrations", "messy.csv")
    assert dry.exit_code == 0, dry.output
    assert "messy.csv (5 rows, utf-8-sig, ';')" in dry.output
    added = lines_of(dry.output, "To add (5):")
    assert sorted(added) == [2, 5, 6, 8, 10]  # the lines the rows start on in the file
    applied = organiser.run("import", "registrations", "messy.csv", "--apply")
    assert applied.exit_code == 0, applied.output
    people = stored_people(organiser)
    assert people == MESSY_EXPECTED
    # "José" was written as e + a combining accent; it is stored composed.
    assert all(unicodedata.is_normalized("NFC", person[2]) for person in people)
    again = organiser.run("import", "registrations", "messy.csv", "--apply")
    assert "Imported: 0 registration(s)." in again.output
    assert len(stored_people(organiser)) == 5


def messy_text() -> str:
    return (DATA / "messy.csv").read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("windows.csv", lambda text: unicodedata.normalize("NFC", text).encode("cp1252")),
        ("no-bom.csv", lambda text: text.encode("utf-8")),
        ("excel.csv", lambda text: ("sep=;\r\n" + text).encode("utf-8")),
        ("unicode.txt", lambda text: text.replace(";", "\t").encode("utf-16")),
        ("mac.csv", lambda text: unicodedata.normalize("NFD", text).encode("utf-8")),
        ("unix.csv", lambda text: text.replace("\r\n", "\n").encode("utf-8")),
    ],
)
def test_the_same_export_saved_by_other_programs(
    organiser: Organiser, name: str, encode: object
) -> None:
    assert callable(encode)
    (organiser.directory / name).write_bytes(encode(messy_text()))
    result = organiser.run("import", "registrations", name, "--apply")
    assert result.exit_code == 0, result.output
    assert stored_people(organiser) == MESSY_EXPECTED


def test_a_spreadsheet(organiser: Organiser) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Antwoorden"
    with (DATA / "clean.csv").open(encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    sheet.append(rows[0])
    sheet.append([])  # an empty row between header and data
    for row in rows[1:]:
        # Spreadsheets hold timestamps as dates, not text.
        sheet.append([datetime.fromisoformat(row[0]), *row[1:]])
    workbook.save(organiser.directory / "antwoorden.xlsx")
    result = organiser.run("import", "registrations", "antwoorden.xlsx", "--apply")
    assert result.exit_code == 0, result.output
    assert "Imported: 7 registration(s)." in result.output
    wrong = organiser.run("import", "registrations", "antwoorden.xlsx", "--sheet", "Blad1")
    assert wrong.exit_code == 1
    assert "has no sheet 'Blad1'; it has: Antwoorden" in wrong.stderr


# --- every kind of bad row -------------------------------------------------------------------

#: bad.csv is imported after the deadline (14 May), as organisers often do.
AFTER_DEADLINE = ("--now", "2021-05-17 12:00")

#: The refused rows of tests/data/bad.csv and the reason each must be given.
BAD_ROWS = {
    3: "invalid e-mail address 'jan@@example.org'",
    4: "no e-mail address",
    5: "no name",
    6: "no consent",
    7: "consent answer 'misschien' not understood",
    8: "not eligible",
    9: "after the deadline",
    10: "before registration opened",
    11: "audience 'astronaut' not recognised",
    12: "session 'avond' not recognised",
    13: "no session chosen",
    14: "submission time 'gisteren' cannot be read",
    15: "submitted after the current time (2021-05-18 09:00 CEST)",
    18: "session full",
}


def test_every_refusal_is_reported_with_its_reason(organiser: Organiser) -> None:
    dry = organiser.run(*AFTER_DEADLINE, "import", "registrations", "bad.csv")
    assert dry.exit_code == 1
    refused = lines_of(dry.output, f"Refused ({len(BAD_ROWS)}):")
    assert set(refused) == set(BAD_ROWS)
    for line, reason in BAD_ROWS.items():
        assert reason in refused[line], refused[line]
    assert set(lines_of(dry.output, "To add (4):")) == {2, 16, 17, 20}
    duplicate = lines_of(dry.output, "Duplicates, not added (1):")
    assert "same person and session as line 2" in duplicate[19]


def test_nothing_is_half_imported(organiser: Organiser) -> None:
    result = organiser.run(*AFTER_DEADLINE, "import", "registrations", "bad.csv", "--apply")
    assert result.exit_code == 1
    assert "Not imported: 14 row(s) refused, so nothing was stored." in result.stderr
    assert stored(organiser) == []


def test_skip_refused_imports_the_rest_and_writes_them_out(organiser: Organiser) -> None:
    result = organiser.run(
        *AFTER_DEADLINE,
        "import",
        "registrations",
        "bad.csv",
        "--apply",
        "--skip-refused",
        "--refused-csv",
        "geweigerd.csv",
    )
    assert result.exit_code == 1  # rows were refused, even though the rest went in
    assert "Imported: 4 registration(s)." in result.output
    assert "14 refused row(s) were left out." in result.output
    assert sorted(email for _session, email, _state in stored(organiser)) == [
        "goede.eerste@example.org",
        "goede.laatste@example.org",
        "prof.een@example.org",
        "prof.twee@example.org",
    ]
    with (organiser.directory / "geweigerd.csv").open(encoding="utf-8-sig") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == [
        "Timestamp",
        "Name",
        "Email",
        "Audience",
        "Organisation",
        "Session",
        "Consent",
        "line",
        "reason",
    ]
    assert [int(row[7]) for row in rows[1:]] == sorted(BAD_ROWS)
    assert rows[1][2] == "jan@@example.org"


def test_the_refused_file_can_be_fixed_and_imported(organiser: Organiser) -> None:
    organiser.run(*AFTER_DEADLINE, "import", "registrations", "bad.csv", "--refused-csv", "fix.csv")
    path = organiser.directory / "fix.csv"
    fixed = path.read_text(encoding="utf-8-sig").replace("jan@@example.org", "jan@example.org")
    path.write_text(fixed, encoding="utf-8")
    result = organiser.run(*AFTER_DEADLINE, "import", "registrations", "fix.csv")
    # Line 2 of fix.csv is the first refused row; Prof Drie (line 15) was refused only
    # because the session was full, and in this empty store it is not.
    added = lines_of(result.output, "To add (2):")
    assert "jan@example.org" in added[2]
    assert "prof.drie@example.org" in added[15]


def test_refusals_in_dutch(organiser: Organiser) -> None:
    dry = organiser.run(*AFTER_DEADLINE, "import", "registrations", "bad.csv", lang="nl")
    refused = lines_of(dry.output, "Geweigerd (14):")
    assert "ongeldig e-mailadres" in refused[3]
    assert "geen toestemming" in refused[6]
    assert "na de aanmelddeadline" in refused[9]
    assert "niet voor deze doelgroep" in refused[8]


def test_refused_csv_output_is_safe_against_formulas(organiser: Organiser) -> None:
    organiser.write(
        "formula.csv",
        "Timestamp,Name,Email,Audience,Session,Consent\n"
        '2021-05-04 09:00,"=HYPERLINK(""http://evil.example"")",bad@,client,ochtend,yes\n'
        "2021-05-04 09:01,+Plus,-minus@example.org,client,ochtend,\n",
    )
    organiser.run("import", "registrations", "formula.csv", "--refused-csv", "out.csv")
    with (organiser.directory / "out.csv").open(encoding="utf-8-sig") as stream:
        cells = [cell for row in csv.reader(stream) for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@"}]
    assert '\'=HYPERLINK("http://evil.example")' in cells


# --- columns -------------------------------------------------------------------------------

ODD_HEADERS = (
    "Wie,Contact,Rol,Keuze,Akkoord\n"
    "Noor Voorbeeld,noor@example.org,client,ochtend,ja\n"
    "Iris van Dijk,iris@example.org,professional,middag,ja\n"
)


def test_columns_by_flags(organiser: Organiser) -> None:
    organiser.write("odd.csv", ODD_HEADERS)
    unknown = organiser.run("import", "registrations", "odd.csv")
    assert unknown.exit_code == 1
    assert "no column with e-mail addresses" in unknown.stderr
    assert "'Contact'" in unknown.stderr
    mapped = organiser.run(
        "import",
        "registrations",
        "odd.csv",
        "--column",
        "email=Contact",
        "--column",
        "name=Wie",
        "--column",
        "audience=Rol",
        "--column",
        "session=Keuze",
        "--apply",
    )
    assert mapped.exit_code == 0, mapped.output
    assert len(stored(organiser)) == 2
    wrong = organiser.run("import", "registrations", "odd.csv", "--column", "emial=Contact")
    assert wrong.exit_code == 2
    assert "FIELD=HEADER" in wrong.stderr


def test_columns_in_the_event_file(organiser: Organiser) -> None:
    organiser.write("odd.csv", ODD_HEADERS)
    path = organiser.directory / "participatie.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[import.columns]\nname = "Wie"\nemail = "Contact"\naudience = "Rol"\n'
        + 'session = "Keuze"\n',
        encoding="utf-8",
    )
    result = organiser.run("import", "registrations", "odd.csv", "--apply")
    assert result.exit_code == 0, result.output
    assert len(stored(organiser)) == 2
    missing = organiser.run("import", "registrations", "clean.csv")
    assert missing.exit_code == 1
    assert "the column 'Wie' (for name) is not in the file" in missing.stderr


def test_one_session_and_audience_for_every_row(organiser: Organiser) -> None:
    organiser.write(
        "professionals.csv",
        "Naam;E-mail;Toestemming\nIris van Dijk;iris@example.org;ja\nBram;bram@example.org;ja\n",
    )
    needs_session = organiser.run("import", "registrations", "professionals.csv")
    assert needs_session.exit_code == 1
    assert "--session" in needs_session.stderr
    result = organiser.run(
        "import",
        "registrations",
        "professionals.csv",
        "--session",
        "middag",
        "--audience",
        "professional",
        "--apply",
    )
    assert result.exit_code == 0, result.output
    assert {(s, state) for s, _e, state in stored(organiser)} == {("middag", _S.REGISTERED)}


def test_no_consent_column_is_a_mapping_problem(organiser: Organiser) -> None:
    organiser.write(
        "geen.csv", "Naam,E-mail,Doelgroep,Sessie\nNoor,noor@example.org,client,ochtend\n"
    )
    result = organiser.run("import", "registrations", "geen.csv")
    assert result.exit_code == 1
    assert "no consent column" in result.stderr


# --- time and order -----------------------------------------------------------------------


def test_rows_are_judged_when_they_were_submitted(organiser: Organiser) -> None:
    # Imported the day after the deadline: the rows submitted in time still count.
    late = organiser.run("--now", "2021-05-15 09:00", "import", "registrations", "clean.csv")
    assert late.exit_code == 0, late.output
    assert "To add (7):" in late.output
    organiser.write(
        "no-time.csv",
        "Name,Email,Audience,Session,Consent\nNoor,noor@example.org,client,ochtend,yes\n",
    )
    untimed = organiser.run("--now", "2021-05-15 09:00", "import", "registrations", "no-time.csv")
    assert untimed.exit_code == 1
    assert "after the deadline" in untimed.output
    started = organiser.run(
        "--now", "2021-05-21 10:30", "import", "registrations", "clean.csv", "--apply"
    )
    assert started.exit_code == 1
    assert "'Dialoog voor cliëntenraden' started at 2021-05-21 10:00 CEST" in started.output
    assert stored(organiser) == []  # the afternoon rows were fine, but nothing half


def test_the_waiting_list_follows_the_submission_order(organiser: Organiser) -> None:
    rows = [
        f"2021-05-0{day} 10:00,Deelnemer {day},d{day}@example.org,client,ochtend,yes"
        for day in (9, 8, 7, 6, 5, 4)  # newest first, as some tools export
    ]
    organiser.write(
        "newest-first.csv", "Timestamp,Name,Email,Audience,Session,Consent\n" + "\n".join(rows)
    )
    result = organiser.run("import", "registrations", "newest-first.csv", "--apply")
    assert result.exit_code == 0, result.output
    with organiser.app() as app:
        waiting = [r.person.email for r in app.waiting_list(EVENT, "ochtend")]
    assert waiting == ["d8@example.org", "d9@example.org"]


def test_a_cancelled_person_is_not_brought_back(organiser: Organiser) -> None:
    organiser.run("import", "registrations", "clean.csv", "--apply")
    organiser.run("cancel", "noor.voorbeeld@example.org")
    again = organiser.run("import", "registrations", "clean.csv")
    assert "already registered (#1, cancelled)" in again.output
    # A new form submission after the cancellation is a new registration.
    organiser.write(
        "later.csv",
        "Timestamp,Name,Email,Audience,Session,Consent\n"
        "2021-05-10 13:00,Noor Voorbeeld,noor.voorbeeld@example.org,client,ochtend,yes\n",
    )
    later = organiser.run("--now", "2021-05-10 14:00", "import", "registrations", "later.csv")
    assert "To add (1):" in later.output


# --- the library underneath -------------------------------------------------------------


def test_plan_and_apply_from_python(tmp_path: Path) -> None:
    from participatie import FixedClock, parse_datetime

    event_file = load_event_file(DATA / "event.toml")
    clock = FixedClock(parse_datetime("2021-05-17 12:00"))
    with Participatie.open("memory://", clock=clock) as app:
        app.save_event(event_file.event)
        plan = plan_import(app, EVENT, read_table(DATA / "bad.csv"), event_file.import_settings)
        assert {row.line for row in plan.refused} == set(BAD_ROWS)
        assert all(row.status is RowStatus.REFUSED for row in plan.refused)
        with pytest.raises(ImportRefusedError, match="14 row"):
            plan.apply(app)
        assert app.registrations(EVENT) == []
        result = plan.apply(app, skip_refused=True)
        assert len(result.registrations) == 4
        assert result.refused == ()
        # The consent records when the person agreed: at submission, not at import.
        first = app.registrations_of("goede.eerste@example.org")[0]
        assert first.consent is not None
        assert first.consent.text_version == "2021-05"
        assert first.consent.given_at == parse_datetime("2021-05-04 09:00:00")


def test_a_change_between_plan_and_apply_is_reported(tmp_path: Path) -> None:
    from participatie import Consent, FixedClock, Person, parse_datetime

    event_file = load_event_file(DATA / "event.toml")
    clock = FixedClock(parse_datetime("2021-05-10 12:00"))
    with Participatie.open("memory://", clock=clock) as app:
        app.save_event(event_file.event)
        plan = plan_import(app, EVENT, read_table(DATA / "clean.csv"))
        # Someone registers by hand after the plan was made.
        app.register(
            EVENT,
            "middag",
            Person("Iris van Dijk", "iris.vandijk@example.org", "professional"),
            consent=Consent("2021-05", clock.now()),
        )
        result = plan.apply(app)
        assert [row.line for row, _error in result.refused] == [4]
        assert "already registered" in str(result.refused[0][1])
        assert len(result.registrations) == 6


def test_a_time_that_happened_twice_takes_the_first(organiser: Organiser) -> None:
    organiser.write(
        "night.csv",
        "Timestamp,Name,Email,Audience,Session,Consent\n"
        "2020-10-25 02:30:00,Nacht Uil,uil@example.org,client,ochtend,yes\n",
    )
    # The sample event's window is in May 2021; widen nothing, just read the note.
    result = organiser.run("import", "registrations", "night.csv")
    assert "'2020-10-25 02:30:00' happened twice (clocks went back); the first was taken" in (
        result.output
    )
    assert "before registration opened" in result.output


PARTS_EVENT = """
[event]
key = "open-dagen"
title = "Open dagen"
organiser = "Voorbeeld"
[event.help_desk]
email = "vraagbaak@example.org"
[[sessions]]
key = "a"
title = "Dag een"
start = "2021-05-20 10:00"
end = "2021-05-20 12:00"
[[sessions]]
key = "b"
title = "Dag twee"
start = "2021-05-21 10:00"
end = "2021-05-21 12:00"
[store]
url = "sqlite:///open.db"
[import]
submitted_at_format = "%d/%m/%Y %H:%M"
[import.columns]
session = "Welke dag(en)?"
[import.sessions]
"Dag 1" = "a"
"Dag 2" = "b"
"""

PARTS_EXPORT = (
    "Voornaam;Tussenvoegsel;Achternaam;Uw e-mailadres graag;Welke dag(en)?;Taal;Telefoon;"
    "Ik ga akkoord met de privacyverklaring;Ingevuld op\n"
    "Anna;van der;Berg;anna@example.org;Dag 1, Dag 2;Engels;06-12345678;ja;03/05/2021 10:00\n"
    "Bob;;Jansen;bob@example.org;Dag 1;Klingon;12;x;04/05/2021 11:00\n"
    "Cas;;Smit;cas@example.org;Dag 2;;;ja;31/13/2021 10:00\n"
)


def test_names_in_parts_several_sessions_and_odd_answers(tmp_path: Path) -> None:
    organiser = Organiser(tmp_path, make_organiser(tmp_path).env)
    organiser.write("participatie.toml", PARTS_EVENT)
    organiser.write("export.csv", PARTS_EXPORT)
    assert organiser.run("event", "save").exit_code == 0
    result = organiser.run("import", "registrations", "export.csv", "--skip-refused", "--apply")
    assert result.exit_code == 1  # Cas's timestamp cannot be read
    assert "submission time '31/13/2021 10:00' cannot be read" in result.output
    assert "  email         <- 'Uw e-mailadres graag'" in result.output
    assert "line 3: language 'Klingon' not understood, Dutch used" in result.output
    assert "line 3: phone number '12' not understood, left out" in result.output
    with Participatie.open(f"sqlite:///{tmp_path / 'open.db'}") as app:
        stored_rows = [
            (r.session_key, r.person.name, r.person.language, r.person.phone)
            for r in app.registrations("open-dagen")
        ]
        anna = app.registrations_of("anna@example.org")[0]
    assert sorted(stored_rows) == [
        ("a", "Anna van der Berg", "en", "06-12345678"),
        ("a", "Bob Jansen", "nl", None),
        ("b", "Anna van der Berg", "en", "06-12345678"),
    ]
    assert anna.consent is not None
    assert anna.consent.text_version == "form"  # the event names no consent text version


def test_without_timestamps_every_earlier_registration_counts(organiser: Organiser) -> None:
    organiser.write(
        "untimed.csv",
        "Name,Email,Audience,Session,Consent\nNoor,noor@example.org,client,ochtend,yes\n",
    )
    organiser.run("import", "registrations", "untimed.csv", "--apply")
    organiser.run("cancel", "noor@example.org")
    again = organiser.run("import", "registrations", "untimed.csv")
    assert "already registered (#1, cancelled)" in again.output
    assert "Nothing to add." in again.output


def test_mapping_problems(organiser: Organiser) -> None:
    from participatie import ColumnMappingError
    from participatie.importing import resolve_columns

    with pytest.raises(ColumnMappingError, match="unknown field 'emial'"):
        resolve_columns(["E-mail"], {"emial": "E-mail"})
    organiser.write("only-mail.csv", "E-mail\nnoor@example.org\n")
    no_names = organiser.run("import", "registrations", "only-mail.csv")
    assert no_names.exit_code == 1
    assert "no column with names" in no_names.stderr
    alien = organiser.run("import", "registrations", "clean.csv", "--audience", "astronaut")
    assert alien.exit_code == 1
    assert "audience 'astronaut' is not one of the event's" in alien.stderr
    unknown = organiser.run("import", "registrations", "clean.csv", "--session", "avond")
    assert unknown.exit_code == 3
