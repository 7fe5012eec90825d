"""Privacy: the address rule, minors, pseudonymous exports, erasure, access, retention, logs."""

from __future__ import annotations

import ast
import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participatie import (
    CLIENT,
    GUARDIAN,
    AgeCategory,
    Consent,
    ConsentRequiredError,
    ErasureError,
    FixedClock,
    GroupPlan,
    GuardianConsentRequiredError,
    InvalidInputError,
    Participatie,
    Person,
    PluginError,
    Pseudonymiser,
    hookimpl,
)
from participatie._validate import MAX_LINE_LENGTH, normalise_email
from participatie.plugins import Plugins, make_plugin_manager
from participatie.privacy import (
    SUBJECT_ACCESS_FORMAT,
    DataKind,
    Erased,
    PersonalDataRegistry,
    PersonalField,
    declare,
)
from participatie.privacy.files import find_markers, remove_rows_with
from participatie.testing import HookRecorder
from tests.conftest import EVENT_KEY, at, client, week_event

SRC = Path(__file__).resolve().parent.parent / "src" / "participatie"
ORGANISER = "projectgroep@example.org"


def new_app(tmp_path: Path | None = None, *plugins: object) -> Participatie:
    manager = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    for number, plugin in enumerate(plugins):
        manager.register(plugin, name=f"test-plugin-{number}")
    clock = FixedClock(at(2020, 10, 20, 9, 0))
    url = "memory://" if tmp_path is None else f"sqlite:///{tmp_path / 'p.db'}"
    app = Participatie.open(url, clock=clock, plugins=manager)
    app.save_event(week_event(capacity=2))
    return app


@pytest.fixture
def app() -> Iterator[Participatie]:
    with new_app() as opened:
        yield opened


def consent(app: Participatie, **extra: object) -> Consent:
    return Consent("2020-10", app.now() - timedelta(minutes=1), **extra)  # type: ignore[arg-type]


# --- the address rule --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Noor@Example.ORG ", "noor@example.org"),
        (
            "\uff4e\uff4f\uff4f\uff52\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org",
            "noor@example.org",
        ),
        ("noor@b\u00fccher.de", "noor@b\u00fccher.de"),
        ("noor@xn--bcher-kva.de", "noor@b\u00fccher.de"),  # one address, two spellings
        (
            "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
            "\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444",
        ),
        ("\u7530\u4e2d\u305f\u306a\u304b@example.jp", "\u7530\u4e2d\u305f\u306a\u304b@example.jp"),
        ("noor+week@example.org", "noor+week@example.org"),
    ],
)
def test_addresses_are_normalised_by_one_rule(raw: str, stored: str) -> None:
    assert normalise_email(raw) == stored
    assert Person("Noor", raw, CLIENT).email == stored


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("p\u0430ypal@example.org", "mixes letters of different scripts"),  # Cyrillic a
        ("noor@p\u0430ypal.com", "mixes letters of different scripts"),
        ("noor@example.test", "special-use or reserved"),
        ("noor@localhost", "should have a period"),
        ('"noor"@example.org', "Quoting"),
        ("noor@[192.0.2.1]", "bracketed IP address"),
        ("no\u200bor@example.org", "unsafe characters"),
        ("noor@exa\nmple.org", "e-mail"),
        ("erased-abc@erased.invalid", "special-use or reserved"),
    ],
)
def test_bad_addresses_are_refused_with_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match="not a valid e-mail address") as caught:
        normalise_email(raw)
    assert reason in str(caught.value)


def test_names_are_trimmed_and_limited() -> None:
    person = Person("  Noor  Voorbeeld ", "noor@example.org", CLIENT, organisation=" Raad ")
    assert (person.name, person.organisation) == ("Noor  Voorbeeld", "Raad")
    with pytest.raises(InvalidInputError, match=f"at most {MAX_LINE_LENGTH}"):
        Person("N" * (MAX_LINE_LENGTH + 1), "noor@example.org", CLIENT)
    with pytest.raises(InvalidInputError, match="control characters"):
        Person("Noor\u202eroov", "noor@example.org", CLIENT)  # right-to-left override


INJECTIONS = st.sampled_from(["\r", "\n", "\r\n", "\x00", "\u2028", "\u2029", "\x85", "\x1b"])


