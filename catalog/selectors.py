"""Read operations of the catalog: querysets with their joins chosen, and search.

Callers scope them with ``for_user`` (pmo_service.api.scoping); these never decide visibility.
"""

import functools

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL

from .models import (
    Category,
    Service,
    ServiceRequest,
    ServiceRequestTransition,
    ServiceRole,
    ValueProcess,
)

MAX_SEARCH_TERMS = 8


def service_search_condition(search: str) -> Q:
    """Every word of ``search`` must appear in the name, summary or description."""
    condition = Q()
    for term in search.split()[:MAX_SEARCH_TERMS]:
        condition &= (
            Q(name__icontains=term) | Q(summary__icontains=term) | Q(description__icontains=term)
        )
    return condition


def _filtered(
    queryset: QuerySet[Service], *, search: str, typology: str, category: str, value_process: str
) -> QuerySet[Service]:
    if search.strip():
        queryset = queryset.filter(service_search_condition(search))
    if typology:
        queryset = queryset.filter(typology=typology)
    if category:
        queryset = queryset.filter(category__slug=category)
    if value_process:
        queryset = queryset.filter(value_processes__slug=value_process)
    return queryset.order_by("name", "id")


def service_list(
    *,
    search: str = "",
    typology: str = "",
    category: str = "",
    value_process: str = "",
) -> QuerySet[Service]:
    """Services for catalog pages, with category and value processes in two extra queries.

    ``category`` and ``value_process`` are slugs. Unknown values simply match nothing.
    """
    # Listings never show the long description (search still filters on it).
    queryset = (
        Service.objects.select_related("category")
        .defer("description", "category__description")
        .prefetch_related(
            Prefetch(
                "value_processes",
                queryset=ValueProcess.objects.only("id", "slug", "name").order_by("name"),
            )
        )
    )
    return _filtered(
        queryset, search=search, typology=typology, category=category,
        value_process=value_process,
    )


SERVICE_ROW_COLUMNS = (
    "id", "slug", "name", "summary", "typology", "category_id", "category__slug",
    "category__name", "status", "typical_duration_weeks", "pricing_basis", "updated_at",
)


def service_list_rows(
    *,
    search: str = "",
    typology: str = "",
    category: str = "",
    value_process: str = "",
) -> QuerySet:
    """The catalog list as plain rows (dicts) for the API: no model instances to build.

    On PostgreSQL each row carries its value processes as JSON text (``value_process_json``,
    sorted by name) from a subquery of the same statement. Elsewhere (SQLite in development)
    the rows lack that key and :func:`service_value_processes` fetches them for a page in one query.
    """
    return _filtered(
        _service_rows_base().all(), search=search, typology=typology, category=category,
        value_process=value_process,
    )


@functools.cache
def _service_rows_base() -> QuerySet:
    """The unevaluated rows queryset, built once per process.

    Resolving twelve columns, a join and the subquery took about 1 ms per request, as long as
    running the query. A queryset that is never evaluated is a safe template: every
    ``.all()`` / ``.filter()`` works on a clone.
    """
    queryset = Service.objects.values(*SERVICE_ROW_COLUMNS)
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(
            # No input reaches this SQL: only model table and column names, quoted.
            value_process_json=RawSQL(  # noqa: S611
                _value_processes_json_sql(), (), output_field=TextField()
            )
        )
    return queryset


def _value_processes_json_sql() -> str:
    """A correlated subquery: the row's value processes as a JSON array text, sorted by name.

    Written as SQL (table and column names from the models) rather than ``ArraySubquery``:
    the ORM expression costs more to compile per request than the whole query takes to run.
    ``json_build_object`` keeps the keys in the documented id, slug, name order.
    """
    service = Service._meta
    through = Service.value_processes.through._meta
    process = ValueProcess._meta
    quote = connection.ops.quote_name
    # Identifiers from the models, quoted; no user input reaches this text.
    return (
        "SELECT COALESCE(json_agg(json_build_object("  # noqa: S608
        f"'id', v.{quote(process.pk.column)}, 'slug', v.{quote('slug')}, "
        f"'name', v.{quote('name')}) ORDER BY v.{quote('name')}, v.{quote(process.pk.column)})"
        f", '[]')::text FROM {quote(through.db_table)} sv "
        f"JOIN {quote(process.db_table)} v "
        f"ON v.{quote(process.pk.column)} = sv.{quote(through.get_field('valueprocess').column)} "
        f"WHERE sv.{quote(through.get_field('service').column)} = "
        f"{quote(service.db_table)}.{quote(service.pk.column)}"
    )


def service_value_processes(*, service_ids: list[int]) -> dict[int, list[dict]]:
    """Value processes of the given services, by service id, sorted by name (one query)."""
    if not service_ids:
        return {}
    links = (
        Service.value_processes.through.objects.filter(service_id__in=service_ids)
        .order_by("valueprocess__name", "valueprocess_id")
        .values_list("service_id", "valueprocess_id", "valueprocess__slug", "valueprocess__name")
    )
    processes: dict[int, list[dict]] = {}
    for service_id, process_id, slug, name in links:
        processes.setdefault(service_id, []).append({"id": process_id, "slug": slug, "name": name})
    return processes


def service_detail() -> QuerySet[Service]:
    """Services with everything the detail page and API show, in a fixed number of queries."""
    return Service.objects.select_related("category").prefetch_related(
        Prefetch("value_processes", queryset=ValueProcess.objects.order_by("name")),
        "tiers",
        "criteria",
        "indicators",
        Prefetch(
            "roles",
            queryset=ServiceRole.objects.select_related("role").prefetch_related(
                "certifications", "skill_requirements__skill"
            ),
        ),
    )


def catalog_filter_options() -> dict[str, QuerySet]:
    """Choices for the catalog's filters: categories and value processes."""
    return {
        "categories": Category.objects.order_by("position", "name"),
        "value_processes": ValueProcess.objects.order_by("name"),
    }


def service_open_requests(*, service: Service) -> QuerySet[ServiceRequest]:
    """Requests for ``service`` still awaiting a decision, newest first (scope them per user)."""
    return ServiceRequest.objects.open().filter(service=service).order_by("-created_at")


def service_request_list(*, status: str = "", requested_by_id: int | None = None
                         ) -> QuerySet[ServiceRequest]:
    """Requests with their service, tier, organization, requester and status history."""
    queryset = ServiceRequest.objects.select_related(
        "organization", "service", "tier", "requested_by"
    ).prefetch_related(
        Prefetch(
            "transitions",
            queryset=ServiceRequestTransition.objects.select_related("actor").order_by(
                "created_at", "id"
            ),
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    if requested_by_id is not None:
        queryset = queryset.filter(requested_by_id=requested_by_id)
    return queryset.order_by("-created_at", "-id")
