"""Reads for courses, scoped to the actor: an instructor's own courses, an administrator's organisation,
a family's own enrolments. One module per kind of read; the names are re-exported here."""

from kneadwell.courses.selectors.courses import (
    babies_for_join,
    class_get,
    class_list,
    course_by_calendar_token,
    course_by_join_token,
    course_get,
    course_list,
    course_queryset,
    instructor_choices,
    instructor_user,
    membership_in,
    next_class,
    places_taken,
)
from kneadwell.courses.selectors.families import (
    attendance_of_class,
    attendance_of_course,
    enrolment_get,
    enrolment_list,
    my_enrolment_get,
    my_enrolments,
    practice_entries,
)
from kneadwell.courses.selectors.handouts import handout_for
from kneadwell.courses.selectors.overview import FamilyRow, course_overview, practice_of

__all__ = [
    "FamilyRow",
    "attendance_of_class",
    "attendance_of_course",
    "babies_for_join",
    "class_get",
    "class_list",
    "course_by_calendar_token",
    "course_by_join_token",
    "course_get",
    "course_list",
    "course_overview",
    "course_queryset",
    "enrolment_get",
    "enrolment_list",
    "handout_for",
    "instructor_choices",
    "instructor_user",
    "membership_in",
    "my_enrolment_get",
    "my_enrolments",
    "next_class",
    "places_taken",
    "practice_entries",
    "practice_of",
]
