"""A recorded outcome measurement: one administration of one instrument for one client.

Never deleted. A measurement typed wrongly is marked "entered in error" (who, when, why): it leaves charts,
summaries and exports but stays in the record and the audit trail.

Units: `value` holds a single measurement in the instrument's canonical unit from the catalogue
(`outcomes/instruments/catalogue/measurements.yaml`): weight and other masses in kg, lengths in cm, bone
density in g/cm². The unit is stored next to it in `unit`, and what the person typed (e.g. 1450 g) stays in
`answers` and `details`, so pages can show the unit that was used. One rule for every measurement, instead
of grams for weight only, keeps the import, API and scoring paths identical; weights convert to grams
exactly for velocity (kg with 3 decimals = whole grams)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client
from kneadwell.core.models import VersionedModel
from kneadwell.core.tenancy import TenantManager


class Measurement(VersionedModel):
    class Context(models.TextChoices):
        # When in the programme it was taken; protocols say which instruments are collected when.
        BASELINE = "baseline", gettext_lazy("Baseline (before the programme)")
        SESSION = "session", gettext_lazy("At a session")
        WEEKLY = "weekly", gettext_lazy("Weekly review")
        END = "end", gettext_lazy("End of the programme")
        ROUTINE = "routine", gettext_lazy("Routine care (e.g. daily weight)")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="measurements")
    instrument_id = models.CharField(max_length=64)
    taken_at = models.DateTimeField()
    context = models.CharField(max_length=10, choices=Context.choices, default=Context.ROUTINE)
    # What was entered, as given to the scorer (item id -> answer; value/unit for measurements).
    answers = models.JSONField(default=dict)
    # Single measurements: the value in the canonical unit, and that unit.
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=16, blank=True)
    # Scores from `outcomes.instruments.score`.
    total = models.FloatField(null=True, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    band = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # Muscle group or movement, and side, when the entry covers exactly one (MAS, range of motion).
    site = models.CharField(max_length=64, blank=True)
    side = models.CharField(max_length=8, blank=True)
    # A possible-but-unusual value the person checked and confirmed; the messages they saw are kept.
    confirmed_unusual = models.BooleanField(default=False)
    confirmed_warnings = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_in_error_reason = models.TextField(blank=True)
    # The content version (kneadwell.content) whose catalogue scored this entry: its total, band and
    # warnings come from the instrument's data, as a check's verdict comes from the rules. Empty for
    # entries saved before it was recorded (and for rows written in SQL, such as the benchmark seed).
    content_version = models.CharField(max_length=80, blank=True, default="", db_default="")
    # The version of the instrument (its items, options and bands: a catalogue entry's `version`, an
    # organisation's measure's published version number) and of its scoring rule that gave this result.
    # A result is never scored again in place: a different version is a new measurement. Empty for entries
    # saved before they were recorded.
    instrument_version = models.CharField(max_length=20, blank=True, default="", db_default="")
    scoring_version = models.CharField(max_length=20, blank=True, default="", db_default="")

    objects = TenantManager(parents=("client",))

    class Meta:
        ordering: ClassVar = ["-taken_at", "-id"]
        indexes: ClassVar = [
            # Per-client, per-instrument, time-ordered reads (charts, trends, latest value).
            models.Index(fields=["client", "instrument_id", "taken_at"], name="measurement_client_instr"),
            # A client's measurements of every kind, newest first (the list page).
            models.Index(fields=["client", "taken_at"], name="measurement_client_time"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(context__in=["baseline", "session", "weekly", "end", "routine"]),
                name="measurement_context_known",
            ),
            models.CheckConstraint(
                condition=Q(entered_in_error_at__isnull=True)
                | (Q(entered_in_error_by__isnull=False) & ~Q(entered_in_error_reason="")),
                name="measurement_in_error_has_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} for client {self.client_id} at {self.taken_at:%Y-%m-%d %H:%M}"

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None


class OrganisationMeasure(VersionedModel):
    """An outcome measure an organisation defines for itself (docs/custom-measures.md): a licensed
    instrument its clinicians hold a licence for, or a measure of its own. The definition lives in its
    versions; `published_number` names the version recorded with now (0: none published yet). A retired
    measure is no longer offered for new entries but stays readable with everything recorded with it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Part of the instrument id its measurements carry (`org-<organisation>-<slug>`): never changed.
    slug = models.CharField(max_length=40)
    published_number = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager()

    class Meta:
        ordering: ClassVar = ["slug"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="organisation_measure_slug_unique"),
            models.CheckConstraint(
                condition=Q(retired_at__isnull=True) | Q(retired_by__isnull=False),
                name="organisation_measure_retired_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.slug} (organisation {self.organisation_id})"


class OrganisationMeasureVersion(models.Model):
    """One version of an organisation's measure: its definition as checked JSON
    (`outcomes.instruments.organisation.check_definition`). A draft (not yet published) may be edited;
    a published version never changes, since measurements name it. Editing a published measure makes the
    next version as a draft."""

    measure = models.ForeignKey(OrganisationMeasure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = TenantManager(through="measure")

    class Meta:
        ordering: ClassVar = ["measure", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["measure", "number"], name="organisation_measure_version_unique"),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(published_by__isnull=False),
                name="organisation_measure_version_published_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} version {self.number}"

    @property
    def published(self) -> bool:
        return self.published_at is not None
