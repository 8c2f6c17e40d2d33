"""The course pages: the instructor's (staff), a class's attendance (classes), the weekly handouts
(handouts), the family's own (family), the enrolment link (join) and the calendar feed (calendar)."""
