"""Issue 11: the audit chain is checked from tuples (chain.verify_rows, row_hash_of) and the chain's head is
read with written-out SQL. These must hash exactly what chain.row_hash hashes, report exactly what
chain.verify reports over the rows as dictionaries, and read exactly the head the ORM query reads."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from kneadwell.accounts.roles import Role
from kneadwell.audit import chain
from kneadwell.audit.models import AuditEvent
from kneadwell.audit.services import Action, _chain_head, audit_chain_verify, audit_record
from kwtest.people import Clinic

FIELDS = ("id", "prev_hash", "row_hash", *chain.CONTENT_FIELDS)

AT = dt.datetime(2026, 12, 6, 19, 59, 31, 880772, tzinfo=dt.UTC)
TEXTS = [
    "",
    "plain",
    "é ü ß 漢字 🙂",
    'quote " and \\ backslash',
    "control \n \t \r \x00 \x1f \u2028 \u2029",
    "</script><b>&amp;",
    "x" * 500,
]
CHANGES: list[Any] = [
    {},
    {"opened": [["client", "7"], ["session", "12"]]},
    {"minutes": [1, 1.5], "tags": ["a", "b"]},
    {"z": {"b": None, "a": [True, False, None]}, "a": '漢字 "q" \n'},
    {"n": {"deep": {"deeper": [{"k": 1e-7}, {"k": 12345678901234567890}]}}},
    {"nan": math.nan, "inf": math.inf, "neg": -0.0},
    [],
    "text",
    None,
    3,
]


def _content(i: int, *, org: int | None, changes: Any) -> dict[str, Any]:
    text = TEXTS[i % len(TEXTS)]
    return {
        "at": AT + dt.timedelta(microseconds=i) if i % 5 else AT.replace(microsecond=0),
        "organisation_id": org,
        "user_id": None if i % 3 == 0 else i,
        "actor_label": text,
        "actor_role": "" if i % 2 else "admin",
        "channel": "page",
        "ip": "" if i % 4 == 0 else "2001:db8::1",
        "action": "read",
        "entity": text[:50],
        "entity_id": str(i) if i % 2 else "",
        "client_id": None if i % 2 else i * 1000,
        "summary": text,
        "changes": changes,
    }


def _stored_texts(value: Any) -> list[str]:
    """The text a JSON column may hand back for `value`: as Django writes it (SQLite), as PostgreSQL's
    jsonb prints it, and packed."""
    return [
        json.dumps(value),
        json.dumps(value, ensure_ascii=False, separators=(", ", ": ")),
        json.dumps(value, separators=(",", ":"), sort_keys=True),
    ]


@pytest.mark.parametrize("org", [None, 1, 2**40])
def test_row_hash_of_hashes_what_row_hash_hashes(org: int | None) -> None:
    prev_hashes = ["", "0" * 64, 'not a "hash" ü']
    for i, changes in enumerate(CHANGES * 3):
        content = _content(i, org=org, changes=changes)
        values = tuple(content[name] for name in chain.CONTENT_FIELDS)
        for prev in prev_hashes:
            expected = chain.row_hash(prev, content)
            for text in _stored_texts(changes):
                assert chain.row_hash_of(prev, values, chain.canonical_json(text)) == expected, (i, text)


def test_canonical_json_decodes_as_the_json_field_does() -> None:
    # A NULL column is None; text that is not JSON stays text (JSONField.from_db_value).
    assert chain.canonical_json(None) == chain._CANONICAL.encode(None)
    assert chain.canonical_json("{not json") == chain._CANONICAL.encode("{not json")
    assert chain.canonical_json('{"b": 1, "a": [2, "é"]}') == '{"a":[2,"é"],"b":1}'


def test_a_value_the_fast_path_does_not_know_is_written_by_the_encoder() -> None:
    content = _content(1, org=1, changes={})
    content.update(client_id=True, user_id=1.5, summary=["a"], entity_id={"x": 1})
    values = tuple(content[name] for name in chain.CONTENT_FIELDS)
    assert chain.row_hash_of("", values, "{}") == chain.row_hash("", content)


@contextmanager
def _triggers_off() -> Iterator[None]:
    """What someone with the database owner's rights could do; inside the test's transaction, so undone."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
    yield


# What a row's `changes` may hold and read back the same from both databases (jsonb prints -0.0 and 1e300
# as numbers of its own, and refuses NaN).
DB_CHANGES: list[dict[str, Any]] = [c for c in CHANGES[:5] if isinstance(c, dict)]


