"""What a device sent when the network came back. One row per record the device kept (a check, a session's
start, a step, an observation, a pause, its end, a diary note), keyed by the idempotency key the device
made: the key is stored once per organisation, so a replayed sync returns the first result and writes
nothing again. A record the server stored but reads more cautiously than the device did (a stop on the
current record) is a conflict: kept, flagged, and shown to the person until they say they have read it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kneadwell.accounts.models import Organisation
from kneadwell.care.models import Session
from kneadwell.clients.models import Client
from kneadwell.core.tenancy import TenantManager

User = settings.AUTH_USER_MODEL


class SyncRecord(models.Model):
    class Kind(models.TextChoices):
        CHECK = "check", _("Today's check")
        SESSION_START = "session_start", _("Session started")
        STEP = "step", _("Step")
        OBSERVATION = "observation", _("Cue, state or reading")
        PAUSE = "pause", _("Pause")
        RESUME = "resume", _("Resume")
        SESSION_END = "session_end", _("Session ended")
        NOTE = "note", _("Diary or note")

    class Status(models.TextChoices):
        STORED = "stored", _("Stored")
        CONFLICT = "conflict", _("Stored, with a conflict")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    # The session the record belongs to (for a check: the one started from it, if any, is found through
    # the session's readiness check instead).
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(default=dict)  # what the device sent, kept whole (a diary's text too)
    payload_hash = models.CharField(max_length=64)
    device_time = models.DateTimeField()  # when it happened on the device (its clock)
    synced_at = models.DateTimeField()  # when the server stored it
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STORED)
    result = models.JSONField(default=dict)  # what a replay answers (ids made, the server's verdict)
    conflict = models.JSONField(default=dict, blank=True)  # title, detail, what to do, both sides
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("client", "session"))

    class Meta:
        ordering: ClassVar = ["synced_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "key"], name="sync_record_once"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["session", "status"], name="sync_session_status"),
            models.Index(fields=["organisation", "status", "resolved_at"], name="sync_open_conflicts"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.status})"

    @property
    def open_conflict(self) -> bool:
        return self.status == self.Status.CONFLICT and self.resolved_at is None
