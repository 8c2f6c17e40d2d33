from django.urls import include, path

from kneadwell.accounts import views as account_views
from kneadwell.api.api import api
from kneadwell.core import i18n
from kneadwell.core import views as core_views
from kneadwell.offline import views as offline_views

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    # The offline web app (issue 14): the service worker from the root, so it may control every page.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("language/", i18n.language_choose, name="set_language"),
    path("accounts/", include("kneadwell.accounts.urls")),
    path("invitations/<str:token>/", account_views.invitation_accept, name="invitation_accept"),
    path("clients/", include("kneadwell.clients.urls")),
    path("", include("kneadwell.library.urls")),
    path("", include("kneadwell.care.urls")),
    path("", include("kneadwell.outcomes.urls")),
    path("", include("kneadwell.reports.urls")),
    path("evidence/", include("kneadwell.evidence.urls")),
    path("data/", include("kneadwell.interop.urls")),
    path("audit/", include("kneadwell.audit.urls")),
    path("studies/", include("kneadwell.evaluation.urls")),
    path("courses/", include("kneadwell.courses.urls")),
    path("", include("kneadwell.offline.urls")),
    path("api/v1/", api.urls),
]
