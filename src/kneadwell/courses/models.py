"""Infant-massage class series: a course run by an instructor, its weekly classes, the families enrolled,
attendance with each baby's response, home practice, and invitations sent. Rows are never deleted: an
enrolment ends as withdrawn, a class is recorded and then corrected (each save audited)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kneadwell.accounts.models import Organisation
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.core.models import TimestampedModel, VersionedModel
from kneadwell.core.tenancy import TenantManager
from kneadwell.courses import syllabus as syl

User = settings.AUTH_USER_MODEL

# The age range a course may be set to, in weeks: the library's infant population is "a baby under
# about 12 months" (library/content/populations.yaml), and the routine taught is an infant routine.
MAX_AGE_WEEKS = 52
MAX_CAPACITY = 30
MAX_CLASS_MINUTES = 180


class Course(VersionedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    instructor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="courses_taught")
    title = models.CharField(max_length=150)
    venue = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(max_length=500, blank=True)
    start_date = models.DateField(gettext_lazy("first class"))
    class_time = models.TimeField()
    class_minutes = models.PositiveSmallIntegerField(default=60)
    weeks = models.PositiveSmallIntegerField(default=syl.DEFAULT_WEEKS)
    capacity = models.PositiveSmallIntegerField(default=8)
    language = models.CharField(max_length=60, default="English")
    min_age_weeks = models.PositiveSmallIntegerField(default=0)
    max_age_weeks = models.PositiveSmallIntegerField(default=MAX_AGE_WEEKS)
    protocol_id = models.CharField(max_length=60, default=syl.DEFAULT_PROTOCOL)
    # Stroke key -> the week it is introduced in (0: not taught); see courses/syllabus.py.
    syllabus = models.JSONField(default=dict)
    content_version = models.CharField(max_length=80)
    # The enrolment link's and the calendar feed's secrets (a link on a flyer; a calendar app cannot
    # log in). Neither reveals a family.
    join_token = models.CharField(max_length=64, unique=True)
    calendar_token = models.CharField(max_length=64, unique=True)
    reminders = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        ordering: ClassVar = ["-start_date", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "instructor", "start_date"], name="course_org_instructor"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(weeks__gte=syl.MIN_WEEKS, weeks__lte=syl.MAX_WEEKS), name="course_weeks_range"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY), name="course_capacity_range"
            ),
            models.CheckConstraint(
                condition=Q(max_age_weeks__lte=MAX_AGE_WEEKS, min_age_weeks__lt=models.F("max_age_weeks")),
                name="course_age_range",
            ),
            models.CheckConstraint(
                condition=Q(class_minutes__gte=15, class_minutes__lte=MAX_CLASS_MINUTES),
                name="course_class_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        return self.venue or (_("Online") if self.online_link else "")


class CourseClass(VersionedModel):
    """One weekly class of a course. `strokes_taught` and the notes are what the instructor recorded
    (empty until then, when `held_at` is set)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes")
    week = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    held_at = models.DateTimeField(null=True, blank=True)
    strokes_taught = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = TenantManager(parents=("course",))

    class Meta:
        ordering: ClassVar = ["course", "week"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["course", "week"], name="course_class_week_once"),
        ]
        indexes: ClassVar = [
            # The reminder run: classes starting soon that were not reminded yet, across organisations.
            models.Index(fields=["reminded_at", "starts_at"], name="course_class_remind"),
        ]

    def __str__(self) -> str:
        return f"week {self.week} of course {self.course_id}"

    @property
    def recorded(self) -> bool:
        return self.held_at is not None


class Enrolment(VersionedModel):
    """A baby (with their parent or parents) on a course, or on its waiting list."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", gettext_lazy("Enrolled")
        WAITING = "waiting", gettext_lazy("On the waiting list")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="course_enrolments")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="+")
    other_parent = models.CharField(
        gettext_lazy("another parent or carer attending"), max_length=150, blank=True
    )
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    age_days_at_start = models.PositiveIntegerField()  # the baby's age on the day of the first class
    # The family's choice: their home practice and the baby's massage record, seen by the instructor.
    share_with_instructor = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)  # the waiting list's order
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(blank=True)
    enrolled_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("course", "client", "guardian", "consent"))

    class Meta:
        ordering: ClassVar = ["joined_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["course", "client"], name="enrolment_once_per_course"),
        ]
        indexes: ClassVar = [models.Index(fields=["course", "status"], name="enrolment_course_status")]

    def __str__(self) -> str:
        return f"client {self.client_id} on course {self.course_id} ({self.status})"


class Attendance(VersionedModel):
    class Status(models.TextChoices):
        PRESENT = "present", gettext_lazy("Present")
        ABSENT = "absent", gettext_lazy("Absent")
        LEFT_EARLY = "left_early", gettext_lazy("Left early")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    course_class = models.ForeignKey(CourseClass, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=Status.choices)
    left_early_reason = models.TextField(blank=True)
    # The baby's response in class: cue ids from the library (the player's cues).
    cues = models.JSONField(default=list, blank=True)
    response_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("course_class", "enrolment"))

    class Meta:
        ordering: ClassVar = ["course_class", "enrolment"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["course_class", "enrolment"], name="attendance_once"),
            models.CheckConstraint(
                condition=~Q(status="left_early") | ~Q(left_early_reason=""),
                name="attendance_left_early_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} at {self.course_class}"


class PracticeEntry(TimestampedModel):
    """A day of home practice the family noted (sessions in the guided player are read from care)."""

    class Response(models.TextChoices):
        ENJOYED = "enjoyed", gettext_lazy("Enjoyed it")
        MIXED = "mixed", gettext_lazy("Some “not so much” signs")
        UNSETTLED = "unsettled", gettext_lazy("Unsettled: we stopped early")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="practice")
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    response = models.CharField(max_length=10, choices=Response.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("enrolment",))

    class Meta:
        ordering: ClassVar = ["-day", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=180), name="practice_minutes"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.day} ({self.enrolment_id})"


class CourseInvitation(TimestampedModel):
    """The course's link, emailed to a family by the instructor."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField()
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager(parents=("course",))

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation to course {self.course_id} for {self.email}"
