"""How long the organiser's commands take on large events (printed, never asserted).

Each step runs the installed ``participatie`` command as its own process,
the way an organiser or a cron job runs it, so the figures include starting
Python and opening the SQLite store:

* ``groups assign FILE --apply``: N people rank 3 of 4 sessions;
* ``groups form``: every session split into groups of at most 6;
* ``calendar invitations FOLDER``: one calendar file per person, each recorded
  in the privacy log;
* ``input import FILE --apply``: N contributions.

Prints one JSON object per line: the step, N, and the seconds it took.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SESSIONS = ("maandag", "dinsdag", "woensdag", "donderdag")

EVENT = """
format = 1
[event]
key = "groot"
title = "Grote bijeenkomst"
organiser = "Benchmark"
central_questions = ["Vraag een", "Vraag twee"]
[event.help_desk]
email = "vraagbaak@example.org"
[[audiences]]
key = "client"
label = "cliënt"
[[audiences]]
key = "professional"
label = "professional"
{sessions}
[store]
url = "sqlite:///groot.db"
"""

SESSION = """
[[sessions]]
key = "{key}"
title = "Sessie {key}"
start = "2030-11-{day:02d} 10:00"
end = "2030-11-{day:02d} 11:30"
online_link = "https://meet.example.org/{key}"
capacity = {capacity}
max_group_size = 6
registration_closes = "2030-10-31"
consent_required = false
"""


def command() -> list[str]:
    found = shutil.which("participatie", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "participatie"]


def write_files(folder: Path, people: int) -> None:
    capacity = people // 5  # a fifth of the people wait
    sessions = "".join(
        SESSION.format(key=key, day=4 + n, capacity=capacity) for n, key in enumerate(SESSIONS)
    )
    (folder / "participatie.toml").write_text(EVENT.format(sessions=sessions), encoding="utf-8")
    with (folder / "keuzes.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Naam", "E-mail", "Doelgroep", "Keuze 1", "Keuze 2", "Keuze 3"])
        for n in range(people):
            first = n % 4 if n % 3 else 0  # the first session is the favourite
            ranked = [SESSIONS[(first + step) % 4] for step in range(3)]
            audience = "client" if n % 4 else "professional"
            writer.writerow([f"Deelnemer {n}", f"d{n}@example.org", audience, *ranked])
    with (folder / "inbreng.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["Sessie", "Vraag", "Groep", "Doelgroep", "Inbreng"])
        for n in range(people):
            writer.writerow([SESSIONS[n % 4], 1 + n % 2, 1 + n % 9, "client", f"Inbreng {n}"])


def timed(folder: Path, *arguments: str) -> float:
    env = {
        **os.environ,
        "PARTICIPATIE_NOW": "2030-10-20 09:00",
        "PARTICIPATIE_LANG": "en",
        "PARTICIPATIE_REQUESTED_BY": "organisator@example.org",
    }
    began = time.perf_counter()
    done = subprocess.run(
        [*command(), *arguments],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed: {done.stderr or done.stdout}")
    return took


def run(people: int) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        write_files(folder, people)
        timed(folder, "event", "save")
        steps = [
            ("groups assign --apply", ("groups", "assign", "keuzes.csv", "--apply")),
            ("groups form", ("groups", "form", "--rule", "audience=spread")),
            ("calendar invitations", ("calendar", "invitations", "uit")),
            ("input import --apply", ("input", "import", "inbreng.csv", "--apply")),
        ]
        for name, arguments in steps:
            seconds = timed(folder, *arguments)
            results.append({"step": name, "people": people, "seconds": round(seconds, 2)})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, nargs="*", default=[1_000, 10_000])
    for people in parser.parse_args().people:
        for result in run(people):
            print(json.dumps(result))


if __name__ == "__main__":
    main()
