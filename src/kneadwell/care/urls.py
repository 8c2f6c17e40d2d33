from django.urls import path

from kneadwell.care import views

app_name = "care"
urlpatterns = [
    path("clients/<int:client_id>/plans/new/", views.plan_create, name="plan_create"),
    path("clients/<int:client_id>/plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("clients/<int:client_id>/plans/<int:plan_id>/end/", views.plan_end, name="plan_end"),
    path("clients/<int:client_id>/sessions/start/", views.session_start, name="session_start"),
    path(
        "clients/<int:client_id>/adverse-events/new/", views.adverse_event_create, name="adverse_event_create"
    ),
    path(
        "clients/<int:client_id>/adverse-events/<int:event_id>/",
        views.adverse_event_detail,
        name="adverse_event",
    ),
    path("sessions/<int:session_id>/", views.player, name="player"),
    path("sessions/<int:session_id>/act/", views.player_act, name="player_act"),
    path("sessions/<int:session_id>/note/", views.note, name="note"),
    path("sessions/<int:session_id>/note/amend/", views.note_amend, name="note_amend"),
    path("care/adherence/", views.unit_adherence, name="adherence"),
    path("care/calendar/<str:token>.ics", views.calendar, name="calendar"),
]
