"""URL map for benchmarks: the project's routes plus baseline endpoints.

A baseline endpoint is a plain Django view behind the same middleware as the API (sessions,
CSRF, auth, CSP, the request transaction), but its body is one raw SQL statement on its own
psycopg2 connection and ``json.dumps``: the least work that serves the same bytes. Measuring
the API against it isolates what DRF, the ORM and our layers cost. Cases install their view
in ``BASELINES`` before use.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

BASELINES: dict[str, Callable[[HttpRequest], HttpResponse]] = {}


def baseline(request: HttpRequest, name: str) -> HttpResponse:
    return BASELINES[name](request)


urlpatterns = [
    path("bench/raw/<slug:name>/", baseline, name="bench-baseline"),
    path("", include("pmo_service.urls")),
]
