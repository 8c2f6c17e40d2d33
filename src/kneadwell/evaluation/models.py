"""Studies, their arms and outcomes, the allocation list, participants and the outcome entries the
assessors make. Nothing here is deleted: a participant who leaves is withdrawn (who, when, why), an
allocation once made never changes, and an outcome entered wrongly is marked in error on its measurement.
docs/evaluation.md describes the whole."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client
from kneadwell.core.errors import DomainError
from kneadwell.core.models import TimestampedModel, VersionedModel
from kneadwell.core.tenancy import TenantManager
from kneadwell.outcomes.models import Measurement

User = settings.AUTH_USER_MODEL
ERR_ALLOCATION_FIXED = gettext_noop(
    "An allocation, once made, is never changed (randomisation is irreversible)."
)
STOPPED_PROGRAMME_ONLY = ("clinical", "adverse")


class Study(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Being designed")
        RECRUITING = "recruiting", gettext_lazy("Recruiting")
        CLOSED = "closed", gettext_lazy("Closed to recruitment")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Short, fixed: participants are numbered from it (TKS-001), in pages, exports and the CONSORT diagram.
    code = models.CharField(max_length=12)
    title = models.CharField(max_length=200)
    question = models.TextField()
    population = models.TextField()
    eligibility = models.JSONField(default=list, blank=True)  # methods/eligibility.py criteria
    screener_checks = models.JSONField(default=list, blank=True)  # criteria the screener confirms
    target_size = models.PositiveIntegerField()
    registration = models.CharField(gettext_lazy("trial registration"), max_length=80, blank=True)
    strata = models.JSONField(default=list, blank=True)  # factor names, methods/allocation.FACTORS
    sites = models.JSONField(default=list, blank=True)
    gestation_cuts = models.JSONField(default=list, blank=True)  # completed weeks
    block_sizes = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "code"], name="study_code_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "recruiting", "closed"]), name="study_status_known"
            ),
            models.CheckConstraint(condition=Q(target_size__gte=2), name="study_target_at_least_two"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class Arm(TimestampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="arms")
    code = models.SlugField(max_length=20)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    protocol_id = models.CharField(max_length=60, blank=True)  # the library protocol delivered, if any
    ratio = models.PositiveSmallIntegerField(default=1)
    is_control = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager(parents=("study",))

    class Meta:
        ordering: ClassVar = ["study", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["study", "code"], name="arm_code_unique"),
            models.CheckConstraint(condition=Q(ratio__gte=1, ratio__lte=10), name="arm_ratio_range"),
        ]

    def __str__(self) -> str:
        return self.name


class StudyOutcome(TimestampedModel):
    """A primary or secondary outcome: an instrument at time points (days after randomisation), and the
    figure analysed (methods/outcomes.py)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="outcomes")
    code = models.CharField(max_length=30)  # the dataset's variable name
    name = models.CharField(max_length=150)
    instrument_id = models.CharField(max_length=64)
    measure = models.CharField(max_length=16)
    days = models.JSONField()
    baseline_day = models.SmallIntegerField(null=True, blank=True)
    analysis_day = models.SmallIntegerField()
    window_days = models.PositiveSmallIntegerField(default=1)
    primary = models.BooleanField(default=False)
    threshold = models.FloatField(null=True, blank=True)
    direction = models.CharField(max_length=2, default="ge")
    unit = models.CharField(max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = TenantManager(parents=("study",))

    class Meta:
        ordering: ClassVar = ["study", "-primary", "order", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["study", "code"], name="study_outcome_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AllocationList(TimestampedModel):
    """The study's allocation list: generated here from a seed, or uploaded. Its slots and its seed are
    read only through the selectors that require the allocation-list right (Perm.ALLOCATION_VIEW)."""

    class Method(models.TextChoices):
        GENERATED = "generated", gettext_lazy("Generated here (permuted blocks of random sizes)")
        UPLOADED = "uploaded", gettext_lazy("Uploaded allocation table")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="allocation")
    method = models.CharField(max_length=10, choices=Method.choices)
    algorithm = models.CharField(max_length=60, blank=True)
    seed = models.CharField(max_length=128, blank=True)
    block_sizes = models.JSONField(default=list)
    table_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("study",))

    def __str__(self) -> str:
        return f"allocation list of study {self.study_id}"


