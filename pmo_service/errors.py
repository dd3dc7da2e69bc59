"""Error pages: JSON under /api/ (the API's envelope), HTML pages elsewhere.

Django answers some errors before any API view runs (an unmatched URL, a CSRF failure);
integrators must still get JSON for them.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _respond(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 400, "The request could not be understood.")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 403, "You do not have access to this page.")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404, "Not found. It may have moved, or you may not have access.")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
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
