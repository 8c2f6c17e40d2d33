"""Taking a class's attendance: per family present, left early (and why) or absent, how the baby responded
(the player's cues), the strokes taught (the week's from the syllabus, ticked already) and notes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import Conflict, ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.courses import selectors, services
from kneadwell.courses import syllabus as syl
from kneadwell.courses.forms import ClassForm
from kneadwell.courses.models import Attendance, Enrolment
from kneadwell.library.selectors import library

CUE_GROUPS = (
    (gettext_lazy("Engagement"), lambda c: c.kind in ("engagement", "comfort", "readiness")),
    (
        gettext_lazy("Disengagement — strong"),
        lambda c: c.kind == "disengagement" and c.strength == "potent",
    ),
    (
        gettext_lazy("Disengagement — subtle"),
        lambda c: c.kind == "disengagement" and c.strength != "potent",
    ),
    (gettext_lazy("Stress signs"), lambda c: c.kind == "stress"),
)


def _cue_groups() -> list[tuple[StrOrPromise, set[str]]]:
    """The player's grouping of cues (Barnard's engagement and potent or subtle disengagement cues), in
    the instructor's words."""
    lib = library()
    cues = [lib.cues[i] for i in services.class_cue_ids()]
    groups = [(title, {c.id for c in cues if test(c)}) for title, test in CUE_GROUPS]
    return [(title, ids) for title, ids in groups if ids]


def _cue_choices() -> list[tuple[str, str]]:
    """The player's cues, engagement first (the instructor's precise words; the label says which kind)."""
    lib = library()
    ids = services.class_cue_ids()
    order = {"engagement": 0, "comfort": 1, "readiness": 2, "disengagement": 3, "stress": 4}
    cues = sorted((lib.cues[i] for i in ids), key=lambda c: (order.get(c.kind, 9), c.strength != "potent"))
    return [(c.id, c.label) for c in cues]


@page(Perm.COURSE_MANAGE)
def class_record(request: ActorRequest, course_id: int, week: int) -> HttpResponse:
    actor = request.actor
    course = selectors.course_get(actor=actor, course_id=course_id)
    course_class = selectors.class_get(course=course, week=week)
    enrolments = selectors.enrolment_list(actor=actor, course=course, purpose="took attendance")
    families = [e for e in enrolments if e.status == Enrolment.Status.ENROLLED]
    lib = library()
    strokes = syl.strokes_of(lib, course.protocol_id)
    planned = [s.key for s in syl.week_strokes(strokes, course.syllabus, week)]
    lines = selectors.attendance_of_class(course_class=course_class)
    initial: dict[str, object] = {
        "version": course_class.version,
        "strokes_taught": course_class.strokes_taught if course_class.recorded else planned,
        "notes": course_class.notes,
    }
    for e in families:
        line = lines.get(e.pk)
        initial[f"status_{e.pk}"] = line.status if line else Attendance.Status.PRESENT
        if line:
            initial[f"reason_{e.pk}"] = line.left_early_reason
            initial[f"cues_{e.pk}"] = line.cues
            initial[f"note_{e.pk}"] = line.response_note
    form = ClassForm(
        request.POST or None, initial=initial, families=families, strokes=strokes, cues=_cue_choices()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.class_record(
                actor=actor,
                course_class=course_class,
                expected_version=form.cleaned_data.get("version"),
                families=form.lines(),
                strokes_taught=form.cleaned_data.get("strokes_taught") or [],
                notes=form.cleaned_data.get("notes") or "",
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
        except ValidationFailed as exc:
            for field, problems in exc.errors.items():
                target = form.field_for(field)
                for problem in problems:
                    form.add_error(target, problem)
        else:
            messages.success(request, _("Week %(week)s's class is recorded.") % {"week": week})
            return redirect("courses:detail", course_id=course.pk)
    return render(
        request,
        "courses/class.html",
        {
            "course": course,
            "course_class": course_class,
            "form": form,
            "planned": set(planned),
            "cue_groups": _cue_groups(),
            "in_future": timezone.localtime(course_class.starts_at).date() > timezone.localdate(),
            "nav": "courses",
        },
    )
