from django.urls import path

from kneadwell.library import views

app_name = "library"
urlpatterns = [
    path("library/", views.index, name="index"),
    path("library/techniques/<slug:technique_id>/", views.technique, name="technique"),
    path("library/protocols/<slug:protocol_id>/", views.protocol, name="protocol"),
    path("library/safety/", views.rules, name="rules"),
    path("library/sources/", views.sources, name="sources"),
    path("settings/screening/", views.settings_edit, name="settings"),
    path("settings/releases/", views.release_settings, name="release_settings"),
    path("settings/languages/", views.language_settings, name="language_settings"),
    path("clients/<int:client_id>/intake/", views.intake, name="intake"),
    path("clients/<int:client_id>/check/", views.check, name="check"),
    path("clients/<int:client_id>/checks/<int:check_id>/", views.check_result, name="check_result"),
    path("clients/<int:client_id>/checks/<int:check_id>/release/", views.release, name="release"),
    path(
        "clients/<int:client_id>/releases/<int:release_id>/revoke/",
        views.release_revoke,
        name="release_revoke",
    ),
]
