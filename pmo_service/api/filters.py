"""Filter backends shared by every endpoint."""

import django_filters
from django import forms
from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.settings import api_settings

# Query parameters that belong to pagination, ordering, search or rendering, not to a FilterSet.
NON_FILTER_PARAMETERS = {
    "page", "page_size", "format", api_settings.ORDERING_PARAM, api_settings.SEARCH_PARAM,
}


# Largest primary key the databases hold (signed 64-bit).
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on a row id: a whole number from 1 to the largest key, else a 400 naming the
    parameter. A larger number would overflow the database driver instead of matching none;
    decimals and exponents are not ids."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class FilterSetBackend(DjangoFilterBackend):
    """django-filter, skipped when the request carries no filter parameter.

    Binding a FilterSet builds and validates a form (deep copies of every filter) even when
    there is nothing to filter; most list calls, the catalog's in particular, send none, and
    a FilterSet without data would filter nothing anyway. Any other parameter, known or not,
    goes through the FilterSet as before, so invalid filter values still answer 400.
    """

    def filter_queryset(self, request, queryset, view):
        if not set(request.query_params) - NON_FILTER_PARAMETERS:
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """Ordering that rejects unknown fields with a 400 instead of silently ignoring them.

    A silent fallback hides typos in integrations; an explicit error names the valid fields.
    """

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if not params:
            return self.get_default_ordering(view)
        requested = [term.strip() for term in params.split(",") if term.strip()]
        context = {"request": request}
        valid = {name for name, _label in self.get_valid_fields(queryset, view, context)}
        unknown = [term for term in requested if term.lstrip("-") not in valid]
        if unknown:
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering field(s): {', '.join(unknown)}. "
                        f"Valid fields: {', '.join(sorted(valid)) or 'none'}."
                    ]
                }
            )
        return requested

    def filter_queryset(self, request, queryset, view):
        """Order as asked, with empty values last in both directions and the id as tiebreak.

        Databases disagree on where NULL sorts (PostgreSQL puts it first when descending,
        SQLite last), and "highest cost first" should list costs, not blanks. The id makes
        pages stable when many rows share a value. The view's default ordering is left as it
        is so that it keeps matching its indexes.
        """
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        if not request.query_params.get(self.ordering_param):
            return queryset.order_by(*ordering)
        expressions = [
            F(term[1:]).desc(nulls_last=True) if term.startswith("-")
            else F(term).asc(nulls_last=True)
            for term in ordering
        ]
        if not {term.lstrip("-") for term in ordering} & {"id", "pk"}:
            expressions.append(F("pk").asc())
        return queryset.order_by(*expressions)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if fields and fields != "__all__":
            for parameter in parameters:
                parameter["description"] = (
                    "Comma-separated fields to order by; prefix with '-' for descending. "
                    f"One of: {', '.join(fields)}."
                )
        return parameters
