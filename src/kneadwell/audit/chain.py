"""The audit log's hash chain, as pure computation (no Django import).

Each organisation's rows form one chain in id order (rows without an organisation, e.g. failed logins
for unknown emails, form their own). A row stores `prev_hash`, the `row_hash` of the row before it in its
chain ("" for the first), and `row_hash` = SHA-256 of `prev_hash` and the row's content written as
canonical JSON. Changing, removing or inserting a row in the middle therefore breaks the link after it;
removing rows from the end is caught by comparing with a longer chain held elsewhere (a signed backup).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

CONTENT_FIELDS = (
    "at",
    "organisation_id",
    "user_id",
    "actor_label",
    "actor_role",
    "channel",
    "ip",
    "action",
    "entity",
    "entity_id",
    "client_id",
    "summary",
    "changes",
)


def _at(value: Any) -> str:
    # One spelling of the instant whatever zone the database hands back.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return str(value)


# Canonical JSON: sorted keys, no spaces, text as written. One encoder for every row (json.dumps with
# these options builds a new one per call, a tenth of the cost of checking the audit page's 1,000 rows).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    body = {name: content.get(name) for name in CONTENT_FIELDS}
    body["at"] = _at(body["at"])
    text = _CANONICAL.encode([prev_hash, body])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json(value: Any) -> str:
    """`value` as _CANONICAL writes it inside a list or an object (the encoder has no indent, so a value's
    text does not depend on where it stands). The types a row holds spelled out; anything else is handed
    to the encoder itself."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)  # what the encoder calls for text when ensure_ascii is off
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    return _CANONICAL.encode(value)


def canonical_json(text: str | None) -> str:
    """A JSON column's text, as the database hands it back, written canonically: what row_hash writes
    for the value Django's JSONField makes of that text (json.loads; text that is not JSON stays text)."""
    if text is None:
        return "null"
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    return _json(value)


def row_hash_of(prev_hash: Any, values: Sequence[Any], changes_json: str) -> str:
    """row_hash for content read as a tuple: `values` in CONTENT_FIELDS order, the `changes` among them
    ignored and given instead as `changes_json`, its canonical text (canonical_json). The same text as
    row_hash's, written field by field: the dictionary, the key sort and the encoder's walk over a
    13-field row were most of the cost of checking the audit page's 1,000 rows. The keys stand in sorted
    order (sort_keys); tests/audit/test_chain_fast.py compares the two over varied rows."""
    at, org, user, label, role, channel, ip, action, entity, entity_id, client, summary, _ = values
    text = (
        f'[{_json(prev_hash)},{{"action":{_json(action)},"actor_label":{_json(label)},'
        f'"actor_role":{_json(role)},"at":{_json(_at(at))},"changes":{changes_json},'
        f'"channel":{_json(channel)},"client_id":{_json(client)},"entity":{_json(entity)},'
        f'"entity_id":{_json(entity_id)},"ip":{_json(ip)},"organisation_id":{_json(org)},'
        f'"summary":{_json(summary)},"user_id":{_json(user)}}}]'
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    event_id: int
    organisation_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainState:
    checked: int
    unchained: int  # rows written before the chain existed (only allowed at the start of a chain)
    first_break: Break | None
    heads: dict[int | None, str]  # each chain's last row_hash

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify(rows: Iterable[Mapping[str, Any]], *, trust_first_link: bool = False) -> ChainState:
    """Check rows given in id order (each with `id`, `prev_hash`, `row_hash` and the content fields) and
    report the first broken link, if any. `trust_first_link` is for a window of the newest rows, which
    starts mid-chain: each chain's first row in it is taken to follow whatever its prev_hash names."""
    heads: dict[int | None, str] = {}
    started: set[int | None] = set()
    checked = unchained = 0
    for row in rows:
        org = row.get("organisation_id")
        checked += 1
        if not row.get("row_hash"):
            if org in started:
                return ChainState(checked, unchained, Break(row["id"], org, "a row without a hash"), heads)
            unchained += 1
            continue
        if trust_first_link and org not in started:
            expected_prev = row.get("prev_hash", "")
        else:
            expected_prev = heads.get(org, "")
        if row.get("prev_hash", "") != expected_prev:
            reason = "it does not follow the row before it (a row was removed or inserted)"
            return ChainState(checked, unchained, Break(row["id"], org, reason), heads)
        if row_hash(expected_prev, row) != row["row_hash"]:
            reason = "its content does not match its hash (the row was changed)"
            return ChainState(checked, unchained, Break(row["id"], org, reason), heads)
        heads[org] = row["row_hash"]
        started.add(org)
    return ChainState(checked, unchained, None, heads)


_CANONICAL_KEPT = 1024


def verify_rows(rows: Iterable[Sequence[Any]], *, trust_first_link: bool = False) -> ChainState:
    """verify() over tuples (id, prev_hash, row_hash, *CONTENT_FIELDS), with `changes` as the JSON text
    the database holds rather than its value: the same checks in the same order, the same first break.
    Each distinct `changes` text is made canonical once (most rows hold the same few, `{}` above all)."""
    heads: dict[int | None, str] = {}
    started: set[int | None] = set()
    canonical: dict[str | None, str] = {}
    checked = unchained = 0
    for row in rows:
        event_id, prev_hash, stored_hash = row[0], row[1], row[2]
        content = row[3:]
        org = content[1]
        checked += 1
        if not stored_hash:
            if org in started:
                return ChainState(checked, unchained, Break(event_id, org, "a row without a hash"), heads)
            unchained += 1
            continue
        expected_prev = prev_hash if trust_first_link and org not in started else heads.get(org, "")
        if prev_hash != expected_prev:
            reason = "it does not follow the row before it (a row was removed or inserted)"
            return ChainState(checked, unchained, Break(event_id, org, reason), heads)
        changes_text = content[12]
        changes_json = canonical.get(changes_text)
        if changes_json is None:
            if len(canonical) >= _CANONICAL_KEPT:  # `audit verify` reads millions of rows: bounded memory
                canonical.clear()
            changes_json = canonical[changes_text] = canonical_json(changes_text)
        if row_hash_of(expected_prev, content, changes_json) != stored_hash:
            reason = "its content does not match its hash (the row was changed)"
            return ChainState(checked, unchained, Break(event_id, org, reason), heads)
        heads[org] = stored_hash
        started.add(org)
    return ChainState(checked, unchained, None, heads)
