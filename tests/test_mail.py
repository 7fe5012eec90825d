"""E-mails as built for the outbox and smtp channels: iMIP structure, safe headers.

Every check parses the bytes back with the standard library's ``email``
package (and the calendar with icalendar), the way a receiving program would.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from participatie import CalendarPart, InvalidInputError, Message, PermanentDeliveryError
from participatie.mail import KEY_HEADER, KIND_HEADER, build_email, display_name, message_id

NOW = datetime(2021, 5, 14, 9, 0, tzinfo=UTC)
SENDER = "vraagbaak@example.org"

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//participatie//tests//EN\r\n"
    b"METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:dialoog-1@example.org\r\n"
    b"DTSTAMP:20210514T090000Z\r\nDTSTART:20210521T080000Z\r\nDTEND:20210521T093000Z\r\n"
    b"SUMMARY:Dialoogbijeenkomst\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def parse(email: EmailMessage) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(email.as_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def message(**changes: object) -> Message:
    values: dict[str, object] = {
        "recipient": "noor@example.org",
        "subject": "Aanmelding bevestigd: Dialoogbijeenkomst",
        "text": "Beste Noor,\n\nU bent aangemeld.\n",
        "kind": "confirmation",
        "language": "nl",
        "html": "<p>Beste Noor,</p><p>U bent aangemeld.</p>",
        "calendar": CalendarPart("REQUEST", ICS),
        "recipient_name": "Noor Voorbeeld",
        "sender_name": "Landelijke organisatie van cliëntenraden",
        "reply_to": "vraagbaak@example.org",
        "key": "dialoog/1/confirmation/smtp",
    }
    values.update(changes)
    recipient, subject, text = values.pop("recipient"), values.pop("subject"), values.pop("text")
    kind, language = values.pop("kind"), values.pop("language")
    return Message(recipient, subject, text, kind, language, **values)  # type: ignore[arg-type]


def test_imip_structure() -> None:
    parsed = parse(build_email(message(), sender=SENDER, now=NOW))
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, calendar = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert "U bent aangemeld." in plain.get_content()
    assert html.get_content_type() == "text/html"
    assert calendar.get_content_type() == "text/calendar"
    # iMIP: the MIME method= equals the METHOD inside the calendar.
    inside = icalendar.Calendar.from_ical(calendar.get_content())
    assert calendar.get_param("method") == str(inside["METHOD"]) == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content() == ICS
    assert icalendar.Calendar.from_ical(attachment.get_content())["METHOD"] == "REQUEST"


def test_headers_one_recipient_and_a_stable_key() -> None:
    first = parse(build_email(message(), sender=SENDER, now=NOW))
    again = parse(build_email(message(), sender=SENDER, now=NOW))
    assert [str(address) for address in first["To"].addresses] == [
        "Noor Voorbeeld <noor@example.org>"
    ]
    assert first["Cc"] is None
    assert first["Bcc"] is None
    assert first["From"].addresses[0].addr_spec == SENDER
    assert first["From"].addresses[0].display_name == "Landelijke organisatie van cliëntenraden"
    assert first["Reply-To"].addresses[0].addr_spec == "vraagbaak@example.org"
    assert first[KEY_HEADER] == "dialoog/1/confirmation/smtp"
    assert first[KIND_HEADER] == "confirmation"
    assert first["Content-Language"] == "nl"
    assert first["Auto-Submitted"] == "auto-generated"
    # The same key gives the same Message-ID, so a resent message is recognisable.
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] == message_id("dialoog/1/confirmation/smtp", "example.org")
    other = parse(build_email(message(key="dialoog/2/confirmation/smtp"), sender=SENDER, now=NOW))
    assert other["Message-ID"] != first["Message-ID"]
    assert first["Subject"] == "Aanmelding bevestigd: Dialoogbijeenkomst"


def test_without_calendar_or_html() -> None:
    alternative = parse(build_email(message(calendar=None), sender=SENDER, now=NOW))
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    plain = parse(build_email(message(calendar=None, html=None, key=None), sender=SENDER, now=NOW))
    assert plain.get_content_type() == "text/plain"
    assert plain[KEY_HEADER] is None
    assert plain["Message-ID"].endswith("@example.org>")
    assert plain["Content-Language"] == "nl"


def test_cancel_method() -> None:
    cancel = ICS.replace(b"METHOD:REQUEST", b"METHOD:CANCEL")
    parsed = parse(
        build_email(message(calendar=CalendarPart("CANCEL", cancel)), sender=SENDER, now=NOW)
    )
    calendar = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL"


def test_calendar_part_method_must_match() -> None:
    with pytest.raises(InvalidInputError, match="does not match"):
        CalendarPart("CANCEL", ICS)
    with pytest.raises(InvalidInputError, match="does not match"):
        CalendarPart("REQUEST", ICS.replace(b"METHOD:REQUEST\r\n", b""))
    with pytest.raises(InvalidInputError, match="VCALENDAR"):
        CalendarPart("REQUEST", b"not a calendar")
    with pytest.raises(InvalidInputError, match="iTIP method"):
        CalendarPart("request", ICS)
    with pytest.raises(InvalidInputError, match="file name"):
        CalendarPart("REQUEST", ICS, filename="../invite.ics")


def test_recipient_must_be_an_address() -> None:
    with pytest.raises(PermanentDeliveryError, match="not an e-mail address"):
        build_email(message(recipient="+31 6 0000 0000"), sender=SENDER, now=NOW)


def test_plain_copy_for_channels_that_are_not_rich() -> None:
    plain = message().plain()
    assert (plain.html, plain.calendar, plain.recipient_name, plain.sender_name) == (
        None,
        None,
        None,
        None,
    )
    assert (plain.text, plain.subject, plain.key) == (
        message().text,
        message().subject,
        message().key,
    )


# --- header injection ------------------------------------------------------------

ATTACKS = [
    "\r",
    "\n",
    "\r\n",
    "\x00",
    "\u2028",
    "\u2029",
    "\x85",
    "=?UTF-8?Q?=0A?=",
    "=?UTF-8?Q?=0D=0ABcc:_mallory@example.org?=",
    "=?utf-8?b?Cg==?=",
    "=?",
    "?=",
    "Bcc: mallory@example.org",
    "\nBcc: mallory@example.org",
    '"',
    "\\",
    "<mallory@example.org>",
    ",",
    ";",
    ":",
    "é",
    "\u200b",
    "\t",
]

texts = st.lists(
    st.one_of(
        st.sampled_from(ATTACKS),
        st.text(alphabet=string.printable, max_size=20),
        st.text(max_size=10),
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(name=texts, subject=texts, sender_name=texts)
def test_text_never_adds_or_changes_a_header(name: str, subject: str, sender_name: str) -> None:
    try:
        candidate = message(subject=subject, recipient_name=name, sender_name=sender_name)
    except InvalidInputError:
        # Refused at the edge: control characters, line separators, empty text.
        return
    parsed = parse(build_email(candidate, sender=SENDER, now=NOW))
    assert sorted(parsed.keys()) == sorted(
        [
            "From",
            "To",
            "Reply-To",
            "Subject",
            "Date",
            "Message-ID",
            "Auto-Submitted",
            KIND_HEADER,
            KEY_HEADER,
            "MIME-Version",
            "Content-Type",
            "Content-Language",
        ]
    )
    assert str(parsed["Subject"]) == subject
    [to] = parsed["To"].addresses
    [sender] = parsed["From"].addresses
    assert (to.addr_spec, sender.addr_spec) == ("noor@example.org", SENDER)
    # Names come out as written (runs of spaces as one), or not at all.
    names = (to.display_name, sender.display_name)
    assert names in {(display_name(name) or "", display_name(sender_name) or ""), ("", "")}
    for header, value in parsed.items():
        assert "\n" not in str(value), header
        assert "\r" not in str(value), header


@pytest.mark.parametrize(
    "text",
    [
        "=?UTF-8?Q?=0A?=",
        "Hallo =?UTF-8?Q?=0D=0ABcc:_mallory@example.org?= daar",
        "=?utf-8?b?CkJjYzogbWFsbG9yeUBleGFtcGxlLm9yZw==?=",
        'Noor "de Vries", <mallory@example.org>; Bcc: mallory@example.org',
        "Cliënt: ça va? " * 13,  # long enough to fold, within the 200-character limit
    ],
)
def test_encoded_words_in_text_stay_text(text: str) -> None:
    """CVE-2024-6923: an encoded newline in a header value must not become a header."""
    parsed = parse(build_email(message(subject=text, recipient_name=text), sender=SENDER, now=NOW))
    assert parsed["Bcc"] is None
    assert str(parsed["Subject"]) == text
    assert parsed["To"].addresses[0].display_name == display_name(text)
    assert parsed["To"].addresses[0].addr_spec == "noor@example.org"


def test_long_keys_come_back_exactly() -> None:
    key = "week-van-reflectie-2020/30/reminder/dag-ervoor/20201106T093000Z/" + "x" * 120
    parsed = parse(build_email(message(key=key), sender=SENDER, now=NOW))
    assert parsed[KEY_HEADER] == key


@pytest.mark.parametrize("length", [10, 60, 70, 80, 200])
def test_long_plain_subjects_come_back_exactly(length: int) -> None:
    subject = ("Invitation: Dialoogbijeenkomst toekomstscenario kinder- en gezins " * 5)[:length]
    subject = subject.strip()
    parsed = parse(build_email(message(subject=subject), sender=SENDER, now=NOW))
    assert str(parsed["Subject"]) == subject


def test_the_header_check_catches_what_slips_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were a header ever written unsafely, the check after building refuses the message."""
    import participatie.mail as mail

    monkeypatch.setattr(mail, "_text_header", lambda text, _name: text)  # no encoding at all
    with pytest.raises(InvalidInputError, match="subject would read differently"):
        build_email(
            message(subject="Hallo =?UTF-8?Q?=0D=0ABcc:_mallory@example.org?="),
            sender=SENDER,
            now=NOW,
        )
    monkeypatch.setattr(mail, "_text_header", lambda text, _name: text + "\nBcc: m@example.org")
    with pytest.raises(InvalidInputError, match="would not read back as written"):
        build_email(message(), sender=SENDER, now=NOW)
