"""Base model shared by the apps: timestamps and an optimistic-lock version."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimestampedModel):
    """A record people edit: `version` goes up on every save through a service, and a save that brings an
    older version is refused (see `kneadwell.core.concurrency`), so no edit silently overwrites another."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
