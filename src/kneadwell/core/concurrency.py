"""Optimistic locking for records people edit (see VersionedModel)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from kneadwell.core.errors import Conflict

M = TypeVar("M", bound=models.Model)


def lock_for_edit(queryset: models.QuerySet[M], pk: object, expected_version: int | None) -> M:
    """Load a row for update inside the caller's transaction and refuse it when someone saved a newer
    version since the editor loaded theirs. `expected_version=None` is only for internal callers that
    hold no stale copy."""
    obj = queryset.select_for_update().get(pk=pk)
    current = getattr(obj, "version")  # noqa: B009 - every VersionedModel has it
    if expected_version is not None and current != expected_version:
        raise Conflict(
            "Someone else saved a change to this record after you opened it. Nothing of yours was saved: "
            "reload the page to see their change, then make yours again.",
            field="version",
        )
    return obj
