from django.urls import path

from kneadwell.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:client_id>/", views.client_detail, name="detail"),
    path("<int:client_id>/edit/", views.client_edit, name="edit"),
    path("<int:client_id>/guardians/new/", views.guardian_create, name="guardian_create"),
    path("<int:client_id>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "<int:client_id>/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"
    ),
]
