from django.urls import path

from kneadwell.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.index, name="index"),
    path("clients/<int:client_id>/fhir/", views.fhir_export, name="fhir_export"),
    path("fhir/import/", views.fhir_import, name="fhir_import"),
    path("fhir/import/confirm/", views.fhir_import_confirm, name="fhir_import_confirm"),
    path("csv/", views.csv_page, name="csv"),
    path("csv/clients.csv", views.csv_clients, name="csv_clients"),
    path("csv/measurements.csv", views.csv_measurements, name="csv_measurements"),
    path("csv/sessions.csv", views.csv_sessions, name="csv_sessions"),
]
