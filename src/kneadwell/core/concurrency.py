"""Optimistic locking for records people edit (see VersionedModel)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.core.errors import Conflict, NotFound

M = TypeVar("M", bound=models.Model)

# English source, translated when raised; named so that a stored copy can be shown again in another
# language (offline/words.py).
ERR_NO_VERSION = gettext_noop(
    "Send the version you loaded (the record is now at version %(current)s), so that no one "
    "else's change is overwritten unseen."
)
ERR_STALE = gettext_noop(
    "Someone else saved a change to this record after you opened it. Nothing of yours was "
    "saved: reload the page to see their change, then make yours again."
)


def lock_for_edit(
    queryset: models.QuerySet[M], pk: object, expected_version: int | None, *, not_found: str | None = None
) -> M:
    """Load a row for update inside the caller's transaction and refuse it when someone saved a newer
    version since the editor loaded theirs. A missing version is refused too: an edit that does not say
    what it was based on could overwrite anything (issue 10: two saves without a version both "won").
    With `not_found`, a row outside `queryset` (or an id the database cannot compare) is NotFound with that
    message, so another organisation's row looks like no row at all."""
    try:
        obj = queryset.select_for_update().get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        if not_found is None:
            raise
        raise NotFound(not_found) from None
    current = getattr(obj, "version")  # noqa: B009 - every VersionedModel has it
    if expected_version is None:
        raise Conflict(
            _(ERR_NO_VERSION) % {"current": current},
            field="version",
            current_version=current,
        )
    if current != expected_version:
        raise Conflict(
            _(ERR_STALE),
            field="version",
            current_version=current,
        )
    return obj
