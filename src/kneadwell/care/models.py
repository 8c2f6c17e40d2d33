"""Plans, their schedules, guided sessions with everything observed during them, notes and adverse
events. Clinical rows are never deleted: sessions end as completed or stopped, notes are signed and then
amended, plans end with a reason."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client
from kneadwell.core.models import TimestampedModel, VersionedModel
from kneadwell.core.tenancy import TenantManager
from kneadwell.library.models import ReadinessCheck

User = settings.AUTH_USER_MODEL


class Plan(VersionedModel):
    """A client enrolled on a protocol, personalised."""

    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("Active")
        ENDED = "ended", gettext_lazy("Ended")

    class Pressure(models.TextChoices):
        ANY = "", gettext_lazy("As the protocol says")
        LIGHT = "light", gettext_lazy("Light at most")
        MODERATE = "moderate", gettext_lazy("Moderate at most")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="plans")
    protocol_id = models.CharField(max_length=60)
    content_version = models.CharField(max_length=80)
    enrolment_check = models.ForeignKey(ReadinessCheck, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    starts_at = models.DateTimeField()
    open_weeks = models.PositiveSmallIntegerField(default=4)
    avoid_regions = models.JSONField(default=list, blank=True)
    focus_regions = models.JSONField(default=list, blank=True)
    max_pressure = models.CharField(max_length=10, choices=Pressure.choices, blank=True)
    minutes_factor = models.FloatField(null=True, blank=True)
    goals = models.TextField(blank=True)
    reminders = models.BooleanField(default=False)
    calendar_token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    objects = TenantManager(parents=("client", "enrolment_check"))

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["organisation", "status"], name="plan_org_status")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(minutes_factor__isnull=True) | Q(minutes_factor__gt=0, minutes_factor__lte=1),
                name="plan_minutes_factor_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_id} for client {self.client_id}"


class ScheduledSession(models.Model):
    class Status(models.TextChoices):
        DUE = "due", gettext_lazy("Due")
        DONE = "done", gettext_lazy("Done")
        STOPPED = "stopped", gettext_lazy("Stopped")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="slots")
    sequence = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    phase = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager(through="plan")

    class Meta:
        ordering: ClassVar = ["due_at", "sequence"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="slot_sequence_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["plan", "due_at"], name="slot_plan_due"),
            # A plan's next open sessions (plan page, client page, today's check).
            models.Index(fields=["plan", "status", "due_at"], name="slot_plan_status_due"),
            # Sessions due across the organisation, soonest first (the dashboard): walked in due order
            # instead of going through every client's plans. Measured on the benchmark clinic (15,000
            # overdue and 100,000 future slots): 40-100 ms down to about 10 ms on SQLite. The index
            # above keeps one plan's reads on the plan's own rows (SQLite, without statistics, would
            # otherwise walk this one).
            models.Index(fields=["status", "due_at"], name="slot_status_due"),
        ]

    def __str__(self) -> str:
        return f"session {self.sequence} of plan {self.plan_id}"


class Session(VersionedModel):
    """One guided session. `steps` is today's routine as it was planned at the start (after the readiness
    verdict and the plan's personalisation), so later content changes cannot alter a session in hand."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", gettext_lazy("In progress")
        PAUSED = "paused", gettext_lazy("Paused")
        COMPLETED = "completed", gettext_lazy("Completed")
        STOPPED = "stopped", gettext_lazy("Stopped")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="sessions")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    slot = models.OneToOneField(
        ScheduledSession, null=True, blank=True, on_delete=models.PROTECT, related_name="session"
    )
    # Empty only for a session recorded after the fact (`services.session_import`: brought in from another
    # system or a paper record), which had no readiness check here.
    readiness_check = models.OneToOneField(
        ReadinessCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="session"
    )
    protocol_id = models.CharField(max_length=60)
    population = models.CharField(max_length=40)
    content_version = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    steps = models.JSONField(default=list)
    dropped_steps = models.JSONField(default=list)
    current_step = models.PositiveIntegerField(default=0)
    step_started_at = models.DateTimeField()
    step_paused_seconds = models.FloatField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    pauses = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    stop_check = models.CharField(max_length=60, blank=True)
    stop_reason = models.TextField(blank=True)
    performed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("client", "plan", "slot", "readiness_check"))

    class Meta:
        ordering: ClassVar = ["-started_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["client", "-started_at"], name="session_client_recent"),
            models.Index(fields=["organisation", "-started_at"], name="session_org_recent"),
            models.Index(fields=["plan", "status"], name="session_plan_status"),
        ]

    def __str__(self) -> str:
        return f"session {self.pk} ({self.protocol_id})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.IN_PROGRESS, self.Status.PAUSED)

    @property
    def recorded_after_the_fact(self) -> bool:
        """Imported (`services.session_import`) rather than guided here."""
        return self.readiness_check_id is None


