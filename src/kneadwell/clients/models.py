from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.accounts.models import Organisation
from kneadwell.clients import rules
from kneadwell.clients.rules import CONSENT_KIND_LABELS, ConsentKind, Scope
from kneadwell.core.models import TimestampedModel, VersionedModel
from kneadwell.core.tenancy import TenantManager


class Client(VersionedModel):
    """The person massaged: an infant, a child or an adult."""

    class Sex(models.TextChoices):
        FEMALE = "female", gettext_lazy("Female")
        MALE = "male", gettext_lazy("Male")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=6, choices=Sex.choices)
    gestation_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    gestation_days = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_weight_g = models.PositiveIntegerField(null=True, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    identifier = models.CharField(gettext_lazy("hospital or clinic number"), max_length=64, blank=True)
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        ordering: ClassVar = ["family_name", "given_name", "id"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "family_name", "given_name"], name="client_org_name"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(gestation_weeks__isnull=True)
                | Q(
                    gestation_weeks__gte=rules.GESTATION_MIN_WEEKS,
                    gestation_weeks__lte=rules.GESTATION_MAX_WEEKS,
                ),
                name="client_gestation_weeks_range",
            ),
            models.CheckConstraint(
                condition=Q(gestation_days__isnull=True) | Q(gestation_days__lte=6),
                name="client_gestation_days_range",
            ),
            models.CheckConstraint(
                condition=Q(birth_weight_g__isnull=True)
                | Q(
                    birth_weight_g__gte=rules.BIRTH_WEIGHT_MIN_G, birth_weight_g__lte=rules.BIRTH_WEIGHT_MAX_G
                ),
                name="client_birth_weight_range",
            ),
            models.CheckConstraint(condition=Q(sex__in=["female", "male"]), name="client_sex_known"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def gestation_label(self) -> str:
        if self.gestation_weeks is None:
            return _("term (not recorded)")
        return _("%(weeks)s+%(days)s weeks") % {
            "weeks": self.gestation_weeks,
            "days": self.gestation_days or 0,
        }

    @property
    def is_preterm(self) -> bool:
        return self.gestation_weeks is not None and self.gestation_weeks < 37

    def age_group(self, on: dt.date) -> rules.AgeGroup:
        return rules.age_group(self.birth_date, on)


class Guardian(TimestampedModel):
    """A parent, guardian or other carer of a client. When `user` is set, that caregiver sees the client."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", gettext_lazy("Mother")
        FATHER = "father", gettext_lazy("Father")
        PARENT = "parent", gettext_lazy("Parent")
        LEGAL_GUARDIAN = "legal_guardian", gettext_lazy("Legal guardian")
        GRANDPARENT = "grandparent", gettext_lazy("Grandparent")
        REPRESENTATIVE = "representative", gettext_lazy("Legal representative")
        OTHER = "other", gettext_lazy("Other carer")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    has_parental_responsibility = models.BooleanField(default=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardianships",
    )

    objects = TenantManager(parents=("client",))

    class Meta:
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["client", "user"],
                condition=Q(user__isnull=False),
                name="guardian_user_once_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class Consent(TimestampedModel):
    """A consent (or a child's assent) for a client. Never deleted: withdrawal is recorded on the row, so
    the history of what was agreed, and when it ended, stays."""

    class Method(models.TextChoices):
        PAPER = "paper", gettext_lazy("Signed on paper, kept on file")
        ELECTRONIC = "electronic", gettext_lazy("Signed electronically here")
        VERBAL = "verbal", gettext_lazy("Given verbally, witnessed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(
        max_length=10, choices=[(k.value, gettext_lazy(v)) for k, v in CONSENT_KIND_LABELS.items()]
    )
    scopes = models.JSONField(default=list)
    guardian = models.ForeignKey(
        Guardian, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    signed_by_name = models.CharField(max_length=150)
    signed_on = models.DateField()
    method = models.CharField(max_length=12, choices=Method.choices)
    attestation = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = TenantManager(parents=("client", "guardian"))

    class Meta:
        ordering: ClassVar = ["-signed_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(attestation=True), name="consent_attested"),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def scope_labels(self) -> list[str]:
        return [_(rules.SCOPE_LABELS[Scope(s)]) for s in self.scopes if s in Scope.__members__.values()]

    def facts(self) -> rules.ConsentFacts:
        return rules.ConsentFacts(
            kind=ConsentKind(self.kind),
            scopes=frozenset(Scope(s) for s in self.scopes),
            signed_on=self.signed_on,
            withdrawn=self.withdrawn_at is not None,
        )
