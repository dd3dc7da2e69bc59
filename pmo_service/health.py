"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection


@transaction.non_atomic_requests
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving requests; checks nothing else on purpose."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]
    return True, connection.vendor


def _broker_ok() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "in-process (tasks run eagerly, no broker)"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]
    return True, "connected"


@transaction.non_atomic_requests
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer; 503 naming what is down otherwise."""
    checks = {}
    for name, probe in (("database", _database_ok), ("broker", _broker_ok)):
        ok, detail = probe()
        checks[name] = {"ok": ok, "detail": detail}
    down = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ready" if not down else "unavailable", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)