@given(
    before=st.text(max_size=20),
    attack=INJECTIONS,
    after=st.sampled_from(["Bcc: x@example.org", "END:VEVENT", "ATTENDEE:mailto:x@example.org"]),
    field=st.sampled_from(["name", "organisation", "title", "place", "subject"]),
)
def test_header_and_calendar_injection_is_refused_in_every_text_field(
    before: str, attack: str, after: str, field: str
) -> None:
    from participatie import Message, Session

    text = f"{before}{attack}{after}"
    start = at(2020, 11, 5, 10, 0)
    builders = {
        "name": lambda: Person(text, "noor@example.org", CLIENT),
        "organisation": lambda: Person("Noor", "noor@example.org", CLIENT, organisation=text),
        "title": lambda: Session("s", text, start, start + timedelta(hours=1)),
        "place": lambda: Session("s", "S", start, start + timedelta(hours=1), place=text),
        "subject": lambda: Message("noor@example.org", text, "body"),
    }
    try:
        built = builders[field]()
    except InvalidInputError:
        return
    # Accepted only when the attack was at the edge and trimmed away: the
    # stored value then holds no line break or control character at all.
    value = getattr(built, {"name": "name", "organisation": "organisation"}.get(field, field))
    assert not before.strip()
    assert attack not in value
    assert "\n" not in value
    assert "\r" not in value


# --- minors ------------------------------------------------------------------


def test_a_minor_needs_a_guardians_consent(app: Participatie) -> None:
    minor = attrs.evolve(client(1), age_category="12-15")
    assert minor.age_category is AgeCategory.FROM_12_TO_15
    with pytest.raises(GuardianConsentRequiredError, match="parent or guardian") as caught:
        app.register(EVENT_KEY, "clienten", minor, consent=consent(app))
    assert isinstance(caught.value, ConsentRequiredError)
    assert "Deelnemer" not in str(caught.value)  # the message names nobody
    assert app.registrations(EVENT_KEY) == []
    registration = app.register(
        EVENT_KEY, "clienten", minor, consent=consent(app, given_by=GUARDIAN)
    )
    assert registration.consent is not None
    assert registration.consent.given_by == GUARDIAN


def test_the_age_limit_is_the_organisers(app: Participatie) -> None:
    sixteen = attrs.evolve(client(2), age_category=AgeCategory.FROM_16_TO_17)
    unknown = client(3)
    # 16 by default: a 16-year-old consents for themself; unknown age is not a minor.
    app.register(EVENT_KEY, "clienten", sixteen, consent=consent(app))
    app.register(EVENT_KEY, "clienten", unknown, consent=consent(app))
    event = app.event(EVENT_KEY)
    strict = attrs.evolve(event.session("clienten"), guardian_consent_below=18, capacity=9)
    app.save_event(attrs.evolve(event, sessions=[strict, event.session("professionals")]))
    with pytest.raises(GuardianConsentRequiredError, match="under 18"):
        app.register(
            EVENT_KEY,
            "clienten",
            attrs.evolve(client(4), age_category="16-17"),
            consent=consent(app),
        )


def test_guardian_age_and_age_category_are_checked() -> None:
    session = week_event().session("clienten")
    assert session.guardian_consent_below == 16
    assert attrs.evolve(session, guardian_consent_below=None).guardian_consent_below is None
    with pytest.raises(InvalidInputError, match="one of 12, 16, 18"):
        attrs.evolve(session, guardian_consent_below=14)
    with pytest.raises(InvalidInputError, match="age category must be one of"):
        Person("Noor", "noor@example.org", CLIENT, age_category="15")
    no_consent = week_event().session("professionals")
    assert attrs.evolve(no_consent, consent_required=False).guardian_consent_below == 16
    from participatie import Session

    start = at(2020, 11, 5, 10, 0)
    plain = Session("s", "S", start, start + timedelta(hours=1), consent_required=False)
    assert plain.guardian_consent_below is None
    assert AgeCategory.ADULT.below is None
    assert AgeCategory.UNDER_12.is_below(12)
    assert not AgeCategory.FROM_16_TO_17.is_below(16)


