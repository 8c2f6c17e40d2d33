"""The family's home routine: the strokes taught at the classes the baby attended, in the same guided
player, after the same today's check (the care hook SESSION_STEPS)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.care import services as care
from kneadwell.core.errors import ValidationFailed
from kneadwell.courses import services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.home import taught_strokes
from kneadwell.courses.models import CourseClass
from kneadwell.courses.services import FamilyInClass
from kneadwell.library.loader import default_library
from kwtest.courses import enrol, make_course
from kwtest.people import Clinic, make_client
from kwtest.screening import passing_check

pytestmark = pytest.mark.django_db
LIB = default_library()


@pytest.fixture
def baby(clinic: Clinic):  # type: ignore[no-untyped-def]
    """A term baby, 10 weeks old, guarded by the clinic's parent."""
    return make_client(
        clinic.actor(Role.THERAPIST),
        guardian_user=clinic.user(Role.CAREGIVER),
        born_days_ago=70,
        weeks=39,
        days=3,
    )


def _record(clinic: Clinic, course, enrolment, week: int, status: str, taught: list[str]) -> None:  # type: ignore[no-untyped-def]
    item = CourseClass.objects.get(course=course, week=week)
    if timezone.localtime(item.starts_at).date() > timezone.localdate():
        # Tests record later weeks today: bring the class to today (as a moved class would be).
        CourseClass.objects.filter(pk=item.pk).update(starts_at=timezone.now())
        item.refresh_from_db()
    services.class_record(
        actor=clinic.actor(Role.INSTRUCTOR),
        course_class=item,
        expected_version=item.version,
        families=[FamilyInClass(enrolment.pk, status, "baby tired" if status == "left_early" else "")],
        strokes_taught=taught,
    )


def _week(course, week: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.key for s in syl.week_strokes(syl.strokes_of(LIB, course.protocol_id), course.syllabus, week)]


def _start(clinic: Clinic, baby):  # type: ignore[no-untyped-def]
    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, baby, syl.DEFAULT_PROTOCOL, "infant")
    return care.session_start(actor=parent, client=baby, check=check)


def test_before_the_first_class_the_home_routine_waits_for_it(clinic: Clinic, baby) -> None:  # type: ignore[no-untyped-def]
    course = make_course(clinic)
    enrol(clinic, course, baby)
    with pytest.raises(ValidationFailed) as exc:
        _start(clinic, baby)
    assert "begins after the first class" in exc.value.errors["check"][0]


def test_after_week_one_the_player_runs_exactly_the_strokes_taught(clinic: Clinic, baby) -> None:  # type: ignore[no-untyped-def]
    course = make_course(clinic)
    enrolment = enrol(clinic, course, baby)
    _record(clinic, course, enrolment, 1, "present", _week(course, 1))
    session = _start(clinic, baby)
    first_week = LIB.routines[syl.FIRST_WEEK_ROUTINE]
    assert [s["technique"] for s in session.steps] == [s.technique for s in first_week.steps]
    assert [s["index"] for s in session.steps] == list(range(len(session.steps)))
    assert session.readiness_check is not None  # the same check, fresh, as every session


def test_the_routine_grows_with_each_class_attended(clinic: Clinic, baby) -> None:  # type: ignore[no-untyped-def]
    course = make_course(clinic)
    enrolment = enrol(clinic, course, baby)
    _record(clinic, course, enrolment, 1, "present", _week(course, 1))
    _record(clinic, course, enrolment, 2, "left_early", _week(course, 2))
    taught = taught_strokes(enrolment=enrolment)
    assert set(taught) == set(_week(course, 1)) | set(_week(course, 2))
    sections = {k.split(".")[0] for k in taught}
    assert "tummy" in sections
    assert "chest" not in sections


def test_a_class_the_family_missed_adds_nothing_to_their_routine(clinic: Clinic, baby) -> None:  # type: ignore[no-untyped-def]
    course = make_course(clinic)
    enrolment = enrol(clinic, course, baby)
    _record(clinic, course, enrolment, 1, "present", _week(course, 1))
    _record(clinic, course, enrolment, 2, "absent", _week(course, 2))
    assert set(taught_strokes(enrolment=enrolment)) == set(_week(course, 1))


def test_a_baby_on_no_course_keeps_the_librarys_routine(clinic: Clinic, baby) -> None:  # type: ignore[no-untyped-def]
    session = _start(clinic, baby)
    assert len(session.steps) == len(LIB.routines["iaim_full_body"].steps)


def test_once_every_stroke_is_taught_the_routine_is_the_whole_routine(clinic: Clinic, baby) -> None:  # type: ignore[no-untyped-def]
    course = make_course(clinic)
    enrolment = enrol(clinic, course, baby)
    everything = [s.key for s in syl.strokes_of(LIB, course.protocol_id)]
    _record(clinic, course, enrolment, 1, "present", everything)
    parent = clinic.actor(Role.CAREGIVER)
    check = passing_check(parent, baby, syl.DEFAULT_PROTOCOL, "infant")
    full = care.session_start(actor=parent, client=baby, check=check)
    assert len(full.steps) == len(LIB.routines["iaim_full_body"].steps)
