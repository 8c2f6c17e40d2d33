"""A week's handout document for a course the caller may read (the page, the PDF and the API share it)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.core.errors import NotFound
from kneadwell.courses.handout import HandoutFacts, handout_document
from kneadwell.courses.models import Course
from kneadwell.courses.selectors.courses import class_get
from kneadwell.library.selectors import library
from kneadwell.reports.document import Document


def handout_for(*, course: Course, week: int) -> Document:
    if not 1 <= week <= course.weeks:
        raise NotFound(_("No such week."))
    course_class = class_get(course=course, week=week)
    return handout_document(
        library(),
        HandoutFacts(
            title=course.title,
            organisation=course.organisation.name,
            instructor=course.instructor.full_name or course.instructor.email,
            week=week,
            weeks=course.weeks,
            class_at=timezone.localtime(course_class.starts_at),
            protocol_id=course.protocol_id,
            syllabus=course.syllabus,
            generated=timezone.localdate(),
        ),
    )
