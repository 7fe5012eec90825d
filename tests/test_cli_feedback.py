"""``participatie feedback`` and ``participatie report``: the loop from draft to report.

The dialogue meeting of ``tests/data/event.toml``: four people attend the
morning session, the note-takers' input of ``inbreng.csv`` is recorded, the
draft response of ``concept-v1.md`` goes out in a feedback round, comes back
with comments, is decided on and becomes ``concept-v2.md``; the messages
due are written to a folder as e-mail files and read back with the standard
library's parser. One test runs the installed command as a process.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
from pathlib import Path

import pytest

from tests.cli_support import Organiser, make_organiser

ATTENDED = [
    "noor.voorbeeld@example.org",
    "daan.devries@example.org",
    "sem.bakker@example.org",
]


@pytest.fixture
def attended(tmp_path: Path) -> Organiser:
    organiser = make_organiser(tmp_path)
    assert organiser.run("event", "save").exit_code == 0
    assert organiser.run("import", "registrations", "clean.csv", "--apply").exit_code == 0
    organiser.env["PARTICIPATIE_NOW"] = "2021-05-21 12:00"
    assert organiser.run("attendance", *ATTENDED).exit_code == 0
    assert organiser.run("input", "import", "inbreng.csv", "--apply").exit_code == 0
    return organiser


def at(organiser: Organiser, moment: str) -> Organiser:
    organiser.env["PARTICIPATIE_NOW"] = moment
    return organiser


@pytest.fixture
def opened(attended: Organiser) -> Organiser:
    assert attended.run("feedback", "draft", "concept-v1.md", "--key", "reactie").exit_code == 0
    result = attended.run(
        "feedback",
        "open",
        "reactie",
        "--opens",
        "vrijdag 28 mei 2021 9.00 uur",
        "--closes",
        "vrijdag 4 juni 2021 17.00 uur",
        "--reminder",
        "2d",
    )
    assert result.exit_code == 0, result.output
    return attended


def read_mail(path: Path) -> email.message.EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_a_draft_version_from_a_markdown_file(attended: Organiser) -> None:
    result = attended.run("feedback", "draft", "concept-v1.md", "--key", "reactie")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Draft reactie (Reactie op de consultatie): version 1, 3 section(s)"
    )
    with attended.app() as app:
        version = app.draft_version("reactie")
    assert version.keys == ("inleiding", "visie", "nodig")
    assert version.section("visie").heading == "Hoe het eruit moet zien"
    assert version.section("visie").sources == frozenset({1})
    assert "<!--" not in version.section("visie").text
    same = attended.run("feedback", "draft", "concept-v1.md", "--key", "reactie")
    assert "equals version 1; nothing was stored" in same.output
    second = attended.run(
        "feedback", "draft", "concept-v2.md", "--key", "reactie", "--note", "Na ronde 1"
    )
    assert "version 2" in second.output
    assert "Changes since version 1:" in second.output
    assert "visie    changed" in second.output
    assert "inleiding" not in second.output.split("Changes since")[1]
    listed = attended.run("feedback", "drafts")
    assert "reactie  Reactie op de consultatie  2" in listed.output


def test_every_problem_in_a_draft_file_is_reported_with_its_line(attended: Organiser) -> None:
    result = attended.run("feedback", "draft", "concept-fout.md", "--title", "Fout")
    assert result.exit_code == 1
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert "concept-fout.md has 4 problem(s):" in lines
    assert "concept-fout.md:1: text before the first section: give it a heading" in lines
    assert "concept-fout.md:6: section key 'visie' is used twice (first on line 3)" in lines
    assert "concept-fout.md:9: section 'leeg' has no text" in lines
    assert any(line.startswith("concept-fout.md:11: heading '!!!' gives no key") for line in lines)
    with attended.app() as app:
        assert app.drafts("dialoog-2021") == []
    untitled = attended.write("zonder-titel.md", "## Visie\nTekst.\n")
    refused = attended.run("feedback", "draft", untitled.name)
    assert refused.exit_code == 2
    assert "give the draft's title" in refused.stderr


def test_the_whole_feedback_loop(opened: Organiser) -> None:
    organiser = at(opened, "2021-05-28 09:05")
    listed = organiser.run("feedback", "due")
    assert "Due (3):" in listed.output
    assert "Nothing was recorded." in listed.output
    written = organiser.run("feedback", "due", "post")
    assert written.exit_code == 0, written.output
    assert "3 message(s) written to post and recorded as queued" in written.output
    folder = organiser.directory / "post"
    rows = list(csv.DictReader(io.StringIO((folder / "index.csv").read_text("utf-8-sig"))))
    assert sorted(row["e-mail"] for row in rows) == sorted(ATTENDED)
    for row in rows:
        message = read_mail(folder / row["file"])
        assert message["To"].addresses[0].addr_spec == row["e-mail"]  # one person per message
        assert len(message["To"].addresses) == 1
        assert message["Subject"] == "Uw feedback gevraagd: Reactie op de consultatie"
        assert message["X-Participatie-Key"] == row["file"].removesuffix(".eml")
        assert "vrijdag 4 juni 2021, 17:00" in message.get_content()
    assert "No messages are due." in organiser.run("feedback", "due", "post").output

    attack = '=HYPERLINK("https://example.org","klik")'
    assert (
        organiser.run(
            "feedback",
            "respond",
            "1",
            "noor.voorbeeld@example.org",
            "--opinion",
            "visie=deels",
            "--comment",
            "visie=Noem ook de ouders.",
            "--wording",
            "visie=De jeugdbescherming van de toekomst luistert naar het kind en de ouders.",
            "--opinion",
            "nodig=agree",
            "--may-be-named",
        ).exit_code
        == 0
    )
    assert (
        organiser.run(
            "feedback",
            "respond",
            "1",
            "daan.devries@example.org",
            "--general",
            attack,
        ).exit_code
        == 0
    )
    stranger = organiser.run(
        "feedback", "respond", "1", "iris.vandijk@example.org", "--general", "Ik was er niet."
    )
    assert stranger.exit_code == 1
    assert "was not asked for feedback" in stranger.stderr

    organiser = at(organiser, "2021-06-02 17:05")
    reminders = organiser.run("feedback", "due", "post2")
    assert "1 message(s) written" in reminders.output
    [reminder] = [p for p in (organiser.directory / "post2").iterdir() if p.suffix == ".eml"]
    assert read_mail(reminder)["To"].addresses[0].addr_spec == "sem.bakker@example.org"

    closed = organiser.run("feedback", "close", "1")
    assert "Feedback round 1 is closed (2 of 3 responded)." in closed.output
    late = organiser.run("feedback", "respond", "1", "sem.bakker@example.org", "--general", "Laat.")
    assert late.exit_code == 1
    assert "Refused" in late.stderr or "Error" in late.stderr

    assert organiser.run("feedback", "comments", "1", "--csv", "besluiten.csv").exit_code == 0
    sheet = (organiser.directory / "besluiten.csv").read_text("utf-8-sig")
    assert "'" + attack.replace('"', '""') in sheet  # a formula stays text in a spreadsheet
    rows = list(csv.reader(io.StringIO(sheet)))
    header, body = rows[0], rows[1:]
    assert header == [
        "from",
        "section",
        "opinion",
        "comment",
        "suggested wording",
        "outcome",
        "reason",
    ]
    for row in body:
        if row[0] == "noor.voorbeeld@example.org":
            row[5:7] = ["partly-adopted", "De ouders staan er nu in."]
    with (organiser.directory / "besluiten.csv").open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *body])
    partly = organiser.run("feedback", "dispose", "1", "--file", "besluiten.csv")
    assert partly.exit_code == 0, partly.output
    assert "1 disposition(s) recorded; still open: 1." in partly.output
    assert organiser.run("feedback", "draft", "concept-v2.md", "--key", "reactie").exit_code == 0
    early = organiser.run("feedback", "conclude", "1")
    assert early.exit_code == 1
    assert "1 comment still needs a disposition" in early.stderr
    no_reason = organiser.run("feedback", "dispose", "1", "daan.devries@example.org", "not-adopted")
    assert no_reason.exit_code == 1
    assert "needs a reason" in no_reason.stderr
    assert (
        organiser.run(
            "feedback",
            "dispose",
            "1",
            "daan.devries@example.org",
            "niet-overgenomen",
            "--reason",
            "Een link hoort niet in de reactie.",
        ).exit_code
        == 0
    )
    concluded = organiser.run("feedback", "conclude", "1")
    assert concluded.exit_code == 0, concluded.output
    assert "it led to version 2" in concluded.output
    rounds = organiser.run("feedback", "rounds")
    assert "concluded" in rounds.output
    summaries = organiser.run("feedback", "due", "post3")
    assert "3 message(s) written" in summaries.output
    texts = {
        read_mail(path)["To"].addresses[0].addr_spec: read_mail(path).get_content()
        for path in (organiser.directory / "post3").iterdir()
        if path.suffix == ".eml"
    }
    assert "De ouders staan er nu in." in texts["noor.voorbeeld@example.org"]
    assert "Een link hoort niet in de reactie." in texts["daan.devries@example.org"]


def test_a_round_for_chosen_recipients_and_its_mistakes(attended: Organiser) -> None:
    assert attended.run("feedback", "draft", "concept-v1.md").exit_code == 0
    attended.write("ontvangers.csv", "Naam,E-mail,Taal\nKevin Scholten,kevin@example.org,English\n")
    result = attended.run(
        "feedback",
        "open",
        "concept-v1",
        "--closes",
        "2021-06-04 17:00",
        "--recipients",
        "ontvangers.csv",
        "--reminder-after",
        "3d",
        "--named",
    )
    assert result.exit_code == 0, result.output
    assert "Feedback round 1 on concept-v1 version 1: open" in result.output
    assert "1 recipient(s)" in result.output
    assert "Reminder at 2021-05-24 12:00" in result.output
    assert "Answers carry names for colleagues." in result.output
    due = attended.run("feedback", "due")
    assert "Your feedback, please" in due.output  # Kevin reads English
    overlap = attended.run("feedback", "open", "concept-v1", "--closes", "2021-06-10 17:00")
    assert overlap.exit_code == 1
    bad_time = attended.run("feedback", "open", "concept-v1", "--closes", "ergens in juni")
    assert bad_time.exit_code == 2
    unknown = attended.run("feedback", "open", "onbekend", "--closes", "2021-06-10 17:00")
    assert unknown.exit_code == 3
    no_round = attended.run("feedback", "close", "9")
    assert no_round.exit_code == 3
    wrong = attended.run(
        "feedback", "respond", "1", "kevin@example.org", "--opinion", "visie=misschien"
    )
    assert wrong.exit_code == 2
    assert "choose agree, partly or disagree" in wrong.stderr
    args = attended.run("feedback", "dispose", "1")
    assert args.exit_code == 2


def test_feedback_speaks_dutch(opened: Organiser) -> None:
    result = at(opened, "2021-05-28 10:00").run("feedback", "rounds", lang="nl")
    assert "gereageerd" in result.output
    assert " open " in result.output
    draft = opened.run("feedback", "draft", "concept-v1.md", "--key", "reactie", lang="nl")
    assert "is gelijk aan versie 1; er is niets opgeslagen" in draft.output


# --- report ---------------------------------------------------------------------------------


def test_the_report_is_pseudonymous_unless_asked(opened: Organiser) -> None:
    organiser = at(opened, "2021-05-29 10:00")
    assert (
        organiser.run(
            "feedback",
            "respond",
            "1",
            "noor.voorbeeld@example.org",
            "--opinion",
            "visie=agree",
            "--comment",
            "visie=Mooi zo.",
            "--may-be-named",
        ).exit_code
        == 0
    )
    assert organiser.run("groups", "form", "--session", "ochtend").exit_code == 0
    public = organiser.run("report", "rapport")
    assert public.exit_code == 0, public.output
    assert "For publication: no personal data." in public.output
    folder = organiser.directory / "rapport"
    names = sorted(path.name for path in folder.iterdir())
    assert {"report.md", "report.html", "report-input.csv"} <= set(names)
    everything = "".join(path.read_text("utf-8-sig") for path in folder.iterdir())
    for person in ("Noor", "Daan", "Sem", "Iris", *ATTENDED, "iris.vandijk@example.org"):
        assert person not in everything, person
    assert "Jongeren willen zelf gehoord worden" in everything
    input_csv = (folder / "report-input.csv").read_text("utf-8-sig")
    assert "'=SOM(1,2)" in input_csv
    assert ",=SOM" not in input_csv
    named = organiser.run("report", "genoemd", "--names")
    assert "only people who agreed to it are named" in named.output
    markdown = (organiser.directory / "genoemd" / "report.md").read_text("utf-8")
    assert "Noor Voorbeeld" in markdown  # she agreed to be named with her response
    assert "Daan de Vries" not in markdown
    internal = organiser.run("report", "intern", "--internal", "--name", "intern")
    assert internal.exit_code == 0
    assert "contains personal data; do not publish" in internal.stderr
    assert (organiser.directory / "intern" / "intern.md").is_file()
    both = organiser.run("report", "x", "--names", "--internal")
    assert both.exit_code == 2


def test_the_report_speaks_the_output_language(opened: Organiser) -> None:
    result = opened.run("report", "rapport", lang="nl")
    assert "Voor publicatie: zonder persoonsgegevens." in result.output
    markdown = (opened.directory / "rapport" / "report.md").read_text("utf-8")
    assert "Inbreng per centrale vraag" in markdown
    english = opened.run("report", "report", lang="en")
    assert "Input per central question" in (opened.directory / "report" / "report.md").read_text(
        "utf-8"
    )
    assert english.exit_code == 0


def test_feedback_and_report_run_as_a_process(opened: Organiser) -> None:
    done = at(opened, "2021-05-28 10:00").process("feedback", "due", "post")
    assert done.returncode == 0, done.stderr
    assert "3 message(s) written" in done.stdout
    report = opened.process("report", "rapport", lang="nl")
    assert report.returncode == 0, report.stderr
    assert (opened.directory / "rapport" / "report.html").is_file()


def test_decisions_from_a_file_with_mistakes_record_nothing(opened: Organiser) -> None:
    organiser = at(opened, "2021-05-29 10:00")
    for who in ATTENDED[:2]:
        assert (
            organiser.run(
                "feedback", "respond", "1", who, "--comment", "visie=Anders graag."
            ).exit_code
            == 0
        )
    assert organiser.run("feedback", "close", "1").exit_code == 0
    empty = organiser.run("feedback", "comments", "1")
    assert "(general)" not in empty.output
    assert empty.output.count("Anders graag.") == 2
    organiser.write(
        "besluiten.csv",
        "from,section,outcome,reason\n"
        "noor.voorbeeld@example.org,visie,misschien,\n"
        "daan.devries@example.org,visie,not-adopted,\n"
        "sem.bakker@example.org,visie,,\n",
    )
    result = organiser.run("feedback", "dispose", "1", "--file", "besluiten.csv")
    assert result.exit_code == 1
    assert "besluiten.csv:2: 'misschien': choose adopted, partly-adopted or not-adopted" in (
        result.stderr
    )
    assert "besluiten.csv:3: a comment that is not adopted needs a reason" in result.stderr
    with organiser.app() as app:
        assert app.dispositions(1) == []
    organiser.write("kolommen.csv", "from,outcome\nnoor.voorbeeld@example.org,adopted\n")
    columns = organiser.run("feedback", "dispose", "1", "--file", "kolommen.csv")
    assert columns.exit_code == 2
    assert "has no section column" in columns.stderr
    wrong = organiser.run("feedback", "dispose", "1", "noor.voorbeeld@example.org", "ja")
    assert wrong.exit_code == 2
    assert "choose adopted, partly-adopted or not-adopted" in wrong.stderr
    general = organiser.run("feedback", "dispose", "1", "noor.voorbeeld@example.org", "adopted")
    assert general.exit_code == 3, general.output  # she made no general comment
    assert "did not make a general comment in this round" in general.stderr


def test_empty_lists_say_so(attended: Organiser) -> None:
    assert "No drafts yet." in attended.run("feedback", "drafts").output
    assert "No feedback rounds yet." in attended.run("feedback", "rounds").output
    assert attended.run("feedback", "draft", "concept-v1.md").exit_code == 0
    assert attended.run("feedback", "open", "concept-v1", "--closes", "2021-06-04").exit_code == 0
    assert "No comments in round 1." in attended.run("feedback", "comments", "1").output


def test_a_line_break_never_becomes_a_mail_header() -> None:
    from participatie import Event, HelpDesk
    from participatie.cli.feedback import _email_file
    from participatie.exceptions import InvalidInputError
    from participatie.feedback import FeedbackMessage, Recipient

    event = Event("e", "E", "O", HelpDesk("vraagbaak@example.org"))
    message = FeedbackMessage(
        key="participatie-round-1-x",
        recipient=Recipient("noor@example.org", "Noor"),
        round_id=1,
        event_key="e",
        subject="Uw feedback\nBcc: iedereen@example.org",
        text="Hallo",
    )
    with pytest.raises(InvalidInputError, match="line break"):
        _email_file(message, event)
