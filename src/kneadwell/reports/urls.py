from django.urls import path

from kneadwell.reports import views

app_name = "reports"
urlpatterns = [
    path("clients/<int:client_id>/report/", views.report_page, name="page"),
    path("clients/<int:client_id>/report.pdf", views.report_pdf, name="pdf"),
]
