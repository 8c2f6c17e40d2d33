from django.urls import path

from kneadwell.care.views import adherence, adverse_events, notes, plans, sessions

app_name = "care"
urlpatterns = [
    path("clients/<int:client_id>/plans/new/", plans.plan_create, name="plan_create"),
    path("clients/<int:client_id>/plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("clients/<int:client_id>/plans/<int:plan_id>/end/", plans.plan_end, name="plan_end"),
    path("clients/<int:client_id>/sessions/start/", sessions.session_start, name="session_start"),
    path(
        "clients/<int:client_id>/adverse-events/new/",
        adverse_events.adverse_event_create,
        name="adverse_event_create",
    ),
    path(
        "clients/<int:client_id>/adverse-events/<int:event_id>/",
        adverse_events.adverse_event_detail,
        name="adverse_event",
    ),
    path("sessions/<int:session_id>/", sessions.player, name="player"),
    path("sessions/<int:session_id>/act/", sessions.player_act, name="player_act"),
    path("sessions/<int:session_id>/note/", notes.note, name="note"),
    path("sessions/<int:session_id>/note/amend/", notes.note_amend, name="note_amend"),
    path("care/adherence/", adherence.unit_adherence, name="adherence"),
    path("care/calendar/<str:token>.ics", plans.calendar, name="calendar"),
]
