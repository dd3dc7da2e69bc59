"""The one pagination class of the API."""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

TOTAL = "pagination_total"
MAX_OFFSET = 2**63 - 1  # a signed 64-bit OFFSET, PostgreSQL's and SQLite's limit


class WindowCountPaginator(Paginator):
    """A paginator that reads a page and the total row count in one statement.

    Django's paginator runs ``SELECT COUNT(*)`` and then the page query: two round trips. Here
    the page query carries ``COUNT(*) OVER ()``, which the database computes over the whole
    filtered set before LIMIT. An empty page (past the end) still needs the separate count to
    be told apart from an empty list, and so do querysets where a window would count something
    else (DISTINCT, UNION).

    The window is only worth it on a cheap page query. It makes PostgreSQL build every row of
    the filtered set before LIMIT, so the set's ``select_related`` joins and subquery
    annotations run for all rows, and an index on the ordering can no longer stop the scan at
    the page. On 20,000 applications that took 245-325 ms where Django's ``COUNT(*)``, which
    leaves out the joins and unused annotations, and an index walk for the 25 rows took 28 ms
    (docs/benchmarks.md). Querysets like that get the separate count.
    """

    def page(self, number):
        queryset = self.object_list
        if "count" in self.__dict__ or not _window_countable(queryset):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)
        bottom = (number - 1) * self.per_page
        # Out-of-range numbers (and offsets the database cannot hold) get Django's answer.
        if number < 1 or bottom + self.per_page > MAX_OFFSET:
            return super().page(number)
        rows = list(
            queryset.annotate(**{TOTAL: Window(Count("*"))})[bottom : bottom + self.per_page]
        )
        if not rows:
            return super().page(number)
        first = rows[0]
        self.__dict__["count"] = first[TOTAL] if isinstance(first, dict) else getattr(first, TOTAL)
        return self._get_page(rows, number, self)


def _window_countable(queryset) -> bool:
    """Whether the window gives the right total cheaply: a plain queryset, no DISTINCT, UNION or
    slice (the window would count something else), no ``select_related`` join and no subquery
    annotation (the window would make them run for every row, see ``WindowCountPaginator``)."""
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    if query.distinct or query.combinator or query.is_sliced or query.select_related:
        return False
    return not any(_has_subquery(annotation) for annotation in query.annotations.values())


def _has_subquery(expression) -> bool:
    # Subquery, Exists and ArraySubquery set ``subquery``; they may sit inside Coalesce & co.
    if getattr(expression, "subquery", False):
        return True
    return any(
        _has_subquery(source)
        for source in expression.get_source_expressions()
        if source is not None
    )


class StandardPagination(PageNumberPagination):
    """Page-number pagination with a client-chosen, capped page size.

    A malformed or out-of-range ``page`` / ``page_size`` is a client error (400 with the field
    named), not a crash and not a silent fallback to another page.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = WindowCountPaginator

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
