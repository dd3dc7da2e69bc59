"""Error pages: JSON under /api/ (the API's envelope), HTML pages elsewhere.

Django answers some errors before any API view runs (an unmatched URL, a CSRF failure);
integrators must still get JSON for them.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.csrf import requires_csrf_token

# Errors meaning "the database cannot be reached or answer now" (psycopg's connection
# failures and timeouts are OperationalError; a connection closed under us, InterfaceError).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# SQLSTATEs of a database that answered but could not finish this request now: deadlock,
# serialization failure, lock wait timeout, statement timeout or cancel. They are as
# temporary as an outage, and the work was rolled back, but "cannot reach" would mislead.
BUSY_SQLSTATES = frozenset({"40P01", "40001", "55P03", "57014"})
BUSY_RETRY_AFTER_SECONDS = 5


def database_busy(exception: BaseException | None) -> bool:
    """Whether a database error is contention or a timeout (the database is up), rather
    than a database that cannot be reached."""
    if exception is None:
        return False
    if getattr(exception.__cause__, "pgcode", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(exception)  # SQLite's single-writer lock


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _respond(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def _standalone(request: HttpRequest, status: int, template: str, message: str,
                **context) -> HttpResponse:
    """JSON under /api/, else a page rendered with no request: no context processor (the
    user, the organization) may touch a database that is down or read a refused body."""
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(render_to_string(template, {"message": message, **context}),
                        status=status)


def request_too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    """413: the body is over ``limit`` bytes (by default ``DATA_UPLOAD_MAX_MEMORY_SIZE``);
    nothing of it was used."""
    limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit / 1024 / 1024:.1f} MiB" if limit else "the limit"
    message = (
        f"The request body is larger than {size}, the most this service accepts in one "
        "request. Send less data at once (for time entries, at most 1,000 per bulk request)."
    )
    return _standalone(request, 413, "413.html", message)


def service_unavailable(request: HttpRequest, exception: BaseException | None = None
                        ) -> HttpResponse:
    """503 with Retry-After: the database cannot be reached, or (``database_busy``) it could
    not finish the request in time; no traceback, nothing saved either way."""
    if database_busy(exception):
        message = ("The database was too busy to finish your request, so nothing was saved. "
                   "This is on our side.")
        retry_after = BUSY_RETRY_AFTER_SECONDS
    else:
        message = "The service cannot reach its database right now. This is on our side."
        retry_after = RETRY_AFTER_SECONDS
    response = _standalone(request, 503, "503.html", message, retry_after=retry_after)
    response["Retry-After"] = str(retry_after)
    return response


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django answers an over-large form body (read after the middleware's Content-Length
    # check, e.g. a chunked upload) as a 400 SuspiciousOperation: it is a 413.
    if isinstance(exception, RequestDataTooBig):
        return request_too_large(request)
    return _respond(request, 400, "The request could not be understood.")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 403, "You do not have access to this page.")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404, "Not found. It may have moved, or you may not have access.")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # A database outage raised outside a view (in a middleware) reaches only this handler;
    # the view's are answered by DatabaseUnavailableMiddleware.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request, sys.exc_info()[1])
    # No template context processors here: the database may be what failed.
    if _is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side."}, status=500)
    return HttpResponse(
        "<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>"
        "<p>The PMO team has been notified. Please try again in a moment.</p>",
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _respond(
        request, 403, "Your form expired or came from elsewhere. Reload the page and try again."
    )
