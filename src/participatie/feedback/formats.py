"""A :class:`~participatie.feedback.reports.FeedbackReport` as Markdown, HTML and CSV.

* **Markdown** for reading and for pasting into a document; every piece of
  participants' text is escaped, so it shows as written and never becomes
  formatting, a link or HTML.
* **HTML**: one self-contained page (inline CSS and inline SVG charts, no
  scripts, fonts, images or links to load; a Content-Security-Policy that
  forbids loading anything) with every piece of text escaped.
* **CSV** for further work in a spreadsheet: one file per table, UTF-8 with
  a byte-order mark (so Excel reads the accents right), and every text cell
  that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) neutralised with a leading
  apostrophe.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from participatie.feedback import texts
from participatie.feedback.diff import ChangeKind, escape_markdown
from participatie.feedback.reports import Count, FeedbackReport, InputLine, RoundSummary
from participatie.feedback.rules import RatePoint, SectionAgreement
from participatie.localtime import to_local

__all__ = ["neutralise_cell", "to_csv", "to_html", "to_markdown", "write_report"]

_LABELS = {
    "en": {
        "report": "Report",
        "publication": "For publication: no personal data",
        "publication_names": (
            "For publication: people are named only where they agreed to be named"
        ),
        "internal": "Internal report for the organiser's colleagues: contains personal data",
        "organiser": "Organiser",
        "generated": "Generated",
        "attendance": "Attendance",
        "session": "Session",
        "start": "Start",
        "places": "Confirmed places",
        "attended": "Attended",
        "no_show": "No-show",
        "not_recorded": "Not recorded",
        "attended_by_audience": "Attendees per audience",
        "groups": "Groups",
        "group": "Group",
        "size": "Size",
        "organisations": "Organisations",
        "audiences": "Audiences",
        "members": "Members",
        "input": "Input per central question",
        "question": "Question {number}",
        "contributions": "contributions",
        "perspective": "Perspective",
        "audience": "Audience",
        "theme": "Theme",
        "count": "Count",
        "what_was_said": "What was said",
        "source": "Source",
        "round": "Feedback round {id}: {title}",
        "version": "Version",
        "status": "Status",
        "period": "Open",
        "recipients": "Recipients",
        "responded": "Responded",
        "rate": "Response rate",
        "anonymous": "Answers are anonymous to colleagues",
        "named": "Answers carry names for colleagues",
        "rate_over_time": "Response rate over time",
        "agreement": "Agreement per section",
        "section": "Section",
        "agree": "Agree",
        "partly": "Partly",
        "disagree": "Disagree",
        "no_opinion": "No opinion",
        "opinions": "opinions",
        "reminder": "reminder",
        "comments": "Comments and what was done with them",
        "who": "Who",
        "opinion": "Opinion",
        "comment": "Comment",
        "wording": "Suggested wording",
        "outcome": "Outcome",
        "reason": "Reason",
        "general": "(general)",
        "changes": "Changes from version {old} to version {new}",
        "no_comments": "No comments.",
        "none": "None yet.",
        "statuses": {"scheduled": "scheduled", "open": "open", "closed": "closed"},
    },
    "nl": {
        "report": "Rapportage",
        "publication": "Voor publicatie: zonder persoonsgegevens",
        "publication_names": (
            "Voor publicatie: alleen wie daarmee instemde, wordt bij naam genoemd"
        ),
        "internal": "Interne rapportage voor collega's: bevat persoonsgegevens",
        "organiser": "Organisator",
        "generated": "Gemaakt",
        "attendance": "Aanwezigheid",
        "session": "Sessie",
        "start": "Begin",
        "places": "Bevestigde plaatsen",
        "attended": "Aanwezig",
        "no_show": "Afwezig",
        "not_recorded": "Niet vastgelegd",
        "attended_by_audience": "Aanwezigen per doelgroep",
        "groups": "Groepen",
        "group": "Groep",
        "size": "Grootte",
        "organisations": "Organisaties",
        "audiences": "Doelgroepen",
        "members": "Leden",
        "input": "Inbreng per centrale vraag",
        "question": "Vraag {number}",
        "contributions": "bijdragen",
        "perspective": "Perspectief",
        "audience": "Doelgroep",
        "theme": "Thema",
        "count": "Aantal",
        "what_was_said": "Wat er gezegd is",
        "source": "Bron",
        "round": "Feedbackronde {id}: {title}",
        "version": "Versie",
        "status": "Stand",
        "period": "Open",
        "recipients": "Gevraagd",
        "responded": "Gereageerd",
        "rate": "Respons",
        "anonymous": "Reacties zijn anoniem voor collega's",
        "named": "Reacties staan op naam voor collega's",
        "rate_over_time": "Respons in de tijd",
        "agreement": "Instemming per onderdeel",
        "section": "Onderdeel",
        "agree": "Eens",
        "partly": "Deels",
        "disagree": "Oneens",
        "no_opinion": "Geen oordeel",
        "opinions": "oordelen",
        "reminder": "herinnering",
        "comments": "Opmerkingen en wat ermee gedaan is",
        "who": "Wie",
        "opinion": "Oordeel",
        "comment": "Opmerking",
        "wording": "Tekstvoorstel",
        "outcome": "Besluit",
        "reason": "Reden",
        "general": "(algemeen)",
        "changes": "Wijzigingen van versie {old} naar versie {new}",
        "no_comments": "Geen opmerkingen.",
        "none": "Nog geen.",
        "statuses": {"scheduled": "gepland", "open": "open", "closed": "gesloten"},
    },
}

_COLOURS = {"agree": "#2e7d32", "partly": "#f9a825", "disagree": "#c62828", "no_opinion": "#bdbdbd"}


def _labels(report: FeedbackReport) -> Mapping[str, object]:
    return _LABELS[report.options.language]


def _l(report: FeedbackReport, key: str, **values: object) -> str:
    text = _labels(report)[key]
    assert isinstance(text, str)
    return text.format(**values) if values else text


def _when(report: FeedbackReport, instant: datetime) -> str:
    return to_local(instant, report.timezone).strftime("%Y-%m-%d %H:%M")


def _status(report: FeedbackReport, summary: RoundSummary) -> str:
    statuses = _labels(report)["statuses"]
    assert isinstance(statuses, dict)
    return str(statuses[summary.status.value])


def _privacy_note(report: FeedbackReport) -> str:
    if not report.options.for_publication:
        return _l(report, "internal")
    return _l(report, "publication_names" if report.options.names else "publication")


def _opinion(report: FeedbackReport, value: str | None) -> str:
    return texts.OPINION_LABELS[report.options.language][value]


def _outcome(report: FeedbackReport, value: str | None) -> str:
    return texts.OUTCOME_LABELS[report.options.language][value]


def _tags(report: FeedbackReport, line: InputLine) -> list[str]:
    """Where a contribution came from, in a few words: perspective, session
    (when there are several), group, themes and (where allowed) its source."""
    tags = [line.perspective]
    if len(report.attendance) > 1:
        tags.append(line.session)
    if line.group:
        # A bare number ("2") reads as "group 2"; a name ("Groep Noord") as itself.
        tags.append(
            f"{_l(report, 'group').lower()} {line.group}" if line.group.isdigit() else line.group
        )
    if line.themes:
        tags.append(", ".join(line.themes))
    if line.source:
        tags.append(line.source)
    return tags


def _counts_text(counts: Iterable[Count]) -> str:
    return ", ".join(f"{count.label}: {count.count}" for count in counts)


# --- Markdown ------------------------------------------------------------------


def _md(text: str | None) -> str:
    """Escaped for a table cell or a list item: one line, no formatting."""
    if text is None:
        return ""
    return escape_markdown(" ".join(text.split()))


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = [
        "| " + " | ".join(_md(cell) for cell in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(_md(str(cell)) for cell in row) + " |")
    return [*lines, ""]


def to_markdown(report: FeedbackReport) -> str:
    """The report as Markdown."""
    lines = [
        f"# {_md(report.event_title)}",
        "",
        f"{_md(_l(report, 'report'))}. {_md(_privacy_note(report))}.",
        "",
        f"- {_l(report, 'organiser')}: {_md(report.organiser)}",
        f"- {_l(report, 'generated')}: {_when(report, report.generated_at)} ({report.timezone})",
        "",
        f"## {_l(report, 'attendance')}",
        "",
    ]
    lines += _md_table(
        [
            _l(report, "session"),
            _l(report, "start"),
            _l(report, "places"),
            _l(report, "attended"),
            _l(report, "no_show"),
            _l(report, "not_recorded"),
            _l(report, "attended_by_audience"),
        ],
        [
            (
                s.title,
                _when(report, s.start),
                s.places,
                s.attended,
                s.no_show,
                s.not_recorded,
                _counts_text(s.by_audience),
            )
            for s in report.attendance
        ],
    )
    for session in report.attendance:
        if not session.groups:
            continue
        lines += [f"### {_l(report, 'groups')}: {_md(session.title)}", ""]
        header = [
            _l(report, "group"),
            _l(report, "size"),
            _l(report, "attended"),
            _l(report, "audiences"),
            _l(report, "organisations"),
        ]
        if not report.options.for_publication:
            header.append(_l(report, "members"))
        rows = []
        for group in session.groups:
            row: list[object] = [
                group.key,
                group.size,
                group.attended,
                _counts_text(group.by_audience),
                group.organisations,
            ]
            if not report.options.for_publication:
                row.append(", ".join(group.members))
            rows.append(row)
        lines += _md_table(header, rows)
    lines += [f"## {_l(report, 'input')}", ""]
    for question in report.questions:
        title = (
            question.question
            if question.number is None
            else f"{_l(report, 'question', number=question.number)}: {question.question}"
        )
        lines += [
            f"### {_md(title)}",
            "",
            f"{question.total} {_l(report, 'contributions')}.",
            "",
        ]
        if not question.total:
            continue
        lines += _md_table(
            [_l(report, "perspective"), _l(report, "count")],
            [(c.label, c.count) for c in question.by_perspective],
        )
        for name, counts in (
            ("audience", question.by_audience),
            ("session", question.by_session),
            ("group", question.by_group),
            ("theme", question.by_theme),
        ):
            if counts:
                lines += [f"- {_l(report, name)}: {_md(_counts_text(counts))}"]
        lines += ["", f"**{_l(report, 'what_was_said')}**", ""]
        for line in question.lines:
            lines.append(f"- {_md(line.text)} _({_md('; '.join(_tags(report, line)))})_")
        lines.append("")
    for summary in report.rounds:
        lines += _round_markdown(report, summary)
    return "\n".join(lines).rstrip("\n") + "\n"


def _round_markdown(report: FeedbackReport, summary: RoundSummary) -> list[str]:
    lines = [
        f"## {_md(_l(report, 'round', id=summary.round_id, title=summary.title))}",
        "",
        f"- {_l(report, 'version')}: {summary.version}"
        + ("" if summary.next_version is None else f" \u2192 {summary.next_version}"),
        f"- {_l(report, 'status')}: {_status(report, summary)}",
        f"- {_l(report, 'period')}: {_when(report, summary.opens_at)} \u2013 "
        f"{_when(report, summary.closing_time)}",
        f"- {_l(report, 'responded')}: {summary.responded} / {summary.recipients} "
        f"({summary.response_rate:.0%})",
        f"- {_l(report, 'anonymous' if summary.anonymous else 'named')}",
        "",
        f"### {_l(report, 'rate_over_time')}",
        "",
    ]
    lines += _md_table(
        [_l(report, "start"), _l(report, "responded"), _l(report, "rate")],
        [
            (_when(report, p.at), f"{p.responded} / {p.recipients}", f"{p.rate:.0%}")
            for p in summary.rate
        ],
    )
    lines += [f"### {_l(report, 'agreement')}", ""]
    lines += _md_table(
        [
            _l(report, "section"),
            _l(report, "agree"),
            _l(report, "partly"),
            _l(report, "disagree"),
            _l(report, "no_opinion"),
        ],
        [(a.label, a.agree, a.partly, a.disagree, a.no_opinion) for a in summary.agreement],
    )
    lines += [f"### {_l(report, 'comments')}", ""]
    if not summary.comments:
        lines += [_l(report, "no_comments"), ""]
    else:
        lines += _md_table(
            [
                _l(report, "who"),
                _l(report, "section"),
                _l(report, "opinion"),
                _l(report, "comment"),
                _l(report, "wording"),
                _l(report, "outcome"),
                _l(report, "reason"),
            ],
            [
                (
                    c.who or "",
                    c.section or _l(report, "general"),
                    "" if c.section is None else _opinion(report, c.opinion),
                    c.text or "",
                    c.suggested_wording or "",
                    _outcome(report, c.outcome),
                    c.reason,
                )
                for c in summary.comments
            ],
        )
    if summary.next_version is not None:
        lines += [
            f"### {_l(report, 'changes', old=summary.version, new=summary.next_version)}",
            "",
        ]
        for change in summary.changes:
            kind = texts.CHANGE_LABELS[report.options.language][change.kind.value]
            lines += [f"#### {_md(change.label)} ({kind})", ""]
            if change.kind is not ChangeKind.UNCHANGED:
                lines += [change.as_markdown(), ""]
    return lines


# --- HTML ----------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;
margin:0;color:#1a1a1a;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:0.5rem 0 1rem;width:100%}
th,td{border:1px solid #ccc;padding:0.3rem 0.5rem;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right}
.note{background:#fff8e1;border-left:4px solid #f9a825;padding:0.5rem 1rem}
del{background:#fdecea;color:#8e1b1b}ins{background:#e8f5e9;color:#1b5e20;text-decoration:none}
.meta{color:#555}.said li{margin-bottom:0.3rem}.tags{color:#555;font-size:0.9em}
figure{margin:1rem 0}svg text{font-size:12px;fill:#1a1a1a}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = ()
) -> str:
    head = "".join(f"<th>{_h(cell)}</th>" for cell in header)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            css = ' class="n"' if index in numeric else ""
            cells.append(f"<td{css}>{_h(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def agreement_svg(report: FeedbackReport, agreement: Sequence[SectionAgreement]) -> str:
    """An inline SVG: one stacked horizontal bar per section (agree, partly,
    disagree, no opinion), with the counts as text and as tooltips."""
    label_width, bar_width, row, top = 220, 380, 30, 44
    height = top + row * len(agreement) + 10
    width = label_width + bar_width + 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_h(_l(report, "agreement"))}">'
    ]
    x = label_width
    for key in ("agree", "partly", "disagree", "no_opinion"):
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{_COLOURS[key]}"/>'
            f'<text x="{x + 16}" y="16">{_h(_l(report, key))}</text>'
        )
        x += 110
    parts.append(
        f'<text x="{label_width + bar_width + 8}" y="{top - 6}">{_h(_l(report, "opinions"))}</text>'
    )
    for index, item in enumerate(agreement):
        y = top + index * row
        label = item.label if len(item.label) <= 32 else item.label[:31] + "\u2026"
        parts.append(f'<text x="0" y="{y + 15}">{_h(label)}<title>{_h(item.label)}</title></text>')
        total = item.agree + item.partly + item.disagree + item.no_opinion
        offset = 0.0
        for key, value in (
            ("agree", item.agree),
            ("partly", item.partly),
            ("disagree", item.disagree),
            ("no_opinion", item.no_opinion),
        ):
            if not value or not total:
                continue
            w = bar_width * value / total
            parts.append(
                f'<rect x="{label_width + offset:.1f}" y="{y}" width="{w:.1f}" height="20" '
                f'fill="{_COLOURS[key]}"><title>{_h(item.label)}: {_h(_l(report, key))} '
                f"{value}</title></rect>"
            )
            if w >= 16:
                colour = "#fff" if key in {"agree", "disagree"} else "#1a1a1a"
                parts.append(
                    f'<text x="{label_width + offset + w / 2:.1f}" y="{y + 14}" '
                    f'text-anchor="middle" style="fill:{colour}">{value}</text>'
                )
            offset += w
        parts.append(f'<text x="{label_width + bar_width + 8}" y="{y + 15}">{item.opinions}</text>')
    parts.append("</svg>")
    return "".join(parts)


def rate_svg(
    report: FeedbackReport, points: Sequence[RatePoint], reminders: Sequence[datetime] = ()
) -> str:
    """An inline SVG: the cumulative response rate as a step line over the round,
    with the moments reminders were due as dashed lines."""
    width, height, left, bottom, top, right = 640, 200, 48, 30, 20, 20
    plot_w, plot_h = width - left - right, height - top - bottom
    start, end = points[0].at, points[-1].at
    span = (end - start).total_seconds() or 1.0

    def xy(point: RatePoint) -> tuple[float, float]:
        x = left + plot_w * (point.at - start).total_seconds() / span
        y = top + plot_h * (1 - point.rate)
        return x, y

    path: list[str] = []
    previous_y: float | None = None
    for point in points:
        x, y = xy(point)
        if previous_y is not None:
            path.append(f"{x:.1f},{previous_y:.1f}")
        path.append(f"{x:.1f},{y:.1f}")
        previous_y = y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_h(_l(report, "rate_over_time"))}">',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">100%</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0%</text>',
        f'<text x="{left}" y="{height - 8}">{_h(_when(report, start))}</text>',
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end">'
        f"{_h(_when(report, end))}</text>",
    ]
    for instant in reminders:
        if not start <= instant <= end:
            continue
        x = left + plot_w * (instant - start).total_seconds() / span
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#777" '
            f'stroke-dasharray="4 3"><title>{_h(_l(report, "reminder"))} '
            f"{_h(_when(report, instant))}</title></line>"
            f'<text x="{x:.1f}" y="{top - 6}" text-anchor="middle">'
            f"{_h(_l(report, 'reminder'))}</text>"
        )
    parts.append(
        f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{" ".join(path)}"/>'
    )
    for point in points:
        x, y = xy(point)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1565c0"><title>'
            f"{_h(_when(report, point.at))}: {point.responded}/{point.recipients}"
            "</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: FeedbackReport) -> str:
    """The report as one self-contained HTML page."""
    language = report.options.language
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{language}"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_h(report.event_title)}</title><style>{_STYLE}</style></head><body><main>",
        f"<h1>{_h(report.event_title)}</h1>",
        f'<p class="note">{_h(_l(report, "report"))}. {_h(_privacy_note(report))}.</p>',
        f'<p class="meta">{_h(_l(report, "organiser"))}: {_h(report.organiser)}<br>'
        f"{_h(_l(report, 'generated'))}: {_h(_when(report, report.generated_at))} "
        f"({_h(report.timezone)})</p>",
        f"<h2>{_h(_l(report, 'attendance'))}</h2>",
        _html_table(
            [
                _l(report, "session"),
                _l(report, "start"),
                _l(report, "places"),
                _l(report, "attended"),
                _l(report, "no_show"),
                _l(report, "not_recorded"),
                _l(report, "attended_by_audience"),
            ],
            [
                (
                    s.title,
                    _when(report, s.start),
                    s.places,
                    s.attended,
                    s.no_show,
                    s.not_recorded,
                    _counts_text(s.by_audience),
                )
                for s in report.attendance
            ],
            numeric=(2, 3, 4, 5),
        ),
    ]
    for session in report.attendance:
        if not session.groups:
            continue
        header = [
            _l(report, "group"),
            _l(report, "size"),
            _l(report, "attended"),
            _l(report, "audiences"),
            _l(report, "organisations"),
        ]
        internal = not report.options.for_publication
        if internal:
            header.append(_l(report, "members"))
        rows = [
            [
                g.key,
                g.size,
                g.attended,
                _counts_text(g.by_audience),
                g.organisations,
                *([", ".join(g.members)] if internal else []),
            ]
            for g in session.groups
        ]
        out += [
            f"<h3>{_h(_l(report, 'groups'))}: {_h(session.title)}</h3>",
            _html_table(header, rows, numeric=(1, 2, 4)),
        ]
    out.append(f"<h2>{_h(_l(report, 'input'))}</h2>")
    for question in report.questions:
        title = (
            question.question
            if question.number is None
            else f"{_l(report, 'question', number=question.number)}: {question.question}"
        )
        out += [
            f"<h3>{_h(title)}</h3>",
            f"<p>{question.total} {_h(_l(report, 'contributions'))}</p>",
        ]
        if not question.total:
            continue
        out.append(
            _html_table(
                [_l(report, "perspective"), _l(report, "count")],
                [(c.label, c.count) for c in question.by_perspective],
                numeric=(1,),
            )
        )
        facts = [
            f"<li>{_h(_l(report, name))}: {_h(_counts_text(counts))}</li>"
            for name, counts in (
                ("audience", question.by_audience),
                ("session", question.by_session),
                ("group", question.by_group),
                ("theme", question.by_theme),
            )
            if counts
        ]
        out.append(f"<ul>{''.join(facts)}</ul>")
        items = []
        for line in question.lines:
            tags = "; ".join(_tags(report, line))
            items.append(f'<li>{_h(line.text)} <span class="tags">({_h(tags)})</span></li>')
        out += [
            f"<h4>{_h(_l(report, 'what_was_said'))}</h4>",
            f'<ul class="said">{"".join(items)}</ul>',
        ]
    for summary in report.rounds:
        out += _round_html(report, summary)
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def _round_html(report: FeedbackReport, summary: RoundSummary) -> list[str]:
    version = str(summary.version) + (
        "" if summary.next_version is None else f" \u2192 {summary.next_version}"
    )
    out = [
        f"<h2>{_h(_l(report, 'round', id=summary.round_id, title=summary.title))}</h2>",
        "<ul>",
        f"<li>{_h(_l(report, 'version'))}: {_h(version)}</li>",
        f"<li>{_h(_l(report, 'status'))}: {_h(_status(report, summary))}</li>",
        f"<li>{_h(_l(report, 'period'))}: {_h(_when(report, summary.opens_at))} \u2013 "
        f"{_h(_when(report, summary.closing_time))}</li>",
        f"<li>{_h(_l(report, 'responded'))}: {summary.responded} / {summary.recipients} "
        f"({summary.response_rate:.0%})</li>",
        f"<li>{_h(_l(report, 'anonymous' if summary.anonymous else 'named'))}</li>",
        "</ul>",
        f"<h3>{_h(_l(report, 'agreement'))}</h3>",
        f"<figure>{agreement_svg(report, summary.agreement)}</figure>",
        _html_table(
            [
                _l(report, "section"),
                _l(report, "agree"),
                _l(report, "partly"),
                _l(report, "disagree"),
                _l(report, "no_opinion"),
            ],
            [(a.label, a.agree, a.partly, a.disagree, a.no_opinion) for a in summary.agreement],
            numeric=(1, 2, 3, 4),
        ),
        f"<h3>{_h(_l(report, 'rate_over_time'))}</h3>",
        f"<figure>{rate_svg(report, summary.rate, summary.reminders)}</figure>",
        f"<h3>{_h(_l(report, 'comments'))}</h3>",
    ]
    if not summary.comments:
        out.append(f"<p>{_h(_l(report, 'no_comments'))}</p>")
    else:
        out.append(
            _html_table(
                [
                    _l(report, "who"),
                    _l(report, "section"),
                    _l(report, "opinion"),
                    _l(report, "comment"),
                    _l(report, "wording"),
                    _l(report, "outcome"),
                    _l(report, "reason"),
                ],
                [
                    (
                        c.who or "",
                        c.section or _l(report, "general"),
                        "" if c.section is None else _opinion(report, c.opinion),
                        c.text or "",
                        c.suggested_wording or "",
                        _outcome(report, c.outcome),
                        c.reason,
                    )
                    for c in summary.comments
                ],
            )
        )
    if summary.next_version is not None:
        out.append(
            f"<h3>{_h(_l(report, 'changes', old=summary.version, new=summary.next_version))}</h3>"
        )
        for change in summary.changes:
            kind = texts.CHANGE_LABELS[report.options.language][change.kind.value]
            out.append(f"<h4>{_h(change.label)} ({_h(kind)})</h4>")
            if change.kind is not ChangeKind.UNCHANGED:
                out.append(f"<p>{change.as_html()}</p>")
    return out


# --- CSV -------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """A value that a spreadsheet shows as text, never runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading
    apostrophe (OWASP's advice on CSV injection); numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell("" if cell is None else cell) for cell in row])
    return buffer.getvalue()


def to_csv(report: FeedbackReport) -> dict[str, str]:
    """The report's tables as CSV texts, by file name."""

    def iso(instant: datetime) -> str:
        return to_local(instant, report.timezone).isoformat()

    files = {
        "attendance.csv": _csv(
            ["session", "title", "start", "places", "attended", "no_show", "not_recorded"],
            [
                (s.key, s.title, iso(s.start), s.places, s.attended, s.no_show, s.not_recorded)
                for s in report.attendance
            ],
        ),
        "groups.csv": _csv(
            ["session", "group", "size", "attended", "organisations", "audiences", "members"],
            [
                (
                    s.key,
                    g.key,
                    g.size,
                    g.attended,
                    g.organisations,
                    _counts_text(g.by_audience),
                    "; ".join(g.members),
                )
                for s in report.attendance
                for g in s.groups
            ],
        ),
        "input.csv": _csv(
            [
                "question",
                "question_text",
                "perspective",
                "audience",
                "session",
                "group",
                "themes",
                "text",
                "source",
            ],
            [
                (
                    "" if q.number is None else q.number,
                    q.question,
                    line.perspective,
                    line.audience,
                    line.session,
                    line.group,
                    "; ".join(line.themes),
                    line.text,
                    line.source,
                )
                for q in report.questions
                for line in q.lines
            ],
        ),
        "input-breakdown.csv": _csv(
            ["question", "dimension", "key", "label", "count"],
            [
                ("" if q.number is None else q.number, dimension, c.key, c.label, c.count)
                for q in report.questions
                for dimension, counts in (
                    ("perspective", q.by_perspective),
                    ("audience", q.by_audience),
                    ("session", q.by_session),
                    ("group", q.by_group),
                    ("theme", q.by_theme),
                )
                for c in counts
            ],
        ),
        "rounds.csv": _csv(
            [
                "round",
                "title",
                "version",
                "next_version",
                "status",
                "opens_at",
                "closes_at",
                "recipients",
                "responded",
                "response_rate",
            ],
            [
                (
                    r.round_id,
                    r.title,
                    r.version,
                    r.next_version,
                    r.status.value,
                    iso(r.opens_at),
                    iso(r.closing_time),
                    r.recipients,
                    r.responded,
                    round(r.response_rate, 4),
                )
                for r in report.rounds
            ],
        ),
        "response-rate.csv": _csv(
            ["round", "at", "responded", "recipients", "rate"],
            [
                (r.round_id, iso(p.at), p.responded, p.recipients, round(p.rate, 4))
                for r in report.rounds
                for p in r.rate
            ],
        ),
        "agreement.csv": _csv(
            ["round", "section", "label", "agree", "partly", "disagree", "no_opinion", "comments"],
            [
                (
                    r.round_id,
                    a.section,
                    a.label,
                    a.agree,
                    a.partly,
                    a.disagree,
                    a.no_opinion,
                    a.comments,
                )
                for r in report.rounds
                for a in r.agreement
            ],
        ),
        "comments.csv": _csv(
            [
                "round",
                "who",
                "section",
                "opinion",
                "comment",
                "suggested_wording",
                "outcome",
                "reason",
            ],
            [
                (
                    r.round_id,
                    c.who,
                    c.section,
                    c.opinion,
                    c.text,
                    c.suggested_wording,
                    c.outcome,
                    c.reason,
                )
                for r in report.rounds
                for c in r.comments
            ],
        ),
        "changes.csv": _csv(
            [
                "round",
                "from_version",
                "to_version",
                "section",
                "change",
                "old_text",
                "new_text",
                "diff",
            ],
            [
                (
                    r.round_id,
                    r.version,
                    r.next_version,
                    ch.key,
                    ch.kind.value,
                    None if ch.old is None else ch.old.text,
                    None if ch.new is None else ch.new.text,
                    ch.as_text(),
                )
                for r in report.rounds
                for ch in r.changes
            ],
        ),
    }
    return files


def write_report(
    report: FeedbackReport, directory: str | Path, *, name: str = "report"
) -> list[Path]:
    """Write ``<name>.md``, ``<name>.html`` and the CSV files into ``directory``.

    CSV files are named ``<name>-<table>.csv`` and written with a UTF-8
    byte-order mark. Returns the paths written, in order.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    markdown = target / f"{name}.md"
    markdown.write_text(to_markdown(report), encoding="utf-8")
    page = target / f"{name}.html"
    page.write_text(to_html(report), encoding="utf-8")
    written += [markdown, page]
    for file_name, text in to_csv(report).items():
        path = target / f"{name}-{file_name}"
        path.write_text(text, encoding="utf-8-sig", newline="")
        written.append(path)
    return written
