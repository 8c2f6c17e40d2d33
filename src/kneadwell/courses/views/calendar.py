"""A course's classes as an iCalendar feed, for families and the instructor. The unguessable token in the
link is the credential (a calendar app cannot log in); the feed names the course, never a family."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from kneadwell.courses import selectors


def calendar(request: HttpRequest, token: str) -> HttpResponse:
    from icalendar import Calendar, Event

    course = selectors.course_by_calendar_token(token=token)
    if course is None:
        raise Http404(_("No such calendar."))
    cal = Calendar()
    cal.add("prodid", "-//Kneadwell//Course calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", course.title)
    for item in selectors.class_list(course=course):
        event = Event()
        event.add("uid", f"kneadwell-course{course.pk}-w{item.week}@kneadwell")
        event.add(
            "summary",
            _("%(course_title)s: week %(week)s of %(weeks)s")
            % {"course_title": course.title, "week": item.week, "weeks": course.weeks},
        )
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.starts_at + dt.timedelta(minutes=course.class_minutes))
        event.add("dtstamp", course.created_at)
        if course.venue:
            event.add("location", course.venue)
        description = _("Bring a towel or blanket for your baby, and a little unscented oil if you use it.")
        if course.online_link:
            description = _("Online: %(link)s") % {"link": course.online_link} + "\n" + description
        event.add("description", description)
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="kneadwell-course-{course.pk}.ics"'
    return response
