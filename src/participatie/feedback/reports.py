"""Reports for organisers and for publication: input, feedback rounds, attendance.

:func:`build_report` gathers everything one report shows into plain values;
:mod:`participatie.feedback.formats` writes them as Markdown, a
self-contained HTML page and CSV. Building and writing are separate so that
every format shows exactly the same figures, and so that the privacy rule
lives in one place:

* A report **for publication** (the default) holds no personal data: input
  and comments appear without their source, group compositions as counts.
  Only when the organiser asks for names (``names=True``) is a person named,
  and then only with the input or response for which they agreed to be named
  (``may_be_named``).
* An **internal** report (``for_publication=False``) is for the organiser's
  colleagues: it names the sources of input and the members of groups, and
  names respondents too, except in rounds whose answers are anonymous to
  colleagues, where each respondent appears as "Participant 3".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

import attrs

from participatie.feedback.diff import SectionChange, compare_versions
from participatie.feedback.drafts import DraftVersion
from participatie.feedback.input import (
    CLIENTS_AND_EXPERTS,
    PROFESSIONALS,
    Contribution,
    perspective_of,
)
from participatie.feedback.responses import Disposition, Response, comments_of
from participatie.feedback.rounds import FeedbackRound, RoundStatus, _check_language
from participatie.feedback.rules import (
    RatePoint,
    SectionAgreement,
    agreement_per_section,
    pseudonym_numbers,
    response_rate_over_time,
)
from participatie.model import Event, Registration, RegistrationState

__all__ = [
    "CommentLine",
    "Count",
    "FeedbackReport",
    "GroupComposition",
    "InputLine",
    "QuestionInput",
    "ReportOptions",
    "RoundSummary",
    "SessionAttendance",
    "build_report",
]

_PERSPECTIVE_LABELS = {
    "en": {
        CLIENTS_AND_EXPERTS: "clients and experts by experience",
        PROFESSIONALS: "professionals",
    },
    "nl": {
        CLIENTS_AND_EXPERTS: "cliënten en ervaringsdeskundigen",
        PROFESSIONALS: "professionals",
    },
}
_OTHER_INPUT = {
    "en": "Input outside the central questions",
    "nl": "Inbreng buiten de centrale vragen",
}
_NO_GROUP = {"en": "(no group)", "nl": "(geen groep)"}
_PARTICIPANT = {"en": "Participant {number}", "nl": "Deelnemer {number}"}


@attrs.frozen
class ReportOptions:
    """What a report may show, and in which language.

    Attributes:
        for_publication: ``True`` (default): no personal data unless
            ``names`` and the person agreed. ``False``: an internal report
            for the organiser's colleagues.
        names: Name people who agreed to be named (publication only; an
            internal report names people anyway, except where a round is
            anonymous to colleagues).
        language: ``"en"`` or ``"nl"``.
        perspectives: Audience key -> perspective key; the default compares
            clients and experts by experience with professionals.
    """

    for_publication: bool = True
    names: bool = False
    language: str = attrs.field(default="en", validator=_check_language)
    perspectives: Mapping[str, str] | None = None


@attrs.frozen
class Count:
    """A labelled count in a breakdown.

    Attributes:
        key: What is counted (an audience key, a session key, a theme, ...).
        label: How it is shown.
        count: How many.
    """

    key: str
    label: str
    count: int


@attrs.frozen
class InputLine:
    """One contribution as a report shows it.

    Attributes:
        text: What was said.
        audience: The audience's label.
        perspective: The perspective's label.
        session: The session's title.
        group: The group key, if any.
        themes: The themes, sorted.
        source: Who said it, where the report may say so; else ``None``.
    """

    text: str
    audience: str
    perspective: str
    session: str
    group: str | None
    themes: tuple[str, ...]
    source: str | None


@attrs.frozen
class QuestionInput:
    """The input on one central question (or outside them).

    Attributes:
        number: The question's number; ``None`` for other input.
        question: The question's text.
        total: How many contributions.
        by_perspective: Counts per perspective.
        by_audience: Counts per audience.
        by_session: Counts per session.
        by_group: Counts per group (``(no group)`` for input without one).
        by_theme: Counts per theme (a contribution may have several).
        lines: The contributions.
    """

    number: int | None
    question: str
    total: int
    by_perspective: tuple[Count, ...]
    by_audience: tuple[Count, ...]
    by_session: tuple[Count, ...]
    by_group: tuple[Count, ...]
    by_theme: tuple[Count, ...]
    lines: tuple[InputLine, ...]


@attrs.frozen
class CommentLine:
    """One comment of a round with what was done with it.

    Attributes:
        who: The respondent as the report may name them (a name, a
            pseudonym such as "Participant 2", or ``None``).
        section: The section's label; ``None`` for a general comment.
        opinion: ``agree``, ``partly``, ``disagree`` or ``None``.
        text: The comment.
        suggested_wording: Proposed text.
        outcome: ``adopted``, ``partly-adopted``, ``not-adopted`` or ``None``.
        reason: The reason given.
    """

    who: str | None
    section: str | None
    opinion: str | None
    text: str | None
    suggested_wording: str | None
    outcome: str | None
    reason: str


@attrs.frozen
class RoundSummary:
    """One feedback round in a report.

    Attributes:
        round_id: The round.
        title: Its title (or the draft's).
        version: The version discussed.
        next_version: The version it led to, once concluded.
        status: Where it stands at the report's time.
        opens_at: When it opened (UTC).
        closing_time: When it closed or closes (UTC).
        recipients: How many were asked.
        responded: How many responded.
        anonymous: Whether answers are anonymous to colleagues.
        reminders: When the reminders were due (UTC).
        rate: The response rate over time.
        agreement: Opinions per section of the version discussed.
        comments: Every comment with its disposition.
        changes: Section changes from ``version`` to ``next_version``.
    """

    round_id: int
    title: str
    version: int
    next_version: int | None
    status: RoundStatus
    opens_at: datetime
    closing_time: datetime
    recipients: int
    responded: int
    anonymous: bool
    reminders: tuple[datetime, ...]
    rate: tuple[RatePoint, ...]
    agreement: tuple[SectionAgreement, ...]
    comments: tuple[CommentLine, ...]
    changes: tuple[SectionChange, ...]

    @property
    def response_rate(self) -> float:
        """``responded / recipients``."""
        return self.responded / self.recipients if self.recipients else 0.0


@attrs.frozen
class GroupComposition:
    """Who was in one group, as far as the report may say.

    Attributes:
        key: The group's key.
        size: How many members.
        attended: How many of them attended.
        by_audience: Members per audience.
        organisations: How many different organisations they come from.
        members: Member names (internal reports only; empty in publication).
    """

    key: str
    size: int
    attended: int
    by_audience: tuple[Count, ...]
    organisations: int
    members: tuple[str, ...]


@attrs.frozen
class SessionAttendance:
    """Attendance of one session.

    Attributes:
        key: The session's key.
        title: Its title.
        start: When it started (aware).
        places: Confirmed places (registered, attended or no-show).
        attended: How many took part.
        no_show: How many did not come.
        not_recorded: Confirmed places without recorded attendance.
        by_audience: Attendees per audience.
        groups: The session's groups, if given.
    """

    key: str
    title: str
    start: datetime
    places: int
    attended: int
    no_show: int
    not_recorded: int
    by_audience: tuple[Count, ...]
    groups: tuple[GroupComposition, ...]


@attrs.frozen
class FeedbackReport:
    """Everything one report shows.

    Attributes:
        event_key: The event.
        event_title: Its title.
        organiser: Who organised it.
        timezone: The event's time zone (times are shown in it).
        generated_at: When the report was made.
        options: What it may show.
        questions: Input per central question (then other input, if any).
        rounds: The event's feedback rounds.
        attendance: Attendance per session.
    """

    event_key: str
    event_title: str
    organiser: str
    timezone: str
    generated_at: datetime
    options: ReportOptions
    questions: tuple[QuestionInput, ...]
    rounds: tuple[RoundSummary, ...]
    attendance: tuple[SessionAttendance, ...]

    @property
    def input_total(self) -> int:
        """How many contributions the event has."""
        return sum(question.total for question in self.questions)


def _counts(values: Iterable[str], label: Callable[[str], str]) -> tuple[Count, ...]:
    counter = Counter(values)
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return tuple(Count(key, label(key), count) for key, count in ordered)


def _perspective_label(key: str, event: Event, language: str) -> str:
    return _PERSPECTIVE_LABELS[language].get(key, event.audience(key).label)


@attrs.frozen
class _People:
    """Names known for e-mail addresses (from registrations and round recipients)."""

    names: dict[str, str]

    def name(self, email: str | None) -> str | None:
        return None if email is None else self.names.get(email, email)


def _input_section(
    event: Event,
    contributions: Sequence[Contribution],
    people: _People,
    options: ReportOptions,
) -> tuple[QuestionInput, ...]:
    language = options.language
    numbers: list[int | None] = list(range(1, len(event.central_questions) + 1))
    if any(contribution.question is None for contribution in contributions):
        numbers.append(None)
    titles = {session.key: session.title for session in event.sessions}
    result = []
    for number in numbers:
        chosen = [c for c in contributions if c.question == number]
        perspectives = [perspective_of(c.audience, options.perspectives) for c in chosen]

        def source(contribution: Contribution) -> str | None:
            if options.for_publication and not (options.names and contribution.may_be_named):
                return None
            return people.name(contribution.participant)

        result.append(
            QuestionInput(
                number=number,
                question=_OTHER_INPUT[language]
                if number is None
                else event.central_questions[number - 1],
                total=len(chosen),
                by_perspective=_counts(
                    perspectives, lambda key: _perspective_label(key, event, language)
                ),
                by_audience=_counts(
                    [c.audience for c in chosen], lambda key: event.audience(key).label
                ),
                by_session=_counts(
                    [c.session_key for c in chosen], lambda key: titles.get(key, key)
                ),
                by_group=_counts([c.group or _NO_GROUP[language] for c in chosen], lambda key: key),
                by_theme=_counts([t for c in chosen for t in sorted(c.themes)], lambda key: key),
                lines=tuple(
                    InputLine(
                        text=c.text,
                        audience=event.audience(c.audience).label,
                        perspective=_perspective_label(p, event, language),
                        session=titles.get(c.session_key, c.session_key),
                        group=c.group,
                        themes=tuple(sorted(c.themes)),
                        source=source(c),
                    )
                    for c, p in zip(chosen, perspectives, strict=True)
                ),
            )
        )
    return tuple(result)


def _round_summary(
    feedback_round: FeedbackRound,
    title: str,
    versions: Mapping[int, DraftVersion],
    responses: Sequence[Response],
    dispositions: Sequence[Disposition],
    now: datetime,
    options: ReportOptions,
) -> RoundSummary:
    assert feedback_round.id is not None
    version = versions[feedback_round.version]
    numbers = pseudonym_numbers(responses)
    names = {recipient.email: recipient.name for recipient in feedback_round.recipients}
    consented = {response.respondent for response in responses if response.may_be_named}

    def who(email: str) -> str | None:
        if options.for_publication:
            return names.get(email, email) if options.names and email in consented else None
        if feedback_round.anonymous_to_colleagues:
            return _PARTICIPANT[options.language].format(number=numbers[email])
        return names.get(email, email)

    decided = {disposition.key: disposition for disposition in dispositions}
    lines = []
    for comment in comments_of(responses):
        disposition = decided.get(comment.key)
        label = None
        if comment.section is not None:
            label = (
                version.section(comment.section).label
                if version.has_section(comment.section)
                else comment.section
            )
        lines.append(
            CommentLine(
                who=who(comment.respondent),
                section=label,
                opinion=None if comment.opinion is None else comment.opinion.value,
                text=comment.text,
                suggested_wording=comment.suggested_wording,
                outcome=None if disposition is None else disposition.outcome.value,
                reason="" if disposition is None else disposition.reason,
            )
        )
    changes: tuple[SectionChange, ...] = ()
    if feedback_round.next_version is not None and feedback_round.next_version in versions:
        changes = tuple(compare_versions(version, versions[feedback_round.next_version]))
    asked = set(feedback_round.emails)
    return RoundSummary(
        round_id=feedback_round.id,
        title=title,
        version=feedback_round.version,
        next_version=feedback_round.next_version,
        status=feedback_round.status(now),
        opens_at=feedback_round.opens_at,
        closing_time=feedback_round.closing_time,
        recipients=len(asked),
        responded=sum(1 for response in responses if response.respondent in asked),
        anonymous=feedback_round.anonymous_to_colleagues,
        reminders=feedback_round.reminder_times(),
        rate=tuple(response_rate_over_time(feedback_round, responses)),
        agreement=tuple(agreement_per_section(version, responses)),
        comments=tuple(lines),
        changes=changes,
    )


def _attendance(
    event: Event,
    registrations: Sequence[Registration],
    groups: Mapping[str, Mapping[str, Iterable[str]]],
    options: ReportOptions,
) -> tuple[SessionAttendance, ...]:
    s = RegistrationState
    result = []
    for session in event.sessions:
        held = [
            r
            for r in registrations
            if r.session_key == session.key and r.state in {s.REGISTERED, s.ATTENDED, s.NO_SHOW}
        ]
        by_email = {r.person.email: r for r in held}
        attended = [r for r in held if r.state is s.ATTENDED]
        compositions = []
        for key, emails in sorted(groups.get(session.key, {}).items()):
            members = [by_email[e] for e in dict.fromkeys(emails) if e in by_email]
            compositions.append(
                GroupComposition(
                    key=key,
                    size=len(members),
                    attended=sum(1 for m in members if m.state is s.ATTENDED),
                    by_audience=_counts(
                        [m.person.audience for m in members], lambda k: event.audience(k).label
                    ),
                    organisations=len({m.person.organisation for m in members} - {None}),
                    members=()
                    if options.for_publication
                    else tuple(m.person.name for m in members),
                )
            )
        result.append(
            SessionAttendance(
                key=session.key,
                title=session.title,
                start=session.start,
                places=len(held),
                attended=len(attended),
                no_show=sum(1 for r in held if r.state is s.NO_SHOW),
                not_recorded=sum(1 for r in held if r.state is s.REGISTERED),
                by_audience=_counts(
                    [r.person.audience for r in attended], lambda k: event.audience(k).label
                ),
                groups=tuple(compositions),
            )
        )
    return tuple(result)


def build_report(
    event: Event,
    *,
    contributions: Sequence[Contribution],
    registrations: Sequence[Registration],
    rounds: Sequence[tuple[FeedbackRound, str, Mapping[int, DraftVersion]]],
    responses: Mapping[int, Sequence[Response]],
    dispositions: Mapping[int, Sequence[Disposition]],
    now: datetime,
    groups: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    options: ReportOptions | None = None,
) -> FeedbackReport:
    """Gather one report from what is stored (the facade's
    :meth:`~participatie.Participatie.feedback_report` reads it for you).

    ``rounds`` holds ``(round, title, versions of its draft by number)``;
    ``responses`` and ``dispositions`` are by round id; ``groups`` maps a
    session key to group keys and their members' e-mail addresses.
    """
    options = options or ReportOptions()
    names = {r.person.email: r.person.name for r in registrations}
    for feedback_round, _title, _versions in rounds:
        for recipient in feedback_round.recipients:
            names.setdefault(recipient.email, recipient.name)
    people = _People(names)
    return FeedbackReport(
        event_key=event.key,
        event_title=event.title,
        organiser=event.organiser,
        timezone=event.timezone,
        generated_at=now,
        options=options,
        questions=_input_section(event, contributions, people, options),
        rounds=tuple(
            _round_summary(
                feedback_round,
                title,
                versions,
                responses.get(feedback_round.id or 0, ()),
                dispositions.get(feedback_round.id or 0, ()),
                now,
                options,
            )
            for feedback_round, title, versions in rounds
        ),
        attendance=_attendance(event, registrations, groups or {}, options),
    )
