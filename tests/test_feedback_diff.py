"""What changed between versions: word diffs that lose nothing, and safe renderings."""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from participatie import ChangeKind, DraftVersion, Section
from participatie.feedback.diff import compare_versions, escape_markdown, word_diff

prose = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=80
)


@given(prose, prose)
def test_word_diff_loses_nothing(old: str, new: str) -> None:
    segments = word_diff(old, new)
    assert "".join(s.text for s in segments if s.op != "insert") == old
    assert "".join(s.text for s in segments if s.op != "delete") == new
    assert all(s.text for s in segments)
    assert all(a.op != b.op for a, b in itertools.pairwise(segments))
    if old == new:
        assert all(s.op == "equal" for s in segments)


def test_a_change_reads_as_one_change() -> None:
    segments = word_diff("De cliënt heeft inspraak.", "De jongere en de ouder hebben inspraak.")
    assert [(s.op, s.text) for s in segments] == [
        ("equal", "De "),
        ("delete", "cliënt heeft"),
        ("insert", "jongere en de ouder hebben"),
        ("equal", " inspraak."),
    ]


def _versions(old: list[Section], new: list[Section]) -> tuple[DraftVersion, DraftVersion]:
    return DraftVersion("d", 1, old), DraftVersion("d", 2, new)


def test_sections_are_matched_by_key_not_position() -> None:
    old, new = _versions(
        [Section("a", "Een."), Section("b", "Twee."), Section("c", "Drie.", heading="Kop")],
        [
            Section("b", "Twee."),
            Section("a", "Een, anders."),
            Section("c", "Drie.", heading="Nieuw"),
        ],
    )
    changes = compare_versions(old, new)
    assert [(c.key, c.kind) for c in changes] == [
        ("b", ChangeKind.UNCHANGED),
        ("a", ChangeKind.CHANGED),
        ("c", ChangeKind.CHANGED),
    ]
    assert changes[1].as_text() == "Een{+, anders+}."
    assert changes[2].heading_changed
    assert changes[2].label == "Nieuw"


def test_added_and_removed_sections() -> None:
    old, new = _versions([Section("weg", "Oud.")], [Section("nieuw", "Nieuw.", heading="Kop")])
    added, removed = compare_versions(old, new)
    assert (added.kind, added.as_text(), added.old) == (ChangeKind.ADDED, "{+Nieuw.+}", None)
    assert (removed.kind, removed.as_text(), removed.new) == (ChangeKind.REMOVED, "[-Oud.-]", None)
    assert removed.label == "weg"
    assert added.as_markdown() == "**Nieuw.**"
    assert removed.as_markdown() == "~~Oud.~~"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


section_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Cf", "Zl", "Zp"]) | st.just("\n"),
    max_size=80,
).filter(str.strip)


@given(section_text, section_text)
def test_html_diff_escapes_everything(old: str, new: str) -> None:
    old_v, new_v = _versions([Section("s", old)], [Section("s", new)])
    [change] = compare_versions(old_v, new_v)
    parser = _Collect()
    parser.feed(change.as_html())
    parser.close()
    assert set(parser.tags) <= {"del", "ins"}
    assert "".join(parser.text) == "".join(s.text for s in change.segments)


def test_markdown_shows_text_as_written() -> None:
    hostile = "# kop\n- lijst\n1. punt\n<script>x</script> *vet* [link](javascript:x) `code` | pijp"
    escaped = escape_markdown(hostile)
    assert "<script>" not in escaped
    assert "\\<script\\>" in escaped
    assert escaped.splitlines()[0] == "\\# kop"
    assert escaped.splitlines()[1] == "\\- lijst"
    assert escaped.splitlines()[2] == "1\\. punt"
    assert "\\*vet\\*" in escaped
    assert "\\[link\\]" in escaped
    assert "\\|" in escaped
    # Ordinary sentences stay readable.
    assert escape_markdown("Het kan beter - echt waar.") == "Het kan beter - echt waar."
