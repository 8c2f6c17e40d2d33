from django.urls import path

from kneadwell.courses.views import calendar, classes, family, handouts, join, staff

app_name = "courses"
urlpatterns = [
    path("", staff.course_list, name="list"),
    path("new/", staff.course_create, name="create"),
    path("<int:course_id>/", staff.course_detail, name="detail"),
    path("<int:course_id>/edit/", staff.course_edit, name="edit"),
    path("<int:course_id>/invite/", staff.course_invite, name="invite"),
    path("<int:course_id>/link/", staff.course_link_renew, name="link_renew"),
    path("<int:course_id>/weeks/<int:week>/", classes.class_record, name="class"),
    path("<int:course_id>/weeks/<int:week>/handout/", handouts.handout, name="handout"),
    path("<int:course_id>/weeks/<int:week>/handout.pdf", handouts.handout_pdf, name="handout_pdf"),
    path("<int:course_id>/families/<int:enrolment_id>/", staff.family_detail, name="family"),
    path(
        "<int:course_id>/families/<int:enrolment_id>/withdraw/", staff.family_withdraw, name="family_withdraw"
    ),
    path("mine/", family.my_courses, name="mine"),
    path("mine/<int:enrolment_id>/", family.my_course, name="my_course"),
    path("mine/<int:enrolment_id>/practice/", family.practice_add, name="practice"),
    path("mine/<int:enrolment_id>/sharing/", family.share_set, name="share"),
    path("mine/<int:enrolment_id>/leave/", family.my_withdraw, name="my_withdraw"),
    path("mine/<int:enrolment_id>/weeks/<int:week>/handout/", handouts.my_handout, name="my_handout"),
    path(
        "mine/<int:enrolment_id>/weeks/<int:week>/handout.pdf", handouts.my_handout_pdf, name="my_handout_pdf"
    ),
    path("join/<str:token>/", join.join, name="join"),
    path("calendar/<str:token>.ics", calendar.calendar, name="calendar"),
]
