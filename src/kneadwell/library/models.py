"""Database records around the content library. The content itself (techniques, protocols, rules) stays
in the reviewed YAML files; the database keeps which content version was in force, each client's intake,
every readiness check with its verdict, and clinicians' releases."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client
from kneadwell.core.models import TimestampedModel, VersionedModel
from kneadwell.core.tenancy import TenantManager


class ContentVersionRecord(models.Model):
    """A content version that has been loaded: the manifest's label and review, and the sha256 over all the
    clinical content (library, evidence and instruments; kneadwell.content.loader). Intakes, readiness
    checks, plans and sessions name it in their `content_version` as "label+first 12 of the sha256"; rows
    written before the hash covered every area keep the library-only hash they were made with."""

    label = models.CharField(max_length=50)
    sha256 = models.CharField(max_length=64, unique=True)
    reviewed_on = models.DateField()
    reviewed_by = models.CharField(max_length=200)
    first_loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.label} ({self.sha256[:12]})"


class Intake(VersionedModel):
    """A client's intake answers for one population's question set (the health history that screening
    reads every time). Editing keeps the version check; every change is in the audit log."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="intakes")
    population = models.CharField(max_length=40)
    answers = models.JSONField(default=dict)
    content_version = models.CharField(max_length=80)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("client",))

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["client"], name="one_intake_per_client"),
        ]

    def __str__(self) -> str:
        return f"Intake of {self.client_id} ({self.population})"


class ReadinessCheck(TimestampedModel):
    """Today's check for a client and protocol: the answers given and the verdict the screening returned,
    kept exactly as shown (with the content version and settings in force)."""

    class Action(models.TextChoices):
        # The verdict's words, shown on the check's page (its title) in the reader's language.
        GO = "go", gettext_lazy("Go")
        MODIFY = "modify", gettext_lazy("Go, with changes")
        AVOID_AREAS = "avoid-areas", gettext_lazy("Go, leaving some areas out")
        NEEDS_RELEASE = "needs-release", gettext_lazy("A clinician must release first")
        STOP = "stop", gettext_lazy("Not today")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="readiness_checks")
    protocol_id = models.CharField(max_length=60)
    population = models.CharField(max_length=40)
    answers = models.JSONField(default=dict)
    action = models.CharField(max_length=20, choices=Action.choices)
    verdict = models.JSONField(default=dict)
    content_version = models.CharField(max_length=80)
    # A hash of everything in the record the verdict read (client facts, intake, releases, settings,
    # content): when it no longer matches, the record changed and the check is stale.
    record_hash = models.CharField(max_length=64, blank=True, default="")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("client",))

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["client", "-created_at"], name="readiness_client_recent")]

    def __str__(self) -> str:
        return f"{self.protocol_id} check for {self.client_id}: {self.action}"

    @property
    def blocks(self) -> bool:
        return self.action in (self.Action.STOP, self.Action.NEEDS_RELEASE)


class Release(TimestampedModel):
    """A clinician's release of one `needs-release` rule for a client on a protocol, for the finding as it
    was in the check it was given from (`finding`): a worse value, a new finding or the end date voids it.
    A `stop` is never released. Revoking keeps the row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="releases")
    protocol_id = models.CharField(max_length=60)
    rule_id = models.CharField(max_length=60)
    note = models.TextField()
    readiness_check = models.ForeignKey(
        ReadinessCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    finding = models.JSONField(null=True, blank=True)  # what the rule read when released
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager(parents=("client", "readiness_check"))

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"release of {self.rule_id} for {self.client_id}"
