"""A test kit for people who extend participatie.

- :class:`StoreConformance`: the suite a storage backend runs against itself
  (contract tests, a Hypothesis state machine against a reference model, and
  a multi-process race for the last places), including
  :class:`FeedbackStoreConformance` for input and feedback rounds with its
  own state machine over a round's life (:func:`make_feedback_round_machine`).
- :func:`race_for_last_places` and :class:`CountThenInsertStore`: the race on
  its own, and a deliberately broken backend it must catch.
- :class:`RecordingChannel` and :class:`HookRecorder`: record messages and
  lifecycle hook calls.
- :class:`SMTPTestServer`: a real SMTP server (aiosmtpd) on 127.0.0.1 that
  keeps what it receives, and :func:`make_tls_contexts` for STARTTLS/TLS.
- The outbox: :class:`EchoPlanner`, :func:`outgoing` and
  :func:`race_for_messages` (two dispatchers never claim the same message).
- A pytest plugin (loaded automatically when participatie is installed) with
  the fixtures ``participatie_clock``, ``participatie_app``, ``hook_recorder``,
  ``recording_channel`` and ``smtp_server``.

It needs the ``test`` extra: ``pip install participatie[test]``.
"""

from participatie.testing.broken import CountThenInsertStore, open_count_then_insert
from participatie.testing.conformance import StoreConformance, conformance_event
from participatie.testing.feedback_conformance import FeedbackStoreConformance
from participatie.testing.feedback_machine import make_feedback_round_machine
from participatie.testing.machine import make_registration_machine
from participatie.testing.outbox import (
    ClaimRaceResult,
    EchoPlanner,
    outgoing,
    race_for_messages,
)
from participatie.testing.race import RaceResult, race_for_last_places
from participatie.testing.recording import HookRecorder, RecordingChannel
from participatie.testing.smtp import ReceivedMail, SMTPTestServer, make_tls_contexts

__all__ = [
    "ClaimRaceResult",
    "CountThenInsertStore",
    "EchoPlanner",
    "FeedbackStoreConformance",
    "HookRecorder",
    "RaceResult",
    "ReceivedMail",
    "RecordingChannel",
    "SMTPTestServer",
    "StoreConformance",
    "conformance_event",
    "make_feedback_round_machine",
    "make_registration_machine",
    "make_tls_contexts",
    "open_count_then_insert",
    "outgoing",
    "race_for_last_places",
    "race_for_messages",
]
