"""Personal links as properties: every token reads back, no edit opens another registration."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from participatie_web import LinkSigner, RegistrationKey
from web_support import SECRET

from participatie import (
    CLIENT,
    FixedClock,
    InvalidInputError,
    Person,
    Registration,
    RegistrationState,
)

NOW = datetime(2020, 10, 20, 7, tzinfo=UTC)
ALPHABET = string.ascii_letters + string.digits + "-_."


def registration(number: int, email: str) -> Registration:
    person = Person("Noor Voorbeeld", email, CLIENT)
    return Registration(number, "week", "dag", person, RegistrationState.REGISTERED, NOW, NOW)


emails = st.from_regex(r"[a-z]{1,12}@example\.org", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(number=st.integers(1, 10**9), email=emails)
def test_every_token_reads_back(number: int, email: str) -> None:
    signer = LinkSigner(SECRET, clock=FixedClock(NOW))
    made = registration(number, email)
    key = signer.read_registration(signer.registration_token(made))
    assert key == RegistrationKey(number, signer.registration_fingerprint(made))
    assert signer.matches_registration(key, made)
    # The same id with another person (after erasure, or another store) does not match.
    assert not signer.matches_registration(key, registration(number, "other." + email))


@settings(max_examples=150, deadline=None)
@given(
    number=st.integers(1, 10**6),
    position=st.integers(0, 200),
    replacement=st.sampled_from(ALPHABET),
)
def test_no_edit_of_a_token_opens_something_else(
    number: int, position: int, replacement: str
) -> None:
    signer = LinkSigner(SECRET, clock=FixedClock(NOW))
    made = registration(number, "noor@example.org")
    token = signer.registration_token(made)
    index = position % len(token)
    edited = token[:index] + replacement + token[index + 1 :]
    key = signer.read_registration(edited)
    # Either refused, or (the unused low bits of a base64 character) the very same key.
    assert key is None or key == signer.read_registration(token)


def test_a_link_ages_on_the_sites_clock() -> None:
    clock = FixedClock(NOW)
    signer = LinkSigner(SECRET, clock=clock, registration_max_age=timedelta(days=1))
    token = signer.registration_token(registration(1, "noor@example.org"))
    clock.set(NOW + timedelta(days=1))
    assert signer.read_registration(token) is not None
    clock.set(NOW + timedelta(days=1, seconds=1))
    assert signer.read_registration(token) is None
    clock.set(NOW - timedelta(seconds=5))  # signed in the future: refused too
    assert signer.read_registration(token) is None


def test_a_short_secret_is_refused() -> None:

    with pytest.raises(InvalidInputError, match="at least 32"):
        LinkSigner("too-short")
