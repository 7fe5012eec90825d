"""The event description file: reading it, and finding the line of every key.

``tests/test_cli.py`` checks what ``participatie check`` prints for a file
with every kind of problem; here the reader itself is tried, and the line
scanner is checked against generated TOML documents whose lines are known.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participatie import EventFileError, WaitingListPolicy, load_event_file, parse_datetime
from participatie._toml_lines import line_of, locate
from participatie.event_file import FORMAT, PLACEHOLDERS, read_event_file
from tests.cli_support import DATA, ROOT

# --- the line scanner ----------------------------------------------------------------

_KEY = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_QUOTED_KEY = st.sampled_from(['"two words"', '"é"', "'lit.eral'", '"a\\"b"'])


def _decoded(key: str) -> str:
    return str(tomllib.loads(f"{key} = 1").popitem()[0]) if key[0] in "\"'" else key


_SCALARS = st.sampled_from(
    [
        "1",
        "-3_000",
        "1.5",
        "true",
        '"text with # and = and ]"',
        "'literal \\ no escape'",
        '"escaped \\" quote"',
        "2021-05-21T10:00:00",
        "2021-05-21",
        "1979-05-27 07:32:00Z",
    ]
)


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[tuple[tuple[object, ...], int]]]:
    """TOML value text, and the (relative path, line offset) of every element in it."""
    kind = draw(
        st.sampled_from(["scalar", "multiline", "array", "inline"] if depth < 2 else ["scalar"])
    )
    if kind == "scalar":
        return draw(_SCALARS), []
    if kind == "multiline":
        body = draw(
            st.sampled_from(['"""\nline [one] = #\n  two\n"""', "'''\n[x]\n'''", '"""a""""'])
        )
        return body, []
    if kind == "inline":
        keys = draw(st.lists(_KEY, min_size=0, max_size=3, unique=True))
        parts, children = [], []
        for key in keys:
            text, nested = draw(values(depth + 1).filter(lambda v: "\n" not in v[0]))
            parts.append(f"{key} = {text}")
            children.append(((key,), 0))
            children += [((key, *path), offset) for path, offset in nested]
        return "{ " + ", ".join(parts) + " }", children
    count = draw(st.integers(0, 4))
    multiline = draw(st.booleans())
    parts, children = [], []
    offset = 1 if multiline else 0
    for index in range(count):
        text, nested = draw(values(depth + 1))
        children.append(((index,), offset))
        children += [((index, *path), offset + extra) for path, extra in nested]
        comment = "  # note" if multiline and draw(st.booleans()) else ""
        parts.append(text + "," + comment if multiline else text)
        offset += text.count("\n") + (1 if multiline else 0)
    if multiline:
        return "[\n" + "\n".join("    " + part for part in parts) + "\n]", children
    return "[" + ", ".join(parts) + "]", children


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict[tuple[object, ...], int]]:
    """A TOML document and the line of every key, table and array element in it."""
    chunks: list[str] = []
    expected: dict[tuple[object, ...], int] = {}

    def line() -> int:
        return sum(chunk.count("\n") + 1 for chunk in chunks) + 1

    def pairs(table: tuple[object, ...]) -> None:
        for key in draw(st.lists(st.one_of(_KEY, _QUOTED_KEY), max_size=3, unique_by=_decoded)):
            if draw(st.booleans()):
                chunks.append(draw(st.sampled_from(["", "# comment", "   # indented comment"])))
            at = line()
            text, children = draw(values())
            path = (*table, _decoded(key))
            expected[path] = at
            for child, offset in children:
                expected[(*path, *child)] = at + offset
            chunks.append(f"{key} = {text}")

    pairs(())
    names = draw(st.lists(_KEY.map(lambda key: "t_" + key), max_size=3, unique=True))
    for name in names:
        if draw(st.booleans()):
            for index in range(draw(st.integers(1, 3))):
                expected[(name, index)] = line()
                chunks.append(f"[[{name}]]")
                pairs((name, index))
                if draw(st.booleans()):
                    expected[(name, index, "sub")] = line()
                    chunks.append(f"[ {name} . sub ]  # a sub-table")
                    pairs((name, index, "sub"))
        else:
            expected[(name,)] = line()
            chunks.append(f"[{name}]")
            pairs((name,))
    return "\n".join(chunks) + "\n", expected


