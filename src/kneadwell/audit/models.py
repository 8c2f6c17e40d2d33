"""The audit log: one row per write and per read of a client's record. Append-only through the
application: rows cannot be changed or deleted by any code path here (save refuses updates, delete and
queryset update/delete raise); database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL),
see audit/guards.py; each row is hash-chained to the one before it, see audit/chain.py."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kneadwell.core.tenancy import TenantManager, TenantQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(TenantQuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", gettext_lazy("Created")
        UPDATE = "update", gettext_lazy("Changed")
        DELETE = "delete", gettext_lazy("Deleted")
        READ = "read", gettext_lazy("Viewed")
        LIST = "list", gettext_lazy("Listed")
        EXPORT = "export", gettext_lazy("Exported")
        LOGIN = "login", gettext_lazy("Logged in")
        LOGIN_FAILED = "login_failed", gettext_lazy("Failed login")
        LOGOUT = "logout", gettext_lazy("Logged out")
        RESTORE = "restore", gettext_lazy("Restored a backup")

    # Set by audit_record before the row is hashed (auto_now_add would set it after).
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The actor's email and role at the time, so the row stays readable whatever happens to the account.
    actor_label = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    channel = models.CharField(max_length=10)
    ip = models.CharField(max_length=45, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    entity = models.CharField(max_length=50)
    entity_id = models.CharField(max_length=64, blank=True)
    # The client whose record this touches, kept as a plain id so the trail outlives the record.
    client_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # The hash chain (see audit/chain.py): the previous row's hash in this organisation's chain, and this
    # row's. Empty only on rows written before the chain existed.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    row_hash = models.CharField(max_length=64, blank=True, default="")

    objects = TenantManager.from_queryset(AuditQuerySet)()

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "-at"], name="audit_org_at"),
            models.Index(fields=["organisation", "client_id", "-at"], name="audit_org_client_at"),
            # The chain's head: this organisation's last row by id.
            models.Index(fields=["organisation", "-id"], name="audit_org_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.entity} {self.entity_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit log is append-only.")
