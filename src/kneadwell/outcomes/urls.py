"""Measurement pages. Mounted at the site root (urls.py) so that a client's measurements live under the
client's address: /clients/<id>/measurements/, /clients/<id>/growth/, /clients/<id>/trends/<instrument>/."""

from django.urls import path

from kneadwell.outcomes import views, views_measures

app_name = "outcomes"
urlpatterns = [
    path("clients/<int:client_id>/measurements/", views.measurement_list, name="list"),
    path("clients/<int:client_id>/measurements/new/", views.measurement_choose, name="choose"),
    path(
        "clients/<int:client_id>/measurements/new/<slug:instrument_id>/",
        views.measurement_create,
        name="create",
    ),
    path("clients/<int:client_id>/measurements/weights/", views.weights_week, name="weights"),
    path(
        "clients/<int:client_id>/measurements/<int:measurement_id>/", views.measurement_detail, name="detail"
    ),
    path(
        "clients/<int:client_id>/measurements/<int:measurement_id>/in-error/",
        views.measurement_in_error,
        name="in_error",
    ),
    path("clients/<int:client_id>/growth/", views.growth, name="growth"),
    path("clients/<int:client_id>/growth/chart-data/", views.growth_chart, name="growth_chart"),
    path("clients/<int:client_id>/trends/<slug:instrument_id>/", views.trend, name="trend"),
    path(
        "clients/<int:client_id>/trends/<slug:instrument_id>/chart-data/",
        views.trend_chart,
        name="trend_chart",
    ),
    path("measurements/import/", views.measurement_import, name="import"),
    # An organisation's own outcome measures (docs/custom-measures.md).
    path("measures/", views_measures.measure_list, name="measures"),
    path("measures/new/", views_measures.measure_new, name="measure_new"),
    path("measures/<slug:measure_id>/", views_measures.measure_detail, name="measure"),
    path("measures/<slug:measure_id>/edit/", views_measures.measure_edit, name="measure_edit"),
    path("measures/<slug:measure_id>/publish/", views_measures.measure_publish, name="measure_publish"),
    path("measures/<slug:measure_id>/retire/", views_measures.measure_retire, name="measure_retire"),
]
