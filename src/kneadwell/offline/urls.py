from django.urls import path

from kneadwell.offline import views

app_name = "offline"
urlpatterns = [
    path("offline/", views.shell, name="shell"),
    path("offline/conflicts/", views.conflicts, name="conflicts"),
    path("offline/conflicts/<int:record_id>/read/", views.conflict_read, name="conflict_read"),
]