def test_an_erased_address_cannot_register(app: Participatie) -> None:
    from participatie import erased_person

    with pytest.raises(InvalidInputError, match="erased"):
        app.register(EVENT_KEY, "clienten", erased_person(CLIENT), consent=consent(app))


# --- pseudonyms and exports --------------------------------------------------


def test_pseudonyms_are_keyed_and_differ_per_export() -> None:
    first, second = Pseudonymiser(), Pseudonymiser()
    assert first("noor@example.org") == first(" NOOR@example.org")
    assert first("noor@example.org") != second("noor@example.org")
    assert first("noor@example.org").startswith("p-")
    assert len(first("noor@example.org")) == 18
    key = b"k" * 32
    assert Pseudonymiser(key)("a@example.org") == Pseudonymiser(key)("a@example.org")
    assert "k" * 8 not in repr(Pseudonymiser(key))
    with pytest.raises(InvalidInputError):
        Pseudonymiser(b"short")
    with pytest.raises(InvalidInputError):
        Pseudonymiser(length=4)


def _grouped(app: Participatie) -> None:
    for n in range(2):
        app.register(EVENT_KEY, "clienten", client(n), consent=consent(app))
    leaders = [Person(f"Leider {n}", f"leider{n}@example.org", "facilitator") for n in range(1)]
    app.form_groups(EVENT_KEY, "clienten", plan=GroupPlan(facilitators=leaders))


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_group_lists_are_pseudonymous_by_default(app: Participatie, tmp_path: Path) -> None:
    _grouped(app)
    [first] = app.export_groups(EVENT_KEY, tmp_path / "one")
    [second] = app.export_groups(EVENT_KEY, tmp_path / "two")
    rows = _rows(first)
    assert rows[0] == ["session", "group", "role", "participant", "audience"]
    text = first.read_text(encoding="utf-8")
    for person in (client(0), client(1)):
        assert person.email not in text
        assert person.name not in text
        assert "Cliëntenraad" not in text
    # Two exports cannot be joined: no pseudonym appears in both.
    assert {r[3] for r in rows[1:]}.isdisjoint({r[3] for r in _rows(second)[1:]})
    assert app.privacy_log() == []  # nothing with names was written


def test_names_only_on_request_and_recorded(app: Participatie, tmp_path: Path) -> None:
    _grouped(app)
    with pytest.raises(InvalidInputError, match="requested_by"):
        app.export_groups(EVENT_KEY, tmp_path, names=True)
    [path] = app.export_groups(EVENT_KEY, tmp_path, names=True, requested_by=ORGANISER)
    assert client(0).email in path.read_text(encoding="utf-8")
    zoom = app.export_zoom_rooms(EVENT_KEY, "clienten", tmp_path / "z.csv", requested_by=ORGANISER)
    log = app.privacy_log()
    assert [(r.action, r.subject, r.requested_by, r.count) for r in log] == [
        ("names-exported", "groups-csv", ORGANISER, 3),
        ("names-exported", "zoom-rooms", ORGANISER, 3),
    ]
    assert [r.path for r in log] == [str(path.resolve()), str(zoom.resolve())]


def test_a_csv_export_loses_exactly_the_erased_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,email\r\nA,a@example.org\r\nB,'b@example.org\r\n", encoding="utf-8")
    assert remove_rows_with(path, "B@example.org") == 1
    assert path.read_bytes() == b"name,email\r\nA,a@example.org\r\n"
    assert remove_rows_with(path, "b@example.org") == 0
    assert remove_rows_with(tmp_path / "gone.csv", "a@example.org") == 0
    inside = tmp_path / "y.csv"
    inside.write_text("note\r\nsee a@example.org\r\n", encoding="utf-8")
    assert remove_rows_with(inside, "a@example.org") == 1
    assert not inside.exists()  # the address was inside a longer cell: the file goes


# --- erasure through the facade ---------------------------------------------


