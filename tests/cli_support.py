"""Running the command line in tests: through Click's runner and as a real process.

Every test works in its own directory holding copies of the sample files in
``tests/data``, with the clock set by ``--now`` (``PARTICIPATIE_NOW``) inside
the registration window of the sample event, and the output language fixed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import attrs
from click.testing import CliRunner, Result

from participatie import Participatie
from participatie.cli import cli

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

#: Inside the sample event's registration window (3-14 May 2021).
NOW = "2021-05-10 12:00"
#: The organiser's address, recorded with every file that holds names.
ORGANISER = "organisator@example.org"


@attrs.define
class Organiser:
    """An organiser's working directory with the sample files, and ways to run commands there."""

    directory: Path
    env: dict[str, str | None]

    def run(self, *args: str, lang: str = "en") -> Result:
        """Run ``participatie ARGS`` through Click's runner (same process)."""
        env = {**self.env, "PARTICIPATIE_LANG": lang}
        previous = Path.cwd()
        os.chdir(self.directory)
        try:
            return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
        finally:
            os.chdir(previous)

    def process(
        self, *args: str, lang: str = "en", command: Sequence[str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the installed ``participatie`` console script as a separate process."""
        env = {name: value for name, value in os.environ.items() if name not in self.env}
        env.update({name: value for name, value in self.env.items() if value is not None})
        env["PARTICIPATIE_LANG"] = lang
        program = list(command) if command is not None else [str(BIN / "participatie")]
        return subprocess.run(
            [*program, *args],
            cwd=self.directory,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def app(self) -> Participatie:
        """The organiser's store, opened directly (to check what the commands stored)."""
        return Participatie.open(f"sqlite:///{self.directory / 'event.db'}")

    def write(self, name: str, content: str, encoding: str = "utf-8") -> Path:
        path = self.directory / name
        path.write_text(content, encoding=encoding)
        return path


def make_organiser(tmp_path: Path) -> Organiser:
    directory = tmp_path / "organiser"
    shutil.copytree(DATA, directory)
    (directory / "participatie.toml").write_text(
        (DATA / "event.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    # None: unset, so a developer's own settings cannot leak into a test.
    env: dict[str, str | None] = {
        "PARTICIPATIE_NOW": NOW,
        "PARTICIPATIE_FILE": None,
        "PARTICIPATIE_STORE": None,
        # Whoever writes files with names is recorded; the tests' organiser.
        "PARTICIPATIE_REQUESTED_BY": ORGANISER,
    }
    return Organiser(directory, env)
