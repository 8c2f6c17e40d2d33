"""The family's own course pages: their courses, a course with the next class, the home routine so far
(started through today's check, in the guided player), the handouts, their home practice (noted here or
run in the player), what they share with the instructor, and leaving the course."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.courses import selectors, services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.forms import PracticeForm, WithdrawForm
from kneadwell.courses.home import taught_strokes
from kneadwell.courses.models import Enrolment
from kneadwell.library.display import display_library


@page(Perm.COURSE_ENROL)
def my_courses(request: ActorRequest) -> HttpResponse:
    enrolments = selectors.my_enrolments(actor=request.actor)
    return render(request, "courses/mine.html", {"enrolments": enrolments, "nav": "courses"})


def _my_course_page(request: ActorRequest, enrolment: Enrolment, practice_form: PracticeForm) -> HttpResponse:
    course = enrolment.course
    lib = display_library(request.actor.organisation)  # the strokes' names in the page's language
    classes = selectors.class_list(course=course)
    strokes = syl.strokes_of(lib, course.protocol_id)
    routine = syl.in_routine_order(strokes, taught_strokes(enrolment=enrolment))
    areas: dict[str, list[str]] = {}
    for stroke in routine:
        # A ritual (asking permission, the closing) is its own area: its name says it all.
        areas.setdefault(stroke.section_label, []).extend([] if stroke.ritual else [stroke.name])
    practice = selectors.practice_of(course=course, enrolments=[enrolment]).get(enrolment.pk, [])
    lines = {
        a.course_class_id: a
        for a in selectors.attendance_of_course(course=course)
        if a.enrolment_id == enrolment.pk
    }
    return render(
        request,
        "courses/my_course.html",
        {
            "enrolment": enrolment,
            "course": course,
            "client": enrolment.client,
            "classes": [{"class": c, "line": lines.get(c.pk)} for c in classes],
            "next": selectors.next_class(course=course, classes=classes),
            "routine_areas": list(areas.items()),
            "routine_count": len(routine),
            "check_url": reverse("library:check", args=[enrolment.client_id])
            + f"?protocol={course.protocol_id}",
            "practice": practice[:14],
            "practice_days": len({p.day for p in practice}),
            "form": practice_form,
            "withdraw_form": WithdrawForm(),
            "calendar_url": request.build_absolute_uri(
                reverse("courses:calendar", args=[course.calendar_token])
            ),
            "handout_weeks": [c.week for c in classes if c.recorded] or [1],
            "today": timezone.localdate(),
            "nav": "courses",
        },
    )


@page(Perm.COURSE_ENROL)
def my_course(request: ActorRequest, enrolment_id: int) -> HttpResponse:
    enrolment = selectors.my_enrolment_get(actor=request.actor, enrolment_id=enrolment_id)
    form = PracticeForm(initial={"day": timezone.localdate(), "minutes": 10})
    return _my_course_page(request, enrolment, form)


@require_POST
@page(Perm.COURSE_ENROL)
def practice_add(request: ActorRequest, enrolment_id: int) -> HttpResponse:
    actor = request.actor
    enrolment = selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    form = PracticeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.practice_log(
                actor=actor,
                enrolment=enrolment,
                day=data.get("day"),
                minutes=data.get("minutes"),
                response=data.get("response") or "",
                note=data.get("note") or "",
            )
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Noted. Well done for practising."))
            return redirect(reverse("courses:my_course", args=[enrolment.pk]) + "#practice")
    return _my_course_page(request, enrolment, form)


@require_POST
@page(Perm.COURSE_ENROL)
def share_set(request: ActorRequest, enrolment_id: int) -> HttpResponse:
    actor = request.actor
    enrolment = selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    share = request.POST.get("share") == "yes"
    services.enrolment_share_set(actor=actor, enrolment=enrolment, share=share)
    messages.success(
        request,
        _("Your instructor now sees your home practice.")
        if share
        else _("Your home practice is no longer shared."),
    )
    return redirect(reverse("courses:my_course", args=[enrolment.pk]) + "#sharing")


@require_POST
@page(Perm.COURSE_ENROL)
def my_withdraw(request: ActorRequest, enrolment_id: int) -> HttpResponse:
    actor = request.actor
    enrolment = selectors.my_enrolment_get(actor=actor, enrolment_id=enrolment_id)
    try:
        services.enrolment_withdraw(actor=actor, enrolment=enrolment, reason=request.POST.get("reason", ""))
    except (ValidationFailed, DomainError) as exc:
        messages.error(request, exc.message)
        return redirect(reverse("courses:my_course", args=[enrolment.pk]) + "#leave")
    messages.success(
        request,
        _("%(given_name)s has left %(course_title)s.")
        % {"given_name": enrolment.client.given_name, "course_title": enrolment.course.title},
    )
    return redirect("dashboard")
