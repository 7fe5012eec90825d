"""A draft version from Markdown: sections, keys, sources, and every problem with its line."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from participatie.cli._draft_file import read_draft_text
from participatie.feedback import Section

keys = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
words = st.text(alphabet=string.ascii_letters + "éëïç", min_size=1, max_size=8)
lines = st.lists(words, min_size=1, max_size=6).map(" ".join)
paragraphs = st.lists(lines, min_size=1, max_size=3).map("\n".join)
sections = st.lists(
    st.builds(
        Section,
        keys,
        st.lists(paragraphs, min_size=1, max_size=3).map("\n\n".join),
        heading=st.one_of(st.none(), lines),
        sources=st.frozensets(st.integers(1, 500), max_size=4),
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda section: section.key,
)


def render(title: str | None, found: list[Section]) -> str:
    parts = [f"# {title}\n"] if title is not None else []
    for section in found:
        parts.append(f"## {section.heading or section.key} {{#{section.key}}}")
        parts.append(section.text)
        if section.sources:
            parts.append("<!-- bronnen: " + ", ".join(map(str, sorted(section.sources))) + " -->")
        parts.append("")
    return "\n".join(parts)


@given(st.one_of(st.none(), lines), sections)
def test_what_is_written_is_read_back(title: str | None, found: list[Section]) -> None:
    read = read_draft_text(render(title, found))
    assert read.problems == ()
    assert read.title == title
    expected = [
        Section(s.key, s.text, heading=s.heading or s.key, sources=s.sources) for s in found
    ]
    assert list(read.sections) == expected


def test_keys_from_headings_deeper_headings_and_fences() -> None:
    read = read_draft_text(
        "\ufeff# Hoe het eruit moet zien\n\n"
        "# Wat nodig is\n"
        "Meer tijd.\n\n"
        "## Een detail\n"
        "Blijft in het onderdeel.\n"
        "```\n# geen kop\n```\n"
    )
    # Two level-1 headings: they are sections, not a title.
    assert read.title is None
    assert read.problems == ((1, "section 'hoe-het-eruit-moet-zien' has no text"),)
    read = read_draft_text("# Cliënten & ouders\nTekst.\n## Detail\nMeer.\n")
    assert read.title == "Cliënten & ouders"
    assert read.problems == ((2, "text before the first section: give it a heading"),)
    read = read_draft_text("# Reactie\n\n## Cliënten & ouders\nTekst.\n")
    assert read.title == "Reactie"
    assert [(s.key, s.heading) for s in read.sections] == [("clienten-ouders", "Cliënten & ouders")]


def test_every_problem_with_its_line() -> None:
    read = read_draft_text(
        "Zonder kop.\n"
        "## Visie\nTekst.\n"
        "## Visie\nNog eens.\n"
        "## Leeg {#leeg}\n"
        "## Bron\nTekst.\n<!-- sources: 3, x, 0 -->\n"
        "## Slecht {#Hoofdletters}\nTekst.\n"
    )
    assert read.sections == ()
    problems: dict[int, list[str]] = {}
    for line, problem in read.problems:
        problems.setdefault(line, []).append(problem)
    assert problems[1] == ["text before the first section: give it a heading"]
    assert problems[4] == ["section key 'visie' is used twice (first on line 2)"]
    assert problems[6] == ["section 'leeg' has no text"]
    assert problems[9] == [
        "'0' is not the number of an input (input list)",
        "'x' is not the number of an input (input list)",
    ]
    assert len(problems[10]) == 1
    assert "Hoofdletters" in problems[10][0]
    assert sorted(problems) == [1, 4, 6, 9, 10]
    assert read_draft_text("").problems == (
        (1, "no sections: start each section with a heading (## Heading)"),
    )
