"""Course cards on other pages (registered in kneadwell.core.hooks): the home page's "Baby massage class"
for a parent (the home routine one tap away) and "Your courses" for an instructor; the baby's page's
class card for a parent."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.core.web import ActorRequest
from kneadwell.courses import selectors, services
from kneadwell.courses.home import taught_strokes
from kneadwell.courses.models import Enrolment


def _family_cards(enrolments: list[Enrolment]) -> list[dict[str, object]]:
    cards: list[dict[str, object]] = []
    for enrolment in enrolments:
        course = enrolment.course
        classes = selectors.class_list(course=course)
        cards.append(
            {
                "enrolment": enrolment,
                "next": selectors.next_class(course=course, classes=classes),
                "taught": len(taught_strokes(enrolment=enrolment)),
                "check_url": reverse("library:check", args=[enrolment.client_id])
                + f"?protocol={course.protocol_id}",
            }
        )
    return cards


def home_section(request: ActorRequest, clients: list[Client]) -> str:
    actor = request.actor
    if actor.can(Perm.COURSE_ENROL):
        today = timezone.localdate()
        enrolments = [
            e for e in selectors.my_enrolments(actor=actor) if services.last_class_day(e.course) >= today
        ]
        if not enrolments:
            return ""
        return render_to_string(
            "courses/_home_family.html", {"cards": _family_cards(enrolments[:3])}, request=request
        )
    if actor.can(Perm.COURSE_VIEW):
        today = timezone.localdate()
        courses = [c for c in selectors.course_list(actor=actor) if services.last_class_day(c) >= today][:4]
        rows = []
        for course in courses:
            classes = selectors.class_list(course=course)
            rows.append((course, selectors.next_class(course=course, classes=classes)))
        return render_to_string(
            "courses/_home_staff.html",
            {"rows": rows, "today": today, "can_manage": actor.can(Perm.COURSE_MANAGE)},
            request=request,
        )
    return ""


def client_section(request: ActorRequest, client: Client) -> str:
    actor = request.actor
    if not actor.can(Perm.COURSE_ENROL):
        return ""
    enrolments = [e for e in selectors.my_enrolments(actor=actor) if e.client_id == client.pk]
    if not enrolments:
        return ""
    return render_to_string(
        "courses/_home_family.html", {"cards": _family_cards(enrolments)}, request=request
    )
