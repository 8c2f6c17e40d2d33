"""A week's handout as a page and as a PDF (the same document: courses/handout.py), for the instructor
(their course) and for a family (their own course)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from kneadwell.accounts.roles import Perm
from kneadwell.core.web import ActorRequest, page
from kneadwell.courses import selectors
from kneadwell.courses.models import Course
from kneadwell.reports.document import Document


def _document(course: Course, week: int) -> Document:
    return selectors.handout_for(course=course, week=week)


def _page(request: ActorRequest, course: Course, week: int, back: str, pdf_url: str) -> HttpResponse:
    return render(
        request,
        "courses/handout.html",
        {
            "document": _document(course, week),
            "course": course,
            "back": back,
            "pdf_url": pdf_url,
            "nav": "courses",
        },
    )


def _pdf(course: Course, week: int) -> HttpResponse:
    from kneadwell.reports.pdf import render_pdf  # matplotlib's fonts: loaded only for a PDF

    document = _document(course, week)
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


@page(Perm.COURSE_VIEW)
def handout(request: ActorRequest, course_id: int, week: int) -> HttpResponse:
    from django.urls import reverse

    course = selectors.course_get(actor=request.actor, course_id=course_id)
    return _page(
        request,
        course,
        week,
        reverse("courses:detail", args=[course.pk]),
        reverse("courses:handout_pdf", args=[course.pk, week]),
    )


@page(Perm.COURSE_VIEW)
def handout_pdf(request: ActorRequest, course_id: int, week: int) -> HttpResponse:
    return _pdf(selectors.course_get(actor=request.actor, course_id=course_id), week)


@page(Perm.COURSE_ENROL)
def my_handout(request: ActorRequest, enrolment_id: int, week: int) -> HttpResponse:
    from django.urls import reverse

    enrolment = selectors.my_enrolment_get(actor=request.actor, enrolment_id=enrolment_id)
    return _page(
        request,
        enrolment.course,
        week,
        reverse("courses:my_course", args=[enrolment.pk]),
        reverse("courses:my_handout_pdf", args=[enrolment.pk, week]),
    )


@page(Perm.COURSE_ENROL)
def my_handout_pdf(request: ActorRequest, enrolment_id: int, week: int) -> HttpResponse:
    enrolment = selectors.my_enrolment_get(actor=request.actor, enrolment_id=enrolment_id)
    return _pdf(enrolment.course, week)
