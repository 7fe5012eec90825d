"""The organiser's steps for input and feedback rounds, as methods of
:class:`participatie.Participatie` (mixed in from here).

Each step checks what it can before it asks the store, lets the store do the
atomic part under its lock, and then tells plugins about what was committed:
a round that opened, a response that arrived, a round that closed. Nothing
here sends a message; :meth:`FeedbackSteps.feedback_messages_due` says which
are due, for the notification system to queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from participatie.clock import Clock
from participatie.exceptions import (
    InvalidInputError,
    NotARecipientError,
    RoundStillOpenError,
    UnknownDraftError,
    UnknownRegistrationError,
)
from participatie.feedback import rules
from participatie.feedback.diff import SectionChange, compare_versions
from participatie.feedback.drafts import Draft, DraftVersion, Section
from participatie.feedback.input import Contribution, EnteredBy
from participatie.feedback.messages import (
    FeedbackMessage,
    LinkMaker,
    build_invitation,
    build_reminder,
    build_summary_message,
)
from participatie.feedback.reports import FeedbackReport, ReportOptions, build_report
from participatie.feedback.responses import (
    Comment,
    Disposition,
    DispositionOutcome,
    Response,
    SectionResponse,
    comments_of,
)
from participatie.feedback.rounds import FeedbackRound, Recipient, ReminderRule, RoundStatus
from participatie.feedback.summary import PersonalSummary, personal_summary
from participatie.model import Event, Registration, RegistrationState
from participatie.plugins import Plugins
from participatie.storage._base import Store
from participatie.storage._feedback import CLOSED, OPENED

__all__ = ["FeedbackSteps"]

_S = RegistrationState
_PLACE = (_S.REGISTERED, _S.ATTENDED, _S.NO_SHOW)


class FeedbackSteps:
    """Input, attendance, drafts, feedback rounds, messages due and reports.

    These methods are part of :class:`participatie.Participatie`; this class
    exists so that they live next to the feedback code.
    """

    store: Store
    plugins: Plugins
    clock: Clock

    # --- attendance ---------------------------------------------------------

    def record_attendance(
        self,
        event_key: str,
        session_key: str,
        *,
        attended: Iterable[str] = (),
        no_show: Iterable[str] = (),
    ) -> list[Registration]:
        """Record who took part in a session and who did not, by e-mail address.

        Uses the registration states ``attended`` and ``no-show`` (attendees
        are the people asked for feedback by default). Every address is
        checked first, so a typo changes nothing; recording the same
        attendance again changes nothing either. Returns the registrations
        that changed.
        """
        came = [address.strip().lower() for address in attended]
        away = [address.strip().lower() for address in no_show]
        both = set(came) & set(away)
        if both:
            raise InvalidInputError(
                f"recorded as both attended and no-show: {', '.join(sorted(both))}"
            )
        held = {
            r.person.email: r for r in self.store.list_registrations(event_key, session_key, _PLACE)
        }
        unknown = [address for address in [*came, *away] if address not in held]
        if unknown:
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise UnknownRegistrationError(
                f"no confirmed place in session {session_key!r} for: "
                f"{', '.join(unknown[:10])}{more}"
            )
        event = self.store.get_event(event_key)
        changed = []
        for addresses, state in ((came, _S.ATTENDED), (away, _S.NO_SHOW)):
            for address in dict.fromkeys(addresses):
                registration = held[address]
                if registration.state is state:
                    continue
                outcome = self.store.change_state(registration.id, state, self.clock.now())
                self.plugins.registration_changed(outcome.transitions, event)
                changed.append(outcome.registration)
        return changed

    def attendees(self, event_key: str, session_key: str | None = None) -> list[Registration]:
        """The registrations recorded as attended, in registration order."""
        return self.store.list_registrations(event_key, session_key, (_S.ATTENDED,))

    # --- input --------------------------------------------------------------

    def record_input(
        self,
        event_key: str,
        session_key: str,
        text: str,
        *,
        question: int | None = None,
        audience: str | None = None,
        group: str | None = None,
        themes: Iterable[str] = (),
        participant: str | None = None,
        entered_by: EnteredBy = EnteredBy.NOTE_TAKER,
        may_be_named: bool = False,
    ) -> Contribution:
        """Record one contribution (see :class:`~participatie.feedback.Contribution`).

        Without ``audience`` the participant's registration says it; input
        from nobody in particular needs an ``audience``.
        """
        [stored] = self.record_inputs(
            [
                self._contribution(
                    event_key,
                    session_key,
                    text,
                    question=question,
                    audience=audience,
                    group=group,
                    themes=themes,
                    participant=participant,
                    entered_by=entered_by,
                    may_be_named=may_be_named,
                )
            ]
        )
        return stored

    def _contribution(
        self,
        event_key: str,
        session_key: str,
        text: str,
        *,
        question: int | None,
        audience: str | None,
        group: str | None,
        themes: Iterable[str],
        participant: str | None,
        entered_by: EnteredBy,
        may_be_named: bool,
    ) -> Contribution:
        if audience is None:
            if participant is None:
                raise InvalidInputError(
                    "say which audience anonymous input comes from (audience=...)"
                )
            audience = self._registration_for(event_key, session_key, participant).person.audience
        return Contribution(
            event_key,
            session_key,
            text,
            audience,
            question=question,
            group=group,
            themes=themes,
            participant=participant,
            entered_by=entered_by,
            may_be_named=may_be_named,
        )

    def _registration_for(self, event_key: str, session_key: str, email: str) -> Registration:
        wanted = email.strip().lower()
        for registration in self.store.registrations_of(wanted):
            if (
                registration.event_key == event_key
                and registration.session_key == session_key
                and registration.state in _PLACE
            ):
                return registration
        raise UnknownRegistrationError(
            f"{wanted} has no confirmed place in session {session_key!r} of {event_key!r}"
        )

    def record_inputs(self, contributions: Iterable[Contribution]) -> list[Contribution]:
        """Record several contributions at once (a group's notes): all or none.

        Input with a participant as its source is accepted only from someone
        with a confirmed place in that session.
        """
        batch = list(contributions)
        for contribution in batch:
            if contribution.participant is not None:
                self._registration_for(
                    contribution.event_key, contribution.session_key, contribution.participant
                )
        return self.store.add_contributions(batch, self.clock.now())

    def contributions(
        self,
        event_key: str,
        *,
        session_key: str | None = None,
        question: int | None = None,
        group: str | None = None,
    ) -> list[Contribution]:
        """The event's input in the order it was recorded, optionally filtered."""
        return [
            c
            for c in self.store.list_contributions(event_key)
            if (session_key is None or c.session_key == session_key)
            and (question is None or c.question == question)
            and (group is None or c.group == group)
        ]

    # --- drafts -------------------------------------------------------------

    def save_draft(self, draft: Draft) -> Draft:
        """Store a draft document (or change its title)."""
        return self.store.save_draft(draft, self.clock.now())

    def draft(self, draft_key: str) -> Draft:
        """The stored draft."""
        return self.store.get_draft(draft_key)

    def drafts(self, event_key: str) -> list[Draft]:
        """The event's drafts."""
        return self.store.list_drafts(event_key)

    def add_draft_version(
        self, draft_key: str, sections: Sequence[Section], *, note: str = ""
    ) -> DraftVersion:
        """Store the next version of a draft; its number is one more than the last."""
        return self.store.add_draft_version(draft_key, sections, note, self.clock.now())

    def draft_versions(self, draft_key: str) -> list[DraftVersion]:
        """Every version of a draft, oldest first."""
        return self.store.list_draft_versions(draft_key)

    def draft_version(self, draft_key: str, number: int | None = None) -> DraftVersion:
        """One version of a draft; the latest without ``number``."""
        versions = self.draft_versions(draft_key)
        if not versions:
            raise UnknownDraftError(f"draft {draft_key!r} has no versions yet")
        if number is None:
            return versions[-1]
        for version in versions:
            if version.number == number:
                return version
        raise UnknownDraftError(f"draft {draft_key!r} has no version {number}")

    def compare_draft_versions(self, draft_key: str, old: int, new: int) -> list[SectionChange]:
        """Section-by-section changes from version ``old`` to version ``new``."""
        return compare_versions(
            self.draft_version(draft_key, old), self.draft_version(draft_key, new)
        )

    # --- rounds -------------------------------------------------------------

    def default_recipients(self, event_key: str) -> list[Recipient]:
        """Everyone recorded as attended in any session of the event, once each."""
        recipients: dict[str, Recipient] = {}
        for registration in self.attendees(event_key):
            person = registration.person
            recipients.setdefault(
                person.email, Recipient(person.email, person.name, person.language)
            )
        return list(recipients.values())

    def create_round(
        self,
        draft_key: str,
        *,
        opens_at: datetime,
        closes_at: datetime,
        version: int | None = None,
        recipients: Iterable[Recipient] | None = None,
        reminders: Iterable[ReminderRule] = (),
        anonymous_to_colleagues: bool = True,
        title: str | None = None,
    ) -> FeedbackRound:
        """Put a draft version (the latest by default) before its recipients.

        Without ``recipients``, the people who attended are asked
        (:meth:`default_recipients`); that is an error when no attendance
        was recorded. A round that opens at once is reported to plugins as
        opened.
        """
        draft = self.draft(draft_key)
        number = version if version is not None else self.draft_version(draft_key).number
        chosen = (
            list(recipients) if recipients is not None else self.default_recipients(draft.event_key)
        )
        if not chosen:
            raise InvalidInputError(
                f"nobody is recorded as having attended {draft.event_key!r}: record attendance "
                "first, or choose the recipients"
            )
        feedback_round = FeedbackRound(
            draft.event_key,
            draft_key,
            number,
            opens_at,
            closes_at,
            chosen,
            reminders=reminders,
            anonymous_to_colleagues=anonymous_to_colleagues,
            title=title,
            timezone=self.store.get_event(draft.event_key).timezone,
        )
        created = self.store.create_round(feedback_round, self.clock.now())
        assert created.id is not None
        self._announce(created.id)
        return self.store.get_round(created.id)

    def feedback_round(self, round_id: int) -> FeedbackRound:
        """The stored round."""
        return self.store.get_round(round_id)

    def feedback_rounds(self, event_key: str | None = None) -> list[FeedbackRound]:
        """The rounds of an event (or of all events), in the order they were made."""
        return self.store.list_rounds(event_key)

    def close_round(self, round_id: int) -> FeedbackRound:
        """Close an open round now, before its deadline (closing again changes nothing)."""
        self._announce(round_id)
        self.store.close_round(round_id, self.clock.now())
        self._announce(round_id)
        return self.store.get_round(round_id)

    def advance_rounds(self, event_key: str | None = None) -> list[tuple[str, FeedbackRound]]:
        """Report rounds that opened or closed since the last call to plugins.

        Run it from a scheduler (with :meth:`feedback_messages_due`). Each
        opening and closing is reported exactly once, whoever notices it
        first; returns ``("opened" | "closed", round)`` for each report made.
        """
        made: list[tuple[str, FeedbackRound]] = []
        for feedback_round in self.store.list_rounds(event_key):
            assert feedback_round.id is not None
            made += self._announce(feedback_round.id)
        return made

    def _announce(self, round_id: int) -> list[tuple[str, FeedbackRound]]:
        made: list[tuple[str, FeedbackRound]] = []
        now = self.clock.now()
        current = self.store.get_round(round_id)
        status = current.status(now)
        due = []
        if current.opened_announced_at is None and status is not RoundStatus.SCHEDULED:
            due.append(OPENED)
        if current.closed_announced_at is None and status is RoundStatus.CLOSED:
            due.append(CLOSED)
        for what in due:
            # The store decides, under its lock, who reports: a second
            # scheduler that read the same round gets None here.
            marked = self.store.mark_round_announced(round_id, what, now)
            if marked is None:
                continue
            event = self.store.get_event(marked.event_key)
            if what == OPENED:
                self.plugins.feedback_round_opened(marked, event)
            else:
                self.plugins.feedback_round_closed(marked, event)
            made.append((what, marked))
        return made

    # --- responses ------------------------------------------------------------

    def respond(
        self,
        round_id: int,
        respondent: str,
        *,
        sections: Iterable[SectionResponse] = (),
        general_comment: str | None = None,
        may_be_named: bool = False,
    ) -> Response:
        """Give (or change) a participant's response while the round is open.

        Replaces their earlier response as a whole. After the round closes
        this raises :class:`~participatie.exceptions.RoundClosedError` and
        nothing is stored.
        """
        response = Response(
            round_id, respondent, sections, general_comment, may_be_named=may_be_named
        )
        self._announce(round_id)
        stored = self.store.submit_response(response, self.clock.now())
        if self.plugins.wants_feedback_responses():
            feedback_round = self.store.get_round(round_id)
            self.plugins.feedback_response_received(
                stored, feedback_round, self.store.get_event(feedback_round.event_key)
            )
        return stored

    def responses(self, round_id: int) -> list[Response]:
        """The round's responses, in order of first submission."""
        return self.store.list_responses(round_id)

    def response(self, round_id: int, respondent: str) -> Response | None:
        """One participant's response, or ``None``."""
        wanted = respondent.strip().lower()
        for response in self.responses(round_id):
            if response.respondent == wanted:
                return response
        return None

    def comments(self, round_id: int) -> list[Comment]:
        """Every comment in the round's responses: what needs a disposition."""
        return comments_of(self.responses(round_id))

    # --- dispositions -----------------------------------------------------------

    def record_disposition(
        self,
        round_id: int,
        respondent: str,
        section: str | None,
        outcome: DispositionOutcome,
        reason: str = "",
    ) -> Disposition:
        """Record what was done with one comment (``section=None``: the general one)."""
        [stored] = self.record_dispositions(
            round_id, [Disposition(round_id, respondent, section, outcome, reason)]
        )
        return stored

    def record_dispositions(
        self, round_id: int, dispositions: Iterable[Disposition]
    ) -> list[Disposition]:
        """Record several dispositions at once: all or none."""
        return self.store.record_dispositions(round_id, list(dispositions), self.clock.now())

    def dispositions(self, round_id: int) -> list[Disposition]:
        """The round's dispositions."""
        return self.store.list_dispositions(round_id)

    def conclude_round(self, round_id: int, next_version: int) -> FeedbackRound:
        """Conclude a closed round: every comment has a disposition and it led to ``next_version``.

        From then on each recipient is due a "what we did with your input"
        summary (see :meth:`feedback_messages_due`).
        """
        self._announce(round_id)
        return self.store.conclude_round(round_id, next_version, self.clock.now())

    def personal_summary(self, round_id: int, email: str) -> PersonalSummary:
        """One recipient's "what we did with your input" summary of a concluded round."""
        feedback_round = self.feedback_round(round_id)
        recipient = feedback_round.recipient(email)
        if recipient is None:
            raise NotARecipientError(f"{email} was not asked for feedback in round {round_id}")
        return self._summary(feedback_round, recipient)

    def _summary(self, feedback_round: FeedbackRound, recipient: Recipient) -> PersonalSummary:
        return self._summaries(feedback_round, [recipient])[0]

    def _summaries(
        self, feedback_round: FeedbackRound, recipients: Sequence[Recipient]
    ) -> list[PersonalSummary]:
        # Everything the summaries share is read once, and each person's own
        # responses, dispositions and input are picked out by address: one
        # pass for a thousand recipients, not a thousand passes.
        assert feedback_round.id is not None
        if feedback_round.next_version is None:
            raise RoundStillOpenError(
                "the round is not concluded yet: there is nothing to tell participants"
            )
        event = self.store.get_event(feedback_round.event_key)
        draft = self.draft(feedback_round.draft_key)
        old = self.draft_version(feedback_round.draft_key, feedback_round.version)
        new = self.draft_version(feedback_round.draft_key, feedback_round.next_version)
        changes = compare_versions(old, new)
        responses: dict[str, list[Response]] = {}
        for response in self.responses(feedback_round.id):
            responses.setdefault(response.respondent, []).append(response)
        dispositions: dict[str, list[Disposition]] = {}
        for disposition in self.dispositions(feedback_round.id):
            dispositions.setdefault(disposition.respondent, []).append(disposition)
        contributions: dict[str, list[Contribution]] = {}
        for contribution in self.store.list_contributions(event.key):
            if contribution.participant is not None:
                contributions.setdefault(contribution.participant, []).append(contribution)
        return [
            personal_summary(
                event,
                draft,
                feedback_round,
                recipient,
                responses=responses.get(recipient.email, ()),
                dispositions=dispositions.get(recipient.email, ()),
                old=old,
                new=new,
                contributions=contributions.get(recipient.email, ()),
                changes=changes,
            )
            for recipient in recipients
        ]

    # --- messages ---------------------------------------------------------------

    def feedback_messages_due(
        self, event_key: str | None = None, *, link: LinkMaker | None = None
    ) -> list[FeedbackMessage]:
        """Every feedback-round message due now and not yet queued.

        Invitations (round open), reminders (round open, no response yet, a
        reminder rule due) and "what we did with your input" summaries
        (round concluded), one per recipient. Nothing is recorded: hand them
        to the outbox, then call :meth:`mark_feedback_messages_queued`.
        ``link`` makes each recipient's personal response link, if there is
        a site to respond on.
        """
        now = self.clock.now()
        due: list[FeedbackMessage] = []
        events: dict[str, Event] = {}
        for feedback_round in self.store.list_rounds(event_key):
            assert feedback_round.id is not None
            queued = self.store.queued_messages(feedback_round.id)
            event = events.get(feedback_round.event_key)
            if event is None:
                event = events[feedback_round.event_key] = self.store.get_event(
                    feedback_round.event_key
                )
            draft = self.draft(feedback_round.draft_key)
            invite = rules.invitations_due(feedback_round, queued, now)
            if invite:
                version = self.draft_version(feedback_round.draft_key, feedback_round.version)
                due += [
                    build_invitation(event, draft, version, feedback_round, r, link=link)
                    for r in invite
                ]
            responded = {r.respondent for r in self.store.list_responses(feedback_round.id)}
            due += [
                build_reminder(event, draft, feedback_round, recipient, rule, link=link)
                for recipient, rule in rules.reminders_due(feedback_round, responded, queued, now)
            ]
            summarise = rules.summaries_due(feedback_round, queued, now)
            if summarise:
                due += [
                    build_summary_message(event, summary)
                    for summary in self._summaries(feedback_round, summarise)
                ]
        return due

    def mark_feedback_messages_queued(
        self, messages: Iterable[FeedbackMessage]
    ) -> list[FeedbackMessage]:
        """Record that these messages were handed to the outbox, so they are not due again.

        Returns the messages this call recorded (a message recorded before
        is left out): safe to call twice.
        """
        by_round: dict[int, list[FeedbackMessage]] = {}
        for message in messages:
            by_round.setdefault(message.round_id, []).append(message)
        recorded: list[FeedbackMessage] = []
        for round_id, batch in by_round.items():
            new = set(
                self.store.mark_messages_queued(round_id, [m.key for m in batch], self.clock.now())
            )
            recorded += [m for m in batch if m.key in new]
        return recorded

    # --- reports ----------------------------------------------------------------

    def feedback_report(
        self,
        event_key: str,
        *,
        groups: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
        options: ReportOptions | None = None,
    ) -> FeedbackReport:
        """The event's report: input, feedback rounds, attendance and groups.

        ``groups`` maps a session key to group keys and their members' e-mail
        addresses (groups are plain keys; pass what your grouping produced).
        ``options`` says whether it is for publication (the default: no
        personal data), whether consenting people may be named, and the
        language. Write it with :func:`participatie.feedback.write_report`.
        """
        event = self.store.get_event(event_key)
        rounds = self.store.list_rounds(event_key)
        versions = {
            draft.key: {v.number: v for v in self.draft_versions(draft.key)}
            for draft in self.drafts(event_key)
        }
        titles = {draft.key: draft.title for draft in self.drafts(event_key)}
        ids = [r.id for r in rounds if r.id is not None]
        return build_report(
            event,
            contributions=self.store.list_contributions(event_key),
            registrations=self.store.list_registrations(event_key),
            rounds=[(r, r.title or titles[r.draft_key], versions[r.draft_key]) for r in rounds],
            responses={rid: self.store.list_responses(rid) for rid in ids},
            dispositions={rid: self.store.list_dispositions(rid) for rid in ids},
            now=self.clock.now(),
            groups=groups,
            options=options,
        )
