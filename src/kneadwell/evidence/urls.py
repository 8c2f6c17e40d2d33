from django.urls import path

from kneadwell.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.index, name="index"),
    path("claims/<slug:claim_id>/", views.claim, name="claim"),
    path("studies/<slug:study_id>/", views.study, name="study"),
    path("pool/", views.pool, name="pool"),
    path("analyses/new/", views.analysis_create, name="analysis_create"),
    path("analyses/<int:analysis_id>/", views.analysis, name="analysis"),
    path("analyses/<int:analysis_id>/edit/", views.analysis_edit, name="analysis_edit"),
    path("analyses/<int:analysis_id>/delete/", views.analysis_delete, name="analysis_delete"),
]