@settings(max_examples=300)
@given(documents())
def test_the_scanner_finds_the_line_of_everything(
    document: tuple[str, dict[tuple[object, ...], int]],
) -> None:
    source, expected = document
    tomllib.loads(source)  # the generator writes valid TOML
    found = locate(source)
    for path, line in expected.items():
        assert found.get(path) == line, (path, source)


def test_a_missing_key_is_placed_at_its_table() -> None:
    lines = locate("[event]\nkey = 1\n[[sessions]]\ntitle = 'x'\n")
    assert line_of(lines, ("sessions", 0, "start")) == 3
    assert line_of(lines, ("nothing",)) is None


# --- reading a file --------------------------------------------------------------------


def test_the_sample_event_file() -> None:
    event_file = load_event_file(DATA / "event.toml")
    event = event_file.event
    assert event.key == "dialoog-2021"
    morning, afternoon = event.sessions
    # Dutch words and TOML dates mean the same instants.
    assert morning.start == parse_datetime("vrijdag 21 mei 2021 10:00")
    assert afternoon.start == parse_datetime("2021-05-21 14:00")
    assert morning.registration_closes == afternoon.registration_closes
    assert morning.registration_opens == afternoon.registration_opens
    assert morning.registration_closes == parse_datetime("2021-05-15 00:00")
    assert afternoon.waiting_list is WaitingListPolicy.NONE
    assert event_file.store_url == f"sqlite:///{(DATA / 'event.db').resolve()}"
    assert event_file.import_settings.audiences == {"Cliëntenraadslid": "client"}


def test_the_walkthrough_event_file_keeps_messages_and_channels() -> None:
    event_file = load_event_file(ROOT / "examples" / "walkthrough" / "participatie.toml")
    template = event_file.message("confirmation", "nl")
    assert template is not None
    assert template.subject == "U bent aangemeld voor de {event}"
    assert template.body is not None
    assert "{help_desk_email}" in template.body
    assert event_file.message("confirmation", "en") is None
    assert event_file.channels.enabled == ("console",)
    afternoon = event_file.event.session("clienten-middag")
    assert afternoon.offer_period == timedelta(hours=24)


def minimal(extra: str = "", session: str = "") -> str:
    return f"""
[event]
key = "e"
title = "E"
organiser = "O"
[event.help_desk]
email = "vraagbaak@example.org"
[[sessions]]
key = "s"
title = "S"
start = "2030-01-07 10:00"
end = "2030-01-07 11:00"
{session}
{extra}
"""


def test_a_minimal_file_and_its_defaults() -> None:
    event_file = read_event_file(minimal())
    session = event_file.event.sessions[0]
    assert session.capacity is None
    assert session.consent_required is True
    assert event_file.store_url is None
    assert event_file.path is None
    assert FORMAT == 1


def test_channel_options_and_store_urls(tmp_path: Path) -> None:
    text = minimal(
        '[channels]\nenabled = ["console"]\n[channels.console]\n\n[store]\nurl = "memory://"\n'
    )
    event_file = read_event_file(text)
    assert event_file.channels.options == {"console": {}}
    assert event_file.store_url == "memory://"
    path = tmp_path / "sub" / "e.toml"
    path.parent.mkdir()
    for url, expected in [
        ("sqlite:///data/e.db", f"sqlite:///{tmp_path / 'sub' / 'data' / 'e.db'}"),
        ("sqlite:////abs/e.db", "sqlite:////abs/e.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql://host/db", "postgresql://host/db"),
    ]:
        path.write_text(minimal(f'[store]\nurl = "{url}"\n'), encoding="utf-8")
        assert load_event_file(path).store_url == expected