class StepLog(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", gettext_lazy("Done")
        SKIPPED = "skipped", gettext_lazy("Skipped")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="step_logs")
    index = models.PositiveIntegerField()
    technique_id = models.CharField(max_length=60)
    regions = models.JSONField(default=list)
    phase = models.CharField(max_length=80, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    skip_reason = models.TextField(blank=True)
    seconds = models.FloatField()
    ended_at = models.DateTimeField()

    objects = TenantManager(through="session")

    class Meta:
        ordering: ClassVar = ["index"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["session", "index"], name="step_logged_once")
        ]

    def __str__(self) -> str:
        return f"step {self.index} of session {self.session_id}: {self.outcome}"


class Observation(models.Model):
    """A cue, a behavioural state or a vital-sign reading, with the decision the stop rules made.
    `key` is the client's idempotency key, so a tap sent twice (a retry after a dropped connection)
    is stored once."""

    class Kind(models.TextChoices):
        CUE = "cue", gettext_lazy("Cue")
        STATE = "state", gettext_lazy("Behavioural state")
        VITALS = "vitals", gettext_lazy("Vital signs")

    class Moment(models.TextChoices):
        BEFORE = "before", gettext_lazy("Before")
        DURING = "during", gettext_lazy("During")
        AFTER = "after", gettext_lazy("After")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="observations")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    code = models.CharField(max_length=60, blank=True)
    vitals = models.JSONField(default=dict, blank=True)
    moment = models.CharField(max_length=8, choices=Moment.choices, default=Moment.DURING)
    step_index = models.PositiveIntegerField(null=True, blank=True)
    observed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10)
    reasons = models.JSONField(default=list, blank=True)

    objects = TenantManager(through="session")

    class Meta:
        ordering: ClassVar = ["observed_at", "id"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["session", "key"], name="observation_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} in session {self.session_id}"


class Note(VersionedModel):
    """The note after a session: SOAP for therapists, a short diary for parents. Signed notes are
    locked; changes after that are amendments kept beside the original."""

    class Kind(models.TextChoices):
        SOAP = "soap", gettext_lazy("SOAP note")
        DIARY = "diary", gettext_lazy("Parent's diary")

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="note")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan_text = models.TextField("plan", blank=True)
    response = models.TextField(gettext_lazy("how the baby or client responded"), blank=True)
    sleep_after = models.CharField(max_length=20, blank=True)
    stools = models.CharField(max_length=20, blank=True)
    techniques = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    pressure = models.CharField(max_length=10, blank=True)
    minutes = models.FloatField(null=True, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(through="session")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for session {self.session_id}"

    @property
    def locked(self) -> bool:
        return self.signed_at is not None


class NoteAmendment(TimestampedModel):
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField()
    reason = models.TextField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(through="note")

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"amendment to note {self.note_id}"


class AdverseEvent(VersionedModel):
    class Severity(models.TextChoices):
        MILD = "mild", gettext_lazy("Mild (passed quickly, no treatment)")
        MODERATE = "moderate", gettext_lazy("Moderate (needed attention or treatment)")
        SEVERE = "severe", gettext_lazy("Severe (needed urgent treatment)")
        SERIOUS = "serious", gettext_lazy("Serious (life-threatening, hospital admission or longer stay)")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="adverse_events")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="adverse_events"
    )
    occurred_at = models.DateTimeField()
    what = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    action_taken = models.TextField()
    follow_up = models.TextField(blank=True)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("client", "session"))

    class Meta:
        ordering: ClassVar = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"adverse event ({self.severity}) for client {self.client_id}"


class PlanFigures(models.Model):
    """A plan's adherence figures kept up to date, so that pages over many plans (the unit's adherence
    page) read one row per plan instead of walking every session. Written only by
    `care.services.figures.plan_figures_refresh`, in the same transaction as the session or plan change
    that moves them; the migration that made this table filled it from the sessions already there
    (`plan_figures_rebuild` does the same for rows written with SQL, as the benchmark seeder does).
    Sessions due so far depend on the clock, so they are counted when read (from the slot index, not from
    the sessions)."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, primary_key=True, related_name="figures")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    planned_total = models.PositiveIntegerField(default=0)  # scheduled sessions not cancelled
    done = models.PositiveIntegerField(default=0)  # scheduled sessions done
    completed_sessions = models.PositiveIntegerField(default=0)
    stopped_sessions = models.PositiveIntegerField(default=0)
    stop_reasons = models.JSONField(default=dict)  # reason -> stopped sessions
    phase_seconds = models.JSONField(default=dict)  # phase -> seconds, summed over completed sessions
    last_session_at = models.DateTimeField(null=True, blank=True)  # latest completed or stopped start
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager(parents=("plan",))

    def __str__(self) -> str:
        return f"figures of plan {self.plan_id}"
