"""The README's command-line walkthrough runs as written, and prints what it shows.

Every ``$ command`` of the walkthrough's ``console`` blocks runs, in order, in
a fresh directory laid out like the repository (``examples/`` beside
``demo-output/``). The lines shown under a command must appear in its output,
in that order (runs of spaces may differ; ``...`` stands for lines or text
left out). So the walkthrough cannot drift from what the command does.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import attrs

from tests.cli_support import BIN, ROOT

README = ROOT / "README.md"


@attrs.frozen
class Step:
    command: str
    shown: tuple[str, ...]


def walkthrough() -> list[Step]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Five minutes with the command line", 1)[1].split("\n## ", 1)[0]
    steps: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section, re.DOTALL):
        command: str | None = None
        shown: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    steps.append(Step(command, tuple(shown)))
                command, shown = line[2:], []
            else:
                shown.append(line)
        if command is not None:
            steps.append(Step(command, tuple(shown)))
    return steps


def _squeeze(line: str) -> str:
    return " ".join(line.split())


def _pattern(shown: str) -> re.Pattern[str]:
    parts = [re.escape(_squeeze(part)) for part in shown.split("...")]
    return re.compile(r"\s?.*?\s?".join(parts))


def assert_shown(step: Step, output: str) -> None:
    lines = [_squeeze(line) for line in output.splitlines()]
    position = 0
    for shown in step.shown:
        if shown.strip() == "...":
            continue
        pattern = _pattern(shown)
        for index in range(position, len(lines)):
            if pattern.fullmatch(lines[index]):
                position = index + 1
                break
        else:
            raise AssertionError(f"{step.command!r} did not print {shown!r}; it printed:\n{output}")


def test_the_walkthrough_has_the_steps_an_organiser_needs() -> None:
    commands = [step.command for step in walkthrough()]
    for needed in (
        "participatie check",
        "participatie event save",
        "participatie import registrations aanmeldingen.csv",
        "participatie places",
        "participatie cancel",
        "accept",
        "participatie register",
        "participatie history",
        "participatie groups form",
        "participatie groups explain",
        "participatie groups zoom",
        "participatie groups freeze",
        "participatie calendar invitations",
        "participatie calendar feed",
    ):
        assert any(needed in command for command in commands), needed


def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    cwd = tmp_path
    env = {name: value for name, value in os.environ.items() if not name.startswith("PARTICIPATIE")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    ran = 0
    for step in walkthrough():
        words = shlex.split(step.command)
        if words[0] == ".":  # activating the virtual environment: PATH is set already
            continue
        if words[0] == "cd":
            cwd = (cwd / words[1]).resolve()
            continue
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            env[name] = value
            continue
        done = subprocess.run(
            ["bash", "-c", step.command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode in {0, 1}, (step.command, done.stdout, done.stderr)
        assert_shown(step, done.stdout + done.stderr)
        ran += 1
    assert ran >= 12
    # What the walkthrough promised is there: the follow-up file and a list for a spreadsheet.
    follow_up = (cwd / "follow-up.csv").read_text(encoding="utf-8-sig")
    assert "kees.jacobs@example" in follow_up
    ochtend = (cwd / "ochtend.csv").read_text(encoding="utf-8")
    assert "Ruben Mulder" in ochtend
    assert (cwd / "participatie.db").is_file()
    # The groups and calendars it wrote are there, and say what it showed.
    zoom = (cwd / "zoom-ochtend.csv").read_text(encoding="utf-8").splitlines()
    assert zoom[0] == "Pre-assign Room Name,Email Address"
    assert len(zoom) == 1 + 8
    invitations = (cwd / "invitations" / "index.csv").read_text(encoding="utf-8-sig")
    assert "sophie.deboer@example.org" in invitations
    assert "cancellation" in invitations
    assert b"METHOD:CANCEL" in (cwd / "invitations" / "clienten-ochtend-7.ics").read_bytes()
    assert (cwd / "calendar" / "week-van-reflectie-professional.ics").is_file()
    assert not (ROOT / "examples" / "walkthrough" / "participatie.db").exists()


def test_a_wrong_line_is_noticed() -> None:
    step = Step("x", ("Imported: 21 registration(s).",))
    try:
        assert_shown(step, "Imported: 20 registration(s).\n")
    except AssertionError:
        return
    raise AssertionError("a line that differs was not noticed")
