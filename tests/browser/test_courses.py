"""Issue 12 in real Chromium: at 390 px a parent enrols through the course's link, their baby attends week
1, and they do the home routine (exactly week 1's strokes) in the guided player after today's check; at
1280 px the instructor takes a class's attendance and reads a family's practice log. Screenshots in
test-artifacts/ (courses-*.png)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kneadwell.accounts.roles import Role
from kneadwell.care.models import Session
from kneadwell.courses import services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.models import Attendance, CourseClass, Enrolment
from kneadwell.library.loader import default_library
from kwtest.browser import Taps, log_in, shot, shots_at_360_and_390, sign_up_term_baby
from kwtest.courses import enrol, make_course
from kwtest.people import PASSWORD, Clinic, make_client

pytestmark = pytest.mark.django_db(transaction=True)


def _week_one(course) -> list[str]:  # type: ignore[no-untyped-def]
    strokes = syl.strokes_of(default_library(), course.protocol_id)
    return [s.key for s in syl.week_strokes(strokes, course.syllabus, 1)]


def test_a_parent_enrols_attends_week_one_and_does_the_home_routine(phone, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = phone
    course = make_course(clinic, title="Baby massage, Tuesday mornings", min_age_weeks=4, max_age_weeks=26)
    birth = timezone.localdate() - dt.timedelta(days=50)

    # The link from the instructor's flyer: family sign-up's form, inside the course's organisation.
    page.goto(f"/courses/join/{course.join_token}/", timeout=60_000)
    expect(page.get_by_role("heading", name=course.title)).to_be_visible()
    shots_at_360_and_390(page, "courses-1-join")
    sign_up_term_baby(Taps(page), birth)
    page.get_by_label(re.compile("Share our home practice")).check()
    shots_at_360_and_390(page, "courses-2-join-filled")
    page.get_by_role("button", name="Enrol my baby").click()

    expect(page.get_by_text("Noor is enrolled on")).to_be_visible()
    expect(page.get_by_text("begins after your first class")).to_be_visible()
    shots_at_360_and_390(page, "courses-3-enrolled")
    enrolment = Enrolment.objects.get(client__given_name="Noor")
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.share_with_instructor

    # Week 1's class: the instructor records that Noor came and which strokes were taught.
    item = CourseClass.objects.get(course=course, week=1)
    services.class_record(
        actor=clinic.actor(Role.INSTRUCTOR),
        course_class=item,
        expected_version=item.version,
        families=[services.FamilyInClass(enrolment.pk, "present", cues=["smiling"])],
        strokes_taught=_week_one(course),
    )

    page.goto(f"/courses/mine/{enrolment.pk}/")
    expect(page.get_by_role("heading", name="Your home routine")).to_be_visible()
    expect(page.get_by_text("Legs and feet:")).to_be_visible()
    shots_at_360_and_390(page, "courses-4-home-routine")
    page.get_by_role("link", name="Today's check, then the home routine").click()

    # The same today's check as every session, for the course's programme.
    expect(page.get_by_role("heading", name="Today's check")).to_be_visible()
    page.get_by_label(re.compile("Quiet alert")).click()
    page.locator("#id_checklist").get_by_label("None of these").click()
    page.get_by_role("button", name="Check, then start").click()

    # The guided player holds exactly week 1's strokes: the first-week routine's 10 steps.
    expected = len(default_library().routines[syl.FIRST_WEEK_ROUTINE].steps)
    expect(page.get_by_text(f"Step 1 of {expected}")).to_be_visible()
    shots_at_360_and_390(page, "courses-5-player")
    session = Session.objects.get(client=enrolment.client)
    assert [s["technique"] for s in session.steps] == [
        s.technique for s in default_library().routines[syl.FIRST_WEEK_ROUTINE].steps
    ]
    for n in range(1, expected + 1):
        expect(page.get_by_text(f"Step {n} of {expected}")).to_be_visible()
        page.get_by_role("button", name="Done — next step").click()
    expect(page.get_by_role("heading", name="All steps done")).to_be_visible()
    page.get_by_role("button", name="Finish the session").click()
    expect(page.get_by_role("heading", name="Session complete")).to_be_visible()
    shot(page, "courses-6-routine-done-390")

    # The practice counts on the course page, from the player, with no note to type.
    page.goto(f"/courses/mine/{enrolment.pk}/")
    expect(page.get_by_text(re.compile(r"enjoyed it · guided player$"))).to_be_visible()
    shots_at_360_and_390(page, "courses-7-practice")


def test_the_instructor_takes_attendance_and_reads_the_practice_log(desktop, clinic: Clinic) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    course = make_course(clinic, title="Baby massage, Thursday afternoons")
    first = enrol(clinic, course)
    second_baby = make_client(
        clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER), given_name="Ezra", weeks=None
    )
    second = enrol(clinic, course, second_baby)
    parent = clinic.actor(Role.CAREGIVER)
    today = timezone.localdate()
    services.practice_log(
        actor=parent, enrolment=first, day=today, minutes=8, response="enjoyed", note="Loved the toe roll"
    )

    page.goto("/accounts/login/", timeout=60_000)
    log_in(page, clinic.user(Role.INSTRUCTOR).email, PASSWORD)
    page.goto("/")
    expect(page.get_by_role("heading", name="Your courses")).to_be_visible()
    page.get_by_role("link", name=re.compile(course.title)).first.click()
    expect(page.get_by_role("heading", name=course.title)).to_be_visible()
    shot(page, "courses-10-course-page-1280")

    page.get_by_role("link", name="Take attendance: week 1").click()
    expect(page.get_by_role("heading", name="Week 1: attendance")).to_be_visible()
    maya = page.locator(".family-line", has_text="Maya")
    ezra = page.locator(".family-line", has_text="Ezra")
    maya.get_by_label("Present").check()
    maya.get_by_text("How Maya responded").click()
    maya.get_by_label("Smiling").check()
    ezra.get_by_label("Left early").check()
    ezra.get_by_text("Left early: why?").click()
    ezra.get_by_label("Why did they leave early?").fill("Baby unsettled, needed a feed")
    ezra.get_by_text("How Ezra responded").click()
    ezra.get_by_label("Arching the back").check()
    page.get_by_label("Your notes on the class").fill("Calm group; two babies asleep by the end.")
    shot(page, "courses-11-attendance-1280")
    page.get_by_role("button", name="Save the class").click()

    expect(page.get_by_text("Week 1's class is recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Who to follow up")).to_be_visible()
    expect(page.get_by_text("Left week 1 early (Baby unsettled, needed a feed).")).to_be_visible()
    shot(page, "courses-12-at-a-glance-1280")
    assert Attendance.objects.get(enrolment=second).left_early_reason == "Baby unsettled, needed a feed"
    assert Attendance.objects.get(enrolment=first).cues == ["smiling"]

    page.get_by_role("link", name=re.compile("Maya")).first.click()
    expect(page.get_by_role("heading", name="Home practice")).to_be_visible()
    expect(page.get_by_text("Loved the toe roll")).to_be_visible()
    shot(page, "courses-13-practice-log-1280")

    page.goto(f"/courses/{course.pk}/weeks/1/handout/")
    expect(page.get_by_role("heading", name=re.compile("Week 1 of 5"))).to_be_visible()
    shot(page, "courses-14-handout-1280")
