"""The instructor's pages: their courses, a new course, a course at a glance (attendance and home practice
per family, who to follow up, the waiting list, the weekly classes and handouts), changing a course and
its syllabus, invitations, and one family's practice log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed
from kneadwell.core.web import ActorRequest, apply_errors, page
from kneadwell.courses import selectors, services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.forms import CourseForm, InviteForm, SyllabusForm, WithdrawForm
from kneadwell.courses.models import Course, Enrolment
from kneadwell.library.selectors import library


@page(Perm.COURSE_VIEW)
def course_list(request: ActorRequest) -> HttpResponse:
    courses = list(selectors.course_list(actor=request.actor))
    today = timezone.localdate()
    for course in courses:
        course.last_day = services.last_class_day(course)  # type: ignore[attr-defined]
    return render(
        request,
        "courses/list.html",
        {
            "current": [c for c in courses if c.last_day >= today],  # type: ignore[attr-defined]
            "past": [c for c in courses if c.last_day < today],  # type: ignore[attr-defined]
            "can_manage": request.actor.can(Perm.COURSE_MANAGE),
            "nav": "courses",
        },
    )


@page(Perm.COURSE_MANAGE)
def course_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    choices = selectors.instructor_choices(actor=actor)
    form = CourseForm(request.POST or None, instructors=choices, initial={"instructor": actor.user.pk})
    if request.method == "POST" and form.is_valid():
        instructor = selectors.instructor_user(actor=actor, user_id=form.cleaned_data.get("instructor"))
        try:
            course = services.course_create(actor=actor, instructor=instructor, **form.values())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(course_title)s is ready, with %(weeks)s weekly classes. Share its enrolment link "
                    "with families, or invite them by email."
                )
                % {"course_title": course.title, "weeks": course.weeks},
            )
            return redirect("courses:detail", course_id=course.pk)
    return render(request, "courses/form.html", {"form": form, "course": None, "nav": "courses"})


@page(Perm.COURSE_MANAGE)
def course_edit(request: ActorRequest, course_id: int) -> HttpResponse:
    actor = request.actor
    course = selectors.course_get(actor=actor, course_id=course_id)
    lib = library()
    initial = {name: getattr(course, name) for name in services.COURSE_FIELDS if name != "instructor"}
    initial["instructor"] = course.instructor_id
    form = CourseForm(
        request.POST or None, instructors=selectors.instructor_choices(actor=actor), initial=initial
    )
    weeks = course.weeks
    if request.method == "POST" and str(request.POST.get("weeks", "")).isdigit():
        weeks = max(1, min(syl.MAX_WEEKS, int(request.POST["weeks"])))
    plan = syl.complete(lib, course.protocol_id, course.syllabus)
    syllabus_form = SyllabusForm(
        request.POST or None,
        library=lib,
        protocol_id=course.protocol_id,
        weeks=max(weeks, course.weeks),
        initial={f"stroke__{k.replace('.', '__')}": str(v) for k, v in plan.items()},
    )
    if request.method == "POST" and form.is_valid() and syllabus_form.is_valid():
        values = form.values()
        instructor = selectors.instructor_user(actor=actor, user_id=form.cleaned_data.get("instructor"))
        if instructor is not None:
            values["instructor"] = instructor
        version = request.POST.get("version", "")
        try:
            services.course_update(
                actor=actor,
                course=course,
                expected_version=int(version) if version.isdigit() else None,
                syllabus=syllabus_form.syllabus(),
                **values,
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The course was saved."))
            return redirect("courses:detail", course_id=course.pk)
    return render(
        request,
        "courses/form.html",
        {"form": form, "syllabus_form": syllabus_form, "course": course, "nav": "courses"},
    )


def _areas_text(labels: list[str]) -> str:
    """ "Legs and feet, tummy": the first area as written, the others in lower case."""
    return ", ".join([labels[0], *(label.lower() for label in labels[1:])]) if labels else ""


def _weeks(course: Course, classes: list[Any]) -> list[dict[str, Any]]:
    lib = library()
    strokes = syl.strokes_of(lib, course.protocol_id)
    out = []
    for item in classes:
        new = [s for s in syl.week_strokes(strokes, course.syllabus, item.week) if not s.ritual]
        out.append(
            {
                "class": item,
                "new": new,
                "areas": _areas_text(list(dict.fromkeys(s.section_label for s in new))),
                "review": not new,
            }
        )
    return out


@page(Perm.COURSE_VIEW)
def course_detail(request: ActorRequest, course_id: int) -> HttpResponse:
    actor = request.actor
    course = selectors.course_get(actor=actor, course_id=course_id)
    classes = selectors.class_list(course=course)
    enrolments = selectors.enrolment_list(actor=actor, course=course)
    rows = selectors.course_overview(course=course, enrolments=enrolments, classes=classes)
    held = [c for c in classes if c.recorded]
    base = request.build_absolute_uri("/")
    return render(
        request,
        "courses/detail.html",
        {
            "course": course,
            "classes": classes,
            "held": held,
            "weeks": _weeks(course, classes),
            "rows": rows,
            "follow_up": [r for r in rows if r.summary.follow_up],
            "waiting": [e for e in enrolments if e.status == Enrolment.Status.WAITING],
            "withdrawn": [e for e in enrolments if e.status == Enrolment.Status.WITHDRAWN],
            "taken": len(rows),
            "next": selectors.next_class(course=course, classes=classes),
            "join_url": services.join_url(course, base),
            "calendar_url": request.build_absolute_uri(
                reverse("courses:calendar", args=[course.calendar_token])
            ),
            "invite_form": InviteForm(),
            "can_manage": actor.can(Perm.COURSE_MANAGE),
            "today": timezone.localdate(),
            "nav": "courses",
        },
    )


@require_POST
@page(Perm.COURSE_MANAGE)
def course_invite(request: ActorRequest, course_id: int) -> HttpResponse:
    actor = request.actor
    course = selectors.course_get(actor=actor, course_id=course_id)
    form = InviteForm(request.POST)
    form.is_valid()
    try:
        sent = services.course_invite(
            actor=actor,
            course=course,
            emails=form.addresses(),
            message=form.cleaned_data.get("message") or "",
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(
            request, _("Invitation sent to %(sent)s.") % {"sent": ", ".join(i.email for i in sent)}
        )
    return redirect(reverse("courses:detail", args=[course.pk]) + "#invite")


@require_POST
@page(Perm.COURSE_MANAGE)
def course_link_renew(request: ActorRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(actor=request.actor, course_id=course_id)
    services.course_link_renew(actor=request.actor, course=course)
    messages.success(request, _("A new enrolment link was made; the old one no longer works."))
    return redirect(reverse("courses:detail", args=[course.pk]) + "#invite")


@page(Perm.COURSE_VIEW)
def family_detail(request: ActorRequest, course_id: int, enrolment_id: int) -> HttpResponse:
    actor = request.actor
    course = selectors.course_get(actor=actor, course_id=course_id)
    enrolment = selectors.enrolment_get(actor=actor, course=course, enrolment_id=enrolment_id)
    classes = selectors.class_list(course=course)
    lines = {
        a.course_class_id: a
        for a in selectors.attendance_of_course(course=course)
        if a.enrolment_id == enrolment.pk
    }
    lib = library()
    history = [
        {
            "class": c,
            "line": lines.get(c.pk),
            "cues": [
                lib.cues[code] for code in (lines[c.pk].cues if c.pk in lines else []) if code in lib.cues
            ],
        }
        for c in classes
        if c.recorded
    ]
    shared = enrolment.share_with_instructor
    practice = (
        selectors.practice_of(course=course, enrolments=[enrolment]).get(enrolment.pk, []) if shared else []
    )
    from kneadwell.courses.home import taught_strokes

    strokes = syl.in_routine_order(
        syl.strokes_of(lib, course.protocol_id), taught_strokes(enrolment=enrolment)
    )
    return render(
        request,
        "courses/family.html",
        {
            "course": course,
            "enrolment": enrolment,
            "history": history,
            "practice": practice,
            "shared": shared,
            "routine": strokes,
            "withdraw_form": WithdrawForm(),
            "can_manage": actor.can(Perm.COURSE_MANAGE),
            "nav": "courses",
        },
    )


@require_POST
@page(Perm.COURSE_MANAGE)
def family_withdraw(request: ActorRequest, course_id: int, enrolment_id: int) -> HttpResponse:
    actor = request.actor
    course = selectors.course_get(actor=actor, course_id=course_id)
    enrolment = selectors.enrolment_get(actor=actor, course=course, enrolment_id=enrolment_id)
    try:
        services.enrolment_withdraw(actor=actor, enrolment=enrolment, reason=request.POST.get("reason", ""))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("courses:family", course_id=course.pk, enrolment_id=enrolment.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(given_name)s was withdrawn from the course.") % {"given_name": enrolment.client.given_name},
        )
    return redirect("courses:detail", course_id=course.pk)