@attrs.define
class Keeper:
    """A plugin that keeps a note per person, and erases and reports it."""

    notes: dict[str, str] = attrs.Factory(dict)
    seen: list[tuple[str, list[int]]] = attrs.Factory(list)
    fail: bool = False

    @hookimpl
    def participatie_personal_data(self) -> list[PersonalField]:
        return declare(
            "keeper_notes", DataKind.PERSONAL, "notes", "email", "note", on_erasure="deleted"
        )

    @hookimpl
    def participatie_erase_person(self, email, registrations):  # type: ignore[no-untyped-def]
        if self.fail:
            raise RuntimeError(f"disk full while erasing {email}")
        self.seen.append((email, [r.id for r in registrations]))
        return Erased(1) if self.notes.pop(email, None) is not None else None

    @hookimpl
    def participatie_subject_access(self, email):  # type: ignore[no-untyped-def]
        return {"note": self.notes[email]} if email in self.notes else None


def test_erasure_asks_plugins_first_and_reports_moves(tmp_path: Path) -> None:
    keeper, recorder = Keeper(), HookRecorder()
    with new_app(tmp_path, keeper, recorder) as app:
        ids = [
            app.register(EVENT_KEY, "clienten", client(n), consent=consent(app)).id
            for n in range(3)
        ]
        keeper.notes[client(0).email] = "prefers mornings"
        recorder.transitions.clear()
        report = app.erase_person("Deelnemer0@Example.org", requested_by=ORGANISER)
        assert report.found
        assert keeper.seen == [(client(0).email, [ids[0]])]
        assert report.plugins == {"test-plugin-0": Erased(1)}
        assert keeper.notes == {}
        # The next person moved up and was told; the erased person was not.
        assert [(t.registration.id, t.reason) for t in recorder.transitions] == [
            (ids[2], "promoted")
        ]
        assert report.store.transitions[0].reason == "erased"
        assert "1 upcoming registration(s) cancelled, 1 place(s) moved up" in report.lines()
        assert app.registration(ids[0]).person.is_erased
        again = app.erase_person(client(0).email)
        assert not again.found
        assert "nobody with that address is stored" in again.lines()
        erased = [r for r in app.privacy_log() if r.action == "erased"]
        assert [(r.requested_by, r.count) for r in erased] == [(ORGANISER, 1), (None, 0)]


def test_a_failing_plugin_stops_erasure_before_the_store(app: Participatie) -> None:
    keeper = Keeper(fail=True)
    app.plugins.register(keeper, name="keeper")
    app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
    with pytest.raises(ErasureError, match="'keeper' failed") as caught:
        app.erase_person(client(1).email)
    assert caught.value.plugin == "keeper"
    assert client(1).email not in str(caught.value)  # the message quotes no personal data
    assert len(app.registrations_of(client(1).email)) == 1  # nothing erased, can retry
    keeper.fail = False
    assert app.erase_person(client(1).email).found


def test_a_plugin_must_return_erased(app: Participatie) -> None:
    @hookimpl
    def participatie_erase_person():  # type: ignore[no-untyped-def]
        return 3

    app.plugins.register(
        SimpleNamespace(participatie_erase_person=participatie_erase_person), name="sloppy"
    )
    with pytest.raises(ErasureError, match="must return an Erased"):
        app.erase_person(client(1).email)


def test_erasing_the_organiser_who_asked_clears_the_log(app: Participatie, tmp_path: Path) -> None:
    _grouped(app)
    app.export_groups(EVENT_KEY, tmp_path, names=True, requested_by=ORGANISER)
    report = app.erase_person(ORGANISER, requested_by=ORGANISER)
    assert report.store.requester_records == 1
    assert all(r.requested_by is None for r in app.privacy_log())


# --- subject access ----------------------------------------------------------


def test_subject_access_holds_everything(app: Participatie, tmp_path: Path) -> None:
    keeper = Keeper()
    app.plugins.register(keeper, name="keeper")
    _grouped(app)
    keeper.notes[client(0).email] = "prefers mornings"
    app.export_groups(EVENT_KEY, tmp_path / "named", names=True, requested_by=ORGANISER)
    document = app.subject_access(" DEELNEMER0@example.org")
    assert document["format"] == SUBJECT_ACCESS_FORMAT
    assert document["person"]["name"] == "Deelnemer 0"
    [registration] = document["registrations"]
    assert registration["session_title"] == "Sessie voor cliënten en ervaringsdeskundigen"
    assert registration["consent"]["given_by"] == "participant"
    assert [h["reason"] for h in registration["history"]] == ["registered"]
    assert [g["role"] for g in document["groups"]] == ["participant"]
    assert document["plugins"]["keeper"] == {"note": "prefers mornings"}
    files = document["plugins"]["participatie.privacy.builtin"]["files_holding_your_data"]
    assert [f["what"] for f in files] == ["groups-csv"]
    json.dumps(document)  # machine-readable as it is
    path = app.export_subject_access(client(0).email, tmp_path / "access.json")
    assert json.loads(path.read_text(encoding="utf-8"))["email"] == client(0).email
    nobody = app.subject_access("nobody@example.org")
    assert (nobody["found"], nobody["registrations"]) == (False, [])
    # Erasing the person removes the access export and their rows in the named list.
    app.erase_person(client(0).email)
    assert not path.exists()
    assert find_markers([tmp_path], [client(0).email]) == {client(0).email: []}