def _write_varied(clinic: Clinic) -> list[AuditEvent]:
    actor = clinic.actor(Role.THERAPIST)
    events = []
    for i in range(12):
        text = TEXTS[i % len(TEXTS)].replace("\x00", "")  # PostgreSQL text holds no NUL
        changes = DB_CHANGES[i % len(DB_CHANGES)]
        if i % 3 == 2:  # the chain without an organisation (e.g. failed logins for unknown emails)
            event = audit_record(
                actor=None,
                action=Action.LOGIN_FAILED,
                entity="user",
                summary=text,
                label=text,
                changes=changes,
            )
        else:
            event = audit_record(
                actor=actor,
                action=Action.UPDATE,
                entity=text[:50] or "note",
                entity_id=i,
                client_id=None if i % 2 else 10 + i,
                summary=text,
                changes=changes,
            )
        events.append(event)
    return events


def _old_verify(organisation_id: int | None, last: int | None) -> chain.ChainState:
    """audit_chain_verify as it was: chain.verify over the rows as dictionaries."""
    rows = AuditEvent.objects.all()
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    if last is not None:
        return chain.verify(
            reversed(list(rows.order_by("-id").values(*FIELDS)[:last])), trust_first_link=True
        )
    return chain.verify(rows.order_by("id").values(*FIELDS), trust_first_link=False)


def _both_agree(clinic: Clinic) -> list[chain.ChainState]:
    states = []
    for organisation_id in (None, clinic.org.pk):
        for last in (None, 4, 1000):
            new = audit_chain_verify(organisation_id=organisation_id, last=last)
            assert new == _old_verify(organisation_id, last), (organisation_id, last)
            states.append(new)
    return states


@pytest.mark.django_db
def test_stored_rows_rehash_to_their_hashes_from_tuples(clinic: Clinic) -> None:
    events = _write_varied(clinic)
    assert any(e.organisation_id is None for e in events)
    states = _both_agree(clinic)
    assert all(state.intact for state in states)
    assert states[0].checked == AuditEvent.objects.count()


def _tamper(sql: str, params: list[Any]) -> None:
    with _triggers_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("summary", "nothing happened"),
        ("actor_label", "someone@else.test"),
        ("entity_id", "999"),
        ("client_id", 424242),
        ("user_id", None),
        ("user_id", "an admin"),
        ("ip", "10.0.0.1"),
        ("at", "2020-01-01 00:00:00.000001"),
        ("changes", '{"z": {"a": [true, false, null], "b": 1}, "a": "x"}'),
        ("changes", "{}"),
        ("row_hash", "f" * 64),
        ("row_hash", ""),
        ("prev_hash", "0" * 64),
    ],
)
@pytest.mark.parametrize("victim", [3, 5, 10])
def test_the_first_break_is_the_one_the_dictionaries_give(
    clinic: Clinic, column: str, value: Any, victim: int
) -> None:
    events = _write_varied(clinic)
    if value == "an admin":
        value = clinic.user(Role.ADMIN).pk
    stored = AuditEvent.objects.filter(pk=events[victim].pk).values_list(column, flat=True).get()
    unchanged = stored == (json.loads(value) if column == "changes" else value)
    placeholder = "%s::jsonb" if column == "changes" and connection.vendor == "postgresql" else "%s"
    sql = f"UPDATE audit_auditevent SET {column} = {placeholder} WHERE id = %s"  # noqa: S608 - fixed names
    _tamper(sql, [value, events[victim].pk])
    states = _both_agree(clinic)
    assert states[0].intact == unchanged


@pytest.mark.django_db
def test_the_head_read_is_the_orm_query_s(clinic: Clinic) -> None:
    def orm_head(org: int | None) -> str:
        rows = (
            AuditEvent.objects.filter(organisation_id=org)
            if org is not None
            else AuditEvent.objects.filter(organisation__isnull=True)
        )
        return rows.order_by("-id").values_list("row_hash", flat=True).first() or ""

    assert _chain_head(clinic.org.pk + 1000) == orm_head(clinic.org.pk + 1000) == ""
    events = _write_varied(clinic)
    for org in (None, clinic.org.pk):
        assert _chain_head(org) == orm_head(org) != ""
    assert _chain_head(None) == [e for e in events if e.organisation_id is None][-1].row_hash
    assert _chain_head(clinic.org.pk) == [e for e in events if e.organisation_id][-1].row_hash


def test_the_canonical_texts_kept_are_bounded_and_the_answer_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = []
    prev = ""
    for i in range(40):
        content = _content(i, org=1, changes={"n": i % 7, "s": "é"})
        digest = chain.row_hash(prev, content)
        values = [content[name] for name in chain.CONTENT_FIELDS]
        values[-1] = json.dumps(content["changes"])
        rows.append((i + 1, prev, digest, *values))
        prev = digest
    expected = chain.verify_rows(rows)
    assert expected.intact
    assert expected.checked == 40
    monkeypatch.setattr(chain, "_CANONICAL_KEPT", 3)
    assert chain.verify_rows(rows) == expected