class Participant(VersionedModel):
    """A client screened for a study: assessed, then excluded or randomised. The arm, once set, never
    changes (the model refuses it, as well as the services)."""

    class Status(models.TextChoices):
        NOT_ELIGIBLE = "not_eligible", gettext_lazy("Not eligible")
        DECLINED = "declined", gettext_lazy("Declined to take part")
        EXCLUDED = "excluded", gettext_lazy("Excluded for another reason")
        ELIGIBLE = "eligible", gettext_lazy("Eligible, not yet randomised")
        RANDOMISED = "randomised", gettext_lazy("Randomised")

    class Withdrawal(models.TextChoices):
        CONSENT = "consent", gettext_lazy("Consent withdrawn")
        LOST = "lost", gettext_lazy("Lost to follow-up")
        CLINICAL = "clinical", gettext_lazy("Stopped the programme: clinical decision (still followed)")
        ADVERSE = "adverse", gettext_lazy("Stopped the programme: adverse event (still followed)")
        DISCHARGED = "discharged", gettext_lazy("Discharged or transferred")
        OTHER = "other", gettext_lazy("Other")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="participants")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="study_participations")
    code = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=Status.choices)
    screened_at = models.DateTimeField()
    screened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    eligibility = models.JSONField(default=dict)  # what was checked and found, kept as screened
    exclusion_reason = models.TextField(blank=True)
    site = models.CharField(max_length=80, blank=True)
    strata_values = models.JSONField(default=dict, blank=True)
    stratum = models.CharField(max_length=200, blank=True)
    arm = models.ForeignKey(Arm, null=True, blank=True, on_delete=models.PROTECT, related_name="participants")
    randomised_at = models.DateTimeField(null=True, blank=True)
    randomised_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received = models.BooleanField(null=True, blank=True)  # received the allocated programme
    received_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawal = models.CharField(max_length=12, choices=Withdrawal.choices, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    # May the data collected before the withdrawal stay in the analysis? (Asked at withdrawal.)
    data_kept = models.BooleanField(default=True)

    objects = TenantManager(parents=("study", "client", "arm"))

    class Meta:
        ordering: ClassVar = ["study", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["study", "client"], name="participant_once_per_study"),
            models.UniqueConstraint(fields=["study", "code"], name="participant_code_unique"),
            models.CheckConstraint(
                condition=(Q(status="randomised") & Q(arm__isnull=False) & Q(randomised_at__isnull=False))
                | (~Q(status="randomised") & Q(arm__isnull=True)),
                name="participant_arm_iff_randomised",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | (Q(status="randomised") & ~Q(withdrawal="")),
                name="participant_withdrawal_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Participant:
        row = super().from_db(db, field_names, values)
        row.__dict__["_loaded_arm_id"] = row.__dict__.get("arm_id")
        return row

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def followed(self) -> bool:
        """Still in follow-up: not withdrawn, or withdrawn from the programme only (a clinical decision,
        an adverse event), whose outcomes are still measured."""
        return self.withdrawn_at is None or self.withdrawal in STOPPED_PROGRAMME_ONLY


class AllocationSlot(models.Model):
    """One line of the allocation list. Used in order within its stratum by the randomisation, which sets
    `participant` once; the model refuses any later change."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    allocation = models.ForeignKey(AllocationList, on_delete=models.PROTECT, related_name="slots")
    stratum = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    block = models.PositiveIntegerField(default=0)
    block_size = models.PositiveSmallIntegerField(default=0)
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
    participant = models.OneToOneField(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="slot"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager(parents=("allocation", "arm", "participant"))

    class Meta:
        ordering: ClassVar = ["allocation", "stratum", "position"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["allocation", "stratum", "position"], name="allocation_slot_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stratum} #{self.position}"

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> AllocationSlot:
        row = super().from_db(db, field_names, values)
        row.__dict__["_loaded_participant_id"] = row.__dict__.get("participant_id")
        return row


class StudyMeasurement(TimestampedModel):
    """A measurement entered for a participant's time point: who entered it and whether they were blinded
    (their role can see nothing that reveals the arm; evaluation/blinding.py). The measurement itself is
    the outcomes app's, with its own audit trail; marking it in error drops it from the study too."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="measurements")
    measurement = models.OneToOneField(Measurement, on_delete=models.PROTECT, related_name="study_entry")
    instrument_id = models.CharField(max_length=64)
    day = models.SmallIntegerField()
    entered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    entered_role = models.CharField(max_length=20)
    blinded = models.BooleanField()

    objects = TenantManager(parents=("participant", "measurement"))

    class Meta:
        ordering: ClassVar = ["participant", "day", "id"]
        indexes: ClassVar = [
            models.Index(fields=["participant", "instrument_id", "day"], name="study_measurement_point"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} day {self.day} {self.instrument_id}"


# An allocation never changes once made. Checked before every save, after the tenancy check (connected
# when the class was made), so a row pointed at another organisation is still refused as that.
def _allocation_fixed(sender: type[models.Model], instance: Any, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    field = "arm_id" if sender is Participant else "participant_id"
    loaded = getattr(instance, f"_loaded_{field}", None)
    if loaded is not None and getattr(instance, field) != loaded:
        raise DomainError(gettext(ERR_ALLOCATION_FIXED))


def _remember(sender: type[models.Model], instance: Any, raw: bool = False, **_: Any) -> None:
    field = "arm_id" if sender is Participant else "participant_id"
    setattr(instance, f"_loaded_{field}", getattr(instance, field))


for _model in (Participant, AllocationSlot):
    pre_save.connect(
        _allocation_fixed, sender=_model, weak=False, dispatch_uid=f"allocation-fixed:{_model.__name__}"
    )
    post_save.connect(
        _remember, sender=_model, weak=False, dispatch_uid=f"allocation-remember:{_model.__name__}"
    )
