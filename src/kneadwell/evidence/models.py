"""Database records for the evidence area. The library itself (studies, findings, claims) stays in the
reviewed YAML files; the database keeps which content version was loaded, and the meta-analyses that an
organisation's researchers enter themselves."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from kneadwell.accounts.models import Organisation
from kneadwell.core.models import VersionedModel
from kneadwell.core.tenancy import TenantManager


class EvidenceContentRecord(models.Model):
    """An evidence content version that has been loaded (pages and exports say which one they showed)."""

    content_version = models.CharField(max_length=80, unique=True)
    studies = models.PositiveIntegerField()
    findings = models.PositiveIntegerField()
    claims = models.PositiveIntegerField()
    first_loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.content_version[:19]


class MetaAnalysis(VersionedModel):
    """A researcher's own meta-analysis: the study rows in the shapes `kneadwell meta` reads (binary
    counts, arm means and SDs, or yi/vi) and the chosen measure and τ² method. The pooled result is
    computed from the rows every time it is shown, so it can never disagree with them."""

    class Measure(models.TextChoices):
        RR = "RR", gettext_lazy("Risk ratio (RR)")
        OR = "OR", gettext_lazy("Odds ratio (OR)")
        RD = "RD", gettext_lazy("Risk difference (RD)")
        MD = "MD", gettext_lazy("Mean difference (MD)")
        SMD = "SMD", gettext_lazy("Standardised mean difference (SMD, Hedges' g)")

    class Method(models.TextChoices):
        REML = "REML", gettext_lazy("REML (restricted maximum likelihood; the default)")
        DL = "DL", gettext_lazy("DerSimonian-Laird (DL)")
        PM = "PM", gettext_lazy("Paule-Mandel (PM)")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=150)
    outcome = models.CharField(max_length=150)
    # The evidence library's outcome code, when the analysis is about one of its outcomes: the result
    # page then shows the certainty of the library's claims about that outcome next to the pooled number.
    outcome_code = models.CharField(max_length=80, blank=True)
    measure = models.CharField(max_length=3, choices=Measure.choices)
    method = models.CharField(max_length=4, choices=Method.choices, default=Method.REML)
    rows = models.JSONField(default=list)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        ordering: ClassVar = ["-updated_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "-updated_at"], name="meta_analysis_org_recent")
        ]

    def __str__(self) -> str:
        return self.title
