"""Optimistic locking for records people edit (see VersionedModel)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from kneadwell.core.errors import Conflict

M = TypeVar("M", bound=models.Model)


def lock_for_edit(queryset: models.QuerySet[M], pk: object, expected_version: int | None) -> M:
    """Load a row for update inside the caller's transaction and refuse it when someone saved a newer
    version since the editor loaded theirs. A missing version is refused too: an edit that does not say
    what it was based on could overwrite anything (issue 10: two saves without a version both "won")."""
    obj = queryset.select_for_update().get(pk=pk)
    current = getattr(obj, "version")  # noqa: B009 - every VersionedModel has it
    if expected_version is None:
        raise Conflict(
            f"Send the version you loaded (the record is now at version {current}), so that no one "
            "else's change is overwritten unseen.",
            field="version",
            current_version=current,
        )
    if current != expected_version:
        raise Conflict(
            "Someone else saved a change to this record after you opened it. Nothing of yours was saved: "
            "reload the page to see their change, then make yours again.",
            field="version",
            current_version=current,
        )
    return obj
