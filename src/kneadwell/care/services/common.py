"""Checks shared by the plan, session and note services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kneadwell.clients.models import Client
from kneadwell.core.errors import ValidationFailed
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import ReadinessCheck


def check_usable(check: ReadinessCheck, client: Client, *, max_age: dt.timedelta, now: dt.datetime) -> None:
    if check.client_id != client.pk:
        raise ValidationFailed({"check": ["That check belongs to another client."]})
    if check.blocks:
        raise ValidationFailed({"check": ["Today's check did not allow a session: see its reasons."]})
    if now - check.created_at > max_age:
        minutes = int(max_age.total_seconds() // 60)
        raise ValidationFailed({"check": [f"Today's check is more than {minutes} minutes old; do it again."]})


def valid_regions(ids: Iterable[str], field: str) -> list[str]:
    lib = library_selectors.library()
    out = sorted(set(ids))
    bad = [r for r in out if r not in lib.regions or lib.regions[r].kind not in ("area", "group")]
    if bad:
        raise ValidationFailed({field: [f"Unknown body region(s): {', '.join(bad)}."]})
    return out
