"""URL map: portal, accounts, admin, health probes, REST API and its documentation."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .health import healthz, readyz

admin.site.site_header = "PMO Service administration"
admin.site.site_title = "PMO Service admin"
admin.site.index_title = "PMO staff workspace"

api_v1 = [
    path("", include("stakeholders.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("portfolio.api.urls")),
    path("", include("engagements.api.urls")),
    path("", include("improvement.api.urls")),
]

urlpatterns = [
    path("", include("stakeholders.urls")),
    path("", include("catalog.urls")),
    path("", include("portfolio.urls")),
    path("", include("engagements.urls")),
    path("", include("improvement.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg"),
        name="favicon",
    ),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    # The schema needs no database: serve it outside a transaction.
    path(
        "api/schema/",
        transaction.non_atomic_requests(SpectacularAPIView.as_view()),
        name="schema",
    ),
    # Swagger UI (served from our own origin) sets inline styles; scripts stay 'self' only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
]

handler400 = "pmo_service.errors.bad_request"
handler403 = "pmo_service.errors.permission_denied"
handler404 = "pmo_service.errors.page_not_found"
handler500 = "pmo_service.errors.server_error"
