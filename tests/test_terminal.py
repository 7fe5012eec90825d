"""Progress bars: drawn on a terminal, never in a pipe.

The import is run as a real process twice: once with a pseudo-terminal
(:mod:`pty`) as its standard output and error, as when an organiser types the
command, and once with pipes, as in a script or a cron job.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import BIN, Organiser, make_organiser

pty = pytest.importorskip("pty")  # not on Windows

ROWS = 3000
# Click draws "[####----]  1234/3000" on one line, redrawn after a carriage return.
BAR = re.compile(rf"\[[#-]+\]\s+\d+/{ROWS}")


@pytest.fixture
def organiser(tmp_path: Path) -> Organiser:
    organiser = make_organiser(tmp_path)
    assert organiser.run("event", "save").exit_code == 0
    rows = [
        f"2021-05-0{3 + n % 5} 10:00,Deelnemer {n},deelnemer{n}@example.org,client,ochtend,yes"
        for n in range(ROWS)
    ]
    organiser.write(
        "groot.csv", "Timestamp,Name,Email,Audience,Session,Consent\n" + "\n".join(rows)
    )
    return organiser


def environment(organiser: Organiser) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PARTICIPATIE")}
    env.update({name: value for name, value in organiser.env.items() if value is not None})
    env["PARTICIPATIE_LANG"] = "en"
    env["TERM"] = "xterm"
    return env


def run_in_terminal(command: list[str], organiser: Organiser) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as stdin, stdout and stderr."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=organiser.directory,
        env=environment(organiser),
        close_fds=True,
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


COMMAND = ["import", "registrations", "groot.csv", "--summary"]


def test_the_progress_bar_appears_on_a_terminal(organiser: Organiser) -> None:
    code, output = run_in_terminal([str(BIN / "participatie"), *COMMAND], organiser)
    assert code == 0, output
    assert BAR.search(output), output[-2000:]
    assert f"{ROWS}/{ROWS}" in output
    assert "\r" in output.replace("\r\n", "")  # redrawn in place
    assert "To add (3000):" in output


def test_no_progress_bar_in_a_pipe(organiser: Organiser) -> None:
    done = subprocess.run(
        [str(BIN / "participatie"), *COMMAND],
        cwd=organiser.directory,
        env=environment(organiser),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "To add (3000):" in done.stdout
    assert done.stderr == ""  # not a bar, not even its label
    assert not BAR.search(done.stdout)
    assert "\r" not in done.stdout


def test_python_m_draws_it_too(organiser: Organiser) -> None:
    code, output = run_in_terminal([sys.executable, "-m", "participatie", *COMMAND], organiser)
    assert code == 0, output
    assert BAR.search(output)


def test_a_large_assignment_shows_progress_on_a_terminal_only(organiser: Organiser) -> None:
    assert organiser.run("-f", "week.toml", "event", "save").exit_code == 0
    days = ("maandag", "dinsdag")
    rows = [
        f"Deelnemer {n},d{n}@example.org,client,{days[n % 2]},{days[1 - n % 2]}"
        for n in range(ROWS)
    ]
    organiser.write("keuzes.csv", "Naam,E-mail,Doelgroep,Keuze 1,Keuze 2\n" + "\n".join(rows))
    command = [str(BIN / "participatie"), "-f", "week.toml", "groups", "assign", "keuzes.csv"]
    code, output = run_in_terminal(command, organiser)
    assert code == 0, output
    assert BAR.search(output), output[-2000:]
    assert "6 placed" in output
    piped = subprocess.run(
        command,
        cwd=organiser.directory,
        env=environment(organiser),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    assert not BAR.search(piped.stdout)
    assert f"{ROWS - 6} on the waiting list" in piped.stdout