@pytest.mark.parametrize(
    ("extra", "session", "fragment"),
    [
        ("", 'registration_opens = "maandag 31 december 2029"', None),
        ("", "registration_opens = 2029-12-30T09:00:00+01:00", None),
        ("", 'change_deadline = "zondag 6 januari 2030"', None),
        ("", "consent_required = 1", "true or false"),
        ("", "cancelled = true", None),
        ("", 'cancelled = "ja"', "true or false"),
        ("", "offer_period_hours = -1", "more than zero"),
        ("", "offer_period_hours = 2.5", None),
        ("", "start2 = 1", "unknown key"),
        ("", "registration_closes = 10:00:00", "a date and time, not a time"),
        ("", 'start = "2030-03-31 02:30"', "does not exist"),
        ("", 'place = "Zaal 2"', None),
        ("audiences = 3", "", "must be a list"),
        ("[sessions]\nkey = 's'", "", None),  # redefining sessions is a TOML error
        (
            "[[audiences]]\nkey = 'a'\nlabel = 'A'\ncolour = 1",
            "",
            "unknown key audiences[1].colour",
        ),
        ("[import]\ndelimiter = ';;'", "", "one character"),
        ("[import]\nencoding = 'klingon'", "", "klingon"),
        ("[import]\nsubmitted_at_format = '%d/%m/%Y %H:%M'\nsheet = 'Blad1'", "", None),
        ("[import.columns]\nname = 3", "", "must be text"),
        ("[import.columns]\nname = ''", "", "must not be empty"),
        ("[import.audiences]\n'x' = 'client'", "", None),
        ("[messages.nl]\n'Bad-Kind' = { subject = 'x' }", "", "message kind"),
        ("[messages.nl]\nconfirmation = 'x'", "", "must be a table"),
        ("[messages]\nnl = 'x'", "", "must be a table"),
        ("[messages.en.reminder]\nsubject = 'Tomorrow: {session} at {start}'", "", None),
        ("[messages.en.reminder]\nbody = 'Hello {'", "", "Single '{'"),
        ("[messages.en.reminder]\nbody = 'Hello {0}'", "", "as a name"),
        ("[channels]\nenabled = ['console']\nconsole = 3", "", "must be a table"),
        ("[store]\nurl = 'sqlite:///x.db'\npath = 'x'", "", "unknown key store.path"),
        ("[format]", "", "must be a whole number, not a table"),
        ("[event.extra]\nx = 1", "", "unknown key"),
    ],
)
def test_values_of_every_kind(extra: str, session: str, fragment: str | None) -> None:
    text = minimal(extra, session)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        with pytest.raises(EventFileError) as syntax:
            read_event_file(text)
        assert syntax.value.problems[0].code == "syntax"
        return
    if fragment is None:
        read_event_file(text)
        return
    with pytest.raises(EventFileError) as raised:
        read_event_file(text)
    messages = [problem.message for problem in raised.value.problems]
    assert any(fragment in message for message in messages), messages
    assert all(problem.line is not None for problem in raised.value.problems)


def test_an_event_without_sessions_or_help_desk() -> None:
    with pytest.raises(EventFileError) as raised:
        read_event_file('[event]\nkey = "e"\ntitle = "E"\norganiser = "O"\n')
    codes = {(problem.where, problem.code) for problem in raised.value.problems}
    assert codes == {("event.help_desk", "missing"), ("sessions", "no-sessions")}


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes("titel = 'café'".encode("latin-1"))
    with pytest.raises(EventFileError) as raised:
        load_event_file(path)
    assert raised.value.problems[0].line is None


def test_problems_read_in_both_languages() -> None:
    with pytest.raises(EventFileError) as raised:
        read_event_file(minimal(session="capacity = 'veel'"))
    (problem,) = raised.value.problems
    assert problem.text("en") == "sessions[1].capacity must be a whole number, not text"
    assert problem.text("nl") == "sessions[1].capacity moet een geheel getal zijn, niet tekst"
    assert str(raised.value).startswith("event file has 1 problem(s); the first: line 13")


def test_known_placeholders_include_the_basics() -> None:
    assert {"name", "event", "session", "start", "end", "link", "help_desk_email"} <= PLACEHOLDERS


def test_retention_and_guardian_consent_are_read() -> None:
    text = minimal(session="guardian_consent_below = 18").replace(
        'organiser = "O"\n', 'organiser = "O"\nretention_days = 365\n'
    )
    event_file = read_event_file(text)
    assert event_file.event.retention == timedelta(days=365)
    assert event_file.event.sessions[0].guardian_consent_below == 18
    # Unset: no retention, and the Dutch default age of 16 when consent is required.
    plain = read_event_file(minimal())
    assert plain.event.retention is None
    assert plain.event.sessions[0].guardian_consent_below == 16


def test_bad_retention_and_guardian_age_are_reported_with_their_lines() -> None:
    text = minimal(session="guardian_consent_below = 15").replace(
        'organiser = "O"\n', 'organiser = "O"\nretention_days = 0\n'
    )
    with pytest.raises(EventFileError) as caught:
        read_event_file(text)
    problems = "\n".join(str(problem) for problem in caught.value.problems)
    assert "retention_days" in problems
    assert "guardian" in problems