# --- retention ---------------------------------------------------------------


def test_retention_purges_only_events_past_it(app: Participatie, tmp_path: Path) -> None:
    seen: list[str] = []

    @hookimpl
    def participatie_purge_event(event):  # type: ignore[no-untyped-def]
        seen.append(event.key)

    app.plugins.register(
        SimpleNamespace(participatie_purge_event=participatie_purge_event), name="purger"
    )
    event = app.event(EVENT_KEY)
    app.save_event(attrs.evolve(event, retention=timedelta(days=30)))
    other = attrs.evolve(event, key="later")
    app.save_event(other)
    _grouped(app)
    app.register("later", "clienten", client(1), consent=consent(app))
    [named] = app.export_groups(EVENT_KEY, tmp_path, names=True, requested_by=ORGANISER)
    assert app.purge_expired().events == ()  # not yet due
    clock = app.clock
    assert isinstance(clock, FixedClock)
    due = app.event(EVENT_KEY).purge_due
    assert due == event.session("professionals").end + timedelta(days=30)
    clock.set(due)
    report = app.purge_expired()
    assert report.events == (EVENT_KEY,)
    assert report.store[EVENT_KEY].registrations == 2
    assert report.store[EVENT_KEY].group_placements == 3  # two clients, one facilitator
    assert report.store[EVENT_KEY].persons_deleted == 2  # client 1 still takes part later
    assert report.plugins[EVENT_KEY]["participatie.privacy.builtin"].files == (
        str(named.resolve()),
    )
    assert not named.exists()
    assert seen == [EVENT_KEY]
    assert all(r.person.is_erased for r in app.registrations(EVENT_KEY))
    assert [r.event_key for r in app.registrations_of(client(1).email)] == ["later"]
    assert report.scrubbed is not None
    assert app.purge_expired().erased == 0  # again: nothing left to purge
    assert [r.action for r in app.privacy_log()].count("purged") == 1


# --- the registry ------------------------------------------------------------


def test_conflicting_declarations_are_refused() -> None:
    one = PersonalField("t", "c", DataKind.PERSONAL, "why", "deleted")
    other = PersonalField("t", "c", DataKind.NOT_PERSONAL, "why")
    assert len(PersonalDataRegistry([("a", one), ("b", one)])) == 1
    with pytest.raises(PluginError, match=r"'a' and 'b' declare t\.c differently"):
        PersonalDataRegistry([("a", one), ("b", other)])
    with pytest.raises(PluginError, match="not a PersonalField"):
        PersonalDataRegistry([("a", "t.c")])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="say what erasure does"):
        PersonalField("t", "c", DataKind.PSEUDONYMOUS, "why")


def test_an_undeclared_table_fails_the_check(tmp_path: Path) -> None:
    with new_app(tmp_path) as app:
        assert app.check_personal_data() == []
        # Another module adds a table without declaring it ...
        with sqlite3.connect(tmp_path / "p.db") as db:
            db.execute(
                "CREATE TABLE sms_outbox (id INTEGER PRIMARY KEY, recipient TEXT, body TEXT)"
            )
        db.close()
        problems = app.check_personal_data()
        assert problems == [
            f"sms_outbox.{column} is stored but not declared (implement participatie_personal_data)"
            for column in ("body", "id", "recipient")
        ]

        # ... and declaring it without erasing it is not enough either.
        @hookimpl
        def participatie_personal_data():  # type: ignore[no-untyped-def]
            return [
                *declare(
                    "sms_outbox",
                    DataKind.PERSONAL,
                    "messages",
                    "recipient",
                    "body",
                    on_erasure="deleted",
                ),
                PersonalField("sms_outbox", "id", DataKind.NOT_PERSONAL, "row id"),
            ]

        app.plugins.register(
            SimpleNamespace(participatie_personal_data=participatie_personal_data),
            name="sms_outbox",
        )
        assert app.check_personal_data() == [
            "plugin 'sms_outbox' declares personal data but does not implement "
            "participatie_erase_person",
            "plugin 'sms_outbox' declares personal data but does not implement "
            "participatie_subject_access",
        ]


