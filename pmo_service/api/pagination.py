"""The one pagination class of the API."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen, capped page size.

    A malformed or out-of-range ``page`` / ``page_size`` is a client error (400 with the field
    named), not a crash and not a silent fallback to another page.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({"page_size": ["A whole number is required."]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be between 1 and {self.max_page_size}."]}
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw not in self.last_page_strings:
            try:
                number = int(raw)
            except (TypeError, ValueError):
                raise ValidationError({"page": ["A whole number is required."]}) from None
            if number < 1:
                raise ValidationError({"page": ["Pages are numbered from 1."]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
