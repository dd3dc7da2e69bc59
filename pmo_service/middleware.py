"""Request guards that apply before any view runs."""

from django.http import HttpRequest, HttpResponse, JsonResponse


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