def test_the_registry_renders_for_a_dpia(app: Participatie) -> None:
    registry = app.personal_data_registry()
    table = registry.markdown(DataKind.PERSONAL, tables=["persons"])
    assert "| `persons.email` | personal |" in table
    assert "events.document" not in table
    assert registry.declared_by("persons", "email") == "participatie.privacy.builtin"
    assert registry.get("nope", "nope") is None
    assert ("persons", "email") in registry


# --- logs --------------------------------------------------------------------

#: Every logging call in src/, reviewed: its arguments carry no personal data
#: (plugin and hook names, exception types, code locations). A new logging
#: call fails this test until it is reviewed and added here.
REVIEWED_LOG_CALLS = {
    ("plugins.py", "error", "plugin %r failed in %s: %s at %s"),
    # Numbers, ids, error class names, channel names, kinds and event keys only:
    ("dispatch.py", "error", "the dispatcher run failed (%s); trying again in %s s"),
    ("dispatch.py", "info", "sent %d, to retry %d, failed %d"),
    (
        "dispatch.py",
        "error",
        "channel %r did not answer within %s s; its messages wait for a later run",
    ),
    ("dispatch.py", "error", "giving up message %s: %s"),
    ("dispatch.py", "warning", "message %s failed for now: %s"),
    (
        "messages.py",
        "error",
        "the organiser's %s %s text for %r failed (%s); using the default text",
    ),
    (
        "notifications.py",
        "error",
        "the calendar provider failed for registration %s (%s: %s); "
        "the message goes without a calendar part",
    ),
    # The registration number and the error's type, never its message.
    (
        "notifications.py",
        "error",
        "the personal link failed for registration %s (%s); the message goes without it",
    ),
}


def _log_calls() -> set[tuple[str, str, str]]:
    calls = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            owner = node.func.value
            if not (isinstance(owner, ast.Name) and owner.id in {"logger", "logging", "log"}):
                continue
            if node.func.attr not in {
                "debug",
                "info",
                "warning",
                "error",
                "exception",
                "critical",
                "log",
            }:
                continue
            first = node.args[0] if node.args else None
            message = first.value if isinstance(first, ast.Constant) else ast.dump(first or node)
            calls.add((path.name, node.func.attr, str(message)))
    return calls


def test_every_logging_call_is_reviewed() -> None:
    assert _log_calls() == REVIEWED_LOG_CALLS


def test_a_reader_delays_the_scrub_and_the_report_says_so(tmp_path: Path) -> None:
    from participatie.storage.sqlite import SQLiteStore

    # A short busy timeout: the checkpoint waits that long for the reader.
    store = SQLiteStore(tmp_path / "p.db", busy_timeout=0.2)
    plugins = Plugins(make_plugin_manager(load_entry_points=False, environ={}))
    with Participatie(store, clock=FixedClock(at(2020, 10, 20, 9, 0)), plugins=plugins) as app:
        app.save_event(week_event(capacity=2))
        app.register(EVENT_KEY, "clienten", client(1), consent=consent(app))
        reader = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM persons").fetchone()  # holds a snapshot
        try:
            report = app.erase_person(client(1).email)
            assert report.found
            assert not report.complete
            assert "scrub again" in report.scrubbed.detail
            assert find_markers([tmp_path], ["Deelnemer 1"])["Deelnemer 1"]  # in the WAL
        finally:
            reader.execute("COMMIT")
            reader.close()
        assert app.store.scrub().complete
        assert find_markers([tmp_path], ["Deelnemer 1"]) == {"Deelnemer 1": []}
