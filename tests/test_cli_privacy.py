"""Files the commands write with names: recorded with who asked, and reached by erasure.

Calendar invitations and the messages of a feedback round are files about
one person each (plus an ``index.csv``); the comments CSV and a named report
hold several people. Every such file is recorded in the privacy log with
``--requested-by``; erasing a person afterwards (the library's
``erase_person``) deletes their own files and their rows, also when a
calendar file folded their address over two lines. (A named report holds
names, not addresses: erasure cannot find people in it; retention removes
it, and the how-to says to write reports again after an erasure.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.cli_support import ORGANISER, Organiser, make_organiser

NOOR = "noor.voorbeeld@example.org"


@pytest.fixture
def registered(tmp_path: Path) -> Organiser:
    organiser = make_organiser(tmp_path)
    assert organiser.run("event", "save").exit_code == 0
    assert organiser.run("import", "registrations", "clean.csv", "--apply").exit_code == 0
    return organiser


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_files_with_names_need_someone_who_asks(registered: Organiser) -> None:
    registered.env["PARTICIPATIE_REQUESTED_BY"] = None
    for arguments in (
        ("calendar", "invitations", "uit"),
        ("calendar", "invitation", NOOR, "uit"),
        ("calendar", "cancel", "ochtend", "uit", "--yes"),
    ):
        result = registered.run(*arguments)
        assert result.exit_code == 2, arguments
        assert "--requested-by" in result.stderr
    assert not (registered.directory / "uit").exists()
    bad = registered.run("calendar", "invitations", "uit", "--requested-by", "niemand")
    assert bad.exit_code == 2
    assert registered.run("report", "rapport", "--names").exit_code == 2
    assert registered.run("report", "rapport").exit_code == 0  # no names: nobody needs to ask
    with registered.app() as app:
        assert app.privacy_log() == []


def test_invitations_are_recorded_and_erasure_reaches_them(registered: Organiser) -> None:
    # A long name folds the address in the calendar file over two lines.
    long_name = "Maria Theresia Wilhelmina van den Berghe-Oostenbrugge"
    long_email = "maria.theresia.wilhelmina.vandenberghe@example.org"
    for leaving in ("yara.elamrani@example.org", "milan.smit@example.org"):
        assert registered.run("cancel", leaving).exit_code == 0
    assert (
        registered.run(
            "register",
            "--session",
            "ochtend",
            "--name",
            long_name,
            "--email",
            long_email,
            "--audience",
            "client",
            "--consent",
        ).exit_code
        == 0
    )
    result = registered.run("calendar", "invitations", "uit", "--session", "ochtend")
    assert result.exit_code == 0, result.output
    folder = registered.directory / "uit"
    index = {row["e-mail"]: row["file"] for row in rows(folder / "index.csv")}
    folded = (folder / index[long_email]).read_bytes()
    assert long_email.encode() not in folded  # the address really is split by a fold
    with registered.app() as app:
        log = app.privacy_log()
        assert {r.path for r in log} == {
            str((folder / name).resolve()) for name in [*index.values(), "index.csv"]
        }
        assert {(r.action, r.subject, r.requested_by) for r in log} == {
            ("names-exported", "calendar-invitation", ORGANISER)
        }
        for email in (NOOR, long_email):
            report = app.erase_person(email, requested_by=ORGANISER)
            assert report.complete
    assert not (folder / index[NOOR]).exists()
    assert not (folder / index[long_email]).exists()
    left = [row["e-mail"] for row in rows(folder / "index.csv")]
    assert NOOR not in left
    assert long_email not in left
    assert "daan.devries@example.org" in left
    assert (folder / index["daan.devries@example.org"]).exists()


def test_messages_comments_and_reports_are_recorded_and_erased(registered: Organiser) -> None:
    registered.env["PARTICIPATIE_NOW"] = "2021-05-21 12:00"
    assert registered.run("attendance", NOOR, "daan.devries@example.org").exit_code == 0
    assert registered.run("input", "import", "inbreng.csv", "--apply").exit_code == 0
    assert registered.run("feedback", "draft", "concept-v1.md", "--key", "reactie").exit_code == 0
    assert registered.run("feedback", "open", "reactie", "--closes", "2021-06-04").exit_code == 0
    assert registered.run("feedback", "due", "post").exit_code == 0
    assert (
        registered.run(
            "feedback", "respond", "1", NOOR, "--comment", "visie=Noem de ouders."
        ).exit_code
        == 0
    )
    assert registered.run("feedback", "close", "1").exit_code == 0
    assert registered.run("feedback", "comments", "1", "--csv", "besluiten.csv").exit_code == 0
    assert registered.run("report", "intern", "--internal").exit_code == 0
    post = registered.directory / "post"
    messages = {row["e-mail"]: row["file"] for row in rows(post / "index.csv")}
    with registered.app() as app:
        subjects = sorted({r.subject for r in app.privacy_log()})
        assert subjects == ["feedback-comments", "feedback-messages", "report"]
        app.erase_person(NOOR, requested_by=ORGANISER)
    assert not (post / messages[NOOR]).exists()
    assert (post / messages["daan.devries@example.org"]).exists()
    assert NOOR not in (post / "index.csv").read_text(encoding="utf-8-sig")
    assert NOOR not in (registered.directory / "besluiten.csv").read_text(encoding="utf-8-sig")


def test_an_address_folded_over_two_lines_is_found(tmp_path: Path) -> None:
    from participatie.privacy.files import file_mentions, remove_rows_with

    folded = tmp_path / "1.ics"
    folded.write_bytes(
        b"BEGIN:VEVENT\r\nATTENDEE;CN=Noor:mailto:noor.voor\r\n beeld@example.org\r\n"
    )
    other = tmp_path / "2.ics"
    other.write_bytes(b"BEGIN:VEVENT\r\nATTENDEE;CN=Daan:mailto:daan@example.org\r\n")
    assert file_mentions(folded, "Noor.Voorbeeld@example.org")
    assert not file_mentions(other, NOOR)
    assert remove_rows_with(other, NOOR) == 0
    assert remove_rows_with(folded, NOOR) == 1
    assert not folded.exists()
    assert other.exists()
