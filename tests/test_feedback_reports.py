"""Reports: the figures, the privacy rule, and formats that cannot be turned on their reader."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participatie import (
    CLIENT,
    EXPERT_BY_EXPERIENCE,
    PROFESSIONAL,
    Contribution,
    DispositionOutcome,
    Draft,
    FeedbackReport,
    FixedClock,
    Opinion,
    Participatie,
    ReportOptions,
    SectionResponse,
    write_report,
)
from participatie.feedback import neutralise_cell, to_csv, to_html, to_markdown
from participatie.feedback.reports import build_report

from .feedback_data import (
    ANNEMIEK,
    BRAM,
    CHANTAL,
    DAAN,
    EVENT,
    SESSION,
    at,
    dialogue_event,
    meeting_held,
    sections_v1,
    sections_v2,
)

OPENS = at(2021, 5, 28, 9, 0)
CLOSES = at(2021, 6, 4, 17, 0)
NAMES = ("Annemiek Voorbeeld", "Bram Voorbeeld", "Chantal Voorbeeld", "Daan Voorbeeld")
EMAILS = (ANNEMIEK, BRAM, CHANTAL, DAAN)
HOSTILE = '=HYPERLINK("https://evil.example","klik")'


@pytest.fixture
def app(participatie_app: Participatie, participatie_clock: FixedClock) -> Participatie:
    """The meeting held, input from two groups, one concluded round, and a second version."""
    clock = participatie_clock
    app = participatie_app
    meeting_held(app, clock)
    app.record_input(
        EVENT,
        SESSION,
        "Luister naar het kind.",
        question=1,
        audience=CLIENT,
        group="1",
        themes=["inspraak"],
    )
    app.record_input(
        EVENT,
        SESSION,
        "Ervaringskennis inzetten.",
        question=1,
        audience=EXPERT_BY_EXPERIENCE,
        group="1",
    )
    app.record_input(
        EVENT, SESSION, HOSTILE, question=2, audience=PROFESSIONAL, group="2", themes=["-tijd"]
    )
    app.record_input(
        EVENT, SESSION, "<script>alert('x')</script> Minder wisselingen.", question=2,
        participant=BRAM, may_be_named=True, group="2",
    )  # fmt: skip
    app.record_input(EVENT, SESSION, "Meer tijd.", question=2, participant=CHANTAL, group="2")
    app.record_input(EVENT, SESSION, "Buiten de vragen.", audience=CLIENT)
    app.save_draft(Draft("reactie", EVENT, "Reactie op de consultatie"))
    app.add_draft_version("reactie", sections_v1())
    rid = app.create_round("reactie", opens_at=OPENS, closes_at=CLOSES).id
    assert rid is not None
    clock.set(OPENS + timedelta(hours=2))
    app.respond(
        rid, ANNEMIEK, may_be_named=True,
        sections=[SectionResponse("visie", Opinion.PARTLY, "+31 6 bellen", "@ouders erbij")],
    )  # fmt: skip
    clock.set(OPENS + timedelta(days=2))
    app.respond(
        rid, DAAN, general_comment="-1 for this",
        sections=[
            SectionResponse("visie", Opinion.AGREE), SectionResponse("nodig", Opinion.DISAGREE)
        ],
    )  # fmt: skip
    clock.set(CLOSES)
    app.record_disposition(rid, ANNEMIEK, "visie", DispositionOutcome.ADOPTED)
    app.record_disposition(rid, DAAN, None, DispositionOutcome.NOT_ADOPTED, "=Geen wijziging")
    app.add_draft_version("reactie", sections_v2())
    app.conclude_round(rid, 2)
    return app


GROUPS = {SESSION: {"1": [ANNEMIEK, BRAM], "2": [CHANTAL, DAAN, "esra@example.org"]}}


def _report(app: Participatie, **options: object) -> FeedbackReport:
    return app.feedback_report(EVENT, groups=GROUPS, options=ReportOptions(**options))  # type: ignore[arg-type]


def _everything(report: FeedbackReport) -> str:
    return to_markdown(report) + to_html(report) + "".join(to_csv(report).values())


# --- figures -------------------------------------------------------------------------------


def test_input_per_question_audience_session_group_and_theme(app: Participatie) -> None:
    report = _report(app)
    q1, q2, q3, other = report.questions
    assert (q1.number, q1.total, q3.total, other.number, other.total) == (1, 2, 0, None, 1)
    assert [(c.key, c.count) for c in q1.by_perspective] == [("clients-and-experts", 2)]
    assert [(c.label, c.count) for c in q2.by_perspective] == [
        ("professionals", 2),
        ("clients and experts by experience", 1),
    ]
    assert [(c.label, c.count) for c in q2.by_audience] == [
        ("professional", 2),
        ("ervaringsdeskundige", 1),
    ]
    assert [(c.key, c.count) for c in q2.by_group] == [("2", 3)]
    assert [(c.key, c.count) for c in q2.by_theme] == [("-tijd", 1)]
    assert [(c.label, c.count) for c in q2.by_session] == [("Online dialoogbijeenkomst", 3)]
    assert report.input_total == 6


def test_round_figures(app: Participatie) -> None:
    [summary] = _report(app).rounds
    assert (summary.recipients, summary.responded, summary.version, summary.next_version) == (
        4,
        2,
        1,
        2,
    )
    assert summary.response_rate == 0.5
    assert [p.responded for p in summary.rate] == [0, 1, 2, 2]
    visie = next(a for a in summary.agreement if a.section == "visie")
    assert (visie.agree, visie.partly, visie.disagree, visie.no_opinion) == (1, 1, 0, 0)
    assert [(c.section, c.outcome) for c in summary.comments] == [
        ("Visie", "adopted"),
        (None, "not-adopted"),
    ]
    assert {c.key: c.kind.value for c in summary.changes}["visie"] == "changed"


def test_attendance_and_groups(app: Participatie) -> None:
    [session] = _report(app).attendance
    assert (session.places, session.attended, session.no_show, session.not_recorded) == (5, 4, 1, 0)
    one, two = session.groups
    assert (one.key, one.size, one.attended, one.organisations) == ("1", 2, 2, 1)
    assert (two.size, two.attended, two.organisations) == (3, 2, 2)
    assert one.members == ()  # publication: no names


# --- privacy --------------------------------------------------------------------------------


def test_a_published_report_holds_no_personal_data(app: Participatie) -> None:
    text = _everything(_report(app))
    for needle in (*NAMES, *EMAILS, "esra", "Raad A", "Raad B"):
        assert needle not in text


def test_names_only_with_consent(app: Participatie) -> None:
    text = _everything(_report(app, names=True))
    assert "Bram Voorbeeld" in text  # consented with his input
    assert "Annemiek Voorbeeld" in text  # consented with her response
    for needle in ("Chantal Voorbeeld", "Daan Voorbeeld", *EMAILS):
        assert needle not in text


def test_internal_report_keeps_anonymous_rounds_anonymous(app: Participatie) -> None:
    report = _report(app, for_publication=False, language="nl")
    who = [c.who for c in report.rounds[0].comments]
    assert who == ["Deelnemer 1", "Deelnemer 2"]
    assert report.attendance[0].groups[0].members == ("Annemiek Voorbeeld", "Bram Voorbeeld")
    markdown = to_markdown(report)
    assert "Interne rapportage" in markdown
    assert "Chantal Voorbeeld" in markdown  # the source of her input, for colleagues
    assert "Instemming per onderdeel" in markdown


# --- formats --------------------------------------------------------------------------------


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def test_csv_cells_never_start_a_formula(app: Participatie) -> None:
    files = to_csv(_report(app, names=True))
    assert set(files) >= {"input.csv", "comments.csv", "agreement.csv", "changes.csv", "groups.csv"}
    seen = set()
    for text in files.values():
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(_FORMULA), cell
                seen.add(cell)
    assert "'" + HOSTILE in seen
    assert "'+31 6 bellen" in seen
    assert "'@ouders erbij" in seen
    assert "'-1 for this" in seen
    assert "'=Geen wijziging" in seen
    assert "'-tijd" in seen


@given(st.text(max_size=30))
def test_neutralise_cell(text: str) -> None:
    safe = neutralise_cell(text)
    assert isinstance(safe, str)
    assert not safe.startswith(_FORMULA)
    assert safe in {text, "'" + text}
    assert neutralise_cell(-3) == -3


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _value in attrs}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


_ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "h4", "p", "br",
    "ul", "li", "span", "table", "thead", "tbody", "tr", "th", "td", "figure", "svg", "rect",
    "text", "line", "polyline", "circle", "del", "ins",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "lang", "charset", "http-equiv", "content", "name", "class", "xmlns", "width", "height",
    "viewbox", "role", "aria-label", "x", "y", "x1", "x2", "y1", "y2", "fill", "text-anchor",
    "style", "stroke", "stroke-width", "stroke-dasharray", "points", "cx", "cy", "r",
}  # fmt: skip


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_html_is_self_contained_and_escaped(app: Participatie) -> None:
    page = to_html(_report(app, names=True))
    parsed = _parse(page)
    assert parsed.tags <= _ALLOWED_TAGS
    assert parsed.attributes <= _ALLOWED_ATTRIBUTES
    assert "script" not in parsed.tags
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "default-src 'none'" in page
    for forbidden in ("src=", "href=", "<link", "url(", "@import"):
        assert forbidden not in page
    assert page.count("<svg") == 2  # agreement per section, response rate
    assert "<title>Visie: Agree 1</title>" in page


text_with_markup = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Cf", "Zl", "Zp"]),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(said=text_with_markup, comment=text_with_markup, heading=text_with_markup)
def test_no_text_becomes_markup(said: str, comment: str, heading: str) -> None:
    """Whatever participants and organisers type, the page's structure stays ours."""
    from participatie import DraftVersion, FeedbackRound, Recipient, Response, Section

    event = dialogue_event()
    contribution = Contribution(
        EVENT, SESSION, said, CLIENT, question=1, group=heading, themes=[heading], id=1
    )
    version = DraftVersion("reactie", 1, [Section("visie", said, heading=heading)])
    feedback_round = FeedbackRound(
        EVENT, "reactie", 1, OPENS, CLOSES, [Recipient(ANNEMIEK, "Annemiek")], id=1, title=heading,
    )  # fmt: skip
    response = Response(
        1,
        ANNEMIEK,
        [SectionResponse("visie", Opinion.DISAGREE, comment, said)],
        comment,
        submitted_at=OPENS,
    )
    report = build_report(
        event,
        contributions=[contribution],
        registrations=[],
        rounds=[(feedback_round, heading, {1: version})],
        responses={1: [response]},
        dispositions={},
        now=CLOSES,
        options=ReportOptions(for_publication=False),
    )
    parsed = _parse(to_html(report))
    assert parsed.tags <= _ALLOWED_TAGS
    assert parsed.attributes <= _ALLOWED_ATTRIBUTES
    data = "".join(parsed.text)
    for text in (said.strip(), " ".join(comment.split())[:10]):
        assert " ".join(text.split())[:10] in " ".join(data.split())
    markdown = to_markdown(report)
    for line in markdown.splitlines():
        assert "<" not in line.replace("\\<", "")


def test_write_report(app: Participatie, tmp_path: Path) -> None:
    written = write_report(_report(app, language="nl"), tmp_path / "out", name="dialoog")
    names = [path.name for path in written]
    assert names[:2] == ["dialoog.md", "dialoog.html"]
    assert "dialoog-comments.csv" in names
    raw = (tmp_path / "out" / "dialoog-input.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a byte-order mark
    assert "Inbreng per centrale vraag" in (tmp_path / "out" / "dialoog.md").read_text(
        encoding="utf-8"
    )
