"""Request guards that apply before any view runs."""

import functools
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .api.throttles import sign_in_page_allowed
from .errors import (
    DATABASE_UNAVAILABLE,
    database_busy,
    request_too_large,
    service_unavailable,
)

logger = logging.getLogger(__name__)


class RejectNullBytesMiddleware:
    """Answer 400 to a NUL byte in the path or query string.

    PostgreSQL cannot store NUL in text, so such input would otherwise surface as a database
    error deep inside a search or filter. Form and JSON bodies are validated by their fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query_values = (item for pair in request.GET.lists() for item in (pair[0], *pair[1]))
        if "\x00" in request.path or any("\x00" in value for value in query_values):
            message = "The request contains a NUL character, which is never valid input."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Answer 413 to a body announced larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, unread.

    Django checks that limit only when form data is read (and answers 400); DRF's parsers
    read the stream directly and skip the check altogether. Refusing on ``Content-Length``
    here covers every door, before a byte of the body is read. (WSGI never reads past
    ``Content-Length``, so a body cannot smuggle more than it announces.) File uploads
    (multipart: the admin's spreadsheet imports) have their own, larger ``MAX_UPLOAD_SIZE``;
    Django streams their files to disk and still limits their other fields.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.content_type == "multipart/form-data":
            limit = getattr(settings, "MAX_UPLOAD_SIZE", None)
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a malformed length as an empty body
        if limit is not None and length > limit:
            return request_too_large(request, limit)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, not a 500 with a traceback, when the database is down
    (or, said as such, too busy: a deadlock or a timeout, see ``errors.database_busy``).

    Catches what views (and the templates they render) raise; ``errors.server_error``
    covers the rest. Each outage is logged once per request, without the stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.error("Database %s on %s %s: %s",
                     "busy" if database_busy(exception) else "unavailable",
                     request.method, request.path, " ".join(str(exception).split())[:300])
        return service_unavailable(request, exception)


@functools.cache
def _sign_in_paths() -> frozenset[str]:
    return frozenset({reverse("login"), reverse("admin:login")})


class SignInRateLimitMiddleware:
    """Answer 429 to sign-in form posts beyond the address's budget (``THROTTLE_AUTH_RATE``).

    django-axes locks one username from one address after repeated failures; an attacker
    trying many usernames from one address never meets that lock. The login page and the
    admin login share the token endpoint's per-address counter in Redis
    (``pmo_service.api.throttles.sign_in_page_allowed``), so every door to a password draws
    on one budget. It fails open, like the API's throttles, when Redis is unreachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in _sign_in_paths():
            allowed, wait = sign_in_page_allowed(request)
            if not allowed:
                response = render(request, "registration/sign_in_throttled.html",
                                  {"seconds": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)
