"""Writes for courses: validate, save, audit (through kneadwell.audit.writes). One module per kind of
write; the names are re-exported here for the pages, API, CLI and tests.

- courses: a course, its classes and syllabus, invitations, the enrolment link
- enrolments: families joining (new accounts through the link, signed-in parents), withdrawal, sharing
- waiting: the waiting list
- classes: recording a class (attendance, responses, strokes taught, notes)
- practice: a family's home practice notes
"""

from kneadwell.courses.services.classes import FamilyInClass, class_cue_ids, class_record
from kneadwell.courses.services.common import age_problem, age_range_label
from kneadwell.courses.services.courses import (
    COURSE_FIELDS,
    class_start,
    course_create,
    course_invite,
    course_link_renew,
    course_update,
    join_url,
)
from kneadwell.courses.services.enrolments import (
    COURSE_CONSENT_ATTESTATION,
    FamilyJoin,
    course_membership_join,
    enrolment_create,
    enrolment_share_set,
    enrolment_withdraw,
    family_join,
    family_join_signed_in,
    last_class_day,
)
from kneadwell.courses.services.practice import practice_log
from kneadwell.courses.services.waiting import promote_waiting

__all__ = [
    "COURSE_CONSENT_ATTESTATION",
    "COURSE_FIELDS",
    "FamilyInClass",
    "FamilyJoin",
    "age_problem",
    "age_range_label",
    "class_cue_ids",
    "class_record",
    "class_start",
    "course_create",
    "course_invite",
    "course_link_renew",
    "course_membership_join",
    "course_update",
    "enrolment_create",
    "enrolment_share_set",
    "enrolment_withdraw",
    "family_join",
    "family_join_signed_in",
    "join_url",
    "last_class_day",
    "practice_log",
    "promote_waiting",
]
